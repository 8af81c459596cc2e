/*
 * migrate: the index's schema and its moves. store_schema reports what
 * a read-write open did to the schema's version (sipca store upgrade);
 * store_migrate moves an SQLite store's index into PostgreSQL (sipca
 * store migrate): the order of its steps is what makes it safe.
 *
 *   1. under the writers' lock (recovery first: no pending row), the
 *      rows are copied in one transaction of the database that checks
 *      the counts before it commits: until then the directory is as it
 *      was and the database too;
 *   2. DIR/store.conf names the database (written atomically): from
 *      here on every sipca opening the directory uses the database;
 *   3. index.db is renamed index.db.migrated, so that nothing writes
 *      into it any more (a process that had it open and waited for the
 *      lock finds it gone: index_unchanged), and it is kept for going
 *      back.
 *
 * Cut short after 1, the database holds the copy and the directory is
 * still on SQLite: a second migrate refuses the database until it is
 * emptied (the message says so). Cut short after 2, the directory uses
 * the database and index.db is only a stale copy.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

const struct index_table index_tables[INDEX_TABLES] = {
	{ "settings", STORE_SETTINGS_COLUMNS },
	{ "certs", STORE_CERTS_COLUMNS },
	{ "records", STORE_RECORDS_COLUMNS },
};

/* Counted from the list, so that the number cannot drift from the names. */
int
index_table_width(const struct index_table *t)
{
	const char *c;
	int n = 1;

	for (c = t->columns; *c != '\0'; c++)
		n += *c == ',';
	return n;
}

void
store_schema(const struct store *s, struct store_schema *out)
{
	out->backend = s->be->name;
	out->where = index_is_file(s) ? store_path(s, "index.db") :
	    xstrdup(s->conninfo_shown != NULL ? s->conninfo_shown : "");
	out->version = s->index_version;
	out->found = s->index_upgraded_from != 0 ? s->index_upgraded_from :
	    s->index_version;
}

void
store_schema_clear(struct store_schema *sc)
{
	free(sc->where);
	sc->where = NULL;
}

void
store_migration_clear(struct store_migration *m)
{
	free(m->target);
	free(m->kept);
	m->target = m->kept = NULL;
}

/* The preconditions that need no lock and no connection. */
static int
may_migrate(struct store *s, const char *conninfo)
{
	struct stat st;

	if (s->be->export_rows == NULL) {
		store_msg(s, "migrate: the store's index is already in PostgreSQL"
		    " ('%s')", s->conninfo_shown != NULL ? s->conninfo_shown : "");
		return STORE_E_NOCA;
	}
	/* Not echoed: a mistyped connection string may hold a password. */
	if (!index_is_pg_conninfo(conninfo)) {
		store_msg(s, "migrate: --to: not a PostgreSQL connection string"
		    " (postgresql://USER@HOST/DB or libpq's key=value form)");
		return STORE_E_NOCA;
	}
	if (fstatat(s->dir_fd, "index.db.migrated", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		store_msg(s, "migrate: '%s/index.db.migrated' exists (an earlier"
		    " migration's): move it away first", s->dir);
		return STORE_E_EXISTS;
	}
	return STORE_OK;
}

/* The target: a store of the same directory that only its index uses. */
static struct store *
target_new(const struct store *s, const char *conninfo)
{
	struct store *t = xcalloc(1, sizeof(*t));

	t->dir = xstrdup(s->dir);
	t->dir_fd = -1;
	t->lock_fd = -1;
	t->prep_fd = -1;
	t->umask = s->umask;
	t->be = &pg_backend;
	t->conninfo = xstrdup(conninfo);
	return t;
}

int
store_migrate(struct store *s, const char *conninfo,
    struct store_migration *out)
{
	unsigned long counts[INDEX_TABLES] = { 0 };
	struct store *t = NULL;
	char *kept = NULL;
	int ret, locked = 0;

	if ((ret = may_migrate(s, conninfo)) < 0)
		goto out;
	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	/* Again under the lock (which found index.db unchanged): another migrate may have gone first. */
	if ((ret = may_migrate(s, conninfo)) < 0)
		goto out;
	t = target_new(s, conninfo);
	ret = t->be->import_rows(t, s, counts);
	report_move(&s->msgs, &t->msgs);
	if (ret < 0)
		goto out;
	if ((ret = index_write_conf(s, conninfo)) < 0) {
		store_msg(s, "migrate: the database '%s' holds the copy, but the"
		    " directory still uses index.db; empty the database before"
		    " migrating again", t->conninfo_shown);
		goto out;
	}
	if ((ret = s->be->retire(s, &kept)) < 0) {
		store_msg(s, "migrate: '%s' now uses the database '%s'; its"
		    " index.db is a stale copy that no sipca reads: move it away",
		    s->dir, t->conninfo_shown);
		goto out;
	}
	out->settings = counts[0];
	out->certs = counts[1];
	out->records = counts[2];
	out->target = xstrdup(t->conninfo_shown);
	out->kept = kept;
	kept = NULL;
	ret = STORE_OK;
out:
	if (locked)
		store_unlock(s);
	free(kept);
	store_close(t);
	return ret;
}
