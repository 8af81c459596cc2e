/*
 * cert: certificate requests and what is read from certificates (leaves
 * are built by leaf.c).
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/x509-ext.h>

#include "ca.h"
#include "cert.h"
#include "san.h"
#include "util.h"

static int
looks_pem(const unsigned char *data, size_t len)
{
	return memmem(data, len, "-----BEGIN", 10) != NULL;
}

/*
 * The keys sipca signs for: those every phone and TLS stack it serves can
 * use. TLS 1.3 signs with RSA (PKCS#1 v1.5 or PSS over an rsaEncryption
 * key) and ECDSA on P-256, P-384 and P-521 (RFC 8446 section 4.2.3,
 * RFC 8422 section 5.1.1 for TLS 1.2); DSA is gone, and phones implement
 * neither RSA-PSS-only keys nor EdDSA. GnuTLS cannot read a key on any
 * other curve (secp256k1, brainpool) and would report it as a bad
 * signature, so the key is judged before the signature.
 */
static const char *
csr_key_reason(gnutls_x509_crq_t crq)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	const char *reason = NULL;
	unsigned bits = 0, i;
	int algo = gnutls_x509_crq_get_pk_algorithm(crq, &bits);

	switch (algo) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_ECDSA:
		break;
	case GNUTLS_E_ECC_UNSUPPORTED_CURVE:
		return "the key's elliptic curve is not supported (P-256, P-384"
		    " and P-521 are; RFC 8446 section 4.2.3)";
	case GNUTLS_PK_DSA:
		return "DSA keys are not supported: TLS 1.3 has no DSA"
		    " (RFC 8446 section 4.2.3); use RSA or ECDSA";
	case GNUTLS_PK_RSA_PSS:
		return "RSA-PSS (id-RSASSA-PSS) keys are not supported by phones;"
		    " use an RSA (rsaEncryption) or ECDSA key";
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
		return "EdDSA keys are not supported by phones; use RSA or ECDSA";
	default:
		return "the key's algorithm is not supported; use RSA or ECDSA";
	}
	if (gnutls_pubkey_init(&pub) < 0)
		return "out of memory";
	if (gnutls_pubkey_import_x509_crq(pub, crq, 0) < 0) {
		reason = "the request's key cannot be read";
	} else if (algo == GNUTLS_PK_ECDSA) {
		if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0 ||
		    (curve != GNUTLS_ECC_CURVE_SECP256R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP384R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP521R1))
			reason = "the key's elliptic curve is not supported (P-256,"
			    " P-384 and P-521 are; RFC 8446 section 4.2.3)";
	} else if (gnutls_pubkey_export_rsa_raw2(pub, &m, &e, 0) < 0) {
		reason = "the request's key cannot be read";
	} else {
		/*
		 * FIPS 186-4 appendix B.3.1: "an odd positive integer such
		 * that 2^16 < e < 2^256"; e = 3 is what opens RSA signatures
		 * to Bleichenbacher's forgery, and some stacks refuse it. An
		 * odd e of three octets or more (leading zeros aside) is
		 * above 2^16.
		 */
		for (i = 0; i < e.size && e.data[i] == 0; i++)
			;
		if (e.size == 0 || !(e.data[e.size - 1] & 1) ||
		    e.size - i < 3 || e.size - i > 32)
			reason = "the RSA public exponent is not odd and between 2^16"
			    " and 2^256 (FIPS 186-4 appendix B.3.1); make the key"
			    " with e = 65537";
	}
	gnutls_free(m.data);
	gnutls_free(e.data);
	gnutls_pubkey_deinit(pub);
	return reason;
}

/*
 * What a file that is not a request is, so the message can say "it is a
 * certificate" rather than GnuTLS's "ASN1 parser: Error in TAG.". PEM
 * by its first label (RFC 7468 section 2), DER by what GnuTLS reads it
 * as; NULL for DER that is none of these (a damaged request, perhaps).
 * Never quotes the file's bytes: it may be a private key.
 */
