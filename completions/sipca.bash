# bash completion for sipca(1).
#
# It keeps no list of its own: it hands the words typed so far to the
# sipca being completed ("sipca __complete line WORD...") and offers what
# that binary answers, so every command, option and option value of the
# installed version is there, names in the store included.

_sipca()
{
	local words=() w cur out line directive="" joined=0 i
	local -a cands=()

	# Words up to the cursor, with "--opt" "=" "value" joined back into
	# one word where COMP_WORDBREAKS split them.
	for ((i = 1; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]-}
		if [[ $w == "=" && ${#words[@]} -gt 0 && ${words[-1]} == --* &&
		    ${words[-1]} != *=* ]]; then
			words[-1]+="="
			joined=1
		elif ((joined)); then
			words[-1]+=$w
			joined=0
		else
			words+=("$w")
		fi
	done
	cur=${words[-1]-}

	out=$("${COMP_WORDS[0]}" __complete line "${words[@]}" 2>/dev/null) ||
	    return 0
	while IFS= read -r line; do
		case $line in
		:*) directive=${line#:} ;;
		*) cands+=("${line%%$'\t'*}") ;;
		esac
	done <<<"$out"

	# Readline replaces only the text after the last break character.
	if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
		cands=("${cands[@]#"${cur%=*}="}")
		cur=${cur##*=}
	fi
	COMPREPLY=("${cands[@]}")
	case $directive in
	file)
		compopt -o filenames 2>/dev/null
		while IFS= read -r line; do
			COMPREPLY+=("$line")
		done < <(compgen -f -- "$cur")
		;;
	dir)
		compopt -o filenames 2>/dev/null
		while IFS= read -r line; do
			COMPREPLY+=("$line")
		done < <(compgen -d -- "$cur")
		;;
	esac
	return 0
}

complete -F _sipca sipca
