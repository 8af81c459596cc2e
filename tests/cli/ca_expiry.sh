#!/bin/sh
# Nothing outlives its issuer (issue 13): under a CA that ends in 30
# days, a default validity is capped to the CA's notAfter with a warning,
# an explicit --days (or a batch row's days) past it is refused with
# nothing written, in issue, renew and --batch; an expired CA issues
# nothing. The CA is part of the inventory: list shows it and
# --expiring counts it, check warns within 180 days, probe reports the
# CA certificate the server sends, lint --ca flags a leaf that outlives
# its issuer. Checked with openssl verify -x509_strict and certtool.
# A network namespace of its own (tests/netns.sh): gnutls-serv listens
# on every address.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

DAY=86400
CA=$T/ca
I=$CA/issued
enddate() { openssl x509 -in "$1" -noout -enddate; }
epoch() { date -d "$(enddate "$1" | cut -d= -f2)" +%s; }
rfc3339() { date -u -d "@$(epoch "$1")" +%Y-%m-%dT%H:%M:%SZ; }
# The CAs are made an hour ago, so "29 days left" whatever the seconds;
# everything after runs on the real clock, which the verifiers use too.
AGO=$(($(date +%s) - 3600))
env SIPCA_NOW=$AGO "$SIPCA" -d "$CA" init --domain example.com --no-passphrase --key p256 --days 30 >/dev/null
CA_END=$(enddate "$CA/ca.pem")
CA_DATE=$(rfc3339 "$CA/ca.pem")

# verified LABEL CERT: both independent verifiers accept it under the CA.
verified() {
	check "$1: openssl verify -x509_strict" \
	    openssl verify -x509_strict -CAfile "$CA/ca.pem" "$2"
	check "$1: certtool --verify" sh -c "certtool --verify \
	    --load-ca-certificate '$CA/ca.pem' --infile '$2' | grep -q 'is trusted'"
}

# ---- issue: the default 825 days are capped, with a warning ----
expect_exit 0 "issue with the default days under a 30-day CA" \
    "$SIPCA" -d "$CA" issue server sip.example.com --key p256
expect_grep "warning: validity capped to the CA certificate's notAfter, $CA_DATE: 825 days would outlive it (--days" \
    "$T/stderr" "issue: the warning names --days and the CA's end"
expect_grep "valid until $CA_DATE" "$T/stderr" "issue: says the capped end"
check "issue: the certificate ends with the CA" \
    test "$(enddate "$I/sip.example.com/cert.pem")" = "$CA_END"
verified "capped server certificate" "$I/sip.example.com/cert.pem"
check "capped: openssl verifies the chain file" openssl verify -x509_strict \
    -CAfile "$CA/ca.pem" -untrusted "$I/sip.example.com/chain.pem" "$I/sip.example.com/cert.pem"

# ---- issue: an explicit --days past the CA is refused, nothing written ----
snapshot "$CA" > "$T/before"
expect_exit 2 "issue --days past the CA" \
    "$SIPCA" -d "$CA" issue device alice --days 60 --key p256
expect_grep "\-\-days 60 ends after the CA certificate's notAfter, $CA_DATE: a certificate cannot outlive its issuer (--days 29 at most)" \
    "$T/stderr" "issue --days 60: the refusal names --days and the CA's end"
expect_unchanged "$T/before" "$CA" "issue --days past the CA"
check "issue --days past the CA: no alice" test ! -e "$I/alice"

expect_exit 0 "issue --days within the CA" \
    "$SIPCA" -d "$CA" issue device alice --days 10 --key p256
expect_no_grep "capped" "$T/stderr" "issue --days 10: no warning"
TESTS_RUN=$((TESTS_RUN + 1))
[ $(($(epoch "$I/alice/cert.pem") - $(openssl x509 -in "$I/alice/cert.pem" -noout -startdate |
    cut -d= -f2 | xargs -I{} date -d {} +%s))) = $((10 * DAY)) ] ||
    fail "issue --days 10: not 10 days"
