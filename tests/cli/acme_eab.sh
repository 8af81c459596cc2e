#!/bin/sh
# sipca acme eab: External Account Binding keys (RFC 8555 7.3.4) made,
# listed and revoked; the forms ACME clients take (a base64url kid, a
# 32-octet base64url HMAC key without padding); refusals exit 2 and leave
# the store as it was; the HMAC key never in a listing. And a
# certificate's origin, which list --json and show print when the index
# has one.
. "$(dirname "$0")/../lib.sh"

D=$T/ca
new_ca "$D"
sipca() { "$SIPCA" -d "$D" "$@"; }

# b64url_len TEXT: the octets an unpadded base64url text decodes to, or
# nothing when it is not one.
b64url_len() {
	python3 -c 'import base64,re,sys
t=sys.argv[1]
if not re.fullmatch(r"[A-Za-z0-9_-]+", t): sys.exit(1)
print(len(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))))' "$1"
}

# new NAME: kid and hmac in text form.
if expect_exit 0 "eab new alice" sipca acme eab new alice; then
	kid1=$(sed -n 's/^kid: //p' "$T/stdout")
	hmac1=$(sed -n 's/^hmac: //p' "$T/stdout")
	check "two lines, kid and hmac" test "$(wc -l < "$T/stdout")" -eq 2
	check "the kid is 16 octets of base64url" test "$(b64url_len "$kid1")" = 16
	check "the hmac is 32 octets of base64url" test "$(b64url_len "$hmac1")" = 32
	check "the hmac has no padding" sh -c "! printf %s '$hmac1' | grep -q ="
	expect_grep "alice" "$T/stderr" "eab new says what it made"
	expect_no_grep "$hmac1" "$T/stderr" "eab new: the hmac not on stderr"
fi

# --json: one line, exactly name, kid and hmac.
if expect_exit 0 "eab new bob --json" sipca acme eab new bob --json; then
	check "--json is one line" test "$(wc -l < "$T/stdout")" -eq 1
	check "--json has name, kid, hmac and nothing else" jq -e \
	    '(keys == ["hmac", "kid", "name"]) and .name == "bob"' "$T/stdout"
	kid2=$(jq -r .kid "$T/stdout")
	hmac2=$(jq -r .hmac "$T/stdout")
	check "--json: the hmac is 32 octets" test "$(b64url_len "$hmac2")" = 32
	check "two keys have different kids" test "$kid1" != "$kid2"
	check "two keys have different hmacs" test "$hmac1" != "$hmac2"
fi

# list: name, kid, status, created; never the hmac.
if expect_exit 0 "eab list" sipca acme eab list; then
	check "list: a line per key" test "$(wc -l < "$T/stdout")" -eq 2
	expect_grep "^alice  *$kid1  *valid  *20[0-9-]*T[0-9:]*Z$" "$T/stdout" "list: alice's line"
	expect_grep "^bob  *$kid2  *valid " "$T/stdout" "list: bob's line"
	expect_no_grep "$hmac1" "$T/stdout" "list: no hmac"
	expect_no_grep "$hmac2" "$T/stdout" "list: no hmac of bob"
fi
if expect_exit 0 "eab list --json" sipca acme eab list --json; then
	check "list --json: an array of name, kid, status, created" jq -e \
	    'length == 2 and all(.[]; keys == ["created", "kid", "name", "status"])' "$T/stdout"
	check "list --json: alice's kid and status" jq -e \
	    "map(select(.name == \"alice\"))[0] | .kid == \"$kid1\" and .status == \"valid\"" "$T/stdout"
	check "list --json: created is ISO 8601 UTC" jq -e \
	    'all(.[]; .created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$T/stdout"
	expect_no_grep "$hmac1" "$T/stdout" "list --json: no hmac"
	expect_no_grep "hmac" "$T/stdout" "list --json: no hmac member"
fi

# Refusals: exit 2, the store as it was.
snapshot "$D" > "$T/before"
sipca acme eab list > "$T/list.before"
for bad in "" "a b" "a/b" "x;y" "$(printf 'a%.0s' $(seq 65))" "é"; do
	expect_exit 2 "eab new '$bad' is refused" sipca acme eab new "$bad"
done
expect_exit 2 "eab new: a taken name" sipca acme eab new alice &&
	expect_grep "exists already" "$T/stderr" "a taken name says so"
