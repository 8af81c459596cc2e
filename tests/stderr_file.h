/*
 * stderr_file: stderr sent to a file for the length of a test, for the
 * suites that assert what a module printed (check_secret,
 * check_store_msg): nothing, since modules do not print.
 */
#ifndef SIPCA_TESTS_STDERR_FILE_H
#define SIPCA_TESTS_STDERR_FILE_H

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

static char *stderr_path;
static int stderr_saved = -1;

/* From now on stderr goes to path (a new file, kept). */
static inline void
stderr_to_file(const char *path)
{
	int fd;

	stderr_path = xstrdup(path);
	fflush(stderr);
	stderr_saved = dup(STDERR_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static inline void
stderr_restore(void)
{
	fflush(stderr);
	dup2(stderr_saved, STDERR_FILENO);
	close(stderr_saved);
	free(stderr_path);
	stderr_path = NULL;
}

/* What was written on stderr so far, a new string. */
static inline char *
stderr_text(void)
{
	unsigned char *data = NULL;
	size_t len;

	fflush(stderr);
	ck_assert_int_eq(read_file(stderr_path, 1 << 20, &data, &len), 0);
	return (char *)data;
}

#endif
