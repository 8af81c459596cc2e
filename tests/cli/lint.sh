#!/bin/sh
# sipca lint: a fixture corpus built at test time (sipca itself, openssl,
# certtool, and tests/lint/mkcert.py for what those refuse to write);
# each bad certificate must trigger its rule, each good one no error;
# golden JSON and SARIF structure; every CA in /etc/ssl/certs; inputs
# that are empty, truncated, not PEM or noise; exit statuses.
. "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")/.." && pwd)
MK="python3 $here/lint/mkcert.py"
SIPCA_NOW=2026-06-01T00:00:00Z
export SIPCA_NOW
unset NO_COLOR

C=$T/corpus
mkdir -p "$C"
cd "$T" || exit 1

# Keys: an RSA CA, an EC leaf, a small and a large RSA key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out small.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4104 -out big.key 2>/dev/null

$MK --key ca.key --sign ca.key --cn "Test CA" --bc ca --ku keyCertSign,cRLSign \
    --ku-critical --ski --not-before 2026-01-01T00:00:00Z --not-after 2036-01-01T00:00:00Z -o ca.pem
$MK --key other.key --sign other.key --cn "Other CA" --bc ca --ku keyCertSign,cRLSign \
    --ku-critical --ski --not-after 2036-01-01T00:00:00Z -o other-ca.pem

# leaf NAME RULE [mkcert options]: a server certificate like sipca's,
# changed by the options, expected to trigger RULE.
leaf() {
	name=$1; rule=$2; shift 2
	$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com \
	    --eku server,client --ku digitalSignature --ku-critical --ski --aki \
	    --not-before 2026-01-01T00:00:00Z --not-after 2027-01-01T00:00:00Z \
	    "$@" -o "$C/$name.pem" || fail "mkcert $name"
	echo "$name $rule" >> "$T/expect"
}
: > "$T/expect"
SANS="--san URI:sip:example.com --san DNS:example.com --san DNS:sip.example.com"

leaf serial-negative rfc5280.serial_not_positive $SANS --serial ff10
leaf serial-zero rfc5280.serial_not_positive $SANS --serial 00
leaf serial-long rfc5280.serial_too_long $SANS --serial 0102030405060708090a0b0c0d0e0f1011121314ff
leaf time-generalized rfc5280.time_encoding $SANS --not-before G:20260101000000Z
leaf time-no-seconds rfc5280.time_encoding $SANS --not-before U:2601010000Z
leaf time-offset rfc5280.time_encoding $SANS --not-before U:260101000000+0100
leaf inverted rfc5280.validity_inverted $SANS --not-before 2026-05-01T00:00:00Z \
    --not-after 2026-04-01T00:00:00Z
leaf dup-ext rfc5280.duplicate_extension $SANS --dup-ext 2.5.29.37
leaf dup-ext-gnutls x509.gnutls_refused $SANS --dup-ext 2.5.29.37
leaf unknown-critical rfc5280.unknown_critical_extension $SANS --ext 1.3.6.1.4.1.99999.7:1:0500
leaf malformed-ext rfc5280.extension_malformed $SANS --ext 2.5.29.19:0:0500
leaf keycertsign rfc5280.keycertsign_not_ca $SANS --ku digitalSignature,keyCertSign
leaf sha1 tls.weak_signature $SANS --hash sha1
leaf ku-no-ds tls.ku_digitalsignature $SANS --ku keyEncipherment
leaf days-900 apple.validity_825 $SANS --not-after 2028-06-19T00:00:00Z
leaf no-dns apple.san_dns_required --san URI:sip:example.com
leaf no-serverauth apple.eku_serverauth $SANS --eku any
leaf wildcard-san rfc5922.wildcard --san URI:sip:example.com --san DNS:*.example.com
leaf wildcard-san-poly polycom.wildcard_san --san URI:sip:example.com --san DNS:*.example.com
leaf wildcard-san-cisco cisco.wildcard --san URI:sip:example.com --san DNS:*.example.com
leaf cn-only rfc5922.cn_only
leaf uri-user rfc5922.san_uri_user_part --san URI:sip:proxy@example.com --san DNS:example.com
leaf uri-sips rfc5922.san_uri_non_sip_scheme --san URI:sips:example.com --san DNS:example.com
leaf no-clientauth sip.server_lacks_clientauth $SANS --eku server
leaf two-cn polycom.multiple_cn $SANS --cn proxy2.example.com
leaf y2038 y2038.notafter $SANS --not-after 2040-01-01T00:00:00Z
leaf expired validity.expired $SANS --not-after 2026-03-01T00:00:00Z
leaf not-yet-valid validity.not_yet_valid $SANS --not-before 2026-07-01T00:00:00Z
leaf expires-soon validity.expires_soon $SANS --not-after 2026-06-10T00:00:00Z
leaf trailing x509.trailing_data $SANS --trailing 2
$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn "192.0.2.10" --eku server,client \
    --ku digitalSignature --ski --aki --san DNS:example.com -o "$C/snom-ip.pem"
