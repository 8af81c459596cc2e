#!/bin/sh
# sipca scep and serve --scep (RFC 8894): one-time challenges (made,
# listed without their secret, revoked), the RA certificate (RSA,
# digitalSignature+keyEncipherment, not a CA, its key 0600; made by
# 'scep ra' or the first 'serve --scep', renewed by --renew), the
# fingerprints as openssl computes them, and the server's SCEP
# operations checked with curl and openssl pkcs7: GetCACaps, GetCACert
# on /scep and /cgi-bin/pkiclient.exe over HTTP and HTTPS, the HTTP
# errors for what is no SCEP request. Bad input exits 2 and leaves the
# store as it was. A network namespace of its own (tests/netns.sh).
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

HOST=sip.example.com
CA=$T/ca
new_ca "$CA"
"$SIPCA" -d "$CA" issue server $HOST >/dev/null 2>&1 || fail "issue server"

# ---- challenges ----
expect_exit 0 "scep challenge phone1" "$SIPCA" -d "$CA" scep challenge phone1
check "the challenge alone on one stdout line, 26 base32 characters" \
    sh -c "[ \$(wc -l < '$T/stdout') -eq 1 ] && grep -Eqx '[A-Z2-7]{26}' '$T/stdout'"
C1=$(cat "$T/stdout")
expect_grep "made a one-time SCEP challenge for 'phone1'" "$T/stderr" "what was made, on stderr"
expect_exit 0 "scep challenge with --uri and --ttl" "$SIPCA" -d "$CA" scep challenge \
    Phone2 --uri sip:1002@example.com --uri sip:phone2@example.com --ttl 2h
C2=$(cat "$T/stdout")
check "two challenges differ" test "$C1" != "$C2"
expect_exit 0 "scep challenges" "$SIPCA" -d "$CA" scep challenges
expect_grep "^phone1 *valid " "$T/stdout" "phone1 listed as valid"
expect_grep "^phone2 *valid " "$T/stdout" "a name is folded to lower case"
expect_no_grep "$C1" "$T/stdout" "the list never shows a challenge"
check "the store holds no challenge, only its hash" sh -c \
    "! grep -rqa -e '$C1' -e '$C2' '$CA'"
expect_exit 0 "a second challenge for phone1 replaces the first" \
    "$SIPCA" -d "$CA" scep challenge phone1 --ttl 30m
"$SIPCA" -d "$CA" scep challenges > "$T/list" 2>/dev/null
check "one row per name" sh -c "[ \$(grep -c '^phone1 ' '$T/list') -eq 1 ]"
expect_exit 0 "scep challenge --revoke phone1" "$SIPCA" -d "$CA" scep challenge --revoke phone1
"$SIPCA" -d "$CA" scep challenges > "$T/list" 2>/dev/null
expect_grep "^phone1 *revoked " "$T/list" "phone1 is revoked"
expect_grep "^phone2 *valid " "$T/list" "phone2 is untouched"
# An expired one shows as expired (the test clock).
"$SIPCA" -d "$CA" scep challenge phone3 --ttl 1h >/dev/null 2>&1
SIPCA_NOW=$(($(date +%s) + 7200)) "$SIPCA" -d "$CA" scep challenges > "$T/list" 2>/dev/null
expect_grep "^phone3 *expired " "$T/list" "a challenge past its ttl is listed as expired"

