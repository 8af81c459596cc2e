/*
 * leaf: a leaf certificate's DER from a template encoded once per CA and
 * the certificate's own fields (see leaf.h for why).
 *
 * The template's pieces are whole TLVs made by libtasn1 (the module's
 * Extension and AlgorithmIdentifier types) and GnuTLS's extension
 * encoders. A certificate's own fields are encoded with libtasn1's
 * primitives (asn1_encode_simple_der, asn1_octet_der, asn1_length_der):
 * each is a string, an integer's octets or a constructed value around
 * pieces already encoded, so no tree is built per certificate.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509-ext.h>
#include <libtasn1.h>

#include "asn1.h"
#include "ca.h"
#include "leaf.h"
#include "san.h"
#include "util.h"

/* DER identifier octets (X.690 8.1.2) of what is encoded here by hand. */
#define TAG_BOOLEAN	0x01
#define TAG_INTEGER	0x02
#define TAG_BIT_STRING	0x03
#define TAG_OCTET_STRING 0x04
#define TAG_SEQUENCE	0x30
#define TAG_SET		0x31
#define TAG_EXPLICIT(n)	(0xa0 | (n))	/* [n] constructed, context */
#define TAG_IMPLICIT(n)	(0x80 | (n))	/* [n] primitive, context */

/* RFC 5280 4.2.1 and A.2. */
#define OID_EXT_SKI	"2.5.29.14"
#define OID_EXT_KU	"2.5.29.15"
#define OID_EXT_SAN	"2.5.29.17"
#define OID_EXT_BC	"2.5.29.19"
#define OID_EXT_CRLDP	"2.5.29.31"
#define OID_EXT_AKI	"2.5.29.35"
#define OID_EXT_EKU	"2.5.29.37"
#define OID_AT_CN	"2.5.4.3"
#define OID_AT_O	"2.5.4.10"

struct piece {
	unsigned char *der;
	size_t len;
};

struct leaf_template {
	gnutls_sign_algorithm_t sign;
	struct piece sig_alg;		/* AlgorithmIdentifier */
	struct piece issuer;		/* the CA's subject, as it is encoded */
	unsigned char ca_key_id[64];
	size_t ca_key_id_len;
	char *crl_url;			/* NULL: none */
	/*
	 * The first extensions: basicConstraints, keyUsage by [RSA subject
	 * key], extendedKeyUsage by [serverAuth][clientAuth] (none when
	 * neither); the last: authorityKeyIdentifier, cRLDistributionPoints.
	 */
	struct piece bc, ku[2], eku[2][2];
	struct piece tail;
	unsigned char oid_ski[8], oid_san[8], oid_cn[8], oid_o[8];
	int oid_ski_len, oid_san_len, oid_cn_len, oid_o_len;
};

/* ---- a growing buffer of DER ---- */

struct der {
	unsigned char *p;
	size_t len, cap;
};

static void
der_reserve(struct der *d, size_t more)
{
	if (d->len + more <= d->cap)
		return;
	d->cap = (d->len + more) * 2;
	d->p = xrealloc(d->p, d->cap);
}

static void
der_put(struct der *d, const void *data, size_t len)
{
	if (len == 0)
		return;
	der_reserve(d, len);
	memcpy(d->p + d->len, data, len);
	d->len += len;
}

static void
der_header(struct der *d, unsigned char tag, size_t len)
{
	unsigned char h[1 + sizeof(unsigned long) + 1];
	int n;

	h[0] = tag;
	asn1_length_der(len, h + 1, &n);
	der_put(d, h, (size_t)n + 1);
}

/* Makes d->p[start..] the contents of one TLV of tag: its header goes before. */
static void
der_wrap(struct der *d, size_t start, unsigned char tag)
{
	unsigned char h[1 + sizeof(unsigned long) + 1];
	size_t content = d->len - start;
	int n;

	h[0] = tag;
	asn1_length_der(content, h + 1, &n);
	der_reserve(d, (size_t)n + 1);
	memmove(d->p + start + (size_t)n + 1, d->p + start, content);
	memcpy(d->p + start, h, (size_t)n + 1);
	d->len += (size_t)n + 1;
}

static void
der_tlv(struct der *d, unsigned char tag, const void *content, size_t len)
{
	der_header(d, tag, len);
	der_put(d, content, len);
}

