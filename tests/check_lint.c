/*
 * check_lint: the lint engine and its rules. Certificates are built with
 * GnuTLS at run time, one variation per table row, and each row says
 * which rule must fire (or must not). What GnuTLS will not write
 * (negative serials, duplicate extensions, GeneralizedTime before 2050,
 * trailing octets) is made by patching the DER it wrote.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lint.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Rows start from SIPCA_SERVER and override a field or two: on purpose. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define T_NOW ((time_t)1780272000)	/* 2026-06-01T00:00:00Z */
#define DAY 86400

static gnutls_x509_privkey_t ca_key, leaf_key, rsa1024_key, rsa2048_key;
static gnutls_x509_crt_t ca_crt;

/* A name given as its octets, NULs included: RAW(0x82, "a\0b"). */
struct raw_name {
	unsigned char tag;
	const char *v;
	size_t len;
};
#define RAW(tag, s) { tag, s, sizeof(s) - 1 }

struct spec {
	int ca;				/* basicConstraints cA true, critical */
	int bc_noncritical;
	unsigned ku;			/* GNUTLS_KEY_*; 0: none */
	int eku_server, eku_client;
	const char *cns[3];
	const char *sans[4];		/* "DNS:x", "URI:x", "IP:x" */
	time_t not_before;
	long days;
	int self_signed;
	int no_ski, no_aki;
	gnutls_x509_privkey_t key;	/* NULL: leaf_key */
	gnutls_digest_algorithm_t dig;	/* 0: SHA-256 */
	const char *ext_oid;		/* extra extension */
	int ext_critical;
	/* subjectAltName written octet by octet instead of sans */
	struct raw_name raw_sans[5];
	struct raw_name raw_cn;		/* one more CN: string tag and octets */
};

/* A DER TLV of tag and len octets of v at out; returns its length. */
static size_t
der_tlv(unsigned char tag, const void *v, size_t len, unsigned char *out)
{
	size_t h = 0;

	out[h++] = tag;
	if (len < 0x80) {
		out[h++] = (unsigned char)len;
	} else if (len < 0x100) {
		out[h++] = 0x81;
		out[h++] = (unsigned char)len;
	} else {
		ck_assert_uint_lt(len, 0x10000);
		out[h++] = 0x82;
		out[h++] = (unsigned char)(len >> 8);
		out[h++] = (unsigned char)len;
	}
	memmove(out + h, v, len);
	return h + len;
}

/* GeneralNames from raw names, as a raw subjectAltName extension. */
static void
set_raw_sans(gnutls_x509_crt_t crt, const struct raw_name *names, size_t n)
{
	static unsigned char body[8192], der[8200];
	size_t i, blen = 0, dlen;

	for (i = 0; i < n && names[i].v != NULL; i++)
		blen += der_tlv(names[i].tag, names[i].v, names[i].len, body + blen);
	dlen = der_tlv(0x30, body, blen, der);
	ck_assert_int_eq(gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.17", der,
	    dlen, 0), 0);
}

static gnutls_x509_privkey_t
new_key(gnutls_pk_algorithm_t pk, unsigned bits)
{
	gnutls_x509_privkey_t k;

	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(k, pk, bits, 0), 0);
	return k;
}

