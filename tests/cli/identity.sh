#!/bin/sh
# RFC 5922 section 7.1 read once: sipca lint --sip-domain, sipca probe and
# the issuance guard (sipca issue, then show) give one verdict on a table
# of identity sets, the edge cases included: a sip: URI without a valid
# host next to a DNS name, a URI with a user part only, sips:, a DNS name
# equal to the domain, a wildcard DNS name, a NUL inside a URI or a DNS
# name, no subjectAltName (the CN only). Certificates are built at test
# time by tests/lint/mkcert.py; probe talks to gnutls-serv serving each.
# A network namespace of its own (tests/netns.sh): gnutls-serv listens
# on every address.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

here=$(cd "$(dirname "$0")/.." && pwd)
DOMAIN=example.com
HOST=sip.example.com

# hex TEXT: the octets of TEXT in hex, for --san-hex and --cn-hex.
hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# What each tool calls the identity set (sipid_set_name()).
set_text() {
	case $1 in
	uri) echo "sip: URIs" ;;
	dns) echo "DNS names" ;;
	cn) echo "CN" ;;
	none) echo "no identity" ;;
	esac
}

cd "$T" || exit 1
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
NB=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
NA=$(date -u -d '+300 days' +%Y-%m-%dT%H:%M:%SZ)
python3 "$here/lint/mkcert.py" --key ca.key --sign ca.key --cn "Test CA" --bc ca \
    --ku keyCertSign,cRLSign --ku-critical --ski --not-before "$NB" \
    --not-after "$NA" -o ca.pem || fail "mkcert CA"

# cert NAME [mkcert options]: a server certificate like sipca's, from Test CA.
cert() {
	name=$1; shift
	# shellcheck disable=SC2068
	python3 "$here/lint/mkcert.py" --key leaf.key --sign ca.key --issuer-cn "Test CA" \
	    --eku server,client --ku digitalSignature --ku-critical --ski --aki \
	    --not-before "$NB" --not-after "$NA" "$@" -o "$name.pem" ||
	    fail "mkcert $name"
}

# lint_verdict CERT: "yes SET" when the domain is an identity, "no SET"
# when rfc5922.sip_domain_missing fires (lint names the set only then).
lint_verdict() {
	timeout 30 "$SIPCA" lint --role server --profile rfc5922 --sip-domain "$DOMAIN" \
	    "$1" > lint.out 2>&1
	rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "exit $rc"
	elif grep -q "rfc5922.sip_domain_missing" lint.out; then
		echo "no $(sed -n "s/.*RFC 5922 identities (\([^)]*\)).*/\1/p" lint.out | head -1)"
	else
		echo "yes"
	fi
}

# probe_verdict CERT KEY CA: what probe's sip-domain check says of
# gnutls-serv serving CERT: "yes SET" or "no SET".
probe_verdict() {
	PORT=$(free_port)
	start_bg serv.log gnutls-serv --echo --crlf -p "$PORT" --x509certfile "$1" \
	    --x509keyfile "$2"
	serv=$BG_PID
	if ! wait_port "$PORT"; then
		stop_bg "$serv"
		echo "gnutls-serv did not listen"
		return
	fi
	timeout 30 "$SIPCA" probe "$HOST" --connect "127.0.0.1:$PORT" --ca "$3" \
	    --sip-domain "$DOMAIN" > probe.out 2>&1
	stop_bg "$serv"
	if grep -q "^ok *sip-domain: '$DOMAIN' is among the certificate's " probe.out; then
		echo "yes $(sed -n "s/^ok *sip-domain: '[^']*' is among the certificate's \(.*\): '.*/\1/p" probe.out)"
	elif grep -q "^fail *sip-domain: '$DOMAIN' is not among" probe.out; then
		echo "no $(sed -n "s/^fail *sip-domain: .* identities (\([^;]*\);.*/\1/p" probe.out)"
	else
		echo "no sip-domain line"
	fi
}

# agree ROW WANT SET LINT PROBE: the verdicts against the table's.
agree() {
	a_row=$1 a_want=$2 a_set=$(set_text "$3") a_lint=$4 a_probe=$5
	if [ "$a_want" = yes ]; then
		check "$a_row: lint finds '$DOMAIN' ($a_lint)" test "$a_lint" = "yes"
	else
		check "$a_row: lint does not find '$DOMAIN' in the $a_set ($a_lint)" \
		    test "$a_lint" = "no $a_set"
	fi
	check "$a_row: probe says $a_want, in the $a_set ($a_probe)" \
	    test "$a_probe" = "$a_want $a_set"
}

