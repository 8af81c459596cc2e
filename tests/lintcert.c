/*
 * lintcert: the certificates the lint suites build with GnuTLS at run
 * time (a sipca-like server certificate changed by a struct spec, under
 * a P-256 test CA), and the few questions they ask of the findings.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lintcert.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static gnutls_x509_privkey_t ca_key, leaf_key, rsa1024_key, rsa2048_key;
static gnutls_x509_crt_t ca_crt;

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

void
lintcert_setup(void)
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

void
lintcert_teardown(void)
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

gnutls_x509_privkey_t
lintcert_rsa_key(unsigned bits)
{
	gnutls_x509_privkey_t *k = bits == 1024 ? &rsa1024_key : &rsa2048_key;

	if (*k == NULL)
		*k = new_key(GNUTLS_PK_RSA, bits);
	return *k;
}

/* A sipca-like server certificate, changed by the spec. */
void
lintcert_build(const struct spec *s, gnutls_datum_t *out)
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

void
lintcert_options(struct lint_options *o, int role, const char *domain, int with_ca)
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

void
lintcert_options_free(struct lint_options *o)
{
	if (o->n_ca == 0)
		return;
	gnutls_free(test_ca.subject.data);
	gnutls_pubkey_deinit(test_ca.pubkey);
	memset(&test_ca, 0, sizeof(test_ca));
	o->n_ca = 0;
}

int
lintcert_has_rule(const struct lint_findings *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->items[i].rule->id, id) == 0)
			return 1;
	return 0;
}

size_t
lintcert_errors(const struct lint_findings *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->items[i].severity >= SEV_ERROR)
			n++;
	return n;
}

char *
lintcert_describe(const struct lint_findings *f)
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
void
lintcert_lint(const unsigned char *der, size_t len, const struct lint_options *o,
    struct lint_findings *f, enum cert_kind *out_kind)
{
	struct lint_source src = { "test", 1, 1, der, len, NULL, NULL, 0 };
	struct lint_cert c;

	lint_one(&src, o, &c, f);
	if (out_kind != NULL)
		*out_kind = c.kind;
	lint_cert_clear(&c);
}