static void
setup(void)
{
	unsigned char serial[] = { 0x42 };

	gnutls_global_init();
	ca_key = new_key(GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	leaf_key = new_key(GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
	ck_assert_int_eq(gnutls_x509_crt_init(&ca_crt), 0);
	gnutls_x509_crt_set_version(ca_crt, 3);
	gnutls_x509_crt_set_serial(ca_crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(ca_crt, T_NOW - 10 * DAY);
	gnutls_x509_crt_set_expiration_time(ca_crt, T_NOW + 3000 * DAY);
	gnutls_x509_crt_set_dn_by_oid(ca_crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    "Test CA", 7);
	gnutls_x509_crt_set_key(ca_crt, ca_key);
	gnutls_x509_crt_set_basic_constraints(ca_crt, 1, 0);
	gnutls_x509_crt_set_key_usage(ca_crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN);
	gnutls_x509_crt_set_subject_key_id(ca_crt, (const unsigned char *)"caid", 4);
	ck_assert_int_eq(gnutls_x509_crt_sign2(ca_crt, ca_crt, ca_key,
	    GNUTLS_DIG_SHA256, 0), 0);
}

static void
teardown(void)
{
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_x509_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(leaf_key);
	if (rsa1024_key != NULL)
		gnutls_x509_privkey_deinit(rsa1024_key);
	if (rsa2048_key != NULL)
		gnutls_x509_privkey_deinit(rsa2048_key);
	ca_crt = NULL;
	ca_key = leaf_key = rsa1024_key = rsa2048_key = NULL;
	gnutls_global_deinit();
}

static gnutls_x509_privkey_t
rsa_key(unsigned bits)
{
	gnutls_x509_privkey_t *k = bits == 1024 ? &rsa1024_key : &rsa2048_key;

	if (*k == NULL)
		*k = new_key(GNUTLS_PK_RSA, bits);
	return *k;
}

/* A sipca-like server certificate, changed by the spec. */
static void
build(const struct spec *s, gnutls_datum_t *out)
{
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key = s->key != NULL ? s->key : leaf_key;
	unsigned char serial[20];
	size_t i;
	time_t nb = s->not_before != 0 ? s->not_before : T_NOW - DAY;
	long days = s->days != 0 ? s->days : 825;

	memset(serial, 0x11, sizeof(serial));
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, nb);
	gnutls_x509_crt_set_expiration_time(crt, nb + days * DAY);
	for (i = 0; i < nitems(s->cns) && s->cns[i] != NULL; i++)
		gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
		    s->cns[i], (unsigned)strlen(s->cns[i]));
	if (s->raw_cn.v != NULL) {
		unsigned char tlv[300];
		size_t n = der_tlv(s->raw_cn.tag, s->raw_cn.v, s->raw_cn.len, tlv);

		/* raw_flag 1: the value is the DER of the attribute's value */
		ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(crt,
		    GNUTLS_OID_X520_COMMON_NAME, 1, tlv, (unsigned)n), 0);
	}
	if (s->raw_sans[0].v != NULL)
		set_raw_sans(crt, s->raw_sans, nitems(s->raw_sans));
	gnutls_x509_crt_set_key(crt, key);
	if (s->ca)
		gnutls_x509_crt_set_basic_constraints(crt, 1, 0);
	if (s->ku)
		gnutls_x509_crt_set_key_usage(crt, s->ku);
	if (s->eku_server)
		gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
	if (s->eku_client)
		gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
	for (i = 0; i < nitems(s->sans) && s->sans[i] != NULL; i++) {
		const char *v = s->sans[i] + 4;
		if (strncmp(s->sans[i], "DNS:", 4) == 0)
			gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, v,
			    (unsigned)strlen(v), GNUTLS_FSAN_APPEND);
		else if (strncmp(s->sans[i], "URI:", 4) == 0)
			gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_URI, v,
			    (unsigned)strlen(v), GNUTLS_FSAN_APPEND);
		else if (strncmp(s->sans[i], "IP:", 3) == 0) {
			unsigned char ip[4] = { 192, 0, 2, 1 };
			gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip,
			    4, GNUTLS_FSAN_APPEND);
		}
	}
	if (!s->no_ski)
		gnutls_x509_crt_set_subject_key_id(crt, (const unsigned char *)"leaf", 4);
	if (s->ext_oid != NULL)
		ck_assert_int_eq(gnutls_x509_crt_set_extension_by_oid(crt, s->ext_oid,
		    "\x05\x00", 2, s->ext_critical), 0);
	if (s->self_signed) {
		ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, key,
		    s->dig ? s->dig : GNUTLS_DIG_SHA256, 0), 0);
	} else {
		if (!s->no_aki)
			gnutls_x509_crt_set_authority_key_id(crt,
			    (const unsigned char *)"caid", 4);
		ck_assert_int_eq(gnutls_x509_crt_sign2(crt, ca_crt, ca_key,
		    s->dig ? s->dig : GNUTLS_DIG_SHA256, 0), 0);
	}
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, out), 0);
	gnutls_x509_crt_deinit(crt);
}

static struct lint_ca test_ca;

static void
options(struct lint_options *o, int role, const char *domain, int with_ca)
{
	lint_options_init(o);
	o->now = T_NOW;
	o->role = role;
	o->sip_domain = domain;
	if (with_ca) {
		memset(&test_ca, 0, sizeof(test_ca));
		test_ca.crt = ca_crt;
		gnutls_x509_crt_get_raw_dn(ca_crt, &test_ca.subject);
		gnutls_pubkey_init(&test_ca.pubkey);
		gnutls_pubkey_import_x509(test_ca.pubkey, ca_crt, 0);
		test_ca.is_ca = 1;
		test_ca.label = (char *)(uintptr_t)"ca";
		o->cas = &test_ca;
		o->n_ca = 1;
	}
}

static void
options_free(struct lint_options *o)
{
	if (o->n_ca == 0)
		return;
	gnutls_free(test_ca.subject.data);
	gnutls_pubkey_deinit(test_ca.pubkey);
	memset(&test_ca, 0, sizeof(test_ca));
	o->n_ca = 0;
}

static int
has_rule(const struct lint_findings *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule->id, id) == 0)
			return 1;
	return 0;
}

static size_t
errors(const struct lint_findings *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->items[i].severity >= SEV_ERROR)
			n++;
	return n;
}

static char *
describe(const struct lint_findings *f)
{
	static char buf[4096];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < f->n && o < sizeof(buf) - 200; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n  %s %s: %s",
		    lint_severity_name(f->items[i].severity), f->items[i].rule->id,
		    f->items[i].message);
	return buf;
}

/* Lints der with the options and returns the findings in f. */
static void
lint_bytes(const unsigned char *der, size_t len, const struct lint_options *o,
    struct lint_findings *f, enum cert_kind *out_kind)
{
	struct lint_source src = { "test", 1, 1, der, len, NULL, NULL };
	struct lint_cert c;

	lint_one(&src, o, &c, f);
	if (out_kind != NULL)
		*out_kind = c.kind;
	lint_cert_clear(&c);
}

#define SIPCA_SERVER \
	.ku = GNUTLS_KEY_DIGITAL_SIGNATURE, .eku_server = 1, .eku_client = 1, \
	.cns = { "sip.example.com" }, \
	.sans = { "URI:sip:example.com", "DNS:example.com", "DNS:sip.example.com" }

