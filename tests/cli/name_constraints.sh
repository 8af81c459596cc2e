#!/bin/sh
# Name constraints hold at issuance (issue 13): a CA made with
# init --name-constraints refuses, through the issuance guard, every
# certificate whose names leave its permitted subtrees or enter its
# excluded ones (RFC 5280 section 4.2.1.10): issue, renew and batch, with
# or without --force, exit 2 (batch: 1, the row refused) and the store
# unchanged. On both sides of each boundary the verdict is compared with
# openssl verify -x509_strict and certtool --verify: what sipca issues
# both accept; what it refuses, built instead by certtool with the CA's
# key, at least one of them rejects (the one exception, a sip: URI host,
# is sipca's own stricter reading and is shown as such).
. "$(dirname "$0")/../lib.sh"

for tool in openssl certtool; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is not installed (make check installs openssl and gnutls-bin)"
		finish
		exit 1
	fi
done

# verdict CAFILE CERT: "openssl=V certtool=V", V being ok, nc (rejected
# for the name constraints) or other (rejected for something else).
verdict() {
	if openssl verify -x509_strict -CAfile "$1" "$2" > "$T/.ossl" 2>&1; then
		o=ok
	elif grep -q "subtree violation\|unsupported or invalid name syntax" "$T/.ossl"; then
		o=nc
	else
		o=other
	fi
	certtool --verify --load-ca-certificate "$1" --infile "$2" 2>&1 |
	    grep "^Chain verification output: " > "$T/.gtls"
	if grep -q "is trusted" "$T/.gtls"; then
		g=ok
	elif grep -q "violates the signer's constraints" "$T/.gtls"; then
		g=nc
	else
		g=other
	fi
	echo "openssl=$o certtool=$g"
}

# expect_verdict WANT CAFILE CERT DESCRIPTION
expect_verdict() {
	TESTS_RUN=$((TESTS_RUN + 1))
	got=$(verdict "$2" "$3")
	[ "$got" = "$1" ] || fail "$4: $got, wanted $1"
}

# twin NAME server|device TEMPLATE-LINE...: the certificate sipca refused,
# made by certtool and signed with the key of the CA in $CA, into
# $T/twin/NAME.pem.
mkdir -p "$T/twin"
certtool --generate-privkey --key-type ecdsa --outfile "$T/twin.key" >/dev/null 2>&1 ||
	fail "certtool --generate-privkey"
twin() {
	name=$1; purpose=$2; shift 2
	{
		printf '%s\n' "$@"
		printf 'expiration_days = 30\nsigning_key\ntls_www_client\n'
		[ "$purpose" = server ] && printf 'tls_www_server\n'
	} > "$T/twin/$name.tmpl"
	certtool --generate-certificate --load-privkey "$T/twin.key" \
	    --load-ca-certificate "$CA/ca.pem" --load-ca-privkey "$CA/ca.key" \
	    --template "$T/twin/$name.tmpl" --outfile "$T/twin/$name.pem" >/dev/null 2>&1 ||
		fail "certtool could not make the twin $name"
}

# refused DESCRIPTION PATTERN COMMAND...: exit 2, PATTERN (the name and the
# subtree) on stderr, the store unchanged.
refused() {
	desc=$1; pattern=$2; shift 2
	snapshot "$CA" > "$T/.before"
	if expect_exit 2 "$desc" "$@"; then
		expect_grep "$pattern" "$T/stderr" "$desc: names the name and the subtree"
		expect_grep "chain.name_constraints" "$T/stderr" "$desc: names the rule"
	fi
	expect_unchanged "$T/.before" "$CA" "$desc"
}

# accepted NAME DESCRIPTION COMMAND...: issued, and both verifiers accept it.
accepted() {
	name=$1; desc=$2; shift 2
	expect_exit 0 "$desc" "$@" &&
		expect_verdict "openssl=ok certtool=ok" "$CA/ca.pem" \
		    "$CA/issued/$name/cert.pem" "$desc: verifiers"
}

