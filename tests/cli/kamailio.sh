#!/bin/sh
# Interop: a real Kamailio (TLS module, mutual TLS, CRL) running the
# configuration in examples/kamailio/ -- templated only for paths and
# ports -- with certificates from sipca, and real clients (gnutls-cli,
# openssl s_client, sipca probe) sending SIP OPTIONS over TLS on
# 127.0.0.1. Every client verifies the server against the exported
# cert.pem and the host name sip.example.com.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../kamailio.sh"

HOST=sip.example.com
DAY=86400
NOW=$(date +%s)

# The CA is made 1000 days ago so that certificates issued 900 days ago
# (expired now, after their 825 days) fall inside its validity.
SIPCA_NOW=$((NOW - 1000 * DAY)); export SIPCA_NOW
new_ca "$T/ca"
new_ca "$T/other"
SIPCA_NOW=$((NOW - 900 * DAY))
"$SIPCA" -d "$T/ca" issue server $HOST >/dev/null
cp -r "$T/ca/issued/$HOST" "$T/expired-server"
"$SIPCA" -d "$T/ca" issue device old-phone >/dev/null
unset SIPCA_NOW

"$SIPCA" -d "$T/ca" issue server $HOST >/dev/null
"$SIPCA" -d "$T/ca" issue server wrong.example.net --allow-foreign-names >/dev/null
"$SIPCA" -d "$T/ca" issue device alice >/dev/null
"$SIPCA" -d "$T/ca" issue device lost-phone >/dev/null
"$SIPCA" -d "$T/other" issue server $HOST >/dev/null
"$SIPCA" -d "$T/other" issue device mallory >/dev/null
"$SIPCA" -d "$T/ca" export -o "$T/cert.pem" 2>/dev/null
check "revoke lost-phone" "$SIPCA" -d "$T/ca" revoke lost-phone
check "revoke publishes DIR/crl.pem" test -s "$T/ca/crl.pem"
check "and DIR/crls.pem, every CRL of the store" cmp -s "$T/ca/crl.pem" "$T/ca/crls.pem"

# A device certificate without clientAuth: sipca never makes one, so
# certtool signs it with the test CA's (unencrypted) key.
cat > "$T/serveronly.tmpl" <<EOF
cn = "serveronly"
uri = "sip:serveronly@example.com"
tls_www_server
signing_key
expiration_days = 30
EOF
certtool --generate-privkey --key-type ecdsa --outfile "$T/serveronly.key" 2>/dev/null
certtool --generate-certificate --load-privkey "$T/serveronly.key" \
    --load-ca-privkey "$T/ca/ca.key" --load-ca-certificate "$T/ca/ca.pem" \
    --template "$T/serveronly.tmpl" --outfile "$T/serveronly.pem" 2>/dev/null
check "certtool made a certificate without clientAuth" \
    sh -c "certtool -i --infile '$T/serveronly.pem' | grep -q 'TLS WWW Server' &&
        ! certtool -i --infile '$T/serveronly.pem' | grep -q 'TLS WWW Client'"

# OPTIONS with exact CRLFs (RFC 3261 section 7).
printf 'OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-interop;rport\r\nMax-Forwards: 70\r\nTo: <sip:example.com>\r\nFrom: <sip:interop@example.com>;tag=1\r\nCall-ID: interop@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' > "$T/options.sip"


