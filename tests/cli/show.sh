#!/bin/sh
# sipca show (issue 14): certificates from the store or a file, every
# certificate of a chain or bundle, certificate requests with their
# signature checked, --json, the rule for a store name versus a file, and
# bad input. Decoded fields are compared with openssl and certtool.
. "$(dirname "$0")/../lib.sh"

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue server sip.example.com --dns edge.example.com --ip 192.0.2.10 \
    --key p256 >/dev/null 2>&1 || fail "issue server"
"$SIPCA" -d "$CA" issue device alice --key rsa2048 >/dev/null 2>&1 || fail "issue device"
D=$CA/issued/sip.example.com

# field LABEL FILE: the value of a "label  value" line of show's text.
field() {
	sed -n "s/^$1  *//p" "$2" | head -1
}

# same DESCRIPTION A B: two values must be equal (and not empty).
same() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if [ -z "$2" ] || [ "$2" != "$3" ]; then
		fail "$1: '$2' is not '$3'"
	fi
}

# ---- one certificate, from the store, against openssl ----
if expect_exit 0 "show NAME" "$SIPCA" -d "$CA" show sip.example.com; then
	cp "$T/stdout" "$T/one"
	expect_grep "^name  *sip.example.com (server, valid)$" "$T/one" "the store's row is named"
	same "serial" "$(field serial "$T/one")" \
	    "$(openssl x509 -in "$D/cert.pem" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f')"
	same "subject" "$(field subject "$T/one")" \
	    "$(openssl x509 -in "$D/cert.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
	same "issuer" "$(field issuer "$T/one")" \
	    "$(openssl x509 -in "$D/cert.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
	same "not after" "$(field 'not after' "$T/one")" \
	    "$(date -u -d "$(openssl x509 -in "$D/cert.pem" -noout -enddate | sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)"
	same "SHA-256" "$(field SHA-256 "$T/one")" \
	    "$(openssl x509 -in "$D/cert.pem" -noout -fingerprint -sha256 | sed 's/^.*Fingerprint=//')"
	openssl x509 -in "$D/cert.pem" -noout -text > "$T/one.openssl"
	expect_grep "DNS:edge.example.com" "$T/one.openssl" "openssl sees the DNS name"
	expect_grep "^SAN  *URI:sip:example.com$" "$T/one" "the SIP URI first"
	expect_grep "^  *DNS:edge.example.com$" "$T/one" "the DNS name"
	expect_grep "^  *IP:192.0.2.10$" "$T/one" "the IP address"
	expect_grep "ASN1 OID: prime256v1" "$T/one.openssl" "openssl: a P-256 key"
	expect_grep "^key  *ECDSA SECP256R1 (256 bits)$" "$T/one" "the key"
	expect_grep "^ext usage  *serverAuth, clientAuth$" "$T/one" "the extended key usages"
	expect_no_grep "certificates in" "$T/one" "one certificate: no count line"
fi

# ---- a chain file: every certificate, counted and numbered ----
if expect_exit 0 "show a chain file" "$SIPCA" show "$D/chain.pem"; then
	cp "$T/stdout" "$T/chain"
	n=$(grep -c "BEGIN CERTIFICATE" "$D/chain.pem")
	expect_grep "^$n certificates in $D/chain.pem$" "$T/chain" "the count is said"
	expect_grep "^certificate  *1 of $n$" "$T/chain" "the first is numbered"
	expect_grep "^certificate  *$n of $n$" "$T/chain" "the last is numbered"
	# The subjects in file order, as openssl reads them one by one.
	awk '/BEGIN CERT/{n++} {print > (dir "/part" n ".pem")}' dir="$T" "$D/chain.pem"
	i=1; want=""
	while [ "$i" -le "$n" ]; do
		want="$want$(openssl x509 -in "$T/part$i.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//');"
		i=$((i + 1))
	done
	same "subjects in order" "$(sed -n 's/^subject  *//p' "$T/chain" | tr '\n' ';')" "$want"
