/*
 * store_fixture: what the store's suites (check_store, check_store_msg)
 * share: a store with its CA in a temporary directory per test, made by
 * store_fixture_setup() and removed by store_fixture_teardown(), and
 * one certificate to issue into it.
 */
#ifndef SIPCA_TESTS_STORE_FIXTURE_H
#define SIPCA_TESTS_STORE_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

static char tmpdir[64];
static char *dir;		/* tmpdir/ca: the store */

static inline void
store_fixture_setup(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	struct store *s = NULL;

	ck_assert_ptr_nonnull(mkdtemp(strcpy(tmpdir, "/tmp/check_store.XXXXXX")));
	dir = xasprintf("%s/ca", tmpdir);
	ck_assert_int_eq(store_open(dir, STORE_CREATE, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(s, "CA PEM\n", 7, "KEY PEM\n", 8, settings),
	    STORE_OK);
	store_close(s);
}

static inline void
store_fixture_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
	unsetenv("SIPCA_CRASH_AT");
}

/* A device certificate for name with a generated key; strings borrowed. */
static inline void
fill_item(struct store_issue *it, const char *serial, const char *name,
    const char *pem)
{
	memset(it, 0, sizeof(*it));
	it->serial = serial;
	it->name = name;
	it->kind = "device";
	it->subject = "CN=x";
	it->sans = "URI:sip:x@example.com";
	it->not_before = sipca_now() - 10;
	it->not_after = sipca_now() + 86400;
	it->key_source = "generated";
	it->key_type = "p256";
	it->cert_pem = pem;
	it->chain_pem = "CHAIN\n";
	it->key_pem = "PRIVATE\n";
	it->key_pem_len = 8;
}

#endif
