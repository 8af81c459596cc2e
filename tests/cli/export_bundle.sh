#!/bin/sh
# sipca export NAME: PEM bundles, PKCS#12 (modern and legacy), DER and the
# key alone, checked with openssl and certtool rather than with sipca itself.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)

D=$T/ca
new_ca "$D"
"$SIPCA" -d "$D" issue server sip.example.com --key p256 >/dev/null || fail "issue server"
"$SIPCA" -d "$D" issue device alice --key rsa2048 >/dev/null || fail "issue device"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/bob.key" -subj /CN=bob -out "$T/bob.csr" 2>/dev/null
"$SIPCA" -d "$D" issue device bob --csr "$T/bob.csr" >/dev/null || fail "issue from CSR"
printf 'correct horse\n' > "$T/pw"
snapshot "$D" > "$T/before"
cd "$T" || exit 3

mode() { stat -c %a "$1"; }

# on_tty ARGS...: sipca with ARGS, its stdout and stderr a terminal (a
# pty made by script(1)); the output in $T/tty.out, the exit status kept.
on_tty() {
	script -qec "$SIPCA -d $D $*" /dev/null > "$T/tty.out" 2>&1
}

# The CA alone, as before: ./cert.pem, the CA's certificate.
expect_exit 0 "export CA" "$SIPCA" -d "$D" export
check "cert.pem is the CA" cmp -s cert.pem "$D/ca.pem"
expect_grep "SHA-256 fingerprint" "$T/stderr" "CA fingerprint"

# PEM bundle: the certificate first, then the CA, no key, public mode.
expect_exit 0 "export pem" "$SIPCA" -d "$D" export sip.example.com
check "bundle is NAME.pem" test -f sip.example.com.pem
[ "$(mode sip.example.com.pem)" = 644 ] && ok || fail "pem bundle mode $(mode sip.example.com.pem)"
[ "$(grep -c 'BEGIN CERTIFICATE' sip.example.com.pem)" = 2 ] && ok || fail "pem bundle has two certificates"
expect_no_grep "PRIVATE KEY" sip.example.com.pem "no key without --with-key"
openssl x509 -in sip.example.com.pem -noout -subject > subj 2>&1
expect_grep "CN *= *sip.example.com" subj "the leaf comes first"
sed -n '/END CERTIFICATE/,$p' sip.example.com.pem | sed 1d > second.pem
check "the CA comes second" cmp -s second.pem "$D/ca.pem"
check "bundle verifies against the CA" openssl verify -CAfile "$D/ca.pem" sip.example.com.pem

# --with-key: the combined file, 0600, with the certificate's own key.
expect_exit 0 "export pem --with-key" "$SIPCA" -d "$D" export alice --with-key -o alice-full.pem
[ "$(mode alice-full.pem)" = 600 ] && ok || fail "key bundle mode $(mode alice-full.pem)"
expect_grep "BEGIN PRIVATE KEY" alice-full.pem "key in the bundle"
openssl x509 -in alice-full.pem -noout -pubkey > p1
openssl pkey -in alice-full.pem -pubout > p2 2>/dev/null
check "key matches the certificate" cmp -s p1 p2

# DER: the certificate alone.
expect_exit 0 "export der" "$SIPCA" -d "$D" export alice --format der
openssl x509 -inform der -in alice.der -noout -subject > subj 2>&1
expect_grep "CN *= *alice" subj "DER is alice's certificate"
[ "$(mode alice.der)" = 644 ] && ok || fail "der mode"

# PKCS#12, modern: AES-256-CBC, PBKDF2 with HMAC-SHA256, SHA-256 MAC.
expect_exit 0 "export p12" "$SIPCA" -d "$D" export alice --format p12 --passphrase-file pw
[ "$(mode alice.p12)" = 600 ] && ok || fail "p12 mode $(mode alice.p12)"
openssl pkcs12 -info -noout -in alice.p12 -passin pass:'correct horse' > info 2>&1 \
    && ok || fail "openssl cannot open the modern p12"
expect_grep "MAC: sha256" info "modern MAC"
expect_grep "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC.*hmacWithSHA256" info "modern key bag"
expect_grep "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC" info "modern cert bag"
expect_no_grep "3DES\|TripleDES\|RC2" info "nothing legacy in the modern p12"
sed -n 's/.*Iteration \([0-9]*\).*/\1/p' info | sort -u > modern-iters
openssl pkcs12 -in alice.p12 -passin pass:'correct horse' -nodes -out p12.pem 2>/dev/null \
    && ok || fail "openssl cannot extract the modern p12"