struct row {
	const char *name;
	struct spec spec;
	int role;			/* -1: detect */
	const char *domain;
	int with_ca;
	const char *rule;		/* must fire; NULL: no error at all */
	const char *absent;		/* must not fire */
};

static const struct row rows[] = {
	{ "sipca server is clean", { SIPCA_SERVER }, -1, "example.com", 1, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "sipca device is clean", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE,
	  .eku_client = 1, .cns = { "alice" }, .sans = { "URI:sip:alice@example.com" } },
	  -1, NULL, 1, NULL, "rfc5922.san_uri_user_part" },
	{ "sipca CA is clean", { .ca = 1, .ku = GNUTLS_KEY_KEY_CERT_SIGN |
	  GNUTLS_KEY_CRL_SIGN, .cns = { "CA" }, .self_signed = 1, .days = 3650 },
	  -1, NULL, 0, NULL, "rfc5280.aki_missing" },
	{ "server shadows DNS names", { SIPCA_SERVER }, -1, NULL, 0,
	  "rfc5922.uri_shadows_dns", NULL },
	{ "keyCertSign without cA", { SIPCA_SERVER, .ku = GNUTLS_KEY_KEY_CERT_SIGN |
	  GNUTLS_KEY_DIGITAL_SIGNATURE }, -1, NULL, 0, "rfc5280.keycertsign_not_ca", NULL },
	{ "CA role without basicConstraints", { SIPCA_SERVER }, KIND_CA, NULL, 0,
	  "rfc5280.ca_basic_constraints", NULL },
	{ "no AKI", { SIPCA_SERVER, .no_aki = 1 }, -1, NULL, 0,
	  "rfc5280.aki_missing", NULL },
	{ "self-signed without AKI is fine", { SIPCA_SERVER, .self_signed = 1 }, -1,
	  NULL, 0, NULL, "rfc5280.aki_missing" },
	{ "CA without SKI", { .ca = 1, .ku = GNUTLS_KEY_KEY_CERT_SIGN, .cns = { "CA" },
	  .self_signed = 1, .no_ski = 1 }, -1, NULL, 0, "rfc5280.ski_missing", NULL },
	{ "unknown critical extension", { SIPCA_SERVER, .ext_oid = "1.3.6.1.4.1.99999.1",
	  .ext_critical = 1 }, -1, NULL, 0, "rfc5280.unknown_critical_extension", NULL },
	{ "unknown non-critical extension is fine", { SIPCA_SERVER,
	  .ext_oid = "1.3.6.1.4.1.99999.1" }, -1, NULL, 0, NULL,
	  "rfc5280.unknown_critical_extension" },
	{ "notAfter before notBefore", { SIPCA_SERVER, .days = -2 }, -1, NULL, 0,
	  "rfc5280.validity_inverted", NULL },
	{ "SHA-1 signature", { SIPCA_SERVER, .dig = GNUTLS_DIG_SHA1 }, -1, NULL, 0,
	  "tls.weak_signature", NULL },
	{ "self-signed SHA-1 is not checked", { SIPCA_SERVER, .self_signed = 1,
	  .dig = GNUTLS_DIG_SHA1 }, -1, NULL, 0, NULL, "tls.weak_signature" },
	{ "keyUsage without digitalSignature", { SIPCA_SERVER,
	  .ku = GNUTLS_KEY_KEY_ENCIPHERMENT }, -1, NULL, 0, "tls.ku_digitalsignature", NULL },
	{ "valid 826 days", { SIPCA_SERVER, .days = 826 }, -1, NULL, 0,
	  "apple.validity_825", NULL },
	{ "valid 825 days is fine", { SIPCA_SERVER, .days = 825 }, -1, NULL, 0, NULL,
	  "apple.validity_825" },
	{ "825 days before July 2019 is fine", { SIPCA_SERVER, .days = 1000,
	  .not_before = 1546300800 }, -1, NULL, 0, "validity.expired",
	  "apple.validity_825" },
	{ "no DNS name in the SAN", { SIPCA_SERVER, .sans = { "URI:sip:example.com" } },
	  -1, NULL, 0, "apple.san_dns_required", NULL },
	{ "no serverAuth", { SIPCA_SERVER, .eku_server = 0, .eku_client = 0,
	  .ku = GNUTLS_KEY_DIGITAL_SIGNATURE }, -1, NULL, 0, "apple.eku_serverauth", NULL },
	{ "wildcard DNS", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1, NULL, 0,
	  "rfc5922.wildcard", NULL },
	{ "wildcard CN for Poly", { SIPCA_SERVER, .cns = { "*.example.com" } }, -1, NULL,
	  0, "polycom.wildcard_cn", NULL },
	{ "wildcard SAN for Poly", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1,
	  NULL, 0, "polycom.wildcard_san", NULL },
	{ "wildcard for CUCM", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1,
	  NULL, 0, "cisco.wildcard", NULL },
	{ "two CNs", { SIPCA_SERVER, .cns = { "a.example.com", "b.example.com" } }, -1,
	  NULL, 0, "polycom.multiple_cn", NULL },
	{ "EC key is not Poly's baseline", { SIPCA_SERVER }, -1, NULL, 0,
	  "polycom.key_baseline", NULL },
	{ "CN only", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE, .eku_server = 1,
	  .eku_client = 1, .cns = { "sip.example.com" } }, -1, NULL, 0,
	  "rfc5922.cn_only", NULL },
	{ "server URI with user part", { SIPCA_SERVER, .sans = { "URI:sip:bob@example.com",
	  "DNS:example.com" } }, -1, NULL, 0, "rfc5922.san_uri_user_part", NULL },
	{ "sips URI", { SIPCA_SERVER, .sans = { "URI:sips:example.com", "DNS:example.com" } },
	  -1, NULL, 0, "rfc5922.san_uri_non_sip_scheme", NULL },
	{ "domain not a URI identity", { SIPCA_SERVER }, -1, "other.example", 0,
	  "rfc5922.sip_domain_missing", NULL },
	{ "domain shadowed: DNS ignored once a URI is there", { SIPCA_SERVER }, -1,
	  "sip.example.com", 0, "rfc5922.sip_domain_missing", NULL },
	{ "domain from DNS names without URIs", { SIPCA_SERVER,
	  .sans = { "DNS:example.com" } }, -1, "example.com", 0, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "server without clientAuth", { SIPCA_SERVER, .eku_client = 0 }, -1, NULL, 0,
	  "sip.server_lacks_clientauth", NULL },
	{ "device without clientAuth", { SIPCA_SERVER, .eku_client = 0 }, KIND_DEVICE,
	  NULL, 0, "sip.device_lacks_clientauth", NULL },
	{ "expired", { SIPCA_SERVER, .not_before = T_NOW - 100 * DAY, .days = 10 }, -1,
	  NULL, 0, "validity.expired", NULL },
	{ "not yet valid", { SIPCA_SERVER, .not_before = T_NOW + 10 * DAY }, -1, NULL, 0,
	  "validity.not_yet_valid", NULL },
	{ "expires soon", { SIPCA_SERVER, .days = 10 }, -1, NULL, 0,
	  "validity.expires_soon", NULL },
	{ "after 2038", { SIPCA_SERVER, .days = 8000 }, -1, NULL, 0,
	  "y2038.notafter", NULL },
	{ "not signed by the CA", { SIPCA_SERVER, .self_signed = 1 }, -1, NULL, 1,
	  "chain.issuer_mismatch", NULL },
	{ "signed by the CA", { SIPCA_SERVER }, -1, NULL, 1, NULL,
	  "chain.issuer_mismatch" },
	{ "IP CN without SAN IP", { SIPCA_SERVER, .cns = { "192.0.2.1" } }, -1, NULL, 0,
	  "snom.ip_not_in_san", NULL },
	{ "IP CN with SAN IP", { SIPCA_SERVER, .cns = { "192.0.2.1" },
	  .sans = { "DNS:example.com", "IP:192.0.2.1" } }, -1, NULL, 0, NULL,
	  "snom.ip_not_in_san" },
	/* Names as octets (issue 11): a NUL, high bytes, each type's syntax. */
	{ "raw SANs like sipca's are clean", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x82, "sip.example.com") } }, -1, "example.com", 1, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "URI with a NUL is not the SIP domain", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com\0.evil.com"),
	  RAW(0x82, "evil.example") } }, -1, "example.com", 0,
	  "rfc5922.sip_domain_missing", NULL },
	{ "URI with a NUL", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com\0.evil.com"),
	  RAW(0x82, "example.com") } }, -1, NULL, 0, "rfc5280.san_nul",
	  "rfc5280.san_uri_syntax" },
	{ "DNS with a NUL is not the SIP domain", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com\0.evil.com") } }, -1, "example.com", 0,
	  "rfc5922.sip_domain_missing", "rfc5280.san_dns_syntax" },
	{ "DNS with a NUL", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com\0.evil.com") } }, -1, NULL, 0,
	  "rfc5280.san_nul", NULL },
	{ "DNS NUL-prefixed is not the wildcard it hides", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x82, "example.com\0*.evil.com") } },
	  -1, NULL, 0, "rfc5922.wildcard", NULL },
	{ "DNS above 0x7F", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "caf\xc3\xa9.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_not_ia5", "rfc5280.san_dns_syntax" },
	{ "email above 0x7F", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "j\xfcrgen@example.com") } }, -1, NULL, 0, "rfc5280.san_not_ia5",
	  NULL },
	{ "DNS with an underscore", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "sip_proxy.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS with a trailing dot", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com.") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS that is an IP address", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x82, "192.0.2.1") } }, -1, NULL,
	  0, "rfc5280.san_dns_syntax", NULL },
	{ "DNS with a control character", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "a\x1b[2J.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS \" \" (4.2.1.6: MUST NOT)", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x82, " ") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS wildcard is the wildcard rules' finding", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x82, "*.example.com") } }, -1, NULL, 0,
	  "rfc5922.wildcard", "rfc5280.san_dns_syntax" },
	{ "DNS partial wildcard", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "f*o.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "URI without a scheme", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x86, "example.com") } }, -1, NULL, 0, "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a space", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x86, "sip:exa mple.com") } }, -1, NULL, 0, "rfc5280.san_uri_syntax",
	  NULL },
	{ "sip URI with an empty user", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:@example.com") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with an empty host", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a bad port", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:example.com:50x") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a fragment", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:example.com#x") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a bad escape", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:al%zzce@example.com") } }, -1, NULL,
	  0, "rfc5280.san_uri_syntax", NULL },
	{ "RFC 3261 URIs in full are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x86, "sips:alice%40x@example.com:5061;transport=tls;lr?subject=hi&x=1"),
	  RAW(0x86, "sip:[2001:db8::1]:5060"), RAW(0x86, "sip:+1-555;phone=1@192.0.2.1") } },
	  -1, NULL, 0, NULL, "rfc5280.san_uri_syntax" },
	{ "other URIs are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x86, "http://crl.example.com/ca.crl"),
	  RAW(0x86, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
	  RAW(0x86, "https://user@[2001:db8::1]:8443/a?b#c") } },
	  -1, NULL, 0, NULL, "rfc5280.san_uri_syntax" },
	{ "URI authority without a host", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "http:///ca.crl") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "URI with a bad percent-encoding", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "http://a.example/%zz") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "mailboxes are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x81, "alice.b+sip@example.com"), RAW(0x81, "\"a b\"@example.com"),
	  RAW(0x81, "bob@[192.0.2.1]") } }, -1, NULL, 0, NULL,
	  "rfc5280.san_email_syntax" },
	{ "email with a phrase", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "Alice <alice@example.com>") } }, -1, NULL, 0,
	  "rfc5280.san_email_syntax", NULL },
	{ "email without @", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "alice") } }, -1, NULL, 0, "rfc5280.san_email_syntax", NULL },
	{ "email with two dots", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "a..b@example.com") } }, -1, NULL, 0, "rfc5280.san_email_syntax",
	  NULL },
	{ "email with a NUL", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "a@example.com\0x") } }, -1, NULL, 0, "rfc5280.san_nul",
	  "rfc5280.san_email_syntax" },
	{ "iPAddress of 8 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "\xc0\x00\x02\x00\xff\xff\xff\x00") } }, -1, NULL, 0,
	  "rfc5280.san_ip_length", NULL },
	{ "iPAddress of 0 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "") } }, -1, NULL, 0, "rfc5280.san_ip_length", NULL },
	{ "iPAddress of 16 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01") } }, -1, NULL, 0,
	  NULL, "rfc5280.san_ip_length" },
	{ "IP CN matches the SAN's octets", { SIPCA_SERVER, .cns = { "192.0.2.7" },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x87, "\xc0\x00\x02\x07") } }, -1,
	  NULL, 0, NULL, "snom.ip_not_in_san" },
	{ "CN with a NUL", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "example.com\0.evil.com") },
	  -1, NULL, 0, "rfc5280.subject_bad_bytes", NULL },
	{ "CN with a NUL is not the CN identity", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE,
	  .eku_server = 1, .eku_client = 1, .raw_cn = RAW(0x0c, "example.com\0.evil.com") },
	  -1, "example.com", 0, "rfc5922.sip_domain_missing", NULL },
	/* RFC 5922 7.1 as sipid reads it, the probe's reading: a sip: URI
	 * that names no host is no identity, so the DNS names count. */
	{ "sip: URI without a host leaves the DNS names", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x86, "sip:"), RAW(0x82, "example.com") } },
	  -1, "example.com", 0, "rfc5280.san_uri_syntax", "rfc5922.sip_domain_missing" },
	{ "sip: URI without a host shadows nothing", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x86, "sip:;transport=tls"),
	  RAW(0x82, "example.com") } }, -1, "example.com", 0, "rfc5280.san_uri_syntax",
	  "rfc5922.uri_shadows_dns" },
	{ "URI with a NUL leaves the DNS names", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:evil.example\0.example.com"),
	  RAW(0x82, "example.com") } }, -1, "example.com", 0, "rfc5280.san_nul",
	  "rfc5922.sip_domain_missing" },
	{ "no subjectAltName: the CN", { SIPCA_SERVER, .sans = { NULL },
	  .cns = { "example.com" } }, -1, "example.com", 0, "rfc5922.cn_only",
	  "rfc5922.sip_domain_missing" },
	{ "CN with ESC", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "a\x1b[31mb") }, -1, NULL, 0,
	  "rfc5280.subject_bad_bytes", NULL },
	{ "CN with a C1 control", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "a\xc2\x9b" "2J") },
	  -1, NULL, 0, "rfc5280.subject_bad_bytes", NULL },
	{ "CN not UTF-8", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "caf\xe9") }, -1, NULL, 0,
	  "rfc5280.subject_bad_bytes", NULL },
	{ "CN UTF-8 is fine", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "M\xc3\xbcller") }, -1,
	  NULL, 0, NULL, "rfc5280.subject_bad_bytes" },
	{ "CN PrintableString with '*'", { SIPCA_SERVER,
	  .raw_cn = RAW(0x13, "*.example.com") }, -1, NULL, 0, "rfc5280.subject_bad_bytes",
	  NULL },
	{ "CN BMPString with a control", { SIPCA_SERVER,
	  .raw_cn = RAW(0x1e, "\0a\0\x1b\0b") }, -1, NULL, 0, "rfc5280.subject_bad_bytes",
	  NULL },
	{ "CN BMPString is fine", { SIPCA_SERVER, .raw_cn = RAW(0x1e, "\0a\0\xfc") }, -1,
	  NULL, 0, NULL, "rfc5280.subject_bad_bytes" },
};

