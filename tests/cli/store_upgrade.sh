#!/bin/sh
# sipca store upgrade on SQLite: a version-1 index (as sipca 1 made it:
# no certs.origin, no records table, PRAGMA user_version 1) is brought
# to version 2 and the command says "from 1 to 2"; run again, it says
# the index is already at 2; list prints what it printed before, check
# is clean, and the records (a SCEP challenge) work afterwards. A newer
# index (user_version 3) is refused, exit 2, the file unchanged. The
# PostgreSQL side is in pg_migrate.sh.
. "$(dirname "$0")/../lib.sh"

SIPCA_NOW=$(date +%s)
export SIPCA_NOW
CA=$T/ca
check "init" new_ca "$CA"
check "issue device alice" "$SIPCA" -d "$CA" issue device alice --key p256
check "issue server proxy" "$SIPCA" -d "$CA" issue server proxy.example.com --key p256
check "renew alice" "$SIPCA" -d "$CA" renew alice
"$SIPCA" -d "$CA" list > "$T/list.before" 2>&1
# What sipca 1's index was: the same tables less what version 2 added.
sqlite3 "$CA/index.db" "DROP TABLE records; ALTER TABLE certs DROP COLUMN origin;
    PRAGMA user_version = 1;" || fail "make a version-1 index"
check "the index is version 1" test "$(sqlite3 "$CA/index.db" 'PRAGMA user_version')" = 1
check "it has no records table" test -z "$(sqlite3 "$CA/index.db" "SELECT name FROM sqlite_master WHERE name = 'records'")"
# list opens read-only: it reads a version-1 index and leaves it so.
"$SIPCA" -d "$CA" list > "$T/list.v1" 2>&1
check "list reads the version-1 index as it is" cmp -s "$T/list.before" "$T/list.v1"
check "and leaves it at version 1" test "$(sqlite3 "$CA/index.db" 'PRAGMA user_version')" = 1

expect_exit 0 "store upgrade from version 1" "$SIPCA" -d "$CA" store upgrade
expect_grep "^upgraded the index $CA/index.db (sqlite) from schema version 1 to 2$" "$T/stderr" \
    "it says from what to what"
check "nothing on stdout" test ! -s "$T/stdout"
check "the index is version 2" test "$(sqlite3 "$CA/index.db" 'PRAGMA user_version')" = 2
check "certs.origin is there" sh -c "sqlite3 '$CA/index.db' 'PRAGMA table_info(certs)' | grep -q '|origin|'"
check "the records table is there" test "$(sqlite3 "$CA/index.db" "SELECT name FROM sqlite_master WHERE name = 'records'")" = records
check "the rows are all there" test "$(sqlite3 "$CA/index.db" 'SELECT count(*) FROM certs')" = 3
expect_exit 0 "store upgrade again" "$SIPCA" -d "$CA" store upgrade
expect_grep "^the index $CA/index.db (sqlite) is already at schema version 2$" "$T/stderr" \
    "the second run says it is current"
"$SIPCA" -d "$CA" list > "$T/list.after" 2>&1
check "list prints the same after the upgrade" cmp -s "$T/list.before" "$T/list.after"
expect_exit 0 "check after the upgrade" "$SIPCA" -d "$CA" check
expect_grep "the CA and 3 certificates, 0 problems" "$T/stdout" "check: 0 problems"
check "a record after the upgrade (a SCEP challenge)" "$SIPCA" -d "$CA" scep challenge bob
check "issue after the upgrade" "$SIPCA" -d "$CA" issue device bob --key p256

expect_exit 2 "store upgrade with an operand" "$SIPCA" -d "$CA" store upgrade now
expect_exit 2 "store upgrade --to" "$SIPCA" -d "$CA" store upgrade --to postgresql://x/y
expect_grep "goes with 'store migrate'" "$T/stderr" "--to belongs to migrate"
expect_exit 2 "no CA there" "$SIPCA" -d "$T/none" store upgrade
expect_grep "no CA store at" "$T/stderr" "no store: the message"

# ---- a newer index is refused, unchanged ----
sqlite3 "$CA/index.db" "PRAGMA user_version = 3" || fail "make a version-3 index"
sum=$(sha256sum < "$CA/index.db")
expect_exit 2 "store upgrade on a newer index: exit 2" "$SIPCA" -d "$CA" store upgrade
expect_grep "index.db has schema version 3; this sipca knows 2" "$T/stderr" \
    "the refusal gives both versions"
check "the newer index is unchanged" test "$(sha256sum < "$CA/index.db")" = "$sum"
finish