static const char *
not_a_request(const unsigned char *data, size_t len)
{
	const unsigned char *b = memmem(data, len, "-----BEGIN ", 11);
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;
	const char *what = NULL;
	size_t rest;

	if (b != NULL) {
		b += 11;
		rest = len - (size_t)(b - data);
		if (rest >= 12 && memcmp(b, "CERTIFICATE-", 12) == 0)
			return "it is a certificate, not a request for one";
		if (rest >= 17 && memcmp(b, "X509 CERTIFICATE-", 17) == 0)
			return "it is a certificate, not a request for one";
		if (rest >= 20 && memcmp(b, "TRUSTED CERTIFICATE-", 20) == 0)
			return "it is a certificate, not a request for one";
		if (memmem(b, rest < 40 ? rest : 40, "PRIVATE KEY-----", 16) != NULL)
			return "it is a private key; make a request with it"
			    " (openssl req -new -key FILE)";
		if (rest >= 11 && memcmp(b, "PUBLIC KEY-", 11) == 0)
			return "it is a public key; a request is signed with the"
			    " private key (openssl req -new -key FILE)";
		if (rest >= 9 && memcmp(b, "X509 CRL-", 9) == 0)
			return "it is a CRL";
		return "its PEM block is not a CERTIFICATE REQUEST";
	}
	if (len > UINT32_MAX)
		return "not PEM or DER";
	if (gnutls_x509_crt_init(&crt) >= 0 &&
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) >= 0)
		what = "it is a certificate (DER), not a request for one";
	else if (gnutls_x509_privkey_init(&key) >= 0 &&
	    gnutls_x509_privkey_import(key, &d, GNUTLS_X509_FMT_DER) >= 0)
		what = "it is a private key (DER); make a request with it"
		    " (openssl req -new -key FILE)";
	else if (gnutls_pubkey_init(&pub) >= 0 &&
	    gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_DER) >= 0)
		what = "it is a public key (DER); a request is signed with the"
		    " private key (openssl req -new -key FILE)";
	else if (len == 0 || data[0] != 0x30)
		what = "neither a PEM CERTIFICATE REQUEST nor its DER";
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return what;
}

/* A PEM request's label (RFC 7468 section 7; "NEW" is Netscape's). */
static int
has_request_label(const unsigned char *data, size_t len)
{
	return memmem(data, len, "-----BEGIN CERTIFICATE REQUEST-----", 35) != NULL ||
	    memmem(data, len, "-----BEGIN NEW CERTIFICATE REQUEST-----", 39) != NULL;
}

int
csr_load(const unsigned char *data, size_t len, gnutls_x509_crq_t *out_crq,
    const char **out_reason)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	const char *reason;
	int ret;

	if (len > UINT32_MAX) {
		*out_reason = "request too large";
		return -1;
	}
	if (gnutls_x509_crq_init(&crq) < 0) {
		*out_reason = "out of memory";
		return -1;
	}
	ret = gnutls_x509_crq_import(crq, &d,
	    looks_pem(data, len) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	/* A request damaged inside its label, or an unknown DER SEQUENCE: GnuTLS's words. */
	if (ret < 0 && (has_request_label(data, len) ||
	    (reason = not_a_request(data, len)) == NULL)) {
		*out_reason = x509_call_reason("gnutls_x509_crq_import", ret);
		goto fail;
	}
	if (ret < 0) {
		*out_reason = reason;
		gnutls_x509_crq_deinit(crq);
		return CSR_E_NOT_A_REQUEST;
	}
	if ((reason = csr_key_reason(crq)) != NULL) {
		*out_reason = reason;
		goto fail;
	}
	/* The self-signature proves the requester holds the key (RFC 2986 3). */
	if (gnutls_x509_crq_verify(crq, 0) < 0) {
		*out_reason = "the request's signature does not verify";
		goto fail;
	}
	*out_crq = crq;
	return 0;
fail:
	gnutls_x509_crq_deinit(crq);
	return -1;
}

/* What an extension lookup returned: no subjectAltName is no SANs. */
static int
sans_from_lookup(int ret, gnutls_datum_t *der, struct san_list *out)
{
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret >= 0)
		ret = san_list_from_der(der->data, der->size, out) == 0 ? 0 :
		    GNUTLS_E_ASN1_DER_ERROR;
	gnutls_free(der->data);
	return ret;
}

int
csr_sans(gnutls_x509_crq_t crq, struct san_list *out)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned critical;

	return sans_from_lookup(gnutls_x509_crq_get_extension_by_oid2(crq,
	    GNUTLS_X509EXT_OID_SAN, 0, &der, &critical), &der, out);
}

/* Bytes of a value shown in a message about it. */
#define SAN_MESSAGE_MAX 256

