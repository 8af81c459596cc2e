#!/bin/sh
# The conventions every command keeps (README "Output conventions",
# sipca(1) OUTPUT): data on stdout, messages on stderr; -o - is stdout;
# --help lists every value an option or the first argument takes, the
# values the parser and the completions take; a missing NAME is named.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
NONE=$T/no-store
sipca() { "$SIPCA" -d "$CA" "$@"; }

# expect_empty FILE DESCRIPTION
expect_empty() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ -s "$1" ]; then
		fail "$2: $(basename "$1") is not empty"
		sed 's/^/    /' "$1" >&2
	fi
}

# action PATTERN DESCRIPTION COMMAND...: exit 0, what it did on stderr
# (PATTERN), nothing on stdout.
action() {
	pattern=$1; desc=$2; shift 2
	if expect_exit 0 "$desc" "$@"; then
		expect_grep "$pattern" "$T/stderr" "$desc: its status on stderr"
		expect_empty "$T/stdout" "$desc: nothing on stdout"
	fi
}

# data PATTERN DESCRIPTION COMMAND...: exit 0, the data on stdout
# (PATTERN), nothing on stderr.
data() {
	pattern=$1; desc=$2; shift 2
	if expect_exit 0 "$desc" "$@"; then
		expect_grep "$pattern" "$T/stdout" "$desc: the data on stdout"
		expect_empty "$T/stderr" "$desc: nothing on stderr"
	fi
}

# ---- actions say what they did on stderr, data goes to stdout ----
action "^created the SIP CA 'example.com SIP CA' for example.com in $CA" "init" \
    "$SIPCA" -d "$CA" init --domain example.com --no-passphrase --key p256
expect_grep "^  key          $CA/ca.key (unencrypted)" "$T/stderr" "init: the key line too"
action "^issued server certificate 'sip.example.com', serial " "issue server" \
    sipca issue server sip.example.com --key p256
for line in "  SAN    URI:sip:example.com" "  cert   $CA/issued/sip.example.com/cert.pem" \
    "  key    $CA/issued/sip.example.com/key.pem" "  chain  $CA/issued/sip.example.com/chain.pem"; do
	expect_grep "^$line" "$T/stderr" "issue: '$line' on stderr"
done
action "^issued device certificate 'alice', serial " "issue device" \
    sipca issue device alice --key p256
action "^issued device certificate 'bob', serial " "issue device bob" \
    sipca issue device bob --key p256
printf 'kind,name\ndevice,carol\ndevice,dave\n' > "$T/rows.csv"
action "^issued 2, skipped 0 (already valid), failed 0 in " "issue --batch" \
    sipca issue --batch "$T/rows.csv"

data "^would renew device 'alice' (serial [0-9a-f]*, until .*) for 825 days" \
    "renew --dry-run: the plan is data" sipca renew alice --dry-run
data "^would renew 'alice'" "renew --expiring --dry-run: the plan is data" \
    sipca renew --expiring 4000 --dry-run
expect_grep "^[0-9]* to renew$" "$T/stdout" "renew --expiring --dry-run: its count is data too"
action "^renewed device 'alice': serial [0-9a-f]* -> [0-9a-f]*, valid until " "renew" \
    sipca renew alice
action "^nothing expires within 1 day$" "renew --expiring, nothing due" \
    sipca renew --expiring 1
action "^revoked serial [0-9a-f]* of bob at " "revoke" sipca revoke bob
expect_grep "^CRL number [0-9]*, 1 revoked: $CA/crl.pem$" "$T/stderr" "revoke: the CRL line on stderr"
action "^'bob' has no current certificate: serial [0-9a-f]* was revoked already at " \
    "revoke again: the note on stderr" sipca revoke bob
action "^CRL number [0-9]*, 1 revoked, thisUpdate " "crl" sipca crl
expect_grep "^  crl    $CA/crl.pem$" "$T/stderr" "crl: the file line on stderr"
action "^crl-url http://crl.example.com/sip.crl: certificates issued or renewed from now on carry it$" \
    "config crl-url URL" sipca config crl-url http://crl.example.com/sip.crl
action "^crl-url unset: " "config crl-url --unset" sipca config crl-url --unset
mkdir "$T/out"
action "^wrote the CA certificate to $T/out/ca.pem$" "export -o FILE" \
    sipca export -o "$T/out/ca.pem"
action "^rollover started in $CA" "rollover start" sipca rollover start --no-passphrase
expect_grep "^  next root  *$CA/next-root.pem" "$T/stderr" "rollover start: its file lines on stderr"
data "^rollover: started" "rollover status" sipca rollover status
action "^rollover aborted: " "rollover abort" sipca rollover abort

