/*
 * check_eap_tls: src/pki/eap_tls.c, a MAC address as the name of an
 * 802.1X certificate (every spelling people and devices use, one form
 * out; what is no unicast MAC-48 refused), and the profile where it is
 * applied: issuance_validate() wants that form, issuance_default_sans()
 * gives DNS:MAC.DOMAIN and no SIP URI, and issuance_prepare() signs
 * clientAuth alone with digitalSignature (+keyEncipherment for RSA).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "eap_tls.h"
#include "issuance.h"
#include "report.h"
#include "util.h"
#include "x509.h"

#include "fixture_ca.h"

static const struct {
	const char *in;
	const char *want;		/* NULL: refused */
} macs[] = {
	{ "0004f2a1b2c3", "0004f2a1b2c3" },
	{ "0004F2A1B2C3", "0004f2a1b2c3" },
	{ "00:04:f2:a1:b2:c3", "0004f2a1b2c3" },
	{ "00:04:F2:A1:B2:C3", "0004f2a1b2c3" },
	{ "00-04-F2-A1-B2-C3", "0004f2a1b2c3" },	/* RFC 3580 3.21 */
	{ "0004.f2a1.b2c3", "0004f2a1b2c3" },		/* Cisco */
	{ "02:00:00:00:00:01", "020000000001" },	/* locally administered: a MAC still */
	{ "", NULL },
	{ "0004f2a1b2c", NULL },
	{ "0004f2a1b2c3d", NULL },
	{ "0004f2a1b2cg", NULL },
	{ "00:04:f2:a1:b2", NULL },
	{ "00:04-f2:a1:b2:c3", NULL },			/* two separators */
	{ "000:4f2:a1:b2:c3:", NULL },			/* 17 long, groups wrong */
	{ "00.04.f2.a1.b2.c3", NULL },			/* '.' joins fours */
	{ "0004:f2a1:b2c3", NULL },			/* ':' joins pairs */
	{ "0004f.2a1b.2c3", NULL },
	{ "00:04:f2:a1:b2:c3 ", NULL },
	{ "alice-zoiper", NULL },
	{ "01:00:5e:00:00:fb", NULL },			/* a group (multicast) address */
	{ "ff:ff:ff:ff:ff:ff", NULL },			/* broadcast */
};

START_TEST(test_mac_parse)
{
	char out[EAP_TLS_MAC_LEN] = "unchanged";
	const char *reason = NULL;
	int rc = eap_tls_mac_parse(macs[_i].in, out, &reason);

	if (macs[_i].want != NULL) {
		ck_assert_msg(rc == 0, "'%s' refused: %s", macs[_i].in, reason);
		ck_assert_str_eq(out, macs[_i].want);
		ck_assert_ptr_null(reason);
	} else {
		ck_assert_msg(rc < 0, "'%s' taken as '%s'", macs[_i].in, out);
		ck_assert_str_eq(out, "unchanged");
		ck_assert_ptr_nonnull(reason);
	}
}
END_TEST

static void
eap_spec(struct issuance_spec *spec, const char *name, enum key_type kt)
{
	memset(spec, 0, sizeof(*spec));
	spec->kind = KIND_EAP_TLS;
	spec->name = name;
	spec->domain = "example.com";
	spec->key_type = kt;
	spec->days = 30;
	spec->days_from = "--days";
}

START_TEST(test_default_sans)
{
	struct issuance_spec spec;
	char *text, *msg = NULL;

	eap_spec(&spec, "0004f2a1b2c3", KEY_P256);
	issuance_default_sans(&spec, 0);
	text = san_list_format(&spec.sans);
	ck_assert_str_eq(text, "DNS:0004f2a1b2c3.example.com");
	free(text);
	ck_assert_int_eq(issuance_validate(&spec, &msg), 0);
	san_list_clear(&spec.sans);

	/* Names given come after it; the host name given again is not doubled. */
	eap_spec(&spec, "0004f2a1b2c3", KEY_P256);
	san_list_add(&spec.sans, SAN_URI, "sip:1001@example.com");
	san_list_add(&spec.sans, SAN_DNS, "0004F2A1B2C3.example.com");
	issuance_default_sans(&spec, 0);
	text = san_list_format(&spec.sans);
	ck_assert_str_eq(text, "URI:sip:1001@example.com,DNS:0004f2a1b2c3.example.com");
	free(text);
	san_list_clear(&spec.sans);
}
END_TEST

