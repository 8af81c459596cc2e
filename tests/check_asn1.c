/*
 * check_asn1: src/pki/asn1.c, the strict-DER decoder. A certificate made
 * with GnuTLS at run time decodes; the same bytes with trailing octets,
 * a BER-only (non-minimal or indefinite) length, or cut short do not.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "asn1.h"
#include "san_list.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static gnutls_datum_t cert_der;

/* A self-signed P-256 certificate, once per process. */
static void
make_cert(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	unsigned char serial[] = { 0x01, 0x02, 0x03 };
	time_t now = 1767225600;	/* 2026-01-01 */

	if (cert_der.data != NULL)
		return;
	ck_assert_int_eq(gnutls_x509_privkey_init(&key), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, now);
	gnutls_x509_crt_set_expiration_time(crt, now + 86400 * 365);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    "asn1 test", 9);
	gnutls_x509_crt_set_key(crt, key);
	gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &cert_der), 0);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

START_TEST(test_good)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE], oid[64];
	size_t used = 0;

	make_cert();
	ck_assert_int_eq(pkix_decode("Certificate", cert_der.data, cert_der.size, 0,
	    &n, &used, err), 0);
	ck_assert_uint_eq(used, cert_der.size);
	ck_assert_int_eq(pkix_read_oid(n, "signatureAlgorithm.algorithm", oid,
	    sizeof(oid)), 0);
	ck_assert_str_eq(oid, "1.2.840.10045.4.3.2");
	ck_assert_int_eq(pkix_count(n, "tbsCertificate.extensions"), 1);
	ck_assert_int_eq(pkix_count(n, "tbsCertificate.subject.rdnSequence"), 1);
	ck_assert(pkix_present(n, "tbsCertificate.extensions"));
	ck_assert(!pkix_present(n, "tbsCertificate.issuerUniqueID"));
	asn1_delete_structure(&n);
}
END_TEST

START_TEST(test_trailing)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char *b;
	size_t used = 0;

	make_cert();
	b = malloc(cert_der.size + 2);
	memcpy(b, cert_der.data, cert_der.size);
	b[cert_der.size] = 0;
	b[cert_der.size + 1] = 0;
	ck_assert_int_eq(pkix_decode("Certificate", b, cert_der.size + 2, 0, &n,
	    NULL, err), -1);
	ck_assert_msg(strstr(err, "2 octets after") != NULL, "reason: %s", err);
	ck_assert_int_eq(pkix_decode("Certificate", b, cert_der.size + 2,
	    PKIX_ALLOW_TRAILING, &n, &used, err), 0);
	ck_assert_uint_eq(used, cert_der.size);
	asn1_delete_structure(&n);
	free(b);
}
END_TEST

/* The outer SEQUENCE's length re-written with one more length octet than
 * needed: valid BER, not DER (X.690 10.1). */
START_TEST(test_ber_length)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char *b;
	size_t k, len;

	make_cert();
	ck_assert_uint_eq(cert_der.data[0], 0x30);
	ck_assert(cert_der.data[1] & 0x80);
	k = cert_der.data[1] & 0x7f;
	len = cert_der.size + 1;
	b = malloc(len);
	b[0] = 0x30;
	b[1] = (unsigned char)(0x80 | (k + 1));
	b[2] = 0x00;
	memcpy(b + 3, cert_der.data + 2, cert_der.size - 2);
	ck_assert_int_eq(pkix_decode("Certificate", b, len, 0, &n, NULL, err), -1);
	ck_assert(err[0] != '\0');
	free(b);
}
END_TEST

/* Indefinite length (0x80 ... 00 00): BER only. */
START_TEST(test_indefinite_length)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	const unsigned char bc[] = { 0x30, 0x80, 0x01, 0x01, 0xff, 0x00, 0x00 };

	ck_assert_int_eq(pkix_decode("BasicConstraints", bc, sizeof(bc), 0, &n,
	    NULL, err), -1);
}
END_TEST

START_TEST(test_truncated)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	size_t cut[] = { 1, 2, 10, 100 };
	size_t i;

	make_cert();
	for (i = 0; i < nitems(cut); i++)
		ck_assert_msg(pkix_decode("Certificate", cert_der.data,
		    cert_der.size - cut[i], 0, &n, NULL, err) == -1,
		    "decoded with %zu octets cut", cut[i]);
	ck_assert_int_eq(pkix_decode("Certificate", cert_der.data, 0, 0, &n, NULL,
	    err), -1);
}
END_TEST

