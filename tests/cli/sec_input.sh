#!/bin/sh
# Inputs an attacker controls (issue 11): every file a command reads is
# a regular file or an explicit '-' (a FIFO, a device or a socket is
# refused at once, never waited on); the names and the CRL URL init and
# config take are checked before anything is made; and a PKCS#11 init
# that fails after making a key on the token leaves no key behind.
# Every command that could hang runs under timeout, so a hang fails the
# check instead of blocking the suite ($SEC_INPUT_TIMEOUT seconds, 30 by
# default: valgrind in CI is slow).
. "$(dirname "$0")/../lib.sh"

TMO=${SEC_INPUT_TIMEOUT:-30}

# bad DESCRIPTION DIR COMMAND...: exit 2 with a "sipca:" message, DIR unchanged.
bad() {
	desc=$1; dir=$2; shift 2
	snapshot "$dir" > "$T/.before"
	if expect_exit 2 "$desc" timeout "$TMO" "$@"; then
		expect_grep "^sipca: " "$T/stderr" "$desc: a message"
	fi
	expect_unchanged "$T/.before" "$dir" "$desc"
}

# not_regular DESCRIPTION DIR COMMAND...: refused as not a regular file.
not_regular() {
	bad "$@"
	expect_grep "not a regular file" "$T/stderr" "$1: the message says why"
}

CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue device alice --key p256 >/dev/null || fail "issue alice"
printf 'correct horse\n' > "$T/pass"
ENC=$T/enc
"$SIPCA" -d "$ENC" init --domain example.com --key p256 --passphrase-file "$T/pass" >/dev/null ||
    fail "init with a passphrase"
"$SIPCA" -d "$ENC" issue device bob --key p256 --passphrase-file "$T/pass" >/dev/null || fail "issue bob"

F=$T/f
mkdir "$F"
mkfifo "$F/fifo"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$F/csr.key" -subj "/CN=csr.example.com" -out "$F/good.csr" 2>/dev/null ||
    fail "openssl made no CSR"

# ---- FIFOs, devices and directories as inputs ----
not_regular "issue --csr FIFO" "$CA" "$SIPCA" -d "$CA" issue server csr.example.com --csr "$F/fifo"
not_regular "issue --csr /dev/zero" "$CA" "$SIPCA" -d "$CA" issue server csr.example.com --csr /dev/zero
not_regular "issue --batch FIFO" "$CA" "$SIPCA" -d "$CA" issue --batch "$F/fifo"
printf 'kind,name,csr\nserver,csr.example.com,fifo\n' > "$F/rows.csv"
not_regular "a batch row whose csr is a FIFO" "$CA" "$SIPCA" -d "$CA" issue --batch "$F/rows.csv"
# A device node beside the CSV (a row cannot name /dev/zero itself: paths
# leave the CSV's directory only to be refused). mknod needs root, as CI has.
if mknod "$F/zero" c 1 5 2>/dev/null; then
	printf 'kind,name,csr\nserver,csr.example.com,zero\n' > "$F/rows-dev.csv"
	not_regular "a batch row whose csr is a device" "$CA" "$SIPCA" -d "$CA" issue --batch "$F/rows-dev.csv"
else
	skip "a batch row whose csr is a device" "cannot mknod (not root?)"
fi
not_regular "lint FIFO" "$CA" "$SIPCA" lint "$F/fifo"
not_regular "lint /dev/zero" "$CA" "$SIPCA" lint /dev/zero
not_regular "lint --ca FIFO" "$CA" "$SIPCA" lint --ca "$F/fifo" "$CA/ca.pem"
not_regular "show FIFO" "$CA" "$SIPCA" -d "$CA" show "$F/fifo"
not_regular "show /dev/zero" "$CA" "$SIPCA" -d "$CA" show /dev/zero
not_regular "probe --ca FIFO" "$CA" "$SIPCA" -d "$CA" probe --ca "$F/fifo" 127.0.0.1:1
bad "show a directory" "$CA" "$SIPCA" -d "$CA" show "$F"
expect_grep "directory" "$T/stderr" "show a directory: the message says so"

