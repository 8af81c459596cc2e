#!/bin/sh
# The 802.1X profile: 'issue device MAC --eap-tls' makes a certificate
# whose CN is the MAC (twelve lower-case hex digits, however it was
# typed), whose only SAN is DNS:MAC.DOMAIN (no SIP URI unless --uri),
# with extendedKeyUsage clientAuth alone and keyUsage digitalSignature
# (+keyEncipherment for RSA), read back by certtool and openssl; it
# verifies for the sslclient purpose and not for sslserver. The store
# records it as kind eap-tls (list, show, --json), renew keeps it so, a
# batch row of kind eap-tls makes one, and a SCEP challenge made with
# --eap-tls gives an enrolling phone (micromdm's scepclient) that
# profile, its renewal too. lint --role eap-tls holds the rule
# tls.eap_lacks_clientauth. Bad input exits 2 with the store unchanged.
# tests/cli/eap_radius.sh authenticates with it against FreeRADIUS.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
sipca() { "$SIPCA" -d "$CA" "$@"; }
MAC=0004f2a1b2c3
CERT=$CA/issued/$MAC/cert.pem

# ---- issue device MAC --eap-tls ----
expect_exit 0 "issue device with a colon MAC and --eap-tls" \
    sipca issue device 00:04:F2:A1:B2:C3 --eap-tls
expect_grep "^issued eap-tls certificate '$MAC', serial " "$T/stderr" \
    "the MAC is the name, in one form"
expect_grep "^  SAN    DNS:$MAC.example.com$" "$T/stderr" "the SAN line: the host name only"
check "its files are under the normalised name" test -s "$CERT"

certtool -i --infile "$CERT" > "$T/certtool.txt" 2>&1
expect_grep "Subject: CN=$MAC$" "$T/certtool.txt" "certtool: CN is the MAC"
expect_grep "DNSname: $MAC.example.com" "$T/certtool.txt" "certtool: the dNSName MAC.DOMAIN"
expect_no_grep "URI:" "$T/certtool.txt" "certtool: no SIP URI"
expect_grep "TLS WWW Client" "$T/certtool.txt" "certtool: clientAuth"
expect_no_grep "TLS WWW Server" "$T/certtool.txt" "certtool: no serverAuth"
expect_grep "Digital signature" "$T/certtool.txt" "certtool: digitalSignature"
expect_grep "Key encipherment" "$T/certtool.txt" "certtool: keyEncipherment for the RSA key"

openssl x509 -in "$CERT" -noout -text > "$T/x509.txt" 2>&1
check "openssl: extendedKeyUsage is clientAuth alone" sh -c \
    "grep -A1 'X509v3 Extended Key Usage' '$T/x509.txt' | tail -1 |
    grep -qx ' *TLS Web Client Authentication'"
check "openssl: keyUsage critical, digitalSignature and keyEncipherment" sh -c \
    "grep -A1 'X509v3 Key Usage: critical' '$T/x509.txt' | tail -1 |
    grep -qx ' *Digital Signature, Key Encipherment'"
check "openssl: the subjectAltName is DNS:MAC.DOMAIN alone" sh -c \
    "grep -A1 'X509v3 Subject Alternative Name' '$T/x509.txt' | tail -1 |
    grep -qx ' *DNS:$MAC.example.com'"
check "openssl verify -x509_strict -purpose sslclient" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$CA/ca.pem" "$CERT"
check_fails "openssl verify -purpose sslserver refuses it" \
    openssl verify -x509_strict -purpose sslserver -CAfile "$CA/ca.pem" "$CERT"
check "certtool --verify for the clientAuth purpose" certtool --verify \
    --load-ca-certificate "$CA/ca.pem" --infile "$CERT" \
    --verify-purpose 1.3.6.1.5.5.7.3.2
check_fails "certtool --verify for the serverAuth purpose refuses it" certtool --verify \
    --load-ca-certificate "$CA/ca.pem" --infile "$CERT" \
    --verify-purpose 1.3.6.1.5.5.7.3.1

# An EC key: digitalSignature only (RFC 8446: no RSA key transport).
expect_exit 0 "issue --eap-tls with a P-256 key (Cisco's dotted MAC)" \
    sipca issue device 0004.F2A1.B2C4 --eap-tls --key p256
