#!/bin/sh
# renew --all: after the store's issuing CA changed (init
# --add-intermediate), one command renews every valid certificate the
# new CA did not issue, and nothing else (not the revoked, not the
# expired, not what the new CA issued). The renewed certificates chain to
# the root for openssl and certtool; a CSR-issued one keeps the device's
# key. A second run renews nothing; a run interrupted at each of the
# store's crash points leaves a consistent store, and the next run
# renews only what is left. Bad combinations exit 2 and change nothing.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
I=$CA/issued
printf 'renew all passphrase\n' > "$T/pass"
printf 'not it\n' > "$T/wrong"
sipca() { "$SIPCA" -d "$CA" "$@"; }

# verified DIR NAME: issued/NAME chains to DIR/root.pem through DIR/ca.pem.
verified() {
	check "openssl verify $2" openssl verify -x509_strict -CAfile "$1/root.pem" \
	    -untrusted "$1/ca.pem" "$1/issued/$2/cert.pem"
	check "certtool --verify $2" sh -c "certtool --verify --load-ca-certificate \
	    '$1/root.pem' --infile '$1/issued/$2/chain.pem' | grep -q 'Chain verification output: Verified'"
	check "$2 is issued by the current CA" sh -c "[ \"\$(openssl x509 -in '$1/issued/$2/cert.pem' \
	    -noout -issuer | sed 's/^issuer=//')\" = \"\$(openssl x509 -in '$1/ca.pem' -noout -subject |
	    sed 's/^subject=//')\" ]"
}

# valid_serials DIR: name and serial of each valid row, sorted.
valid_serials() {
	"$SIPCA" -d "$1" list --status valid | awk 'NF >= 5 && $5 == "valid" && $2 != "ca" && $2 != "root" { print $1, $3 }' | sort
}

# no_serial_twice DIR DESCRIPTION
no_serial_twice() {
	"$SIPCA" -d "$1" list | awk 'NF >= 5 && $2 != "ca" && $2 != "root" { print $3 }' | sort | uniq -d > "$T/dups"
	check "$2: no serial twice" test ! -s "$T/dups"
}

# ---- a single-level store with a few leaves ----
past=$(( $(date +%s) - 10 * 86400 ))
check "init (ten days ago)" env SIPCA_NOW=$past "$SIPCA" -d "$CA" init --domain example.com \
    --key p256 --passphrase-file "$T/pass"
check "issue a certificate that has expired since" env SIPCA_NOW=$past "$SIPCA" -d "$CA" \
    issue device short --days 2 --key p256 --passphrase-file "$T/pass"
check "issue server sip" sipca issue server sip.example.com --key p256 --passphrase-file "$T/pass"
check "issue server edge" sipca issue server edge.example.com --key p256 --passphrase-file "$T/pass"
check "issue server outside the domain" sipca issue server sip.other.org --key p256 \
    --allow-foreign-names --passphrase-file "$T/pass"
check "issue device alice" sipca issue device alice --key p256 --passphrase-file "$T/pass"
check "issue device bob" sipca issue device bob --key p256 --passphrase-file "$T/pass"
check "issue device carol" sipca issue device carol --key p256 --passphrase-file "$T/pass"
certtool --generate-privkey --key-type ecdsa --curve secp256r1 --outfile "$T/phone.key" >/dev/null 2>&1
printf 'cn = "phone"\n' > "$T/phone.tmpl"
certtool --generate-request --load-privkey "$T/phone.key" --template "$T/phone.tmpl" \
    --outfile "$T/phone.csr" >/dev/null 2>&1
check "issue device phone from a CSR" sipca issue device phone --csr "$T/phone.csr" \
    --passphrase-file "$T/pass"
check "revoke carol" sipca revoke carol --passphrase-file "$T/pass"
openssl pkey -in "$T/phone.key" -pubout > "$T/phone.pub" 2>/dev/null

# Before a new CA, every leaf is the current CA's.
expect_exit 0 "renew --all before a new CA" sipca renew --all
expect_grep '^nothing to renew: every valid certificate (6) is issued by the current CA$' \
    "$T/stderr" "nothing to renew under the one CA"