# A passphrase or PIN file that is a FIFO, for every command that takes one.
W=$T/w	# where init is told to make stores it must not make
mkdir "$W"
not_regular "init --passphrase-file FIFO" "$W" "$SIPCA" -d "$W/new" init --domain example.com \
    --key p256 --passphrase-file "$F/fifo"
not_regular "issue --passphrase-file FIFO" "$ENC" "$SIPCA" -d "$ENC" issue device carol --key p256 \
    --passphrase-file "$F/fifo"
not_regular "renew --passphrase-file FIFO" "$ENC" "$SIPCA" -d "$ENC" renew bob --passphrase-file "$F/fifo"
not_regular "revoke --passphrase-file FIFO" "$ENC" "$SIPCA" -d "$ENC" revoke bob --passphrase-file "$F/fifo"
not_regular "crl --passphrase-file FIFO" "$ENC" "$SIPCA" -d "$ENC" crl --passphrase-file "$F/fifo"
printf 'kind,name\ndevice,dave\n' > "$F/one.csv"
not_regular "issue --batch --passphrase-file FIFO" "$ENC" "$SIPCA" -d "$ENC" issue --batch "$F/one.csv" \
    --key p256 --passphrase-file "$F/fifo"
not_regular "export p12 --passphrase-file FIFO" "$CA" "$SIPCA" -d "$CA" export alice --format p12 \
    --passphrase-file "$F/fifo" -o "$T/alice.p12"
check "no p12 was written" test ! -e "$T/alice.p12"
check "the FIFO is still a FIFO" test -p "$F/fifo"

# '-' is standard input, which may be a pipe; /dev/stdin is a path like
# any other: a regular file behind it is read, a pipe behind it is not.
expect_exit 0 "issue --csr - from a pipe" timeout "$TMO" sh -c \
    'cat "$1" | "$2" -d "$3" issue server csr.example.com --csr -' sh "$F/good.csr" "$SIPCA" "$CA"
expect_exit 0 "lint - from a pipe" timeout "$TMO" sh -c \
    'cat "$1" | "$2" lint -' sh "$CA/ca.pem" "$SIPCA"
expect_exit 0 "show - from a pipe" timeout "$TMO" sh -c \
    'cat "$1" | "$2" show -' sh "$CA/ca.pem" "$SIPCA"
expect_exit 0 "show /dev/stdin redirected from a file" timeout "$TMO" sh -c \
    '"$2" show /dev/stdin < "$1"' sh "$CA/ca.pem" "$SIPCA"
not_regular "show /dev/stdin from a pipe" "$CA" sh -c \
    'cat "$1" | "$2" show /dev/stdin' sh "$CA/ca.pem" "$SIPCA"
expect_exit 0 "a regular file still works (control)" timeout "$TMO" "$SIPCA" lint "$CA/ca.pem"

# ---- init: names are checked before anything is made ----
LONG=$(head -c 100000 /dev/zero | tr '\0' a)
A65=$(head -c 65 /dev/zero | tr '\0' a)
A64=$(head -c 64 /dev/zero | tr '\0' a)
# name_case LABEL: the name each label stands for.
name_case() {
	case $1 in
	empty) printf '' ;;
	esc) printf 'a\033[31mb' ;;
	bel) printf 'bell\007' ;;
	newline) printf 'a\nb' ;;
	c1) printf 'a\302\205b' ;;
	not-utf8) printf 'a\377b' ;;
	del) printf 'a\177b' ;;
	65-chars) printf '%s' "$A65" ;;
	100000-chars) printf '%s' "$LONG" ;;
	esac
}
for label in empty esc bel newline c1 not-utf8 del 65-chars 100000-chars; do
	name=$(name_case "$label"; echo .)
	name=${name%.}
	expect_exit 2 "init --name $label" timeout "$TMO" "$SIPCA" -d "$T/n" init \
	    --domain example.com --no-passphrase --key p256 --name "$name" &&
	    expect_grep "invalid --name" "$T/stderr" "init --name $label: the message says so"
	expect_no_grep "$(printf '[\033\007\177]')" "$T/stderr" "init --name $label: the echo is escaped"
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$(wc -c < "$T/stderr")" -lt 1000 ] || fail "init --name $label: the echo is not cut short"
	check "init --name $label made no store" test ! -e "$T/n"
	expect_exit 2 "init --org $label" timeout "$TMO" "$SIPCA" -d "$T/n" init \
	    --domain example.com --no-passphrase --key p256 --org "$name"
	check "init --org $label made no store" test ! -e "$T/n"
	rm -rf "$T/n"
