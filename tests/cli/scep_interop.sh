#!/bin/sh
# sipca serve --scep (RFC 8894) with real SCEP clients on loopback:
# micromdm's scepclient (Go), strongSwan's pki --scep (C, its own CMS) and
# certmonger's scep-submit (C on OpenSSL, driven by getcert over a
# private session bus). Each enrolls with a one-time challenge bound to
# its device name, fails with a wrong, a used and an expired challenge,
# and renews with its current certificate; every certificate verifies
# with openssl -x509_strict and certtool and carries the bound URI. A
# challenge from issue --batch --scep-challenges enrolls too. micromdm's
# scepserver, a second server, answers the same GetCACaps and GetCACert
# for comparison. Every client is bounded by timeout(1).
. "$(dirname "$0")/../lib.sh"

for tool in scepclient scepserver pki openssl certtool curl python3 \
    certmonger getcert dbus-run-session dbus-send; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is not installed (make check installs it: scripts/deps.sh)"
		finish
		exit 1
	fi
done
# strongSwan fetches over HTTP with its curl plugin (Debian
# libstrongswan-extra-plugins); without it pki says "no capable fetcher".
if [ ! -e /usr/lib/ipsec/plugins/libstrongswan-curl.so ]; then
	fail "strongSwan's curl plugin is not installed (libstrongswan-extra-plugins: scripts/deps.sh)"
fi

CA=$T/ca
new_ca "$CA"	# an EC CA: the RSA RA decrypts and signs
check "sipca scep ra makes the RA" "$SIPCA" -d "$CA" scep ra

HTTP=$(free_port)
URL=http://127.0.0.1:$HTTP/scep
start_bg_within 600 "$T/serve.log" "$SIPCA" -d "$CA" serve --scep \
    --http 127.0.0.1:$HTTP
SERVE=$BG_PID
check "serve --scep listens" wait_port "$HTTP"
# micromdm's scepclient 2.1.0 encrypts its requests with single DES and
# nothing else (go.mozilla.org/pkcs7's default), whatever GetCACaps says:
# the server above refuses it, a second one on the same store takes it
# with the explicit opt-in.
HTTP_DES=$(free_port)
URL_DES=http://127.0.0.1:$HTTP_DES/scep
start_bg_within 600 "$T/serve-des.log" "$SIPCA" -d "$CA" serve --scep \
    --scep-allow-des --http 127.0.0.1:$HTTP_DES
SERVE_DES=$BG_PID
check "serve --scep --scep-allow-des listens" wait_port "$HTTP_DES"

# challenge NAME [options]: a new one-time challenge in $CH.
challenge() {
	CH=$("$SIPCA" -d "$CA" scep challenge "$@" 2>"$T/challenge.err") &&
	    echo "$CH" >> "$T/all.challenges"
}

# verify_cert PEM NAME URI: the chain, strictly, by two libraries; the
# subject's CN and the SAN that the challenge bound.
verify_cert() {
	check "$2: openssl verify -x509_strict" \
	    openssl verify -x509_strict -CAfile "$CA/ca.pem" "$1"
	check "$2: certtool --verify" sh -c "certtool --verify \
	    --load-ca-certificate '$CA/ca.pem' --infile '$1' | grep -q 'Chain verification output: Verified'"
	openssl x509 -in "$1" -noout -text > "$T/$2.txt" 2>&1
	expect_grep "Subject:.*CN *= *$2" "$T/$2.txt" "$2: the CN is the device name"
	expect_grep "URI:$3\$" "$T/$2.txt" "$2: the SAN is the bound URI"
	expect_grep "TLS Web Client Authentication" "$T/$2.txt" "$2: the device profile"
}

# serial_of PEM: the certificate's serial as sipca list shows it.
serial_of() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f'
}

# status_of SERIAL: what the store says of it.
status_of() {
	"$SIPCA" -d "$CA" list --json 2>/dev/null | python3 -c '
import json, sys
s = sys.argv[1].lower().lstrip("0")
print("".join(c["status"] for c in json.load(sys.stdin) if c["serial"].lower().lstrip("0") == s))
' "$1"
}

