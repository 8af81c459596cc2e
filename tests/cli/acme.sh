#!/bin/sh
# sipca serve's ACME server (RFC 8555) with real clients: certbot and
# lego register with External Account Binding, order with http-01 and
# tls-alpn-01, renew and revoke; the certificates verify with openssl
# -x509_strict and certtool, the store lists them with the account that
# ordered them; names outside the SIP domain are refused; both clients
# finish while every third good nonce is refused (badNonce); a server
# killed while finalizing leaves the store whole. The names and
# namespaces: tests/acme/env.sh. The protocol's corners, which these
# clients never reach: acme_protocol.sh.
. "$(dirname "$0")/../acme/env.sh"
need_tools certbot lego openssl certtool python3


# The CA's name as a store name reads in sipca list --json.
origin_of() {
	"$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c '
import json, sys
name, status = sys.argv[1], sys.argv[2]
for c in json.load(sys.stdin):
    if c["name"] == name and c["status"] == status:
        print(c.get("origin") or "")
' "$1" "$2"
}

# status_of SERIAL: what the store says of it.
status_of() {
	"$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c '
import json, sys
print("".join(c["status"] for c in json.load(sys.stdin) if c["serial"] == sys.argv[1]))
' "$1"
}

check "serve with ACME starts" start_serve "$T/serve.log"

# The directory, as RFC 8555 7.1.1 has it, EAB required.
check "GET the directory" curl -sS --max-time 10 --cacert "$CA/ca.pem" -o "$T/dir.json" "$DIRURL"
check "the directory names every resource and asks for EAB" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange"):
    assert d[k].startswith("https://ca.example.test:"), k
assert d["meta"]["externalAccountRequired"] is True
' "$T/dir.json"
check "newNonce: HEAD gives a Replay-Nonce" sh -c "curl -sS -I --max-time 10 --cacert '$CA/ca.pem' \
    https://ca.example.test:$SERVE_PORT/acme/new-nonce | grep -qi '^replay-nonce: '"
check "ACME over plain HTTP is refused" sh -c "curl -sS --max-time 10 \
    http://127.0.0.1:$HTTP/acme/directory | grep -q 'HTTPS only'"

# Without EAB: refused, with the RFC's error type.
check_fails "certbot register without EAB is refused" cb register --agree-tos -m admin@example.test
expect_grep "externalAccountRequired\|External Account Binding" "$LE/logs/letsencrypt.log" \
    "the refusal says an EAB key is needed"

# With EAB: certbot gets sip.example.test by http-01 (standalone, port 80).
check "an EAB key for certbot" eab certbot-pbx
cat > "$T/deploy-hook" <<EOF
#!/bin/sh
echo "\$RENEWED_LINEAGE" >> "$T/deployed"
EOF
chmod 755 "$T/deploy-hook"
check "certbot certonly, http-01" cb certonly --agree-tos -m admin@example.test \
    --eab-kid "$KID" --eab-hmac-key "$HMAC" --standalone \
    --preferred-challenges http --key-type ecdsa -d sip.example.test \
    --deploy-hook "$T/deploy-hook"
LIVE=$LE/config/live/sip.example.test
check "the certificate verifies (openssl -x509_strict)" \
    openssl verify -x509_strict -CAfile "$CA/ca.pem" -untrusted "$LIVE/chain.pem" "$LIVE/cert.pem"
cat "$CA/ca.pem" > "$T/trust.pem"
check "the certificate verifies (certtool)" sh -c "certtool --verify \
    --load-ca-certificate '$T/trust.pem' --infile '$LIVE/fullchain.pem' | grep -q 'Chain verification output: Verified'"
openssl x509 -in "$LIVE/cert.pem" -noout -text > "$T/cert.txt"
expect_grep "DNS:sip.example.test" "$T/cert.txt" "the SAN is the ordered name"
expect_no_grep "URI:sip:" "$T/cert.txt" "a host that is not the domain gets no sip: URI"
expect_grep "TLS Web Server Authentication, TLS Web Client Authentication" "$T/cert.txt" \
    "the server profile: serverAuth and clientAuth"
expect_grep "sip.example.test" "$T/deployed" "the deploy hook ran"
origin=$(origin_of sip.example.test valid)
check "sipca list shows who ordered it" expr "$origin" : 'acme account .* order ' 
expect_grep "issued .* to account " "$T/serve.log" "the issuance is logged"
check "the EAB key is bound" sh -c "'$SIPCA' -d '$CA' acme eab list | grep certbot-pbx | grep -q bound"

# The same EAB key cannot open a second account.
check_fails "a used EAB key is refused" timeout 120 certbot --non-interactive \
    --config-dir "$T/le2" --work-dir "$T/le2" --logs-dir "$T/le2" --server "$DIRURL" \
    register --agree-tos -m x@example.test --eab-kid "$KID" --eab-hmac-key "$HMAC"

