#!/bin/sh
# Issue 11: SAN bytes are taken exactly as encoded. A request's SAN with
# a NUL, a byte outside IA5, bad syntax or an iPAddress of the wrong
# length is refused, not cut at the NUL and issued; --copy-san names the
# SAN types it does not copy; a certificate has at most 100 SANs; request
# keys that phones refuse (DSA, RSA e=3, secp256k1, EdDSA) are refused;
# show and probe compare and print what a certificate holds, escaped.
#
# The requests and certificates are made here: a SAN extension is
# DER-encoded by a few lines of Python and handed to openssl as
# "subjectAltName=DER:...". probe needs gnutls-serv on loopback only, so
# the script runs in a network namespace whose only interface is lo
# (tests/netns.sh).
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

new_ca "$T/ca"
export SIPCA_DIR="$T/ca"

# san_der SPEC...: the hex of a subjectAltName extension's value, one
# GeneralName per SPEC. dns:, uri:, email: take text with Python escapes
# (\x00); ip: hex octets; tag:NN:HEX any other [NN] element's contents.
cat > "$T/san_der.py" <<'EOF'
import sys

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body

def text(v):
    return v.encode('latin-1').decode('unicode_escape').encode('latin-1')

out = b''
for spec in sys.argv[1:]:
    kind, value = spec.split(':', 1)
    if kind in ('email', 'dns', 'uri'):
        out += tlv({'email': 0x81, 'dns': 0x82, 'uri': 0x86}[kind], text(value))
    elif kind == 'ip':
        out += tlv(0x87, bytes.fromhex(value))
    elif kind == 'tag':
        tag, body = value.split(':', 1)
        out += tlv(int(tag, 16), bytes.fromhex(body))
print(tlv(0x30, out).hex())
EOF
san_der() {
	python3 "$T/san_der.py" "$@"
}

openssl ecparam -name prime256v1 -genkey -noout -out "$T/p256.key" 2>/dev/null

# csr OUT SPEC...: a P-256 request for CN=x with those SANs, each with a
# key of its own (one key for several names is refused: tests/cli/csr.sh).
csr() {
	out=$1; shift
	openssl ecparam -name prime256v1 -genkey -noout -out "$out.key" 2>/dev/null
	openssl req -new -key "$out.key" -subj /CN=x -out "$out" \
	    -addext "subjectAltName=DER:$(san_der "$@")" 2>/dev/null ||
	    fail "openssl req for $out"
}

# refused DESCRIPTION PATTERN COMMAND...: exit 2, PATTERN on stderr, the
# store as it was.
refused() {
	desc=$1 pat=$2; shift 2
	snapshot "$T/ca" > "$T/before"
	expect_exit 2 "$desc" "$@"
	expect_grep "$pat" "$T/stderr" "$desc: message"
	expect_unchanged "$T/before" "$T/ca" "$desc"
}

# The attack: a NUL inside a SAN, cut there by a %.*s and issued as the
# name before it (with serverAuth for a server).
csr "$T/dns-nul.csr" 'dns:evil.com\x00.example.com'
refused "DNS SAN with a NUL" \
    "invalid request: '$T/dns-nul.csr': DNS SAN 'evil.com\\\\x00.example.com': contains a NUL byte" \
    "$SIPCA" issue device evil --csr "$T/dns-nul.csr" --copy-san
refused "DNS SAN with a NUL, server" "contains a NUL byte" \
    "$SIPCA" issue server sip.example.com --csr "$T/dns-nul.csr" --copy-san
csr "$T/uri-nul.csr" 'uri:sip:alice@example.com\x00.evil.com'
refused "URI SAN with a NUL" \
    "URI SAN 'sip:alice@example.com\\\\x00.evil.com': contains a NUL byte" \
    "$SIPCA" issue device alice --csr "$T/uri-nul.csr" --copy-san
# Without --copy-san the request's SANs are not read and not issued.
expect_exit 0 "the same request without --copy-san" \
    "$SIPCA" issue device nocopy --csr "$T/uri-nul.csr"