echo "snom-ip snom.ip_not_in_san" >> "$T/expect"
$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com --eku server,client \
    --ku digitalSignature --ski $SANS -o "$C/no-aki.pem"
echo "no-aki rfc5280.aki_missing" >> "$T/expect"
$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com --eku server,client \
    --ku digitalSignature --ski $SANS --ext 2.5.29.35:0:3000 -o "$C/aki-no-keyid.pem"
echo "aki-no-keyid rfc5280.aki_missing" >> "$T/expect"
$MK --key small.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com --eku server,client \
    --ku digitalSignature --ski --aki $SANS -o "$C/rsa-1024.pem"
echo "rsa-1024 tls.rsa_key_too_small" >> "$T/expect"
$MK --key big.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com --eku server,client \
    --ku digitalSignature --ski --aki $SANS -o "$C/rsa-4104.pem"
echo "rsa-4104 cisco.key_too_large" >> "$T/expect"
$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn "Bad CA" --bc ca --bc-noncritical \
    --ku keyCertSign --ski --aki -o "$C/ca-bc-noncritical.pem"
echo "ca-bc-noncritical rfc5280.ca_basic_constraints" >> "$T/expect"
$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn "No SKI CA" --bc ca \
    --ku keyCertSign --aki -o "$C/ca-no-ski.pem"
echo "ca-no-ski rfc5280.ski_missing" >> "$T/expect"
$MK --key leaf.key --sign other.key --issuer-cn "Other CA" --cn sip.example.com \
    --eku server,client --ku digitalSignature --ski --aki $SANS -o "$C/other-issuer.pem"
echo "other-issuer chain.issuer_mismatch" >> "$T/expect"
# DER, not BER (X.690 sections 11.1, 11.2, 11.5): values that decode
# but are encoded as DER does not encode them.
leaf crit-false-written rfc5280.extension_malformed $SANS --ext 1.3.6.1.4.1.99999.8:B00:0500
leaf crit-true-01 rfc5280.extension_malformed $SANS --ext 1.3.6.1.4.1.99999.8:B01:0500
leaf bc-ca-false-written rfc5280.extension_malformed $SANS --ext 2.5.29.19:1:3003010100
for ku in 03020580:ku-trailing-bits 0303070600:ku-zero-octet 03020781:ku-unused-set; do
	$MK --key leaf.key --sign ca.key --issuer-cn "Test CA" --cn sip.example.com --eku server,client \
	    --ski --aki $SANS --ext "2.5.29.15:1:${ku%%:*}" -o "$C/${ku#*:}.pem"
	echo "${ku#*:} rfc5280.extension_malformed" >> "$T/expect"
