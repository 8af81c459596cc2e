#!/bin/sh
# sipca store migrate and sipca store upgrade with PostgreSQL (issue 18),
# on a PostgreSQL 15 of the test's own (tests/pg.sh; a server that cannot
# start fails the test). An SQLite store with every kind of row (valid,
# superseded, revoked certificates, two CRL numbers, a SCEP challenge,
# an ACME EAB key) is migrated into an empty database: every row of every
# table is in the database, compared column by column with what is left
# in index.db.migrated by sqlite3 and psql, not by sipca; list, show,
# check and the records' listings print what they printed before; store.conf
# is 0600 and names the database; issuing, renewing, revoking and the
# CRL number go on in the database; the way back (store.conf removed,
# index.db.migrated renamed) gives the store as it was. Refused, exit 2,
# with the directory and the databases byte for byte as they were: a
# URL of another kind or that libpq cannot parse, a database holding a
# CA or an index of another version, a store already in PostgreSQL, an
# index.db.migrated in the way; a server that is down is exit 3, also
# with nothing changed. A version-1 SQLite index is migrated too (the
# open upgrades it). A writer that opened the store before its index.db
# was moved and waited for the lock writes nothing. store upgrade on
# PostgreSQL says it is at version 2, and refuses a newer schema. No
# password appears in any message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg.sh"

pg_start
# One clock for the whole script: list's "days left" is the same before and after.
SIPCA_NOW=$(date +%s)
export SIPCA_NOW
ALL_ERR=$T/all.err
: > "$ALL_ERR"
# keep: the last command's stdout and stderr, for the password check.
keep() {
	cat "$T/stdout" "$T/stderr" >> "$ALL_ERR"
}
db_url() {	# db_url NAME: the URL of database NAME
	echo "postgresql://sipca:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"
}
rows() {	# rows DB SQL: psql's unaligned rows
	PG_DB=$1 pg_psql -At -F '|' -c "$2"
}
# The tables' every column, in one order for both engines; NULL as ''.
CERT_COLS="serial, name, kind, subject, sans, not_before, not_after, status, key_source, key_type, forced, issued_at, revoked_at, revoke_reason, supersedes, pem, origin"
REC_COLS="kind, id, key, ref, status, expires, created, doc"
dump_sqlite() {	# dump_sqlite FILE: every row of every table
	sqlite3 -separator '|' "$1" "SELECT key, value FROM settings ORDER BY key;
	    SELECT $CERT_COLS FROM certs ORDER BY serial;
	    SELECT $REC_COLS FROM records ORDER BY kind, id;"
}
dump_pg() {	# dump_pg DB: the same from the database
	PG_DB=$1 pg_psql -At -F '|' -c "SELECT key, value FROM settings ORDER BY key COLLATE \"C\"" \
	    -c "SELECT $CERT_COLS FROM certs ORDER BY serial COLLATE \"C\"" \
	    -c "SELECT $REC_COLS FROM records ORDER BY kind COLLATE \"C\", id COLLATE \"C\""
}
# state DIR DB...: the directory's files (index.db by its rows, which an
# open may rewrite without changing) and each database whole.
state() {
	dir=$1; shift
	snapshot "$dir" | grep -v '^\./index\.db'
	[ ! -e "$dir/index.db" ] || dump_sqlite "$dir/index.db"
	for db in "$@"; do
		echo "== $db"
		timeout 60 "$PG_BIN/pg_dump" -h "$PG_SOCKDIR" -p "$PG_PORT" -U sipca -d "$db" 2>&1 |
		    grep -v -e '^-- Dumped' -e '^\\restrict ' -e '^\\unrestrict '
	done
}
# outputs DIR NAME: what the reading commands print, into $T/NAME.*
outputs() {
	"$SIPCA" -d "$1" list > "$T/$2.list" 2>&1
	"$SIPCA" -d "$1" list --json > "$T/$2.json" 2>&1
	for n in alice bob carol proxy.example.com; do
		"$SIPCA" -d "$1" show "$n"
	done > "$T/$2.show" 2>&1
	"$SIPCA" -d "$1" scep challenges > "$T/$2.scep" 2>&1
	"$SIPCA" -d "$1" acme eab list > "$T/$2.eab" 2>&1
	"$SIPCA" -d "$1" check > "$T/$2.check" 2>&1
}
same() {	# same DESCRIPTION A B
	TESTS_RUN=$((TESTS_RUN + 1))
	if ! cmp -s "$2" "$3"; then
		fail "$1"
		diff "$2" "$3" | sed 's/^/    /' >&2
	fi
}

