/*
 * pg: the store's index in PostgreSQL, on libpq: connecting (the
 * connection string shown without its password), the schema and its
 * version table, statements and transactions with their retries, the
 * writers' lock the database holds, settings and CRL numbers. The certs
 * table is pg_certs.c's, the records table pg_records.c's. The tables
 * are SQLite's (sqlite.c), with BIGINT times, and the same uniqueness:
 * a serial by the primary key, one valid certificate per name by a
 * partial unique index, a record's key within its kind likewise.
 *
 * Transactions run at the server's isolation (READ COMMITTED unless
 * the connection string says otherwise); what must not interleave does
 * not, by the writers' lock (pg_lock): an advisory lock every host's
 * sipca takes, so that recovery's "no other writer" holds across hosts,
 * and that a crashed host's session, which the server ends, releases.
 * A connection lost while the lock is not held is opened again once
 * before the next statement, so that "sipca serve" outlives a server
 * restart; one lost under the lock fails the command (exit 3), the
 * server having rolled back its transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pg_int.h"
#include "schema.h"
#include "util.h"

/*
 * The advisory locks' keys: "sipc" in the high half; in the low half 1
 * for init's (the schema made once), and for the writers' lock the OID of
 * this index's certs table, so that two CAs' indexes in two schemas of
 * one database do not wait for each other.
 */
#define PG_LOCK_KEY "(1936289891::bigint << 32) | 1"
#define PG_WRITERS_KEY "(1936289891::bigint << 32) | to_regclass('certs')::oid::bigint"

/*
 * schema.h's tables, and a version table: SQLite keeps its version in
 * PRAGMA user_version, which PostgreSQL has no equivalent of.
 */
static const char schema[] =
    STORE_SCHEMA("BIGINT")
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
    "INSERT INTO schema_version (version) VALUES (2);";

/* libpq's notices (NOTICE, WARNING) would go to stderr: the store prints nothing. */
static void
no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * libpq's message as one line, as a new string: its lines (a server's
 * "DETAIL:", a lost connection's explanation) joined by single spaces.
 */
static char *
pg_words(const char *m)
{
	char *t = xstrdup(m != NULL && *m != '\0' ? m : "unknown error");
	size_t i, n = 0;

	for (i = 0; t[i] != '\0'; i++) {
		if (strchr("\n\t\r ", t[i]) != NULL) {
			if (n > 0 && t[n - 1] != ' ')
				t[n++] = ' ';
		} else
			t[n++] = t[i];
	}
	while (n > 0 && t[n - 1] == ' ')
		n--;
	t[n] = '\0';
	return t;
}

/*
 * The connection string as messages show it: libpq's own parse of it,
 * every option but the password (and any other libpq marks secret,
 * dispchar '*'), as key=value. One libpq cannot parse is not echoed: it
 * may hold a password where the parse stopped.
 */
static char *
conninfo_shown(const char *conninfo)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, *shown = NULL, *next;

	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		PQfreemem(err);
		return xstrdup("(a connection string libpq cannot parse)");
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0' ||
		    strcmp(o->keyword, "password") == 0 ||
		    (o->dispchar != NULL && strchr(o->dispchar, '*') != NULL))
			continue;
		next = shown == NULL ? xasprintf("%s=%s", o->keyword, o->val) :
		    xasprintf("%s %s=%s", shown, o->keyword, o->val);
		free(shown);
		shown = next;
	}
	PQconninfoFree(opts);
	return shown != NULL ? shown : xstrdup("(libpq's defaults)");
}

/* After a message naming what: lost connection or server error, STORE_E_IO or BUSY. */
static int
pg_fail(struct store *s, const char *what, const PGresult *res)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char *words;

	if (PQstatus(s->pg) == CONNECTION_BAD) {
		words = pg_words(PQerrorMessage(s->pg));
		store_msg(s, "%s: the connection to the database '%s' was lost: %s",
		    what, s->conninfo_shown, words);
		free(words);
		return STORE_E_IO;
	}
	words = pg_words(res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(s->pg));
	store_msg(s, "%s: database '%s': %s", what, s->conninfo_shown, words);
	free(words);
	/* lock_not_available, query_canceled (a lock_timeout or statement_timeout) */
	if (state != NULL && (strcmp(state, "55P03") == 0 ||
	    strcmp(state, "57014") == 0))
		return STORE_E_BUSY;
	return STORE_E_IO;
}

