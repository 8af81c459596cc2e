/*
 * staging: the files of one issuance (issue.c has the protocol): the
 * staging directory and its files, the history of what is replaced, the
 * renames that install them, undoing what did not reach the commit
 * point, and the syncs that make each step durable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "store_int.h"
#include "util.h"

/* Paths relative to DIR: issued/NAME and its staging directories. */
char *
cert_dir(const char *name)
{
	return xasprintf("issued/%s", name);
}

static char *
staging_name(const char *serial, int done)
{
	return xasprintf(".staging-%s%s", serial, done ? "" : ".tmp");
}

static char *
staging_dir(const char *name, const char *serial, int done)
{
	return xasprintf("issued/%s/.staging-%s%s", name, serial, done ? "" : ".tmp");
}

/*
 * A name seen for the first time is staged beside the others, in
 * issued/.staging-SERIAL.tmp/, and one rename makes it issued/NAME/: the
 * directory appears with all its files at once, which needs no marker,
 * one directory fewer and one rename instead of four (batches of
 * thousands of new phones are this case).
 */
static char *
fresh_staging_dir(const char *serial)
{
	return xasprintf("issued/.staging-%s.tmp", serial);
}

static const char *const staged_files[] = { "key.pem", "chain.pem", "cert.pem" };
/* A file in a staging dir whose presence says "the new cert has no key". */
#define NO_KEY_MARKER "no-key"

