#!/bin/sh
# A two-level CA: init --intermediate (root.pem, root.key, and the
# issuing CA in ca.pem, ca.key), leaves that chain through it, checked by
# openssl and certtool and in a real TLS handshake; export of the root,
# the chain and the root key (moved off the machine); bundles carrying
# the chain; init --add-intermediate on a store that has issued already;
# crl --root; a root key on a token; and the bad input, which changes
# nothing.
# A network namespace of its own (tests/netns.sh): gnutls-serv listens
# on every address.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
I=$CA/issued
printf 'root and issuing passphrase\n' > "$T/pass"
printf 'not the passphrase\n' > "$T/wrong"
printf 'p12 passphrase\n' > "$T/p12pass"
sipca() { "$SIPCA" -d "$CA" "$@"; }

# verified NAME CAFILE: openssl and certtool both accept issued/NAME's chain.
verified() {
	check "openssl verify $1 against $(basename "$2")" openssl verify -x509_strict \
	    -CAfile "$2" -untrusted "$I/$1/chain.pem" "$I/$1/cert.pem"
	check "certtool --verify $1 against $(basename "$2")" sh -c \
	    "certtool --verify --load-ca-certificate '$2' --infile '$I/$1/chain.pem' |
	    grep -q 'Chain verification output: Verified'"
}

# ---- init --intermediate ----
expect_exit 0 "init --intermediate" sipca init --domain example.com --key p256 \
    --intermediate --passphrase-file "$T/pass"
expect_grep "^  root  *$CA/root.pem" "$T/stderr" "init names root.pem"
expect_grep "^  issuing CA  *$CA/ca.pem ('example.com SIP Issuing CA'" "$T/stderr" \
    "init names the issuing CA"
check "root.key is 0600" test "$(stat -c %a "$CA/root.key")" = 600
check "ca.key is 0600" test "$(stat -c %a "$CA/ca.key")" = 600
check "root.key is encrypted" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$CA/root.key"
check "ca.key is encrypted" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$CA/ca.key"
check "root.key and ca.key differ" test "$(sha256sum < "$CA/root.key")" != "$(sha256sum < "$CA/ca.key")"
# Both CA certificates are in the inventory, and the root's expiry counts.
expect_exit 0 "list of a two-level CA" sipca list
expect_grep "^ca.pem  *ca  " "$T/stdout" "list shows the issuing CA"
expect_grep "^root.pem  *root  " "$T/stdout" "list shows the root"
expect_exit 1 "list --expiring past the root's end" sipca list --expiring 4000
expect_grep "^root.pem " "$T/stdout" "the root is due"

certtool -i --infile "$CA/root.pem" > "$T/root.txt"
certtool -i --infile "$CA/ca.pem" > "$T/inter.txt"
expect_grep 'Path Length Constraint: 2' "$T/root.txt" "root: pathLen 2 (the issuing CA and a rollover's bridge)"
expect_grep 'Path Length Constraint: 0' "$T/inter.txt" "intermediate: pathLen 0"
for f in root inter; do
	expect_grep 'Basic Constraints (critical)' "$T/$f.txt" "$f: basicConstraints critical"
	expect_grep 'Key Usage (critical)' "$T/$f.txt" "$f: keyUsage critical"
	check "$f: keyUsage keyCertSign and cRLSign only" sh -c \
	    "openssl x509 -in '$CA/$( [ $f = root ] && echo root || echo ca).pem' -noout -ext keyUsage |
	    grep -qx '    Certificate Sign, CRL Sign'"
done
expect_grep 'Issuer: CN=example.com SIP CA' "$T/inter.txt" "the intermediate's issuer is the root"
expect_grep 'Subject: CN=example.com SIP Issuing CA' "$T/inter.txt" "the intermediate's name"
root_ski=$(openssl x509 -in "$CA/root.pem" -noout -ext subjectKeyIdentifier | sed -n 2p | tr -d ' ')
inter_aki=$(openssl x509 -in "$CA/ca.pem" -noout -ext authorityKeyIdentifier | sed -n 2p | tr -d ' ' | sed 's/^keyid://')
check "the intermediate's AKI is the root's SKI" test -n "$root_ski" -a "$root_ski" = "$inter_aki"
check "the intermediate verifies against the root" openssl verify -x509_strict -CAfile "$CA/root.pem" "$CA/ca.pem"
check "the intermediate does not outlive the root" test \
    "$(date -d "$(openssl x509 -in "$CA/ca.pem" -noout -enddate | cut -d= -f2)" +%s)" -le \
    "$(date -d "$(openssl x509 -in "$CA/root.pem" -noout -enddate | cut -d= -f2)" +%s)"