/* What every session of the store sets: no notices, read-only when opened so. */
static int
session_setup(struct store *s)
{
	PQsetNoticeProcessor(s->pg, no_notices, NULL);
	if (s->readonly)
		return pg_exec(s, "store", "SET default_transaction_read_only = on",
		    0, NULL, NULL);
	return STORE_OK;
}

/*
 * A connection the server dropped (a restart, an idle timeout), while
 * nothing of the store's is in flight on it: opened again once, so that
 * a long-running server carries on. Under the writers' lock it is not:
 * the lock went with the session.
 */
static int
reconnect(struct store *s)
{
	char *words;

	/*
	 * What the server sent meanwhile, without waiting: a server that
	 * ended the session (a restart, pg_terminate_backend) said so and
	 * closed it, which this reads, so that the connection is known bad
	 * before a statement is sent on it rather than after, when whether
	 * the statement ran could not be told.
	 */
	/* Twice: the server's last message, then the end of the stream. */
	if (PQtransactionStatus(s->pg) == PQTRANS_IDLE && PQconsumeInput(s->pg))
		PQconsumeInput(s->pg);
	if (PQstatus(s->pg) != CONNECTION_BAD || s->pg_locked)
		return STORE_OK;
	PQreset(s->pg);
	if (PQstatus(s->pg) != CONNECTION_OK) {
		words = pg_words(PQerrorMessage(s->pg));
		store_msg(s, "cannot reconnect to the database '%s': %s",
		    s->conninfo_shown, words);
		free(words);
		return STORE_E_IO;
	}
	return session_setup(s);
}

int
pg_exec(struct store *s, const char *what, const char *sql, int n,
    const char *const *params, PGresult **out_res)
{
	PGresult *res = NULL;
	ExecStatusType st;
	const char *state;
	int ret;

	res = PQexecParams(s->pg, sql, n, NULL, params, NULL, NULL, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (out_res != NULL)
			*out_res = res;
		else
			PQclear(res);
		return STORE_OK;
	}
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state != NULL && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0))
		ret = PG_RETRY;
	else if (state != NULL && strcmp(state, "23505") == 0)
		ret = PG_UNIQUE;
	else
		ret = pg_fail(s, what, res);
	PQclear(res);
	return ret;
}

/*
 * A little longer each time, and not in step with the other side: the
 * jitter (up to 5 ms) from the clock and the pid, not rand(), whose one
 * sequence every process would share.
 */
static void
retry_pause(int attempt)
{
	struct timespec now, t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t.tv_sec = 0;
	t.tv_nsec = (long)(attempt + 1) * 5 * 1000 * 1000 +
	    ((now.tv_nsec / 1000 + (long)getpid() * 7919) % 5000) * 1000;
	nanosleep(&t, NULL);
}

static int
retries_spent(struct store *s, const char *what)
{
	store_msg(s, "%s: database '%s': still conflicting with other writers"
	    " after %d tries", what, s->conninfo_shown, PG_TRIES);
	return STORE_E_BUSY;
}

int
pg_run(struct store *s, const char *what, const char *sql, int n,
    const char *const *params, PGresult **out_res)
{
	int attempt, ret = PG_RETRY;

	for (attempt = 0; attempt < PG_TRIES && ret == PG_RETRY; attempt++) {
		if (attempt > 0)
			retry_pause(attempt);
		if ((ret = reconnect(s)) == STORE_OK)
			ret = pg_exec(s, what, sql, n, params, out_res);
	}
	return ret == PG_RETRY ? retries_spent(s, what) : ret;
}

