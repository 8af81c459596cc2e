/*
 * sqlite_int: what the files of the SQLite index share (sqlite.c,
 * sqlite_certs.c, sqlite_records.c). Nothing outside them includes it: the rest of the
 * store reaches the index through store_int.h's index_*() functions.
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

#endif
