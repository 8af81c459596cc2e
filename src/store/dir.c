/*
 * dir: the directory walk. Everything under DIR is reached from
 * s->dir_fd one component at a time with O_NOFOLLOW (openat, mkdirat,
 * renameat, linkat, unlinkat, fstatat with AT_SYMLINK_NOFOLLOW), so a
 * symbolic link inside the store is never followed, whoever planted it:
 * nothing is read, written or removed through one. DIR itself is opened
 * as given, since -d may name a link the administrator made; its parents
 * are the administrator's too.
 *
 * Every directory and file sipca uses inside must be of the type it
 * expects (a FIFO or a device is never read: it would block us while we
 * hold the writers' lock), owned by us or by root (as ssh's StrictModes:
 * whoever else owns it can change it under us), and not writable by
 * group or others. Anything else is refused with STORE_E_UNSAFE, which
 * check reports as a problem instead (STORE_INSPECT).
 */
#include <dirent.h>
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

const char *
writers(mode_t mode)
{
	return (mode & 022) == 022 ? "its group and others" :
	    (mode & 020) ? "its group" : "others";
}

/* Why st is no entry sipca uses, or NULL. owner_mode 0: type and links only. */
const char *
entry_refusal(const struct stat *st, int want_dir, int owner_mode, char *buf,
    size_t size)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link; sipca follows no link inside the store";
	if (want_dir && !S_ISDIR(st->st_mode))
		return "not a directory";
	if (!want_dir && !S_ISREG(st->st_mode))
		return "not a regular file";
	if (!owner_mode)
		return NULL;
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(buf, size, "owned by uid %u, neither you (uid %u) nor root",
		    (unsigned)st->st_uid, (unsigned)geteuid());
		return buf;
	}
	if (st->st_mode & 022) {
		snprintf(buf, size, "writable by %s (mode %04o)",
		    writers(st->st_mode), (unsigned)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

static int
strict(const struct store *s, int how)
{
	return !(s->inspect && (how & WALK_READ));
}

int
refuse(struct store *s, const char *rel, size_t rel_len, const char *why)
{
	store_msg(s, "refusing '%s/%.*s': %s", s->dir, (int)rel_len, rel, why);
	return STORE_E_UNSAFE;
}

int
fail_errno(struct store *s, const char *what, const char *rel, size_t rel_len)
{
	store_msg(s, "cannot %s '%s/%.*s': %s", what, s->dir, (int)rel_len, rel,
	    strerror(errno));
	return STORE_E_IO;
}

/*
 * Opens directory DIR/rel ("" is DIR), component by component, checking
 * each. Returns STORE_OK and an fd to close, STORE_E_NOTFOUND (no
 * message), or an error after a message.
 */
int
dir_open(struct store *s, const char *rel, int how, int *out_fd)
{
	const char *comp = rel, *end;
	char *name = NULL, why[96];
	const char *reason;
	struct stat st;
	int fd, sub = -1, ret = STORE_E_IO, created;

	if ((fd = fcntl(s->dir_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return fail_errno(s, "open", "", 0);
	while (*comp != '\0') {
		end = strchr(comp, '/');
		if (end == NULL)
			end = comp + strlen(comp);
		free(name);
		name = xasprintf("%.*s", (int)(end - comp), comp);
		created = 0;
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && (how & WALK_CREATE)) {
			if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) {
				ret = fail_errno(s, "create", rel, (size_t)(end - rel));
				goto out;
			}
			created = 1;
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		}
		if (sub < 0) {
			if (errno == ENOENT)
				ret = STORE_E_NOTFOUND;
			else if ((errno == ELOOP || errno == ENOTDIR) &&
			    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				ret = refuse(s, rel, (size_t)(end - rel),
				    entry_refusal(&st, 1, 0, why, sizeof(why)));
			else
				ret = fail_errno(s, "open", rel, (size_t)(end - rel));
			goto out;
		}
		close(fd);
		fd = sub;
		sub = -1;
		/* mkdir applied the umask; 0700 must not depend on it. */
		if (fstat(fd, &st) < 0 || (created && fchmod(fd, 0700) < 0)) {
			ret = fail_errno(s, "open", rel, (size_t)(end - rel));
			goto out;
		}
		if ((reason = entry_refusal(&st, 1, strict(s, how), why,
		    sizeof(why))) != NULL) {
			ret = refuse(s, rel, (size_t)(end - rel), reason);
			goto out;
		}
		comp = *end == '/' ? end + 1 : end;
	}
	*out_fd = fd;
	fd = -1;
	ret = STORE_OK;
out:
	if (fd >= 0)
		close(fd);
	free(name);
	return ret;
}

/* The directory holding DIR/rel, and rel's last component (borrowed). */
int
parent_open(struct store *s, const char *rel, int how, int *out_fd,
    const char **out_base)
{
	const char *slash = strrchr(rel, '/');
	char *parent = slash != NULL ? xasprintf("%.*s", (int)(slash - rel), rel) :
	    xstrdup("");
	int ret = dir_open(s, parent, how, out_fd);

	free(parent);
	*out_base = slash != NULL ? slash + 1 : rel;
	return ret;
}

/* lstat of DIR/rel: STORE_OK, STORE_E_NOTFOUND (no message), or an error. */
int
entry_stat(struct store *s, const char *rel, struct stat *out_st)
{
	const char *base;
	int fd = -1, ret;

	if ((ret = parent_open(s, rel, WALK_READ, &fd, &base)) != STORE_OK)
		return ret;
	if (fstatat(fd, base, out_st, AT_SYMLINK_NOFOLLOW) < 0)
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

/*
 * Opens the regular file DIR/rel for reading. Its type is looked at
 * before it is opened and again after (O_NONBLOCK: a FIFO swapped in
 * between does not block the open). STORE_E_NOTFOUND without a message.
 */
int
file_open(struct store *s, const char *rel, int how, int *out_fd,
    struct stat *out_st)
{
	const char *base, *reason;
	char why[96];
	struct stat st;
	int dir = -1, fd = -1, ret;

	if ((ret = parent_open(s, rel, how, &dir, &base)) != STORE_OK)
		return ret;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
		goto out;
	}
	if ((reason = entry_refusal(&st, 0, strict(s, how), why, sizeof(why))) != NULL) {
		ret = refuse(s, rel, strlen(rel), reason);
		goto out;
	}
	fd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = errno == ENOENT ? STORE_E_NOTFOUND :
		    fail_errno(s, "read", rel, strlen(rel));
		goto out;
	}
	if ((reason = entry_refusal(&st, 0, strict(s, how), why, sizeof(why))) != NULL) {
		ret = refuse(s, rel, strlen(rel), reason);
		goto out;
	}
	if (out_st != NULL)
		*out_st = st;
	*out_fd = fd;
	fd = -1;
	ret = STORE_OK;
out:
	if (fd >= 0)
		close(fd);
	close(dir);
	return ret;
}

/* Reads DIR/rel whole; STORE_E_NOTFOUND without a message. */
int
file_read(struct store *s, const char *rel, int how, unsigned char **out,
    size_t *out_len)
{
	int fd = -1, ret;

	if ((ret = file_open(s, rel, how, &fd, NULL)) != STORE_OK)
		return ret;
	if (read_fd(fd, MAX_STORE_FILE, out, out_len) < 0)
		ret = fail_errno(s, "read", rel, strlen(rel));
	close(fd);
	return ret;
}

/*
 * Removes directory name in dir_fd and what it holds, at most levels
 * directories deep: 1 for one of plain files (a staging directory), 2 for
 * DIR/.prep, whose directories hold plain files. A link, in its place or
 * inside, is not followed: in its place, -1 with ELOOP or ENOTDIR and
 * nothing removed; inside, the link itself goes.
 */
int
remove_dir_at(int dir_fd, const char *name, int levels)
{
	struct dirent *e;
	DIR *d;
	int fd;

	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* unlink(2) of a directory is EISDIR on Linux. */
		if (unlinkat(fd, e->d_name, 0) < 0 && errno == EISDIR && levels > 1)
			remove_dir_at(fd, e->d_name, levels - 1);
	}
	closedir(d);
	return unlinkat(dir_fd, name, AT_REMOVEDIR);
}

int
remove_flat_dir_at(int dir_fd, const char *name)
{
	return remove_dir_at(dir_fd, name, 1);
}
