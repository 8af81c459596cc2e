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
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "util.h"

#define PREP_DIR ".prep"

/* The batch's handle: its one thread-safe call is store_prep_write(). */
struct store_prep {
	struct store *s;	/* read only here: its umask and prep_fd */
};

int
prep_sweep(struct store *s)
{
	int fd, ret;

	/* Looked at first, so that a link or another's directory is refused. */
	if ((ret = dir_open(s, PREP_DIR, 0, &fd)) == STORE_E_NOTFOUND)
		return STORE_OK;
	if (ret < 0)
		return ret;
	close(fd);
	if (remove_dir_at(s->dir_fd, PREP_DIR, 2) < 0 && errno != ENOENT)
		return fail_errno(s, "remove", PREP_DIR, strlen(PREP_DIR));
	return STORE_OK;
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
	s->prep_fd = fd;
	*out = p;
	return STORE_OK;
}

int
store_prep_write(struct store_prep *p, const struct store_issue *it)
{
	const char *failed;
	int prep = p->s->prep_fd, tmp, ret = -1;

	if (mkdirat(prep, it->serial, 0700) < 0)
		return -1;
	tmp = openat(prep, it->serial, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (tmp >= 0 && (mode_kept(p->s, 0700) || fchmod(tmp, 0700) == 0) &&
	    write_files(p->s, tmp, it, 0, &failed) == 0)
		ret = 0;
	if (tmp >= 0)
		close(tmp);
	if (ret < 0)
		remove_flat_dir_at(prep, it->serial);
	return ret;
}

void
store_prep_close(struct store_prep *p)
{
	if (p == NULL)
		return;
	remove_dir_at(p->s->dir_fd, PREP_DIR, 2);
	close(p->s->prep_fd);
	p->s->prep_fd = -1;
	free(p);
}