# ---- a new issuing CA ----
expect_exit 0 "init --add-intermediate" sipca init --add-intermediate \
    --intermediate-name "Example Issuing" --passphrase-file "$T/pass"
check "issue under the new CA" sipca issue device dave --key p256 --passphrase-file "$T/pass"
cp "$I/phone/cert.pem" "$T/phone-old.pem"
cp -a "$CA" "$T/crash"

# ---- --dry-run lists exactly the valid old leaves ----
# The dry run refuses what the real run refuses (the name outside the domain).
snapshot "$CA" > "$T/before"
expect_exit 2 "renew --all --dry-run (one outside the domain)" sipca renew --all --dry-run
expect_grep "sip.other.org: DNS name 'sip.other.org' is outside the SIP domain" "$T/stderr" \
    "the dry run names the refusal"
expect_grep "1 of them would be refused" "$T/stderr" "the dry run counts the refusal"
expect_exit 0 "renew --all --dry-run --allow-foreign-names" sipca renew --all --dry-run --allow-foreign-names
sed -n "s/^would renew '\([^']*\)' (serial [0-9a-f]*, until .*)$/\1/p" "$T/stdout" > "$T/would"
printf '%s\n' alice bob edge.example.com phone sip.example.com sip.other.org > "$T/want"
check "the dry run lists the valid leaves of the old CA, in name order" cmp -s "$T/want" "$T/would"
check "the dry run lists nothing else" test "$(grep -c '^would renew' "$T/stdout")" -eq 6
expect_grep '^6 to renew, 1 already issued by the current CA$' "$T/stdout" "the dry run counts"
expect_unchanged "$T/before" "$CA" "renew --all --dry-run"

# ---- bad combinations: exit 2, nothing changed ----
snapshot "$CA" > "$T/before"
expect_exit 2 "--all with a NAME" sipca renew --all alice --passphrase-file "$T/pass"
expect_grep 'give one of NAME, --expiring DAYS or --all' "$T/stderr" "--all NAME is named"
expect_exit 2 "--all with --expiring" sipca renew --all --expiring 30 --passphrase-file "$T/pass"
expect_grep 'give one of NAME, --expiring DAYS or --all' "$T/stderr" "--all --expiring is named"
expect_exit 2 "--all --rekey" sipca renew --all --rekey --passphrase-file "$T/pass"
expect_grep '--rekey renews one NAME at a time' "$T/stderr" "--all --rekey is named"
expect_exit 2 "--all --key without --rekey" sipca renew --all --key p256 --passphrase-file "$T/pass"
expect_exit 2 "--all --days 0" sipca renew --all --days 0 --passphrase-file "$T/pass"
expect_exit 2 "--all --days past the CA" sipca renew --all --days 36500 --passphrase-file "$T/pass"
expect_grep '--days' "$T/stderr" "a --days past the CA is named"
expect_exit 2 "--all with a wrong passphrase" sipca renew --all --passphrase-file "$T/wrong"
expect_grep 'wrong passphrase' "$T/stderr" "the wrong passphrase is named"
expect_unchanged "$T/before" "$CA" "refused renew --all"

# ---- renew --all: one refused (outside the domain), the others renewed ----
valid_serials "$CA" > "$T/serials.before"
expect_exit 2 "renew --all (one name outside the domain)" sipca renew --all --passphrase-file "$T/pass"
for n in alice bob edge.example.com phone sip.example.com; do
	expect_grep "^renewed [a-z]* '$n': serial " "$T/stderr" "renew --all renews $n"
done
expect_no_grep "renewed .* 'sip.other.org'" "$T/stderr" "the foreign name is not renewed without --allow-foreign-names"
expect_grep 'sip.other.org' "$T/stderr" "the refusal names the certificate"
expect_grep '^renewed 5 of 6 certificates not issued by the current CA; 1 already were$' \
    "$T/stderr" "the summary counts"
for n in alice bob edge.example.com phone sip.example.com; do
	verified "$CA" "$n"
done
check "the CSR-issued certificate keeps the device's key" sh -c \
    "openssl x509 -in '$I/phone/cert.pem' -noout -pubkey | cmp -s - '$T/phone.pub'"
