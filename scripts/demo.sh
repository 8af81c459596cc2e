#!/bin/sh
# make demo: sipca's main job on a throwaway CA. It makes a SIP CA, a
# certificate for the proxy and one for a softphone, exports the CA as
# the cert.pem a softphone imports, and checks the results with two
# independent verifiers (OpenSSL and GnuTLS's certtool) and sipca lint.
set -eu
: "${SIPCA:?}"
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/sipca-demo.XXXXXX")
CA=$DEMO/ca
cd "$DEMO"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi
run() { echo "\$ $*"; "$@"; }

step "1. a SIP CA for example.com (unencrypted key: this is a demo)"
run "$SIPCA" -d "$CA" init --domain example.com --org "Example PBX" --no-passphrase

step "2. the proxy's certificate (URI:sip:example.com, DNS:example.com, DNS:sip.example.com)"
run "$SIPCA" -d "$CA" issue server sip.example.com

step "3. a softphone's certificate"
run "$SIPCA" -d "$CA" issue device alice-zoiper --uri sip:alice@example.com --key p256

step "4. cert.pem, the CA certificate Zoiper/Linphone users import by hand"
run "$SIPCA" -d "$CA" export -o "$DEMO/cert.pem"

step "5. verify with OpenSSL and certtool"
run openssl verify -x509_strict -purpose sslserver -CAfile "$DEMO/cert.pem" "$CA/issued/sip.example.com/cert.pem"
run openssl verify -x509_strict -purpose sslclient -CAfile "$DEMO/cert.pem" "$CA/issued/alice-zoiper/cert.pem"
for n in sip.example.com alice-zoiper; do
	echo "\$ certtool --verify --load-ca-certificate cert.pem --infile $n/cert.pem"
	certtool --verify --load-ca-certificate "$DEMO/cert.pem" \
	    --infile "$CA/issued/$n/cert.pem" 2>/dev/null | grep -E "trusted|Chain verification"
done

step "6. a TLS handshake on 127.0.0.1: gnutls-serv with the proxy's certificate, gnutls-cli checking it against cert.pem and the host name"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout 30 gnutls-serv --port "$port" --x509certfile "$CA/issued/sip.example.com/chain.pem" \
    --x509keyfile "$CA/issued/sip.example.com/key.pem" >"$DEMO/serv.log" 2>&1 &
serv=$!
i=0; while [ $i -lt 50 ] && ! grep -q "listening" "$DEMO/serv.log" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
echo "\$ gnutls-cli --x509cafile cert.pem --verify-hostname sip.example.com --port $port 127.0.0.1"
timeout 10 gnutls-cli --x509cafile "$DEMO/cert.pem" --verify-hostname sip.example.com \
    --port "$port" 127.0.0.1 </dev/null 2>&1 | grep -E "Status: |Handshake was completed|Description" || true
kill "$serv" 2>/dev/null; wait "$serv" 2>/dev/null || true

if "$SIPCA" help lint >/dev/null 2>&1; then
	step "7. lint: what phones and softphones would reject (nothing at error level)"
	run "$SIPCA" lint --ca "$CA/ca.pem" --sip-domain example.com \
	    "$CA/issued/sip.example.com/cert.pem" "$CA/issued/alice-zoiper/cert.pem"
fi

step "what was made"
run "$SIPCA" -d "$CA" list
echo
echo "  CA store      $CA"
echo "  CA cert       $CA/ca.pem (exported as $DEMO/cert.pem)"
echo "  proxy         $CA/issued/sip.example.com/{cert,key,chain}.pem"
echo "  softphone     $CA/issued/alice-zoiper/{cert,key,chain}.pem"
echo
echo "Remove it with: rm -rf $DEMO"
