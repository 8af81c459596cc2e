#!/bin/sh
# The store's index in PostgreSQL (issue 18, first slice): a PostgreSQL
# 15 of the test's own (tests/pg.sh; a server that cannot start fails
# the test). init --store postgresql://... makes the index in the
# database and DIR/store.conf naming it; issue, list, show, revoke, crl
# and check then work on it without --store, and the database holds the
# rows. Two batches at once into one database give distinct serials,
# also from two directories (two "hosts": separate lock files, one
# advisory lock); batches killed with SIGKILL leave a store that the
# re-run finishes and sipca check finds clean; a connection the server
# drops fails the command in flight with exit 3 and a store the next
# command finds consistent; the connection string's password is never
# printed; key=value strings and PGPASSFILE work as libpq has them; check
# reports a unique index dropped by hand, and a newer schema is refused.
# The certificate files stay in DIR in this slice.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg.sh"

pg_start
ALL_ERR=$T/all.err
: > "$ALL_ERR"
# run ARGS...: sipca, its stdout and stderr kept for the password check.
run() {
	"$SIPCA" "$@" 2>>"$ALL_ERR"
}
rows() {	# rows SQL: one value per line, from the test's database
	PG_DB=sipca pg_psql -At -c "$1"
}

CA=$T/ca
# ---- init on PostgreSQL ----
expect_exit 0 "init --store postgresql://..." "$SIPCA" --store "$PG_URL" -d "$CA" \
    init --domain example.com --no-passphrase --key p256
cat "$T/stdout" "$T/stderr" >> "$ALL_ERR"
check "store.conf names the database" grep -qF "$PG_URL" "$CA/store.conf"
check "store.conf is private (it holds the password)" test "$(stat -c %a "$CA/store.conf")" = 600
check "no index.db in the directory" test ! -e "$CA/index.db"
check "the database has the schema, version 2" test "$(rows 'SELECT version FROM schema_version')" = 2
check "the database has the CA's settings" test "$(rows "SELECT value FROM settings WHERE key = 'domain'")" = example.com
expect_exit 2 "a second init into the directory is refused" "$SIPCA" --store "$PG_URL" \
    -d "$CA" init --domain example.com --no-passphrase --key p256
expect_exit 2 "init of another directory into a database that has a CA is refused" \
    "$SIPCA" --store "$PG_URL" -d "$T/other" init --domain example.com --no-passphrase --key p256
expect_grep "a CA already exists in the database 'user=sipca" "$T/stderr" "the refusal names the database"
check "the refused init left the database's CA alone" \
    test "$(rows "SELECT count(*) FROM settings WHERE key = 'domain'")" = 1
chmod 644 "$CA/store.conf"
expect_exit 2 "a store.conf others can read is refused" "$SIPCA" -d "$CA" list
expect_grep "store.conf' is readable by others" "$T/stderr" "the refusal says why"
chmod 600 "$CA/store.conf"
expect_exit 0 "--help names --store" "$SIPCA" --help
expect_grep "--store" "$T/stdout" "sipca --help"

# ---- the lifecycle, without --store: store.conf says where ----
expect_exit 0 "issue device alice" run -d "$CA" issue device alice --key p256
expect_exit 0 "issue server proxy" run -d "$CA" issue server proxy.example.com --key p256
expect_exit 0 "issue device bob, with SIPCA_STORE" env SIPCA_STORE="$PG_URL" \
    "$SIPCA" -d "$CA" issue device bob --key p256
cat "$T/stderr" >> "$ALL_ERR"
expect_exit 2 "issue alice again: the name is taken" run -d "$CA" issue device alice --key p256
expect_exit 0 "list" run -d "$CA" list
expect_grep "^alice  *device " "$T/stdout" "list shows alice"
expect_grep "^bob  *device " "$T/stdout" "list shows bob"
expect_grep "^3 certificates: 3 valid" "$T/stdout" "list counts three"
check "the database holds three valid rows" test "$(rows "SELECT count(*) FROM certs WHERE status = 'valid'")" = 3
alice=$(rows "SELECT serial FROM certs WHERE name = 'alice'")
check "alice's row is her cert.pem" sh -c "openssl x509 -in '$CA/issued/alice/cert.pem' -noout -serial |
    tr A-F a-f | grep -qx 'serial=$alice'"
