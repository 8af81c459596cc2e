#!/bin/sh
# Shell completions: bash, zsh and fish must offer every command, every
# option and every listed option value the CLI has, and names from the
# store. The truth comes from 'sipca --help' and 'sipca CMD --help'
# (the same tables, printed another way), checked against
# 'sipca __complete', and then each shell is driven through its
# completion file.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
C=$top/completions
D=$T/ca
new_ca "$D"
"$SIPCA" -d "$D" issue device alice --key p256 >/dev/null || fail "issue alice"
"$SIPCA" -d "$D" issue server sip.example.com --key p256 >/dev/null || fail "issue server"
mkdir -p "$T/bin" "$T/work"
ln -s "$SIPCA" "$T/bin/sipca"
PATH=$T/bin:$PATH
export PATH
cd "$T/work" || exit 3
: > some-file.pem

# The commands 'sipca --help' lists and each one's options.
"$SIPCA" --help | sed -n '/^commands:/,/^$/p' | awk 'NF >= 2 { print $1 }' > "$T/commands"
[ -s "$T/commands" ] && ok || fail "no commands in 'sipca --help'"
"$SIPCA" __complete commands | cut -f1 > "$T/commands.complete"
check "__complete commands = sipca --help" cmp -s "$T/commands" "$T/commands.complete"

: > "$T/queries"; : > "$T/expected"
printf '%s\n' "" >> "$T/queries"
while read -r cmd; do
	printf '|%s\n' "$cmd" >> "$T/expected"
	"$SIPCA" help "$cmd" | grep -o -e '^  -[a-zA-Z], --[a-z0-9-]*' -e '^      --[a-z0-9-]*' \
	    | sed 's/.*\(--[a-z0-9-]*\)$/\1/' | sort > "$T/opts.help"
	[ -s "$T/opts.help" ] && ok || fail "no options in 'sipca help $cmd'"
	"$SIPCA" __complete options "$cmd" | cut -f1 | sort > "$T/opts.complete"
	if cmp -s "$T/opts.help" "$T/opts.complete"; then ok; else
		fail "__complete options $cmd differs from --help"
		diff "$T/opts.help" "$T/opts.complete" >&2
	fi
	printf '%s --\n' "$cmd" >> "$T/queries"
	sed "s/^/$cmd --|/" "$T/opts.help" >> "$T/expected"
	# Every option with a list of values offers each value.
	"$SIPCA" __complete options "$cmd" | awk -F '\t' '$4 != "" && $4 !~ /^@/ { print $1 "\t" $4 }' |
	while IFS="$(printf '\t')" read -r opt values; do
		printf '%s %s \n' "$cmd" "$opt" >> "$T/queries"
		echo "$values" | tr , '\n' | sed "s/^/$cmd $opt |/" >> "$T/expected"
	done
done < "$T/commands"

# Values that are not in an option table: store names, rules, profiles,
# files, commands.
for cmd in export show renew revoke; do
	grep -qx "$cmd" "$T/commands" || continue
	printf -- '-d %s %s \n' "$D" "$cmd" >> "$T/queries"
	printf -- '-d %s %s |alice\n-d %s %s |sip.example.com\n' "$D" "$cmd" "$D" "$cmd" >> "$T/expected"
done
if grep -qx lint "$T/commands"; then
	printf 'lint --exclude \n' >> "$T/queries"
	"$SIPCA" __complete values @rule | cut -f1 > "$T/rules"
	[ -s "$T/rules" ] && ok || fail "no lint rules to complete"
	"$SIPCA" lint --list-rules > "$T/list-rules" 2>&1
	while read -r r; do
		grep -q -F -- "$r" "$T/list-rules" && ok || fail "rule $r not in lint --list-rules"
	done < "$T/rules"
	sed 's/^/lint --exclude |/' "$T/rules" >> "$T/expected"
	printf 'lint --profile sip,\n' >> "$T/queries"
	printf 'lint --profile sip,|sip,tls\nlint --profile sip,|sip,rfc5922\n' >> "$T/expected"
