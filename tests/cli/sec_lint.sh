#!/bin/sh
# sipca lint on names that hide something (issue 11): a NUL inside a SAN
# value, names longer than any fixed buffer, bytes outside IA5String,
# invalid syntax for the name's type, control characters and non-UTF-8
# in certificates, file names and the index. Certificates are written
# byte by byte at test time by tests/lint/mkcert.py (--san-hex, --cn-hex).
# Every value must be read whole, judged as the bytes it is, and printed
# escaped; JSON and SARIF must stay valid UTF-8 JSON.
. "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")/.." && pwd)
SIPCA_NOW=2026-06-01T00:00:00Z
export SIPCA_NOW
unset NO_COLOR
cd "$T" || exit 1
ESC=$(printf '\033')

# hex TEXT: the octets of TEXT in hex, for --san-hex and --cn-hex.
hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
python3 "$here/lint/mkcert.py" --key ca.key --sign ca.key --cn "Test CA" --bc ca \
    --ku keyCertSign,cRLSign --ku-critical --ski --not-after 2036-01-01T00:00:00Z \
    -o ca.pem || fail "mkcert CA"

# cert NAME [mkcert options]: a server certificate like sipca's, from Test CA.
cert() {
	name=$1; shift
	python3 "$here/lint/mkcert.py" --key leaf.key --sign ca.key --issuer-cn "Test CA" \
	    --eku server,client --ku digitalSignature --ku-critical --ski --aki "$@" \
	    -o "$name.pem" || fail "mkcert $name"
}

# lint_has NAME RULE [lint options]: RULE fires on NAME.pem (exit 1).
lint_has() {
	name=$1; rule=$2; shift 2
	expect_exit 1 "$name: lint exits 1" "$SIPCA" lint "$@" "$name.pem" &&
	    expect_grep " $rule: " "$T/stdout" "$name fires $rule"
}

# lint_lacks NAME RULE [lint options]: RULE does not fire on NAME.pem.
lint_lacks() {
	name=$1; rule=$2; shift 2
	"$SIPCA" lint "$@" "$name.pem" > "$T/stdout" 2>&1
	expect_no_grep " $rule: " "$T/stdout" "$name does not fire $rule"
}

# 1. A NUL inside a URI: "sip:example.com\0.evil.com" is not the SIP
# domain example.com, and the NUL is a finding of its own, escaped.
cert uri-nul --cn sip.example.com --san DNS:evil.example \
    --san-hex "URI:$(hex sip:example.com)00$(hex .evil.com)"
lint_has uri-nul rfc5922.sip_domain_missing --sip-domain example.com
lint_has uri-nul rfc5280.san_nul
expect_grep "URI 'sip:example.com\\\\x00.evil.com' holds a NUL at offset 15" \
    "$T/stdout" "the NUL is shown escaped, the whole value"
cert dns-nul --cn sip.example.com --san-hex "DNS:$(hex example.com)00$(hex .evil.com)"
lint_has dns-nul rfc5922.sip_domain_missing --sip-domain example.com
lint_has dns-nul rfc5280.san_nul
cert email-nul --cn sip.example.com --san DNS:sip.example.com \
    --san-hex "EMAIL:$(hex alice@example.com)00$(hex .evil)"
lint_has email-nul rfc5280.san_nul
# a CN with a NUL (CVE-2009-2408): no RFC 5922 identity, and a finding
cert cn-nul --cn-hex "0c:$(hex example.com)00$(hex .evil.com)"
lint_has cn-nul rfc5280.subject_bad_bytes
expect_grep "subject CN 'example.com\\\\x00.evil.com' holds a NUL at offset 11" \
    "$T/stdout" "CN NUL escaped"
lint_has cn-nul rfc5922.sip_domain_missing --sip-domain example.com

# 2. Names longer than 1,023 bytes are read whole: the wildcard rules see
# the '*', the value is shown bounded with its length.
long=$(python3 -c 'print("*." + "a" * 1100 + ".example.com")')
cert dns-long --cn sip.example.com --san URI:sip:example.com --san "DNS:$long"
lint_has dns-long rfc5922.wildcard
lint_has dns-long rfc5280.san_dns_syntax
expect_grep "(1114 bytes)' is not a DNS name: longer than 253 octets" "$T/stdout" \
    "long name shown bounded, with its length"