verified "device certificate within the CA" "$I/alice/cert.pem"

# ---- renew: the same choice ----
snapshot "$CA" > "$T/before"
expect_exit 2 "renew --days past the CA" "$SIPCA" -d "$CA" renew alice --days 60
expect_grep "\-\-days 60 ends after the CA certificate's notAfter, $CA_DATE" \
    "$T/stderr" "renew --days 60: the refusal"
expect_unchanged "$T/before" "$CA" "renew --days past the CA"
expect_exit 2 "renew --expiring --days past the CA" \
    "$SIPCA" -d "$CA" renew --expiring 100 --days 60
expect_grep "\-\-days 60 ends after" "$T/stderr" "renew --expiring --days 60: the refusal"
expect_unchanged "$T/before" "$CA" "renew --expiring --days past the CA"
# The server's original length (its 30 capped days) runs past the CA now.
old=$(openssl x509 -in "$I/sip.example.com/cert.pem" -noout -serial)
expect_exit 0 "renew --dry-run" "$SIPCA" -d "$CA" renew sip.example.com --dry-run
expect_grep "for 30 days, capped to the CA's notAfter$" "$T/stdout" "renew --dry-run: says it would be capped"
expect_exit 0 "renew with the original length" "$SIPCA" -d "$CA" renew sip.example.com
expect_grep "warning: sip.example.com: validity capped to the CA certificate's notAfter, $CA_DATE" \
    "$T/stderr" "renew: the capped warning"
check "renew: a new certificate" \
    test "$(openssl x509 -in "$I/sip.example.com/cert.pem" -noout -serial)" != "$old"
check "renew: it ends with the CA" \
    test "$(enddate "$I/sip.example.com/cert.pem")" = "$CA_END"
verified "renewed and capped" "$I/sip.example.com/cert.pem"

# ---- batch: default rows capped with one warning, asked-for days refused ----
printf 'kind,name,days\ndevice,bdef1,\ndevice,bdef2,\ndevice,bshort,5\n' > "$T/ok.csv"
expect_exit 0 "batch under a short CA" "$SIPCA" -d "$CA" issue --batch "$T/ok.csv" --key p256 --quiet
expect_grep "ok.csv: 2 rows: validity capped to the CA certificate's notAfter, $CA_DATE" \
    "$T/stderr" "batch: one warning for the capped rows"
check "batch: a default row ends with the CA" test "$(enddate "$I/bdef1/cert.pem")" = "$CA_END"
check "batch: the days column within the CA is kept" \
    test "$(enddate "$I/bshort/cert.pem")" != "$CA_END"
verified "batch row, capped" "$I/bdef2/cert.pem"
printf 'kind,name,days\ndevice,bgood,\ndevice,blong,60\n' > "$T/bad.csv"
snapshot "$CA" > "$T/before"
expect_exit 2 "batch with days past the CA" "$SIPCA" -d "$CA" issue --batch "$T/bad.csv" --quiet
expect_grep "bad.csv:3: days 60 ends after the CA certificate's notAfter, $CA_DATE" \
    "$T/stderr" "batch: the row and its days column named"
expect_grep "1 bad row: nothing issued" "$T/stderr" "batch: nothing issued"
expect_unchanged "$T/before" "$CA" "batch with days past the CA"
expect_exit 2 "batch --days past the CA" "$SIPCA" -d "$CA" issue --batch "$T/bad.csv" --days 45 --quiet
expect_grep "bad.csv:2: --days 45 ends after" "$T/stderr" "batch --days: named"
expect_unchanged "$T/before" "$CA" "batch --days past the CA"

# ---- list: the CA is a row, and --expiring counts it ----
expect_exit 0 "list" "$SIPCA" -d "$CA" list
expect_grep "^ca.pem  *ca  *[0-9a-f]* $CA_DATE valid (CA certificate, 29 days left)$" \
    "$T/stdout" "list: the CA's row, marked and with its notAfter"
