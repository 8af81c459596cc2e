# Shared helpers for the CLI test scripts in tests/cli/ (POSIX sh).
# Source it with: . "$(dirname "$0")/../lib.sh"
#
# $SIPCA is the binary under test (a build that honours SIPCA_NOW).
# Every script gets its own temporary directory, $T, removed on exit,
# and every background process it starts is stopped by pid.

set -u
# Files the tests write (passphrase and PIN files among them) are the
# tester's alone: sipca refuses a secret file others can read.
umask 077
: "${SIPCA:?SIPCA must name the sipca binary under test}"
# The binary without $SIPCA_WRAPPER, for processes killed at a crash point.
: "${SIPCA_BARE:=$SIPCA}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sipca-test.XXXXXX")
TESTS_RUN=0
TESTS_FAILED=0
TESTS_SKIPPED=0
BG_PIDS=""

cleanup() {
	for pid in $BG_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $BG_PIDS; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# fail MESSAGE: records a failure and goes on.
fail() {
	TESTS_FAILED=$((TESTS_FAILED + 1))
	echo "FAIL: $*" >&2
}

ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
}

# skip DESCRIPTION REASON: a block that cannot run here (it needs root, a
# tool, a file) says so; finish and tests/run.sh count it. CI must run
# every block, so with $CI set a skip is a failure instead.
skip() {
	case ${CI:-} in
	""|false|0) ;;
	*)
		fail "$1: skipped, but CI must run it: $2"
		return
		;;
	esac
	TESTS_SKIPPED=$((TESTS_SKIPPED + 1))
	echo "SKIP: $1: $2" >&2
	if [ -n "${SIPCA_SKIP_LOG:-}" ]; then
		echo "$(basename "$0" .sh): $1: $2" >> "$SIPCA_SKIP_LOG"
	fi
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	desc=$1; shift
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! "$@" >"$T/.out" 2>&1; then
		fail "$desc"
		sed 's/^/    /' "$T/.out" >&2
	fi
}

# check_fails DESCRIPTION COMMAND...: the command must fail.
check_fails() {
	desc=$1; shift
	TESTS_RUN=$((TESTS_RUN + 1))
	if "$@" >"$T/.out" 2>&1; then
		fail "$desc (succeeded)"
		sed 's/^/    /' "$T/.out" >&2
	fi
}

# expect_exit CODE DESCRIPTION COMMAND...: runs it, keeps stdout in
# $T/stdout and stderr in $T/stderr, and checks the exit status.
expect_exit() {
	want=$1; desc=$2; shift 2
	TESTS_RUN=$((TESTS_RUN + 1))
	"$@" >"$T/stdout" 2>"$T/stderr" </dev/null
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$desc: exit $got, wanted $want"
		sed 's/^/    stdout: /' "$T/stdout" >&2
		sed 's/^/    stderr: /' "$T/stderr" >&2
		return 1
	fi
	return 0
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! grep -q -e "$1" "$2"; then
		fail "$3: '$1' not in $(basename "$2")"
		sed 's/^/    /' "$2" >&2
	fi
}

expect_no_grep() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -q -e "$1" "$2"; then
		fail "$3: '$1' unexpectedly in $(basename "$2")"
		sed 's/^/    /' "$2" >&2
	fi
}

# snapshot DIR: a digest of every file's path, mode and bytes, and of the
# index's rows, so "the store is unchanged" can be asserted.
snapshot() {
	(
		cd "$1" || exit 1
		find . -path ./lock -prune -o -print | LC_ALL=C sort | while read -r f; do
			if [ -f "$f" ]; then
				printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum < "$f" | cut -c1-64)"
			else
				printf '%s %s dir\n' "$f" "$(stat -c %a "$f")"
			fi
		done
	)
}

# expect_unchanged BEFORE_FILE DIR DESCRIPTION
expect_unchanged() {
	TESTS_RUN=$((TESTS_RUN + 1))
	snapshot "$2" > "$T/.after"
	if ! cmp -s "$1" "$T/.after"; then
		fail "$3: the store changed"
		diff "$1" "$T/.after" | sed 's/^/    /' >&2
	fi
}

# new_ca DIR [init options]: a CA with an unencrypted key for tests.
new_ca() {
	dir=$1; shift
	# init's summary is a message, on stderr: shown only when init fails.
	if ! "$SIPCA" -d "$dir" init --domain example.com --no-passphrase --key p256 "$@" \
	    >/dev/null 2>"$T/.new_ca.err"; then
		cat "$T/.new_ca.err" >&2
		return 1
	fi
}

