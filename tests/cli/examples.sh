#!/bin/sh
# examples/: each recipe's files.sh runs against a fresh CA, and the
# files its configuration names are the ones sipca wrote, holding what
# the device or server expects (certificate, CA, matching key).
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
E=$top/examples
D=$T/ca
new_ca "$D"
export SIPCA SIPCA_DIR="$D"
for n in pbx.example.com fs.example.com sipx.example.com; do
	"$SIPCA" issue server "$n" --key p256 >/dev/null || fail "issue $n"
done
"$SIPCA" issue device yealink-0015651234ab --key rsa2048 >/dev/null || fail "issue phone"

# key_matches CERTFILE KEYFILE
key_matches() {
	openssl x509 -in "$1" -noout -pubkey > "$T/p1" 2>/dev/null &&
	openssl pkey -in "$2" -pubout > "$T/p2" 2>/dev/null && cmp -s "$T/p1" "$T/p2"
}
certs_in() { grep -c 'BEGIN CERTIFICATE' "$1"; }

# Asterisk: every *_file in pjsip.conf, made under a stand-in root.
mkdir -p "$T/asterisk/etc/asterisk/keys"
check "asterisk files.sh" sh "$E/asterisk/files.sh" "$T/asterisk/etc/asterisk/keys"
for f in $(sed -n 's/^[a-z_]*_file *= *//p' "$E/asterisk/pjsip.conf"); do
	check "pjsip.conf names $f, which files.sh made" test -s "$T/asterisk$f"
done
check "asterisk key matches its certificate" \
    key_matches "$T/asterisk/etc/asterisk/keys/asterisk.pem" "$T/asterisk/etc/asterisk/keys/asterisk.key"
check "asterisk CA is the CA" cmp -s "$T/asterisk/etc/asterisk/keys/ca.pem" "$D/ca.pem"
check "asterisk verifies" openssl verify -CAfile "$D/ca.pem" "$T/asterisk/etc/asterisk/keys/asterisk.pem"
[ "$(stat -c %a "$T/asterisk/etc/asterisk/keys/asterisk.key")" = 600 ] && ok || fail "asterisk key not 0600"
[ "$(grep -c 'BEGIN' "$T/asterisk/etc/asterisk/keys/asterisk.key")" = 1 ] &&
    grep -q '^-----BEGIN PRIVATE KEY-----$' "$T/asterisk/etc/asterisk/keys/asterisk.key" && ok ||
    fail "asterisk priv_key_file: the PKCS#8 key alone, not a bundle"

# FreeSWITCH: agent.pem = certificate + CA + key; cafile.pem = CA.
mkdir -p "$T/fs"
check "freeswitch files.sh" env SERVER=fs.example.com sh "$E/freeswitch/files.sh" "$T/fs"
[ "$(certs_in "$T/fs/agent.pem")" = 2 ] && ok || fail "agent.pem: certificate and CA"
check "agent.pem key matches" key_matches "$T/fs/agent.pem" "$T/fs/agent.pem"
check "cafile.pem is the CA" cmp -s "$T/fs/cafile.pem" "$D/ca.pem"
check "internal-tls.xml parses" python3 -c 'import sys,xml.etree.ElementTree as E; E.fromstring("<s>"+open(sys.argv[1]).read()+"</s>")' "$E/freeswitch/internal-tls.xml"
expect_grep 'tls-cert-dir' "$E/freeswitch/internal-tls.xml" "freeswitch profile names tls-cert-dir"

# sipXcom: CA, certificate, key.
mkdir -p "$T/sipx"
check "sipxcom files.sh" env SERVER=sipx.example.com sh "$E/sipxcom/files.sh" "$T/sipx"
check "sipx key matches" key_matches "$T/sipx/sipx.example.com.crt" "$T/sipx/sipx.example.com.key"
check "sipx DER" openssl x509 -inform der -in "$T/sipx/sipx.example.com.der" -noout

