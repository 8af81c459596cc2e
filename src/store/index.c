/*
 * index: the store's index behind one seam (store_int.h, struct
 * store_backend). Which backend a store uses is chosen here when it is
 * opened; the public functions that are index work only, and the
 * index_*() functions the rest of the store calls, are written here once
 * for every backend: each takes the writers' lock or the records' mutex
 * as store.h says and calls s->be.
 *
 * A store's index is, in this order: the connection string in
 * $SIPCA_STORE (sipca --store sets it), the one in DIR/store.conf, or
 * DIR/index.db (SQLite). "sqlite" names the last explicitly. init with a
 * PostgreSQL connection string writes it to DIR/store.conf (0600: it may
 * hold a password), so that the directory's later commands use the
 * database without being told.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secret.h"
#include "store_int.h"
#include "util.h"

/* store.conf's size: a connection string, comments and a few options. */
#define MAX_CONF (64u << 10)

/*
 * The records' calls (store.h) are safe from several threads of one
 * process: neither an SQLite connection's prepare-bind-step-read
 * sequence nor a libpq connection is. One mutex for every store's
 * records makes each call run whole before the next: it is held for the
 * length of one statement, so one for all stores costs nothing a server
 * would notice.
 */
static pthread_mutex_t records_mu = PTHREAD_MUTEX_INITIALIZER;

/* postgresql://..., postgres://... or libpq's "key=value ..." form. */
int
index_is_pg_conninfo(const char *v)
{
	return strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0 || strchr(v, '=') != NULL;
}

/* The first line of store.conf that is neither empty nor a comment, trimmed. */
static char *
conf_value(char *text)
{
	char *line, *save = NULL, *end;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t\r");
		end = line + strlen(line);
		while (end > line && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (*line != '\0' && *line != '#')
			return xstrdup(line);
	}
	return NULL;
}

int
index_select(struct store *s)
{
	const char *env = getenv("SIPCA_STORE");
	unsigned char *text = NULL;
	size_t len = 0;
	char *value = NULL, *copy;
	int ret;

	s->be = &sqlite_backend;
	if (env != NULL && *env != '\0') {
		value = xstrdup(env);
		s->conninfo_from_env = 1;
	} else {
		/* It may hold a password: one others can read is refused, as ca.key is. */
		ret = read_private(s, "store.conf", WALK_READ, 1, &text, &len);
		if (ret == STORE_E_NOTFOUND)
			return STORE_OK;
		if (ret < 0)
			return ret;
		if (len > MAX_CONF || memchr(text, '\0', len) != NULL) {
			store_msg(s, "'%s/store.conf' is not a connection string", s->dir);
			secret_free_buf(text, len);
			return STORE_E_NOCA;
		}
		copy = xmalloc(len + 1);
		memcpy(copy, text, len);
		copy[len] = '\0';
		secret_free_buf(text, len);
		value = conf_value(copy);
		secret_free_buf(copy, len + 1);
		if (value == NULL)
			return STORE_OK;
	}
	ret = STORE_OK;
	if (strcmp(value, "sqlite") == 0)
		secret_free(value);
	else if (index_is_pg_conninfo(value)) {
		s->be = &pg_backend;
		s->conninfo = value;
	} else {
		/* Not echoed: it may be a connection string with a password, mistyped. */
		store_msg(s, "unknown store %s: expected 'sqlite' or a PostgreSQL"
		    " connection string (postgresql://...)", s->conninfo_from_env ?
		    "in SIPCA_STORE (or --store)" : "in store.conf");
		secret_free(value);
		ret = STORE_E_NOCA;
	}
	return ret;
}

int
index_is_file(const struct store *s)
{
	return s->be == &sqlite_backend;
}

