/*
 * crl: the CA's v2 CRL, built and signed with GnuTLS.
 *
 * GnuTLS's CRL API writes everything RFC 5280 asks of the CRL itself but
 * has no way to give an entry an extension, so the reasonCode (5.3.1)
 * cannot be set through it. When an entry has a reason, the signed CRL
 * GnuTLS made is taken apart, each revokedCertificates entry gets its
 * crlEntryExtensions, and the TBSCertList is signed again with the same
 * algorithm; everything else (issuer, times, AKI, CRL number, the
 * AlgorithmIdentifier) stays byte for byte what GnuTLS encoded. The
 * result is checked against the CA certificate before it is handed out.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "crl.h"
#include "util.h"

static const struct {
	enum crl_reason code;
	const char *name;
} reasons[] = {
	{ CRL_REASON_UNSPECIFIED, "unspecified" },
	{ CRL_REASON_KEY_COMPROMISE, "keyCompromise" },
	{ CRL_REASON_AFFILIATION_CHANGED, "affiliationChanged" },
	{ CRL_REASON_SUPERSEDED, "superseded" },
	{ CRL_REASON_CESSATION_OF_OPERATION, "cessationOfOperation" },
};

int
crl_reason_parse(const char *name, enum crl_reason *out)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(name, reasons[i].name) == 0) {
			*out = reasons[i].code;
			return 0;
		}
	}
	return -1;
}

const char *
crl_reason_name(enum crl_reason r)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == r)
			return reasons[i].name;
	return "unspecified";
}

/* ---- just enough DER to add entry extensions ---- */

#define TAG_INTEGER 0x02
#define TAG_BIT_STRING 0x03
#define TAG_SEQUENCE 0x30
#define TAG_UTC_TIME 0x17
#define TAG_GENERALIZED_TIME 0x18

struct der_buf {
	unsigned char *data;
	size_t len, cap;
};

static void
der_append(struct der_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* A tag and a definite length in the minimal form DER requires (X.690 10.1). */
static void
der_put_header(struct der_buf *b, unsigned char tag, size_t len)
{
	unsigned char h[2 + sizeof(size_t)];
	size_t n = 0, i, bytes = 0, v;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else {
		for (v = len; v != 0; v >>= 8)
			bytes++;
		h[n++] = (unsigned char)(0x80 | bytes);
		for (i = bytes; i > 0; i--)
			h[n++] = (unsigned char)(len >> (8 * (i - 1)));
	}
	der_append(b, h, n);
}

static void
der_put(struct der_buf *b, unsigned char tag, const void *content, size_t len)
{
	der_put_header(b, tag, len);
	der_append(b, content, len);
}

/*
 * Reads the TLV at *p (single-octet tags, definite lengths), moving *p
 * past it. *out_content points into the buffer. Returns 0 or -1.
 */
static int
der_read(const unsigned char **p, const unsigned char *end,
    unsigned char *out_tag, const unsigned char **out_content, size_t *out_len)
{
	const unsigned char *q = *p;
	size_t len = 0, bytes, i;

	if (end - q < 2 || (q[0] & 0x1f) == 0x1f)
		return -1;
	*out_tag = q[0];
	if (q[1] < 0x80) {
		len = q[1];
		q += 2;
	} else {
		bytes = q[1] & 0x7f;
		if (bytes == 0 || bytes > sizeof(size_t) || (size_t)(end - q) < 2 + bytes)
			return -1;
		for (i = 0; i < bytes; i++)
			len = (len << 8) | q[2 + i];
		q += 2 + bytes;
	}
	if ((size_t)(end - q) < len)
		return -1;
	*out_content = q;
	*out_len = len;
	*p = q + len;
	return 0;
}

/* The INTEGER value without leading zero octets, for comparing serials. */
static void
strip_zeros(const unsigned char **p, size_t *len)
{
	while (*len > 1 && **p == 0) {
		(*p)++;
		(*len)--;
	}
}

/* A serial as the octets of a positive INTEGER; returns the length or -1. */
static long
serial_octets(const char *hex, unsigned char out[SERIAL_LEN + 1])
{
	long n = hex_decode(hex, out + 1, SERIAL_LEN);

	if (n <= 0)
		return -1;
	/* A leading 1 bit would make the INTEGER negative (X.690 8.3.3). */
	if (out[1] & 0x80) {
		out[0] = 0;
		return n + 1;
	}
	memmove(out, out + 1, (size_t)n);
	return n;
}

/*
 * One revokedCertificates entry with the reasonCode extension appended
 * (RFC 5280 5.3.1): Extension { id-ce-cRLReasons, OCTET STRING {
 * ENUMERATED code } }, non-critical.
 */
static int
entry_with_reason(const unsigned char *content, size_t len,
    const struct crl_entry *e, struct der_buf *out)
{
	static const unsigned char reason_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x15 };
	const unsigned char *p = content, *end = content + len, *serial, *t;
	unsigned char tag, want[SERIAL_LEN + 1], ext_value[3], time_tag;
	size_t serial_len, t_len, want_len;
	long n;
	struct der_buf ext = { NULL, 0, 0 }, exts = { NULL, 0, 0 };
	struct der_buf body = { NULL, 0, 0 };
	int ret = -1;

	if (der_read(&p, end, &tag, &serial, &serial_len) < 0 || tag != TAG_INTEGER)
		goto out;
	/* userCertificate and revocationDate are kept as GnuTLS encoded them. */
	der_append(&body, content, (size_t)(end - content));
	if (der_read(&p, end, &time_tag, &t, &t_len) < 0 ||
	    (time_tag != TAG_UTC_TIME && time_tag != TAG_GENERALIZED_TIME) ||
	    p != end)
		goto out;
	/* The entries come back in the order they were added: check it. */
	if ((n = serial_octets(e->serial_hex, want)) < 0)
		goto out;
	want_len = (size_t)n;
	strip_zeros(&serial, &serial_len);
	{
		const unsigned char *w = want;

		strip_zeros(&w, &want_len);
		if (serial_len != want_len || memcmp(serial, w, want_len) != 0)
			goto out;
	}
	ext_value[0] = 0x0a;	/* ENUMERATED */
	ext_value[1] = 1;
	ext_value[2] = (unsigned char)e->reason;
	der_append(&ext, reason_oid, sizeof(reason_oid));
	der_put(&ext, 0x04, ext_value, sizeof(ext_value));
	der_put(&exts, TAG_SEQUENCE, ext.data, ext.len);
	der_put(&body, TAG_SEQUENCE, exts.data, exts.len);
	der_put(out, TAG_SEQUENCE, body.data, body.len);
	ret = 0;
out:
	free(ext.data);
	free(exts.data);
	free(body.data);
	return ret;
}

