#!/bin/sh
# sipca issue --batch: validation before anything is issued, a few hundred
# certificates checked with openssl and certtool, idempotent re-runs, and
# a run killed with SIGKILL part-way and then completed.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"

# rows FILE N PREFIX: a header and N p256 device rows.
rows() {
	{
		echo "kind,name,uri,dns,ip,key,days,csr"
		i=1
		while [ "$i" -le "$2" ]; do
			echo "device,$3$i,,,,p256,,"
			i=$((i + 1))
		done
	} > "$1"
}

# Python's sqlite3 reads the index independently of sipca.
index_query() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchone()[0])' "$1/index.db" "$2"
}

# ---- a bad row anywhere: every one reported, nothing issued ----
mkdir -p "$T/in/req"
certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
    --outfile "$T/in/req/dev.key" >/dev/null 2>&1
printf 'cn = "csrphone"\nsigning_key\ntls_www_client\n' > "$T/in/req/tmpl"
certtool --generate-request --load-privkey "$T/in/req/dev.key" \
    --template "$T/in/req/tmpl" --outfile "$T/in/req/dev.csr" >/dev/null 2>&1
echo "not a request" > "$T/in/req/junk.csr"

cat > "$T/in/bad.csv" <<'EOF'
kind,name,uri,dns,ip,key,days,csr
device,good1,,,,p256,,
phone,bad-kind,,,,p256,,
device,good2,,,,p256,,
server,sip.example.com,,"edge.example.com",192.0.2.300,p256,,
device,good1,,,,p256,,
device,bad-key,,,,p999,,
device,bad-days,,,,p256,0,
device,bad-uri,sip:@example.com,,,p256,,
device,bad-csr,,,,,,req/junk.csr
device,no-csr,,,,,,req/missing.csr
device,short,,
EOF
snapshot "$CA" > "$T/before"
expect_exit 2 "a file with bad rows is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/bad.csv" --jobs 2
for want in "bad.csv:3: unknown certificate kind: 'phone'" \
    "bad.csv:5: invalid IP address: '192.0.2.300'" \
    "bad.csv:6: duplicate name 'good1' (also on line 2)" \
    "bad.csv:7: unknown key type: 'p999'" \
    "bad.csv:8: invalid days: '0'" \
    "bad.csv:9: invalid SIP URI" \
    "bad.csv:10: '.*junk.csr': not a PKCS#10 certificate request: neither a PEM" \
    "bad.csv:11: cannot read request: '.*missing.csr'" \
    "bad.csv:12: 4 fields where the header has 8" \
    "9 bad rows: nothing issued"; do
	expect_grep "sipca: issue: .*$want" "$T/stderr" "bad rows reported"
done
expect_no_grep "bad.csv:2:" "$T/stderr" "a good row is not reported"
expect_unchanged "$T/before" "$CA" "bad rows issue nothing"

printf 'kind,name,colour\ndevice,x,red\n' > "$T/in/col.csv"
expect_exit 2 "an unknown column is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/col.csv"
expect_grep "col.csv:1: unknown column 'colour'" "$T/stderr" "unknown column named"
printf 'kind,name\n"device,x\n' > "$T/in/quote.csv"
expect_exit 2 "a broken quote is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/quote.csv"
expect_grep "quote.csv:2: unterminated quoted field" "$T/stderr" "CSV error line"
: > "$T/in/empty.csv"
expect_exit 2 "an empty file is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/empty.csv"
expect_exit 2 "--batch takes no positionals" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/bad.csv" device x
expect_exit 2 "--jobs must be a number" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/bad.csv" --jobs zero
expect_exit 2 "--jobs needs --batch" "$SIPCA" -d "$CA" issue device x --jobs 2
expect_unchanged "$T/before" "$CA" "refused invocations issue nothing"

# ---- a few hundred good rows ----
N=300
rows "$T/in/good.csv" $N phone
# Quoted fields, CRLF, several SANs in one cell, a CSR beside the file.
printf 'server,sip.example.com,,"edge.example.com  core.example.com","192.0.2.10 2001:db8::10",p256,365,\r\n' >> "$T/in/good.csv"
printf 'device,"alice",sip:alice@example.com,,,,,req/dev.csr\n' >> "$T/in/good.csv"
TOTAL=$((N + 2))

if expect_exit 0 "a good batch" "$SIPCA" -d "$CA" issue --batch "$T/in/good.csv" --jobs 2; then
	expect_grep "^issued $TOTAL, skipped 0 (already valid), failed 0 in [0-9.]*s ([0-9]*/s)$" \
	    "$T/stderr" "summary line"
