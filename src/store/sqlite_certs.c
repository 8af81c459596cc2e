/*
 * sqlite_certs: the certs table of the SQLite index. A row is the
 * record of one certificate (store.h, struct store_cert); the issuance
 * reserves it as "pending" and settles it (issue.c), recovery settles
 * what a crashed writer left (lock.c), check reads every row (check.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "util.h"

#define CERT_COLUMNS "serial, name, kind, subject, sans, not_before, not_after," \
	" status, key_source, key_type, forced, issued_at, revoked_at," \
	" revoke_reason, pem, "
#define N_CERT_COLUMNS 16

/*
 * The columns row_to_cert reads. A version-1 index open read-only has no
 * origin column: every row's is NULL there (the command line's).
 */
static const char *
cert_select(const struct store *s)
{
	return s->index_version >= 2 ? "SELECT " CERT_COLUMNS "origin" :
	    "SELECT " CERT_COLUMNS "NULL";
}

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
	c->origin = column_dup(st, 15);
	return c;
}

/* One row: where is the SQL after "SELECT columns". */
static int
find_one(struct store *s, const char *where, const char *arg,
    struct store_cert **out_cert)
{
	sqlite3_stmt *st = NULL;
	char *sql = xasprintf("%s %s", cert_select(s), where);
	int ret, rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if ((ret = step_single(s, st)) == STORE_OK)
		*out_cert = row_to_cert(st);
	sqlite3_finalize(st);
	return ret;
}

int
sqlite_find_current(struct store *s, const char *name,
    struct store_cert **out_cert)
{
	return find_one(s, "FROM certs WHERE name = ?"
	    " AND status = 'valid'", name, out_cert);
}

int
sqlite_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert)
{
	return find_one(s, "FROM certs WHERE serial ="
	    " lower(?) AND status != 'pending'", serial_hex, out_cert);
}

struct list_fn {
	int (*fn)(const struct store_cert *c, void *arg);
	void *arg;
};

static int
list_row(sqlite3_stmt *st, void *arg)
{
	const struct list_fn *lf = arg;
	struct store_cert *c = row_to_cert(st);
	int ret = lf->fn(c, lf->arg);

	store_cert_free(c);
	return ret;
}

int
sqlite_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg)
{
	struct list_fn lf = { fn, arg };
	char sql[640];
	sqlite3_stmt *st = NULL;
	time_t now = sipca_now();

	snprintf(sql, sizeof(sql), "%s FROM certs WHERE"
	    " status != 'pending'%s%s%s%s ORDER BY name, issued_at, serial",
	    cert_select(s), f->name ? " AND name = ?1" : "",
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
	return step_rows(s, st, list_row, &lf);
}

/*
 * All of them in one transaction: a revocation killed halfway would
 * leave older certificates of the same key valid, which is what revoking
 * by name is for.
 */
int
sqlite_revoke(struct store *s, const char *const *serials, size_t n, time_t when,
    const char *reason)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int ret, in_tx = 0;

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
	return ret;
}

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
	sqlite3_bind_text(ins, 14, it->origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(ins);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_E_SERIAL_TAKEN;
	return db_error(s, "store");
}

