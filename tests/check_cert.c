/*
 * Tests for src/cert.c, src/ca.c and src/issuance.c: serial numbers,
 * the CA's and the leaves' extensions as GnuTLS reads them back, SAN
 * text round trips, and the passphrase-protected CA key.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "issuance.h"
#include "util.h"

START_TEST(test_serials)
{
	unsigned char a[SERIAL_LEN], b[SERIAL_LEN];
	int i;

	for (i = 0; i < 2000; i++) {
		ck_assert_int_eq(serial_generate(a), 0);
		/* RFC 5280 4.1.2.2: positive, 20 octets, minimal DER. */
		ck_assert_int_eq(a[0] & 0x80, 0);
		ck_assert_int_ne(a[0], 0);
		ck_assert_int_eq(serial_generate(b), 0);
		ck_assert(memcmp(a, b, SERIAL_LEN) != 0);
	}
}
END_TEST

START_TEST(test_key_types)
{
	enum key_type t;

	ck_assert_int_eq(key_type_parse("p256", &t), 0);
	ck_assert_int_eq(t, KEY_P256);
	ck_assert_str_eq(key_type_name(KEY_RSA3072), "rsa3072");
	ck_assert_int_eq(key_type_parse("dsa", &t), -1);
	ck_assert_int_eq(key_type_parse("", &t), -1);
}
END_TEST

START_TEST(test_san_text_round_trip)
{
	struct san_list l = { NULL, 0 }, back = { NULL, 0 };
	char *text, *again;

	san_list_add(&l, SAN_URI, "sip:example.com");
	san_list_add(&l, SAN_DNS, "example.com");
	san_list_add(&l, SAN_DNS, "example.com");	/* duplicate: dropped */
	san_list_add(&l, SAN_IP, "192.0.2.1");
	ck_assert_uint_eq(l.n, 3);
	text = san_list_format(&l);
	ck_assert_str_eq(text, "URI:sip:example.com,DNS:example.com,IP:192.0.2.1");
	ck_assert_int_eq(san_list_parse(text, &back), 0);
	again = san_list_format(&back);
	ck_assert_str_eq(text, again);
	ck_assert_int_eq(san_list_parse("FOO:bar", &back), -1);
	free(text);
	free(again);
	san_list_free(&l);
	san_list_free(&back);
}
END_TEST

static struct ca *
make_ca(enum key_type type)
{
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key = { NULL, 0 };

	memset(&p, 0, sizeof(p));
	p.common_name = "Test SIP CA";
	p.key_type = type;
	p.days = 365;
	p.not_before = sipca_now();
	p.permit_dns = "example.com";
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key), 0);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	return ca;
}

START_TEST(test_ca_extensions)
{
	struct ca *ca = make_ca(KEY_P256);
	unsigned critical = 0, is_ca = 0, usage = 0;
	int pathlen = -1;

	ck_assert_int_ge(gnutls_x509_crt_get_basic_constraints(ca->crt, &critical,
	    &is_ca, &pathlen), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_uint_eq(is_ca, 1);
	ck_assert_int_eq(pathlen, 0);
	ck_assert_int_ge(gnutls_x509_crt_get_key_usage(ca->crt, &usage, &critical), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_uint_eq(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
	ck_assert_uint_gt(ca->key_id_len, 0);
	ck_assert_int_eq(gnutls_x509_crt_get_signature_algorithm(ca->crt),
	    GNUTLS_SIGN_ECDSA_SHA256);
	ca_free(ca);
}
END_TEST

START_TEST(test_issue_server)
{
	struct ca *ca = make_ca(KEY_P256);
	struct issuance_spec spec;
	struct issuance is;
	struct san_list sans = { NULL, 0 };
	unsigned verify = 0, usage = 0, critical = 0;
	char oid[64], *msg = NULL;
	size_t size;

	memset(&spec, 0, sizeof(spec));
	spec.kind = KIND_SERVER;
	spec.name = "sip.example.com";
	spec.domain = "example.com";
	spec.key_type = KEY_P256;
	spec.days = DEFAULT_LEAF_DAYS;
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_validate(&spec, &msg), 0);
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is), 0);
	/* Read back what was encoded: GnuTLS caches fields set locally. */
	gnutls_x509_crt_deinit(is.crt);
	ck_assert_int_eq(gnutls_x509_crt_init(&is.crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(is.crt, &is.cert_pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crt_verify(is.crt, &ca->crt, 1, 0, &verify), 0);
	ck_assert_uint_eq(verify, 0);
	ck_assert_int_eq(cert_sans(is.crt, &sans), 0);
	ck_assert_uint_eq(sans.n, 3);
	ck_assert_int_eq(sans.items[0].type, SAN_URI);
	ck_assert_str_eq(sans.items[0].value, "sip:example.com");
	ck_assert_str_eq(sans.items[1].value, "example.com");
	ck_assert_str_eq(sans.items[2].value, "sip.example.com");
	ck_assert_int_ge(gnutls_x509_crt_get_key_usage(is.crt, &usage, &critical), 0);
	ck_assert_uint_eq(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);	/* ECDSA */
	ck_assert_uint_eq(critical, 1);
	size = sizeof(oid);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(is.crt, 0, oid, &size,
	    &critical), 0);
	ck_assert_str_eq(oid, GNUTLS_KP_TLS_WWW_SERVER);
	size = sizeof(oid);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(is.crt, 1, oid, &size,
	    &critical), 0);
	ck_assert_str_eq(oid, GNUTLS_KP_TLS_WWW_CLIENT);
	ck_assert_int_eq(is.not_after - is.not_before, 825L * 86400);
	ck_assert_ptr_nonnull(is.key_pem.data);
	ck_assert_str_eq(is.key_source, "generated");
	ck_assert_str_eq(is.key_type, "p256");
	ck_assert_uint_eq(strlen(is.serial), 40);
	/* chain.pem is the certificate then the CA */
	ck_assert(strncmp(is.chain_pem, (char *)is.cert_pem.data, is.cert_pem.size) == 0);
	ck_assert(strstr(is.chain_pem, (char *)ca->pem.data) != NULL);
	san_list_free(&sans);
	san_list_free(&spec.sans);
	issuance_free(&is);
	ca_free(ca);
}
END_TEST

