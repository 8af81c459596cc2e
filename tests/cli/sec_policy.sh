#!/bin/sh
# Identity policy at issuance (issue 11): no device certificate with the
# SIP domain's own identity (RFC 5922 section 7.1), no names outside the
# store's SIP domain without --allow-foreign-names (issue, batch, renew),
# names that differ only in case are one name, the CN's X.520 bound, every
# echoed value escaped and cut short, and a batch row's csr confined to
# the CSV file's directory. Every refusal exits 2 and changes nothing.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
ESC=$(printf '\033')

# bad DESCRIPTION COMMAND...: exit 2, a message, the store unchanged.
bad() {
	desc=$1; shift
	snapshot "$CA" > "$T/.before"
	if expect_exit 2 "$desc" timeout 60 "$@"; then
		expect_grep "^sipca: " "$T/stderr" "$desc: a message"
	fi
	expect_unchanged "$T/.before" "$CA" "$desc"
}

# sans FILE: the certificate's subjectAltName as openssl prints it.
sans() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2
}

index_query() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' \
	    "$1/index.db" "$2"
}

# csr FILE SAN...: a P-256 request asking for those subjectAltNames.
csr() {
	out=$1; shift
	ext=$(printf '%s,' "$@"); ext=${ext%,}
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$out.key" -subj "/CN=x" -addext "subjectAltName=$ext" \
	    -out "$out" 2>/dev/null || fail "openssl made no CSR $out"
}

# ---- a device certificate never carries the domain's identity ----
for uri in sip:example.com sips:example.com SIP:Example.COM:5061 sip:sip.example.com; do
	bad "device with --uri $uri" "$SIPCA" -d "$CA" issue device d1 --uri "$uri" --key p256
	expect_grep "RFC 5922 section 7.1" "$T/stderr" "device --uri $uri: the message cites RFC 5922 7.1"
done
bad "device with --dns example.com" "$SIPCA" -d "$CA" issue device d1 --dns EXAMPLE.com --key p256
csr "$T/domain.csr" URI:sip:example.com
bad "device --copy-san of URI:sip:example.com" \
    "$SIPCA" -d "$CA" issue device d1 --csr "$T/domain.csr" --copy-san
expect_grep "user part" "$T/stderr" "--copy-san: the user-less URI is named"
bad "even with --allow-foreign-names" \
    "$SIPCA" -d "$CA" issue device d1 --uri sip:example.com --allow-foreign-names --key p256
expect_exit 0 "a device with its own user part" \
    "$SIPCA" -d "$CA" issue device d2 --uri sip:d2@example.com --key p256

# ---- names outside the SIP domain need --allow-foreign-names ----
bad "server sip.other.com" "$SIPCA" -d "$CA" issue server sip.other.com --key p256
expect_grep "outside the SIP domain 'example.com'.*--allow-foreign-names" "$T/stderr" \
    "the refusal names the domain and the flag"
bad "server --dns evil.com" "$SIPCA" -d "$CA" issue server sip.example.com --dns evil.com --key p256
bad "server --dns example.com.evil" "$SIPCA" -d "$CA" issue server sip.example.com --dns example.com.evil --key p256
bad "server --dns badexample.com" "$SIPCA" -d "$CA" issue server sip.example.com --dns badexample.com --key p256
bad "device --uri sip:bob@other.com" "$SIPCA" -d "$CA" issue device bob --uri sip:bob@other.com --key p256
bad "device --uri sip:bob@192.0.2.1" "$SIPCA" -d "$CA" issue device bob --uri sip:bob@192.0.2.1 --key p256
csr "$T/evil.csr" DNS:evil.com URI:sip:bob@example.com
bad "--copy-san of DNS:evil.com" "$SIPCA" -d "$CA" issue device bob --csr "$T/evil.csr" --copy-san
expect_exit 0 "server sip.other.com with --allow-foreign-names" \
    "$SIPCA" -d "$CA" issue server sip.other.com --allow-foreign-names --key p256
