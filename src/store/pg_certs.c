/*
 * pg_certs: the certs table of the PostgreSQL index, as sqlite_certs.c
 * is SQLite's: row reads, revocation, the issuance's rows (issue.c),
 * recovery's (lock.c), check's queries (check.c). Names sort as SQLite
 * sorts them, byte by byte (COLLATE "C"), whatever the database's
 * collation, so that both backends list in one order.
 *
 * A statement that fails inside a transaction aborts the whole of it in
 * PostgreSQL (SQLite's goes on): a serial already taken is therefore
 * found by INSERT ... ON CONFLICT DO NOTHING, not by an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg_int.h"
#include "util.h"

#define CERT_SELECT "SELECT serial, name, kind, subject, sans, not_before," \
	" not_after, status, key_source, key_type, forced, issued_at," \
	" revoked_at, revoke_reason, pem, origin"
#define N_CERT_COLUMNS 16
#define BY_NAME " ORDER BY name COLLATE \"C\", issued_at, serial COLLATE \"C\""

static struct store_cert *
row_to_cert(const PGresult *res, int i)
{
	struct store_cert *c = xcalloc(1, sizeof(*c));

	c->serial = pg_dup(res, i, 0);
	c->name = pg_dup(res, i, 1);
	c->kind = pg_dup(res, i, 2);
	c->subject = pg_dup(res, i, 3);
	c->sans = pg_dup(res, i, 4);
	c->not_before = (time_t)pg_int(res, i, 5);
	c->not_after = (time_t)pg_int(res, i, 6);
	if (store_status_parse(PQgetvalue(res, i, 7), &c->status) < 0)
		c->status = STATUS_PENDING;
	if (c->status == STATUS_VALID && c->not_after <= sipca_now())
		c->status = STATUS_EXPIRED;
	c->key_source = pg_dup(res, i, 8);
	c->key_type = pg_dup(res, i, 9);
	c->forced = (int)pg_int(res, i, 10);
	c->issued_at = (time_t)pg_int(res, i, 11);
	c->revoked_at = (time_t)pg_int(res, i, 12);
	c->revoke_reason = pg_dup(res, i, 13);
	c->pem = pg_dup(res, i, 14);
	c->origin = pg_dup(res, i, 15);
	return c;
}

static int
find_one(struct store *s, const char *sql, const char *arg,
    struct store_cert **out_cert)
{
	const char *p[] = { arg };
	PGresult *res = NULL;
	int ret;

	if ((ret = pg_run(s, "store", sql, 1, p, &res)) < 0)
		return ret;
	if (PQntuples(res) == 0)
		ret = STORE_E_NOTFOUND;
	else
		*out_cert = row_to_cert(res, 0);
	PQclear(res);
	return ret;
}

int
pg_find_current(struct store *s, const char *name,
    struct store_cert **out_cert)
{
	return find_one(s, CERT_SELECT " FROM certs WHERE name = $1"
	    " AND status = 'valid'", name, out_cert);
}

int
pg_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert)
{
	return find_one(s, CERT_SELECT " FROM certs WHERE serial = lower($1)",
	    serial_hex, out_cert);
}

int
pg_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg)
{
	char sql[800], now[32], before[32];
	const char *p[4];
	PGresult *res = NULL;
	struct store_cert *c;
	int ret, n = 0, at_now = 0, i;
	size_t len;

	snprintf(now, sizeof(now), "%lld", (long long)sipca_now());
	snprintf(before, sizeof(before), "%lld", (long long)f->expires_before);
	/* Each parameter numbered as it is added ($1, $2, ...). */
	len = (size_t)snprintf(sql, sizeof(sql), CERT_SELECT " FROM certs WHERE"
	    " status != 'pending'");
	if (f->name != NULL) {
		p[n++] = f->name;
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
		    " AND name = $%d", n);
	}
	if (f->kind != NULL) {
		p[n++] = f->kind;
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
		    " AND kind = $%d", n);
	}
	if (f->status == STATUS_VALID || f->status == STATUS_EXPIRED ||
	    f->expires_before) {
		p[n++] = now;
		at_now = n;
	}
	if (f->status == STATUS_VALID || f->status == STATUS_EXPIRED)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND status ="
		    " 'valid' AND not_after %s $%d::bigint",
		    f->status == STATUS_VALID ? ">" : "<=", at_now);
	else if (f->status == STATUS_REVOKED || f->status == STATUS_SUPERSEDED)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
		    " AND status = '%s'", store_status_name(f->status));
	if (f->expires_before) {
		p[n++] = before;
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND status ="
		    " 'valid' AND not_after > $%d::bigint AND not_after <= $%d::bigint",
		    at_now, n);
	}
	snprintf(sql + len, sizeof(sql) - len, "%s", BY_NAME);
	if ((ret = pg_run(s, "store", sql, n, p, &res)) < 0)
		return ret;
	for (i = 0; i < PQntuples(res) && ret == 0; i++) {
		c = row_to_cert(res, i);
		ret = fn(c, arg);
		store_cert_free(c);
	}
	PQclear(res);
	return ret;
}