# ---- an SQLite store with rows of every kind ----
CA=$T/ca
check "init on SQLite" new_ca "$CA"
for n in alice bob carol; do
	check "issue device $n" "$SIPCA" -d "$CA" issue device "$n" --key p256
done
check "issue server proxy" "$SIPCA" -d "$CA" issue server proxy.example.com --key p256
check "renew bob (a superseded row)" "$SIPCA" -d "$CA" renew bob
check "revoke carol" "$SIPCA" -d "$CA" revoke carol --reason keyCompromise
check "a first CRL" "$SIPCA" -d "$CA" crl
check "a second CRL (init made the first)" "$SIPCA" -d "$CA" crl
check "a SCEP challenge (a record)" "$SIPCA" -d "$CA" scep challenge dave
check "an ACME EAB key (a record)" "$SIPCA" -d "$CA" acme eab new acme-one
check "SQLite: the index has 5 certificates" test "$(sqlite3 "$CA/index.db" 'SELECT count(*) FROM certs')" = 5
check "SQLite: and records" test "$(sqlite3 "$CA/index.db" 'SELECT count(*) FROM records')" -ge 2
check "SQLite: CRL number 3" test "$(sqlite3 "$CA/index.db" "SELECT value FROM settings WHERE key = 'crl_number'")" = 3
outputs "$CA" before
expect_grep "0 problems" "$T/before.check" "check is clean before"
expect_grep "^bob  *device " "$T/before.list" "list shows bob before"
expect_exit 0 "store upgrade on a current SQLite index" "$SIPCA" -d "$CA" store upgrade
expect_grep "^the index $CA/index.db (sqlite) is already at schema version 2$" "$T/stderr" \
    "store upgrade says it is current"
check "store upgrade prints nothing on stdout" test ! -s "$T/stdout"

# ---- refusals: exit 2, nothing changed anywhere ----
FRESH=migrated
PG_DB=postgres pg_psql -q -c "CREATE DATABASE $FRESH" >/dev/null || fail "createdb $FRESH"
OTHER=other
OTHER_CA=$T/other
expect_exit 0 "another CA in a database of its own" "$SIPCA" --store "$(pg_newdb $OTHER)" \
    -d "$OTHER_CA" init --domain other.example --no-passphrase --key p256
keep
OLDV=oldv
pg_newdb $OLDV >/dev/null
PG_DB=$OLDV pg_psql -q -c "CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (3)"
state "$CA" $FRESH $OTHER $OLDV > "$T/state.before"
refused() {	# refused DESCRIPTION PATTERN ARGS...: exit 2, PATTERN said, nothing changed
	desc=$1 pattern=$2; shift 2
	expect_exit 2 "$desc: exit 2" "$SIPCA" -d "$CA" store migrate "$@"
	keep
	expect_grep "$pattern" "$T/stderr" "$desc: the message"
	state "$CA" $FRESH $OTHER $OLDV > "$T/state.after"
	same "$desc: the directory and the databases are unchanged" "$T/state.before" "$T/state.after"
}
refused "a MySQL URL" "not a PostgreSQL connection string" --to "mysql://sipca:Sekrit9@127.0.0.1/x"
refused "--to sqlite" "not a PostgreSQL connection string" --to sqlite
refused "a URL libpq cannot parse" "libpq cannot parse" --to "postgresql://sipca:Sekrit9@[::1/x"
expect_no_grep "Sekrit9" "$T/stderr" "the unparsable URL's password is not printed"
refused "a database holding a CA" "already holds a sipca index (.* certificates, [1-9][0-9]* settings" \
    --to "$(db_url $OTHER)"
refused "a database with an index of version 3" "schema version 3 (this sipca's is 2)" \
    --to "$(db_url $OLDV)"
: > "$CA/index.db.migrated"
state "$CA" $FRESH $OTHER $OLDV > "$T/state.before"
refused "an index.db.migrated in the way" "index.db.migrated' exists" --to "$(db_url $FRESH)"
rm -f "$CA/index.db.migrated"
state "$CA" $FRESH $OTHER $OLDV > "$T/state.before"
expect_exit 2 "migrate with no --to" "$SIPCA" -d "$CA" store migrate
expect_grep "missing --to" "$T/stderr" "no --to: the message"
expect_exit 2 "a PostgreSQL store migrated again: refused" "$SIPCA" -d "$OTHER_CA" store migrate \
    --to "$(db_url $FRESH)"