fi
# A bundle of three (leaf, CA, another leaf) with text between the blocks.
{ cat "$D/cert.pem"; echo "# the CA"; cat "$CA/ca.pem"; cat "$CA/issued/alice/cert.pem"; } > "$T/bundle.pem"
if expect_exit 0 "show a three-certificate bundle" "$SIPCA" show "$T/bundle.pem"; then
	expect_grep "^3 certificates in $T/bundle.pem$" "$T/stdout" "three are counted"
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$(grep -c '^SHA-256 ' "$T/stdout")" = 3 ] || fail "three certificates are shown"
	same "the third is alice's, RSA" "$(sed -n 's/^key \{10\}//p' "$T/stdout" | sed -n 3p)" "RSA 2048 bits"
fi
# DER, as openssl writes it.
openssl x509 -in "$D/cert.pem" -outform DER -out "$T/cert.der"
if expect_exit 0 "show a DER certificate" "$SIPCA" show "$T/cert.der"; then
	same "DER: the same serial" "$(field serial "$T/stdout")" "$(field serial "$T/one")"
fi

# ---- certificate requests ----
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/r.key" \
    -subj "/O=Example/CN=csr.example.com" \
    -addext "subjectAltName=DNS:csr.example.com,URI:sip:csr@example.com,IP:192.0.2.20" \
    -out "$T/r.csr" 2>/dev/null || fail "openssl made no request"
openssl req -new -newkey rsa:3072 -nodes -keyout "$T/r3.key" -subj "/CN=rsa.example.com" \
    -outform DER -out "$T/r3.der" 2>/dev/null || fail "openssl made no RSA request"
if expect_exit 0 "show a request" "$SIPCA" show "$T/r.csr"; then
	cp "$T/stdout" "$T/req"
	openssl req -in "$T/r.csr" -noout -text > "$T/req.openssl"
	expect_grep "^certificate request in $T/r.csr$" "$T/req" "it says it is a request"
	same "request subject" "$(field subject "$T/req")" \
	    "$(openssl req -in "$T/r.csr" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
	for san in "DNS:csr.example.com" "URI:sip:csr@example.com" "IP Address:192.0.2.20"; do
		expect_grep "$san" "$T/req.openssl" "openssl reads $san"
		expect_grep "^\(SAN \)\? *$(echo "$san" | sed 's/IP Address/IP/')$" "$T/req" "show reads $san"
	done
	expect_grep "^key  *ECDSA SECP256R1 (256 bits)$" "$T/req" "the request's key"
	expect_grep "^signature  *ECDSA-SHA256 (valid)$" "$T/req" "the request's signature verifies"
	expect_no_grep "^serial\|^issuer\|^not after" "$T/req" "a request has no serial, issuer or validity"
fi
# openssl 3.0 exits 0 either way: its words are the verdict.
openssl req -in "$T/r.csr" -noout -verify > "$T/verify.openssl" 2>&1
expect_grep "verify OK" "$T/verify.openssl" "openssl: the request verifies (control)"
if expect_exit 0 "show a DER RSA request" "$SIPCA" show "$T/r3.der"; then
	expect_grep "Public-Key: (3072 bit)" "$(openssl req -inform DER -in "$T/r3.der" -noout -text > "$T/r3.openssl"; echo "$T/r3.openssl")" \
	    "openssl: 3072 bits"
	expect_grep "^key  *RSA 3072 bits$" "$T/stdout" "the RSA request's key"
	expect_grep "(valid)$" "$T/stdout" "the RSA request verifies"
fi
# The last octet is the signature's: the request stays readable, its
# signature no longer verifies, and show says so (exit 0: it described it).
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-1]^=1; open(sys.argv[2],"wb").write(d)' \
    "$T/r3.der" "$T/badsig.der"
openssl req -inform DER -in "$T/badsig.der" -noout -verify > "$T/verify.openssl" 2>&1
expect_grep "verify failure" "$T/verify.openssl" "openssl: the altered request does not verify (control)"
check_fails "certtool: the altered request does not verify (control)" \
    certtool --crq-info --verify --inder --infile "$T/badsig.der"
