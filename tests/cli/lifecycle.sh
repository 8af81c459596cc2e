#!/bin/sh
# The certificate lifecycle: renew (same key, --rekey, CSR keys,
# --expiring from cron), revoke and crl checked with openssl and
# certtool, config crl-url, the list filters and their exit status, and
# every bad input refused with exit 2 and the store unchanged.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

CA=$T/ca
DAY=86400
# Real time, so certtool (which has no --attime) agrees with the store;
# later steps move SIPCA_NOW and give openssl the same -attime.
T0=$(date +%s)
SIPCA_NOW=$T0
export SIPCA_NOW
new_ca "$CA" --crl-url http://crl.example.com/sip-ca.crl

sipca() { "$SIPCA" -d "$CA" "$@"; }
json() { sipca list --json | jq -r "$1"; }
pubkey() { openssl x509 -in "$1" -noout -pubkey; }
sans() { openssl x509 -in "$1" -noout -ext subjectAltName | tail -n +2; }
serial_of() { json "[.[] | select(.name == \"$1\" and (.status == \"valid\" or .status == \"expired\"))][0].serial"; }
status_of() { json ".[] | select(.serial == \"$1\") | .status"; }
# openssl prints the number in hex ("crlNumber=0x0A"); sh reads that.
crl_number() { echo $(( $(openssl crl -inform "${2:-PEM}" -in "$1" -noout -crlnumber | sed 's/.*=//') )); }

# expect_refused DESCRIPTION ARGS...: exit 2, a message, the store as it was.
expect_refused() {
	d=$1; shift
	snapshot "$CA" > "$T/before"
	expect_exit 2 "$d" sipca "$@"
	expect_grep "sipca" "$T/stderr" "$d: a message"
	expect_unchanged "$T/before" "$CA" "$d"
}

sipca issue server sip.example.com --days 90 --key p256 >/dev/null
sipca issue device alice --days 30 --key p256 --uri sip:alice@example.com \
    --uri sip:1001@example.com >/dev/null
certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
    --outfile "$T/bob.key" >/dev/null 2>&1
printf 'cn = "bob"\n' > "$T/bob.tmpl"
certtool --generate-request --load-privkey "$T/bob.key" --template "$T/bob.tmpl" \
    --outfile "$T/bob.csr" >/dev/null 2>&1
sipca issue device bob --csr "$T/bob.csr" --days 60 >/dev/null

# ---- renew keeps names and key, changes the serial ----
A=$CA/issued/alice
old=$(serial_of alice)
cp "$A/cert.pem" "$T/alice-old.pem"
expect_exit 0 "renew alice" sipca renew alice
new=$(serial_of alice)
expect_grep "renewed device 'alice': serial $old -> $new" "$T/stderr" "renew says what it did"
TESTS_RUN=$((TESTS_RUN + 1))
[ -n "$new" ] && [ "$new" != "$old" ] || fail "renew: the serial did not change ($old, $new)"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(sans "$A/cert.pem")" = "$(sans "$T/alice-old.pem")" ] ||
    fail "renew: the SANs changed: $(sans "$A/cert.pem")"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(pubkey "$A/cert.pem")" = "$(pubkey "$T/alice-old.pem")" ] || fail "renew: the key changed"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(openssl x509 -in "$A/cert.pem" -noout -subject)" = \
    "$(openssl x509 -in "$T/alice-old.pem" -noout -subject)" ] || fail "renew: the subject changed"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(status_of "$old")" = superseded ] || fail "renew: the old one is $(status_of "$old"), not superseded"
check "renew: the old certificate is kept in history" cmp "$A/history/$old.pem" "$T/alice-old.pem"
check "renew: the key is still the certificate's" sh -c \
    "[ \"\$(openssl pkey -in '$A/key.pem' -pubout)\" = \"\$(openssl x509 -in '$A/cert.pem' -noout -pubkey)\" ]"
TESTS_RUN=$((TESTS_RUN + 1))
days=$(json ".[] | select(.serial == \"$new\") | ((.not_after | fromdate) - (.not_before | fromdate)) / $DAY")
[ "$days" = 30 ] || fail "renew: the validity is $days days, not the original 30"
check "renew: openssl verifies the chain" openssl verify -CAfile "$CA/ca.pem" "$A/cert.pem"
check "renew: certtool verifies the chain" certtool --verify \
    --load-ca-certificate "$CA/ca.pem" --infile "$A/cert.pem"