gnutls_client() {	# PORT [cert key] [gnutls-cli options]
	port=$1; shift
	if [ $# -gt 0 ] && [ -f "$1" ]; then
		c=$1 k=$2; shift 2
		set -- --x509certfile "$c" --x509keyfile "$k" "$@"
	fi
	timeout 10 gnutls-cli --x509cafile "${CLIENT_CA:-$T/cert.pem}" \
	    --verify-hostname $HOST -p "$port" "$@" 127.0.0.1
}

openssl_client() {	# PORT [cert key]
	port=$1; shift
	if [ $# -gt 0 ]; then set -- -cert "$1" -key "$2"; fi
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername $HOST \
	    -CAfile "$T/cert.pem" -verify_return_error -verify_hostname $HOST \
	    -x509_strict -brief -nocommands "$@"
}

# expect_answer DESC OUT: the server answered 200.
expect_answer() {
	expect_grep '^SIP/2.0 200 OK' "$2" "$1"
}

# expect_refused DESC OUT: no SIP answer came through.
expect_refused() {
	expect_no_grep '^SIP/2.0' "$2" "$1"
}

I=$T/ca/issued
start_kamailio good "$I/$HOST"; P_GOOD=$PORT; K_GOOD=$T/k-good
start_kamailio wronghost "$I/wrong.example.net"; P_WRONG=$PORT
start_kamailio otherca "$T/other/issued/$HOST"; P_OTHER=$PORT
start_kamailio expired "$T/expired-server"; P_EXPIRED=$PORT

# The server side, verified by both clients, with a sipca device
# certificate (the example requires one).
for client in gnutls_client openssl_client; do
	sip_send "$T/out" $client $P_GOOD "$I/alice/cert.pem" "$I/alice/key.pem"
	expect_answer "$client: OPTIONS with alice's certificate" "$T/out"
done

# TLS 1.2, where a refused client certificate ends the handshake.
sip_send "$T/out" gnutls_client $P_GOOD "$I/alice/cert.pem" "$I/alice/key.pem" \
    --priority NORMAL:-VERS-TLS1.3
expect_answer "gnutls-cli TLS 1.2: OPTIONS with alice's certificate" "$T/out"
sip_send "$T/out" gnutls_client $P_GOOD --priority NORMAL:-VERS-TLS1.3
expect_refused "gnutls-cli TLS 1.2: no client certificate" "$T/out"
expect_grep 'Handshake failed\|alert' "$T/out" "gnutls-cli TLS 1.2: the handshake is refused"

# expect_alert DESC ALERT OUT: Kamailio sent this TLS alert (RFC 8446
# section 6.2), as gnutls-cli or openssl prints it.
expect_alert() {
	expect_grep "alert \\[$2\\]\\|alert number $2\$" "$3" "$1: alert $2"
}

# Mutual TLS: judged on the SIP answer, since with TLS 1.3 a refused
# client certificate only shows after the handshake has completed. The
# alert says why: 116 certificate_required, 48 unknown_ca, 45
# certificate_expired, 44 certificate_revoked, 43 unsupported_certificate.
for client in gnutls_client openssl_client; do
	sip_send "$T/out" $client $P_GOOD
	expect_refused "$client: no client certificate" "$T/out"
	expect_alert "$client: no client certificate" 116 "$T/out"
	sip_send "$T/out" $client $P_GOOD "$T/other/issued/mallory/cert.pem" \
	    "$T/other/issued/mallory/key.pem"
	expect_refused "$client: a device certificate from another CA" "$T/out"
	expect_alert "$client: a device certificate from another CA" 48 "$T/out"
	sip_send "$T/out" $client $P_GOOD "$I/old-phone/cert.pem" "$I/old-phone/key.pem"
	expect_refused "$client: an expired device certificate" "$T/out"
	expect_alert "$client: an expired device certificate" 45 "$T/out"
	sip_send "$T/out" $client $P_GOOD "$I/lost-phone/cert.pem" "$I/lost-phone/key.pem"
	expect_refused "$client: a revoked device certificate (CRL)" "$T/out"
	expect_alert "$client: a revoked device certificate (CRL)" 44 "$T/out"
	sip_send "$T/out" $client $P_GOOD "$T/serveronly.pem" "$T/serveronly.key"
	expect_refused "$client: a device certificate without clientAuth" "$T/out"
	expect_alert "$client: a device certificate without clientAuth" 43 "$T/out"
done
expect_grep 'did not return a certificate' "$K_GOOD/log" "Kamailio logs the missing certificate"
expect_grep 'certificate verify failed' "$K_GOOD/log" "Kamailio logs the failed verification"

# Negative server cases: both clients refuse, though the server is up
# and answers a client that does not verify it.
for case in wronghost:$P_WRONG otherca:$P_OTHER expired:$P_EXPIRED; do
	name=${case%%:*}; port=${case#*:}
	sip_send "$T/out" timeout 10 gnutls-cli --insecure -p "$port" \
	    --x509certfile "$I/alice/cert.pem" --x509keyfile "$I/alice/key.pem" 127.0.0.1
	expect_answer "$name: the server is up (unverified client)" "$T/out"
	for client in gnutls_client openssl_client; do
		sip_send "$T/out" $client "$port" "$I/alice/cert.pem" "$I/alice/key.pem"
		expect_refused "$client: $name server certificate" "$T/out"
		expect_grep '[Vv]erif\|trusted\|xpired' "$T/out" \
		    "$client: $name refused in verification"
	done
done

# sipca probe against the same servers.
cd "$T"
export SIPCA_DIR="$T/ca"
expect_exit 0 "probe with alice's certificate" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_GOOD" --cert alice
expect_grep '^ok *options: SIP/2.0 200 OK' "$T/stdout" "probe: OPTIONS answered"
expect_grep "^ok *client-cert: the server accepted 'alice'" "$T/stdout" "probe: mutual TLS"
expect_grep '^ok *sip-domain' "$T/stdout" "probe: SIP domain"
expect_grep '^tls *TLS1' "$T/stdout" "probe: TLS version"
expect_grep '^chain *\[1\] CN=example.com SIP CA' "$T/stdout" "probe: chain printed"
expect_exit 0 "probe --json" "$SIPCA" probe "$HOST:$P_GOOD" --connect 127.0.0.1 \
    --cert alice --json
expect_grep '"findings": 0' "$T/stdout" "probe --json: no findings"
expect_grep '"status_line": "SIP/2.0 200 OK"' "$T/stdout" "probe --json: status line"
expect_exit 1 "probe without a certificate" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_GOOD"
expect_grep '^fail *client-cert: the server asked for a client certificate' "$T/stdout" \
    "probe: refused without a certificate"
expect_exit 1 "probe with an expired device certificate" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_GOOD" --cert old-phone
expect_grep "^fail *client-cert: the server refused 'old-phone'" "$T/stdout" \
    "probe: expired client certificate refused"
expect_exit 1 "probe: wrong host name" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_WRONG" --cert alice
expect_grep "^fail *hostname: '$HOST' does not match" "$T/stdout" "probe: host name"
expect_grep '^ok *sip-domain' "$T/stdout" "probe: the SIP domain still matches"
expect_exit 1 "probe: another CA" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_OTHER" --cert alice
expect_grep '^fail *verify: not trusted' "$T/stdout" "probe: another CA not trusted"
expect_exit 1 "probe: expired server certificate" \
    "$SIPCA" probe $HOST --connect "127.0.0.1:$P_EXPIRED" --cert alice
expect_grep '^fail *chain: \[0\] expired at' "$T/stdout" "probe: expired server"
expect_grep '^fail *lint \[0\]' "$T/stdout" "probe: lint reports the expired server"

# The client side ([client:default]): Kamailio relays a MESSAGE to a next
# hop that requires a client certificate from the CA (openssl s_server,
# -verify_return_error), and gets in with the server certificate, which
# sipca issues with clientAuth for this. Without the profile's
# certificate and key, the next hop refuses it.
"$SIPCA" -d "$T/ca" issue server next.example.com >/dev/null || fail "issue next.example.com"
printf 'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-relay;rport\r\nMax-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\nCall-ID: relay@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n' > "$T/message.sip"
for leg in relay relay-nocert; do
	RELAY_PORT=$(free_port)
	# s_server reads stdin and stops at its end: the sleep keeps it open.
	start_bg "$T/next-$leg.log" sh -c "sleep 60 | exec openssl s_server \
	    -accept 127.0.0.1:$RELAY_PORT -naccept 1 -CAfile '$T/cert.pem' \
	    -cert '$I/next.example.com/chain.pem' -key '$I/next.example.com/key.pem' \
	    -Verify 1 -verify_return_error"
	NEXT_PID=$BG_PID
	# Not wait_port: s_server would take its one connection for the probe.
	i=0
	while [ $i -lt 100 ] && ! grep -q '^ACCEPT' "$T/next-$leg.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $leg = relay-nocert ] && NO_CLIENT_CERT=1
	start_kamailio $leg "$I/$HOST"
	unset RELAY_PORT NO_CLIENT_CERT
	check "$leg: Kamailio relays MESSAGE" grep -q 't_relay_to("tls:127.0.0.1:' "$T/k-$leg/kamailio.cfg"
	cp "$T/options.sip" "$T/options.keep"
	cp "$T/message.sip" "$T/options.sip"
	sip_send "$T/out" gnutls_client $PORT "$I/alice/cert.pem" "$I/alice/key.pem"
	cp "$T/options.keep" "$T/options.sip"
	i=0
	while [ $i -lt 50 ] && ! grep -q -e '^MESSAGE sip:' -e 'error' "$T/next-$leg.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_bg "$NEXT_PID"
done
expect_grep '^MESSAGE sip:bob@example.com SIP/2.0' "$T/next-relay.log" \
    "relay: the next hop, requiring a client certificate, got the MESSAGE"
expect_grep "^subject=CN *= *$HOST" "$T/next-relay.log" \
    "relay: Kamailio presented its server certificate as the client's"
expect_no_grep '^MESSAGE' "$T/next-relay-nocert.log" \
    "relay-nocert: without the client profile's certificate, the next hop refuses"
expect_grep 'peer did not return a certificate' \
    "$T/next-relay-nocert.log" "relay-nocert: the next hop says why"

# ---- a CA rollover's overlap (README "Rollover") ----
# A two-level CA rolled over: the new server and phone certificates carry
# the bridge, old ones are as they were. Kamailio (server side, checking
# phones) and the phones (client side, checking Kamailio) each trust one
# root, old or new, and every pairing works.
R=$T/roll
RI=$R/issued
"$SIPCA" -d "$R" init --domain example.com --no-passphrase --intermediate >/dev/null ||
    fail "rollover CA"
"$SIPCA" -d "$R" issue server $HOST >/dev/null
"$SIPCA" -d "$R" issue device bob >/dev/null
cp "$R/root.pem" "$T/roll-old.pem"
cp -r "$RI/$HOST" "$T/roll-old-server"
# A two-level CA's CRLs: Kamailio checks every certificate of the chain,
# so its crl file is crls.pem, the issuing CA's CRL and the root's.
"$SIPCA" -d "$R" issue device lost >/dev/null
"$SIPCA" -d "$R" revoke lost >/dev/null || fail "revoke lost"
"$SIPCA" -d "$R" crl --root >/dev/null || fail "crl --root"
check "crls.pem holds both CRLs" test "$(grep -c 'BEGIN X509 CRL' "$R/crls.pem")" = 2
start_kamailio hier-crl "$RI/$HOST" "$T/roll-old.pem" "$R/crls.pem"
P_HCRL=$PORT
CLIENT_CA=$T/roll-old.pem
sip_send "$T/out" gnutls_client $P_HCRL "$RI/bob/chain.pem" "$RI/bob/key.pem"
expect_answer "two-level CA with crls.pem: bob gets in" "$T/out"
sip_send "$T/out" gnutls_client $P_HCRL "$RI/lost/chain.pem" "$RI/lost/key.pem"
expect_refused "two-level CA with crls.pem: the revoked device does not" "$T/out"
unset CLIENT_CA
"$SIPCA" -d "$R" rollover start --no-passphrase >/dev/null || fail "rollover start"
"$SIPCA" -d "$R" rollover switch >/dev/null || fail "rollover switch"
cp "$R/root.pem" "$T/roll-new.pem"
"$SIPCA" -d "$R" renew $HOST >/dev/null || fail "renew the server under the new CA"
"$SIPCA" -d "$R" issue device carol >/dev/null
# Old bob's chain with the old bridge, for a Kamailio that trusts only the new root.
cat "$RI/bob/chain.pem" "$R/old-bridge.pem" > "$T/bob-bridged.pem"
"$SIPCA" -d "$R" crl >/dev/null || fail "crl after the switch"
# crls.pem now holds both generations' CRLs (the old ones kept at the
# switch): Kamailio checks the old leaves' chains against the old CAs'.
check "crls.pem holds both generations' CRLs" test "$(grep -c 'BEGIN X509 CRL' "$R/crls.pem")" = 4
start_kamailio roll-oldroot "$RI/$HOST" "$T/roll-old.pem" "$R/crls.pem"
P_ROLD=$PORT
start_kamailio roll-newroot "$RI/$HOST" "$T/roll-new.pem" "$R/crls.pem"
P_RNEW=$PORT
for root in old new; do
	CLIENT_CA=$T/roll-$root.pem
	sip_send "$T/out" gnutls_client $P_ROLD "$RI/carol/chain.pem" "$RI/carol/key.pem"
	expect_answer "overlap: phone with the $root root and a new certificate, Kamailio with the old root" "$T/out"
	sip_send "$T/out" gnutls_client $P_RNEW "$RI/carol/chain.pem" "$RI/carol/key.pem"
	expect_answer "overlap: phone with the $root root and a new certificate, Kamailio with the new root" "$T/out"
	sip_send "$T/out" gnutls_client $P_ROLD "$RI/bob/chain.pem" "$RI/bob/key.pem"
	expect_answer "overlap: phone with the $root root and an old certificate, Kamailio with the old root" "$T/out"
	sip_send "$T/out" gnutls_client $P_RNEW "$T/bob-bridged.pem" "$RI/bob/key.pem"
	expect_answer "overlap: phone with the $root root and an old certificate plus the old bridge, Kamailio with the new root" "$T/out"
done
CLIENT_CA=$T/roll-old.pem
sip_send "$T/out" gnutls_client $P_ROLD "$RI/lost/chain.pem" "$RI/lost/key.pem"
expect_refused "overlap: the old CA's revoked device, Kamailio with the old root" "$T/out"
CLIENT_CA=$T/roll-new.pem
sip_send "$T/out" gnutls_client $P_RNEW "$RI/bob/chain.pem" "$RI/bob/key.pem"
expect_refused "overlap: an old certificate without the old bridge, Kamailio with the new root only" "$T/out"
unset CLIENT_CA

# Stopped by pid (the timeout wrapper passes SIGTERM on to Kamailio),
# and gone afterwards: the main processes' pids come from their
# pidfiles, read as each started.
check "nine Kamailio pidfiles" test "$(echo $K_MAINS | wc -w)" -eq 9
for pid in $K_PIDS; do
	stop_bg "$pid"
done
for pid in $K_MAINS; do
	check_fails "Kamailio $pid has exited" kill -0 "$pid"
done

finish