/* The revokedCertificates list with reasons where an entry has one. */
static int
revoked_with_reasons(const unsigned char *content, size_t len,
    const struct crl_params *prm, struct der_buf *out)
{
	const unsigned char *p = content, *end = content + len, *start, *c;
	unsigned char tag;
	size_t clen, i = 0;
	struct der_buf list = { NULL, 0, 0 };
	int ret = -1;

	while (p < end) {
		start = p;
		if (der_read(&p, end, &tag, &c, &clen) < 0 || tag != TAG_SEQUENCE ||
		    i >= prm->n)
			goto out;
		/* RFC 5280 5.3.1: absent rather than unspecified (0). */
		if (prm->entries[i].reason == CRL_REASON_UNSPECIFIED)
			der_append(&list, start, (size_t)(p - start));
		else if (entry_with_reason(c, clen, &prm->entries[i], &list) < 0)
			goto out;
		i++;
	}
	if (i != prm->n)
		goto out;
	der_put(out, TAG_SEQUENCE, list.data, list.len);
	ret = 0;
out:
	free(list.data);
	return ret;
}

/* Rebuilds and re-signs the CRL GnuTLS signed, adding the reason codes. */
static int
add_reasons(const gnutls_datum_t *der, const struct crl_params *prm,
    const struct ca *ca, gnutls_sign_algorithm_t algo, gnutls_datum_t *out)
{
	const unsigned char *p = der->data, *end = der->data + der->size;
	const unsigned char *crl, *tbs, *alg_start, *alg, *f, *start;
	unsigned char tag;
	size_t crl_len, tbs_len, alg_len, f_len;
	struct der_buf body = { NULL, 0, 0 }, new_tbs = { NULL, 0, 0 };
	struct der_buf sig_bits = { NULL, 0, 0 }, whole = { NULL, 0, 0 };
	gnutls_datum_t tbs_datum, sig = { NULL, 0 };
	int ret = GNUTLS_E_PARSING_ERROR, seen_time = 0, done_list = 0;
	static const unsigned char no_unused_bits = 0;

	if (der_read(&p, end, &tag, &crl, &crl_len) < 0 || tag != TAG_SEQUENCE)
		goto out;
	p = crl;
	end = crl + crl_len;
	if (der_read(&p, end, &tag, &tbs, &tbs_len) < 0 || tag != TAG_SEQUENCE)
		goto out;
	alg_start = p;
	if (der_read(&p, end, &tag, &alg, &alg_len) < 0 || tag != TAG_SEQUENCE)
		goto out;
	alg_len = (size_t)(p - alg_start);	/* the whole TLV from here on */

	/* TBSCertList: version, signature, issuer, thisUpdate, nextUpdate,
	 * revokedCertificates, [0] crlExtensions (RFC 5280 5.1). */
	p = tbs;
	end = tbs + tbs_len;
	while (p < end) {
		start = p;
		if (der_read(&p, end, &tag, &f, &f_len) < 0)
			goto out;
		if (tag == TAG_UTC_TIME || tag == TAG_GENERALIZED_TIME)
			seen_time = 1;
		if (tag == TAG_SEQUENCE && seen_time && !done_list) {
			if (revoked_with_reasons(f, f_len, prm, &body) < 0)
				goto out;
			done_list = 1;
			continue;
		}
		der_append(&body, start, (size_t)(p - start));
	}
	if (!done_list)
		goto out;
	der_put(&new_tbs, TAG_SEQUENCE, body.data, body.len);

	tbs_datum.data = new_tbs.data;
	tbs_datum.size = (unsigned)new_tbs.len;
	if ((ret = gnutls_privkey_sign_data2(ca->key, algo, 0, &tbs_datum, &sig)) < 0)
		goto out;
	der_append(&sig_bits, &no_unused_bits, 1);
	der_append(&sig_bits, sig.data, sig.size);
	free(body.data);
	body.data = NULL;
	body.len = body.cap = 0;
	der_append(&body, new_tbs.data, new_tbs.len);
	der_append(&body, alg_start, alg_len);
	der_put(&body, TAG_BIT_STRING, sig_bits.data, sig_bits.len);
	der_put(&whole, TAG_SEQUENCE, body.data, body.len);

	out->data = gnutls_malloc(whole.len);
	if (out->data == NULL) {
		ret = GNUTLS_E_MEMORY_ERROR;
		goto out;
	}
	memcpy(out->data, whole.data, whole.len);
	out->size = (unsigned)whole.len;
	ret = 0;
out:
	free(body.data);
	free(new_tbs.data);
	free(sig_bits.data);
	free(whole.data);
	gnutls_free(sig.data);
	return ret;
}

