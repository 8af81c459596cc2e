#!/bin/sh
# sipca probe against gnutls-serv: the TLS checks (chain, order, missing
# intermediate, expiry, RFC 5922 identities, host name, lint, mutual TLS),
# bounded waits and exit statuses; and the default DNS:DOMAIN SAN that
# clients matching the SIP domain as a host name need.
# A network namespace of its own (tests/netns.sh): gnutls-serv listens
# on every address.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

HOST=sip.example.com
DAY=86400
NOW=$(date +%s)

SIPCA_NOW=$((NOW - 1000 * DAY)); export SIPCA_NOW
new_ca "$T/ca"
SIPCA_NOW=$((NOW - 900 * DAY))
"$SIPCA" -d "$T/ca" issue server old.example.com >/dev/null
unset SIPCA_NOW
"$SIPCA" -d "$T/ca" issue server $HOST >/dev/null
"$SIPCA" -d "$T/ca" issue device alice >/dev/null
new_ca "$T/nodns"
"$SIPCA" -d "$T/nodns" issue server $HOST --no-domain-dns >/dev/null
I=$T/ca/issued
export SIPCA_DIR="$T/ca"

# serve CERTFILE KEYFILE [gnutls-serv options]: an echo server; sets PORT.
serve() {
	PORT=$(free_port)
	cert=$1 key=$2; shift 2
	start_bg "$T/serv.log" gnutls-serv --echo --crlf -p "$PORT" --x509certfile "$cert" \
	    --x509keyfile "$key" "$@"
	SERV=$BG_PID
	wait_port "$PORT" || fail "gnutls-serv did not listen on $PORT"
}

probe() {	# probe ARGS...: bounded from outside too, so a hang fails
	timeout 30 "$SIPCA" probe "$@"
}

# Usage errors and what cannot connect.
expect_exit 2 "no server" probe
expect_exit 2 "two servers" probe a b
expect_exit 2 "bad port" probe $HOST:99999
expect_grep "invalid server: '$HOST:99999'" "$T/stderr" "bad port message"
expect_exit 2 "bad --timeout" probe $HOST --timeout 0
expect_exit 2 "bad --connect" probe $HOST --connect '127.0.0.1:x'
expect_exit 2 "unknown option" probe $HOST --frobnicate
expect_exit 2 "--cert of no issued certificate" probe $HOST --cert nosuch
expect_grep "no current certificate named 'nosuch'" "$T/stderr" "--cert nosuch message"
expect_exit 2 "a --ca file that is not there" probe $HOST --ca "$T/none.pem"
PORT=$(free_port)
expect_exit 3 "nothing listening" probe $HOST --connect 127.0.0.1:$PORT
expect_grep "cannot connect to '127.0.0.1:$PORT'" "$T/stderr" "connection refused message"
expect_exit 3 "nothing listening, --json" probe $HOST --connect 127.0.0.1:$PORT --json
expect_grep '"connected": false' "$T/stdout" "--json: not connected"
expect_grep '"error": "cannot connect to' "$T/stdout" "--json: the reason"
# A server that accepts and never speaks TLS: the handshake times out.
PORT=$(free_port)
start_bg "$T/mute.log" python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(4)
c = s.accept(); time.sleep(60)"
MUTE=$BG_PID
wait_port $PORT
start=$(date +%s)
expect_exit 3 "a silent server" probe $HOST --connect 127.0.0.1:$PORT --timeout 1
expect_grep "TLS handshake" "$T/stderr" "silent server: the handshake failed"
check "--timeout 1 bounds the wait" test $(($(date +%s) - start)) -le 5
stop_bg $MUTE

# A good sipca server certificate. gnutls-serv echoes, so the answer is
# our own request: not a SIP response, the one finding.
serve "$I/$HOST/chain.pem" "$I/$HOST/key.pem"
expect_exit 1 "gnutls-serv with a sipca certificate" probe $HOST --connect 127.0.0.1:$PORT
for pat in '^tls *TLS1\.[23] ' '^chain *\[0\] CN=sip.example.com' \
    '^chain *\[1\] CN=example.com SIP CA' '^ok *verify: the chain leads' \
    '^ok *chain: 2 certificates, in order' \
    "^ok *sip-domain: 'example.com' is among the certificate's sip: URIs" \
    "^ok *hostname: '$HOST' matches" '^ok *lint: no errors' \
    "^fail *options: not a SIP response .*: 'OPTIONS sip:example.com SIP/2.0'" \
    '^result *1 finding$'; do
	expect_grep "$pat" "$T/stdout" "good server: $pat"
done
expect_exit 1 "--json" probe "$HOST:$PORT" --connect 127.0.0.1 --json
expect_grep '"connected": true' "$T/stdout" "--json: connected"
expect_grep '"findings": 1' "$T/stdout" "--json: findings"
expect_grep '"check": "sip-domain"' "$T/stdout" "--json: checks"
check "--json is JSON" python3 -c "import json,sys; json.load(open('$T/stdout'))"
# --ca and --sip-domain instead of the store's.
expect_exit 1 "--ca of another CA" probe $HOST --connect 127.0.0.1:$PORT \
    --ca "$T/nodns/ca.pem"
