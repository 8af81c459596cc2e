/*
 * store: the CA directory, its SQLite index, the writers' lock and crash
 * recovery.
 *
 * Issuance protocol, per certificate (all steps under the writers' lock,
 * an flock on DIR/lock, so there is one writer at a time; readers only
 * need SQLite's own locking):
 *
 *   1. transaction: insert the row as "pending" (the serial is the
 *      primary key, so it can never be recorded twice);
 *   2. write the files into issued/NAME/.staging-SERIAL.tmp/, sync them;
 *   3. keep what is replaced: history/OLD.pem (and OLD.key when the key
 *      goes);
 *   4. rename .staging-SERIAL.tmp to .staging-SERIAL: from here on the
 *      issuance rolls forward;
 *   5. rename each staged file into issued/NAME/, remove the staging dir;
 *   6. transaction: the row becomes "valid", the one it replaces
 *      "superseded".
 *
 * A name that has no directory yet is staged as issued/.staging-SERIAL.tmp/
 * and step 5 is one rename of that directory to issued/NAME: steps 4 and
 * 5 are then the same atomic step.
 *
 * A process killed anywhere leaves a pending row. The next writer, on
 * taking the lock, finishes it when step 4 was reached (or step 5
 * completed), and otherwise removes the row and the staging directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fileio.h"
#include "store.h"
#include "util.h"

#define SCHEMA_VERSION 1
#define LOCK_TIMEOUT_MS 60000
#define BUSY_TIMEOUT_MS 60000
#define MAX_STORE_FILE (16u << 20)

struct store {
	char *dir;
	sqlite3 *db;
	int lock_fd;
	int lock_depth;
	int readonly;
};

static const char *const status_names[] = {
	[STATUS_VALID] = "valid",
	[STATUS_REVOKED] = "revoked",
	[STATUS_SUPERSEDED] = "superseded",
	[STATUS_PENDING] = "pending",
	[STATUS_EXPIRED] = "expired",
};

const char *
store_status_name(enum store_status s)
{
	return status_names[s];
}

int
store_status_parse(const char *s, enum store_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum store_status)i;
			return 0;
		}
	}
	return -1;
}

static const char schema[] =
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE certs ("
    "  serial TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  sans TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN"
    "    ('pending', 'valid', 'revoked', 'superseded')),"
    "  key_source TEXT NOT NULL,"
    "  key_type TEXT,"
    "  forced INTEGER NOT NULL DEFAULT 0,"
    "  issued_at INTEGER NOT NULL,"
    "  revoked_at INTEGER,"
    "  revoke_reason TEXT,"
    "  supersedes TEXT,"
    "  pem TEXT NOT NULL);"
    /* One current certificate per name; renewals swap within one transaction. */
    "CREATE UNIQUE INDEX certs_one_valid ON certs(name) WHERE status = 'valid';"
    "CREATE INDEX certs_by_name ON certs(name, status);"
    "CREATE INDEX certs_by_status ON certs(status, not_after);"
    "PRAGMA user_version = 1;";

char *
store_default_dir(const char *dir_option)
{
	const char *env;

	if (dir_option != NULL && *dir_option != '\0')
		return xstrdup(dir_option);
	if ((env = getenv("SIPCA_DIR")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/')
		return xasprintf("%s/sipca", env);
	if ((env = getenv("HOME")) != NULL && *env != '\0')
		return xasprintf("%s/.local/share/sipca", env);
	return xstrdup(".sipca");
}

char *
store_path(const struct store *s, const char *rel)
{
	return xasprintf("%s/%s", s->dir, rel);
}

const char *
store_dir(const struct store *s)
{
	return s->dir;
}

static int
db_error(struct store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);

	error_msg("%s: index.db: %s", what, sqlite3_errmsg(s->db));
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ? STORE_E_BUSY :
	    STORE_E_IO;
}

static int
exec_sql(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, "store");
	return STORE_OK;
}

/* SQLite ends a transaction itself on some errors (SQLITE_FULL): then
 * there is nothing to roll back, and no second message to print. */
static void
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

int
store_open(const char *dir, int flags, struct store **out_store)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char *ca_path = NULL, *db_path = NULL, *lock_path = NULL;
	struct stat st;
	int ret = STORE_E_IO, version, open_flags;

	s->dir = xstrdup(dir);
	s->lock_fd = -1;
	s->readonly = (flags & STORE_READONLY) != 0;
	if (flags & STORE_CREATE) {
		if (mkdir_parents(dir, 0700) < 0) {
			error_msg("cannot create the store: '%s': %s", dir,
			    strerror(errno));
			ret = errno == ENOTDIR || errno == EEXIST ? STORE_E_NOCA :
			    STORE_E_IO;
			goto out;
		}
	} else {
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			error_msg("no CA store at '%s'%s", dir, stat(dir, &st) == 0 ?
			    ": not a directory" : " (run 'sipca init' first)");
			ret = STORE_E_NOCA;
			goto out;
		}
		ca_path = store_path(s, "ca.pem");
		if (lstat(ca_path, &st) < 0) {
			/* A store we may not read is not a missing one. */
			if (errno != ENOENT) {
				error_msg("cannot read the store '%s': %s", dir,
				    strerror(errno));
				ret = STORE_E_IO;
			} else {
				error_msg("no CA in '%s' (run 'sipca init' first)", dir);
				ret = STORE_E_NOCA;
			}
			goto out;
		}
	}
	db_path = store_path(s, "index.db");
	if (!(flags & STORE_CREATE) && !path_exists(db_path)) {
		error_msg("the store has no index: '%s'", db_path);
		ret = STORE_E_NOCA;
		goto out;
	}
	open_flags = s->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(db_path, &s->db, open_flags | SQLITE_OPEN_FULLMUTEX,
	    NULL) != SQLITE_OK) {
		error_msg("cannot open '%s': %s", db_path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;") < 0)
		goto out;
	if ((ret = schema_version(s, &version)) < 0)
		goto out;
	if (version == 0 && !s->readonly) {
		chmod(db_path, 0600);
		if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
			goto out;
		if ((ret = schema_version(s, &version)) < 0 ||
		    (version == 0 && (ret = exec_sql(s, schema)) < 0)) {
			rollback(s);
			goto out;
		}
		if ((ret = exec_sql(s, "COMMIT")) < 0)
			goto out;
	} else if (version != SCHEMA_VERSION) {
		error_msg("index.db has schema version %d; this sipca knows %d",
		    version, SCHEMA_VERSION);
		ret = STORE_E_NOCA;
		goto out;
	}
	if (!s->readonly) {
		lock_path = store_path(s, "lock");
		s->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
		if (s->lock_fd < 0) {
			error_msg("cannot open '%s': %s", lock_path, strerror(errno));
			ret = STORE_E_IO;
			goto out;
		}
	}
	*out_store = s;
	s = NULL;
	ret = STORE_OK;
out:
	free(ca_path);
	free(db_path);
	free(lock_path);
	store_close(s);
	return ret;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->dir);
	free(s);
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* Steps a query that yields at most one row: STORE_OK on a row. */
static int
step_single(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_E_NOTFOUND;
	return db_error(s, "store");
}

int
store_setting_get(struct store *s, const char *key, char **out_value)
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

int
store_setting_set(struct store *s, const char *key, const char *value)
{
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	ret = setting_put(s, key, value);
	store_unlock(s);
	return ret;
}

/* ---- the writers' lock and recovery ---- */

static int store_recover(struct store *s);

int
store_lock(struct store *s)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int waited = 0;

	if (s->readonly || s->lock_fd < 0) {
		error_msg("the store is open read-only");
		return STORE_E_IO;
	}
	if (s->lock_depth++ > 0)
		return STORE_OK;
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error_msg("cannot lock the store: %s", strerror(errno));
			s->lock_depth = 0;
			return STORE_E_IO;
		}
		if (waited >= LOCK_TIMEOUT_MS) {
			error_msg("the store is busy: another sipca has held its "
			    "lock for %d seconds", LOCK_TIMEOUT_MS / 1000);
			s->lock_depth = 0;
			return STORE_E_BUSY;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	if (store_recover(s) < 0) {
		store_unlock(s);
		return STORE_E_IO;
	}
	return STORE_OK;
}

