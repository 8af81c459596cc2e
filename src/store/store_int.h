/*
 * store_int: what the files of the store share, behind include/store.h.
 *
 * The store is split by concern, and what depends on the database is
 * kept apart from what does not:
 *
 *   store.c         opening (the directory's own entries), closing, names
 *   dir.c           the directory walk: one fd, no link followed, owners
 *                   and modes
 *   lock.c          the writers' lock, and recovery on taking it
 *   files.c         the CA's files (init), reading and writing whole files
 *   root.c          a two-level CA's root files, and growing an intermediate
 *   rollover.c      a CA key rollover's files: start, switch, finish, abort
 *   staging.c       the files of one issuance: staging, renames, undo
 *   issue.c         the two-phase issuance (its protocol is described there)
 *   check.c         store_check: the files against the rows
 *   index.c         the index's public functions (settings, CRL numbers,
 *                   store_find_*, store_list, store_revoke, store_record_*)
 *                   and the index_*() functions below: each takes the
 *                   locks the protocol needs and calls the backend; and
 *                   which backend a store uses (store.conf, SIPCA_STORE)
 *   sqlite.c        the SQLite index: opening, schema, transactions,
 *                   settings, CRL numbers; fills sqlite_backend
 *   sqlite_certs.c  the SQLite index's certs table: row reads, revocation,
 *                   the issuance's rows, recovery's rows, check's queries
 *   sqlite_records.c  the SQLite index's records table (store.h, records)
 *   pg.c            the PostgreSQL index on libpq: connecting, schema and
 *                   its version table, transactions and their retries,
 *                   the advisory lock, settings, CRL numbers; fills
 *                   pg_backend
 *   pg_certs.c      the PostgreSQL index's certs table (as sqlite_certs.c)
 *   pg_records.c    the PostgreSQL index's records table
 *   migrate.c       store migrate: an SQLite index copied into PostgreSQL,
 *                   the directory pointed at it; store upgrade's report
 *   sqlite_export.c the SQLite index's side of it: its rows read out,
 *                   index.db set aside afterwards
 *   pg_migrate.c    the PostgreSQL side: the rows written in, one
 *                   transaction with the schema
 *
 * The seam between the store and its index is struct store_backend
 * below: one table of the index's operations per backend, chosen when
 * the store is opened (index.c, index_select) and kept in s->be. Only
 * sqlite*.c include <sqlite3.h> and only pg*.c <libpq-fe.h>; the
 * directory, the lock file and the files are the same for both. What a
 * backend's member does is what the public function of the same name in
 * store.h does, less the writers' lock and the records' mutex, which
 * index.c takes around it, so that the locking protocol is written once.
 */
#ifndef SIPCA_STORE_INT_H
#define SIPCA_STORE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>

#include "report.h"
#include "store.h"

/*
 * The index's schema version, one sequence for both backends: SQLite
 * keeps it in PRAGMA user_version (the file header's version field, made
 * for this), PostgreSQL, which has no such field, in the table
 * schema_version. 2: certs.origin and the records table (sqlite.c
 * upgrades a 1; the PostgreSQL index began at 2). An upgrade is made by
 * any read-write open; store upgrade (migrate.c) is its explicit form.
 */
#define SCHEMA_VERSION 2
#define LOCK_TIMEOUT_MS 60000
#define BUSY_TIMEOUT_MS 60000
#define MAX_STORE_FILE (16u << 20)

struct sqlite3;
struct pg_conn;
struct store_backend;