expect_exit 0 "show alice" run -d "$CA" show alice
expect_exit 0 "renew bob" run -d "$CA" renew bob
check "bob's old row is superseded" test "$(rows "SELECT count(*) FROM certs WHERE name = 'bob' AND status = 'superseded'")" = 1
expect_exit 0 "revoke alice" run -d "$CA" revoke alice
check "alice's row is revoked" test "$(rows "SELECT status FROM certs WHERE name = 'alice'")" = revoked
expect_exit 0 "crl" run -d "$CA" crl
check "the CRL number is the database's" test "$(rows "SELECT value FROM settings WHERE key = 'crl_number'")" = 2
openssl crl -in "$CA/crl.pem" -noout -text > "$T/crl.txt" 2>&1
expect_grep "$(echo "$alice" | tr a-f A-F)" "$T/crl.txt" "the CRL lists alice's serial"
expect_grep "X509v3 CRL Number: *$" "$T/crl.txt" "the CRL has a number"
check "openssl verifies the CRL" openssl crl -in "$CA/crl.pem" -CAfile "$CA/ca.pem" -noout
expect_exit 0 "check is clean" run -d "$CA" check
expect_grep "0 problems" "$T/stdout" "check: 0 problems"
expect_exit 2 "--store sqlite on a PostgreSQL directory: no index.db" \
    "$SIPCA" --store sqlite -d "$CA" list
expect_exit 2 "--store with a string of no known kind" "$SIPCA" --store "mysql:x" -d "$CA" list
expect_grep "unknown store" "$T/stderr" "the unknown kind is named"

# ---- two batches at once into one database ----
batch_csv() {	# batch_csv PREFIX N FILE
	awk -v p="$1" -v n="$2" 'BEGIN { print "kind,name"; for (i = 1; i <= n; i++) printf "device,%s-%03d\n", p, i }' > "$3"
}
batch_csv a 100 "$T/a.csv"
batch_csv b 100 "$T/b.csv"
timeout 300 "$SIPCA" -d "$CA" issue --batch "$T/a.csv" --key p256 --quiet 2>"$T/a.err" &
pa=$!
timeout 300 "$SIPCA" -d "$CA" issue --batch "$T/b.csv" --key p256 --quiet 2>"$T/b.err" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
cat "$T/a.err" "$T/b.err" >> "$ALL_ERR"
check "batch a succeeded" test $ra -eq 0
check "batch b succeeded" test $rb -eq 0
check "200 more rows" test "$(rows "SELECT count(*) FROM certs WHERE name ~ '^[ab]-'")" = 200
check "no serial twice" test -z "$(rows 'SELECT serial FROM certs GROUP BY serial HAVING count(*) > 1')"
check "200 distinct serials" test "$(rows "SELECT count(DISTINCT serial) FROM certs WHERE name ~ '^[ab]-'")" = 200
expect_exit 0 "check after the two batches" run -d "$CA" check
expect_grep "0 problems" "$T/stdout" "check: 0 problems after the batches"

# Two directories on one database, as two hosts would be: each its own
# lock file, so that only the database's advisory lock keeps their
# writers apart. (Each host's issued/ files are its own in this slice:
# check on one host would miss the other's; the serials are the point.)
H2=$T/host2
mkdir -m 700 "$H2"
cp -p "$CA/ca.pem" "$CA/ca.key" "$CA/store.conf" "$H2/"
batch_csv h1 100 "$T/h1.csv"
batch_csv h2 100 "$T/h2.csv"
timeout 300 "$SIPCA" -d "$CA" issue --batch "$T/h1.csv" --key p256 --quiet 2>"$T/h1.err" &
pa=$!
timeout 300 "$SIPCA" -d "$H2" issue --batch "$T/h2.csv" --key p256 --quiet 2>"$T/h2.err" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
cat "$T/h1.err" "$T/h2.err" >> "$ALL_ERR"
check "host 1's batch succeeded" test $ra -eq 0
check "host 2's batch succeeded" test $rb -eq 0
check "the two hosts' 200 rows" test "$(rows "SELECT count(DISTINCT serial) FROM certs WHERE name ~ '^h[12]-' AND status = 'valid'")" = 200
check "still no serial twice" test -z "$(rows 'SELECT serial FROM certs GROUP BY serial HAVING count(*) > 1')"
check "host 2 wrote its own files" test -s "$H2/issued/h2-100/cert.pem"

# ---- kill -9 mid-batch ----
KILLS=${PG_KILLS:-5}
CK=$T/ck
expect_exit 0 "init a second CA in a database of its own" "$SIPCA" \
    --store "$(pg_newdb crash)" -d "$CK" init --domain example.com --no-passphrase --key p256