# Renewal: a new serial; the old one superseded.
old=$(openssl x509 -in "$LIVE/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "certbot renew --force-renewal" cb renew --force-renewal --no-random-sleep-on-renew
new=$(openssl x509 -in "$LIVE/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "the renewal has a new serial" test "$old" != "$new"
check "the old certificate is superseded" test "$(status_of $old)" = superseded

# The policy: a name outside the domain is refused.
check_fails "certbot for a name outside example.test" cb certonly --standalone \
    -d pbx.other.invalid --cert-name other
expect_grep "rejectedIdentifier" "$LE/logs/letsencrypt.log" "refused as rejectedIdentifier"

# Revocation by the account: the store and the CRL say so.
check "certbot revoke" cb revoke --cert-path "$LIVE/cert.pem" --reason keycompromise --no-delete-after-revoke
check "the store has it revoked" test "$(status_of $new)" = revoked
i=0
while ! grep -q "reloaded" "$T/serve.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "the served CRL lists it" sh -c "curl -sS --max-time 10 -o '$T/crl.der' http://127.0.0.1:$HTTP/sip.crl && \
    openssl crl -inform DER -in '$T/crl.der' -noout -text | grep -qi 'Serial Number: $new'"

# lego, on its own account: tls-alpn-01 on port 443.
check "an EAB key for lego" eab lego-pbx
check "lego run, tls-alpn-01" timeout 120 lego --server "$DIRURL" --path "$T/lego" \
    --email admin@example.test --accept-tos --eab --kid "$KID" --hmac "$HMAC" \
    --key-type ec256 --domains pbx.example.test --tls --tls.port :443 run
check "lego's certificate verifies" openssl verify -x509_strict -CAfile "$CA/ca.pem" \
    "$T/lego/certificates/pbx.example.test.crt"
check "lego run, http-01" timeout 120 lego --server "$DIRURL" --path "$T/lego" \
    --email admin@example.test --accept-tos --eab --kid "$KID" --hmac "$HMAC" \
    --key-type ec256 --domains example.test --http --http.port :80 run
openssl x509 -in "$T/lego/certificates/example.test.crt" -noout -text > "$T/domain.txt"
expect_grep "URI:sip:example.test" "$T/domain.txt" "the SIP domain's certificate carries URI:sip:DOMAIN"
check "lego renew" timeout 120 lego --server "$DIRURL" --path "$T/lego" \
    --email admin@example.test --accept-tos --eab --kid "$KID" --hmac "$HMAC" \
    --key-type ec256 --domains example.test --http --http.port :80 renew --days 9999 --no-random-sleep
check "lego revoke" timeout 120 lego --server "$DIRURL" --path "$T/lego" \
    --email admin@example.test --accept-tos --eab --kid "$KID" --hmac "$HMAC" \
    --domains pbx.example.test revoke

stop_bg "$SERVE"

# badNonce: a test build refuses every third good nonce; clients recover
# with the fresh nonce each refusal carries.
export SIPCA_TEST_NONCE_REJECT=3
check "serve refusing a share of nonces starts" start_serve "$T/nonce.log"
unset SIPCA_TEST_NONCE_REJECT
check "certbot finishes through badNonce answers" cb certonly --standalone \
    -d sip.example.test --cert-name again --key-type ecdsa
check "lego finishes through badNonce answers" timeout 120 lego --server "$DIRURL" \
    --path "$T/lego" --email admin@example.test --accept-tos --eab --kid "$KID" \
    --hmac "$HMAC" --key-type ec256 --domains pbx.example.test --http --http.port :80 run
expect_grep "badNonce" "$T/nonce.log" "nonces were refused"
stop_bg "$SERVE"

# A server killed while finalizing: no certificate half made, the store
# checks clean, the order is settled at the next start.
count() { "$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
before=$(count)
# (the binary without valgrind: a process killed at a crash point leaks)
export SIPCA_CRASH_AT=acme-finalize
SERVE_BIN=$SIPCA_BARE
check "serve that dies in finalize starts" start_serve "$T/crash.log"
unset SIPCA_CRASH_AT SERVE_BIN
check_fails "certbot while the server dies in finalize" cb certonly --standalone \
    -d sip.example.test --cert-name crash --key-type ecdsa
check "the store checks clean after the kill" "$SIPCA" -d "$CA" check
check "no certificate was recorded" test "$(count)" = "$before"
start_serve "$T/after.log"
check "after the restart, certbot gets it" cb certonly --standalone \
    -d sip.example.test --cert-name crash --key-type ecdsa
stop_bg "$SERVE"

finish
