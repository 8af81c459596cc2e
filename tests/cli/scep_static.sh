#!/bin/sh
# The static shared SCEP challenge (sipca scep static-challenge,
# serve --scep-static-challenge) with micromdm's scepclient on loopback:
# made alone on stdout, stored only as its hash, listed without it; two
# devices enroll with the same one; it is refused without the server's
# opt-in (the flag, or config serve-scep-static on), when wrong, revoked
# or expired, for a CN outside its pattern, and for a name that has a
# certificate (a valid one renews instead; an enrolled phone's identity
# cannot be taken over with the shared secret). Every refusal is a
# FAILURE/badRequest and leaves sipca list as it was.
. "$(dirname "$0")/../lib.sh"

for tool in scepclient openssl python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is not installed (make check installs it: scripts/deps.sh)"
		finish
		exit 1
	fi
done

CA=$T/ca
new_ca "$CA"	# an EC CA: the RSA RA decrypts and signs
check "sipca scep ra makes the RA" "$SIPCA" -d "$CA" scep ra

# ---- the command ----
expect_exit 0 "scep static-challenge" "$SIPCA" -d "$CA" scep static-challenge
check "the static challenge alone on one stdout line, 26 base32 characters" \
    sh -c "[ \$(wc -l < '$T/stdout') -eq 1 ] && grep -Eqx '[A-Z2-7]{26}' '$T/stdout'"
OLD=$(cat "$T/stdout")
expect_grep "weaker" "$T/stderr" "it says it is weaker"
expect_exit 0 "a second one replaces it, with --names and --ttl" \
    "$SIPCA" -d "$CA" scep static-challenge --names '0004f2*' --ttl 2d
ST=$(cat "$T/stdout")
check "a new static challenge" test "$ST" != "$OLD"
check "the store holds no static challenge, only its hash" sh -c \
    "! grep -rqa -e '$ST' -e '$OLD' '$CA'"
expect_exit 0 "scep challenges" "$SIPCA" -d "$CA" scep challenges
expect_grep "^(static) *valid .* names 0004f2\*\$" "$T/stdout" "listed with its pattern"
check "one static row" sh -c "[ \$(grep -c '^(static) ' '$T/stdout') -eq 1 ]"
expect_no_grep "$ST" "$T/stdout" "the list never shows it"

snapshot "$CA" > "$T/before"
expect_exit 2 "--uri with static-challenge" "$SIPCA" -d "$CA" scep static-challenge --uri sip:a@example.com
expect_exit 2 "--names not a pattern of names" "$SIPCA" -d "$CA" scep static-challenge --names 'a/b'
expect_exit 2 "--names empty" "$SIPCA" -d "$CA" scep static-challenge --names ''
expect_exit 2 "--ttl too long" "$SIPCA" -d "$CA" scep static-challenge --ttl 400d
expect_exit 2 "--revoke with --names" "$SIPCA" -d "$CA" scep static-challenge --revoke --names 'x*'
expect_exit 2 "an operand" "$SIPCA" -d "$CA" scep static-challenge phone1
expect_exit 2 "--names with challenge" "$SIPCA" -d "$CA" scep challenge phone1 --names 'x*'
expect_exit 2 "serve --scep-static-challenge without SCEP" \
    "$SIPCA" -d "$CA" serve --http 127.0.0.1:1 --scep-static-challenge
expect_grep "goes with SCEP" "$T/stderr" "without SCEP: why"
expect_exit 2 "config serve-scep-static maybe" "$SIPCA" -d "$CA" config serve-scep-static maybe
expect_unchanged "$T/before" "$CA" "bad static-challenge input"

# ---- the servers: without the opt-in, and with it ----
# micromdm's scepclient 2.1.0 encrypts with single DES only (scep_interop.sh).
HTTP_OFF=$(free_port)
start_bg_within 300 "$T/off.log" "$SIPCA" -d "$CA" serve --scep --scep-allow-des \
    --http 127.0.0.1:$HTTP_OFF
check "serve --scep (no opt-in) listens" wait_port "$HTTP_OFF"
HTTP_ON=$(free_port)
start_bg_within 300 "$T/on.log" "$SIPCA" -d "$CA" serve --scep --scep-allow-des \
    --scep-static-challenge --http 127.0.0.1:$HTTP_ON
check "serve --scep --scep-static-challenge listens" wait_port "$HTTP_ON"
expect_grep "static shared challenge is accepted.*weaker" "$T/on.log" \
    "serve logs the opt-in as weaker at start"
expect_no_grep "static" "$T/off.log" "no such line without the opt-in"

RAFP=$("$SIPCA" -d "$CA" scep fingerprints 2>/dev/null | sed -n 's/^ra sha256 *//p' |
    tr -d ':' | tr 'A-F' 'a-f')
