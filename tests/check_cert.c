/*
 * Tests for src/pki/cert.c, src/pki/ca.c, src/pki/leaf.c and src/authority/issuance.c: serial numbers,
 * the CA's and the leaves' extensions as GnuTLS reads them back, SAN
 * text round trips, and the passphrase-protected CA key.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "issuance.h"
#include "leaf.h"
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
	san_list_clear(&l);
	san_list_clear(&back);
}
END_TEST

/* The DER TLV of tag and len octets of body into out (room for body + 4). */
static size_t
tlv(unsigned char *out, unsigned char tag, const void *body, size_t len)
{
	size_t h = 2;

	out[0] = tag;
	if (len < 0x80) {
		out[1] = (unsigned char)len;
	} else if (len < 0x100) {
		out[1] = 0x81;
		out[2] = (unsigned char)len;
		h = 3;
	} else {
		out[1] = 0x82;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		h = 4;
	}
	memcpy(out + h, body, len);
	return h + len;
}

/* A certificate object holding only a subjectAltName of these contents
 * (GeneralName TLVs): what cert_sans() reads needs no signature. */
static gnutls_x509_crt_t
crt_with_san(const unsigned char *names, size_t len)
{
	gnutls_x509_crt_t crt = NULL;
	unsigned char *der = malloc(len + 4);
	size_t n = tlv(der, 0x30, names, len);

	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.17",
	    der, n, 0), 0);
	free(der);
	return crt;
}

/*
 * Issue 11: every GeneralName is read with its octets as encoded, a NUL
 * and what follows it included, and the types sipca does not issue are
 * there to be named.
 */
