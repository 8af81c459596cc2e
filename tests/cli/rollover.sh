#!/bin/sh
# A CA key rollover without touching every phone on one day: rollover
# start (a new root and issuing CA, bridged both ways), the trust bundle,
# switch, leaves of both generations verified by openssl and certtool
# with only the old root, only the new one, and both, and in real TLS
# handshakes (gnutls-serv and gnutls-cli, both directions); renew,
# finish, check; a single-level store (no bridge possible: pathLen 0); a
# switch cut short by a crash; and the bad input, which changes nothing.
# A network namespace of its own (tests/netns.sh): gnutls-serv listens
# on every address.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
I=$CA/issued
printf 'the CA passphrase\n' > "$T/pass"
printf 'not the passphrase\n' > "$T/wrong"
sipca() { "$SIPCA" -d "$CA" "$@"; }
count() { grep -c 'BEGIN CERTIFICATE' "$1"; }
# the certificates of a chain file after the first
rest() { sed -n '/END CERTIFICATE/,$p' "$1" | tail -n +2; }

# verdict check|check_fails CHAINFILE CAFILE WHAT: openssl -x509_strict
# and certtool both accept (check) or both refuse (check_fails) the chain.
verdict() {
	rest "$2" > "$T/untrusted.pem"
	sed -n '1,/END CERTIFICATE/p' "$2" > "$T/leaf.pem"
	$1 "openssl: $4" openssl verify -x509_strict -CAfile "$3" \
	    -untrusted "$T/untrusted.pem" "$T/leaf.pem"
	$1 "certtool: $4" sh -c "certtool --verify --load-ca-certificate '$3' \
	    --infile '$2' | grep -q 'Chain verification output: Verified'"
}
verifies() { verdict check "$@"; }
refused() { verdict check_fails "$@"; }
# expect_refused DESCRIPTION ARGS...: exit 2, a message, the store as it was.
expect_refused() {
	d=$1; shift
	snapshot "$CA" > "$T/before"
	expect_exit 2 "$d" sipca "$@"
	expect_grep "sipca" "$T/stderr" "$d: a message"
	expect_unchanged "$T/before" "$CA" "$d"
}

# ---- a two-level CA with leaves ----
expect_exit 0 "init --intermediate" sipca init --domain example.com --key p256 \
    --intermediate --passphrase-file "$T/pass"
sipca issue server sip.example.com --key p256 --passphrase-file "$T/pass" >/dev/null ||
    fail "issue the server"
sipca issue device alice --key p256 --passphrase-file "$T/pass" >/dev/null ||
    fail "issue alice"
cp "$CA/root.pem" "$T/old-root.pem"
cp -r "$I/sip.example.com" "$T/old-server"

# ---- what is refused before a start ----
expect_refused "switch before start" rollover switch
expect_grep "run 'sipca rollover start' first" "$T/stderr" "switch says what comes first"
expect_refused "finish before start" rollover finish
expect_refused "start with the wrong passphrase" rollover start --passphrase-file "$T/wrong"
expect_grep "wrong passphrase" "$T/stderr" "the wrong passphrase is named"
expect_refused "start with --no-passphrase and --passphrase-file" rollover start \
    --no-passphrase --passphrase-file "$T/pass"
expect_refused "an unknown step" rollover begin
expect_refused "no step" rollover
expect_refused "--force with start" rollover start --force
expect_refused "--days with switch" rollover switch --days 30
expect_refused "a name too long" rollover start --passphrase-file "$T/pass" \
    --name "$(printf 'x%.0s' $(seq 1 70))"
expect_exit 0 "status with no rollover" sipca rollover status
expect_grep "^rollover: none" "$T/stdout" "status: none"

# The root key moved off the machine: start needs it back, by file.
expect_exit 0 "export --root-key --remove" sipca export --root-key -o "$T/root.key" --remove \
    --passphrase-file "$T/pass"
expect_refused "start without the root key" rollover start --passphrase-file "$T/pass"
expect_grep "root key" "$T/stderr" "the missing root key is named"
expect_refused "start with a key that is not the root's" rollover start \
    --passphrase-file "$T/pass" --root-key "$CA/ca.key"

# ---- start ----
expect_exit 0 "rollover start" sipca rollover start --passphrase-file "$T/pass" \
    --root-key "$T/root.key"