check "renew: chain.pem is the new certificate and the CA" sh -c \
    "cat '$A/cert.pem' '$CA/ca.pem' | cmp - '$A/chain.pem'"
check "renew: the certificate carries the CRL distribution point" sh -c \
    "openssl x509 -in '$A/cert.pem' -noout -ext crlDistributionPoints | grep -q 'URI:http://crl.example.com/sip-ca.crl'"

# --days overrides the length; --rekey makes a new key and keeps the old one
expect_exit 0 "renew --days" sipca renew alice --days 10
TESTS_RUN=$((TESTS_RUN + 1))
days=$(json "[.[] | select(.name == \"alice\" and .status == \"valid\")][0] | ((.not_after | fromdate) - (.not_before | fromdate)) / $DAY")
[ "$days" = 10 ] || fail "renew --days 10: $days days"
old=$(serial_of alice)
cp "$A/cert.pem" "$T/alice-old.pem"
expect_exit 0 "renew --rekey" sipca renew alice --rekey --key p384
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(pubkey "$A/cert.pem")" != "$(pubkey "$T/alice-old.pem")" ] || fail "renew --rekey: the key did not change"
check "renew --rekey: key.pem is the new certificate's" sh -c \
    "[ \"\$(openssl pkey -in '$A/key.pem' -pubout)\" = \"\$(openssl x509 -in '$A/cert.pem' -noout -pubkey)\" ]"
check "renew --rekey: the old key is kept in history" test -f "$A/history/$old.key"
check "renew --rekey: key.pem stays private" sh -c "[ \"\$(stat -c %a '$A/key.pem')\" = 600 ]"
check "renew --rekey: a P-384 key" sh -c "openssl x509 -in '$A/cert.pem' -noout -text | grep -q 'NIST CURVE: P-384'"
check "renew --rekey: openssl verifies the chain" openssl verify -CAfile "$CA/ca.pem" "$A/cert.pem"

# a CSR-issued certificate keeps the device's key and stays "csr"
B=$CA/issued/bob
cp "$B/cert.pem" "$T/bob-old.pem"
expect_exit 0 "renew a CSR-issued certificate" sipca renew bob
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(pubkey "$B/cert.pem")" = "$(openssl pkey -in "$T/bob.key" -pubout)" ] ||
    fail "renew bob: not the CSR's key any more"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(json '[.[] | select(.name == "bob" and .status == "valid")][0].key_source')" = csr ] ||
    fail "renew bob: key_source is no longer csr"
check "renew bob: sipca made no key" test ! -e "$B/key.pem"
check "renew bob: openssl verifies the chain" openssl verify -CAfile "$CA/ca.pem" "$B/cert.pem"
expect_refused "renew --rekey of a CSR-issued certificate" renew bob --rekey
expect_grep "sipca renew bob --csr FILE" "$T/stderr" "renew --rekey bob says what to do"

# ---- bad renewals ----
expect_refused "renew an unknown name" renew nobody
expect_grep "no certificate named 'nobody'" "$T/stderr" "renew nobody"
expect_refused "renew without a name" renew
expect_refused "renew NAME and --expiring" renew alice --expiring 10
expect_refused "renew --key without --rekey" renew alice --key p256
expect_refused "renew --key unknown" renew alice --rekey --key dsa
expect_refused "renew --days 0" renew alice --days 0
expect_refused "renew --expiring -1" renew --expiring -1
expect_refused "renew --expiring --rekey" renew --expiring 10 --rekey
expect_refused "renew two names" renew alice bob
snapshot "$CA" > "$T/before"
expect_exit 0 "renew --dry-run" sipca renew alice --dry-run
expect_grep "would renew device 'alice'" "$T/stdout" "renew --dry-run says"
expect_unchanged "$T/before" "$CA" "renew --dry-run"

