/*
 * check_cross: cross-certificates, judged by GnuTLS's own verifier: a
 * leaf of the new CA verifies through NewWithOld for a phone that trusts
 * only the old root, and one of the old CA through OldWithNew for a phone
 * that trusts only the new root; a pathLen 0 root allows neither, as
 * cross_path_allowed() says.
 */
#include <check.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cross.h"
#include "fixture_ca.h"
#include "testcert.h"
#include "util.h"

/* tc (pathLen 1, tests/testcert.c) as a struct ca with its key. */
static struct ca *
as_ca(const struct tcert *tc)
{
	gnutls_datum_t pem = tcert_pem(tc), key = tcert_key_pem(tc);
	struct ca *ca = NULL;
	const char *reason = NULL;

	ck_assert_int_eq(ca_load_cert(pem.data, pem.size, &ca, &reason), 0);
	ck_assert_int_eq(ca_attach_key(ca, key.data, key.size, NULL), 0);
	gnutls_free(pem.data);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	return ca;
}

static gnutls_x509_crt_t
import_pem(const gnutls_datum_t *pem)
{
	gnutls_x509_crt_t crt;

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, pem, GNUTLS_X509_FMT_PEM), 0);
	return crt;
}

/* crt as a verifier sees it: GnuTLS reads the names of a certificate it
 * built itself only once it is imported. */
static gnutls_x509_crt_t
reimport(gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t copy;
	gnutls_datum_t der;

	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&copy), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(copy, &der, GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
	return copy;
}

/* GnuTLS's verdict on leaf (+ bridge) against a trust list of anchor alone. */
static unsigned
verify(gnutls_x509_crt_t leaf, gnutls_x509_crt_t bridge, gnutls_x509_crt_t anchor)
{
	gnutls_x509_trust_list_t tl;
	gnutls_x509_crt_t chain[2], trusted = reimport(anchor);
	unsigned status = 0, n = 0;

	chain[n++] = reimport(leaf);
	if (bridge != NULL)
		chain[n++] = reimport(bridge);
	ck_assert_int_eq(gnutls_x509_trust_list_init(&tl, 0), 0);
	/* The list owns the anchor from here. */
	ck_assert_int_eq(gnutls_x509_trust_list_add_cas(tl, &trusted, 1, 0), 1);
	ck_assert_int_eq(gnutls_x509_trust_list_verify_crt2(tl, chain, n, NULL, 0,
	    0, &status, NULL), 0);
	gnutls_x509_trust_list_deinit(tl, 1);
	while (n > 0)
		gnutls_x509_crt_deinit(chain[--n]);
	return status;
}

static int
same_dn(gnutls_x509_crt_t a, int a_issuer, gnutls_x509_crt_t b)
{
	gnutls_datum_t x, y;
	int same;

	ck_assert_int_eq(a_issuer ? gnutls_x509_crt_get_raw_issuer_dn(a, &x) :
	    gnutls_x509_crt_get_raw_dn(a, &x), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(b, &y), 0);
	same = x.size == y.size && memcmp(x.data, y.data, x.size) == 0;
	gnutls_free(x.data);
	gnutls_free(y.data);
	return same;
}

START_TEST(test_new_with_old)
{
	struct tcert old_root, new_root, leaf;
	struct tcert_spec spec = { "sip.example.com", NULL, 0, 0, 0 };
	struct ca *old_ca;
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_x509_crt_t bridge;
	const char *reason = NULL;
	unsigned char id[64], nid[64];
	size_t id_len = sizeof(id), nid_len = sizeof(nid);
	unsigned critical, ca = 0;
	int path_len = -2;

	tcert_ca(&old_root, "Old Root");
	tcert_ca(&new_root, "New Root");
	tcert_make(&leaf, &spec, &new_root);
	old_ca = as_ca(&old_root);

	ck_assert_int_eq(cross_certify(new_root.crt, old_ca, sipca_now() - 60,
	    &pem, &reason), 0);
	bridge = import_pem(&pem);
	/* The new CA's name and key, the old one's signature. */
	ck_assert(same_dn(bridge, 0, new_root.crt));
	ck_assert(same_dn(bridge, 1, old_root.crt));
	ck_assert_int_eq(gnutls_x509_crt_get_authority_key_id(bridge, id, &id_len,
	    &critical), 0);
	ck_assert_uint_eq(id_len, old_ca->key_id_len);
	ck_assert_mem_eq(id, old_ca->key_id, id_len);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_key_id(new_root.crt, nid,
	    &nid_len, &critical), 0);
	id_len = sizeof(id);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_key_id(bridge, id, &id_len,
	    &critical), 0);
	ck_assert_uint_eq(id_len, nid_len);
	ck_assert_mem_eq(id, nid, id_len);
	ck_assert_int_eq(gnutls_x509_crt_get_basic_constraints(bridge, &critical,
	    &ca, &path_len), 1);
	ck_assert(ca);
	ck_assert_int_eq(path_len, 1);
	ck_assert_int_le(gnutls_x509_crt_get_expiration_time(bridge),
	    gnutls_x509_crt_get_expiration_time(old_root.crt));

	/* Old-root phones, new-root phones: both accept the new leaf. */
	ck_assert(cross_path_allowed(old_root.crt, 1));
	ck_assert_uint_eq(verify(leaf.crt, bridge, old_root.crt), 0);
	ck_assert_uint_eq(verify(leaf.crt, bridge, new_root.crt), 0);
	ck_assert_uint_ne(verify(leaf.crt, NULL, old_root.crt), 0);

	gnutls_x509_crt_deinit(bridge);
	gnutls_free(pem.data);
	ca_free(old_ca);
	tcert_clear(&leaf);
	tcert_clear(&new_root);
	tcert_clear(&old_root);
}
END_TEST

