/*
 * store: the CA directory and its index (SQLite or PostgreSQL), behind
 * one narrow interface, so that the commands do not know which. It owns
 * the layout
 *
 *   DIR/ca.pem  ca.key (0600)  index.db  lock
 *   DIR/store.conf (0600)   instead of index.db: the index's PostgreSQL
 *   DIR/root.pem  root.key (0600)  root-crl.pem   (a two-level CA only)
 *   DIR/issued/NAME/cert.pem  key.pem (0600)  chain.pem  history/SERIAL.pem
 *
 * transactions, the writers' lock, atomic file writes and crash
 * recovery. It stores bytes it is given and knows nothing of X.509 or
 * of lint.
 *
 * Issuance is two-phase (see src/store/issue.c): a "pending" row
 * reserves the serial, the files are staged and moved into place, and the
 * row becomes "valid". Whoever next takes the writers' lock finishes or
 * undoes what a crashed process left, so no row is without its files and
 * no serial is recorded twice.
 *
 * The code lives in src/store/, one file per concern (the list is in
 * src/store/store_int.h). The index has two backends behind this one
 * interface (the seam is struct store_backend in store_int.h): SQLite,
 * DIR/index.db, the default (sqlite*.c), and PostgreSQL (pg*.c, libpq),
 * chosen by a connection string: sipca --store URL (which sets
 * $SIPCA_STORE), $SIPCA_STORE, or DIR/store.conf, which init writes
 * (0600: it may hold a password; one others can read is refused). Its
 * tables are SQLite's, plus a schema_version table; the writers' lock is
 * the flock and a PostgreSQL advisory lock. Messages show a connection
 * string without its password.
 *
 * sipca store migrate moves an SQLite store's index into a database
 * (store_migrate), and sipca store upgrade reports the schema's
 * version (store_schema).
 *
 * In this first step only the index is in the database: the CA's files
 * (ca.pem, ca.key, root.*, a rollover's), crl.pem and issued/NAME/ stay
 * in DIR as above, so a database serves one directory, on one host.
 * Moving those files into the database (with DIR/issued/ a copy written
 * on demand), so that several hosts share one store, is the next step
 * (issue 18).
 */
#ifndef SIPCA_STORE_H
#define SIPCA_STORE_H

#include <stddef.h>
#include <time.h>

struct report;
struct store;

enum store_status {
	STATUS_VALID = 0,	/* "valid" or, past notAfter, shown as "expired" */
	STATUS_REVOKED,
	STATUS_SUPERSEDED,
	STATUS_PENDING,
	STATUS_EXPIRED,		/* derived, never stored */
};
const char *store_status_name(enum store_status s);
int store_status_parse(const char *s, enum store_status *out);

/*
 * Errors returned by store functions. Each comes with a message kept in
 * the store (store_last_message, store_take_messages), except
 * STORE_E_NOTFOUND, STORE_E_NAME_TAKEN, STORE_E_SERIAL_TAKEN and, from
 * the records' functions, STORE_E_EXISTS and STORE_E_CONFLICT, which the
 * caller words.
 */
enum store_error {
	STORE_OK = 0,
	STORE_E_IO = -1,		/* operational: exit 3 */
	STORE_E_BUSY = -2,		/* lock or database busy past the timeout: exit 3 */
	STORE_E_NOTFOUND = -3,
	STORE_E_NAME_TAKEN = -4,	/* NAME holds a valid, unexpired certificate */
	STORE_E_SERIAL_TAKEN = -5,
	STORE_E_EXISTS = -6,		/* init: a CA is already there */
	STORE_E_NOCA = -7,		/* not a sipca store: exit 2 */
	STORE_E_UNSAFE = -8,		/* a link, FIFO, stranger's or writable entry: exit 3 */
	STORE_E_CONFLICT = -9,		/* a record's status is not the one expected */
};

/* Where the store lives: -d, else $SIPCA_DIR, else XDG data home. New string. */
char *store_default_dir(const char *dir_option);

enum store_open_flags {
	STORE_CREATE = 1 << 0,	/* init: make the directory and an empty index */
	STORE_READONLY = 1 << 1,
	/*
	 * check: open a store whose owners or modes are wrong, so that it
	 * can report them (a link or a FIFO where index.db or ca.pem should
	 * be is still refused). Only reads are lenient; every write sipca
	 * makes still refuses such entries.
	 */
	STORE_INSPECT = 1 << 2,
};

