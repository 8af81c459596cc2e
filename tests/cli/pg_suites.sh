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
	# Each test's schema is dropped after it: none is left behind.
	check "$suite left no schema" test -z "$(PG_DB=sipca pg_psql -At -c \
	    "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'")"
done
# The suites ran on the database, not on an index.db beside them.
check "the suites used the database" test "$(PG_DB=sipca pg_psql -At -c \
    "SELECT count(*) > 0 FROM pg_stat_database WHERE datname = 'sipca' AND xact_commit > 100")" = t
finish
