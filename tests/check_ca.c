/*
 * check_ca: src/pki/ca.c's two levels. A root and the intermediate it
 * signs (pathLen, keyUsage, AKI = the root's SKI, the validity capped at
 * the root's, name constraints repeated), ca_reissue (the same subject
 * octets, key and validity with a new pathLen, so what the old CA issued
 * verifies against it), and ca_issued (issuer name and signature).
 */
#include <check.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "x509.h"

#define NOT_BEFORE 1767225600	/* 2026-01-01 */
#define DAY 86400

/* A CA signed by issuer (NULL: self-signed), its key attached. */
static struct ca *
make(const char *cn, long days, unsigned path_len, const struct ca *issuer,
    const char *permit_dns)
{
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key = { NULL, 0 };

	memset(&p, 0, sizeof(p));
	p.common_name = cn;
	p.key_type = KEY_P256;
	p.days = days;
	p.not_before = NOT_BEFORE;
	p.path_len = path_len;
	p.issuer = issuer;
	p.permit_dns = permit_dns;
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key), 0);
	gnutls_free(key.data);
	ck_assert_ptr_nonnull(ca->key);
	return ca;
}

static unsigned
path_len_of(const struct ca *ca)
{
	unsigned critical = 0;
	int path_len = -2;

	ck_assert_int_eq(gnutls_x509_crt_get_basic_constraints(ca->crt, &critical,
	    NULL, &path_len), 1);
	ck_assert_uint_eq(critical, 1);
	ck_assert_int_ge(path_len, 0);
	return (unsigned)path_len;
}

START_TEST(test_two_levels)
{
	struct ca *root = make("Root", 3650, 1, NULL, NULL);
	struct ca *inter = make("Issuing", 365, 0, root, NULL);
	unsigned char aki[64];
	size_t aki_len = sizeof(aki);
	unsigned usage = 0, critical = 0, vstatus = 1;

	ck_assert_uint_eq(path_len_of(root), 1);
	ck_assert_uint_eq(path_len_of(inter), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_key_usage(inter->crt, &usage,
	    &critical), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_uint_eq(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
	/* RFC 5280 4.2.1.1: the intermediate names the root's key. */
	ck_assert_int_eq(gnutls_x509_crt_get_authority_key_id(inter->crt, aki,
	    &aki_len, &critical), 0);
	ck_assert_uint_eq(aki_len, root->key_id_len);
	ck_assert_mem_eq(aki, root->key_id, aki_len);
	ck_assert_int_eq(gnutls_x509_crt_check_issuer(inter->crt, root->crt), 1);
	ck_assert_int_eq(gnutls_x509_crt_verify(inter->crt, &root->crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &vstatus), 0);
	ck_assert_uint_eq(vstatus, 0);
	ck_assert_int_eq(ca_issued(root, inter->crt), 1);
	ck_assert_int_eq(ca_issued(root, root->crt), 1);
	ck_assert_int_eq(ca_issued(inter, root->crt), 0);
	ck_assert_int_eq(ca_issued(inter, inter->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(inter->crt),
	    NOT_BEFORE + 365 * DAY);
	ca_free(inter);
	ca_free(root);
}
END_TEST

/* Nothing outlives its issuer: a longer intermediate ends with its root. */
START_TEST(test_capped_at_root)
{
	struct ca *root = make("Root", 100, 1, NULL, NULL);
	struct ca *inter = make("Issuing", 1000, 0, root, NULL);

	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(inter->crt),
	    gnutls_x509_crt_get_expiration_time(root->crt));
	ca_free(inter);
	ca_free(root);
}
END_TEST

/* The certificate permits the DNS subtree dns, critically (RFC 5280 4.2.1.10). */
static void
assert_permits(gnutls_x509_crt_t crt, const char *dns)
{
	gnutls_x509_name_constraints_t nc = NULL;
	unsigned critical = 0, type = 0;
	gnutls_datum_t name;

	ck_assert_int_eq(gnutls_x509_name_constraints_init(&nc), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_name_constraints(crt, nc, 0,
	    &critical), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_int_eq(gnutls_x509_name_constraints_get_permitted(nc, 0, &type,
	    &name), 0);
	ck_assert_uint_eq(type, GNUTLS_SAN_DNSNAME);
	ck_assert_uint_eq(name.size, strlen(dns));
	ck_assert_mem_eq(name.data, dns, name.size);
	gnutls_x509_name_constraints_deinit(nc);
}

/* The root's name constraints are repeated on the intermediate. */
START_TEST(test_constraints_repeated)
{
	struct ca *root = make("Root", 3650, 1, NULL, "example.com");
	struct ca *inter = make("Issuing", 365, 0, root, NULL);

	assert_permits(root->crt, "example.com");
	assert_permits(inter->crt, "example.com");
	/* Its commonName is no DNS name: the signature decides, not the constraints. */
	ck_assert_int_eq(ca_issued(root, inter->crt), 1);
	ca_free(inter);
	ca_free(root);
}
END_TEST

/* An intermediate needs its issuer's key. */
START_TEST(test_issuer_without_key)
{
	struct ca *root = make("Root", 3650, 1, NULL, NULL);
	struct ca *inter = NULL;
	struct ca_params p;
	gnutls_datum_t key = { NULL, 0 };
	gnutls_privkey_t k = root->key;

	root->key = NULL;
	memset(&p, 0, sizeof(p));
	p.common_name = "Issuing";
	p.key_type = KEY_P256;
	p.days = 10;
	p.not_before = NOT_BEFORE;
	p.issuer = root;
	ck_assert_int_eq(ca_create(&p, NULL, &inter, &key),
	    GNUTLS_E_INSUFFICIENT_CREDENTIALS);
	ck_assert_ptr_null(inter);
	ck_assert_ptr_null(key.data);
	root->key = k;
	ca_free(root);
}
END_TEST

static gnutls_x509_crt_t
leaf_of(const struct ca *ca)
{
	struct ca *leaf = make("leaf.example.com", 30, 0, ca, NULL);
	gnutls_x509_crt_t crt;

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &leaf->pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ca_free(leaf);
	return crt;
}

/*
 * A single-level CA re-issued as a root: the subject's octets, key,
 * SKI and validity stay, the serial changes, pathLen becomes 1, and what
 * the old one signed verifies against the new one.
 */
START_TEST(test_reissue)
{
	struct ca *old = make("Old CA", 3650, 0, NULL, "example.com");
	struct ca *root = NULL;
	gnutls_x509_crt_t before;
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	unsigned char s1[SERIAL_LEN], s2[SERIAL_LEN];
	size_t l1 = sizeof(s1), l2 = sizeof(s2);
	unsigned char id[64];
	size_t id_len = sizeof(id);
	unsigned critical;

	before = leaf_of(old);
	ck_assert_int_eq(ca_reissue(old, 1, &root), 0);
	ck_assert_ptr_null(root->key);
	ck_assert_uint_eq(path_len_of(root), 1);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(old->crt, &a), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(root->crt, &b), 0);
	ck_assert_uint_eq(a.size, b.size);
	ck_assert_mem_eq(a.data, b.data, a.size);
	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(root->crt),
	    gnutls_x509_crt_get_expiration_time(old->crt));
	ck_assert_int_eq(gnutls_x509_crt_get_activation_time(root->crt),
	    gnutls_x509_crt_get_activation_time(old->crt));
	ck_assert_int_eq(gnutls_x509_crt_get_serial(old->crt, s1, &l1), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_serial(root->crt, s2, &l2), 0);
	ck_assert(l1 != l2 || memcmp(s1, s2, l1) != 0);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_key_id(root->crt, id,
	    &id_len, &critical), 0);
	ck_assert_uint_eq(id_len, old->key_id_len);
	ck_assert_mem_eq(id, old->key_id, id_len);
	assert_permits(root->crt, "example.com");
	ck_assert_int_eq(ca_issued(root, before), 1);
	ck_assert_int_eq(ca_issued(root, root->crt), 1);
	ck_assert_int_eq(ca_issued(root, old->crt), 1);
	gnutls_free(a.data);
	gnutls_free(b.data);
	gnutls_x509_crt_deinit(before);
	ca_free(root);
	ca_free(old);
}
END_TEST

