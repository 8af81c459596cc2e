/*
 * check_scep_static: the static shared SCEP challenge (scep_static.c)
 * on a store in a temporary directory: made with only its hash stored,
 * replaced, matched in any case for the names its pattern allows,
 * refused (with a reason) when revoked, expired or for another name,
 * and told apart from what is not it; the --names patterns it takes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "ca.h"
#include "report.h"
#include "scep_static.h"
#include "store.h"
#include "util.h"

#include "fixture_ca.h"
#include "tmpdir.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *glob;
	int ok;
} patterns[] = {
	{ "*", 1 },
	{ "0004f2*", 1 },
	{ "[0-9a-f][0-9a-f]?x-lobby", 1 },
	{ "phone.[!x]*@site+1", 1 },
	{ SCEP_STATIC_NAMES_MAC, 1 },
	{ "", 0 },
	{ "a/b", 0 },
	{ "a b", 0 },
	{ "a\\*", 0 },
	{ "x\n", 0 },
	{ "\xc3\xa9", 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
};

START_TEST(test_names)
{
	const char *reason = NULL;

	ck_assert_int_eq(scep_static_check_names(patterns[_i].glob, &reason),
	    patterns[_i].ok ? 0 : -1);
	if (!patterns[_i].ok)
		ck_assert_ptr_nonnull(reason);
}
END_TEST

static struct store *
make_store(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	gnutls_datum_t key = { NULL, 0 };
	struct ca *ca = fixture_ca(NULL, NULL, &key);
	char *dir = xasprintf("%s/ca", tmpdir);
	struct store *s = NULL;

	ck_assert_int_eq(store_open(dir, STORE_CREATE, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(s, (const char *)ca->pem.data, ca->pem.size,
	    (const char *)key.data, key.size, settings), STORE_OK);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	free(dir);
	ca_free(ca);
	return s;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

START_TEST(test_lifecycle)
{
	struct store *s = make_store();
	struct store_record *r = NULL;
	struct scep_static_spec spec;
	struct report rep = { NULL, 0 };
	char ch[SCEP_CHALLENGE_LEN + 1], old[SCEP_CHALLENGE_LEN + 1];
	char hash[SCEP_CHALLENGE_HASH], *names;
	const char *reason = NULL;
	time_t now = sipca_now();

	/* None yet: nothing is the static challenge, and nothing to revoke. */
	ck_assert_int_eq(scep_static_check(s, "AAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "0004f2a1b2c3", now, &reason), SCEP_STATIC_NOT);
	ck_assert_int_eq(scep_static_revoke(s), -1);

	/* The default: a MAC address, 30 days; only the hash is kept. */
	memset(&spec, 0, sizeof(spec));
	ck_assert_int_eq(scep_static_create(s, &spec, old, &rep), RESULT_OK);
	ck_assert_uint_eq(strlen(old), SCEP_CHALLENGE_LEN);
	ck_assert_uint_eq(strspn(old, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
	    SCEP_CHALLENGE_LEN);
	ck_assert_int_eq(store_record_get(s, SCEP_STATIC_KIND, SCEP_STATIC_ID, &r),
	    STORE_OK);
	ck_assert_int_eq(scep_challenge_hash(old, hash), 0);
	ck_assert_str_eq(r->key, hash);
	ck_assert_ptr_null(strstr(r->doc, old));
	ck_assert(r->expires >= now + SCEP_STATIC_TTL_DEFAULT - 5 &&
	    r->expires <= now + SCEP_STATIC_TTL_DEFAULT + 5);
	names = scep_static_names(r);
	ck_assert_str_eq(names, SCEP_STATIC_NAMES_MAC);
	free(names);
	store_record_free(r);
	r = NULL;
	ck_assert_int_eq(scep_static_check(s, old, "0004f2a1b2c3", now, &reason),
	    SCEP_STATIC_OK);
	ck_assert_int_eq(scep_static_check(s, old, "lobby", now, &reason),
	    SCEP_STATIC_REFUSED);
	ck_assert_ptr_nonnull(strstr(reason, "not a name the static challenge enrolls"));

	/* A new one, with a pattern folded to lower case, replaces it. */
	spec.names = "LOBBY-*";
	spec.ttl = 3600;
	ck_assert_int_eq(scep_static_create(s, &spec, ch, &rep), RESULT_OK);
	ck_assert_str_ne(ch, old);
	ck_assert_int_eq(scep_static_check(s, old, "lobby-1", now, &reason),
	    SCEP_STATIC_NOT);
	ck_assert_int_eq(scep_static_check(s, ch, "lobby-1", now, &reason),
	    SCEP_STATIC_OK);
	ck_assert_int_eq(scep_static_check(s, ch, "0004f2a1b2c3", now, &reason),
	    SCEP_STATIC_REFUSED);
	/* Typed in lower case on a phone, it is the same challenge. */
	memcpy(old, ch, sizeof(ch));
	lower(old);
	ck_assert_int_eq(scep_static_check(s, old, "lobby-2", now, &reason),
	    SCEP_STATIC_OK);
	/* One character off is not it. */
	memcpy(old, ch, sizeof(ch));
	old[0] = old[0] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(scep_static_check(s, old, "lobby-2", now, &reason),
	    SCEP_STATIC_NOT);

	/* Expired at its ttl; revoked once. */
	ck_assert_int_eq(scep_static_check(s, ch, "lobby-1", now + 3601, &reason),
	    SCEP_STATIC_REFUSED);
	ck_assert_str_eq(reason, "the static challenge has expired");
	ck_assert_int_eq(scep_static_revoke(s), 0);
	ck_assert_int_eq(scep_static_revoke(s), -1);
	ck_assert_int_eq(scep_static_check(s, ch, "lobby-1", now, &reason),
	    SCEP_STATIC_REFUSED);
	ck_assert_str_eq(reason, "the static challenge was revoked");

	/* A pattern it does not take: refused, the record as it was. */
	spec.names = "a/b";
	ck_assert_int_eq(scep_static_create(s, &spec, ch, &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_int_eq(store_record_get(s, SCEP_STATIC_KIND, SCEP_STATIC_ID, &r),
	    STORE_OK);
	ck_assert_str_eq(r->status, "revoked");
	store_record_free(r);

	gnutls_memset(ch, 0, sizeof(ch));
	report_clear(&rep);
	store_close(s);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("scep_static");
	TCase *names = tcase_create("names"), *life = tcase_create("lifecycle");

	tcase_add_loop_test(names, test_names, 0, nitems(patterns));
	suite_add_tcase(s, names);
	tcase_add_checked_fixture(life, tmpdir_setup, tmpdir_teardown);
	tcase_set_timeout(life, 60);
	tcase_add_test(life, test_lifecycle);
	suite_add_tcase(s, life);
	return s;
}
