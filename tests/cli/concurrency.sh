#!/bin/sh
# Concurrency: four processes each issue 100 certificates into one store
# at the same time (plain "sipca issue device" loops), while readers list,
# show and check it. Every command succeeds, none reports a locked or
# busy database, and the index records 400 distinct serials whose files
# match their rows.
. "$(dirname "$0")/../lib.sh"

WRITERS=4
EACH=${CONCURRENCY_EACH:-100}
CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue device seed --key p256 >/dev/null || fail "issue seed"

# writer W: issues EACH device certificates, counts what failed.
writer() {
	i=1 bad=0
	while [ "$i" -le "$EACH" ]; do
		if ! timeout 120 "$SIPCA" -d "$CA" issue device "w$1-$i" --key p256 \
		    >/dev/null 2>>"$T/writer$1.err"; then
			bad=$((bad + 1))
		fi
		i=$((i + 1))
	done
	echo "$bad" > "$T/writer$1.bad"
}

# reader: lists, shows and checks until the writers are done.
reader() {
	bad=0 n=0
	while [ ! -e "$T/writers.done" ]; do
		timeout 120 "$SIPCA" -d "$CA" list --json >/dev/null 2>>"$T/reader.err" || bad=$((bad + 1))
		timeout 120 "$SIPCA" -d "$CA" show seed >/dev/null 2>>"$T/reader.err" || bad=$((bad + 1))
		timeout 120 "$SIPCA" -d "$CA" check --quiet >>"$T/reader.check" 2>>"$T/reader.err" || bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$bad $n" > "$T/reader.bad"
}

reader &
rpid=$!
pids=""
w=1
while [ $w -le $WRITERS ]; do
	writer $w &
	pids="$pids $!"
	w=$((w + 1))
done
for pid in $pids; do
	wait "$pid"
done
touch "$T/writers.done"
wait "$rpid"

w=1
while [ $w -le $WRITERS ]; do
	check "writer $w: every issue succeeded" test "$(cat "$T/writer$w.bad")" -eq 0
	# stderr holds each issue's status lines (README "Output conventions")
	# and nothing else.
	grep -v "^issued device certificate 'w$w-[0-9]*', serial \|^  SAN    \|^  cert   \|^  key    \|^  chain  " \
	    "$T/writer$w.err" > "$T/writer$w.other"
	expect_no_grep . "$T/writer$w.other" "writer $w: nothing on stderr but the status lines"
	check "writer $w: one status line per certificate" \
	    test "$(grep -c '^issued device certificate' "$T/writer$w.err")" -eq "$EACH"
	w=$((w + 1))
done
set -- $(cat "$T/reader.bad")
check "the readers ran while the writers did ($2 rounds)" test "${2:-0}" -gt 0
check "every read succeeded" test "${1:-1}" -eq 0
touch "$T/reader.err" "$T/reader.check"
expect_no_grep "locked\|busy" "$T/reader.err" "no reader saw a locked or busy store"
expect_no_grep . "$T/reader.err" "readers: nothing on stderr"
expect_no_grep . "$T/reader.check" "check found no problem while the writers wrote"
cat "$T"/writer*.err > "$T/all.err" 2>/dev/null
expect_no_grep "database is locked\|busy" "$T/all.err" "no 'database is locked' reached the user"

expect_exit 0 "list" "$SIPCA" -d "$CA" list
grep -E '^w[0-9]+-[0-9]+ ' "$T/stdout" | awk '{ print $1, $3, $5 }' | sort > "$T/rows"
total=$((WRITERS * EACH))
check "$total rows recorded" test "$(wc -l < "$T/rows")" -eq $total
check "$total distinct serials" test "$(cut -d' ' -f2 "$T/rows" | sort -u | wc -l)" -eq $total
check "every row valid" test -z "$(awk '$3 != "valid"' "$T/rows")"
expect_exit 0 "check afterwards" timeout 300 "$SIPCA" -d "$CA" check
expect_grep "the CA and $((total + 1)) certificates, 0 problems" "$T/stdout" "check counts them all"
(cd "$CA/issued" && timeout 300 openssl verify -CAfile "$CA/ca.pem" w*/cert.pem) > "$T/verify" 2>&1
check "openssl verifies all $total" test "$(grep -c ': OK$' "$T/verify")" -eq $total
finish