/* A string type of libtasn1's (asn1_encode_simple_der writes the header). */
static int
der_string(struct der *d, unsigned etype, const void *s, size_t len)
{
	unsigned char tl[ASN1_MAX_TL_SIZE];
	unsigned tl_len = sizeof(tl);

	if (len > UINT32_MAX / 2 ||
	    asn1_encode_simple_der(etype, s, (unsigned)len, tl, &tl_len) != ASN1_SUCCESS)
		return GNUTLS_E_ASN1_DER_ERROR;
	der_put(d, tl, tl_len);
	der_put(d, s, len);
	return 0;
}

static void
piece_clear(struct piece *p)
{
	free(p->der);
	p->der = NULL;
	p->len = 0;
}

/* ---- the template ---- */

/* One Extension (RFC 5280 4.1), encoded with the module's type. */
static int
extension(const char *oid, int critical, const gnutls_datum_t *value,
    struct der *out)
{
	char err[PKIX_ERR_SIZE];
	asn1_node node = NULL;
	unsigned char *der = NULL;
	size_t len;
	int ret = GNUTLS_E_ASN1_DER_ERROR;

	if (pkix_new("Extension", &node, err) != 0 ||
	    pkix_write(node, "extnID", oid, 1, err) != 0 ||
	    pkix_write(node, "critical", critical ? "TRUE" : "FALSE", 1, err) != 0 ||
	    pkix_write(node, "extnValue", value->data, (int)value->size, err) != 0 ||
	    pkix_encode(node, "", &der, &len, err) != 0)
		goto out;
	der_put(out, der, len);
	ret = 0;
out:
	free(der);
	asn1_delete_structure(&node);
	return ret;
}

/*
 * basicConstraints, keyUsage for an RSA subject key or another, and
 * extendedKeyUsage by purposes: the template's first extensions.
 */
static int
head_extensions(struct leaf_template *t)
{
	gnutls_x509_key_purposes_t kp = NULL;
	gnutls_datum_t v = { NULL, 0 };
	struct der d;
	int ret, i, server, client;

	/* An end entity says so (RFC 5280 4.2.1.9), critical as GnuTLS makes it. */
	memset(&d, 0, sizeof(d));
	if ((ret = gnutls_x509_ext_export_basic_constraints(0, -1, &v)) < 0 ||
	    (ret = extension(OID_EXT_BC, 1, &v, &d)) < 0)
		goto out;
	t->bc.der = d.p;
	t->bc.len = d.len;
	for (i = 0; i < 2; i++) {
		/*
		 * RFC 8446 4.4.2.2 needs digitalSignature; TLS 1.2 RSA key
		 * exchange (still offered by older phones) needs
		 * keyEncipherment (RFC 5246 7.4.2).
		 */
		gnutls_free(v.data);
		memset(&d, 0, sizeof(d));
		if ((ret = gnutls_x509_ext_export_key_usage(GNUTLS_KEY_DIGITAL_SIGNATURE |
		    (i ? GNUTLS_KEY_KEY_ENCIPHERMENT : 0), &v)) < 0 ||
		    (ret = extension(OID_EXT_KU, 1, &v, &d)) < 0)
			goto out;
		t->ku[i].der = d.p;
		t->ku[i].len = d.len;
	}
	for (i = 1; i < 4; i++) {
		server = i & 2;
		client = i & 1;
		gnutls_free(v.data);
		memset(&d, 0, sizeof(d));
		if ((ret = gnutls_x509_key_purpose_init(&kp)) < 0 ||
		    (server && (ret = gnutls_x509_key_purpose_set(kp,
		    OID_SERVER_AUTH)) < 0) ||
		    (client && (ret = gnutls_x509_key_purpose_set(kp,
		    OID_CLIENT_AUTH)) < 0) ||
		    (ret = gnutls_x509_ext_export_key_purposes(kp, &v)) < 0 ||
		    (ret = extension(OID_EXT_EKU, 0, &v, &d)) < 0)
			goto out;
		gnutls_x509_key_purpose_deinit(kp);
		kp = NULL;
		t->eku[server != 0][client != 0].der = d.p;
		t->eku[server != 0][client != 0].len = d.len;
	}
	d.p = NULL;
	ret = 0;
out:
	free(d.p);
	gnutls_free(v.data);
	if (kp != NULL)
		gnutls_x509_key_purpose_deinit(kp);
	return ret;
}