expect_grep "'example.com SIP CA G2'" "$T/stderr" "the new root is generation G2"
expect_grep "'example.com SIP Issuing CA G2'" "$T/stderr" "so is the new issuing CA"
expect_grep "bridge .*bridge.pem" "$T/stderr" "a bridge is made under a pathLen 2 root"
for f in next-root.pem next-ca.pem bridge.pem old-bridge.pem; do
	check "$f is there" test -s "$CA/$f"
done
for f in next-root.key next-ca.key; do
	check "$f is 0600" test "$(stat -c %a "$CA/$f")" = 600
	check "$f is encrypted" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$CA/$f"
done
check "the current root is untouched" cmp -s "$CA/root.pem" "$T/old-root.pem"
certtool -i --infile "$CA/next-root.pem" > "$T/next-root.txt"
expect_grep 'Path Length Constraint: 2' "$T/next-root.txt" "the new root: pathLen 2"
openssl x509 -in "$CA/bridge.pem" -noout -subject -issuer > "$T/bridge.txt"
expect_grep "subject=CN *= *example.com SIP CA G2" "$T/bridge.txt" "the bridge is the new root's name and key"
expect_grep "issuer=CN *= *example.com SIP CA$" "$T/bridge.txt" "signed by the old root"
expect_refused "a second start" rollover start --passphrase-file "$T/pass" --root-key "$T/root.key"
expect_grep "already under way" "$T/stderr" "a second start says a rollover is under way"
expect_exit 0 "check during the rollover" sipca check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check accepts the rollover's files"

# The trust bundle: both roots, for the phones to learn the new one.
expect_exit 0 "export --trust-bundle" sipca export --trust-bundle -o "$T/bundle.pem"
check "the bundle holds two roots" test "$(count "$T/bundle.pem")" = 2
cat "$CA/root.pem" "$CA/next-root.pem" > "$T/both.pem"
check "the bundle is the current root, then the next" cmp -s "$T/bundle.pem" "$T/both.pem"
expect_refused "--trust-bundle with a NAME" export alice --trust-bundle
cp "$CA/next-root.pem" "$T/new-root.pem"
# Before the switch the current CA still issues: nothing changed for phones.
sipca issue device carol --key p256 --passphrase-file "$T/pass" >/dev/null || fail "issue carol"
verifies "$I/carol/chain.pem" "$T/old-root.pem" "before the switch: the old CA's leaf, old root"

# ---- abort, and start again ----
expect_exit 0 "rollover abort" sipca rollover abort
for f in next-root.pem next-ca.pem next-root.key next-ca.key bridge.pem old-bridge.pem \
    next-crl.pem next-root-crl.pem; do
	check "abort removed $f" test ! -e "$CA/$f"
done
expect_exit 0 "rollover start again" sipca rollover start --passphrase-file "$T/pass" \
    --root-key "$T/root.key"
cp "$CA/next-root.pem" "$T/new-root.pem"
cat "$T/old-root.pem" "$T/new-root.pem" > "$T/both.pem"

# The old generation's CRLs, as the switch finds them.
sipca issue device olddev --key p256 --passphrase-file "$T/pass" >/dev/null ||
    fail "issue olddev"
sipca crl --passphrase-file "$T/pass" >/dev/null || fail "crl before the switch"
sipca crl --root --root-key "$T/root.key" --passphrase-file "$T/pass" >/dev/null ||
    fail "crl --root before the switch"
cp "$CA/crl.pem" "$T/old-crl.pem"
cp "$CA/root-crl.pem" "$T/old-root-crl.pem"
check "the next generation's first CRLs wait beside it" test -s "$CA/next-crl.pem" -a \
    -s "$CA/next-root-crl.pem"

# ---- switch ----
expect_exit 0 "rollover switch" sipca rollover switch
check "old-crl.pem is the old CA's CRL" cmp -s "$CA/old-crl.pem" "$T/old-crl.pem"
check "old-root-crl.pem is the old root's" cmp -s "$CA/old-root-crl.pem" "$T/old-root-crl.pem"
check "crl.pem is signed by the new CA" sh -c "openssl crl -in '$CA/crl.pem' -noout \
    -CAfile '$CA/ca.pem' 2>&1 | grep -q 'verify OK'"
check "root-crl.pem is signed by the new root" sh -c "openssl crl -in '$CA/root-crl.pem' \
    -noout -CAfile '$T/new-root.pem' 2>&1 | grep -q 'verify OK'"