# sc DIR PORT NAME [options]: scepclient with its key and certificate in DIR.
sc() {
	d=$1 port=$2 n=$3; shift 3
	mkdir -p "$d"
	(cd "$d" && timeout 60 scepclient -server-url "http://127.0.0.1:$port/cgi-bin/pkiclient.exe" \
	    -cn "$n" -keySize 2048 -ca-fingerprint "$RAFP" -private-key key.pem \
	    -certificate cert.pem "$@") > "$d/out" 2>&1
}
# list_state: what sipca list records, without its clock-driven days_left.
list_state() {
	"$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    c.pop("days_left", None)
    print(json.dumps(c, sort_keys=True))
'
}
# refused WHAT DIR PORT NAME CHALLENGE: a FAILURE/badRequest, no
# certificate, sipca list as it was.
refused() {
	what=$1; shift
	list_state > "$T/list.before"
	check_fails "$what: refused" sc "$1" "$2" "$3" -challenge "$4"
	expect_grep "failInfo: badRequest" "$1/out" "$what: scepclient reports FAILURE badRequest"
	check_fails "$what: no certificate" test -s "$1/cert.pem"
	list_state > "$T/list.after"
	check "$what: sipca list unchanged" diff "$T/list.before" "$T/list.after"
}
# verify_cert PEM NAME
verify_cert() {
	check "$2: openssl verify -x509_strict" \
	    openssl verify -x509_strict -CAfile "$CA/ca.pem" "$1"
	openssl x509 -in "$1" -noout -text > "$T/$2.txt" 2>&1
	expect_grep "Subject:.*CN *= *$2" "$T/$2.txt" "$2: the CN is the device name"
	expect_grep "URI:sip:$2@example.com\$" "$T/$2.txt" "$2: the SAN is sip:NAME@DOMAIN"
	expect_grep "TLS Web Client Authentication" "$T/$2.txt" "$2: the device profile"
}
origin_of() {
	"$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c '
import json, sys
print("".join(c.get("origin", "") for c in json.load(sys.stdin)
    if c["name"] == sys.argv[1] and c["status"] == "valid"))
' "$1"
}

D1=0004f2000001 D2=0004f2000002
refused "without the server's opt-in" "$T/off1" $HTTP_OFF $D1 "$ST"
expect_grep "FAILURE badRequest: the static challenge is not accepted" "$T/off.log" \
    "the server says it is not accepted"
refused "a wrong static challenge" "$T/wrong" $HTTP_ON $D1 AAAAAAAAAAAAAAAAAAAAAAAAAA
refused "the replaced static challenge" "$T/old" $HTTP_ON $D1 "$OLD"
refused "a CN outside the pattern" "$T/lobby" $HTTP_ON lobbyphone "$ST"
expect_grep "is not a name the static challenge enrolls.*(CN 'lobbyphone')" "$T/on.log" "the server says why, with the CN it got"

check "device 1 enrolls with the static challenge" sc "$T/d1" $HTTP_ON $D1 -challenge "$ST"
[ -s "$T/d1/cert.pem" ] || sed 's/^/    /' "$T/d1/out" >&2
verify_cert "$T/d1/cert.pem" $D1
check "device 2 enrolls with the same challenge" sc "$T/d2" $HTTP_ON $D2 -challenge \
    "$(echo "$ST" | tr A-Z a-z)"
verify_cert "$T/d2/cert.pem" $D2
check "sipca list says how device 1 enrolled" expr "$(origin_of $D1)" : 'scep static challenge from 127\.0\.0\.1'
check "list_state sees the certificates" test "$(list_state | wc -l)" -ge 3
check "the static challenge is reusable: still listed valid" sh -c \
    "'$SIPCA' -d '$CA' scep challenges 2>/dev/null | grep -q '^(static) *valid '"

# A second device with an enrolled name: no takeover by the shared secret.
refused "a second enrollment of an enrolled name" "$T/d1b" $HTTP_ON $D1 "$ST"
expect_grep "'$D1' already has a valid certificate" "$T/on.log" "the server says it renews instead"
# ...while the enrolled device itself renews with its certificate.
S1=$(openssl x509 -in "$T/d1/cert.pem" -noout -serial)
check "device 1 renews with its certificate" sc "$T/d1" $HTTP_ON $D1
check "the renewal is a new certificate" test "$(openssl x509 -in "$T/d1/cert.pem" \
    -noout -serial)" != "$S1"
# A revoked name is not brought back by it either.
check "revoke device 2" "$SIPCA" -d "$CA" revoke $D2
refused "a revoked name" "$T/d2b" $HTTP_ON $D2 "$ST"
expect_grep "'$D2' had a certificate" "$T/on.log" "the server says it had one"

# The opt-in by config, and expiry and revocation of the static challenge.
check "config serve-scep-static on" "$SIPCA" -d "$CA" config serve-scep-static on
HTTP_CFG=$(free_port)
start_bg_within 300 "$T/cfg.log" "$SIPCA" -d "$CA" serve --scep --scep-allow-des \
    --http 127.0.0.1:$HTTP_CFG
check "serve --scep (config serve-scep-static on) listens" wait_port "$HTTP_CFG"
expect_grep "static shared challenge is accepted" "$T/cfg.log" "logged at start by config too"
check "device 3 enrolls by the config's opt-in" sc "$T/d3" $HTTP_CFG 0004f2000003 -challenge "$ST"
verify_cert "$T/d3/cert.pem" 0004f2000003
check "scep static-challenge --revoke" "$SIPCA" -d "$CA" scep static-challenge --revoke
refused "a revoked static challenge" "$T/d4" $HTTP_ON 0004f2000004 "$ST"
expect_grep "the static challenge was revoked" "$T/on.log" "the server says it was revoked"
expect_exit 2 "revoke again: none live" "$SIPCA" -d "$CA" scep static-challenge --revoke
LATE=$(SIPCA_NOW=$(($(date +%s) - 7200)) "$SIPCA" -d "$CA" scep static-challenge --ttl 1h 2>/dev/null)
check "an expired static challenge" expr "$LATE" : '[A-Z2-7]\{26\}$'
refused "an expired static challenge" "$T/d5" $HTTP_ON 0004f2000005 "$LATE"
expect_grep "the static challenge has expired" "$T/on.log" "the server says it expired"
# A one-time challenge still works beside it.
OT=$("$SIPCA" -d "$CA" scep challenge 0004f2000006 2>/dev/null)
check "a one-time challenge enrolls beside it" sc "$T/d6" $HTTP_ON 0004f2000006 -challenge "$OT"

finish
