/*
 * lock: the writers' lock, an flock on DIR/lock, so that there is one
 * writer at a time (readers need only the index's own locking), and the
 * recovery that runs whenever it is taken. On PostgreSQL, whose index
 * several hosts may share, the backend's lock (an advisory lock, pg.c)
 * is taken after the flock: recovery's "only a crashed writer leaves
 * pending rows" must hold for every host's writers, not this host's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "store_int.h"
#include "util.h"

/* The flock alone, without recovery (check runs recovery itself). */
int
lock_take(struct store *s)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int waited = 0, ret;

	if (s->readonly || s->lock_fd < 0) {
		store_msg(s, "the store is open read-only");
		return STORE_E_IO;
	}
	if (s->lock_depth++ > 0)
		return STORE_OK;
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			store_msg(s, "cannot lock the store: %s", strerror(errno));
			s->lock_depth = 0;
			return STORE_E_IO;
		}
		if (waited >= LOCK_TIMEOUT_MS) {
			store_msg(s, "the store is busy: another sipca has held its "
			    "lock for %d seconds", LOCK_TIMEOUT_MS / 1000);
			s->lock_depth = 0;
			return STORE_E_BUSY;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	/*
	 * A database shared by hosts: the flock is this host's, the
	 * database's lock all of theirs. An index.db a migration set aside
	 * while this process waited is not written to.
	 */
	if ((ret = index_unchanged(s)) < 0 || (ret = index_lock(s)) < 0) {
		flock(s->lock_fd, LOCK_UN);
		s->lock_depth = 0;
	}
	return ret;
}

int
store_lock(struct store *s)
{
	int ret;

	if ((ret = lock_take(s)) < 0)
		return ret;
	if (s->lock_depth == 1 && (ret = store_recover(s)) < 0) {
		store_unlock(s);
		return ret == STORE_E_UNSAFE ? ret : STORE_E_IO;
	}
	return STORE_OK;
}

void
store_unlock(struct store *s)
{
	if (s->lock_depth == 0 || --s->lock_depth > 0)
		return;
	index_unlock(s);
	flock(s->lock_fd, LOCK_UN);
}

/*
 * Finishes or undoes what crashed writers left (we hold the lock, so
 * only a crashed writer leaves pending rows). The files of every row
 * first, each step idempotent, then every row in one transaction: a
 * killed batch of thousands costs one synced commit to undo, not one per
 * row, so repeated kills cannot keep it from ever finishing. Killed
 * before that commit, the next recovery finds the files done and decides
 * the same again.
 */
int
store_recover(struct store *s)
{
	struct pending *p = NULL;
	struct settle *v = NULL;
	size_t n = 0, i, done;
	int ret, staged, r;

	if ((ret = prep_sweep(s)) < 0)
		return ret;
	ret = index_pending(s, &p, &n);
	v = xcalloc(n > 0 ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].serial = p[i].serial;
		v[i].supersedes = p[i].supersedes;
		v[i].action = SETTLE_LEAVE;
	}
	for (i = 0; i < n && ret == STORE_OK; i++) {
		if ((ret = staged_state(s, p[i].name, p[i].serial, &staged)) < 0)
			break;
		if (staged) {
			if ((ret = install_staged(s, p[i].name, p[i].serial)) == STORE_OK)
				v[i].action = SETTLE_FINISH;
		} else if ((r = installed_cert_is(s, p[i].name, p[i].pem)) < 0)
			ret = r;
		else if (r == 1)
			v[i].action = SETTLE_FINISH;
		else if ((ret = undo_staging(s, p[i].name, p[i].serial,
		    p[i].supersedes)) == STORE_OK)
			v[i].action = SETTLE_DELETE;
	}
	test_crash_point("store-recovering");
	/* The rows whose files are done, even when a later one failed. */
	for (i = 0, done = 0; i < n; i++)
		done += v[i].action != SETTLE_LEAVE;
	if (done > 0 && (r = index_settle(s, v, n)) < 0)
		ret = r;
	free(v);
	pending_free(p, n);
	return ret;
}
