#!/bin/sh
# SCEP under load (issue 17's Performance rows): bench/scep_load sends
# pre-made PKCSReq enrollments (RSA-2048 keys, AES-128, SHA-256, POST)
# from $BENCH_SCEP_CLIENTS (16) concurrent clients to sipca serve --scep
# (one-time challenges from issue --batch --scep-challenges, an EC CA,
# the RSA RA decrypting and signing) and, in the same run, to micromdm's
# scepserver (Debian scep; RSA CA, one static challenge). The two take
# turns, $BENCH_SCEP_N (1,000) enrollments a turn, each side's rate its
# best of $BENCH_SCEP_ROUNDS (3). Then sipca alone runs $BENCH_SCEP_MEM
# (10,000) more, its resident memory read after the first 1,000 and at
# the end. Both servers and the generator share this machine's CPUs.
# sipca's store is on $BENCH_DISK (/var/tmp); scepserver's depot too. It
# measures and reports; it fails only on a broken run.
set -u
: "${SIPCA:?SIPCA must name the sipca binary}"
: "${BUILD:?BUILD must name the build directory (bench/scep_load)}"
LOAD=$BUILD/bench/scep_load
CLIENTS=${BENCH_SCEP_CLIENTS:-16}
N=${BENCH_SCEP_N:-1000}
ROUNDS=${BENCH_SCEP_ROUNDS:-3}
N_MEM=${BENCH_SCEP_MEM:-10000}
KEYS=${BENCH_SCEP_KEYS:-64}
DISK=${BENCH_DISK:-/var/tmp}
die() { echo "bench: scep: $*" >&2; exit 1; }
command -v scepserver >/dev/null 2>&1 || die "scepserver is not installed (make bench installs it: scripts/deps.sh bench)"
[ -x "$LOAD" ] || die "$LOAD is missing (make bench builds it)"

T=$(mktemp -d "$DISK/sipca-bench-scep.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
	i=0
	while ! python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.1
	done
}
# challenges FILE COUNT: COUNT one-time challenges, names bench-R-I.
challenges() {
	{
		echo "kind,name"
		i=0
		while [ $i -lt "$2" ]; do echo "device,b$ROUND-$i"; i=$((i + 1)); done
	} > "$T/rows.csv"
	rm -f "$1"
	"$SIPCA" -d "$T/ca" issue --batch "$T/rows.csv" --scep-challenges "$1" \
	    --ttl 2h --quiet || die "issue --batch --scep-challenges failed"
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
# load ARGS...: scep_load's line; some refused enrollments are counted in
# it (exit 1), a broken run (exit 2) ends the bench.
load() {
	"$LOAD" "$@" 2>"$T/load.err"
	[ $? -lt 2 ] || die "scep_load $*: $(cat "$T/load.err")"
}
# rate LINE: the "R/s" of a scep_load line.
rate() { echo "$1" | sed -n 's/.* \([0-9.]*\)\/s,.*/\1/p'; }

"$SIPCA" -d "$T/ca" init --domain example.test --no-passphrase --key p256 >/dev/null 2>&1 ||
    die "sipca init failed"
"$SIPCA" -d "$T/ca" scep ra >/dev/null 2>&1 || die "sipca scep ra failed"
SP=$(port)
timeout 3600 "$SIPCA" -d "$T/ca" serve --scep --no-acme --http 127.0.0.1:$SP \
    > "$T/serve.log" 2>&1 &
PIDS="$PIDS $!"
SERVE=$!
wait_port "$SP" || die "sipca serve did not start: $(cat "$T/serve.log")"
SIPCA_PID=$(pgrep -P "$SERVE" | head -1)
[ -n "$SIPCA_PID" ] || SIPCA_PID=$SERVE

timeout 600 scepserver ca -init -depot "$T/depot" -keySize 2048 >/dev/null 2>&1 ||
    die "scepserver ca -init failed"
MP=$(port)
timeout 3600 scepserver -depot "$T/depot" -port "$MP" -challenge benchsecret -allowrenew 0 \
    > "$T/ref.log" 2>&1 &
PIDS="$PIDS $!"
wait_port "$MP" || die "scepserver did not start"

best_sipca=0 best_ref=0
ROUND=0
while [ $ROUND -lt "$ROUNDS" ]; do
	ROUND=$((ROUND + 1))
	challenges "$T/ch.csv" "$N"
	s=$(load "http://127.0.0.1:$SP/scep" "$T/ca/issued/scep-ra/cert.pem" \
	    "$T/ch.csv" "$N" "$CLIENTS" "$KEYS") || exit 1
	echo "sipca serve --scep, round $ROUND: $s"
	r=$(load "http://127.0.0.1:$MP/scep" "$T/depot/ca.pem" \
	    static:benchsecret "$N" "$CLIENTS" "$KEYS") || exit 1
	echo "micromdm scepserver, round $ROUND: $r"
	best_sipca=$(python3 -c "print(max($best_sipca, $(rate "$s")))")
	best_ref=$(python3 -c "print(max($best_ref, $(rate "$r")))")
done
echo "best of $ROUNDS: sipca $best_sipca/s, micromdm scepserver $best_ref/s ($(python3 -c "print('%.2f' % ($best_sipca / $best_ref if $best_ref else 0))")x)"

# Memory: flat over N_MEM enrollments (in turns of 1,000).
ROUND=mem
left=$N_MEM turn=0 first=""
while [ "$left" -gt 0 ]; do
	k=1000; [ "$left" -lt 1000 ] && k=$left
	turn=$((turn + 1)); ROUND=m$turn
	challenges "$T/ch.csv" "$k"
	load "http://127.0.0.1:$SP/scep" "$T/ca/issued/scep-ra/cert.pem" \
	    "$T/ch.csv" "$k" "$CLIENTS" "$KEYS" > "$T/mem.out" || exit 1
	[ -n "$first" ] || { first=$(rss_kb "$SIPCA_PID"); first_n=$k; }
	left=$((left - k))
done
last=$(rss_kb "$SIPCA_PID")
echo "sipca serve --scep resident memory: ${first} kB after the memory run's first $first_n enrollments, ${last} kB after all $N_MEM"
