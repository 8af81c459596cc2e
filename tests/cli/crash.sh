#!/bin/sh
# Crash consistency: SIGKILL a 300-certificate batch (P-256) at random
# moments, twenty times, re-running it after each kill. Afterwards the
# store opens, sipca check is clean (after its documented --repair of
# leftover temporary files, if any), every index row has its files and
# every file its row, no serial appears twice, and openssl verifies every
# certificate against the CA.
#
# The delays are random (seeded from /dev/urandom, printed so a failure
# can be replayed with CRASH_SEED=N) and scaled to how long one whole
# batch takes here, so the kills land mid-batch on a fast or a slow
# (ASan) build alike.
. "$(dirname "$0")/../lib.sh"

KILLS=${CRASH_KILLS:-20}
ROWS=300
seed=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "crash: seed $seed (CRASH_SEED=$seed to replay)"

CA=$T/ca
new_ca "$CA"

# batch_csv GENERATION: 300 device rows named gGEN-dNNN.
batch_csv() {
	awk -v g="$1" -v n=$ROWS 'BEGIN { print "kind,name"; for (i = 1; i <= n; i++) printf "device,g%02d-d%03d\n", g, i }' \
	    > "$T/gen$1.csv"
}

# How long one whole batch takes, on a scratch store.
new_ca "$T/calib"
batch_csv 0
start=$(date +%s%N)
timeout 300 "$SIPCA" -d "$T/calib" issue --batch "$T/gen0.csv" --key p256 --quiet || fail "calibration batch"
end=$(date +%s%N)
full_ms=$(( (end - start) / 1000000 ))
[ "$full_ms" -gt 0 ] || full_ms=1
echo "crash: one batch of $ROWS takes ${full_ms} ms here"

# rand N: a pseudo-random integer in [0, N) in $RAND: an LCG (glibc's
# constants) from the seed, so CRASH_SEED replays the same delays. Not
# printed for a $(...): the state must advance in this shell, not in a
# subshell, or every round would wait the same time (and with a delay past
# the batch's end, no kill would ever land).
state=$((seed % 2147483648))
rand() {
	state=$(( (state * 1103515245 + 12345) % 2147483648 ))
	RAND=$(( (state / 65536) % $1 ))
}

# Kills count when they land while the batch runs (it dies of SIGKILL);
# a batch that finished first teaches how long one takes now.
estimate_ms=$full_ms
gen=1
batch_csv $gen
kills=0 rounds=0
while [ $kills -lt $KILLS ] && [ $rounds -lt $((KILLS * 4)) ]; do
	rounds=$((rounds + 1))
	rand "$estimate_ms"
	delay_ms=$RAND
	start=$(date +%s%N)
	"$SIPCA" -d "$CA" issue --batch "$T/gen$gen.csv" --key p256 --quiet >"$T/run.out" 2>"$T/run.err" &
	pid=$!
	sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if [ $rc -eq 137 ]; then
		kills=$((kills + 1))
	elif [ $rc -eq 0 ]; then
		end=$(date +%s%N)
		estimate_ms=$(( (end - start) / 1000000 ))
		[ "$estimate_ms" -gt 0 ] || estimate_ms=1
	else
		fail "round $rounds: the batch exited $rc"
		sed 's/^/    /' "$T/run.err" >&2
	fi
	# Re-run it: it finishes what the killed one left, never twice.
	expect_exit 0 "round $rounds (killed after ${delay_ms} ms): the re-run finishes" \
	    timeout 300 "$SIPCA" -d "$CA" issue --batch "$T/gen$gen.csv" --key p256
	expect_grep "issued [0-9]*, skipped [0-9]* (already valid), failed 0" "$T/stderr" "round $rounds: re-run summary"
	done_now=$(sed -n 's/^issued \([0-9]*\), skipped \([0-9]*\).*/\1 \2/p' "$T/stderr")
	set -- $done_now
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ "$(( ${1:-0} + ${2:-0} ))" -ne $ROWS ]; then
		fail "round $rounds: issued ${1:-?} + skipped ${2:-?} is not $ROWS"
	fi
	# The next round kills a fresh batch, so every kill lands on work left.
	gen=$((gen + 1))
	batch_csv $gen
	if [ $((rounds % 8)) -eq 0 ]; then
		expect_exit 0 "round $rounds: sipca check" timeout 300 "$SIPCA" -d "$CA" check --repair --quiet
	fi
done
echo "crash: $kills kills mid-batch in $rounds rounds"
check "$KILLS kills landed while a batch ran" test "$kills" -ge "$KILLS"
batches=$((gen - 1))

# ---- the store afterwards ----
expect_exit 0 "the store opens" "$SIPCA" -d "$CA" list
cp "$T/stdout" "$T/list"
expect_exit 0 "sipca check --repair" timeout 600 "$SIPCA" -d "$CA" check --repair
cp "$T/stdout" "$T/repair"
expect_exit 0 "sipca check is clean" timeout 600 "$SIPCA" -d "$CA" check
expect_grep "the CA and $((batches * ROWS)) certificates, 0 problems" "$T/stdout" "check counted every certificate"

