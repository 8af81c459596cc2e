/*
 * check: walks the index against the files. Under the writers' lock (taken
 * unless the store is open read-only) recovery has already run and no
 * issuance is half done, so every remaining difference is a problem:
 *
 *   the index itself: SQLite's integrity_check, and the uniqueness the
 *     schema promises (one row per serial, one valid certificate per
 *     name) asked again without the indexes that should enforce it
 *     (PostgreSQL: that those unique indexes are there and valid, and
 *     the same uniqueness asked again; pg_certs.c);
 *   a row without its files: a valid row's issued/NAME/cert.pem (equal
 *     to the row's pem), chain.pem and, for a generated key, key.pem; a
 *     superseded row's history/SERIAL.pem;
 *   a file without its row: issued/NAME with no row for NAME, a
 *     cert.pem or history/SERIAL.pem no row records, a key.pem of a
 *     certificate issued from a CSR;
 *   an entry sipca would refuse (see dir.c): a link, a
 *     FIFO or other non-regular file, another user's, one group or
 *     others may write; a private key (ca.key, root.key, key.pem,
 *     history/SERIAL.key) others can read;
 *   what a writer killed at the wrong moment leaves and recovery does
 *   not own: atomic_write()'s FILE.tmp-* and staging directories
 *   without their pending row. STORE_CHECK_REPAIR removes those, and
 *   makes the modes of our own entries safe.
 *
 * The walk reads through directory fds and O_NOFOLLOW|O_NONBLOCK opens
 * like the rest of the store, so what it reports it never follows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

/* The store's messages so far, before what check says next: in order. */
static void
check_messages(struct check_state *cs)
{
	struct report msgs = { NULL, 0 };
	size_t i;

	if (cs->ops->message == NULL)
		return;
	store_take_messages(cs->s, &msgs);
	for (i = 0; i < msgs.n; i++)
		cs->ops->message(msgs.lines[i].text, cs->arg);
	report_clear(&msgs);
}

void
check_problem(struct check_state *cs, enum store_problem what,
    const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	check_messages(cs);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	cs->ops->problem(what, path, msg != NULL ? msg : fmt, cs->arg);
	free(msg);
}

static int
is_leftover_name(const char *name)
{
	return strstr(name, ".tmp-") != NULL;
}

/*
 * One entry (name in dir_fd) as check sees it: reports what sipca would
 * refuse; private_what, when not 0, makes it a private file whose read
 * access for others is reported as that problem. Returns 1 when it is
 * there and may be read, 0 when absent, -1 when it is not to be touched.
 */
static int
check_entry(struct check_state *cs, int dir_fd, const char *name,
    const char *path, int want_dir, enum store_problem private_what)
{
	struct stat st, now;
	mode_t bad, mode;
	int fd;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "cannot read it: %s",
		    strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "a symbolic link:"
		    " sipca follows no link inside the store; remove it");
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		check_problem(cs, private_what ? private_what : STORE_PROBLEM_UNSAFE,
		    path, "%s", want_dir ? "not a directory" : "not a regular file");
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0)
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "owned by uid %u,"
		    " neither you (uid %u) nor root", (unsigned)st.st_uid,
		    (unsigned)geteuid());
	mode = st.st_mode & 07777;
	bad = mode & (private_what ? 077 : 022);
	if (bad == 0)
		return 1;
	if (cs->repair && st.st_uid == geteuid()) {
		fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    (want_dir ? O_DIRECTORY : O_NONBLOCK));
		if (fd >= 0 && fstat(fd, &now) == 0 && now.st_ino == st.st_ino &&
		    now.st_dev == st.st_dev && fchmod(fd, mode & ~bad) == 0) {
			close(fd);
			check_problem(cs, STORE_PROBLEM_REPAIRED, path,
			    "mode %04o made %04o", (unsigned)mode,
			    (unsigned)(mode & ~bad));
			return 1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (private_what && (bad & 044))
		check_problem(cs, private_what, path, "readable by others (mode"
		    " %04o): fix it with: chmod 600 '%s'", (unsigned)mode, path);
	else
		check_problem(cs, private_what ? private_what : STORE_PROBLEM_MODE,
		    path, "writable by %s (mode %04o): fix it with: chmod go-w '%s'",
		    writers(bad), (unsigned)mode, path);
	return 1;
}