int
csr_copy_sans(gnutls_x509_crq_t crq, int drop_others, struct san_list *out,
    char **out_dropped, char **out_msg)
{
	struct san_list all = { NULL, 0 };
	char *others = NULL, *msg = NULL, *what, *prev;
	const char *reason;
	size_t i;
	int ret;

	*out_dropped = NULL;
	if ((ret = csr_sans(crq, &all)) < 0) {
		msg = xasprintf("subjectAltName: %s", gnutls_strerror(ret));
		goto out;
	}
	if (all.n > SAN_MAX) {
		msg = xasprintf("the request asks for %zu SANs (at most %d in one"
		    " certificate)", all.n, SAN_MAX);
		goto out;
	}
	for (i = 0; i < all.n && msg == NULL; i++) {
		const struct san_entry *e = &all.items[i];

		reason = e->problem;
		/* Wildcards are judged later, with the command's flags. */
		if (reason == NULL && e->type == SAN_DNS)
			(void)san_check_dns(e->value, SAN_ALLOW_WILDCARD, &reason);
		else if (reason == NULL && e->type == SAN_URI)
			(void)san_check_sip_uri(e->value, SAN_ALLOW_WILDCARD, &reason);
		if (e->type != SAN_DNS && e->type != SAN_URI && e->type != SAN_IP) {
			what = san_entry_describe(e, SAN_MESSAGE_MAX);
			prev = others;
			others = prev == NULL ? what : xasprintf("%s, %s", prev, what);
			if (prev != NULL) {
				free(prev);
				free(what);
			}
		} else if (reason != NULL) {
			what = text_escape(e->value, e->len, SAN_MESSAGE_MAX);
			msg = xasprintf("%s SAN '%s': %s", san_type_name(e->type), what,
			    reason);
			free(what);
		}
	}
	if (msg == NULL && others != NULL && !drop_others)
		msg = xasprintf("SANs of types sipca does not issue: %s"
		    " (--drop-other-sans issues without them)", others);
	if (msg != NULL)
		goto out;
	for (i = 0; i < all.n; i++)
		if (all.items[i].type == SAN_DNS || all.items[i].type == SAN_URI ||
		    all.items[i].type == SAN_IP)
			san_list_add(out, all.items[i].type, all.items[i].value);
	*out_dropped = others;
	others = NULL;
out:
	san_list_clear(&all);
	free(others);
	if (msg != NULL)
		*out_msg = msg;
	return msg != NULL ? -1 : 0;
}

int
cert_sans(gnutls_x509_crt_t crt, struct san_list *out)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned critical;

	return sans_from_lookup(gnutls_x509_crt_get_extension_by_oid2(crt,
	    GNUTLS_X509EXT_OID_SAN, 0, &der, &critical), &der, out);
}

int
cert_serial_hex(gnutls_x509_crt_t crt, char *buf, size_t size)
{
	unsigned char serial[64];
	size_t len = sizeof(serial);
	char *hex;
	int ret;

	if ((ret = gnutls_x509_crt_get_serial(crt, serial, &len)) < 0)
		return ret;
	hex = hex_encode(serial, len);
	if (strlen(hex) + 1 > size) {
		free(hex);
		return GNUTLS_E_SHORT_MEMORY_BUFFER;
	}
	strcpy(buf, hex);
	free(hex);
	return 0;
}

int
cert_load_all(const unsigned char *data, size_t len,
    gnutls_x509_crt_t **out_list, unsigned *out_n)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int ret;

	if (len > UINT32_MAX)
		return GNUTLS_E_INVALID_REQUEST;
	if (looks_pem(data, len)) {
		ret = gnutls_x509_crt_list_import2(&list, &n, &d,
		    GNUTLS_X509_FMT_PEM, 0);
		if (ret < 0)
			return ret;
	} else {
		list = gnutls_malloc(sizeof(*list));
		if (list == NULL)
			return GNUTLS_E_MEMORY_ERROR;
		if ((ret = gnutls_x509_crt_init(&list[0])) < 0) {
			gnutls_free(list);
			return ret;
		}
		ret = gnutls_x509_crt_import(list[0], &d, GNUTLS_X509_FMT_DER);
		if (ret < 0) {
			gnutls_x509_crt_deinit(list[0]);
			gnutls_free(list);
			return ret;
		}
		n = 1;
	}
	*out_list = list;
	*out_n = n;
	return 0;
}

char *
cert_subject(gnutls_x509_crt_t crt)
{
	gnutls_datum_t dn = { NULL, 0 };
	char *s;

	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0)
		return xstrdup("");
	s = xasprintf("%.*s", (int)dn.size, (const char *)dn.data);
	gnutls_free(dn.data);
	return s;
}