START_TEST(test_old_with_new)
{
	struct tcert old_root, new_root, leaf;
	struct tcert_spec spec = { "alice", NULL, 0, 0, 0 };
	struct ca *new_ca;
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_x509_crt_t bridge;
	const char *reason = NULL;

	tcert_ca(&old_root, "Old Root");
	tcert_ca(&new_root, "New Root");
	tcert_make(&leaf, &spec, &old_root);
	new_ca = as_ca(&new_root);
	ck_assert_int_eq(cross_certify(old_root.crt, new_ca, sipca_now() - 60,
	    &pem, &reason), 0);
	bridge = import_pem(&pem);
	ck_assert_uint_eq(verify(leaf.crt, bridge, new_root.crt), 0);
	ck_assert_uint_ne(verify(leaf.crt, NULL, new_root.crt), 0);
	gnutls_x509_crt_deinit(bridge);
	gnutls_free(pem.data);
	ca_free(new_ca);
	tcert_clear(&leaf);
	tcert_clear(&new_root);
	tcert_clear(&old_root);
}
END_TEST

/* sipca's single-level CA has pathLen 0: a bridge below it is refused by
 * the verifier, and cross_path_allowed() says so beforehand. */
START_TEST(test_path_len_zero)
{
	struct ca *old_ca = fixture_ca(NULL, NULL, NULL);
	struct tcert new_root, leaf;
	struct tcert_spec spec = { "sip.example.com", NULL, 0, 0, 0 };
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_x509_crt_t bridge;
	const char *reason = NULL;

	tcert_ca(&new_root, "New Root");
	tcert_make(&leaf, &spec, &new_root);
	ck_assert(!cross_path_allowed(old_ca->crt, 1));
	ck_assert(cross_path_allowed(new_root.crt, 1));
	ck_assert(!cross_path_allowed(new_root.crt, 2));
	ck_assert(!cross_path_allowed(leaf.crt, 0));
	ck_assert_int_eq(cross_certify(new_root.crt, old_ca, sipca_now() - 60,
	    &pem, &reason), 0);
	bridge = import_pem(&pem);
	ck_assert_uint_ne(verify(leaf.crt, bridge, old_ca->crt), 0);
	/* fixture_ca lasts a year, tcert_ca ten: the bridge ends with its issuer. */
	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(bridge),
	    gnutls_x509_crt_get_expiration_time(old_ca->crt));
	gnutls_x509_crt_deinit(bridge);
	gnutls_free(pem.data);
	tcert_clear(&leaf);
	tcert_clear(&new_root);
	ca_free(old_ca);
}
END_TEST

START_TEST(test_refusals)
{
	struct tcert old_root, new_root;
	struct ca *old_ca, *cert_only = NULL;
	gnutls_datum_t pem = { NULL, 0 }, old_pem;
	const char *reason = NULL;

	tcert_ca(&old_root, "Old Root");
	tcert_ca(&new_root, "New Root");
	old_ca = as_ca(&old_root);
	old_pem = tcert_pem(&old_root);
	ck_assert_int_eq(ca_load_cert(old_pem.data, old_pem.size, &cert_only,
	    &reason), 0);
	ck_assert_int_eq(cross_certify(new_root.crt, cert_only, sipca_now(), &pem,
	    &reason), -1);
	ck_assert_str_eq(reason, "the issuing CA's key is not loaded");
	ck_assert_int_eq(cross_certify(new_root.crt, old_ca,
	    gnutls_x509_crt_get_expiration_time(old_root.crt), &pem, &reason), -1);
	ck_assert_str_eq(reason,
	    "the issuing CA expires before the validity would begin");
	ck_assert_ptr_null(pem.data);
	gnutls_free(old_pem.data);
	ca_free(cert_only);
	ca_free(old_ca);
	tcert_clear(&new_root);
	tcert_clear(&old_root);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("cross");
	TCase *tc = tcase_create("cross");

	tcase_add_test(tc, test_new_with_old);
	tcase_add_test(tc, test_old_with_new);
	tcase_add_test(tc, test_path_len_zero);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	return s;
}