openssl x509 -in "$T/ca/issued/nocopy/cert.pem" -noout -ext subjectAltName > "$T/san"
expect_grep 'URI:sip:nocopy@example.com$' "$T/san" "without --copy-san: the default URI only"

# Every other way an encoded value differs from what it reads as.
csr "$T/latin1.csr" 'dns:ex\xe4mple.com'
refused "DNS SAN with a byte outside IA5" "DNS SAN 'ex\\\\xe4mple.com': contains a byte outside IA5" \
    "$SIPCA" issue device latin1 --csr "$T/latin1.csr" --copy-san
csr "$T/ip5.csr" 'ip:0102030405'
refused "iPAddress of 5 octets" "IP SAN '#0102030405': an iPAddress is 4 or 16 octets" \
    "$SIPCA" issue device ip5 --csr "$T/ip5.csr" --copy-san
csr "$T/ldh.csr" 'dns:-bad-.example.com'
refused "DNS SAN that is no LDH name" "DNS SAN '-bad-.example.com': label starts or ends with a hyphen" \
    "$SIPCA" issue device ldh --csr "$T/ldh.csr" --copy-san
csr "$T/esc.csr" 'uri:sip:bob@example.com\x1b[31m'
refused "URI SAN with an escape sequence" "URI SAN 'sip:bob@example.com\\\\x1b\[31m': contains a space or control character" \
    "$SIPCA" issue device esc --csr "$T/esc.csr" --copy-san
check "the escape sequence never reaches stderr raw" sh -c "! grep -q \"\$(printf '\\033')\" '$T/stderr'"

# The same through a batch row's csr column.
printf 'kind,name,csr\ndevice,b1,dns-nul.csr\n' > "$T/nul.csv"
refused "batch: a row's request with a NUL" \
    "nul.csv:2: invalid request: '$T/dns-nul.csr': DNS SAN 'evil.com\\\\x00.example.com': contains a NUL byte" \
    "$SIPCA" issue --batch "$T/nul.csv" --copy-san --quiet

# Types sipca does not issue: --copy-san refuses to drop them silently.
# dirName CN=Bob; otherName id-on-xmppAddr UTF8 "x@y"; registeredID 1.2.3.4;
# an x400Address and an ediPartyName.
DIRNAME='tag:a4:300e310c300a06035504030c03426f62'
OTHER='tag:a0:06082b06010505070805a0050c03784079'
csr "$T/others.csr" 'dns:ok.example.com' 'email:alice@example.com' "$DIRNAME" "$OTHER" \
    'tag:88:2a0304'
refused "--copy-san with email, dirName, otherName and registeredID SANs" \
    "SANs of types sipca does not issue: email 'alice@example.com', dirName 'CN=Bob', otherName '1.3.6.1.5.5.7.8.5;#0c03784079', RID '1.2.3.4' (--drop-other-sans" \
    "$SIPCA" issue device others --csr "$T/others.csr" --copy-san
csr "$T/x400.csr" 'dns:ok.example.com' 'tag:a3:3000' 'tag:a5:a1070c057061727479'
refused "--copy-san with x400Address and ediPartyName SANs" \
    "SANs of types sipca does not issue: x400 '#3000', ediParty '#a1070c057061727479'" \
    "$SIPCA" issue device x400 --csr "$T/x400.csr" --copy-san
refused "--drop-other-sans without --copy-san" "--drop-other-sans goes with --copy-san" \
    "$SIPCA" issue device others --csr "$T/others.csr" --drop-other-sans
expect_exit 0 "--copy-san --drop-other-sans" \
    "$SIPCA" issue device others --csr "$T/others.csr" --copy-san --drop-other-sans
expect_grep "not copying the request's email 'alice@example.com', dirName 'CN=Bob', otherName" \
    "$T/stderr" "--drop-other-sans names what it leaves out"
openssl x509 -in "$T/ca/issued/others/cert.pem" -noout -ext subjectAltName > "$T/san"
expect_grep 'URI:sip:others@example.com, DNS:ok.example.com$' "$T/san" \
    "--drop-other-sans: the identities only"