/*
 * A failed open has no store to keep its message in: it goes into rep
 * (rep NULL: dropped), and *out_store is left alone.
 */
int store_open(const char *dir, int flags, struct store **out_store,
    struct report *rep);
void store_close(struct store *s);

/*
 * The store prints nothing. Its messages (the exact text for the user,
 * without "sipca: CMD: ") are kept in the store, oldest first, until the
 * caller takes them: with an error, the message or messages that say
 * why (a failed issuance may add what its undo could not do); now and
 * then with success, what went wrong on the side without failing the
 * call (a directory that could not be synced after an issuance). The
 * caller takes them after each call and prints them or adds them to its
 * report, so that they reach the user in the order they happened.
 */
/* The newest message not yet taken, or NULL. Borrowed until the next call. */
const char *store_last_message(const struct store *s);
/* Moves the messages not yet taken to the end of out (NULL: drops them). */
void store_take_messages(struct store *s, struct report *out);

const char *store_dir(const struct store *s);
/* DIR/rel as a new string. */
char *store_path(const struct store *s, const char *rel);

/*
 * The index's schema, for store upgrade: one sequence of versions for
 * both backends (SQLite keeps the number in PRAGMA user_version,
 * PostgreSQL in its schema_version table). A read-write store_open
 * upgrades an older index in one transaction, and refuses a newer one
 * (STORE_E_NOCA, after a message giving both versions); this says what
 * the open found and what the index is now.
 */
struct store_schema {
	const char *backend;	/* "sqlite", "postgresql" */
	char *where;		/* DIR/index.db, or the database as messages show it */
	int found;		/* the version before this open */
	int version;		/* the version now */
};
void store_schema(const struct store *s, struct store_schema *out);
void store_schema_clear(struct store_schema *sc);

/*
 * Moves an SQLite store's index into the empty PostgreSQL database
 * conninfo names: under the writers' lock (recovery runs first, so no
 * row is pending), every row of every table of the index (certificates
 * of every status, the CA's settings and CRL number, the ACME and SCEP
 * records) is copied in one transaction, with the schema when the
 * database has none, and each table's count in the database is checked
 * against the rows read before it commits. Then DIR/store.conf (0600)
 * names the database, and index.db (with its journal) is renamed
 * index.db.migrated, kept for going back; the CA's files and issued/
 * stay in DIR. Another process that had the store open and then takes
 * the lock finds index.db gone and writes nothing (lock.c).
 *
 * Refused, after a message and with nothing changed: the index is not
 * SQLite's or conninfo is not a PostgreSQL connection string
 * (STORE_E_NOCA), the database holds a sipca index with a row or of
 * another version, or DIR/index.db.migrated exists (STORE_E_EXISTS).
 * On success the store is only for closing.
 */
struct store_migration {
	unsigned long settings, certs, records;
	char *target;		/* the database as messages show it: no password */
	char *kept;		/* DIR/index.db.migrated */
};
int store_migrate(struct store *s, const char *conninfo,
    struct store_migration *out);
void store_migration_clear(struct store_migration *m);

/* Settings (the CA's SIP domain, its CRL URL, ...). get returns 0 and a
 * new string, or STORE_E_NOTFOUND. */
int store_setting_get(struct store *s, const char *key, char **out_value);
int store_setting_set(struct store *s, const char *key, const char *value);

/*
 * init: writes the CA's files (key 0600, created exclusively) and its
 * settings in one go, ca.pem last. STORE_E_EXISTS when any is there.
 * key_pem NULL: the key is on a token (setting "ca_key_uri"), no ca.key.
 */
int store_init_ca(struct store *s, const char *ca_pem, size_t ca_pem_len,
    const char *key_pem, size_t key_pem_len,
    const char *const *settings /* key, value, ..., NULL */);

/*
 * The CA's files as init writes them. ca.pem and ca.key are the CA that
 * signs leaves, whether it is the only CA or the intermediate of a
 * two-level one; root.pem and root.key are the root above it (NULL: a
 * single-level CA). A NULL key is on a token (setting "ca_key_uri" or
 * "root_key_uri").
 */