expect_grep "DNS:sip.other.com" "$T/stderr" "the foreign name is issued when allowed"
expect_exit 0 "a name under the domain needs no flag" \
    "$SIPCA" -d "$CA" issue server edge.sip.example.com --dns core.example.com --ip 192.0.2.7 --key p256

# The batch: a row outside the domain refuses the file; the flag allows it.
printf 'kind,name,uri,dns\nserver,sip2.example.com,,\nserver,sip.evil.com,,\ndevice,d3,sip:d3@evil.com,\n' > "$T/foreign.csv"
bad "a batch with foreign names" "$SIPCA" -d "$CA" issue --batch "$T/foreign.csv" --key p256
expect_grep "foreign.csv:3: DNS name 'sip.evil.com' is outside" "$T/stderr" "the row's line is named"
expect_grep "foreign.csv:4: URI 'sip:d3@evil.com' is outside" "$T/stderr" "the URI row's line is named"
printf 'kind,name,uri\ndevice,d4,sip:example.com\n' > "$T/devdomain.csv"
bad "a batch device row with sip:example.com" "$SIPCA" -d "$CA" issue --batch "$T/devdomain.csv" --key p256 --allow-foreign-names
expect_exit 0 "the batch with --allow-foreign-names" \
    "$SIPCA" -d "$CA" issue --batch "$T/foreign.csv" --key p256 --allow-foreign-names

# renew re-checks the stored names: foreign ones need the flag again.
bad "renew of a foreign-name certificate without the flag" "$SIPCA" -d "$CA" renew sip.other.com
expect_grep "allow-foreign-names" "$T/stderr" "renew names the flag"
expect_exit 0 "renew --allow-foreign-names" "$SIPCA" -d "$CA" renew sip.other.com --allow-foreign-names
# A certificate from before the rule: the index says it is a device with
# the domain's URI. It is not renewed, flag or not.
"$SIPCA" -d "$CA" issue device olddev --key p256 >/dev/null || fail "issue olddev"
index_query "$CA" "UPDATE certs SET sans = 'URI:sip:example.com' WHERE name = 'olddev'"
bad "renew of a device that names the domain" "$SIPCA" -d "$CA" renew olddev --allow-foreign-names
expect_grep "RFC 5922 section 7.1" "$T/stderr" "renew: the refusal cites RFC 5922 7.1"
olddev=$(openssl x509 -in "$CA/issued/olddev/cert.pem" -noout -serial)
expect_exit 2 "renew --expiring renews the others and refuses it" \
    "$SIPCA" -d "$CA" renew --expiring 36500 --allow-foreign-names
expect_grep "olddev: device certificate with URI 'sip:example.com'" "$T/stderr" "--expiring names it"
check "olddev was not renewed" \
    test "$(openssl x509 -in "$CA/issued/olddev/cert.pem" -noout -serial)" = "$olddev"

# ---- case: one identity, one spelling ----
expect_exit 0 "issue server SIP.Example.COM" "$SIPCA" -d "$CA" issue server SIP.Example.COM --key p256
check "stored as issued/sip.example.com" test -d "$CA/issued/sip.example.com"
sans "$CA/issued/sip.example.com/cert.pem" > "$T/san"
expect_grep "DNS:sip.example.com" "$T/san" "the DNS name is folded"
expect_no_grep "SIP\.\|Example\|COM" "$T/san" "no capitals left in the SANs"
openssl x509 -in "$CA/issued/sip.example.com/cert.pem" -noout -subject > "$T/subj"
expect_grep "CN *= *sip.example.com" "$T/subj" "the CN is folded"
bad "sip.example.com again" "$SIPCA" -d "$CA" issue server sip.example.com --key p256
expect_exit 0 "a URI's host folds, its user part does not" \
    "$SIPCA" -d "$CA" issue device bob --uri sip:Bob@SIP.Example.COM --key p256
