#!/bin/sh
# CA keys on a PKCS#11 token: a SoftHSM2 token made for the test in its
# own SOFTHSM2_CONF directory. init makes (or finds) the key there;
# issue, renew, revoke and crl sign on the token; openssl and certtool
# verify what they signed; the PIN is never stored.
. "$(dirname "$0")/../lib.sh"

softhsm_token sipca-test
printf '1111\n' > "$T/wrong"

# verify CERT CA DESCRIPTION: openssl and certtool both accept CERT.
verify() {
	check "$3: openssl verifies" timeout 20 openssl verify -CAfile "$2" "$1"
	check "$3: certtool verifies" sh -c "cat '$1' '$2' | timeout 20 certtool --verify-chain >/dev/null"
}

# no_pin_in DIR DESCRIPTION: the PIN is nowhere in the store.
no_pin_in() {
	TESTS_RUN=$((TESTS_RUN + 1))
	if grep -r -a -q -e "$PIN" -e pin-value -e pin-source "$1"; then
		fail "$2: the PIN or a PIN attribute is in the store"
	fi
}

# ---- init makes a P-256 key on the token ----
CA=$T/ca
expect_exit 0 "init --pkcs11 generates the key" timeout 60 "$SIPCA" -d "$CA" init \
    --domain example.com --key p256 --pkcs11 "$TOKEN" --pin-file "$T/pin"
expect_grep "on the token (generated there): pkcs11:" "$T/stderr" "init says where the key is"
check "no ca.key in the store" test ! -e "$CA/ca.key"
no_pin_in "$CA" "init with --pin-file"
expect_exit 0 "config shows the key's URI" "$SIPCA" -d "$CA" config
expect_grep "^ca-key-uri *pkcs11:.*object=sipca-ca" "$T/stdout" "the default label"
expect_grep "type=private" "$T/stdout" "the URI names the private key"
check "the token holds a sensitive, never-extractable key" sh -c \
    "GNUTLS_PIN=$PIN timeout 30 p11tool --login --list-privkeys '$TOKEN' | grep -q 'CKA_SENSITIVE' &&
     GNUTLS_PIN=$PIN timeout 30 p11tool --login --list-privkeys '$TOKEN' | grep -q 'CKA_NEVER_EXTRACTABLE'"
check "the CA certificate is self-signed by the token key" timeout 20 openssl verify -CAfile "$CA/ca.pem" "$CA/ca.pem"

# ---- signing commands sign on the token ----
expect_exit 0 "issue device signs on the token" timeout 60 "$SIPCA" -d "$CA" issue device alice \
    --key p256 --passphrase-file "$T/pin"
verify "$CA/issued/alice/cert.pem" "$CA/ca.pem" "device certificate"
expect_exit 0 "issue server signs on the token" timeout 60 "$SIPCA" -d "$CA" issue server sip.example.com \
    --passphrase-file "$T/pin"
verify "$CA/issued/sip.example.com/cert.pem" "$CA/ca.pem" "server certificate"
old=$(openssl x509 -in "$CA/issued/alice/cert.pem" -noout -serial)
expect_exit 0 "renew signs on the token" timeout 60 "$SIPCA" -d "$CA" renew alice --passphrase-file "$T/pin"
verify "$CA/issued/alice/cert.pem" "$CA/ca.pem" "renewed certificate"
check "renew made a new serial" test "$(openssl x509 -in "$CA/issued/alice/cert.pem" -noout -serial)" != "$old"
expect_exit 0 "revoke signs its CRL on the token" timeout 60 "$SIPCA" -d "$CA" revoke sip.example.com \
    --passphrase-file "$T/pin"
expect_exit 0 "crl signs on the token" timeout 60 "$SIPCA" -d "$CA" crl --passphrase-file "$T/pin" -o "$T/crl.pem"
check "openssl verifies the CRL" sh -c "timeout 20 openssl crl -in '$T/crl.pem' -CAfile '$CA/ca.pem' -noout 2>&1 | grep -q 'verify OK'"
check "certtool verifies the CRL" timeout 20 certtool --verify-crl --load-ca-certificate "$CA/ca.pem" --infile "$T/crl.pem"
check "the CRL lists the revoked server" sh -c "timeout 20 openssl crl -in '$T/crl.pem' -noout -text | grep -qi 'Serial Number'"
# The batch's worker threads all sign with the one token key.
awk 'BEGIN { print "kind,name"; for (i = 1; i <= 100; i++) printf "device,phone%03d\n", i }' > "$T/batch.csv"
expect_exit 0 "issue --batch signs on the token from four threads" timeout 120 "$SIPCA" -d "$CA" issue \
    --batch "$T/batch.csv" --key p256 --jobs 4 --passphrase-file "$T/pin"
expect_grep "issued 100, skipped 0" "$T/stderr" "the batch issued every row"
check "openssl verifies every batch certificate" sh -c \
    "cd '$CA/issued' && timeout 60 openssl verify -CAfile ../ca.pem phone*/cert.pem | grep -c ': OK\$' | grep -qx 100"
sed 's/^device,phone/device,desk/' "$T/batch.csv" > "$T/batch2.csv"
snapshot "$CA" > "$T/before-batch"
expect_exit 2 "a batch with a wrong PIN" timeout 120 "$SIPCA" -d "$CA" issue \
    --batch "$T/batch2.csv" --key p256 --passphrase-file "$T/wrong"