# Bad input: exit 2, nothing changed.
snapshot "$CA" > "$T/before"
expect_exit 2 "revoke with no live challenge" "$SIPCA" -d "$CA" scep challenge --revoke phone1
expect_grep "no live SCEP challenge for 'phone1'" "$T/stderr" "revoke: why"
expect_exit 2 "a name issue device refuses" "$SIPCA" -d "$CA" scep challenge "bad name"
expect_exit 2 "the RA's reserved name" "$SIPCA" -d "$CA" scep challenge scep-ra
expect_grep "reserved" "$T/stderr" "reserved name: why"
expect_exit 2 "--uri not a SIP URI" "$SIPCA" -d "$CA" scep challenge phone4 --uri http://x
expect_exit 2 "--uri outside the domain" "$SIPCA" -d "$CA" scep challenge phone4 --uri sip:a@other.org
expect_exit 2 "--uri of the domain's own identity" "$SIPCA" -d "$CA" scep challenge phone4 --uri sip:example.com
expect_exit 2 "--ttl not a duration" "$SIPCA" -d "$CA" scep challenge phone4 --ttl soon
expect_exit 2 "--ttl too long" "$SIPCA" -d "$CA" scep challenge phone4 --ttl 400d
expect_exit 2 "--ttl too short" "$SIPCA" -d "$CA" scep challenge phone4 --ttl 5s
expect_exit 2 "challenge without NAME" "$SIPCA" -d "$CA" scep challenge
expect_exit 2 "challenge with two names" "$SIPCA" -d "$CA" scep challenge a b
expect_exit 2 "--revoke with --ttl" "$SIPCA" -d "$CA" scep challenge --revoke phone2 --ttl 1h
expect_exit 2 "--renew with challenge" "$SIPCA" -d "$CA" scep challenge phone4 --renew
expect_exit 2 "--uri with ra" "$SIPCA" -d "$CA" scep ra --uri sip:a@example.com
expect_exit 2 "unknown subcommand" "$SIPCA" -d "$CA" scep enroll
expect_grep "unknown scep subcommand: 'enroll'" "$T/stderr" "unknown subcommand: why"
expect_exit 2 "challenges takes no operand" "$SIPCA" -d "$CA" scep challenges x
expect_exit 2 "no store" "$SIPCA" -d "$T/none" scep challenge phone4
expect_unchanged "$T/before" "$CA" "bad scep input"

# ---- the RA ----
expect_exit 0 "fingerprints before the RA" "$SIPCA" -d "$CA" scep
expect_grep "sipca scep ra" "$T/stderr" "no RA yet: how to make one"
expect_exit 0 "scep ra makes the RA" "$SIPCA" -d "$CA" scep ra
RA1=$(cat "$T/stdout")
check "scep ra prints its serial" sh -c "echo '$RA1' | grep -Eqx '[0-9a-f]{8,40}'"
expect_exit 0 "scep ra again shows it" "$SIPCA" -d "$CA" scep ra
check "the same RA" test "$(cat "$T/stdout")" = "$RA1"
RAC=$CA/issued/scep-ra/cert.pem
openssl x509 -in "$RAC" -noout -text > "$T/ra.txt" 2>&1
expect_grep "Public-Key: (2048 bit)" "$T/ra.txt" "the RA is RSA-2048"
expect_grep "Digital Signature, Key Encipherment" "$T/ra.txt" "RA keyUsage digitalSignature+keyEncipherment"
expect_grep "CA:FALSE" "$T/ra.txt" "the RA is not a CA"
check "the RA verifies against the CA" openssl verify -CAfile "$CA/ca.pem" "$RAC"
check "the RA's key is 0600" test "$(stat -c %a "$CA/issued/scep-ra/key.pem")" = 600
"$SIPCA" -d "$CA" list > "$T/list" 2>/dev/null
expect_grep "^scep-ra .*$RA1" "$T/list" "sipca list shows the RA"

# ---- fingerprints, as openssl computes them ----
expect_exit 0 "scep fingerprints" "$SIPCA" -d "$CA" scep fingerprints
cp "$T/stdout" "$T/fp"
for alg in sha256 sha1 md5; do
	want=$(openssl x509 -in "$CA/ca.pem" -noout -fingerprint -$alg | sed 's/.*=//')
	expect_grep "^ca $alg  *$want\$" "$T/fp" "CA $alg fingerprint = openssl's"
	want=$(openssl x509 -in "$RAC" -noout -fingerprint -$alg | sed 's/.*=//')
	expect_grep "^ra $alg  *$want\$" "$T/fp" "RA $alg fingerprint = openssl's"
done
want=$(openssl x509 -in "$CA/ca.pem" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha1 -r | cut -c1-40 | tr a-f A-F | sed 's/../&:/g; s/:$//')
expect_grep "^ca key-sha1  *$want\$" "$T/fp" "CA public key SHA-1 = openssl's (DER SubjectPublicKeyInfo)"
"$SIPCA" -d "$CA" scep > "$T/fp2" 2>/dev/null
check "'sipca scep' alone is fingerprints" cmp "$T/fp" "$T/fp2"

