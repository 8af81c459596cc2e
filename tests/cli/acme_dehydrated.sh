#!/bin/sh
# dehydrated (curl and openssl in bash, a third ACME client) against
# sipca serve: registration with External Account Binding, dns-01 through
# a real DNS server (dnsmasq on the namespace's loopback, restarted by the
# hook with each TXT record) that sipca serve asks (--dns-server), the
# certificate verified by openssl, a forced renewal, revocation. The names
# and namespaces: tests/acme/env.sh.
. "$(dirname "$0")/../acme/env.sh"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
need_tools dehydrated openssl "$DNSMASQ"

DNS_PORT=$(free_port)
# The hook (dehydrated's HOOK): deploy_challenge starts dnsmasq again with
# the challenge's TXT record (a wrong one once $T/wrong exists); each
# dnsmasq is stopped by its pid file.
cat > "$T/hook" <<HOOK
#!/bin/sh
# dnsmasq writes its pid file once it listens: up to 10 s for it.
wait_dns() {
	i=0
	while [ ! -s "$T/dnsmasq.pid" ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
}
case \$1 in
deploy_challenge)
	value=\$4
	[ -e "$T/wrong" ] && value=not-the-digest
	[ -s "$T/dnsmasq.pid" ] && kill \$(cat "$T/dnsmasq.pid") 2>/dev/null
	rm -f "$T/dnsmasq.pid"
	sleep 0.2
	timeout 300 "$DNSMASQ" --port=$DNS_PORT --listen-address=127.0.0.1 \\
	    --bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null \\
	    --user= --group= --keep-in-foreground --pid-file="$T/dnsmasq.pid" \\
	    --local=/example.test/ --txt-record="_acme-challenge.\$2,\$value" \\
	    --log-facility="$T/dnsmasq.log" >/dev/null 2>&1 &
	wait_dns
	echo "\$2 \$4" >> "$T/challenges"
	;;
esac
exit 0
HOOK
chmod 755 "$T/hook"
stop_dns() {
	[ -s "$T/dnsmasq.pid" ] && kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	rm -f "$T/dnsmasq.pid"
}

check "an EAB key" eab dehydrated-host
cat > "$T/config" <<CONF
CA="$DIRURL"
BASEDIR="$T/dh"
CHALLENGETYPE="dns-01"
HOOK="$T/hook"
KEY_ALGO=prime256v1
CONTACT_EMAIL=admin@example.test
EAB_KID="$KID"
EAB_HMAC_KEY="$HMAC"
CURL_OPTS="--cacert $CA/ca.pem --max-time 30"
CONF
mkdir -p "$T/dh"
check "serve asking dnsmasq for dns-01" start_serve "$T/serve.log" \
    --dns-server 127.0.0.1:$DNS_PORT
dh() { timeout 120 dehydrated --config "$T/config" "$@"; }
check "dehydrated --register with EAB" dh --register --accept-terms
check "dehydrated --cron, dns-01" dh --cron --domain sip.example.test
CERT=$T/dh/certs/sip.example.test/cert.pem
check "the TXT record was put in place" grep -q "^sip.example.test " "$T/challenges"
expect_grep "dns-01 of sip.example.test: valid" "$T/serve.log" "sipca serve validated it by DNS"
check "the certificate verifies (openssl -x509_strict)" openssl verify -x509_strict \
    -CAfile "$CA/ca.pem" "$CERT"
first=$(openssl x509 -in "$CERT" -noout -serial)
check "dehydrated --cron --force: a renewal" dh --cron --force --domain sip.example.test
check "the renewal has a new serial" test "$(openssl x509 -in "$CERT" -noout -serial)" != "$first"
serial=$(openssl x509 -in "$CERT" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "dehydrated --revoke" dh --revoke "$CERT"
check "the store has it revoked" sh -c "'$SIPCA' -d '$CA' list --status revoked | grep -q '$serial'"

# A TXT record that does not match: the challenge fails as incorrectResponse.
touch "$T/wrong"
check_fails "dehydrated with the wrong TXT record fails" dh --cron --domain pbx.example.test
expect_grep "dns-01 of pbx.example.test: invalid" "$T/serve.log" "the wrong record is refused"
stop_dns
stop_bg "$SERVE"

finish