[ "$(grep -c 'BEGIN CERTIFICATE' p12.pem)" = 2 ] && ok || fail "modern p12 holds certificate and CA"
openssl pkey -in p12.pem -pubout > p3 2>/dev/null
check "p12 key is alice's" cmp -s p1 p3
openssl pkcs12 -in alice.p12 -passin pass:'correct horse' -nokeys -clcerts 2>/dev/null \
    | openssl x509 -noout -subject > subj 2>&1
expect_grep "CN *= *alice" subj "the key's certificate is alice's (localKeyId)"
certtool --p12-info --inder --infile alice.p12 --password 'correct horse' > ct 2>&1 \
    && ok || fail "certtool cannot open the modern p12"
expect_grep "PBES2-AES256-CBC" ct "certtool sees AES-256"
expect_grep "Friendly name: alice" ct "friendly name"
check_fails "wrong passphrase is refused" openssl pkcs12 -info -noout -in alice.p12 -passin pass:wrong

# PKCS#12, legacy: 3DES and a SHA-1 MAC, for OpenSSL 3 with -legacy too.
expect_exit 0 "export p12 --legacy" "$SIPCA" -d "$D" export alice --format p12 --legacy \
    --passphrase-file pw -o alice-legacy.p12
openssl pkcs12 -legacy -info -noout -in alice-legacy.p12 -passin pass:'correct horse' > info 2>&1 \
    && ok || fail "openssl -legacy cannot open the legacy p12"
expect_grep "MAC: sha1" info "legacy MAC"
expect_grep "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC" info "legacy key bag"
expect_grep "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC" info "legacy cert bag"
expect_no_grep "AES\|PBES2" info "nothing modern in the legacy p12"
certtool --p12-info --inder --infile alice-legacy.p12 --password 'correct horse' > ct 2>&1 \
    && ok || fail "certtool cannot open the legacy p12"
# The iteration count is GnuTLS's, fixed when GnuTLS is built (no call sets
# it): the same in the MAC and both bags, seen alike by openssl and certtool,
# and the number the README gives.
sed -n 's/.*Iteration \([0-9]*\).*/\1/p' info | sort -u > iters
[ "$(grep -c 'Iteration' info)" = 3 ] && [ "$(wc -l < iters)" = 1 ] && ok \
    || fail "legacy p12: one count for the MAC and both bags: $(cat iters)"
sed -n 's/.*Iteration count: \([0-9]*\).*/\1/p' ct | sort -u > ct-iters
check "certtool sees openssl's count" cmp -s iters ct-iters
check "the modern p12 has the legacy one's count (GnuTLS has one)" cmp -s iters modern-iters
readme_count=$(sed -n 's/.*GnuTLS writes \([0-9,]*\) iterations.*/\1/p' "$top/README.md" | tr -d ,)
[ -n "$readme_count" ] && [ "$readme_count" = "$(cat iters)" ] && ok \
    || fail "the README's count ($readme_count) is what the file has ($(cat iters))"
# The README's way to OpenSSL's -legacy count (2048) for a slow phone.
expect_exit 0 "export alice --with-key for openssl" "$SIPCA" -d "$D" export alice --with-key -o alice-full2.pem
openssl pkcs12 -export -legacy -descert -iter 2048 -in alice-full2.pem -name alice \
    -passout pass:'correct horse' -out alice-2048.p12 2>/dev/null && ok || fail "openssl -export -legacy"
openssl pkcs12 -legacy -info -noout -in alice-2048.p12 -passin pass:'correct horse' > info2 2>&1
[ "$(grep -c 'Iteration 2048' info2)" = 3 ] && ok || fail "the README's openssl recipe writes 2048 iterations"
expect_no_grep "RC2\|AES" info2 "3DES in both bags with -descert"
openssl pkcs12 -legacy -in alice-legacy.p12 -passin pass:'correct horse' -nodes 2>/dev/null \
    | openssl pkey -pubout > p4 2>/dev/null
check "legacy p12 key is alice's" cmp -s p1 p4

