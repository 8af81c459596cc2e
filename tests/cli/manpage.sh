#!/bin/sh
# sipca(1): the committed doc/sipca.1 is what 'sipca __man' prints now
# (so it is not stale), it renders with man -l without warnings, and it
# mentions every command and option 'sipca --help' knows, the files,
# the environment variables and every exit status.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/doc/sipca.1

check "doc/sipca.1 exists" test -f "$page"
"$SIPCA" __man > "$T/sipca.1" 2>"$T/man.err" || fail "sipca __man failed"
# The footer (.TH) carries the version, which git describe changes with
# every commit: the committed page is compared without it, and the page
# the binary prints must name the version --version prints.
sed '/^\.TH /d' "$page" > "$T/committed.body"
sed '/^\.TH /d' "$T/sipca.1" > "$T/printed.body"
if cmp -s "$T/committed.body" "$T/printed.body"; then ok; else
	fail "doc/sipca.1 is stale: run 'make man' and commit it"
	diff "$T/committed.body" "$T/printed.body" | head -20 | sed 's/^/    /' >&2
fi
version=$("$SIPCA" --version | sed -n 's/^sipca \([^ ]*\) .*/\1/p')
check "--version prints a version" test -n "$version"
expect_grep "^\.TH SIPCA 1 \"[0-9-]*\" \"sipca $version\" " "$T/sipca.1" \
    "the page's footer names the version --version prints"

for p in "$page" "$T/sipca.1"; do
	LC_ALL=C MANWIDTH=300 man --warnings -l "$p" > "$T/page.txt" 2>"$T/render.err" \
	    && ok || fail "man -l $(basename "$(dirname "$p")")/sipca.1 failed"
	if [ -s "$T/render.err" ]; then
		fail "groff warnings rendering $p"
		sed 's/^/    /' "$T/render.err" >&2
	else
		ok
	fi
done
# Checked on the page as the binary prints it, the committed one above.
[ "$(wc -l < "$T/page.txt")" -gt 100 ] && ok || fail "the page is suspiciously short"

for section in NAME SYNOPSIS DESCRIPTION "GLOBAL OPTIONS" COMMANDS FILES ENVIRONMENT \
    "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	expect_grep "^$section\$" "$T/page.txt" "section $section"
done

"$SIPCA" --help | sed -n '/^commands:/,/^$/p' | awk 'NF >= 2 { print $1 }' > "$T/commands"
[ -s "$T/commands" ] && ok || fail "no commands in 'sipca --help'"
while read -r cmd; do
	expect_grep "^   $cmd\$" "$T/page.txt" "a subsection for '$cmd'"
	expect_grep "sipca $cmd" "$T/page.txt" "synopsis of '$cmd'"
	# Every option of the command, inside its own subsection.
	sed -n "/^   $cmd\$/,/^   [a-z]*\$/p" "$T/page.txt" > "$T/section"
	"$SIPCA" help "$cmd" | grep -o -e '^  -[a-zA-Z], --[a-z0-9-]*' -e '^      --[a-z0-9-]*' \
	    | sed 's/.*\(--[a-z0-9-]*\)$/\1/' | grep -v -x -e --dir -e --help |
	while read -r opt; do
		grep -q -e "$opt" "$T/section" || echo "$cmd $opt"
	done > "$T/missing"
	if [ -s "$T/missing" ]; then
		fail "options of '$cmd' missing from the page: $(tr '\n' ' ' < "$T/missing")"
	else
		ok
	fi
done < "$T/commands"
expect_no_grep "^   __" "$T/page.txt" "hidden commands have no subsection"

# Every groff warning category too (-ww), not only man's defaults.
groff -man -ww -z "$page" > "$T/groff.err" 2>&1
check "groff -man -ww: no warnings" test ! -s "$T/groff.err"
version=$("$SIPCA" --version | sed -n 's/^sipca \([^ ]*\) .*/\1/p')
expect_grep "^sipca $version  *[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]  *SIPCA(1)\$" "$T/page.txt" \
    "the footer names the version and its date"
for word in SIPCA_DIR XDG_DATA_HOME NO_COLOR TERM ca.pem ca.key index.db "issued/NAME/key.pem"; do
	expect_grep "$word" "$T/page.txt" "mentions $word"
done
for st in 0 1 2 3; do
	expect_grep "^       $st  *[A-Z]" "$T/page.txt" "exit status $st"
done
finish
