#!/bin/sh
# sipca check: a clean store passes; each kind of damage is found and
# named, exit 1; --repair removes only what interrupted writes leave.
# Also: sipca refuses a ca.key that others can read.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
for n in alice bob; do
	"$SIPCA" -d "$CA" issue device "$n" --key p256 >/dev/null || fail "issue $n"
done
"$SIPCA" -d "$CA" issue server sip.example.com --key p256 >/dev/null || fail "issue server"
"$SIPCA" -d "$CA" renew alice >/dev/null || fail "renew alice"

expect_exit 0 "a fresh store is clean" "$SIPCA" -d "$CA" check
expect_grep "the CA and 4 certificates, 0 problems" "$T/stdout" "check summary"
expect_exit 0 "check --quiet on a clean store" "$SIPCA" -d "$CA" check --quiet
check "--quiet prints nothing when clean" test ! -s "$T/stdout"
# An encrypted CA key goes unchecked without its passphrase: a note every
# night from cron, unless --quiet.
printf 'enc passphrase\n' > "$T/encpass"
"$SIPCA" -d "$T/qenc" init --domain example.com --key p256 --passphrase-file "$T/encpass" >/dev/null ||
    fail "init an encrypted CA"
expect_exit 0 "check of an encrypted CA without its passphrase" "$SIPCA" -d "$T/qenc" check
expect_grep "is encrypted: give --passphrase-file" "$T/stderr" "check says the key went unchecked"
expect_exit 0 "check --quiet of an encrypted CA" "$SIPCA" -d "$T/qenc" check --quiet
check "--quiet: nothing on stdout" test ! -s "$T/stdout"
check "--quiet: nothing on stderr either" test ! -s "$T/stderr"

# check_damage DESCRIPTION PATTERN: check must exit 1 and name the problem.
check_damage() {
	expect_exit 1 "$1" "$SIPCA" -d "$CA" check
	expect_grep "$2" "$T/stdout" "$1"
}

# A key others can read.
chmod 644 "$CA/issued/bob/key.pem"
check_damage "key.pem mode 0644" "bob/key.pem: readable by others (mode 0644): fix it with: chmod 600"
chmod 600 "$CA/issued/bob/key.pem"

# ca.key others can read: check reports it, every signing command refuses it.
chmod 640 "$CA/ca.key"
check_damage "ca.key mode 0640" "ca.key: readable by others (mode 0640)"
snapshot "$CA" > "$T/before"
expect_exit 2 "issue refuses a group-readable ca.key" "$SIPCA" -d "$CA" issue device carol --key p256
expect_grep "chmod 600" "$T/stderr" "the refusal says how to fix it"
expect_no_grep "PRIVATE KEY" "$T/stderr" "no key bytes in the message"
expect_unchanged "$T/before" "$CA" "refused issue"
chmod 604 "$CA/ca.key"
snapshot "$CA" > "$T/before"
expect_exit 2 "issue refuses an other-readable ca.key" "$SIPCA" -d "$CA" issue device carol --key p256
expect_exit 2 "renew refuses it too" "$SIPCA" -d "$CA" renew bob
expect_unchanged "$T/before" "$CA" "refused renew"
chmod 600 "$CA/ca.key"

# A file missing.
mv "$CA/issued/bob/chain.pem" "$T/chain.pem"
check_damage "chain.pem missing" "bob/chain.pem: missing"
mv "$T/chain.pem" "$CA/issued/bob/chain.pem"
mv "$CA/issued/bob/cert.pem" "$T/cert.pem"
check_damage "cert.pem missing" "bob/cert.pem: missing: the current certificate"
mv "$T/cert.pem" "$CA/issued/bob/cert.pem"
mv "$CA/issued/bob/key.pem" "$T/key.pem"
check_damage "key.pem missing" "bob/key.pem: missing: the key"
mv "$T/key.pem" "$CA/issued/bob/key.pem"
hist=$(ls "$CA/issued/alice/history/"*.pem | head -n 1)
mv "$hist" "$T/hist.pem"
check_damage "history file of a superseded certificate missing" "missing: the superseded certificate of 'alice'"
mv "$T/hist.pem" "$hist"

# Files that do not match their rows.
cp "$CA/issued/bob/cert.pem" "$T/cert.pem"
cp "$CA/issued/alice/cert.pem" "$CA/issued/bob/cert.pem"
check_damage "cert.pem of another name" "bob/cert.pem: no row in the index records this certificate"
cp "$T/cert.pem" "$CA/issued/bob/cert.pem"
cp "$CA/issued/bob/key.pem" "$T/key.pem"
cp "$CA/issued/alice/key.pem" "$CA/issued/bob/key.pem"
check_damage "key.pem of another certificate" "bob/key.pem: not the key of certificate serial"
cp "$T/key.pem" "$CA/issued/bob/key.pem"
cp "$CA/issued/bob/chain.pem" "$T/chain.pem"
cp "$CA/issued/bob/cert.pem" "$CA/issued/bob/chain.pem"
check_damage "chain.pem without the CA" "bob/chain.pem: not the certificate and the CA"
cp "$T/chain.pem" "$CA/issued/bob/chain.pem"