START_TEST(test_cert_sans_exact)
{
	static const unsigned char dirname[] = {	/* [4] Name: CN=Bob */
		0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03,
		0x0c, 0x03, 'B', 'o', 'b',
	};
	static const unsigned char other[] = {	/* id-on-xmppAddr "x@y" */
		0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x05,
		0xa0, 0x05, 0x0c, 0x03, 'x', '@', 'y',
	};
	static const unsigned char rid[] = { 0x2a, 0x03, 0x04 };	/* 1.2.3.4 */
	static const unsigned char edi[] = { 0xa1, 0x03, 0x0c, 0x01, 'p' };
	static const unsigned char ip5[] = { 1, 2, 3, 4, 5 };
	static const unsigned char ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	unsigned char buf[4096], name[1200];
	struct san_list sans = { NULL, 0 }, esc = { NULL, 0 };
	gnutls_x509_crt_t crt;
	size_t n = 0;

	n += tlv(buf + n, 0x82, "evil.com\0.example.com", 21);
	n += tlv(buf + n, 0x86, "sip:example.com\0.evil.com", 25);
	memset(name, 'a', sizeof(name));
	memcpy(name + sizeof(name) - 4, ".com", 4);
	n += tlv(buf + n, 0x82, name, sizeof(name));
	n += tlv(buf + n, 0x87, ip5, sizeof(ip5));
	n += tlv(buf + n, 0x87, ip6, sizeof(ip6));
	n += tlv(buf + n, 0x81, "a@example.com", 13);
	n += tlv(buf + n, 0xa4, dirname, sizeof(dirname));
	n += tlv(buf + n, 0xa0, other, sizeof(other));
	n += tlv(buf + n, 0x88, rid, sizeof(rid));
	n += tlv(buf + n, 0xa5, edi, sizeof(edi));
	n += tlv(buf + n, 0x82, "ex\xe4mple.com", 11);
	crt = crt_with_san(buf, n);
	ck_assert_int_eq(cert_sans(crt, &sans), 0);
	ck_assert_uint_eq(sans.n, 11);

	ck_assert_int_eq(sans.items[0].type, SAN_DNS);
	ck_assert_uint_eq(sans.items[0].len, 21);
	ck_assert(memcmp(sans.items[0].value, "evil.com\0.example.com", 21) == 0);
	ck_assert_str_eq(sans.items[0].problem, "contains a NUL byte");
	ck_assert_int_eq(sans.items[1].type, SAN_URI);
	ck_assert_uint_eq(sans.items[1].len, 25);
	ck_assert_str_eq(sans.items[1].problem, "contains a NUL byte");
	/* Longer than any fixed buffer the readers had (1,024 octets). */
	ck_assert_uint_eq(sans.items[2].len, sizeof(name));
	ck_assert(memcmp(sans.items[2].value, name, sizeof(name)) == 0);
	ck_assert_ptr_null(sans.items[2].problem);
	ck_assert_int_eq(sans.items[3].type, SAN_IP);
	ck_assert_str_eq(sans.items[3].value, "#0102030405");
	ck_assert_str_eq(sans.items[3].problem, "an iPAddress is 4 or 16 octets");
	ck_assert_str_eq(sans.items[4].value, "2001:db8::1");
	ck_assert_ptr_null(sans.items[4].problem);
	ck_assert_int_eq(sans.items[5].type, SAN_EMAIL);
	ck_assert_str_eq(sans.items[5].value, "a@example.com");
	ck_assert_int_eq(sans.items[6].type, SAN_DIRNAME);
	ck_assert_str_eq(sans.items[6].value, "CN=Bob");
	ck_assert_int_eq(sans.items[7].type, SAN_OTHERNAME);
	ck_assert_str_eq(sans.items[7].value, "1.3.6.1.5.5.7.8.5;#0c03784079");
	ck_assert_int_eq(sans.items[8].type, SAN_RID);
	ck_assert_str_eq(sans.items[8].value, "1.2.3.4");
	ck_assert_int_eq(sans.items[9].type, SAN_EDIPARTY);
	ck_assert_str_eq(sans.items[9].value, "#a1030c0170");
	ck_assert_str_eq(sans.items[10].problem, "contains a byte outside IA5 (ASCII)");

	/* Escaped copies: printable, and a hidden NUL no longer matches. */
	san_list_escaped(&sans, 16, &esc);
	ck_assert_str_eq(esc.items[0].value, "evil.com\\x00.exampl...(21 bytes)");
	san_list_clear(&esc);
	san_list_escaped(&sans, 0, &esc);
	ck_assert_str_eq(esc.items[1].value, "sip:example.com\\x00.evil.com");
	ck_assert_str_eq(esc.items[10].value, "ex\\xe4mple.com");
	ck_assert_str_eq(esc.items[5].value, "a@example.com");
	san_list_clear(&esc);
	san_list_clear(&sans);
	gnutls_x509_crt_deinit(crt);

	/* Not DER (a long-form length for 13 octets): unreadable, not empty. */
	memcpy(buf, "\x82\x81\x0d" "a.example.com", 16);
	crt = crt_with_san(buf, 16);
	ck_assert_int_lt(cert_sans(crt, &sans), 0);
	san_list_clear(&sans);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

/* A request object with only a subjectAltName of these contents. */
static gnutls_x509_crq_t
crq_with_san(const unsigned char *names, size_t len)
{
	gnutls_x509_crq_t crq = NULL;
	unsigned char *der = malloc(len + 4);
	size_t n = tlv(der, 0x30, names, len);

	ck_assert_int_eq(gnutls_x509_crq_init(&crq), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_extension_by_oid(crq, "2.5.29.17",
	    der, n, 0), 0);
	free(der);
	return crq;
}

START_TEST(test_csr_copy_sans)
{
	static const struct {
		const char *names;	/* NUL-separated DNS names, then \x01 */
		size_t len;
		const char *email;	/* and this rfc822Name, or NULL */
		int drop;
		const char *msg;	/* NULL: copied */
		const char *dropped;
	} cases[] = {
		{ "a.example.com", 13, NULL, 0, NULL, NULL },
		{ "evil.com\0.example.com", 21, NULL, 0,
		    "DNS SAN 'evil.com\\x00.example.com': contains a NUL byte", NULL },
		{ "-a.example.com", 14, NULL, 0,
		    "DNS SAN '-a.example.com': label starts or ends with a hyphen", NULL },
		{ "a.example.com", 13, "a@example.com", 0,
		    "SANs of types sipca does not issue: email 'a@example.com'"
		    " (--drop-other-sans issues without them)", NULL },
		{ "a.example.com", 13, "a@example.com", 1, NULL, "email 'a@example.com'" },
		/* A bad identity is refused even when others may be dropped. */
		{ "evil.com\0.x", 11, "a@example.com", 1,
		    "DNS SAN 'evil.com\\x00.x': contains a NUL byte", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct san_list out = { NULL, 0 };
		unsigned char buf[256];
		char *msg = NULL, *dropped = NULL;
		gnutls_x509_crq_t crq;
		size_t n;
		int ret;

		n = tlv(buf, 0x82, cases[i].names, cases[i].len);
		if (cases[i].email != NULL)
			n += tlv(buf + n, 0x81, cases[i].email, strlen(cases[i].email));
		crq = crq_with_san(buf, n);
		ret = csr_copy_sans(crq, cases[i].drop, &out, &dropped, &msg);
		if (cases[i].msg != NULL) {
			ck_assert_msg(ret == -1, "case %zu copied", i);
			ck_assert_str_eq(msg, cases[i].msg);
			ck_assert_ptr_null(dropped);
		} else {
			ck_assert_msg(ret == 0, "case %zu: %s", i, msg);
			ck_assert_uint_eq(out.n, 1);
			ck_assert_int_eq(out.items[0].type, SAN_DNS);
			ck_assert_str_eq(out.items[0].value, "a.example.com");
			if (cases[i].dropped == NULL)
				ck_assert_ptr_null(dropped);
			else
				ck_assert_str_eq(dropped, cases[i].dropped);
		}
		free(msg);
		free(dropped);
		san_list_clear(&out);
		gnutls_x509_crq_deinit(crq);
	}
}
END_TEST

/* SAN_MAX names in a request are copied, one more is refused. */
START_TEST(test_csr_san_cap)
{
	unsigned char buf[SAN_MAX * 32];
	char name[32];
	int k;

	for (k = SAN_MAX; k <= SAN_MAX + 1; k++) {
		struct san_list out = { NULL, 0 };
		char *msg = NULL, *dropped = NULL, *want;
		gnutls_x509_crq_t crq;
		size_t n = 0;
		int i;

		for (i = 0; i < k; i++) {
			snprintf(name, sizeof(name), "h%d.example.com", i);
			n += tlv(buf + n, 0x82, name, strlen(name));
		}
		crq = crq_with_san(buf, n);
		if (k == SAN_MAX) {
			ck_assert_int_eq(csr_copy_sans(crq, 0, &out, &dropped, &msg), 0);
			ck_assert_uint_eq(out.n, SAN_MAX);
		} else {
			ck_assert_int_eq(csr_copy_sans(crq, 0, &out, &dropped, &msg), -1);
			want = xasprintf("the request asks for %d SANs (at most %d in"
			    " one certificate)", k, SAN_MAX);
			ck_assert_str_eq(msg, want);
			free(want);
		}
		free(msg);
		san_list_clear(&out);
		gnutls_x509_crq_deinit(crq);
	}
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
	/* Longer than the 825 days it issues: a leaf is capped to its CA. */
	p.days = 3650;
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
	gnutls_x509_crt_t crt = NULL;
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
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, NULL), 0);
	/* Read back what was encoded, as a verifier does. */
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &is.cert_pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crt_verify(crt, &ca->crt, 1, 0, &verify), 0);
	ck_assert_uint_eq(verify, 0);
	ck_assert_int_eq(cert_sans(crt, &sans), 0);
	ck_assert_uint_eq(sans.n, 3);
	ck_assert_int_eq(sans.items[0].type, SAN_URI);
	ck_assert_str_eq(sans.items[0].value, "sip:example.com");
	ck_assert_str_eq(sans.items[1].value, "example.com");
	ck_assert_str_eq(sans.items[2].value, "sip.example.com");
	ck_assert_int_ge(gnutls_x509_crt_get_key_usage(crt, &usage, &critical), 0);
	ck_assert_uint_eq(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);	/* ECDSA */
	ck_assert_uint_eq(critical, 1);
	size = sizeof(oid);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(crt, 0, oid, &size,
	    &critical), 0);
	ck_assert_str_eq(oid, GNUTLS_KP_TLS_WWW_SERVER);
	size = sizeof(oid);
	ck_assert_int_eq(gnutls_x509_crt_get_key_purpose_oid(crt, 1, oid, &size,
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
	san_list_clear(&sans);
	san_list_clear(&spec.sans);
	gnutls_x509_crt_deinit(crt);
	issuance_clear(&is);
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
		san_list_clear(&spec.sans);
	}
}
END_TEST

