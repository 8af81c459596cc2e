# Sourced first by the ACME scripts (tests/cli/acme*.sh): the script runs
# again in a network and mount namespace of its own, where the test's
# names (ca.example.test, sip.example.test, ...) resolve to 127.0.0.1
# through an /etc/hosts bound over the real one in this namespace only,
# never through the machine's resolver, and the validation ports (80,
# 443) are this namespace's lo. Then lib.sh, a store for example.test
# with the server certificate for ca.example.test, and:
#   start_serve LOG [options]  sipca serve there; its pid in $SERVE
#   eab NAME                   a new EAB key into $KID and $HMAC
#   cb ARGS                    certbot against it, its state under $LE
#   count_checks FILE NAME STATUS  a client's "ok"/"not ok" lines counted
# $DIRURL is the directory; the CA is trusted by certbot and lego.
if [ -z "${SIPCA_TEST_NETNS:-}" ]; then
	SIPCA_TEST_NETNS=1; export SIPCA_TEST_NETNS
	PATH=$PATH:/usr/sbin:/sbin; export PATH
	exec unshare -rnm sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
. "$(dirname "$0")/../lib.sh"

# need_tools TOOL...: each is required (make check installs them).
need_tools() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			fail "$tool is not installed (make check installs it: scripts/deps.sh)"
			finish
			exit 1
		fi
	done
}

printf '127.0.0.1 localhost ca.example.test sip.example.test pbx.example.test example.test\n' > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts || { fail "cannot bind a hosts file in the test's namespace"; finish; exit 1; }

CA=$T/ca
"$SIPCA" -d "$CA" init --domain example.test --no-passphrase --key p256 \
    --crl-url http://ca.example.test/sip.crl >/dev/null 2>"$T/init.err" || cat "$T/init.err" >&2
"$SIPCA" -d "$CA" issue server ca.example.test >/dev/null 2>&1
export REQUESTS_CA_BUNDLE="$CA/ca.pem" LEGO_CA_CERTIFICATES="$CA/ca.pem"

SERVE_PORT=$(free_port)
HTTP=$(free_port)
DIRURL=https://ca.example.test:$SERVE_PORT/acme/directory

# start_serve LOG [options]: sipca serve for ca.example.test; pid in $SERVE.
start_serve() {
	log=$1; shift
	# Longer than start_bg's bound: the clients take a while.
	timeout 600 ${SERVE_BIN:-"$SIPCA"} -d "$CA" serve --listen 127.0.0.1:$SERVE_PORT \
	    --http 127.0.0.1:$HTTP --name ca.example.test "$@" >"$log" 2>&1 &
	SERVE=$!
	BG_PIDS="$BG_PIDS $SERVE"
	# Under valgrind, on a loaded machine, the start takes longer than
	# wait_port's 10 s: up to 60 s for the listening line.
	i=0
	while ! grep -q "listening on https" "$log" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	wait_port $SERVE_PORT
}

# eab NAME: a new EAB key; its kid and HMAC in $KID and $HMAC.
eab() {
	"$SIPCA" -d "$CA" acme eab new "$1" --json > "$T/eab.json" 2>"$T/eab.err" || return 1
	KID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kid"])' "$T/eab.json")
	HMAC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hmac"])' "$T/eab.json")
}

# cb ARGS: certbot with its state under $LE, bounded.
LE=$T/le
cb() {
	timeout 120 certbot --non-interactive --config-dir "$LE/config" \
	    --work-dir "$LE/work" --logs-dir "$LE/logs" --server "$DIRURL" "$@"
}

# count_checks FILE NAME STATUS: the "ok ..."/"not ok ..." lines a test
# client of tests/acme/ printed into FILE, each a check; NAME ran to its
# end when STATUS is 0 (else FILE is shown).
count_checks() {
	while IFS= read -r line; do
		case $line in
		"ok "*) ok ;;
		"not ok "*) fail "${line#not ok }" ;;
		esac
	done < "$1"
	check "$2 ran to its end (status $3)" test "$3" -eq 0
	[ "$3" -eq 0 ] || sed 's/^/    /' "$1" >&2
}
