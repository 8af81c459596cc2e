#!/bin/sh
# ACME under load (issue 16's Performance rows): bench/acme_load.py runs
# complete orders (newOrder, http-01, finalize, the certificate) from
# $BENCH_ACME_CLIENTS (16) concurrent clients against sipca serve and,
# in the same run, against Pebble (Let's Encrypt's ACME test server,
# Debian's pebble) with its sleeps off (PEBBLE_VA_NOSLEEP), every order
# validated (PEBBLE_AUTHZREUSE=0) and no nonce refused on purpose
# (PEBBLE_WFE_NONCEREJECT=0). The two take turns, $BENCH_ACME_N (1,000)
# orders a turn, and each side's rate is its best of $BENCH_ACME_ROUNDS
# (3). Then sipca serve alone runs $BENCH_ACME_MEM (10,000) more orders,
# its resident memory read after the first 1,000 and at the end.
#
# Both servers and the generator share this machine's CPUs; the rates
# are what the servers reach with the generator's load beside them,
# alike for both. sipca's store is on $BENCH_DISK (/var/tmp), a disk, as
# a CA's store is; Pebble keeps everything in memory.
#
# Everything runs in a network and mount namespace of its own (unshare):
# dnsmasq on its loopback answers 127.0.0.1 for every name in
# example.test, and the generator answers http-01 on its port 80. It
# measures and reports; it fails only on a broken run.
if [ -z "${SIPCA_BENCH_NETNS:-}" ]; then
	SIPCA_BENCH_NETNS=1; export SIPCA_BENCH_NETNS
	PATH=$PATH:/usr/sbin:/sbin; export PATH
	exec unshare -rnm sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
set -u
: "${SIPCA:?SIPCA must name the sipca binary}"
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
CLIENTS=${BENCH_ACME_CLIENTS:-16}
N=${BENCH_ACME_N:-1000}
ROUNDS=${BENCH_ACME_ROUNDS:-3}
N_MEM=${BENCH_ACME_MEM:-10000}
DISK=${BENCH_DISK:-/var/tmp}
die() { echo "bench: acme: $*" >&2; exit 1; }
for tool in pebble dnsmasq; do
	command -v $tool >/dev/null 2>&1 || die "$tool is not installed (make bench installs it: scripts/deps.sh bench)"
done
$PY -c 'import cryptography' 2>/dev/null || die "python3-cryptography is not installed"
T=$(mktemp -d "$DISK/sipca-bench-acme.XXXXXX") || die "cannot use $DISK"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {	# wait_port PORT: up to 20 s for a listener
	i=0
	while ! $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.1
	done
}
child() { pgrep -P "$1" | head -1; }	# the server under its timeout
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b > a) ? b : a }'; }
field() { awk -v k="$1" '$1 == "orders" { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"; }
row() {	# row LABEL VALUE OP TARGET
	awk -v l="$1" -v v="$2" -v op="$3" -v t="$4" 'BEGIN {
		ok = op == ">=" ? v + 0 >= t + 0 : v + 0 <= t + 0
		printf "  %-58s %7s  (target %s %s: %s)\n", l, v, op, t, ok ? "met" : "NOT met" }'
}

# Every name in the domain is 127.0.0.1, for both servers' validation.
timeout 3600 dnsmasq --port=53 --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --conf-file=/dev/null --user= --group= \
    --keep-in-foreground --address=/example.test/127.0.0.1 \
    --log-facility="$T/dnsmasq.log" >/dev/null 2>&1 &
PIDS="$PIDS $!"
printf 'nameserver 127.0.0.1\n' > "$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || die "cannot bind a resolv.conf in the namespace"
printf '127.0.0.1 localhost\n' > "$T/hosts"
mount --bind "$T/hosts" /etc/hosts || die "cannot bind a hosts file in the namespace"
i=0
until $PY -c 'import socket; socket.gethostbyname("ca.example.test")' 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || die "dnsmasq does not answer"; sleep 0.1
done

CA=$T/ca
"$SIPCA" -d "$CA" init --domain example.test --no-passphrase --key p256 \
    --crl-url http://ca.example.test/sip.crl >/dev/null 2>"$T/err" &&
    "$SIPCA" -d "$CA" issue server ca.example.test >/dev/null 2>>"$T/err" ||
    { cat "$T/err" >&2; die "cannot make the store"; }
# One EAB key opens one account: CLIENTS a generator run.
runs=$((ROUNDS + 1))
k=0
while [ $k -lt $((CLIENTS * runs)) ]; do
	"$SIPCA" -d "$CA" acme eab new "bench$k" --json 2>/dev/null |
	    $PY -c 'import json, sys; d = json.load(sys.stdin); print(d["kid"], d["hmac"])' \
	    >> "$T/eab.all" || die "cannot make EAB keys"
	k=$((k + 1))