done
leaf empty-rdn rfc5280.name_empty_rdn $SANS --empty-rdn
# 20 octets with the top bit set: 21 content octets with the sign octet
leaf serial-20-topbit rfc5280.serial_too_long $SANS --serial 00ff0102030405060708090a0b0c0d0e0f10111213
# signed by a certificate that is no CA, given with --ca
$MK --key small.key --sign small.key --cn "Not a CA" --ski -o notca.pem
$MK --key leaf.key --sign small.key --issuer-cn "Not a CA" --cn sip.example.com \
    --eku server,client --ku digitalSignature --ski --aki $SANS -o "$C/signed-by-leaf.pem"
echo "signed-by-leaf chain.ca_not_ca" >> "$T/expect"

# Every bad certificate triggers its rule (all profiles, full context).
while read -r name rule; do
	"$SIPCA" lint --ca ca.pem --ca notca.pem "$C/$name.pem" > "$T/out" 2>&1
	expect_grep " $rule: " "$T/out" "$name triggers $rule"
done < "$T/expect"

# What each of those says: the X.690 rule it breaks.
ber() {
	"$SIPCA" lint "$C/$1.pem" > "$T/out" 2>&1
	expect_grep "$2" "$T/out" "$1: $2"
}
ber crit-false-written "critical: FALSE written out, a DEFAULT value DER leaves out (X.690 section 11.5)"
ber crit-true-01 "critical: TRUE not encoded as FF (X.690 section 11.1)"
ber bc-ca-false-written "2.5.29.19 is BER, not DER: basicConstraints cA: FALSE written out"
ber ku-trailing-bits "2.5.29.15 is BER, not DER: keyUsage: trailing zero bits in a named bit list (X.690 section 11.2.2)"
# A BER-only value is still read: that keyUsage is digitalSignature.
expect_no_grep "tls.ku_digitalsignature" "$T/out" "a BER keyUsage is still read for its bits"
ber ku-zero-octet "keyUsage: trailing zero bits"
ber ku-unused-set "keyUsage: unused bits that are not zero (X.690 section 11.2.1)"
ber empty-rdn "the subject has an empty RelativeDistinguishedName"
ber serial-20-topbit "serial number is 21 octets (DER content, sign octet included)"

# Rules that need a role or a domain.
expect_exit 1 "--role device without clientAuth" \
    "$SIPCA" lint --role device "$C/no-clientauth.pem"
expect_grep "sip.device_lacks_clientauth" "$T/stdout" "--role device"
expect_exit 1 "--sip-domain not in the identities" \
    "$SIPCA" lint --sip-domain other.example "$C/dup-ext.pem"
expect_grep "rfc5922.sip_domain_missing" "$T/stdout" "--sip-domain other.example"
expect_exit 1 "--role ca without basicConstraints" \
    "$SIPCA" lint --role ca "$C/expires-soon.pem"
expect_grep "rfc5280.ca_basic_constraints" "$T/stdout" "--role ca"

# Good certificates: sipca's own, openssl's and certtool's.
G=$T/good
mkdir -p "$G"
new_ca "$T/store" || fail "sipca init"
"$SIPCA" -d "$T/store" issue server sip.example.com >/dev/null || fail "sipca issue server"
"$SIPCA" -d "$T/store" issue device alice --uri sip:alice@example.com >/dev/null ||
    fail "sipca issue device"
cp "$T/store/ca.pem" "$G/sipca-ca.pem"
cp "$T/store/issued/sip.example.com/cert.pem" "$G/sipca-server.pem"
cp "$T/store/issued/alice/cert.pem" "$G/sipca-device.pem"
expect_exit 0 "sipca's certificates lint clean" \
    "$SIPCA" lint --ca "$G/sipca-ca.pem" --sip-domain example.com "$G/sipca-ca.pem" \
    "$G/sipca-server.pem" "$G/sipca-device.pem"
expect_grep "3 certificates: 0 fatal, 0 error" "$T/stdout" "sipca's certificates"