static int
tail_extensions(const struct ca *ca, const char *crl_url, struct piece *out)
{
	gnutls_x509_aki_t aki = NULL;
	gnutls_x509_crl_dist_points_t dp = NULL;
	gnutls_datum_t id = { (unsigned char *)(uintptr_t)ca->key_id,
	    (unsigned)ca->key_id_len };
	gnutls_datum_t a = { NULL, 0 }, c = { NULL, 0 };
	gnutls_datum_t url = { (unsigned char *)(uintptr_t)crl_url,
	    crl_url != NULL ? (unsigned)strlen(crl_url) : 0 };
	struct der d = { NULL, 0, 0 };
	int ret;

	if ((ret = gnutls_x509_aki_init(&aki)) < 0 ||
	    (ret = gnutls_x509_aki_set_id(aki, &id)) < 0 ||
	    (ret = gnutls_x509_ext_export_authority_key_id(aki, &a)) < 0 ||
	    (ret = extension(OID_EXT_AKI, 0, &a, &d)) < 0)
		goto out;
	if (crl_url != NULL &&
	    ((ret = gnutls_x509_crl_dist_points_init(&dp)) < 0 ||
	    (ret = gnutls_x509_crl_dist_points_set(dp, GNUTLS_SAN_URI, &url, 0)) < 0 ||
	    (ret = gnutls_x509_ext_export_crl_dist_points(dp, &c)) < 0 ||
	    (ret = extension(OID_EXT_CRLDP, 0, &c, &d)) < 0))
		goto out;
	out->der = d.p;
	out->len = d.len;
	d.p = NULL;
	ret = 0;
out:
	free(d.p);
	gnutls_free(a.data);
	gnutls_free(c.data);
	if (aki != NULL)
		gnutls_x509_aki_deinit(aki);
	if (dp != NULL)
		gnutls_x509_crl_dist_points_deinit(dp);
	return ret;
}

/*
 * What gnutls_x509_crt_privkey_sign() chooses with SHA-256 for the CA's
 * key, and its AlgorithmIdentifier: RSA PKCS#1 v1.5 with NULL parameters
 * (RFC 4055 section 5), ECDSA without parameters (RFC 5758 section 3.2).
 */
static int
signature_algorithm(gnutls_pk_algorithm_t pk, gnutls_sign_algorithm_t *out,
    struct piece *out_alg)
{
	static const unsigned char null_der[] = { 0x05, 0x00 };
	char err[PKIX_ERR_SIZE];
	asn1_node node = NULL;
	const char *oid;
	int ret = GNUTLS_E_ASN1_DER_ERROR;

	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA)
		return GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM;
	*out = gnutls_pk_to_sign(pk, GNUTLS_DIG_SHA256);
	if ((oid = gnutls_sign_get_oid(*out)) == NULL)
		return GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM;
	if (pkix_new("AlgorithmIdentifier", &node, err) != 0 ||
	    pkix_write(node, "algorithm", oid, 1, err) != 0 ||
	    pkix_write(node, "parameters", pk == GNUTLS_PK_RSA ? null_der : NULL,
	    pk == GNUTLS_PK_RSA ? (int)sizeof(null_der) : 0, err) != 0)
		goto out;
	{
		unsigned char *der = NULL;
		size_t len;

		if (pkix_encode(node, "", &der, &len, err) != 0)
			goto out;
		out_alg->der = der;
		out_alg->len = len;
	}
	ret = 0;
out:
	asn1_delete_structure(&node);
	return ret;
}

static int
oid_der(const char *oid, unsigned char *buf, int *len)
{
	*len = 8;
	return asn1_object_id_der(oid, buf, len, 0) == ASN1_SUCCESS ? 0 :
	    GNUTLS_E_ASN1_DER_ERROR;
}

int
leaf_template_new(const struct ca *ca, const char *crl_url,
    struct leaf_template **out, const char **out_reason)
{
	struct leaf_template *t = xcalloc(1, sizeof(*t));
	gnutls_datum_t dn = { NULL, 0 };
	const char *call = "gnutls_privkey_get_pk_algorithm";
	int ret;