keep
expect_grep "already in PostgreSQL ('user=sipca" "$T/stderr" "the message names the store's database"
DOWN="postgresql://sipca:$PG_PASSWORD@127.0.0.1:$(free_port)/x"
expect_exit 3 "a server that is not there: exit 3" "$SIPCA" -d "$CA" store migrate --to "$DOWN"
keep
expect_grep "cannot connect to the database" "$T/stderr" "the server down: the message"
state "$CA" $FRESH $OTHER $OLDV > "$T/state.after"
same "after the refusals and the failure, nothing changed" "$T/state.before" "$T/state.after"

# ---- the migration ----
expect_exit 0 "store migrate --to an empty database" "$SIPCA" -d "$CA" store migrate \
    --to "$(db_url $FRESH)"
keep
expect_grep "^migrated the index of '$CA' to the database 'user=sipca .*dbname=$FRESH.*': 5 certificates, [0-9]* settings, [0-9]* records$" \
    "$T/stderr" "migrate says what it copied"
expect_grep "index.db.migrated (the old index" "$T/stderr" "and where the old index is kept"
check "migrate prints nothing on stdout" test ! -s "$T/stdout"
check "store.conf names the database" grep -qxF "$(db_url $FRESH)" "$CA/store.conf"
check "store.conf is 0600" test "$(stat -c %a "$CA/store.conf")" = 600
check "index.db is gone" test ! -e "$CA/index.db"
check "index.db.migrated is kept" test -s "$CA/index.db.migrated"
check "the database is at schema version 2" test "$(rows $FRESH 'SELECT version FROM schema_version')" = 2
dump_sqlite "$CA/index.db.migrated" > "$T/rows.sqlite"
dump_pg $FRESH > "$T/rows.pg"
check "the dumps are not empty" test "$(wc -l < "$T/rows.pg")" -ge 10
same "every row of every table, column by column, is in the database" "$T/rows.sqlite" "$T/rows.pg"
for t in settings certs records; do
	check "$t: the same count" test "$(rows $FRESH "SELECT count(*) FROM $t")" = \
	    "$(sqlite3 "$CA/index.db.migrated" "SELECT count(*) FROM $t")"
done
outputs "$CA" after
for o in list json show scep eab check; do
	same "$o prints the same after the migration" "$T/before.$o" "$T/after.$o"
done
expect_exit 0 "store upgrade on the migrated store" "$SIPCA" -d "$CA" store upgrade
keep
expect_grep "^the index user=sipca .*dbname=$FRESH.* (postgresql) is already at schema version 2$" \
    "$T/stderr" "store upgrade: PostgreSQL at version 2"

# ---- the store goes on in the database ----
check "issue device erin" "$SIPCA" -d "$CA" issue device erin --key p256
check "renew alice" "$SIPCA" -d "$CA" renew alice
check "revoke bob" "$SIPCA" -d "$CA" revoke bob
check "a CRL" "$SIPCA" -d "$CA" crl
# 3 migrated; revoke signed 4, crl 5.
check "the CRL number went on from the migrated one" \
    test "$(rows $FRESH "SELECT value FROM settings WHERE key = 'crl_number'")" = 5
check "the CRL says 5" sh -c "openssl crl -in '$CA/crl.pem' -noout -crlnumber | grep -qx 'crlNumber=0x05'"
check "erin is in the database" test "$(rows $FRESH "SELECT count(*) FROM certs WHERE name = 'erin'")" = 1
check "the old index did not get erin" test "$(sqlite3 "$CA/index.db.migrated" "SELECT count(*) FROM certs WHERE name = 'erin'")" = 0
expect_exit 0 "a SCEP challenge in the database" "$SIPCA" -d "$CA" scep challenge frank
expect_exit 0 "check after issuing into the database" "$SIPCA" -d "$CA" check
expect_grep "the CA and 7 certificates, 0 problems" "$T/stdout" "check counts the new rows, 0 problems"
expect_exit 2 "a migrated store migrated again: refused" "$SIPCA" -d "$CA" store migrate --to "$(db_url $OTHER)"
keep
expect_grep "already in PostgreSQL" "$T/stderr" "the second migrate says why"

