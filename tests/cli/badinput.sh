#!/bin/sh
# Hostile input for every command: truncated and garbage PEM/DER, a CSR
# whose signature is wrong, a 100 MB file, names with '/', '..', NUL,
# newlines or 10,000 characters, SANs that are not valid, CSV rows with
# the wrong columns or quoting, a store that is a file, unreadable or
# full. Each must end with a "sipca: ..." message and exit 2 (3 for the
# operational ones), never a crash, and leave the store as it was.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue device alice --key p256 >/dev/null || fail "issue alice"
"$SIPCA" -d "$CA" issue server sip.example.com --key p256 >/dev/null || fail "issue server"

# bad CODE DESCRIPTION COMMAND...: exits CODE with a message, store unchanged.
bad() {
	want=$1; desc=$2; shift 2
	snapshot "$CA" > "$T/.before"
	if expect_exit "$want" "$desc" timeout 60 "$@"; then
		expect_grep "^sipca: " "$T/stderr" "$desc: a message"
	fi
	expect_unchanged "$T/.before" "$CA" "$desc"
}

printf 'correct horse\n' > "$T/pass"
LONG=$(printf '%010000d' 0 | tr 0 a)
NL=$(printf 'a\nb')

# ---- fixtures, made now ----
F=$T/f
mkdir "$F"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$F/csr.key" -subj "/CN=csr.example.com" -out "$F/good.csr" 2>/dev/null ||
    fail "openssl made no CSR"
openssl req -in "$F/good.csr" -outform DER -out "$F/good.der" 2>/dev/null
head -c 4096 /dev/urandom > "$F/garbage"
: > "$F/empty"
truncate -s 100M "$F/big"
head -c 200 "$F/good.csr" > "$F/truncated.pem"
head -c 60 "$F/good.der" > "$F/truncated.der"
{ echo "-----BEGIN CERTIFICATE REQUEST-----"; echo "!!!! not base64 ????"; echo "-----END CERTIFICATE REQUEST-----"; } > "$F/badb64.pem"
{ echo "-----BEGIN CERTIFICATE REQUEST-----"; echo "-----END CERTIFICATE REQUEST-----"; } > "$F/emptyblock.pem"
# The last octet of the DER is the ECDSA signature's: flipping it keeps
# the request well formed and makes its self-signature wrong.
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-1]^=1; open(sys.argv[2],"wb").write(d)' \
    "$F/good.der" "$F/badsig.der"
openssl req -inform DER -in "$F/badsig.der" -out "$F/badsig.pem" 2>/dev/null
cp "$CA/ca.pem" "$F/a-cert.pem"
cp "$CA/issued/alice/key.pem" "$F/a-key.pem"
mkdir "$F/dir"
check "the good CSR is signable (control)" timeout 60 "$SIPCA" -d "$T/ctl" init --domain example.com --no-passphrase --key p256
check "control: issue from the good CSR works" timeout 60 "$SIPCA" -d "$T/ctl" issue server csr.example.com --csr "$F/good.csr"

# ---- issue --csr: every broken request is refused ----
for f in garbage empty big truncated.pem truncated.der badb64.pem emptyblock.pem \
    badsig.der badsig.pem a-cert.pem a-key.pem dir nonexistent; do
	bad 2 "issue --csr $f" "$SIPCA" -d "$CA" issue server csr.example.com --csr "$F/$f"
done
bad 2 "issue --csr with a bad signature names the signature" "$SIPCA" -d "$CA" issue device x --csr "$F/badsig.der"
expect_grep "[Ss]ignature" "$T/stderr" "the bad signature is named"

# ---- names ----
for name in "a/b" "../escape" ".." "." ".hidden" "$NL" "$LONG" "" "-x" "a b" "é" "a;b" "a\\b"; do
	bad 2 "issue device with name '$(printf '%.20s' "$name")'" "$SIPCA" -d "$CA" issue device -- "$name"
	bad 2 "show name '$(printf '%.20s' "$name")'" "$SIPCA" -d "$CA" show -- "$name"
	bad 2 "renew name '$(printf '%.20s' "$name")'" "$SIPCA" -d "$CA" renew -- "$name"
	bad 2 "revoke name '$(printf '%.20s' "$name")'" "$SIPCA" -d "$CA" revoke -- "$name"
	bad 2 "export name '$(printf '%.20s' "$name")'" "$SIPCA" -d "$CA" export -o "$T/x.pem" -- "$name"
