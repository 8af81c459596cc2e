/*
 * prep: files written ahead. A batch's workers write each certificate's
 * files into DIR/.prep/SERIAL/ as soon as it is signed, all of them at
 * once on as many cores, while the batch holds the writers' lock; the
 * one thread that records certificates (store_issue) then moves such a
 * directory into place with one rename where it would otherwise create
 * a directory and three files itself (issue.c step 2). The issuance
 * protocol is unchanged: a prepared directory is nothing until that
 * rename, which comes after the certificate's pending row, as step 2's
 * mkdir did.
 *
 * What a killed batch leaves in DIR/.prep was never part of an issuance:
 * the next writer removes it on taking the lock (prep_sweep, from
 * recovery), as does store_prep_close when the batch ends.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "util.h"

#define PREP_DIR ".prep"

struct store_prep {
	struct store *s;	/* read only here: its umask */
	int fd;			/* DIR/.prep */
};

/* Removes every directory in DIR/.prep and DIR/.prep itself; 0 or -1. */
static int
remove_prep(int dir_fd, int prep_fd)
{
	struct dirent *e;
	DIR *d;
	int fd;

	if ((fd = fcntl(prep_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			remove_flat_dir_at(prep_fd, e->d_name);
	closedir(d);
	return unlinkat(dir_fd, PREP_DIR, AT_REMOVEDIR) < 0 && errno != ENOENT ?
	    -1 : 0;
}

int
prep_sweep(struct store *s)
{
	int fd, ret;

	if ((ret = dir_open(s, PREP_DIR, 0, &fd)) == STORE_E_NOTFOUND)
		return STORE_OK;
	if (ret < 0)
		return ret;
	ret = remove_prep(s->dir_fd, fd) < 0 ?
	    fail_errno(s, "remove", PREP_DIR, strlen(PREP_DIR)) : STORE_OK;
	close(fd);
	return ret;
}

int
store_prep_open(struct store *s, struct store_prep **out)
{
	struct store_prep *p;
	int fd, ret;

	*out = NULL;
	if (s->lock_depth == 0 || s->prep_fd >= 0) {
		store_msg(s, "store: files are written ahead under the writers' lock,"
		    " one batch at a time");
		return STORE_E_IO;
	}
	if ((ret = dir_open(s, PREP_DIR, WALK_CREATE, &fd)) < 0)
		return ret;
	p = xcalloc(1, sizeof(*p));
	p->s = s;
	p->fd = fd;
	s->prep_fd = fd;
	*out = p;
	return STORE_OK;
}

int
store_prep_write(struct store_prep *p, struct store_issue *it)
{
	const char *failed;
	int tmp, ret;

	it->prepared = 0;
	if (mkdirat(p->fd, it->serial, 0700) < 0)
		return -1;
	tmp = openat(p->fd, it->serial, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (tmp < 0 || (!mode_kept(p->s, 0700) && fchmod(tmp, 0700) < 0) ||
	    write_files(p->s, tmp, it, 0, &failed) < 0)
		ret = -1;
	else
		ret = 0;
	if (tmp >= 0)
		close(tmp);
	if (ret < 0)
		remove_flat_dir_at(p->fd, it->serial);
	it->prepared = ret == 0;
	return ret;
}

void
store_prep_close(struct store_prep *p)
{
	if (p == NULL)
		return;
	remove_prep(p->s->dir_fd, p->fd);
	close(p->fd);
	p->s->prep_fd = -1;
	free(p);
}