/* ca_reissue needs the old CA's key. */
START_TEST(test_reissue_without_key)
{
	struct ca *old = make("Old CA", 3650, 0, NULL, NULL);
	struct ca *root = NULL;
	gnutls_privkey_t k = old->key;

	old->key = NULL;
	ck_assert_int_eq(ca_reissue(old, 1, &root),
	    GNUTLS_E_INSUFFICIENT_CREDENTIALS);
	ck_assert_ptr_null(root);
	old->key = k;
	ca_free(old);
}
END_TEST

/* Another CA of the same name does not pass for the issuer: the signature decides. */
START_TEST(test_issued_same_name)
{
	struct ca *a = make("Same Name", 3650, 1, NULL, NULL);
	struct ca *b = make("Same Name", 3650, 1, NULL, NULL);
	gnutls_x509_crt_t leaf = leaf_of(a);

	ck_assert_int_eq(ca_issued(a, leaf), 1);
	ck_assert_int_eq(ca_issued(b, leaf), 0);
	gnutls_x509_crt_deinit(leaf);
	ca_free(a);
	ca_free(b);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("ca");
	TCase *tc = tcase_create("hierarchy");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_two_levels);
	tcase_add_test(tc, test_capped_at_root);
	tcase_add_test(tc, test_constraints_repeated);
	tcase_add_test(tc, test_issuer_without_key);
	tcase_add_test(tc, test_reissue);
	tcase_add_test(tc, test_reissue_without_key);
	tcase_add_test(tc, test_issued_same_name);
	suite_add_tcase(s, tc);
	return s;
}