	ret = ca->key != NULL ? gnutls_privkey_get_pk_algorithm(ca->key, NULL) :
	    gnutls_x509_crt_get_pk_algorithm(ca->crt, NULL);
	if (ret < 0)
		goto fail;
	call = "the CA key's algorithm (leaves are signed with RSA or ECDSA)";
	if ((ret = signature_algorithm((gnutls_pk_algorithm_t)ret, &t->sign,
	    &t->sig_alg)) < 0)
		goto fail;
	call = "gnutls_x509_crt_get_raw_dn";
	if ((ret = gnutls_x509_crt_get_raw_dn(ca->crt, &dn)) < 0)
		goto fail;
	t->issuer.der = xmalloc(dn.size);
	memcpy(t->issuer.der, dn.data, dn.size);
	t->issuer.len = dn.size;
	gnutls_free(dn.data);
	if (ca->key_id_len > sizeof(t->ca_key_id)) {
		ret = GNUTLS_E_INVALID_REQUEST;
		goto fail;
	}
	memcpy(t->ca_key_id, ca->key_id, ca->key_id_len);
	t->ca_key_id_len = ca->key_id_len;
	call = "the extensions";
	if ((ret = head_extensions(t)) < 0 ||
	    (ret = tail_extensions(ca, crl_url, &t->tail)) < 0)
		goto fail;
	call = "asn1_object_id_der";
	if ((ret = oid_der(OID_EXT_SKI, t->oid_ski, &t->oid_ski_len)) < 0 ||
	    (ret = oid_der(OID_EXT_SAN, t->oid_san, &t->oid_san_len)) < 0 ||
	    (ret = oid_der(OID_AT_CN, t->oid_cn, &t->oid_cn_len)) < 0 ||
	    (ret = oid_der(OID_AT_O, t->oid_o, &t->oid_o_len)) < 0)
		goto fail;
	t->crl_url = crl_url != NULL ? xstrdup(crl_url) : NULL;
	*out = t;
	return 0;
fail:
	*out_reason = x509_call_reason(call, ret);
	leaf_template_free(t);
	return ret;
}

void
leaf_template_free(struct leaf_template *t)
{
	int a, b;

	if (t == NULL)
		return;
	piece_clear(&t->sig_alg);
	piece_clear(&t->issuer);
	piece_clear(&t->bc);
	for (a = 0; a < 2; a++) {
		piece_clear(&t->ku[a]);
		for (b = 0; b < 2; b++)
			piece_clear(&t->eku[a][b]);
	}
	piece_clear(&t->tail);
	free(t->crl_url);
	free(t);
}

int
leaf_template_fits(const struct leaf_template *t, const struct ca *ca,
    const char *crl_url)
{
	gnutls_datum_t dn = { NULL, 0 };
	int same;

	if ((t->crl_url == NULL) != (crl_url == NULL) ||
	    (crl_url != NULL && strcmp(t->crl_url, crl_url) != 0) ||
	    t->ca_key_id_len != ca->key_id_len ||
	    memcmp(t->ca_key_id, ca->key_id, ca->key_id_len) != 0 ||
	    gnutls_x509_crt_get_raw_dn(ca->crt, &dn) < 0)
		return 0;
	same = dn.size == t->issuer.len && memcmp(dn.data, t->issuer.der, dn.size) == 0;
	gnutls_free(dn.data);
	return same;
}

/* ---- one certificate ---- */

/*
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050,
 * both in UTC with seconds and 'Z'.
 */
static int
put_time(struct der *d, time_t t)
{
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL)
		return GNUTLS_E_INVALID_REQUEST;
	if (tm.tm_year + 1900 < 2050) {
		snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		return der_string(d, ASN1_ETYPE_UTC_TIME, s, strlen(s));
	}
	snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return der_string(d, ASN1_ETYPE_GENERALIZED_TIME, s, strlen(s));
}

/* X.680 41.4: what a PrintableString may hold. */
static int
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(" '()+,-./:=?", c) != NULL) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

/*
 * One RDN of one attribute; a DirectoryString is a PrintableString when
 * it can be, else UTF8String, as GnuTLS chooses (RFC 5280 4.1.2.4 asks
 * for UTF8String in new certificates but allows PrintableString, and
 * issuers keep one choice so that names compare as they did).
 */