check "crls.pem holds both generations' CRLs" test "$(grep -c 'BEGIN X509 CRL' "$CA/crls.pem")" = 4
check "root.pem is the new root" cmp -s "$CA/root.pem" "$T/new-root.pem"
check "old-root.pem keeps the old one" cmp -s "$CA/old-root.pem" "$T/old-root.pem"
check "next-* are gone" test ! -e "$CA/next-root.pem" -a ! -e "$CA/next-ca.key"
expect_refused "abort after the switch" rollover abort
expect_grep "cannot come back" "$T/stderr" "abort says why not"
expect_exit 0 "export after the switch: cert.pem" sipca export -o "$T/cert.pem"
check "cert.pem is the new root" cmp -s "$T/cert.pem" "$T/new-root.pem"
expect_exit 0 "export --trust-bundle after the switch" sipca export --trust-bundle -o "$T/bundle2.pem"
check "the bundle still holds both roots" test "$(count "$T/bundle2.pem")" = 2

# New leaves carry the bridge; every kind of phone accepts them.
sipca issue server sip2.example.com --key p256 --passphrase-file "$T/pass" >/dev/null ||
    fail "issue under the new CA"
check "the chain is leaf, issuing CA, bridge" test "$(count "$I/sip2.example.com/chain.pem")" = 3
verifies "$I/sip2.example.com/chain.pem" "$T/old-root.pem" "new leaf, a phone with the old root only"
verifies "$I/sip2.example.com/chain.pem" "$T/new-root.pem" "new leaf, a phone with the new root only"
verifies "$I/sip2.example.com/chain.pem" "$T/both.pem" "new leaf, a phone with both"
# Old leaves: the old root as before; the new root through OldWithNew.
verifies "$T/old-server/chain.pem" "$T/old-root.pem" "old leaf, old root"
cat "$T/old-server/chain.pem" "$CA/old-bridge.pem" > "$T/old-bridged.pem"
verifies "$T/old-bridged.pem" "$T/new-root.pem" "old leaf with the old bridge, new root only"
refused "$T/old-server/chain.pem" "$T/new-root.pem" "old leaf without the bridge, new root only"
# Revocation in the overlap: the old CA's CRL lists its leaf, and a
# server checking every certificate of a chain against crls.pem
# (Kamailio's way) still takes the old leaves, and the new ones.
# crl_verdict check|check_fails CHAIN CAFILE WHAT
crl_verdict() {
	rest "$2" > "$T/untrusted.pem"
	sed -n '1,/END CERTIFICATE/p' "$2" > "$T/leaf.pem"
	$1 "openssl -crl_check_all: $4" openssl verify -x509_strict -crl_check_all \
	    -CRLfile "$CA/crls.pem" -CAfile "$3" -untrusted "$T/untrusted.pem" "$T/leaf.pem"
}
expect_exit 0 "revoke an old leaf in the overlap" sipca revoke olddev --passphrase-file "$T/pass"
expect_grep "old-crl.pem" "$T/stderr" "revoke names the old CA's CRL"
check "old-crl.pem is signed by the old CA" sh -c "openssl crl -in '$CA/old-crl.pem' -noout \
    -CAfile '$CA/old-ca.pem' 2>&1 | grep -q 'verify OK'"
serial=$(openssl x509 -in "$I/olddev/cert.pem" -noout -serial | cut -d= -f2)
check "old-crl.pem lists the old leaf" sh -c "openssl crl -in '$CA/old-crl.pem' -noout -text |
    grep -qi 'Serial Number: $serial'"
crl_verdict check_fails "$I/olddev/chain.pem" "$T/both.pem" "the revoked old leaf"
expect_grep "certificate revoked" "$T/.out" "refused as revoked, not for a missing CRL"
crl_verdict check "$T/old-server/chain.pem" "$T/old-root.pem" "an old leaf, old root"
crl_verdict check "$I/sip2.example.com/chain.pem" "$T/both.pem" "a new leaf"
expect_exit 0 "crl --root in the overlap" sipca crl --root --passphrase-file "$T/pass"
expect_grep "old-root-crl.pem is not made again: the old root key is not in the store" \
    "$T/stderr" "crl --root says the old root's CRL needs its key"