sans "$CA/issued/bob/cert.pem" > "$T/san"
expect_grep "URI:sip:Bob@sip.example.com" "$T/san" "user part kept, host folded"

expect_exit 0 "issue device Case1" "$SIPCA" -d "$CA" issue device Case1 --key p256
check "stored as issued/case1" test -d "$CA/issued/case1"
bad "issue device case1 next to Case1" "$SIPCA" -d "$CA" issue device case1 --key p256
expect_exit 0 "show CASE1" "$SIPCA" -d "$CA" show CASE1
expect_exit 0 "export CASE1 --with-key" "$SIPCA" -d "$CA" export CASE1 --with-key -o "$T/case1.pem"
expect_exit 0 "renew CASE1" "$SIPCA" -d "$CA" renew CASE1
expect_exit 0 "list CASE1" "$SIPCA" -d "$CA" list CASE1
expect_grep "^case1 .*valid" "$T/stdout" "list finds the folded name"
expect_exit 0 "revoke CASE1" "$SIPCA" -d "$CA" revoke CASE1
expect_grep "revoked serial" "$T/stderr" "revoke CASE1 revokes case1"
expect_grep "2 revoked" "$T/stderr" "and its superseded certificate"
printf 'kind,name\ndevice,Dup1\ndevice,dup1\n' > "$T/dup.csv"
bad "a batch with Dup1 and dup1" "$SIPCA" -d "$CA" issue --batch "$T/dup.csv" --key p256
expect_grep "dup.csv:3: duplicate name 'dup1' (also on line 2)" "$T/stderr" "the duplicate is found"

# A store from before folding: a row and directory named Legacy1.
"$SIPCA" -d "$CA" issue device legacy1 --key p256 >/dev/null || fail "issue legacy1"
index_query "$CA" "UPDATE certs SET name = 'Legacy1' WHERE name = 'legacy1'"
mv "$CA/issued/legacy1" "$CA/issued/Legacy1"
expect_exit 0 "show legacy1 finds Legacy1" "$SIPCA" -d "$CA" show legacy1
expect_grep "^name *Legacy1" "$T/stdout" "the stored spelling is shown"
expect_exit 0 "show Legacy1 as stored" "$SIPCA" -d "$CA" show Legacy1
bad "issue device legacy1 next to Legacy1" "$SIPCA" -d "$CA" issue device legacy1 --key p256
expect_grep "'Legacy1' already has a valid certificate" "$T/stderr" "the stored name is named"
printf 'kind,name\ndevice,LEGACY1\n' > "$T/legacy.csv"
expect_exit 0 "a batch row legacy1 is skipped" "$SIPCA" -d "$CA" issue --batch "$T/legacy.csv" --key p256
expect_grep "issued 0, skipped 1" "$T/stderr" "skipped as already valid"
expect_exit 0 "export legacy1 --with-key" "$SIPCA" -d "$CA" export legacy1 --with-key -o "$T/legacy.pem"
expect_exit 0 "renew LEGACY1" "$SIPCA" -d "$CA" renew LEGACY1
check "the renewal stays in issued/Legacy1" test -d "$CA/issued/Legacy1/history"
check "and makes no issued/legacy1" test ! -e "$CA/issued/legacy1"

# ---- the CN's upper bound (X.520 ub-common-name 64) ----
W="*.$(printf '%052d' 0 | tr 0 a).example.com"
bad "a 66-character wildcard CN, even with --force" \
    "$SIPCA" -d "$CA" issue server "$W" --allow-wildcard --force --key p256
expect_grep "common name" "$T/stderr" "the CN bound is named"