START_TEST(test_validate)
{
	struct issuance_spec spec;
	char *msg = NULL;

	/* The name must be the MAC in its one form: the caller normalises it. */
	eap_spec(&spec, "00:04:f2:a1:b2:c3", KEY_P256);
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
	ck_assert_msg(strstr(msg, "give '0004f2a1b2c3'") != NULL, "%s", msg);
	free(msg);
	msg = NULL;
	san_list_clear(&spec.sans);

	eap_spec(&spec, "alice", KEY_P256);
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
	ck_assert_msg(strstr(msg, "invalid 802.1X device name: 'alice'") != NULL, "%s", msg);
	free(msg);
	msg = NULL;
	san_list_clear(&spec.sans);

	/* A device, for the store's policy: never the domain's own identity. */
	eap_spec(&spec, "0004f2a1b2c3", KEY_P256);
	san_list_add(&spec.sans, SAN_DNS, "example.com");
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
	ck_assert_msg(strstr(msg, "not a device's") != NULL, "%s", msg);
	free(msg);
	msg = NULL;
	san_list_clear(&spec.sans);

	eap_spec(&spec, "0004f2a1b2c3", KEY_P256);
	san_list_add(&spec.sans, SAN_URI, "sip:example.com");
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
	free(msg);
	san_list_clear(&spec.sans);
}
END_TEST

/* What the signed certificate says, read back by GnuTLS. */
static void
assert_profile(const struct issuance *is, unsigned want_ku)
{
	gnutls_x509_crt_t crt = NULL;
	char buf[256];
	size_t size;
	unsigned ku = 0, critical = 0;

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &is->cert_pem,
	    GNUTLS_X509_FMT_PEM), 0);
	size = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crt_get_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size), 0);
	ck_assert_str_eq(buf, "0004f2a1b2c3");
	size = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(crt, 0, buf, &size,
	    NULL), 0);
	ck_assert_str_eq(buf, GNUTLS_KP_TLS_WWW_CLIENT);
	size = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(crt, 1, buf, &size,
	    NULL), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	ck_assert_int_eq(gnutls_x509_crt_get_key_usage(crt, &ku, &critical), 0);
	ck_assert_uint_eq(ku, want_ku);
	ck_assert_uint_eq(critical, 1);
	size = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_alt_name(crt, 0, buf, &size,
	    NULL), GNUTLS_SAN_DNSNAME);
	ck_assert_str_eq(buf, "0004f2a1b2c3.example.com");
	size = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_alt_name(crt, 1, buf, &size,
	    NULL), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	gnutls_x509_crt_deinit(crt);
}

START_TEST(test_prepare)
{
	struct ca *ca = fixture_ca(NULL, NULL, NULL);
	struct issuance_spec spec;
	struct issuance is;
	struct report rep = { NULL, 0 };
	struct store_issue st;

	eap_spec(&spec, "0004f2a1b2c3", KEY_P256);
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, &rep), RESULT_OK);
	assert_profile(&is, GNUTLS_KEY_DIGITAL_SIGNATURE);
	/* The guard found nothing worth saying: no SIP rule asked for a URI. */
	ck_assert_uint_eq(rep.n, 0);
	issuance_to_store(&is, &spec, &st);
	ck_assert_str_eq(st.kind, "eap-tls");
	issuance_clear(&is);
	san_list_clear(&spec.sans);

	/* RSA: keyEncipherment too, for TLS 1.2's RSA key transport. */
	eap_spec(&spec, "0004f2a1b2c3", KEY_RSA2048);
	issuance_default_sans(&spec, 0);
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, &rep), RESULT_OK);
	assert_profile(&is, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	report_clear(&rep);
	ca_free(ca);
}
END_TEST

START_TEST(test_kind_names)
{
	enum cert_kind k = KIND_CA;

	ck_assert_str_eq(cert_kind_name(KIND_EAP_TLS), "eap-tls");
	ck_assert_int_eq(cert_kind_parse("eap-tls", &k), 0);
	ck_assert_int_eq(k, KIND_EAP_TLS);
	ck_assert_int_eq(cert_kind_is_device(KIND_EAP_TLS), 1);
	ck_assert_int_eq(cert_kind_is_device(KIND_DEVICE), 1);
	ck_assert_int_eq(cert_kind_is_device(KIND_SERVER), 0);
	ck_assert_int_eq(cert_kind_is_device(KIND_CA), 0);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("eap_tls");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_mac_parse, 0, (int)(sizeof(macs) / sizeof(macs[0])));
	tcase_add_test(tc, test_default_sans);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_prepare);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);
	return s;
}