cat > openssl.cnf <<'EOF'
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = URI:sip:example.com, DNS:example.com, DNS:sip.example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
openssl req -new -key other.key -subj "/CN=sip.example.com" -out srv.csr 2>/dev/null
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -set_serial 0x1234 -days 365 \
    -sha256 -extfile openssl.cnf -extensions ext -out "$G/openssl-server.pem" 2>/dev/null ||
    fail "openssl x509 -req"
cat > certtool.tmpl <<'EOF'
cn = "sip.example.com"
dns_name = "example.com"
dns_name = "sip.example.com"
uri = "sip:example.com"
tls_www_server
tls_www_client
signing_key
expiration_days = 365
EOF
certtool --generate-certificate --load-privkey leaf.key --load-ca-certificate ca.pem \
    --load-ca-privkey ca.key --template certtool.tmpl --outfile "$G/certtool-server.pem" \
    >/dev/null 2>&1 || fail "certtool --generate-certificate"
for f in "$G"/openssl-server.pem "$G"/certtool-server.pem; do
	# now: the real clock's certificates, so no SIPCA_NOW here
	expect_exit 0 "$(basename "$f") lints clean" env -u SIPCA_NOW \
	    "$SIPCA" lint --ca ca.pem --sip-domain example.com "$f"
done

# --force: an error refuses the issuance and writes nothing; --force issues.
snapshot "$T/store" > "$T/before"
expect_exit 2 "issue with an Apple-breaking validity is refused" \
    "$SIPCA" -d "$T/store" issue server long.example.com --days 2000
expect_grep "lint: error apple.validity_825" "$T/stderr" "guard names the rule"
expect_unchanged "$T/before" "$T/store" "refused issuance"
expect_exit 0 "--force issues it" \
    "$SIPCA" -d "$T/store" issue server long.example.com --days 2000 --force
cp "$T/store/issued/long.example.com/cert.pem" "$C/sipca-forced.pem" 2>/dev/null
expect_exit 1 "the forced certificate lints with the error" \
    "$SIPCA" lint "$C/sipca-forced.pem"
expect_grep "apple.validity_825" "$T/stdout" "forced certificate"

# Inputs that are not certificates: x509.parse, exit 1, no crash.
: > "$C/empty.pem"
echo "hello, not a certificate" > "$C/text.pem"
head -c 4096 /dev/urandom | tr '\060' '\061' > "$C/noise.der"
head -n 5 "$C/dup-ext.pem" > "$C/truncated.pem"
openssl x509 -in ca.pem -outform DER | head -c 300 > "$C/truncated.der"
printf '%s\n' "-----BEGIN CERTIFICATE-----" "!!!!" "-----END CERTIFICATE-----" > "$C/badb64.pem"
for f in empty.pem text.pem noise.der truncated.pem truncated.der badb64.pem; do
	expect_exit 1 "$f gives x509.parse" "$SIPCA" lint "$C/$f"
	expect_grep "fatal x509.parse" "$T/stdout" "$f"
done
# A store's issued/ holds keys beside the certificates: the keys are
# skipped with a note naming the label, never linted as x509.parse, and
# the key's bytes appear in no output.
expect_exit 0 "lint of a store's issued/ directory" \
    "$SIPCA" lint --profile rfc5280 "$T/store/issued/sip.example.com"
expect_grep "note: '.*/key.pem': line 1: skipped a PEM block that is not a certificate (PRIVATE KEY)" \
    "$T/stderr" "the key is skipped with a note"
expect_no_grep "x509.parse" "$T/stdout" "no parse finding for the key"
keyline=$(sed -n 2p "$T/store/issued/sip.example.com/key.pem")
expect_no_grep "$keyline" "$T/stdout" "no key bytes in the output"
expect_no_grep "$keyline" "$T/stderr" "no key bytes in the messages"
expect_exit 1 "stdin" sh -c "\"$SIPCA\" lint - < \"$C/dup-ext.pem\""
expect_grep "^-#1: error rfc5280.duplicate_extension" "$T/stdout" "stdin is '-'"