# Files without rows.
mkdir "$CA/issued/ghost"
check_damage "a directory no row names" "issued/ghost: no row in the index has this name"
rmdir "$CA/issued/ghost"
mkdir -p "$CA/issued/bob/history"
cp "$hist" "$CA/issued/bob/history/00ff.pem"
check_damage "a history file no row has" "bob/history/00ff.pem: no row in the index of 'bob'"
rm -r "$CA/issued/bob/history"

# Another CA's certificate in place of ca.pem: nothing verifies.
new_ca "$T/other"
cp "$CA/ca.pem" "$T/ca.pem"
cp "$T/other/ca.pem" "$CA/ca.pem"
check_damage "ca.pem replaced" "does not verify against ca.pem"
expect_grep "ca.key: not the key of ca.pem" "$T/stdout" "the CA key no longer matches"
cp "$T/ca.pem" "$CA/ca.pem"

# What an interrupted write leaves: reported, and --repair removes it.
echo partial > "$CA/issued/bob/cert.pem.tmp-0011223344556677"
mkdir "$CA/issued/bob/.staging-00aa.tmp" "$CA/issued/.staging-00bb.tmp"
echo partial > "$CA/issued/bob/.staging-00aa.tmp/cert.pem"
echo partial > "$CA/issued/.staging-00bb.tmp/key.pem"
check_damage "a leftover temporary file" "cert.pem.tmp-0011223344556677: left by an interrupted write"
expect_grep ".staging-00aa.tmp: left by an interrupted write" "$T/stdout" "a staging directory without its row"
expect_grep "issued/.staging-00bb.tmp: left by an interrupted write" "$T/stdout" "a new name's staging directory without its row"
expect_exit 0 "check --repair" "$SIPCA" -d "$CA" check --repair
expect_grep "repaired: .*cert.pem.tmp-0011223344556677" "$T/stderr" "repair names what it removed"
check "the temporary file is gone" test ! -e "$CA/issued/bob/cert.pem.tmp-0011223344556677"
check "the staging directory is gone" test ! -e "$CA/issued/bob/.staging-00aa.tmp"
check "the new name's staging directory is gone" test ! -e "$CA/issued/.staging-00bb.tmp"
expect_exit 0 "clean after the repair" "$SIPCA" -d "$CA" check

# An encrypted CA key: checked with its passphrase, noted without.
ENC=$T/enc
printf 'correct horse\n' > "$T/pass"
printf 'wrong horse\n' > "$T/wrong"
"$SIPCA" -d "$ENC" init --domain example.com --key p256 --passphrase-file "$T/pass" >/dev/null || fail "init encrypted"
expect_exit 0 "encrypted key, no passphrase: clean, with a note" "$SIPCA" -d "$ENC" check
expect_grep "encrypted: give --passphrase-file" "$T/stderr" "the note says how"
expect_exit 0 "encrypted key with its passphrase" "$SIPCA" -d "$ENC" check --passphrase-file "$T/pass"
expect_exit 2 "encrypted key, wrong passphrase" "$SIPCA" -d "$ENC" check --passphrase-file "$T/wrong"
expect_no_grep "horse" "$T/stderr" "no passphrase in the message"

# Keys are private whatever the caller's umask (sipca sets 077 itself).
LOOSE=$T/loose
(umask 000 && "$SIPCA" -d "$LOOSE" init --domain example.com --no-passphrase --key p256 >/dev/null &&
    "$SIPCA" -d "$LOOSE" issue device dana --key p256 >/dev/null) || fail "init/issue under umask 000"
check "ca.key is 0600 under umask 000" test "$(stat -c %a "$LOOSE/ca.key")" = 600
check "key.pem is 0600 under umask 000" test "$(stat -c %a "$LOOSE/issued/dana/key.pem")" = 600
check "the store is 0700 under umask 000" test "$(stat -c %a "$LOOSE")" = 700
check "issued/NAME is 0700 under umask 000" test "$(stat -c %a "$LOOSE/issued/dana")" = 700
check "index.db is 0600 under umask 000" test "$(stat -c %a "$LOOSE/index.db")" = 600
expect_exit 0 "a store made under umask 000 checks clean" "$SIPCA" -d "$LOOSE" check

# Bad use.
expect_exit 2 "check with an argument" "$SIPCA" -d "$CA" check extra
expect_exit 2 "check with an unknown option" "$SIPCA" -d "$CA" check --nope
expect_exit 2 "check of a store that is not there" "$SIPCA" -d "$T/nowhere" check
touch "$T/afile"
expect_exit 2 "check of a file" "$SIPCA" -d "$T/afile" check
expect_exit 0 "the store is still clean" "$SIPCA" -d "$CA" check

finish