done
# The default name "DOMAIN SIP CA" is bounded too.
D60="$(head -c 56 /dev/zero | tr '\0' a).com"
expect_exit 2 "init whose default name would be 67 characters" timeout "$TMO" "$SIPCA" -d "$T/n" init \
    --domain "$D60" --no-passphrase --key p256
expect_grep "give --name" "$T/stderr" "the message says how"
check "no store made for a long default name" test ! -e "$T/n"
expect_exit 0 "init --name of 64 characters" timeout "$TMO" "$SIPCA" -d "$T/n64" init \
    --domain "$D60" --no-passphrase --key p256 --name "$A64"
expect_exit 0 "init with a UTF-8 name and org" timeout "$TMO" "$SIPCA" -d "$T/utf" init \
    --domain example.com --no-passphrase --key p256 --name "Zürich SIP CA" --org "Gemeinde Zürich"
check "the UTF-8 name is the CA's CN" sh -c \
    "openssl x509 -in '$T/utf/ca.pem' -noout -subject -nameopt utf8,sep_comma_plus | grep -q 'CN=Zürich SIP CA'"

# A key left by an interrupted init: refused before the store is touched.
mkdir "$T/half"
echo "not a key" > "$T/half/ca.key"
bad "init over a leftover ca.key" "$T/half" "$SIPCA" -d "$T/half" init --domain example.com \
    --no-passphrase --key p256
expect_grep "ca.key" "$T/stderr" "the message names ca.key"
check "no index.db was made" test ! -e "$T/half/index.db"
echo "a file" > "$W/afile"
bad "init in a path that is a file" "$W" "$SIPCA" -d "$W/afile" init --domain example.com --no-passphrase

# ---- the CRL URL: an http URL a phone can fetch, nothing else ----
for url in "http://user:pw@crl.example.com/ca.crl" "http://user@crl.example.com/ca.crl" \
    "http://crl.example.com:65536/ca.crl" "http://crl.example.com:99999999999/ca.crl" \
    "http://crl.example.com:0/ca.crl" "http://crl.example.com:/ca.crl" "http://crl.example.com:8o/ca.crl" \
    "http://crl_example.com/ca.crl" "http://-crl.example.com/" "http://crl..example.com/" \
    "http://999.0.2.1/ca.crl" "http://[::1/ca.crl" "http://[not:v6]/ca.crl" "http://[::1]x/ca.crl" \
    "http:///ca.crl" "http://" "http://crl.example.com/a'b" 'http://crl.example.com/a"b' \
    'http://crl.example.com/a\b' "http://crl.example.com/a b" "http://crl.example.com/a<b>" \
    "http://crl.example.com/a{b}" "http://crl.example.com/a|b" "http://crl.example.com/%zz" \
    "http://crl.example.com/%0a" "http://crl.example.com/ca.crl#frag" "http://crl.example.com/é" \
    "$(printf 'http://crl.example.com/\033')" "https://crl.example.com/ca.crl" "HTTP://crl.example.com/" \
    "ldap://ldap.example.com/cn=ca" "ftp://crl.example.com/ca.crl" "crl.example.com/ca.crl" \
    "http://crl.example.com/$(head -c 1100 /dev/zero | tr '\0' a)"; do
	shown=$(printf '%.48s' "$url")
	bad "config crl-url '$shown'" "$CA" "$SIPCA" -d "$CA" config crl-url "$url"
	expect_exit 2 "init --crl-url '$shown'" timeout "$TMO" "$SIPCA" -d "$T/u" init \
	    --domain example.com --no-passphrase --key p256 --crl-url "$url"
	check "init --crl-url '$shown' made no store" test ! -e "$T/u"