fi
printf 'export -o some\nhelp \n' >> "$T/queries"
# A command's subcommands (its table's operand words): scep's, the
# static challenge's among them, and config's keys.
printf 'scep st\nconfig serve-scep\n' >> "$T/queries"
printf 'scep st|static-challenge\nconfig serve-scep|serve-scep\nconfig serve-scep|serve-scep-static\n' >> "$T/expected"
printf 'export -o some|some-file.pem\nhelp |export\n' >> "$T/expected"
sort -u "$T/expected" > "$T/expected.sorted"

# bash: the function as 'complete -F' calls it.
bash --norc --noprofile -c '
	. "$1"
	while IFS= read -r q; do
		read -ra COMP_WORDS <<<"sipca $q"
		case $q in *" "|"") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_sipca
		for c in "${COMPREPLY[@]}"; do
			w=${COMP_WORDS[COMP_CWORD]}
			printf "%s|%s\n" "$q" "${q%"$w"}$c" | sed "s/|.* \([^ ]*\)$/|\1/"
		done
	done < "$2"
' sh "$C/sipca.bash" "$T/queries" > "$T/got.bash" 2>"$T/err.bash" || fail "bash completion failed"

# zsh: _sipca with the completion system's builtins stubbed to print
# what they were given; and the file registers itself with compinit.
zsh -f -c '
	_describe() { local -a a; a=("${(@P)4}"); print -rl -- "${a[@]%%:*}" | sed "s/\\\\//g"; }
	_files() { [[ $1 == -/ ]] && print -r -- ":DIR" || print -r -- ":FILE"; }
	source "$1" >/dev/null
	while IFS= read -r q; do
		words=(sipca ${(s: :)q})
		[[ -z $q || $q == *" " ]] && words+=("")
		CURRENT=${#words}
		_sipca | while IFS= read -r c; do
			[[ $c == :FILE ]] && c=$(print -l -- ${words[CURRENT]}*(N) | head -1)
			print -r -- "$q|$c"
		done
	done < "$2"
' zsh "$C/_sipca" "$T/queries" > "$T/got.zsh" 2>"$T/err.zsh" || fail "zsh completion failed"
zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -d "$2/zcompdump"; print -r -- ${_comps[sipca]}' \
    zsh "$C" "$T" > "$T/zcomps" 2>&1
expect_grep "^_sipca$" "$T/zcomps" "compinit registers _sipca for sipca"

# fish: its own completion engine, 'complete -C'.
fish --no-config -c '
	source $argv[1]
	while read -l q
		for c in (complete -C "sipca $q" | string replace -r "\t.*" "")
			printf "%s|%s\n" "$q" "$c"
		end
	end < $argv[2]
' "$C/sipca.fish" "$T/queries" > "$T/got.fish" 2>"$T/err.fish" || fail "fish completion failed"

for sh in bash zsh fish; do
	# Bash and fish give the word being completed; strip to the word.
	sed 's/|.* \([^ |]*\)$/|\1/' "$T/got.$sh" | sort -u > "$T/got.$sh.sorted"
	comm -23 "$T/expected.sorted" "$T/got.$sh.sorted" > "$T/missing.$sh"
	if [ -s "$T/missing.$sh" ]; then
		fail "$sh completion misses $(wc -l < "$T/missing.$sh") candidates"
		sed 's/^/    /' "$T/missing.$sh" | head -20 >&2
		sed 's/^/    stderr: /' "$T/err.$sh" | head -5 >&2
	else
		ok
	fi
done
# Not an always-passing comparison: a sample must really be there.
expect_grep "^export --|--with-key$" "$T/got.fish.sorted" "fish offers --with-key"
expect_grep "^issue --key |p384$" "$T/got.bash.sorted" "bash offers key types"
expect_no_grep "__complete\|__man" "$T/got.bash.sorted" "hidden commands stay hidden"
finish