# Polycom: well-formed XML whose customCaCert1 is the CA's PEM, BEGIN and
# END lines included (an XML parser turns its line breaks into spaces).
mkdir -p "$T/poly"
check "polycom files.sh" sh "$E/polycom/files.sh" "$T/poly"
python3 - "$T/poly/sipca-tls.cfg" "$D/ca.pem" > "$T/poly.out" 2>&1 <<'PY' && ok || { fail "polycom cfg"; cat "$T/poly.out" >&2; }
import base64, ssl, sys, xml.etree.ElementTree as E
dev = E.parse(sys.argv[1]).getroot().find("device")
v = dev.get("device.sec.TLS.customCaCert1")
head, tail = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
assert v.startswith(head) and v.endswith(tail), "no PEM armour: " + v[:40]
der = base64.b64decode("".join(v[len(head):-len(tail)].split()))
assert der == ssl.PEM_cert_to_DER_cert(open(sys.argv[2]).read()), "not the CA"
PY
check "customCaCert1 holds the CA's PEM lines as sipca exported them" \
    sh -c "grep -F -x -f '$D/ca.pem' '$T/poly/sipca-tls.cfg' | wc -l | grep -qx \$((\$(wc -l < '$D/ca.pem') - 2))"

# Every recipe fails loudly when sipca does, and leaves what it wrote
# before as it was: pushing a blank CA would replace the phone's CA.
cp "$T/poly/sipca-tls.cfg" "$T/poly.good"
for r in polycom yealink asterisk freeswitch sipxcom; do
	expect_exit 1 "$r files.sh stops when sipca fails" \
	    env SIPCA=false PHONE=x SERVER=x sh "$E/$r/files.sh" "$T/poly"
done
expect_exit 2 "polycom files.sh stops with sipca's status when the store is gone" \
    env SIPCA_DIR="$T/no-such-store" sh "$E/polycom/files.sh" "$T/poly"
expect_grep "no CA store" "$T/stderr" "sipca's own message reaches the admin"
check "the config written before is untouched" cmp -s "$T/poly/sipca-tls.cfg" "$T/poly.good"
# The same with a real sipca for the other recipes touched with Polycom:
# sipca's status, and nothing in the directory.
for r in asterisk yealink; do
	mkdir -p "$T/gone-$r"
	expect_exit 2 "$r files.sh stops with sipca's status when the store is gone" \
	    env SIPCA_DIR="$T/no-such-store" sh "$E/$r/files.sh" "$T/gone-$r"
	expect_grep "no CA store" "$T/stderr" "$r: sipca's own message reaches the admin"
	check "$r: nothing written" test -z "$(ls -A "$T/gone-$r")"
done
check "no temporary file is left" sh -c "! ls -A '$T/poly' | grep -q '^\.sipca'"

# Yealink: a trusted certificate and a server certificate with its key,
# each under 5 MB, with the extensions the guide allows.
mkdir -p "$T/yl"
check "yealink files.sh" sh "$E/yealink/files.sh" "$T/yl"
check "trusted certificate is the CA" cmp -s "$T/yl/sipca-ca.crt" "$D/ca.pem"
check "server certificate holds the matching key" \
    key_matches "$T/yl/yealink-0015651234ab.pem" "$T/yl/yealink-0015651234ab.pem"
for f in "$T/yl/sipca-ca.crt" "$T/yl/yealink-0015651234ab.pem"; do
	[ "$(stat -c %s "$f")" -lt 5242880 ] && ok || fail "$f over 5 MB"
done
for u in $(sed -n 's/^static\.[a-z_]*certificates\.url *= *//p' "$E/yealink/sipca.cfg"); do
	case $u in
	*.pem|*.cer|*.crt|*.der) test -e "$T/yl/$(basename "$u")" && ok ||
		fail "sipca.cfg fetches $(basename "$u"), which files.sh did not make" ;;
	*) fail "sipca.cfg URL with an extension Yealink refuses: $u" ;;
	esac