START_TEST(test_row)
{
	const struct row *r = &rows[_i];
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	build(&r->spec, &der);
	options(&o, r->role, r->domain, r->with_ca);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	if (r->rule != NULL)
		ck_assert_msg(has_rule(&f, r->rule), "%s: %s did not fire:%s", r->name,
		    r->rule, describe(&f));
	else
		ck_assert_msg(errors(&f) == 0, "%s: errors:%s", r->name, describe(&f));
	if (r->absent != NULL)
		ck_assert_msg(!has_rule(&f, r->absent), "%s: %s fired:%s", r->name,
		    r->absent, describe(&f));
	lint_findings_free(&f);
	options_free(&o);
	gnutls_free(der.data);
}
END_TEST

/*
 * Names are read whole, as the octets they are: no 1,024-byte buffer,
 * no cut at a NUL, every message free of control characters.
 */
START_TEST(test_names_read_whole)
{
	static char dns[1200], uri[3000];
	struct spec sp = { SIPCA_SERVER, .sans = { NULL },
	    .raw_cn = RAW(0x0c, "a\x1b]0;x\x07\0b") };
	struct lint_options o;
	struct lint_findings f = { 0 };
	struct lint_source src = { "test", 1, 1, NULL, 0, NULL, NULL };
	struct lint_cert c;
	gnutls_datum_t der;
	size_t i, k;
	int wildcard = 0;

	memcpy(dns, "*.", 2);
	memset(dns + 2, 'a', sizeof(dns) - 14);
	memcpy(dns + sizeof(dns) - 12, ".example.com", 12);
	memcpy(uri, "sip:example.com\0", 16);
	memset(uri + 16, 'u', sizeof(uri) - 16);
	sp.raw_sans[0] = (struct raw_name){ 0x82, dns, sizeof(dns) };
	sp.raw_sans[1] = (struct raw_name){ 0x86, uri, sizeof(uri) };
	sp.raw_sans[2] = (struct raw_name){ 0x87, "\xc0\0\x02\x01\0", 5 };
	build(&sp, &der);
	options(&o, -1, "example.com", 0);
	src.der = der.data;
	src.len = der.size;
	lint_one(&src, &o, &c, &f);
	ck_assert_ptr_nonnull(c.tree);
	/* the SAN list sipid reads: octets as encoded, a problem when bad */
	ck_assert_uint_eq(c.sans.n, 3);
	ck_assert_int_eq(c.sans.items[0].type, SAN_DNS);
	ck_assert_uint_eq(c.sans.items[0].len, sizeof(dns));
	ck_assert(memcmp(c.sans.items[0].value, dns, sizeof(dns)) == 0);
	ck_assert_ptr_null(c.sans.items[0].problem);
	ck_assert_int_eq(c.sans.items[1].type, SAN_URI);
	ck_assert_uint_eq(c.sans.items[1].len, sizeof(uri));
	ck_assert(memcmp(c.sans.items[1].value, uri, sizeof(uri)) == 0);
	ck_assert_ptr_nonnull(c.sans.items[1].problem);
	ck_assert_int_eq(c.sans.items[2].type, SAN_IP);
	ck_assert_str_eq(c.sans.items[2].value, "#c000020100");
	ck_assert_ptr_nonnull(c.sans.items[2].problem);
	ck_assert_uint_eq(c.n_cn, 2);
	ck_assert_uint_eq(c.cns[1].len, 9);
	ck_assert(memcmp(c.cns[1].data, "a\x1b]0;x\x07\0b", 9) == 0);

	for (i = 0; i < f.n; i++) {
		if (strcmp(f.items[i].rule->id, "rfc5922.wildcard") == 0)
			wildcard = 1;
		for (k = 0; f.items[i].message[k] != '\0'; k++)
			ck_assert_msg((unsigned char)f.items[i].message[k] >= 0x20 &&
			    (unsigned char)f.items[i].message[k] != 0x7f,
			    "%s: a control character in its message", f.items[i].rule->id);
	}
	ck_assert_msg(wildcard, "the wildcard in a 1,200-octet name:%s", describe(&f));
	ck_assert_msg(has_rule(&f, "rfc5922.sip_domain_missing"), "%s", describe(&f));
	ck_assert_msg(has_rule(&f, "rfc5280.san_nul"), "%s", describe(&f));
	ck_assert_msg(has_rule(&f, "rfc5280.san_ip_length"), "%s", describe(&f));
	ck_assert_msg(has_rule(&f, "rfc5280.subject_bad_bytes"), "%s", describe(&f));
	lint_findings_free(&f);
	lint_cert_clear(&c);
	options_free(&o);
	gnutls_free(der.data);
}
END_TEST

