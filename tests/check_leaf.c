/*
 * Tests for src/pki/leaf.c: a leaf is, byte for byte, the certificate
 * GnuTLS's own builder (gnutls_x509_crt_set_*() and
 * gnutls_x509_crt_privkey_sign(), as sipca used until issue 15) makes
 * for the same request, serial, times and key; the signature verifies;
 * templates are refused for keys sipca cannot sign leaves with.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/x509-ext.h>

#include "asn1.h"
#include "ca.h"
#include "cert.h"
#include "key.h"
#include "leaf.h"
#include "san.h"
#include "util.h"

/* The reference: the certificate GnuTLS builds and signs for req. */
static void
gnutls_leaf(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_datum_t *out_der)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t san_der = { NULL, 0 }, d;
	unsigned char key_id[64], ip[16];
	size_t key_id_len = sizeof(key_id), ip_len, i;
	unsigned usage = GNUTLS_KEY_DIGITAL_SIGNATURE, type;
	const char *reason;

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, serial, SERIAL_LEN), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_pubkey(crt, req->pubkey), 0);
	if (req->organization != NULL)
		ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt,
		    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, req->organization,
		    strlen(req->organization)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, req->common_name,
	    strlen(req->common_name)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, req->not_before), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt, req->not_after != 0 ?
	    req->not_after : req->not_before + (time_t)req->days * 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), 0);
	if (gnutls_pubkey_get_pk_algorithm(req->pubkey, NULL) == GNUTLS_PK_RSA)
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	ck_assert_int_eq(gnutls_x509_crt_set_key_usage(crt, usage), 0);
	if (req->eku_server_auth)
		ck_assert_int_eq(gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
	if (req->eku_client_auth)
		ck_assert_int_eq(gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
	if (req->sans != NULL && req->sans->n > 0) {
		ck_assert_int_eq(gnutls_subject_alt_names_init(&sans), 0);
		for (i = 0; i < req->sans->n; i++) {
			const struct san_entry *e = &req->sans->items[i];

			d.data = (unsigned char *)e->value;
			d.size = (unsigned)e->len;
			type = e->type == SAN_DNS ? GNUTLS_SAN_DNSNAME : GNUTLS_SAN_URI;
			if (e->type == SAN_IP) {
				ck_assert_int_eq(san_parse_ip(e->value, ip, &ip_len,
				    &reason), 0);
				type = GNUTLS_SAN_IPADDRESS;
				d.data = ip;
				d.size = (unsigned)ip_len;
			}
			ck_assert_int_eq(gnutls_subject_alt_names_set(sans, type, &d,
			    NULL), 0);
		}
		ck_assert_int_eq(gnutls_x509_ext_export_subject_alt_names(sans,
		    &san_der), 0);
		ck_assert_int_eq(gnutls_x509_crt_set_extension_by_oid(crt,
		    GNUTLS_X509EXT_OID_SAN, san_der.data, san_der.size, 0), 0);
		gnutls_free(san_der.data);
		gnutls_subject_alt_names_deinit(sans);
	}
	ck_assert_int_eq(gnutls_pubkey_get_key_id(req->pubkey, GNUTLS_KEYID_USE_SHA1,
	    key_id, &key_id_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_subject_key_id(crt, key_id,
	    key_id_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_authority_key_id(crt, ca->key_id,
	    ca->key_id_len), 0);
	if (req->crl_url != NULL)
		ck_assert_int_eq(gnutls_x509_crt_set_crl_dist_points(crt,
		    GNUTLS_SAN_URI, req->crl_url, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_privkey_sign(crt, ca->crt, ca->key,
	    GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, out_der), 0);
	gnutls_x509_crt_deinit(crt);
}

static struct ca *
make_ca(enum key_type type, const char *org)
{
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key = { NULL, 0 };

	memset(&p, 0, sizeof(p));
	p.common_name = "Test SIP CA";
	p.organization = org;
	p.key_type = type;
	p.days = 3650;
	p.not_before = sipca_now();
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key), 0);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	return ca;
}

static gnutls_pubkey_t
make_pubkey(enum key_type type)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t priv = NULL;
	gnutls_pubkey_t pub = NULL;

	ck_assert_int_eq(key_generate(type, &key), 0);
	ck_assert_int_eq(gnutls_privkey_init(&priv), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(priv, key,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
	gnutls_privkey_deinit(priv);
	return pub;
}

/* The TLV of field name ("tbsCertificate", ...) of a certificate's DER. */
static void
slice(const unsigned char *der, size_t len, const char *name,
    const unsigned char **out, size_t *out_len)
{
	char err[PKIX_ERR_SIZE];
	asn1_node node = NULL;

	ck_assert_msg(pkix_decode("Certificate", der, len, 0, &node, NULL, err) == 0,
	    "%s", err);
	ck_assert_int_eq(pkix_slice(node, der, len, name, out, out_len), 0);
	asn1_delete_structure(&node);
}

struct leaf_case {
	const char *label;
	enum key_type subject_key;
	const char *cn, *org, *crl_url;
	const char *sans;		/* san_list_parse() text, or NULL */
	int server_auth, client_auth;
	time_t not_before, not_after;	/* 0: now, now + 825 days */
};

static const struct leaf_case cases[] = {
	{ "server, P-256, three SANs and a CRL URL", KEY_P256, "sip.example.com",
	  NULL, "http://pbx.example.com/crl.pem",
	  "URI:sip:example.com,DNS:example.com,DNS:sip.example.com", 1, 1, 0, 0 },
	{ "device, RSA key (keyEncipherment), an O", KEY_RSA2048, "alice", "Acme Ltd",
	  NULL, "URI:sip:alice@example.com", 0, 1, 0, 0 },
	{ "P-384 key, IPv4 and IPv6 SANs", KEY_P384, "sbc.example.com", NULL, NULL,
	  "DNS:sbc.example.com,IP:192.0.2.7,IP:2001:db8::7", 1, 1, 0, 0 },
	/* '_' and '@' are not PrintableString: UTF8String, as GnuTLS picks */
	{ "a CN outside PrintableString", KEY_P256, "desk_phone@example.com",
	  "Soci\xc3\xa9t\xc3\xa9 T\xc3\xa9l\xc3\xa9phone", NULL,
	  "URI:sip:desk_phone@example.com", 0, 1, 0, 0 },
	{ "no SANs, no extendedKeyUsage", KEY_P256, "bare", NULL, NULL, NULL, 0, 0, 0, 0 },
	/* RFC 5280 4.1.2.5: GeneralizedTime from 2050 */
	{ "validity across 2050", KEY_P256, "late", NULL, NULL,
	  "URI:sip:late@example.com", 0, 1, 2524607999, 2556143999 },
	{ "a long SAN list (length octets of two bytes)", KEY_P256, "many", NULL,
	  "http://crl.example.com/a/very/long/path/to/the/list.crl",
	  "URI:sip:many@example.com,DNS:a1.example.com,DNS:a2.example.com,"
	  "DNS:a3.example.com,DNS:a4.example.com,DNS:a5.example.com,"
	  "DNS:a6.example.com,DNS:a7.example.com,DNS:a8.example.com,"
	  "DNS:a9.example.com,DNS:a10.example.com,DNS:a11.example.com", 1, 1, 0, 0 },
};

static void
run_case(const struct leaf_case *c, const struct ca *ca, int deterministic)
{
	struct cert_request req;
	struct san_list sans = { NULL, 0 };
	struct leaf_template *t = NULL;
	gnutls_datum_t ref = { NULL, 0 }, mine;
	gnutls_x509_crt_t crt = NULL, ref_crt = NULL;
	gnutls_datum_t dn = { NULL, 0 };
	unsigned char serial[SERIAL_LEN], *der = NULL;
	const unsigned char *a, *b;
	size_t len = 0, a_len, b_len;
	const char *reason = NULL;
	char *subject = NULL;
	unsigned verify = 1;

	if (c->sans != NULL)
		ck_assert_int_eq(san_list_parse(c->sans, &sans), 0);
	memset(&req, 0, sizeof(req));
	req.kind = c->server_auth ? KIND_SERVER : KIND_DEVICE;
	req.common_name = c->cn;
	req.organization = c->org;
	req.sans = c->sans != NULL ? &sans : NULL;
	req.days = 825;
	req.not_before = c->not_before != 0 ? c->not_before : sipca_now();
	req.not_after = c->not_after;
	req.eku_server_auth = c->server_auth;
	req.eku_client_auth = c->client_auth;
	req.crl_url = c->crl_url;
	req.pubkey = make_pubkey(c->subject_key);
	ck_assert_int_eq(serial_generate(serial), 0);

	gnutls_leaf(&req, ca, serial, &ref);
	ck_assert_msg(leaf_template_new(ca, c->crl_url, &t, &reason) == 0, "%s: %s",
	    c->label, reason);
	ck_assert_int_eq(leaf_sign(t, &req, ca->key, serial, &der, &len, &subject), 0);

	/* the same to-be-signed octets, and the same signature algorithm */
	slice(ref.data, ref.size, "tbsCertificate", &a, &a_len);
	slice(der, len, "tbsCertificate", &b, &b_len);
	ck_assert_msg(a_len == b_len && memcmp(a, b, a_len) == 0,
	    "%s: tbsCertificate differs from GnuTLS's", c->label);
	slice(ref.data, ref.size, "signatureAlgorithm", &a, &a_len);
	slice(der, len, "signatureAlgorithm", &b, &b_len);
	ck_assert_msg(a_len == b_len && memcmp(a, b, a_len) == 0,
	    "%s: signatureAlgorithm differs", c->label);
	/* PKCS#1 v1.5 is deterministic: then the whole certificate is equal */
	if (deterministic)
		ck_assert_msg(ref.size == len && memcmp(ref.data, der, len) == 0,
		    "%s: the certificate differs from GnuTLS's", c->label);

	/* it verifies under the CA, and its subject reads as GnuTLS's does */
	mine.data = der;
	mine.size = (unsigned)len;
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &mine, GNUTLS_X509_FMT_DER), 0);
	/* (the 2050 case lies outside its CA's years: the signature is the point) */
	ck_assert_int_eq(gnutls_x509_crt_verify(crt, &ca->crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &verify), 0);
	ck_assert_msg(verify == 0, "%s: does not verify (%u)", c->label, verify);
	ck_assert_int_eq(gnutls_x509_crt_init(&ref_crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(ref_crt, &ref, GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_dn3(ref_crt, &dn, 0), 0);
	ck_assert_str_eq(subject, (const char *)dn.data);

	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(ref_crt);
	gnutls_pubkey_deinit(req.pubkey);
	gnutls_free(ref.data);
	free(der);
	free(subject);
	leaf_template_free(t);
	san_list_clear(&sans);
}

START_TEST(test_same_as_gnutls_rsa_ca)
{
	struct ca *ca = make_ca(KEY_RSA2048, "Acme Ltd");

	run_case(&cases[_i], ca, 1);
	ca_free(ca);
}
END_TEST

START_TEST(test_same_as_gnutls_ec_ca)
{
	struct ca *ca = make_ca(_i % 2 ? KEY_P384 : KEY_P256, NULL);

	run_case(&cases[_i], ca, 0);
	ca_free(ca);
}
END_TEST

START_TEST(test_template_fits)
{
	struct ca *ca = make_ca(KEY_P256, NULL), *other = make_ca(KEY_P256, NULL);
	struct leaf_template *t = NULL;
	const char *reason = NULL;

	ck_assert_int_eq(leaf_template_new(ca, "http://a.example.com/crl", &t,
	    &reason), 0);
	ck_assert(leaf_template_fits(t, ca, "http://a.example.com/crl"));
	ck_assert(!leaf_template_fits(t, ca, "http://b.example.com/crl"));
	ck_assert(!leaf_template_fits(t, ca, NULL));
	ck_assert(!leaf_template_fits(t, other, "http://a.example.com/crl"));
	leaf_template_free(t);
	ca_free(ca);
	ca_free(other);
}
END_TEST

/* A request for another CRL URL than the template's, a bad serial: refused. */
START_TEST(test_refusals)
{
	struct ca *ca = make_ca(KEY_P256, NULL);
	struct leaf_template *t = NULL;
	struct cert_request req;
	unsigned char serial[SERIAL_LEN], *der = NULL;
	size_t len = 0;
	const char *reason = NULL;
	char *subject = NULL;

	memset(&req, 0, sizeof(req));
	req.common_name = "x";
	req.days = 1;
	req.not_before = sipca_now();
	req.pubkey = make_pubkey(KEY_P256);
	ck_assert_int_eq(leaf_template_new(ca, NULL, &t, &reason), 0);
	ck_assert_int_eq(serial_generate(serial), 0);
	req.crl_url = "http://other.example.com/crl";
	ck_assert_int_eq(leaf_sign(t, &req, ca->key, serial, &der, &len, &subject),
	    GNUTLS_E_INVALID_REQUEST);
	req.crl_url = NULL;
	serial[0] |= 0x80;	/* negative as an INTEGER */
	ck_assert_int_eq(leaf_sign(t, &req, ca->key, serial, &der, &len, &subject),
	    GNUTLS_E_INVALID_REQUEST);
	ck_assert_ptr_null(der);
	gnutls_pubkey_deinit(req.pubkey);
	leaf_template_free(t);
	ca_free(ca);
}
END_TEST

/* sipca signs leaves with RSA or ECDSA keys; another key is named, not guessed. */
START_TEST(test_template_refuses_eddsa)
{
	struct ca *ca = make_ca(KEY_P256, NULL);
	struct ca as_if = *ca;
	struct leaf_template *t = NULL;
	gnutls_x509_privkey_t x = NULL;
	gnutls_privkey_t ed = NULL;
	const char *reason = NULL;

	ck_assert_int_eq(gnutls_x509_privkey_init(&x), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate2(x, GNUTLS_PK_EDDSA_ED25519, 0,
	    0, NULL, 0), 0);
	ck_assert_int_eq(gnutls_privkey_init(&ed), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(ed, x,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
	as_if.key = ed;
	ck_assert_int_eq(leaf_template_new(&as_if, NULL, &t, &reason),
	    GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(reason, "RSA or ECDSA"));
	gnutls_privkey_deinit(ed);
	ca_free(ca);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("leaf");
	TCase *tc = tcase_create("leaf");
	int n = (int)(sizeof(cases) / sizeof(cases[0]));

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_same_as_gnutls_rsa_ca, 0, n);
	tcase_add_loop_test(tc, test_same_as_gnutls_ec_ca, 0, n);
	tcase_add_test(tc, test_template_fits);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_template_refuses_eddsa);
	suite_add_tcase(s, tc);
	return s;
}