/* The CRL number as the octets of a positive INTEGER, leading zero first. */
static size_t
number_octets(unsigned long long v, unsigned char out[9])
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < 8; i++)
		out[1 + i] = (unsigned char)(v >> (8 * (7 - i)));
	return 9;	/* libtasn1 drops the redundant leading octets */
}

/*
 * Verifies der as a relying party would: parsed afresh, against the CA
 * certificate parsed afresh from its PEM (a certificate GnuTLS has only
 * built in memory does not match an issuer name read back from DER).
 */
static int
check_signature(const gnutls_datum_t *der, const struct ca *ca)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_x509_crt_t issuer = NULL;
	unsigned verify = 0;
	int ret;

	if ((ret = gnutls_x509_crl_init(&crl)) < 0 ||
	    (ret = gnutls_x509_crt_init(&issuer)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_import(issuer, &ca->pem, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crl_import(crl, der, GNUTLS_X509_FMT_DER)) < 0 ||
	    (ret = gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify)) < 0)
		goto out;
	if (verify != 0)
		ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
out:
	if (issuer != NULL)
		gnutls_x509_crt_deinit(issuer);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	return ret < 0 ? ret : 0;
}

int
crl_build(const struct crl_params *p, const struct ca *ca,
    gnutls_datum_t *out_der)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t der = { NULL, 0 }, with_reasons = { NULL, 0 };
	unsigned char serial[SERIAL_LEN + 1], number[9];
	size_t i, number_len;
	long n;
	int ret, any_reason = 0;

	if ((ret = gnutls_x509_crl_init(&crl)) < 0)
		goto out;
	/* v2: the only version that carries extensions (RFC 5280 5.1.2.1). */
	if ((ret = gnutls_x509_crl_set_version(crl, 2)) < 0 ||
	    (ret = gnutls_x509_crl_set_this_update(crl, p->this_update)) < 0 ||
	    (ret = gnutls_x509_crl_set_next_update(crl, p->next_update)) < 0)
		goto out;
	for (i = 0; i < p->n; i++) {
		if ((n = serial_octets(p->entries[i].serial_hex, serial)) < 0) {
			ret = GNUTLS_E_PARSING_ERROR;
			goto out;
		}
		if ((ret = gnutls_x509_crl_set_crt_serial(crl, serial, (size_t)n,
		    p->entries[i].revoked_at)) < 0)
			goto out;
		any_reason |= p->entries[i].reason != CRL_REASON_UNSPECIFIED;
	}
	/* RFC 5280 5.2.1 (MUST) and 5.2.3 (MUST): AKI and the CRL number. */
	if ((ret = gnutls_x509_crl_set_authority_key_id(crl, ca->key_id,
	    ca->key_id_len)) < 0)
		goto out;
	number_len = number_octets(p->number, number);
	if ((ret = gnutls_x509_crl_set_number(crl, number, number_len)) < 0)
		goto out;
	if ((ret = gnutls_x509_crl_privkey_sign(crl, ca->crt, ca->key,
	    GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	if ((ret = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &der)) < 0)
		goto out;
	if (any_reason) {
		ret = add_reasons(&der, p, ca,
		    (gnutls_sign_algorithm_t)gnutls_x509_crl_get_signature_algorithm(crl),
		    &with_reasons);
		if (ret < 0)
			goto out;
		gnutls_free(der.data);
		der = with_reasons;
		with_reasons.data = NULL;
	}
	if ((ret = check_signature(&der, ca)) < 0)
		goto out;
	*out_der = der;
	der.data = NULL;
	ret = 0;
out:
	gnutls_free(der.data);
	gnutls_free(with_reasons.data);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	return ret;
}

int
crl_to_pem(const gnutls_datum_t *der, gnutls_datum_t *out_pem)
{
	return gnutls_pem_base64_encode2("X509 CRL", der, out_pem);
}