check "old-root-crl.pem stays as it was" cmp -s "$CA/old-root-crl.pem" "$T/old-root-crl.pem"
expect_exit 0 "check during the overlap" sipca check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "check accepts both generations"
expect_exit 0 "status after the switch" sipca rollover status
expect_grep "^rollover: switched" "$T/stdout" "status: switched"

# ---- TLS handshakes during the overlap ----
cd "$T" || exit 1
# handshake CHAIN KEY CAFILE: gnutls-cli trusting CAFILE verifies the server.
handshake() {
	PORT=$(free_port)
	start_bg "$T/serv.log" gnutls-serv --port "$PORT" --x509certfile "$1" --x509keyfile "$2"
	SERV=$BG_PID
	if wait_port "$PORT"; then
		timeout 10 gnutls-cli --x509cafile "$3" --verify-hostname "$4" \
		    --port "$PORT" 127.0.0.1 </dev/null >"$T/cli.log" 2>&1
		rc=$?
	else
		rc=99
		cat "$T/serv.log" >&2
	fi
	stop_bg "$SERV"
	return $rc
}
check "TLS: the new server, a phone with the old root only" handshake \
    "$I/sip2.example.com/chain.pem" "$I/sip2.example.com/key.pem" "$T/old-root.pem" sip2.example.com
check "TLS: the new server, a phone with the new root only" handshake \
    "$I/sip2.example.com/chain.pem" "$I/sip2.example.com/key.pem" "$T/new-root.pem" sip2.example.com
check "TLS: the old server, a phone with the old root only" handshake \
    "$T/old-server/chain.pem" "$T/old-server/key.pem" "$T/old-root.pem" sip.example.com
check "TLS: the old server with the old bridge, a phone with the new root only" handshake \
    "$T/old-bridged.pem" "$T/old-server/key.pem" "$T/new-root.pem" sip.example.com
check_fails "TLS: a server of an unrelated CA is refused" handshake \
    "$I/sip2.example.com/chain.pem" "$I/sip2.example.com/key.pem" "$I/alice/cert.pem" sip2.example.com

# ---- finish: refused while old leaves are valid, then done ----
expect_refused "finish with old leaves left" rollover finish
expect_grep "3 valid certificates of the old CA" "$T/stderr" "finish counts what is left"
expect_exit 0 "renew --all --dry-run" sipca renew --all --dry-run
expect_grep "^3 to renew" "$T/stdout" "renew --all sees the three old leaves"
expect_exit 0 "renew --all" sipca renew --all --passphrase-file "$T/pass"
expect_grep "renewed 3 of 3" "$T/stderr" "renew --all moves them under the new CA"
for n in sip.example.com alice carol; do
	verifies "$I/$n/chain.pem" "$T/old-root.pem" "renewed $n, old root only"
	verifies "$I/$n/chain.pem" "$T/new-root.pem" "renewed $n, new root only"
done
expect_exit 0 "rollover finish" sipca rollover finish
for f in old-root.pem old-ca.pem old-ca.key bridge.pem old-bridge.pem old-crl.pem \
    old-root-crl.pem; do
	check "finish removed $f" test ! -e "$CA/$f"
done
check "crls.pem holds the current CRLs only" test "$(grep -c 'BEGIN X509 CRL' "$CA/crls.pem")" = 2
check "the old generation is retired, certificates only" test "$(count "$CA/retired-cas.pem")" = 2
check_fails "no key in retired-cas.pem" grep -q 'PRIVATE KEY' "$CA/retired-cas.pem"
expect_exit 0 "export --trust-bundle after finish" sipca export --trust-bundle -o "$T/bundle3.pem"
check "one root once the overlap is over" cmp -s "$T/bundle3.pem" "$T/new-root.pem"
expect_exit 0 "check after finish" sipca check --passphrase-file "$T/pass"
expect_grep ', 0 problems' "$T/stdout" "the history still checks against the retired CAs"
sipca issue device dave --key p256 --passphrase-file "$T/pass" >/dev/null || fail "issue dave"
check "after finish the chain is leaf and issuing CA" test "$(count "$I/dave/chain.pem")" = 2
verifies "$I/dave/chain.pem" "$T/new-root.pem" "after finish, new root"

# ---- a second rollover: generation G3 ----
expect_exit 0 "a second rollover" sipca rollover start --passphrase-file "$T/pass"
expect_grep "'example.com SIP CA G3'" "$T/stderr" "the next root is G3"
expect_exit 0 "rollover abort of the second" sipca rollover abort