void
store_unlock(struct store *s)
{
	if (s->lock_depth == 0 || --s->lock_depth > 0)
		return;
	flock(s->lock_fd, LOCK_UN);
}

static char *
cert_dir(struct store *s, const char *name)
{
	return xasprintf("%s/issued/%s", s->dir, name);
}

static char *
staging_dir(struct store *s, const char *name, const char *serial, int done)
{
	return xasprintf("%s/issued/%s/.staging-%s%s", s->dir, name, serial,
	    done ? "" : ".tmp");
}

/*
 * A name seen for the first time is staged beside the others, in
 * issued/.staging-SERIAL.tmp/, and one rename makes it issued/NAME/: the
 * directory appears with all its files at once, which needs no marker,
 * one directory fewer and one rename instead of four (batches of
 * thousands of new phones are this case).
 */
static char *
fresh_staging_dir(struct store *s, const char *serial)
{
	return xasprintf("%s/issued/.staging-%s.tmp", s->dir, serial);
}

/* Removes a directory holding plain files only (a staging dir). */
static int
remove_flat_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char *p;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", path, e->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	return rmdir(path);
}

static const char *const staged_files[] = { "key.pem", "chain.pem", "cert.pem" };
/* A file in a staging dir whose presence says "the new cert has no key". */
#define NO_KEY_MARKER "no-key"

/* Step 5: moves staged files into place; idempotent, so recovery reuses it. */
static int
install_staged(struct store *s, const char *name, const char *serial)
{
	char *staged = staging_dir(s, name, serial, 1);
	char *dir = cert_dir(s, name);
	char *from = NULL, *to = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < sizeof(staged_files) / sizeof(staged_files[0]); i++) {
		free(from);
		free(to);
		from = xasprintf("%s/%s", staged, staged_files[i]);
		to = xasprintf("%s/%s", dir, staged_files[i]);
		if (rename(from, to) < 0 && errno != ENOENT) {
			error_msg("cannot install '%s': %s", to, strerror(errno));
			goto out;
		}
		test_crash_point("store-installing");
	}
	free(from);
	from = xasprintf("%s/%s", staged, NO_KEY_MARKER);
	if (path_exists(from)) {
		free(to);
		to = xasprintf("%s/key.pem", dir);
		unlink(to);
	}
	remove_flat_dir(staged);
	ret = 0;
out:
	free(from);
	free(to);
	free(staged);
	free(dir);
	return ret;
}

/* Runs an UPDATE or DELETE whose one parameter is a serial. */
static int
exec_on_serial(struct store *s, const char *sql, const char *serial)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
}

static int
finish_row(struct store *s, const char *serial, const char *supersedes)
{
	int ret;

	if (supersedes != NULL && (ret = exec_on_serial(s, "UPDATE certs SET"
	    " status = 'superseded' WHERE serial = ? AND status = 'valid'",
	    supersedes)) < 0)
		return ret;
	return exec_on_serial(s, "UPDATE certs SET status = 'valid'"
	    " WHERE serial = ? AND status = 'pending'", serial);
}

static int
delete_row(struct store *s, const char *serial)
{
	return exec_on_serial(s, "DELETE FROM certs WHERE serial = ?"
	    " AND status = 'pending'", serial);
}

/* True when issued/NAME/cert.pem is exactly pem. */
static int
installed_cert_is(struct store *s, const char *name, const char *pem)
{
	char *path = xasprintf("%s/issued/%s/cert.pem", s->dir, name);
	unsigned char *data = NULL;
	size_t len = 0;
	int same = 0;

	if (read_file(path, MAX_STORE_FILE, &data, &len) == 0)
		same = len == strlen(pem) && memcmp(data, pem, len) == 0;
	free(data);
	free(path);
	return same;
}

static void
remove_history(struct store *s, const char *name, const char *old_serial)
{
	char *p = xasprintf("%s/issued/%s/history/%s.pem", s->dir, name, old_serial);

	unlink(p);
	free(p);
	p = xasprintf("%s/issued/%s/history/%s.key", s->dir, name, old_serial);
	unlink(p);
	free(p);
}

/* Undoes steps 1 to 3 of an issuance that did not reach step 4. */
static void
undo_staging(struct store *s, const char *name, const char *serial,
    const char *supersedes)
{
	char *tmp = staging_dir(s, name, serial, 0);
	char *fresh = fresh_staging_dir(s, serial);
	char *dir = cert_dir(s, name);
	char *hist = xasprintf("%s/history", dir);

	remove_flat_dir(tmp);
	remove_flat_dir(fresh);
	free(fresh);
	if (supersedes != NULL)
		remove_history(s, name, supersedes);
	rmdir(hist);	/* only when empty */
	rmdir(dir);
	free(hist);
	free(tmp);
	free(dir);
}