# ---- leaves: chain.pem is the leaf and the intermediate ----
expect_exit 0 "issue server" sipca issue server sip.example.com --passphrase-file "$T/pass"
expect_exit 0 "issue device" sipca issue device alice --passphrase-file "$T/pass"
check "chain.pem holds two certificates" test "$(grep -c 'BEGIN CERTIFICATE' "$I/sip.example.com/chain.pem")" -eq 2
check "chain.pem ends with the intermediate" sh -c \
    "sed -n '/BEGIN/,\$p' '$I/sip.example.com/chain.pem' | tail -n \$(wc -l < '$CA/ca.pem') | cmp -s - '$CA/ca.pem'"
check_fails "chain.pem does not carry the root" grep -qF "$(sed -n 2p "$CA/root.pem")" "$I/sip.example.com/chain.pem"
verified sip.example.com "$CA/root.pem"
verified alice "$CA/root.pem"
check_fails "a leaf does not verify with the intermediate missing" openssl verify -x509_strict \
    -CAfile "$CA/root.pem" "$I/alice/cert.pem"
expect_exit 0 "check a two-level store" sipca check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check finds nothing wrong"

# ---- a real TLS handshake: the server sends its chain, the client trusts the root ----
cd "$T" || exit 1
PORT=$(free_port)
start_bg "$T/serv.log" gnutls-serv --port "$PORT" --x509certfile "$I/sip.example.com/chain.pem" \
    --x509keyfile "$I/sip.example.com/key.pem"
SERV=$BG_PID
if wait_port "$PORT"; then
	check "gnutls-cli trusting root.pem verifies the server" sh -c "timeout 10 gnutls-cli \
	    --x509cafile '$CA/root.pem' --verify-hostname sip.example.com --port $PORT 127.0.0.1 </dev/null"
	check_fails "gnutls-cli trusting only an unrelated CA refuses it" sh -c "timeout 10 gnutls-cli \
	    --x509cafile '$I/alice/cert.pem' --verify-hostname sip.example.com --port $PORT 127.0.0.1 </dev/null"
else
	fail "gnutls-serv did not listen on $PORT"; cat "$T/serv.log" >&2
fi
stop_bg "$SERV"

# ---- export: the root as cert.pem, the chain, bundles ----
expect_exit 0 "export" sipca export
expect_grep 'wrote the root CA certificate to cert.pem' "$T/stderr" "export says it is the root"
check "cert.pem is root.pem" cmp -s cert.pem "$CA/root.pem"
expect_exit 0 "export --chain" sipca export --chain
check "ca-chain.pem is the intermediate, then the root" sh -c \
    "cat '$CA/ca.pem' '$CA/root.pem' | cmp -s - ca-chain.pem"
expect_exit 0 "export a PEM bundle" sipca export alice --with-key
check "the bundle: leaf, intermediate, root, key" test "$(grep -c 'BEGIN CERTIFICATE' alice.pem)" -eq 3
check "the bundle verifies as a chain" openssl verify -x509_strict -CAfile "$CA/root.pem" \
    -untrusted alice.pem alice.pem
expect_exit 0 "export a PKCS#12 bundle" sipca export sip.example.com --format p12 \
    --passphrase-file "$T/p12pass"
check "openssl reads the PKCS#12 file" sh -c "openssl pkcs12 -in sip.example.com.p12 -passin \
    file:'$T/p12pass' -nokeys -info > p12.txt 2>&1"
check "the PKCS#12 file holds three certificates" test "$(grep -c 'BEGIN CERTIFICATE' p12.txt)" -eq 3
expect_grep 'subject=CN *= *example.com SIP Issuing CA' p12.txt "the PKCS#12 file holds the intermediate"
expect_grep 'subject=CN *= *example.com SIP CA$' p12.txt "the PKCS#12 file holds the root"
check "certtool reads the PKCS#12 chain" sh -c "certtool --p12-info --inder --infile \
    sip.example.com.p12 --password \"\$(cat '$T/p12pass')\" | grep -c 'BEGIN CERTIFICATE' | grep -qx 3"

# ---- crl --root, and the root key moved off the machine ----
expect_exit 0 "crl --root" sipca crl --root --passphrase-file "$T/pass"
expect_grep "crl  *$CA/root-crl.pem" "$T/stderr" "crl --root names root-crl.pem"
check "root-crl.pem is signed by the root" openssl crl -in "$CA/root-crl.pem" -CAfile "$CA/root.pem" -noout
check "root-crl.pem lists nothing" sh -c "openssl crl -in '$CA/root-crl.pem' -noout -text | grep -q 'No Revoked Certificates'"
check "the intermediate is not revoked by the root's CRL" openssl verify -x509_strict -crl_check \
    -CAfile "$CA/root.pem" -CRLfile "$CA/root-crl.pem" "$CA/ca.pem"

