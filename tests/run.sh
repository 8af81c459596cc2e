#!/bin/sh
# Runs every Check suite given as an argument, then every CLI script in
# tests/cli/, and prints one closing line: "N passed, N failed".
# $SIPCA is the binary under test (a test-clock build).
set -u
here=$(cd "$(dirname "$0")" && pwd)
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
	if timeout "${SIPCA_TEST_TIMEOUT:-600}" sh "$script"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $name"
	fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