# Rows: one per name, each serial once.
grep -E '^g[0-9]+-d[0-9]+ ' "$T/list" | awk '{ print $1, $3, $5 }' | sort > "$T/rows"
check "one row for each name issued" test "$(wc -l < "$T/rows")" -eq $((batches * ROWS))
check "no name twice" test -z "$(cut -d' ' -f1 "$T/rows" | uniq -d)"
check "no serial twice" test -z "$(cut -d' ' -f2 "$T/rows" | sort | uniq -d)"
check "every row is valid" test -z "$(awk '$3 != "valid"' "$T/rows")"

# Files: a directory for each row and a row for each directory.
(cd "$CA/issued" && ls) | sort > "$T/dirs"
cut -d' ' -f1 "$T/rows" > "$T/names"
check "every row has its directory and every directory its row" cmp -s "$T/dirs" "$T/names"
missing=0
while read -r name serial status; do
	for f in cert.pem key.pem chain.pem; do
		[ -s "$CA/issued/$name/$f" ] || { missing=$((missing + 1)); echo "missing: $name/$f" >&2; }
	done
done < "$T/rows"
check "every row has cert.pem, key.pem and chain.pem" test $missing -eq 0
check "no staging directory or temporary file is left" \
    test -z "$(find "$CA" -name '.staging-*' -o -name '*.tmp-*')"

# Each cert.pem is its row's certificate (certtool reads them all in one go).
for name in $(cat "$T/names"); do
	cat "$CA/issued/$name/cert.pem"
done > "$T/all.pem"
timeout 300 certtool --certificate-info --infile "$T/all.pem" 2>/dev/null |
    awk '/^\tSerial Number \(hex\):/ { s = $4 } /^\tSubject: CN=/ { sub(/^\tSubject: CN=/, ""); print $0, s }' |
    sort > "$T/files"
cut -d' ' -f1,2 "$T/rows" > "$T/rowserials"
check "each cert.pem holds the serial its row records" cmp -s "$T/files" "$T/rowserials"

# openssl verifies every certificate against the CA.
(cd "$CA/issued" && timeout 600 openssl verify -CAfile "$CA/ca.pem" */cert.pem) > "$T/verify" 2>&1
check "openssl verified every certificate" test "$(grep -c ': OK$' "$T/verify")" -eq $((batches * ROWS))
check "openssl found nothing wrong" test -z "$(grep -v ': OK$' "$T/verify")"

# ---- renewals killed: the path that replaces files in issued/NAME ----
# The calibration store's 300 certificates, renewed all at once and
# killed mid-way, ten times; each renewal supersedes a row and keeps the
# old certificate in history/.
RENEW_KILLS=${CRASH_RENEW_KILLS:-10}
estimate_ms=$((full_ms * 3))
kills=0 rounds=0
while [ $kills -lt "$RENEW_KILLS" ] && [ $rounds -lt $((RENEW_KILLS * 4)) ]; do
	rounds=$((rounds + 1))
	rand "$estimate_ms"
	delay_ms=$RAND
	start=$(date +%s%N)
	"$SIPCA" -d "$T/calib" renew --expiring 36500 >"$T/run.out" 2>"$T/run.err" &
	pid=$!
	sleep "$(awk -v ms="$delay_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if [ $rc -eq 137 ]; then
		kills=$((kills + 1))
	elif [ $rc -eq 0 ]; then
		end=$(date +%s%N)
		estimate_ms=$(( (end - start) / 1000000 ))
		[ "$estimate_ms" -gt 0 ] || estimate_ms=1
	else
		fail "renew round $rounds: exit $rc"
		sed 's/^/    /' "$T/run.err" >&2
	fi
	expect_exit 0 "renew round $rounds (killed after ${delay_ms} ms): check" \
	    timeout 300 "$SIPCA" -d "$T/calib" check --repair --quiet
done
echo "crash: $kills renewals killed mid-run in $rounds rounds"
check "$RENEW_KILLS kills landed while renewals ran" test "$kills" -ge "$RENEW_KILLS"
expect_exit 0 "after the killed renewals, check is clean" timeout 300 "$SIPCA" -d "$T/calib" check
expect_exit 0 "list every row" "$SIPCA" -d "$T/calib" list
grep -E '^g00-d[0-9]+ ' "$T/stdout" | awk '{ print $1, $3, $5 }' > "$T/rrows"
check "no serial twice among renewals" test -z "$(cut -d' ' -f2 "$T/rrows" | sort | uniq -d)"
check "one valid certificate per name" test "$(awk '$3 == "valid" { print $1 }' "$T/rrows" | sort -u | wc -l)" -eq $ROWS
check "and no more" test "$(awk '$3 == "valid"' "$T/rrows" | wc -l)" -eq $ROWS
(cd "$T/calib/issued" && timeout 600 openssl verify -CAfile "$T/calib/ca.pem" */cert.pem */history/*.pem) > "$T/rverify" 2>&1
check "openssl verifies the current and the superseded certificates" test -z "$(grep -v ': OK$' "$T/rverify")"
check "each superseded row has its history file" \
    test "$(ls "$T/calib"/issued/*/history/*.pem | wc -l)" -eq "$(awk '$3 == "superseded"' "$T/rrows" | wc -l)"

finish