snapshot "$CA" > "$T/before"
expect_exit 2 "crl --root with a wrong passphrase" sipca crl --root --passphrase-file "$T/wrong"
expect_grep 'wrong passphrase for the root key' "$T/stderr" "the wrong passphrase is named"
expect_unchanged "$T/before" "$CA" "crl --root with a wrong passphrase"
expect_exit 2 "export --root-key to stdout with --remove" sipca export --root-key -o - --remove
expect_exit 2 "export --remove without --root-key" sipca export --remove
expect_exit 2 "export --root-key with a NAME" sipca export alice --root-key
expect_exit 2 "export --root-key --format p12" sipca export --root-key --format p12
expect_exit 2 "export --chain --root-key" sipca export --chain --root-key
expect_unchanged "$T/before" "$CA" "refused exports"
mkdir "$T/usb"
expect_exit 0 "export --root-key --remove" sipca export --root-key -o "$T/usb/root.key" --remove
expect_grep "removed $CA/root.key" "$T/stderr" "export says root.key is gone"
check "root.key left the store" test ! -e "$CA/root.key"
check "the exported key is root.key as it was" sh -c "grep -q 'BEGIN ENCRYPTED PRIVATE KEY' '$T/usb/root.key'"
check "the exported key is 0600" test "$(stat -c %a "$T/usb/root.key")" = 600
check "the exported key is the root's" sh -c "[ \"\$(openssl pkey -in '$T/usb/root.key' -passin \
    file:'$T/pass' -pubout)\" = \"\$(openssl x509 -in '$CA/root.pem' -noout -pubkey)\" ]"
expect_exit 0 "check without root.key" sipca check
expect_grep ', 0 problems' "$T/stdout" "a root key off the machine is no problem"
expect_exit 0 "issuing goes on without the root key" sipca issue device bob --passphrase-file "$T/pass"
verified bob "$CA/root.pem"

snapshot "$CA" > "$T/before"
expect_exit 2 "crl --root with the root key off the machine" sipca crl --root --passphrase-file "$T/pass"
expect_grep "the root key is not in the store ('$CA/root.key': moved off the machine?): give --root-key FILE" \
    "$T/stderr" "crl --root says the root key is away"
expect_exit 2 "export --root-key once it is gone" sipca export --root-key -o "$T/again.key"
expect_grep 'the root key is not in the store' "$T/stderr" "export --root-key says it is gone"
check "no key was written" test ! -e "$T/again.key"
expect_exit 2 "crl --root --root-key with a wrong passphrase" sipca crl --root --root-key "$T/usb/root.key" \
    --passphrase-file "$T/wrong"
expect_exit 2 "crl --root --root-key that is not there" sipca crl --root --root-key "$T/usb/none.key" \
    --passphrase-file "$T/pass"
expect_grep "cannot read the root key '$T/usb/none.key'" "$T/stderr" "a missing --root-key file is named"
expect_exit 2 "crl --root --root-key of another key" sipca crl --root --root-key "$CA/issued/bob/key.pem"
expect_grep 'the key does not belong to root.pem' "$T/stderr" "another key is refused"
expect_exit 2 "crl --root-key without --root" sipca crl --root-key "$T/usb/root.key"
expect_unchanged "$T/before" "$CA" "crl --root refused"
expect_exit 0 "crl --root --root-key FILE" sipca crl --root --root-key "$T/usb/root.key" \
    --passphrase-file "$T/pass"
check "root-crl.pem is signed by the root again" openssl crl -in "$CA/root-crl.pem" -CAfile "$CA/root.pem" -noout

# ---- name constraints on both levels ----
N=$T/nc
check "init --intermediate --name-constraints" "$SIPCA" -d "$N" init --domain example.com --key p256 \
    --intermediate --name-constraints --no-passphrase
for f in root ca; do
	check "$f.pem permits example.com" sh -c "openssl x509 -in '$N/$f.pem' -noout -ext nameConstraints |
	    grep -q 'DNS:example.com'"
done
check "issue under constraints" "$SIPCA" -d "$N" issue server sip.example.com
I=$N/issued
verified sip.example.com "$N/root.pem"
expect_exit 0 "check a constrained two-level store" "$SIPCA" -d "$N" check
expect_grep ', 0 problems' "$T/stdout" "check accepts the constrained intermediate"
I=$CA/issued