batch_csv k0 200 "$T/k0.csv"
start=$(date +%s%N)
timeout 300 "$SIPCA" -d "$CK" issue --batch "$T/k0.csv" --key p256 --quiet 2>>"$ALL_ERR" || fail "calibration batch"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$full_ms" -gt 10 ] || full_ms=10
kills=0 round=0 delay=$((full_ms / 4))
while [ $kills -lt "$KILLS" ] && [ $round -lt $((KILLS * 4)) ]; do
	round=$((round + 1))
	batch_csv "k$round" 200 "$T/k.csv"
	"$SIPCA" -d "$CK" issue --batch "$T/k.csv" --key p256 --quiet >/dev/null 2>"$T/k.err" &
	pid=$!
	sleep "$(awk -v ms="$delay" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	cat "$T/k.err" >> "$ALL_ERR"
	if [ $rc -eq 137 ]; then
		kills=$((kills + 1))
	elif [ $rc -ne 0 ]; then
		fail "round $round: the batch exited $rc"
		sed 's/^/    /' "$T/k.err" >&2
	fi
	# From early in the batch to late in it.
	delay=$(( (delay + full_ms / 5) % (full_ms + 1) ))
	expect_exit 0 "round $round: the re-run finishes what the killed one left" \
	    timeout 300 "$SIPCA" -d "$CK" issue --batch "$T/k.csv" --key p256
	cat "$T/stderr" >> "$ALL_ERR"
	expect_grep "issued [0-9]*, skipped [0-9]* (already valid), failed 0" "$T/stderr" "round $round: re-run summary"
	expect_exit 0 "round $round: check is clean" run -d "$CK" check --quiet
done
check "$KILLS kills landed mid-batch" test $kills -ge "$KILLS"
PG_DB=crash pg_psql -At -c "SELECT count(*), count(DISTINCT serial) FROM certs WHERE status = 'valid'" > "$T/counts"
check "every valid row's serial is distinct" awk -F'|' '$1 == $2 && $1 > 0 { ok = 1 } END { exit !ok }' "$T/counts"
check "no pending row is left" test "$(PG_DB=crash pg_psql -At -c "SELECT count(*) FROM certs WHERE status = 'pending'")" = 0
expect_exit 0 "the store afterwards: check is clean" run -d "$CK" check
expect_grep "the CA and $(( (round + 1) * 200 )) certificates, 0 problems" "$T/stdout" "check counts every certificate"

# A crash point between reserving the rows and writing the files: the
# rows are pending in the database until the next writer undoes them.
SIPCA_CRASH_AT=store-reserved "$SIPCA_BARE" -d "$CK" issue device crashed --key p256 >/dev/null 2>&1
check "the crashed issuance left a pending row" \
    test "$(PG_DB=crash pg_psql -At -c "SELECT status FROM certs WHERE name = 'crashed'")" = pending
expect_exit 0 "the next writer recovers it" run -d "$CK" issue device crashed --key p256
check "and issues it once" test "$(PG_DB=crash pg_psql -At -c "SELECT count(*) FROM certs WHERE name = 'crashed'")" = 1
expect_exit 0 "check after the crash point" run -d "$CK" check --quiet

# ---- a connection the server drops mid-batch ----
batch_csv dropped 400 "$T/d.csv"
landed=0 try=0
while [ $landed -eq 0 ] && [ $try -lt 5 ]; do
	try=$((try + 1))
	batch_csv "d$try" 400 "$T/d.csv"
	"$SIPCA" -d "$CK" issue --batch "$T/d.csv" --key p256 --quiet >/dev/null 2>"$T/d.err" &
	pid=$!
	sleep "$(awk -v ms="$((full_ms / 3))" 'BEGIN { printf "%.3f", ms / 1000 }')"
	pg_psql -q -At -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE application_name = 'sipca' AND datname = 'crash'" >/dev/null
	wait "$pid"
	rc=$?
	cat "$T/d.err" >> "$ALL_ERR"
	if [ $rc -ne 0 ]; then
		landed=1
		sed 's/^/pg_store: the dropped batch said: /' "$T/d.err" | head -n 3
		check "a dropped connection exits 3" test $rc -eq 3
		expect_grep "connection to the database .* was lost\|terminating connection" "$T/d.err" \
		    "the message says the connection went"
	fi
done
check "a connection was dropped mid-batch" test $landed -eq 1
expect_exit 0 "after the dropped connection, check is clean" run -d "$CK" check
expect_grep "0 problems" "$T/stdout" "check: 0 problems after the drop"

