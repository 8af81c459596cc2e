#!/bin/sh
# Issue 2: init, issue, export, list, show against independent verifiers.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
CA=$T/ca
cd "$T" || exit 1

# ---- init ----
expect_exit 0 "init" "$SIPCA" -d "$CA" init --domain example.com --no-passphrase --org "Example Ltd"
expect_grep "example.com SIP CA" "$T/stderr" "init names the CA"
check "ca.key is 0600" test "$(stat -c %a "$CA/ca.key")" = 600
check "store dir is 0700" test "$(stat -c %a "$CA")" = 700
check "issued/ is 0700" test "$(stat -c %a "$CA/issued")" = 700
openssl x509 -in "$CA/ca.pem" -noout -text > "$T/ca.txt"
expect_grep "CA:TRUE, pathlen:0" "$T/ca.txt" "CA basicConstraints pathlen 0"
expect_grep "Certificate Sign, CRL Sign" "$T/ca.txt" "CA keyUsage"
expect_grep "X509v3 Basic Constraints: critical" "$T/ca.txt" "basicConstraints critical"
expect_grep "X509v3 Key Usage: critical" "$T/ca.txt" "keyUsage critical"
expect_grep "Subject Key Identifier" "$T/ca.txt" "CA has an SKI"
expect_grep "sha256WithRSAEncryption" "$T/ca.txt" "SHA-256 signature"
expect_grep "Public-Key: (2048 bit)" "$T/ca.txt" "default key rsa2048"
expect_grep "O = Example Ltd" "$T/ca.txt" "--org"

snapshot "$CA" > "$T/before"
expect_exit 2 "init refuses an existing CA" "$SIPCA" -d "$CA" init --domain example.com --no-passphrase
expect_grep "already exists" "$T/stderr" "existing CA message"
expect_unchanged "$T/before" "$CA" "init over an existing CA"

# ---- issue server ----
expect_exit 0 "issue server" "$SIPCA" -d "$CA" issue server sip.example.com --dns proxy.example.com --ip 127.0.0.1
S=$CA/issued/sip.example.com
check "server key.pem 0600" test "$(stat -c %a "$S/key.pem")" = 600
check "server dir 0700" test "$(stat -c %a "$S")" = 700
openssl x509 -in "$S/cert.pem" -noout -text > "$T/server.txt"
expect_grep "URI:sip:example.com" "$T/server.txt" "server SAN has URI:sip:DOMAIN"
expect_grep "DNS:example.com" "$T/server.txt" "server SAN has DNS:DOMAIN"
expect_grep "DNS:sip.example.com" "$T/server.txt" "server SAN has DNS:FQDN"
expect_grep "DNS:proxy.example.com" "$T/server.txt" "server SAN has --dns"
expect_grep "IP Address:127.0.0.1" "$T/server.txt" "server SAN has --ip"
expect_grep "TLS Web Server Authentication, TLS Web Client Authentication" "$T/server.txt" "server EKU serverAuth+clientAuth"
expect_grep "Digital Signature, Key Encipherment" "$T/server.txt" "RSA server keyUsage"
expect_grep "Authority Key Identifier" "$T/server.txt" "server AKI"
expect_grep "Subject: CN = sip.example.com" "$T/server.txt" "server CN"
# 825 days exactly: Apple counts notAfter - notBefore.
nb=$(date -d "$(openssl x509 -in "$S/cert.pem" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$S/cert.pem" -noout -enddate | cut -d= -f2)" +%s)
check "default validity 825 days" test $((na - nb)) -eq $((825 * 86400))
check "chain.pem is cert then CA" sh -c "cat '$S/cert.pem' '$CA/ca.pem' | cmp -s - '$S/chain.pem'"