struct store {
	char *dir;		/* as given: for messages and the index */
	int dir_fd;		/* DIR: everything inside is reached from here */
	const struct store_backend *be;	/* the index's (index_select) */
	struct sqlite3 *db;	/* sqlite*.c's */
	struct pg_conn *pg;	/* pg*.c's (a PGconn) */
	char *conninfo;		/* PostgreSQL: the connection string, secrets and all */
	char *conninfo_shown;	/* ... and as messages show it: no password */
	int conninfo_from_env;	/* it came from SIPCA_STORE (--store), not store.conf */
	int pg_locked;		/* pg.c holds the advisory writers' lock */
	int index_version;	/* the index's schema: 1 until upgraded (read-only) */
	int index_upgraded_from;	/* the version this open upgraded from; 0: none */
	dev_t index_dev;	/* index.db as it was opened (SQLite): lock.c */
	ino_t index_ino;	/* makes sure it is still the one after waiting */
	int lock_fd;
	int lock_depth;
	int readonly;
	int inspect;		/* STORE_INSPECT: check reports owners and modes */
	mode_t umask;		/* the process's, read when the store was opened */
	int prep_fd;		/* DIR/.prep while a batch writes ahead (prep.c), or -1 */
	struct report msgs;	/* what store_msg said, until the caller takes it */
};

/*
 * Every message the store gives goes through here: it is added to
 * s->msgs, oldest first, for the caller to take (store.h); nothing is
 * printed.
 */