# ---- --expiring: exactly the due ones, and a second run renews nothing ----
# alice now runs to T0+10d, bob to T0+60d, the server to T0+90d.
SIPCA_NOW=$((T0 + 55 * DAY))
expect_exit 1 "list --expiring 10 finds what is due" sipca list --expiring 10
expect_grep "^bob " "$T/stdout" "list --expiring 10: bob"
expect_no_grep "^alice \|^sip.example.com " "$T/stdout" "list --expiring 10: only bob"
expect_exit 0 "list --expiring 1 finds nothing" sipca list --expiring 1
expect_grep "^0 certificates" "$T/stdout" "list --expiring 1: an empty summary"
snapshot "$CA" > "$T/before"
expect_exit 0 "renew --expiring --dry-run" sipca renew --expiring 40 --dry-run
expect_grep "would renew 'bob'" "$T/stdout" "dry run: bob"
expect_grep "would renew 'sip.example.com'" "$T/stdout" "dry run: the server"
expect_grep "^2 to renew" "$T/stdout" "dry run: two"
expect_unchanged "$T/before" "$CA" "renew --expiring --dry-run"
server_old=$(serial_of sip.example.com)
bob_old=$(serial_of bob)
alice_now=$(serial_of alice)
expect_exit 0 "renew --expiring 40" sipca renew --expiring 40
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(grep -c '^renewed ' "$T/stderr")" = 2 ] || fail "renew --expiring 40: not two renewals"
expect_grep "^2 renewed, 2 due" "$T/stderr" "renew --expiring: the count"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(serial_of alice)" = "$alice_now" ] || fail "renew --expiring renewed the expired alice"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(status_of "$server_old")" = superseded ] && [ "$(status_of "$bob_old")" = superseded ] ||
    fail "renew --expiring: the old ones are not superseded"
check "renew --expiring: openssl verifies the server at the test time" \
    openssl verify -attime "$SIPCA_NOW" -CAfile "$CA/ca.pem" "$CA/issued/sip.example.com/cert.pem"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(json '[.[] | select(.name == "sip.example.com" and .status == "valid")][0].days_left')" = 90 ] ||
    fail "renew --expiring: the server was not renewed for its 90 days"
snapshot "$CA" > "$T/before"
expect_exit 0 "a second renew --expiring" sipca renew --expiring 40
expect_grep "nothing expires within 40 days" "$T/stderr" "the second run renews nothing"
expect_unchanged "$T/before" "$CA" "a second renew --expiring"
expect_exit 0 "renew --expiring 1" sipca renew --expiring 1
expect_grep "^nothing expires within 1 day$" "$T/stderr" "one day, not 1 days"
expect_exit 0 "list --expiring 40 after renewal" sipca list --expiring 40

# an expired certificate is renewed by name
expect_exit 0 "list --status expired" sipca list --status expired
expect_grep "^alice .* expired$" "$T/stdout" "alice is expired"
expect_exit 0 "renew an expired certificate by name" sipca renew alice
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(json '[.[] | select(.name == "alice" and .status == "valid")] | length')" = 1 ] ||
    fail "renew alice: no valid certificate afterwards"
SIPCA_NOW=$T0

# ---- revoke and crl ----
expect_exit 0 "crl" sipca crl -o "$T/first.crl"
check "crl: -o is the store's crl.pem" cmp "$T/first.crl" "$CA/crl.pem"
n1=$(crl_number "$CA/crl.pem")
check "certtool --verify-crl accepts the CRL" certtool --verify-crl \
    --load-ca-certificate "$CA/ca.pem" --infile "$CA/crl.pem"
check "openssl verifies the CRL's signature" openssl crl -in "$CA/crl.pem" \
    -CAfile "$CA/ca.pem" -noout
check "the CRL is v2 with an AKI" sh -c "openssl crl -in '$CA/crl.pem' -noout -text |
    grep -q 'Version 2' && openssl crl -in '$CA/crl.pem' -noout -text | grep -q 'Authority Key Identifier'"
TESTS_RUN=$((TESTS_RUN + 1))
next=$(openssl crl -in "$CA/crl.pem" -noout -nextupdate | sed 's/nextUpdate=//')
[ "$(( $(date -d "$next" +%s) - T0 ))" -ge $((30 * DAY - 60)) ] &&
    [ "$(( $(date -d "$next" +%s) - T0 ))" -le $((30 * DAY + 60)) ] ||
    fail "crl: nextUpdate $next is not 30 days on"