static int
put_rdn(struct der *d, const unsigned char *oid, int oid_len, const char *value)
{
	size_t set = d->len, seq, len = strlen(value);
	int ret;

	seq = d->len;
	der_put(d, oid, (size_t)oid_len);
	if ((ret = der_string(d, printable(value, len) ?
	    ASN1_ETYPE_PRINTABLE_STRING : ASN1_ETYPE_UTF8_STRING, value, len)) < 0)
		return ret;
	der_wrap(d, seq, TAG_SEQUENCE);
	der_wrap(d, set, TAG_SET);
	return 0;
}

/* GeneralNames (RFC 5280 4.2.1.6): dNSName [2], URI [6], iPAddress [7]. */
static int
put_sans(struct der *d, const struct san_list *l)
{
	unsigned char ip[16];
	size_t ip_len, i, start = d->len;
	const char *reason;

	if (l->n > SAN_MAX)
		return GNUTLS_E_INVALID_REQUEST;
	for (i = 0; i < l->n; i++) {
		const struct san_entry *e = &l->items[i];

		/* Never encode a value whose octets are not what it reads as. */
		if (e->problem != NULL || memchr(e->value, '\0', e->len) != NULL)
			return GNUTLS_E_INVALID_REQUEST;
		switch (e->type) {
		case SAN_DNS:
			der_tlv(d, TAG_IMPLICIT(2), e->value, e->len);
			break;
		case SAN_URI:
			der_tlv(d, TAG_IMPLICIT(6), e->value, e->len);
			break;
		case SAN_IP:
			if (san_parse_ip(e->value, ip, &ip_len, &reason) < 0)
				return GNUTLS_E_INVALID_REQUEST;
			der_tlv(d, TAG_IMPLICIT(7), ip, ip_len);
			break;
		default:
			return GNUTLS_E_INVALID_REQUEST;
		}
	}
	der_wrap(d, start, TAG_SEQUENCE);
	return 0;
}

/* A non-critical extension whose value is d->p[value..]. */
static void
wrap_extension(struct der *d, size_t start, const unsigned char *oid,
    int oid_len)
{
	size_t value_len = d->len - start;
	unsigned char h[1 + sizeof(unsigned long) + 1];
	int n;

	/* extnID, then the OCTET STRING around the value (critical: DEFAULT FALSE) */
	h[0] = TAG_OCTET_STRING;
	asn1_length_der(value_len, h + 1, &n);
	der_reserve(d, (size_t)oid_len + (size_t)n + 1);
	memmove(d->p + start + (size_t)oid_len + (size_t)n + 1, d->p + start,
	    value_len);
	memcpy(d->p + start, oid, (size_t)oid_len);
	memcpy(d->p + start + oid_len, h, (size_t)n + 1);
	d->len += (size_t)oid_len + (size_t)n + 1;
	der_wrap(d, start, TAG_SEQUENCE);
}

