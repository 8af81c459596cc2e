#!/bin/sh
# Fleet provisioning speed: sipca issue --batch against the bare GnuTLS
# rate (bench/raw_rate.c) and against the shell loop around certtool that
# admins write today, plus scaling with --jobs, with the store's size,
# and the peak memory of a 10,000-certificate batch.
#
# It measures and reports; it does not fail on a missed target (that is
# for a person to judge on the machine at hand), only on a broken run.
set -u
: "${SIPCA:?SIPCA must name the sipca binary}"
: "${BUILD:?BUILD must name the build directory}"
RAW=$BUILD/bench/raw_rate
N_EC=${BENCH_EC:-10000}
N_RSA=${BENCH_RSA:-200}
N_LOOP=${BENCH_LOOP:-500}
N_SMALL=${BENCH_SMALL:-1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/sipca-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE OP LIMIT: "met" or "NOT met"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = op == ">=" ? v >= l : v <= l; print ok ? "met" : "NOT met" }'; }
die() { echo "bench: $*" >&2; exit 1; }

# csv FILE N PREFIX KEY
csv() {
	awk -v n="$2" -v p="$3" -v k="$4" 'BEGIN {
		print "kind,name,key"
		for (i = 1; i <= n; i++) printf "device,%s%d,%s\n", p, i, k }' > "$1"
}

new_store() {
	"$SIPCA" -d "$1" init --domain example.com --no-passphrase --key p256 >/dev/null ||
	    die "init failed"
}

# batch STORE CSV JOBS: runs one batch, sets R (rate/s) and MEM (KiB).
batch() {
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$W/mem" "$SIPCA" -d "$1" issue --batch "$2" \
		    --jobs "$3" --quiet || die "batch $2 failed"
		MEM=$(tail -1 "$W/mem")
	else
		"$SIPCA" -d "$1" issue --batch "$2" --jobs "$3" --quiet ||
		    die "batch $2 failed"
		MEM=0
	fi
	t1=$(now)
	n=$(($(wc -l < "$2") - 1))
	R=$(rate "$n" "$t0" "$t1")
}

[ -x "$RAW" ] || die "$RAW is missing (make $RAW)"
echo "sipca batch benchmark on $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

set -- $("$RAW" p256 3000) ; RAW_EC=${7%/s}
set -- $("$RAW" rsa2048 40) ; RAW_RSA=${7%/s}
echo "raw GnuTLS, key + sign, 1 thread:  p256 $RAW_EC/s   rsa2048 $RAW_RSA/s"

csv "$W/ec.csv" "$N_EC" phone p256
new_store "$W/s1"
batch "$W/s1" "$W/ec.csv" 1; EC1=$R; EC1_MEM=$MEM
new_store "$W/s2"
batch "$W/s2" "$W/ec.csv" 2; EC2=$R
echo "batch p256 x$N_EC:  --jobs 1 $EC1/s (peak RSS $((EC1_MEM / 1024)) MiB)   --jobs 2 $EC2/s"

csv "$W/rsa.csv" "$N_RSA" rsa rsa2048
new_store "$W/r1"
batch "$W/r1" "$W/rsa.csv" 1; RSA1=$R
new_store "$W/r2"
batch "$W/r2" "$W/rsa.csv" 2; RSA2=$R
echo "batch rsa2048 x$N_RSA:  --jobs 1 $RSA1/s   --jobs 2 $RSA2/s"

# What admins run today: two certtool processes per certificate.
mkdir -p "$W/loop"
certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
    --outfile "$W/loop/ca.key" >/dev/null 2>&1 || die "certtool missing?"
printf 'cn = "loop SIP CA"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 3650\n' \
    > "$W/loop/ca.tmpl"
certtool --generate-self-signed --load-privkey "$W/loop/ca.key" \
    --template "$W/loop/ca.tmpl" --outfile "$W/loop/ca.pem" >/dev/null 2>&1
t0=$(now)
i=1
while [ "$i" -le "$N_LOOP" ]; do
	printf 'cn = "phone%d"\nuri = "sip:phone%d@example.com"\nsigning_key\ntls_www_client\nexpiration_days = 825\n' \
	    "$i" "$i" > "$W/loop/t"
	certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
	    --outfile "$W/loop/k$i.pem" >/dev/null 2>&1 &&
	certtool --generate-certificate --load-privkey "$W/loop/k$i.pem" \
	    --load-ca-certificate "$W/loop/ca.pem" --load-ca-privkey "$W/loop/ca.key" \
	    --template "$W/loop/t" --outfile "$W/loop/c$i.pem" >/dev/null 2>&1 ||
	    die "certtool loop failed at $i"
	i=$((i + 1))
done
t1=$(now)
LOOP=$(rate "$N_LOOP" "$t0" "$t1")
echo "certtool shell loop p256 x$N_LOOP:  $LOOP/s"

# The same 1,000 certificates into an empty store and into one holding
# the 10,000 of the --jobs 1 run above.
csv "$W/small.csv" "$N_SMALL" more p256
new_store "$W/e"
batch "$W/e" "$W/small.csv" 1; EMPTY=$R
batch "$W/s1" "$W/small.csv" 1; FULL=$R
echo "batch p256 x$N_SMALL, --jobs 1:  empty store $EMPTY/s   store with $N_EC $FULL/s"

echo
r=$(ratio "$EC1" "$RAW_EC")
echo "p256 --jobs 1 / raw GnuTLS:        $r  (target >= 0.50: $(verdict "$r" ">=" 0.5))"
r=$(ratio "$EC1" "$LOOP")
echo "p256 --jobs 1 / certtool loop:     $r  (target >= 20: $(verdict "$r" ">=" 20))"
r=$(ratio "$EC2" "$EC1")
echo "p256 --jobs 2 / --jobs 1:          $r"
r=$(ratio "$RSA2" "$RSA1")
echo "rsa2048 --jobs 2 / --jobs 1:       $r  (target >= 1.70: $(verdict "$r" ">=" 1.7))"
r=$(ratio "$RSA1" "$RAW_RSA")
echo "rsa2048 --jobs 1 / raw GnuTLS:     $r"
r=$(ratio "$EMPTY" "$FULL")
echo "slowdown, store of $N_EC vs empty:  $r  (target <= 1.20: $(verdict "$r" "<=" 1.2))"
m=$((EC1_MEM / 1024))
echo "peak RSS, $N_EC p256 batch:        $m MiB  (target <= 64: $(verdict "$m" "<=" 64))"