# lints_violation CERT DESCRIPTION: sipca lint --ca names the rule (exit 1).
lints_violation() {
	expect_exit 1 "$2: lint --ca" "$SIPCA" lint --ca "$CA/ca.pem" --profile chain "$1" &&
		expect_grep "fatal chain.name_constraints: " "$T/stdout" "$2: lint reports it"
}

# ---- a CA made by sipca: permitted DNS subtree and IPv4 and IPv6 ranges ----
CA=$T/nc
new_ca "$CA" --name-constraints --permit-ip 192.0.2.0/24 --permit-ip 2001:db8::/32

accepted example.com "the exact domain" \
    "$SIPCA" -d "$CA" issue server example.com --key p256
accepted sip.example.com "a subdomain, IPs inside both ranges" \
    "$SIPCA" -d "$CA" issue server sip.example.com --key p256 --ip 192.0.2.10 --ip 2001:db8::10
accepted a.b.sip.example.com "a deeper subdomain, a sip: URI inside" \
    "$SIPCA" -d "$CA" issue server a.b.sip.example.com --key p256 --uri sip:a.b.sip.example.com
accepted alice "a device: CN 'alice' and a sip: URI in the domain" \
    "$SIPCA" -d "$CA" issue device alice --key p256
accepted phone1.example.com "a device whose CN is a host in the domain" \
    "$SIPCA" -d "$CA" issue device phone1.example.com --key p256

refused "a sibling name" "DNS name 'evil-example.com' is outside the CA's permitted DNS subtree 'example.com'" \
    "$SIPCA" -d "$CA" issue server evil-example.com --key p256 --allow-foreign-names
refused "a sibling name, --force" "refusing to issue: 1 fatal finding, which --force cannot override" \
    "$SIPCA" -d "$CA" issue server evil-example.com --key p256 --allow-foreign-names --force
twin evil 'cn = evil-example.com' 'uri = sip:example.com' 'dns_name = example.com' \
    'dns_name = evil-example.com'
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$T/twin/evil.pem" "the sibling, made by certtool"
lints_violation "$T/twin/evil.pem" "the sibling"

refused "another domain" "DNS name 'sip.other.com' is outside" \
    "$SIPCA" -d "$CA" issue server sip.other.com --key p256 --allow-foreign-names --force
twin other server 'cn = sip.other.com' 'uri = sip:example.com' 'dns_name = example.com' \
    'dns_name = sip.other.com'
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$T/twin/other.pem" "another domain, made by certtool"

refused "an IPv4 address outside the range" "IP address '192.0.3.1' is outside the CA's permitted IP subtrees '192.0.2.0/24', '2001:db8::/32'" \
    "$SIPCA" -d "$CA" issue server sip2.example.com --key p256 --ip 192.0.3.1
twin ip4 server 'cn = sip2.example.com' 'dns_name = sip2.example.com' 'ip_address = 192.0.3.1'
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$T/twin/ip4.pem" "IPv4 outside, made by certtool"
refused "an IPv6 address outside the range" "IP address '2001:db9::1' is outside" \
    "$SIPCA" -d "$CA" issue server sip2.example.com --key p256 --ip 2001:db9::1
twin ip6 server 'cn = sip2.example.com' 'dns_name = sip2.example.com' 'ip_address = 2001:db9::1'
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$T/twin/ip6.pem" "IPv6 outside, made by certtool"
lints_violation "$T/twin/ip6.pem" "IPv6 outside"

# A device's CN is no dNSName, but OpenSSL checks a CN that reads as a
# host name (GnuTLS only a TLS server's): refused, and OpenSSL agrees.
refused "a device CN that is a host elsewhere" "CN 'phone.other.com' (no DNS name in the subjectAltName, so verifiers check the CN) is outside" \
    "$SIPCA" -d "$CA" issue device phone.other.com --key p256 --allow-foreign-names
