/*
 * testcert: certificates for the suites, built as a CA would (RFC 5280
 * 4.2.1: SKI, AKI, keyUsage, basicConstraints, EKU for leaves).
 */
#include <check.h>
#include <string.h>
#include <arpa/inet.h>

#include <gnutls/crypto.h>

#include "testcert.h"

static void
add_san(gnutls_x509_crt_t crt, const char *san)
{
	unsigned char ip[16];

	if (strncmp(san, "DNS:", 4) == 0) {
		ck_assert_int_eq(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, san + 4, (unsigned)strlen(san + 4),
		    GNUTLS_FSAN_APPEND), 0);
	} else if (strncmp(san, "URI:", 4) == 0) {
		ck_assert_int_eq(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_URI, san + 4, (unsigned)strlen(san + 4),
		    GNUTLS_FSAN_APPEND), 0);
	} else if (strncmp(san, "IP:", 3) == 0) {
		int v6 = strchr(san + 3, ':') != NULL;

		ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, san + 3, ip), 1);
		ck_assert_int_eq(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, v6 ? 16 : 4, GNUTLS_FSAN_APPEND), 0);
	} else {
		ck_abort_msg("testcert: unknown SAN '%s'", san);
	}
}

void
tcert_make(struct tcert *out, const struct tcert_spec *spec,
    const struct tcert *issuer)
{
	unsigned char serial[20], id[64];
	size_t id_len = sizeof(id);
	time_t now = time(NULL);
	const struct tcert *signer;
	size_t i;

	memset(out, 0, sizeof(*out));
	ck_assert_int_eq(gnutls_x509_privkey_init(&out->key), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(out->key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&out->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(out->crt, 3), 0);
	/* RFC 5280 4.1.2.2: positive, at most 20 octets. */
	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x01);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(out->crt, serial,
	    sizeof(serial)), 0);
	if (spec->cn != NULL)
		ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(out->crt,
		    GNUTLS_OID_X520_COMMON_NAME, 0, spec->cn,
		    (unsigned)strlen(spec->cn)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(out->crt,
	    spec->not_before != 0 ? spec->not_before : now - 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(out->crt,
	    spec->not_after != 0 ? spec->not_after : now + 365 * 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(out->crt, out->key), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_basic_constraints(out->crt,
	    spec->ca, spec->ca ? 1 : -1), 0);
	if (spec->ca) {
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(out->crt,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	} else {
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(out->crt,
		    GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
		ck_assert_int_eq(gnutls_x509_crt_set_key_purpose_oid(out->crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
		ck_assert_int_eq(gnutls_x509_crt_set_key_purpose_oid(out->crt,
		    GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
	}
	for (i = 0; spec->sans != NULL && spec->sans[i] != NULL; i++)
		add_san(out->crt, spec->sans[i]);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(out->crt, 0, id, &id_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_subject_key_id(out->crt, id, id_len), 0);
	signer = issuer != NULL ? issuer : out;
	if (issuer != NULL) {
		id_len = sizeof(id);
		ck_assert_int_eq(gnutls_x509_crt_get_subject_key_id(issuer->crt, id,
		    &id_len, NULL), 0);
		ck_assert_int_eq(gnutls_x509_crt_set_authority_key_id(out->crt, id,
		    id_len), 0);
	}
	ck_assert_int_eq(gnutls_x509_crt_sign2(out->crt,
	    issuer != NULL ? issuer->crt : out->crt, signer->key,
	    GNUTLS_DIG_SHA256, 0), 0);
}

void
tcert_ca(struct tcert *out, const char *cn)
{
	struct tcert_spec spec;
	time_t now = time(NULL);

	memset(&spec, 0, sizeof(spec));
	spec.cn = cn;
	spec.ca = 1;
	spec.not_before = now - 86400;
	spec.not_after = now + 3650 * 86400;
	tcert_make(out, &spec, NULL);
}

void
tcert_clear(struct tcert *c)
{
	if (c->crt != NULL)
		gnutls_x509_crt_deinit(c->crt);
	if (c->key != NULL)
		gnutls_x509_privkey_deinit(c->key);
	memset(c, 0, sizeof(*c));
}

gnutls_datum_t
tcert_der(const struct tcert *c)
{
	gnutls_datum_t d = { NULL, 0 };

	ck_assert_int_eq(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_DER, &d), 0);
	return d;
}

gnutls_datum_t
tcert_pem(const struct tcert *c)
{
	gnutls_datum_t d = { NULL, 0 };

	ck_assert_int_eq(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_PEM, &d), 0);
	return d;
}

gnutls_datum_t
tcert_key_pem(const struct tcert *c)
{
	gnutls_datum_t d = { NULL, 0 };

	ck_assert_int_eq(gnutls_x509_privkey_export2_pkcs8(c->key,
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	return d;
}