# a good certificate passes the CRL check before and after a revocation
server=$CA/issued/sip.example.com/cert.pem
sipca issue device carol --days 30 --key p256 >/dev/null
carol=$CA/issued/carol/cert.pem
carol_serial=$(serial_of carol)
check "carol passes the CRL check before revocation" openssl verify -crl_check \
    -CAfile "$CA/ca.pem" -CRLfile "$CA/crl.pem" "$carol"
expect_exit 0 "revoke carol" sipca revoke carol --reason keyCompromise
expect_grep "revoked serial $carol_serial of carol" "$T/stderr" "revoke says which serial"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(status_of "$carol_serial")" = revoked ] || fail "revoke: carol is $(status_of "$carol_serial")"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(json ".[] | select(.serial == \"$carol_serial\") | .revoke_reason")" = keyCompromise ] ||
    fail "revoke: the reason is not recorded"
check_fails "a revoked certificate fails openssl verify -crl_check" openssl verify \
    -crl_check -CAfile "$CA/ca.pem" -CRLfile "$CA/crl.pem" "$carol"
expect_grep "certificate revoked" "$T/.out" "openssl says revoked"
openssl verify -attime "$((T0 + 55 * DAY))" -crl_check -CAfile "$CA/ca.pem" \
    -CRLfile "$CA/crl.pem" "$server" >"$T/.out" 2>&1
TESTS_RUN=$((TESTS_RUN + 1))
grep -q "certificate revoked" "$T/.out" && fail "the server is on the CRL"
check "the CRL names carol with keyCompromise" sh -c "openssl crl -in '$CA/crl.pem' -noout -text |
    grep -A4 -i '$carol_serial' | grep -q 'Key Compromise'"
n2=$(crl_number "$CA/crl.pem")
TESTS_RUN=$((TESTS_RUN + 1))
[ "$n2" -gt "$n1" ] 2>/dev/null || fail "revoke: CRL number $n2 is not above $n1"
check "certtool --verify-crl accepts the CRL after revocation" certtool --verify-crl \
    --load-ca-certificate "$CA/ca.pem" --infile "$CA/crl.pem"
certtool --verify --load-ca-certificate "$CA/ca.pem" --load-crl "$CA/crl.pem" \
    --infile "$carol" >"$T/.out" 2>&1
TESTS_RUN=$((TESTS_RUN + 1))
grep -qi "revoked" "$T/.out" || fail "certtool does not see carol revoked"

# revoking by name takes the superseded certificates along (renewal kept the key)
sipca issue device dave --days 30 --key p256 >/dev/null
dave_old=$(serial_of dave)
sipca renew dave >/dev/null
dave_new=$(serial_of dave)
expect_exit 0 "revoke dave (renewed)" sipca revoke dave --reason cessationOfOperation
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(status_of "$dave_old")" = revoked ] && [ "$(status_of "$dave_new")" = revoked ] ||
    fail "revoke dave: old $(status_of "$dave_old"), new $(status_of "$dave_new")"
check_fails "dave's superseded certificate fails the CRL check" openssl verify \
    -crl_check -CAfile "$CA/ca.pem" -CRLfile "$CA/crl.pem" "$CA/issued/dave/history/$dave_old.pem"

# --serial revokes one; reasons; the CRL number keeps rising
sipca issue device erin --days 30 --key p256 >/dev/null
erin_old=$(serial_of erin)
sipca renew erin >/dev/null
expect_exit 0 "revoke --serial (a superseded one)" sipca revoke --serial "$erin_old" --reason superseded
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(status_of "$(serial_of erin)")" = valid ] || fail "revoke --serial took erin's current one too"
check "erin's current certificate passes the CRL check" openssl verify -crl_check \
    -CAfile "$CA/ca.pem" -CRLfile "$CA/crl.pem" "$CA/issued/erin/cert.pem"
n3=$(crl_number "$CA/crl.pem")
expect_exit 0 "crl --days 7 -o DER" sipca crl --days 7 -o "$T/ca.crl" --der
check "crl --der: openssl reads DER" openssl crl -inform DER -in "$T/ca.crl" -noout
n4=$(crl_number "$T/ca.crl" DER)
TESTS_RUN=$((TESTS_RUN + 1))
[ "$n4" -gt "$n3" ] 2>/dev/null && [ "$n3" -gt "$n2" ] || fail "CRL numbers $n2 $n3 $n4 do not rise"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(openssl crl -in "$CA/crl.pem" -noout -text | grep -c 'Serial Number')" = 4 ] ||
    fail "the CRL does not list the four revoked certificates"