# ---- GetCACaps and GetCACert, against micromdm's scepserver too ----
REF=$(free_port)
mkdir -p "$T/ref"
timeout 60 scepserver ca -init -depot "$T/ref/depot" -keySize 2048 >/dev/null 2>&1
start_bg_within 600 "$T/ref.log" scepserver -depot "$T/ref/depot" \
    -port "$REF" -challenge refsecret -allowrenew 0
REFSERVE=$BG_PID
check "micromdm scepserver listens" wait_port "$REF"

for who in sipca ref; do
	if [ $who = sipca ]; then u=$URL; else u=http://127.0.0.1:$REF/scep; fi
	curl -sS --max-time 10 -o "$T/$who.caps" -w '%{http_code} %{content_type}\n' \
	    "$u?operation=GetCACaps" > "$T/$who.caps.got" 2>&1
	curl -sS --max-time 10 -o "$T/$who.cacert" -w '%{http_code} %{content_type}\n' \
	    "$u?operation=GetCACert&message=any" > "$T/$who.cacert.got" 2>&1
	tr -d '\r' < "$T/$who.caps" > "$T/$who.caps.lf"
done
check "GetCACaps: 200 text/plain" grep -q "^200 text/plain" "$T/sipca.caps.got"
for cap in POSTPKIOperation SHA-256 AES SCEPStandard Renewal; do
	check "GetCACaps has $cap (so has micromdm's)" sh -c \
	    "grep -qx '$cap' '$T/sipca.caps.lf' && grep -qx '$cap' '$T/ref.caps.lf'"
done
check "GetCACaps lines end in CRLF (RFC 8894 3.5.2)" sh -c \
    "[ \$(grep -c \$(printf '\\r')\$ '$T/sipca.caps') -eq \$(wc -l < '$T/sipca.caps.lf') ]"
expect_no_grep "^DES\$" "$T/sipca.caps.lf" "single DES is not advertised"
# Two certificates (the CA and the RA) as a degenerate PKCS#7, which
# micromdm sends only when it has an RA (one CA: x-x509-ca-cert).
check "GetCACert (message= ignored): 200 x-x509-ca-ra-cert" \
    grep -qx "200 application/x-x509-ca-ra-cert" "$T/sipca.cacert.got"
check "GetCACert parses as PKCS#7 with openssl" sh -c "openssl pkcs7 -inform DER \
    -in '$T/sipca.cacert' -print_certs > '$T/cacert.pem'"
check "GetCACert holds the CA and the RA" sh -c \
    "[ \$(grep -c 'BEGIN CERTIFICATE' '$T/cacert.pem') -eq 2 ] && \
     grep -q 'subject=.*CN *= *scep-ra' '$T/cacert.pem'"
check "micromdm's GetCACert: one CA certificate" \
    grep -qx "200 application/x-x509-ca-cert" "$T/ref.cacert.got"

# The other direction: sipca's client side (scep_msg.h, as
# bench/scep_load uses it) makes requests micromdm's server reads, and
# reads micromdm's signed, encrypted CertReps (Go's pkcs7).
LOAD=${BUILD:-}/bench/scep_load
if [ -x "$LOAD" ]; then
	check "sipca's SCEP client enrolls at micromdm's scepserver" sh -c \
	    "'$LOAD' http://127.0.0.1:$REF/scep '$T/ref/depot/ca.pem' static:refsecret 3 1 1 \
	    | grep -q '^3 enrollments, 0 failed'"
	check_fails "and is refused with a wrong static challenge" \
	    "$LOAD" http://127.0.0.1:$REF/scep "$T/ref/depot/ca.pem" static:wrong 1 1 1
else
	fail "$LOAD is not built (make check builds it; \$BUILD names the build directory)"
fi

