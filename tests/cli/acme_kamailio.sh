#!/bin/sh
# End to end for a SIP admin: Kamailio runs the committed example
# (examples/kamailio/, templated only for paths and ports) with a
# certificate issued by hand; certbot gets example.test and
# sip.example.test from sipca serve, its deploy hook (the committed
# examples/kamailio/certbot-deploy-hook) installs them and runs
# kamcmd tls.reload; sipca probe, with a device's certificate for the
# example's mutual TLS, then sees the new serial with the RFC 5922
# identities intact; a renewal does it again. The names and namespaces:
# tests/acme/env.sh.
. "$(dirname "$0")/../acme/env.sh"
. "$(dirname "$0")/../kamailio.sh"
need_tools certbot kamcmd openssl "$KAMAILIO"

"$SIPCA" -d "$CA" issue server sip.example.test >/dev/null 2>&1
"$SIPCA" -d "$CA" issue device alice >/dev/null 2>&1
"$SIPCA" -d "$CA" crl >/dev/null 2>&1
TLS=$T/tls
mkdir -p "$TLS"
cp "$CA/issued/sip.example.test/key.pem" "$CA/issued/sip.example.test/chain.pem" "$TLS/"
start_kamailio pbx "$TLS" "$CA/ca.pem" "$CA/crls.pem"

# presented: the serial Kamailio presents, as sipca prints serials.
presented() {
	echo | timeout 10 openssl s_client -connect 127.0.0.1:$PORT \
	    -servername sip.example.test -CAfile "$CA/ca.pem" -cert "$CA/issued/alice/cert.pem" \
	    -key "$CA/issued/alice/key.pem" 2>/dev/null |
	    openssl x509 -noout -serial | cut -d= -f2 | tr A-F a-f
}
# probe_ok OUT: sipca probe with alice's certificate, every check passing.
probe_ok() {
	"$SIPCA" -d "$CA" probe sip.example.test --connect 127.0.0.1:$PORT \
	    --sip-domain example.test --cert alice > "$1" 2>&1
}
manual=$(presented)
check "Kamailio presents the certificate issued by hand" \
    test "$manual" = "$(openssl x509 -in "$TLS/chain.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)"

check "an EAB key" eab kamailio-host
check "serve starts" start_serve "$T/serve.log"
# The deploy hook's settings, in certbot's environment.
export KAMAILIO_TLS_DIR="$TLS" KAMAILIO_CTL="$CTL"
check "certbot for the domain and the proxy, the Kamailio deploy hook" \
    cb certonly --agree-tos -m admin@example.test --eab-kid "$KID" \
    --eab-hmac-key "$HMAC" --standalone --key-type ecdsa \
    -d example.test -d sip.example.test --cert-name pbx \
    --deploy-hook "$EX/certbot-deploy-hook"
first=$(openssl x509 -in "$LE/config/live/pbx/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "the hook installed the key 0600" test "$(stat -c %a "$TLS/key.pem")" = 600
check "after tls.reload Kamailio presents certbot's certificate" test "$(presented)" = "$first"
check "sipca probe: every check passes" probe_ok "$T/probe1"
expect_grep '^ok *options: SIP/2.0 200 OK' "$T/probe1" "probe: OPTIONS answered over mutual TLS"
expect_grep '^ok *sip-domain' "$T/probe1" "probe: the SIP domain is an RFC 5922 identity"
openssl x509 -in "$LE/config/live/pbx/cert.pem" -noout -text > "$T/cert.txt"
expect_grep "URI:sip:example.test" "$T/cert.txt" "the domain's certificate carries URI:sip:example.test"

check "certbot renew: the hook again" cb renew --force-renewal --no-random-sleep-on-renew
second=$(openssl x509 -in "$LE/config/live/pbx/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "the renewal has a new serial" test "$second" != "$first"
check "Kamailio presents the renewed certificate" test "$(presented)" = "$second"
check "sipca probe after the renewal" probe_ok "$T/probe2"
expect_grep '^ok *sip-domain' "$T/probe2" "probe: the identities are intact after the renewal"
stop_bg "$SERVE"

finish