struct pending {
	char *serial, *name, *supersedes, *pem;
};

static int
store_recover(struct store *s)
{
	sqlite3_stmt *st = NULL;
	struct pending *p = NULL;
	size_t n = 0, i;
	char *staged;
	int ret = STORE_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT serial, name, supersedes, pem"
	    " FROM certs WHERE status = 'pending'", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "recovery");
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = xrealloc(p, (n + 1) * sizeof(*p));
		p[n].serial = column_dup(st, 0);
		p[n].name = column_dup(st, 1);
		p[n].supersedes = column_dup(st, 2);
		p[n].pem = column_dup(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	if (n == 0)
		return STORE_OK;
	/* Only a crashed writer leaves pending rows: we hold the lock. */
	for (i = 0; i < n && ret == STORE_OK; i++) {
		staged = staging_dir(s, p[i].name, p[i].serial, 1);
		if (path_exists(staged)) {
			if (install_staged(s, p[i].name, p[i].serial) < 0)
				ret = STORE_E_IO;
			else
				ret = finish_row(s, p[i].serial, p[i].supersedes);
		} else if (installed_cert_is(s, p[i].name, p[i].pem)) {
			ret = finish_row(s, p[i].serial, p[i].supersedes);
		} else {
			undo_staging(s, p[i].name, p[i].serial, p[i].supersedes);
			ret = delete_row(s, p[i].serial);
		}
		free(staged);
	}
	for (i = 0; i < n; i++) {
		free(p[i].serial);
		free(p[i].name);
		free(p[i].supersedes);
		free(p[i].pem);
	}
	free(p);
	return ret;
}

/* ---- init ---- */

int
store_init_ca(struct store *s, const char *ca_pem, size_t ca_pem_len,
    const char *key_pem, size_t key_pem_len, const char *const *settings)
{
	char *cert_path = store_path(s, "ca.pem");
	char *key_path = store_path(s, "ca.key");
	char *issued = store_path(s, "issued");
	sqlite3_stmt *st = NULL;
	int ret, locked = 0, count = 0;
	size_t i;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM certs", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (path_exists(cert_path) || count > 0) {
		error_msg("a CA already exists in '%s'", s->dir);
		ret = STORE_E_EXISTS;
		goto out;
	}
	if (path_exists(key_path)) {
		error_msg("'%s' exists without ca.pem (an interrupted init?);"
		    " move it away to start again", key_path);
		ret = STORE_E_EXISTS;
		goto out;
	}
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		goto out;
	for (i = 0; settings != NULL && settings[i] != NULL; i += 2)
		if ((ret = setting_put(s, settings[i], settings[i + 1])) < 0)
			break;
	if (ret < 0 || (ret = exec_sql(s, "COMMIT")) < 0) {
		rollback(s);
		goto out;
	}
	if (mkdir_mode(issued, 0700) < 0) {
		error_msg("cannot create '%s': %s", issued, strerror(errno));
		ret = STORE_E_IO;
		goto out;
	}
	/* The key first and exclusively; ca.pem last marks the CA complete. */
	if ((key_pem != NULL &&
	    atomic_write(key_path, key_pem, key_pem_len, 0600, ATOMIC_EXCLUSIVE) < 0) ||
	    atomic_write(cert_path, ca_pem, ca_pem_len, 0644, ATOMIC_EXCLUSIVE) < 0) {
		error_msg("cannot write the CA: %s", strerror(errno));
		ret = STORE_E_IO;
		goto out;
	}
	ret = STORE_OK;
out:
	if (locked)
		store_unlock(s);
	free(cert_path);
	free(key_path);
	free(issued);
	return ret;
}

int
store_read_ca_cert(struct store *s, unsigned char **out, size_t *out_len)
{
	char *path = store_path(s, "ca.pem");
	int ret = STORE_OK;

	if (read_file(path, MAX_STORE_FILE, out, out_len) < 0) {
		error_msg("cannot read '%s': %s", path, strerror(errno));
		ret = STORE_E_IO;
	}
	free(path);
	return ret;
}