expect_unchanged "$T/before-batch" "$CA" "a batch with a wrong PIN issues nothing"
expect_exit 0 "check with the PIN: the token key matches ca.pem" timeout 60 "$SIPCA" -d "$CA" check --passphrase-file "$T/pin"
expect_grep "0 problems" "$T/stdout" "check is clean"
expect_exit 0 "check without a PIN: clean, with a note" timeout 60 "$SIPCA" -d "$CA" check
expect_grep "on a token" "$T/stderr" "the note says the key was not checked"
no_pin_in "$CA" "after signing"

# ---- a wrong or missing PIN: exit 2, the store unchanged ----
snapshot "$CA" > "$T/before"
expect_exit 2 "a wrong PIN" timeout 60 "$SIPCA" -d "$CA" issue device bob --key p256 --passphrase-file "$T/wrong"
expect_grep "refused the PIN" "$T/stderr" "the message says so"
expect_no_grep "1111" "$T/stderr" "the PIN is not in the message"
expect_exit 2 "no PIN and no terminal" timeout 60 "$SIPCA" -d "$CA" issue device bob --key p256
expect_grep "needs its PIN: give --passphrase-file FILE" "$T/stderr" "the message says how"
expect_exit 2 "a PIN file that is not there" timeout 60 "$SIPCA" -d "$CA" crl --passphrase-file "$T/nothere"
expect_unchanged "$T/before" "$CA" "refused signing"

# ---- the URI's pin-value; an existing key; an RSA key ----
CA2=$T/ca2
expect_exit 0 "init with the PIN in the URI" timeout 60 "$SIPCA" -d "$CA2" init --domain example.org \
    --key p384 --pkcs11 "$TOKEN;object=second?pin-value=$PIN"
no_pin_in "$CA2" "init with pin-value"
expect_exit 0 "config" "$SIPCA" -d "$CA2" config
expect_grep "object=second" "$T/stdout" "the label from the URI"
expect_exit 0 "issue with the second key" timeout 60 "$SIPCA" -d "$CA2" issue device carol --key p256 --passphrase-file "$T/pin"
verify "$CA2/issued/carol/cert.pem" "$CA2/ca.pem" "P-384 token CA"
expect_exit 0 "config ca-key-type" "$SIPCA" -d "$CA2" config ca-key-type
expect_grep "p384" "$T/stdout" "the key type is recorded"

# pin-source (RFC 7512 2.4): p11-kit reads the whole file, newline and all.
printf '%s' "$PIN" > "$T/pin-raw"
expect_exit 0 "init with pin-source in the URI" timeout 60 "$SIPCA" -d "$T/ca-src" init --domain example.com \
    --pkcs11 "$TOKEN;object=sipca-ca?pin-source=$T/pin-raw"
no_pin_in "$T/ca-src" "init with pin-source"
expect_exit 0 "config of the pin-source store" "$SIPCA" -d "$T/ca-src" config
expect_no_grep "pin-raw" "$T/stdout" "the pin-source path is not stored"

CA3=$T/ca3
expect_exit 0 "init uses the key already on the token" timeout 60 "$SIPCA" -d "$CA3" init \
    --domain example.com --pkcs11 "$TOKEN;object=sipca-ca" --pin-file "$T/pin"
expect_grep "found there" "$T/stderr" "init says it found the key"
check "same public key as the first CA" sh -c \
    "test \"\$(openssl x509 -in '$CA/ca.pem' -noout -pubkey)\" = \"\$(openssl x509 -in '$CA3/ca.pem' -noout -pubkey)\""

CA4=$T/ca4
expect_exit 0 "init with an RSA key on the token" timeout 120 "$SIPCA" -d "$CA4" init \
    --domain example.com --key rsa2048 --pkcs11 "$TOKEN;object=rsa" --pin-file "$T/pin"
expect_exit 0 "issue with the RSA token key" timeout 60 "$SIPCA" -d "$CA4" issue server sip.example.com \
    --key p256 --passphrase-file "$T/pin"
verify "$CA4/issued/sip.example.com/cert.pem" "$CA4/ca.pem" "RSA token CA"

# ---- bad init input: exit 2, no store made ----
expect_exit 2 "not a PKCS#11 URI" "$SIPCA" -d "$T/bad1" init --domain example.com --pkcs11 "file:///etc/passwd"
expect_grep "not a PKCS#11 URI" "$T/stderr" "the message says so"
expect_exit 2 "a URI with a space" "$SIPCA" -d "$T/bad1" init --domain example.com --pkcs11 "pkcs11:token=a b"
expect_exit 2 "--pin-file without --pkcs11" "$SIPCA" -d "$T/bad1" init --domain example.com --no-passphrase --pin-file "$T/pin"
expect_exit 2 "--passphrase-file with --pkcs11" "$SIPCA" -d "$T/bad1" init --domain example.com \
    --pkcs11 "$TOKEN" --passphrase-file "$T/pin"
expect_exit 2 "a wrong PIN at init" timeout 60 "$SIPCA" -d "$T/bad1" init --domain example.com \
    --pkcs11 "$TOKEN;object=never" --pin-file "$T/wrong"
expect_exit 2 "a token that is not there" timeout 60 "$SIPCA" -d "$T/bad1" init --domain example.com \
    --pkcs11 "pkcs11:token=no-such-token" --pin-file "$T/pin"
check "no store was made" test ! -e "$T/bad1"
check "the wrong PIN made no key" sh -c \
    "! GNUTLS_PIN=$PIN timeout 30 p11tool --login --list-privkeys '$TOKEN;object=never' | grep -q URL"

finish