done
check "nothing was written outside the store" test ! -e "$T/escape" -a ! -e "$T/ca/escape"
bad 2 "issue server with a bad FQDN" "$SIPCA" -d "$CA" issue server "a..b"
bad 2 "issue server with a 10,000-character FQDN" "$SIPCA" -d "$CA" issue server "$LONG.example.com"
bad 2 "issue for a name that holds a valid certificate" "$SIPCA" -d "$CA" issue device alice --key p256

# ---- SANs ----
for uri in "sip:@example.com" "http://example.com" "sip:" "sip:a b@example.com" "sip:alice@" \
    "sip:alice@example.com;transport=tls" "sip:a@[::1" "sip:$NL@example.com" "sip:$LONG@example.com"; do
	bad 2 "--uri '$(printf '%.30s' "$uri")'" "$SIPCA" -d "$CA" issue device bob --uri "$uri"
done
for dns in "-a.example.com" "a..example.com" "*.example.com" "exa_mple.com" "a.example.com." \
    "$LONG" "$(printf '%064d' 0).example.com" "$NL.example.com" ""; do
	bad 2 "--dns '$(printf '%.30s' "$dns")'" "$SIPCA" -d "$CA" issue server sip2.example.com --dns "$dns"
done
for ip in "999.1.1.1" "1.2.3" "::g" "1.2.3.4/24" "$LONG" ""; do
	bad 2 "--ip '$(printf '%.30s' "$ip")'" "$SIPCA" -d "$CA" issue server sip2.example.com --ip "$ip"
done

# ---- numbers and words ----
for days in 0 -1 36501 abc 99999999999999999999 "" "1 "; do
	bad 2 "issue --days '$days'" "$SIPCA" -d "$CA" issue device bob --days "$days"
done
bad 2 "issue --key rsa1024" "$SIPCA" -d "$CA" issue device bob --key rsa1024
bad 2 "issue with an unknown kind" "$SIPCA" -d "$CA" issue router bob
bad 2 "issue with an unknown option" "$SIPCA" -d "$CA" issue device bob --frobnicate
bad 2 "issue with a missing option value" "$SIPCA" -d "$CA" issue device bob --days
ENC=$T/enc
"$SIPCA" -d "$ENC" init --domain example.com --key p256 --passphrase-file "$T/pass" >/dev/null || fail "init encrypted"
for f in big empty dir nonexistent garbage; do
	snapshot "$ENC" > "$T/.enc"
	expect_exit 2 "issue --passphrase-file $f" timeout 60 "$SIPCA" -d "$ENC" issue device bob --key p256 --passphrase-file "$F/$f"
	expect_grep "^sipca: " "$T/stderr" "passphrase file $f: a message"
	expect_unchanged "$T/.enc" "$ENC" "passphrase file $f"
done
bad 2 "revoke --serial that is not hex" "$SIPCA" -d "$CA" revoke --serial zz
bad 2 "revoke --serial of 10,000 digits" "$SIPCA" -d "$CA" revoke --serial "$(printf '%010000d' 1)"
bad 2 "revoke --reason unknown" "$SIPCA" -d "$CA" revoke alice --reason because
bad 2 "crl --days 0" "$SIPCA" -d "$CA" crl --days 0
bad 2 "crl -o a directory" "$SIPCA" -d "$CA" crl -o "$F/dir"
mkfifo "$F/fifo"
bad 2 "crl -o a FIFO" "$SIPCA" -d "$CA" crl -o "$F/fifo"
check "the FIFO is still a FIFO" test -p "$F/fifo"
bad 2 "export -o a FIFO" "$SIPCA" -d "$CA" export -o "$F/fifo"
bad 2 "export --format unknown" "$SIPCA" -d "$CA" export --format jks -o "$T/x"
for f in big empty nonexistent dir; do
	bad 2 "export p12 --passphrase-file $f" "$SIPCA" -d "$CA" export alice --format p12 --passphrase-file "$F/$f" -o "$T/x.p12"