longuri="sip:example.com;x=$(python3 -c 'print("b" * 2000)')*"
cert uri-long --cn sip.example.com --san "URI:$longuri" --san DNS:sip.example.com
lint_has uri-long rfc5922.wildcard
expect_grep "URI 'sip:example.com;x=bbb.*(2019 bytes)' contains" "$T/stdout" \
    "long URI shown bounded, with its length"
lint_lacks uri-long rfc5280.san_uri_syntax

# 3. Bytes above 0x7F are outside IA5String.
cert dns-high --cn sip.example.com --san-hex "DNS:$(hex caf)e9$(hex .example.com)"
lint_has dns-high rfc5280.san_not_ia5
expect_grep "dNSName 'caf\\\\xe9.example.com' has the octet 0xe9 at offset 3" "$T/stdout" \
    "high byte escaped"
cert uri-high --cn sip.example.com --san DNS:sip.example.com \
    --san-hex "URI:$(hex sip:caf)c3a9$(hex .example.com)"
lint_has uri-high rfc5280.san_not_ia5

# 4. Syntax for the name's type.
cert dns-bad --cn sip.example.com --san DNS:sip.example.com --san DNS:under_score.example.com
lint_has dns-bad rfc5280.san_dns_syntax
cert dns-ctl --cn sip.example.com --san DNS:sip.example.com \
    --san-hex "DNS:$(hex a)1b5b324a$(hex .example.com)"
lint_has dns-ctl rfc5280.san_dns_syntax
expect_no_grep "$ESC" "$T/stdout" "an ESC in a dNSName is not printed raw"
expect_grep "dNSName 'a\\\\x1b\\[2J.example.com'" "$T/stdout" "ESC escaped"
cert dns-wild --cn sip.example.com --san URI:sip:example.com --san DNS:*.example.com
lint_lacks dns-wild rfc5280.san_dns_syntax
cert uri-bad --cn sip.example.com --san DNS:sip.example.com --san "URI:sip:exa mple.com"
lint_has uri-bad rfc5280.san_uri_syntax
cert uri-noscheme --cn sip.example.com --san DNS:sip.example.com --san URI:example.com
lint_has uri-noscheme rfc5280.san_uri_syntax
cert uri-good --cn sip.example.com --san DNS:sip.example.com \
    --san "URI:sips:proxy@example.com:5061;transport=tls" \
    --san URI:http://crl.example.com/ca.crl --san URI:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6
lint_lacks uri-good rfc5280.san_uri_syntax
cert email-bad --cn sip.example.com --san DNS:sip.example.com \
    --san "EMAIL:Alice <alice@example.com>"
lint_has email-bad rfc5280.san_email_syntax
cert email-good --cn sip.example.com --san DNS:sip.example.com --san EMAIL:alice@example.com
lint_lacks email-good rfc5280.san_email_syntax
cert ip-8 --cn sip.example.com --san DNS:sip.example.com --san-hex IP:c0000200ffffff00
lint_has ip-8 rfc5280.san_ip_length
expect_grep "iPAddress of 8 octets (c0000200ffffff00), not 4 or 16" "$T/stdout" \
    "IP length shown"
cert ip-4 --cn sip.example.com --san DNS:sip.example.com --san IP:192.0.2.1
lint_lacks ip-4 rfc5280.san_ip_length

# 5. Control characters and non-UTF-8 are escaped in every text output:
# a CN with ESC, a C1 control (U+009B, CSI), a time with ESC.
cert cn-esc --san DNS:sip.example.com --cn sip.example.com \
    --cn-hex "0c:$(hex a)1b5b33316d$(hex b)" --cn-hex "0c:$(hex c)c29b$(hex 2J)"
lint_has cn-esc rfc5280.subject_bad_bytes
expect_no_grep "$ESC" "$T/stdout" "no raw ESC from a CN"
expect_no_grep "$(printf '\302\233')" "$T/stdout" "no raw C1 from a CN"
expect_grep "CNs ('sip.example.com', 'a\\\\x1b\\[31mb'" "$T/stdout" "CN ESC escaped"
cert time-esc --cn sip.example.com --san DNS:sip.example.com \
    --not-before "U:2601010000${ESC}[2JZ"
