#!/bin/sh
# sipca issue --batch's progress line (issue 14): per certificate, with a
# rate and an ETA, on a terminal only. The terminal is a pseudo-terminal
# from script(1) (util-linux); every run is bounded by timeout.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"

# rows FILE N PREFIX KEY: a header and N device rows of key type KEY.
rows() {
	echo "kind,name,uri,dns,ip,key,days,csr" > "$1"
	seq 1 "$2" | sed "s/.*/device,$3&,,,,$4,,/" >> "$1"
}

# rate_limited OUT TOTAL: at most 10 redraws a second of the run (the
# summary says how long it took, under valgrind too), the total's extra.
rate_limited() {
	TESTS_RUN=$((TESTS_RUN + 1))
	secs=$(sed -n 's/^issued .* in \([0-9]*\)\.[0-9]*s .*/\1/p' "$1")
	n=$(grep -c "/$2  " "$1")
	[ -n "$secs" ] && [ "$n" -le $(((secs + 1) * 10 + 2)) ] ||
	    fail "redraws are rate-limited: $n for $2 certificates in ${secs:-?}s"
}

# on_tty OUT COMMAND: runs the command with stdin, stdout and stderr on a
# pseudo-terminal; what the terminal got goes to OUT, each "\r" a line end
# and "ESC [ K" (erase to the end of the line) left out; OUT.lines keeps it.
on_tty() {
	out=$1; shift
	TESTS_RUN=$((TESTS_RUN + 1))
	timeout 300 script -qec "$*" /dev/null > "$out.raw" 2>&1 ||
	    fail "on a terminal: '$*' failed: $(tr '\r' '\n' < "$out.raw" | tail -3)"
	tr '\r' '\n' < "$out.raw" > "$out.lines"
	sed "s/$(printf '\033')\[K//g" "$out.lines" > "$out"
}

# RSA keys take tens of milliseconds each on one worker, so twelve of
# them last many redraws: the line must move one certificate at a time,
# where it moved by 1,024 (a store group) before.
N=12
rows "$T/rsa.csv" $N r rsa2048
on_tty "$T/tty" "'$SIPCA' -d '$CA' issue --batch '$T/rsa.csv' --jobs 1"
expect_grep "^issued $N, skipped 0" "$T/tty" "the batch ran on the terminal"
expect_grep "^$N/$N  100%  [0-9][0-9]*/s  ETA 0:00" "$T/tty" "the line ends on the total, with a rate and an ETA"
expect_grep "^[0-9]*/$N  *[0-9]*%  [0-9][0-9]*/s  ETA [0-9]*:[0-9][0-9]" "$T/tty" "a line with a rate and an ETA"
TESTS_RUN=$((TESTS_RUN + 1))
between=$(sed -n "s|^\([0-9]*\)/$N  .*|\1|p" "$T/tty" | sort -un | grep -cv "^0$\|^$N$")
[ "$between" -ge 3 ] ||
    fail "the count moves per certificate: $between counts between 0 and $N ($(grep "/$N " "$T/tty" | tr '\n' ' '))"
TESTS_RUN=$((TESTS_RUN + 1))
if sed -n "s|^\([0-9]*\)/$N  .*|\1|p" "$T/tty" | sort -c -n 2>/dev/null; then :; else
	fail "the count never goes back: $(grep "/$N " "$T/tty" | tr '\n' ' ')"
fi
rate_limited "$T/tty" $N

# Fast keys: hundreds of certificates, still at most ~10 redraws a second
# and the total reached (the count is per row done, skipped rows aside).
rows "$T/fast.csv" 400 f p256
on_tty "$T/fast" "'$SIPCA' -d '$CA' issue --batch '$T/fast.csv' --jobs 2"
expect_grep "^400/400  100%" "$T/fast" "400 rows: the line reaches the total"
expect_no_grep "^[0-9]*/[0-9]*  *[0-9]*%.*ETA.*[^K]$" "$T/fast.lines" "every redraw erases the rest of the line"
rate_limited "$T/fast" 400
# A re-run with half of the names done counts only the rows to issue.
rows "$T/half.csv" 800 f p256
on_tty "$T/half" "'$SIPCA' -d '$CA' issue --batch '$T/half.csv' --jobs 2"
expect_grep "^issued 400, skipped 400" "$T/half" "the re-run skips what is there"
expect_grep "^400/400  100%" "$T/half" "the total is what is left to issue"
expect_no_grep "^[0-9]*/800 " "$T/half" "the skipped rows are not in the count"

# Not a terminal, --quiet, or a dumb terminal: no line at all.
rows "$T/more.csv" 20 m p256
if expect_exit 0 "stderr not a terminal" "$SIPCA" -d "$CA" issue --batch "$T/more.csv"; then
	expect_no_grep "/20" "$T/stderr" "no progress when stderr is not a terminal"
	# The summary is an action's status: on stderr, and nothing else there.
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$(wc -l < "$T/stderr")" = 1 ] && grep -q '^issued 20, skipped 0' "$T/stderr" ||
	    fail "stderr holds the summary alone when it is not a terminal: $(head -3 "$T/stderr")"
fi
rows "$T/quiet.csv" 20 q p256
on_tty "$T/quiet" "'$SIPCA' -d '$CA' issue --batch '$T/quiet.csv' --quiet"
expect_no_grep "/20" "$T/quiet" "--quiet: no progress on a terminal"
rows "$T/dumb.csv" 20 d p256
on_tty "$T/dumb" "TERM=dumb '$SIPCA' -d '$CA' issue --batch '$T/dumb.csv'"
expect_grep "^issued 20," "$T/dumb" "TERM=dumb: the batch ran"
expect_no_grep "/20" "$T/dumb" "TERM=dumb: no progress line"
TESTS_RUN=$((TESTS_RUN + 1))
grep -q "$(printf '\033')" "$T/dumb.raw" && fail "TERM=dumb: no escape sequence reaches the terminal"

finish