expect_exit 0 "issue server --no-domain-dns --key p256" "$SIPCA" -d "$CA" issue server edge.example.com --no-domain-dns --key p256 --days 90
openssl x509 -in "$CA/issued/edge.example.com/cert.pem" -noout -text > "$T/edge.txt"
expect_no_grep "DNS:example.com," "$T/edge.txt" "--no-domain-dns leaves DNS:DOMAIN out"
expect_grep "URI:sip:example.com" "$T/edge.txt" "--no-domain-dns keeps the URI"
expect_grep "Digital Signature$" "$T/edge.txt" "ECDSA keyUsage has no keyEncipherment"

# ---- issue device ----
expect_exit 0 "issue device" "$SIPCA" -d "$CA" issue device alice-zoiper --uri sip:alice@example.com --key p256
D=$CA/issued/alice-zoiper
openssl x509 -in "$D/cert.pem" -noout -text > "$T/device.txt"
expect_grep "URI:sip:alice@example.com" "$T/device.txt" "device SAN"
expect_grep "TLS Web Client Authentication" "$T/device.txt" "device EKU clientAuth"
expect_no_grep "TLS Web Server Authentication" "$T/device.txt" "device EKU has no serverAuth"
expect_exit 0 "issue device without --uri" "$SIPCA" -d "$CA" issue device 0004f2a1b2c3 --key p256
expect_grep "URI:sip:0004f2a1b2c3@example.com" "$T/stderr" "device default URI sip:NAME@DOMAIN"

# ---- export ----
expect_exit 0 "export" "$SIPCA" -d "$CA" export
check "cert.pem written in the current directory" cmp -s cert.pem "$CA/ca.pem"
expect_grep "SHA-256 fingerprint: " "$T/stderr" "export prints the SHA-256 fingerprint"
expect_grep "SHA-1 fingerprint: " "$T/stderr" "export prints the SHA-1 fingerprint"
fp=$(openssl x509 -in cert.pem -noout -fingerprint -sha256 | cut -d= -f2)
expect_grep "$fp" "$T/stderr" "fingerprint matches openssl's"
cp cert.pem "$T/cert.saved"
expect_exit 2 "export refuses to overwrite" "$SIPCA" -d "$CA" export
check "cert.pem untouched" cmp -s cert.pem "$T/cert.saved"
expect_exit 0 "export --force" "$SIPCA" -d "$CA" export --force
expect_exit 0 "export --format der -o" "$SIPCA" -d "$CA" export --format der -o ca.cer
check "DER export parses" openssl x509 -inform DER -in ca.cer -noout
expect_exit 0 "export -o -" "$SIPCA" -d "$CA" export -o -
check "stdout export is the CA" cmp -s "$T/stdout" "$CA/ca.pem"

# ---- independent verification ----
for n in sip.example.com edge.example.com alice-zoiper 0004f2a1b2c3; do
	check "openssl verify -x509_strict $n" openssl verify -x509_strict -CAfile cert.pem "$CA/issued/$n/cert.pem"
	check "certtool --verify $n" sh -c "certtool --verify --load-ca-certificate cert.pem --infile '$CA/issued/$n/cert.pem' | grep -q 'The certificate is trusted'"
done
check "openssl verify -purpose sslserver" openssl verify -x509_strict -purpose sslserver -CAfile cert.pem "$S/cert.pem"
check "openssl verify -purpose sslclient (server cert for mutual TLS)" openssl verify -x509_strict -purpose sslclient -CAfile cert.pem "$S/cert.pem"
check "openssl verify -purpose sslclient (device)" openssl verify -x509_strict -purpose sslclient -CAfile cert.pem "$D/cert.pem"
check_fails "device cert is not a TLS server cert" openssl verify -x509_strict -purpose sslserver -CAfile cert.pem "$D/cert.pem"

