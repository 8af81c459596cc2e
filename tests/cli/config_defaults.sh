#!/bin/sh
# Team defaults in the store: config default-key, default-days and
# default-org, listed by config, used by issue, --batch, renew --rekey
# and init --add-intermediate where the command line does not say; an
# explicit flag wins; bad values are refused naming what is allowed.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"

# subject CERT / key CERT / days CERT: what openssl reads.
subject() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'; }
keyalg() { openssl x509 -in "$1" -noout -text | grep -q 'NIST CURVE: P-384' && echo p384 || echo other; }
days() {
	nb=$(date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	echo $(( (na - nb) / 86400 ))
}

# ---- bad values change nothing ----
snapshot "$CA" > "$T/before"
expect_exit 2 "default-key ed25519" "$SIPCA" -d "$CA" config default-key ed25519
expect_grep "invalid default-key: 'ed25519': unknown key type (one of rsa2048,rsa3072,rsa4096,p256,p384)" \
    "$T/stderr" "names the key types"
expect_exit 2 "default-days 0" "$SIPCA" -d "$CA" config default-days 0
expect_grep "invalid default-days: '0': days from 1 to 36500" "$T/stderr" "names the range"
expect_exit 2 "default-days abc" "$SIPCA" -d "$CA" config default-days abc
long=$(printf '%065d' 0)
expect_exit 2 "default-org of 65 characters" "$SIPCA" -d "$CA" config default-org "$long"
expect_grep "invalid default-org" "$T/stderr" "a too long organisation"
expect_exit 2 "default-org with a control character" "$SIPCA" -d "$CA" config default-org "$(printf 'A\tB')"
expect_exit 2 "an unknown setting" "$SIPCA" -d "$CA" config default-colour blue
expect_grep "unknown setting: 'default-colour' (one of crl-url,default-key,default-days,default-org," "$T/stderr" "names the settings"
expect_unchanged "$T/before" "$CA" "refused settings"
expect_exit 1 "an unset default reads as unset" "$SIPCA" -d "$CA" config default-key

# ---- set, listed, read back ----
expect_exit 0 "config default-key p384" "$SIPCA" -d "$CA" config default-key p384
expect_grep "^default-key p384: " "$T/stderr" "says what it does, on stderr"
check "nothing on stdout" test ! -s "$T/stdout"
expect_exit 0 "config default-days 90" "$SIPCA" -d "$CA" config default-days 90
expect_exit 0 "config default-org" "$SIPCA" -d "$CA" config default-org "ACME Telephony"
expect_exit 0 "config lists them" "$SIPCA" -d "$CA" config
expect_grep "^default-key *p384$" "$T/stdout" "default-key listed"
expect_grep "^default-days *90$" "$T/stdout" "default-days listed"
expect_grep "^default-org *ACME Telephony$" "$T/stdout" "default-org listed"
expect_exit 0 "config default-key reads it" "$SIPCA" -d "$CA" config default-key
check "as p384" test "$(cat "$T/stdout")" = p384

# ---- issue honours them; flags win ----
expect_exit 0 "issue with the defaults" "$SIPCA" -d "$CA" issue device alice
check "a P-384 key" test "$(keyalg "$CA/issued/alice/cert.pem")" = p384
check "90 days" test "$(days "$CA/issued/alice/cert.pem")" = 90
check "O=ACME Telephony" test "$(subject "$CA/issued/alice/cert.pem")" = "CN=alice,O=ACME Telephony"
check "openssl verifies it" openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/issued/alice/cert.pem"
expect_exit 0 "issue with --key and --days" "$SIPCA" -d "$CA" issue device bob --key p256 --days 30
check "--key wins" test "$(keyalg "$CA/issued/bob/cert.pem")" = other
check "--days wins" test "$(days "$CA/issued/bob/cert.pem")" = 30

# ---- the batch too ----
printf 'kind,name,key,days\ndevice,phone1,,\ndevice,phone2,p256,10\n' > "$T/rows.csv"
expect_exit 0 "issue --batch" "$SIPCA" -d "$CA" issue --batch "$T/rows.csv" --quiet
check "a row without key gets the default" test "$(keyalg "$CA/issued/phone1/cert.pem")" = p384
check "a row without days gets the default" test "$(days "$CA/issued/phone1/cert.pem")" = 90
check "a row's organisation" test "$(subject "$CA/issued/phone1/cert.pem")" = "CN=phone1,O=ACME Telephony"
check "the row's key wins" test "$(keyalg "$CA/issued/phone2/cert.pem")" = other
check "the row's days win" test "$(days "$CA/issued/phone2/cert.pem")" = 10

# ---- renew --rekey makes a key of the default type ----
expect_exit 0 "renew bob --rekey" "$SIPCA" -d "$CA" renew bob --rekey
check "the new key is P-384" test "$(keyalg "$CA/issued/bob/cert.pem")" = p384
check "renew keeps the original length" test "$(days "$CA/issued/bob/cert.pem")" = 30
check "renew carries the organisation" test "$(subject "$CA/issued/bob/cert.pem")" = "CN=bob,O=ACME Telephony"

# ---- the role limits still apply ----
expect_exit 0 "config default-days 1000" "$SIPCA" -d "$CA" config default-days 1000
expect_grep "warning: server certificates past 825 days are refused by the lint guard" "$T/stderr" "config warns of the limit"
snapshot "$CA" > "$T/before"
expect_exit 2 "a server for the default 1000 days" "$SIPCA" -d "$CA" issue server sip.example.com
expect_grep "apple.validity_825" "$T/stderr" "the 825-day rule refuses it, as it does for --days 1000"
expect_unchanged "$T/before" "$CA" "a refused server"
expect_exit 0 "--days 825 wins" "$SIPCA" -d "$CA" issue server sip.example.com --days 825

# ---- unset: back to the built-in defaults ----
for k in default-key default-days default-org; do
	expect_exit 0 "config $k --unset" "$SIPCA" -d "$CA" config "$k" --unset
	expect_grep "^$k unset: " "$T/stderr" "says what $k goes back to"
done
expect_exit 0 "issue after unset" "$SIPCA" -d "$CA" issue device carol
check "rsa2048 again" sh -c "openssl x509 -in '$CA/issued/carol/cert.pem' -noout -text | grep -q 'Public-Key: (2048 bit)'"
check "825 days again" test "$(days "$CA/issued/carol/cert.pem")" = 825
check "no O again" test "$(subject "$CA/issued/carol/cert.pem")" = "CN=carol"

# ---- init --add-intermediate: the new issuing CA's key ----
G=$T/grow
new_ca "$G"
"$SIPCA" -d "$G" config default-key p384 2>/dev/null
expect_exit 0 "init --add-intermediate" "$SIPCA" -d "$G" init --add-intermediate --no-passphrase
check "the issuing CA's key is P-384" test "$(keyalg "$G/ca.pem")" = p384

# ---- a setting written by hand that does not read ----
sqlite3 "$CA/index.db" "INSERT OR REPLACE INTO settings(key, value) VALUES ('default_key', 'dsa')" 2>/dev/null ||
    fail "could not write the setting by hand"
snapshot "$CA" > "$T/before"
expect_exit 2 "a bad default-key in the store" "$SIPCA" -d "$CA" issue device dave
expect_grep "the store's default-key setting 'dsa' is invalid" "$T/stderr" "names the setting"
expect_unchanged "$T/before" "$CA" "a bad stored default"

finish