done
eab_for() { sed -n "$(($1 * CLIENTS + 1)),$((($1 + 1) * CLIENTS))p" "$T/eab.all" > "$T/eab"; }

SP=$(free_port)
timeout 3600 "$SIPCA" -d "$CA" serve --listen 127.0.0.1:$SP --name ca.example.test \
    --orders-per-hour 0 --timeout 60 >"$T/serve.log" 2>&1 &
SERVE=$!
PIDS="$PIDS $SERVE"
wait_port $SP || { tail "$T/serve.log" >&2; die "sipca serve does not listen"; }

PP=$(free_port) PM=$(free_port)
cat > "$T/pebble.json" <<EOF
{ "pebble": { "listenAddress": "127.0.0.1:$PP", "managementListenAddress": "127.0.0.1:$PM",
  "certificate": "$CA/issued/ca.example.test/cert.pem",
  "privateKey": "$CA/issued/ca.example.test/key.pem",
  "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "",
  "externalAccountBindingRequired": false } }
EOF
PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 \
    timeout 3600 pebble -config "$T/pebble.json" -dnsserver 127.0.0.1:53 >"$T/pebble.log" 2>&1 &
PEBBLE=$!
PIDS="$PIDS $PEBBLE"
wait_port $PP || { tail "$T/pebble.log" >&2; die "pebble does not listen"; }

# load NAME URL OUT [generator options]: one generator run.
load() {
	name=$1 url=$2 out=$3; shift 3
	timeout 1800 $PY "$here/acme_load.py" "$url" "$CA/ca.pem" "$CLIENTS" "$@" > "$out" 2>"$out.err" ||
	    { cat "$out" "$out.err" >&2; die "the generator failed against $name"; }
}

echo "acme: $CLIENTS clients, orders of one name each with http-01, on $(nproc) CPUs (load $(cut -d' ' -f1-3 /proc/loadavg))"
S_RATE="" P_RATE="" S_P99="" S_P50="" P_P99="" P_P50=""
r=0
while [ $r -lt "$ROUNDS" ]; do
	eab_for $r
	load sipca "https://ca.example.test:$SP/acme/directory" "$T/s$r" "$N" --eab "$T/eab"
	load pebble "https://ca.example.test:$PP/dir" "$T/p$r" "$N"
	echo "  round $((r + 1)): sipca $(sed -n 's/^orders //p' "$T/s$r")"
	echo "           pebble $(sed -n 's/^orders //p' "$T/p$r")"
	S_RATE=$(max "$S_RATE" "$(field rate "$T/s$r")")
	P_RATE=$(max "$P_RATE" "$(field rate "$T/p$r")")
	S_P50=$(min "$S_P50" "$(field p50_ms "$T/s$r")")
	S_P99=$(min "$S_P99" "$(field p99_ms "$T/s$r")")
	P_P50=$(min "$P_P50" "$(field p50_ms "$T/p$r")")
	P_P99=$(min "$P_P99" "$(field p99_ms "$T/p$r")")
	r=$((r + 1))
done
PRSS=$(rss "$(child "$PEBBLE")")
kill "$PEBBLE" 2>/dev/null

eab_for "$ROUNDS"
SPID=$(child "$SERVE")
RSS0=$(rss "$SPID")
load sipca "https://ca.example.test:$SP/acme/directory" "$T/mem" "$N_MEM" --eab "$T/eab" \
    --pid "$SPID" --marks "1000,$N_MEM"
RSS1=$(awk '$1 == "rss_kib" && $2 == 1000 { print $3 }' "$T/mem")
RSS2=$(awk -v n="$N_MEM" '$1 == "rss_kib" && $2 == n { print $3 }' "$T/mem")
echo "  sipca, $N_MEM more orders: $(sed -n 's/^orders //p' "$T/mem")"
later="$((RSS1 / 1024)) MiB 1000 orders later"
[ "$N_MEM" -ne 1000 ] && later="$later, $((RSS2 / 1024)) MiB $N_MEM orders later"
echo "  resident memory: sipca $((RSS0 / 1024)) MiB after $((N * ROUNDS)) orders," \
    "$later; pebble $((PRSS / 1024)) MiB after $((N * ROUNDS))"
echo
echo "issue 16's Performance rows, measured in this run (best of $ROUNDS):"
row "orders/s, sipca vs Pebble ($S_RATE vs $P_RATE)" \
    "$(awk -v a="$S_RATE" -v b="$P_RATE" 'BEGIN { printf "%.2f", a / b }')" ">=" 2
row "sipca p99 latency of an order, ms (p50 $S_P50; Pebble $P_P50/$P_P99)" "$S_P99" "<=" 200
row "sipca memory, $N_MEM orders vs 1,000 (ratio of RSS)" \
    "$(awk -v a="$RSS2" -v b="$RSS1" 'BEGIN { printf "%.2f", a / b }')" "<=" 1.1
