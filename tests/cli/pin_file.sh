#!/bin/sh
# --pin-file on every command that unlocks the CA key (issue, --batch,
# renew, revoke, crl, check, rollover start), against a SoftHSM2 token:
# what they sign verifies, a wrong PIN or a PIN file others can read
# changes nothing, and --pin-file for a CA key that is a file says so.
# --passphrase-file still carries a token's PIN, as before --pin-file.
. "$(dirname "$0")/../lib.sh"

softhsm_token sipca-pin
printf '1111\n' > "$T/wrong"

CA=$T/ca
expect_exit 0 "init --pkcs11 --pin-file" timeout 60 "$SIPCA" -d "$CA" init \
    --domain example.com --key p256 --pkcs11 "$TOKEN" --pin-file "$T/pin"

# ---- every signing command takes --pin-file ----
expect_exit 0 "issue device --pin-file" timeout 60 "$SIPCA" -d "$CA" issue device alice \
    --key p256 --pin-file "$T/pin"
check "openssl verifies what issue signed" timeout 20 openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/issued/alice/cert.pem"
expect_exit 0 "issue server --pin-file" timeout 60 "$SIPCA" -d "$CA" issue server sip.example.com \
    --key p256 --pin-file "$T/pin"
printf 'kind,name\ndevice,phone1\ndevice,phone2\n' > "$T/batch.csv"
expect_exit 0 "issue --batch --pin-file" timeout 60 "$SIPCA" -d "$CA" issue --batch "$T/batch.csv" \
    --key p256 --quiet --pin-file "$T/pin"
check "certtool verifies a batch certificate" sh -c "cat '$CA/issued/phone2/cert.pem' '$CA/ca.pem' |
    timeout 20 certtool --verify-chain >/dev/null"
old=$(openssl x509 -in "$CA/issued/alice/cert.pem" -noout -serial)
expect_exit 0 "renew --pin-file" timeout 60 "$SIPCA" -d "$CA" renew alice --pin-file "$T/pin"
check "renew made a new serial" test "$(openssl x509 -in "$CA/issued/alice/cert.pem" -noout -serial)" != "$old"
expect_exit 0 "renew --expiring --pin-file" timeout 60 "$SIPCA" -d "$CA" renew --expiring 4000 --pin-file "$T/pin"
expect_exit 0 "revoke --pin-file" timeout 60 "$SIPCA" -d "$CA" revoke phone1 --pin-file "$T/pin"
expect_exit 0 "crl --pin-file" timeout 60 "$SIPCA" -d "$CA" crl --pin-file "$T/pin" -o "$T/crl.pem"
check "openssl verifies the CRL" sh -c "timeout 20 openssl crl -in '$T/crl.pem' -CAfile '$CA/ca.pem' -noout 2>&1 | grep -q 'verify OK'"
expect_exit 0 "check --pin-file checks the token's key" timeout 60 "$SIPCA" -d "$CA" check --pin-file "$T/pin"
expect_exit 0 "--passphrase-file still carries the PIN" timeout 60 "$SIPCA" -d "$CA" issue device bob \
    --key p256 --passphrase-file "$T/pin"

# ---- what is refused changes nothing ----
snapshot "$CA" > "$T/before"
expect_exit 2 "issue with a wrong --pin-file" timeout 60 "$SIPCA" -d "$CA" issue device carol \
    --key p256 --pin-file "$T/wrong"
expect_exit 2 "crl with a wrong --pin-file" timeout 60 "$SIPCA" -d "$CA" crl --pin-file "$T/wrong"
expect_exit 2 "--pin-file of a missing file" timeout 60 "$SIPCA" -d "$CA" revoke bob --pin-file "$T/missing"
cp "$T/pin" "$T/pin-open" && chmod 644 "$T/pin-open"
expect_exit 2 "a PIN file others can read" timeout 60 "$SIPCA" -d "$CA" issue device carol \
    --key p256 --pin-file "$T/pin-open"
expect_grep "pin-open' is readable by others (mode 0644): fix it with: chmod 600" "$T/stderr" "names the file and the fix"
expect_no_grep "$PIN" "$T/stderr" "the PIN is not in the message"
expect_unchanged "$T/before" "$CA" "refused PINs"
cp "$T/pin" "$T/pin-group" && chmod 640 "$T/pin-group"
expect_exit 0 "a PIN file its group can read is used" timeout 60 "$SIPCA" -d "$CA" issue device carol \
    --key p256 --pin-file "$T/pin-group"
expect_grep "warning: .*pin-group' is readable by its group (mode 0640)" "$T/stderr" "with a warning on stderr"
expect_no_grep "readable" "$T/stdout" "not on stdout"

# ---- rollover start unlocks the token's key with --pin-file ----
printf 'next generation passphrase\n' > "$T/next"
snapshot "$CA" > "$T/before"
expect_exit 2 "rollover start with a wrong --pin-file" timeout 120 "$SIPCA" -d "$CA" rollover start \
    --key p256 --pin-file "$T/wrong" --passphrase-file "$T/next"
expect_unchanged "$T/before" "$CA" "a refused rollover start"
expect_exit 0 "rollover start --pin-file" timeout 120 "$SIPCA" -d "$CA" rollover start \
    --key p256 --pin-file "$T/pin" --passphrase-file "$T/next"
check "the next root is made" test -s "$CA/next-root.pem"
check "its key is encrypted with the new passphrase" openssl pkey -in "$CA/next-root.key" -passin "file:$T/next" -noout
expect_exit 0 "rollover abort" "$SIPCA" -d "$CA" rollover abort

# ---- --pin-file for a CA key that is an encrypted file ----
ENC=$T/enc
printf 'correct horse battery\n' > "$T/pass"
expect_exit 0 "init an encrypted CA" "$SIPCA" -d "$ENC" init --domain example.com --key p256 --passphrase-file "$T/pass"
snapshot "$ENC" > "$T/before"
expect_exit 2 "issue --pin-file with a key file" "$SIPCA" -d "$ENC" issue device alice --key p256 --pin-file "$T/pass"
expect_grep "the CA key is a file (ca.key), encrypted, not on a token: --pin-file is for a token's PIN; give --passphrase-file FILE" \
    "$T/stderr" "says which option the key takes"
expect_exit 2 "check --pin-file with a key file" "$SIPCA" -d "$ENC" check --pin-file "$T/pass"
expect_grep "pin-file is for a token's PIN" "$T/stderr" "check says so too"
expect_unchanged "$T/before" "$ENC" "--pin-file for a key file"

# ---- --help and the man page list it ----
for cmd in issue renew revoke crl check rollover; do
	expect_exit 0 "$cmd --help" "$SIPCA" "$cmd" --help
	expect_grep "pin-file FILE" "$T/stdout" "$cmd --help lists --pin-file"
done

finish