check "crl: the number is kept in the settings" sh -c \
    "[ \"\$('$SIPCA' -d '$CA' config crl-number)\" = $n4 ]"

# ---- bad revocations and CRLs ----
expect_refused "revoke an unknown name" revoke nobody
# revoke NAME is idempotent: again, it finishes what is left and publishes the CRL.
expect_exit 0 "revoke a revoked name again" sipca revoke carol
expect_grep "revoked already at" "$T/stderr" "revoke carol again says when"
expect_refused "revoke a revoked serial" revoke --serial "$carol_serial"
expect_refused "revoke an unknown serial" revoke --serial 0123456789abcdef
expect_refused "revoke a serial that is not hex" revoke --serial xyz
expect_refused "revoke NAME and --serial" revoke erin --serial "$erin_old"
expect_refused "revoke nothing" revoke
expect_refused "revoke --reason unknown" revoke erin --reason stolen
expect_refused "revoke --reason caCompromise" revoke erin --reason caCompromise
expect_refused "renew a revoked name" renew carol
expect_grep "is revoked" "$T/stderr" "renew carol says revoked"
expect_refused "crl --days 0" crl --days 0
expect_refused "crl -o into a missing directory" crl -o "$T/missing/dir/ca.crl"
expect_refused "crl --der without -o" crl --der
expect_refused "crl with an argument" crl extra

# an encrypted CA: a wrong passphrase revokes nothing
ECA=$T/eca
echo "correct horse" > "$T/pass"
echo "wrong horse" > "$T/wrong"
"$SIPCA" -d "$ECA" init --domain example.com --key p256 --passphrase-file "$T/pass" >/dev/null
"$SIPCA" -d "$ECA" issue device frank --days 30 --passphrase-file "$T/pass" >/dev/null
snapshot "$ECA" > "$T/before"
expect_exit 2 "revoke with a wrong passphrase" "$SIPCA" -d "$ECA" revoke frank \
    --passphrase-file "$T/wrong"
expect_unchanged "$T/before" "$ECA" "revoke with a wrong passphrase"
expect_exit 2 "crl with a wrong passphrase" "$SIPCA" -d "$ECA" crl --passphrase-file "$T/wrong"
expect_unchanged "$T/before" "$ECA" "crl with a wrong passphrase"
expect_exit 2 "renew with a wrong passphrase" "$SIPCA" -d "$ECA" renew frank \
    --passphrase-file "$T/wrong"
expect_unchanged "$T/before" "$ECA" "renew with a wrong passphrase"
expect_exit 0 "revoke with the passphrase" "$SIPCA" -d "$ECA" revoke frank \
    --passphrase-file "$T/pass"
check "the encrypted CA's CRL verifies" certtool --verify-crl \
    --load-ca-certificate "$ECA/ca.pem" --infile "$ECA/crl.pem"

# ---- config ----
expect_exit 0 "config" sipca config
expect_grep "^domain  *example.com$" "$T/stdout" "config shows the domain"
expect_grep "^crl-url  *http://crl.example.com/sip-ca.crl$" "$T/stdout" "config shows the CRL URL"
expect_exit 0 "config domain" sipca config domain
expect_grep "^example.com$" "$T/stdout" "config domain prints the value"
expect_exit 0 "config crl-url URL" sipca config crl-url http://pki.example.com/new.crl
sipca issue device gina --days 30 --key p256 >/dev/null
check "a certificate issued afterwards carries the new URL" sh -c \
    "openssl x509 -in '$CA/issued/gina/cert.pem' -noout -ext crlDistributionPoints | grep -q 'URI:http://pki.example.com/new.crl'"
sipca renew erin >/dev/null
check "a renewal carries the new URL" sh -c \
    "openssl x509 -in '$CA/issued/erin/cert.pem' -noout -ext crlDistributionPoints | grep -q 'URI:http://pki.example.com/new.crl'"
expect_exit 0 "config crl-url --unset" sipca config crl-url --unset
expect_exit 1 "config crl-url once unset" sipca config crl-url
sipca issue device hank --days 30 --key p256 >/dev/null
check_fails "no distribution point after --unset" sh -c \
    "openssl x509 -in '$CA/issued/hank/cert.pem' -noout -text | grep -q 'CRL Distribution'"