# Usage errors and unreadable paths: exit 2.
expect_exit 2 "missing file" "$SIPCA" lint "$T/nonexistent.pem"
expect_exit 2 "unknown profile" "$SIPCA" lint --profile nosuch "$C/y2038.pem"
expect_exit 2 "unknown rule" "$SIPCA" lint --exclude no.such "$C/y2038.pem"
expect_exit 2 "bad format" "$SIPCA" lint --format xml "$C/y2038.pem"
expect_exit 2 "no input" "$SIPCA" lint

# --fail-on, --profile, --exclude, --expiry-warn.
expect_exit 0 "warn passes --fail-on error" "$SIPCA" lint "$C/no-clientauth.pem"
expect_exit 1 "warn fails --fail-on warn" "$SIPCA" lint --fail-on warn "$C/no-clientauth.pem"
expect_exit 0 "notice passes --fail-on warn" "$SIPCA" lint --fail-on warn "$G/sipca-server.pem"
expect_exit 1 "notice fails --fail-on notice" "$SIPCA" lint --fail-on notice "$G/sipca-server.pem"
expect_exit 0 "fatal only: an error passes" "$SIPCA" lint --fail-on fatal "$C/sha1.pem"
expect_exit 1 "fatal counts for --fail-on error" "$SIPCA" lint "$C/empty.pem"
expect_exit 0 "--profile y2038 skips the rest" "$SIPCA" lint --profile y2038 "$C/sha1.pem"
expect_exit 0 "--exclude drops the rule" "$SIPCA" lint --exclude tls.weak_signature "$C/sha1.pem"
expect_exit 0 "--expiry-warn 5" "$SIPCA" lint --fail-on warn --expiry-warn 5 --exclude \
    polycom.multiple_cn "$C/expires-soon.pem"

# Directories: .pem .crt .cer .der only; no colour when not a terminal.
mkdir -p "$T/dir/sub"
cp "$C/sha1.pem" "$T/dir/a.crt"
cp "$C/y2038.pem" "$T/dir/sub/b.pem"
cp "$C/sha1.pem" "$T/dir/ignored.txt"
expect_exit 1 "a directory" "$SIPCA" lint "$T/dir"
expect_grep "2 certificates" "$T/stdout" "directory walk"
expect_no_grep "ignored.txt" "$T/stdout" "directory walk skips .txt"
expect_no_grep "$(printf '\033')" "$T/stdout" "no colour off a terminal"

# Golden JSON: structure, rules, severities and the summary.
expect_exit 1 "JSON" "$SIPCA" lint --format json --ca ca.pem "$G/sipca-device.pem" \
    "$C/dup-ext.pem" "$C/empty.pem"
cp "$T/stdout" "$T/lint.json"
python3 - "$T/lint.json" "$G" "$C" <<'EOF' || fail "golden JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
g, c = sys.argv[2], sys.argv[3]
assert set(doc) == {"version", "results", "summary"}, doc.keys()
assert doc["version"] == 1
got = [(r["file"], r["index"], r["kind"],
        sorted((f["rule"], f["severity"]) for f in r["findings"]))
       for r in doc["results"]]
want = [
    (g + "/sipca-device.pem", 1, "device", [("chain.issuer_mismatch", "error"),
                                             ("polycom.key_baseline", "notice")]),
    (c + "/dup-ext.pem", 1, "server", sorted([
        ("x509.gnutls_refused", "warn"),
        ("rfc5280.duplicate_extension", "error"),
        ("rfc5922.uri_shadows_dns", "notice"),
        ("polycom.key_baseline", "notice")])),
    (c + "/empty.pem", 1, None, [("x509.parse", "fatal")]),
]
assert got == want, "\n%r\n!=\n%r" % (got, want)
for r in doc["results"]:
    assert isinstance(r["subject"], (str, type(None)))
    for f in r["findings"]:
        assert set(f) == {"rule", "severity", "message", "citation"}, f
        assert f["message"] and f["citation"], f