# ---- the server ----
# fp1 PEM: its certificate's SHA-256; fps DER-PKCS7: every one's, sorted.
fp1() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'
}
fps() {
	openssl pkcs7 -inform DER -in "$1" -print_certs 2>/dev/null |
	    awk -v d="$T/split" '/BEGIN/ { n++ } n { print > (d "." n ".pem") }'
	for f in "$T"/split.*.pem; do
		fp1 "$f"
	done | sort
	rm -f "$T"/split.*.pem
}
cp "$RAC" "$T/ra1.pem"
check "serve --scep starts" start_serve "$T/serve.log" --scep
H=http://127.0.0.1:$HTTP
check "GetCACaps" get "$H/scep?operation=GetCACaps"
check "GetCACaps: 200 text/plain" grep -qx "200 text/plain" "$T/got"
for cap in POSTPKIOperation SHA-256 SHA-512 AES DES3 SCEPStandard Renewal; do
	check "GetCACaps has $cap (CRLF)" grep -q "^$cap$(printf '\r')\$" "$T/body"
done
check "every GetCACaps line ends in CRLF" sh -c "[ \$(grep -c \"\$(printf '\r')\$\" '$T/body') -eq \$(wc -l < '$T/body') ]"
expect_no_grep "GetNextCACert" "$T/body" "no GetNextCACert without a rollover"
expect_no_grep "^SHA-1" "$T/body" "SHA-1 not advertised"

for path in /scep /cgi-bin/pkiclient.exe /anything/pkiclient.exe; do
	check "GetCACert on $path (message= ignored)" get "$H$path?operation=GetCACert&message=CA"
	check "GetCACert $path: 200 application/x-x509-ca-ra-cert" \
	    grep -qx "200 application/x-x509-ca-ra-cert" "$T/got"
	openssl pkcs7 -inform DER -in "$T/body" -print_certs > "$T/certs" 2>&1
	expect_grep "subject=CN *= *example.com SIP CA" "$T/certs" "GetCACert $path: the CA"
	expect_grep "subject=CN *= *scep-ra" "$T/certs" "GetCACert $path: the RA"
done
fps "$T/body" > "$T/got.fp"
{ fp1 "$CA/ca.pem"; fp1 "$RAC"; } | sort > "$T/want.fp"
check "GetCACert holds exactly the CA and the RA" cmp "$T/got.fp" "$T/want.fp"
check "GetCACert over HTTPS" get "https://$HOST:$HTTPS/scep?operation=GetCACert"
check "GetCACert over HTTPS: 200" grep -qx "200 application/x-x509-ca-ra-cert" "$T/got"
check "GetCACaps by POST is GET's" get "$H/scep?operation=GetCACaps" -X POST --data-binary ""
check "POST GetCACaps: 200" grep -q "^200 " "$T/got"

# What is no SCEP request: an HTTP error with a clear text, never a 500.
snapshot "$CA" > "$T/before"
check "GetNextCACert without a rollover" get "$H/scep?operation=GetNextCACert"
check "GetNextCACert: 404" grep -q "^404 " "$T/got"
check "a PUT" get "$H/scep?operation=GetCACaps" -X PUT
check "a PUT: 405" grep -q "^405 " "$T/got"
expect_grep "GET and POST" "$T/body" "405: what SCEP takes"
check "no operation" get "$H/scep"
check "no operation: 400" grep -q "^400 " "$T/got"
expect_grep "names its operation" "$T/body" "no operation: why"
check "an unknown operation" get "$H/scep?operation=Enroll"
check "unknown operation: 400" grep -q "^400 " "$T/got"
check "an empty POST" get "$H/scep?operation=PKIOperation" -X POST --data-binary ""
check "an empty POST: 400" grep -q "^400 " "$T/got"
expect_grep "empty" "$T/body" "an empty POST: why"
check "a short POST" get "$H/scep?operation=PKIOperation" --data-binary "garbage"
check "a short POST: 400" grep -q "^400 " "$T/got"
head -c 2000 /dev/urandom > "$T/garbage"
check "a garbage POST" get "$H/cgi-bin/pkiclient.exe?operation=PKIOperation" \
    -H "Content-Type: application/x-pki-message" --data-binary @"$T/garbage"