fi
# Off a terminal: no progress line, the summary alone on stderr (a
# message), nothing on stdout (README "Output conventions").
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(wc -l < "$T/stderr")" = 1 ] || fail "no progress or messages when stderr is not a terminal: $(head -3 "$T/stderr")"
TESTS_RUN=$((TESTS_RUN + 1))
[ -s "$T/stdout" ] && fail "a batch prints nothing on stdout: $(head -3 "$T/stdout")"

TESTS_RUN=$((TESTS_RUN + 1))
n=$("$SIPCA" -d "$CA" list | grep -c ' valid$')
[ "$n" = "$TOTAL" ] || fail "list shows $n valid certificates, wanted $TOTAL"
TESTS_RUN=$((TESTS_RUN + 1))
n=$(index_query "$CA" "SELECT count(DISTINCT serial) FROM certs WHERE status = 'valid'")
[ "$n" = "$TOTAL" ] || fail "$n distinct serials recorded, wanted $TOTAL"

# Every certificate verifies with two independent implementations, and
# the serials in the files themselves are distinct.
certs=$(ls "$CA"/issued/*/cert.pem)
TESTS_RUN=$((TESTS_RUN + 1))
# shellcheck disable=SC2086
ok_count=$(openssl verify -CAfile "$CA/ca.pem" $certs 2>&1 | grep -c ': OK$')
[ "$ok_count" = "$TOTAL" ] || fail "openssl verified $ok_count of $TOTAL"
TESTS_RUN=$((TESTS_RUN + 1))
bad=0
for c in $certs; do
	certtool --verify --load-ca-certificate "$CA/ca.pem" --infile "$c" >/dev/null 2>&1 ||
	    bad=$((bad + 1))
done
[ "$bad" = 0 ] || fail "certtool refused $bad certificates"
TESTS_RUN=$((TESTS_RUN + 1))
dups=$(for c in $certs; do openssl x509 -noout -serial -in "$c"; done | sort | uniq -d)
[ -z "$dups" ] || fail "duplicate serials: $dups"

openssl x509 -noout -ext subjectAltName -in "$CA/issued/sip.example.com/cert.pem" > "$T/san" 2>&1
expect_grep "DNS:core.example.com" "$T/san" "several DNS names in one cell"
expect_grep "IP Address:2001:DB8:0:0:0:0:0:10" "$T/san" "IPv6 from the ip cell"
openssl x509 -noout -ext subjectAltName -in "$CA/issued/phone7/cert.pem" > "$T/san" 2>&1
expect_grep "URI:sip:phone7@example.com" "$T/san" "device default SIP URI"
openssl x509 -noout -pubkey -in "$CA/issued/alice/cert.pem" > "$T/a.pub"
openssl pkey -pubout -in "$T/in/req/dev.key" > "$T/k.pub" 2>/dev/null
check "the csr row certifies the request's key" cmp -s "$T/a.pub" "$T/k.pub"
check_fails "a csr row gets no key.pem" test -e "$CA/issued/alice/key.pem"
TESTS_RUN=$((TESTS_RUN + 1))
[ "$(stat -c %a "$CA/issued/phone1/key.pem")" = 600 ] || fail "key.pem is not 0600"

# ---- a re-run issues nothing new ----
snapshot "$CA" > "$T/before"
if expect_exit 0 "a re-run" "$SIPCA" -d "$CA" issue --batch "$T/in/good.csv"; then
	expect_grep "^issued 0, skipped $TOTAL (already valid), failed 0" "$T/stderr" "re-run skips all"
fi
expect_unchanged "$T/before" "$CA" "a re-run changes nothing"
# A revoked name has no valid certificate: the next run issues it again.
"$SIPCA" -d "$CA" revoke phone1 >/dev/null || fail "revoke phone1"
if expect_exit 0 "a re-run after a revocation" "$SIPCA" -d "$CA" issue --batch "$T/in/good.csv"; then
	expect_grep "^issued 1, skipped $((TOTAL - 1)) (already valid), failed 0" "$T/stderr" \
	    "the revoked name is issued again, the others skipped"
fi

# ---- stdin, --quiet, and new rows added to a done file ----
{ cat "$T/in/good.csv"; echo "device,late1,,,,p256,,"; } > "$T/in/more.csv"
# From stdin a csr path is relative to the working directory.
expect_exit 0 "batch from stdin" sh -c 'cd "$4" && "$1" -d "$2" issue --batch - --quiet < "$3"' \
    sh "$SIPCA" "$CA" "$T/in/more.csv" "$T/in"
TESTS_RUN=$((TESTS_RUN + 1))
if [ -s "$T/stdout" ] || [ -s "$T/stderr" ]; then fail "--quiet printed: $(cat "$T/stdout" "$T/stderr")"; fi
check "the new row went in" test -s "$CA/issued/late1/cert.pem"

# ---- SIGKILL part-way, then a re-run completes it exactly once ----
K=$T/killed
new_ca "$K"
KN=2000
rows "$T/in/kill.csv" $KN k
"$SIPCA" -d "$K" issue --batch "$T/in/kill.csv" --jobs 2 >"$T/kill.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ]; do
	got=$(ls "$K/issued" 2>/dev/null | wc -l)
	[ "$got" -ge 300 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
TESTS_RUN=$((TESTS_RUN + 1))
if grep -q "^issued $KN," "$T/kill.out"; then
	fail "the batch finished before it could be killed; make it longer"
fi
before=$(index_query "$K" "SELECT count(*) FROM certs WHERE status = 'valid'")
if expect_exit 0 "re-run after SIGKILL" "$SIPCA" -d "$K" issue --batch "$T/in/kill.csv" --quiet; then
	:
fi
TESTS_RUN=$((TESTS_RUN + 1))
[ "$before" -lt "$KN" ] || fail "nothing was left to do after the kill ($before valid)"
TESTS_RUN=$((TESTS_RUN + 1))
n=$(index_query "$K" "SELECT count(*) FROM certs")
d=$(index_query "$K" "SELECT count(DISTINCT name) FROM certs WHERE status = 'valid'")
[ "$n" = "$KN" ] && [ "$d" = "$KN" ] ||
    fail "after the re-run: $n rows, $d names valid, wanted $KN of each"
TESTS_RUN=$((TESTS_RUN + 1))
dirs=$(ls "$K/issued" | wc -l)
[ "$dirs" = "$KN" ] || fail "$dirs certificate directories for $KN rows"
TESTS_RUN=$((TESTS_RUN + 1))
left=$(find "$K/issued" -name '.staging*' -o -name '*.tmp*' | head -3)
[ -z "$left" ] || fail "orphan staging files: $left"
TESTS_RUN=$((TESTS_RUN + 1))
missing=0
for d in "$K"/issued/*; do
	[ -s "$d/cert.pem" ] && [ -s "$d/key.pem" ] && [ -s "$d/chain.pem" ] ||
	    missing=$((missing + 1))
done
[ "$missing" = 0 ] || fail "$missing certificate directories are incomplete"
TESTS_RUN=$((TESTS_RUN + 1))
# Each installed cert.pem is the one its valid row records.
mismatch=$(python3 - "$K" <<'EOF'
import sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(d + "/index.db")
bad = 0
for name, pem in c.execute("SELECT name, pem FROM certs WHERE status = 'valid'"):
    if open(d + "/issued/" + name + "/cert.pem").read() != pem:
        bad += 1
print(bad)
EOF
)
[ "$mismatch" = 0 ] || fail "$mismatch cert.pem files differ from their rows"

# ---- files written ahead (DIR/.prep): used, then gone ----
P=$T/prep
new_ca "$P"
awk 'BEGIN { print "kind,name,key"; for (i = 1; i <= 200; i++) printf "device,w%d,p256\n", i }' > "$T/prep.csv"
expect_exit 99 "a batch killed after its first group's rows" env SIPCA_CRASH_AT=store-reserved \
    "$SIPCA_BARE" -d "$P" issue --batch "$T/prep.csv" --jobs 2 --quiet
check "the killed batch left the files its workers wrote ahead" test -d "$P/.prep"
check "in one directory per certificate" test -n "$(ls "$P/.prep")"
expect_exit 0 "list reads the store as it is" "$SIPCA" -d "$P" list
check "a reader leaves them (only a writer may remove them)" test -d "$P/.prep"
expect_exit 0 "the next writer, one certificate" "$SIPCA" -d "$P" issue device w0 --key p256
check "removed what the killed batch left on taking the lock" test ! -e "$P/.prep"
expect_exit 0 "the re-run issues the batch" "$SIPCA" -d "$P" issue --batch "$T/prep.csv" --jobs 2 --quiet
check "and removes its own .prep when it ends" test ! -e "$P/.prep"
expect_exit 0 "check: the store is whole" "$SIPCA" -d "$P" check
expect_grep "the CA and 201 certificates, 0 problems" "$T/stdout" "check counts the 201"
mkdir "$P/.prep-target"
ln -s .prep-target "$P/.prep"
expect_exit 3 "a link planted at DIR/.prep is refused (an unsafe store, as any link inside)" "$SIPCA" -d "$P" issue device w201 --key p256
check "and nothing was issued" test ! -e "$P/issued/w201"
expect_grep "refusing.*\.prep.*symbolic link" "$T/stderr" "and said why"
check "the link's target is untouched" test -d "$P/.prep-target"
rm "$P/.prep"

finish