assert doc["summary"] == {"certificates": 3, "fatal": 1, "error": 2,
                          "warn": 1, "notice": 3}, doc["summary"]
EOF

"$SIPCA" lint --list-rules --format json > "$T/rules.json" || fail "--list-rules --format json"
# The README's rules table is the rule table: every rule, its severity
# and profile, and nothing else.
python3 - "$T/rules.json" "$here/../README.md" <<'EOF' || fail "README rules table"
import json, re, sys
rules = json.load(open(sys.argv[1]))["rules"]
rows = re.findall(r"^\| `([a-z0-9_]+\.[a-z0-9_]+)` \| (\w+) \| (\w+) \|",
                  open(sys.argv[2]).read(), re.M)
table = {r[0]: (r[1], r[2]) for r in rows}
want = {r["id"]: (r["severity"], r["profile"]) for r in rules}
missing = sorted(set(want) - set(table))
extra = sorted(set(table) - set(want))
wrong = sorted(i for i in want if i in table and table[i] != want[i])
assert not missing and not extra and not wrong, (missing, extra, wrong)
EOF
TESTS_RUN=$((TESTS_RUN + 1))

# Golden SARIF 2.1.0: every rule described, results with levels and lines.
# One decoder by default (libtasn1); GnuTLS's import, and its refusal,
# with --gnutls (or --ca).
expect_exit 1 "dup-ext without --gnutls" "$SIPCA" lint "$C/dup-ext.pem"
expect_no_grep "x509.gnutls_refused" "$T/stdout" "no GnuTLS import without --gnutls"
expect_grep "rfc5280.duplicate_extension" "$T/stdout" "the rule that explains it still runs"
expect_exit 1 "dup-ext with --ca" "$SIPCA" lint --ca ca.pem "$C/dup-ext.pem"
expect_grep "x509.gnutls_refused" "$T/stdout" "--ca imports with GnuTLS too"
expect_exit 1 "SARIF" "$SIPCA" lint --gnutls --format sarif "$C/dup-ext.pem" "$C/empty.pem"
cp "$T/stdout" "$T/lint.sarif"
python3 - "$T/lint.sarif" "$T/rules.json" "$C" <<'EOF' || fail "golden SARIF"
import json, sys
sarif = json.load(open(sys.argv[1]))
rules = json.load(open(sys.argv[2]))["rules"]
c = sys.argv[3]
assert sarif["version"] == "2.1.0"
assert sarif["$schema"].endswith("sarif-2.1.0.json")
run, = sarif["runs"]
driver = run["tool"]["driver"]
ids = [r["id"] for r in driver["rules"]]
assert ids == [r["id"] for r in rules], "rules differ from --list-rules"
for r in driver["rules"]:
    assert r["shortDescription"]["text"] and r["properties"]["citation"]
    assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
levels = {"fatal": "error", "error": "error", "warn": "warning", "notice": "note"}
sev = {r["id"]: r["severity"] for r in rules}
got = []
for res in run["results"]:
    assert ids[res["ruleIndex"]] == res["ruleId"]
    loc = res["locations"][0]["physicalLocation"]
    got.append((res["ruleId"], res["level"], loc["artifactLocation"]["uri"],
                loc["region"]["startLine"]))
    assert res["message"]["text"]
want = sorted([
    ("x509.gnutls_refused", "warning", c + "/dup-ext.pem", 1),
    ("rfc5280.duplicate_extension", "error", c + "/dup-ext.pem", 1),
    ("rfc5922.uri_shadows_dns", "note", c + "/dup-ext.pem", 1),
    ("polycom.key_baseline", "note", c + "/dup-ext.pem", 1),
    ("x509.parse", "error", c + "/empty.pem", 1),
])
assert sorted(got) == want, "\n%r\n!=\n%r" % (sorted(got), want)
for r in rules:
    assert r["citation"] and r["summary"] and r["severity"] in levels
EOF