struct store_ca_files {
	const char *ca_pem;
	size_t ca_pem_len;
	const char *ca_key;
	size_t ca_key_len;
	const char *root_pem;
	size_t root_pem_len;
	const char *root_key;
	size_t root_key_len;
};

/*
 * init: as store_init_ca, with the root's files as well: keys first
 * (0600, created exclusively), root.pem, then ca.pem last.
 */
int store_init_ca_files(struct store *s, const struct store_ca_files *f,
    const char *const *settings /* key, value, ..., NULL */);

/*
 * A single-level store grows an intermediate: under the writers' lock,
 * and only while ca.pem still holds old_ca_pem (what the caller read),
 * f->root_key (the old CA's key, NULL when on a token) and f->root_pem
 * (the root certificate made for that key) become root.key and
 * root.pem, the settings are written (key, value or NULL to remove, ...,
 * NULL), then f->ca_key and f->ca_pem replace ca.key and ca.pem, ca.pem
 * last, each atomically. STORE_E_EXISTS (after a message) when ca.pem
 * changed, or a root.pem or root.key is there with other bytes. Until
 * ca.pem is replaced the store is the old CA: a call interrupted before
 * is finished by calling it again with the root.pem it wrote.
 */
int store_add_intermediate(struct store *s, const char *old_ca_pem,
    size_t old_ca_pem_len, const struct store_ca_files *f,
    const char *const *settings);

/*
 * Reads DIR/root.pem or DIR/root.key. STORE_E_NOTFOUND, without a
 * message, when the store has no root (a single-level CA) or its key is
 * not in the store (moved off the machine, or on a token). Like ca.key,
 * a root.key readable by others is refused.
 */
int store_read_root_cert(struct store *s, unsigned char **out, size_t *out_len);
int store_read_root_key(struct store *s, unsigned char **out, size_t *out_len);

/*
 * Removes DIR/root.key under the writers' lock, once its bytes are
 * known to be elsewhere: it must hold exactly expect (the copy the
 * caller wrote and read back), else STORE_E_EXISTS after a message.
 */
int store_remove_root_key(struct store *s, const unsigned char *expect,
    size_t expect_len);

/*
 * A CA key rollover's files (src/store/rollover.c describes each step).
 * The store keeps them as bytes; sipca rollover says what they are.
 */
enum store_rollover_file {
	STORE_NEXT_ROOT,	/* next-root.pem: the next generation's root */
	STORE_NEXT_ROOT_KEY,	/* next-root.key (0600) */
	STORE_NEXT_CA,		/* next-ca.pem: its issuing CA */
	STORE_NEXT_CA_KEY,	/* next-ca.key (0600) */
	STORE_BRIDGE,		/* bridge.pem: the new root certified by the old key */
	STORE_OLD_BRIDGE,	/* old-bridge.pem: the old root certified by the new key */
	STORE_OLD_ROOT,		/* old-root.pem, after the switch */
	STORE_OLD_ROOT_KEY,	/* old-root.key */
	STORE_OLD_CA,		/* old-ca.pem: the old issuing (or only) CA */
	STORE_OLD_CA_KEY,	/* old-ca.key */
	STORE_RETIRED,		/* retired-cas.pem: every finished rollover's old CAs */
	STORE_NEXT_CRL,		/* next-crl.pem: the next issuing CA's first CRL */
	STORE_NEXT_ROOT_CRL,	/* next-root-crl.pem: the next root's */
	STORE_OLD_CRL,		/* old-crl.pem: the old issuing CA's, in the overlap */
	STORE_OLD_ROOT_CRL,	/* old-root-crl.pem: the old root's */
};
const char *store_rollover_file_name(enum store_rollover_file f);

enum store_rollover_state {
	STORE_ROLLOVER_NONE = 0,
	STORE_ROLLOVER_STARTED,		/* the next generation waits beside the current */
	STORE_ROLLOVER_SWITCHING,	/* a switch was cut short: run it again */
	STORE_ROLLOVER_SWITCHED,	/* the overlap: old-* and the bridges kept */
};
int store_rollover_state(struct store *s, enum store_rollover_state *out);

/* Reads one of them; STORE_E_NOTFOUND, without a message, when absent. */
int store_read_rollover_file(struct store *s, enum store_rollover_file f,
    unsigned char **out, size_t *out_len);