expect_grep "^6 certificates: 5 valid (5 expiring within 30 days), 0 expired, 0 revoked, 1 superseded$" "$T/stdout" "list: the summary counts the issued ones"
expect_exit 0 "list --kind device" "$SIPCA" -d "$CA" list --kind device
expect_no_grep "^ca.pem" "$T/stdout" "list --kind: no CA row"
expect_exit 0 "list NAME" "$SIPCA" -d "$CA" list alice
expect_no_grep "^ca.pem" "$T/stdout" "list NAME: no CA row"
expect_exit 0 "list --status revoked" "$SIPCA" -d "$CA" list --status revoked
expect_no_grep "^ca.pem" "$T/stdout" "list --status revoked: no CA row"
# A store with nothing issued: only the CA can be due.
env SIPCA_NOW=$AGO "$SIPCA" -d "$T/lone" init --domain example.com --no-passphrase --key p256 --days 30 >/dev/null
LONE_DATE=$(rfc3339 "$T/lone/ca.pem")
expect_exit 1 "list --expiring 60: the CA is due" "$SIPCA" -d "$T/lone" list --expiring 60
expect_grep "^ca.pem .* valid (CA certificate" "$T/stdout" "list --expiring 60: the CA's row"
expect_grep "^0 certificates" "$T/stdout" "list --expiring 60: nothing issued is due"
expect_exit 0 "list --expiring 10: the CA is not due" "$SIPCA" -d "$T/lone" list --expiring 10
expect_no_grep "^ca.pem" "$T/stdout" "list --expiring 10: no CA row"
expect_exit 1 "list --json --expiring 60" "$SIPCA" -d "$T/lone" list --json --expiring 60
check "list --json stays the array of issued certificates" \
    sh -c "jq -e 'type == \"array\" and length == 0' '$T/stdout' >/dev/null"
expect_grep "warning: the CA certificate ca.pem expires at $LONE_DATE, in 29 days" \
    "$T/stderr" "list --json: the due CA said on stderr"
LONE_AFTER=$(($(epoch "$T/lone/ca.pem") + DAY))
expect_exit 0 "list after the CA's end" \
    env SIPCA_NOW=$LONE_AFTER "$SIPCA" -d "$T/lone" list --status expired
expect_grep "^ca.pem .* expired (CA certificate)$" "$T/stdout" "list: an expired CA"

# ---- check: within 180 days a warning, past its end a problem ----
expect_exit 0 "check a CA due in 30 days" "$SIPCA" -d "$T/lone" check
expect_grep "warning: $T/lone/ca.pem: the CA certificate expires at $LONE_DATE, in 29 days (within 180)" \
    "$T/stderr" "check: the CA's date and days left"
new_ca "$T/long" --days 400
expect_exit 0 "check a CA with 400 days" "$SIPCA" -d "$T/long" check
expect_no_grep "expires" "$T/stderr" "check: no warning for 400 days"
expect_exit 0 "check 100 days before" \
    env SIPCA_NOW=$(($(epoch "$T/long/ca.pem") - 100 * DAY)) "$SIPCA" -d "$T/long" check
expect_grep "in 100 days (within 180)" "$T/stderr" "check: warns 100 days before"
expect_exit 1 "check an expired CA" env SIPCA_NOW=$LONE_AFTER "$SIPCA" -d "$T/lone" check
expect_grep "^$T/lone/ca.pem: the CA certificate expired at $LONE_DATE" "$T/stdout" \
    "check: an expired CA is a problem"

# The issue's example: init --days 400, then issue device (825 days).
expect_exit 0 "issue under a 400-day CA" "$SIPCA" -d "$T/long" issue device dev400 --key p256
check "the 825 days end with the 400-day CA" \
    test "$(enddate "$T/long/issued/dev400/cert.pem")" = "$(enddate "$T/long/ca.pem")"