/*
 * Issue 11: the subjectAltName is built once, so SAN_MAX names issue as
 * quickly as three; one more is refused before anything is signed, and
 * leaf_sign() never encodes a value with a NUL in it.
 */
START_TEST(test_issue_san_cap)
{
	struct ca *ca = make_ca(KEY_P256);
	struct issuance_spec spec;
	struct issuance is;
	struct san_list sans = { NULL, 0 }, bad = { NULL, 0 };
	struct cert_request req;
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t priv = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_x509_crt_t crt = NULL;
	struct leaf_template *tmpl = NULL;
	unsigned char serial[SERIAL_LEN], *der = NULL;
	size_t der_len = 0;
	const char *reason = NULL;
	char *subject = NULL;
	char name[32], *msg = NULL;
	int i;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	spec.kind = KIND_DEVICE;
	spec.name = "many";
	spec.domain = "example.com";
	spec.key_type = KEY_P256;
	spec.days = 30;
	san_list_add(&spec.sans, SAN_URI, "sip:many@example.com");
	for (i = 1; i < SAN_MAX; i++) {
		snprintf(name, sizeof(name), "h%d.example.com", i);
		san_list_add(&spec.sans, SAN_DNS, name);
	}
	issuance_default_sans(&spec, 0);
	ck_assert_uint_eq(spec.sans.n, SAN_MAX);
	ck_assert_int_eq(issuance_validate(&spec, &msg), 0);
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, NULL), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &is.cert_pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(cert_sans(crt, &sans), 0);
	gnutls_x509_crt_deinit(crt);
	ck_assert_uint_eq(sans.n, SAN_MAX);
	ck_assert_str_eq(sans.items[0].value, "sip:many@example.com");
	ck_assert_str_eq(sans.items[SAN_MAX - 1].value, name);
	san_list_clear(&sans);
	issuance_clear(&is);

	san_list_add(&spec.sans, SAN_DNS, "one-more.example.com");
	ck_assert_int_eq(issuance_validate(&spec, &msg), -1);
	ck_assert_str_eq(msg, "too many SANs: 101 (at most 100 in one certificate)");
	free(msg);

	ck_assert_int_eq(key_generate(KEY_P256, &key), 0);
	ck_assert_int_eq(gnutls_privkey_init(&priv), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(priv, key,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
	ck_assert_int_eq(serial_generate(serial), 0);
	memset(&req, 0, sizeof(req));
	req.kind = KIND_DEVICE;
	req.common_name = "many";
	req.days = 30;
	req.not_before = sipca_now();
	req.pubkey = pub;
	req.sans = &spec.sans;
	ck_assert_int_eq(leaf_template_new(ca, NULL, &tmpl, &reason), 0);
	ck_assert_int_eq(leaf_sign(tmpl, &req, ca->key, serial, &der, &der_len,
	    &subject), GNUTLS_E_INVALID_REQUEST);
	/* A NUL in a value: what it reads as is not what would be encoded. */
	{
		unsigned char names[32];
		gnutls_x509_crt_t src;
		size_t n = tlv(names, 0x82, "evil.com\0.x", 11);

		src = crt_with_san(names, n);
		ck_assert_int_eq(cert_sans(src, &bad), 0);
		gnutls_x509_crt_deinit(src);
		bad.items[0].problem = NULL;	/* as if a caller had lost it */
	}
	req.sans = &bad;
	ck_assert_int_eq(leaf_sign(tmpl, &req, ca->key, serial, &der, &der_len,
	    &subject), GNUTLS_E_INVALID_REQUEST);
	leaf_template_free(tmpl);
	san_list_clear(&bad);
	san_list_clear(&spec.sans);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(priv);
	ca_free(ca);
}
END_TEST

/* A request signed by a new key of this algorithm, as DER. */
static void
make_csr(gnutls_pk_algorithm_t algo, unsigned bits, gnutls_datum_t *out)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crq_t crq = NULL;

	ck_assert_int_eq(gnutls_x509_privkey_init(&key), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate2(key, algo, bits, 0, NULL, 0), 0);
	ck_assert_int_eq(gnutls_x509_crq_init(&crq), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME,
	    0, "x", 1), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_key(crq, key), 0);
	/* EdDSA signs with its own hash (RFC 8032), SHA-512 in GnuTLS. */
	ck_assert_int_eq(gnutls_x509_crq_sign2(crq, key,
	    algo == GNUTLS_PK_EDDSA_ED25519 ? GNUTLS_DIG_SHA512 :
	    GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, out), 0);
	gnutls_x509_crq_deinit(crq);
	gnutls_x509_privkey_deinit(key);
}