/* What sipca rollover start writes; a NULL bridge is not written. */
struct store_rollover_files {
	const char *root_pem, *root_key, *ca_pem, *ca_key;
	size_t root_pem_len, root_key_len, ca_pem_len, ca_key_len;
	const char *bridge_pem, *old_bridge_pem;
	size_t bridge_pem_len, old_bridge_pem_len;
	const char *crl_pem, *root_crl_pem;	/* the new CAs' first CRLs */
	size_t crl_pem_len, root_crl_pem_len;
};

/*
 * The steps, each under the writers' lock and refused (STORE_E_EXISTS,
 * after a message, nothing changed) out of order. prepare: the next
 * generation, its first CRLs and the bridges beside the current one
 * (state "started"). switch: the current root.*, ca.*, crl.pem and
 * root-crl.pem kept as old-*, then replaced from next-*, ca.pem last; a switch cut short is finished by running it
 * again, and token key settings move to old_*_key_uri. finish: old-*,
 * the bridges and the state go. abort: before the switch only, next-*
 * and the bridges go.
 */
/* Before the keys are made: prepare's refusal, without the lock (prepare checks again under it). */
int store_rollover_may_start(struct store *s);
int store_rollover_prepare(struct store *s, const struct store_rollover_files *f);
int store_rollover_switch(struct store *s);
int store_rollover_finish(struct store *s);
int store_rollover_abort(struct store *s);

/* Reads DIR/ca.pem or DIR/ca.key. Refuses a ca.key readable by others. */
int store_read_ca_cert(struct store *s, unsigned char **out, size_t *out_len);
int store_read_ca_key(struct store *s, unsigned char **out, size_t *out_len);

/*
 * Reads issued/NAME/key.pem of NAME's current certificate (wipe and free
 * with secret_free_buf). STORE_E_NOTFOUND when NAME has no current
 * certificate or it was issued from a CSR, so sipca never had the key.
 */
int store_read_issued_key(struct store *s, const char *name,
    unsigned char **out, size_t *out_len);

/* One row of the index. */
struct store_cert {
	char *serial;		/* lowercase hex */
	char *name;
	char *kind;		/* "server", "device" */
	char *subject;
	char *sans;		/* san_list_format() text */
	time_t not_before;
	time_t not_after;
	enum store_status status;	/* STATUS_EXPIRED when valid and past not_after */
	char *key_source;	/* "generated", "csr" */
	char *key_type;		/* "p256", ... or the CSR's */
	int forced;		/* issued with --force despite lint errors */
	time_t issued_at;
	time_t revoked_at;	/* 0 unless revoked */
	char *revoke_reason;	/* NULL unless revoked */
	char *origin;		/* who asked for it, as store_issue said; NULL: the command line */
	char *pem;
};
void store_cert_free(struct store_cert *c);

/* The current (valid or expired, not superseded/revoked) certificate of NAME. */
int store_find_current(struct store *s, const char *name,
    struct store_cert **out_cert);
int store_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert);

struct store_filter {
	const char *name;		/* NULL: any */
	const char *kind;		/* NULL: any */
	int status;			/* -1: any, else enum store_status */
	time_t expires_before;		/* 0: any; else valid ones with not_after < this */
};
/* Calls fn for each row in name order; stops when fn returns non-zero. */
int store_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg);

/* One certificate to record and install. All strings are borrowed. */
struct store_issue {
	const char *serial;	/* lowercase hex */
	const char *name;
	const char *kind;
	const char *subject;
	const char *sans;
	time_t not_before;
	time_t not_after;
	const char *key_source;
	const char *key_type;
	int forced;
	/*
	 * Who asked for it, free text kept with the row ("acme account
	 * https://.../acct/ID"); NULL: the command line.
	 */
	const char *origin;
	const char *cert_pem;
	const char *chain_pem;
	const char *key_pem;	/* NULL: see keep_key */
	size_t key_pem_len;
	/*
	 * With key_pem NULL: 1 keeps issued/NAME/key.pem as it is (renewal
	 * with the same key); 0 means there is no key (a CSR) and an old
	 * key.pem is moved to history.
	 */
	int keep_key;
	/*
	 * 1 (renewal): the current certificate of NAME becomes superseded.
	 * 0: NAME must not hold a valid, unexpired certificate (an expired one
	 * is superseded).
	 */
	int replace;
	/* 1: store_prep_write() wrote its files ahead (returned 0). */
	int prepared;
	int result;		/* out: STORE_OK or a store_error per item */
};

