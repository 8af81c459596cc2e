/*
 * store_fixture: what the store's suites (check_store, check_store_msg,
 * check_records) share: a store with its CA in a temporary directory per
 * test, made by store_fixture_setup() and removed by
 * store_fixture_teardown(), and one certificate to issue into it.
 *
 * Both backends: with $SIPCA_TEST_STORE a PostgreSQL connection string
 * (tests/cli/pg_suites.sh starts a server and sets it), each test's
 * index is a schema of its own in that database (made here, reached
 * through PGOPTIONS' search_path, dropped after the test), so that the
 * same tests run against PostgreSQL. The tests that are about the file
 * index.db itself are added to a suite only on SQLite
 * (store_fixture_sqlite()).
 */
#ifndef SIPCA_TESTS_STORE_FIXTURE_H
#define SIPCA_TESTS_STORE_FIXTURE_H

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"
#include "util.h"

static char tmpdir[64];
static char *dir;		/* tmpdir/ca: the store */
static char pg_schema[32];	/* PostgreSQL: this test's schema, else "" */

/* 1 when the suites run on SQLite's index.db, 0 on PostgreSQL. */
static inline int
store_fixture_sqlite(void)
{
	const char *url = getenv("SIPCA_TEST_STORE");

	return url == NULL || *url == '\0';
}

/* Runs sql on $SIPCA_TEST_STORE's database (its default schema). */
static inline void
pg_fixture_exec(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("SIPCA_TEST_STORE"));
	PGresult *r;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "PostgreSQL: %s",
	    PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/*
 * Ends every session the store has open (libpq's application_name
 * "sipca"), as a server restart would, and gives the server's goodbye
 * time to arrive.
 */
static inline void
pg_fixture_end_sessions(void)
{
	struct timespec t = { 0, 200 * 1000 * 1000 };

	pg_fixture_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
	    " WHERE application_name = 'sipca'");
	nanosleep(&t, NULL);
}

/* A schema named after the test's directory, lowercase letters and digits. */
static inline void
pg_fixture_setup(void)
{
	const char *suffix = strrchr(tmpdir, '.') + 1;
	char *sql, *opts;
	size_t i;

	snprintf(pg_schema, sizeof(pg_schema), "t_%s", suffix);
	for (i = 2; pg_schema[i] != '\0'; i++)
		pg_schema[i] = (char)(isalnum((unsigned char)pg_schema[i]) ?
		    tolower((unsigned char)pg_schema[i]) : '_');
	sql = xasprintf("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s",
	    pg_schema, pg_schema);
	pg_fixture_exec(sql);
	free(sql);
	/* $SIPCA_TEST_PGOPTIONS: more, e.g. another default isolation. */
	opts = xasprintf("-c search_path=%s %s", pg_schema,
	    getenv("SIPCA_TEST_PGOPTIONS") != NULL ?
	    getenv("SIPCA_TEST_PGOPTIONS") : "");
	ck_assert_int_eq(setenv("PGOPTIONS", opts, 1), 0);
	ck_assert_int_eq(setenv("SIPCA_STORE", getenv("SIPCA_TEST_STORE"), 1), 0);
	free(opts);
}

static inline void
store_fixture_setup(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	struct store *s = NULL;

	ck_assert_ptr_nonnull(mkdtemp(strcpy(tmpdir, "/tmp/check_store.XXXXXX")));
	dir = xasprintf("%s/ca", tmpdir);
	if (!store_fixture_sqlite())
		pg_fixture_setup();
	ck_assert_int_eq(store_open(dir, STORE_CREATE, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(s, "CA PEM\n", 7, "KEY PEM\n", 8, settings),
	    STORE_OK);
	store_close(s);
}

static inline void
store_fixture_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	if (pg_schema[0] != '\0') {
		cmd = xasprintf("DROP SCHEMA %s CASCADE", pg_schema);
		pg_fixture_exec(cmd);
		free(cmd);
		pg_schema[0] = '\0';
	}
	free(dir);
	unsetenv("SIPCA_CRASH_AT");
}

/* A device certificate for name with a generated key; strings borrowed. */
static inline void
fill_item(struct store_issue *it, const char *serial, const char *name,
    const char *pem)
{
	memset(it, 0, sizeof(*it));
	it->serial = serial;
	it->name = name;
	it->kind = "device";
	it->subject = "CN=x";
	it->sans = "URI:sip:x@example.com";
	it->not_before = sipca_now() - 10;
	it->not_after = sipca_now() + 86400;
	it->key_source = "generated";
	it->key_type = "p256";
	it->cert_pem = pem;
	it->chain_pem = "CHAIN\n";
	it->key_pem = "PRIVATE\n";
	it->key_pem_len = 8;
}

#endif