/* Step 5: moves staged files into place; idempotent, so recovery reuses it. */
int
install_staged(struct store *s, const char *name, const char *serial)
{
	char *rel = cert_dir(name), *staged = staging_dir(name, serial, 1);
	char *staged_name = staging_name(serial, 1);
	int dir = -1, from = -1, ret;
	struct stat st;
	size_t i;

	if ((ret = dir_open(s, rel, 0, &dir)) < 0 ||
	    (ret = dir_open(s, staged, 0, &from)) < 0)
		goto out;
	ret = STORE_E_IO;
	for (i = 0; i < sizeof(staged_files) / sizeof(staged_files[0]); i++) {
		if (renameat(from, staged_files[i], dir, staged_files[i]) < 0 &&
		    errno != ENOENT) {
			store_msg(s, "cannot install '%s/%s/%s': %s", s->dir, rel,
			    staged_files[i], strerror(errno));
			goto out;
		}
		test_crash_point("store-installing");
	}
	if (fstatat(from, NO_KEY_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0)
		unlinkat(dir, "key.pem", 0);
	close(from);
	from = -1;
	remove_flat_dir_at(dir, staged_name);
	ret = STORE_OK;
out:
	if (from >= 0)
		close(from);
	if (dir >= 0)
		close(dir);
	free(rel);
	free(staged);
	free(staged_name);
	return ret;
}

/* 1 when issued/NAME/cert.pem is exactly pem, 0 when not, or an error. */
int
installed_cert_is(struct store *s, const char *name, const char *pem)
{
	char *rel = xasprintf("issued/%s/cert.pem", name);
	unsigned char *data = NULL;
	size_t len = 0;
	int ret;

	ret = file_read(s, rel, 0, &data, &len);
	if (ret == STORE_OK)
		ret = len == strlen(pem) && memcmp(data, pem, len) == 0;
	else if (ret == STORE_E_NOTFOUND)
		ret = 0;
	free(data);
	free(rel);
	return ret;
}

static void
remove_history(int hist_fd, const char *old_serial)
{
	char *p = xasprintf("%s.pem", old_serial);

	unlinkat(hist_fd, p, 0);
	free(p);
	p = xasprintf("%s.key", old_serial);
	unlinkat(hist_fd, p, 0);
	free(p);
}

/* Undoes steps 1 to 3 of an issuance that did not reach step 4. */
int
undo_staging(struct store *s, const char *name, const char *serial,
    const char *supersedes)
{
	char *tmp = staging_name(serial, 0), *rel = cert_dir(name);
	int issued = -1, dir = -1, hist = -1, ret;

	if ((ret = dir_open(s, "issued", 0, &issued)) < 0)
		goto out;
	if (remove_flat_dir_at(issued, tmp) < 0 && errno != ENOENT) {
		ret = fail_errno(s, "remove", "issued/", 7);
		goto out;
	}
	ret = dir_open(s, rel, 0, &dir);
	if (ret == STORE_E_NOTFOUND) {
		ret = STORE_OK;
		goto out;
	}
	if (ret < 0)
		goto out;
	if (remove_flat_dir_at(dir, tmp) < 0 && errno != ENOENT) {
		ret = fail_errno(s, "remove", rel, strlen(rel));
		goto out;
	}
	if (supersedes != NULL) {
		char *hist_rel = xasprintf("%s/history", rel);

		ret = dir_open(s, hist_rel, 0, &hist);
		free(hist_rel);
		if (ret == STORE_OK)
			remove_history(hist, supersedes);
		else if (ret != STORE_E_NOTFOUND)
			goto out;
	}
	ret = STORE_OK;
	unlinkat(dir, "history", AT_REMOVEDIR);	/* only when empty */
	unlinkat(issued, name, AT_REMOVEDIR);
out:
	if (hist >= 0)
		close(hist);
	if (dir >= 0)
		close(dir);
	if (issued >= 0)
		close(issued);
	free(tmp);
	free(rel);
	return ret;
}

/*
 * Whether a pending row reached step 4 (its .staging-SERIAL is there).
 * Every staging name of the row must be a directory of ours or absent:
 * recovery removes and renames them, so a link there is refused, not
 * followed.
 */
int
staged_state(struct store *s, const char *name, const char *serial,
    int *out_staged)
{
	char *rels[3];
	const char *reason;
	char why[96];
	struct stat st;
	size_t i;
	int ret = STORE_OK, r;

	rels[0] = staging_dir(name, serial, 1);
	rels[1] = staging_dir(name, serial, 0);
	rels[2] = fresh_staging_dir(serial);
	*out_staged = 0;
	for (i = 0; i < 3 && ret == STORE_OK; i++) {
		r = entry_stat(s, rels[i], &st);
		if (r == STORE_E_NOTFOUND)
			continue;
		if (r < 0)
			ret = r;
		else if ((reason = entry_refusal(&st, 1, 1, why, sizeof(why))) != NULL)
			ret = refuse(s, rels[i], strlen(rels[i]), reason);
		else if (i == 0)
			*out_staged = 1;
	}
	for (i = 0; i < 3; i++)
		free(rels[i]);
	return ret;
}

/* 0, or -1 with errno (the caller says which file). */
static int
stage_file(const struct store *s, int dir, const char *file, const char *data,
    size_t len, mode_t mode, int sync)
{
	int fd, saved;

	/* Private keys: created exclusively, never through a link (signify). */
	fd = openat(dir, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return -1;
	if ((!mode_kept(s, mode) && fchmod(fd, mode) < 0) ||
	    write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/*
 * An issuance's files into the empty directory tmp: key.pem (or the
 * no-key marker), cert.pem, chain.pem. 0, or -1 with errno and *failed
 * the file. Touches nothing of s but its umask: batch workers call it
 * (prep.c).
 */
int
write_files(const struct store *s, int tmp, const struct store_issue *it,
    int sync, const char **failed)
{
	*failed = "key.pem";
	if (it->key_pem != NULL && stage_file(s, tmp, "key.pem", it->key_pem,
	    it->key_pem_len, 0600, sync) < 0)
		return -1;
	*failed = NO_KEY_MARKER;
	if (it->key_pem == NULL && !it->keep_key &&
	    stage_file(s, tmp, NO_KEY_MARKER, "", 0, 0600, sync) < 0)
		return -1;
	*failed = "cert.pem";
	if (stage_file(s, tmp, "cert.pem", it->cert_pem, strlen(it->cert_pem),
	    0644, sync) < 0)
		return -1;
	*failed = "chain.pem";
	return stage_file(s, tmp, "chain.pem", it->chain_pem,
	    strlen(it->chain_pem), 0644, sync);
}

/*
 * Step 2 for an item whose files a batch worker wrote ahead (prep.c):
 * its directory becomes the staging directory. 0, or -1 when it has to
 * be written here after all (another file system, or it is gone).
 */
static int
take_prepared(struct store *s, int dir, const struct store_issue *it,
    const char *tmp_name)
{
	if (!it->prepared || s->prep_fd < 0)
		return -1;
	return renameat(s->prep_fd, it->serial, dir, tmp_name);
}

/*
 * Steps 2 and 3 for one item, up to the point just before step 4.
 * issued is the caller's fd of DIR/issued: a fresh name is staged in it.
 */
int
stage_item(struct store *s, int issued, const struct store_issue *it,
    const char *supersedes, const char *old_pem, int fresh, int sync)
{
	char *rel = cert_dir(it->name), *tmp_name = staging_name(it->serial, 0);
	char *tmp_rel = fresh ? fresh_staging_dir(it->serial) :
	    staging_dir(it->name, it->serial, 0);
	char *hist_rel = xasprintf("%s/history", rel), *old = NULL, why[96];
	const char *reason;
	int dir = -1, tmp = -1, hist = -1, ret = STORE_E_IO;
	struct stat st;

	/* issued/ for a fresh name (the staging directory goes beside it), else issued/NAME. */
	if (fresh)
		dir = issued;
	else if ((ret = dir_open(s, rel, WALK_CREATE, &dir)) < 0)
		goto out;
	ret = STORE_E_IO;
	/* Written ahead, the files were not synced one by one: a group syncs. */
	if (sync || take_prepared(s, dir, it, tmp_name) < 0) {
		const char *failed;

		if (mkdirat(dir, tmp_name, 0700) < 0 ||
		    (tmp = openat(dir, tmp_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		    (!mode_kept(s, 0700) && fchmod(tmp, 0700) < 0)) {
			fail_errno(s, "create", tmp_rel, strlen(tmp_rel));
			goto out;
		}
		if (write_files(s, tmp, it, sync, &failed) < 0) {
			store_msg(s, "cannot write '%s/%s/%s': %s", s->dir, tmp_rel,
			    failed, strerror(errno));
			goto out;
		}
	}
	if (supersedes != NULL && old_pem != NULL) {
		if ((ret = dir_open(s, hist_rel, WALK_CREATE, &hist)) < 0)
			goto out;
		ret = STORE_E_IO;
		old = xasprintf("%s.pem", supersedes);
		if (atomic_writeat(hist, old, old_pem, strlen(old_pem), 0644,
		    sync ? 0 : ATOMIC_NO_SYNC) < 0) {
			store_msg(s, "cannot write '%s/%s/%s': %s", s->dir, hist_rel, old,
			    strerror(errno));
			goto out;
		}
		if (!it->keep_key && fstatat(dir, "key.pem", &st,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			/* A hard link keeps the old key's bytes without a copy in
			 * memory: of the file itself, so never of a link. */
			if ((reason = entry_refusal(&st, 0, 1, why, sizeof(why))) != NULL) {
				char *key_rel = xasprintf("%s/key.pem", rel);

				ret = refuse(s, key_rel, strlen(key_rel), reason);
				free(key_rel);
				goto out;
			}
			free(old);
			old = xasprintf("%s.key", supersedes);
			unlinkat(hist, old, 0);
			if (linkat(dir, "key.pem", hist, old, 0) < 0) {
				store_msg(s, "cannot keep '%s/%s/%s': %s", s->dir, hist_rel,
				    old, strerror(errno));
				goto out;
			}
		}
	}
	if (sync && fsync(tmp) < 0) {
		fail_errno(s, "sync", tmp_rel, strlen(tmp_rel));
		goto out;
	}
	ret = STORE_OK;
out:
	if (dir >= 0 && dir != issued)
		close(dir);
	if (tmp >= 0)
		close(tmp);
	if (hist >= 0)
		close(hist);
	free(rel);
	free(tmp_name);
	free(tmp_rel);
	free(hist_rel);
	free(old);
	return ret;
}

/* Step 5 for a fresh name: its directory appears whole (issued: DIR/issued). */
int
install_fresh(struct store *s, int issued, const char *name, const char *serial)
{
	char *tmp = staging_name(serial, 0);
	int ret = STORE_OK;

	if (renameat(issued, tmp, issued, name) < 0) {
		store_msg(s, "cannot install '%s/issued/%s': %s", s->dir, name,
		    strerror(errno));
		ret = STORE_E_IO;
	}
	free(tmp);
	return ret;
}

int
mark_staged(struct store *s, const struct store_issue *it, int sync)
{
	char *rel = cert_dir(it->name);
	char *tmp = staging_name(it->serial, 0), *done = staging_name(it->serial, 1);
	int dir = -1, ret;

	if ((ret = dir_open(s, rel, 0, &dir)) == STORE_OK &&
	    (renameat(dir, tmp, dir, done) < 0 || (sync && fsync(dir) < 0))) {
		store_msg(s, "cannot commit '%s/%s/%s': %s", s->dir, rel, done,
		    strerror(errno));
		ret = STORE_E_IO;
	}
	if (dir >= 0)
		close(dir);
	free(rel);
	free(tmp);
	free(done);
	return ret;
}

int
sync_store(struct store *s)
{
	return syncfs(s->dir_fd);
}

/* fsync of DIR/rel, a directory: makes a rename in it durable. */
void
sync_dir(struct store *s, const char *rel)
{
	int fd = -1;

	if (dir_open(s, rel, 0, &fd) == STORE_OK) {
		fsync(fd);
		close(fd);
	}
}

/*
 * issued/NAME (issued: DIR/issued) is absent (*exists 0), or a directory
 * sipca may write in (*exists 1); anything else is refused.
 */
int
name_dir_usable(struct store *s, int issued, const char *name, int *exists)
{
	const char *reason;
	char why[96];
	struct stat st;

	char *rel;
	int ret = STORE_OK;

	*exists = fstatat(issued, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!*exists && errno == ENOENT)
		return STORE_OK;
	rel = cert_dir(name);
	if (!*exists)
		ret = fail_errno(s, "read", rel, strlen(rel));
	else if ((reason = entry_refusal(&st, 1, 1, why, sizeof(why))) != NULL)
		ret = refuse(s, rel, strlen(rel), reason);
	free(rel);
	return ret;
}