done
bad 2 "export p12 without a passphrase or terminal" "$SIPCA" -d "$CA" export alice --format p12 -o "$T/x.p12"
bad 2 "export --with-key as DER" "$SIPCA" -d "$CA" export alice --with-key --format der -o "$T/x.der"
bad 2 "export --legacy without p12" "$SIPCA" -d "$CA" export alice --legacy -o "$T/x.pem"
bad 2 "export p12 of a name not in the store" "$SIPCA" -d "$CA" export nobody --format p12 --passphrase-file "$T/pass" -o "$T/x.p12"
bad 2 "export -o a directory" "$SIPCA" -d "$CA" export alice -o "$F/dir"
check "no bundle was written" test ! -e "$T/x.p12" -a ! -e "$T/x.der" -a ! -e "$T/x.pem"
bad 2 "config with an unknown key" "$SIPCA" -d "$CA" config frobnication
bad 2 "config crl-url ftp" "$SIPCA" -d "$CA" config crl-url "ftp://example.com/crl"
bad 2 "config crl-url with a newline" "$SIPCA" -d "$CA" config crl-url "http://a$NL"
bad 2 "list --status unknown" "$SIPCA" -d "$CA" list --status lost
bad 2 "list --expiring -5" "$SIPCA" -d "$CA" list --expiring -5
bad 2 "init over an existing CA" "$SIPCA" -d "$CA" init --domain example.com --no-passphrase
bad 2 "init with a bad domain" "$SIPCA" -d "$T/new" init --domain "exa mple.com" --no-passphrase
bad 2 "init with a 10,000-character domain" "$SIPCA" -d "$T/new" init --domain "$LONG.com" --no-passphrase
bad 2 "init --permit-ip garbage" "$SIPCA" -d "$T/new" init --domain example.com --no-passphrase --name-constraints --permit-ip 10.0.0.0/99
bad 2 "init --crl-url not http" "$SIPCA" -d "$T/new" init --domain example.com --no-passphrase --crl-url "file:///x"
bad 2 "init --passphrase-file of 100 MB" "$SIPCA" -d "$T/new" init --domain example.com --passphrase-file "$F/big"
bad 2 "init --passphrase-file empty" "$SIPCA" -d "$T/new" init --domain example.com --passphrase-file "$F/empty"
check "no store was made by the refused inits" test ! -e "$T/new"
bad 2 "help for an unknown command" "$SIPCA" help frobnicate
bad 2 "an unknown command" "$SIPCA" -d "$CA" frobnicate
bad 2 "an unknown global option" "$SIPCA" --frobnicate list
bad 2 "probe with a bad port" "$SIPCA" -d "$CA" probe "host:99999"
bad 2 "probe with an empty host" "$SIPCA" -d "$CA" probe ""
bad 2 "probe --ca garbage" "$SIPCA" -d "$CA" probe 127.0.0.1:1 --ca "$F/garbage"
bad 2 "probe --timeout 0" "$SIPCA" -d "$CA" probe 127.0.0.1:1 --timeout 0

# ---- files to show and lint ----
for f in garbage empty big truncated.pem truncated.der badb64.pem a-key.pem dir; do
	bad 2 "show $f" "$SIPCA" -d "$CA" show "$F/$f"
done
# lint reports input that holds no certificate as a fatal x509.parse finding.
for f in garbage empty big truncated.der badb64.pem a-key.pem; do
	expect_exit 1 "lint $f" timeout 60 "$SIPCA" lint "$F/$f"
	expect_grep "x509.parse" "$T/stdout" "lint $f: an x509.parse finding"