# ---- init --intermediate: what makes no sense ----
B=$T/bad
expect_exit 2 "--intermediate-name without --intermediate" "$SIPCA" -d "$B" init --domain example.com \
    --no-passphrase --intermediate-name X
expect_exit 2 "--intermediate-days without --intermediate" "$SIPCA" -d "$B" init --domain example.com \
    --no-passphrase --intermediate-days 10
expect_exit 2 "an intermediate that outlives its root" "$SIPCA" -d "$B" init --domain example.com \
    --no-passphrase --intermediate --days 100 --intermediate-days 200
expect_grep 'the issuing CA would outlive its root' "$T/stderr" "outliving the root is named"
expect_exit 2 "--intermediate and --add-intermediate" "$SIPCA" -d "$B" init --domain example.com \
    --no-passphrase --intermediate --add-intermediate
expect_exit 2 "a default intermediate name too long" "$SIPCA" -d "$B" init --intermediate --no-passphrase \
    --domain "$(printf 'a%.0s' $(seq 1 45)).example.com" --name short
expect_grep 'give --intermediate-name CN' "$T/stderr" "the long default name is named"
expect_exit 2 "--intermediate-days 0" "$SIPCA" -d "$B" init --domain example.com --no-passphrase \
    --intermediate --intermediate-days 0
check "nothing made for bad input" test ! -e "$B"
snapshot "$CA" > "$T/before"
expect_exit 2 "init --intermediate over a CA" sipca init --domain example.com --intermediate --no-passphrase
expect_grep 'a CA already exists' "$T/stderr" "init refuses a second CA"
expect_exit 2 "--add-intermediate on a two-level store" sipca init --add-intermediate --passphrase-file "$T/pass"
expect_grep 'already has a root (root.pem) and an issuing CA' "$T/stderr" "a second intermediate is refused"
expect_unchanged "$T/before" "$CA" "init refused on a two-level store"
# An interrupted init that left the root's files: named, refused.
mkdir "$T/half" && cp "$CA/root.pem" "$T/half/root.pem"
expect_exit 2 "init over a leftover root.pem" "$SIPCA" -d "$T/half" init --domain example.com \
    --intermediate --no-passphrase
expect_grep "root.pem' exists without ca.pem" "$T/stderr" "the leftover root.pem is named"

# ---- a single-level store grows an intermediate ----
G=$T/grow
sg() { "$SIPCA" -d "$G" "$@"; }
check "a single-level CA" sg init --domain example.com --key p256 --passphrase-file "$T/pass"
check "issue before" sg issue server old.example.com --passphrase-file "$T/pass"
check "issue a device before" sg issue device carol --passphrase-file "$T/pass"
check "revoke one before" sg revoke carol --passphrase-file "$T/pass"
cp "$G/ca.pem" "$T/old-ca.pem"
cp "$G/ca.key" "$T/old-ca.key"
expect_exit 2 "crl --root on a single-level store" sg crl --root --passphrase-file "$T/pass"
expect_grep 'has no root (root.pem): it is a single-level CA' "$T/stderr" "crl --root: no root"
expect_exit 2 "export --root-key on a single-level store" sg export --root-key -o "$T/x.key"
snapshot "$G" > "$T/before"
expect_exit 2 "--add-intermediate with a wrong passphrase" sg init --add-intermediate --passphrase-file "$T/wrong"
expect_grep 'wrong passphrase for the CA key' "$T/stderr" "the wrong passphrase is named"
expect_exit 2 "--add-intermediate with --domain" sg init --add-intermediate --domain example.com \
    --passphrase-file "$T/pass"
expect_exit 2 "--add-intermediate with --name-constraints" sg init --add-intermediate --name-constraints \
    --passphrase-file "$T/pass"
expect_exit 2 "--add-intermediate with both passphrase options" sg init --add-intermediate \
    --passphrase-file "$T/pass" --no-passphrase
expect_exit 2 "--add-intermediate on no store" "$SIPCA" -d "$T/none" init --add-intermediate --no-passphrase
expect_unchanged "$T/before" "$G" "refused --add-intermediate"
check "no store made for --add-intermediate" test ! -e "$T/none"

expect_exit 0 "--add-intermediate" sg init --add-intermediate --intermediate-name "Example Issuing" \
    --intermediate-days 365 --passphrase-file "$T/pass"
