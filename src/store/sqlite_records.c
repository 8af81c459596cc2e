/*
 * sqlite_records: the records table of the SQLite index (store.h,
 * records): documents the server's protocols keep in the store, which
 * the store reads and writes as the caller gives them.
 *
 * No call takes the writers' lock. That lock keeps a row and its files
 * together and runs recovery; a record has no files, and each call here
 * is one SQLite statement, which SQLite makes atomic and serializes
 * against other processes' writers on its own (the busy timeout waits
 * for them). Taking the flock instead would make every request of
 * "sipca serve" wait behind a batch's whole run.
 *
 * Threads: the connection is SQLITE_OPEN_FULLMUTEX, which makes each
 * sqlite3_* call safe but not a prepare-bind-step-read sequence, nor
 * sqlite3_errmsg after it, nor the store's messages. index.c's records
 * mutex makes each call here run whole before the next.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "util.h"

#define RECORD_COLUMNS "kind, id, key, ref, status, expires, created, doc"

static struct store_record *
row_to_record(sqlite3_stmt *st)
{
	struct store_record *r = xcalloc(1, sizeof(*r));

	r->kind = column_dup(st, 0);
	r->id = column_dup(st, 1);
	r->key = column_dup(st, 2);
	r->ref = column_dup(st, 3);
	r->status = column_dup(st, 4);
	r->expires = (time_t)sqlite3_column_int64(st, 5);
	r->created = (time_t)sqlite3_column_int64(st, 6);
	r->doc = column_dup(st, 7);
	/* NOT NULL columns: never NULL for a caller, even from an edited file. */
	if (r->status == NULL)
		r->status = xstrdup("");
	if (r->doc == NULL)
		r->doc = xstrdup("");
	return r;
}

/* A constraint that names kind+id or kind+key taken: STORE_E_EXISTS. */
static int
write_error(struct store *s, const char *what)
{
	int ext = sqlite3_extended_errcode(s->db);

	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
		return STORE_E_EXISTS;
	return db_error(s, what);
}

int
sqlite_record_add(struct store *s, const struct store_record *r)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO records (" RECORD_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->expires);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)(r->created != 0 ? r->created :
	    sipca_now()));
	sqlite3_bind_text(st, 8, r->doc, -1, SQLITE_STATIC);
	ret = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : write_error(s, "store");
out:
	sqlite3_finalize(st);
	return ret;
}

/*
 * The status is compared in the UPDATE itself, so that the test and the
 * write are one statement: of two callers making the same transition,
 * the second finds the status changed. RETURNING says whether a row
 * changed (sqlite3_changes would do only under the mutex too). With no
 * row changed, a second read says which refusal it was; a record deleted
 * in between is then NOTFOUND, which it is by then.
 */
int
sqlite_record_update(struct store *s, const struct store_record *r,
    const char *expect_status)
{
	sqlite3_stmt *st = NULL;
	int ret, rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE records SET status = ?3,"
	    " expires = ?4, ref = ?5, key = ?6, doc = ?7 WHERE kind = ?1"
	    " AND id = ?2 AND (?8 IS NULL OR status = ?8) RETURNING 1", -1, &st,
	    NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->expires);
	sqlite3_bind_text(st, 5, r->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, expect_status, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* Stepped to its end, so that the change is committed now. */
		rc = sqlite3_step(st);
		ret = rc == SQLITE_DONE ? STORE_OK : write_error(s, "store");
		goto out;
	}
	if (rc != SQLITE_DONE) {
		ret = write_error(s, "store");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM records WHERE kind = ?"
	    " AND id = ?", -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
	ret = step_single(s, st);
	if (ret == STORE_OK)
		ret = STORE_E_CONFLICT;
out:
	sqlite3_finalize(st);
	return ret;
}

/* One record of kind whose id (by_key: key) is value, into *out. */
int
sqlite_record_one(struct store *s, int by_key, const char *kind,
    const char *value, struct store_record **out)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, by_key ? "SELECT " RECORD_COLUMNS
	    " FROM records WHERE kind = ? AND key = ?" : "SELECT " RECORD_COLUMNS
	    " FROM records WHERE kind = ? AND id = ?", -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if ((ret = step_single(s, st)) == STORE_OK)
		*out = row_to_record(st);
out:
	sqlite3_finalize(st);
	return ret;
}

struct record_rows {
	struct store_record **v;
	size_t n;
};

static int
collect_row(sqlite3_stmt *st, void *arg)
{
	struct record_rows *rows = arg;

	rows->v = xrealloc(rows->v, (rows->n + 1) * sizeof(*rows->v));
	rows->v[rows->n++] = row_to_record(st);
	return 0;
}

/* Every record of kind with that ref (NULL: any), created then id order. */
int
sqlite_record_list(struct store *s, const char *kind, const char *ref,
    struct store_record ***out, size_t *out_n)
{
	struct record_rows rows = { NULL, 0 };
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db, "SELECT " RECORD_COLUMNS " FROM records"
	    " WHERE kind = ?1 AND (?2 IS NULL OR ref = ?2)"
	    " ORDER BY created, id", -1, &st, NULL) != SQLITE_OK)
		ret = db_error(s, "store");
	else {
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
		ret = step_rows(s, st, collect_row, &rows);
	}
	*out = rows.v;
	*out_n = rows.n;
	return ret;
}

int
sqlite_record_delete(struct store *s, const char *kind, const char *id)
{
	sqlite3_stmt *st = NULL;
	int ret, rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM records WHERE kind = ?"
	    " AND id = ? RETURNING 1", -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "store");
		goto out;
	}
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	else if (rc == SQLITE_DONE) {
		ret = STORE_E_NOTFOUND;
		goto out;
	}
	ret = rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
out:
	sqlite3_finalize(st);
	return ret;
}