twin phone device 'cn = phone.other.com' 'uri = sip:phone.other.com@example.com'
expect_verdict "openssl=nc certtool=ok" "$CA/ca.pem" "$T/twin/phone.pem" "the device CN, made by certtool"
# A CN-only server certificate: both take the CN.
twin cnonly server 'cn = sip.other.com'
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$T/twin/cnonly.pem" "a CN-only server certificate"
lints_violation "$T/twin/cnonly.pem" "a CN-only server certificate"
twin cnonly_in server 'cn = sip.example.com'
expect_verdict "openssl=ok certtool=ok" "$CA/ca.pem" "$T/twin/cnonly_in.pem" "a CN-only certificate inside"
expect_exit 0 "lint --ca: a CN-only certificate inside" "$SIPCA" lint --ca "$CA/ca.pem" --profile chain "$T/twin/cnonly_in.pem"

# A sip: URI host outside the subtree: verifiers hold only dNSNames to
# DNS subtrees and accept it, but an RFC 5922 client takes the URI as the
# identity, so sipca refuses it (README: its stricter reading).
refused "a sip: URI host outside" "host 'sip.other.com' of URI 'sip:sip.other.com' is outside the CA's permitted DNS subtree 'example.com'" \
    "$SIPCA" -d "$CA" issue server sip3.example.com --key p256 --uri sip:sip.other.com --allow-foreign-names
twin urihost server 'cn = sip3.example.com' 'dns_name = sip3.example.com' 'uri = sip:sip.other.com'
expect_verdict "openssl=ok certtool=ok" "$CA/ca.pem" "$T/twin/urihost.pem" "a sip: URI host outside (verifiers do not check it)"
lints_violation "$T/twin/urihost.pem" "a sip: URI host outside"

# The outputs carry the rule like any other.
expect_exit 1 "lint --format json" "$SIPCA" lint --format json --ca "$CA/ca.pem" "$T/twin/evil.pem"
expect_grep '"rule":"chain.name_constraints","severity":"fatal","message":"DNS name '"'"'evil-example.com'"'"' is outside' \
    "$T/stdout" "JSON finding"
expect_exit 1 "lint --format sarif" "$SIPCA" lint --format sarif --ca "$CA/ca.pem" "$T/twin/evil.pem"
expect_grep '"ruleId":"chain.name_constraints"' "$T/stdout" "SARIF result"
expect_exit 0 "lint --list-rules" "$SIPCA" lint --list-rules
expect_grep "chain.name_constraints" "$T/stdout" "the rule is listed"

# Batch: the refused row is not issued (exit 1: "the guard refused some
# rows"), the others are; a batch of refused rows leaves the store as it was.
printf 'kind,name,uri,dns,ip,key,days,csr\nserver,sip.other.com,,,,p256,,\nserver,sip5.example.com,,,192.0.2.5,p256,,\n' > "$T/mixed.csv"
expect_exit 1 "batch with a row outside" "$SIPCA" -d "$CA" issue --batch "$T/mixed.csv" --quiet --allow-foreign-names --force
expect_grep "sip.other.com: lint: fatal chain.name_constraints: DNS name 'sip.other.com' is outside" "$T/stderr" "batch names the row's name"
check "batch: the refused row is not in the store" test ! -e "$CA/issued/sip.other.com"
expect_verdict "openssl=ok certtool=ok" "$CA/ca.pem" "$CA/issued/sip5.example.com/cert.pem" "batch: the row inside"
printf 'kind,name,uri,dns,ip,key,days,csr\nserver,sip6.example.com,,,192.0.9.9,p256,,\nserver,evil-example.com,,,,p256,,\n' > "$T/bad.csv"
snapshot "$CA" > "$T/.before"
expect_exit 1 "batch of refused rows" "$SIPCA" -d "$CA" issue --batch "$T/bad.csv" --quiet --allow-foreign-names --force
expect_grep "IP address '192.0.9.9' is outside" "$T/stderr" "batch: the IP row"
expect_grep "DNS name 'evil-example.com' is outside" "$T/stderr" "batch: the sibling row"
expect_unchanged "$T/.before" "$CA" "batch of refused rows"

# ---- IPv4 ranges only: OpenSSL rejects any IPv6 address, GnuTLS does not ----
CA=$T/v4
new_ca "$CA" --name-constraints --permit-ip 192.0.2.0/24
refused "an IPv6 address under IPv4 ranges" "IP address '2001:db8::1' is outside the CA's permitted IP subtree '192.0.2.0/24' (none is IPv6, and OpenSSL rejects it)" \
    "$SIPCA" -d "$CA" issue server sip.example.com --key p256 --ip 2001:db8::1
