#!/bin/sh
# Fleet provisioning speed: sipca issue --batch against the bare GnuTLS
# rate (bench/raw_rate.c), against what the disk itself needs for the same
# files (bench/raw_inodes.c), against the shell loop around certtool that
# admins write today, and with --jobs. Every ratio compares runs of this
# one invocation, each the best of $BENCH_ROUNDS (5) taken in turn (raw, --jobs 1,
# --jobs 2, raw, ...), so that a change of the machine's load shifts all
# of them alike. The CPU rows keep the disk out: their stores are on
# tmpfs ($BENCH_TMPFS); the disk rows use $BENCH_DISK.
#
# It measures and reports; it does not fail on a missed target (that is
# for a person to judge on the machine at hand), only on a broken run.
set -u
: "${SIPCA:?SIPCA must name the sipca binary}"
: "${BUILD:?BUILD must name the build directory}"
RAW=$BUILD/bench/raw_rate
INODES=$BUILD/bench/raw_inodes
N=${BENCH_N:-3000}
N_MEM=${BENCH_MEM:-10000}
N_RSA=${BENCH_RSA:-200}
N_LOOP=${BENCH_LOOP:-300}
N_SMALL=${BENCH_SMALL:-1000}
# Each side of a ratio is the best of this many runs: this VM's host takes
# its CPUs away now and then (steal time), which only ever slows a run.
ROUNDS=${BENCH_ROUNDS:-5}
TMPFS=${BENCH_TMPFS:-/dev/shm}
DISK=${BENCH_DISK:-/var/tmp}
die() { echo "bench: $*" >&2; exit 1; }
[ -x "$RAW" ] && [ -x "$INODES" ] || die "$RAW or $INODES is missing (make bench builds them)"
[ -d "$TMPFS" ] || die "no $TMPFS for the CPU rows (set BENCH_TMPFS to a tmpfs)"
W=$(mktemp -d "$TMPFS/sipca-bench.XXXXXX") || die "cannot use $TMPFS"
D=$(mktemp -d "$DISK/sipca-bench.XXXXXX") || die "cannot use $DISK"
trap 'rm -rf "$W" "$D"' EXIT INT TERM

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# rate COUNT SECONDS: per second, whole.
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
# row LABEL VALUE OP TARGET: one line of the issue's table.
row() {
	awk -v l="$1" -v v="$2" -v op="$3" -v t="$4" 'BEGIN {
		ok = op == ">=" ? v + 0 >= t + 0 : v + 0 <= t + 0
		printf "  %-58s %7s  (target %s %s: %s)\n", l, v, op, t, ok ? "met" : "NOT met" }'
}

# csv FILE N PREFIX KEY
csv() {
	awk -v n="$2" -v p="$3" -v k="$4" 'BEGIN {
		print "kind,name,key"
		for (i = 1; i <= n; i++) printf "device,%s%d,%s\n", p, i, k }' > "$1"
}

new_store() {
	rm -rf "$1"
	"$SIPCA" -d "$1" init --domain example.com --no-passphrase --key p256 \
	    >/dev/null 2>&1 || die "init $1 failed"
}

# batch STORE CSV JOBS: one batch into STORE; sets T (seconds), MEM (KiB).
batch() {
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$W/mem" "$SIPCA" -d "$1" issue --batch "$2" \
		    ${3:+--jobs "$3"} --quiet || die "batch $2 failed"
		MEM=$(tail -1 "$W/mem")
	else
		"$SIPCA" -d "$1" issue --batch "$2" ${3:+--jobs "$3"} --quiet ||
		    die "batch $2 failed"
		MEM=0
	fi
	t1=$(now)
	T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
}

# fresh_batch STORE CSV JOBS: the same, into a new store.
fresh_batch() { new_store "$1"; batch "$@"; }

# raw_time KIND COUNT: seconds of the bare GnuTLS loop.
raw_time() { set -- $("$RAW" "$1" "$2"); echo "$5"; }
# raw2_time KIND COUNT: seconds of two bare loops at once, COUNT each:
# what two CPUs of this machine give, the ceiling of any --jobs 2 row (a
# VM's two CPUs may share a core of the host).
raw2_time() {
	t0=$(date +%s.%N)
	"$RAW" "$1" "$2" > /dev/null & p=$!
	"$RAW" "$1" "$2" > /dev/null
	wait "$p"
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'
}

echo "sipca batch benchmark on $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "CPU rows: stores on $TMPFS ($(stat -f -c %T "$W")); disk rows: $DISK ($(stat -f -c %T "$D"))"
csv "$W/ec.csv" "$N" phone p256

# ---- CPU: raw, --jobs 1, --jobs 2, taken in turn ----
RAW1="" RAW2="" J1="" J2=""
for k in $(seq "$ROUNDS"); do
	RAW1=$(min "$RAW1" "$(raw_time p256 "$N")")
	RAW2=$(min "$RAW2" "$(raw2_time p256 "$N")")
	fresh_batch "$W/s" "$W/ec.csv" 1; J1=$(min "$J1" "$T")
	fresh_batch "$W/s" "$W/ec.csv" 2; J2=$(min "$J2" "$T")