expect_exit 2 "eab new: no NAME" sipca acme eab new
expect_exit 2 "eab new: two NAMEs" sipca acme eab new carol dave
expect_exit 2 "eab list: an operand" sipca acme eab list alice
expect_exit 2 "acme: no subcommand" sipca acme
expect_exit 2 "acme: not eab" sipca acme nope
expect_exit 2 "eab: unknown verb" sipca acme eab delete alice
expect_exit 2 "eab revoke: unknown NAME" sipca acme eab revoke zed &&
	expect_grep "no EAB key named 'zed'" "$T/stderr" "unknown NAME says so"
expect_exit 2 "eab revoke: bad NAME" sipca acme eab revoke "a b"
expect_unchanged "$T/before" "$D" "refused eab commands"
sipca acme eab list > "$T/list.after"
check "refusals: the listing as it was" cmp -s "$T/list.before" "$T/list.after"

# A name of the whole alphabet and of 64 characters is taken.
long=$(printf 'b%.0s' $(seq 64))
check "eab new: 64 characters" sipca acme eab new "$long"
check "eab new: every character allowed" sipca acme eab new "A-z.0_9@x"

# No kid or key starts with '-', which certbot and lego would read as an
# option (each draw would with odds 1 in 64; 128 draws).
: > "$T/keys"
for i in $(seq 64); do
	sipca acme eab new "draw$i" >> "$T/keys" 2>/dev/null || fail "eab new draw$i"
done
check "64 keys made" test "$(grep -c '^kid: ' "$T/keys")" -eq 64
check "no kid or HMAC key starts with '-'" sh -c "! grep -q '^[a-z]*: -' '$T/keys'"

# revoke: valid -> revoked; again is refused.
expect_exit 0 "eab revoke alice" sipca acme eab revoke alice &&
	expect_grep "revoked" "$T/stderr" "revoke says so"
check "alice is revoked" jq -e 'map(select(.name == "alice"))[0].status == "revoked"' \
    /dev/stdin <<EOF
$(sipca acme eab list --json)
EOF
expect_exit 2 "eab revoke alice again" sipca acme eab revoke alice
check "bob is still valid" sh -c "'$SIPCA' -d '$D' acme eab list | grep -q '^bob .* valid '"
# One the server bound is revoked too (its status set here by hand).
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE records SET status = '"'bound'"' WHERE kind = '"'acme-eab'"' AND key = '"'bob'"'"); c.commit()' "$D/index.db"
expect_exit 0 "eab revoke a bound key" sipca acme eab revoke bob &&
	expect_grep "was bound" "$T/stderr" "revoke of a bound key says so"

# The HMAC key is kept for the server, in the record's doc, as made.
doc=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT doc FROM records WHERE kind = '"'acme-eab'"' AND id = ?", (sys.argv[2],)).fetchone()[0])' "$D/index.db" "$kid1")
check "the record's doc holds the hmac" test "$(printf %s "$doc" | jq -r .hmac)" = "$hmac1"

# origin: printed by list --json and show only when the row has one.
check "issue alice" sipca issue device alice --key p256
check "issue carol" sipca issue device carol --key p256
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE certs SET origin = ? WHERE name = ?", ("acme account https://ca.example.com/acme/acct/X1", "alice")); c.commit()' "$D/index.db"
if expect_exit 0 "list --json" sipca list --json; then
	check "list --json: alice's origin" jq -e \
	    'map(select(.name == "alice"))[0].origin == "acme account https://ca.example.com/acme/acct/X1"' "$T/stdout"
	check "list --json: no origin for carol" jq -e \
	    'map(select(.name == "carol"))[0] | has("origin") | not' "$T/stdout"
fi
expect_exit 0 "show alice" sipca show alice &&
	expect_grep "^origin  *acme account https://ca.example.com/acme/acct/X1$" "$T/stdout" "show: the origin line"
expect_exit 0 "show carol" sipca show carol &&
	expect_no_grep "^origin" "$T/stdout" "show: no origin line for the command line's"
expect_exit 0 "show alice --json" sipca show --json alice &&
	check "show --json: origin" jq -e '.origin == "acme account https://ca.example.com/acme/acct/X1"' "$T/stdout"

finish