enum store_issue_flags {
	/* Sync the file system once per call instead of once per file: for batches. */
	STORE_ISSUE_GROUP_SYNC = 1 << 0,
};

/*
 * Records and installs items under the writers' lock. Each item is
 * all-or-nothing; items[i].result says how it went. Returns STORE_OK
 * when every item was installed, STORE_E_NAME_TAKEN or
 * STORE_E_SERIAL_TAKEN when an item was refused (the others went in), or
 * another error when the call failed as a whole.
 */
int store_issue(struct store *s, struct store_issue *items, size_t n,
    int flags);

/*
 * Files written ahead, for a batch: while the caller holds the writers'
 * lock (store_lock), store_prep_write() writes an item's files into
 * DIR/.prep from any thread, so that the one thread calling
 * store_issue() with STORE_ISSUE_GROUP_SYNC only moves them into place.
 * It touches nothing but DIR/.prep; an item it could not write (-1,
 * errno; it reports nothing) is left with prepared 0 and written by
 * store_issue() as usual.
 * store_prep_close() removes what was not used; a killed batch's
 * leftovers go when the next writer takes the lock.
 */
struct store_prep;
int store_prep_open(struct store *s, struct store_prep **out);
int store_prep_write(struct store_prep *p, const struct store_issue *it);
void store_prep_close(struct store_prep *p);

/*
 * Marks every serial revoked with time and reason, in one transaction:
 * all or none. STORE_E_NOTFOUND (nothing changed) when one of them is
 * not valid or superseded.
 */
int store_revoke(struct store *s, const char *const *serials, size_t n,
    time_t when, const char *reason);

/* Takes and releases the writers' lock for callers that write several
 * things at once (CRL number and file). Recovery runs on each take. */
int store_lock(struct store *s);
void store_unlock(struct store *s);

/* Writes DIR/rel atomically (0644, or 0600 when private). */
int store_write_file(struct store *s, const char *rel, const void *data,
    size_t len, int private_file);
/* Reads a public file DIR/rel whole (a CRL); STORE_E_NOTFOUND without a message. */
int store_read_file(struct store *s, const char *rel, unsigned char **out,
    size_t *out_len);

/*
 * The next CRL number (RFC 5280 5.2.3: it increases with every CRL): the
 * setting "crl_number" plus one, read and written back in one
 * transaction under the writers' lock, so two CRLs never share a number.
 * A number taken by a CRL that was then not written is simply skipped.
 */
int store_crl_number_next(struct store *s, unsigned long long *out_number);

/*
 * Records: the documents of the server's protocols (ACME accounts,
 * orders, authorizations, External Account Binding keys; later SCEP
 * challenges), which the store keeps and does not interpret. A record is
 * named by kind and id; key, when not NULL, is unique within its kind
 * (an account's JWK thumbprint, an EAB key's name); ref is a lookup that
 * is not unique (an order's account id). doc is the caller's JSON text.
 *
 * Each call is one statement of the index, atomic on its own, and safe to make
 * from several threads of one process at once (the records' calls take
 * turns on the store's connection) and from several processes. The
 * store's other functions do not take those turns: a caller that mixes
 * them across threads serializes them itself (the ACME server's lock). They do not take the
 * writers' lock: records have no files, and waiting behind a batch's lock
 * would stall a server. A store open read-only reads them. An index of
 * schema version 1 has none until a read-write open upgrades it: until
 * then every call fails (STORE_E_IO, after a message saying so).
 */
struct store_record {
	char *kind;
	char *id;
	char *key;		/* NULL: none */
	char *ref;		/* NULL: none */
	char *status;
	time_t expires;		/* 0: never */
	time_t created;
	char *doc;		/* JSON text */
};
void store_record_free(struct store_record *r);	/* frees r and its strings; NULL ok */

/*
 * Inserts r (created: r->created, or now when 0). STORE_E_EXISTS, without
 * a message, when kind+id or kind+key is taken.
 */
int store_record_add(struct store *s, const struct store_record *r);

