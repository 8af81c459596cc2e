/*
 * check_bundle: src/pki/bundle.c. A PEM bundle is the certificate, the
 * CA, then the key, each on lines of its own; a PKCS#12 file opens with
 * its passphrase only, pairs the certificate with its key by localKeyId
 * under one friendly name (RFC 7292 4.2), carries the CA, and uses the
 * ciphers and MAC its kind names.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "bundle.h"
#include "secret.h"
#include "testcert.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define PASS		"s3cret pass"

struct pem_case {
	const char *cert, *ca, *key;	/* key NULL: no key */
	const char *want;
};

static const struct pem_case pems[] = {
	{ "C\n", "A\n", NULL, "C\nA\n" },
	{ "C\n", "A\n", "K\n", "C\nA\nK\n" },
	/* Each piece ends in a newline, added when missing. */
	{ "C", "A", "K", "C\nA\nK\n" },
	{ "C1\nC2", "A\n", NULL, "C1\nC2\nA\n" },
	/* An empty key is still no reason to add a blank line. */
	{ "C\n", "A\n", "", "C\nA\n" },
};

START_TEST(test_pem)
{
	const struct pem_case *c = &pems[_i];
	char *out = NULL;
	size_t len = 0;

	bundle_pem(c->cert, strlen(c->cert), c->ca, strlen(c->ca), c->key,
	    c->key != NULL ? strlen(c->key) : 0, &out, &len);
	ck_assert_uint_eq(len, strlen(c->want));
	ck_assert_str_eq(out, c->want);
	secret_free_buf(out, len);
}
END_TEST

/* Only the lengths given are used: the inputs need not be strings. */
START_TEST(test_pem_lengths)
{
	char *out = NULL;
	size_t len = 0;

	bundle_pem("CERTxx", 4, "CAyy", 2, "KEYzz", 3, &out, &len);
	ck_assert_str_eq(out, "CERT\nCA\nKEY\n");
	ck_assert_uint_eq(len, 12);
	secret_free_buf(out, len);
}
END_TEST

struct pki {
	struct tcert ca, leaf, other;
};

static void
pki_make(struct pki *p)
{
	const char *sans[] = { "URI:sip:alice@example.com", NULL };
	struct tcert_spec spec = { "alice", sans, 0, 0, 0 };

	tcert_ca(&p->ca, "Example SIP CA");
	tcert_make(&p->leaf, &spec, &p->ca);
	spec.cn = "mallory";
	tcert_make(&p->other, &spec, &p->ca);
}

static void
pki_clear(struct pki *p)
{
	tcert_clear(&p->ca);
	tcert_clear(&p->leaf);
	tcert_clear(&p->other);
}

static gnutls_pkcs12_t
import(const gnutls_datum_t *der)
{
	gnutls_pkcs12_t p12;

	ck_assert_int_eq(gnutls_pkcs12_init(&p12), 0);
	ck_assert_int_eq(gnutls_pkcs12_import(p12, der, GNUTLS_X509_FMT_DER, 0), 0);
	return p12;
}

static int
same_crt(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	return gnutls_x509_crt_equals(a, b) != 0;
}

static const enum bundle_p12_kind kinds[] = { P12_MODERN, P12_LEGACY };