openssl x509 -in "$CA/issued/0004f2a1b2c4/cert.pem" -noout -ext keyUsage > "$T/ku.txt" 2>&1
check "EC: keyUsage is digitalSignature alone" sh -c \
    "tail -1 '$T/ku.txt' | grep -qx ' *Digital Signature'"
# Extra names when the admin gives them: a SIP URI for a phone that also
# registers over TLS with this certificate, another DNS name.
expect_exit 0 "issue --eap-tls with --uri and --dns" sipca issue device \
    00-04-f2-a1-b2-c5 --eap-tls --uri sip:1005@example.com --dns desk5.example.com
expect_grep "^  SAN    DNS:0004f2a1b2c5.example.com,URI:sip:1005@example.com,DNS:desk5.example.com$" \
    "$T/stderr" "the host name first, then the names given"

# ---- the store: list, show, --json ----
expect_exit 0 "list" sipca list
expect_grep "^$MAC  *eap-tls  *[0-9a-f]* .* valid$" "$T/stdout" "list: kind eap-tls"
expect_exit 0 "list --kind eap-tls" sipca list --kind eap-tls
check "list --kind eap-tls: the three, nothing else" sh -c \
    "[ \$(grep -c ' eap-tls ' '$T/stdout') -eq 3 ] && ! grep -q ' device ' '$T/stdout'"
expect_exit 0 "list --json" sipca list --json
check "list --json: kind eap-tls" sh -c "python3 -c 'import json,sys; d=json.load(open(\"$T/stdout\")); \
    sys.exit(0 if [c[\"kind\"] for c in d if c[\"name\"] == \"$MAC\"] == [\"eap-tls\"] else 1)'"
expect_exit 0 "show MAC" sipca show $MAC
expect_grep "^name  *$MAC (eap-tls, valid)" "$T/stdout" "show: an eap-tls device"
expect_grep "^ext usage  *clientAuth$" "$T/stdout" "show: clientAuth only"