START_TEST(test_basic_constraints)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE], v[8];
	const unsigned char ca[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
	const unsigned char leaf[] = { 0x30, 0x00 };
	int len = sizeof(v) - 1;

	ck_assert_int_eq(pkix_decode("BasicConstraints", ca, sizeof(ca), 0, &n,
	    NULL, err), 0);
	ck_assert_int_eq(pkix_read(n, "cA", v, &len), 0);
	v[len] = '\0';
	ck_assert_str_eq(v, "TRUE");
	asn1_delete_structure(&n);
	ck_assert_int_eq(pkix_decode("BasicConstraints", leaf, sizeof(leaf), 0, &n,
	    NULL, err), 0);
	ck_assert(!pkix_present(n, "pathLenConstraint"));
	asn1_delete_structure(&n);
}
END_TEST

START_TEST(test_tlv_content)
{
	const unsigned char short_form[] = { 0x04, 0x02, 0xaa, 0xbb };
	const unsigned char long_form[] = { 0x04, 0x81, 0x01, 0xcc };
	const unsigned char overrun[] = { 0x04, 0x05, 0xaa };
	const unsigned char *p;
	unsigned char tag;
	size_t n;

	ck_assert_int_eq(pkix_tlv_content(short_form, sizeof(short_form), &tag, &p, &n), 0);
	ck_assert_uint_eq(tag, 0x04);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[0], 0xaa);
	ck_assert_int_eq(pkix_tlv_content(long_form, sizeof(long_form), &tag, &p, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(p[0], 0xcc);
	ck_assert_int_eq(pkix_tlv_content(overrun, sizeof(overrun), &tag, &p, &n), -1);
}
END_TEST

START_TEST(test_unknown_type)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	const unsigned char leaf[] = { 0x30, 0x00 };

	ck_assert_int_eq(pkix_decode("NoSuchType", leaf, sizeof(leaf), 0, &n,
	    NULL, err), -1);
	ck_assert(err[0] != '\0');
}
END_TEST

/* Encoding with the module's types: DEFAULT values left out (X.690
 * 11.5), and what was encoded decodes again. */
START_TEST(test_encode)
{
	asn1_node n = NULL, back = NULL;
	char err[PKIX_ERR_SIZE], v[8];
	unsigned char *der = NULL;
	size_t der_len = 0;
	const unsigned char want[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	const unsigned char reason[] = { 0x0a, 0x01, 0x04 };
	int len = sizeof(v) - 1;

	ck_assert_int_eq(pkix_new("BasicConstraints", &n, err), 0);
	ck_assert_int_eq(pkix_write(n, "cA", "FALSE", 1, err), 0);
	ck_assert_int_eq(pkix_write(n, "pathLenConstraint", "0", 0, err), 0);
	ck_assert_int_eq(pkix_encode(n, "", &der, &der_len, err), 0);
	ck_assert_uint_eq(der_len, sizeof(want));
	ck_assert_mem_eq(der, want, sizeof(want));
	ck_assert_int_eq(pkix_decode("BasicConstraints", der, der_len, 0, &back,
	    NULL, err), 0);
	ck_assert(pkix_present(back, "pathLenConstraint"));
	ck_assert_int_eq(pkix_read(back, "cA", v, &len), 0);
	v[len] = '\0';
	ck_assert_str_eq(v, "FALSE");
	free(der);
	der = NULL;
	asn1_delete_structure(&n);
	asn1_delete_structure(&back);

	/* The CRL entry reasonCode (RFC 5280 5.3.1), by its ASN.1 name. */
	ck_assert_int_eq(pkix_new("CRLReason", &n, err), 0);
	ck_assert_int_eq(pkix_write(n, "", "superseded", 0, err), 0);
	ck_assert_int_eq(pkix_encode(n, "", &der, &der_len, err), 0);
	ck_assert_uint_eq(der_len, sizeof(reason));
	ck_assert_mem_eq(der, reason, sizeof(reason));
	free(der);
	asn1_delete_structure(&n);
}
END_TEST

/* The reasons name the libtasn1 call and the field. */
START_TEST(test_encode_errors)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char *der = NULL;
	size_t der_len = 0;

	ck_assert_int_eq(pkix_new("NoSuchType", &n, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "asn1_create_element NoSuchType"));
	ck_assert_int_eq(pkix_new("AuthorityKeyIdentifier", &n, err), 0);
	ck_assert_int_eq(pkix_write(n, "noSuchField", "x", 1, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "asn1_write_value noSuchField"));
	asn1_delete_structure(&n);
	/* A mandatory field never written cannot be encoded. */
	ck_assert_int_eq(pkix_new("Extension", &n, err), 0);
	ck_assert_int_eq(pkix_encode(n, "", &der, &der_len, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "asn1_der_coding"));
	ck_assert_ptr_null(der);
	asn1_delete_structure(&n);
}
END_TEST

