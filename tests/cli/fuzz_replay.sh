#!/bin/sh
# Every fuzz target's seeds and past crashers (tests/fuzz/TARGET/) through
# the target's entry point, built without libFuzzer (fuzz/replay.c): what
# crashed once must not crash again. Under VARIANT=san, with ASan+UBSan.
. "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:?BUILD must name the build directory (make check sets it)}"
n=0
for dir in "$here"/fuzz/*/; do
	t=$(basename "$dir")
	bin=$BUILD/fuzz/replay_$t
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		fail "no replay binary for the corpus tests/fuzz/$t ($bin)"
		continue
	fi
	count=$(ls "$dir" | wc -l)
	check "tests/fuzz/$t has seeds" test "$count" -gt 0
	expect_exit 0 "replay $t" timeout 300 "$bin" "$dir"
	expect_grep "replayed $count inputs" "$T/stdout" "replay $t read every seed"
done
check "there are corpora to replay" test "$n" -ge 5
finish