# ---- renew keeps the profile ----
OLD=$(openssl x509 -in "$CERT" -noout -serial | cut -d= -f2 | tr A-F a-f)
expect_exit 0 "renew the MAC" sipca renew $MAC
expect_grep "^renewed eap-tls '$MAC'" "$T/stderr" "renew: still eap-tls"
NEW=$(openssl x509 -in "$CERT" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "renew: a new certificate" test "$OLD" != "$NEW"
openssl x509 -in "$CERT" -noout -text > "$T/x509.txt" 2>&1
check "renewed: clientAuth alone" sh -c "grep -A1 'X509v3 Extended Key Usage' '$T/x509.txt' |
    tail -1 | grep -qx ' *TLS Web Client Authentication'"
expect_grep "DNS:$MAC.example.com" "$T/x509.txt" "renewed: the same SAN"
sipca list > "$T/list" 2>/dev/null
expect_grep "^$MAC  *eap-tls  *$NEW .* valid$" "$T/list" "list: the renewal is eap-tls and valid"
expect_grep "^$MAC  *eap-tls  *$OLD .* superseded$" "$T/list" "list: the old one superseded"
expect_exit 0 "renew --expiring: every one due" sipca renew --expiring 4000
expect_grep "^renewed eap-tls '0004f2a1b2c4'" "$T/stderr" "renew --expiring: still eap-tls"
check "renew --expiring: clientAuth alone" sh -c "openssl x509 -in '$CA/issued/0004f2a1b2c4/cert.pem' \
    -noout -ext extendedKeyUsage | tail -1 | grep -qx ' *TLS Web Client Authentication'"

# ---- lint ----
expect_exit 0 "lint --role eap-tls on the certificate" sipca lint --role eap-tls \
    --ca "$CA/ca.pem" "$CERT"
# A certificate for TLS servers only, signed by the same CA's key with
# certtool: no EAP-TLS peer can present it.
server_only_cert "$CA" "$MAC" "$T/srv" || fail "certtool: a serverAuth-only certificate"
expect_exit 1 "lint --role eap-tls: a serverAuth-only certificate" sipca lint \
    --role eap-tls "$T/srv.pem"
expect_grep "tls.eap_lacks_clientauth" "$T/stdout" "lint: the rule that refuses it"
expect_exit 0 "lint --list-rules names the rule" sipca lint --list-rules
expect_grep "tls.eap_lacks_clientauth" "$T/stdout" "--list-rules: tls.eap_lacks_clientauth"

# ---- batch rows of kind eap-tls ----
printf 'kind,name,uri\neap-tls,00:04:F2:00:00:01,\neap-tls,0004f2000002,sip:1002@example.com\n' > "$T/fleet.csv"
expect_exit 0 "issue --batch with eap-tls rows" sipca issue --batch "$T/fleet.csv"
sipca list --kind eap-tls > "$T/list" 2>/dev/null
expect_grep "^0004f2000001  *eap-tls " "$T/list" "batch: a colon MAC row, normalised"
expect_grep "^0004f2000002  *eap-tls " "$T/list" "batch: the second row"
check "batch: the URI cell goes in too" sh -c "openssl x509 -in '$CA/issued/0004f2000002/cert.pem' \
    -noout -ext subjectAltName | grep -q 'DNS:0004f2000002.example.com, URI:sip:1002@example.com'"

# ---- bad input: exit 2, nothing changed ----
snapshot "$CA" > "$T/before"
expect_exit 2 "--eap-tls on a server" sipca issue server radius.example.com --eap-tls
expect_grep "eap-tls is a device's 802.1X certificate" "$T/stderr" "server: why"
expect_exit 2 "a MAC with five octets" sipca issue device 00:04:f2:a1:b2 --eap-tls
expect_grep "invalid 802.1X device name: '00:04:f2:a1:b2': not a MAC address" "$T/stderr" "short MAC: why"
expect_exit 2 "a MAC with mixed separators" sipca issue device 00:04-f2:a1:b2:c9 --eap-tls
expect_exit 2 "a MAC with a non-hex digit" sipca issue device 0004f2a1b2cg --eap-tls
expect_exit 2 "a label is not a MAC" sipca issue device alice-zoiper --eap-tls
expect_exit 2 "a group (multicast) MAC" sipca issue device 01:00:5e:00:00:fb --eap-tls
expect_grep "group (multicast) address" "$T/stderr" "multicast: why"
expect_exit 2 "--eap-tls with --batch" sipca issue --batch "$T/fleet.csv" --eap-tls
expect_exit 2 "an existing MAC in another spelling" sipca issue device 00:04:f2:a1:b2:c3 --eap-tls
expect_grep "'$MAC' already has a valid certificate" "$T/stderr" "taken: the normalised name"
expect_exit 2 "--eap-tls with the domain's own identity" sipca issue device \
    0004f2a1b2ca --eap-tls --dns example.com
expect_exit 2 "--eap-tls with a name outside the domain" sipca issue device \
    0004f2a1b2cb --eap-tls --dns phone.other.org
printf 'kind,name\neap-tls,00:04:f2\n' > "$T/bad.csv"
expect_exit 2 "a batch eap-tls row with a bad MAC" sipca issue --batch "$T/bad.csv"
expect_grep "invalid 802.1X device name" "$T/stderr" "batch: why"
expect_exit 2 "scep challenge --eap-tls with a bad MAC" sipca scep challenge 00:04:f2 --eap-tls
expect_exit 2 "scep challenges --eap-tls" sipca scep challenges --eap-tls
expect_exit 2 "scep challenge --revoke with --eap-tls" sipca scep challenge --revoke $MAC --eap-tls
expect_exit 2 "lint --role of no kind" sipca lint --role phone "$CERT"
expect_unchanged "$T/before" "$CA" "bad input"

# ---- SCEP: a challenge for the 802.1X profile ----
expect_exit 0 "scep challenge MAC --eap-tls" sipca scep challenge 00:04:F2:AA:BB:DD --eap-tls
CH=$(cat "$T/stdout")
expect_grep "for the 802.1X (EAP-TLS) device '0004f2aabbdd'" "$T/stderr" "the challenge names the profile"
sipca scep challenges > "$T/list" 2>/dev/null
expect_grep "^0004f2aabbdd  *valid  *[0-9TZ:-]* eap-tls$" "$T/list" "scep challenges: the profile"
printf 'kind,name\neap-tls,00:04:f2:aa:bb:ee\n' > "$T/scep.csv"
expect_exit 0 "issue --batch --scep-challenges with an eap-tls row" sipca issue \
    --batch "$T/scep.csv" --scep-challenges "$T/challenges.csv"
expect_grep "^0004f2aabbee,[A-Z2-7]*," "$T/challenges.csv" "batch challenges: the normalised MAC"
sipca scep challenges > "$T/list" 2>/dev/null
expect_grep "^0004f2aabbee  *valid .* eap-tls$" "$T/list" "batch challenges: the profile"
expect_exit 0 "scep challenge --revoke in the colon form" sipca scep challenge \
    --revoke 00:04:f2:aa:bb:ee

if command -v scepclient >/dev/null 2>&1; then
	sipca scep ra >/dev/null 2>&1 || fail "scep ra"
	RAFP=$(sipca scep 2>/dev/null | awk '$1 == "ra" && $2 == "sha256" { print $3 }' |
	    tr -d : | tr A-F a-f)
	P=$(free_port)
	# scepclient 2.1.0 encrypts with single DES (tests/cli/scep.sh).
	start_bg "$T/serve.log" "$SIPCA" -d "$CA" serve --http 127.0.0.1:$P --scep --scep-allow-des
	wait_port $P || fail "serve --scep"
	mkdir -p "$T/mdm"
	# The phone writes its MAC with colons in upper case in the CN.
	sc() {
		(cd "$T/mdm" && rm -f csr.pem && timeout 60 scepclient \
		    -server-url http://127.0.0.1:$P/cgi-bin/pkiclient.exe -cn 00:04:F2:AA:BB:DD \
		    -keySize 2048 -private-key key.pem -certificate cert.pem \
		    -ca-fingerprint "$RAFP" "$@") > "$T/mdm.out" 2>&1
	}
	check "scepclient enrolls with the eap-tls challenge" sc -challenge "$CH"
	[ -s "$T/mdm/cert.pem" ] || sed 's/^/    /' "$T/mdm.out" >&2
	openssl x509 -in "$T/mdm/cert.pem" -noout -subject -ext subjectAltName,extendedKeyUsage \
	    > "$T/mdm.txt" 2>&1
	expect_grep "CN *= *0004f2aabbdd" "$T/mdm.txt" "enrolled: CN the MAC, normalised"
	expect_grep "DNS:0004f2aabbdd.example.com" "$T/mdm.txt" "enrolled: the dNSName"
	expect_no_grep "URI:" "$T/mdm.txt" "enrolled: no SIP URI"
	check "enrolled: verifies for sslclient" openssl verify -x509_strict -purpose sslclient \
	    -CAfile "$CA/ca.pem" "$T/mdm/cert.pem"
	check_fails "enrolled: not for sslserver" openssl verify -x509_strict -purpose sslserver \
	    -CAfile "$CA/ca.pem" "$T/mdm/cert.pem"
	sipca list > "$T/list" 2>/dev/null
	expect_grep "^0004f2aabbdd  *eap-tls .* valid$" "$T/list" "list: the enrolled phone is eap-tls"
	S1=$(openssl x509 -in "$T/mdm/cert.pem" -noout -serial | cut -d= -f2)
	# RenewalReq signed with that certificate, the CN still in colons.
	check "scepclient renews the eap-tls certificate" sc
	S2=$(openssl x509 -in "$T/mdm/cert.pem" -noout -serial | cut -d= -f2)
	check "the renewal is a new certificate" test "$S1" != "$S2"
	sipca list > "$T/list" 2>/dev/null
	expect_grep "^0004f2aabbdd  *eap-tls .* valid$" "$T/list" "renewed by SCEP: still eap-tls"
	expect_grep "RenewalReq .*renewed '0004f2aabbdd'" "$T/serve.log" "the server renewed it (RenewalReq)"
	stop_bg "$BG_PID"
else
	skip "SCEP enrollment for the 802.1X profile" "scepclient is not installed (Debian scep)"
fi

finish