int
store_read_ca_key(struct store *s, unsigned char **out, size_t *out_len)
{
	char *path = store_path(s, "ca.key");
	struct stat st;
	int ret = STORE_E_IO;

	if (lstat(path, &st) < 0) {
		error_msg("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_msg("'%s' is not a regular file", path);
		goto out;
	}
	/* As ssh does with identity files: a key others can read is a leak. */
	if (st.st_mode & 077) {
		error_msg("'%s' is readable by others (mode %04o); "
		    "fix it with: chmod 600 '%s'", path,
		    (unsigned)(st.st_mode & 07777), path);
		ret = STORE_E_NOCA;
		goto out;
	}
	if (read_secret_file(path, out, out_len) < 0) {
		error_msg("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = STORE_OK;
out:
	free(path);
	return ret;
}

int
store_read_issued_key(struct store *s, const char *name, unsigned char **out,
    size_t *out_len)
{
	struct store_cert *c = NULL;
	char *dir = NULL, *path = NULL;
	struct stat st;
	int ret;

	if ((ret = store_find_current(s, name, &c)) != STORE_OK)
		goto out;
	/* A CSR's key never came here: there is nothing to read. */
	if (c->key_source == NULL || strcmp(c->key_source, "csr") == 0) {
		ret = STORE_E_NOTFOUND;
		goto out;
	}
	dir = cert_dir(s, name);
	path = xasprintf("%s/key.pem", dir);
	ret = STORE_E_IO;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			ret = STORE_E_NOTFOUND;
		else
			error_msg("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error_msg("'%s' is not a regular file", path);
		goto out;
	}
	if (read_secret_file(path, out, out_len) < 0) {
		error_msg("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = STORE_OK;
out:
	store_cert_free(c);
	free(path);
	free(dir);
	return ret;
}

int
store_write_file(struct store *s, const char *rel, const void *data,
    size_t len, int private_file)
{
	char *path = store_path(s, rel);
	int ret = STORE_OK;

	if (atomic_write(path, data, len, private_file ? 0600 : 0644, 0) < 0) {
		error_msg("cannot write '%s': %s", path, strerror(errno));
		ret = STORE_E_IO;
	}
	free(path);
	return ret;
}

/* ---- reading rows ---- */

#define CERT_COLUMNS "serial, name, kind, subject, sans, not_before, not_after," \
	" status, key_source, key_type, forced, issued_at, revoked_at," \
	" revoke_reason, pem"

static struct store_cert *
row_to_cert(sqlite3_stmt *st)
{
	struct store_cert *c = xcalloc(1, sizeof(*c));
	const char *status = (const char *)sqlite3_column_text(st, 7);

	c->serial = column_dup(st, 0);
	c->name = column_dup(st, 1);
	c->kind = column_dup(st, 2);
	c->subject = column_dup(st, 3);
	c->sans = column_dup(st, 4);
	c->not_before = (time_t)sqlite3_column_int64(st, 5);
	c->not_after = (time_t)sqlite3_column_int64(st, 6);
	if (store_status_parse(status ? status : "", &c->status) < 0)
		c->status = STATUS_PENDING;
	if (c->status == STATUS_VALID && c->not_after <= sipca_now())
		c->status = STATUS_EXPIRED;
	c->key_source = column_dup(st, 8);
	c->key_type = column_dup(st, 9);
	c->forced = sqlite3_column_int(st, 10);
	c->issued_at = (time_t)sqlite3_column_int64(st, 11);
	c->revoked_at = (time_t)sqlite3_column_int64(st, 12);
	c->revoke_reason = column_dup(st, 13);
	c->pem = column_dup(st, 14);
	return c;
}

void
store_cert_free(struct store_cert *c)
{
	if (c == NULL)
		return;
	free(c->serial);
	free(c->name);
	free(c->kind);
	free(c->subject);
	free(c->sans);
	free(c->key_source);
	free(c->key_type);
	free(c->revoke_reason);
	free(c->pem);
	free(c);
}

static int
find_one(struct store *s, const char *sql, const char *arg,
    struct store_cert **out_cert)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if ((ret = step_single(s, st)) == STORE_OK)
		*out_cert = row_to_cert(st);
	sqlite3_finalize(st);
	return ret;
}

int
store_find_current(struct store *s, const char *name,
    struct store_cert **out_cert)
{
	return find_one(s, "SELECT " CERT_COLUMNS " FROM certs WHERE name = ?"
	    " AND status = 'valid'", name, out_cert);
}

int
store_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert)
{
	return find_one(s, "SELECT " CERT_COLUMNS " FROM certs WHERE serial ="
	    " lower(?) AND status != 'pending'", serial_hex, out_cert);
}

int
store_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg)
{
	char sql[512];
	sqlite3_stmt *st = NULL;
	struct store_cert *c;
	time_t now = sipca_now();
	int rc, ret = STORE_OK, i = 1;

	snprintf(sql, sizeof(sql), "SELECT " CERT_COLUMNS " FROM certs WHERE"
	    " status != 'pending'%s%s%s%s ORDER BY name, issued_at, serial",
	    f->name ? " AND name = ?1" : "",
	    f->kind ? " AND kind = ?2" : "",
	    f->status == STATUS_VALID ? " AND status = 'valid' AND not_after > ?3" :
	    f->status == STATUS_EXPIRED ? " AND status = 'valid' AND not_after <= ?3" :
	    f->status == STATUS_REVOKED ? " AND status = 'revoked'" :
	    f->status == STATUS_SUPERSEDED ? " AND status = 'superseded'" : "",
	    f->expires_before ? " AND status = 'valid' AND not_after > ?3"
	    " AND not_after <= ?4" : "");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	if (f->name)
		sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
	if (f->kind)
		sqlite3_bind_text(st, 2, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)f->expires_before);
	(void)i;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c = row_to_cert(st);
		ret = fn(c, arg);
		store_cert_free(c);
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "store");
	sqlite3_finalize(st);
	return ret;
}

/*
 * All of them in one transaction: a revocation killed halfway would
 * leave older certificates of the same key valid, which is what revoking
 * by name is for.
 */
int
store_revoke(struct store *s, const char *const *serials, size_t n, time_t when,
    const char *reason)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int ret, in_tx = 0;

	if ((ret = store_lock(s)) < 0)
		return ret;
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		goto out;
	in_tx = 1;
	if (sqlite3_prepare_v2(s->db, "UPDATE certs SET status = 'revoked',"
	    " revoked_at = ?, revoke_reason = ? WHERE serial = lower(?)"
	    " AND status IN ('valid', 'superseded')", -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			test_crash_point("store-revoking");
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)when);
		sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, serials[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ret = db_error(s, "store");
			goto out;
		}
		if (sqlite3_changes(s->db) != 1) {
			ret = STORE_E_NOTFOUND;
			goto out;
		}
	}
	if ((ret = exec_sql(s, "COMMIT")) == STORE_OK)
		in_tx = 0;
out:
	sqlite3_finalize(st);
	if (in_tx)
		rollback(s);
	store_unlock(s);
	return ret;
}

/* ---- issuance ---- */

struct issue_state {
	char *supersedes;	/* the serial this item replaces, or NULL */
	int fresh;		/* issued/NAME does not exist yet */
	int staged;		/* reached step 4 */
};

static int
insert_pending(struct store *s, struct store_issue *it, const char *supersedes,
    sqlite3_stmt *ins)
{
	int rc;

	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, it->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, it->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, it->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, it->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, it->sans, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 6, (sqlite3_int64)it->not_before);
	sqlite3_bind_int64(ins, 7, (sqlite3_int64)it->not_after);
	sqlite3_bind_text(ins, 8, it->key_source, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 9, it->key_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 10, it->forced);
	sqlite3_bind_int64(ins, 11, (sqlite3_int64)sipca_now());
	sqlite3_bind_text(ins, 12, supersedes, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 13, it->cert_pem, -1, SQLITE_STATIC);
	rc = sqlite3_step(ins);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_E_SERIAL_TAKEN;
	return db_error(s, "store");
}

/*
 * Step 1 for every item in one transaction: decide what each replaces
 * and reserve its serial.
 */