done

# One firmware's names throughout (V8x: "static." before every security
# and certificate parameter, README.md), not a mix of V8x and V7x names.
expect_no_grep '^security\.\|^[a-z_]*certificates\.url' "$E/yealink/sipca.cfg" \
    "sipca.cfg has no V7x (unprefixed) security names"
[ "$(grep -c '^static\.security\.' "$E/yealink/sipca.cfg")" = 4 ] && ok ||
    fail "sipca.cfg sets the four static.security parameters"

# CI: the YAML parses; the workflow uses sipca's action (action.yml,
# whose steps tests/cli/action.sh runs), the GitLab job the action's lint
# step; neither clones a placeholder URL.
for y in "$E/ci/github-actions.yml" "$E/ci/gitlab-ci.yml"; do
	check "$(basename "$y") parses" python3 -c 'import sys,yaml; yaml.safe_load(open(sys.argv[1]))' "$y"
	expect_no_grep "example.org" "$y" "$(basename "$y") names no placeholder repository"
done
expect_grep "uses: sipca/sipca@v" "$E/ci/github-actions.yml" "the workflow uses the action at a release tag"
expect_grep "scripts/ci-lint.sh" "$E/ci/gitlab-ci.yml" "the GitLab job runs the action's lint step"
# What the jobs run, on a directory like a repository's certs/.
mkdir -p "$T/certs"
cp "$D/ca.pem" "$T/certs/ca.pem"
cp "$D/issued/pbx.example.com/cert.pem" "$T/certs/pbx.pem"
"$SIPCA" lint --format sarif "$T/certs/" > "$T/lint.sarif" 2>"$T/lint.err"
[ $? -le 1 ] && ok || fail "sipca lint --format sarif failed: $(cat "$T/lint.err")"
check "the SARIF is SARIF 2.1.0" python3 -c 'import sys,json; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0" and d["runs"]' "$T/lint.sarif"
expect_grep "upload-sarif" "$E/ci/github-actions.yml" "github workflow uploads SARIF"

# systemd: the unit is one systemd itself reads without a complaint
# (systemd-analyze verify, the binary's path put where this build is),
# hardened (systemd-analyze security: exposure at most 2.0 of 10), and its
# ExecStart, with its Environment, serves from the store it names.
# What verify says of the units given: it loads what they are wanted by
# (multi-user.target) and so every unit the system has enabled there,
# whose complaints (freeradius.service's MemoryLimit=, for
# tests/cli/eap_radius.sh) are the system's packages', not ours.
unit_verify() {
	out=$(systemd-analyze verify "$@" 2>&1 | grep -v -e '^/lib/systemd/' \
	    -e '^/usr/lib/systemd/' -e '^/etc/systemd/')
	[ -z "$out" ] || { echo "$out"; return 1; }
	systemd-analyze verify "$@" >/dev/null 2>&1
}
U=$E/systemd/sipca-serve.service
SIPCA_ABS=$(command -v "$SIPCA")
sed -e "s|/usr/bin/sipca|$SIPCA_ABS|" -e '/^Documentation=/d' "$U" > "$T/sipca-serve.service"
check "systemd-analyze verify: no complaint" unit_verify "$T/sipca-serve.service"
systemd-analyze security --offline=true "$T/sipca-serve.service" > "$T/security" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security")
echo "systemd-analyze security: the unit: exposure ${exposure:-?}"
check "systemd-analyze security: exposure ${exposure:-?} <= 2.0" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
for k in NoNewPrivileges=yes ProtectSystem=strict ReadWritePaths=/var/lib/sipca User=sipca \
    CapabilityBoundingSet=; do
	expect_grep "^$k\$" "$U" "the unit has $k"