# ---- secrets ----
BAD="postgresql://sipca:NotThePassword42@127.0.0.1:$PG_PORT/sipca"
expect_exit 3 "a wrong password: exit 3" "$SIPCA" --store "$BAD" -d "$CA" list
expect_grep "cannot connect to the database 'user=sipca host=127.0.0.1 port=$PG_PORT dbname=sipca\|cannot connect to the database '.*dbname=sipca" \
    "$T/stderr" "the message names the database"
expect_no_grep "NotThePassword42" "$T/stderr" "the wrong password is not printed"
expect_no_grep "NotThePassword42" "$T/stdout" "nor on stdout"
expect_no_grep "$PG_PASSWORD" "$ALL_ERR" "the password appears in no message of this test"

# ---- libpq's own ways: key=value strings, PGPASSFILE ----
KV="host=127.0.0.1 port=$PG_PORT dbname=sipca user=sipca password=$PG_PASSWORD"
expect_exit 0 "a key=value connection string" "$SIPCA" --store "$KV" -d "$CA" list
expect_grep "^alice " "$T/stdout" "the key=value string reaches the same index"
expect_exit 3 "a key=value string naming a database that is not there" \
    "$SIPCA" --store "$KV dbname=absent" -d "$CA" list
cat "$T/stderr" >> "$ALL_ERR"
expect_grep "dbname=absent" "$T/stderr" "the message names the database"
printf '127.0.0.1:%s:sipca:sipca:%s\n' "$PG_PORT" "$PG_PASSWORD" > "$T/pgpass"
chmod 600 "$T/pgpass"
expect_exit 0 "no password in the string: PGPASSFILE gives it" env PGPASSFILE="$T/pgpass" \
    "$SIPCA" --store "postgresql://sipca@127.0.0.1:$PG_PORT/sipca" -d "$CA" list
expect_exit 3 "and without PGPASSFILE the server refuses" env PGPASSFILE=/nonexistent \
    "$SIPCA" --store "postgresql://sipca@127.0.0.1:$PG_PORT/sipca" -d "$CA" list

# ---- TLS to the server, verified ----
TLS="postgresql://sipca:$PG_PASSWORD@localhost:$PG_PORT/sipca?sslmode=verify-full&sslrootcert=$PG_TLS_CA"
expect_exit 0 "sslmode=verify-full with the server's CA" "$SIPCA" --store "$TLS" -d "$CA" list
expect_grep "^alice " "$T/stdout" "over TLS, the same index"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=another CA" -keyout "$T/other-ca.key" -out "$T/other-ca.pem" >/dev/null 2>&1
OTHER="postgresql://sipca:$PG_PASSWORD@localhost:$PG_PORT/sipca?sslmode=verify-full&sslrootcert=$T/other-ca.pem"
expect_exit 3 "verify-full with another CA: refused" "$SIPCA" --store "$OTHER" -d "$CA" list
cat "$T/stderr" >> "$ALL_ERR"
expect_grep "certificate verify failed" "$T/stderr" "libpq's words say why"
expect_grep "sslmode=verify-full" "$T/stderr" "the message shows the TLS options"

# ---- check reads the database's constraints; versions are checked ----
# (on the second CA: the first one's directory lacks host 2's files)
PG_DB=crash pg_psql -q -c "DROP INDEX certs_one_valid"
expect_exit 1 "check: a unique index dropped by hand is a problem" run -d "$CK" check
expect_grep "certs_one_valid is missing" "$T/stdout" "check names the index"
PG_DB=crash pg_psql -q -c "CREATE UNIQUE INDEX certs_one_valid ON certs(name) WHERE status = 'valid'"
expect_exit 0 "check, the index made again" run -d "$CK" check
PG_DB=crash pg_psql -q -c "UPDATE schema_version SET version = 3"
expect_exit 2 "a newer schema is refused" "$SIPCA" -d "$CK" list
expect_grep "schema version 3; this sipca knows 2" "$T/stderr" "the refusal gives both versions"
PG_DB=crash pg_psql -q -c "UPDATE schema_version SET version = 2"
expect_exit 0 "the schema back at 2" "$SIPCA" -d "$CK" list

# ---- the server gone ----
pg_stop
expect_exit 3 "the server stopped: list exits 3" "$SIPCA" -d "$CA" list
expect_grep "cannot connect to the database" "$T/stderr" "and says it cannot connect"
expect_no_grep "$PG_PASSWORD" "$T/stderr" "without the password"

finish
