/*
 * Tests for src/store/sqlite_records.c (and pg_records.c, when
 * tests/cli/pg_suites.sh runs them on PostgreSQL) and the index's schema version 2
 * (src/store/sqlite.c): records added, read by id and by key, listed in
 * order, updated only from the status expected, deleted; a key taken
 * twice refused; four threads racing for the same transitions, exactly
 * one winning each; a version-1 index upgraded with its rows kept, and
 * read-only left as it is; a certificate's origin kept.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_fixture.h"
#include "util.h"

static struct store *
open_store(int flags)
{
	struct store *s = NULL;

	ck_assert_int_eq(store_open(dir, flags, &s, NULL), STORE_OK);
	return s;
}

/* A record whose strings are borrowed (cast: the struct's are not const). */
static struct store_record
rec(const char *kind, const char *id, const char *key, const char *ref,
    const char *status, time_t created, const char *doc)
{
	struct store_record r = {
		(char *)kind, (char *)id, (char *)key, (char *)ref,
		(char *)status, 0, created, (char *)doc,
	};

	return r;
}

START_TEST(test_add_get_by_key)
{
	struct store *s = open_store(0);
	struct store_record r = rec("acme-eab", "kid1", "alice", NULL, "valid", 0,
	    "{\"hmac\":\"x\"}"), *got = NULL;
	time_t before = sipca_now();

	r.expires = 12345;
	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	ck_assert_int_eq(store_record_get(s, "acme-eab", "kid1", &got), STORE_OK);
	ck_assert_str_eq(got->kind, "acme-eab");
	ck_assert_str_eq(got->id, "kid1");
	ck_assert_str_eq(got->key, "alice");
	ck_assert_ptr_null(got->ref);
	ck_assert_str_eq(got->status, "valid");
	ck_assert_int_eq(got->expires, 12345);
	ck_assert_int_ge(got->created, before);	/* 0: now */
	ck_assert_str_eq(got->doc, "{\"hmac\":\"x\"}");
	store_record_free(got);
	got = NULL;
	ck_assert_int_eq(store_record_by_key(s, "acme-eab", "alice", &got), STORE_OK);
	ck_assert_str_eq(got->id, "kid1");
	store_record_free(got);
	got = NULL;
	/* Absent: NOTFOUND without a message; the kind is part of the name. */
	ck_assert_int_eq(store_record_get(s, "acme-eab", "nope", &got),
	    STORE_E_NOTFOUND);
	ck_assert_int_eq(store_record_get(s, "acme-account", "kid1", &got),
	    STORE_E_NOTFOUND);
	ck_assert_int_eq(store_record_by_key(s, "acme-account", "alice", &got),
	    STORE_E_NOTFOUND);
	ck_assert_ptr_null(got);
	ck_assert_ptr_null(store_last_message(s));
	store_record_free(NULL);
	store_close(s);
}
END_TEST

START_TEST(test_unique)
{
	struct store *s = open_store(0);
	struct store_record a = rec("acme-eab", "k1", "alice", NULL, "valid", 0, "{}");
	struct store_record b = rec("acme-eab", "k2", "alice", NULL, "valid", 0, "{}");
	struct store_record c = rec("acme-eab", "k1", "bob", NULL, "valid", 0, "{}");
	struct store_record d = rec("acme-account", "k1", "alice", NULL, "valid", 0, "{}");
	struct store_record e = rec("acme-eab", "k3", NULL, NULL, "valid", 0, "{}");
	struct store_record f = rec("acme-eab", "k4", NULL, NULL, "valid", 0, "{}");
	struct store_record *got = NULL;

	ck_assert_int_eq(store_record_add(s, &a), STORE_OK);
	ck_assert_int_eq(store_record_add(s, &b), STORE_E_EXISTS);	/* key */
	ck_assert_int_eq(store_record_add(s, &c), STORE_E_EXISTS);	/* id */
	/* Unique within a kind only; and NULL keys are no key at all. */
	ck_assert_int_eq(store_record_add(s, &d), STORE_OK);
	ck_assert_int_eq(store_record_add(s, &e), STORE_OK);
	ck_assert_int_eq(store_record_add(s, &f), STORE_OK);
	/* An update cannot take another's key either, and changes nothing. */
	e.key = (char *)"alice";
	e.status = (char *)"bound";
	ck_assert_int_eq(store_record_update(s, &e, NULL), STORE_E_EXISTS);
	ck_assert_int_eq(store_record_get(s, "acme-eab", "k3", &got), STORE_OK);
	ck_assert_ptr_null(got->key);
	ck_assert_str_eq(got->status, "valid");
	store_record_free(got);
	store_close(s);
}
END_TEST