void store_msg(struct store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Whether a file or directory created with mode has it exactly, the
 * umask taking none of its bits: then no fchmod is needed to make sure.
 */
static inline int
mode_kept(const struct store *s, mode_t mode)
{
	return (mode & s->umask) == 0;
}

/* dir.c: the directory walk. */
enum walk_flags {
	WALK_CREATE = 1 << 0,	/* make missing directories (0700) */
	WALK_READ = 1 << 1,	/* only reading: check may look at what it reports */
};

const char *writers(mode_t mode);
const char *entry_refusal(const struct stat *st, int want_dir, int owner_mode,
    char *buf, size_t size);
int refuse(struct store *s, const char *rel, size_t rel_len, const char *why);
int fail_errno(struct store *s, const char *what, const char *rel,
    size_t rel_len);
int dir_open(struct store *s, const char *rel, int how, int *out_fd);
int parent_open(struct store *s, const char *rel, int how, int *out_fd,
    const char **out_base);
int entry_stat(struct store *s, const char *rel, struct stat *out_st);
int file_open(struct store *s, const char *rel, int how, int *out_fd,
    struct stat *out_st);
int file_read(struct store *s, const char *rel, int how, unsigned char **out,
    size_t *out_len);
int remove_dir_at(int dir_fd, const char *name, int levels);
int remove_flat_dir_at(int dir_fd, const char *name);

/* store.c */
int create_checks(struct store *s);

/* files.c: a private key of the store; NOTFOUND without a message. */
int read_private(struct store *s, const char *rel, int how,
    int refuse_readable, unsigned char **out, size_t *out_len);

/* lock.c: the flock alone, without recovery (check runs recovery itself). */
int lock_take(struct store *s);
int store_recover(struct store *s);

/* staging.c: the files of an issuance, paths relative to DIR. */
char *cert_dir(const char *name);
int name_dir_usable(struct store *s, int issued, const char *name,
    int *exists);
int stage_item(struct store *s, int issued, const struct store_issue *it,
    const char *supersedes, const char *old_pem, int fresh, int sync);
int mark_staged(struct store *s, const struct store_issue *it, int sync);
int install_staged(struct store *s, const char *name, const char *serial);
int write_files(const struct store *s, int tmp, const struct store_issue *it,
    int sync, const char **failed);
int install_fresh(struct store *s, int issued, const char *name,
    const char *serial);
int undo_staging(struct store *s, const char *name, const char *serial,
    const char *supersedes);
int staged_state(struct store *s, const char *name, const char *serial,
    int *out_staged);
int installed_cert_is(struct store *s, const char *name, const char *pem);
int sync_store(struct store *s);
void sync_dir(struct store *s, const char *rel);

/* prep.c: what a killed batch wrote ahead goes (recovery, under the lock). */
int prep_sweep(struct store *s);

/* check.c: what the index's part of check reports through. */
struct check_state {
	struct store *s;
	const struct store_check_ops *ops;
	void *arg;
	int repair;
	int index_damaged;		/* the index's own check failed */
	int issued_absent;
	struct store_cert **rows;	/* name order */
	size_t n_rows;
	char **pending;			/* serial, name of each pending row */
	size_t n_pending;		/* (read-only check: no recovery ran) */
};

void check_problem(struct check_state *cs, enum store_problem what,
    const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * The index, one implementation per backend (index.c calls s->be's).
 * Errors are STORE_E_BUSY or STORE_E_IO after a message, or as
 * documented.
 */
/*
 * Chooses s->be before anything else is opened: $SIPCA_STORE (which
 * sipca --store sets), else DIR/store.conf, else SQLite's DIR/index.db.
 * STORE_E_NOCA after a message for a connection string of no known kind.
 */
int index_select(struct store *s);
/* Whether the index is DIR/index.db (then store.c and check.c expect it). */
int index_is_file(const struct store *s);
int index_open(struct store *s, int creating);
/*
 * After the writers' lock is taken: STORE_E_IO, after a message, when
 * index.db is no longer the file this store opened (a store migrate
 * set it aside while this process waited for the lock), so that nothing
 * is written into an index the directory no longer uses.
 */
int index_unchanged(struct store *s);
/* Whether v is a PostgreSQL connection string (postgresql://, key=value). */
int index_is_pg_conninfo(const char *v);
void index_close(struct store *s);
/* init: STORE_E_EXISTS (after a message) when the index records a certificate. */
int index_refuse_rows(struct store *s);
/*
 * init: the settings (key, value, ..., NULL) in one transaction; then,
 * for a database named by $SIPCA_STORE, DIR/store.conf naming it, so
 * that the directory's later commands find it without --store.
 */
int index_put_settings(struct store *s, const char *const *settings);
/* DIR/store.conf (0600, atomically) naming the database conninfo names. */
int index_write_conf(struct store *s, const char *conninfo);
/* lock.c: the writers' lock's part the database holds (PostgreSQL's advisory lock). */
int index_lock(struct store *s);
void index_unlock(struct store *s);

/* What settling a pending row does; its strings are its filler's. */
enum { SETTLE_LEAVE = 0, SETTLE_FINISH, SETTLE_DELETE };
struct settle {
	const char *serial;
	char *supersedes;	/* FINISH: the row that becomes superseded */
	int action;
};
/*
 * Issuance, step 1 for every item in one transaction: decides what each
 * replaces and reserves its serial as a pending row; items[i].result says
 * why one was refused. out[i].supersedes gets the serial the item
 * supersedes (a new string, or NULL).
 */
int index_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out);
/* The pem of a row, any status, as a new string; NULL when none. */
char *index_pem(struct store *s, const char *serial);

/* A pending row, as recovery reads it. */
struct pending {
	char *serial, *name, *supersedes, *pem;
};
/* The pending rows (free with pending_free). */
int index_pending(struct store *s, struct pending **out, size_t *out_n);
void pending_free(struct pending *p, size_t n);

/*
 * One transaction: each FINISH row becomes valid and the one it
 * supersedes superseded; each DELETE row goes. All or none.
 */
int index_settle(struct store *s, const struct settle *v, size_t n);

/* check: the index's own integrity, then its rows into cs. */
void index_check(struct check_state *cs);
int index_check_rows(struct check_state *cs);

/*
 * store migrate: the index's tables (schema.h), each with its columns by
 * name, so that the rows are copied by name, not by position: the
 * INDEX_TABLES of them, in migrate.c.
 */
struct index_table {
	const char *name;
	const char *columns;	/* "key, value" */
};
extern const struct index_table index_tables[];
/* How many columns t->columns names. */
int index_table_width(const struct index_table *t);
#define INDEX_TABLES 3

/*
 * One backend of the index. Each member is the store.h or index_*()
 * function of that name for this backend; index.c calls them, under the
 * writers' lock where store.h says the function takes it (setting_put,
 * setting_delete, crl_number_next, revoke, and everything issuance and
 * recovery call), and each record_* under the records' mutex. A backend
 * makes each member's writes one transaction, so that a process killed
 * anywhere leaves them done or undone.
 */
struct store_backend {
	const char *name;		/* "sqlite", "postgresql": for messages */
	int (*open)(struct store *s, int creating);
	void (*close)(struct store *s);
	/* Taken after the flock, released before it; NULL: the flock is all. */
	int (*lock)(struct store *s);
	void (*unlock)(struct store *s);
	int (*refuse_rows)(struct store *s);
	int (*put_settings)(struct store *s, const char *const *settings);
	int (*setting_get)(struct store *s, const char *key, char **out_value);
	int (*setting_put)(struct store *s, const char *key, const char *value);
	int (*setting_delete)(struct store *s, const char *key);
	int (*setting_each)(struct store *s,
	    int (*fn)(const char *key, const char *value, void *arg), void *arg);
	int (*crl_number_next)(struct store *s, unsigned long long *out_number);
	int (*find_current)(struct store *s, const char *name,
	    struct store_cert **out_cert);
	int (*find_serial)(struct store *s, const char *serial_hex,
	    struct store_cert **out_cert);
	int (*list)(struct store *s, const struct store_filter *f,
	    int (*fn)(const struct store_cert *c, void *arg), void *arg);
	int (*revoke)(struct store *s, const char *const *serials, size_t n,
	    time_t when, const char *reason);
	int (*reserve)(struct store *s, struct store_issue *items, size_t n,
	    struct settle *out);
	char *(*pem)(struct store *s, const char *serial);
	int (*pending)(struct store *s, struct pending **out, size_t *out_n);
	int (*settle)(struct store *s, const struct settle *v, size_t n);
	void (*check)(struct check_state *cs);
	int (*check_rows)(struct check_state *cs);
	int (*record_add)(struct store *s, const struct store_record *r);
	int (*record_update)(struct store *s, const struct store_record *r,
	    const char *expect_status);
	/* by_key: value is the record's key, else its id. */
	int (*record_one)(struct store *s, int by_key, const char *kind,
	    const char *value, struct store_record **out);
	/* Every record of kind with ref (NULL: any), in created then id order. */
	int (*record_list)(struct store *s, const char *kind, const char *ref,
	    struct store_record ***out, size_t *out_n);
	int (*record_delete)(struct store *s, const char *kind, const char *id);
	/*
	 * store migrate, as its source (NULL: this backend is not one):
	 * every row of t, in one read, each as t->n_columns text values
	 * (NULL: SQL NULL) to row, which stops the read by returning
	 * non-zero; *out_count is the table's count(*) in the same read.
	 * STORE_E_NOCA, after a message, when the table has columns t does
	 * not name (schema.h and migrate.c's list have drifted apart).
	 */
	int (*export_rows)(struct store *s, const struct index_table *t,
	    int (*row)(const char *const *values, void *arg), void *arg,
	    unsigned long *out_count);
	/*
	 * Afterwards, under the writers' lock: the index closed and set
	 * aside where the store no longer finds it (kept, so that the admin
	 * can go back), its name in *out_kept (a new string).
	 */
	int (*retire)(struct store *s, char **out_kept);
	/*
	 * As the target (NULL: this backend is not one), on s, a store that
	 * is not open (s->conninfo set; STORE_E_NOCA, after a message, when
	 * libpq cannot parse it): connects, then in one transaction
	 * makes the schema when the database has none, refuses
	 * (STORE_E_EXISTS, after a message, nothing written) a database
	 * whose index has a row or another version, copies every table of
	 * index_tables from src->be->export_rows, and checks that each
	 * table then holds the rows read: counts[i] for index_tables[i].
	 */
	int (*import_rows)(struct store *s, struct store *src,
	    unsigned long *counts);
};

extern const struct store_backend sqlite_backend;	/* sqlite.c */
extern const struct store_backend pg_backend;		/* pg.c */

#endif