static int
reserve_all(struct store *s, struct store_issue *items, size_t n,
    struct issue_state *state)
{
	sqlite3_stmt *cur = NULL, *pend = NULL, *ins = NULL;
	time_t now = sipca_now();
	size_t i;
	int ret, rc;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		return ret;
	if (sqlite3_prepare_v2(s->db, "SELECT serial, not_after FROM certs"
	    " WHERE name = ? AND status = 'valid'", -1, &cur, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT 1 FROM certs WHERE name = ?"
	    " AND status = 'pending'", -1, &pend, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO certs (serial, name, kind,"
	    " subject, sans, not_before, not_after, status, key_source, key_type,"
	    " forced, issued_at, supersedes, pem) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, 'pending', ?8, ?9, ?10, ?11, ?12, ?13)", -1, &ins,
	    NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct store_issue *it = &items[i];

		it->result = STORE_OK;
		sqlite3_reset(pend);
		sqlite3_bind_text(pend, 1, it->name, -1, SQLITE_STATIC);
		if (sqlite3_step(pend) == SQLITE_ROW) {
			it->result = STORE_E_NAME_TAKEN;	/* twice in one call */
			continue;
		}
		sqlite3_reset(cur);
		sqlite3_bind_text(cur, 1, it->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(cur);
		if (rc == SQLITE_ROW) {
			time_t not_after = (time_t)sqlite3_column_int64(cur, 1);

			if (!it->replace && not_after > now) {
				it->result = STORE_E_NAME_TAKEN;
				continue;
			}
			state[i].supersedes = column_dup(cur, 0);
		} else if (rc != SQLITE_DONE) {
			ret = db_error(s, "store");
			goto out;
		} else if (it->replace) {
			it->result = STORE_E_NOTFOUND;
			continue;
		}
		ret = insert_pending(s, it, state[i].supersedes, ins);
		if (ret == STORE_E_SERIAL_TAKEN) {
			it->result = ret;
			free(state[i].supersedes);
			state[i].supersedes = NULL;
			continue;
		}
		if (ret < 0)
			goto out;
	}
	ret = exec_sql(s, "COMMIT");
out:
	sqlite3_finalize(cur);
	sqlite3_finalize(pend);
	sqlite3_finalize(ins);
	if (ret < 0)
		rollback(s);
	return ret;
}

static int
stage_file(const char *dir, const char *file, const char *data, size_t len,
    mode_t mode, int sync)
{
	char *path = xasprintf("%s/%s", dir, file);
	int fd, ret = -1;
	ssize_t w;
	size_t done = 0;

	/* Private keys: created exclusively, never through a link (signify). */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		goto out;
	if (fchmod(fd, mode) < 0)
		goto out_close;
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto out_close;
		done += (size_t)w;
	}
	if (sync && fsync(fd) < 0)
		goto out_close;
	ret = 0;
out_close:
	if (close(fd) < 0)
		ret = -1;
out:
	if (ret < 0)
		error_msg("cannot write '%s': %s", path, strerror(errno));
	free(path);
	return ret;
}

/* Steps 2 and 3 for one item, up to the point just before step 4. */
static int
stage_item(struct store *s, const struct store_issue *it, const char *supersedes,
    const char *old_pem, int fresh, int sync)
{
	char *dir = cert_dir(s, it->name);
	char *tmp = fresh ? fresh_staging_dir(s, it->serial) :
	    staging_dir(s, it->name, it->serial, 0);
	char *hist = xasprintf("%s/history", dir);
	char *key = xasprintf("%s/key.pem", dir);
	char *old_key = NULL, *old_cert = NULL;
	int ret = -1;

	if ((!fresh && mkdir_mode(dir, 0700) < 0) || mkdir(tmp, 0700) < 0) {
		error_msg("cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (it->key_pem != NULL &&
	    stage_file(tmp, "key.pem", it->key_pem, it->key_pem_len, 0600, sync) < 0)
		goto out;
	if (it->key_pem == NULL && !it->keep_key &&
	    stage_file(tmp, NO_KEY_MARKER, "", 0, 0600, sync) < 0)
		goto out;
	if (stage_file(tmp, "cert.pem", it->cert_pem, strlen(it->cert_pem), 0644,
	    sync) < 0 ||
	    stage_file(tmp, "chain.pem", it->chain_pem, strlen(it->chain_pem),
	    0644, sync) < 0)
		goto out;
	if (supersedes != NULL && old_pem != NULL) {
		if (mkdir_mode(hist, 0700) < 0) {
			error_msg("cannot create '%s': %s", hist, strerror(errno));
			goto out;
		}
		old_cert = xasprintf("%s/%s.pem", hist, supersedes);
		if (atomic_write(old_cert, old_pem, strlen(old_pem), 0644,
		    sync ? 0 : ATOMIC_NO_SYNC) < 0) {
			error_msg("cannot write '%s': %s", old_cert, strerror(errno));
			goto out;
		}
		if (!it->keep_key && path_exists(key)) {
			/* A hard link keeps the old key's bytes without a copy in memory. */
			old_key = xasprintf("%s/%s.key", hist, supersedes);
			unlink(old_key);
			if (link(key, old_key) < 0) {
				error_msg("cannot keep '%s': %s", old_key, strerror(errno));
				goto out;
			}
		}
	}
	if (sync && fsync_dir(tmp) < 0) {
		error_msg("cannot sync '%s': %s", tmp, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(dir);
	free(tmp);
	free(hist);
	free(key);
	free(old_key);
	free(old_cert);
	return ret;
}

/* Step 5 for a fresh name: its directory appears whole. */
static int
install_fresh(struct store *s, const char *name, const char *serial)
{
	char *tmp = fresh_staging_dir(s, serial);
	char *dir = cert_dir(s, name);
	int ret = 0;

	if (rename(tmp, dir) < 0) {
		error_msg("cannot install '%s': %s", dir, strerror(errno));
		ret = -1;
	}
	free(tmp);
	free(dir);
	return ret;
}

static int
mark_staged(struct store *s, const struct store_issue *it, int sync)
{
	char *tmp = staging_dir(s, it->name, it->serial, 0);
	char *done = staging_dir(s, it->name, it->serial, 1);
	char *dir = cert_dir(s, it->name);
	int ret = 0;

	if (rename(tmp, done) < 0 || (sync && fsync_dir(dir) < 0)) {
		error_msg("cannot commit '%s': %s", done, strerror(errno));
		ret = -1;
	}
	free(tmp);
	free(done);
	free(dir);
	return ret;
}

static char *
pem_of(struct store *s, const char *serial)
{
	struct store_cert *c = NULL;
	char *pem = NULL;

	if (find_one(s, "SELECT " CERT_COLUMNS " FROM certs WHERE serial = ?",
	    serial, &c) == STORE_OK) {
		pem = c->pem;
		c->pem = NULL;
	}
	store_cert_free(c);
	return pem;
}

static int
sync_store(struct store *s)
{
	int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = syncfs(fd);
	close(fd);
	return ret;
}

int
store_issue(struct store *s, struct store_issue *items, size_t n, int flags)
{
	struct issue_state *state = xcalloc(n, sizeof(*state));
	int group = (flags & STORE_ISSUE_GROUP_SYNC) != 0;
	char *issued = store_path(s, "issued"), *old_pem;
	size_t i;
	int ret, locked = 0, refused = 0;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	if (mkdir_mode(issued, 0700) < 0) {
		error_msg("cannot create '%s': %s", issued, strerror(errno));
		ret = STORE_E_IO;
		goto out;
	}
	if ((ret = reserve_all(s, items, n, state)) < 0)
		goto out;
	test_crash_point("store-reserved");
	ret = STORE_OK;
	for (i = 0; i < n && ret == STORE_OK; i++) {
		char *dir;

		if (items[i].result != STORE_OK)
			continue;
		dir = cert_dir(s, items[i].name);
		state[i].fresh = state[i].supersedes == NULL && !path_exists(dir);
		free(dir);
		old_pem = state[i].supersedes ? pem_of(s, state[i].supersedes) : NULL;
		if (stage_item(s, &items[i], state[i].supersedes, old_pem,
		    state[i].fresh, !group) < 0)
			ret = STORE_E_IO;
		free(old_pem);
	}
	if (ret == STORE_OK && group && sync_store(s) < 0) {
		error_msg("cannot sync the store: %s", strerror(errno));
		ret = STORE_E_IO;
	}
	test_crash_point("store-staged");
	for (i = 0; i < n && ret == STORE_OK; i++) {
		if (items[i].result != STORE_OK)
			continue;
		if (i > 0)
			test_crash_point("store-marking");
		/* A fresh name's commit point is its install rename itself. */
		if (!state[i].fresh && mark_staged(s, &items[i], !group) < 0)
			ret = STORE_E_IO;
		else
			state[i].staged = 1;
	}
	if (ret != STORE_OK) {
		/* Undo what did not reach step 4; what did rolls forward below. */
		for (i = 0; i < n; i++) {
			if (items[i].result != STORE_OK || state[i].staged)
				continue;
			undo_staging(s, items[i].name, items[i].serial,
			    state[i].supersedes);
			delete_row(s, items[i].serial);
			items[i].result = STORE_E_IO;
		}
	}
	if (group && sync_store(s) < 0) {
		error_msg("cannot sync the store: %s", strerror(errno));
		ret = STORE_E_IO;
		goto out;	/* the pending rows roll forward on the next lock */
	}
	test_crash_point("store-marked");
	for (i = 0; i < n; i++) {
		if (!state[i].staged)
			continue;
		if ((state[i].fresh ? install_fresh(s, items[i].name, items[i].serial) :
		    install_staged(s, items[i].name, items[i].serial)) < 0) {
			ret = STORE_E_IO;
			goto out;
		}
	}
	test_crash_point("store-installed");
	if (group)
		sync_store(s);
	else {
		for (i = 0; i < n; i++) {
			char *dir;

			if (!state[i].staged)
				continue;
			dir = cert_dir(s, items[i].name);
			fsync_dir(state[i].fresh ? issued : dir);
			free(dir);
		}
	}
	if (exec_sql(s, "BEGIN IMMEDIATE") < 0) {
		ret = STORE_E_IO;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!state[i].staged)
			continue;
		if (finish_row(s, items[i].serial, state[i].supersedes) < 0) {
			rollback(s);
			ret = STORE_E_IO;
			goto out;
		}
	}
	if (exec_sql(s, "COMMIT") < 0) {
		ret = STORE_E_IO;
		goto out;
	}
	for (i = 0; i < n && ret == STORE_OK; i++)
		if (items[i].result != STORE_OK)
			refused = items[i].result;
	if (ret == STORE_OK)
		ret = refused;
out:
	if (locked)
		store_unlock(s);
	for (i = 0; i < n; i++)
		free(state[i].supersedes);
	free(state);
	free(issued);
	return ret;
}

/* ---- lifecycle: CRL numbers and settings ---- */

int
store_crl_number_next(struct store *s, unsigned long long *out_number)
{
	char *text = NULL, *end = NULL, next_text[32];
	unsigned long long next = 1;
	int ret, locked = 0, in_tx = 0;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		goto out;
	in_tx = 1;
	ret = store_setting_get(s, "crl_number", &text);
	if (ret == STORE_OK) {
		errno = 0;
		next = strtoull(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || next == ~0ULL) {
			error_msg("the store's crl_number setting is corrupt: '%s'", text);
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
	if (locked)
		store_unlock(s);
	free(text);
	return ret;
}

int
store_setting_each(struct store *s,
    int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = STORE_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM settings ORDER BY key",
	    -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "store");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), arg);
		if (ret != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(s, "store");
	sqlite3_finalize(st);
	return ret;
}

int
store_setting_unset(struct store *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM settings WHERE key = ?", -1,
	    &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
	sqlite3_finalize(st);
out:
	store_unlock(s);
	return ret;
}

/* ---- check ---- */

/*
 * Walks the index against the files. Under the writers' lock (taken
 * unless the store is open read-only) recovery has already run and no
 * issuance is half done, so every remaining difference is a problem:
 *
 *   a row without its files: a valid row's issued/NAME/cert.pem (equal
 *     to the row's pem), chain.pem and, for a generated key, key.pem; a
 *     superseded row's history/SERIAL.pem;
 *   a file without its row: issued/NAME with no row for NAME, a
 *     cert.pem or history/SERIAL.pem no row records, a key.pem of a
 *     certificate issued from a CSR;
 *   a private key (ca.key, key.pem, history/SERIAL.key) others can read;
 *   what a writer killed at the wrong moment leaves and recovery does
 *   not own: atomic_write()'s FILE.tmp-* and staging directories
 *   without their pending row. STORE_CHECK_REPAIR removes those.
 */

struct check_state {
	struct store *s;
	const struct store_check_ops *ops;
	void *arg;
	int repair;
	struct store_cert **rows;	/* name order */
	size_t n_rows;
	char **pending;			/* serial, name of each pending row */
	size_t n_pending;		/* (read-only check: no recovery ran) */
};

static void
check_problem(struct check_state *cs, enum store_problem what,
    const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
check_problem(struct check_state *cs, enum store_problem what,
    const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	cs->ops->problem(what, path, msg != NULL ? msg : fmt, cs->arg);
	free(msg);
}

static int
is_leftover_name(const char *name)
{
	return strstr(name, ".tmp-") != NULL;
}

/* A leftover file or staging directory: reported, or removed with repair. */
static void
check_leftover(struct check_state *cs, const char *path, int is_dir)
{
	if (!cs->repair) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write (sipca check --repair removes it)");
		return;
	}
	if ((is_dir ? remove_flat_dir(path) : unlink(path)) < 0) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write; cannot remove it: %s",
		    strerror(errno));
		return;
	}
	cs->ops->problem(STORE_PROBLEM_REPAIRED, path,
	    "removed what an interrupted write left", cs->arg);
}

/* A private key file: a regular file, not a link, no access for others. */
static void
check_private(struct check_state *cs, const char *path, enum store_problem what)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode))
		check_problem(cs, what, path, "not a regular file");
	else if (st.st_mode & 077)
		check_problem(cs, what, path,
		    "readable by others (mode %04o): fix it with: chmod 600 '%s'",
		    (unsigned)(st.st_mode & 07777), path);
}

