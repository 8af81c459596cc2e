#!/bin/sh
# The store's Check suites (check_store, check_store_msg, check_records)
# run again with their index in PostgreSQL: tests/pg.sh starts a server,
# and $SIPCA_TEST_STORE makes tests/store_fixture.h give each test a
# schema of its own in its database. tests/run.sh runs the same suites on
# SQLite, so that one suite covers both backends. The tests about the
# file index.db itself run on SQLite only (store_fixture_sqlite()).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../pg.sh"

: "${BUILD:?BUILD must name the build directory (make check sets it)}"
pg_start
SIPCA_TEST_STORE=$PG_URL
export SIPCA_TEST_STORE
for suite in check_store check_store_msg check_records; do
	bin=$BUILD/tests/$suite
	if [ ! -x "$bin" ]; then
		fail "no $bin (make check builds it)"
		continue
	fi
	expect_exit 0 "$suite on PostgreSQL" env CK_FORK=yes timeout 600 "$bin"
	# Check prints "100%: Checks: N, Failures: 0, Errors: 0".
	sed -n 's/^\([0-9]*%: Checks: .*\)/pg_suites: '"$suite"': \1/p' "$T/stdout"
	expect_grep "^100%: Checks: [1-9]" "$T/stdout" "$suite: every test passed on PostgreSQL"
	# Each test's schema is dropped after it (a failed test's is not): none is left behind.
	left=$(PG_DB=sipca pg_psql -At -c "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")
	check "$suite left no schema" test -z "$left"
	for schema in $left; do
		PG_DB=sipca pg_psql -q -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
	done
done
# check_records again at SERIALIZABLE: its racing processes' updates
# conflict, and the store retries them (the server logs each
# serialization failure; the suite's callers saw none of them).
# A race may happen to pass without a conflict: it runs again (five
# times at most) until the server has logged one.
n=0 run=0
while [ "$n" -eq 0 ] && [ $run -lt 5 ]; do
	run=$((run + 1))
	expect_exit 0 "check_records on PostgreSQL at SERIALIZABLE (run $run)" env CK_FORK=yes \
	    SIPCA_TEST_PGOPTIONS="-c default_transaction_isolation=serializable" \
	    timeout 600 "$BUILD/tests/check_records"
	expect_grep "^100%: Checks: [1-9]" "$T/stdout" "check_records: every test passed at SERIALIZABLE"
	n=$(grep -c "could not serialize access" "$PG_DIR/log")
done
echo "pg_suites: $n serialization failures retried ($run runs)"
check "serialization failures happened, and were retried unseen" test "$n" -gt 0
# The suites ran on the database, not on an index.db beside them.
check "the suites used the database" test "$(PG_DB=sipca pg_psql -At -c \
    "SELECT count(*) > 0 FROM pg_stat_database WHERE datname = 'sipca' AND xact_commit > 100")" = t
finish
