/*
 * sqlite: the store's index in SQLite (DIR/index.db): opening it and its
 * schema and its upgrade, transactions, settings and CRL numbers. The
 * certs table is sqlite_certs.c's, the records table sqlite_records.c's.
 * Only these files know the index is SQLite; a second backend goes
 * beside them (store_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "schema.h"
#include "sqlite_int.h"
#include "util.h"

/*
 * schema.h's tables. The records table came with version 2: documents
 * the store keeps for the server's protocols without reading them
 * (store.h); key is unique within a kind when it is set, ref is a lookup
 * that is not.
 */
static const char schema[] =
    STORE_SCHEMA("INTEGER")
    "PRAGMA user_version = 2;";

/* Version 1 to 2, additive: what a version-1 sipca reads is all still there. */
static const char upgrade_v2[] =
    "ALTER TABLE certs ADD COLUMN origin TEXT;"
    STORE_RECORDS_SCHEMA("INTEGER")
    "PRAGMA user_version = 2;";

int
db_error(struct store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);

	store_msg(s, "%s: index.db: %s", what, sqlite3_errmsg(s->db));
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? STORE_E_BUSY :
	    STORE_E_IO;
}

int
exec_sql(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, "store");
	return STORE_OK;
}

/* SQLite ends a transaction itself on some errors (SQLITE_FULL): then
 * there is nothing to roll back, and no second message to print. */
void
rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
schema_version(struct store *s, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? STORE_OK : db_error(s, "store");
}

/*
 * SQLite opens index.db by name: the name given is DIR resolved, so that
 * SQLITE_OPEN_NOFOLLOW (no link anywhere in it) holds and it names the
 * directory s->dir_fd is, which is checked.
 */