printf 'kind,name,csr\ndevice,b2,others.csr\n' > "$T/others.csv"
refused "batch: a row's request with other SAN types" "others.csv:2: invalid request: .*email 'alice@example.com'" \
    "$SIPCA" issue --batch "$T/others.csv" --copy-san --quiet
expect_exit 0 "batch: --drop-other-sans" \
    "$SIPCA" issue --batch "$T/others.csv" --copy-san --drop-other-sans --quiet
expect_grep "others.csv:2: .*not copying the request's email 'alice@example.com'" "$T/stderr" \
    "batch: --drop-other-sans names what it leaves out"

# At most 100 SANs in one certificate, from a request or from options.
# A request with a URI and 99 DNS names makes 100; one more is refused.
names() {	# names N: dns:h1.example.com ... dns:hN.example.com
	i=1
	while [ "$i" -le "$1" ]; do
		printf 'dns:h%d.example.com\n' "$i"
		i=$((i + 1))
	done
}
# shellcheck disable=SC2046
csr "$T/san100.csr" 'uri:sip:many@example.com' $(names 99)
# shellcheck disable=SC2046
csr "$T/san101.csr" 'uri:sip:many@example.com' $(names 100)
refused "a request with 101 SANs" "the request asks for 101 SANs (at most 100 in one certificate)" \
    "$SIPCA" issue device many --csr "$T/san101.csr" --copy-san
expect_exit 0 "a request with 100 SANs" "$SIPCA" issue device many --csr "$T/san100.csr" --copy-san
openssl x509 -in "$T/ca/issued/many/cert.pem" -noout -ext subjectAltName | tr ',' '\n' \
    | grep -c 'DNS:\|URI:' > "$T/count"
expect_grep '^100$' "$T/count" "100 SANs issued"
# shellcheck disable=SC2046
set -- $(names 100 | sed 's/^dns:/--dns /')
refused "--uri and 100 --dns: 101 SANs" "too many SANs: 101 (at most 100 in one certificate)" \
    "$SIPCA" issue device opts --uri sip:opts@example.com "$@"
shift 2
expect_exit 0 "--uri and 99 --dns: 100 SANs" "$SIPCA" issue device opts --uri sip:opts@example.com "$@"
set --

# Keys phones and TLS stacks do not take: a clear refusal, nothing issued.
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
    -out "$T/dsa.param" 2>/dev/null
openssl genpkey -paramfile "$T/dsa.param" -out "$T/dsa.key" 2>/dev/null
openssl genrsa -3 -out "$T/rsa3.key" 2048 2>/dev/null
openssl genrsa -out "$T/rsa.key" 2048 2>/dev/null
openssl ecparam -name secp256k1 -genkey -noout -out "$T/k1.key"
openssl genpkey -algorithm ed25519 -out "$T/ed.key"
for k in dsa rsa3 rsa k1 ed; do
	openssl req -new -key "$T/$k.key" -subj /CN=x -out "$T/$k.csr" 2>/dev/null ||
	    fail "openssl req with $k.key"
done
refused "a DSA key" "invalid request: '$T/dsa.csr': DSA keys are not supported" \
    "$SIPCA" issue device dsa --csr "$T/dsa.csr"
refused "an RSA key with e = 3" "the RSA public exponent is not odd and between 2^16 and 2^256" \
    "$SIPCA" issue device rsa3 --csr "$T/rsa3.csr"
refused "a secp256k1 key" "the key's elliptic curve is not supported (P-256, P-384 and P-521 are" \
    "$SIPCA" issue device k1 --csr "$T/k1.csr"
expect_no_grep "signature" "$T/stderr" "secp256k1 is not called a bad signature"
refused "an Ed25519 key" "EdDSA keys are not supported by phones" \
    "$SIPCA" issue device ed --csr "$T/ed.csr"
printf 'kind,name,csr\ndevice,b3,rsa3.csr\n' > "$T/rsa3.csv"
refused "batch: a row's RSA key with e = 3" "rsa3.csv:2: invalid request: .*RSA public exponent" \
    "$SIPCA" issue --batch "$T/rsa3.csv" --quiet
