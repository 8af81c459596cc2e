/*
 * sqlite_int: what the files of the SQLite index share (sqlite.c,
 * sqlite_certs.c, sqlite_records.c). Nothing outside them includes it: the
 * rest of the store reaches the index through sqlite_backend
 * (store_int.h, struct store_backend), which sqlite.c fills with these.
 */
#ifndef SIPCA_SQLITE_INT_H
#define SIPCA_SQLITE_INT_H

#include <sqlite3.h>

#include "store_int.h"

/* After a message naming what: STORE_E_BUSY when SQLite was busy, else STORE_E_IO. */
int db_error(struct store *s, const char *what);
int exec_sql(struct store *s, const char *sql);
/* SQLite ends a transaction itself on some errors (SQLITE_FULL): then
 * there is nothing to roll back, and no second message to print. */
void rollback(struct store *s);
/* Column i as a new string, or NULL. */
char *column_dup(sqlite3_stmt *st, int i);
/* Steps a query that yields at most one row: STORE_OK on a row. */
int step_single(struct store *s, sqlite3_stmt *st);

/*
 * Calls row for each row of st, stops when it returns non-zero and
 * returns that; finalizes st. STORE_E_* after a message when a step fails.
 */
int step_rows(struct store *s, sqlite3_stmt *st,
    int (*row)(sqlite3_stmt *st, void *arg), void *arg);

/* sqlite_certs.c: struct store_backend's members of the same names. */
int sqlite_find_current(struct store *s, const char *name,
    struct store_cert **out_cert);
int sqlite_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert);
int sqlite_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg);
int sqlite_revoke(struct store *s, const char *const *serials, size_t n,
    time_t when, const char *reason);
int sqlite_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out);
char *sqlite_pem(struct store *s, const char *serial);
int sqlite_pending(struct store *s, struct pending **out, size_t *out_n);
int sqlite_settle(struct store *s, const struct settle *v, size_t n);
void sqlite_check(struct check_state *cs);
int sqlite_check_rows(struct check_state *cs);

/* sqlite_records.c */
int sqlite_record_add(struct store *s, const struct store_record *r);
int sqlite_record_update(struct store *s, const struct store_record *r,
    const char *expect_status);
int sqlite_record_one(struct store *s, int by_key, const char *kind,
    const char *value, struct store_record **out);
int sqlite_record_list(struct store *s, const char *kind, const char *ref,
    struct store_record ***out, size_t *out_n);
int sqlite_record_delete(struct store *s, const char *kind, const char *id);

/* sqlite_export.c */
int sqlite_export_rows(struct store *s, const struct index_table *t,
    int (*row)(const char *const *values, void *arg), void *arg,
    unsigned long *out_count);
int sqlite_retire(struct store *s, char **out_kept);

#endif