check "a garbage POST: 400" grep -q "^400 " "$T/got"
expect_grep "not a SCEP pkiMessage" "$T/body" "garbage: why"
check "a GET PKIOperation without message" get "$H/scep?operation=PKIOperation"
check "without message: 400" grep -q "^400 " "$T/got"
check "a GET PKIOperation with a message that is no base64" get "$H/scep?operation=PKIOperation&message=%%%"
check "bad base64: 400" grep -q "^400 " "$T/got"
expect_unchanged "$T/before" "$CA" "bad SCEP requests"
check "ACME still answers beside SCEP" get "https://$HOST:$HTTPS/acme/directory"
check "ACME directory: 200" grep -q "^200 " "$T/got"
expect_grep "GET /scep 200 .*scep GetCACaps" "$T/serve.log" "a log line per request"
expect_no_grep "$C2" "$T/serve.log" "no challenge in the log"

# scep ra --renew while it runs; SIGHUP serves the new RA.
expect_exit 0 "scep ra --renew" "$SIPCA" -d "$CA" scep ra --renew
RA2=$(cat "$T/stdout")
check "a new RA serial" test "$RA2" != "$RA1"
"$SIPCA" -d "$CA" list --status superseded > "$T/list" 2>/dev/null
expect_grep "scep-ra .*$RA1" "$T/list" "the old RA is superseded"
n=$(grep -c "reloaded the RA" "$T/serve.log")
pkill -HUP -P "$SERVE"
i=0
while [ "$(grep -c "reloaded the RA" "$T/serve.log")" -le "$n" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
check "GetCACert after SIGHUP" get "$H/scep?operation=GetCACert"
fps "$T/body" > "$T/got.fp"
check "the new RA is served" grep -qx "$(fp1 "$CA/issued/scep-ra/cert.pem")" "$T/got.fp"
check "the old RA is not" sh -c "! grep -q '$(openssl x509 -in "$T/ra1.pem" -noout -fingerprint -sha256 | sed 's/.*=//')' '$T/got.fp'"
# The RA revoked: the next SIGHUP makes a new one and serves it.
check "revoke scep-ra" "$SIPCA" -d "$CA" revoke scep-ra
pkill -HUP -P "$SERVE"
i=0
while ! grep -q "made a new SCEP RA" "$T/serve.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
expect_grep "made a new SCEP RA certificate" "$T/serve.log" "a revoked RA is replaced on SIGHUP"
check "GetCACert after the revocation" get "$H/scep?operation=GetCACert"
fps "$T/body" > "$T/got.fp"
check "the replacement RA is served" grep -qx "$(fp1 "$CA/issued/scep-ra/cert.pem")" "$T/got.fp"
check "the replacement is not the revoked one" test "$(fp1 "$CA/issued/scep-ra/cert.pem")" != "$(fp1 "$T/ra1.pem")"
stop_bg "$SERVE"

# Without --scep: nothing at /scep; config serve-scep on turns it on.
check "serve without --scep" start_serve "$T/serve2.log"
H=http://127.0.0.1:$HTTP
get "$H/scep?operation=GetCACaps"
check "no SCEP without --scep: 404" grep -q "^404 " "$T/got"
stop_bg "$SERVE"
check "config serve-scep on" "$SIPCA" -d "$CA" config serve-scep on
expect_exit 2 "config serve-scep maybe" "$SIPCA" -d "$CA" config serve-scep maybe
check "serve with serve-scep on" start_serve "$T/serve3.log"
H=http://127.0.0.1:$HTTP
get "$H/scep?operation=GetCACaps"
check "serve-scep on: SCEP answers" grep -q "^200 " "$T/got"
stop_bg "$SERVE"
check "serve --no-scep overrides the setting" start_serve "$T/serve4.log" --no-scep
H=http://127.0.0.1:$HTTP
get "$H/scep?operation=GetCACaps"
check "--no-scep: 404" grep -q "^404 " "$T/got"
stop_bg "$SERVE"
"$SIPCA" -d "$CA" config serve-scep off >/dev/null 2>&1
expect_exit 2 "--scep-allow-des without SCEP" "$SIPCA" -d "$CA" serve --http 127.0.0.1:1 --scep-allow-des

# The first serve --scep of a store without an RA makes it (HTTP only: no server certificate needed).
CA2=$T/ca2
new_ca "$CA2"
P=$(free_port)
start_bg "$T/serve5.log" "$SIPCA" -d "$CA2" serve --http 127.0.0.1:$P --scep
check "serve --scep on a store without an RA" wait_port $P
expect_grep "made a new SCEP RA certificate" "$T/serve5.log" "the first serve --scep makes the RA"
check "its RA is in the store" test -s "$CA2/issued/scep-ra/cert.pem"
curl -sS --max-time 10 -o "$T/body" "http://127.0.0.1:$P/scep?operation=GetCACert" 2>/dev/null
openssl pkcs7 -inform DER -in "$T/body" -print_certs > "$T/certs" 2>&1
expect_grep "scep-ra" "$T/certs" "and serves it"
stop_bg "$BG_PID"
# 500 days on (the RA is for 730): the server renews it at its start.
old=$(fp1 "$CA2/issued/scep-ra/cert.pem")
P=$(free_port)
start_bg "$T/serve5b.log" env SIPCA_NOW=$(($(date +%s) + 500 * 86400)) \
    "$SIPCA" -d "$CA2" serve --http 127.0.0.1:$P --scep
check "serve --scep 500 days on" wait_port $P
expect_grep "scep: renewed the RA certificate" "$T/serve5b.log" "the server renews an RA due"
check "the renewed RA is in the store" test "$(fp1 "$CA2/issued/scep-ra/cert.pem")" != "$old"
curl -sS --max-time 10 -o "$T/body" "http://127.0.0.1:$P/scep?operation=GetCACert" 2>/dev/null
fps "$T/body" > "$T/got.fp"
check "and serves it" grep -qx "$(fp1 "$CA2/issued/scep-ra/cert.pem")" "$T/got.fp"
stop_bg "$BG_PID"

# A real client: micromdm's scepclient (Debian scep). Version 2.1.0
# encrypts with single DES whatever GetCACaps says: refused (a signed
# FAILURE badAlg it reads), then enrolled with --scep-allow-des. It
# encrypts to the certificates whose SHA-256 it is given: the RA's.
if command -v scepclient >/dev/null 2>&1; then
	RAFP=$("$SIPCA" -d "$CA" scep 2>/dev/null | awk '$1 == "ra" && $2 == "sha256" { print $3 }' | tr -d : | tr A-F a-f)
	"$SIPCA" -d "$CA" scep challenge 0004f2aabbcc > "$T/ch" 2>/dev/null
	mkdir -p "$T/mdm"
	for des in no yes; do
		P=$(free_port)
		if [ $des = yes ]; then
			start_bg "$T/serve7.log" "$SIPCA" -d "$CA" serve --http 127.0.0.1:$P --scep --scep-allow-des
		else
			start_bg "$T/serve7.log" "$SIPCA" -d "$CA" serve --http 127.0.0.1:$P --scep
		fi
		wait_port $P || fail "serve for scepclient"
		(cd "$T/mdm" && rm -f csr.pem self.pem && timeout 60 scepclient \
		    -server-url http://127.0.0.1:$P/cgi-bin/pkiclient.exe \
		    -challenge "$(cat "$T/ch")" -cn 0004f2aabbcc -private-key key.pem \
		    -certificate cert.pem -ca-fingerprint "$RAFP") > "$T/mdm.out" 2>&1
		echo $? > "$T/mdm.rc"
		stop_bg "$BG_PID"
		if [ $des = no ]; then
			check_fails "scepclient with single DES: refused" test "$(cat "$T/mdm.rc")" = 0
			expect_grep "badAlg" "$T/mdm.out" "scepclient reads the FAILURE badAlg"
			expect_grep "FAILURE badAlg.*des-cbc, which is refused" "$T/serve7.log" "the refusal logged"
			check "nothing issued for the refused request" sh -c "! '$SIPCA' -d '$CA' list 2>/dev/null | grep -q 0004f2aabbcc"
		fi
	done
	check "scepclient enrolled with --scep-allow-des" test "$(cat "$T/mdm.rc")" = 0
	expect_grep "single DES allowed by --scep-allow-des): enrolled '0004f2aabbcc'" "$T/serve7.log" "single DES logged"
	check "scepclient's certificate verifies (openssl verify -x509_strict)" \
	    openssl verify -x509_strict -CAfile "$CA/ca.pem" "$T/mdm/cert.pem"
	openssl x509 -in "$T/mdm/cert.pem" -noout -subject -ext subjectAltName,extendedKeyUsage > "$T/mdm.txt" 2>&1
	expect_grep "CN *= *0004f2aabbcc" "$T/mdm.txt" "scepclient's certificate: CN the device's name"
	expect_grep "URI:sip:0004f2aabbcc@example.com" "$T/mdm.txt" "scepclient's certificate: the SAN the challenge bound"
	expect_grep "TLS Web Client Authentication" "$T/mdm.txt" "scepclient's certificate: the device profile"
	check "its key is the client's" sh -c "[ \"\$(openssl x509 -in '$T/mdm/cert.pem' -noout -pubkey)\" = \"\$(openssl pkey -in '$T/mdm/key.pem' -pubout)\" ]"
	"$SIPCA" -d "$CA" list > "$T/list" 2>/dev/null
	expect_grep "^0004f2aabbcc  *device" "$T/list" "sipca list shows the enrolled phone"
	"$SIPCA" -d "$CA" scep challenges > "$T/list" 2>/dev/null
	expect_grep "^0004f2aabbcc  *used" "$T/list" "its challenge is used"
else
	skip "scepclient enrollment" "scepclient is not installed (Debian scep)"
fi

# A two-level CA: GetCACert holds the issuing CA, the RA and the root,
# and what it issues chains to the root (openssl verify).
CA4=$T/ca4
new_ca "$CA4" --intermediate
P=$(free_port)
start_bg "$T/serve8.log" "$SIPCA" -d "$CA4" serve --http 127.0.0.1:$P --scep
check "serve --scep on a two-level CA" wait_port $P
curl -sS --max-time 10 -o "$T/body" "http://127.0.0.1:$P/scep?operation=GetCACert" 2>/dev/null
fps "$T/body" > "$T/got.fp"
{ fp1 "$CA4/ca.pem"; fp1 "$CA4/root.pem"; fp1 "$CA4/issued/scep-ra/cert.pem"; } | sort > "$T/want.fp"
check "GetCACert: the issuing CA, the root and the RA" cmp "$T/got.fp" "$T/want.fp"
check "the RA chains to the root" openssl verify -CAfile "$CA4/root.pem" \
    -untrusted "$CA4/ca.pem" "$CA4/issued/scep-ra/cert.pem"
stop_bg "$BG_PID"

# During a rollover: GetCACaps offers GetNextCACert, which hands out the
# next CA signed by the RA (RFC 8894 section 4.7).
CA3=$T/ca3
new_ca "$CA3"
"$SIPCA" -d "$CA3" rollover start --no-passphrase >/dev/null 2>&1 || fail "rollover start"
P=$(free_port)
start_bg "$T/serve6.log" "$SIPCA" -d "$CA3" serve --http 127.0.0.1:$P --scep
check "serve --scep during a rollover" wait_port $P
curl -sS --max-time 10 -o "$T/body" "http://127.0.0.1:$P/scep?operation=GetCACaps" 2>/dev/null
check "GetCACaps offers GetNextCACert" grep -q "^GetNextCACert$(printf '\r')\$" "$T/body"
curl -sS --max-time 10 -o "$T/body" -w '%{http_code} %{content_type}\n' \
    "http://127.0.0.1:$P/scep?operation=GetNextCACert" > "$T/got" 2>/dev/null
check "GetNextCACert: 200 application/x-x509-next-ca-cert" \
    grep -qx "200 application/x-x509-next-ca-cert" "$T/got"
check "GetNextCACert is signed by the RA (openssl smime -verify)" \
    openssl smime -verify -inform DER -in "$T/body" -noverify \
    -certfile "$CA3/issued/scep-ra/cert.pem" -out "$T/inner.der"
fps "$T/inner.der" > "$T/got.fp"
check "GetNextCACert holds the next CA" grep -qx "$(fp1 "$CA3/next-ca.pem")" "$T/got.fp"
expect_no_grep "$(fp1 "$CA3/ca.pem")" "$T/got.fp" "GetNextCACert: not the current CA"
stop_bg "$BG_PID"

finish