START_TEST(test_der_minimal)
{
	const unsigned char good[] = { 0x30, 0x03, 0x04, 0x01, 0xaa };
	const unsigned char padded[] = { 0x30, 0x04, 0x04, 0x81, 0x01, 0xaa };
	const unsigned char cut[] = { 0x30, 0x03, 0x04, 0x02, 0xaa };

	ck_assert_int_eq(pkix_der_minimal(good, sizeof(good)), 0);
	ck_assert_int_eq(pkix_der_minimal(padded, sizeof(padded)), -1);
	ck_assert_int_eq(pkix_der_minimal(cut, sizeof(cut)), -1);
}
END_TEST

START_TEST(test_nth)
{
	char buf[32];

	ck_assert_str_eq(pkix_nth(buf, sizeof(buf), "extensions", 1, ""),
	    "extensions.?1");
	ck_assert_str_eq(pkix_nth(buf, sizeof(buf), "", 4096, ".extnID"),
	    "?4096.extnID");
	ck_assert_str_eq(pkix_nth(buf, sizeof(buf), "rdnSequence.?2", 10, ".type"),
	    "rdnSequence.?2.?10.type");
	/* 4294967295 is ten digits: "?" + 10 + NUL is 12 */
	ck_assert_ptr_null(pkix_nth(buf, 11, "", 4294967295u, ""));
	ck_assert_str_eq(pkix_nth(buf, 12, "", 4294967295u, ""), "?4294967295");
}
END_TEST

/*
 * san_list_from_der() reads a GeneralNames of strings without libtasn1
 * (its only_strings()): it must never take what libtasn1's strict decode
 * refuses. Every octet of such a value is replaced by values that make
 * other tags, lengths and forms, and every prefix is tried.
 */
START_TEST(test_san_strings_as_libtasn1)
{
	static const unsigned char sans[] = {
		0x30, 0x35,
		0x86, 0x0f, 's', 'i', 'p', ':', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		    '.', 'c', 'o', 'm',
		0x82, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
		0x82, 0x0f, 's', 'i', 'p', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		    '.', 'c', 'o', 'm',
		0x87, 0x04, 0x7f, 0x00, 0x00, 0x01,
	};
	static const unsigned char values[] = { 0x00, 0x01, 0x04, 0x0b, 0x1f,
	    0x20, 0x30, 0x35, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x86, 0x87, 0x88,
	    0xa0, 0xa2, 0xa6, 0xff };
	/* the dNSName's length in a long form, one octet too many */
	static const unsigned char padded[] = {
		0x30, 0x0e, 0x82, 0x81, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		    '.', 'c', 'o', 'm',
	};
	unsigned char m[sizeof(sans) + 2];
	struct san_list l = { 0 };
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	size_t i, k, len, accepted = 0, tried = 0;
	int ours, lib;

	for (i = 0; i <= sizeof(sans) * (nitems(values) + 4); i++) {
		memcpy(m, sans, sizeof(sans));
		len = sizeof(sans);
		k = i / sizeof(sans);
		if (i == sizeof(sans) * (nitems(values) + 4)) {
			m[len++] = 0x04;		/* a TLV after it */
			m[len++] = 0x00;
		} else if (k < nitems(values)) {
			m[i % sizeof(sans)] = values[k];
		} else if (k == nitems(values)) {
			len = i % sizeof(sans);		/* a prefix */
		} else {
			m[i % sizeof(sans)] ^= (unsigned char)(1u << (k - nitems(values)));
		}
		ours = san_list_from_der(m, len, &l) == 0;
		san_list_clear(&l);
		lib = pkix_decode("GeneralNames", m, len, 0, &n, NULL, err) == 0;
		if (n != NULL)
			asn1_delete_structure(&n);
		if (ours && !lib)
			ck_abort_msg("case %zu: taken, but libtasn1 refuses it: %s", i, err);
		accepted += ours;
		tried++;
	}
	ck_assert_int_eq(san_list_from_der(padded, sizeof(padded), &l), -1);
	ck_assert_int_eq(pkix_decode("GeneralNames", padded, sizeof(padded), 0,
	    &n, NULL, err), -1);
	/* the mutations left many values valid (other names, other bytes) */
	ck_assert_uint_gt(accepted, tried / 4);
	ck_assert_uint_lt(accepted, tried);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("asn1");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_trailing);
	tcase_add_test(tc, test_ber_length);
	tcase_add_test(tc, test_indefinite_length);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_basic_constraints);
	tcase_add_test(tc, test_tlv_content);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_der_minimal);
	tcase_add_test(tc, test_nth);
	tcase_add_test(tc, test_san_strings_as_libtasn1);
	suite_add_tcase(s, tc);
	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_encode_errors);
	suite_add_tcase(s, tc);
	return s;
}