/* As a phone imports it: the MAC, the key, its certificate, the CA. */
START_TEST(test_p12_contents)
{
	enum bundle_p12_kind kind = kinds[_i];
	struct pki p;
	gnutls_datum_t der = { NULL, 0 };
	gnutls_pkcs12_t p12;
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t *chain = NULL, *extra = NULL;
	unsigned chain_n = 0, extra_n = 0, i;
	unsigned char a[64], b[64];
	size_t a_len = sizeof(a), b_len = sizeof(b);

	pki_make(&p);
	ck_assert_int_eq(bundle_p12(p.leaf.crt, p.leaf.key, p.ca.crt, "alice",
	    PASS, kind, &der), 0);
	p12 = import(&der);
	ck_assert_int_eq(gnutls_pkcs12_verify_mac(p12, PASS), 0);
	ck_assert_int_lt(gnutls_pkcs12_verify_mac(p12, PASS "x"), 0);
	ck_assert_int_eq(gnutls_pkcs12_simple_parse(p12, PASS, &key, &chain,
	    &chain_n, &extra, &extra_n, NULL, 0), 0);
	/* The key is the leaf's, and it comes with the leaf first. */
	ck_assert_int_eq(gnutls_x509_privkey_get_key_id(key, 0, a, &a_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(p.leaf.crt, 0, b, &b_len), 0);
	ck_assert_mem_eq(a, b, b_len);
	ck_assert_uint_ge(chain_n, 1);
	ck_assert(same_crt(chain[0], p.leaf.crt));
	/* The CA travels too, in the chain or beside it. */
	ck_assert(chain_n + extra_n == 2);
	ck_assert(chain_n == 2 ? same_crt(chain[1], p.ca.crt) :
	    same_crt(extra[0], p.ca.crt));
	for (i = 0; i < chain_n; i++)
		gnutls_x509_crt_deinit(chain[i]);
	for (i = 0; i < extra_n; i++)
		gnutls_x509_crt_deinit(extra[i]);
	gnutls_free(chain);
	gnutls_free(extra);
	gnutls_x509_privkey_deinit(key);
	gnutls_pkcs12_deinit(p12);
	gnutls_free(der.data);
	pki_clear(&p);
}
END_TEST

/* The localKeyId of the bag's element idx, copied into out[64]. */
static size_t
bag_key_id(gnutls_pkcs12_bag_t bag, unsigned idx, unsigned char out[64])
{
	gnutls_datum_t id;

	ck_assert_int_eq(gnutls_pkcs12_bag_get_key_id(bag, idx, &id), 0);
	ck_assert_uint_le(id.size, 64);
	memcpy(out, id.data, id.size);
	return id.size;
}

/* The two bags, their encryption, names and key ids, and the MAC. */
START_TEST(test_p12_layout)
{
	enum bundle_p12_kind kind = kinds[_i];
	unsigned want_cipher = kind == P12_LEGACY ? GNUTLS_PKCS_PKCS12_3DES :
	    GNUTLS_PKCS_PBES2_AES_256;
	unsigned want_mac = kind == P12_LEGACY ? GNUTLS_MAC_SHA1 : GNUTLS_MAC_SHA256;
	struct pki p;
	gnutls_datum_t der = { NULL, 0 };
	unsigned char crt_id[64], key_id[64];
	size_t crt_id_len = 0, key_id_len = 0;
	gnutls_pkcs12_t p12;
	gnutls_pkcs12_bag_t bag;
	unsigned schema, mac, cipher, iter, salt_size, i;
	unsigned char salt[64];
	char *oid = NULL, *name;
	int types[2];

	pki_make(&p);
	ck_assert_int_eq(bundle_p12(p.leaf.crt, p.leaf.key, p.ca.crt, "alice",
	    PASS, kind, &der), 0);
	p12 = import(&der);
	salt_size = sizeof(salt);
	ck_assert_int_eq(gnutls_pkcs12_mac_info(p12, &mac, salt, &salt_size,
	    &iter, &oid), 0);
	ck_assert_uint_eq(mac, want_mac);
	gnutls_free(oid);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(gnutls_pkcs12_bag_init(&bag), 0);
		ck_assert_int_eq(gnutls_pkcs12_get_bag(p12, (int)i, bag), 0);
		if (i == 0) {
			/* The certificates: an encrypted bag. */
			ck_assert_int_eq(gnutls_pkcs12_bag_get_type(bag, 0),
			    GNUTLS_BAG_ENCRYPTED);
			salt_size = sizeof(salt);
			oid = NULL;
			ck_assert_int_eq(gnutls_pkcs12_bag_enc_info(bag, &schema,
			    &cipher, salt, &salt_size, &iter, &oid), 0);
			ck_assert_uint_eq(schema, want_cipher);
			gnutls_free(oid);
			ck_assert_int_eq(gnutls_pkcs12_bag_decrypt(bag, PASS), 0);
			ck_assert_int_eq(gnutls_pkcs12_bag_get_count(bag), 2);
			types[0] = gnutls_pkcs12_bag_get_type(bag, 0);
			types[1] = gnutls_pkcs12_bag_get_type(bag, 1);
			ck_assert_int_eq(types[0], GNUTLS_BAG_CERTIFICATE);
			ck_assert_int_eq(types[1], GNUTLS_BAG_CERTIFICATE);
			ck_assert_int_eq(gnutls_pkcs12_bag_get_friendly_name(bag, 0,
			    &name), 0);
			ck_assert_str_eq(name, "alice");
			/* The CA under its common name. */
			ck_assert_int_eq(gnutls_pkcs12_bag_get_friendly_name(bag, 1,
			    &name), 0);
			ck_assert_str_eq(name, "Example SIP CA");
			crt_id_len = bag_key_id(bag, 0, crt_id);
		} else {
			/* The key: shrouded, encrypted on its own. */
			ck_assert_int_eq(gnutls_pkcs12_bag_get_count(bag), 1);
			ck_assert_int_eq(gnutls_pkcs12_bag_get_type(bag, 0),
			    GNUTLS_BAG_PKCS8_ENCRYPTED_KEY);
			ck_assert_int_eq(gnutls_pkcs12_bag_get_friendly_name(bag, 0,
			    &name), 0);
			ck_assert_str_eq(name, "alice");
			key_id_len = bag_key_id(bag, 0, key_id);
		}
		gnutls_pkcs12_bag_deinit(bag);
	}
	/* One localKeyId pairs them. */
	ck_assert_uint_gt(crt_id_len, 0);
	ck_assert_uint_eq(crt_id_len, key_id_len);
	ck_assert_mem_eq(crt_id, key_id, key_id_len);
	gnutls_pkcs12_deinit(p12);
	gnutls_free(der.data);
	pki_clear(&p);
}
END_TEST

