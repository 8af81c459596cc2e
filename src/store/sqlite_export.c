/*
 * sqlite_export: the SQLite index as the source of a store migrate
 * (migrate.c): its tables' rows read out by column name, and afterwards
 * index.db set aside as index.db.migrated, with whatever journal SQLite
 * keeps beside it, so that the directory no longer finds it and the
 * admin can still go back to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite_int.h"
#include "util.h"

/* The table's own columns, all of them: one t does not name is refused. */
static int
columns_named(struct store *s, const struct index_table *t)
{
	sqlite3_stmt *st = NULL;
	char *sql = xasprintf("SELECT * FROM %s LIMIT 0", t->name);
	int n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK)
		n = sqlite3_column_count(st);
	sqlite3_finalize(st);
	free(sql);
	if (n < 0)
		return db_error(s, "migrate");
	if (n != index_table_width(t)) {
		store_msg(s, "migrate: index.db's table %s has %d columns; this"
		    " sipca copies %d (%s)", t->name, n, index_table_width(t), t->columns);
		return STORE_E_NOCA;
	}
	return STORE_OK;
}

static int
count_rows(struct store *s, const char *table, unsigned long *out)
{
	sqlite3_stmt *st = NULL;
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	int ret;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		ret = db_error(s, "migrate");
	else if ((ret = step_single(s, st)) == STORE_OK)
		*out = (unsigned long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(sql);
	return ret;
}

struct export_rows {
	int (*row)(const char *const *values, void *arg);
	void *arg;
	const char **values;
	int n;
};

/* The values borrow from st until its next step: row copies what it keeps. */
static int
export_row(sqlite3_stmt *st, void *arg)
{
	struct export_rows *e = arg;
	int i;

	for (i = 0; i < e->n; i++)
		e->values[i] = (const char *)sqlite3_column_text(st, i);
	return e->row(e->values, e->arg);
}

/*
 * One read transaction for the count and the rows, so that both see
 * the same index (migrate holds the writers' lock besides; a read
 * transaction costs nothing).
 */
int
sqlite_export_rows(struct store *s, const struct index_table *t,
    int (*row)(const char *const *values, void *arg), void *arg,
    unsigned long *out_count)
{
	struct export_rows e = { row, arg, NULL, index_table_width(t) };
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	int ret, in_tx = 0;

	if ((ret = exec_sql(s, "BEGIN")) < 0)
		goto out;
	in_tx = 1;
	if ((ret = columns_named(s, t)) < 0 ||
	    (ret = count_rows(s, t->name, out_count)) < 0)
		goto out;
	sql = xasprintf("SELECT %s FROM %s", t->columns, t->name);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_error(s, "migrate");
		goto out;
	}
	e.values = xcalloc((size_t)index_table_width(t), sizeof(*e.values));
	/* step_rows finalizes st. */
	ret = step_rows(s, st, export_row, &e);
	if (ret == STORE_OK && (ret = exec_sql(s, "COMMIT")) == STORE_OK)
		in_tx = 0;
out:
	if (in_tx)
		rollback(s);
	free(e.values);
	free(sql);
	return ret;
}

/*
 * index.db and what SQLite keeps beside it by its name (a rollback
 * journal; a write-ahead log and its shared memory in WAL mode), each
 * renamed to index.db.migrated with the same suffix, which is where
 * SQLite looks for them when it opens index.db.migrated: the set stays
 * one database. The connection is closed first, so that SQLite has
 * ended its own journal; a name taken is never replaced.
 */
int
sqlite_retire(struct store *s, char **out_kept)
{
	static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };
	char from[32], to[48];
	size_t i;
	int ret = STORE_OK;

	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK) {
		ret = db_error(s, "migrate");
		goto out;
	}
	s->db = NULL;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(from, sizeof(from), "index.db%s", suffixes[i]);
		snprintf(to, sizeof(to), "index.db.migrated%s", suffixes[i]);
		if (renameat2(s->dir_fd, from, s->dir_fd, to, RENAME_NOREPLACE) == 0 ||
		    (i > 0 && errno == ENOENT))
			continue;
		store_msg(s, "migrate: cannot rename '%s/%s' to '%s': %s", s->dir,
		    from, to, strerror(errno));
		ret = STORE_E_IO;
		goto out;
	}
	sync_dir(s, "");
	*out_kept = store_path(s, "index.db.migrated");
out:
	return ret;
}