twin v6 server 'cn = sip.example.com' 'dns_name = sip.example.com' 'ip_address = 2001:db8::1'
expect_verdict "openssl=nc certtool=ok" "$CA/ca.pem" "$T/twin/v6.pem" "IPv6 under IPv4 ranges, made by certtool"
accepted sip.example.com "an IPv4 address under IPv4 ranges" \
    "$SIPCA" -d "$CA" issue server sip.example.com --key p256 --ip 192.0.2.1

# ---- excluded subtrees: init writes none, so the CA certificate is made
# again by certtool with the store's key, the same name, and permitted and
# excluded subtrees (a CA certificate re-issued with constraints). What the
# store issued before now renews only inside them. ----
CA=$T/ex
new_ca "$CA"
expect_exit 0 "issue bad.example.com before the constraints" "$SIPCA" -d "$CA" issue server bad.example.com --key p256
expect_exit 0 "issue an IP before the constraints" "$SIPCA" -d "$CA" issue server sip.example.com --key p256 --ip 192.0.2.200
cat > "$T/ex.tmpl" <<EOF
cn = "example.com SIP CA"
ca
cert_signing_key
crl_signing_key
path_len = 0
expiration_days = 3000
nc_permit_dns = example.com
nc_exclude_dns = bad.example.com
nc_permit_ip = 192.0.2.0/24
nc_exclude_ip = 192.0.2.128/25
EOF
certtool --generate-self-signed --load-privkey "$CA/ca.key" --template "$T/ex.tmpl" \
    --outfile "$T/ex.pem" >/dev/null 2>&1 || fail "certtool: the constrained CA"
expect_grep "Excluded" "$(openssl x509 -in "$T/ex.pem" -noout -text > "$T/ex.txt"; echo "$T/ex.txt")" "the CA has excluded subtrees"
cp "$T/ex.pem" "$CA/ca.pem"
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$CA/issued/bad.example.com/cert.pem" "a name in the excluded subtree"
expect_verdict "openssl=nc certtool=nc" "$CA/ca.pem" "$CA/issued/sip.example.com/cert.pem" "an IP in the excluded range"
refused "renew into an excluded DNS subtree" "DNS name 'bad.example.com' is in the CA's excluded DNS subtree 'bad.example.com'" \
    "$SIPCA" -d "$CA" renew bad.example.com
refused "renew into an excluded DNS subtree, --force" "which --force cannot override" \
    "$SIPCA" -d "$CA" renew bad.example.com --force
refused "renew into an excluded IP range" "IP address '192.0.2.200' is in the CA's excluded IP subtree '192.0.2.128/25'" \
    "$SIPCA" -d "$CA" renew sip.example.com
refused "issue under an excluded subtree" "DNS name 'x.bad.example.com' is in the CA's excluded DNS subtree 'bad.example.com'" \
    "$SIPCA" -d "$CA" issue server x.bad.example.com --key p256
accepted notbad.example.com "beside the excluded subtree" \
    "$SIPCA" -d "$CA" issue server notbad.example.com --key p256 --ip 192.0.2.127
refused "an IP just inside the excluded range" "IP address '192.0.2.128' is in the CA's excluded" \
    "$SIPCA" -d "$CA" issue server sip7.example.com --key p256 --ip 192.0.2.128
expect_exit 1 "lint --ca: the excluded name" "$SIPCA" lint --ca "$CA/ca.pem" "$CA/issued/bad.example.com/cert.pem"
expect_grep "is in the CA's excluded DNS subtree 'bad.example.com'" "$T/stdout" "lint --ca names the excluded subtree"

