/*
 * tmpdir: a temporary directory per test for the suites that need files
 * (batch, signer, pkcs11): made by tmpdir_setup() as a checked fixture,
 * removed with everything in it by tmpdir_teardown().
 */
#ifndef SIPCA_TESTS_TMPDIR_H
#define SIPCA_TESTS_TMPDIR_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char tmpdir[64];

static inline void
tmpdir_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(tmpdir, "/tmp/check_sipca.XXXXXX")));
}

static inline void
tmpdir_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* PATH under the directory, a new string. */
static inline char *
tmpdir_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Writes text to path, mode 0600 (what a secret file must have). */
static inline void
tmpdir_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

#endif