check "openssl verifies it" openssl verify -x509_strict -CAfile "$T/long/ca.pem" \
    "$T/long/issued/dev400/cert.pem"

# ---- an expired CA issues nothing ----
AFTER=$(($(epoch "$CA/ca.pem") + DAY))
snapshot "$CA" > "$T/before"
expect_exit 2 "issue under an expired CA" env SIPCA_NOW=$AFTER "$SIPCA" -d "$CA" issue device late
expect_grep "the CA certificate expired at $CA_DATE (its notAfter)" "$T/stderr" \
    "issue: the CA's expiry named"
expect_exit 2 "renew under an expired CA" env SIPCA_NOW=$AFTER "$SIPCA" -d "$CA" renew alice
expect_grep "the CA certificate expired at" "$T/stderr" "renew: the CA's expiry named"
expect_exit 2 "renew --expiring under an expired CA" \
    env SIPCA_NOW=$AFTER "$SIPCA" -d "$CA" renew --expiring 10
expect_exit 2 "batch under an expired CA" \
    env SIPCA_NOW=$AFTER "$SIPCA" -d "$CA" issue --batch "$T/ok.csv" --quiet
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(grep -c 'expired at' "$T/stderr")" = 1 ] || fail "batch: not one message for an expired CA"
expect_unchanged "$T/before" "$CA" "an expired CA"

# ---- lint --ca: a leaf that outlives its issuer ----
printf 'cn = "outlive"\nuri = "sip:outlive@example.com"\ntls_www_client\nsigning_key\nexpiration_days = 400\n' \
    > "$T/outlive.tmpl"
certtool --generate-privkey --key-type ecdsa --outfile "$T/outlive.key" 2>/dev/null
certtool --generate-certificate --load-privkey "$T/outlive.key" --load-ca-certificate "$CA/ca.pem" \
    --load-ca-privkey "$CA/ca.key" --template "$T/outlive.tmpl" --outfile "$T/outlive.pem" 2>/dev/null ||
    fail "certtool: a leaf outliving the CA"
expect_exit 0 "lint --ca a leaf that outlives the CA" "$SIPCA" lint --ca "$CA/ca.pem" "$T/outlive.pem"
expect_grep "warn validity.outlives_issuer: notAfter .* is after $CA/ca.pem#1's notAfter $CA_DATE" \
    "$T/stdout" "lint: validity.outlives_issuer"
expect_exit 0 "lint without --ca" "$SIPCA" lint "$T/outlive.pem"
expect_no_grep "outlives_issuer" "$T/stdout" "lint: the rule needs --ca"
expect_exit 0 "lint --ca a capped leaf" "$SIPCA" lint --ca "$CA/ca.pem" "$I/bdef1/cert.pem"
expect_no_grep "outlives_issuer" "$T/stdout" "lint: a capped leaf does not outlive"

# ---- probe: the CA certificate in the chain the server sends ----
PORT=$(free_port)
start_bg "$T/serv.log" gnutls-serv --echo --crlf -p "$PORT" \
    --x509certfile "$I/sip.example.com/chain.pem" --x509keyfile "$I/sip.example.com/key.pem"
SERV=$BG_PID
if wait_port "$PORT"; then
	expect_exit 1 "probe a server whose CA expires in 30 days" \
	    timeout 30 "$SIPCA" -d "$CA" probe sip.example.com --connect "127.0.0.1:$PORT"
	expect_grep "^warn *lint \[1\]: warn validity.expires_soon: expires in 29 days (notAfter $CA_DATE)" \
	    "$T/stdout" "probe: the expiring CA certificate [1] reported"
	expect_grep "^chain *\[1\] CN=example.com SIP CA" "$T/stdout" "probe: [1] is the CA"
else
	fail "gnutls-serv did not listen on $PORT"
	cat "$T/serv.log" >&2
fi
stop_bg "$SERV"

finish