# ---- micromdm scepclient: enroll, refusals, renewal ----
NAME=0004f2a1b2c3
SC=$T/sc
mkdir -p "$SC"
# scepclient encrypts to every certificate of GetCACert unless told which
# by its SHA-256 (it cannot encrypt to the EC CA): the RA's, as
# 'sipca scep fingerprints' shows it.
RAFP=$("$SIPCA" -d "$CA" scep fingerprints 2>/dev/null | sed -n 's/^ra sha256 *//p' |
    tr -d ':' | tr 'A-F' 'a-f')
check "scep fingerprints shows the RA's SHA-256" expr "$RAFP" : '[0-9a-f]\{64\}$'
check "the RA's SHA-256 is the one in GetCACert" sh -c "openssl x509 -in \
    '$CA/issued/scep-ra/cert.pem' -noout -fingerprint -sha256 | tr -d ':' |
    tr 'A-F' 'a-f' | grep -q '=$RAFP\$'"
# sc DIR NAME [options]: scepclient with its key and certificate in DIR,
# run there (it keeps its CSR in csr.pem in the working directory).
sc() {
	d=$1 n=$2; shift 2
	(cd "$d" && timeout 60 scepclient -server-url "${SC_URL:-$URL_DES}" -cn "$n" \
	    -keySize 2048 -ca-fingerprint "$RAFP" -private-key key.pem \
	    -certificate cert.pem "$@") > "$d/out" 2>&1
}

check "a challenge for $NAME" challenge $NAME --uri sip:lobby@example.com
check "the challenge is alone on stdout" expr "$CH" : '[A-Z2-7]\{26\}$'

mkdir -p "$SC/des"
SC_URL=$URL
check_fails "scepclient (single DES) is refused by default" sc "$SC/des" $NAME -challenge "$CH"
SC_URL=
check "no certificate without --scep-allow-des" test ! -s "$SC/des/cert.pem"
expect_grep "failInfo: badAlg" "$SC/des/out" "scepclient reports FAILURE badAlg"
expect_grep "des-cbc, which is refused" "$T/serve.log" "the server logs why"

mkdir -p "$SC/wrong"
check_fails "scepclient: a wrong challenge fails" sc "$SC/wrong" $NAME \
    -challenge AAAAAAAAAAAAAAAAAAAAAAAAAA
expect_grep "FAILURE\|failInfo: badRequest" "$SC/wrong/out" "scepclient reports the FAILURE"
check_fails "no certificate after a wrong challenge" test -s "$SC/wrong/cert.pem"

mkdir -p "$SC/other"
check_fails "scepclient: the challenge for another name fails" sc "$SC/other" \
    otherphone -challenge "$CH"
expect_grep "FAILURE\|failInfo: badRequest" "$SC/other/out" "scepclient reports it"

check "scepclient enrolls with the challenge" sc "$SC" $NAME -challenge "$CH"
[ -s "$SC/cert.pem" ] || sed 's/^/    /' "$SC/out" >&2
verify_cert "$SC/cert.pem" $NAME sip:lobby@example.com
check "the certificate is for scepclient's key" sh -c "[ \"\$(openssl x509 -in '$SC/cert.pem' \
    -noout -pubkey)\" = \"\$(openssl pkey -in '$SC/key.pem' -pubout)\" ]"
SERIAL1=$(serial_of "$SC/cert.pem")
check "sipca list has it valid" test "$(status_of "$SERIAL1")" = valid

mkdir -p "$SC/again"
check_fails "scepclient: the used challenge fails" sc "$SC/again" $NAME -challenge "$CH"
expect_grep "FAILURE\|failInfo: badRequest" "$SC/again/out" "scepclient reports the FAILURE"
check_fails "no certificate from a used challenge" test -s "$SC/again/cert.pem"

# Expired: made an hour and a half ago with an hour to live.
mkdir -p "$SC/late"
LATE=$(SIPCA_NOW=$(($(date +%s) - 5400)) "$SIPCA" -d "$CA" scep challenge \
    latephone --ttl 1h 2>/dev/null)