/* A critical extension under an OID too long for a fixed buffer. */
START_TEST(test_long_oid)
{
	static const char oid[] = "1.3.6.1.4.1.99999.1000.1001.1002.1003.1004.1005."
	    "1006.1007.1008.1009.1010.1011.1012.1013.1014";
	struct spec sp = { SIPCA_SERVER, .ext_oid = oid, .ext_critical = 1 };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	build(&sp, &der);
	options(&o, -1, NULL, 0);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "rfc5280.unknown_critical_extension"), "%s",
	    describe(&f));
	ck_assert_msg(strstr(describe(&f), oid) != NULL, "%s", describe(&f));
	lint_findings_free(&f);
	options_free(&o);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_rsa_keys)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	options(&o, -1, NULL, 0);
	s.key = rsa_key(1024);
	build(&s, &der);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "tls.rsa_key_too_small"), "%s", describe(&f));
	ck_assert(has_rule(&f, "polycom.key_baseline"));
	lint_findings_free(&f);
	gnutls_free(der.data);

	s.key = rsa_key(2048);
	s.self_signed = 1;	/* sha256WithRSAEncryption */
	build(&s, &der);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(!has_rule(&f, "tls.rsa_key_too_small"), "%s", describe(&f));
	ck_assert_msg(!has_rule(&f, "polycom.key_baseline"), "%s", describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_kind_detection)
{
	struct spec server = { SIPCA_SERVER };
	struct spec device = { .eku_client = 1, .cns = { "a" } };
	struct spec ca = { .ca = 1, .cns = { "CA" }, .self_signed = 1 };
	struct spec none = { .cns = { "x" } };
	const struct { struct spec *s; enum cert_kind want; } t[] = {
		{ &server, KIND_SERVER }, { &device, KIND_DEVICE }, { &ca, KIND_CA },
		{ &none, KIND_SERVER },
	};
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	enum cert_kind k;
	size_t i;

	options(&o, -1, NULL, 0);
	for (i = 0; i < nitems(t); i++) {
		build(t[i].s, &der);
		lint_bytes(der.data, der.size, &o, &f, &k);
		ck_assert_msg(k == t[i].want, "row %zu: kind %s", i, cert_kind_name(k));
		lint_findings_reset(&f);
		gnutls_free(der.data);
	}
	o.role = KIND_DEVICE;
	build(&server, &der);
	lint_bytes(der.data, der.size, &o, &f, &k);
	ck_assert_int_eq(k, KIND_DEVICE);
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

/* Replaces the first occurrence of pat with rep (same length). */
static void
patch(unsigned char *der, size_t len, const void *pat, const void *rep, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(der + i, pat, n) == 0) {
			memcpy(der + i, rep, n);
			return;
		}
	ck_abort_msg("pattern not found");
}