expect_exit 0 "an RSA key with e = 65537" "$SIPCA" issue device rsa --csr "$T/rsa.csr"

# A foreign certificate (signed by the store's CA) whose names hide a
# NUL, a 1,104-octet DNS name, an iPAddress of 5 octets and a subject CN
# with an escape sequence.
LONG=$(printf 'a%.0s' $(seq 1100)).com
openssl req -new -key "$T/p256.key" -subj "/CN=sip.example.com$(printf '\033[31m')red" \
    -out "$T/evil.csr" 2>/dev/null || fail "openssl req evil.csr"
printf '[v3]\nsubjectAltName=DER:%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\n' \
    "$(san_der 'uri:sip:example.com\x00.evil.com' 'dns:sip.example.com\x00.evil.com' \
    "dns:$LONG" 'ip:0102030405' 'email:eve@example.com')" > "$T/evil.ext"
openssl x509 -req -in "$T/evil.csr" -CA "$T/ca/ca.pem" -CAkey "$T/ca/ca.key" \
    -CAcreateserial -days 30 -extfile "$T/evil.ext" -extensions v3 \
    -out "$T/evil.pem" 2>/dev/null || fail "openssl x509 evil.pem"

expect_exit 0 "show a certificate with hidden NULs" "$SIPCA" show "$T/evil.pem"
expect_grep '^SAN *URI:sip:example.com\\x00.evil.com (contains a NUL byte)$' "$T/stdout" \
    "show: the URI whole, its NUL escaped"
expect_grep '^ *DNS:sip.example.com\\x00.evil.com (contains a NUL byte)$' "$T/stdout" \
    "show: the DNS name whole, its NUL escaped"
expect_grep "^ *DNS:$LONG\$" "$T/stdout" "show: the 1,104-octet DNS name as it is"
expect_grep '^ *IP:#0102030405 (an iPAddress is 4 or 16 octets)$' "$T/stdout" \
    "show: an iPAddress of 5 octets"
expect_grep '^ *email:eve@example.com$' "$T/stdout" "show: an email SAN"
expect_grep '^subject *CN=sip.example.com\\x1b\[31mred$' "$T/stdout" "show: the subject escaped"
check "show: no raw escape character" sh -c "! grep -q \"\$(printf '\\033')\" '$T/stdout'"

# probe against a server presenting it: the SIP domain is not among its
# identities, and the hidden names are findings of their own.
PORT=$(free_port)
start_bg "$T/serv.log" gnutls-serv --echo --crlf -p "$PORT" --x509certfile "$T/evil.pem" \
    --x509keyfile "$T/p256.key"
SERV=$BG_PID
wait_port "$PORT" || fail "gnutls-serv did not listen on $PORT"
expect_exit 1 "probe a server whose names hide a NUL" \
    timeout 30 "$SIPCA" probe sip.example.com --connect "127.0.0.1:$PORT"
expect_no_grep '^ok *sip-domain' "$T/stdout" "probe: the URI with a NUL is not the SIP domain"
expect_grep "^fail *sip-domain: 'example.com' is not among" "$T/stdout" "probe: sip-domain fails"
expect_grep "^fail *san: URI 'sip:example.com\\\\x00.evil.com' is no identity: contains a NUL byte" \
    "$T/stdout" "probe: the URI with a NUL is a finding"
expect_grep "^fail *san: DNS 'sip.example.com\\\\x00.evil.com' is no identity" "$T/stdout" \
    "probe: the DNS name with a NUL is a finding"
expect_no_grep '^ok *hostname' "$T/stdout" "probe: the DNS name with a NUL is not the host name"
expect_grep "DNS:aaaa*\.\.\.(1104 bytes)" "$T/stdout" "probe: the long DNS name, bounded, with its length"
expect_grep '^chain *\[0\] CN=sip.example.com\\x1b\[31mred$' "$T/stdout" "probe: the subject escaped"
check "probe: no raw escape character" sh -c "! grep -q \"\$(printf '\\033')\" '$T/stdout'"
stop_bg $SERV

finish
