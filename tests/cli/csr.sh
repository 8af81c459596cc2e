#!/bin/sh
# Requests (CSRs): what issue --csr and renew --csr say and refuse, and
# renew NAME --csr FILE, a new key for a name from a fresh request.
# - a file that is not a request says what it is (a certificate, a key),
#   not GnuTLS's "ASN1 parser: Error in TAG.";
# - --key TYPE must name the request's key; the request's SANs left out
#   without --copy-san are named in a note; a key already certified for
#   another name is refused unless --reuse-key;
# - renew NAME --csr FILE: the request's key, the stored names (the
#   request's with --copy-san), the old certificate superseded;
# - renew --dry-run runs the guard (without the CA's passphrase) and
#   refuses, with the real run's words, what the real run refuses.
# Every refusal exits 2 and leaves the store as it was.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
printf 'csr test passphrase\n' > "$T/pass"
sipca() { "$SIPCA" -d "$CA" "$@"; }
check "init an RSA CA with a passphrase" sipca init --domain example.com --key rsa2048 \
    --passphrase-file "$T/pass"

# req OUT KEYFILE [openssl req args]: a request for CN=x with a new key
# when KEYFILE does not exist yet.
req() {
	out=$1 key=$2; shift 2
	if [ ! -f "$key" ]; then
		case $key in
		*rsa*) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null ;;
		*) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key" 2>/dev/null ;;
		esac
	fi
	openssl req -new -key "$key" -subj /CN=x -out "$out" "$@" 2>/dev/null ||
	    fail "openssl req $out"
}
status_of() { sqlite3 "$CA/index.db" "select status from certs where serial = '$1'"; }
source_of() { sqlite3 "$CA/index.db" "select key_source from certs where name = '$1' and status = 'valid'"; }
serial_of() { openssl x509 -in "$CA/issued/$1/cert.pem" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f'; }
san_of() { openssl x509 -in "$1" -noout -ext subjectAltName | sed -n '2,$p' | tr -d ' '; }

# refused DESCRIPTION PATTERN COMMAND...: exit 2, PATTERN on stderr, the
# store as it was.
refused() {
	desc=$1 pat=$2; shift 2
	snapshot "$CA" > "$T/before"
	expect_exit 2 "$desc" "$@"
	expect_grep "$pat" "$T/stderr" "$desc: message"
	expect_unchanged "$T/before" "$CA" "$desc"
}

req "$T/a.csr" "$T/a-rsa.key" -addext "subjectAltName=URI:sip:a@example.com,DNS:a.example.com"

# ---- not a request ----
openssl x509 -in "$CA/ca.pem" -outform der -out "$T/ca.der"
openssl pkey -in "$T/a-rsa.key" -outform der -out "$T/a.key.der"
openssl pkey -in "$T/a-rsa.key" -pubout -out "$T/a.pub"
echo "hello" > "$T/text"
refused "a certificate as --csr" "^sipca: issue: '$T/ca/ca.pem': not a PKCS#10 certificate request (RFC 2986): it is a certificate" \
    sipca issue device x --csr "$CA/ca.pem" --passphrase-file "$T/pass"
refused "a DER certificate as --csr" "'$T/ca.der': not a PKCS#10 certificate request (RFC 2986): it is a certificate (DER)" \
    sipca issue device x --csr "$T/ca.der" --passphrase-file "$T/pass"
refused "a private key as --csr" "'$T/a-rsa.key': not a PKCS#10 certificate request (RFC 2986): it is a private key; make a request with it" \
    sipca issue device x --csr "$T/a-rsa.key" --passphrase-file "$T/pass"
expect_no_grep "BEGIN\|MII" "$T/stderr" "no key bytes in the message"
refused "a DER private key as --csr" "not a PKCS#10 certificate request (RFC 2986): it is a private key (DER)" \
    sipca issue device x --csr "$T/a.key.der" --passphrase-file "$T/pass"
refused "a public key as --csr" "not a PKCS#10 certificate request (RFC 2986): it is a public key" \
    sipca issue device x --csr "$T/a.pub" --passphrase-file "$T/pass"
refused "a text file as --csr" "'$T/text': not a PKCS#10 certificate request (RFC 2986): neither a PEM CERTIFICATE REQUEST nor its DER" \
    sipca issue device x --csr "$T/text" --passphrase-file "$T/pass"
expect_no_grep "ASN1 parser" "$T/stderr" "not GnuTLS's words"
refused "renew --csr with a certificate" "not a PKCS#10 certificate request (RFC 2986): it is a certificate" \
    sipca renew x --csr "$CA/ca.pem" --passphrase-file "$T/pass"

# ---- --key against the request's key ----
refused "--key p256 with an RSA request" "^sipca: issue: --key p256 contradicts the request's RSA-2048 key" \
    sipca issue device a --csr "$T/a.csr" --key p256 --passphrase-file "$T/pass"

# ---- the request's SANs without --copy-san: a note ----
expect_exit 0 "--key rsa2048 with an RSA request" sipca issue device a --csr "$T/a.csr" --key rsa2048 \
    --passphrase-file "$T/pass"
expect_grep "^sipca: issue: note: '$T/a.csr': the request's SANs not in the certificate: DNS 'a.example.com' (--copy-san takes them)$" \
    "$T/stderr" "the SAN left out is named with the flag"
grep 'note:' "$T/stderr" > "$T/note"
expect_no_grep "sip:a@example.com" "$T/note" "a SAN the certificate carries anyway is not named"
expect_no_grep "note\|warning" "$T/stdout" "the note is on stderr"
check "a is the request's key" sh -c "[ \"\$(openssl x509 -in '$CA/issued/a/cert.pem' -noout -pubkey)\" = \"\$(openssl req -in '$T/a.csr' -noout -pubkey)\" ]"
req "$T/b.csr" "$T/b.key" -addext "subjectAltName=URI:sip:b@example.com"
expect_exit 0 "no note when the certificate carries every SAN" sipca issue device b --csr "$T/b.csr" \
    --passphrase-file "$T/pass"
expect_no_grep "note" "$T/stderr" "no note"

# ---- one key for several names ----
refused "the same request for another name" \
    "^sipca: issue: '$T/a.csr': the request's key is already certified for 'a' (serial $(serial_of a)).*(--reuse-key issues anyway)" \
    sipca issue device a2 --csr "$T/a.csr" --passphrase-file "$T/pass"
req "$T/a-again.csr" "$T/a-rsa.key"
refused "another request with the same key" "already certified for 'a'" \
    sipca issue server sip.example.com --csr "$T/a-again.csr" --passphrase-file "$T/pass"
refused "--reuse-key without --csr" "--reuse-key goes with --csr FILE" \
    sipca issue device a2 --reuse-key --passphrase-file "$T/pass"
expect_exit 0 "the same request with --reuse-key" sipca issue device a2 --csr "$T/a.csr" --reuse-key \
    --passphrase-file "$T/pass"
expect_grep "note: '$T/a.csr': the request's key is also certified for 'a'" "$T/stderr" "--reuse-key says so"
check "revoke a2" sipca revoke a2 --passphrase-file "$T/pass"

# ---- issue --csr and renew --rekey point at renew --csr ----
req "$T/a-new.csr" "$T/a-new.key"
refused "issue --csr for a name with a certificate" \
    "'a' already has a valid certificate (serial $(serial_of a), until .*); for the request's key renew it with 'sipca renew a --csr $T/a-new.csr'" \
    sipca issue device a --csr "$T/a-new.csr" --passphrase-file "$T/pass"
refused "renew --rekey of a CSR-issued certificate" "'a' was issued from a CSR: .* 'sipca renew a --csr FILE'" \
    sipca renew a --rekey --passphrase-file "$T/pass"

# ---- renew NAME --csr FILE ----
old=$(serial_of a)
cp "$CA/issued/a/cert.pem" "$T/a-old.pem"
refused "renew --csr with another name's key" "already certified for 'b'" \
    sipca renew a --csr "$T/b.csr" --passphrase-file "$T/pass"
refused "renew --csr --key p384 with a P-256 request" "--key p384 contradicts the request's P-256 key" \
    sipca renew a --csr "$T/a-new.csr" --key p384 --passphrase-file "$T/pass"
refused "renew --expiring with --csr" "--csr renews one NAME at a time" \
    sipca renew --expiring 30 --csr "$T/a-new.csr" --passphrase-file "$T/pass"
refused "renew --copy-san without --csr" "--copy-san and --reuse-key go with --csr FILE" \
    sipca renew a --copy-san --passphrase-file "$T/pass"
snapshot "$CA" > "$T/before"
expect_exit 0 "renew a --csr --dry-run" sipca renew a --csr "$T/a-new.csr" --dry-run
expect_grep "^would renew device 'a' (serial $old" "$T/stdout" "the dry run says it would"
expect_unchanged "$T/before" "$CA" "renew --csr --dry-run"
expect_exit 0 "renew a --csr" sipca renew a --csr "$T/a-new.csr" --passphrase-file "$T/pass"
expect_grep "^renewed device 'a': serial $old -> [0-9a-f]*, valid until .*, the request's key$" \
    "$T/stderr" "renewed with the request's key"
check "the new certificate has the request's key" sh -c \
    "[ \"\$(openssl x509 -in '$CA/issued/a/cert.pem' -noout -pubkey)\" = \"\$(openssl req -in '$T/a-new.csr' -noout -pubkey)\" ]"
check "the names are the stored certificate's" sh -c "[ \"\$(openssl x509 -in '$T/a-old.pem' -noout -ext subjectAltName)\" = \"\$(openssl x509 -in '$CA/issued/a/cert.pem' -noout -ext subjectAltName)\" ]"
check "the old certificate is superseded" test "$(status_of "$old")" = superseded
check "its PEM is in history" test -f "$CA/issued/a/history/$old.pem"
check "the renewal is recorded as from a CSR" test "$(source_of a)" = csr
check "openssl verifies the renewal" openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/issued/a/cert.pem"
check "certtool verifies the renewal" sh -c "certtool --verify --load-ca-certificate '$CA/ca.pem' \
    --infile '$CA/issued/a/chain.pem' | grep -q 'Chain verification output: Verified'"

# A generated key gives way to the request's: key.pem leaves the name.
expect_exit 0 "issue gen (a generated key)" sipca issue device gen --key p256 --passphrase-file "$T/pass"
req "$T/gen.csr" "$T/gen.key" -addext "subjectAltName=URI:sip:gen@example.com,URI:sip:gen2@example.com"
expect_exit 0 "renew gen --csr --copy-san" sipca renew gen --csr "$T/gen.csr" --copy-san --passphrase-file "$T/pass"
check "gen has no key.pem any more" test ! -e "$CA/issued/gen/key.pem"
check "gen is recorded as from a CSR" test "$(source_of gen)" = csr
check "--copy-san takes the request's names" test \
    "$(san_of "$CA/issued/gen/cert.pem")" = "URI:sip:gen@example.com,URI:sip:gen2@example.com"
check "gen's renewal has the request's key" sh -c "[ \"\$(openssl x509 -in '$CA/issued/gen/cert.pem' -noout -pubkey)\" = \"\$(openssl req -in '$T/gen.csr' -noout -pubkey)\" ]"

# ---- renew --dry-run runs the guard, without the passphrase ----
expect_exit 0 "issue a 900-day server with --force" sipca issue server long.example.com --days 900 \
    --force --passphrase-file "$T/pass"
snapshot "$CA" > "$T/before"
expect_exit 2 "renew --dry-run of a certificate the guard refuses" sipca renew long.example.com --dry-run
# The words, times aside (the runs are seconds apart).
untimed() { sed 's/[0-9]\{4\}-[0-9-]*T[0-9:]*Z/TIME/g' "$1"; }
untimed "$T/stderr" > "$T/dry.err"
expect_grep "lint: error apple.validity_825" "$T/dry.err" "the dry run names the rule"
expect_no_grep "would renew" "$T/stdout" "the dry run does not say it would"
expect_no_grep "passphrase" "$T/dry.err" "no passphrase asked for"
expect_unchanged "$T/before" "$CA" "renew --dry-run"
expect_exit 2 "the real renewal is refused" sipca renew long.example.com --passphrase-file "$T/pass"
untimed "$T/stderr" > "$T/real.err"
check "with the same words" cmp -s "$T/dry.err" "$T/real.err"
expect_unchanged "$T/before" "$CA" "the refused renewal"
expect_exit 0 "renew --dry-run --force" sipca renew long.example.com --dry-run --force
expect_grep "^would renew server 'long.example.com' .* for 900 days (forced past lint errors)$" \
    "$T/stdout" "the forced dry run says so"
expect_exit 2 "renew --expiring --dry-run with one refused" sipca renew --expiring 4000 --dry-run
expect_grep "long.example.com: lint: refusing to issue" "$T/stderr" "the fleet dry run names it"
expect_grep "1 of them would be refused" "$T/stderr" "and counts it"
expect_grep "^would renew 'b' " "$T/stdout" "the others would be renewed"
expect_unchanged "$T/before" "$CA" "renew --expiring --dry-run"
expect_exit 0 "a clean dry run" sipca renew b --dry-run
expect_grep "^would renew device 'b' " "$T/stdout" "a clean one would be renewed"

# ---- renew --expiring DAYS --csr-dir DIR ----
mkdir "$T/reqs"
req "$T/reqs/b.csr" "$T/b2.key"
cp "$CA/issued/gen/cert.pem" "$T/gen-before.pem"
refused "--csr-dir with a NAME" "--csr-dir goes with --expiring DAYS or --all" \
    sipca renew b --csr-dir "$T/reqs" --passphrase-file "$T/pass"
cp "$CA/ca.pem" "$T/reqs/a.csr"
refused "--csr-dir with a bad request renews nothing" "'$T/reqs/a.csr': not a PKCS#10 certificate request" \
    sipca renew --expiring 4000 --csr-dir "$T/reqs" --force --passphrase-file "$T/pass"
cp "$T/a-new.csr" "$T/reqs/a.csr"
expect_exit 0 "renew --expiring --csr-dir --dry-run" sipca renew --expiring 4000 --csr-dir "$T/reqs" \
    --force --dry-run
expect_exit 0 "renew --expiring --csr-dir" sipca renew --expiring 4000 --csr-dir "$T/reqs" --force \
    --passphrase-file "$T/pass"
expect_grep "^renewed device 'b': .*, the request's key$" "$T/stderr" "b takes DIR/b.csr"
expect_grep "^renewed device 'a': .*, the request's key$" "$T/stderr" "a takes DIR/a.csr (its own current key)"
expect_grep "^renewed device 'gen': .*, same key$" "$T/stderr" "gen, without a request, keeps its key"
check "b has DIR/b.csr's key" sh -c "[ \"\$(openssl x509 -in '$CA/issued/b/cert.pem' -noout -pubkey)\" = \"\$(openssl req -in '$T/reqs/b.csr' -noout -pubkey)\" ]"
check "gen kept its key" sh -c "[ \"\$(openssl x509 -in '$CA/issued/gen/cert.pem' -noout -pubkey)\" = \"\$(openssl x509 -in '$T/gen-before.pem' -noout -pubkey)\" ]"
check "openssl verifies b" openssl verify -x509_strict -CAfile "$CA/ca.pem" "$CA/issued/b/cert.pem"

finish