done
expect_no_grep "^AmbientCapabilities" "$U" "the unit itself grants no capability"
# The drop-in for ports under 1024: the one capability, read by systemd
# as a drop-in of the unit (verify looks for NAME.service.d/ beside it).
mkdir "$T/sipca-serve.service.d"
cp "$E/systemd/sipca-serve.service.d/low-ports.conf" "$T/sipca-serve.service.d/"
check "systemd-analyze verify with the low-ports drop-in: no complaint" \
    unit_verify "$T/sipca-serve.service"
check "the drop-in grants CAP_NET_BIND_SERVICE only" sh -c \
    '[ "$(grep -c "^[A-Za-z]*=" "$1")" = 2 ] && grep -qx "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" "$1" &&
     grep -qx "AmbientCapabilities=CAP_NET_BIND_SERVICE" "$1"' sh "$T/sipca-serve.service.d/low-ports.conf"
cat "$T/sipca-serve.service" > "$T/low.service"
sed -n '/^\[Service\]/,$p' "$T/sipca-serve.service.d/low-ports.conf" | sed 1d >> "$T/low.service"
systemd-analyze security --offline=true "$T/low.service" > "$T/security" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security")
echo "systemd-analyze security: the unit with the drop-in's lines: exposure ${exposure:-?}"
check "systemd-analyze security with CAP_NET_BIND_SERVICE: exposure ${exposure:-?} <= 2.0" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
rm -rf "$T/sipca-serve.service.d"
PORT=$(free_port)
"$SIPCA" -d "$D" config serve-http 127.0.0.1:$PORT >/dev/null 2>&1
"$SIPCA" -d "$D" config serve-listen 127.0.0.1:0 >/dev/null 2>&1
"$SIPCA" -d "$D" config serve-name pbx.example.com >/dev/null 2>&1
cmd=$(sed -n "s|^ExecStart=/usr/bin/sipca ||p" "$U")
start_bg "$T/unit.log" env SIPCA_DIR="$D" "$SIPCA" $cmd
check "the unit's ExecStart serves" wait_port $PORT
check "and hands out the CA" sh -c 'curl -sS --max-time 10 "http://127.0.0.1:$1/ca.pem" | cmp - "$2"' \
    sh $PORT "$D/ca.pem"
stop_bg "$BG_PID"
expect_grep "^Environment=SIPCA_DIR=/var/lib/sipca$" "$U" "the unit names the store it writes"

# The renewal timer and its service: the README's cron line as units.
# Both verify together (the timer starts the service of its name), the
# service is hardened as the serve unit is, and its ExecStart lines, run
# in order on the store, renew and check it.
for f in sipca-renew.service sipca-renew.timer; do
	sed -e "s|/usr/bin/sipca|$SIPCA_ABS|" -e '/^Documentation=/d' \
	    -e '/^ConditionPathExists=/d' "$E/systemd/$f" > "$T/$f"
done
check "systemd-analyze verify of the renewal units: no complaint" \
    unit_verify "$T/sipca-renew.timer" "$T/sipca-renew.service"
systemd-analyze security --offline=true "$T/sipca-renew.service" > "$T/security" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security")
check "systemd-analyze security of the renewal: exposure ${exposure:-?} <= 2.0" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
expect_grep "^RandomizedDelaySec=" "$E/systemd/sipca-renew.timer" "the timer's start is randomised"
expect_grep "^OnCalendar=" "$E/systemd/sipca-renew.timer" "the timer is daily"
sed -n "s|^ExecStart=/usr/bin/sipca ||p" "$E/systemd/sipca-renew.service" > "$T/renew.cmds"
check "the renewal service renews, then checks" sh -c \
    'test "$(cat "$1")" = "$(printf "renew --expiring 30\ncheck")"' sh "$T/renew.cmds"
while read -r cmd; do
	expect_exit 0 "the renewal unit's 'sipca $cmd'" env SIPCA_DIR="$D" "$SIPCA" $cmd
