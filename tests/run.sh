#!/bin/sh
# Runs every Check suite given as an argument, then every CLI script in
# tests/cli/, and prints one closing line: "N passed, N failed", then
# ", N skipped" when blocks of the scripts could not run here (lib.sh's
# skip, which fails instead when $CI is set).
# $SIPCA is the binary under test (a test-clock build).
set -u
here=$(cd "$(dirname "$0")" && pwd)

# The scripts' skip() appends a line here for each block it skipped.
SIPCA_SKIP_LOG=$(mktemp "${TMPDIR:-/tmp}/sipca-skipped.XXXXXX")
wrapdir=
trap 'rm -f "$SIPCA_SKIP_LOG"; [ -z "$wrapdir" ] || rm -rf "$wrapdir"' EXIT
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
passed=0
failed=0
failures=""

for suite in "$@"; do
	if CK_FORK=yes "$suite"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $(basename "$suite")"
	fi
done

for script in "$here"/cli/*.sh; do
	[ -e "$script" ] || continue
	name=$(basename "$script" .sh)
	if [ -n "${SIPCA_TESTS:-}" ] && ! echo " $SIPCA_TESTS " | grep -q " $name "; then
		continue
	fi
	echo "== $name"
	start=$(date +%s)
	if timeout "${SIPCA_TEST_TIMEOUT:-600}" sh "$script"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $name"
	fi
	# CI's whole run has a time limit: each script's share is printed.
	echo "== $name: $(($(date +%s) - start)) s"
done

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
