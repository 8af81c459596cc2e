/*
 * check_crl: src/pki/crl.c. CRLs are built for a CA made in memory (RSA and
 * ECDSA, since the reason codes are added by re-signing) and read back
 * with GnuTLS's own parser: signature, version, number, AKI, times,
 * serials, and the reasonCode bytes of RFC 5280 5.3.1.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "crl.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const enum key_type ca_keys[] = { KEY_P256, KEY_RSA2048, KEY_P384 };

static struct ca *
make_ca(enum key_type type)
{
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key_pem = { NULL, 0 };

	memset(&p, 0, sizeof(p));
	p.common_name = "example.com SIP CA";
	p.key_type = type;
	p.days = 3650;
	p.not_before = 1767225600;	/* 2026-01-01 */
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key_pem), 0);
	gnutls_free(key_pem.data);
	return ca;
}

/* The CA certificate as a relying party has it: parsed from its PEM. */
static gnutls_x509_crt_t
issuer_of(const struct ca *ca)
{
	gnutls_x509_crt_t crt;

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &ca->pem, GNUTLS_X509_FMT_PEM), 0);
	return crt;
}

static gnutls_x509_crl_t
import_crl(const gnutls_datum_t *der)
{
	gnutls_x509_crl_t crl;

	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_import(crl, der, GNUTLS_X509_FMT_DER), 0);
	return crl;
}

/* True when der holds the reasonCode extension with this code. */
static int
has_reason(const gnutls_datum_t *der, int code)
{
	const unsigned char ext[] = { 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
	    0x04, 0x03, 0x0a, 0x01, (unsigned char)code };
	unsigned i;

	for (i = 0; i + sizeof(ext) <= der->size; i++)
		if (memcmp(der->data + i, ext, sizeof(ext)) == 0)
			return 1;
	return 0;
}

START_TEST(test_reason_names)
{
	static const struct { const char *name; int code; } rows[] = {
		{ "unspecified", 0 }, { "keyCompromise", 1 },
		{ "affiliationChanged", 3 }, { "superseded", 4 },
		{ "cessationOfOperation", 5 },
	};
	enum crl_reason r;
	size_t i;

	for (i = 0; i < nitems(rows); i++) {
		ck_assert_int_eq(crl_reason_parse(rows[i].name, &r), 0);
		ck_assert_int_eq((int)r, rows[i].code);
		ck_assert_str_eq(crl_reason_name(r), rows[i].name);
	}
	/* caCompromise and certificateHold are not for a leaf CA's users. */
	ck_assert_int_eq(crl_reason_parse("caCompromise", &r), -1);
	ck_assert_int_eq(crl_reason_parse("certificateHold", &r), -1);
	ck_assert_int_eq(crl_reason_parse("keycompromise", &r), -1);
	ck_assert_int_eq(crl_reason_parse("", &r), -1);
}
END_TEST

START_TEST(test_empty_crl)
{
	struct ca *ca = make_ca(KEY_P256);
	struct crl_params p = { 1796083200, 1796083200 + 30 * 86400, 7, NULL, 0 };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crl_t crl;
	gnutls_x509_crt_t issuer;
	unsigned char num[32], aki[64];
	size_t num_len = sizeof(num), aki_len = sizeof(aki);
	unsigned verify = 1, critical = 1;

	ck_assert_int_eq(crl_build(&p, ca, &der), 0);
	crl = import_crl(&der);
	ck_assert_int_eq(gnutls_x509_crl_get_version(crl), 2);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_get_this_update(crl), p.this_update);
	ck_assert_int_eq(gnutls_x509_crl_get_next_update(crl), p.next_update);
	ck_assert_int_eq(gnutls_x509_crl_get_number(crl, num, &num_len, &critical), 0);
	ck_assert_uint_eq(num_len, 1);
	ck_assert_uint_eq(num[0], 7);
	ck_assert_uint_eq(critical, 0);
	ck_assert_int_eq(gnutls_x509_crl_get_authority_key_id(crl, aki, &aki_len,
	    &critical), 0);
	ck_assert_uint_eq(aki_len, ca->key_id_len);
	ck_assert_mem_eq(aki, ca->key_id, aki_len);
	issuer = issuer_of(ca);
	ck_assert_int_eq(gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify), 0);
	ck_assert_uint_eq(verify, 0);
	gnutls_x509_crt_deinit(issuer);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
	ca_free(ca);
}
END_TEST