done
expect_exit 1 "no crl-url was stored" "$SIPCA" -d "$CA" config crl-url
for url in "http://crl.example.com/ca.crl" "http://crl.example.com:8080/sip/ca.crl" \
    "http://192.0.2.7/ca.crl" "http://[2001:db8::7]:8080/ca.crl" "http://crl.example.com/a%20b.crl?v=1&x=2" \
    "http://crl.example.com" "http://localhost/ca.crl"; do
	expect_exit 0 "config crl-url '$url'" "$SIPCA" -d "$CA" config crl-url "$url"
done
expect_exit 0 "config crl-url shows the last one" "$SIPCA" -d "$CA" config crl-url
expect_grep "^http://localhost/ca.crl$" "$T/stdout" "the URL is stored as given"
"$SIPCA" -d "$CA" config crl-url "http://[2001:db8::7]:8080/ca.crl" >/dev/null
expect_exit 0 "issue with an IPv6 CRL URL" "$SIPCA" -d "$CA" issue device erin --key p256
check "the certificate carries the URL" sh -c \
    "openssl x509 -in '$CA/issued/erin/cert.pem' -noout -ext crlDistributionPoints | grep -q 'URI:http://\[2001:db8::7\]:8080/ca.crl'"
expect_exit 0 "init --crl-url with a port" timeout "$TMO" "$SIPCA" -d "$T/u2" init --domain example.com \
    --no-passphrase --key p256 --crl-url "http://crl.example.com:8080/ca.crl"

# ---- what commands echo of their options is escaped ----
ESC=$(printf '\033]0;owned\007')
for args in "export --format $ESC" "export -o $T/x.pem -- a${ESC}b" "export alice -o $T/x.pem extra$ESC" \
    "crl --days $ESC" "crl -o $T/none/$ESC" "crl extra$ESC" "config crl-url http://a/$ESC" \
    "config no-such$ESC" "init --domain example.com --no-passphrase --key $ESC" \
    "init --domain example.com --no-passphrase --days $ESC" "init --domain ex${ESC}ample.com --no-passphrase"; do
	# shellcheck disable=SC2086
	bad "echo of '$(printf '%s' "$args" | cut -d' ' -f1-2 | tr -cd '[:print:]')'" "$CA" "$SIPCA" -d "$CA" $args
	expect_no_grep "$(printf '[\033\007]')" "$T/stderr" "echo of '$(printf '%s' "$args" | cut -d' ' -f1-2 | tr -cd '[:print:]')': escaped"
done

# ---- PKCS#11: log in first, generate after, remove the key on failure ----
softhsm_token sec-input

# objects FILE: every object on the token, one URL a line, sorted.
objects() {
	GNUTLS_PIN=$PIN timeout 30 p11tool --login --list-all "$TOKEN" 2>/dev/null |
	    sed -n 's/^[[:space:]]*URL: //p' | LC_ALL=C sort > "$1"
}

# no_orphan DESCRIPTION COMMAND...: fails (exit != 0) and the token keeps the objects it had.
no_orphan() {
	desc=$1; shift
	objects "$T/objs.before"
	TESTS_RUN=$((TESTS_RUN + 1))
	timeout 60 "$@" >"$T/stdout" 2>"$T/stderr" </dev/null
	rc=$?
	case $rc in
	2|3) ;;
	*) fail "$desc: exit $rc, wanted 2 or 3"; sed 's/^/    stderr: /' "$T/stderr" >&2 ;;
	esac
	objects "$T/objs.after"
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! cmp -s "$T/objs.before" "$T/objs.after"; then
		fail "$desc: the token's objects changed (an orphan key)"
		diff "$T/objs.before" "$T/objs.after" | sed 's/^/    /' >&2
	fi
}