expect_grep '^fail *verify: not trusted' "$T/stdout" "--ca of another CA: not trusted"
expect_exit 1 "--sip-domain not served" probe $HOST --connect 127.0.0.1:$PORT \
    --sip-domain example.org
expect_grep "^fail *sip-domain: 'example.org' is not among" "$T/stdout" \
    "--sip-domain example.org: not an identity"

# Issue 8: the SIP domain as a DNS name. Clients that find the server by
# SRV (_sips._tcp.example.com) and match the certificate against the
# domain as a host name (Linphone; GnuTLS, OpenSSL and mbedTLS ignore URI
# SANs) need DNS:example.com, which sipca puts in by default.
openssl x509 -in "$I/$HOST/cert.pem" -noout -ext subjectAltName > "$T/san"
expect_grep 'URI:sip:example.com, DNS:example.com, DNS:sip.example.com' "$T/san" \
    "default server SAN has the three identities"
expect_exit 1 "probe example.com (the SIP domain as the host name)" \
    probe example.com --connect 127.0.0.1:$PORT
expect_grep "^ok *hostname: 'example.com' matches" "$T/stdout" "DNS:DOMAIN matches"
check "gnutls-cli --verify-hostname example.com accepts the default certificate" \
    sh -c "echo | timeout 10 gnutls-cli --x509cafile '$T/ca/ca.pem' \
        --verify-hostname example.com -p $PORT 127.0.0.1"
stop_bg $SERV

openssl x509 -in "$T/nodns/issued/$HOST/cert.pem" -noout -ext subjectAltName > "$T/san"
expect_no_grep 'DNS:example.com' "$T/san" "--no-domain-dns leaves DNS:example.com out"
expect_grep 'URI:sip:example.com, DNS:sip.example.com' "$T/san" "--no-domain-dns SAN"
serve "$T/nodns/issued/$HOST/chain.pem" "$T/nodns/issued/$HOST/key.pem"
expect_exit 1 "--no-domain-dns certificate, checked as example.com" \
    probe example.com --connect 127.0.0.1:$PORT --ca "$T/nodns/ca.pem"
expect_grep "^fail *hostname: 'example.com' does not match" "$T/stdout" \
    "without DNS:DOMAIN generic matching fails"
expect_grep "^ok *sip-domain" "$T/stdout" "without DNS:DOMAIN RFC 5922 matching still works"
expect_exit 1 "--no-domain-dns certificate, checked as $HOST" \
    probe $HOST --connect 127.0.0.1:$PORT --ca "$T/nodns/ca.pem"
expect_grep "^warn *hostname: the SIP domain 'example.com' is not a DNS name" \
    "$T/stdout" "probe warns about the missing DNS:DOMAIN"
check_fails "gnutls-cli --verify-hostname example.com refuses it" \
    sh -c "echo | timeout 10 gnutls-cli --x509cafile '$T/nodns/ca.pem' \
        --verify-hostname example.com -p $PORT 127.0.0.1"
stop_bg $SERV

# An expired server certificate (issued 900 days ago, 825 days' validity).
serve "$I/old.example.com/chain.pem" "$I/old.example.com/key.pem"
expect_exit 1 "expired server certificate" probe old.example.com --connect 127.0.0.1:$PORT
expect_grep '^fail *chain: \[0\] expired at' "$T/stdout" "expired: chain"
expect_grep '^fail *lint \[0\]: error validity' "$T/stdout" "expired: lint"
stop_bg $SERV
# ... and the test clock moves "now" back into its validity.
serve "$I/old.example.com/chain.pem" "$I/old.example.com/key.pem"
SIPCA_NOW=$((NOW - 800 * DAY)) expect_exit 1 "the same, 800 days ago" \
    probe old.example.com --connect 127.0.0.1:$PORT
expect_grep '^ok *chain: 2 certificates, in order, none expired' "$T/stdout" \
    "800 days ago it had not expired"
stop_bg $SERV

# Chains with an intermediate, made with certtool.
printf 'cn = "Test Root"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 3650\n' > "$T/root.tmpl"
printf 'cn = "Test Intermediate"\nca\ncert_signing_key\npath_len = 0\nexpiration_days = 3650\n' > "$T/inter.tmpl"
printf 'cn = "%s"\nuri = "sip:example.com"\ndns_name = "example.com"\ndns_name = "%s"\ntls_www_server\ntls_www_client\nsigning_key\nexpiration_days = 365\n' \
    $HOST $HOST > "$T/leaf.tmpl"
for k in root inter leaf; do
	certtool --generate-privkey --key-type ecdsa --outfile "$T/$k.key" 2>/dev/null
done
certtool --generate-self-signed --load-privkey "$T/root.key" --template "$T/root.tmpl" \
    --outfile "$T/root.pem" 2>/dev/null