/* Numbers past 2^31 and with the top bit of an octet set stay positive. */
START_TEST(test_large_number)
{
	struct ca *ca = make_ca(KEY_P256);
	struct crl_params p = { 1796083200, 1796083200 + 86400, 0x80000001ULL,
	    NULL, 0 };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crl_t crl;
	unsigned char num[32];
	size_t num_len = sizeof(num);
	static const unsigned char want[] = { 0x00, 0x80, 0x00, 0x00, 0x01 };

	ck_assert_int_eq(crl_build(&p, ca, &der), 0);
	crl = import_crl(&der);
	ck_assert_int_eq(gnutls_x509_crl_get_number(crl, num, &num_len, NULL), 0);
	ck_assert_uint_eq(num_len, sizeof(want));
	ck_assert_mem_eq(num, want, sizeof(want));
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
	ca_free(ca);
}
END_TEST

START_TEST(test_entries_with_reasons)
{
	struct ca *ca = make_ca(ca_keys[_i]);
	const struct crl_entry entries[] = {
		{ "4f1a2b3c4d5e6f708192a3b4c5d6e7f801020304", 1796000000,
		    CRL_REASON_KEY_COMPROMISE },
		{ "01", 1796000100, CRL_REASON_UNSPECIFIED },
		{ "7fffffffffffffffffffffffffffffffffffffff", 1796000200,
		    CRL_REASON_CESSATION_OF_OPERATION },
		{ "9a", 1796000300, CRL_REASON_SUPERSEDED },	/* top bit set */
	};
	struct crl_params p = { 1796083200, 1796083200 + 30 * 86400, 12,
	    entries, nitems(entries) };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crl_t crl;
	gnutls_x509_crt_t issuer;
	unsigned char serial[32];
	size_t serial_len;
	time_t when;
	unsigned verify = 1;
	int i;

	ck_assert_int_eq(crl_build(&p, ca, &der), 0);
	crl = import_crl(&der);
	issuer = issuer_of(ca);
	ck_assert_int_eq(gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify), 0);
	ck_assert_uint_eq(verify, 0);
	gnutls_x509_crt_deinit(issuer);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), (int)nitems(entries));
	for (i = 0; i < (int)nitems(entries); i++) {
		serial_len = sizeof(serial);
		ck_assert_int_eq(gnutls_x509_crl_get_crt_serial(crl, i, serial,
		    &serial_len, &when), 0);
		ck_assert_int_eq(when, entries[i].revoked_at);
	}
	serial_len = sizeof(serial);
	gnutls_x509_crl_get_crt_serial(crl, 3, serial, &serial_len, &when);
	ck_assert_uint_eq(serial_len, 2);
	ck_assert_uint_eq(serial[0], 0);
	ck_assert_uint_eq(serial[1], 0x9a);
	ck_assert(has_reason(&der, CRL_REASON_KEY_COMPROMISE));
	ck_assert(has_reason(&der, CRL_REASON_CESSATION_OF_OPERATION));
	ck_assert(has_reason(&der, CRL_REASON_SUPERSEDED));
	/* RFC 5280 5.3.1: unspecified is left out rather than encoded. */
	ck_assert(!has_reason(&der, CRL_REASON_UNSPECIFIED));
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
	ca_free(ca);
}
END_TEST

