#!/bin/sh
# fuzz/run.sh SECONDS BUILD TARGET...: runs each libFuzzer target in turn
# (one at a time: fuzzing takes a core) for SECONDS over its seeds in
# tests/fuzz/TARGET, keeping what it finds in BUILD/corpus/TARGET, and
# prints executions and coverage. A crash leaves BUILD/artifacts/TARGET-*:
# copy it into tests/fuzz/TARGET once fixed, so make check replays it.
set -u
secs=$1 build=$2
shift 2
status=0
summary=""
for t in "$@"; do
	mkdir -p "$build/corpus/$t" "$build/artifacts"
	log=$build/fuzz_$t.log
	echo "== fuzz_$t for ${secs}s"
	"$build/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	    -artifact_prefix="$build/artifacts/$t-" \
	    "$build/corpus/$t" "tests/fuzz/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	corpus=$(ls "$build/corpus/$t" | wc -l)
	line=$(printf '%-12s exit %-3s %12s execs  cov %-6s ft %-6s corpus %s' \
	    "$t" "$rc" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus")
	echo "$line"
	summary="$summary$line
"
	if [ "$rc" -ne 0 ]; then
		status=1
		grep -A30 -m1 'ERROR: \|==ERROR\|runtime error\|deadly signal' "$log"
		ls "$build/artifacts/$t-"* 2>/dev/null
	fi
done
echo "== summary"
printf '%s' "$summary"
exit $status