static void
pg_rollback(struct store *s)
{
	PGresult *res;

	if (PQstatus(s->pg) == CONNECTION_OK &&
	    PQtransactionStatus(s->pg) != PQTRANS_IDLE) {
		res = PQexec(s->pg, "ROLLBACK");
		PQclear(res);
	}
}

int
pg_tx(struct store *s, const char *what,
    int (*body)(struct store *s, void *arg), void *arg)
{
	int attempt, ret = PG_RETRY;

	for (attempt = 0; attempt < PG_TRIES && ret == PG_RETRY; attempt++) {
		if (attempt > 0)
			retry_pause(attempt);
		/* Only between transactions: one lost midway is not resumed. */
		if ((ret = reconnect(s)) < 0 ||
		    (ret = pg_exec(s, what, "BEGIN", 0, NULL, NULL)) < 0)
			continue;
		if ((ret = body(s, arg)) >= 0)
			ret = pg_exec(s, what, "COMMIT", 0, NULL, NULL);
		if (ret < 0)
			pg_rollback(s);
	}
	if (ret == PG_UNIQUE) {
		store_msg(s, "%s: database '%s': a uniqueness the index keeps would"
		    " break", what, s->conninfo_shown);
		ret = STORE_E_IO;
	}
	return ret == PG_RETRY ? retries_spent(s, what) : ret;
}

char *
pg_dup(const PGresult *res, int i, int j)
{
	return PQgetisnull(res, i, j) ? NULL : xstrdup(PQgetvalue(res, i, j));
}

long long
pg_int(const PGresult *res, int i, int j)
{
	return PQgetisnull(res, i, j) ? 0 : strtoll(PQgetvalue(res, i, j), NULL, 10);
}

/* The schema's version, 0 when the database has no sipca index. */
static int
read_version(struct store *s, int *out)
{
	PGresult *res = NULL;
	int ret;

	*out = 0;
	if ((ret = pg_exec(s, "store", "SELECT to_regclass('schema_version')"
	    " IS NOT NULL", 0, NULL, &res)) < 0)
		return ret;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return STORE_OK;
	}
	PQclear(res);
	if ((ret = pg_exec(s, "store", "SELECT max(version) FROM schema_version",
	    0, NULL, &res)) < 0)
		return ret;
	*out = (int)pg_int(res, 0, 0);
	PQclear(res);
	return STORE_OK;
}

/*
 * init: the schema, once. The transaction-scoped advisory lock makes two
 * inits at once take turns: the second finds the version table and
 * makes nothing. (store migrate makes it so too, inside its copy's
 * transaction: pg_migrate.c.)
 */
int
pg_create_body(struct store *s, void *arg)
{
	int *version = arg, ret;
	PGresult *res;

	if ((ret = pg_exec(s, "init", "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY
	    ")", 0, NULL, NULL)) < 0 || (ret = read_version(s, version)) < 0)
		return ret;
	if (*version != 0)
		return STORE_OK;
	/* Several statements, no parameters: PQexec's simple protocol. */
	res = PQexec(s->pg, schema);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		ret = pg_fail(s, "init", res);
		PQclear(res);
		return ret;
	}
	PQclear(res);
	return read_version(s, version);
}

static int pg_refuse_rows(struct store *s);

