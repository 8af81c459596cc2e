#!/bin/sh
# --allow-wildcard: the operator's explicit allow turns exactly the
# guard's wildcard rules (rfc5922.wildcard, polycom.wildcard_cn,
# polycom.wildcard_san, cisco.wildcard) into warnings for that
# certificate: it is issued without --force and not recorded as forced,
# and every other lint error still refuses it (exit 2, nothing changed).
# Without the allow a wildcard is refused before the guard.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
sipca() { "$SIPCA" -d "$CA" "$@"; }
new_ca "$CA"

expect_exit 2 "a wildcard without --allow-wildcard" sipca issue server '*.example.com'
expect_grep "wildcard not allowed" "$T/stderr" "the validator refuses it"

snapshot "$CA" > "$T/before"
expect_exit 0 "issue server '*.example.com' --allow-wildcard" \
    sipca issue server '*.example.com' --allow-wildcard
for rule in rfc5922.wildcard polycom.wildcard_cn polycom.wildcard_san cisco.wildcard; do
	expect_grep "^sipca: issue: \*\.example\.com: lint: warn $rule: .*(allowed by --allow-wildcard)$" \
	    "$T/stderr" "$rule is printed as an allowed warning"
done
expect_no_grep "lint: error" "$T/stderr" "no error is left"
expect_no_grep "forced past lint errors" "$T/stderr" "not issued as forced"
expect_grep "^issued server certificate '\*\.example\.com'" "$T/stderr" "issued"
check "the certificate is stored" test -f "$CA/issued/*.example.com/cert.pem"
check "the index does not record it as forced" sh -c \
    "[ \"\$(sqlite3 '$CA/index.db' \"select forced from certs where name = '*.example.com'\")\" = 0 ]"
check "openssl verifies it" openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/issued/*.example.com/cert.pem"
check "it holds the wildcard" sh -c \
    "openssl x509 -in '$CA/issued/*.example.com/cert.pem' -noout -ext subjectAltName | grep -q 'DNS:\*\.example\.com'"

# Any other error still refuses, with the wildcard rules as warnings.
snapshot "$CA" > "$T/before"
expect_exit 2 "a wildcard valid for 900 days is refused" \
    sipca issue server wild2.example.com --dns '*.wild2.example.com' --allow-wildcard --days 900
expect_grep "lint: error apple.validity_825" "$T/stderr" "the other error refuses"
expect_grep "lint: warn rfc5922.wildcard: .*(allowed by --allow-wildcard)" "$T/stderr" \
    "the wildcard rule is still a warning"
expect_grep "refusing to issue: 1 error (--force issues anyway)" "$T/stderr" "one error counted"
expect_unchanged "$T/before" "$CA" "the refused wildcard"

# With --force past that error, the certificate is forced (for the error).
expect_exit 0 "the same with --force" \
    sipca issue server wild2.example.com --dns '*.wild2.example.com' --allow-wildcard --days 900 --force
expect_grep "forced past lint errors" "$T/stderr" "forced for the other error"

# The batch passes the allow the same way.
printf 'kind,name,dns\nserver,wild3.example.com,*.wild3.example.com\n' > "$T/rows.csv"
expect_exit 0 "issue --batch --allow-wildcard" sipca issue --batch "$T/rows.csv" --allow-wildcard --quiet
check "the batch row is not forced" sh -c \
    "[ \"\$(sqlite3 '$CA/index.db' \"select forced from certs where name = 'wild3.example.com'\")\" = 0 ]"

# Renewal keeps the allow (the name was issued with it): no --force needed.
expect_exit 0 "renew '*.example.com'" sipca renew '*.example.com'
expect_grep "lint: warn rfc5922.wildcard" "$T/stderr" "renewal warns"
expect_no_grep "forced past lint errors" "$T/stderr" "renewal not forced"

finish