if expect_exit 0 "show a request whose signature is wrong" "$SIPCA" show "$T/badsig.der"; then
	expect_grep "^signature  *RSA-SHA256 (does not verify: " "$T/stdout" "the bad signature is named"
	expect_grep "^subject  *CN=rsa.example.com$" "$T/stdout" "and the request still described"
fi

# ---- --json ----
if expect_exit 0 "show --json NAME" "$SIPCA" -d "$CA" show --json sip.example.com; then
	check "the JSON parses" python3 -m json.tool "$T/stdout"
	cp "$T/stdout" "$T/one.json"
	same "json: source" "$(jq -r '.source + " " + .name + " " + .kind + " " + .status' "$T/one.json")" \
	    "store sip.example.com server valid"
	same "json: count" "$(jq -r '.type + " " + (.count | tostring)' "$T/one.json")" "certificates 1"
	same "json: serial" "$(jq -r '.items[0].serial' "$T/one.json")" "$(field serial "$T/one")"
	same "json: sha256 as openssl" "$(jq -r '.items[0].sha256' "$T/one.json")" \
	    "$(openssl x509 -in "$D/cert.pem" -noout -fingerprint -sha256 | sed 's/^.*Fingerprint=//')"
	same "json: sans" "$(jq -r '[.items[0].sans[] | .type + ":" + .value] | join(",")' "$T/one.json")" \
	    "URI:sip:example.com,DNS:example.com,DNS:sip.example.com,DNS:edge.example.com,IP:192.0.2.10"
	same "json: key" "$(jq -r '.items[0].key | .type + " " + .algorithm + " " + (.bits | tostring) + " " + .curve' "$T/one.json")" \
	    "p256 ECDSA 256 SECP256R1"
	same "json: usages" "$(jq -r '.items[0] | (.key_usage.usages | join(",")) + " " + (.extended_key_usage | join(",")) + " " + (.basic_constraints.ca | tostring)' "$T/one.json")" \
	    "digitalSignature serverAuth,clientAuth false"
	same "json: not_after as openssl" "$(jq -r '.items[0].not_after' "$T/one.json")" "$(field 'not after' "$T/one")"
fi
if expect_exit 0 "show --json a chain" "$SIPCA" show --json "$T/bundle.pem"; then
	same "json chain: count and positions" "$(jq -r '.source + " " + .path + " " + (.count | tostring) + " " + ([.items[].position | tostring] | join(","))' "$T/stdout")" \
	    "file $T/bundle.pem 3 1,2,3"
	same "json chain: the CA's constraints" "$(jq -r '.items[1].basic_constraints | (.ca | tostring) + " " + (.path_length | tostring)' "$T/stdout")" \
	    "true 0"
fi
if expect_exit 0 "show --json a request" "$SIPCA" show --json "$T/r.csr"; then
	check "the request's JSON parses" python3 -m json.tool "$T/stdout"
	same "json request" "$(jq -r '.type + " " + .items[0].type + " " + (.items[0].signature_valid | tostring) + " " + (.items[0].serial | tostring)' "$T/stdout")" \
	    "request request true null"
	same "json request: subject" "$(jq -r '.items[0].subject' "$T/stdout")" "$(field subject "$T/req")"
fi
if expect_exit 0 "show --json a request with a wrong signature" "$SIPCA" show --json "$T/badsig.der"; then
	same "json: the signature is not valid" "$(jq -r '.items[0] | (.signature_valid | tostring) + " " + (.signature_problem != null | tostring)' "$T/stdout")" \
	    "false true"
fi

# ---- a store name or a file: the rule ----
W=$T/work
mkdir "$W"
cp "$CA/issued/alice/cert.pem" "$W/sip.example.com"	# a file named as a store entry
cp "$D/cert.pem" "$W/only-a-file"
cd "$W" || exit 1
if expect_exit 0 "a word that is both: the store's" "$SIPCA" -d "$CA" show sip.example.com; then
	expect_grep "^name  *sip.example.com (server, valid)$" "$T/stdout" "both: the store entry is shown"
	expect_grep "^sipca: show: note: .*'sip.example.com'.*use ./sip.example.com$" "$T/stderr" \
	    "both: stderr says how to get the file"
	TESTS_RUN=$((TESTS_RUN + 1))
	[ "$(wc -l < "$T/stderr")" = 1 ] || fail "both: one note on stderr"