done
echo "p256 x$N, best of $ROUNDS: raw GnuTLS $(rate "$N" "$RAW1")/s," \
    "--jobs 1 $(rate "$N" "$J1")/s, --jobs 2 $(rate "$N" "$J2")/s"

# ---- disk: the file system's own cost of the same inodes, then sipca ----
# Nothing is removed until the end: on ext4 without a journal, creating
# inodes right after many were deleted costs several times more (the
# allocator skips recently deleted ones, ext4_ialloc.c recently_deleted()),
# which would charge one side for the other's cleanup.
INO="" JD="" JDEF=""
for k in $(seq "$ROUNDS"); do
	set -- $("$INODES" "$D/ino$k" "$N"); INO=$(min "$INO" "$5")
	fresh_batch "$D/s$k" "$W/ec.csv" 1; JD=$(min "$JD" "$T")
	fresh_batch "$D/d$k" "$W/ec.csv" ""; JDEF=$(min "$JDEF" "$T")
done
echo "on $DISK, best of $ROUNDS: the inodes alone $(rate "$N" "$INO")/s," \
    "--jobs 1 $(rate "$N" "$JD")/s, default --jobs $(rate "$N" "$JDEF")/s"

# What admins run today: two certtool processes per certificate, same disk.
L=$D/loop
mkdir -p "$L"
certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
    --outfile "$L/ca.key" >/dev/null 2>&1 || die "certtool missing?"
printf 'cn = "loop SIP CA"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 3650\n' \
    > "$L/ca.tmpl"
certtool --generate-self-signed --load-privkey "$L/ca.key" \
    --template "$L/ca.tmpl" --outfile "$L/ca.pem" >/dev/null 2>&1
t0=$(now)
i=1
while [ "$i" -le "$N_LOOP" ]; do
	printf 'cn = "phone%d"\nuri = "sip:phone%d@example.com"\nsigning_key\ntls_www_client\nexpiration_days = 825\n' \
	    "$i" "$i" > "$L/t"
	certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
	    --outfile "$L/k$i.pem" >/dev/null 2>&1 &&
	certtool --generate-certificate --load-privkey "$L/k$i.pem" \
	    --load-ca-certificate "$L/ca.pem" --load-ca-privkey "$L/ca.key" \
	    --template "$L/t" --outfile "$L/c$i.pem" >/dev/null 2>&1 ||
	    die "certtool loop failed at $i"
	i=$((i + 1))
done
t1=$(now)
LOOP=$(awk -v n="$N_LOOP" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
echo "certtool shell loop p256 x$N_LOOP on $DISK: $LOOP/s"

# ---- RSA, the store's size, memory ----
csv "$W/rsa.csv" "$N_RSA" rsa rsa2048
R1="" R2=""
for k in $(seq "$ROUNDS"); do
	fresh_batch "$W/r" "$W/rsa.csv" 1; R1=$(min "$R1" "$T")
	fresh_batch "$W/r" "$W/rsa.csv" 2; R2=$(min "$R2" "$T")
done
RAWR=$(raw_time rsa2048 40)
echo "rsa2048 x$N_RSA: raw GnuTLS $(ratio 40 "$RAWR")/s, --jobs 1 $(rate "$N_RSA" "$R1")/s," \
    "--jobs 2 $(rate "$N_RSA" "$R2")/s"
csv "$W/mem.csv" "$N_MEM" mem p256
fresh_batch "$W/m" "$W/mem.csv" 1; MEM_BIG=$MEM
csv "$W/small.csv" "$N_SMALL" more p256
fresh_batch "$W/e" "$W/small.csv" 1; EMPTY=$T
batch "$W/m" "$W/small.csv" 1; FULL=$T
echo "p256 x$N_SMALL, --jobs 1: into an empty store ${EMPTY}s, into one of $N_MEM ${FULL}s"

echo
echo "issue 15's table, measured in this run:"
row "--jobs 1 vs raw GnuTLS (tmpfs)" "$(ratio "$RAW1" "$J1")" ">=" 0.9
row "--jobs 2 vs --jobs 1 (tmpfs)" "$(ratio "$J1" "$J2")" ">=" 1.8
echo "  (the machine: two bare GnuTLS loops at once do $(awk -v a="$RAW1" -v b="$RAW2" \
    'BEGIN { printf "%.2f", 2 * a / b }')x the work of one)"
# The disk's yardstick: the raw loop's time plus the inodes' own.
row "--jobs 1 on $DISK vs (raw + the same inodes there)" \
    "$(awk -v r="$RAW1" -v i="$INO" -v s="$JD" 'BEGIN { printf "%.2f", (r + i) / s }')" ">=" 0.9
row "default --jobs vs a certtool loop, both on $DISK" \
    "$(awk -v n="$N" -v t="$JDEF" -v l="$LOOP" 'BEGIN { printf "%.1f", n / t / l }')" ">=" 25
echo "and the rows kept from before:"
row "rsa2048 --jobs 2 vs --jobs 1" "$(ratio "$R1" "$R2")" ">=" 1.7
row "a store of $N_MEM vs an empty one, time for $N_SMALL" "$(ratio "$FULL" "$EMPTY")" "<=" 1.2
row "peak RSS of a $N_MEM batch, MiB" "$((MEM_BIG / 1024))" "<=" 64