objects "$T/objs.empty"
check "the token starts empty" test ! -s "$T/objs.empty"

# The PIN in the URI's path: p11-kit logs in with it for the search and
# the generation, and the new key must be opened with it too.
expect_exit 0 "init with ;pin-value= in the path" timeout 60 "$SIPCA" -d "$T/p1" init \
    --domain example.com --key p256 --pkcs11 "$TOKEN;object=pathpin;pin-value=$PIN"
expect_grep "generated there" "$T/stderr" "the key was made by this init"
check "no PIN in the store" sh -c "! grep -r -a -q -e '$PIN' -e pin-value '$T/p1'"
objects "$T/objs.p1"
check "the token holds one key pair" test "$(wc -l < "$T/objs.p1")" -eq 2

# Failures after the key is made: the store cannot be written.
mkdir "$T/p2"
: > "$T/p2/issued"
no_orphan "init fails when issued/ cannot be made" "$SIPCA" -d "$T/p2" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan1" --pin-file "$T/pin"
expect_grep "removed again" "$T/stderr" "init says it removed the key"
mkdir -p "$T/p3/lock"
no_orphan "init fails when the lock cannot be opened" "$SIPCA" -d "$T/p3" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan2" --pin-file "$T/pin"
expect_grep "removed again" "$T/stderr" "init says it removed the key (lock)"
mkdir "$T/p6"
head -c 4096 /dev/urandom > "$T/p6/index.db"
no_orphan "init fails when index.db is not a database" "$SIPCA" -d "$T/p6" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan10" --pin-file "$T/pin"
expect_grep "removed again" "$T/stderr" "init says it removed the key (index.db)"
mkdir "$T/p4"
: > "$T/p4/issued"
no_orphan "init with ;pin-value= in the path fails after the key is made" "$SIPCA" -d "$T/p4" init \
    --domain example.com --key p256 --pkcs11 "$TOKEN;object=orphan3;pin-value=$PIN"
no_orphan "init with ?pin-value= fails after the key is made" "$SIPCA" -d "$T/p4" init \
    --domain example.com --key p256 --pkcs11 "$TOKEN;object=orphan4?pin-value=$PIN"
# Failures found before the token is touched.
no_orphan "init in a path that is a file" "$SIPCA" -d "$W/afile" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan5" --pin-file "$T/pin"
no_orphan "init over a leftover ca.key" "$SIPCA" -d "$T/half" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan6" --pin-file "$T/pin"
no_orphan "init with a wrong PIN in the path" "$SIPCA" -d "$T/p5" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan7;pin-value=1111"
no_orphan "init --pin-file FIFO" "$SIPCA" -d "$T/p5" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan8" --pin-file "$F/fifo"
expect_grep "not a regular file" "$T/stderr" "a FIFO PIN file: the message says why"
no_orphan "init with a pin-source that is a FIFO" "$SIPCA" -d "$T/p5" init --domain example.com \
    --key p256 --pkcs11 "$TOKEN;object=orphan9?pin-source=$F/fifo"
expect_grep "not a regular file" "$T/stderr" "a FIFO pin-source: the message says why"
check "no store was made" test ! -e "$T/p5"
# The key made above still signs: deleting orphans touched nothing else.
expect_exit 0 "the first token CA still issues" timeout 60 "$SIPCA" -d "$T/p1" issue device frank \
    --key p256 --passphrase-file "$T/pin"
not_regular "issue with a FIFO as the PIN file" "$T/p1" "$SIPCA" -d "$T/p1" issue device gina \
    --key p256 --passphrase-file "$F/fifo"

finish
