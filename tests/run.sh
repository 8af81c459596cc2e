#!/bin/sh
# Runs every Check suite given as an argument, then every CLI script in
# tests/cli/, and prints one closing line: "N passed, N failed", then
# ", N skipped" when blocks of the scripts could not run here (lib.sh's
# skip, which fails instead when $CI is set).
# $SIPCA is the binary under test (a test-clock build).
#
# $SIPCA_TEST_JOBS tests run at once (default: one per CPU). Each test
# keeps its own temporary directories and, when it starts servers, its
# own ports (free_port) or network namespace (tests/netns.sh), so any two
# can run side by side; each one's output is printed whole when it ends,
# with its seconds, since CI's whole run has a time limit to keep.
set -u
here=$(cd "$(dirname "$0")" && pwd)

# run.sh --one DIR TEST: one test, its output and status into DIR.
if [ "${1:-}" = "--one" ]; then
	dir=$2 test=$3
	name=$(basename "$test" .sh)
	start=$(date +%s)
	case $test in
	*.sh) timeout "${SIPCA_TEST_TIMEOUT:-600}" sh "$test" ;;
	*) CK_FORK=yes timeout "${SIPCA_TEST_TIMEOUT:-600}" "$test" ;;
	esac > "$dir/$name.out" 2>&1
	echo $? > "$dir/$name.rc"
	{
		echo "== $name"
		cat "$dir/$name.out"
		echo "== $name: $(($(date +%s) - start)) s"
	} > "$dir/$name.log"
	# one test's lines at a time, whichever ends first
	flock "$dir/.print" cat "$dir/$name.log"
	exit 0
fi

# The scripts' skip() appends a line here for each block it skipped.
SIPCA_SKIP_LOG=$(mktemp "${TMPDIR:-/tmp}/sipca-skipped.XXXXXX")
results=$(mktemp -d "${TMPDIR:-/tmp}/sipca-results.XXXXXX")
wrapdir=
trap 'rm -f "$SIPCA_SKIP_LOG"; rm -rf "$results"; [ -z "$wrapdir" ] || rm -rf "$wrapdir"' EXIT
export SIPCA_SKIP_LOG

# $SIPCA_WRAPPER (.ci/run sets "valgrind ..."): a command every sipca the
# CLI scripts start runs under; they see a $SIPCA that execs it.
if [ -n "${SIPCA_WRAPPER:-}" ]; then
	wrapdir=$(mktemp -d "${TMPDIR:-/tmp}/sipca-wrap.XXXXXX")
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SIPCA_WRAPPER" "$SIPCA" > "$wrapdir/sipca"
	chmod 755 "$wrapdir" "$wrapdir/sipca"
	# A process told to die at a crash point (SIPCA_CRASH_AT) ends in
	# _exit() with its memory still allocated, which valgrind would report
	# as lost: scripts run those as $SIPCA_BARE, the binary itself.
	SIPCA_BARE=$SIPCA
	SIPCA=$wrapdir/sipca
	export SIPCA SIPCA_BARE
fi

# The tests, in the order their results are counted.
for suite in "$@"; do
	echo "$suite"
done > "$results/.list"
for script in "$here"/cli/*.sh; do
	[ -e "$script" ] || continue
	name=$(basename "$script" .sh)
	if [ -n "${SIPCA_TESTS:-}" ] && ! echo " $SIPCA_TESTS " | grep -q " $name "; then
		continue
	fi
	echo "$script"
done >> "$results/.list"

jobs=${SIPCA_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
xargs -d '\n' -n 1 -P "$jobs" sh "$0" --one "$results" < "$results/.list"

passed=0
failed=0
failures=""
while IFS= read -r test; do
	name=$(basename "$test" .sh)
	if [ "$(cat "$results/$name.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $name"
	fi
done < "$results/.list"

skipped=$(($(wc -l < "$SIPCA_SKIP_LOG")))
[ -n "$failures" ] && echo "failed:$failures"
if [ "$skipped" -gt 0 ]; then
	echo "skipped:"
	sed 's/^/    /' "$SIPCA_SKIP_LOG"
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
