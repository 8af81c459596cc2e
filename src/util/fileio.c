/*
 * fileio: whole-file reads and atomic writes (write a temporary file in
 * the target's directory, fsync, rename, fsync the directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "fileio.h"
#include "util.h"

int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

int
atomic_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags)
{
	const char *slash = strrchr(path, '/');
	char *dir = dir_of(path);
	int dir_fd, ret, saved;

	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (dir_fd < 0)
		return -1;
	ret = atomic_writeat(dir_fd, slash != NULL ? slash + 1 : path, data, len,
	    mode, flags);
	saved = errno;
	close(dir_fd);
	errno = saved;
	return ret;
}

const char *
file_strerror(int err)
{
	if (err == FILEIO_E_NOT_REGULAR)
		return "not a regular file (give '-' to read standard input)";
	return strerror(err);
}

int
open_regular_file(const char *path)
{
	struct stat st;
	int fd, flags, saved;

	/* Refuse by name first, so a device is not even opened (a tape rewinds). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : FILEIO_E_NOT_REGULAR;
		return -1;
	}
	/*
	 * O_NONBLOCK: opening a FIFO that has no writer waits forever. Then
	 * fstat() judges what was really opened, whatever the path became
	 * since the stat() above.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : FILEIO_E_NOT_REGULAR;
		goto fail;
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
read_file(const char *path, size_t max_size, unsigned char **out_data,
    size_t *out_len)
{
	struct stat st;
	int fd, ret = -1, saved;

	/* Only "-" may be a pipe or a terminal: the caller asked for stdin. */
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open_regular_file(path)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		;
	else if (S_ISDIR(st.st_mode))
		errno = EISDIR;
	else if (S_ISREG(st.st_mode) && (size_t)st.st_size > max_size)
		errno = EFBIG;		/* refused before a byte is read */
	else
		ret = read_fd(fd, max_size, out_data, out_len);
	saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	errno = saved;
	return ret;
}

int
read_secret_file(const char *path, unsigned char **out_data, size_t *out_len)
{
	int fd, ret, saved;

	if ((fd = open_regular_file(path)) < 0)
		return -1;
	ret = read_secret_fd(fd, out_data, out_len);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int
mkdir_mode(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return chmod(path, mode);
	if (errno == EEXIST && stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	return -1;
}

int
mkdir_parents(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			ret = -1;
			break;
		}
		*s = '/';
	}
	if (ret == 0)
		ret = mkdir_mode(p, mode);
	free(p);
	return ret;
}

int
path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
atomic_writeat(int dir_fd, const char *name, const void *data, size_t len,
    mode_t mode, int flags)
{
	unsigned char rnd[8];
	char *tmp = NULL, *suffix = NULL;
	struct stat st;
	int fd = -1, ret = -1, saved;

	if ((flags & ATOMIC_EXCLUSIVE) &&
	    fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) < 0) {
		errno = EIO;
		return -1;
	}
	suffix = hex_encode(rnd, sizeof(rnd));
	tmp = xasprintf("%s.tmp-%s", name, suffix);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd < 0)
		goto out;
	/* open() applied the umask; private files must not depend on it. */
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0)
		goto out_unlink;
	if (!(flags & ATOMIC_NO_SYNC) && fsync(fd) < 0)
		goto out_unlink;
	if (close(fd) < 0) {
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	if (flags & ATOMIC_EXCLUSIVE) {
		/* link() fails if the target appeared meanwhile; rename would replace it. */
		if (linkat(dir_fd, tmp, dir_fd, name, 0) < 0)
			goto out_unlink;
		unlinkat(dir_fd, tmp, 0);
	} else if (renameat(dir_fd, tmp, dir_fd, name) < 0)
		goto out_unlink;
	if (!(flags & ATOMIC_NO_SYNC) && fsync(dir_fd) < 0)
		goto out;
	ret = 0;
	goto out;

out_unlink:
	saved = errno;
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlinkat(dir_fd, tmp, 0);
	errno = saved;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(suffix);
	errno = saved;
	return ret;
}

int
read_fd(int fd, size_t max_size, unsigned char **out_data, size_t *out_len)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int saved;

	for (;;) {
		if (cap - len < 4096 + 1) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size) {
			errno = EFBIG;
			goto fail;
		}
	}
	buf[len] = '\0';
	*out_data = buf;
	*out_len = len;
	return 0;
fail:
	saved = errno;
	free(buf);
	errno = saved;
	return -1;
}

int
read_secret_fd(int fd, unsigned char **out_data, size_t *out_len)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t n;

	/* Read in one go into a buffer of the right size: no stray copies. */
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size > 1 << 20) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out_data = buf;
	*out_len = len;
	return 0;
}
