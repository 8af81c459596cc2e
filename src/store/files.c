/*
 * files: the CA's files, written once by init, and the store's files
 * read or written whole (ca.pem, ca.key, an issued key, crl.pem).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

int
store_init_ca(struct store *s, const char *ca_pem, size_t ca_pem_len,
    const char *key_pem, size_t key_pem_len, const char *const *settings)
{
	struct store_ca_files f = { ca_pem, ca_pem_len, key_pem, key_pem_len,
	    NULL, 0, NULL, 0 };

	return store_init_ca_files(s, &f, settings);
}

int
store_read_ca_cert(struct store *s, unsigned char **out, size_t *out_len)
{
	int ret = file_read(s, "ca.pem", WALK_READ, out, out_len);

	if (ret == STORE_E_NOTFOUND) {
		store_msg(s, "cannot read '%s/ca.pem': %s", s->dir, strerror(ENOENT));
		ret = STORE_E_IO;
	}
	return ret;
}

/* A private key of the store: as ssh does with identity files, one
 * others can read is a leak, refused. NOTFOUND without a message. */
int
read_private(struct store *s, const char *rel, int how, int refuse_readable,
    unsigned char **out, size_t *out_len)
{
	struct stat st;
	int fd = -1, ret;

	if ((ret = file_open(s, rel, how, &fd, &st)) != STORE_OK)
		return ret;
	if (refuse_readable && (st.st_mode & 077)) {
		store_msg(s, "'%s/%s' is readable by others (mode %04o); "
		    "fix it with: chmod 600 '%s/%s'", s->dir, rel,
		    (unsigned)(st.st_mode & 07777), s->dir, rel);
		ret = STORE_E_NOCA;
	} else if (read_secret_fd(fd, out, out_len) < 0)
		ret = fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

int
store_read_ca_key(struct store *s, unsigned char **out, size_t *out_len)
{
	int ret = read_private(s, "ca.key", WALK_READ, 1, out, out_len);

	if (ret == STORE_E_NOTFOUND) {
		store_msg(s, "cannot read '%s/ca.key': %s", s->dir, strerror(ENOENT));
		ret = STORE_E_IO;
	}
	return ret;
}

int
store_read_issued_key(struct store *s, const char *name, unsigned char **out,
    size_t *out_len)
{
	struct store_cert *c = NULL;
	char *rel = NULL;
	int ret;

	if ((ret = store_find_current(s, name, &c)) != STORE_OK)
		goto out;
	/* A CSR's key never came here: there is nothing to read. */
	if (c->key_source == NULL || strcmp(c->key_source, "csr") == 0) {
		ret = STORE_E_NOTFOUND;
		goto out;
	}
	rel = xasprintf("issued/%s/key.pem", name);
	/* Its mode is check's to report: this key is not ours to keep. */
	ret = read_private(s, rel, 0, 0, out, out_len);
out:
	store_cert_free(c);
	free(rel);
	return ret;
}

int
store_write_file(struct store *s, const char *rel, const void *data,
    size_t len, int private_file)
{
	const char *base;
	int dir = -1, ret;

	if ((ret = parent_open(s, rel, 0, &dir, &base)) < 0)
		return ret == STORE_E_NOTFOUND ? fail_errno(s, "write", rel,
		    strlen(rel)) : ret;
	if (atomic_writeat(dir, base, data, len, private_file ? 0600 : 0644, 0) < 0)
		ret = fail_errno(s, "write", rel, strlen(rel));
	close(dir);
	return ret;
}

int
store_read_file(struct store *s, const char *rel, unsigned char **out,
    size_t *out_len)
{
	return file_read(s, rel, WALK_READ, out, out_len);
}