fi
if expect_exit 0 "./NAME is always the file" "$SIPCA" -d "$CA" show ./sip.example.com; then
	expect_grep "^subject  *CN=alice$" "$T/stdout" "./NAME: the file's certificate"
	expect_no_grep "^name " "$T/stdout" "./NAME: no store row"
	TESTS_RUN=$((TESTS_RUN + 1))
	[ -s "$T/stderr" ] && fail "./NAME: nothing on stderr: $(cat "$T/stderr")"
fi
if expect_exit 0 "a word the store lacks: the file" "$SIPCA" -d "$CA" show only-a-file; then
	expect_grep "^subject  *CN=sip.example.com$" "$T/stdout" "no such name: the file is read"
	TESTS_RUN=$((TESTS_RUN + 1))
	[ -s "$T/stderr" ] && fail "no such name: nothing on stderr: $(cat "$T/stderr")"
fi
if expect_exit 0 "no store at all: the file" "$SIPCA" -d "$T/none" show only-a-file; then
	expect_grep "^subject  *CN=sip.example.com$" "$T/stdout" "no store: the file is read"
fi
check "no store was made" test ! -e "$T/none"
expect_exit 2 "neither a name nor a file" "$SIPCA" -d "$CA" show nobody
expect_grep "^sipca: show: no certificate named 'nobody' in the store$" "$T/stderr" "neither: the message"
expect_exit 2 "no store and no file" "$SIPCA" -d "$T/none" show nobody
expect_grep "^sipca: show: cannot read 'nobody': " "$T/stderr" "no store, no file: the file is missing"
expect_grep "no CA store" "$T/stderr" "no store, no file: and there is no store"
expect_exit 0 "- is standard input" sh -c '"$1" -d "$2" show --json - < "$3"' sh "$SIPCA" "$CA" "$T/r.csr"
same "stdin: the request" "$(jq -r '.source + " " + .path + " " + .type' "$T/stdout")" "file - request"
cd "$T" || exit 1

# ---- bad input: a clear message, exit 2, the store untouched ----
head -c 2048 /dev/urandom > "$T/garbage"
: > "$T/empty"
printf 'hello, not a certificate\n' > "$T/text"
snapshot "$CA" > "$T/before"
for f in garbage empty text r.key missing; do
	if expect_exit 2 "show $f" "$SIPCA" -d "$CA" show "$T/$f"; then
		expect_grep "^sipca: show: \(not a certificate or certificate request: \|cannot read \)'$T/$f': " \
		    "$T/stderr" "show $f: the message names the file"
		expect_no_grep "ASN1 parser\|TAG" "$T/stderr" "show $f: no bare decoder message"
		TESTS_RUN=$((TESTS_RUN + 1))
		[ -s "$T/stdout" ] && fail "show $f: nothing on stdout"
	fi
	expect_exit 2 "show --json $f" "$SIPCA" -d "$CA" show --json "$T/$f"
done
expect_grep "No such file" "$T/stderr" "a missing file says so"
expect_exit 2 "show an unknown option" "$SIPCA" -d "$CA" show --jsn sip.example.com
expect_exit 2 "show two arguments" "$SIPCA" -d "$CA" show a b
expect_unchanged "$T/before" "$CA" "bad input"

# ---- the rule is documented ----
if expect_exit 0 "show --help" "$SIPCA" show --help; then
	expect_grep "the file NAME when the store has none" "$T/stdout" "--help: a bare NAME"
	expect_grep "PATH has a '/', as ./NAME" "$T/stdout" "--help: ./NAME"
	expect_grep "^  *--json" "$T/stdout" "--help: --json"
fi
expect_grep "as ./NAME" "$TOP/doc/sipca.1" "the man page has the rule"
TESTS_RUN=$((TESTS_RUN + 1))
grep -q "^#### Showing a certificate" "$TOP/README.md" || fail "the README has a section on show"

finish