data "^alice  *device " "list" sipca list
data '"name": "alice"' "list --json" sipca list --json
data "^SHA-256 " "show" sipca show alice
data "^domain  *example.com$" "config" sipca config
data "^example.com$" "config KEY" sipca config domain
data "^checked $CA: the CA and " "check" sipca check
data "^ok\|finding\|: " "lint" sipca lint "$CA/issued/sip.example.com/cert.pem" --sip-domain example.com
data "^usage: sipca crl" "--help" sipca crl --help
data "^issue" "completions" sipca __complete line is
data "^\.TH SIPCA 1" "the manual" sipca __man

# ---- -o -: the data alone on stdout, the messages on stderr ----
snapshot "$CA" > "$T/before"
if expect_exit 0 "crl -o -" sipca crl -o -; then
	check "crl -o -: stdout is a CRL openssl reads" openssl crl -in "$T/stdout" -noout
	check "crl -o -: stdout is the CRL and nothing else" cmp -s "$T/stdout" "$CA/crl.pem"
	expect_grep "^CRL number [0-9]*, 1 revoked" "$T/stderr" "crl -o -: the summary on stderr"
	expect_grep "^  copy   stdout$" "$T/stderr" "crl -o -: the copy is named stdout"
	check "crl -o -: no file named -" test ! -e ./-
fi
if expect_exit 0 "crl -o - --der" sipca crl -o - --der; then
	cp "$T/stdout" "$T/crl.der"
	check "crl -o - --der: stdout is a DER CRL openssl reads" \
	    openssl crl -inform DER -in "$T/crl.der" -noout
	openssl crl -in "$CA/crl.pem" -outform DER -out "$T/want.der"
	check "crl -o - --der: stdout is the store's CRL in DER, nothing else" cmp -s "$T/crl.der" "$T/want.der"
	expect_grep "^  copy   stdout (DER)$" "$T/stderr" "crl -o - --der: the copy line on stderr"
fi
mkdir "$T/work"
if expect_exit 0 "crl -o ./-: a file named -" sh -c 'cd "$1" && "$2" -d "$3" crl -o ./-' \
    sh "$T/work" "$SIPCA" "$CA"; then
	check "crl -o ./-: the file - is the CRL" cmp -s "$T/work/-" "$CA/crl.pem"
	expect_empty "$T/stdout" "crl -o ./-: nothing on stdout"
	expect_grep "^  copy   ./-$" "$T/stderr" "crl -o ./-: the copy is the file"
fi
if expect_exit 0 "export -o -" sipca export alice -o -; then
	check "export -o -: stdout is the certificate" openssl x509 -in "$T/stdout" -noout
	check "export -o -: the certificate and its CA, nothing else" cmp -s "$T/stdout" "$CA/issued/alice/chain.pem"
	expect_grep "^SHA-256 fingerprint: " "$T/stderr" "export -o -: the fingerprints on stderr"
fi
# Binary data never goes to a terminal (script(1) gives the command one).
if command -v script >/dev/null 2>&1; then
	snapshot "$CA" > "$T/before"
	expect_exit 2 "crl -o - --der to a terminal" \
	    script -qec "'$SIPCA' -d '$CA' crl -o - --der" /dev/null
	expect_grep "a DER CRL is binary: not written to a terminal" "$T/stdout" \
	    "crl -o - --der to a terminal: refused with a reason"
	expect_unchanged "$T/before" "$CA" "crl -o - --der to a terminal"
else
	skip "crl -o - --der to a terminal" "script(1) is not installed"
fi

# ---- a missing NAME says what is missing, then the usage ----
# missing CMD PATTERN WORDS...: exit 2, PATTERN first on stderr, then the usage.
missing() {
	cmd=$1; pattern=$2; shift 2
	if expect_exit 2 "$cmd $*: a missing operand" "$SIPCA" -d "$NONE" "$cmd" "$@"; then
		TESTS_RUN=$((TESTS_RUN + 1))
		first=$(head -1 "$T/stderr")
		case $first in
		"sipca: $cmd: "*) ;;
		*) fail "$cmd $*: the first line names no missing operand: $first" ;;
		esac
		expect_grep "^sipca: $cmd: $pattern" "$T/stderr" "$cmd $*: what is missing"
		expect_grep "^usage: sipca $cmd " "$T/stderr" "$cmd $*: the usage follows"
		expect_empty "$T/stdout" "$cmd $*: nothing on stdout"
	fi
}
missing issue "missing the kind (server or device) and the name$"
missing issue "missing the server's name: issue server FQDN$" server
missing issue "missing the device's name: issue device NAME$" device
missing issue "unexpected argument: 'extra'$" server a extra
missing show "missing NAME or FILE: the certificate to show$"
missing show "unexpected argument: 'b'$" a b
missing probe "missing HOST\[:PORT\]: the server to probe$"
missing probe "unexpected argument: 'b'$" a b
missing renew "give .*NAME"
missing revoke "give either NAME or --serial HEX$"
missing lint "no input: name files, directories or '-'$"
missing probe "missing HOST"
# The probe's wrapped usage line: indented under the first, no blank
# where the command name belongs (and so with --help).
expect_grep "^                   \[--connect ADDR\[:PORT\]\]" "$T/stderr" "probe: the wrapped usage line"
expect_no_grep "or: sipca  " "$T/stderr" "probe: no blank for the command"
expect_exit 0 "probe --help" "$SIPCA" probe --help
expect_grep "^usage: sipca probe HOST\[:PORT\] " "$T/stdout" "probe --help: the usage names the command"
expect_no_grep "or: sipca  \|^   or: sipca *\[" "$T/stdout" "probe --help: no blank for the command"

