#!/bin/sh
# sipca issue --batch FILE --scep-challenges OUT: one-time SCEP challenges
# (RFC 8894 section 2.3) for a provisioning file's device rows instead of
# their certificates. Every row checked first (server rows and key, days,
# csr, dns, ip cells refused, exit 2, nothing created); OUT new, 0600,
# name,challenge,expires; the store holds the challenges' hashes only.
. "$(dirname "$0")/../lib.sh"

CA=$T/ca
new_ca "$CA"
mkdir -p "$T/in"

# Python's sqlite3 reads the index independently of sipca.
q() {
	python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2], sys.argv[3:]): print("|".join("" if v is None else str(v) for v in r))' \
	    "$CA/index.db" "$@"
}

# ---- bad input: every bad row named, nothing created, no OUT ----
cat > "$T/in/bad.csv" <<'CSV'
kind,name,uri,dns,ip,key,days,csr
device,good1,,,,,,
server,sip.example.com,,,,,,
device,withkey,,,,p256,,
device,withdays,,,,,30,
device,withdns,,phone.example.com,,,,
device,withip,,,192.0.2.7,,,
device,withcsr,,,,,,x.csr
device,bad-uri,sip:@example.com,,,,,
device,good1,,,,,,
device,SCEP-RA,,,,,,
CSV
snapshot "$CA" > "$T/before"
expect_exit 2 "bad rows are refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/bad.csv" --scep-challenges "$T/out.csv"
for want in \
    "bad.csv:3: a server row: SCEP challenges are for devices" \
    "bad.csv:4: a key cell" \
    "bad.csv:5: a days cell" \
    "bad.csv:6: a dns cell" \
    "bad.csv:7: a ip cell" \
    "bad.csv:8: a csr cell" \
    "bad.csv:9: invalid SIP URI" \
    "bad.csv:10: duplicate name 'good1' (also on line 2)" \
    "bad.csv:11: 'scep-ra' is the SCEP RA's name" \
    "9 bad rows: nothing created"; do
	expect_grep "$want" "$T/stderr" "bad row reported"
done
expect_no_grep "bad.csv:2:" "$T/stderr" "the good row is not reported"
check_fails "no OUT after bad rows" test -e "$T/out.csv"
expect_unchanged "$T/before" "$CA" "bad rows create nothing"

# Only a server row: still refused, with the reason.
printf 'kind,name\nserver,sbc.example.com\n' > "$T/in/server.csv"
expect_exit 2 "a server-only file is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/server.csv" --scep-challenges "$T/out.csv"
expect_grep "server.csv:2: a server row" "$T/stderr" "server row named"
check_fails "no OUT for a server row" test -e "$T/out.csv"

# Options that make no sense without a certificate, and the pairing.
printf 'kind,name\ndevice,aa0011223344\n' > "$T/in/one.csv"
for opt in "--key p256" "--days 30" "--force" "--jobs 2" "--copy-san"; do
	# shellcheck disable=SC2086 # the option and its value are two words
	expect_exit 2 "--scep-challenges refuses $opt" \
	    "$SIPCA" -d "$CA" issue --batch "$T/in/one.csv" \
	    --scep-challenges "$T/out.csv" $opt
done
expect_exit 2 "--scep-challenges needs --batch" \
    "$SIPCA" -d "$CA" issue device x --scep-challenges "$T/out.csv"
expect_exit 2 "--ttl needs --scep-challenges" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/one.csv" --ttl 1h
for bad in 0 -5 1x h 59s 366d 99999999999999999999; do
	expect_exit 2 "--ttl $bad refused" \
	    "$SIPCA" -d "$CA" issue --batch "$T/in/one.csv" \
	    --scep-challenges "$T/out.csv" --ttl "$bad"
done
expect_grep "invalid --ttl" "$T/stderr" "--ttl message"

# An OUT that already exists is never overwritten, and nothing is made.
echo "keep me" > "$T/taken.csv"
expect_exit 2 "an existing OUT is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/one.csv" --scep-challenges "$T/taken.csv"
expect_grep "already exists" "$T/stderr" "existing OUT named"
check "the existing OUT is untouched" grep -qx "keep me" "$T/taken.csv"
# An OUT that is a symbolic link (to a file or nowhere) is not written through.
ln -s "$T/victim" "$T/link.csv"
expect_exit 2 "a dangling symlink OUT is refused" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/one.csv" --scep-challenges "$T/link.csv"
check_fails "nothing written through the link" test -e "$T/victim"
expect_unchanged "$T/before" "$CA" "refused invocations create nothing"