int
index_open(struct store *s, int creating)
{
	struct stat st;
	int ret;

	if ((ret = s->be->open(s, creating)) < 0 || !index_is_file(s))
		return ret;
	if (fstatat(s->dir_fd, "index.db", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail_errno(s, "read", "index.db", 8);
	s->index_dev = st.st_dev;
	s->index_ino = st.st_ino;
	return STORE_OK;
}

int
index_unchanged(struct store *s)
{
	struct stat st;

	if (!index_is_file(s) || s->index_ino == 0)
		return STORE_OK;
	if (fstatat(s->dir_fd, "index.db", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == s->index_dev && st.st_ino == s->index_ino)
		return STORE_OK;
	store_msg(s, "the store's index '%s/index.db' was moved or replaced"
	    " while this sipca waited for the store's lock (a 'sipca store"
	    " migrate'?): nothing was written; run the command again", s->dir);
	return STORE_E_IO;
}

void
index_close(struct store *s)
{
	if (s->be != NULL)
		s->be->close(s);
}

int
index_refuse_rows(struct store *s)
{
	return s->be->refuse_rows(s);
}

int
index_write_conf(struct store *s, const char *conninfo)
{
	char *text;
	int ret;

	text = xasprintf("# sipca: this store's index is in PostgreSQL\n%s\n",
	    conninfo);
	ret = store_write_file(s, "store.conf", text, strlen(text), 1);
	secret_free(text);
	return ret;
}

int
index_put_settings(struct store *s, const char *const *settings)
{
	int ret;

	if ((ret = s->be->put_settings(s, settings)) < 0 || index_is_file(s) ||
	    !s->conninfo_from_env)
		return ret;
	return index_write_conf(s, s->conninfo);
}

int
index_lock(struct store *s)
{
	return s->be->lock != NULL ? s->be->lock(s) : STORE_OK;
}

void
index_unlock(struct store *s)
{
	if (s->be->unlock != NULL)
		s->be->unlock(s);
}

int
store_setting_get(struct store *s, const char *key, char **out_value)
{
	return s->be->setting_get(s, key, out_value);
}

int
store_setting_set(struct store *s, const char *key, const char *value)
{
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	ret = s->be->setting_put(s, key, value);
	store_unlock(s);
	return ret;
}

int
store_setting_unset(struct store *s, const char *key)
{
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	ret = s->be->setting_delete(s, key);
	store_unlock(s);
	return ret;
}

int
store_setting_each(struct store *s,
    int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	return s->be->setting_each(s, fn, arg);
}

int
store_crl_number_next(struct store *s, unsigned long long *out_number)
{
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	ret = s->be->crl_number_next(s, out_number);
	store_unlock(s);
	return ret;
}

int
store_find_current(struct store *s, const char *name,
    struct store_cert **out_cert)
{
	return s->be->find_current(s, name, out_cert);
}

int
store_find_serial(struct store *s, const char *serial_hex,
    struct store_cert **out_cert)
{
	return s->be->find_serial(s, serial_hex, out_cert);
}

int
store_list(struct store *s, const struct store_filter *f,
    int (*fn)(const struct store_cert *c, void *arg), void *arg)
{
	return s->be->list(s, f, fn, arg);
}

int
store_revoke(struct store *s, const char *const *serials, size_t n, time_t when,
    const char *reason)
{
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	ret = s->be->revoke(s, serials, n, when, reason);
	store_unlock(s);
	return ret;
}

int
index_reserve(struct store *s, struct store_issue *items, size_t n,
    struct settle *out)
{
	return s->be->reserve(s, items, n, out);
}

char *
index_pem(struct store *s, const char *serial)
{
	return s->be->pem(s, serial);
}

int
index_pending(struct store *s, struct pending **out, size_t *out_n)
{
	return s->be->pending(s, out, out_n);
}

void
pending_free(struct pending *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].serial);
		free(p[i].name);
		free(p[i].supersedes);
		free(p[i].pem);
	}
	free(p);
}

int
index_settle(struct store *s, const struct settle *v, size_t n)
{
	return s->be->settle(s, v, n);
}

void
index_check(struct check_state *cs)
{
	cs->s->be->check(cs);
}

int
index_check_rows(struct check_state *cs)
{
	return cs->s->be->check_rows(cs);
}

void
store_record_free(struct store_record *r)
{
	if (r == NULL)
		return;
	free(r->kind);
	free(r->id);
	free(r->key);
	free(r->ref);
	free(r->status);
	free(r->doc);
	free(r);
}

/* A version-1 index open read-only has no records table (store.h). */
static int
records_usable(struct store *s, int writing)
{
	if (s->index_version < 2) {
		store_msg(s, "the store's index is version %d; run any writing sipca"
		    " command to upgrade it", s->index_version);
		return STORE_E_IO;
	}
	if (writing && s->readonly) {
		store_msg(s, "the store is open read-only");
		return STORE_E_IO;
	}
	return STORE_OK;
}

int
store_record_add(struct store *s, const struct store_record *r)
{
	int ret;

	pthread_mutex_lock(&records_mu);
	if ((ret = records_usable(s, 1)) == STORE_OK)
		ret = s->be->record_add(s, r);
	pthread_mutex_unlock(&records_mu);
	return ret;
}

int
store_record_update(struct store *s, const struct store_record *r,
    const char *expect_status)
{
	int ret;

	pthread_mutex_lock(&records_mu);
	if ((ret = records_usable(s, 1)) == STORE_OK)
		ret = s->be->record_update(s, r, expect_status);
	pthread_mutex_unlock(&records_mu);
	return ret;
}

static int
record_one(struct store *s, int by_key, const char *kind, const char *value,
    struct store_record **out)
{
	int ret;

	pthread_mutex_lock(&records_mu);
	if ((ret = records_usable(s, 0)) == STORE_OK)
		ret = s->be->record_one(s, by_key, kind, value, out);
	pthread_mutex_unlock(&records_mu);
	return ret;
}

int
store_record_get(struct store *s, const char *kind, const char *id,
    struct store_record **out)
{
	return record_one(s, 0, kind, id, out);
}

int
store_record_by_key(struct store *s, const char *kind, const char *key,
    struct store_record **out)
{
	return record_one(s, 1, kind, key, out);
}

/*
 * The rows are read whole before fn sees the first: fn may then call
 * the records' functions itself (an expired order marked invalid while
 * an account's orders are listed) without the mutex held.
 */
int
store_record_each(struct store *s, const char *kind, const char *ref,
    int (*fn)(const struct store_record *r, void *arg), void *arg)
{
	struct store_record **rows = NULL;
	size_t n = 0, i;
	int ret;

	pthread_mutex_lock(&records_mu);
	if ((ret = records_usable(s, 0)) == STORE_OK)
		ret = s->be->record_list(s, kind, ref, &rows, &n);
	pthread_mutex_unlock(&records_mu);
	for (i = 0; ret == STORE_OK && i < n; i++)
		ret = fn(rows[i], arg);
	for (i = 0; i < n; i++)
		store_record_free(rows[i]);
	free(rows);
	return ret;
}

int
store_record_delete(struct store *s, const char *kind, const char *id)
{
	int ret;

	pthread_mutex_lock(&records_mu);
	if ((ret = records_usable(s, 1)) == STORE_OK)
		ret = s->be->record_delete(s, kind, id);
	pthread_mutex_unlock(&records_mu);
	return ret;
}