START_TEST(test_negative_serial)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	const unsigned char pat[] = { 0x02, 0x14, 0x11, 0x11 };
	const unsigned char rep[] = { 0x02, 0x14, 0xff, 0x11 };

	build(&s, &der);
	patch(der.data, der.size, pat, rep, sizeof(pat));
	options(&o, -1, NULL, 0);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "rfc5280.serial_not_positive"), "%s", describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

/* Two different private extensions, the second then renamed to the
 * first: GnuTLS refuses the result, the rule must still be reported. */
START_TEST(test_duplicate_extension)
{
	struct spec s = { SIPCA_SERVER, .ext_oid = "1.3.6.1.4.1.99999.1" };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	/* the SKI extension's OID 2.5.29.14 renamed to the KU's 2.5.29.15 */
	const unsigned char pat[] = { 0x06, 0x03, 0x55, 0x1d, 0x0e };
	const unsigned char rep[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };

	build(&s, &der);
	patch(der.data, der.size, pat, rep, sizeof(pat));
	options(&o, -1, NULL, 0);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "rfc5280.duplicate_extension"), "%s", describe(&f));
	ck_assert_msg(has_rule(&f, "x509.gnutls_refused"), "%s", describe(&f));
	ck_assert(!has_rule(&f, "x509.parse"));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