check "an expired challenge" expr "$LATE" : '[A-Z2-7]\{26\}$'
check_fails "scepclient: an expired challenge fails" sc "$SC/late" latephone -challenge "$LATE"
expect_grep "FAILURE\|failInfo: badRequest" "$SC/late/out" "scepclient reports the FAILURE"
check_fails "no certificate from an expired challenge" test -s "$SC/late/cert.pem"
expect_grep "FAILURE badRequest: the challenge has expired" "$T/serve-des.log" \
    "the server says the challenge expired"

# Renewal: scepclient sends RenewalReq signed with the current certificate.
cp "$SC/cert.pem" "$SC/old.pem"
check "scepclient renews with its certificate (no challenge)" sc "$SC" $NAME
verify_cert "$SC/cert.pem" $NAME sip:lobby@example.com
SERIAL2=$(serial_of "$SC/cert.pem")
check "the renewal is a new certificate" test "$SERIAL2" != "$SERIAL1"
check "the renewed one is valid" test "$(status_of "$SERIAL2")" = valid
check "the old one is superseded (not valid)" test "$(status_of "$SERIAL1")" != valid

# A certificate from another CA does not renew.
mkdir -p "$SC/foreign"
cp "$SC/key.pem" "$SC/foreign/key.pem"
openssl req -new -x509 -key "$SC/foreign/key.pem" -subj "/CN=$NAME" -days 30 \
    -out "$SC/foreign/cert.pem" 2>/dev/null
cp "$SC/foreign/cert.pem" "$SC/foreign/self.pem"
check_fails "scepclient: a self-signed certificate does not renew" sc "$SC/foreign" $NAME
check "no certificate for it" cmp -s "$SC/foreign/cert.pem" "$SC/foreign/self.pem"

# ---- a challenge from issue --batch --scep-challenges ----
printf 'kind,name,uri\ndevice,805ec0112233,sip:desk7@example.com\n' > "$T/fleet.csv"
check "batch challenges" "$SIPCA" -d "$CA" issue --batch "$T/fleet.csv" \
    --scep-challenges "$T/challenges.csv"
BCH=$(sed -n 's/^805ec0112233,\([A-Z2-7]*\),.*/\1/p' "$T/challenges.csv" | tr -d '\r')
mkdir -p "$T/batch"
check "scepclient enrolls with the batch challenge" sc "$T/batch" 805ec0112233 -challenge "$BCH"
verify_cert "$T/batch/cert.pem" 805ec0112233 sip:desk7@example.com

# ---- strongSwan pki --scep ----
SW=$T/sw
mkdir -p "$SW"
# sw ARGS...: pki bounded, its messages (without plugin noise) in $SW/out.
sw() {
	timeout 60 pki "$@" > "$SW/stdout" 2> "$SW/err"
	rc=$?
	grep -v '^plugin\|^TPM' "$SW/err" > "$SW/out"
	return $rc
}
check "pki --scepca fetches the CA and the RA" sw --scepca --url "$URL" \
    --caout "$SW/ca.der" --raout "$SW/ra.der" --force
expect_grep "Root CA cert" "$SW/out" "strongSwan sees the root CA"
check "the CA pki fetched is sipca's" sh -c "openssl x509 -inform DER -in '$SW/ca.der' \
    -outform PEM | cmp -s - '$CA/ca.pem'"
RA=$SW/ra.der
[ -e "$RA" ] || RA=$SW/ra-1.der
check "pki --gen an RSA key" sh -c "pki --gen --type rsa --size 2048 --outform pem > '$SW/key.pem' 2>/dev/null"
check "a challenge for swphone" challenge swphone
# swscep [extra...]: pki --scep with sipca's RA for both roles. 3DES:
# strongSwan 5.9.8 says "AES_CBC encryption algorithm not supported by
# CA" although GetCACaps lists AES and SCEPStandard (micromdm's
# scepserver gets the same), so --cipher aes cannot be tried here.
swscep() {
	sw --scep --url "$URL" --dn "CN=swphone" --cacert-enc "$RA" \
	    --cacert-sig "$RA" --cacert "$SW/ca.der" --interval 1 --maxpolltime 10 \
	    --outform pem --cipher des3 "$@"
}
check_fails "pki --scep: a wrong challenge fails" swscep --in "$SW/key.pem" \
    --password AAAAAAAAAAAAAAAAAAAAAAAAAA