START_TEST(test_validate_rejects)
{
	static const struct {
		enum cert_kind kind;
		const char *name;
		const char *uri;
		const char *want;
	} cases[] = {
		{ KIND_DEVICE, "ok", "sip:@example.com", "invalid SIP URI: 'sip:@example.com'" },
		{ KIND_DEVICE, "../x", NULL, "invalid name: '../x'" },
		{ KIND_SERVER, "a_b.example.com", NULL, "invalid server name" },
		{ KIND_SERVER, "*.example.com", NULL, "wildcard" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct issuance_spec spec;
		char *msg = NULL;

		memset(&spec, 0, sizeof(spec));
		spec.kind = cases[i].kind;
		spec.name = cases[i].name;
		spec.domain = "example.com";
		if (cases[i].uri != NULL)
			san_list_add(&spec.sans, SAN_URI, cases[i].uri);
		issuance_default_sans(&spec, 0);
		ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
		ck_assert_msg(strstr(msg, cases[i].want) != NULL, "%s", msg);
		free(msg);
		san_list_free(&spec.sans);
	}
}
END_TEST

START_TEST(test_encrypted_ca_key)
{
	struct ca_params p;
	struct ca *ca = NULL, *loaded = NULL;
	gnutls_datum_t key = { NULL, 0 };
	const char *reason;

	memset(&p, 0, sizeof(p));
	p.common_name = "Enc CA";
	p.key_type = KEY_P256;
	p.days = 30;
	p.not_before = sipca_now();
	ck_assert_int_eq(ca_create(&p, "s3cret", &ca, &key), 0);
	ck_assert(ca_key_is_encrypted(key.data, key.size));
	ck_assert_int_eq(ca_load_cert(ca->pem.data, ca->pem.size, &loaded, &reason), 0);
	ck_assert_int_eq(ca_attach_key(loaded, key.data, key.size, "wrong"),
	    GNUTLS_E_DECRYPTION_FAILED);
	ck_assert_ptr_null(loaded->key);
	ck_assert_int_eq(ca_attach_key(loaded, key.data, key.size, "s3cret"), 0);
	ck_assert_ptr_nonnull(loaded->key);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	ca_free(ca);
	ca_free(loaded);
}
END_TEST

START_TEST(test_key_must_match_ca)
{
	struct ca *a = make_ca(KEY_P256), *b = make_ca(KEY_P256), *loaded = NULL;
	gnutls_datum_t key = { NULL, 0 };
	struct ca_params p;
	struct ca *c = NULL;
	const char *reason;

	memset(&p, 0, sizeof(p));
	p.common_name = "Other";
	p.key_type = KEY_P256;
	p.days = 30;
	p.not_before = sipca_now();
	ck_assert_int_eq(ca_create(&p, NULL, &c, &key), 0);
	ck_assert_int_eq(ca_load_cert(a->pem.data, a->pem.size, &loaded, &reason), 0);
	ck_assert_int_eq(ca_attach_key(loaded, key.data, key.size, NULL),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	ca_free(a);
	ca_free(b);
	ca_free(c);
	ca_free(loaded);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("cert");
	SRunner *sr;
	int failed;

	gnutls_global_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_serials);
	tcase_add_test(tc, test_key_types);
	tcase_add_test(tc, test_san_text_round_trip);
	tcase_add_test(tc, test_ca_extensions);
	tcase_add_test(tc, test_issue_server);
	tcase_add_test(tc, test_validate_rejects);
	tcase_add_test(tc, test_encrypted_ca_key);
	tcase_add_test(tc, test_key_must_match_ca);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	gnutls_global_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