# ---- good rows ----
cat > "$T/in/fleet.csv" <<'CSV'
kind,name,uri
device,0004F2A1B2C3,
device,lobby-phone,sip:lobby@example.com  sip:reception@example.com
device,"Desk-7",
CSV
printf 'device,805EC0112233,sip:805ec0112233@example.com\r\n' >> "$T/in/fleet.csv"
expect_exit 0 "challenges for device rows" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/fleet.csv" --scep-challenges "$T/out.csv" --ttl 2h
expect_grep "4 SCEP challenges written to" "$T/stderr" "summary (a message, on stderr)"
check "nothing on stdout" test ! -s "$T/stdout"
check "OUT is 0600" test "$(stat -c %a "$T/out.csv")" = 600
# Parsed by Python's csv module, independently of sipca.
python3 - "$T/out.csv" > "$T/parsed" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
for r in rows:
    print("|".join(r))
PY
check "header row" sh -c "sed -n 1p '$T/parsed' | grep -qx 'name|challenge|expires'"
check "four data rows" test "$(wc -l < "$T/parsed")" -eq 5
for name in 0004f2a1b2c3 lobby-phone desk-7 805ec0112233; do
	check "row for $name" grep -q "^$name|[A-Z2-7]\{26\}|20[0-9-]*T[0-9:]*Z\$" "$T/parsed"
done
check "OUT lines end in CRLF (RFC 4180)" sh -c "[ \$(grep -c \$(printf '\\r')\$ '$T/out.csv') -eq 5 ]"
check "challenges are distinct" test "$(cut -d'|' -f2 "$T/parsed" | sort -u | wc -l)" -eq 5

# The store: one valid record per name, the hash of the challenge, the
# expiry written in OUT, 2 h out; the challenge itself nowhere in the store.
now=$(date +%s)
tail -n +2 "$T/parsed" | while IFS='|' read -r name chal exp; do
	rec=$(q "SELECT status, expires, key FROM records WHERE kind='scep-challenge' AND id=?" "$name")
	status=${rec%%|*}; rest=${rec#*|}; expires=${rest%%|*}; key=${rest#*|}
	want_key=$(printf '%s' "$chal" | sha256sum | cut -c1-64)
	[ "$status" = valid ] || echo "$name: status '$status'"
	[ "$key" = "$want_key" ] || echo "$name: key '$key' is not the challenge's SHA-256"
	[ "$(date -u -d "@$expires" +%Y-%m-%dT%H:%M:%SZ)" = "$exp" ] || echo "$name: expires $expires, OUT says $exp"
	d=$((expires - now)); { [ "$d" -ge 7100 ] && [ "$d" -le 7300 ]; } || echo "$name: ttl $d"
	if grep -rqa "$chal" "$CA"; then echo "$name: the challenge is in the store"; fi
done > "$T/store.err"
check "the store holds the challenges as described" test ! -s "$T/store.err"
[ -s "$T/store.err" ] && sed 's/^/    /' "$T/store.err" >&2
# The URIs the challenge binds, in its record.
check "lobby-phone binds its two URIs" sh -c "q_out=\$(python3 -c 'import sqlite3,sys,json; c=sqlite3.connect(sys.argv[1]); print(\" \".join(json.loads(c.execute(\"SELECT doc FROM records WHERE kind=? AND id=?\", (\"scep-challenge\",\"lobby-phone\")).fetchone()[0])[\"uris\"]))' '$CA/index.db'); [ \"\$q_out\" = 'sip:lobby@example.com sip:reception@example.com' ]"
check "no certificate was issued" test "$(q "SELECT count(*) FROM certs")" -eq 0

# A second run for the same names replaces the challenges (new OUT).
old=$(grep '^lobby-phone|' "$T/parsed" | cut -d'|' -f2)
expect_exit 0 "a re-run replaces the challenges" \
    "$SIPCA" -d "$CA" issue --batch "$T/in/fleet.csv" --scep-challenges "$T/out2.csv" --quiet
check "--quiet says nothing" test ! -s "$T/stderr"
check "the re-run's challenge differs" sh -c "! grep -q '$old' '$T/out2.csv'"
check "still one record per name" test "$(q "SELECT count(*) FROM records WHERE kind='scep-challenge'")" -eq 4
check "default TTL is 24 h" sh -c "e=\$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT expires FROM records WHERE kind=? AND id=?\", (\"scep-challenge\",\"lobby-phone\")).fetchone()[0])' '$CA/index.db'); d=\$((e - $(date +%s))); [ \$d -ge 86000 ] && [ \$d -le 86500 ]"

# From stdin.
printf 'kind,name\ndevice,stdin-phone\n' | "$SIPCA" -d "$CA" issue --batch - \
    --scep-challenges "$T/out3.csv" >/dev/null 2>"$T/stderr"
check "a batch from stdin" grep -q '^stdin-phone,' "$T/out3.csv"

finish