/* tbsCertificate (RFC 5280 4.1) into d. */
static int
put_tbs(struct der *d, const struct leaf_template *t,
    const struct cert_request *req, const unsigned char serial[SERIAL_LEN],
    const gnutls_datum_t *spki, size_t *out_subject, size_t *out_subject_len)
{
	static const unsigned char v3[] = { TAG_EXPLICIT(0), 3, TAG_INTEGER, 1, 2 };
	unsigned char key_id[20];
	const struct piece *eku;
	size_t mark, exts;
	time_t not_after = req->not_after != 0 ? req->not_after :
	    req->not_before + (time_t)req->days * 86400;
	int rsa, ret;

	/* serialNumber: positive, 20 octets, first non-zero (serial_generate) */
	if (serial[0] == 0 || (serial[0] & 0x80))
		return GNUTLS_E_INVALID_REQUEST;
	der_put(d, v3, sizeof(v3));
	der_tlv(d, TAG_INTEGER, serial, SERIAL_LEN);
	der_put(d, t->sig_alg.der, t->sig_alg.len);
	der_put(d, t->issuer.der, t->issuer.len);
	mark = d->len;
	if ((ret = put_time(d, req->not_before)) < 0 ||
	    (ret = put_time(d, not_after)) < 0)
		return ret;
	der_wrap(d, mark, TAG_SEQUENCE);
	mark = d->len;
	if (req->organization != NULL &&
	    (ret = put_rdn(d, t->oid_o, t->oid_o_len, req->organization)) < 0)
		return ret;
	if ((ret = put_rdn(d, t->oid_cn, t->oid_cn_len, req->common_name)) < 0)
		return ret;
	der_wrap(d, mark, TAG_SEQUENCE);
	*out_subject = mark;
	*out_subject_len = d->len - mark;
	der_put(d, spki->data, spki->size);

	/* extensions [3]: the template's head, SAN, SKI, the template's tail */
	exts = d->len;
	rsa = gnutls_pubkey_get_pk_algorithm(req->pubkey, NULL) == GNUTLS_PK_RSA;
	eku = &t->eku[req->eku_server_auth != 0][req->eku_client_auth != 0];
	der_put(d, t->bc.der, t->bc.len);
	der_put(d, t->ku[rsa].der, t->ku[rsa].len);
	der_put(d, eku->der, eku->len);	/* empty for neither purpose */
	/* Not critical: the subject has a CN (RFC 5280 section 4.2.1.6). */
	if (req->sans != NULL && req->sans->n > 0) {
		mark = d->len;
		if ((ret = put_sans(d, req->sans)) < 0)
			return ret;
		wrap_extension(d, mark, t->oid_san, t->oid_san_len);
	}
	/*
	 * The key id GnuTLS gives (gnutls_pubkey_get_key_id, SHA-1): of the
	 * whole SubjectPublicKeyInfo, one of the "other methods" RFC 5280
	 * 4.2.1.2 allows; kept so that a key keeps the id it always had.
	 */
	if ((ret = gnutls_hash_fast(GNUTLS_DIG_SHA1, spki->data, spki->size,
	    key_id)) < 0)
		return ret;
	mark = d->len;
	der_tlv(d, TAG_OCTET_STRING, key_id, sizeof(key_id));
	wrap_extension(d, mark, t->oid_ski, t->oid_ski_len);
	der_put(d, t->tail.der, t->tail.len);
	der_wrap(d, exts, TAG_SEQUENCE);
	der_wrap(d, exts, TAG_EXPLICIT(3));
	return 0;
}

int
leaf_sign(const struct leaf_template *t, const struct cert_request *req,
    gnutls_privkey_t key, const unsigned char serial[SERIAL_LEN],
    unsigned char **out_der, size_t *out_len, char **out_subject)
{
	struct der d = { NULL, 0, 0 };
	gnutls_datum_t spki = { NULL, 0 }, tbs, sig = { NULL, 0 };
	gnutls_datum_t name, text = { NULL, 0 };
	size_t sig_start, subject, subject_len;
	int ret;

	if ((t->crl_url == NULL) != (req->crl_url == NULL) ||
	    (t->crl_url != NULL && strcmp(t->crl_url, req->crl_url) != 0))
		return GNUTLS_E_INVALID_REQUEST;
	if ((ret = gnutls_pubkey_export2(req->pubkey, GNUTLS_X509_FMT_DER, &spki)) < 0)
		goto out;
	der_reserve(&d, 1024);
	if ((ret = put_tbs(&d, t, req, serial, &spki, &subject, &subject_len)) < 0)
		goto out;
	/* RFC 4514 text as gnutls_x509_crt_get_dn3() gives it */
	name.data = d.p + subject;
	name.size = (unsigned)subject_len;
	if ((ret = gnutls_x509_rdn_get2(&name, &text, 0)) < 0)
		goto out;
	der_wrap(&d, 0, TAG_SEQUENCE);
	tbs.data = d.p;
	tbs.size = (unsigned)d.len;
	if ((ret = gnutls_privkey_sign_data2(key, t->sign, 0, &tbs, &sig)) < 0)
		goto out;
	der_put(&d, t->sig_alg.der, t->sig_alg.len);
	/* the signature's BIT STRING: no unused bits (RFC 5280 4.1.1.3) */
	sig_start = d.len;
	der_put(&d, "", 1);
	der_put(&d, sig.data, sig.size);
	der_wrap(&d, sig_start, TAG_BIT_STRING);
	der_wrap(&d, 0, TAG_SEQUENCE);
	*out_der = d.p;
	*out_len = d.len;
	*out_subject = xasprintf("%.*s", (int)text.size, (const char *)text.data);
	d.p = NULL;
	ret = 0;
out:
	free(d.p);
	gnutls_free(text.data);
	gnutls_free(spki.data);
	gnutls_free(sig.data);
	return ret;
}
