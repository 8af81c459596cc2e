# Sourced after lib.sh by the scripts that run a real Kamailio with the
# committed example (tests/cli/kamailio.sh, acme_kamailio.sh):
# start_kamailio, templating examples/kamailio/ only for paths and ports.
top=$(cd "$(dirname "$0")/../.." && pwd)
EX=$top/examples/kamailio
KAMAILIO=$(command -v kamailio || echo /usr/sbin/kamailio)

K_PIDS=""
K_MAINS=""
# start_kamailio NAME CERTDIR [CAFILE [CRLFILE]]: Kamailio with the
# example's configuration, serving CERTDIR's key.pem and chain.pem (and
# presenting them to the next hop), trusting CAFILE (default the exported
# cert.pem); sets PORT, and CTL (its control socket, for kamcmd -s).
# With RELAY_PORT set, it also relays MESSAGE
# requests over TLS to 127.0.0.1:RELAY_PORT (the client side of tls.cfg),
# with NO_CLIENT_CERT set, without the client profile's certificate.
start_kamailio() {
	k=$T/k-$1
	mkdir -p "$k/run"
	PORT=$(free_port)
	CTL=unix:$k/run/ctl
	sed -e "s|/etc/kamailio/tls.cfg|$k/tls.cfg|" \
	    -e "s|unix:/run/kamailio/kamailio_ctl|$CTL|" \
	    -e "s|127.0.0.1:5061|127.0.0.1:$PORT|" "$EX/kamailio.cfg" > "$k/kamailio.cfg"
	[ -n "${RELAY_PORT:-}" ] && sed -i "s|^request_route {|&\\
	if (method == \"MESSAGE\") {\\
		t_relay_to(\"tls:127.0.0.1:$RELAY_PORT\");\\
		exit;\\
	}|" "$k/kamailio.cfg"
	sed -e "s|/var/lib/sipca/issued/sip.example.com|$2|" \
	    -e "s|/etc/kamailio/sipca-ca.pem|${3:-$T/cert.pem}|" \
	    -e "s|/var/lib/sipca/crls.pem|${4:-$T/ca/crls.pem}|" "$EX/tls.cfg" > "$k/tls.cfg"
	# CRLFILE "none": the example's crl line removed, as it says to
	[ "${4:-}" = none ] && sed -i '/^crl = /d' "$k/tls.cfg"
	[ -n "${NO_CLIENT_CERT:-}" ] && sed -i \
	    '/^\[client:default\]/,$ { /^private_key/d; /^certificate/d; }' "$k/tls.cfg"
	if grep -q -e /etc/kamailio -e /var/lib/sipca -e /run/kamailio \
	    "$k/kamailio.cfg" "$k/tls.cfg" ||
	    ! grep -q "127.0.0.1:$PORT" "$k/kamailio.cfg"; then
		fail "$1: the example configuration no longer has the paths this test replaces"
	fi
	# -DD: foreground, yet with the TCP/TLS workers (-D alone has none).
	# Bounded by the whole script's length (kamailio.sh takes 200 s
	# under valgrind), not start_bg's two minutes: an instance started
	# early must still be there for the last checks.
	start_bg_within 900 "$k/log" "$KAMAILIO" -f "$k/kamailio.cfg" -DD -E \
	    -Y "$k/run" -P "$k/run/kamailio.pid" -w "$k/run" -m 32 -M 8
	K_PIDS="$K_PIDS $BG_PID"
	if ! wait_port "$PORT"; then
		fail "$1: Kamailio did not listen on 127.0.0.1:$PORT"
		sed 's/^/    /' "$k/log" >&2
	fi
	# Kamailio may listen before it writes its pidfile, and removes the
	# file when it exits: the main process's pid is taken now.
	i=0
	while [ ! -s "$k/run/kamailio.pid" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	K_MAINS="$K_MAINS $(cat "$k/run/kamailio.pid" 2>/dev/null)"
}