/* "SERIAL" or "SERIAL.tmp" of a pending row: its writer's, or recovery's. */
static int
is_pending_staging(const struct check_state *cs, const char *suffix)
{
	size_t i, len;

	for (i = 0; i < cs->n_pending; i++) {
		len = strlen(cs->pending[2 * i]);
		if (strncmp(suffix, cs->pending[2 * i], len) == 0 &&
		    (suffix[len] == '\0' || strcmp(suffix + len, ".tmp") == 0))
			return 1;
	}
	return 0;
}

static int
row_name_cmp(const void *a, const void *b)
{
	const char *name = a;
	const struct store_cert *const *c = b;

	return strcmp(name, (*c)->name);
}

static int
has_rows_for(const struct check_state *cs, const char *name)
{
	size_t i;

	for (i = 0; i < cs->n_pending; i++)
		if (strcmp(cs->pending[2 * i + 1], name) == 0)
			return 1;
	return bsearch(name, cs->rows, cs->n_rows, sizeof(*cs->rows),
	    row_name_cmp) != NULL;
}

static int
load_check_rows(struct check_state *cs, size_t *out_pending)
{
	sqlite3_stmt *st = NULL;
	size_t pending = 0;
	int rc;

	if (sqlite3_prepare_v2(cs->s->db, "SELECT " CERT_COLUMNS ", status ="
	    " 'pending' FROM certs ORDER BY name, issued_at, serial", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(cs->s, "check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 15)) {
			pending++;
			cs->pending = xrealloc(cs->pending, 2 * pending * sizeof(char *));
			cs->pending[2 * pending - 2] = column_dup(st, 0);
			cs->pending[2 * pending - 1] = column_dup(st, 1);
			cs->n_pending = pending;
			check_problem(cs, STORE_PROBLEM_PENDING, NULL,
			    "interrupted issuance of '%s' (serial %s): the next"
			    " command that writes finishes or undoes it",
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 0));
			continue;
		}
		cs->rows = xrealloc(cs->rows, (cs->n_rows + 1) * sizeof(*cs->rows));
		cs->rows[cs->n_rows++] = row_to_cert(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(cs->s, "check");
	*out_pending = pending;
	return STORE_OK;
}

static int
file_is(const unsigned char *data, size_t len, const char *pem)
{
	return data != NULL && len == strlen(pem) && memcmp(data, pem, len) == 0;
}

/* history/: every SERIAL.pem a row of NAME, every SERIAL.key its .pem. */
static void
check_history(struct check_state *cs, const char *name, const char *dir,
    struct store_cert **rows, size_t n)
{
	char *hist = xasprintf("%s/history", dir), *path = NULL, *pem = NULL;
	unsigned char *data = NULL;
	size_t len = 0, i, base;
	struct dirent *e;
	DIR *d;

	for (i = 0; i < n; i++) {
		const struct store_cert *c = rows[i];

		if (c->status != STATUS_SUPERSEDED && c->status != STATUS_REVOKED)
			continue;
		free(path);
		path = xasprintf("%s/%s.pem", hist, c->serial);
		free(data);
		data = NULL;
		if (read_file(path, MAX_STORE_FILE, &data, &len) < 0) {
			/* A revoked certificate replaced by "issue" keeps only its row. */
			if (c->status == STATUS_SUPERSEDED)
				check_problem(cs, STORE_PROBLEM_MISSING, path,
				    "missing: the superseded certificate of '%s'"
				    " (serial %s)", name, c->serial);
			continue;
		}
		if (!file_is(data, len, c->pem))
			check_problem(cs, STORE_PROBLEM_DIFFERS, path,
			    "differs from the index (serial %s)", c->serial);
	}
	if ((d = opendir(hist)) == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		const char *f = e->d_name;
		int found = 0;

		if (strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/%s", hist, f);
		if (is_leftover_name(f)) {
			check_leftover(cs, path, 0);
			continue;
		}
		base = strlen(f);
		if (base > 4 && (strcmp(f + base - 4, ".pem") == 0 ||
		    strcmp(f + base - 4, ".key") == 0)) {
			for (i = 0; i < n && !found; i++)
				found = strlen(rows[i]->serial) == base - 4 &&
				    strncmp(rows[i]->serial, f, base - 4) == 0;
		} else
			continue;	/* not a file sipca names */
		if (strcmp(f + base - 4, ".key") == 0) {
			check_private(cs, path, STORE_PROBLEM_MODE);
			free(pem);
			pem = xasprintf("%s/%.*s.pem", hist, (int)(base - 4), f);
			if (found && path_exists(pem))
				continue;
		}
		if (!found)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index of '%s' has this serial", name);
		else if (strcmp(f + base - 4, ".key") == 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "a kept key without its certificate");
	}
	closedir(d);
out:
	free(hist);
	free(path);
	free(pem);
	free(data);
}

/* issued/NAME against the rows of NAME. */
static void
check_name(struct check_state *cs, struct store_cert **rows, size_t n)
{
	const char *name = rows[0]->name;
	char *dir = cert_dir(cs->s, name);
	char *cert_path = xasprintf("%s/cert.pem", dir);
	char *key_path = xasprintf("%s/key.pem", dir);
	char *chain_path = xasprintf("%s/chain.pem", dir);
	char *path = NULL;
	unsigned char *cert = NULL;
	size_t cert_len = 0, i;
	int have_key = 0, have_chain = 0;
	const struct store_cert *current = NULL, *installed = NULL;
	struct store_check_row r;
	struct dirent *e;
	struct stat st;
	DIR *d;

	for (i = 0; i < n; i++)
		if (rows[i]->status == STATUS_VALID || rows[i]->status == STATUS_EXPIRED)
			current = rows[i];
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (current != NULL || lstat(dir, &st) == 0)
			check_problem(cs, STORE_PROBLEM_MISSING, dir, "%s",
			    lstat(dir, &st) == 0 ? "not a directory" :
			    "missing: the directory of a current certificate");
		goto rows;
	}
	if (read_file(cert_path, MAX_STORE_FILE, &cert, &cert_len) == 0) {
		for (i = 0; i < n && installed == NULL; i++)
			if (file_is(cert, cert_len, rows[i]->pem))
				installed = rows[i];
		if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, cert_path,
			    "no row in the index records this certificate");
	}
	if (current != NULL && installed != current)
		check_problem(cs, cert == NULL ? STORE_PROBLEM_MISSING :
		    STORE_PROBLEM_DIFFERS, cert_path, "%s (serial %s)",
		    cert == NULL ? "missing: the current certificate" :
		    "is not the current certificate", current->serial);
	if (cert != NULL && !(have_chain = path_exists(chain_path)))
		check_problem(cs, STORE_PROBLEM_MISSING, chain_path,
		    "missing: the chain of '%s'", name);
	if (path_exists(key_path)) {
		check_private(cs, key_path, STORE_PROBLEM_MODE);
		if (installed != NULL && strcmp(installed->key_source, "csr") == 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key, though serial %s was issued from a request",
			    installed->serial);
		else if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key without its certificate");
		else
			have_key = 1;
	} else if (installed != NULL && strcmp(installed->key_source, "generated") == 0)
		check_problem(cs, STORE_PROBLEM_MISSING, key_path,
		    "missing: the key of serial %s", installed->serial);
	check_history(cs, name, dir, rows, n);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			free(path);
			path = xasprintf("%s/%s", dir, e->d_name);
			if (strncmp(e->d_name, ".staging-", 9) == 0) {
				if (!is_pending_staging(cs, e->d_name + 9))
					check_leftover(cs, path, 1);
			}
			else if (is_leftover_name(e->d_name))
				check_leftover(cs, path, 0);
		}
		closedir(d);
	}
