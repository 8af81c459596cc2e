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
#include "secret.h"
#include "store.h"
#include "util.h"

#define SCHEMA_VERSION 1
#define LOCK_TIMEOUT_MS 60000
#define BUSY_TIMEOUT_MS 60000
#define MAX_STORE_FILE (16u << 20)

struct store {
	char *dir;		/* as given: for messages and SQLite */
	int dir_fd;		/* DIR: everything inside is reached from here */
	sqlite3 *db;
	int lock_fd;
	int lock_depth;
	int readonly;
	int inspect;		/* STORE_INSPECT: check reports owners and modes */
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

/* ---- the directory: one fd, no links followed, no strangers ---- */

/*
 * Everything under DIR is reached from s->dir_fd one component at a time
 * with O_NOFOLLOW (openat, mkdirat, renameat, linkat, unlinkat, fstatat
 * with AT_SYMLINK_NOFOLLOW), so a symbolic link inside the store is never
 * followed, whoever planted it: nothing is read, written or removed
 * through one. DIR itself is opened as given, since -d may name a link
 * the administrator made; its parents are the administrator's too.
 *
 * Every directory and file sipca uses inside must be of the type it
 * expects (a FIFO or a device is never read: it would block us while we
 * hold the writers' lock), owned by us or by root (as ssh's StrictModes:
 * whoever else owns it can change it under us), and not writable by
 * group or others. Anything else is refused with STORE_E_UNSAFE, which
 * check reports as a problem instead (STORE_INSPECT).
 */

enum walk_flags {
	WALK_CREATE = 1 << 0,	/* make missing directories (0700) */
	WALK_READ = 1 << 1,	/* only reading: check may look at what it reports */
};

static const char *
writers(mode_t mode)
{
	return (mode & 022) == 022 ? "its group and others" :
	    (mode & 020) ? "its group" : "others";
}

/* Why st is no entry sipca uses, or NULL. owner_mode 0: type and links only. */
static const char *
entry_refusal(const struct stat *st, int want_dir, int owner_mode, char *buf,
    size_t size)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link; sipca follows no link inside the store";
	if (want_dir && !S_ISDIR(st->st_mode))
		return "not a directory";
	if (!want_dir && !S_ISREG(st->st_mode))
		return "not a regular file";
	if (!owner_mode)
		return NULL;
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(buf, size, "owned by uid %u, neither you (uid %u) nor root",
		    (unsigned)st->st_uid, (unsigned)geteuid());
		return buf;
	}
	if (st->st_mode & 022) {
		snprintf(buf, size, "writable by %s (mode %04o)",
		    writers(st->st_mode), (unsigned)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

static int
strict(const struct store *s, int how)
{
	return !(s->inspect && (how & WALK_READ));
}

static int
refuse(struct store *s, const char *rel, size_t rel_len, const char *why)
{
	error_msg("refusing '%s/%.*s': %s", s->dir, (int)rel_len, rel, why);
	return STORE_E_UNSAFE;
}

static int
fail_errno(struct store *s, const char *what, const char *rel, size_t rel_len)
{
	error_msg("cannot %s '%s/%.*s': %s", what, s->dir, (int)rel_len, rel,
	    strerror(errno));
	return STORE_E_IO;
}

/*
 * Opens directory DIR/rel ("" is DIR), component by component, checking
 * each. Returns STORE_OK and an fd to close, STORE_E_NOTFOUND (no
 * message), or an error after a message.
 */
static int
dir_open(struct store *s, const char *rel, int how, int *out_fd)
{
	const char *comp = rel, *end;
	char *name = NULL, why[96];
	const char *reason;
	struct stat st;
	int fd, sub = -1, ret = STORE_E_IO, created;

	if ((fd = fcntl(s->dir_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return fail_errno(s, "open", "", 0);
	while (*comp != '\0') {
		end = strchr(comp, '/');
		if (end == NULL)
			end = comp + strlen(comp);
		free(name);
		name = xasprintf("%.*s", (int)(end - comp), comp);
		created = 0;
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && (how & WALK_CREATE)) {
			if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) {
				ret = fail_errno(s, "create", rel, (size_t)(end - rel));
				goto out;
			}
			created = 1;
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		}
		if (sub < 0) {
			if (errno == ENOENT)
				ret = STORE_E_NOTFOUND;
			else if ((errno == ELOOP || errno == ENOTDIR) &&
			    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				ret = refuse(s, rel, (size_t)(end - rel),
				    entry_refusal(&st, 1, 0, why, sizeof(why)));
			else
				ret = fail_errno(s, "open", rel, (size_t)(end - rel));
			goto out;
		}
		close(fd);
		fd = sub;
		sub = -1;
		/* mkdir applied the umask; 0700 must not depend on it. */
		if (fstat(fd, &st) < 0 || (created && fchmod(fd, 0700) < 0)) {
			ret = fail_errno(s, "open", rel, (size_t)(end - rel));
			goto out;
		}
		if ((reason = entry_refusal(&st, 1, strict(s, how), why,
		    sizeof(why))) != NULL) {
			ret = refuse(s, rel, (size_t)(end - rel), reason);
			goto out;
		}
		comp = *end == '/' ? end + 1 : end;
	}
	*out_fd = fd;
	fd = -1;
	ret = STORE_OK;
out:
	if (fd >= 0)
		close(fd);
	free(name);
	return ret;
}

/* The directory holding DIR/rel, and rel's last component (borrowed). */
static int
parent_open(struct store *s, const char *rel, int how, int *out_fd,
    const char **out_base)
{
	const char *slash = strrchr(rel, '/');
	char *parent = slash != NULL ? xasprintf("%.*s", (int)(slash - rel), rel) :
	    xstrdup("");
	int ret = dir_open(s, parent, how, out_fd);

	free(parent);
	*out_base = slash != NULL ? slash + 1 : rel;
	return ret;
}

/* lstat of DIR/rel: STORE_OK, STORE_E_NOTFOUND (no message), or an error. */
static int
entry_stat(struct store *s, const char *rel, struct stat *out_st)
{
	const char *base;
	int fd = -1, ret;

	if ((ret = parent_open(s, rel, WALK_READ, &fd, &base)) != STORE_OK)
		return ret;
	if (fstatat(fd, base, out_st, AT_SYMLINK_NOFOLLOW) < 0)
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

/*
 * Opens the regular file DIR/rel for reading. Its type is looked at
 * before it is opened and again after (O_NONBLOCK: a FIFO swapped in
 * between does not block the open). STORE_E_NOTFOUND without a message.
 */
static int
file_open(struct store *s, const char *rel, int how, int *out_fd,
    struct stat *out_st)
{
	const char *base, *reason;
	char why[96];
	struct stat st;
	int dir = -1, fd = -1, ret;

	if ((ret = parent_open(s, rel, how, &dir, &base)) != STORE_OK)
		return ret;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
		goto out;
	}
	if ((reason = entry_refusal(&st, 0, strict(s, how), why, sizeof(why))) != NULL) {
		ret = refuse(s, rel, strlen(rel), reason);
		goto out;
	}
	fd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
		goto out;
	}
	if ((reason = entry_refusal(&st, 0, strict(s, how), why, sizeof(why))) != NULL) {
		ret = refuse(s, rel, strlen(rel), reason);
		goto out;
	}
	if (out_st != NULL)
		*out_st = st;
	*out_fd = fd;
	fd = -1;
	ret = STORE_OK;
out:
	if (fd >= 0)
		close(fd);
	close(dir);
	return ret;
}

/* Reads DIR/rel whole; STORE_E_NOTFOUND without a message. */
static int
file_read(struct store *s, const char *rel, int how, unsigned char **out,
    size_t *out_len)
{
	int fd = -1, ret;

	if ((ret = file_open(s, rel, how, &fd, NULL)) != STORE_OK)
		return ret;
	if (read_fd(fd, MAX_STORE_FILE, out, out_len) < 0)
		ret = fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

/*
 * Removes directory name in dir_fd holding plain files only (a staging
 * directory). A link in its place is not followed: -1 with ELOOP or
 * ENOTDIR and nothing removed.
 */
static int
remove_flat_dir_at(int dir_fd, const char *name)
{
	struct dirent *e;
	DIR *d;
	int fd;

	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(fd, e->d_name, 0);
	}
	closedir(d);
	return unlinkat(dir_fd, name, AT_REMOVEDIR);
}

/*
 * The store's own entries at open: DIR, ca.pem, index.db, issued/ (when
 * there). With STORE_INSPECT only what cannot be opened safely at all
 * (a link, a FIFO) is refused; check reports the rest.
 */
static int
open_checks(struct store *s, int creating)
{
	static const struct { const char *rel; int dir, needed; } entries[] = {
		{ "ca.pem", 0, 1 }, { "index.db", 0, 1 }, { "issued", 1, 0 },
		{ "lock", 0, 0 },
	};
	const char *reason;
	char why[96];
	struct stat st;
	size_t i;

	if (fstat(s->dir_fd, &st) < 0)
		return fail_errno(s, "read", "", 0);
	/* init makes a directory of ours private (store_open), others are refused. */
	if ((reason = entry_refusal(&st, 1, !s->inspect, why, sizeof(why))) != NULL &&
	    !(creating && st.st_uid == geteuid())) {
		error_msg("refusing the store '%s': %s", s->dir, reason);
		return STORE_E_UNSAFE;
	}
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		/* check opens no more than the files it needs, and reports the rest. */
		if (s->inspect && entries[i].dir)
			continue;
		if (fstatat(s->dir_fd, entries[i].rel, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT && !creating && entries[i].needed) {
				if (i == 0)
					error_msg("no CA in '%s' (run 'sipca init' first)", s->dir);
				else
					error_msg("the store has no index: '%s/index.db'", s->dir);
				return STORE_E_NOCA;
			}
			if (errno == ENOENT)
				continue;
			/* A store we may not read is not a missing one. */
			error_msg("cannot read the store '%s': %s", s->dir, strerror(errno));
			return STORE_E_IO;
		}
		if ((reason = entry_refusal(&st, entries[i].dir, !s->inspect, why,
		    sizeof(why))) != NULL)
			return refuse(s, entries[i].rel, strlen(entries[i].rel), reason);
	}
	return STORE_OK;
}

/*
 * init's preconditions, before it creates anything: no CA there, not
 * even half of one. index.db may be left by an init that was killed; it
 * is refused below when it records certificates.
 */
static int
create_checks(struct store *s)
{
	struct stat st;

	if (fstatat(s->dir_fd, "ca.pem", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		error_msg("a CA already exists in '%s'", s->dir);
		return STORE_E_EXISTS;
	}
	if (fstatat(s->dir_fd, "ca.key", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		error_msg("'%s/ca.key' exists without ca.pem (an interrupted init?);"
		    " move it away to start again", s->dir);
		return STORE_E_EXISTS;
	}
	return STORE_OK;
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
		error_msg("cannot resolve the store '%s': %s", s->dir,
		    real == NULL ? strerror(errno) : "it moved while opening");
	free(real);
	return path;
}

static int init_refuse_rows(struct store *s);

int
store_open(const char *dir, int flags, struct store **out_store)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char *path = NULL;
	struct stat st;
	int ret = STORE_E_IO, version, open_flags, creating;
	const char *reason = NULL;
	char why[96];

	s->dir = xstrdup(dir);
	s->dir_fd = -1;
	s->lock_fd = -1;
	s->readonly = (flags & STORE_READONLY) != 0;
	s->inspect = (flags & STORE_INSPECT) != 0;
	creating = (flags & STORE_CREATE) != 0;
	if (creating && mkdir_parents(dir, 0700) < 0) {
		error_msg("cannot create the store: '%s': %s", dir, strerror(errno));
		ret = errno == ENOTDIR || errno == EEXIST ? STORE_E_NOCA : STORE_E_IO;
		goto out;
	}
	if ((s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			error_msg("no CA store at '%s'%s", dir, errno == ENOTDIR ?
			    ": not a directory" : " (run 'sipca init' first)");
			ret = STORE_E_NOCA;
		} else
			error_msg("cannot read the store '%s': %s", dir, strerror(errno));
		goto out;
	}
	/* Preconditions first: a refused init leaves everything as it was. */
	if ((creating && (ret = create_checks(s)) < 0) ||
	    (ret = open_checks(s, creating)) < 0)
		goto out;
	ret = STORE_E_IO;
	if (creating && fstat(s->dir_fd, &st) == 0 && (st.st_mode & 077) &&
	    fchmod(s->dir_fd, 0700) < 0) {
		error_msg("cannot make '%s' private: %s", dir, strerror(errno));
		goto out;
	}
	if ((path = db_path(s)) == NULL)
		goto out;
	/* Only init creates an index; SQLite opens no link (nor a journal one). */
	open_flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX |
	    (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    (creating ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &s->db, open_flags, NULL) != SQLITE_OK) {
		error_msg("cannot open '%s/index.db': %s", dir,
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
		if ((ret = exec_sql(s, "COMMIT")) < 0)
			goto out;
	} else if (version == 0) {
		/* An empty file (or one a crashed init left): no schema is made here. */
		error_msg("'%s/index.db' holds no sipca index (it is empty or"
		    " damaged)", dir);
		ret = STORE_E_IO;
		goto out;
	} else if (version != SCHEMA_VERSION) {
		error_msg("index.db has schema version %d; this sipca knows %d",
		    version, SCHEMA_VERSION);
		ret = STORE_E_NOCA;
		goto out;
	} else if (creating && (ret = init_refuse_rows(s)) < 0)
		goto out;
	if (!s->readonly) {
		s->lock_fd = openat(s->dir_fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC, 0600);
		if (s->lock_fd < 0 || fstat(s->lock_fd, &st) < 0) {
			error_msg("cannot open '%s/lock': %s", dir, strerror(errno));
			ret = STORE_E_IO;
			goto out;
		}
		if ((reason = entry_refusal(&st, 0, !s->inspect, why, sizeof(why))) != NULL) {
			ret = refuse(s, "lock", 4, reason);
			goto out;
		}
	}
	*out_store = s;
	s = NULL;
	ret = STORE_OK;
out:
	free(path);
	store_close(s);
	return ret;
}

/* init over an index a killed init left: only when it records no certificate. */
static int
init_refuse_rows(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int ret = STORE_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM certs", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(s, "init");
	if (sqlite3_step(st) != SQLITE_ROW)
		ret = db_error(s, "init");
	else if (sqlite3_column_int(st, 0) > 0) {
		error_msg("a CA already exists in '%s'", s->dir);
		ret = STORE_E_EXISTS;
	}
	sqlite3_finalize(st);
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
	if (s->dir_fd >= 0)
		close(s->dir_fd);
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

/* The flock alone, without recovery (check runs recovery itself). */
static int
lock_take(struct store *s)
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
	return STORE_OK;
}

int
store_lock(struct store *s)
{
	int ret;

	if ((ret = lock_take(s)) < 0)
		return ret;
	if (s->lock_depth == 1 && (ret = store_recover(s)) < 0) {
		store_unlock(s);
		return ret == STORE_E_UNSAFE ? ret : STORE_E_IO;
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

/* Paths relative to DIR: issued/NAME and its staging directories. */
static char *
cert_dir(const char *name)
{
	return xasprintf("issued/%s", name);
}

static char *
staging_name(const char *serial, int done)
{
	return xasprintf(".staging-%s%s", serial, done ? "" : ".tmp");
}

static char *
staging_dir(const char *name, const char *serial, int done)
{
	return xasprintf("issued/%s/.staging-%s%s", name, serial, done ? "" : ".tmp");
}

/*
 * A name seen for the first time is staged beside the others, in
 * issued/.staging-SERIAL.tmp/, and one rename makes it issued/NAME/: the
 * directory appears with all its files at once, which needs no marker,
 * one directory fewer and one rename instead of four (batches of
 * thousands of new phones are this case).
 */
static char *
fresh_staging_dir(const char *serial)
{
	return xasprintf("issued/.staging-%s.tmp", serial);
}

static const char *const staged_files[] = { "key.pem", "chain.pem", "cert.pem" };
/* A file in a staging dir whose presence says "the new cert has no key". */
#define NO_KEY_MARKER "no-key"

/* Step 5: moves staged files into place; idempotent, so recovery reuses it. */
static int
install_staged(struct store *s, const char *name, const char *serial)
{
	char *rel = cert_dir(name), *staged = staging_dir(name, serial, 1);
	char *staged_name = staging_name(serial, 1);
	int dir = -1, from = -1, ret;
	struct stat st;
	size_t i;

	if ((ret = dir_open(s, rel, 0, &dir)) < 0 ||
	    (ret = dir_open(s, staged, 0, &from)) < 0)
		goto out;
	ret = STORE_E_IO;
	for (i = 0; i < sizeof(staged_files) / sizeof(staged_files[0]); i++) {
		if (renameat(from, staged_files[i], dir, staged_files[i]) < 0 &&
		    errno != ENOENT) {
			error_msg("cannot install '%s/%s/%s': %s", s->dir, rel,
			    staged_files[i], strerror(errno));
			goto out;
		}
		test_crash_point("store-installing");
	}
	if (fstatat(from, NO_KEY_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0)
		unlinkat(dir, "key.pem", 0);
	close(from);
	from = -1;
	remove_flat_dir_at(dir, staged_name);
	ret = STORE_OK;
out:
	if (from >= 0)
		close(from);
	if (dir >= 0)
		close(dir);
	free(rel);
	free(staged);
	free(staged_name);
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

/* 1 when issued/NAME/cert.pem is exactly pem, 0 when not, or an error. */
static int
installed_cert_is(struct store *s, const char *name, const char *pem)
{
	char *rel = xasprintf("issued/%s/cert.pem", name);
	unsigned char *data = NULL;
	size_t len = 0;
	int ret;

	ret = file_read(s, rel, 0, &data, &len);
	if (ret == STORE_OK)
		ret = len == strlen(pem) && memcmp(data, pem, len) == 0;
	else if (ret == STORE_E_NOTFOUND)
		ret = 0;
	free(data);
	free(rel);
	return ret;
}

static void
remove_history(int hist_fd, const char *old_serial)
{
	char *p = xasprintf("%s.pem", old_serial);

	unlinkat(hist_fd, p, 0);
	free(p);
	p = xasprintf("%s.key", old_serial);
	unlinkat(hist_fd, p, 0);
	free(p);
}

/* Undoes steps 1 to 3 of an issuance that did not reach step 4. */
static int
undo_staging(struct store *s, const char *name, const char *serial,
    const char *supersedes)
{
	char *tmp = staging_name(serial, 0), *rel = cert_dir(name);
	int issued = -1, dir = -1, hist = -1, ret;

	if ((ret = dir_open(s, "issued", 0, &issued)) < 0)
		goto out;
	if (remove_flat_dir_at(issued, tmp) < 0 && errno != ENOENT) {
		ret = fail_errno(s, "remove", "issued/", 7);
		goto out;
	}
	ret = dir_open(s, rel, 0, &dir);
	if (ret == STORE_E_NOTFOUND) {
		ret = STORE_OK;
		goto out;
	}
	if (ret < 0)
		goto out;
	if (remove_flat_dir_at(dir, tmp) < 0 && errno != ENOENT) {
		ret = fail_errno(s, "remove", rel, strlen(rel));
		goto out;
	}
	if (supersedes != NULL) {
		char *hist_rel = xasprintf("%s/history", rel);

		ret = dir_open(s, hist_rel, 0, &hist);
		free(hist_rel);
		if (ret == STORE_OK)
			remove_history(hist, supersedes);
		else if (ret != STORE_E_NOTFOUND)
			goto out;
	}
	ret = STORE_OK;
	unlinkat(dir, "history", AT_REMOVEDIR);	/* only when empty */
	unlinkat(issued, name, AT_REMOVEDIR);
out:
	if (hist >= 0)
		close(hist);
	if (dir >= 0)
		close(dir);
	if (issued >= 0)
		close(issued);
	free(tmp);
	free(rel);
	return ret;
}

struct pending {
	char *serial, *name, *supersedes, *pem;
	int action;		/* what recovery does with the row */
};

enum { PENDING_LEAVE = 0, PENDING_FINISH, PENDING_DELETE };

/*
 * Whether a pending row reached step 4 (its .staging-SERIAL is there).
 * Every staging name of the row must be a directory of ours or absent:
 * recovery removes and renames them, so a link there is refused, not
 * followed.
 */
static int
pending_staged(struct store *s, const struct pending *p, int *out_staged)
{
	char *rels[3];
	const char *reason;
	char why[96];
	struct stat st;
	size_t i;
	int ret = STORE_OK, r;

	rels[0] = staging_dir(p->name, p->serial, 1);
	rels[1] = staging_dir(p->name, p->serial, 0);
	rels[2] = fresh_staging_dir(p->serial);
	*out_staged = 0;
	for (i = 0; i < 3 && ret == STORE_OK; i++) {
		r = entry_stat(s, rels[i], &st);
		if (r == STORE_E_NOTFOUND)
			continue;
		if (r < 0)
			ret = r;
		else if ((reason = entry_refusal(&st, 1, 1, why, sizeof(why))) != NULL)
			ret = refuse(s, rels[i], strlen(rels[i]), reason);
		else if (i == 0)
			*out_staged = 1;
	}
	for (i = 0; i < 3; i++)
		free(rels[i]);
	return ret;
}

/*
 * Finishes or undoes what crashed writers left (we hold the lock, so
 * only a crashed writer leaves pending rows). The files of every row
 * first, each step idempotent, then every row in one transaction: a
 * killed batch of thousands costs one synced commit to undo, not one per
 * row, so repeated kills cannot keep it from ever finishing. Killed
 * before that commit, the next recovery finds the files done and decides
 * the same again.
 */
static int
store_recover(struct store *s)
{
	sqlite3_stmt *st = NULL;
	struct pending *p = NULL;
	size_t n = 0, i, done;
	int ret = STORE_OK, staged, r;

	if (sqlite3_prepare_v2(s->db, "SELECT serial, name, supersedes, pem"
	    " FROM certs WHERE status = 'pending'", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "recovery");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		p = xrealloc(p, (n + 1) * sizeof(*p));
		p[n].serial = column_dup(st, 0);
		p[n].name = column_dup(st, 1);
		p[n].supersedes = column_dup(st, 2);
		p[n].pem = column_dup(st, 3);
		p[n].action = PENDING_LEAVE;
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		ret = db_error(s, "recovery");
	for (i = 0; i < n && ret == STORE_OK; i++) {
		if ((ret = pending_staged(s, &p[i], &staged)) < 0)
			break;
		if (staged) {
			if ((ret = install_staged(s, p[i].name, p[i].serial)) == STORE_OK)
				p[i].action = PENDING_FINISH;
		} else if ((r = installed_cert_is(s, p[i].name, p[i].pem)) < 0)
			ret = r;
		else if (r == 1)
			p[i].action = PENDING_FINISH;
		else if ((ret = undo_staging(s, p[i].name, p[i].serial,
		    p[i].supersedes)) == STORE_OK)
			p[i].action = PENDING_DELETE;
	}
	test_crash_point("store-recovering");
	/* The rows whose files are done, even when a later one failed. */
	for (i = 0, done = 0; i < n; i++)
		done += p[i].action != PENDING_LEAVE;
	if (done > 0) {
		if ((r = exec_sql(s, "BEGIN IMMEDIATE")) == STORE_OK) {
			for (i = 0; i < n && r == STORE_OK; i++) {
				if (p[i].action == PENDING_FINISH)
					r = finish_row(s, p[i].serial, p[i].supersedes);
				else if (p[i].action == PENDING_DELETE)
					r = delete_row(s, p[i].serial);
			}
			if (r == STORE_OK)
				r = exec_sql(s, "COMMIT");
			else
				rollback(s);
		}
		if (r < 0)
			ret = r;
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
	int ret, locked = 0, issued = -1;
	size_t i;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	/* Again under the lock: another init may have won meanwhile. */
	if ((ret = create_checks(s)) < 0 || (ret = init_refuse_rows(s)) < 0)
		goto out;
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		goto out;
	for (i = 0; settings != NULL && settings[i] != NULL; i += 2)
		if ((ret = setting_put(s, settings[i], settings[i + 1])) < 0)
			break;
	if (ret < 0 || (ret = exec_sql(s, "COMMIT")) < 0) {
		rollback(s);
		goto out;
	}
	if ((ret = dir_open(s, "issued", WALK_CREATE, &issued)) < 0)
		goto out;
	/* The key first and exclusively; ca.pem last marks the CA complete. */
	if ((key_pem != NULL && atomic_writeat(s->dir_fd, "ca.key", key_pem,
	    key_pem_len, 0600, ATOMIC_EXCLUSIVE) < 0) ||
	    atomic_writeat(s->dir_fd, "ca.pem", ca_pem, ca_pem_len, 0644,
	    ATOMIC_EXCLUSIVE) < 0) {
		error_msg("cannot write the CA: %s", strerror(errno));
		ret = STORE_E_IO;
		goto out;
	}
	ret = STORE_OK;
out:
	if (issued >= 0)
		close(issued);
	if (locked)
		store_unlock(s);
	return ret;
}

int
store_read_ca_cert(struct store *s, unsigned char **out, size_t *out_len)
{
	int ret = file_read(s, "ca.pem", WALK_READ, out, out_len);

	if (ret == STORE_E_NOTFOUND) {
		error_msg("cannot read '%s/ca.pem': %s", s->dir, strerror(ENOENT));
		ret = STORE_E_IO;
	}
	return ret;
}

/* A private key of the store: as ssh does with identity files, one
 * others can read is a leak, refused. NOTFOUND without a message. */
static int
read_private(struct store *s, const char *rel, int how, int refuse_readable,
    unsigned char **out, size_t *out_len)
{
	struct stat st;
	int fd = -1, ret;

	if ((ret = file_open(s, rel, how, &fd, &st)) != STORE_OK)
		return ret;
	if (refuse_readable && (st.st_mode & 077)) {
		error_msg("'%s/%s' is readable by others (mode %04o); "
		    "fix it with: chmod 600 '%s/%s'", s->dir, rel,
		    (unsigned)(st.st_mode & 07777), s->dir, rel);
		ret = STORE_E_NOCA;
	} else if (read_secret_fd(fd, out, out_len) < 0)
		ret = fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

int
store_read_ca_key(struct store *s, unsigned char **out, size_t *out_len)
{
	int ret = read_private(s, "ca.key", WALK_READ, 1, out, out_len);

	if (ret == STORE_E_NOTFOUND) {
		error_msg("cannot read '%s/ca.key': %s", s->dir, strerror(ENOENT));
		ret = STORE_E_IO;
	}
	return ret;
}

int
store_read_issued_key(struct store *s, const char *name, unsigned char **out,
    size_t *out_len)
{
	struct store_cert *c = NULL;
	char *rel = NULL;
	int ret;

	if ((ret = store_find_current(s, name, &c)) != STORE_OK)
		goto out;
	/* A CSR's key never came here: there is nothing to read. */
	if (c->key_source == NULL || strcmp(c->key_source, "csr") == 0) {
		ret = STORE_E_NOTFOUND;
		goto out;
	}
	rel = xasprintf("issued/%s/key.pem", name);
	/* Its mode is check's to report: this key is not ours to keep. */
	ret = read_private(s, rel, 0, 0, out, out_len);
out:
	store_cert_free(c);
	free(rel);
	return ret;
}

int
store_write_file(struct store *s, const char *rel, const void *data,
    size_t len, int private_file)
{
	const char *base;
	int dir = -1, ret;

	if ((ret = parent_open(s, rel, 0, &dir, &base)) < 0)
		return ret == STORE_E_NOTFOUND ? fail_errno(s, "write", rel,
		    strlen(rel)) : ret;
	if (atomic_writeat(dir, base, data, len, private_file ? 0600 : 0644, 0) < 0)
		ret = fail_errno(s, "write", rel, strlen(rel));
	close(dir);
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
stage_file(struct store *s, int dir, const char *dir_rel, const char *file,
    const char *data, size_t len, mode_t mode, int sync)
{
	int fd, ret = -1;
	ssize_t w;
	size_t done = 0;

	/* Private keys: created exclusively, never through a link (signify). */
	fd = openat(dir, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
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
		error_msg("cannot write '%s/%s/%s': %s", s->dir, dir_rel, file,
		    strerror(errno));
	return ret;
}

/* Steps 2 and 3 for one item, up to the point just before step 4. */
static int
stage_item(struct store *s, const struct store_issue *it, const char *supersedes,
    const char *old_pem, int fresh, int sync)
{
	char *rel = cert_dir(it->name), *tmp_name = staging_name(it->serial, 0);
	char *tmp_rel = fresh ? fresh_staging_dir(it->serial) :
	    staging_dir(it->name, it->serial, 0);
	char *hist_rel = xasprintf("%s/history", rel), *old = NULL, why[96];
	const char *reason;
	int dir = -1, tmp = -1, hist = -1, ret = STORE_E_IO;
	struct stat st;

	/* issued/ for a fresh name (the staging directory goes beside it), else issued/NAME. */
	if ((ret = dir_open(s, fresh ? "issued" : rel, fresh ? 0 : WALK_CREATE,
	    &dir)) < 0)
		goto out;
	ret = STORE_E_IO;
	if (mkdirat(dir, tmp_name, 0700) < 0 ||
	    (tmp = openat(dir, tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || fchmod(tmp, 0700) < 0) {
		fail_errno(s, "create", tmp_rel, strlen(tmp_rel));
		goto out;
	}
	if (it->key_pem != NULL && stage_file(s, tmp, tmp_rel, "key.pem",
	    it->key_pem, it->key_pem_len, 0600, sync) < 0)
		goto out;
	if (it->key_pem == NULL && !it->keep_key &&
	    stage_file(s, tmp, tmp_rel, NO_KEY_MARKER, "", 0, 0600, sync) < 0)
		goto out;
	if (stage_file(s, tmp, tmp_rel, "cert.pem", it->cert_pem,
	    strlen(it->cert_pem), 0644, sync) < 0 ||
	    stage_file(s, tmp, tmp_rel, "chain.pem", it->chain_pem,
	    strlen(it->chain_pem), 0644, sync) < 0)
		goto out;
	if (supersedes != NULL && old_pem != NULL) {
		if ((ret = dir_open(s, hist_rel, WALK_CREATE, &hist)) < 0)
			goto out;
		ret = STORE_E_IO;
		old = xasprintf("%s.pem", supersedes);
		if (atomic_writeat(hist, old, old_pem, strlen(old_pem), 0644,
		    sync ? 0 : ATOMIC_NO_SYNC) < 0) {
			error_msg("cannot write '%s/%s/%s': %s", s->dir, hist_rel, old,
			    strerror(errno));
			goto out;
		}
		if (!it->keep_key && fstatat(dir, "key.pem", &st,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			/* A hard link keeps the old key's bytes without a copy in
			 * memory: of the file itself, so never of a link. */
			if ((reason = entry_refusal(&st, 0, 1, why, sizeof(why))) != NULL) {
				char *key_rel = xasprintf("%s/key.pem", rel);

				ret = refuse(s, key_rel, strlen(key_rel), reason);
				free(key_rel);
				goto out;
			}
			free(old);
			old = xasprintf("%s.key", supersedes);
			unlinkat(hist, old, 0);
			if (linkat(dir, "key.pem", hist, old, 0) < 0) {
				error_msg("cannot keep '%s/%s/%s': %s", s->dir, hist_rel,
				    old, strerror(errno));
				goto out;
			}
		}
	}
	if (sync && fsync(tmp) < 0) {
		fail_errno(s, "sync", tmp_rel, strlen(tmp_rel));
		goto out;
	}
	ret = STORE_OK;
out:
	if (dir >= 0)
		close(dir);
	if (tmp >= 0)
		close(tmp);
	if (hist >= 0)
		close(hist);
	free(rel);
	free(tmp_name);
	free(tmp_rel);
	free(hist_rel);
	free(old);
	return ret;
}

/* Step 5 for a fresh name: its directory appears whole. */
static int
install_fresh(struct store *s, const char *name, const char *serial)
{
	char *tmp = staging_name(serial, 0);
	int issued = -1, ret;

	if ((ret = dir_open(s, "issued", 0, &issued)) == STORE_OK &&
	    renameat(issued, tmp, issued, name) < 0) {
		error_msg("cannot install '%s/issued/%s': %s", s->dir, name,
		    strerror(errno));
		ret = STORE_E_IO;
	}
	if (issued >= 0)
		close(issued);
	free(tmp);
	return ret;
}

static int
mark_staged(struct store *s, const struct store_issue *it, int sync)
{
	char *rel = cert_dir(it->name);
	char *tmp = staging_name(it->serial, 0), *done = staging_name(it->serial, 1);
	int dir = -1, ret;

	if ((ret = dir_open(s, rel, 0, &dir)) == STORE_OK &&
	    (renameat(dir, tmp, dir, done) < 0 || (sync && fsync(dir) < 0))) {
		error_msg("cannot commit '%s/%s/%s': %s", s->dir, rel, done,
		    strerror(errno));
		ret = STORE_E_IO;
	}
	if (dir >= 0)
		close(dir);
	free(rel);
	free(tmp);
	free(done);
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
	return syncfs(s->dir_fd);
}

/* fsync of DIR/rel, a directory: makes a rename in it durable. */
static void
sync_dir(struct store *s, const char *rel)
{
	int fd = -1;

	if (dir_open(s, rel, 0, &fd) == STORE_OK) {
		fsync(fd);
		close(fd);
	}
}

/* issued/NAME is absent, or a directory sipca may write in. */
static int
name_dir_usable(struct store *s, const char *name)
{
	char *rel = cert_dir(name), why[96];
	const char *reason;
	struct stat st;
	int ret = entry_stat(s, rel, &st);

	if (ret == STORE_E_NOTFOUND)
		ret = STORE_OK;
	else if (ret == STORE_OK &&
	    (reason = entry_refusal(&st, 1, 1, why, sizeof(why))) != NULL)
		ret = refuse(s, rel, strlen(rel), reason);
	free(rel);
	return ret;
}

int
store_issue(struct store *s, struct store_issue *items, size_t n, int flags)
{
	struct issue_state *state = xcalloc(n, sizeof(*state));
	int group = (flags & STORE_ISSUE_GROUP_SYNC) != 0;
	char *old_pem;
	struct stat st;
	size_t i;
	int ret, locked = 0, refused = 0, undo;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	if ((ret = dir_open(s, "issued", WALK_CREATE, &undo)) < 0)
		goto out;
	close(undo);
	/* An unsafe issued/NAME is refused before anything is recorded. */
	for (i = 0; i < n; i++)
		if ((ret = name_dir_usable(s, items[i].name)) < 0)
			goto out;
	if ((ret = reserve_all(s, items, n, state)) < 0)
		goto out;
	test_crash_point("store-reserved");
	ret = STORE_OK;
	for (i = 0; i < n && ret == STORE_OK; i++) {
		char *dir;

		if (items[i].result != STORE_OK)
			continue;
		/* Anything at issued/NAME (a link too) is not fresh: stage_item judges it. */
		dir = cert_dir(items[i].name);
		state[i].fresh = state[i].supersedes == NULL &&
		    entry_stat(s, dir, &st) == STORE_E_NOTFOUND;
		free(dir);
		old_pem = state[i].supersedes ? pem_of(s, state[i].supersedes) : NULL;
		ret = stage_item(s, &items[i], state[i].supersedes, old_pem,
		    state[i].fresh, !group);
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
		/*
		 * Undo what did not reach step 4 (what did rolls forward
		 * below): the files, then the rows in one transaction. Rows
		 * left behind by a failure here are recovery's.
		 */
		for (i = 0, undo = 0; i < n; i++) {
			if (items[i].result != STORE_OK || state[i].staged)
				continue;
			undo_staging(s, items[i].name, items[i].serial,
			    state[i].supersedes);
			items[i].result = STORE_E_IO;
			undo = 1;
		}
		if (undo && exec_sql(s, "BEGIN IMMEDIATE") == STORE_OK) {
			for (i = 0; i < n && undo; i++)
				if (items[i].result == STORE_E_IO && !state[i].staged &&
				    delete_row(s, items[i].serial) < 0)
					undo = 0;
			if (undo)
				exec_sql(s, "COMMIT");
			else
				rollback(s);
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
			dir = cert_dir(items[i].name);
			sync_dir(s, state[i].fresh ? "issued" : dir);
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
 *   the index itself: SQLite's integrity_check, and the uniqueness the
 *     schema promises (one row per serial, one valid certificate per
 *     name) asked again without the indexes that should enforce it;
 *   a row without its files: a valid row's issued/NAME/cert.pem (equal
 *     to the row's pem), chain.pem and, for a generated key, key.pem; a
 *     superseded row's history/SERIAL.pem;
 *   a file without its row: issued/NAME with no row for NAME, a
 *     cert.pem or history/SERIAL.pem no row records, a key.pem of a
 *     certificate issued from a CSR;
 *   an entry sipca would refuse (see "the directory" above): a link, a
 *     FIFO or other non-regular file, another user's, one group or
 *     others may write; a private key (ca.key, key.pem,
 *     history/SERIAL.key) others can read;
 *   what a writer killed at the wrong moment leaves and recovery does
 *   not own: atomic_write()'s FILE.tmp-* and staging directories
 *   without their pending row. STORE_CHECK_REPAIR removes those, and
 *   makes the modes of our own entries safe.
 *
 * The walk reads through directory fds and O_NOFOLLOW|O_NONBLOCK opens
 * like the rest of the store, so what it reports it never follows.
 */

struct check_state {
	struct store *s;
	const struct store_check_ops *ops;
	void *arg;
	int repair;
	int index_damaged;		/* integrity_check failed */
	int issued_absent;
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

/*
 * One entry (name in dir_fd) as check sees it: reports what sipca would
 * refuse; private_what, when not 0, makes it a private file whose read
 * access for others is reported as that problem. Returns 1 when it is
 * there and may be read, 0 when absent, -1 when it is not to be touched.
 */
static int
check_entry(struct check_state *cs, int dir_fd, const char *name,
    const char *path, int want_dir, enum store_problem private_what)
{
	struct stat st, now;
	mode_t bad, mode;
	int fd;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "cannot read it: %s",
		    strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "a symbolic link:"
		    " sipca follows no link inside the store; remove it");
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		check_problem(cs, private_what ? private_what : STORE_PROBLEM_UNSAFE,
		    path, "%s", want_dir ? "not a directory" : "not a regular file");
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0)
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "owned by uid %u,"
		    " neither you (uid %u) nor root", (unsigned)st.st_uid,
		    (unsigned)geteuid());
	mode = st.st_mode & 07777;
	bad = mode & (private_what ? 077 : 022);
	if (bad == 0)
		return 1;
	if (cs->repair && st.st_uid == geteuid()) {
		fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    (want_dir ? O_DIRECTORY : O_NONBLOCK));
		if (fd >= 0 && fstat(fd, &now) == 0 && now.st_ino == st.st_ino &&
		    now.st_dev == st.st_dev && fchmod(fd, mode & ~bad) == 0) {
			close(fd);
			check_problem(cs, STORE_PROBLEM_REPAIRED, path,
			    "mode %04o made %04o", (unsigned)mode,
			    (unsigned)(mode & ~bad));
			return 1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (private_what && (bad & 044))
		check_problem(cs, private_what, path, "readable by others (mode"
		    " %04o): fix it with: chmod 600 '%s'", (unsigned)mode, path);
	else
		check_problem(cs, private_what ? private_what : STORE_PROBLEM_MODE,
		    path, "writable by %s (mode %04o): fix it with: chmod go-w '%s'",
		    writers(bad), (unsigned)mode, path);
	return 1;
}

/* check_entry(), then the file's bytes (private ones wiped by the caller). */
static int
check_read(struct check_state *cs, int dir_fd, const char *name,
    const char *path, enum store_problem private_what, unsigned char **out,
    size_t *out_len)
{
	struct stat st;
	int r, fd;

	if ((r = check_entry(cs, dir_fd, name, path, 0, private_what)) <= 0)
		return r;
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;		/* swapped since check_entry */
	if (fd < 0 || !S_ISREG(st.st_mode) ||
	    (private_what ? read_secret_fd(fd, out, out_len) :
	    read_fd(fd, MAX_STORE_FILE, out, out_len)) < 0) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "cannot read it: %s",
		    strerror(errno));
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* A leftover file or staging directory: reported, or removed with repair. */
static void
check_leftover(struct check_state *cs, int dir_fd, const char *name,
    const char *path, int is_dir)
{
	if (check_entry(cs, dir_fd, name, path, is_dir, 0) < 0)
		return;
	if (!cs->repair) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write (sipca check --repair removes it)");
		return;
	}
	if ((is_dir ? remove_flat_dir_at(dir_fd, name) : unlinkat(dir_fd, name, 0)) < 0) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write; cannot remove it: %s",
		    strerror(errno));
		return;
	}
	cs->ops->problem(STORE_PROBLEM_REPAIRED, path,
	    "removed what an interrupted write left", cs->arg);
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
	/* No rows: rows is NULL, which bsearch() must not be given (C11 7.22.5). */
	return cs->n_rows > 0 && bsearch(name, cs->rows, cs->n_rows,
	    sizeof(*cs->rows), row_name_cmp) != NULL;
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

/*
 * index.db itself. integrity_check rather than quick_check: only it
 * compares every index with its table and checks UNIQUE, and a damaged
 * index is exactly what would let a serial or a name's valid certificate
 * be recorded twice; it reads the whole file, which a store of tens of
 * thousands of rows does in well under a second. Then the uniqueness the
 * schema promises, asked NOT INDEXED so a damaged index cannot answer
 * for itself.
 */
static void
check_index(struct check_state *cs)
{
	static const struct { const char *sql, *what, *note; } unique[] = {
		{ "SELECT serial, count(*) FROM certs NOT INDEXED GROUP BY serial"
		  " HAVING count(*) > 1", "serial ", "times (a serial is unique)" },
		{ "SELECT name, count(*) FROM certs NOT INDEXED WHERE status ="
		  " 'valid' GROUP BY name HAVING count(*) > 1", "",
		  "valid certificates (one at most)" },
	};
	char *path = store_path(cs->s, "index.db");
	sqlite3_stmt *st = NULL;
	const char *text;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(cs->s->db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			text = (const char *)sqlite3_column_text(st, 0);
			if (text != NULL && strcmp(text, "ok") != 0) {
				cs->index_damaged = 1;
				check_problem(cs, STORE_PROBLEM_INDEX, path, "damaged: %s",
				    text);
			}
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		cs->index_damaged = 1;
		check_problem(cs, STORE_PROBLEM_INDEX, path, "damaged: %s",
		    sqlite3_errmsg(cs->s->db));
	}
	for (i = 0; i < sizeof(unique) / sizeof(unique[0]); i++) {
		if (sqlite3_prepare_v2(cs->s->db, unique[i].sql, -1, &st, NULL) != SQLITE_OK)
			rc = SQLITE_ERROR;
		else
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				check_problem(cs, STORE_PROBLEM_INDEX, path, "%s'%s' %s %d"
				    " %s", unique[i].what,
				    (const char *)sqlite3_column_text(st, 0),
				    i == 0 ? "is recorded" : "has",
				    sqlite3_column_int(st, 1), unique[i].note);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE) {
			cs->index_damaged = 1;
			check_problem(cs, STORE_PROBLEM_INDEX, path, "cannot read it: %s",
			    sqlite3_errmsg(cs->s->db));
		}
	}
	free(path);
}

static int
file_is(const unsigned char *data, size_t len, const char *pem)
{
	return data != NULL && len == strlen(pem) && memcmp(data, pem, len) == 0;
}

static int
open_subdir(int dir_fd, const char *name)
{
	return openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* history/: every SERIAL.pem a row of NAME, every SERIAL.key its .pem. */
static void
check_history(struct check_state *cs, const char *name, int dir_fd,
    const char *dir, struct store_cert **rows, size_t n)
{
	char *hist_path = xasprintf("%s/history", dir), *path = NULL, *file = NULL;
	unsigned char *data = NULL;
	size_t len = 0, i, base;
	struct dirent *e;
	struct stat st;
	DIR *d = NULL;
	int hist = -1, r;

	if (check_entry(cs, dir_fd, "history", hist_path, 1, 0) > 0)
		hist = open_subdir(dir_fd, "history");
	for (i = 0; i < n; i++) {
		const struct store_cert *c = rows[i];

		if (c->status != STATUS_SUPERSEDED && c->status != STATUS_REVOKED)
			continue;
		free(file);
		file = xasprintf("%s.pem", c->serial);
		free(path);
		path = xasprintf("%s/%s", hist_path, file);
		free(data);
		data = NULL;
		r = hist >= 0 ? check_read(cs, hist, file, path, 0, &data, &len) : 0;
		if (r == 0) {
			/* A revoked certificate replaced by "issue" keeps only its row. */
			if (c->status == STATUS_SUPERSEDED)
				check_problem(cs, STORE_PROBLEM_MISSING, path,
				    "missing: the superseded certificate of '%s'"
				    " (serial %s)", name, c->serial);
			continue;
		}
		if (r > 0 && !file_is(data, len, c->pem))
			check_problem(cs, STORE_PROBLEM_DIFFERS, path,
			    "differs from the index (serial %s)", c->serial);
	}
	if (hist < 0 || (r = fcntl(hist, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (d = fdopendir(r)) == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		const char *f = e->d_name;
		int found = 0, is_key;

		if (strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/%s", hist_path, f);
		if (is_leftover_name(f)) {
			check_leftover(cs, hist, f, path, 0);
			continue;
		}
		base = strlen(f);
		if (base <= 4 || (strcmp(f + base - 4, ".pem") != 0 &&
		    strcmp(f + base - 4, ".key") != 0))
			continue;	/* not a file sipca names */
		for (i = 0; i < n && !found; i++)
			found = strlen(rows[i]->serial) == base - 4 &&
			    strncmp(rows[i]->serial, f, base - 4) == 0;
		is_key = strcmp(f + base - 4, ".key") == 0;
		if (is_key) {
			if (check_entry(cs, hist, f, path, 0, STORE_PROBLEM_MODE) < 0)
				continue;
			free(file);
			file = xasprintf("%.*s.pem", (int)(base - 4), f);
			if (found && fstatat(hist, file, &st, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
		} else if (found || check_entry(cs, hist, f, path, 0, 0) < 0)
			continue;
		if (!found)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index of '%s' has this serial", name);
		else
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "a kept key without its certificate");
	}
out:
	if (d != NULL)
		closedir(d);
	if (hist >= 0)
		close(hist);
	free(hist_path);
	free(path);
	free(file);
	free(data);
}

/* issued/NAME against the rows of NAME. */
static void
check_name(struct check_state *cs, int issued, struct store_cert **rows,
    size_t n)
{
	const char *name = rows[0]->name;
	char *dir_path = xasprintf("%s/issued/%s", cs->s->dir, name);
	char *cert_path = xasprintf("%s/cert.pem", dir_path);
	char *key_path = xasprintf("%s/key.pem", dir_path);
	char *chain_path = xasprintf("%s/chain.pem", dir_path);
	char *path = NULL;
	unsigned char *cert = NULL, *key = NULL, *chain = NULL;
	size_t cert_len = 0, key_len = 0, chain_len = 0, i;
	int have_key = 0, have_chain = 0, dir = -1, r, rc, rk, fd;
	const struct store_cert *current = NULL, *installed = NULL;
	struct store_check_row row;
	struct dirent *e;
	DIR *d;

	for (i = 0; i < n; i++)
		if (rows[i]->status == STATUS_VALID || rows[i]->status == STATUS_EXPIRED)
			current = rows[i];
	r = issued >= 0 ? check_entry(cs, issued, name, dir_path, 1, 0) : 0;
	if (r == 0 && current != NULL)
		check_problem(cs, STORE_PROBLEM_MISSING, dir_path,
		    "missing: the directory of a current certificate");
	if (r <= 0)
		goto rows;
	if ((dir = open_subdir(issued, name)) < 0) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, dir_path, "cannot read it: %s",
		    strerror(errno));
		goto rows;
	}
	if ((rc = check_read(cs, dir, "cert.pem", cert_path, 0, &cert,
	    &cert_len)) > 0) {
		for (i = 0; i < n && installed == NULL; i++)
			if (file_is(cert, cert_len, rows[i]->pem))
				installed = rows[i];
		if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, cert_path,
			    "no row in the index records this certificate");
	}
	if (current != NULL && installed != current && rc >= 0)
		check_problem(cs, cert == NULL ? STORE_PROBLEM_MISSING :
		    STORE_PROBLEM_DIFFERS, cert_path, "%s (serial %s)",
		    cert == NULL ? "missing: the current certificate" :
		    "is not the current certificate", current->serial);
	if (cert != NULL && (have_chain = check_read(cs, dir, "chain.pem",
	    chain_path, 0, &chain, &chain_len)) == 0)
		check_problem(cs, STORE_PROBLEM_MISSING, chain_path,
		    "missing: the chain of '%s'", name);
	rk = check_read(cs, dir, "key.pem", key_path, STORE_PROBLEM_MODE, &key,
	    &key_len);
	if (rk > 0) {
		if (installed != NULL && strcmp(installed->key_source, "csr") == 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key, though serial %s was issued from a request",
			    installed->serial);
		else if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key without its certificate");
		else
			have_key = 1;
	} else if (rk == 0 && installed != NULL &&
	    strcmp(installed->key_source, "generated") == 0)
		check_problem(cs, STORE_PROBLEM_MISSING, key_path,
		    "missing: the key of serial %s", installed->serial);
	check_history(cs, name, dir, dir_path, rows, n);
	if ((fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    (d = fdopendir(fd)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			free(path);
			path = xasprintf("%s/%s", dir_path, e->d_name);
			if (strncmp(e->d_name, ".staging-", 9) == 0) {
				if (!is_pending_staging(cs, e->d_name + 9))
					check_leftover(cs, dir, e->d_name, path, 1);
				else
					check_entry(cs, dir, e->d_name, path, 1, 0);
			} else if (is_leftover_name(e->d_name))
				check_leftover(cs, dir, e->d_name, path, 0);
		}
		closedir(d);
	} else if (fd >= 0)
		close(fd);
rows:
	for (i = 0; i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.cert = rows[i];
		row.installed = rows[i] == installed;
		row.dir = dir_path;
		if (row.installed && have_key) {
			row.key_path = key_path;
			row.key_pem = key;
			row.key_len = key_len;
		}
		if (row.installed && have_chain > 0) {
			row.chain_path = chain_path;
			row.chain_pem = chain;
			row.chain_len = chain_len;
		}
		cs->ops->row(&row, cs->arg);
	}
	if (dir >= 0)
		close(dir);
	free(cert);
	free(chain);
	secret_free_buf(key, key_len);
	free(path);
	free(dir_path);
	free(cert_path);
	free(key_path);
	free(chain_path);
}

/* issued/: a row for every directory. */
static void
check_issued_dir(struct check_state *cs, int issued)
{
	char *path = NULL;
	struct dirent *e;
	DIR *d;
	int fd;

	if (issued < 0 || (fd = fcntl(issued, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/issued/%s", cs->s->dir, e->d_name);
		/* A new name's staging directory (store_issue, fresh_staging_dir). */
		if (strncmp(e->d_name, ".staging-", 9) == 0) {
			if (!is_pending_staging(cs, e->d_name + 9))
				check_leftover(cs, issued, e->d_name, path, 1);
			else
				check_entry(cs, issued, e->d_name, path, 1, 0);
		} else if (is_leftover_name(e->d_name))
			check_leftover(cs, issued, e->d_name, path, 0);
		else if (!has_rows_for(cs, e->d_name) &&
		    check_entry(cs, issued, e->d_name, path, 1, 0) >= 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index has this name");
	}
	closedir(d);
	free(path);
}

/*
 * DIR itself, its own files and what atomic_write() may have left there.
 * Returns an fd of issued/ for the walk, or -1.
 */
static int
check_top(struct check_state *cs)
{
	static const char *const files[] = {
		"ca.pem", "index.db", "index.db-journal", "lock", "crl.pem",
	};
	int dir = cs->s->dir_fd, issued = -1, fd, r;
	char *path = NULL, *uri = NULL;
	struct dirent *e;
	size_t i;
	DIR *d;

	check_entry(cs, dir, ".", cs->s->dir, 1, 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		free(path);
		path = store_path(cs->s, files[i]);
		check_entry(cs, dir, files[i], path, 0, 0);
	}
	free(path);
	path = store_path(cs->s, "ca.key");
	if (check_entry(cs, dir, "ca.key", path, 0, STORE_PROBLEM_CA_KEY) == 0 &&
	    store_setting_get(cs->s, "ca_key_uri", &uri) != STORE_OK)
		check_problem(cs, STORE_PROBLEM_CA_KEY, path, "missing");
	free(path);
	path = store_path(cs->s, "issued");
	if ((r = check_entry(cs, dir, "issued", path, 1, 0)) > 0 &&
	    (issued = open_subdir(dir, "issued")) < 0)
		check_problem(cs, STORE_PROBLEM_MISSING, path, "cannot read it: %s",
		    strerror(errno));
	cs->issued_absent = r == 0;
	if ((fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    (d = fdopendir(fd)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!is_leftover_name(e->d_name))
				continue;
			free(path);
			path = store_path(cs->s, e->d_name);
			check_leftover(cs, dir, e->d_name, path, 0);
		}
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	free(uri);
	free(path);
	return issued;
}

int
store_check(struct store *s, int flags, const struct store_check_ops *ops,
    void *arg)
{
	struct check_state cs;
	size_t pending = 0, i, j;
	int ret, locked = 0, issued = -1;
	char *path;

	memset(&cs, 0, sizeof(cs));
	cs.s = s;
	cs.ops = ops;
	cs.arg = arg;
	cs.repair = (flags & STORE_CHECK_REPAIR) != 0;
	if (!s->readonly) {
		if ((ret = lock_take(s)) < 0)
			goto out;
		locked = 1;
	} else if (cs.repair) {
		error_msg("cannot repair a store opened read-only");
		ret = STORE_E_IO;
		goto out;
	}
	issued = check_top(&cs);
	/*
	 * Recovery after the top (whose modes --repair may have fixed). When
	 * it cannot run (it said why), its pending rows are reported below.
	 */
	if (locked && s->lock_depth == 1)
		store_recover(s);
	check_index(&cs);
	if ((ret = load_check_rows(&cs, &pending)) < 0) {
		if (cs.index_damaged)
			ret = STORE_OK;	/* reported: the walk needs the rows */
		goto out;
	}
	if (cs.issued_absent && cs.n_rows > 0) {
		path = store_path(s, "issued");
		check_problem(&cs, STORE_PROBLEM_MISSING, path, "missing");
		free(path);
	}
	for (i = 0; i < cs.n_rows; i = j) {
		for (j = i + 1; j < cs.n_rows; j++)
			if (strcmp(cs.rows[i]->name, cs.rows[j]->name) != 0)
				break;
		check_name(&cs, issued, cs.rows + i, j - i);
	}
	check_issued_dir(&cs, issued);
	ret = STORE_OK;
out:
	if (issued >= 0)
		close(issued);
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
