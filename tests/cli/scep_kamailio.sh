#!/bin/sh
# A certificate a phone got by SCEP is a working SIP client certificate:
# strongSwan's pki --scep enrolls two devices against sipca serve --scep,
# one is revoked, and Kamailio running the committed example
# (examples/kamailio/, mutual TLS required, the store's CRLs loaded)
# answers OPTIONS over TLS from the enrolled one (gnutls-cli and openssl
# s_client) and refuses the revoked one and one without a certificate.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../kamailio.sh"

for tool in pki gnutls-cli openssl "$KAMAILIO"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is not installed (make check installs it: scripts/deps.sh)"
		finish
		exit 1
	fi
done

HOST=sip.example.com
CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue server $HOST >/dev/null 2>&1
"$SIPCA" -d "$CA" export -o "$T/cert.pem" 2>/dev/null
check "sipca scep ra" "$SIPCA" -d "$CA" scep ra

HTTP=$(free_port)
URL=http://127.0.0.1:$HTTP/scep
start_bg_within 300 "$T/serve.log" "$SIPCA" -d "$CA" serve --scep --http 127.0.0.1:$HTTP
SERVE=$BG_PID
check "serve --scep listens" wait_port "$HTTP"

SW=$T/sw
mkdir -p "$SW"
check "pki --scepca" sh -c "timeout 60 pki --scepca --url '$URL' --caout '$SW/ca.der' \
    --raout '$SW/ra.der' --force >/dev/null 2>&1"
# enroll NAME: a key and a certificate for NAME by pki --scep (3DES: see
# scep_interop.sh), in $SW/NAME.key and $SW/NAME.pem.
enroll() {
	ch=$("$SIPCA" -d "$CA" scep challenge "$1" 2>/dev/null) &&
	pki --gen --type rsa --size 2048 --outform pem > "$SW/$1.key" 2>/dev/null &&
	timeout 60 pki --scep --url "$URL" --dn "CN=$1" --password "$ch" \
	    --cacert-enc "$SW/ra.der" --cacert-sig "$SW/ra.der" --cacert "$SW/ca.der" \
	    --in "$SW/$1.key" --cipher des3 --interval 1 --maxpolltime 10 \
	    --outform pem > "$SW/$1.pem" 2>"$SW/$1.err"
}
check "pki --scep enrolls deskphone" enroll deskphone
check "pki --scep enrolls lostphone" enroll lostphone
check "deskphone's certificate verifies" openssl verify -x509_strict -CAfile "$CA/ca.pem" "$SW/deskphone.pem"
stop_bg "$SERVE"
check "revoke lostphone" "$SIPCA" -d "$CA" revoke lostphone

# OPTIONS with exact CRLFs (RFC 3261 section 7).
printf 'OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-scep;rport\r\nMax-Forwards: 70\r\nTo: <sip:example.com>\r\nFrom: <sip:deskphone@example.com>;tag=1\r\nCall-ID: scep@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' > "$T/options.sip"

gnutls_client() {	# [cert key]
	if [ $# -gt 0 ]; then set -- --x509certfile "$1" --x509keyfile "$2"; fi
	timeout 10 gnutls-cli --x509cafile "$T/cert.pem" --verify-hostname $HOST \
	    -p "$PORT" "$@" 127.0.0.1
}
openssl_client() {	# [cert key]
	if [ $# -gt 0 ]; then set -- -cert "$1" -key "$2"; fi
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername $HOST \
	    -CAfile "$T/cert.pem" -verify_return_error -verify_hostname $HOST \
	    -x509_strict -brief -nocommands "$@"
}

start_kamailio pbx "$CA/issued/$HOST" "$T/cert.pem" "$CA/crls.pem"
for client in gnutls_client openssl_client; do
	sip_send "$T/out" $client "$SW/deskphone.pem" "$SW/deskphone.key"
	expect_grep '^SIP/2.0 200 OK' "$T/out" "$client: OPTIONS with the SCEP-enrolled certificate"
	sip_send "$T/out" $client "$SW/lostphone.pem" "$SW/lostphone.key"
	expect_no_grep '^SIP/2.0' "$T/out" "$client: the revoked SCEP certificate is refused"
	sip_send "$T/out" $client
	expect_no_grep '^SIP/2.0' "$T/out" "$client: no client certificate is refused"
done
finish