/*
 * Replaces status, expires, ref, key and doc of r->kind + r->id, only when
 * its current status is expect_status (NULL: any), in one statement, so
 * that of two callers making the same transition exactly one succeeds.
 * STORE_E_NOTFOUND when there is no such record; STORE_E_CONFLICT when
 * its status differs; STORE_E_EXISTS when r->key is another's (none of
 * these with a message).
 */
int store_record_update(struct store *s, const struct store_record *r,
    const char *expect_status);

/* A new record in *out; STORE_E_NOTFOUND (no message) when absent. */
int store_record_get(struct store *s, const char *kind, const char *id,
    struct store_record **out);
int store_record_by_key(struct store *s, const char *kind, const char *key,
    struct store_record **out);

/*
 * Calls fn for each record of kind with that ref (ref NULL: every record
 * of kind), in created then id order; stops when fn returns non-zero and
 * returns that. r is borrowed for the call. The records are read first,
 * so fn may add, update and delete records itself.
 */
int store_record_each(struct store *s, const char *kind, const char *ref,
    int (*fn)(const struct store_record *r, void *arg), void *arg);

/* Deletes kind+id; STORE_E_NOTFOUND (no message) when absent. */
int store_record_delete(struct store *s, const char *kind, const char *id);

/* Calls fn for each setting in key order; stops when fn returns non-zero. */
int store_setting_each(struct store *s,
    int (*fn)(const char *key, const char *value, void *arg), void *arg);

/* Removes a setting under the writers' lock; STORE_OK when it was absent. */
int store_setting_unset(struct store *s, const char *key);

/*
 * check: the index against the files (src/store/check.c says what is checked).
 * Unless the store is open read-only, this runs under the writers' lock,
 * after recovery, so it sees no issuance half done. problem() gets each
 * problem; row() gets every row but pending ones, with the files of the
 * one installed as issued/NAME/cert.pem, for the caller to verify what
 * the store cannot (signatures, that a key belongs to its certificate).
 */
enum store_problem {
	STORE_PROBLEM_MISSING = 1,	/* a row's file is not there */
	STORE_PROBLEM_ORPHAN,		/* a file no row records */
	STORE_PROBLEM_DIFFERS,		/* a file is not what its row records */
	STORE_PROBLEM_MODE,		/* a private key others can read, an entry they can write */
	STORE_PROBLEM_LEFTOVER,		/* what an interrupted write left */
	STORE_PROBLEM_PENDING,		/* an interrupted issuance (read-only check) */
	STORE_PROBLEM_CA_KEY,		/* ca.key missing (no token key), or as MODE */
	STORE_PROBLEM_UNSAFE,		/* a link, a non-regular file, another user's */
	STORE_PROBLEM_INDEX,		/* index.db damaged, or a uniqueness broken */
	STORE_PROBLEM_REPAIRED,		/* not a problem: what the repair did */
};

struct store_check_row {
	const struct store_cert *cert;
	int installed;			/* the row is issued/NAME/cert.pem */
	const char *dir;		/* issued/NAME, for messages */
	/*
	 * Installed: its key.pem and chain.pem as the store read them (no
	 * link followed), borrowed for the call; NULL when absent. The
	 * paths are for messages.
	 */
	const char *key_path;
	const unsigned char *key_pem;
	size_t key_len;
	const char *chain_path;
	const unsigned char *chain_pem;
	size_t chain_len;
};

struct store_check_ops {
	void (*problem)(enum store_problem what, const char *path,
	    const char *message, void *arg);
	void (*row)(const struct store_check_row *r, void *arg);
	/*
	 * The store's messages (what store_take_messages would give), in
	 * order with the problems and rows: a recovery that could not run,
	 * a damaged index, the error store_check returns. NULL: they stay
	 * in the store for store_take_messages.
	 */
	void (*message)(const char *text, void *arg);
};

enum store_check_flags {
	/* Remove what interrupted writes left (FILE.tmp-*, orphan staging),
	 * and take group and others' write access (read access, for private
	 * keys) from our own entries. */
	STORE_CHECK_REPAIR = 1 << 0,
};

/* Returns STORE_OK when the walk completed (problems or not), else an error. */
int store_check(struct store *s, int flags, const struct store_check_ops *ops,
    void *arg);

#endif