# The PEM line in SARIF: the second block of a bundle starts further down.
cat "$G/sipca-server.pem" "$C/sha1.pem" > "$T/bundle.pem"
line=$(grep -n "BEGIN CERTIFICATE" "$T/bundle.pem" | sed -n 2p | cut -d: -f1)
"$SIPCA" lint --format sarif "$T/bundle.pem" > "$T/bundle.sarif"
python3 -c "
import json, sys
run = json.load(open('$T/bundle.sarif'))['runs'][0]
lines = {r['locations'][0]['physicalLocation']['region']['startLine']
         for r in run['results'] if r['ruleId'] == 'tls.weak_signature'}
sys.exit(0 if lines == {$line} else 1)" || fail "SARIF startLine of the second PEM block"

# Every CA in /etc/ssl/certs lints without a crash.
if [ -d /etc/ssl/certs ]; then
	"$SIPCA" lint /etc/ssl/certs > "$T/system.txt" 2>&1
	rc=$?
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$rc" -le 1 ] || fail "/etc/ssl/certs: exit $rc"
	expect_grep "certificates: 0 fatal" "$T/system.txt" "/etc/ssl/certs decodes"
	"$SIPCA" lint --format sarif /etc/ssl/certs | python3 -m json.tool > /dev/null ||
	    fail "/etc/ssl/certs SARIF is not JSON"
else
	skip "every CA in /etc/ssl/certs lints" "no /etc/ssl/certs"
fi

# --jobs: the same bytes out, in input order, whatever the threads: the
# whole corpus (good, bad and undecodable certificates, directories and
# a bundle), in each format; a bundle long enough that the ring of slots
# in flight fills and wraps many times.
for i in $(seq 1 60); do cat "$C"/*.pem; printf -- '-----BEGIN CERTIFICATE-----\nA!==\n-----END CERTIFICATE-----\n'; done > "$T/jobs.pem"
for fmt in text json sarif; do
	"$SIPCA" lint --jobs 1 --format $fmt --sip-domain example.com --ca ca.pem "$C" \
	    "$G" "$T/jobs.pem" > "$T/jobs1.$fmt" 2>&1
	for j in 2 3 8; do
		"$SIPCA" lint --jobs $j --format $fmt --sip-domain example.com --ca ca.pem "$C" \
		    "$G" "$T/jobs.pem" > "$T/jobs$j.$fmt" 2>&1
		check "lint --jobs $j --format $fmt: the output of --jobs 1" \
		    cmp "$T/jobs1.$fmt" "$T/jobs$j.$fmt"
	done
done
check "the --jobs input is large (more than 2,000 certificates)" sh -c \
    "[ \$(grep -c 'BEGIN CERTIFICATE' '$T/jobs.pem') -gt 2000 ]"
expect_grep "invalid base64" "$T/jobs8.text" "--jobs keeps the undecodable blocks' findings"
for bad in 0 257 x; do
	expect_exit 2 "lint --jobs $bad" "$SIPCA" lint --jobs $bad "$G/sipca-ca.pem"
	expect_grep "invalid --jobs" "$T/stderr" "lint --jobs $bad: the message"
done

# An endless input without newlines is read in bounded memory: sipca is
# still reading when the timeout stops it (124), and its peak RSS stays
# far below what an unbounded line buffer reaches in two seconds (GBs).
# (RSS, not ulimit -v: ASan builds need a large address space.) Only
# '-' may be a stream: a device named as a file is refused. The bare
# binary: a process stopped by a signal has not leaked what it still held,
# and valgrind's own memory is not sipca's.
expect_exit 124 "lint - < /dev/zero keeps reading" sh -c \
    'exec /usr/bin/time -f %M -o "$1" timeout 2 "$0" lint - < /dev/zero' \
    "$SIPCA_BARE" "$T/rss"
check "lint - < /dev/zero in bounded memory (peak $(tail -1 "$T/rss") KiB)" \
    test "$(tail -1 "$T/rss")" -lt 524288

finish