# ---- --help lists the values each option and the first argument take ----
# help_block HELP LONG: the option's line and the lines under it.
help_block() {
	awk -v opt="--$2" '
	    index($0, opt " ") > 0 && $0 ~ /^  (-., |    )--/ { split($0, w, " "); if (w[1] == opt || w[2] == opt) { on = 1; print; next } }
	    on && /^                               / { print; next }
	    { on = 0 }' "$1"
}
# parser_list FILE: the words of the list a rejection ends with, sorted.
parser_list() {
	head -1 "$1" | sed -n 's/.*(\(.*\))$/\1/p' | sed 's/^one of //; s/^profiles: //' |
	    tr ', ' '\n\n' | grep -v '^or$' | grep -v '^$' | LC_ALL=C sort
}
words_sorted() { printf '%s\n' $1 | LC_ALL=C sort; }

TESTS_RUN=$((TESTS_RUN + 1))
"$SIPCA" __complete commands | cut -f1 > "$T/commands"
[ "$(wc -l < "$T/commands")" -ge 13 ] || fail "__complete commands lists $(wc -l < "$T/commands") commands"
enumerated=0
for cmd in $(cat "$T/commands"); do
	"$SIPCA" "$cmd" --help > "$T/help" 2>&1 || fail "$cmd --help"
	"$SIPCA" __complete options "$cmd" | awk -F'\t' '$4 != "" { print $1 "\t" $4 }' > "$T/opts"
	while IFS='	' read -r long values; do
		words=
		for v in $(echo "$values" | tr ',' ' '); do
			case $v in
			# A list value: its words are the completions'.
			@profile) words="$words $("$SIPCA" __complete values @profile | grep -v '^:')" ;;
			# Files, directories, store names; lint's rules are
			# listed by 'lint --list-rules' (40 and more).
			@*) ;;
			*) words="$words $v" ;;
			esac
		done
		[ -n "$words" ] || continue
		enumerated=$((enumerated + 1))
		help_block "$T/help" "${long#--}" > "$T/block"
		for w in $words; do
			TESTS_RUN=$((TESTS_RUN + 1))
			grep -qw -e "$w" "$T/block" || fail "$cmd --help: '$w' of $long not listed: $(cat "$T/block")"
		done
		# What the parser says it takes is what completions offer and
		# --help lists; each of those it takes.
		if expect_exit 2 "$cmd $long %bogus%" "$SIPCA" -d "$NONE" "$cmd" "$long" %bogus%; then
			parser_list "$T/stderr" > "$T/parser"
			words_sorted "$words" > "$T/completion"
			check "$cmd $long: the parser's list is the completions' and --help's" \
			    cmp -s "$T/parser" "$T/completion"
			reject=$(head -1 "$T/stderr" | sed "s/'%bogus%'.*//")
			for w in $words; do
				"$SIPCA" -d "$NONE" "$cmd" "$long" "$w" > /dev/null 2> "$T/err"
				TESTS_RUN=$((TESTS_RUN + 1))
				grep -qF -e "$reject" "$T/err" && fail "$cmd $long $w: refused: $(head -1 "$T/err")"
			done
		fi
	done < "$T/opts"
	# The first argument's values, as completions offer them.
	"$SIPCA" -d "$NONE" __complete line "$cmd" '' 2>/dev/null | grep -v '^:' | cut -f1 > "$T/first"
	[ -s "$T/first" ] || continue
	enumerated=$((enumerated + 1))
	if [ "$cmd" = help ]; then
		# help's argument is a command: 'sipca --help' lists them.
		"$SIPCA" --help > "$T/block"
	else
		sed -n '/^The first argument is one of:/,/^$/p' "$T/help" > "$T/block"
	fi
	for w in $(cat "$T/first"); do
		TESTS_RUN=$((TESTS_RUN + 1))
		grep -qw -e "$w" "$T/block" || fail "$cmd --help: the first argument '$w' not listed"
	done
done
TESTS_RUN=$((TESTS_RUN + 1))
# key (init, issue, renew, rollover), format (export, lint), status, kind,
# reason, role, fail-on, profile; issue's kind, rollover's step, config's key, help's command
[ "$enumerated" -ge 16 ] || fail "only $enumerated enumerated options and arguments were found"

finish