# The key alone (Asterisk's priv_key_file): PKCS#8 PEM, 0600, alice's key.
expect_exit 0 "export --format key" "$SIPCA" -d "$D" export alice --format key
check "key file is NAME.key" test -f alice.key
[ "$(mode alice.key)" = 600 ] && ok || fail "key file mode $(mode alice.key)"
[ "$(head -1 alice.key)" = "-----BEGIN PRIVATE KEY-----" ] && ok || fail "key file is PKCS#8 PEM"
[ "$(grep -c BEGIN alice.key)" = 1 ] && ok || fail "key file holds the key alone"
openssl pkey -in alice.key -pubout > p5 2>/dev/null
check "key file is alice's key" cmp -s p1 p5
expect_exit 0 "export --format key -o - to a pipe" "$SIPCA" -d "$D" export sip.example.com --format key -o -
expect_grep "BEGIN PRIVATE KEY" "$T/stdout" "key on stdout with -o -"
expect_exit 2 "--format key for the CA" "$SIPCA" -d "$D" export --format key -o x7
expect_grep "never exported" "$T/stderr" "the CA's key is never exported"
expect_exit 2 "--format key --with-key" "$SIPCA" -d "$D" export alice --format key --with-key -o x8
expect_exit 2 "CSR: --format key refused" "$SIPCA" -d "$D" export bob --format key -o bob-csr.key
check_fails "no bob-csr.key after refusal" test -e bob-csr.key

# A key or DER is never written to a terminal; a certificate in PEM is.
for args in "alice --format key" "alice --with-key" "alice --format der" \
    "--format der" "alice --format p12 --passphrase-file $T/pw"; do
	on_tty export $args -o -
	[ $? = 2 ] && ok || fail "export $args -o - on a terminal: not refused"
	grep -q "standard output is a terminal: refusing" "$T/tty.out" && ok \
	    || fail "export $args -o - on a terminal: $(cat "$T/tty.out")"
	grep -q "BEGIN\|^0" "$T/tty.out" && fail "export $args -o - wrote to the terminal" || ok
done
on_tty export alice --format der -o -
expect_grep "refusing to write binary DER to it; use -o FILE, or a pipe" "$T/tty.out" "says why DER is refused"
on_tty export alice --format key -o -
expect_grep "refusing to write a private key to it" "$T/tty.out" "says why a key is refused"
on_tty export alice -o -
[ $? = 0 ] && ok || fail "export alice -o - on a terminal: $(cat "$T/tty.out")"
grep -q "BEGIN CERTIFICATE" "$T/tty.out" && ok || fail "a PEM certificate reaches a terminal"

# CSR-issued: no key to give, so no key bundle, and nothing written.
expect_exit 2 "CSR: --with-key refused" "$SIPCA" -d "$D" export bob --with-key
expect_grep "certificate request" "$T/stderr" "CSR refusal says why"
expect_exit 2 "CSR: p12 refused" "$SIPCA" -d "$D" export bob --format p12 --passphrase-file pw
check_fails "no bob.pem after refusal" test -e bob.pem
check_fails "no bob.p12 after refusal" test -e bob.p12
expect_exit 0 "CSR: certificate and CA" "$SIPCA" -d "$D" export bob

# stdout only when asked for explicitly.
expect_exit 0 "export -o -" "$SIPCA" -d "$D" export alice --with-key -o -
expect_grep "BEGIN PRIVATE KEY" "$T/stdout" "key on stdout with -o -"

# Refusals: exit 2, nothing written.
expect_exit 2 "existing file without --force" "$SIPCA" -d "$D" export alice --format der
expect_grep "use --force" "$T/stderr" "says --force"
expect_exit 0 "--force overwrites" "$SIPCA" -d "$D" export alice --format der --force
expect_exit 2 "unknown name" "$SIPCA" -d "$D" export nobody
expect_exit 2 "invalid name" "$SIPCA" -d "$D" export ../ca
expect_exit 2 "unknown format" "$SIPCA" -d "$D" export alice --format pfx
expect_exit 2 "--legacy without p12" "$SIPCA" -d "$D" export alice --legacy -o x1
expect_exit 2 "--with-key with der" "$SIPCA" -d "$D" export alice --format der --with-key -o x2
expect_exit 2 "--passphrase-file without p12" "$SIPCA" -d "$D" export alice --passphrase-file pw -o x3
expect_exit 2 "CA key never exported" "$SIPCA" -d "$D" export --format p12 -o x4
expect_exit 2 "no terminal, no passphrase file" "$SIPCA" -d "$D" export alice --format p12 -o x5
: > empty
expect_exit 2 "empty passphrase file" "$SIPCA" -d "$D" export alice --format p12 --passphrase-file empty -o x6
expect_exit 2 "a device node is not overwritten" "$SIPCA" -d "$D" export alice --with-key -o /dev/null --force
expect_exit 2 "two names" "$SIPCA" -d "$D" export alice bob
for f in x1 x2 x3 x4 x5 x6 x7 x8; do
	[ -e "$f" ] && fail "$f written despite a refusal" || ok
done

expect_unchanged "$T/before" "$D" "exports leave the store as it was"
finish