/* Long enough that the revokedCertificates length takes two octets. */
START_TEST(test_many_entries)
{
	struct ca *ca = make_ca(KEY_P256);
	struct crl_entry entries[300];
	char serials[300][8];
	struct crl_params p = { 1796083200, 1796083200 + 86400, 3, entries, 300 };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crl_t crl;
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(serials[i], sizeof(serials[i]), "%04x", i + 1);
		entries[i].serial_hex = serials[i];
		entries[i].revoked_at = 1796000000 + i;
		entries[i].reason = i % 2 ? CRL_REASON_KEY_COMPROMISE :
		    CRL_REASON_UNSPECIFIED;
	}
	ck_assert_int_eq(crl_build(&p, ca, &der), 0);
	crl = import_crl(&der);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), 300);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
	ca_free(ca);
}
END_TEST

START_TEST(test_bad_serial)
{
	struct ca *ca = make_ca(KEY_P256);
	const struct crl_entry entries[] = { { "not-hex", 1796000000, 0 } };
	struct crl_params p = { 1796083200, 1796083200 + 86400, 1, entries, 1 };
	gnutls_datum_t der = { NULL, 0 };

	ck_assert_int_lt(crl_build(&p, ca, &der), 0);
	ck_assert_ptr_null(der.data);
	ca_free(ca);
}
END_TEST

/*
 * A CRL for another moment than now is built and its signature checked
 * all the same: GnuTLS's "superseded" and "issued in the future" are
 * about the times the caller chose (the suites' fixed dates pass).
 */
START_TEST(test_other_moments)
{
	struct ca *ca = make_ca(KEY_P256);
	struct crl_params past = { 1767225600, 1767225600 + 86400, 1, NULL, 0 };
	struct crl_params future = { 2082758400, 2082758400 + 86400, 2, NULL, 0 };
	gnutls_datum_t der = { NULL, 0 };

	ck_assert_int_eq(crl_build(&past, ca, &der), 0);
	gnutls_free(der.data);
	der.data = NULL;
	ck_assert_int_eq(crl_build(&future, ca, &der), 0);
	gnutls_free(der.data);
	ca_free(ca);
}
END_TEST

/* A CA loaded without its key is refused, not dereferenced. */
START_TEST(test_keyless_ca)
{
	struct ca *ca = make_ca(KEY_P256), *cert_only = NULL;
	struct crl_params p = { 1796083200, 1796083200 + 86400, 1, NULL, 0 };
	gnutls_datum_t der = { NULL, 0 };
	const char *reason = NULL;

	ck_assert_int_eq(ca_load_cert(ca->pem.data, ca->pem.size, &cert_only,
	    &reason), 0);
	ck_assert_int_eq(crl_build(&p, cert_only, &der),
	    GNUTLS_E_INSUFFICIENT_CREDENTIALS);
	ck_assert_ptr_null(der.data);
	ca_free(cert_only);
	ca_free(ca);
}
END_TEST

START_TEST(test_pem)
{
	struct ca *ca = make_ca(KEY_P256);
	struct crl_params p = { 1796083200, 1796083200 + 86400, 1, NULL, 0 };
	gnutls_datum_t der = { NULL, 0 }, pem = { NULL, 0 };
	gnutls_x509_crl_t crl;

	ck_assert_int_eq(crl_build(&p, ca, &der), 0);
	ck_assert_int_eq(crl_to_pem(&der, &pem), 0);
	ck_assert(pem.size > 20);
	ck_assert(strncmp((const char *)pem.data, "-----BEGIN X509 CRL-----", 24) == 0);
	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_import(crl, &pem, GNUTLS_X509_FMT_PEM), 0);
	gnutls_x509_crl_deinit(crl);
	gnutls_free(der.data);
	gnutls_free(pem.data);
	ca_free(ca);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("crl");
	TCase *tc = tcase_create("crl");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reason_names);
	tcase_add_test(tc, test_empty_crl);
	tcase_add_test(tc, test_large_number);
	tcase_add_loop_test(tc, test_entries_with_reasons, 0, (int)nitems(ca_keys));
	tcase_add_test(tc, test_many_entries);
	tcase_add_test(tc, test_bad_serial);
	tcase_add_test(tc, test_keyless_ca);
	tcase_add_test(tc, test_other_moments);
	tcase_add_test(tc, test_pem);
	suite_add_tcase(s, tc);
	return s;
}