/* check_entry(), then the file's bytes (private ones wiped by the caller). */
static int
check_read(struct check_state *cs, int dir_fd, const char *name,
    const char *path, enum store_problem private_what, unsigned char **out,
    size_t *out_len)
{
	struct stat st;
	int r, fd;

	if ((r = check_entry(cs, dir_fd, name, path, 0, private_what)) <= 0)
		return r;
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;		/* swapped since check_entry */
	if (fd < 0 || !S_ISREG(st.st_mode) ||
	    (private_what ? read_secret_fd(fd, out, out_len) :
	    read_fd(fd, MAX_STORE_FILE, out, out_len)) < 0) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, path, "cannot read it: %s",
		    strerror(errno));
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* A leftover file or staging directory: reported, or removed with repair. */
static void
check_leftover(struct check_state *cs, int dir_fd, const char *name,
    const char *path, int is_dir)
{
	if (check_entry(cs, dir_fd, name, path, is_dir, 0) < 0)
		return;
	if (!cs->repair) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write (sipca check --repair removes it)");
		return;
	}
	if ((is_dir ? remove_flat_dir_at(dir_fd, name) : unlinkat(dir_fd, name, 0)) < 0) {
		check_problem(cs, STORE_PROBLEM_LEFTOVER, path,
		    "left by an interrupted write; cannot remove it: %s",
		    strerror(errno));
		return;
	}
	check_messages(cs);
	cs->ops->problem(STORE_PROBLEM_REPAIRED, path,
	    "removed what an interrupted write left", cs->arg);
}

/* "SERIAL" or "SERIAL.tmp" of a pending row: its writer's, or recovery's. */
static int
is_pending_staging(const struct check_state *cs, const char *suffix)
{
	size_t i, len;

	for (i = 0; i < cs->n_pending; i++) {
		len = strlen(cs->pending[2 * i]);
		if (strncmp(suffix, cs->pending[2 * i], len) == 0 &&
		    (suffix[len] == '\0' || strcmp(suffix + len, ".tmp") == 0))
			return 1;
	}
	return 0;
}

static int
row_name_cmp(const void *a, const void *b)
{
	const char *name = a;
	const struct store_cert *const *c = b;

	return strcmp(name, (*c)->name);
}

static int
has_rows_for(const struct check_state *cs, const char *name)
{
	size_t i;

	for (i = 0; i < cs->n_pending; i++)
		if (strcmp(cs->pending[2 * i + 1], name) == 0)
			return 1;
	/* No rows: rows is NULL, which bsearch() must not be given (C11 7.22.5). */
	return cs->n_rows > 0 && bsearch(name, cs->rows, cs->n_rows,
	    sizeof(*cs->rows), row_name_cmp) != NULL;
}

static int
file_is(const unsigned char *data, size_t len, const char *pem)
{
	return data != NULL && len == strlen(pem) && memcmp(data, pem, len) == 0;
}