certtool --generate-certificate --load-privkey "$T/inter.key" --load-ca-privkey "$T/root.key" \
    --load-ca-certificate "$T/root.pem" --template "$T/inter.tmpl" --outfile "$T/inter.pem" 2>/dev/null
certtool --generate-certificate --load-privkey "$T/leaf.key" --load-ca-privkey "$T/inter.key" \
    --load-ca-certificate "$T/inter.pem" --template "$T/leaf.tmpl" --outfile "$T/leaf.pem" 2>/dev/null
cat "$T/leaf.pem" "$T/inter.pem" > "$T/good-chain.pem"
cat "$T/root.pem" "$T/inter.pem" > "$T/bad-order.pem"

serve "$T/good-chain.pem" "$T/leaf.key"
expect_exit 1 "leaf and intermediate" probe $HOST --connect 127.0.0.1:$PORT --ca "$T/root.pem" \
    --sip-domain example.com
expect_grep '^ok *verify' "$T/stdout" "intermediate: verified"
expect_grep '^ok *chain: 2 certificates, in order' "$T/stdout" "intermediate: in order"
stop_bg $SERV
serve "$T/leaf.pem" "$T/leaf.key"
expect_exit 1 "missing intermediate" probe $HOST --connect 127.0.0.1:$PORT --ca "$T/root.pem" \
    --sip-domain example.com
expect_grep "^fail *chain: missing intermediate: the issuer 'CN=Test Intermediate' of \[0\]" \
    "$T/stdout" "missing intermediate reported"
expect_grep '^fail *verify: not trusted' "$T/stdout" "missing intermediate: not verified"
stop_bg $SERV
# GnuTLS sorts a server's chain as it loads it; OpenSSL sends it as given.
PORT=$(free_port)
start_bg "$T/s_server.log" openssl s_server -rev -accept 127.0.0.1:$PORT \
    -cert "$T/leaf.pem" -key "$T/leaf.key" -cert_chain "$T/bad-order.pem"
SERV=$BG_PID
wait_port $PORT || fail "openssl s_server did not listen on $PORT"
expect_exit 1 "wrong order" probe $HOST --connect 127.0.0.1:$PORT --ca "$T/root.pem" \
    --sip-domain example.com --timeout 2
expect_grep '^chain *\[1\] CN=Test Root' "$T/stdout" "wrong order: presented as given"
expect_grep '^fail *chain: wrong order: \[0\] is issued by \[2\]' "$T/stdout" \
    "wrong order reported"
expect_grep '^ok *verify' "$T/stdout" "wrong order: GnuTLS still verifies it"
stop_bg $SERV

# Mutual TLS.
serve "$I/$HOST/chain.pem" "$I/$HOST/key.pem" --require-client-cert \
    --x509cafile "$T/ca/ca.pem"
expect_exit 1 "mutual TLS with alice" probe $HOST --connect 127.0.0.1:$PORT --cert alice
expect_grep "^ok *client-cert: the server accepted 'alice'" "$T/stdout" "alice accepted"
expect_exit 1 "mutual TLS without a certificate" probe $HOST --connect 127.0.0.1:$PORT
expect_grep '^fail *client-cert: the server asked for a client certificate and refused us' \
    "$T/stdout" "refused without a certificate"
expect_grep '^result *2 findings$' "$T/stdout" "refused: two findings (client-cert, options)"
stop_bg $SERV
# With TLS 1.2 the refusal ends the handshake itself.
serve "$I/$HOST/chain.pem" "$I/$HOST/key.pem" --require-client-cert \
    --x509cafile "$T/ca/ca.pem" --priority NORMAL:-VERS-TLS1.3
expect_exit 1 "TLS 1.2 mutual TLS with alice" probe $HOST --connect 127.0.0.1:$PORT --cert alice
expect_grep '^tls *TLS1.2 ' "$T/stdout" "TLS 1.2 negotiated"
expect_grep "^ok *client-cert: the server accepted 'alice'" "$T/stdout" "TLS 1.2: alice accepted"
expect_exit 1 "TLS 1.2 mutual TLS without a certificate" probe $HOST --connect 127.0.0.1:$PORT
expect_grep '^fail *tls: TLS handshake: the server sent the fatal alert' "$T/stdout" \
    "TLS 1.2: the handshake refused"
expect_grep '^fail *client-cert: the server asked for a client certificate and refused us' \
    "$T/stdout" "TLS 1.2: refused without a certificate"
expect_grep '^ok *verify' "$T/stdout" "TLS 1.2: the chain is still checked"
stop_bg $SERV
serve "$I/$HOST/chain.pem" "$I/$HOST/key.pem" --disable-client-cert
expect_exit 1 "--cert to a server that does not ask" probe $HOST --connect 127.0.0.1:$PORT \
    --cert alice
expect_grep '^note *client-cert: the server did not ask' "$T/stdout" "not asked"
stop_bg $SERV

finish