check "phone is renewed" test "$(sha256sum < "$I/phone/cert.pem")" != "$(sha256sum < "$T/phone-old.pem")"
expect_exit 0 "list --json phone" sipca list --json phone
expect_grep '"key_source": *"csr"' "$T/stdout" "phone is still issued from a CSR"
expect_exit 0 "list carol" sipca list carol
check "the revoked certificate is not renewed" test "$(awk '$1 == "carol" { print $5 }' "$T/stdout")" = revoked
expect_exit 0 "list short" sipca list short
check "the expired certificate is not renewed" test "$(awk '$1 == "short" { print $5 }' "$T/stdout")" = expired
valid_serials "$CA" > "$T/serials.after"
check "dave (the new CA's) is not renewed" sh -c "grep '^dave ' '$T/serials.before' | grep -qxF -f - '$T/serials.after'"

# The one left: renewed by the next run, and only it.
expect_exit 0 "renew --all --allow-foreign-names" sipca renew --all --allow-foreign-names \
    --passphrase-file "$T/pass"
expect_grep "^renewed server 'sip.other.org': serial " "$T/stderr" "the foreign name is renewed"
check "only it is renewed" test "$(grep -c '^renewed [a-z]* ' "$T/stderr")" -eq 1
expect_grep '^renewed 1 of 1 certificate not issued by the current CA; 6 already were$' \
    "$T/stderr" "the rerun counts what was done"
verified "$CA" sip.other.org

# A second run renews nothing, says so, and asks for no passphrase.
snapshot "$CA" > "$T/before"
expect_exit 0 "renew --all again" sipca renew --all
expect_grep '^nothing to renew: every valid certificate (7) is issued by the current CA$' \
    "$T/stderr" "the second run says there is nothing to do"
expect_unchanged "$T/before" "$CA" "the second renew --all"
no_serial_twice "$CA" "after renew --all"
expect_exit 0 "check after renew --all" sipca check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check is clean after renew --all"

# ---- interrupted at each crash point, then finished ----
C=$T/crash
n_valid=$(valid_serials "$C" | wc -l)
for point in store-reserved store-staged store-marked store-installed; do
	expect_exit 99 "renew --all killed at $point" env SIPCA_CRASH_AT=$point "$SIPCA_BARE" -d "$C" \
	    renew --all --allow-foreign-names --passphrase-file "$T/pass"
	expect_exit 0 "check after the kill at $point" "$SIPCA" -d "$C" check --passphrase-file "$T/pass"
	expect_grep ', 0 problems' "$T/stdout" "the store is consistent after the kill at $point"
	no_serial_twice "$C" "after the kill at $point"
	check "every name keeps one valid certificate after the kill at $point" \
	    test "$(valid_serials "$C" | wc -l)" -eq "$n_valid"
done
expect_exit 0 "renew --all after the kills" "$SIPCA" -d "$C" renew --all --allow-foreign-names \
    --days 200 --passphrase-file "$T/pass"
left=$(sed -n 's/^renewed \([0-9]*\) of \([0-9]*\) certificates* not issued by the current CA; \([0-9]*\) already were$/\1 \2 \3/p' "$T/stderr")
set -- $left
check "the rerun renews all it found" test "${1:-x}" = "${2:-y}"
check "the rerun and the killed runs account for every valid certificate" test \
    "$(( ${2:-0} + ${3:-0} ))" -eq "$n_valid"
check "the killed runs got somewhere" test "${3:-0}" -gt 1
for n in alice bob edge.example.com phone sip.example.com sip.other.org; do
	verified "$C" "$n"
done
check "--days 200 is the new validity (of the last name, which no killed run reached)" sh -c "! openssl x509 -in '$C/issued/sip.other.org/cert.pem' -noout \
    -checkend $((201 * 86400)) >/dev/null && openssl x509 -in '$C/issued/sip.other.org/cert.pem' \
    -noout -checkend $((199 * 86400)) >/dev/null"
expect_exit 0 "renew --all --dry-run once finished" "$SIPCA" -d "$C" renew --all --dry-run
expect_grep "^0 to renew, $n_valid already issued by the current CA\$" "$T/stdout" "nothing is left"
no_serial_twice "$C" "after the interrupted runs"
expect_exit 0 "check after the interrupted runs" "$SIPCA" -d "$C" check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check is clean after the interrupted runs"

finish