# ---- echoed values: escaped and cut short ----
bad "issue --key with an escape sequence" "$SIPCA" -d "$CA" issue device e1 --key "p256${ESC}[2J"
expect_no_grep "$ESC" "$T/stderr" "no raw ESC from --key"
expect_grep 'p256\\x1b\[2J' "$T/stderr" "ESC shown as \\x1b"
bad "issue --days with an escape sequence" "$SIPCA" -d "$CA" issue device e1 --days "1${ESC}]0;x"
expect_no_grep "$ESC" "$T/stderr" "no raw ESC from --days"
bad "issue with an unknown kind holding ESC" "$SIPCA" -d "$CA" issue "ro${ESC}uter" e1
expect_no_grep "$ESC" "$T/stderr" "no raw ESC from the kind"
printf 'kind,name,key\ndevice,e1,p256%s[31m\n' "$ESC" > "$T/esc.csv"
bad "a batch key cell with ESC" "$SIPCA" -d "$CA" issue --batch "$T/esc.csv"
expect_no_grep "$ESC" "$T/stderr" "no raw ESC from a CSV cell"
printf 'kind,name\nrouter,x\n' > "$T/a${ESC}b.csv"
bad "a batch file whose name holds ESC" "$SIPCA" -d "$CA" issue --batch "$T/a${ESC}b.csv"
expect_no_grep "$ESC" "$T/stderr" "no raw ESC from the file's name"
python3 -c 'import sys; open(sys.argv[1],"w").write("kind,name\ndevice," + "a" * 1048576 + "\n")' "$T/huge.csv"
bad "a batch with a 1 MiB name" "$SIPCA" -d "$CA" issue --batch "$T/huge.csv" --key p256
check "the message is short" test "$(wc -c < "$T/stderr")" -lt 1000
expect_grep "(1048576 bytes)" "$T/stderr" "the full length is said"
bad "a 100,000-character --uri" "$SIPCA" -d "$CA" issue device e1 --uri "sip:$(printf '%0100000d' 0)@example.com"
check "the --uri message is short" test "$(wc -c < "$T/stderr")" -lt 1000

# ---- a batch row's csr stays under the CSV file's directory ----
mkdir -p "$T/b/req" "$T/outside"
csr "$T/b/req/ok.csr" URI:sip:okphone@example.com
csr "$T/outside/stolen.csr" URI:sip:stolen@example.com
ln -s "$T/outside/stolen.csr" "$T/b/req/link.csr"
ln -s ../outside "$T/b/updir"
printf 'kind,name,csr\ndevice,okphone,req/ok.csr\n' > "$T/b/ok.csv"
for v in ../outside/stolen.csr req/../../outside/stolen.csr "$T/outside/stolen.csr" \
    req/link.csr updir/stolen.csr; do
	printf 'kind,name,csr\ndevice,okphone,req/ok.csr\ndevice,stolen,%s\n' "$v" > "$T/b/escape.csv"
	bad "a csr of '$v'" "$SIPCA" -d "$CA" issue --batch "$T/b/escape.csv"
	expect_grep "escape.csv:3: csr '" "$T/stderr" "csr '$v': the row and value are named"
done
check "nothing was issued from outside" test ! -e "$CA/issued/stolen"
printf 'kind,name,csr\ndevice,okphone,req/ok.csr\n' > "$T/b/ok.csv"
expect_exit 0 "a csr under the CSV's directory" "$SIPCA" -d "$CA" issue --batch "$T/b/ok.csv"
expect_exit 0 "from stdin, relative to the current directory" \
    sh -c 'cd "$1/b" && printf "kind,name,csr\ndevice,okphone2,req/ok.csr\n" | "$2" -d "$3" issue --batch - --quiet' \
    sh "$T" "$SIPCA" "$CA"
expect_exit 2 "from stdin, '..' is refused too" \
    sh -c 'cd "$1/b" && printf "kind,name,csr\ndevice,stolen,../outside/stolen.csr\n" | "$2" -d "$3" issue --batch - --quiet' \
    sh "$T" "$SIPCA" "$CA"

finish