# A path: the root's constraints hold under an intermediate without any
# (RFC 5280 6.1.4 (g)), for lint given both CAs.
printf 'cn = "Issuing SIP CA"\nca\ncert_signing_key\ncrl_signing_key\npath_len = 0\nexpiration_days = 100\n' > "$T/inter.tmpl"
certtool --generate-privkey --key-type ecdsa --outfile "$T/inter.key" >/dev/null 2>&1
certtool --generate-certificate --load-privkey "$T/inter.key" --load-ca-certificate "$CA/ca.pem" \
    --load-ca-privkey "$CA/ca.key" --template "$T/inter.tmpl" --outfile "$T/inter.pem" >/dev/null 2>&1 ||
	fail "certtool: the intermediate"
printf 'cn = x\ndns_name = sip.bad.example.com\nexpiration_days = 30\nsigning_key\ntls_www_server\n' > "$T/deep.tmpl"
certtool --generate-certificate --load-privkey "$T/twin.key" --load-ca-certificate "$T/inter.pem" \
    --load-ca-privkey "$T/inter.key" --template "$T/deep.tmpl" --outfile "$T/deep.pem" >/dev/null 2>&1 ||
	fail "certtool: the leaf under the intermediate"
cat "$T/deep.pem" "$T/inter.pem" > "$T/deep-chain.pem"
openssl verify -x509_strict -CAfile "$CA/ca.pem" -untrusted "$T/inter.pem" "$T/deep.pem" > "$T/deep.ossl" 2>&1
expect_grep "excluded subtree violation" "$T/deep.ossl" "openssl rejects the leaf under the intermediate"
certtool --verify --load-ca-certificate "$CA/ca.pem" --infile "$T/deep-chain.pem" > "$T/deep.gtls" 2>&1
expect_grep "^Chain verification output: .*violates the signer's constraints" "$T/deep.gtls" \
    "certtool rejects the leaf under the intermediate"
expect_exit 1 "lint --ca root --ca intermediate" "$SIPCA" lint --ca "$CA/ca.pem" --ca "$T/inter.pem" --profile chain "$T/deep.pem"
expect_grep "DNS name 'sip.bad.example.com' is in the CA's excluded DNS subtree 'bad.example.com' (the constraints of .*ca.pem#1, a CA above the issuing one)" \
    "$T/stdout" "lint names the root's subtree"
expect_exit 0 "lint --ca intermediate alone: no constraints" "$SIPCA" lint --ca "$T/inter.pem" --profile chain "$T/deep.pem"

# ---- URI subtrees (a CA made by OpenSSL; sipca writes none): OpenSSL
# rejects a sip: URI under permitted URI subtrees, GnuTLS every URI under
# an excluded one; sipca lint --ca reports exactly those. ----
for mode in "permitted;URI:.example.com" "excluded;URI:other.com"; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/uri.key" -out "$T/uri.pem" -subj "/CN=URI CA" -days 30 \
	    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -addext "nameConstraints=critical,$mode" >/dev/null 2>&1 || fail "openssl: a CA with $mode"
	for uri in sip:www.example.com https://www.example.com/a https://www.other.com/; do
		printf 'subjectAltName=URI:%s,DNS:www.example.com\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$uri" > "$T/uri.ext"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/leaf.key" \
		    -subj "/CN=www.example.com" 2>/dev/null |
		    openssl x509 -req -CA "$T/uri.pem" -CAkey "$T/uri.key" -CAcreateserial \
		    -CAserial "$T/uri.srl" -days 10 -extfile "$T/uri.ext" -out "$T/leaf.pem" >/dev/null 2>&1 ||
			fail "openssl: a leaf with $uri"
		v=$(verdict "$T/uri.pem" "$T/leaf.pem")
		"$SIPCA" lint --ca "$T/uri.pem" --profile chain "$T/leaf.pem" > "$T/uri.out" 2>&1
		rc=$?
		TESTS_RUN=$((TESTS_RUN + 1))
		case $v in *other*) fail "$mode $uri: a verifier failed for another reason: $v" ;; esac
		if [ "$v" = "openssl=ok certtool=ok" ]; then
			[ "$rc" = 0 ] || fail "$mode $uri: both verifiers accept, sipca lint exits $rc"
		else
			[ "$rc" = 1 ] && grep -q "chain.name_constraints" "$T/uri.out" ||
				fail "$mode $uri: $v, sipca lint exits $rc"
		fi
	done
done

finish
