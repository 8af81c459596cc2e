/*
 * pg_int: what the files of the PostgreSQL index share (pg.c,
 * pg_certs.c, pg_records.c). Nothing outside them includes it: the rest
 * of the store reaches the index through pg_backend (store_int.h,
 * struct store_backend), which pg.c fills with these.
 *
 * Every statement goes through pg_exec. A statement that fails with
 * SQLSTATE 40001 (serialization_failure) or 40P01 (deadlock_detected)
 * returns PG_RETRY without a message: pg_tx runs the whole transaction
 * again, pg_run the one statement, a bounded number of times, so that
 * neither reaches the user. 23505 (unique_violation) returns PG_UNIQUE
 * without a message, for the caller to word (a serial taken, a record's
 * key another's). A connection that is gone is STORE_E_IO after a
 * message that says so; the server rolled back what was in flight.
 */
#ifndef SIPCA_PG_INT_H
#define SIPCA_PG_INT_H

#include <libpq-fe.h>

#include "store_int.h"

#define PG_RETRY (-100)
#define PG_UNIQUE (-101)
/* Tries of one transaction before "busy": a conflict rarely lasts past the second. */
#define PG_TRIES 10

/*
 * Runs sql with n text parameters (NULL: SQL NULL). out_res NULL: the
 * result is dropped; else it is the caller's to PQclear on STORE_OK.
 * what starts the message ("store", "check", ...).
 */
int pg_exec(struct store *s, const char *what, const char *sql, int n,
    const char *const *params, PGresult **out_res);
/* pg_exec outside a transaction, again on PG_RETRY. */
int pg_run(struct store *s, const char *what, const char *sql, int n,
    const char *const *params, PGresult **out_res);
/*
 * BEGIN, body, COMMIT; on PG_RETRY all of it again (body starts from
 * nothing each time: it sets every output it has). Another error rolls
 * back and is returned.
 */
int pg_tx(struct store *s, const char *what,
    int (*body)(struct store *s, void *arg), void *arg);

/* Connects to s->conninfo (s->conninfo_shown set first). */
int pg_connect(struct store *s);
/* A pg_tx body: the schema when there is none; *(int *)arg its version. */
int pg_create_body(struct store *s, void *arg);

/* Row i, column j as a new string, or NULL for SQL NULL. */
char *pg_dup(const PGresult *res, int i, int j);
long long pg_int(const PGresult *res, int i, int j);

/* pg_certs.c: struct store_backend's members of the same names. */
int pg_find_current(struct store *s, const char *name,
    struct store_cert **out_cert);
int pg_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert);
int pg_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg);
int pg_revoke(struct store *s, const char *const *serials, size_t n,
    time_t when, const char *reason);
int pg_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out);
char *pg_pem(struct store *s, const char *serial);
int pg_pending(struct store *s, struct pending **out, size_t *out_n);
int pg_settle(struct store *s, const struct settle *v, size_t n);
void pg_check(struct check_state *cs);
int pg_check_rows(struct check_state *cs);

/* pg_records.c */
int pg_record_add(struct store *s, const struct store_record *r);
int pg_record_update(struct store *s, const struct store_record *r,
    const char *expect_status);
int pg_record_one(struct store *s, int by_key, const char *kind,
    const char *value, struct store_record **out);
int pg_record_list(struct store *s, const char *kind, const char *ref,
    struct store_record ***out, size_t *out_n);
int pg_record_delete(struct store *s, const char *kind, const char *id);

/* pg_migrate.c */
int pg_import_rows(struct store *s, struct store *src, unsigned long *counts);

#endif