/* notAfter in 2050 is GeneralizedTime; its year patched to 2049. */
START_TEST(test_time_encoding)
{
	struct spec s = { SIPCA_SERVER, .not_before = 2524608000 - 10 * DAY,
	    .days = 20 };	/* notAfter 2050-01-11 */
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	build(&s, &der);
	options(&o, -1, NULL, 0);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(!has_rule(&f, "rfc5280.time_encoding"), "%s", describe(&f));
	lint_findings_reset(&f);
	patch(der.data, der.size, "\x18\x0f" "2050", "\x18\x0f" "2049", 6);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "rfc5280.time_encoding"), "%s", describe(&f));
	lint_findings_reset(&f);
	/* no Zulu: the 'Z' replaced with a digit */
	patch(der.data, der.size, "00Z\x30", "000\x30", 4);
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "rfc5280.time_encoding"), "%s", describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_trailing_and_parse)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	unsigned char *b;

	build(&s, &der);
	b = malloc(der.size + 4);
	memcpy(b, der.data, der.size);
	memset(b + der.size, 0, 4);
	options(&o, -1, NULL, 0);
	lint_bytes(b, der.size + 4, &o, &f, NULL);
	ck_assert_msg(has_rule(&f, "x509.trailing_data"), "%s", describe(&f));
	lint_findings_reset(&f);
	lint_bytes(b, der.size - 1, &o, &f, NULL);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.items[0].rule->id, "x509.parse");
	ck_assert_int_eq(f.items[0].severity, SEV_FATAL);
	ck_assert(strstr(f.items[0].message, "libtasn1") != NULL);
	lint_findings_free(&f);
	free(b);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_profiles_and_exclude)
{
	struct spec s = { SIPCA_SERVER, .days = 10, .cns = { "*.example.com" } };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	const char *ex[] = { "validity.expires_soon" };
	const char *bad;
	unsigned mask;

	ck_assert_int_eq(lint_profiles_parse("polycom,validity", &mask, &bad), 0);
	ck_assert_uint_eq(mask, PROF_POLYCOM | PROF_VALIDITY);
	ck_assert_int_eq(lint_profiles_parse("polycom,nope", &mask, &bad), -1);
	ck_assert_str_eq(bad, "nope");

	build(&s, &der);
	options(&o, -1, NULL, 0);
	o.profiles = PROF_POLYCOM | PROF_VALIDITY;
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert(has_rule(&f, "polycom.wildcard_cn"));
	ck_assert(has_rule(&f, "validity.expires_soon"));
	ck_assert(!has_rule(&f, "rfc5922.wildcard"));
	ck_assert(!has_rule(&f, "rfc5922.uri_shadows_dns"));
	lint_findings_reset(&f);
	o.exclude = ex;
	o.n_exclude = 1;
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert(!has_rule(&f, "validity.expires_soon"));
	lint_findings_reset(&f);
	o.exclude = NULL;
	o.n_exclude = 0;
	o.expiry_warn_days = 5;
	lint_bytes(der.data, der.size, &o, &f, NULL);
	ck_assert(!has_rule(&f, "validity.expires_soon"));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_rule_table)
{
	const struct lint_rule *const *r;
	size_t n, i, j;

	r = lint_rules(&n);
	/* 41, issue 11's seven rules on names' bytes and syntax, and
	 * issue 13's chain.name_constraints */
	ck_assert_uint_eq(n, 49);
	for (i = 0; i < n; i++) {
		ck_assert_msg(r[i]->summary[0] != '\0' && r[i]->citation[0] != '\0',
		    "%s: no summary or citation", r[i]->id);
		ck_assert_msg(strchr(r[i]->id, '.') != NULL, "%s: not dotted", r[i]->id);
		ck_assert_msg(r[i]->check != NULL || strncmp(r[i]->id, "x509.", 5) == 0,
		    "%s: no check", r[i]->id);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(r[i]->id, r[j]->id) != 0, "%s twice", r[i]->id);
		ck_assert_ptr_eq(lint_rule_find(r[i]->id), r[i]);
		ck_assert_uint_eq(lint_rule_index(r[i]), i);
	}
	ck_assert_ptr_null(lint_rule_find("no.such_rule"));
}
END_TEST