lint_has time-esc rfc5280.time_encoding
expect_no_grep "$ESC" "$T/stdout" "no raw ESC from a time"
cert cn-latin1 --san DNS:sip.example.com --cn sip.example.com --cn-hex "0c:$(hex caf)e9"
lint_has cn-latin1 rfc5280.subject_bad_bytes

# A file name with control characters, in findings and in error messages.
cp cn-esc.pem "bad${ESC}[2Jname.pem"
expect_exit 1 "a file name with ESC" "$SIPCA" lint "bad${ESC}[2Jname.pem"
expect_no_grep "$ESC" "$T/stdout" "file name escaped in findings"
expect_grep "^bad\\\\x1b\\[2Jname.pem#1: " "$T/stdout" "file name shown escaped"
expect_exit 2 "a missing file with ESC" "$SIPCA" lint "gone${ESC}[2J.pem"
expect_no_grep "$ESC" "$T/stderr" "missing file name escaped"
expect_grep "cannot read 'gone\\\\x1b\\[2J.pem'" "$T/stderr" "missing file name shown"
expect_exit 2 "an unknown rule with ESC" "$SIPCA" lint --exclude "x${ESC}[2J" cn-esc.pem
expect_no_grep "$ESC" "$T/stderr" "option value escaped"

# JSON and SARIF: valid JSON in strict UTF-8, controls as \u escapes,
# the exact code points kept, non-UTF-8 bytes in text_escape's form.
for fmt in json sarif; do
	expect_exit 1 "$fmt with hostile names" "$SIPCA" lint --format "$fmt" cn-esc.pem \
	    cn-latin1.pem uri-nul.pem "bad${ESC}[2Jname.pem"
	cp "$T/stdout" "$T/out.$fmt"
	check "$fmt is strict UTF-8 JSON" python3 -c '
import json, sys
json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$T/out.$fmt"
	expect_no_grep "$ESC" "$T/out.$fmt" "$fmt has no raw ESC"
	expect_no_grep "$(printf '\302\233')" "$T/out.$fmt" "$fmt has no raw C1"
done
check "JSON keeps the exact code points and escapes bad bytes" python3 - "$T/out.json" <<'EOF'
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
r = doc["results"]
subjects = [x["subject"] for x in r]
assert any("a\x1b[31mb" in s for s in subjects), subjects
assert any("c\x9b2J" in s for s in subjects), subjects
assert any("caf\\xe9" in s for s in subjects), subjects
assert r[3]["file"].startswith("bad\x1b[2Jname"), r[3]["file"]
msgs = [f["message"] for x in r for f in x["findings"]]
assert any("sip:example.com\\x00.evil.com" in m for m in msgs), msgs
EOF

# 6. A critical extension under a long OID is not dropped: the rules see it.
oid=1.3.6.1.4.1.99999.$(seq -s. 1000 1014)
cert long-oid --cn sip.example.com --san DNS:sip.example.com --ext "$oid:1:0500"
lint_has long-oid rfc5280.unknown_critical_extension
expect_grep "critical extension $oid is not one" "$T/stdout" "the whole OID"

# 7. sipca list prints what the index holds escaped.
new_ca "$T/store" || fail "sipca init"
"$SIPCA" -d "$T/store" issue server sip.example.com >/dev/null || fail "sipca issue"
python3 - "$T/store/index.db" <<'EOF' || fail "edit the index"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE certs SET name = ?, kind = ?, subject = ?",
           ("evil\x1b[2J", "server\x07", "CN=evil\x1b[2J"))
db.commit()
EOF
expect_exit 0 "list an edited index" "$SIPCA" -d "$T/store" list
expect_no_grep "$ESC" "$T/stdout" "list escapes the name"
expect_no_grep "$(printf '\007')" "$T/stdout" "list escapes the kind"
expect_grep "^evil\\\\x1b\\[2J " "$T/stdout" "list shows the name escaped"
expect_exit 0 "list --json an edited index" "$SIPCA" -d "$T/store" list --json
check "list --json is strict UTF-8 JSON with the exact text" python3 -c '
import json, sys
rows = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
assert rows[0]["name"] == "evil\x1b[2J" and rows[0]["subject"] == "CN=evil\x1b[2J", rows
' "$T/stdout"
expect_no_grep "$ESC" "$T/stdout" "list --json has no raw ESC"

finish