done
bad 2 "lint a file that is not there" "$SIPCA" lint "$F/nonexistent"
bad 2 "lint --ca garbage" "$SIPCA" lint --ca "$F/garbage" "$CA/ca.pem"
bad 2 "lint --ca of 100 MB" "$SIPCA" lint --ca "$F/big" "$CA/ca.pem"
bad 2 "lint --profile unknown" "$SIPCA" lint --profile nonsense "$CA/ca.pem"
bad 2 "lint --format unknown" "$SIPCA" lint --format xml "$CA/ca.pem"
bad 2 "lint --fail-on unknown" "$SIPCA" lint --fail-on panic "$CA/ca.pem"

# ---- issue --batch: CSV that is not right ----
B=$T/csv
mkdir "$B"
printf 'kind,name\ndevice,a,extra\n' > "$B/too-many.csv"
printf 'kind,name,uri\ndevice\n' > "$B/too-few.csv"
printf 'kind,name\ndevice,"unterminated\n' > "$B/unterminated.csv"
printf 'kind,name\ndevice,a"b\n' > "$B/stray-quote.csv"
printf 'kind,name\ndevice,"a"b\n' > "$B/after-quote.csv"
printf 'kind,name\ndevice,a\000b\n' > "$B/nul.csv"
printf 'kind,name,kind\ndevice,a,device\n' > "$B/repeated-column.csv"
printf 'kind,name,colour\ndevice,a,red\n' > "$B/unknown-column.csv"
printf 'name\na\n' > "$B/no-kind.csv"
printf 'kind,name\ndevice,a/b\n' > "$B/slash.csv"
printf 'kind,name\ndevice,..\n' > "$B/dotdot.csv"
printf 'kind,name\ndevice,"a\nb"\n' > "$B/newline.csv"
printf 'kind,name\ndevice,%s\n' "$LONG" > "$B/long.csv"
printf 'kind,name\ndevice,d1\ndevice,d1\n' > "$B/twice.csv"
printf 'kind,name,uri\ndevice,d1,sip:@x\n' > "$B/bad-uri.csv"
printf 'kind,name,days\ndevice,d1,0\n' > "$B/bad-days.csv"
cp "$F/badsig.der" "$B/"
printf 'kind,name,csr\ndevice,d1,badsig.der\n' > "$B/bad-csr.csv"
printf 'kind,name\nrouter,d1\n' > "$B/bad-kind.csv"
printf 'kind,name\ndevice,alice\ndevice,d1\ndevice,a/b\n' > "$B/one-bad-row.csv"
cp "$F/garbage" "$B/garbage.csv"
cp "$F/empty" "$B/empty.csv"
truncate -s 100M "$B/big.csv"
for f in "$B"/*.csv; do
	bad 2 "issue --batch $(basename "$f")" "$SIPCA" -d "$CA" issue --batch "$f" --key p256
done
bad 2 "a batch with one bad row" "$SIPCA" -d "$CA" issue --batch "$B/one-bad-row.csv" --key p256
expect_grep "one-bad-row.csv:4" "$T/stderr" "the bad row's line is named"
bad 2 "issue --batch of a directory" "$SIPCA" -d "$CA" issue --batch "$F/dir"
bad 2 "issue --batch of a file that is not there" "$SIPCA" -d "$CA" issue --batch "$F/nonexistent"

# ---- the store itself ----
touch "$T/afile"
for cmd in "list" "show alice" "issue device bob" "check" "crl" "export -o $T/x.pem" "renew alice" "revoke alice"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$cmd on a store that is a file" timeout 60 "$SIPCA" -d "$T/afile" $cmd
	expect_grep "^sipca: " "$T/stderr" "$cmd on a file: a message"
	# shellcheck disable=SC2086
	expect_exit 2 "$cmd on a store that is not there" timeout 60 "$SIPCA" -d "$T/nothere" $cmd
done
check "no store appeared" test ! -e "$T/nothere"
expect_exit 2 "init in a store path under a file" timeout 60 "$SIPCA" -d "$T/afile/ca" init --domain example.com --no-passphrase
mkdir "$T/notca"
bad 2 "a directory that is not a store" "$SIPCA" -d "$T/notca" list
echo "not sqlite" > "$T/fakeca.db"
mkdir "$T/fake"
cp "$CA/ca.pem" "$T/fake/ca.pem"
cp "$T/fakeca.db" "$T/fake/index.db"
expect_exit 3 "an index.db that is not SQLite" timeout 60 "$SIPCA" -d "$T/fake" list
expect_grep "^sipca: " "$T/stderr" "a corrupt index is named"

# Unreadable: as another user (root reads everything), or by mode.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	AS_OTHER="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$T"
else
	AS_OTHER=
	chmod 000 "$CA"
fi
for cmd in "list" "show alice" "issue device bob" "crl" "export -o -"; do
	# shellcheck disable=SC2086
	expect_exit 3 "$cmd on an unreadable store" timeout 60 $AS_OTHER "$SIPCA" -d "$CA" $cmd
	expect_grep "Permission denied" "$T/stderr" "$cmd: says why"
done
chmod 700 "$CA"
chmod 700 "$T"

# Full: a small tmpfs (needs root, as CI has).
FULL=$T/full
mkdir "$FULL"
if mount -t tmpfs -o size=512k tmpfs "$FULL" 2>/dev/null; then
	trap 'umount "$FULL" 2>/dev/null; cleanup' EXIT INT TERM
	check "init on the small file system" timeout 60 "$SIPCA" -d "$FULL/ca" init --domain example.com --no-passphrase --key p256
	check "issue while there is room" timeout 60 "$SIPCA" -d "$FULL/ca" issue device first --key p256
	dd if=/dev/zero of="$FULL/filler" bs=1k 2>/dev/null
	snapshot "$FULL/ca" > "$T/full.before"
	expect_exit 3 "issue on a full disk" timeout 60 "$SIPCA" -d "$FULL/ca" issue device bob --key p256
	expect_grep "full\|No space" "$T/stderr" "the full disk is named"
	expect_no_grep "cannot rollback" "$T/stderr" "one clear message, not a second about the rollback"
	expect_exit 3 "renew on a full disk" timeout 60 "$SIPCA" -d "$FULL/ca" renew first
	expect_exit 3 "crl on a full disk" timeout 60 "$SIPCA" -d "$FULL/ca" crl
	printf 'kind,name\ndevice,b1\ndevice,b2\n' > "$T/ok.csv"
	expect_exit 3 "a good batch on a full disk" timeout 60 "$SIPCA" -d "$FULL/ca" issue --batch "$T/ok.csv" --key p256
	expect_unchanged "$T/full.before" "$FULL/ca" "the full store"
	expect_exit 3 "init on a full disk" timeout 60 "$SIPCA" -d "$FULL/ca2" init --domain example.com --no-passphrase --key p256
	check "a failed init leaves no CA" test ! -e "$FULL/ca2/ca.pem"
	# Free a little at a time: every attempt either works or fails cleanly.
	rm -rf "$FULL/ca2"
	rm "$FULL/filler"
	dd if=/dev/zero of="$FULL/filler" bs=1k 2>/dev/null
	i=0
	while [ $i -lt 24 ]; do
		truncate -s "-4k" "$FULL/filler"
		timeout 60 "$SIPCA" -d "$FULL/ca" issue device "g$i" --key p256 >/dev/null 2>"$T/err"
		rc=$?
		TESTS_RUN=$((TESTS_RUN + 1))
		case $rc in
		0|3) ;;
		*) fail "issue g$i with little room: exit $rc"; cat "$T/err" >&2 ;;
		esac
		i=$((i + 1))
	done
	rm "$FULL/filler"
	expect_exit 0 "after the disk was full, check is clean" timeout 60 "$SIPCA" -d "$FULL/ca" check --repair
	expect_exit 0 "and stays clean" timeout 60 "$SIPCA" -d "$FULL/ca" check
	umount "$FULL"
	trap cleanup EXIT INT TERM
else
	skip "the full-disk cases" "cannot mount a tmpfs (not root?)"
fi

expect_exit 0 "after all that, the store is clean" "$SIPCA" -d "$CA" check
finish