static char *
db_path(struct store *s)
{
	struct stat a, b;
	char *real = realpath(s->dir, NULL), *path = NULL;

	if (real != NULL && stat(real, &a) == 0 && fstat(s->dir_fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		path = xasprintf("%s/index.db", real);
	else
		store_msg(s, "cannot resolve the store '%s': %s", s->dir,
		    real == NULL ? strerror(errno) : "it moved while opening");
	free(real);
	return path;
}

/*
 * A version-1 index opened read-write becomes version 2. The version is
 * read again inside the IMMEDIATE transaction, which no other writer can
 * hold at the same time: of two processes upgrading at once, the second
 * finds 2 and does nothing. Either the whole of it commits or none.
 */
static int
index_upgrade(struct store *s, int *version)
{
	int ret;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		return ret;
	if ((ret = schema_version(s, version)) < 0 ||
	    (*version == 1 && (ret = exec_sql(s, upgrade_v2)) < 0)) {
		rollback(s);
		return ret;
	}
	if ((ret = exec_sql(s, "COMMIT")) < 0) {
		rollback(s);
		return ret;
	}
	/* What store upgrade reports; another process may have upgraded first. */
	if (*version == 1)
		s->index_upgraded_from = 1;
	return schema_version(s, version);
}

static int sqlite_refuse_rows(struct store *s);

/*
 * Opens DIR/index.db (init: creates its schema). Returns STORE_OK, or an
 * error after a message; s->db is index_close()'s to close either way.
 */
static int
sqlite_open(struct store *s, int creating)
{
	char *path = NULL, why[96];
	const char *reason = NULL;
	struct stat st;
	int ret = STORE_E_IO, version, open_flags;

	if ((path = db_path(s)) == NULL)
		goto out;
	/* Only init creates an index; SQLite opens no link (nor a journal one). */
	open_flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX |
	    (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    (creating ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &s->db, open_flags, NULL) != SQLITE_OK) {
		store_msg(s, "cannot open '%s/index.db': %s", s->dir,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;") < 0)
		goto out;
	if ((ret = schema_version(s, &version)) < 0)
		goto out;
	if (version == 0 && creating) {
		if (fstatat(s->dir_fd, "index.db", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (reason = entry_refusal(&st, 0, 1, why, sizeof(why))) != NULL) {
			ret = refuse(s, "index.db", 8, reason != NULL ? reason :
			    strerror(errno));
			goto out;
		}
		fchmodat(s->dir_fd, "index.db", 0600, 0);
		if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
			goto out;
		if ((ret = schema_version(s, &version)) < 0 ||
		    (version == 0 && (ret = exec_sql(s, schema)) < 0)) {
			rollback(s);
			goto out;
		}
		if ((ret = exec_sql(s, "COMMIT")) < 0 ||
		    (ret = schema_version(s, &version)) < 0)
			goto out;
	} else if (version == 0) {
		/* An empty file (or one a crashed init left): no schema is made here. */
		store_msg(s, "'%s/index.db' holds no sipca index (it is empty or"
		    " damaged)", s->dir);
		ret = STORE_E_IO;
		goto out;
	} else if (version == 1 && !s->readonly &&
	    (ret = index_upgrade(s, &version)) < 0)
		goto out;
	if (version != SCHEMA_VERSION && !(version == 1 && s->readonly)) {
		/* Read-only, a version-1 index serves all but records (store.h). */
		store_msg(s, "index.db has schema version %d; this sipca knows %d",
		    version, SCHEMA_VERSION);
		ret = STORE_E_NOCA;
		goto out;
	} else if (creating && (ret = sqlite_refuse_rows(s)) < 0)
		goto out;
	s->index_version = version;
	ret = STORE_OK;
out:
	free(path);
	return ret;
}

static void
sqlite_close(struct store *s)
{
	if (s->db != NULL)
		sqlite3_close(s->db);
	s->db = NULL;
}

/* init over an index a killed init left: only when it records no certificate. */
static int
sqlite_refuse_rows(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int ret = STORE_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM certs", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(s, "init");
	if (sqlite3_step(st) != SQLITE_ROW)
		ret = db_error(s, "init");
	else if (sqlite3_column_int(st, 0) > 0) {
		store_msg(s, "a CA already exists in '%s'", s->dir);
		ret = STORE_E_EXISTS;
	}
	sqlite3_finalize(st);
	return ret;
}

char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* Steps a query that yields at most one row: STORE_OK on a row. */
int
step_single(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_E_NOTFOUND;
	return db_error(s, "store");
}

static int
sqlite_setting_get(struct store *s, const char *key, char **out_value)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM settings WHERE key = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((ret = step_single(s, st)) == STORE_OK)
		*out_value = column_dup(st, 0);
	sqlite3_finalize(st);
	return ret;
}

static int
setting_put(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
}

static int
sqlite_put_settings(struct store *s, const char *const *settings)
{
	size_t i;
	int ret;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		return ret;
	for (i = 0; settings != NULL && settings[i] != NULL; i += 2)
		if ((ret = setting_put(s, settings[i], settings[i + 1])) < 0)
			break;
	if (ret < 0 || (ret = exec_sql(s, "COMMIT")) < 0)
		rollback(s);
	return ret;
}

/* Under the writers' lock (index.c). */
static int
sqlite_crl_number_next(struct store *s, unsigned long long *out_number)
{
	char *text = NULL, *end = NULL, next_text[32];
	unsigned long long next = 1;
	int ret, in_tx = 0;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		goto out;
	in_tx = 1;
	ret = sqlite_setting_get(s, "crl_number", &text);
	if (ret == STORE_OK) {
		errno = 0;
		next = strtoull(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || next == ~0ULL) {
			store_msg(s, "the store's crl_number setting is corrupt: '%s'", text);
			ret = STORE_E_IO;
			goto out;
		}
		next++;
	} else if (ret != STORE_E_NOTFOUND)
		goto out;
	snprintf(next_text, sizeof(next_text), "%llu", next);
	if ((ret = setting_put(s, "crl_number", next_text)) < 0)
		goto out;
	if ((ret = exec_sql(s, "COMMIT")) < 0)
		goto out;
	in_tx = 0;
	*out_number = next;
	ret = STORE_OK;
out:
	if (in_tx)
		rollback(s);
	free(text);
	return ret;
}

int
step_rows(struct store *s, sqlite3_stmt *st,
    int (*row)(sqlite3_stmt *st, void *arg), void *arg)
{
	int rc, ret = STORE_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = row(st, arg)) != 0)
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "store");
	sqlite3_finalize(st);
	return ret;
}

struct setting_fn {
	int (*fn)(const char *key, const char *value, void *arg);
	void *arg;
};

static int
setting_row(sqlite3_stmt *st, void *arg)
{
	const struct setting_fn *f = arg;

	return f->fn((const char *)sqlite3_column_text(st, 0),
	    (const char *)sqlite3_column_text(st, 1), f->arg);
}

static int
sqlite_setting_each(struct store *s,
    int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	struct setting_fn f = { fn, arg };
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM settings ORDER BY key",
	    -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	return step_rows(s, st, setting_row, &f);
}

/* Under the writers' lock (index.c). */
static int
sqlite_setting_delete(struct store *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM settings WHERE key = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
}

const struct store_backend sqlite_backend = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.lock = NULL,
	.unlock = NULL,
	.refuse_rows = sqlite_refuse_rows,
	.put_settings = sqlite_put_settings,
	.setting_get = sqlite_setting_get,
	.setting_put = setting_put,
	.setting_delete = sqlite_setting_delete,
	.setting_each = sqlite_setting_each,
	.crl_number_next = sqlite_crl_number_next,
	.find_current = sqlite_find_current,
	.find_serial = sqlite_find_serial,
	.list = sqlite_list,
	.revoke = sqlite_revoke,
	.reserve = sqlite_reserve,
	.pem = sqlite_pem,
	.pending = sqlite_pending,
	.settle = sqlite_settle,
	.check = sqlite_check,
	.check_rows = sqlite_check_rows,
	.record_add = sqlite_record_add,
	.record_update = sqlite_record_update,
	.record_one = sqlite_record_one,
	.record_list = sqlite_record_list,
	.record_delete = sqlite_record_delete,
	.export_rows = sqlite_export_rows,
	.retire = sqlite_retire,
	.import_rows = NULL,
};