rows:
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.cert = rows[i];
		r.installed = rows[i] == installed;
		r.dir = dir;
		if (r.installed) {
			r.key_path = have_key ? key_path : NULL;
			r.chain_path = have_chain ? chain_path : NULL;
		}
		cs->ops->row(&r, cs->arg);
	}
	free(cert);
	free(path);
	free(dir);
	free(cert_path);
	free(key_path);
	free(chain_path);
}

/* issued/: a row for every directory. */
static void
check_issued_dir(struct check_state *cs)
{
	char *issued = store_path(cs->s, "issued"), *path = NULL;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(issued)) == NULL) {
		if (errno != ENOENT || cs->n_rows > 0)
			check_problem(cs, STORE_PROBLEM_MISSING, issued, "cannot read"
			    " it: %s", strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/%s", issued, e->d_name);
		/* A new name's staging directory (store_issue, fresh_staging_dir). */
		if (strncmp(e->d_name, ".staging-", 9) == 0) {
			if (!is_pending_staging(cs, e->d_name + 9))
				check_leftover(cs, path, 1);
		} else if (is_leftover_name(e->d_name))
			check_leftover(cs, path, 0);
		else if (!has_rows_for(cs, e->d_name))
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index has this name");
	}
	closedir(d);
out:
	free(issued);
	free(path);
}

