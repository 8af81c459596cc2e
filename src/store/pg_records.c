/*
 * pg_records: the records table of the PostgreSQL index, as
 * sqlite_records.c is SQLite's. Each call is one statement, atomic on
 * its own; none takes the writers' lock (store.h says why), and
 * index.c's records mutex keeps two threads off the one connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg_int.h"
#include "util.h"

#define RECORD_COLUMNS "kind, id, key, ref, status, expires, created, doc"

static struct store_record *
row_to_record(const PGresult *res, int i)
{
	struct store_record *r = xcalloc(1, sizeof(*r));

	r->kind = pg_dup(res, i, 0);
	r->id = pg_dup(res, i, 1);
	r->key = pg_dup(res, i, 2);
	r->ref = pg_dup(res, i, 3);
	r->status = pg_dup(res, i, 4);
	r->expires = (time_t)pg_int(res, i, 5);
	r->created = (time_t)pg_int(res, i, 6);
	r->doc = pg_dup(res, i, 7);
	if (r->status == NULL)
		r->status = xstrdup("");
	if (r->doc == NULL)
		r->doc = xstrdup("");
	return r;
}

/* kind+id or kind+key taken: ON CONFLICT DO NOTHING inserts no row. */
int
pg_record_add(struct store *s, const struct store_record *r)
{
	char expires[32], created[32];
	const char *p[] = { r->kind, r->id, r->key, r->ref, r->status, expires,
	    created, r->doc };
	PGresult *res = NULL;
	int ret;

	snprintf(expires, sizeof(expires), "%lld", (long long)r->expires);
	snprintf(created, sizeof(created), "%lld", (long long)(r->created != 0 ?
	    r->created : sipca_now()));
	if ((ret = pg_run(s, "store", "INSERT INTO records (" RECORD_COLUMNS ")"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING", 8,
	    p, &res)) < 0)
		return ret == PG_UNIQUE ? STORE_E_EXISTS : ret;
	if (strcmp(PQcmdTuples(res), "1") != 0)
		ret = STORE_E_EXISTS;
	PQclear(res);
	return ret;
}

/*
 * The status is compared in the UPDATE itself, as SQLite's: of two
 * callers making the same transition, the second finds it changed. A key
 * another record has is a unique violation: EXISTS.
 */
int
pg_record_update(struct store *s, const struct store_record *r,
    const char *expect_status)
{
	char expires[32];
	const char *p[] = { r->kind, r->id, r->status, expires, r->ref, r->key,
	    r->doc, expect_status };
	PGresult *res = NULL;
	int ret, changed;

	snprintf(expires, sizeof(expires), "%lld", (long long)r->expires);
	if ((ret = pg_run(s, "store", "UPDATE records SET status = $3,"
	    " expires = $4, ref = $5, key = $6, doc = $7 WHERE kind = $1"
	    " AND id = $2 AND ($8::text IS NULL OR status = $8::text)", 8, p,
	    &res)) < 0)
		return ret == PG_UNIQUE ? STORE_E_EXISTS : ret;
	changed = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (changed)
		return STORE_OK;
	if ((ret = pg_run(s, "store", "SELECT 1 FROM records WHERE kind = $1"
	    " AND id = $2", 2, p, &res)) < 0)
		return ret;
	ret = PQntuples(res) > 0 ? STORE_E_CONFLICT : STORE_E_NOTFOUND;
	PQclear(res);
	return ret;
}

int
pg_record_one(struct store *s, int by_key, const char *kind,
    const char *value, struct store_record **out)
{
	const char *p[] = { kind, value };
	PGresult *res = NULL;
	int ret;

	if ((ret = pg_run(s, "store", by_key ? "SELECT " RECORD_COLUMNS
	    " FROM records WHERE kind = $1 AND key = $2" : "SELECT " RECORD_COLUMNS
	    " FROM records WHERE kind = $1 AND id = $2", 2, p, &res)) < 0)
		return ret;
	if (PQntuples(res) == 0)
		ret = STORE_E_NOTFOUND;
	else
		*out = row_to_record(res, 0);
	PQclear(res);
	return ret;
}

int
pg_record_list(struct store *s, const char *kind, const char *ref,
    struct store_record ***out, size_t *out_n)
{
	const char *p[] = { kind, ref };
	struct store_record **v = NULL;
	PGresult *res = NULL;
	int ret, i, n;

	*out = NULL;
	*out_n = 0;
	if ((ret = pg_run(s, "store", "SELECT " RECORD_COLUMNS " FROM records"
	    " WHERE kind = $1 AND ($2::text IS NULL OR ref = $2::text)"
	    " ORDER BY created, id COLLATE \"C\"", 2, p, &res)) < 0)
		return ret;
	n = PQntuples(res);
	v = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = row_to_record(res, i);
	PQclear(res);
	*out = v;
	*out_n = (size_t)n;
	return STORE_OK;
}

int
pg_record_delete(struct store *s, const char *kind, const char *id)
{
	const char *p[] = { kind, id };
	PGresult *res = NULL;
	int ret;

	if ((ret = pg_run(s, "store", "DELETE FROM records WHERE kind = $1"
	    " AND id = $2", 2, p, &res)) < 0)
		return ret;
	ret = strcmp(PQcmdTuples(res), "0") != 0 ? STORE_OK : STORE_E_NOTFOUND;
	PQclear(res);
	return ret;
}