done < "$T/renew.cmds"

# SCEP: the batch file makes one challenge per row, in the README's form.
check "examples/scep/fleet.csv makes challenges" "$SIPCA" issue --batch \
    "$E/scep/fleet.csv" --scep-challenges "$T/challenges.csv" --ttl 7d --quiet
check "a challenge for each of fleet.csv's rows" sh -c \
    '[ "$(grep -c "^[0-9a-f]*,[A-Z2-7]\{26\},20[0-9-]*T[0-9:]*Z" "$1")" = "$(($(wc -l < "$2") - 1))" ]' \
    sh "$T/challenges.csv" "$E/scep/fleet.csv"
check "the README's header is the file's" sh -c \
    'head -1 "$1" | tr -d "\r" | grep -qx "name,challenge,expires" && grep -q "^    name,challenge,expires" "$2"' \
    sh "$T/challenges.csv" "$E/scep/README.md"

# SCEP, the phones: each family's file names its source, firmware, uses
# and fingerprint form; every URL in it is on sipca.example.com:8080 and
# its path is one sipca serve --scep answers (SCEP's GetCACaps, or the CA
# certificate); the fingerprint form it names is one 'sipca scep' prints.
SPORT=$(free_port)
start_bg "$T/scep-serve.log" "$SIPCA" -d "$D" serve --scep --http 127.0.0.1:$SPORT
SSERVE=$BG_PID
check "serve --scep for the phone examples listens" wait_port $SPORT
"$SIPCA" -d "$D" scep > "$T/scep.fp" 2>/dev/null
n=0
for f in "$E"/scep/*.txt "$E"/scep/*.cfg; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	b=$(basename "$f")
	for k in sipca-example source firmware uses fingerprint; do
		expect_grep "^#* *$k: ." "$f" "$b names its $k"
	done
	grep -oE 'https?://[A-Za-z0-9][^ "]*' "$f" | sort -u > "$T/urls"
	check "$b points the phone at sipca serve" grep -q 'pkiclient\.exe$' "$T/urls"
	while read -r u; do
		case $u in
		http://sipca.example.com:8080/*) ;;
		*) fail "$b: $u is not on sipca.example.com:8080, the host the steps serve on"; continue ;;
		esac
		path=${u#http://sipca.example.com:8080}
		case $path in
		*pkiclient.exe|/scep)
			code=$(curl -sS --max-time 10 -o "$T/caps" -w '%{http_code}' \
			    "http://127.0.0.1:$SPORT$path?operation=GetCACaps" 2>&1)
			check "$b: sipca serve answers SCEP on $path" sh -c \
			    "[ '$code' = 200 ] && grep -q '^SCEPStandard' '$T/caps'" ;;
		*)
			check "$b: sipca serve hands out $path" curl -sSf --max-time 10 \
			    -o /dev/null "http://127.0.0.1:$SPORT$path" ;;
		esac
	done < "$T/urls"
	form=$(sed -n 's/^#* *fingerprint: \(ca\|ra\|root\) \([a-z0-9-]*\).*/\1 \2/p' "$f")
	if [ -n "$form" ]; then
		expect_grep "^$form " "$T/scep.fp" "$b: 'sipca scep' prints the '$form' it names"
	else
		expect_grep "^#* *fingerprint: \(none\|unknown\) " "$f" "$b: a fingerprint form, or none/unknown"
	fi
done
check "a file per SCEP family in examples/scep (4)" test "$n" -eq 4
stop_bg "$SSERVE"
check "examples/scep/README.md says none was found for Yealink, Grandstream, Snom" \
    grep -q "Yealink, Grandstream and Snom: no SCEP was found" "$E/scep/README.md"

# Every recipe has a README.
for d in "$E"/*/; do
	case $d in */kamailio/) continue ;; esac
	check "README in $(basename "$d")" test -s "$d/README.md"
done
finish