expect_grep "issuing CA  *$G/ca.pem ('Example Issuing'" "$T/stderr" "the new issuing CA is named"
check "root.key is the old ca.key" cmp -s "$G/root.key" "$T/old-ca.key"
check "root.key is 0600" test "$(stat -c %a "$G/root.key")" = 600
check "ca.key is new" test "$(sha256sum < "$G/ca.key")" != "$(sha256sum < "$T/old-ca.key")"
certtool -i --infile "$G/root.pem" > "$T/groot.txt"
expect_grep 'Path Length Constraint: 2' "$T/groot.txt" "the grown root: pathLen 2"
check "the grown root keeps the old name and key" sh -c "[ \"\$(openssl x509 -in '$G/root.pem' -noout \
    -subject -pubkey -enddate)\" = \"\$(openssl x509 -in '$T/old-ca.pem' -noout -subject -pubkey -enddate)\" ]"
check "the grown intermediate verifies against the root" openssl verify -x509_strict -CAfile "$G/root.pem" "$G/ca.pem"
check "issue after" sg issue server new.example.com --passphrase-file "$T/pass"
I=$G/issued
verified old.example.com "$G/root.pem"
verified old.example.com "$T/old-ca.pem"
verified new.example.com "$G/root.pem"
# What phones trusted until now has pathLen 0: no CA below it (RFC 5280 6.1.4 (m)).
check_fails "the old ca.pem's pathLen 0 refuses a new leaf" openssl verify -x509_strict \
    -CAfile "$T/old-ca.pem" -untrusted "$I/new.example.com/chain.pem" "$I/new.example.com/cert.pem"
check "the new leaf's chain is the issuing CA" sh -c "tail -n \$(wc -l < '$G/ca.pem') \
    '$I/new.example.com/chain.pem' | cmp -s - '$G/ca.pem'"
expect_exit 0 "check a grown store" sg check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check accepts what the root issued before"
expect_exit 0 "export an old leaf's bundle" sg export old.example.com -o "$T/old.pem"
check "an old leaf's bundle is the leaf and the root" test "$(grep -c 'BEGIN CERTIFICATE' "$T/old.pem")" -eq 2
check "an old leaf's bundle verifies" openssl verify -x509_strict -CAfile "$G/root.pem" -untrusted "$T/old.pem" "$T/old.pem"
expect_exit 0 "renew an old leaf under the issuing CA" sg renew old.example.com --passphrase-file "$T/pass"
verified old.example.com "$G/root.pem"
check "the renewed leaf is the issuing CA's" sh -c "openssl x509 -in '$I/old.example.com/cert.pem' -noout -issuer | grep -q 'Example Issuing'"
# The root's CRL lists what the root issued and revoked; the issuing CA's does not sign for it.
expect_exit 0 "crl --root on a grown store" sg crl --root --passphrase-file "$T/pass"
carol=$(sg show carol 2>/dev/null | sed -n 's/^serial *//p' | tr 'a-f' 'A-F')
check "root-crl.pem lists the revoked old leaf" sh -c "openssl crl -in '$G/root-crl.pem' -noout -text | grep -q 'Serial Number: $carol'"
check "root-crl.pem verifies with the root" openssl crl -in "$G/root-crl.pem" -CAfile "$G/root.pem" -noout
check "crl.pem is the issuing CA's" sg crl --passphrase-file "$T/pass"
check "crl.pem verifies with the issuing CA" openssl crl -in "$G/crl.pem" -CAfile "$G/ca.pem" -noout

# ---- a root key on a token, the issuing CA's key a file ----
softhsm_token sipca-hier
K=$T/tok
expect_exit 0 "init --intermediate --pkcs11" timeout 60 "$SIPCA" -d "$K" init --domain example.com \
    --key p256 --intermediate --pkcs11 "$TOKEN" --pin-file "$T/pin" --passphrase-file "$T/pass"
expect_grep '^  root key  *on the token (generated there): pkcs11:' "$T/stderr" "the root key is on the token"
check "no root.key with a token" test ! -e "$K/root.key"
check "ca.key is a file" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$K/ca.key"
expect_exit 0 "config shows the root's token key" "$SIPCA" -d "$K" config
expect_grep '^root-key-uri *pkcs11:' "$T/stdout" "the setting root_key_uri"
check "the token's intermediate verifies" openssl verify -x509_strict -CAfile "$K/root.pem" "$K/ca.pem"
expect_exit 0 "issue under a token root" "$SIPCA" -d "$K" issue device dave --passphrase-file "$T/pass"
I=$K/issued
verified dave "$K/root.pem"
expect_exit 0 "crl --root with the token" timeout 60 "$SIPCA" -d "$K" crl --root --passphrase-file "$T/pin"
check "the token's root-crl.pem verifies" openssl crl -in "$K/root-crl.pem" -CAfile "$K/root.pem" -noout

finish
