/*
 * check_renewal: the fleet lists of src/authority/renewal.c on a store
 * in a temporary directory holding real certificates: which valid
 * certificates a CA did not issue (renew --all), judged by issuer name
 * and signature, and which expire soon (renew --expiring).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "renewal.h"
#include "store.h"
#include "util.h"

#include "testcert.h"
#include "tmpdir.h"

#define DAY	86400

static struct store *store;
/* a: the CA; twin: a's name with another key; other: another name */
static struct tcert a, twin, other;
static struct ca *ca_a, *ca_twin;

static struct ca *
as_ca(const struct tcert *c)
{
	gnutls_datum_t pem = tcert_pem(c);
	struct ca *ca = NULL;
	const char *why = NULL;

	ck_assert_int_eq(ca_load_cert(pem.data, pem.size, &ca, &why), 0);
	gnutls_free(pem.data);
	return ca;
}

static void
setup(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	char *dir;

	tmpdir_setup();
	tcert_ca(&a, "example.com SIP CA");
	tcert_ca(&twin, "example.com SIP CA");
	tcert_ca(&other, "example.com SIP Issuing CA");
	ca_a = as_ca(&a);
	ca_twin = as_ca(&twin);
	dir = tmpdir_path("ca");
	ck_assert_int_eq(store_open(dir, STORE_CREATE, &store, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(store, (const char *)ca_a->pem.data,
	    ca_a->pem.size, "KEY PEM\n", 8, settings), STORE_OK);
	free(dir);
}

static void
teardown(void)
{
	store_close(store);
	store = NULL;
	ca_free(ca_a);
	ca_free(ca_twin);
	ca_a = ca_twin = NULL;
	tcert_clear(&a);
	tcert_clear(&twin);
	tcert_clear(&other);
	tmpdir_teardown();
}

/*
 * Records name's certificate, signed by issuer (NULL: the row holds
 * text that is no certificate), valid until days from now; with replace,
 * as a renewal of name's current one.
 */
static void
record(const char *serial, const char *name, const struct tcert *issuer,
    long days, int replace)
{
	struct tcert leaf;
	struct tcert_spec spec = { name, NULL, 0, 0, 0 };
	struct store_issue it;
	gnutls_datum_t pem = { NULL, 0 };

	memset(&leaf, 0, sizeof(leaf));
	if (issuer != NULL) {
		tcert_make(&leaf, &spec, issuer);
		pem = tcert_pem(&leaf);
	}
	memset(&it, 0, sizeof(it));
	it.serial = serial;
	it.name = name;
	it.kind = "device";
	it.subject = "CN=x";
	it.sans = "URI:sip:x@example.com";
	it.not_before = sipca_now() - DAY;
	it.not_after = sipca_now() + days * DAY;
	it.key_source = "generated";
	it.key_type = "p256";
	it.cert_pem = issuer != NULL ? (const char *)pem.data : "not a certificate\n";
	it.chain_pem = "CHAIN\n";
	it.key_pem = replace ? NULL : "KEY\n";
	it.key_pem_len = replace ? 0 : 4;
	it.keep_key = replace;
	it.replace = replace;
	ck_assert_int_eq(store_issue(store, &it, 1, 0), STORE_OK);
	gnutls_free(pem.data);
	if (issuer != NULL)
		tcert_clear(&leaf);
}

static void
issue(const char *serial, const char *name, const struct tcert *issuer,
    long days)
{
	record(serial, name, issuer, days, 0);
}

/* The names of the list, comma-separated, a new string. */
static char *
names(const struct renewal_list *l)
{
	char *s = xstrdup("");
	size_t i;

	for (i = 0; i < l->n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? "," : "", l->items[i].name);

		free(s);
		s = t;
	}
	return s;
}

/* The fleet of every test: one of each kind of row. */
static void
fleet(void)
{
	const char *revoked[] = { "05" };

	issue("01", "mine", &a, 90);
	issue("02", "twin", &twin, 90);		/* a's name, not a's key */
	issue("03", "other", &other, 90);
	issue("04", "expired", &other, -1);
	issue("05", "revoked", &other, 90);
	ck_assert_int_eq(store_revoke(store, revoked, 1, sipca_now(), NULL),
	    STORE_OK);
	issue("06", "soon", &other, 5);
	issue("07", "unreadable", NULL, 90);
}

/* renewal_list_foreign(ca) lists want (names, in order) and counts current as ca's. */
static void
expect_foreign(const struct ca *ca, const char *want, size_t current)
{
	struct renewal_list l = { NULL, 0, 0 };
	char *got;

	ck_assert_int_eq(renewal_list_foreign(store, ca, &l), STORE_OK);
	got = names(&l);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(l.current, current);
	free(got);
	renewal_list_clear(&l);
	ck_assert_ptr_null(l.items);
	ck_assert_uint_eq(l.n, 0);
}

START_TEST(test_foreign)
{
	fleet();
	/* Name order; expired and revoked rows are not taken; unreadable is. */
	expect_foreign(ca_a, "other,soon,twin,unreadable", 1);
}
END_TEST

START_TEST(test_foreign_other_key)
{
	fleet();
	/* The same name with another key is another CA: "mine" is not its. */
	expect_foreign(ca_twin, "mine,other,soon,unreadable", 1);
}
END_TEST

START_TEST(test_foreign_after_renewal)
{
	fleet();
	/* "other" renewed by a: superseded under the old CA, current under a. */
	record("08", "other", &a, 90, 1);
	expect_foreign(ca_a, "soon,twin,unreadable", 2);
}
END_TEST

START_TEST(test_foreign_empty)
{
	struct renewal_list l = { NULL, 0, 0 };

	ck_assert_int_eq(renewal_list_foreign(store, ca_a, &l), STORE_OK);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(l.current, 0);
	renewal_list_clear(&l);
}
END_TEST

START_TEST(test_expiring)
{
	struct renewal_list l = { NULL, 0, 0 };
	char *got;

	fleet();
	ck_assert_int_eq(renewal_list_expiring(store, sipca_now() + 30 * DAY, &l),
	    STORE_OK);
	got = names(&l);
	/* Valid ones only: not the expired, not the revoked. */
	ck_assert_str_eq(got, "soon");
	ck_assert_str_eq(l.items[0].serial, "06");
	free(got);
	renewal_list_clear(&l);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("renewal");
	TCase *tc = tcase_create("fleet");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_foreign_other_key);
	tcase_add_test(tc, test_foreign_after_renewal);
	tcase_add_test(tc, test_foreign_empty);
	tcase_add_test(tc, test_expiring);
	suite_add_tcase(s, tc);
	return s;
}
