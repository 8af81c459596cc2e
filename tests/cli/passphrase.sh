#!/bin/sh
# A new CA key's passphrase has at least 8 characters unless
# --allow-short-passphrase says otherwise (init, --intermediate,
# --add-intermediate, rollover start, export --root-key); a key made
# with a shorter one before still unlocks. A passphrase file others can
# read is refused, one its group can read is used with a warning.
. "$(dirname "$0")/../lib.sh"

printf 'x\n' > "$T/one"
printf '1234567\n' > "$T/seven"
printf '12345678\n' > "$T/eight"
printf 'p\303\244\303\244\303\244\303\244\303\244\n' > "$T/utf8-six"	# 6 characters, 11 octets
printf 'correct horse battery staple\n' > "$T/long"

# ---- init ----
expect_exit 2 "init with a 1-character passphrase" "$SIPCA" -d "$T/short" init --domain example.com \
    --key p256 --passphrase-file "$T/one"
expect_grep "the new key's passphrase is 1 character long: give one of at least 8 characters, or --allow-short-passphrase" \
    "$T/stderr" "says the minimum and the option"
expect_no_grep "x" "$T/stdout" "nothing on stdout"
check "no store was made" test ! -e "$T/short"
expect_exit 2 "init with 7 characters" "$SIPCA" -d "$T/short" init --domain example.com \
    --key p256 --passphrase-file "$T/seven"
expect_grep "is 7 characters long" "$T/stderr" "counts them"
expect_exit 2 "6 characters in 11 octets are 6" "$SIPCA" -d "$T/short" init --domain example.com \
    --key p256 --passphrase-file "$T/utf8-six"
expect_grep "is 6 characters long" "$T/stderr" "characters, not octets"
expect_exit 2 "init --intermediate with a short passphrase" "$SIPCA" -d "$T/short" init --domain example.com \
    --key p256 --intermediate --passphrase-file "$T/one"
check "still no store" test ! -e "$T/short"
expect_exit 0 "8 characters are enough" "$SIPCA" -d "$T/eight-ca" init --domain example.com \
    --key p256 --passphrase-file "$T/eight"
expect_exit 0 "--allow-short-passphrase" "$SIPCA" -d "$T/short" init --domain example.com \
    --key p256 --passphrase-file "$T/one" --allow-short-passphrase
check "the key is encrypted with it" openssl pkey -in "$T/short/ca.key" -passin "file:$T/one" -noout

# ---- a key made with a short passphrase still unlocks ----
expect_exit 0 "issue with the short passphrase" "$SIPCA" -d "$T/short" issue device alice \
    --key p256 --passphrase-file "$T/one"
expect_exit 0 "crl with it" "$SIPCA" -d "$T/short" crl --passphrase-file "$T/one"

# ---- what sets a new passphrase holds it to the rule ----
snapshot "$T/short" > "$T/before"
expect_exit 2 "--add-intermediate with a short passphrase" "$SIPCA" -d "$T/short" init \
    --add-intermediate --key p256 --passphrase-file "$T/one"
expect_grep "at least 8 characters, or --allow-short-passphrase" "$T/stderr" "--add-intermediate says so"
expect_exit 2 "rollover start with a short passphrase" "$SIPCA" -d "$T/short" rollover start \
    --key p256 --passphrase-file "$T/one"
expect_grep "at least 8 characters, or --allow-short-passphrase" "$T/stderr" "rollover says so"
expect_unchanged "$T/before" "$T/short" "refused new passphrases"
expect_exit 0 "rollover start --allow-short-passphrase" "$SIPCA" -d "$T/short" rollover start \
    --key p256 --passphrase-file "$T/one" --allow-short-passphrase
expect_exit 0 "rollover abort" "$SIPCA" -d "$T/short" rollover abort

# export --root-key encrypts a plain root key with a new passphrase.
new_ca "$T/two" --intermediate
snapshot "$T/two" > "$T/before"
expect_exit 2 "export --root-key with a short passphrase" "$SIPCA" -d "$T/two" export --root-key \
    -o "$T/root.key" --passphrase-file "$T/seven"
check "no key file was written" test ! -e "$T/root.key"
expect_unchanged "$T/before" "$T/two" "a refused export --root-key"
expect_exit 0 "export --root-key with 8" "$SIPCA" -d "$T/two" export --root-key \
    -o "$T/root.key" --passphrase-file "$T/eight"
check "the copy opens with it" openssl pkey -in "$T/root.key" -passin "file:$T/eight" -noout

# ---- a passphrase file others can read is refused ----
cp "$T/long" "$T/open" && chmod 644 "$T/open"
expect_exit 2 "init with a world-readable passphrase file" "$SIPCA" -d "$T/open-ca" init \
    --domain example.com --key p256 --passphrase-file "$T/open"
expect_grep "'$T/open' is readable by others (mode 0644): fix it with: chmod 600 '$T/open'" "$T/stderr" \
    "names the file and the fix"
check "no store was made" test ! -e "$T/open-ca"
snapshot "$T/eight-ca" > "$T/before"
cp "$T/eight" "$T/open8" && chmod 604 "$T/open8"
expect_exit 2 "issue with a world-readable passphrase file" "$SIPCA" -d "$T/eight-ca" issue device bob \
    --key p256 --passphrase-file "$T/open8"
expect_grep "readable by others (mode 0604)" "$T/stderr" "issue refuses it"
expect_no_grep "12345678" "$T/stderr" "the passphrase is not in the message"
expect_unchanged "$T/before" "$T/eight-ca" "a world-readable passphrase file"
new_ca "$T/plain"
"$SIPCA" -d "$T/plain" issue device carol --key p256 >/dev/null
expect_exit 2 "export p12 with a world-readable passphrase file" "$SIPCA" -d "$T/plain" export carol \
    --format p12 --passphrase-file "$T/open" -o "$T/carol.p12"
check "no p12 was written" test ! -e "$T/carol.p12"

# ---- one its group can read: a warning on stderr ----
cp "$T/eight" "$T/group8" && chmod 640 "$T/group8"
expect_exit 0 "issue with a group-readable passphrase file" "$SIPCA" -d "$T/eight-ca" issue device bob \
    --key p256 --passphrase-file "$T/group8"
expect_grep "^sipca: issue: warning: '$T/group8' is readable by its group (mode 0640)" "$T/stderr" "warns on stderr"
expect_no_grep "readable" "$T/stdout" "not on stdout"

# ---- --help and the man page ----
for cmd in init rollover export; do
	expect_exit 0 "$cmd --help" "$SIPCA" "$cmd" --help
	expect_grep "allow-short-passphrase" "$T/stdout" "$cmd --help lists --allow-short-passphrase"
done

finish