struct revoke_args {
	const char *const *serials;
	size_t n;
	const char *when, *reason;
};

/* All or none, as SQLite's: a revocation killed halfway is rolled back. */
static int
revoke_body(struct store *s, void *arg)
{
	const struct revoke_args *a = arg;
	const char *p[3] = { a->when, a->reason, NULL };
	PGresult *res = NULL;
	size_t i;
	int ret = STORE_OK, one;

	for (i = 0; i < a->n && ret == STORE_OK; i++) {
		if (i > 0)
			test_crash_point("store-revoking");
		p[2] = a->serials[i];
		if ((ret = pg_exec(s, "store", "UPDATE certs SET status = 'revoked',"
		    " revoked_at = $1, revoke_reason = $2 WHERE serial = lower($3)"
		    " AND status IN ('valid', 'superseded')", 3, p, &res)) < 0)
			break;
		one = strcmp(PQcmdTuples(res), "1") == 0;
		PQclear(res);
		if (!one)
			ret = STORE_E_NOTFOUND;
	}
	return ret;
}

int
pg_revoke(struct store *s, const char *const *serials, size_t n, time_t when,
    const char *reason)
{
	char when_text[32];
	struct revoke_args a = { serials, n, when_text, reason };

	snprintf(when_text, sizeof(when_text), "%lld", (long long)when);
	return pg_tx(s, "store", revoke_body, &a);
}

struct reserve_args {
	struct store_issue *items;
	size_t n;
	struct settle *out;
};

/* One item: NAME_TAKEN, NOTFOUND, SERIAL_TAKEN in it->result, or an error. */
static int
reserve_one(struct store *s, struct store_issue *it, struct settle *out,
    const char *now)
{
	char nb[32], na[32], forced[16];
	const char *p[14] = { it->name };
	PGresult *res = NULL;
	int ret, rows;

	/* One round trip: a pending row of the name sorts first. */
	if ((ret = pg_exec(s, "store", "SELECT serial, not_after, status ="
	    " 'pending' FROM certs WHERE name = $1 AND status IN ('pending',"
	    " 'valid') ORDER BY status = 'pending' DESC", 1, p, &res)) < 0)
		return ret;
	rows = PQntuples(res);
	if (rows > 0 && strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		it->result = STORE_E_NAME_TAKEN;	/* twice in one call */
		PQclear(res);
		return STORE_OK;
	}
	if (rows > 0) {
		if (!it->replace && pg_int(res, 0, 1) > strtoll(now, NULL, 10)) {
			it->result = STORE_E_NAME_TAKEN;
			PQclear(res);
			return STORE_OK;
		}
		out->supersedes = pg_dup(res, 0, 0);
	} else if (it->replace) {
		it->result = STORE_E_NOTFOUND;
		PQclear(res);
		return STORE_OK;
	}
	PQclear(res);
	snprintf(nb, sizeof(nb), "%lld", (long long)it->not_before);
	snprintf(na, sizeof(na), "%lld", (long long)it->not_after);
	snprintf(forced, sizeof(forced), "%d", it->forced);
	p[0] = it->serial;
	p[1] = it->name;
	p[2] = it->kind;
	p[3] = it->subject;
	p[4] = it->sans;
	p[5] = nb;
	p[6] = na;
	p[7] = it->key_source;
	p[8] = it->key_type;
	p[9] = forced;
	p[10] = now;
	p[11] = out->supersedes;
	p[12] = it->cert_pem;
	p[13] = it->origin;
	if ((ret = pg_exec(s, "store", "INSERT INTO certs (serial, name, kind,"
	    " subject, sans, not_before, not_after, status, key_source, key_type,"
	    " forced, issued_at, supersedes, pem, origin) VALUES ($1, $2, $3,"
	    " $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13, $14)"
	    " ON CONFLICT (serial) DO NOTHING", 14, p, &res)) < 0)
		return ret;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		it->result = STORE_E_SERIAL_TAKEN;
		free(out->supersedes);
		out->supersedes = NULL;
	}
	PQclear(res);
	return STORE_OK;
}