int
pg_connect(struct store *s)
{
	/* Ours first: what the connection string says overrides them. */
	const char *const keys[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *vals[] = { "15", "sipca", s->conninfo, NULL };
	char *words;

	s->conninfo_shown = conninfo_shown(s->conninfo);
	s->pg = PQconnectdbParams(keys, vals, 1);
	if (s->pg == NULL || PQstatus(s->pg) != CONNECTION_OK) {
		words = pg_words(s->pg != NULL ? PQerrorMessage(s->pg) :
		    "out of memory");
		store_msg(s, "cannot connect to the database '%s': %s",
		    s->conninfo_shown, words);
		free(words);
		return STORE_E_IO;
	}
	return session_setup(s);
}

/*
 * Connects (init: creates the schema). Returns STORE_OK, or an error
 * after a message; s->pg is pg_close's to close either way.
 */
static int
pg_open(struct store *s, int creating)
{
	int ret, version = 0;

	if ((ret = pg_connect(s)) < 0)
		goto out;
	if (creating && !s->readonly)
		ret = pg_tx(s, "init", pg_create_body, &version);
	else
		ret = read_version(s, &version);
	if (ret < 0)
		goto out;
	if (version == 0) {
		store_msg(s, "the database '%s' holds no sipca index (run 'sipca"
		    " init' with it first)", s->conninfo_shown);
		ret = STORE_E_NOCA;
		goto out;
	}
	if (version != SCHEMA_VERSION) {
		store_msg(s, "the database '%s' has schema version %d; this sipca"
		    " knows %d", s->conninfo_shown, version, SCHEMA_VERSION);
		ret = STORE_E_NOCA;
		goto out;
	}
	if (creating && (ret = pg_refuse_rows(s)) < 0)
		goto out;
	s->index_version = version;
	ret = STORE_OK;
out:
	return ret;
}

static void
pg_close(struct store *s)
{
	if (s->pg != NULL)
		PQfinish(s->pg);
	s->pg = NULL;
	s->pg_locked = 0;
}

/*
 * The writers' lock, held by the session: tried every 20 ms, as lock.c
 * tries the flock, for as long, so that a host that holds it is waited
 * for and one that died (its session gone, its lock with it) is not.
 */
static int
pg_lock(struct store *s)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	PGresult *res = NULL;
	int ret, waited = 0, got = 0;

	while (!got) {
		if ((ret = pg_run(s, "store", "SELECT pg_try_advisory_lock("
		    PG_WRITERS_KEY ")", 0, NULL, &res)) < 0)
			return ret;
		got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (got)
			break;
		if (waited >= LOCK_TIMEOUT_MS) {
			store_msg(s, "the store is busy: another sipca has held its "
			    "lock in the database for %d seconds", LOCK_TIMEOUT_MS / 1000);
			return STORE_E_BUSY;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	s->pg_locked = 1;
	return STORE_OK;
}

/* A session gone took the lock with it: nothing to release then. */
static void
pg_unlock(struct store *s)
{
	PGresult *res;

	if (s->pg_locked && PQstatus(s->pg) == CONNECTION_OK) {
		res = PQexec(s->pg, "SELECT pg_advisory_unlock(" PG_WRITERS_KEY ")");
		PQclear(res);
	}
	s->pg_locked = 0;
}

/*
 * init into a database: only an empty one. SQLite's index.db is the
 * directory's own, so an init that was killed may go again over its
 * settings; a database may be another directory's, another host's, so
 * its settings are another CA's until shown otherwise: an interrupted
 * init's are emptied by hand (the message says so).
 */
static int
pg_refuse_rows(struct store *s)
{
	PGresult *res = NULL;
	int ret;

	if ((ret = pg_run(s, "init", "SELECT (SELECT count(*) FROM certs),"
	    " (SELECT count(*) FROM settings)", 0, NULL, &res)) < 0)
		return ret;
	if (pg_int(res, 0, 0) > 0 || pg_int(res, 0, 1) > 0) {
		store_msg(s, "a CA already exists in the database '%s'%s",
		    s->conninfo_shown, pg_int(res, 0, 0) > 0 ? "" : " (its settings"
		    " are there; after an interrupted init, empty the database to"
		    " start again)");
		ret = STORE_E_EXISTS;
	}
	PQclear(res);
	return ret;
}

static int
pg_setting_get(struct store *s, const char *key, char **out_value)
{
	const char *p[] = { key };
	PGresult *res = NULL;
	int ret;

	if ((ret = pg_run(s, "store", "SELECT value FROM settings WHERE key = $1",
	    1, p, &res)) < 0)
		return ret;
	if (PQntuples(res) == 0)
		ret = STORE_E_NOTFOUND;
	else
		*out_value = pg_dup(res, 0, 0);
	PQclear(res);
	return ret;
}

static const char setting_upsert[] = "INSERT INTO settings (key, value)"
    " VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";

static int
pg_setting_put(struct store *s, const char *key, const char *value)
{
	const char *p[] = { key, value };

	return pg_run(s, "store", setting_upsert, 2, p, NULL);
}

static int
settings_body(struct store *s, void *arg)
{
	const char *const *settings = arg;
	size_t i;
	int ret = STORE_OK;

	for (i = 0; settings != NULL && settings[i] != NULL && ret == STORE_OK;
	    i += 2)
		ret = pg_exec(s, "store", setting_upsert, 2, settings + i, NULL);
	return ret;
}

static int
pg_put_settings(struct store *s, const char *const *settings)
{
	return pg_tx(s, "store", settings_body, (void *)settings);
}

static int
pg_setting_delete(struct store *s, const char *key)
{
	const char *p[] = { key };

	return pg_run(s, "store", "DELETE FROM settings WHERE key = $1", 1, p,
	    NULL);
}

static int
pg_setting_each(struct store *s,
    int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	PGresult *res = NULL;
	int ret, i;

	if ((ret = pg_run(s, "store", "SELECT key, value FROM settings"
	    " ORDER BY key COLLATE \"C\"", 0, NULL, &res)) < 0)
		return ret;
	for (i = 0; i < PQntuples(res) && ret == 0; i++)
		ret = fn(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), arg);
	PQclear(res);
	return ret;
}

/*
 * The number's row is locked (FOR UPDATE) from its read to the commit of
 * its successor, so that two CRLs never share a number even without the
 * writers' lock; the first one's row is made first, so that there is
 * always a row to lock.
 */
static int
crl_body(struct store *s, void *arg)
{
	unsigned long long *out = arg, next;
	const char *p[2] = { "crl_number", NULL };
	char *end = NULL, next_text[32];
	PGresult *res = NULL;
	const char *text;
	int ret;

	if ((ret = pg_exec(s, "store", "INSERT INTO settings (key, value)"
	    " VALUES ('crl_number', '0') ON CONFLICT (key) DO NOTHING", 0, NULL,
	    NULL)) < 0 ||
	    (ret = pg_exec(s, "store", "SELECT value FROM settings WHERE key ="
	    " 'crl_number' FOR UPDATE", 0, NULL, &res)) < 0)
		return ret;
	text = PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
	errno = 0;
	next = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || next == ~0ULL) {
		store_msg(s, "the store's crl_number setting is corrupt: '%s'", text);
		PQclear(res);
		return STORE_E_IO;
	}
	PQclear(res);
	snprintf(next_text, sizeof(next_text), "%llu", ++next);
	p[1] = next_text;
	if ((ret = pg_exec(s, "store", "UPDATE settings SET value = $2 WHERE"
	    " key = $1", 2, p, NULL)) < 0)
		return ret;
	*out = next;
	return STORE_OK;
}

static int
pg_crl_number_next(struct store *s, unsigned long long *out_number)
{
	unsigned long long next = 0;
	int ret;

	if ((ret = pg_tx(s, "store", crl_body, &next)) == STORE_OK)
		*out_number = next;
	return ret;
}

const struct store_backend pg_backend = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.refuse_rows = pg_refuse_rows,
	.put_settings = pg_put_settings,
	.setting_get = pg_setting_get,
	.setting_put = pg_setting_put,
	.setting_delete = pg_setting_delete,
	.setting_each = pg_setting_each,
	.crl_number_next = pg_crl_number_next,
	.find_current = pg_find_current,
	.find_serial = pg_find_serial,
	.list = pg_list,
	.revoke = pg_revoke,
	.reserve = pg_reserve,
	.pem = pg_pem,
	.pending = pg_pending,
	.settle = pg_settle,
	.check = pg_check,
	.check_rows = pg_check_rows,
	.record_add = pg_record_add,
	.record_update = pg_record_update,
	.record_one = pg_record_one,
	.record_list = pg_record_list,
	.record_delete = pg_record_delete,
	.export_rows = NULL,
	.retire = NULL,
	.import_rows = pg_import_rows,
};