int
sqlite_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out)
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
	    " forced, issued_at, supersedes, pem, origin) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?11, ?12, ?13, ?14)", -1, &ins,
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
			out[i].supersedes = column_dup(cur, 0);
		} else if (rc != SQLITE_DONE) {
			ret = db_error(s, "store");
			goto out;
		} else if (it->replace) {
			it->result = STORE_E_NOTFOUND;
			continue;
		}
		ret = insert_pending(s, it, out[i].supersedes, ins);
		if (ret == STORE_E_SERIAL_TAKEN) {
			it->result = ret;
			free(out[i].supersedes);
			out[i].supersedes = NULL;
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

char *
sqlite_pem(struct store *s, const char *serial)
{
	struct store_cert *c = NULL;
	char *pem = NULL;

	if (find_one(s, "FROM certs WHERE serial = ?",
	    serial, &c) == STORE_OK) {
		pem = c->pem;
		c->pem = NULL;
	}
	store_cert_free(c);
	return pem;
}

/*
 * Settling a group runs at most three statements, each once per row:
 * they are prepared on first use and reused (sqlite3_reset) for the rest
 * of the group, not prepared again per certificate.
 */
enum settle_sql { SQL_SUPERSEDE, SQL_FINISH, SQL_DELETE, SQL_SETTLE_N };

static const char *const settle_sql[SQL_SETTLE_N] = {
	[SQL_SUPERSEDE] = "UPDATE certs SET status = 'superseded'"
	    " WHERE serial = ? AND status = 'valid'",
	[SQL_FINISH] = "UPDATE certs SET status = 'valid'"
	    " WHERE serial = ? AND status = 'pending'",
	[SQL_DELETE] = "DELETE FROM certs WHERE serial = ? AND status = 'pending'",
};

/* Runs statement which of st (prepared here the first time) on a serial. */
static int
exec_on_serial(struct store *s, sqlite3_stmt **st, enum settle_sql which,
    const char *serial)
{
	int rc;

	if (st[which] == NULL && sqlite3_prepare_v2(s->db, settle_sql[which], -1,
	    &st[which], NULL) != SQLITE_OK)
		return db_error(s, "store");
	sqlite3_reset(st[which]);
	sqlite3_bind_text(st[which], 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st[which]);
	return rc == SQLITE_DONE ? STORE_OK : db_error(s, "store");
}

int
sqlite_pending(struct store *s, struct pending **out, size_t *out_n)
{
	sqlite3_stmt *st = NULL;
	struct pending *p = NULL;
	size_t n = 0;
	int ret = STORE_OK, r;

	if (sqlite3_prepare_v2(s->db, "SELECT serial, name, supersedes, pem"
	    " FROM certs WHERE status = 'pending'", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "recovery");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		p = xrealloc(p, (n + 1) * sizeof(*p));
		p[n].serial = column_dup(st, 0);
		p[n].name = column_dup(st, 1);
		p[n].supersedes = column_dup(st, 2);
		p[n].pem = column_dup(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		ret = db_error(s, "recovery");
	*out = p;
	*out_n = n;
	return ret;
}

int
sqlite_settle(struct store *s, const struct settle *v, size_t n)
{
	sqlite3_stmt *st[SQL_SETTLE_N] = { NULL };
	size_t i;
	int r;

	if ((r = exec_sql(s, "BEGIN IMMEDIATE")) < 0)
		return r;
	for (i = 0; i < n && r == STORE_OK; i++) {
		if (v[i].action == SETTLE_FINISH) {
			if (v[i].supersedes != NULL)
				r = exec_on_serial(s, st, SQL_SUPERSEDE, v[i].supersedes);
			if (r == STORE_OK)
				r = exec_on_serial(s, st, SQL_FINISH, v[i].serial);
		} else if (v[i].action == SETTLE_DELETE)
			r = exec_on_serial(s, st, SQL_DELETE, v[i].serial);
	}
	for (i = 0; i < SQL_SETTLE_N; i++)
		sqlite3_finalize(st[i]);
	if (r == STORE_OK)
		return exec_sql(s, "COMMIT");
	rollback(s);
	return r;
}

int
sqlite_check_rows(struct check_state *cs)
{
	sqlite3_stmt *st = NULL;
	size_t pending = 0;
	char *sql = xasprintf("%s, status = 'pending' FROM certs ORDER BY name,"
	    " issued_at, serial", cert_select(cs->s));
	int rc;

	rc = sqlite3_prepare_v2(cs->s->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return db_error(cs->s, "check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, N_CERT_COLUMNS)) {
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
void
sqlite_check(struct check_state *cs)
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