/* Issue 11: request keys that phones and TLS stacks refuse. */
START_TEST(test_csr_keys)
{
	static const struct {
		gnutls_pk_algorithm_t algo;
		unsigned bits;
		const char *reason;	/* NULL: taken */
	} cases[] = {
		{ GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), NULL },
		{ GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), NULL },
		{ GNUTLS_PK_RSA, 2048, NULL },
		{ GNUTLS_PK_DSA, 2048, "DSA keys are not supported" },
		{ GNUTLS_PK_EDDSA_ED25519, 256, "EdDSA keys are not supported" },
		{ GNUTLS_PK_RSA_PSS, 2048, "RSA-PSS (id-RSASSA-PSS) keys are not supported" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gnutls_datum_t der = { NULL, 0 };
		gnutls_x509_crq_t crq = NULL;
		const char *reason = NULL;
		int ret;

		make_csr(cases[i].algo, cases[i].bits, &der);
		ret = csr_load(der.data, der.size, &crq, &reason);
		if (cases[i].reason == NULL) {
			ck_assert_msg(ret == 0, "case %zu: %s", i, reason);
			gnutls_x509_crq_deinit(crq);
		} else {
			ck_assert_msg(ret == -1, "case %zu taken", i);
			ck_assert_msg(strncmp(reason, cases[i].reason,
			    strlen(cases[i].reason)) == 0, "case %zu: %s", i, reason);
		}
		gnutls_free(der.data);
	}
}
END_TEST

