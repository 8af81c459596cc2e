/*
 * root: the files of a two-level CA. ca.pem and ca.key stay the CA that
 * signs leaves (so issuing, renewing and CRLs read what they always
 * read); root.pem is the root above it, the certificate phones trust,
 * and root.key its key until it is moved off the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

/* One CA file, created exclusively; data NULL: nothing to write (a token's key). */
static int
put_new(struct store *s, const char *rel, const char *data, size_t len,
    mode_t mode)
{
	if (data == NULL)
		return STORE_OK;
	if (atomic_writeat(s->dir_fd, rel, data, len, mode, ATOMIC_EXCLUSIVE) < 0) {
		store_msg(s, "cannot write the CA: %s", strerror(errno));
		return STORE_E_IO;
	}
	return STORE_OK;
}

int
store_init_ca_files(struct store *s, const struct store_ca_files *f,
    const char *const *settings)
{
	int ret, locked = 0, issued = -1;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	/* Again under the lock: another init may have won meanwhile. */
	if ((ret = create_checks(s)) < 0 || (ret = index_refuse_rows(s)) < 0 ||
	    (ret = index_put_settings(s, settings)) < 0)
		goto out;
	if ((ret = dir_open(s, "issued", WALK_CREATE, &issued)) < 0)
		goto out;
	/* The keys first and exclusively; ca.pem last marks the CA complete. */
	if ((ret = put_new(s, "root.key", f->root_key, f->root_key_len,
	    0600)) < 0 ||
	    (ret = put_new(s, "ca.key", f->ca_key, f->ca_key_len, 0600)) < 0 ||
	    (ret = put_new(s, "root.pem", f->root_pem, f->root_pem_len,
	    0644)) < 0 ||
	    (ret = put_new(s, "ca.pem", f->ca_pem, f->ca_pem_len, 0644)) < 0)
		goto out;
	ret = STORE_OK;
out:
	if (issued >= 0)
		close(issued);
	if (locked)
		store_unlock(s);
	return ret;
}

/* 1 when DIR/rel holds exactly data, 0 when it differs or is absent, or an error. */
static int
file_is(struct store *s, const char *rel, int private_file, const void *data,
    size_t len)
{
	unsigned char *have = NULL;
	size_t have_len = 0;
	int ret;

	ret = private_file ? read_private(s, rel, WALK_READ, 1, &have, &have_len) :
	    file_read(s, rel, WALK_READ, &have, &have_len);
	if (ret == STORE_E_NOTFOUND)
		return 0;
	if (ret < 0)
		return ret;
	ret = have_len == len && memcmp(have, data, len) == 0;
	secret_free_buf(have, have_len);
	return ret;
}

/*
 * The old CA's file under its root name: created exclusively, or found
 * already holding the same bytes (an interrupted call done again).
 */
static int
put_root(struct store *s, const char *rel, const char *data, size_t len,
    mode_t mode)
{
	int same;

	if (atomic_writeat(s->dir_fd, rel, data, len, mode, ATOMIC_EXCLUSIVE) == 0)
		return STORE_OK;
	if (errno != EEXIST) {
		store_msg(s, "cannot write '%s/%s': %s", s->dir, rel, strerror(errno));
		return STORE_E_IO;
	}
	if ((same = file_is(s, rel, mode == 0600, data, len)) < 0)
		return same;
	if (!same) {
		store_msg(s, "'%s/%s' exists and is not the CA's; nothing changed",
		    s->dir, rel);
		return STORE_E_EXISTS;
	}
	return STORE_OK;
}

static int
put_settings(struct store *s, const char *const *settings)
{
	int ret = STORE_OK;

	for (; settings != NULL && settings[0] != NULL && ret == STORE_OK;
	    settings += 2)
		ret = settings[1] != NULL ?
		    store_setting_set(s, settings[0], settings[1]) :
		    store_setting_unset(s, settings[0]);
	return ret;
}

/* Replaces DIR/rel atomically. */
static int
put_replace(struct store *s, const char *rel, const char *data, size_t len,
    mode_t mode)
{
	if (data == NULL)
		return STORE_OK;
	if (atomic_writeat(s->dir_fd, rel, data, len, mode, 0) < 0) {
		store_msg(s, "cannot write '%s/%s': %s", s->dir, rel, strerror(errno));
		return STORE_E_IO;
	}
	return STORE_OK;
}

int
store_add_intermediate(struct store *s, const char *old_ca_pem,
    size_t old_ca_pem_len, const struct store_ca_files *f,
    const char *const *settings)
{
	struct stat st;
	int ret, locked = 0, same;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	/* Again under the lock: what the caller read is still what is there. */
	if ((same = file_is(s, "ca.pem", 0, old_ca_pem, old_ca_pem_len)) <= 0) {
		if ((ret = same) == 0) {
			store_msg(s, "'%s/ca.pem' changed meanwhile; nothing changed",
			    s->dir);
			ret = STORE_E_EXISTS;
		}
		goto out;
	}
	if ((same = file_is(s, "root.pem", 0, f->root_pem, f->root_pem_len)) < 0) {
		ret = same;
		goto out;
	}
	if (!same && entry_stat(s, "root.pem", &st) != STORE_E_NOTFOUND) {
		store_msg(s, "the store in '%s' already has a root (root.pem);"
		    " nothing changed", s->dir);
		ret = STORE_E_EXISTS;
		goto out;
	}
	/*
	 * The root's files first, then the settings, then the new CA's key
	 * and certificate, ca.pem last: until ca.pem is replaced the store is
	 * the old CA, and this call can be made again to finish.
	 */
	if ((f->root_key != NULL && (ret = put_root(s, "root.key", f->root_key,
	    f->root_key_len, 0600)) < 0) ||
	    (ret = put_root(s, "root.pem", f->root_pem, f->root_pem_len,
	    0644)) < 0 ||
	    (ret = put_settings(s, settings)) < 0 ||
	    (ret = put_replace(s, "ca.key", f->ca_key, f->ca_key_len, 0600)) < 0 ||
	    (ret = put_replace(s, "ca.pem", f->ca_pem, f->ca_pem_len, 0644)) < 0)
		goto out;
	ret = STORE_OK;
out:
	if (locked)
		store_unlock(s);
	return ret;
}

int
store_read_root_cert(struct store *s, unsigned char **out, size_t *out_len)
{
	return file_read(s, "root.pem", WALK_READ, out, out_len);
}

int
store_read_root_key(struct store *s, unsigned char **out, size_t *out_len)
{
	return read_private(s, "root.key", WALK_READ, 1, out, out_len);
}

int
store_remove_root_key(struct store *s, const unsigned char *expect,
    size_t expect_len)
{
	int ret, locked = 0, same;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	if ((same = file_is(s, "root.key", 1, expect, expect_len)) <= 0) {
		if ((ret = same) == 0) {
			store_msg(s, "'%s/root.key' is not the key exported;"
			    " it stays in the store", s->dir);
			ret = STORE_E_EXISTS;
		}
		goto out;
	}
	if (unlinkat(s->dir_fd, "root.key", 0) < 0) {
		ret = fail_errno(s, "remove", "root.key", 8);
		goto out;
	}
	sync_dir(s, "");
	ret = STORE_OK;
out:
	if (locked)
		store_unlock(s);
	return ret;
}