expect_grep "failInfo: *badRequest" "$SW/out" "strongSwan reports FAILURE badRequest"
check "pki --scep enrolls (3DES)" swscep --in "$SW/key.pem" --password "$CH"
cp "$SW/stdout" "$SW/cert.pem"
verify_cert "$SW/cert.pem" swphone sip:swphone@example.com
# A new key: strongSwan derives the transactionID from the key, and the
# same request again is a retry that gets the same certificate.
check "pki --gen another key" sh -c "pki --gen --type rsa --size 2048 --outform pem > '$SW/keyR.pem' 2>/dev/null"
check_fails "pki --scep: the used challenge fails" swscep --in "$SW/keyR.pem" --password "$CH"
expect_grep "failInfo: *badRequest" "$SW/out" "strongSwan reports FAILURE badRequest"
LATE=$(SIPCA_NOW=$(($(date +%s) - 5400)) "$SIPCA" -d "$CA" scep challenge \
    swlate --ttl 1h 2>/dev/null)
check_fails "pki --scep: an expired challenge fails" sw --scep --url "$URL" \
    --dn "CN=swlate" --cacert-enc "$RA" --cacert-sig "$RA" --cacert "$SW/ca.der" \
    --interval 1 --maxpolltime 10 --outform pem --cipher des3 \
    --in "$SW/keyR.pem" --password "$LATE"
expect_grep "failInfo: *badRequest" "$SW/out" "strongSwan reports FAILURE badRequest"
expect_grep "swlate.*expired\|expired.*swlate\|FAILURE badRequest: the challenge has expired" \
    "$T/serve.log" "the server says the challenge expired"
# Renewal: a new key, the request signed with the old certificate and key.
check "pki --gen a new key" sh -c "pki --gen --type rsa --size 2048 --outform pem > '$SW/key2.pem' 2>/dev/null"
check "pki --scep renews with --cert/--key" swscep --in "$SW/key2.pem" \
    --cert "$SW/cert.pem" --key "$SW/key.pem"
cp "$SW/stdout" "$SW/cert2.pem"
verify_cert "$SW/cert2.pem" swphone sip:swphone@example.com
check "the renewal is a new certificate" test "$(serial_of "$SW/cert2.pem")" != "$(serial_of "$SW/cert.pem")"
check "the renewal certifies the new key" sh -c "[ \"\$(openssl x509 -in '$SW/cert2.pem' \
    -noout -pubkey)\" = \"\$(openssl pkey -in '$SW/key2.pem' -pubout)\" ]"
check "the old one is superseded (not valid)" test "$(status_of "$(serial_of "$SW/cert.pem")")" != valid

# ---- certmonger, on a session bus of its own ----
# certmonger keeps its state in /var/lib/certmonger unless told: every
# directory it uses goes under $T, so the test leaves nothing behind.
CM=$T/cm
mkdir -p "$CM/requests" "$CM/cas" "$CM/local" "$CM/tmp" "$CM/run"
chmod 700 "$CM/run"
cat > "$CM/run.sh" <<EOF
# Started here, before anything asks for it: a getcert call would have
# the bus activate a certmonger of its own (with this environment too).
certmonger -s -n -d 2 -p $CM/pid > $CM/daemon.log 2>&1 &
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.fedorahosted.certmonger 2>/dev/null |
    grep -q 'boolean true'; do
	[ \$i -lt 100 ] || exit 1
	sleep 0.1
	i=\$((i + 1))
done
getcert add-scep-ca -s -c sipca -u $URL || exit 1
# wait_status ID: until the request leaves the submitting states (30 s).
wait_status() {
	i=0
	while [ \$i -lt 300 ]; do
		st=\$(getcert list -s -i "\$1" | sed -n 's/^[[:space:]]*status: //p')
		case \$st in
		MONITORING|CA_REJECTED|CA_UNREACHABLE|CA_UNCONFIGURED|NEED_GUIDANCE) echo "\$st"; return ;;
		esac
		sleep 0.1
		i=\$((i + 1))
	done
	echo TIMEOUT
}
getcert request -s -c sipca -I good -k $CM/key.pem -f $CM/cert.pem \
    -N CN=cmphone -L "\$(cat $CM/ch1)" -R