# ---- a single-level store: no bridge, the phones need the new root first ----
S1=$T/single
"$SIPCA" -d "$S1" init --domain example.com --no-passphrase --key p256 >/dev/null || fail "init single"
"$SIPCA" -d "$S1" issue device erin --key p256 >/dev/null || fail "issue erin"
cp "$S1/ca.pem" "$T/single-old.pem"
expect_exit 0 "rollover start on a single-level store" "$SIPCA" -d "$S1" rollover start --no-passphrase
expect_grep "pathLen allows no CA below it" "$T/stderr" "the missing bridge is said"
check "no bridge.pem" test ! -e "$S1/bridge.pem"
expect_exit 0 "switch on a single-level store" "$SIPCA" -d "$S1" rollover switch
check "the store is two-level now" test -s "$S1/root.pem"
"$SIPCA" -d "$S1" issue device frank --key p256 >/dev/null || fail "issue frank"
check "frank's chain is leaf and issuing CA" test "$(count "$S1/issued/frank/chain.pem")" = 2
verifies "$S1/issued/frank/chain.pem" "$S1/root.pem" "single-level: new leaf, new root"
refused "$S1/issued/frank/chain.pem" "$T/single-old.pem" "single-level: new leaf, old CA only"
# The old CA was self-signed: a chain that still sends it ends there, so
# an old leaf goes out with the bridge in its place.
cat "$S1/issued/erin/cert.pem" "$S1/old-bridge.pem" > "$T/erin-bridged.pem"
verifies "$T/erin-bridged.pem" "$S1/root.pem" "single-level: old leaf with the old bridge, new root"
cat "$S1/issued/erin/chain.pem" "$S1/old-bridge.pem" > "$T/erin-both.pem"
refused "$T/erin-both.pem" "$S1/root.pem" "single-level: the self-signed old CA before the bridge ends the path"
expect_exit 0 "check of the single-level store during the overlap" "$SIPCA" -d "$S1" check
expect_grep ', 0 problems' "$T/stdout" "check accepts it"

# ---- a switch cut short: nothing signs until it is finished ----
S2=$T/crash
"$SIPCA" -d "$S2" init --domain example.com --no-passphrase --key p256 --intermediate >/dev/null ||
    fail "init crash store"
"$SIPCA" -d "$S2" rollover start --no-passphrase >/dev/null || fail "start crash store"
for point in rollover-switching rollover-replacing rollover-replaced; do
	expect_exit 99 "switch killed at $point" env SIPCA_CRASH_AT=$point \
	    "$SIPCA_BARE" -d "$S2" rollover switch
	expect_exit 2 "issue after a switch cut short at $point" "$SIPCA" -d "$S2" issue device x --key p256
	expect_grep "run 'sipca rollover switch' to finish it" "$T/stderr" "the way out is named ($point)"
	expect_exit 1 "check reports a switch cut short at $point" "$SIPCA" -d "$S2" check
	expect_grep "switch was cut short: nothing signs until 'sipca rollover switch'" \
	    "$T/stdout" "check names the way out ($point)"
done
expect_exit 0 "the switch run again finishes" "$SIPCA" -d "$S2" rollover switch
expect_exit 0 "issue after it" "$SIPCA" -d "$S2" issue device x --key p256
verifies "$S2/issued/x/chain.pem" "$S2/root.pem" "after the finished switch, new root"
verifies "$S2/issued/x/chain.pem" "$S2/old-root.pem" "after the finished switch, old root"
expect_exit 0 "check after the finished switch" "$SIPCA" -d "$S2" check
expect_grep ', 0 problems' "$T/stdout" "nothing is left broken"
S3=$T/crash-start
"$SIPCA" -d "$S3" init --domain example.com --no-passphrase --key p256 --intermediate >/dev/null ||
    fail "init crash-start store"
expect_exit 99 "start killed before its end" env SIPCA_CRASH_AT=rollover-prepared \
    "$SIPCA_BARE" -d "$S3" rollover start --no-passphrase
expect_exit 0 "status: no rollover yet" "$SIPCA" -d "$S3" rollover status
expect_grep "^rollover: none" "$T/stdout" "a start cut short is no rollover"
expect_exit 0 "start again" "$SIPCA" -d "$S3" rollover start --no-passphrase
finish