struct seen {
	char ids[8][16];
	int n;
	int stop_at;
};

static int
collect(const struct store_record *r, void *arg)
{
	struct seen *v = arg;

	snprintf(v->ids[v->n], sizeof(v->ids[0]), "%s", r->id);
	v->n++;
	return v->n == v->stop_at ? 7 : 0;
}

/* fn may call the records' functions itself (store.h). */
static int
delete_each(const struct store_record *r, void *arg)
{
	return store_record_delete(arg, r->kind, r->id);
}

START_TEST(test_each_order)
{
	struct store *s = open_store(0);
	struct store_record r[] = {
		rec("acme-order", "b", NULL, "acct1", "pending", 200, "{}"),
		rec("acme-order", "a", NULL, "acct1", "pending", 200, "{}"),
		rec("acme-order", "c", NULL, "acct2", "pending", 100, "{}"),
		rec("acme-order", "d", NULL, "acct1", "pending", 300, "{}"),
		rec("acme-authz", "z", NULL, "acct1", "pending", 50, "{}"),
	};
	struct seen v;
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		ck_assert_int_eq(store_record_add(s, &r[i]), STORE_OK);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_record_each(s, "acme-order", NULL, collect, &v), 0);
	ck_assert_int_eq(v.n, 4);
	/* created, then id */
	ck_assert_str_eq(v.ids[0], "c");
	ck_assert_str_eq(v.ids[1], "a");
	ck_assert_str_eq(v.ids[2], "b");
	ck_assert_str_eq(v.ids[3], "d");
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_record_each(s, "acme-order", "acct1", collect, &v), 0);
	ck_assert_int_eq(v.n, 3);
	ck_assert_str_eq(v.ids[0], "a");
	ck_assert_str_eq(v.ids[2], "d");
	/* fn's non-zero stops the walk and is returned. */
	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	ck_assert_int_eq(store_record_each(s, "acme-order", NULL, collect, &v), 7);
	ck_assert_int_eq(v.n, 2);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_record_each(s, "scep-challenge", NULL, collect, &v), 0);
	ck_assert_int_eq(v.n, 0);
	ck_assert_int_eq(store_record_each(s, "acme-order", "acct1", delete_each, s),
	    STORE_OK);
	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_record_each(s, "acme-order", NULL, collect, &v), 0);
	ck_assert_int_eq(v.n, 1);
	ck_assert_str_eq(v.ids[0], "c");
	store_close(s);
}
END_TEST

START_TEST(test_update_delete)
{
	struct store *s = open_store(0);
	struct store_record r = rec("acme-order", "o1", NULL, "acct1", "pending", 0,
	    "{\"v\":1}"), *got = NULL;
	struct store_record none = rec("acme-order", "o9", NULL, NULL, "ready", 0, "{}");

	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	r.status = (char *)"ready";
	r.doc = (char *)"{\"v\":2}";
	r.key = (char *)"k";
	r.ref = NULL;
	r.expires = 99;
	ck_assert_int_eq(store_record_update(s, &r, "pending"), STORE_OK);
	ck_assert_int_eq(store_record_get(s, "acme-order", "o1", &got), STORE_OK);
	ck_assert_str_eq(got->status, "ready");
	ck_assert_str_eq(got->doc, "{\"v\":2}");
	ck_assert_str_eq(got->key, "k");
	ck_assert_ptr_null(got->ref);
	ck_assert_int_eq(got->expires, 99);
	store_record_free(got);
	got = NULL;
	/* From the old status again: refused, nothing changed. */
	r.status = (char *)"valid";
	r.doc = (char *)"{\"v\":3}";
	ck_assert_int_eq(store_record_update(s, &r, "pending"), STORE_E_CONFLICT);
	ck_assert_int_eq(store_record_get(s, "acme-order", "o1", &got), STORE_OK);
	ck_assert_str_eq(got->status, "ready");
	ck_assert_str_eq(got->doc, "{\"v\":2}");
	store_record_free(got);
	got = NULL;
	/* NULL: from any status. */
	ck_assert_int_eq(store_record_update(s, &r, NULL), STORE_OK);
	ck_assert_int_eq(store_record_update(s, &none, NULL), STORE_E_NOTFOUND);
	ck_assert_int_eq(store_record_update(s, &none, "pending"), STORE_E_NOTFOUND);
	ck_assert_int_eq(store_record_delete(s, "acme-order", "o1"), STORE_OK);
	ck_assert_int_eq(store_record_delete(s, "acme-order", "o1"), STORE_E_NOTFOUND);
	ck_assert_int_eq(store_record_get(s, "acme-order", "o1", &got),
	    STORE_E_NOTFOUND);
	ck_assert_ptr_null(store_last_message(s));
	store_close(s);
}
END_TEST