# ---- a real TLS handshake: gnutls-serv with the issued cert, gnutls-cli verifying the host ----
port=$(free_port)
start_bg "$T/serv.log" gnutls-serv --port "$port" --x509certfile "$S/chain.pem" --x509keyfile "$S/key.pem"
serv=$BG_PID
if wait_port "$port"; then
	check "gnutls-cli verifies sip.example.com" sh -c "echo | timeout 10 gnutls-cli --x509cafile cert.pem --verify-hostname sip.example.com --port $port 127.0.0.1 </dev/null"
	check "gnutls-cli verifies the SIP domain as a DNS name" sh -c "timeout 10 gnutls-cli --x509cafile cert.pem --verify-hostname example.com --port $port 127.0.0.1 </dev/null"
	check_fails "gnutls-cli rejects a wrong host name" sh -c "timeout 10 gnutls-cli --x509cafile cert.pem --verify-hostname other.example.org --port $port 127.0.0.1 </dev/null"
	check "openssl s_client verifies" sh -c "timeout 10 openssl s_client -connect 127.0.0.1:$port -CAfile cert.pem -verify_return_error -verify_hostname sip.example.com -x509_strict </dev/null"
else
	fail "gnutls-serv did not start"; cat "$T/serv.log" >&2
fi
stop_bg "$serv"

# ---- list and show ----
expect_exit 0 "list" "$SIPCA" -d "$CA" list
check "list has 4 rows" test "$(grep -c ' valid$' "$T/stdout")" -eq 4
expect_exit 0 "list --json" "$SIPCA" -d "$CA" list --json
check "list --json schema" python3 -c '
import json, re, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 4, rows
t = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
for r in rows:
    assert set(r) >= {"name", "kind", "serial", "not_before", "not_after", "status"}, r
    assert r["kind"] in ("server", "device") and r["status"] == "valid"
    assert re.fullmatch(r"[0-9a-f]{40}", r["serial"]) and int(r["serial"][0], 16) < 8
    assert t.match(r["not_before"]) and t.match(r["not_after"])
assert len({r["serial"] for r in rows}) == 4
' "$T/stdout"
expect_exit 0 "show NAME" "$SIPCA" -d "$CA" show sip.example.com
expect_grep "URI:sip:example.com" "$T/stdout" "show lists SANs"
expect_grep "RSA 2048 bits" "$T/stdout" "show key type"
expect_grep "serverAuth, clientAuth" "$T/stdout" "show EKU"
expect_grep "SHA-256 " "$T/stdout" "show fingerprint"
expect_exit 0 "show FILE" "$SIPCA" show "$D/cert.pem"
expect_grep "ECDSA SECP256R1" "$T/stdout" "show file key type"
expect_exit 2 "show unknown name" "$SIPCA" -d "$CA" show nobody

# ---- CSR issuance ----
certtool --generate-privkey --ecc --outfile "$T/phone.key" 2>/dev/null
cat > "$T/csr.tmpl" <<EOT
cn = "ignored-by-sipca"
uri = "sip:bob@example.com"
EOT
certtool --generate-request --load-privkey "$T/phone.key" --template "$T/csr.tmpl" --outfile "$T/phone.csr" 2>/dev/null
expect_exit 0 "issue device --csr --copy-san" "$SIPCA" -d "$CA" issue device bob-phone --csr "$T/phone.csr" --copy-san
check "CSR-issued has no key.pem" test ! -e "$CA/issued/bob-phone/key.pem"
openssl x509 -in "$CA/issued/bob-phone/cert.pem" -noout -text > "$T/bob.txt"
expect_grep "URI:sip:bob@example.com" "$T/bob.txt" "--copy-san takes the CSR's SAN"
check "CSR cert holds the CSR's key" sh -c "test \"\$(openssl x509 -in '$CA/issued/bob-phone/cert.pem' -noout -pubkey)\" = \"\$(openssl pkey -in '$T/phone.key' -pubout)\""
# A request whose signature does not verify: flip a byte in its signature.
python3 - "$T/phone.csr" "$T/bad.csr" <<'EOT'
import base64, sys
text = open(sys.argv[1]).read()
b64 = text.split("-----BEGIN NEW CERTIFICATE REQUEST-----")[1].split("-----END")[0]
body = base64.b64decode("".join(b64.split()))
body = body[:-3] + bytes([body[-3] ^ 0x01]) + body[-2:]
open(sys.argv[2], "wb").write(body)
EOT

