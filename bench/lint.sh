#!/bin/sh
# Lint benchmark (not a test): a 10,000- and a 100,000-certificate PEM
# bundle of one sipca server certificate, every rule whose context is
# given, on one core. Prints certificates per second and peak RSS; the
# RSS must stay flat as the bundle grows, since certificates are read
# and linted one at a time.
#
#   SIPCA=./sipca sh bench/lint.sh      (make bench runs it)
set -u
SIPCA=${SIPCA:-$(pwd)/sipca}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "sipca: bench: lint: needs GNU time (apt-get install time)" >&2; exit 2; }
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"
T=$(mktemp -d "${TMPDIR:-/tmp}/sipca-bench-lint.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

"$SIPCA" -d "$T/ca" init --domain example.com --no-passphrase >/dev/null &&
    "$SIPCA" -d "$T/ca" issue server sip.example.com >/dev/null ||
    { echo "sipca: bench: lint: cannot make a certificate" >&2; exit 1; }
cert=$T/ca/issued/sip.example.com/cert.pem

bundle() {	# bundle N FILE: cert repeated N times
	awk -v n="$1" '{ l[NR] = $0 } END { for (i = 0; i < n; i++) for (j = 1; j <= NR; j++) print l[j] }' \
	    "$cert" > "$2"
}

run() {	# run LABEL N FILE [lint options]
	label=$1; n=$2; file=$3; shift 3
	# shellcheck disable=SC2086
	$TIME -f "%e %U %M" -o "$T/time" $PIN "$SIPCA" lint "$@" "$file" > "$T/out"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "sipca: bench: lint: exit $rc" >&2
		return 1
	fi
	tail -c 200 "$T/out" | grep -q -e "^$n certificates" -e "\"certificates\":$n," ||
	    { echo "sipca: bench: lint: wrong count: $(tail -c 200 "$T/out")" >&2; return 1; }
	read -r elapsed user rss < "$T/time"
	awk -v l="$label" -v n="$n" -v e="$elapsed" -v u="$user" -v r="$rss" 'BEGIN {
		if (e <= 0) e = 0.01
		if (u <= 0) u = 0.01
		printf "lint %-22s %7d certs  %6.2f s wall %8.0f/s  %6.2f s CPU %8.0f/s  peak RSS %5.1f MiB\n",
		    l, n, e, n / e, u, n / u, r / 1024
	}'
}

# wall CMD...: its wall time in seconds.
wall() {
	$TIME -f "%e" -o "$T/t" "$@" > /dev/null 2>&1
	tail -1 "$T/t"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
RAW=${BUILD:-}/bench/raw_parse
status=0
# The rows of the README's Performance table, as ratios measured here:
# one thread against a bare GnuTLS import + SAN read loop, and --jobs.
if [ -x "$RAW" ]; then
	bundle 10000 "$T/r.pem"
	# Each side the best of three, taken in turn, so that a change of
	# the machine's load shifts all of them. Two bare loops at once: what
	# this machine's two CPUs give (a VM's may share a core of the host).
	raw="" raw2="" one="" two=""
	for k in 1 2 3; do
		raw=$(min "$raw" "$(wall $PIN "$RAW" "$T/r.pem")")
		raw2=$(min "$raw2" "$(wall sh -c '"$0" "$1" & "$0" "$1"; wait' "$RAW" "$T/r.pem")")
		one=$(min "$one" "$(wall $PIN "$SIPCA" lint --jobs 1 "$T/r.pem")")
		two=$(min "$two" "$(wall "$SIPCA" lint --jobs 2 "$T/r.pem")")
	done
	awk -v r="$raw" -v r2="$raw2" -v o="$one" -v t="$two" 'BEGIN {
		if (o <= 0) o = 0.01; if (t <= 0) t = 0.01; if (r2 <= 0) r2 = 0.01
		printf "lint 10,000 certificates, one thread vs bare GnuTLS import + SANs: %.2f (target >= 1.2)\n", r / o
		printf "lint --jobs 2 vs --jobs 1: %.2fx (target >= 1.8; two bare loops at once do %.2fx the work of one)\n", o / t, 2 * r / r2
	}'
	rm -f "$T/r.pem"
else
	echo "sipca: bench: lint: $RAW is missing (make $RAW)" >&2
	status=1
fi
for n in 10000 100000; do
	bundle "$n" "$T/b$n.pem"
	run "default rules" "$n" "$T/b$n.pem" || status=1
	run "with --ca --sip-domain" "$n" "$T/b$n.pem" --ca "$T/ca/ca.pem" \
	    --sip-domain example.com || status=1
	run "json output" "$n" "$T/b$n.pem" --format json || true
	rm -f "$T/b$n.pem"
done
exit $status