/* What is not a request is named (RFC 7468 labels, or GnuTLS's reading of DER). */
START_TEST(test_csr_not_a_request)
{
	static const struct {
		const char *data;
		size_t len;
		int ret;
		const char *reason;
	} cases[] = {
		{ "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 0,
		  CSR_E_NOT_A_REQUEST, "it is a certificate, not a request" },
		{ "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", 0,
		  CSR_E_NOT_A_REQUEST, "it is a private key; make a request with it" },
		{ "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n", 0,
		  CSR_E_NOT_A_REQUEST, "it is a private key" },
		{ "-----BEGIN PUBLIC KEY-----\nMFk\n-----END PUBLIC KEY-----\n", 0,
		  CSR_E_NOT_A_REQUEST, "it is a public key" },
		{ "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n", 0,
		  CSR_E_NOT_A_REQUEST, "it is a CRL" },
		{ "hello\n", 0, CSR_E_NOT_A_REQUEST,
		  "neither a PEM CERTIFICATE REQUEST nor its DER" },
		/* A damaged request keeps GnuTLS's words, naming the call. */
		{ "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
		  0, -1, "gnutls_x509_crq_import: " },
		{ "\x30\x03\x02\x01\x01", 5, -1, "gnutls_x509_crq_import: " },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gnutls_x509_crq_t crq = NULL;
		const char *reason = NULL;
		size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].data);
		int ret = csr_load((const unsigned char *)cases[i].data, len, &crq,
		    &reason);

		ck_assert_msg(ret == cases[i].ret, "case %zu: %d", i, ret);
		ck_assert_ptr_null(crq);
		ck_assert_msg(strncmp(reason, cases[i].reason,
		    strlen(cases[i].reason)) == 0, "case %zu: %s", i, reason);
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

Suite *
check_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("cert");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_serials);
	tcase_add_test(tc, test_key_types);
	tcase_add_test(tc, test_san_text_round_trip);
	tcase_add_test(tc, test_ca_extensions);
	tcase_add_test(tc, test_issue_server);
	tcase_add_test(tc, test_validate_rejects);
	tcase_add_test(tc, test_csr_not_a_request);
	tcase_add_test(tc, test_encrypted_ca_key);
	tcase_add_test(tc, test_key_must_match_ca);
	tcase_add_test(tc, test_cert_sans_exact);
	tcase_add_test(tc, test_csr_copy_sans);
	tcase_add_test(tc, test_csr_san_cap);
	tcase_add_test(tc, test_issue_san_cap);
	tcase_add_test(tc, test_csr_keys);
	suite_add_tcase(s, tc);
	return s;
}