URI_NUL=$(hex sip:example.com)00$(hex .evil.com)
DNS_NUL=$(hex example.com)00$(hex .evil.com)
CN_NUL=0c:$(hex example.com)00$(hex .evil.com)

# ROW|VERDICT|SET|mkcert names|issue options, or - when issue cannot
# make this set. A server certificate with --cn sip.example.com unless
# the row names its own CN. The fields are split into words, not globs.
set -f
while IFS='|' read -r row want set names issue; do
	[ -n "$row" ] || continue
	case $names in
	*--cn*) ;;
	*) names="--cn $HOST $names" ;;
	esac
	# shellcheck disable=SC2086
	cert "$row" $names
	lv=$(lint_verdict "$row.pem")
	pv=$(probe_verdict "$row.pem" leaf.key ca.pem)
	agree "$row" "$want" "$set" "$lv" "$pv"
	[ "$issue" = "-" ] && continue

	# The same set from sipca issue: the guard's verdict (it refuses a
	# server certificate without the store's domain), show's SAN, and
	# lint and probe on what was issued.
	dir=$T/store-$row
	new_ca "$dir"
	# shellcheck disable=SC2086
	timeout 60 "$SIPCA" -d "$dir" issue server "$HOST" --key p256 $issue \
	    > issue.out 2> issue.err
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q "rfc5922.sip_domain_missing" issue.err; then
		iv=yes
	else
		iv="no (exit $rc)"
	fi
	check "$row: issue says $want ($iv)" test "$iv" = "$want"
	timeout 30 "$SIPCA" -d "$dir" show "$HOST" > show.out 2>&1
	shown=$(python3 -c '
import re, sys
lines = open(sys.argv[1]).read().splitlines()
sans, inside = [], False
for l in lines:
    if l.startswith("SAN "):
        inside = True
        sans.append(l[3:].strip())
    elif inside and l.startswith(" "):
        sans.append(l.strip())
    else:
        inside = False
print(" ".join(sorted(sans)))' show.out)
	made=$(echo "$names" | sed 's/--cn [^ ]* *//; s/--san //g' | tr ' ' '\n' |
	    grep . | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
	check "$row: issue made the table's set ($shown)" test "$shown" = "$made"
	lv=$(lint_verdict "$dir/issued/$HOST/cert.pem")
	pv=$(probe_verdict "$dir/issued/$HOST/chain.pem" "$dir/issued/$HOST/key.pem" \
	    "$dir/ca.pem")
	agree "$row, issued" "$want" "$set" "$lv" "$pv"
done <<EOF
issued|yes|uri|--san URI:sip:example.com --san DNS:example.com --san DNS:sip.example.com|
no-domain-dns|yes|uri|--san URI:sip:example.com --san DNS:sip.example.com|--no-domain-dns
with-sips|yes|uri|--san URI:sip:example.com --san DNS:example.com --san DNS:sip.example.com --san URI:sips:example.com|--uri sips:example.com
with-user|yes|uri|--san URI:sip:example.com --san DNS:example.com --san DNS:sip.example.com --san URI:sip:alice@example.com|--uri sip:alice@example.com
with-wildcard|yes|uri|--san URI:sip:example.com --san DNS:example.com --san DNS:sip.example.com --san DNS:*.example.com|--dns *.example.com --allow-wildcard --force
uri-no-host|yes|dns|--san URI:sip: --san DNS:example.com|-
uri-params-no-host|yes|dns|--san URI:sip:;transport=tls --san DNS:example.com|-
user-only|no|none|--san URI:sip:alice@example.com|-
user-and-dns|yes|dns|--san URI:sip:alice@example.com --san DNS:example.com|-
sips-only|no|none|--san URI:sips:example.com|-
sips-and-dns|yes|dns|--san URI:sips:example.com --san DNS:example.com|-
dns-is-domain|yes|dns|--san DNS:example.com|-
dns-other|no|dns|--san DNS:sip.example.com|-
dns-wildcard|no|dns|--san DNS:*.example.com|-
uri-shadows-dns|no|uri|--san URI:sip:sip.example.com --san DNS:example.com|-
uri-nul-and-dns|yes|dns|--san-hex URI:$URI_NUL --san DNS:example.com|-
uri-nul-only|no|none|--san-hex URI:$URI_NUL|-
dns-nul|no|none|--san-hex DNS:$DNS_NUL|-
cn-only|yes|cn|--cn example.com|-
cn-other|no|cn|--cn sip.example.com|-
cn-nul|no|cn|--cn-hex $CN_NUL|-
EOF
set +f

finish