static int
reserve_body(struct store *s, void *arg)
{
	struct reserve_args *a = arg;
	char now[32];
	size_t i;
	int ret = STORE_OK;

	snprintf(now, sizeof(now), "%lld", (long long)sipca_now());
	/* A retry starts again from nothing. */
	for (i = 0; i < a->n; i++) {
		a->items[i].result = STORE_OK;
		free(a->out[i].supersedes);
		a->out[i].supersedes = NULL;
	}
	for (i = 0; i < a->n && ret == STORE_OK; i++)
		ret = reserve_one(s, &a->items[i], &a->out[i], now);
	return ret;
}

int
pg_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out)
{
	struct reserve_args a = { items, n, out };

	return pg_tx(s, "store", reserve_body, &a);
}

char *
pg_pem(struct store *s, const char *serial)
{
	const char *p[] = { serial };
	PGresult *res = NULL;
	char *pem = NULL;

	if (pg_run(s, "store", "SELECT pem FROM certs WHERE serial = $1", 1, p,
	    &res) < 0)
		return NULL;
	if (PQntuples(res) > 0)
		pem = pg_dup(res, 0, 0);
	PQclear(res);
	return pem;
}

int
pg_pending(struct store *s, struct pending **out, size_t *out_n)
{
	PGresult *res = NULL;
	struct pending *p = NULL;
	int ret, i, n;

	*out = NULL;
	*out_n = 0;
	if ((ret = pg_run(s, "recovery", "SELECT serial, name, supersedes, pem"
	    " FROM certs WHERE status = 'pending'", 0, NULL, &res)) < 0)
		return ret;
	n = PQntuples(res);
	p = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].serial = pg_dup(res, i, 0);
		p[i].name = pg_dup(res, i, 1);
		p[i].supersedes = pg_dup(res, i, 2);
		p[i].pem = pg_dup(res, i, 3);
	}
	PQclear(res);
	*out = p;
	*out_n = (size_t)n;
	return STORE_OK;
}

/*
 * v's serials of one action as a text[] literal ({"a","b"}), each
 * element quoted with its '"' and '\\' escaped; NULL when there is none.
 */
static char *
serial_array(const struct settle *v, size_t n, int action, int supersedes)
{
	size_t i, len = 3, at = 0;
	const char *e, *c;
	char *out;

	for (i = 0; i < n; i++) {
		e = supersedes ? v[i].supersedes : v[i].serial;
		if (v[i].action == action && e != NULL)
			len += 2 * strlen(e) + 3;
	}
	if (len == 3)
		return NULL;
	out = xmalloc(len);
	out[at++] = '{';
	for (i = 0; i < n; i++) {
		e = supersedes ? v[i].supersedes : v[i].serial;
		if (v[i].action != action || e == NULL)
			continue;
		if (at > 1)
			out[at++] = ',';
		out[at++] = '"';
		for (c = e; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				out[at++] = '\\';
			out[at++] = *c;
		}
		out[at++] = '"';
	}
	out[at++] = '}';
	out[at] = '\0';
	return out;
}

/*
 * A group's rows in at most three statements, not three per row: what
 * the FINISH rows supersede, the FINISH rows, the DELETE rows. A name has
 * one row in a group, so that superseding every old row before any new
 * one becomes valid keeps one valid row per name throughout.
 */
static const struct {
	int action, supersedes;
	const char *sql;
} settle_steps[] = {
	{ SETTLE_FINISH, 1, "UPDATE certs SET status = 'superseded' WHERE"
	  " serial = ANY ($1::text[]) AND status = 'valid'" },
	{ SETTLE_FINISH, 0, "UPDATE certs SET status = 'valid' WHERE"
	  " serial = ANY ($1::text[]) AND status = 'pending'" },
	{ SETTLE_DELETE, 0, "DELETE FROM certs WHERE serial = ANY ($1::text[])"
	  " AND status = 'pending'" },
};

