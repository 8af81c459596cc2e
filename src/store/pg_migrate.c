/*
 * pg_migrate: the PostgreSQL index as the target of a store migrate
 * (migrate.c). One transaction holds all of it: the schema, made when
 * the database has none (PostgreSQL's DDL is transactional), every row
 * of every table, and the counts that check them; a failure anywhere
 * leaves the database as it was. init's advisory lock (pg_create_body)
 * keeps an init or a second migrate into the same database waiting
 * until this one has committed, after which they find its rows and
 * refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg_int.h"
#include "util.h"

struct import {
	struct store *dst, *src;
	unsigned long *counts;
	const struct index_table *t;
	char *insert;		/* t's INSERT, $1 ... $n */
	int width;		/* n: its columns */
	unsigned long sent;	/* rows of t inserted */
	int failed;		/* the row callback's error, for import_body */
};

/* An earlier sipca's or a later one's index, or one with rows: not ours to fill. */
static int
refuse_target(struct store *s, int version)
{
	PGresult *res = NULL;
	int ret;

	if (version != SCHEMA_VERSION) {
		store_msg(s, "migrate: the database '%s' holds a sipca index of"
		    " schema version %d (this sipca's is %d): migrate copies into"
		    " an empty database only", s->conninfo_shown, version,
		    SCHEMA_VERSION);
		return STORE_E_EXISTS;
	}
	if ((ret = pg_exec(s, "migrate", "SELECT (SELECT count(*) FROM certs),"
	    " (SELECT count(*) FROM settings), (SELECT count(*) FROM records)",
	    0, NULL, &res)) < 0)
		return ret;
	if (pg_int(res, 0, 0) > 0 || pg_int(res, 0, 1) > 0 || pg_int(res, 0, 2) > 0) {
		store_msg(s, "migrate: the database '%s' already holds a sipca"
		    " index (%lld certificates, %lld settings, %lld records):"
		    " migrate copies into an empty database only",
		    s->conninfo_shown, pg_int(res, 0, 0), pg_int(res, 0, 1),
		    pg_int(res, 0, 2));
		ret = STORE_E_EXISTS;
	}
	PQclear(res);
	return ret;
}

static char *
insert_sql(const struct index_table *t)
{
	char *sql = xasprintf("INSERT INTO %s (%s) VALUES (", t->name, t->columns);
	char *next;
	int i, n = index_table_width(t);

	for (i = 1; i <= n; i++) {
		next = xasprintf("%s$%d%s", sql, i, i < n ? ", " : ")");
		free(sql);
		sql = next;
	}
	return sql;
}

static int
import_row(const char *const *values, void *arg)
{
	struct import *im = arg;
	int ret;

	/* values are borrowed from the source until this returns; libpq copies them. */
	if ((ret = pg_exec(im->dst, "migrate", im->insert, im->width, values,
	    NULL)) < 0) {
		im->failed = ret;
		return 1;
	}
	im->sent++;
	return 0;
}

/* The database's count of t, which must be the rows read and sent. */
static int
verify_count(struct store *s, const struct index_table *t, unsigned long read,
    unsigned long sent)
{
	PGresult *res = NULL;
	char *sql = xasprintf("SELECT count(*) FROM %s", t->name);
	unsigned long have;
	int ret;

	if ((ret = pg_exec(s, "migrate", sql, 0, NULL, &res)) < 0)
		goto out;
	have = (unsigned long)pg_int(res, 0, 0);
	if (have != read || sent != read) {
		store_msg(s, "migrate: table %s: %lu rows in index.db, %lu copied,"
		    " %lu in the database: nothing was migrated", t->name, read,
		    sent, have);
		ret = STORE_E_IO;
	}
out:
	PQclear(res);
	free(sql);
	return ret;
}

/*
 * pg_tx's body: it may run again (a serialization failure), so each run
 * starts from nothing. The source's messages (a read that failed) go to
 * the source store, which migrate.c reports with the target's.
 */
static int
import_body(struct store *s, void *arg)
{
	struct import *im = arg;
	unsigned long read;
	int ret, version = 0, i;

	if ((ret = pg_create_body(s, &version)) < 0 ||
	    (ret = refuse_target(s, version)) < 0)
		return ret;
	for (i = 0; i < INDEX_TABLES; i++) {
		im->t = &index_tables[i];
		im->insert = insert_sql(im->t);
		im->width = index_table_width(im->t);
		im->sent = 0;
		im->failed = 0;
		read = 0;
		ret = im->src->be->export_rows(im->src, im->t, import_row, im,
		    &read);
		free(im->insert);
		im->insert = NULL;
		if (im->failed < 0)
			ret = im->failed;
		else if (ret == STORE_OK)
			ret = verify_count(s, im->t, read, im->sent);
		if (ret < 0)
			return ret;
		im->counts[i] = read;
	}
	return STORE_OK;
}

int
pg_import_rows(struct store *s, struct store *src, unsigned long *counts)
{
	struct import im = { s, src, counts, NULL, NULL, 0, 0, 0 };
	PQconninfoOption *opts;
	char *err = NULL;
	int ret;

	/* A bad string is bad input (exit 2), not a server that is down; not echoed. */
	if ((opts = PQconninfoParse(s->conninfo, &err)) == NULL) {
		PQfreemem(err);
		store_msg(s, "migrate: --to: libpq cannot parse the connection"
		    " string (not shown: it may hold a password)");
		return STORE_E_NOCA;
	}
	PQconninfoFree(opts);
	if ((ret = pg_connect(s)) < 0)
		return ret;
	return pg_tx(s, "migrate", import_body, &im);
}