chmod 666 "$CA/index.db.migrated"
expect_exit 1 "check: a kept index others can write is a problem" "$SIPCA" -d "$CA" check
expect_grep "index.db.migrated" "$T/stdout" "check names the kept index"
chmod 600 "$CA/index.db.migrated"

# ---- the way back: store.conf away, index.db.migrated back ----
BACK=$T/back
cp -a "$CA" "$BACK"
rm "$BACK/store.conf"
mv "$BACK/index.db.migrated" "$BACK/index.db"
"$SIPCA" -d "$BACK" list > "$T/back.list" 2>&1
same "the way back gives the store as it was at the migration" "$T/before.list" "$T/back.list"

# ---- a version-1 SQLite index: migrate upgrades it on the way ----
V1=$T/v1
check "a second SQLite CA" new_ca "$V1"
check "issue device alice into it" "$SIPCA" -d "$V1" issue device alice --key p256
sqlite3 "$V1/index.db" "DROP TABLE records; ALTER TABLE certs DROP COLUMN origin;
    PRAGMA user_version = 1;" || fail "make a version-1 index"
check "the index is version 1" test "$(sqlite3 "$V1/index.db" 'PRAGMA user_version')" = 1
expect_exit 0 "migrate a version-1 index" "$SIPCA" -d "$V1" store migrate --to "$(pg_newdb fromv1)"
keep
expect_grep "1 certificates, [0-9]* settings, 0 records" "$T/stderr" "the version-1 index's rows"
check "the kept index was upgraded to 2 first" test "$(sqlite3 "$V1/index.db.migrated" 'PRAGMA user_version')" = 2
expect_exit 0 "check on the migrated version-1 store" "$SIPCA" -d "$V1" check
expect_grep "0 problems" "$T/stdout" "check: 0 problems"
expect_exit 0 "issue into it" "$SIPCA" -d "$V1" issue device bob --key p256

# ---- a writer that waited for the lock while index.db was moved ----
W=$T/w
check "a third SQLite CA" new_ca "$W"
# The lock held by a process of the test's (one pid), released when $T/release appears.
timeout 120 python3 -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]): time.sleep(0.05)' "$W/lock" "$T/locked" "$T/release" &
holder=$!
i=0
while [ ! -e "$T/locked" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
timeout 120 "$SIPCA" -d "$W" issue device late --key p256 > "$T/late.out" 2> "$T/late.err" &
late=$!
# Until it has the index open (it then waits for the lock): $late is
# timeout's pid, the sipca under it (or valgrind's) is found by the file.
opened() {
	ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q " $W/index.db\$"
}
i=0
while ! opened && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the waiting writer has index.db open" opened
mv "$W/index.db" "$W/index.db.old"
cp -p "$W/index.db.old" "$W/index.db"
: > "$T/release"
wait "$holder"
wait "$late"
rc=$?
check "the writer that waited exits 3" test $rc -eq 3
expect_grep "was moved or replaced while this sipca waited" "$T/late.err" "and says why"
check "it wrote no files" test ! -e "$W/issued/late"
check "nor a row, in either index" test "$(sqlite3 "$W/index.db" "SELECT count(*) FROM certs WHERE name = 'late'")$(sqlite3 "$W/index.db.old" "SELECT count(*) FROM certs WHERE name = 'late'")" = 00
check "the next issue works" "$SIPCA" -d "$W" issue device late --key p256

# ---- store upgrade refuses a newer schema ----
PG_DB=$FRESH pg_psql -q -c "UPDATE schema_version SET version = 3"
expect_exit 2 "store upgrade on a newer PostgreSQL schema: exit 2" "$SIPCA" -d "$CA" store upgrade
keep
expect_grep "schema version 3; this sipca knows 2" "$T/stderr" "the refusal gives both versions"
PG_DB=$FRESH pg_psql -q -c "UPDATE schema_version SET version = 2"
expect_exit 0 "and at 2 again, it is current" "$SIPCA" -d "$CA" store upgrade

expect_no_grep "$PG_PASSWORD" "$ALL_ERR" "the password appears in no message of this test"
expect_no_grep "Sekrit9" "$ALL_ERR" "nor a refused URL's"
finish