# server_only_cert CA_DIR CN OUT: with certtool (not sipca), OUT.pem and
# OUT.key, a certificate for TLS servers only (CN, DNS:CN.example.com)
# signed by the key of new_ca's CA_DIR.
server_only_cert() {
	cat > "$3.tmpl" <<EOF
cn = "$2"
dns_name = "$2.example.com"
tls_www_server
signing_key
encryption_key
expiration_days = 30
EOF
	certtool --generate-privkey --key-type ecdsa --outfile "$3.key" >/dev/null 2>&1 &&
	certtool --generate-certificate --load-privkey "$3.key" --load-ca-certificate \
	    "$1/ca.pem" --load-ca-privkey "$1/ca.key" --template "$3.tmpl" \
	    --outfile "$3.pem" >/dev/null 2>&1
}

# free_port: an unused TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_bg LOGFILE COMMAND...: starts a background process (bounded by
# timeout), remembers its pid in $BG_PID and for cleanup.
start_bg() {
	start_bg_within 120 "$@"
}

# start_bg_within SECONDS LOG CMD...: start_bg with another bound.
start_bg_within() {
	limit=$1; log=$2; shift 2
	timeout "$limit" "$@" >"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# stop_bg PID
stop_bg() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	BG_PIDS=$(echo "$BG_PIDS" | sed "s/ $1\b//")
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s at most).
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# start_serve LOG [serve options]: sipca serve on the store $CA, on two
# free loopback ports, HTTPS on $HTTPS (presenting $HOST's certificate)
# and HTTP on $HTTP; its pid in $SERVE.
start_serve() {
	log=$1; shift
	HTTPS=$(free_port)
	HTTP=$(free_port)
	start_bg "$log" "$SIPCA" -d "$CA" serve --listen 127.0.0.1:$HTTPS \
	    --http 127.0.0.1:$HTTP --name $HOST "$@"
	SERVE=$BG_PID
	wait_port $HTTPS && wait_port $HTTP
}

# get URL [curl options]: the body into $T/body, "CODE TYPE" into $T/got.
# HTTPS is verified against the CA as exported, for the name $HOST.
get() {
	url=$1; shift
	curl -sS --max-time 10 --cacert "$CA/ca.pem" \
	    --resolve $HOST:$HTTPS:127.0.0.1 -o "$T/body" \
	    -w '%{http_code} %{content_type}\n' "$@" "$url" > "$T/got" 2>"$T/curl.err"
}

# sip_send OUT CLIENT...: sends $T/options.sip (a SIP request the script
# wrote) through CLIENT, keeping its stdin open until an answer or a
# failure shows in OUT (5 s at most).
sip_send() {
	out=$1; shift
	: > "$out"
	{
		cat "$T/options.sip"
		i=0
		while [ $i -lt 50 ] && ! grep -q -i -e '^SIP/2.0 ' -e 'error' \
		    -e 'alert' -e 'terminated' -e 'closed' "$out"; do
			sleep 0.1
			i=$((i + 1))
		done
	} | "$@" > "$out" 2>&1
}

# finish: the script's result; call it last.
finish() {
	echo "$(basename "$0" .sh): $TESTS_RUN checks, $TESTS_FAILED failed, $TESTS_SKIPPED skipped"
	[ "$TESTS_FAILED" -eq 0 ]
}

# softhsm_token LABEL: a SoftHSM2 token made for this script in its own
# SOFTHSM2_CONF directory under $T; sets PIN, TOKEN and $T/pin. The tools
# it needs are required: make check installs softhsm2 and gnutls-bin.
softhsm_token() {
	for tool in softhsm2-util p11tool certtool openssl; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			fail "$tool is not installed (make check installs softhsm2 and gnutls-bin)"
			finish
			exit 1
		fi
	done
	PIN=73915064
	mkdir "$T/tokens"
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	    "$T/tokens" > "$T/softhsm2.conf"
	SOFTHSM2_CONF=$T/softhsm2.conf
	export SOFTHSM2_CONF
	check "make a SoftHSM2 token" timeout 30 softhsm2-util --init-token --free \
	    --label "$1" --so-pin 1029384756 --pin "$PIN"
	printf '%s\n' "$PIN" > "$T/pin"
	TOKEN="pkcs11:token=$1"
}