/* Read-only: records are read, never written. */
START_TEST(test_readonly)
{
	struct store *s = open_store(0);
	struct store_record r = rec("acme-eab", "k1", "alice", NULL, "valid", 0, "{}");
	struct store_record *got = NULL;

	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	store_close(s);
	s = open_store(STORE_READONLY);
	ck_assert_int_eq(store_record_get(s, "acme-eab", "k1", &got), STORE_OK);
	store_record_free(got);
	r.id = (char *)"k2";
	r.key = NULL;
	ck_assert_int_eq(store_record_add(s, &r), STORE_E_IO);
	ck_assert_ptr_nonnull(strstr(store_last_message(s), "read-only"));
	ck_assert_int_eq(store_record_delete(s, "acme-eab", "k1"), STORE_E_IO);
	store_close(s);
}
END_TEST

#define THREADS 4
#define STEPS 50

struct racer {
	struct store *s;
	int wins[STEPS];
	int errors;
};

/*
 * Each thread makes every transition s<k> -> s<k+1> it can: tries it,
 * and on a conflict reads the record to see whether another made it
 * (then on to the next) or it is not yet due (then again).
 */
static void *
race(void *arg)
{
	struct racer *me = arg;
	struct store_record r = rec("acme-order", "race", NULL, NULL, NULL, 0, NULL);
	struct store_record *got = NULL;
	char from[16], to[16], doc[32];
	int k, ret, at;

	for (k = 0; k < STEPS; k++) {
		snprintf(from, sizeof(from), "s%d", k);
		snprintf(to, sizeof(to), "s%d", k + 1);
		snprintf(doc, sizeof(doc), "{\"step\":%d}", k + 1);
		r.status = to;
		r.doc = doc;
		for (;;) {
			ret = store_record_update(me->s, &r, from);
			if (ret == STORE_OK) {
				me->wins[k]++;
				break;
			}
			if (ret != STORE_E_CONFLICT ||
			    store_record_get(me->s, "acme-order", "race", &got) < 0) {
				me->errors++;
				return NULL;
			}
			at = atoi(got->status + 1);
			store_record_free(got);
			got = NULL;
			if (at > k)
				break;
		}
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct store *s = open_store(0);
	struct store_record r = rec("acme-order", "race", NULL, NULL, "s0", 0, "{}");
	struct store_record *got = NULL;
	struct racer racers[THREADS];
	pthread_t t[THREADS];
	int i, k, total;

	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	memset(racers, 0, sizeof(racers));
	for (i = 0; i < THREADS; i++) {
		racers[i].s = s;
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &racers[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(racers[i].errors, 0);
	for (k = 0; k < STEPS; k++) {
		for (i = 0, total = 0; i < THREADS; i++)
			total += racers[i].wins[k];
		ck_assert_msg(total == 1, "transition %d made %d times", k, total);
	}
	ck_assert_int_eq(store_record_get(s, "acme-order", "race", &got), STORE_OK);
	ck_assert_str_eq(got->status, "s50");
	ck_assert_str_eq(got->doc, "{\"step\":50}");
	store_record_free(got);
	store_close(s);
}
END_TEST

/*
 * The same race between processes, each with its own store (its own
 * connection, on PostgreSQL): exactly one makes each transition, none
 * sees an error. pg_suites.sh runs it on PostgreSQL at SERIALIZABLE as
 * well, where the losers' updates fail with serialization_failure and
 * are retried (it finds those failures in the server's log): the test
 * is that none of them reaches the caller.
 */
START_TEST(test_processes)
{
	struct store *s = open_store(0);
	struct store_record r = rec("acme-order", "race", NULL, NULL, "s0", 0, "{}");
	struct store_record *got = NULL;
	struct racer racers[THREADS];
	int fds[THREADS][2], go[2], status, i, k, total;
	pid_t pid[THREADS];
	char c;

	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	store_close(s);
	memset(racers, 0, sizeof(racers));
	/* Every racer connected before any starts: go's end closed starts them all. */
	ck_assert_int_eq(pipe(go), 0);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		ck_assert_int_ge(pid[i] = fork(), 0);
		if (pid[i] == 0) {
			struct racer me;

			memset(&me, 0, sizeof(me));
			close(fds[i][0]);
			close(go[1]);
			if (store_open(dir, 0, &me.s, NULL) != STORE_OK)
				_exit(2);
			if (write(fds[i][1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
				_exit(4);
			race(&me);
			store_close(me.s);
			me.s = NULL;
			_exit(write(fds[i][1], &me, sizeof(me)) == (ssize_t)sizeof(me) ?
			    0 : 3);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(read(fds[i][0], &c, 1), 1);
	close(go[0]);
	close(go[1]);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(read(fds[i][0], &racers[i], sizeof(racers[i])),
		    (ssize_t)sizeof(racers[i]));
		close(fds[i][0]);
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_int_eq(racers[i].errors, 0);
	}
	for (k = 0; k < STEPS; k++) {
		for (i = 0, total = 0; i < THREADS; i++)
			total += racers[i].wins[k];
		ck_assert_msg(total == 1, "transition %d made %d times", k, total);
	}
	s = open_store(0);
	ck_assert_int_eq(store_record_get(s, "acme-order", "race", &got), STORE_OK);
	ck_assert_str_eq(got->status, "s50");
	store_record_free(got);
	store_close(s);
}
END_TEST

/* The schema of sipca's index version 1, as that sipca made it. */
static const char v1_schema[] =
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE certs (serial TEXT PRIMARY KEY, name TEXT NOT NULL,"
    "  kind TEXT NOT NULL, subject TEXT NOT NULL, sans TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN"
    "    ('pending', 'valid', 'revoked', 'superseded')),"
    "  key_source TEXT NOT NULL, key_type TEXT,"
    "  forced INTEGER NOT NULL DEFAULT 0, issued_at INTEGER NOT NULL,"
    "  revoked_at INTEGER, revoke_reason TEXT, supersedes TEXT,"
    "  pem TEXT NOT NULL);"
    "CREATE UNIQUE INDEX certs_one_valid ON certs(name) WHERE status = 'valid';"
    "CREATE INDEX certs_by_name ON certs(name, status);"
    "CREATE INDEX certs_by_status ON certs(status, not_after);"
    "INSERT INTO settings VALUES ('domain', 'example.com');"
    "INSERT INTO certs (serial, name, kind, subject, sans, not_before,"
    "  not_after, status, key_source, key_type, issued_at, pem) VALUES"
    "  ('0a', 'alice', 'device', 'CN=alice', 'URI:sip:alice@example.com',"
    "  1000, 4000000000, 'valid', 'generated', 'p256', 1000, 'PEM');"
    "PRAGMA user_version = 1;";

static int
index_version(void)
{
	char *path = xasprintf("%s/index.db", dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return v;
}

/* The fixture's index replaced by one version 1 made. */
static void
make_v1_index(void)
{
	char *path = xasprintf("%s/index.db", dir);
	sqlite3 *db = NULL;

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(chmod(path, 0600), 0);
	free(path);
	ck_assert_int_eq(index_version(), 1);
}

START_TEST(test_upgrade_v1)
{
	struct store *s = NULL;
	struct store_cert *c = NULL;
	struct store_record r = rec("acme-eab", "k1", "alice", NULL, "valid", 0, "{}");
	struct store_record *got = NULL;
	char *domain = NULL;

	make_v1_index();
	/* Read-only: left at 1, its certificates read, its records refused. */
	s = open_store(STORE_READONLY);
	ck_assert_int_eq(store_find_current(s, "alice", &c), STORE_OK);
	ck_assert_str_eq(c->serial, "0a");
	ck_assert_ptr_null(c->origin);
	store_cert_free(c);
	c = NULL;
	ck_assert_int_eq(store_record_get(s, "acme-eab", "k1", &got), STORE_E_IO);
	ck_assert_ptr_nonnull(strstr(store_last_message(s), "version 1"));
	store_close(s);
	ck_assert_int_eq(index_version(), 1);
	/* Read-write: upgraded, the rows kept. */
	s = open_store(0);
	ck_assert_int_eq(index_version(), 2);
	ck_assert_int_eq(store_find_current(s, "alice", &c), STORE_OK);
	ck_assert_str_eq(c->name, "alice");
	ck_assert_str_eq(c->pem, "PEM");
	ck_assert_ptr_null(c->origin);
	store_cert_free(c);
	ck_assert_int_eq(store_setting_get(s, "domain", &domain), STORE_OK);
	ck_assert_str_eq(domain, "example.com");
	free(domain);
	ck_assert_int_eq(store_record_add(s, &r), STORE_OK);
	ck_assert_int_eq(store_record_by_key(s, "acme-eab", "alice", &got), STORE_OK);
	store_record_free(got);
	store_close(s);
	/* Opened again: nothing more to do. */
	s = open_store(0);
	ck_assert_int_eq(index_version(), 2);
	store_close(s);
}
END_TEST

/* Two processes opening a version-1 index read-write at once: one upgrades. */
START_TEST(test_upgrade_race)
{
	pid_t pid[4];
	int i, st;

	make_v1_index();
	for (i = 0; i < 4; i++) {
		if ((pid[i] = fork()) == 0) {
			struct store *s = NULL;
			int ret = store_open(dir, 0, &s, NULL);

			store_close(s);
			_exit(ret == STORE_OK ? 0 : 1);
		}
		ck_assert_int_gt(pid[i], 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_int_eq(index_version(), 2);
}
END_TEST

/* A version the store does not know is refused, as before. */
START_TEST(test_newer_refused)
{
	char *path = xasprintf("%s/index.db", dir);
	struct store *s = NULL;
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_E_NOCA);
	ck_assert_int_eq(store_open(dir, STORE_READONLY, &s, NULL), STORE_E_NOCA);
	free(path);
}
END_TEST

START_TEST(test_origin)
{
	struct store *s = open_store(0);
	struct store_issue it[2];
	struct store_cert *c = NULL;

	fill_item(&it[0], "01", "alice", "PEM-A\n");
	it[0].origin = "acme account https://ca.example.com/acme/acct/XYZ";
	fill_item(&it[1], "02", "bob", "PEM-B\n");
	ck_assert_int_eq(store_issue(s, it, 2, 0), STORE_OK);
	ck_assert_int_eq(store_find_current(s, "alice", &c), STORE_OK);
	ck_assert_str_eq(c->origin, "acme account https://ca.example.com/acme/acct/XYZ");
	store_cert_free(c);
	c = NULL;
	ck_assert_int_eq(store_find_serial(s, "02", &c), STORE_OK);
	ck_assert_ptr_null(c->origin);
	store_cert_free(c);
	store_close(s);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("records");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, store_fixture_setup, store_fixture_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_add_get_by_key);
	tcase_add_test(tc, test_unique);
	tcase_add_test(tc, test_each_order);
	tcase_add_test(tc, test_update_delete);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_processes);
	/* index.db's version and its upgrade: SQLite's alone (store_fixture.h). */
	if (store_fixture_sqlite()) {
		tcase_add_test(tc, test_upgrade_v1);
		tcase_add_test(tc, test_upgrade_race);
		tcase_add_test(tc, test_newer_refused);
	}
	tcase_add_test(tc, test_origin);
	suite_add_tcase(s, tc);
	return s;
}