expect_refused "config domain is read-only" config domain other.example
expect_refused "config crl-url ftp://" config crl-url ftp://crl.example.com/x.crl
expect_refused "config crl-url with a space" config crl-url "http://crl.example.com/a b.crl"
expect_refused "config unknown key" config colour blue
expect_refused "config three arguments" config crl-url http://a.example/ extra
expect_refused "config --unset a fixed key" config domain --unset
# A CRL URL a store kept from before config checked it (written here with
# the sqlite3 CLI) is never written into a certificate.
sqlite3 "$CA/index.db" "INSERT OR REPLACE INTO settings (key, value) VALUES ('crl_url', 'http://crl.example.com/x''y.crl')"
expect_refused "issue with a stored CRL URL config would refuse" issue device ivan --days 30 --key p256
expect_grep "the store's CRL URL 'http://crl.example.com/x'y.crl'" "$T/stderr" "the stored URL is named"
expect_grep "sipca config crl-url URL" "$T/stderr" "the way out is named"
expect_refused "renew with that CRL URL" renew hank
sipca config crl-url --unset >/dev/null
expect_exit 0 "issue once it is unset" sipca issue device ivan --days 30 --key p256

# ---- list: filters, JSON, summary ----
expect_exit 0 "list" sipca list
expect_grep "^[0-9]* certificates: [0-9]* valid ([0-9]* expiring within 30 days), [0-9]* expired, [0-9]* revoked, [0-9]* superseded$" \
    "$T/stdout" "list: the summary line"
valid=$(json '[.[] | select(.status == "valid")] | length')
revoked=$(json '[.[] | select(.status == "revoked")] | length')
expect_grep " $valid valid " "$T/stdout" "list: the valid count matches the JSON"
expect_grep " $revoked revoked" "$T/stdout" "list: the revoked count matches the JSON"
# --expiring DAYS: the summary counts within those DAYS, not 30.
expect_exit 1 "list --expiring 4000" sipca list --expiring 4000
expect_grep "^$valid certificates: $valid valid ($valid expiring within 4000 days)," "$T/stdout" \
    "list --expiring 4000: every listed one is expiring within 4000 days"
# The README's jq recipe (its filter, taken from the README) lists valid
# certificates only, never superseded ones, which are past their time too.
recipe=$(sed -n "s/^sipca list --json | jq '\\(.*select(.status == \"valid\" and .days_left < 30)\\) | .name'$/\\1/p" "$top/README.md")
check "the README's jq recipe filters on the status" test -n "$recipe"
json '[.[] | select(.status == "superseded" and .days_left < 30)] | length' > "$T/old-recipe"
check "some superseded certificate is within 30 days (what the old recipe listed)" test "$(cat "$T/old-recipe")" -gt 0
json "[$recipe] | map(.status) | unique | join(\",\")" > "$T/recipe"
check "the recipe lists no superseded certificate, valid ones only" \
    sh -c "grep -q -x -e valid -e '' '$T/recipe'"
expect_exit 0 "list --status revoked" sipca list --status revoked
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(grep -c ' revoked$' "$T/stdout")" = "$revoked" ] && ! grep -q ' valid$' "$T/stdout" ||
    fail "list --status revoked shows other rows"
expect_exit 0 "list --kind server" sipca list --kind server
expect_no_grep " device " "$T/stdout" "list --kind server: no devices"
expect_grep "^sip.example.com " "$T/stdout" "list --kind server: the server"
expect_exit 0 "list --json" sipca list --json --kind device --status superseded
check "list --json is a plain array for jq" sh -c "jq -e '.[0].name and (.[0].sans | type == \"array\")' '$T/stdout' >/dev/null"
check "list --json: filters apply" sh -c "jq -e 'all(.[]; .kind == \"device\" and .status == \"superseded\")' '$T/stdout' >/dev/null"
check "list --json: the summary is not on stdout" sh -c "jq -e 'type == \"array\"' '$T/stdout' >/dev/null"
expect_exit 0 "list NAME" sipca list erin
expect_no_grep "^alice " "$T/stdout" "list erin: only erin"
expect_refused "list --status pending" list --status pending
expect_refused "list --status bogus" list --status bogus
expect_refused "list --kind ca" list --kind ca
expect_refused "list --expiring x" list --expiring x

finish