wait_status good > $CM/good.status
getcert list -s -i good > $CM/good.txt
getcert request -s -c sipca -I used -k $CM/key2.pem -f $CM/cert2.pem \
    -N CN=cmphone -L "\$(cat $CM/ch1)" -R
wait_status used > $CM/used.status
getcert list -s -i used > $CM/used.txt
# Renewal: resubmit signs with the certificate it has (and sends the
# used challenge again).
cp $CM/cert.pem $CM/cert-before.pem
getcert resubmit -s -i good
i=0
while cmp -s $CM/cert.pem $CM/cert-before.pem && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
wait_status good > $CM/renew.status
# By now it has fetched the CA (GetCACert) and shows its thumbprints.
getcert list-cas -s -c sipca > $CM/cas.txt
kill \$(cat $CM/pid)
EOF
check "a challenge for cmphone" challenge cmphone --uri sip:cm@example.com
printf '%s' "$CH" > "$CM/ch1"
check "certmonger runs on a private bus" env CERTMONGER_REQUESTS_DIR="$CM/requests" \
    CERTMONGER_CAS_DIR="$CM/cas" CERTMONGER_LOCAL_CA_DIR="$CM/local" \
    CERTMONGER_TMPDIR="$CM/tmp" CERTMONGER_CONFIG_DIR="$CM" HOME="$CM" \
    XDG_RUNTIME_DIR="$CM/run" timeout 90 dbus-run-session -- sh "$CM/run.sh"
CASHA1=$("$SIPCA" -d "$CA" scep fingerprints 2>/dev/null | sed -n 's/^ca sha1 *//p' | tr -d ':')
check "certmonger shows the CA's SHA-1 as sipca scep fingerprints does" sh -c \
    "sed -n 's/.*thumbprint (SHA1): //p' '$CM/cas.txt' | tr -d ' ' | grep -qix '$CASHA1'"
check "certmonger enrolls: MONITORING" grep -qx MONITORING "$CM/good.status"
[ "$(cat "$CM/good.status" 2>/dev/null)" = MONITORING ] || sed 's/^/    /' "$CM/good.txt" "$CM/daemon.log" >&2
verify_cert "$CM/cert.pem" cmphone sip:cm@example.com
check "certmonger: the used challenge is rejected (CA_REJECTED)" grep -qx CA_REJECTED "$CM/used.status"
check_fails "no certificate from the used challenge" test -s "$CM/cert2.pem"
expect_grep "GET /scep 200 .*PKCSReq.*enrolled 'cmphone'" "$T/serve.log" \
    "certmonger sent PKIOperation by GET (base64 in the query)"
check "certmonger renews (getcert resubmit): MONITORING" grep -qx MONITORING "$CM/renew.status"
check "the renewal is a new certificate" sh -c "[ \"\$(openssl x509 -in '$CM/cert.pem' -noout \
    -serial)\" != \"\$(openssl x509 -in '$CM/cert-before.pem' -noout -serial)\" ]"
verify_cert "$CM/cert.pem" cmphone sip:cm@example.com
check "the old one is superseded (not valid)" test \
    "$(status_of "$(serial_of "$CM/cert-before.pem")")" != valid

# ---- what the server logged, and the store ----
check "no challenge in the server's log" sh -c "! grep -qF -f '$T/all.challenges' '$T/serve.log'"
check "the store is consistent" "$SIPCA" -d "$CA" check
expect_grep "POST /scep 200 .*PKCSReq.*enrolled '$NAME'" "$T/serve-des.log" \
    "scepclient sent PKIOperation by POST"
expect_grep "des-cbc, single DES allowed by --scep-allow-des" "$T/serve-des.log" \
    "each single-DES request is logged"
stop_bg "$SERVE"
stop_bg "$SERVE_DES"
stop_bg "$REFSERVE"
finish