struct seen {
	unsigned n;
	unsigned index[8], line[8];
	int der[8];
	char problem[8][80];
	unsigned n_error;
	char error[160];
};

static void
collect(const struct lint_source *src, void *arg)
{
	struct seen *s = arg;

	if (s->n == 8)
		return;
	s->index[s->n] = src->index;
	s->line[s->n] = src->line;
	s->der[s->n] = src->der != NULL;
	snprintf(s->problem[s->n], sizeof(s->problem[0]), "%s",
	    src->problem ? src->problem : "");
	s->n++;
}

/* The reader prints nothing: what cannot be read comes here. */
static void
collect_error(const char *message, void *arg)
{
	struct seen *s = arg;

	s->n_error++;
	snprintf(s->error, sizeof(s->error), "%s", message);
}

static char *
write_tmp(const char *content, size_t len)
{
	char *path = xstrdup("/tmp/check_lint.XXXXXX");
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fwrite(content, 1, len, f);
	fclose(f);
	return path;
}

START_TEST(test_input_stream)
{
	struct spec s = { SIPCA_SERVER };
	gnutls_datum_t der, pem;
	gnutls_x509_crt_t crt;
	struct seen seen;
	struct lint_reader reader = { collect, collect_error, &seen };
	char *text, *path;

	build(&s, &der);
	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
	text = xasprintf("junk line\n%.*s%.*s-----BEGIN CERTIFICATE-----\nAAAA\n",
	    (int)pem.size, (const char *)pem.data, (int)pem.size,
	    (const char *)pem.data);
	path = write_tmp(text, strlen(text));
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_uint_eq(seen.index[0], 1);
	ck_assert_uint_eq(seen.line[0], 2);
	ck_assert(seen.der[0] && seen.der[1]);
	ck_assert_uint_eq(seen.index[2], 3);
	ck_assert(!seen.der[2]);
	ck_assert(strstr(seen.problem[2], "truncated") != NULL);
	unlink(path);
	free(path);
	free(text);

	path = write_tmp("", 0);
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.problem[0], "empty input");
	unlink(path);
	free(path);

	path = write_tmp((const char *)der.data, der.size);
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert(seen.der[0]);
	unlink(path);
	free(path);

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input("/nonexistent/x.pem", &reader), -1);
	ck_assert_uint_eq(seen.n, 0);
	ck_assert_uint_eq(seen.n_error, 1);
	ck_assert_str_eq(seen.error,
	    "cannot read '/nonexistent/x.pem': No such file or directory");

	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	gnutls_free(der.data);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("rules");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_row, 0, nitems(rows));
	tcase_add_test(tc, test_names_read_whole);
	tcase_add_test(tc, test_long_oid);
	tcase_add_test(tc, test_rsa_keys);
	tcase_add_test(tc, test_kind_detection);
	tcase_add_test(tc, test_negative_serial);
	tcase_add_test(tc, test_duplicate_extension);
	tcase_add_test(tc, test_time_encoding);
	tcase_add_test(tc, test_trailing_and_parse);
	tcase_add_test(tc, test_profiles_and_exclude);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rule_table);
	tcase_add_test(tc, test_input_stream);
	suite_add_tcase(s, tc);
	return s;
}