/* DIR itself: ca.key and what atomic_write() may have left. */
static void
check_top(struct check_state *cs)
{
	char *key = store_path(cs->s, "ca.key"), *uri = NULL, *path = NULL;
	struct dirent *e;
	DIR *d;

	if (path_exists(key))
		check_private(cs, key, STORE_PROBLEM_CA_KEY);
	else if (store_setting_get(cs->s, "ca_key_uri", &uri) != STORE_OK)
		check_problem(cs, STORE_PROBLEM_CA_KEY, key, "missing");
	if ((d = opendir(cs->s->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!is_leftover_name(e->d_name))
				continue;
			free(path);
			path = store_path(cs->s, e->d_name);
			check_leftover(cs, path, 0);
		}
		closedir(d);
	}
	free(key);
	free(uri);
	free(path);
}

int
store_check(struct store *s, int flags, const struct store_check_ops *ops,
    void *arg)
{
	struct check_state cs;
	size_t pending = 0, i, j;
	int ret, locked = 0;

	memset(&cs, 0, sizeof(cs));
	cs.s = s;
	cs.ops = ops;
	cs.arg = arg;
	cs.repair = (flags & STORE_CHECK_REPAIR) != 0;
	if (!s->readonly) {
		if ((ret = store_lock(s)) < 0)
			goto out;
		locked = 1;
	} else if (cs.repair) {
		error_msg("cannot repair a store opened read-only");
		ret = STORE_E_IO;
		goto out;
	}
	check_top(&cs);
	if ((ret = load_check_rows(&cs, &pending)) < 0)
		goto out;
	for (i = 0; i < cs.n_rows; i = j) {
		for (j = i + 1; j < cs.n_rows; j++)
			if (strcmp(cs.rows[i]->name, cs.rows[j]->name) != 0)
				break;
		check_name(&cs, cs.rows + i, j - i);
	}
	check_issued_dir(&cs);
	ret = STORE_OK;
out:
	if (locked)
		store_unlock(s);
	for (i = 0; i < cs.n_rows; i++)
		store_cert_free(cs.rows[i]);
	free(cs.rows);
	for (i = 0; i < 2 * cs.n_pending; i++)
		free(cs.pending[i]);
	free(cs.pending);
	return ret;
}