struct settle_args {
	char *arrays[3];
};

static int
settle_body(struct store *s, void *arg)
{
	const struct settle_args *a = arg;
	const char *p[1];
	size_t i;
	int ret = STORE_OK;

	for (i = 0; i < 3 && ret == STORE_OK; i++) {
		if ((p[0] = a->arrays[i]) != NULL)
			ret = pg_exec(s, "store", settle_steps[i].sql, 1, p, NULL);
	}
	return ret;
}

int
pg_settle(struct store *s, const struct settle *v, size_t n)
{
	struct settle_args a;
	size_t i;
	int ret;

	for (i = 0; i < 3; i++)
		a.arrays[i] = serial_array(v, n, settle_steps[i].action,
		    settle_steps[i].supersedes);
	ret = pg_tx(s, "store", settle_body, &a);
	for (i = 0; i < 3; i++)
		free(a.arrays[i]);
	return ret;
}

int
pg_check_rows(struct check_state *cs)
{
	PGresult *res = NULL;
	size_t pending = 0;
	int ret, i;

	if ((ret = pg_run(cs->s, "check", CERT_SELECT ", status = 'pending'"
	    " FROM certs" BY_NAME, 0, NULL, &res)) < 0)
		return ret;
	for (i = 0; i < PQntuples(res); i++) {
		if (strcmp(PQgetvalue(res, i, N_CERT_COLUMNS), "t") == 0) {
			pending++;
			cs->pending = xrealloc(cs->pending, 2 * pending * sizeof(char *));
			cs->pending[2 * pending - 2] = pg_dup(res, i, 0);
			cs->pending[2 * pending - 1] = pg_dup(res, i, 1);
			cs->n_pending = pending;
			check_problem(cs, STORE_PROBLEM_PENDING, NULL,
			    "interrupted issuance of '%s' (serial %s): the next"
			    " command that writes finishes or undoes it",
			    PQgetvalue(res, i, 1), PQgetvalue(res, i, 0));
			continue;
		}
		cs->rows = xrealloc(cs->rows, (cs->n_rows + 1) * sizeof(*cs->rows));
		cs->rows[cs->n_rows++] = row_to_cert(res, i);
	}
	PQclear(res);
	return STORE_OK;
}

/*
 * The database keeps its own pages (a damaged one is the server's to
 * report, and its administrator's to repair): check asks the uniqueness
 * the schema promises, and that the constraints promising it are there,
 * so that a table someone altered by hand is not trusted unseen.
 */
void
pg_check(struct check_state *cs)
{
	static const struct { const char *sql, *what, *note; } unique[] = {
		{ "SELECT serial, count(*) FROM certs GROUP BY serial"
		  " HAVING count(*) > 1", "serial ", "times (a serial is unique)" },
		{ "SELECT name, count(*) FROM certs WHERE status = 'valid'"
		  " GROUP BY name HAVING count(*) > 1", "",
		  "valid certificates (one at most)" },
	};
	static const char *const indexes[] = { "certs_pkey", "certs_one_valid",
	    "records_pkey", "records_key" };
	const char *path = cs->s->conninfo_shown;
	PGresult *res = NULL;
	const char *p[1];
	size_t i;
	int j;

	for (i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		p[0] = indexes[i];
		if (pg_run(cs->s, "check", "SELECT 1 FROM pg_index WHERE indexrelid ="
		    " to_regclass($1) AND indisunique AND indisvalid", 1, p,
		    &res) < 0) {
			cs->index_damaged = 1;
			continue;
		}
		if (PQntuples(res) == 0)
			check_problem(cs, STORE_PROBLEM_INDEX, path, "the unique index"
			    " %s is missing or not valid", indexes[i]);
		PQclear(res);
	}
	for (i = 0; i < sizeof(unique) / sizeof(unique[0]); i++) {
		if (pg_run(cs->s, "check", unique[i].sql, 0, NULL, &res) < 0) {
			cs->index_damaged = 1;
			continue;
		}
		for (j = 0; j < PQntuples(res); j++)
			check_problem(cs, STORE_PROBLEM_INDEX, path, "%s'%s' %s %s %s",
			    unique[i].what, PQgetvalue(res, j, 0),
			    i == 0 ? "is recorded" : "has", PQgetvalue(res, j, 1),
			    unique[i].note);
		PQclear(res);
	}
}