/* The key must be the certificate's; a passphrase must be given. */
START_TEST(test_p12_refuses)
{
	struct pki p;
	gnutls_datum_t der = { NULL, 0 };

	pki_make(&p);
	ck_assert_int_eq(bundle_p12(p.leaf.crt, p.other.key, p.ca.crt, "alice",
	    PASS, P12_MODERN, &der), GNUTLS_E_CERTIFICATE_KEY_MISMATCH);
	ck_assert_ptr_null(der.data);
	ck_assert_int_eq(bundle_p12(p.leaf.crt, p.leaf.key, p.ca.crt, "alice",
	    "", P12_MODERN, &der), GNUTLS_E_INVALID_PASSWORD);
	ck_assert_int_eq(bundle_p12(p.leaf.crt, p.leaf.key, p.ca.crt, "alice",
	    NULL, P12_LEGACY, &der), GNUTLS_E_INVALID_PASSWORD);
	ck_assert_ptr_null(der.data);
	pki_clear(&p);
}
END_TEST

/* A CA without a common name is still listed under a name. */
START_TEST(test_p12_ca_without_cn)
{
	const char *sans[] = { "DNS:sip.example.com", NULL };
	struct tcert_spec ca_spec = { NULL, NULL, 1, 0, 0 };
	struct tcert_spec leaf_spec = { "sip.example.com", sans, 0, 0, 0 };
	struct tcert ca, leaf;
	gnutls_datum_t der = { NULL, 0 };
	gnutls_pkcs12_t p12;
	gnutls_pkcs12_bag_t bag;
	char *name;

	tcert_make(&ca, &ca_spec, NULL);
	tcert_make(&leaf, &leaf_spec, &ca);
	ck_assert_int_eq(bundle_p12(leaf.crt, leaf.key, ca.crt, "sip.example.com",
	    PASS, P12_MODERN, &der), 0);
	p12 = import(&der);
	ck_assert_int_eq(gnutls_pkcs12_bag_init(&bag), 0);
	ck_assert_int_eq(gnutls_pkcs12_get_bag(p12, 0, bag), 0);
	ck_assert_int_eq(gnutls_pkcs12_bag_decrypt(bag, PASS), 0);
	ck_assert_int_eq(gnutls_pkcs12_bag_get_friendly_name(bag, 1, &name), 0);
	ck_assert_str_eq(name, "CA");
	gnutls_pkcs12_bag_deinit(bag);
	gnutls_pkcs12_deinit(p12);
	gnutls_free(der.data);
	tcert_clear(&ca);
	tcert_clear(&leaf);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("pem");

	tcase_add_loop_test(tc, test_pem, 0, nitems(pems));
	tcase_add_test(tc, test_pem_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("pkcs12");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_p12_contents, 0, nitems(kinds));
	tcase_add_loop_test(tc, test_p12_layout, 0, nitems(kinds));
	tcase_add_test(tc, test_p12_refuses);
	tcase_add_test(tc, test_p12_ca_without_cn);
	suite_add_tcase(s, tc);
	return s;
}