static int
open_subdir(int dir_fd, const char *name)
{
	return openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* history/: every SERIAL.pem a row of NAME, every SERIAL.key its .pem. */
static void
check_history(struct check_state *cs, const char *name, int dir_fd,
    const char *dir, struct store_cert **rows, size_t n)
{
	char *hist_path = xasprintf("%s/history", dir), *path = NULL, *file = NULL;
	unsigned char *data = NULL;
	size_t len = 0, i, base;
	struct dirent *e;
	struct stat st;
	DIR *d = NULL;
	int hist = -1, r;

	if (check_entry(cs, dir_fd, "history", hist_path, 1, 0) > 0)
		hist = open_subdir(dir_fd, "history");
	for (i = 0; i < n; i++) {
		const struct store_cert *c = rows[i];

		if (c->status != STATUS_SUPERSEDED && c->status != STATUS_REVOKED)
			continue;
		free(file);
		file = xasprintf("%s.pem", c->serial);
		free(path);
		path = xasprintf("%s/%s", hist_path, file);
		free(data);
		data = NULL;
		r = hist >= 0 ? check_read(cs, hist, file, path, 0, &data, &len) : 0;
		if (r == 0) {
			/* A revoked certificate replaced by "issue" keeps only its row. */
			if (c->status == STATUS_SUPERSEDED)
				check_problem(cs, STORE_PROBLEM_MISSING, path,
				    "missing: the superseded certificate of '%s'"
				    " (serial %s)", name, c->serial);
			continue;
		}
		if (r > 0 && !file_is(data, len, c->pem))
			check_problem(cs, STORE_PROBLEM_DIFFERS, path,
			    "differs from the index (serial %s)", c->serial);
	}
	if (hist < 0 || (r = fcntl(hist, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (d = fdopendir(r)) == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		const char *f = e->d_name;
		int found = 0, is_key;

		if (strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/%s", hist_path, f);
		if (is_leftover_name(f)) {
			check_leftover(cs, hist, f, path, 0);
			continue;
		}
		base = strlen(f);
		if (base <= 4 || (strcmp(f + base - 4, ".pem") != 0 &&
		    strcmp(f + base - 4, ".key") != 0))
			continue;	/* not a file sipca names */
		for (i = 0; i < n && !found; i++)
			found = strlen(rows[i]->serial) == base - 4 &&
			    strncmp(rows[i]->serial, f, base - 4) == 0;
		is_key = strcmp(f + base - 4, ".key") == 0;
		if (is_key) {
			if (check_entry(cs, hist, f, path, 0, STORE_PROBLEM_MODE) < 0)
				continue;
			free(file);
			file = xasprintf("%.*s.pem", (int)(base - 4), f);
			if (found && fstatat(hist, file, &st, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
		} else if (found || check_entry(cs, hist, f, path, 0, 0) < 0)
			continue;
		if (!found)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index of '%s' has this serial", name);
		else
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "a kept key without its certificate");
	}
out:
	if (d != NULL)
		closedir(d);
	if (hist >= 0)
		close(hist);
	free(hist_path);
	free(path);
	free(file);
	free(data);
}

/* issued/NAME against the rows of NAME. */
static void
check_name(struct check_state *cs, int issued, struct store_cert **rows,
    size_t n)
{
	const char *name = rows[0]->name;
	char *dir_path = xasprintf("%s/issued/%s", cs->s->dir, name);
	char *cert_path = xasprintf("%s/cert.pem", dir_path);
	char *key_path = xasprintf("%s/key.pem", dir_path);
	char *chain_path = xasprintf("%s/chain.pem", dir_path);
	char *path = NULL;
	unsigned char *cert = NULL, *key = NULL, *chain = NULL;
	size_t cert_len = 0, key_len = 0, chain_len = 0, i;
	int have_key = 0, have_chain = 0, dir = -1, r, rc, rk, fd;
	const struct store_cert *current = NULL, *installed = NULL;
	struct store_check_row row;
	struct dirent *e;
	DIR *d;

	for (i = 0; i < n; i++)
		if (rows[i]->status == STATUS_VALID || rows[i]->status == STATUS_EXPIRED)
			current = rows[i];
	r = issued >= 0 ? check_entry(cs, issued, name, dir_path, 1, 0) : 0;
	if (r == 0 && current != NULL)
		check_problem(cs, STORE_PROBLEM_MISSING, dir_path,
		    "missing: the directory of a current certificate");
	if (r <= 0)
		goto rows;
	if ((dir = open_subdir(issued, name)) < 0) {
		check_problem(cs, STORE_PROBLEM_UNSAFE, dir_path, "cannot read it: %s",
		    strerror(errno));
		goto rows;
	}
	if ((rc = check_read(cs, dir, "cert.pem", cert_path, 0, &cert,
	    &cert_len)) > 0) {
		for (i = 0; i < n && installed == NULL; i++)
			if (file_is(cert, cert_len, rows[i]->pem))
				installed = rows[i];
		if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, cert_path,
			    "no row in the index records this certificate");
	}
	if (current != NULL && installed != current && rc >= 0)
		check_problem(cs, cert == NULL ? STORE_PROBLEM_MISSING :
		    STORE_PROBLEM_DIFFERS, cert_path, "%s (serial %s)",
		    cert == NULL ? "missing: the current certificate" :
		    "is not the current certificate", current->serial);
	if (cert != NULL && (have_chain = check_read(cs, dir, "chain.pem",
	    chain_path, 0, &chain, &chain_len)) == 0)
		check_problem(cs, STORE_PROBLEM_MISSING, chain_path,
		    "missing: the chain of '%s'", name);
	rk = check_read(cs, dir, "key.pem", key_path, STORE_PROBLEM_MODE, &key,
	    &key_len);
	if (rk > 0) {
		if (installed != NULL && strcmp(installed->key_source, "csr") == 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key, though serial %s was issued from a request",
			    installed->serial);
		else if (installed == NULL)
			check_problem(cs, STORE_PROBLEM_ORPHAN, key_path,
			    "a key without its certificate");
		else
			have_key = 1;
	} else if (rk == 0 && installed != NULL &&
	    strcmp(installed->key_source, "generated") == 0)
		check_problem(cs, STORE_PROBLEM_MISSING, key_path,
		    "missing: the key of serial %s", installed->serial);
	check_history(cs, name, dir, dir_path, rows, n);
	if ((fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    (d = fdopendir(fd)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			free(path);
			path = xasprintf("%s/%s", dir_path, e->d_name);
			if (strncmp(e->d_name, ".staging-", 9) == 0) {
				if (!is_pending_staging(cs, e->d_name + 9))
					check_leftover(cs, dir, e->d_name, path, 1);
				else
					check_entry(cs, dir, e->d_name, path, 1, 0);
			} else if (is_leftover_name(e->d_name))
				check_leftover(cs, dir, e->d_name, path, 0);
		}
		closedir(d);
	} else if (fd >= 0)
		close(fd);
rows:
	for (i = 0; i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.cert = rows[i];
		row.installed = rows[i] == installed;
		row.dir = dir_path;
		if (row.installed && have_key) {
			row.key_path = key_path;
			row.key_pem = key;
			row.key_len = key_len;
		}
		if (row.installed && have_chain > 0) {
			row.chain_path = chain_path;
			row.chain_pem = chain;
			row.chain_len = chain_len;
		}
		check_messages(cs);
		cs->ops->row(&row, cs->arg);
	}
	if (dir >= 0)
		close(dir);
	free(cert);
	free(chain);
	secret_free_buf(key, key_len);
	free(path);
	free(dir_path);
	free(cert_path);
	free(key_path);
	free(chain_path);
}

/* issued/: a row for every directory. */
static void
check_issued_dir(struct check_state *cs, int issued)
{
	char *path = NULL;
	struct dirent *e;
	DIR *d;
	int fd;

	if (issued < 0 || (fd = fcntl(issued, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		free(path);
		path = xasprintf("%s/issued/%s", cs->s->dir, e->d_name);
		/* A new name's staging directory (store_issue, fresh_staging_dir). */
		if (strncmp(e->d_name, ".staging-", 9) == 0) {
			if (!is_pending_staging(cs, e->d_name + 9))
				check_leftover(cs, issued, e->d_name, path, 1);
			else
				check_entry(cs, issued, e->d_name, path, 1, 0);
		} else if (is_leftover_name(e->d_name))
			check_leftover(cs, issued, e->d_name, path, 0);
		else if (!has_rows_for(cs, e->d_name) &&
		    check_entry(cs, issued, e->d_name, path, 1, 0) >= 0)
			check_problem(cs, STORE_PROBLEM_ORPHAN, path,
			    "no row in the index has this name");
	}
	closedir(d);
	free(path);
}

/*
 * DIR itself, its own files and what atomic_write() may have left there.
 * Returns an fd of issued/ for the walk, or -1.
 */
static int
check_top(struct check_state *cs)
{
	static const char *const files[] = {
		"ca.pem", "index.db", "index.db-journal", "lock", "crl.pem",
		"store.conf", "index.db.migrated",
		"root.pem", "root-crl.pem", "next-root.pem", "next-ca.pem",
		"bridge.pem", "old-bridge.pem", "old-root.pem", "old-ca.pem",
		"retired-cas.pem", "crls.pem", "next-crl.pem", "next-root-crl.pem",
		"old-crl.pem", "old-root-crl.pem",
	};
	/* Keys a rollover keeps beside the CA's, when they are there. */
	static const char *const keys[] = {
		"root.key", "next-root.key", "next-ca.key", "old-root.key",
		"old-ca.key",
	};
	int dir = cs->s->dir_fd, issued = -1, fd, r;
	char *path = NULL, *uri = NULL;
	struct dirent *e;
	size_t i;
	DIR *d;

	check_entry(cs, dir, ".", cs->s->dir, 1, 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		free(path);
		path = store_path(cs->s, files[i]);
		check_entry(cs, dir, files[i], path, 0, 0);
	}
	free(path);
	path = store_path(cs->s, "ca.key");
	if (check_entry(cs, dir, "ca.key", path, 0, STORE_PROBLEM_CA_KEY) == 0 &&
	    store_setting_get(cs->s, "ca_key_uri", &uri) != STORE_OK)
		check_problem(cs, STORE_PROBLEM_CA_KEY, path, "missing");
	free(path);
	/* A root's key may be off the machine: only a root.key there is checked. */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		path = store_path(cs->s, keys[i]);
		check_entry(cs, dir, keys[i], path, 0, STORE_PROBLEM_CA_KEY);
		free(path);
	}
	path = store_path(cs->s, "issued");
	if ((r = check_entry(cs, dir, "issued", path, 1, 0)) > 0 &&
	    (issued = open_subdir(dir, "issued")) < 0)
		check_problem(cs, STORE_PROBLEM_MISSING, path, "cannot read it: %s",
		    strerror(errno));
	cs->issued_absent = r == 0;
	if ((fd = fcntl(dir, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    (d = fdopendir(fd)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!is_leftover_name(e->d_name))
				continue;
			free(path);
			path = store_path(cs->s, e->d_name);
			check_leftover(cs, dir, e->d_name, path, 0);
		}
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	free(uri);
	free(path);
	return issued;
}

int
store_check(struct store *s, int flags, const struct store_check_ops *ops,
    void *arg)
{
	struct check_state cs;
	size_t i, j;
	int ret, locked = 0, issued = -1;
	char *path;

	memset(&cs, 0, sizeof(cs));
	cs.s = s;
	cs.ops = ops;
	cs.arg = arg;
	cs.repair = (flags & STORE_CHECK_REPAIR) != 0;
	if (!s->readonly) {
		if ((ret = lock_take(s)) < 0)
			goto out;
		locked = 1;
	} else if (cs.repair) {
		store_msg(s, "cannot repair a store opened read-only");
		ret = STORE_E_IO;
		goto out;
	}
	issued = check_top(&cs);
	/*
	 * Recovery after the top (whose modes --repair may have fixed). When
	 * it cannot run (it said why), its pending rows are reported below.
	 */
	if (locked && s->lock_depth == 1)
		store_recover(s);
	index_check(&cs);
	if ((ret = index_check_rows(&cs)) < 0) {
		if (cs.index_damaged)
			ret = STORE_OK;	/* reported: the walk needs the rows */
		goto out;
	}
	if (cs.issued_absent && cs.n_rows > 0) {
		path = store_path(s, "issued");
		check_problem(&cs, STORE_PROBLEM_MISSING, path, "missing");
		free(path);
	}
	for (i = 0; i < cs.n_rows; i = j) {
		for (j = i + 1; j < cs.n_rows; j++)
			if (strcmp(cs.rows[i]->name, cs.rows[j]->name) != 0)
				break;
		check_name(&cs, issued, cs.rows + i, j - i);
	}
	check_issued_dir(&cs, issued);
	ret = STORE_OK;
out:
	check_messages(&cs);
	if (issued >= 0)
		close(issued);
	if (locked)
		store_unlock(s);
	for (i = 0; i < cs.n_rows; i++)
		store_cert_free(cs.rows[i]);
	free(cs.rows);
	for (i = 0; i < 2 * cs.n_pending; i++)
		free(cs.pending[i]);
	free(cs.pending);
	return ret;
}