# ---- bad input: exit 2, nothing changed ----
snapshot "$CA" > "$T/before"
bad() {
	desc=$1; shift
	expect_exit 2 "$desc" "$SIPCA" -d "$CA" "$@" && expect_grep "sipca: " "$T/stderr" "$desc: message"
	expect_unchanged "$T/before" "$CA" "$desc"
}
bad "empty user part" issue device x1 --uri sip:@example.com
bad "not a sip uri" issue device x2 --uri http://example.com
bad "space in uri" issue device x3 --uri "sip:al ice@example.com"
bad "uri with parameters" issue device x4 --uri "sip:alice@example.com;transport=tls"
bad "bad DNS label" issue server bad_host.example.com
bad "label too long" issue server "$(printf 'a%.0s' $(seq 64)).example.com"
bad "bad --dns" issue server ok.example.com --dns -bad.example.com
bad "bad --ip" issue server ok.example.com --ip 300.1.1.1
bad "wildcard server" issue server '*.example.com'
bad "wildcard --dns" issue server ok.example.com --dns '*.example.com'
bad "wildcard uri host" issue device x5 --uri 'sip:alice@*.example.com'
bad "name with slash" issue device ../evil
bad "name with dot-dot" issue device a..b
bad "name with leading dot" issue device .hidden
bad "name with newline" issue device "$(printf 'a\nb')"
bad "name of 10000 characters" issue device "$(head -c 10000 /dev/zero | tr '\0' a)"
bad "name already valid" issue server sip.example.com
bad "unknown kind" issue phone x6
bad "unknown key type" issue device x7 --key dsa1024
bad "bad days" issue device x8 --days 0
bad "missing csr file" issue device x9 --csr "$T/nope.csr"
bad "garbage csr" issue device x10 --csr /etc/hostname
check "the corrupted request exists" test -s "$T/bad.csr"
bad "csr with a bad signature" issue device x11 --csr "$T/bad.csr"
expect_grep "signature does not verify" "$T/stderr" "bad CSR signature named"
bad "--copy-san without --csr" issue device x12 --copy-san
bad "unknown option" issue device x13 --frobnicate
bad "missing option value" issue device x14 --uri
bad "unknown command" frobnicate
bad "a misspelt command" isue device x15
expect_grep "^sipca: unknown command: 'isue'; did you mean 'issue'?$" "$T/stderr" "isue: did you mean issue"
check "one line for a misspelt command" test "$(wc -l < "$T/stderr")" -eq 1
expect_exit 2 "an unknown global option" "$SIPCA" --frobnicate list
expect_grep "^usage: sipca \[-d DIR\] COMMAND \[options\]; see 'sipca --help'$" "$T/stderr" "the short usage, not the whole help"
check "two lines for an unknown global option" test "$(wc -l < "$T/stderr")" -eq 2
# Every usage line names its command; a wrapped line is indented instead.
for c in $("$SIPCA" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p'); do
	"$SIPCA" help "$c" > "$T/usage" 2>&1
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -E '^(usage|   or): ' "$T/usage" | grep -v -E "^(usage|   or): sipca $c( |$)" > "$T/bad"; then
		fail "$c: a usage line without the command: $(cat "$T/bad")"
	fi
done
"$SIPCA" -d "$CA" issue device x1 --uri sip:@example.com 2>"$T/msg"
expect_grep "^sipca: issue: invalid SIP URI: 'sip:@example.com': empty user part$" "$T/msg" "git-style message with the value"

expect_exit 2 "wildcard refused by default" "$SIPCA" -d "$CA" issue server '*.lab.example.com'
expect_grep "wildcard not allowed" "$T/stderr" "wildcard message"
# --allow-wildcard passes the validator and makes the guard's wildcard rules
# (RFC 5922 7.2, Poly, CUCM) warnings: issued, not forced (tests/cli/wildcard.sh).
expect_exit 0 "wildcard with --allow-wildcard" "$SIPCA" -d "$CA" issue server '*.lab.example.com' --allow-wildcard --key p256
expect_grep "lint: warn rfc5922.wildcard" "$T/stderr" "guard names the rule as a warning"
check "wildcard issuance stored" test -f "$CA/issued/*.lab.example.com/cert.pem"
expect_no_grep "forced past lint errors" "$T/stderr" "not forced"

# ---- init validation ----
expect_exit 2 "init without --domain" "$SIPCA" -d "$T/ca2" init --no-passphrase
expect_exit 2 "init with a bad domain" "$SIPCA" -d "$T/ca2" init --domain "bad domain" --no-passphrase
expect_exit 2 "init past 2038 refused" "$SIPCA" -d "$T/ca2" init --domain example.com --no-passphrase --days 5000
expect_grep "2038-01-19T03:14:07Z" "$T/stderr" "y2038 message"
expect_exit 2 "init without passphrase choice and no tty" "$SIPCA" -d "$T/ca2" init --domain example.com
expect_grep "passphrase-file" "$T/stderr" "names --passphrase-file"
expect_grep "no-passphrase" "$T/stderr" "names --no-passphrase"
check "failed inits made no store" test ! -e "$T/ca2"
expect_exit 0 "init --allow-y2038" "$SIPCA" -d "$T/ca2" init --domain example.com --no-passphrase --days 5000 --allow-y2038 --key p256

# ---- name constraints ----
expect_exit 0 "init --name-constraints" "$SIPCA" -d "$T/nc" init --domain example.com --no-passphrase --key p256 --name-constraints --permit-ip 127.0.0.0/8
openssl x509 -in "$T/nc/ca.pem" -noout -text > "$T/nc.txt"
expect_grep "X509v3 Name Constraints: critical" "$T/nc.txt" "nameConstraints critical"
expect_grep "DNS:example.com" "$T/nc.txt" "permitted DNS subtree"
expect_grep "IP:127.0.0.0/255.0.0.0" "$T/nc.txt" "permitted IP range"
expect_exit 0 "issue under name constraints" "$SIPCA" -d "$T/nc" issue server sip.example.com --key p256 --ip 127.0.0.1
check "openssl accepts the constrained chain with a URI SAN" openssl verify -x509_strict -CAfile "$T/nc/ca.pem" "$T/nc/issued/sip.example.com/cert.pem"
check "certtool accepts the constrained chain" sh -c "certtool --verify --load-ca-certificate '$T/nc/ca.pem' --infile '$T/nc/issued/sip.example.com/cert.pem' | grep -q 'is trusted'"
expect_exit 2 "--permit-ip without --name-constraints" "$SIPCA" -d "$T/nc3" init --domain example.com --no-passphrase --permit-ip 10.0.0.0/8
expect_exit 2 "--permit-ip with host bits" "$SIPCA" -d "$T/nc3" init --domain example.com --no-passphrase --name-constraints --permit-ip 10.0.0.1/8

# ---- an encrypted CA key ----
printf 'correct horse battery staple\n' > "$T/pass"
printf 'wrong\n' > "$T/wrong"
expect_exit 0 "init --passphrase-file" "$SIPCA" -d "$T/enc" init --domain example.com --passphrase-file "$T/pass" --key p256
expect_grep "BEGIN ENCRYPTED PRIVATE KEY" "$T/enc/ca.key" "CA key is PKCS#8 encrypted"
check_fails "openssl cannot read the key without the passphrase" openssl pkey -in "$T/enc/ca.key" -passin pass: -noout
check "openssl reads it with the passphrase" openssl pkey -in "$T/enc/ca.key" -passin "file:$T/pass" -noout
check "PBES2 with AES-256" sh -c "openssl asn1parse -in '$T/enc/ca.key' | grep -q aes-256-cbc"
snapshot "$T/enc" > "$T/before"
expect_exit 2 "issue without the passphrase (no tty)" "$SIPCA" -d "$T/enc" issue device p1
expect_grep "passphrase-file" "$T/stderr" "asks for --passphrase-file"
expect_exit 2 "issue with a wrong passphrase" "$SIPCA" -d "$T/enc" issue device p1 --passphrase-file "$T/wrong"
expect_grep "wrong passphrase" "$T/stderr" "wrong passphrase message"
expect_unchanged "$T/before" "$T/enc" "failed unlocks"
expect_exit 0 "issue with the passphrase" "$SIPCA" -d "$T/enc" issue device p1 --passphrase-file "$T/pass" --key p256
expect_no_grep "correct horse" "$T/stdout" "no passphrase in output"
expect_no_grep "correct horse" "$T/stderr" "no passphrase in the messages"

# ---- a CA key readable by others is refused ----
chmod 644 "$T/enc/ca.key"
expect_exit 2 "group-readable ca.key refused" "$SIPCA" -d "$T/enc" issue device p2 --passphrase-file "$T/pass"
expect_grep "chmod 600" "$T/stderr" "says how to fix it"
chmod 600 "$T/enc/ca.key"

# ---- store location ----
expect_exit 0 "SIPCA_DIR" env SIPCA_DIR="$CA" "$SIPCA" list
expect_exit 0 "XDG_DATA_HOME" env -u SIPCA_DIR XDG_DATA_HOME="$T/xdg" "$SIPCA" init --domain example.com --no-passphrase --key p256
check "XDG store location" test -f "$T/xdg/sipca/ca.pem"
expect_exit 2 "no store" env -u SIPCA_DIR "$SIPCA" -d "$T/none" list
expect_grep "sipca init" "$T/stderr" "no-store message says what to do"
: > "$T/afile"
expect_exit 2 "store is a file" "$SIPCA" -d "$T/afile" list

# ---- CLI conventions ----
expect_exit 0 "--help" "$SIPCA" --help
expect_grep "issue" "$T/stdout" "--help lists commands"
expect_exit 0 "help issue" "$SIPCA" help issue
expect_grep "no-domain-dns" "$T/stdout" "help shows options"
expect_exit 0 "issue --help" "$SIPCA" issue --help
expect_exit 0 "--version" "$SIPCA" --version
expect_grep "^sipca " "$T/stdout" "version line"
expect_exit 2 "no command" "$SIPCA"

# make demo installs what the demo needs, not the tests' Kamailio, shells
# and valgrind: scripts/deps.sh on a machine that has nothing (every probe
# fails: an empty PATH of stubs), not root and without sudo.
mkdir -p "$T/bare"
printf '#!/bin/sh\necho 1000\n' > "$T/bare/id"
for c in pkg-config dpkg-query grep; do printf '#!/bin/sh\nexit 1\n' > "$T/bare/$c"; done
chmod +x "$T/bare"/*
for profile in demo check bench; do
	expect_exit 2 "deps.sh $profile on a bare machine" env PATH="$T/bare" /bin/sh "$top/scripts/deps.sh" $profile
	cp "$T/stderr" "$T/deps-$profile"
done
for pkg in libgnutls28-dev libtasn1-6-dev libsqlite3-dev gnutls-bin openssl python3; do
	expect_grep " $pkg\b" "$T/deps-demo" "the demo needs $pkg"
done
for pkg in kamailio zsh fish valgrind softhsm2 check; do
	expect_no_grep " $pkg\b" "$T/deps-demo" "the demo does not install $pkg"
	expect_grep " $pkg\b" "$T/deps-check" "the tests install $pkg"
	expect_grep " $pkg\b" "$T/deps-bench" "the bench installs $pkg"
done
expect_grep " pebble\b" "$T/deps-bench" "the bench installs pebble"
expect_no_grep " pebble\b" "$T/deps-check" "the tests do not install pebble"
finish
