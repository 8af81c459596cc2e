/*
 * scep_wire: SCEP's SignedData layer (RFC 8894 section 3.2) through
 * GnuTLS's PKCS#7 API, its authenticated attributes (3.2.1), and the
 * pieces both sides share: the names of types and failures and the
 * degenerate certificates-only SignedData (3.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <libtasn1.h>

#include "cms.h"
#include "scep_wire.h"

/* RFC 8894 section 3.2.1 (id-attributes: 2.16.840.1.113733.1.9) */
#define OID_MESSAGE_TYPE "2.16.840.1.113733.1.9.2"
#define OID_PKI_STATUS "2.16.840.1.113733.1.9.3"
#define OID_FAIL_INFO "2.16.840.1.113733.1.9.4"
#define OID_SENDER_NONCE "2.16.840.1.113733.1.9.5"
#define OID_RECIPIENT_NONCE "2.16.840.1.113733.1.9.6"
#define OID_TRANSACTION_ID "2.16.840.1.113733.1.9.7"
/* RFC 8894 section 3.2.1.4, id-scep-failInfoText */
#define OID_FAIL_INFO_TEXT "1.3.6.1.5.5.7.24.1"

/*
 * A client's self-signed certificate is judged by its signature only
 * (RFC 8894 section 2.3); old clients sign with SHA-1 (2.9 allows it).
 * MD5 stays refused (2.9: MUST NOT).
 * gnutls_x509_crt_verify_data2() skips its date check only with both
 * time flags.
 */
#define VERIFY_FLAGS (GNUTLS_VERIFY_DISABLE_TIME_CHECKS | \
    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS | \
    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1)

const char *
scep_type_name(enum scep_type t)
{
	switch (t) {
	case SCEP_CERT_REP:
		return "CertRep";
	case SCEP_RENEWAL_REQ:
		return "RenewalReq";
	case SCEP_PKCS_REQ:
		return "PKCSReq";
	case SCEP_CERT_POLL:
		return "CertPoll";
	case SCEP_GET_CERT:
		return "GetCert";
	case SCEP_GET_CRL:
		return "GetCRL";
	}
	return "unknown";
}

const char *
scep_fail_name(enum scep_fail f)
{
	switch (f) {
	case SCEP_BAD_ALG:
		return "badAlg";
	case SCEP_BAD_MESSAGE_CHECK:
		return "badMessageCheck";
	case SCEP_BAD_REQUEST:
		return "badRequest";
	case SCEP_BAD_TIME:
		return "badTime";
	case SCEP_BAD_CERT_ID:
		return "badCertID";
	}
	return "unknown";
}

void
scep_attrs_init(struct scep_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->type = a->status = a->fail = -1;
}

/* Signed attributes as DER values, for either way of signing. */
#define MAX_ATTRS 10
struct attr_list {
	size_t n;
	struct {
		const char *oid;
		unsigned char der[SCEP_FAIL_TEXT_MAX + 8];
		unsigned len;
	} a[MAX_ATTRS];
};

/* An attribute value of etype holding len octets of p. */
static int
add_value(struct attr_list *l, const char *oid, unsigned etype,
    const void *p, size_t len, char *err, size_t size)
{
	unsigned tl_len = 8;

	if (l->n == MAX_ATTRS || len > SCEP_FAIL_TEXT_MAX ||
	    asn1_encode_simple_der(etype, p, (unsigned)len, l->a[l->n].der,
	    &tl_len) != ASN1_SUCCESS) {
		snprintf(err, size, "attribute %s: cannot encode it", oid);
		return -1;
	}
	memcpy(l->a[l->n].der + tl_len, p, len);
	l->a[l->n].oid = oid;
	l->a[l->n].len = tl_len + (unsigned)len;
	l->n++;
	return 0;
}

static int
add_number(struct attr_list *l, const char *oid, int n, char *err, size_t size)
{
	char text[16];

	snprintf(text, sizeof(text), "%d", n);
	return add_value(l, oid, ASN1_ETYPE_PRINTABLE_STRING, text, strlen(text),
	    err, size);
}

/* RFC 8894 3.2.1: the SCEP attributes of a, as DER values. */
static int
scep_attr_list(const struct scep_attrs *a, struct attr_list *l, char *err,
    size_t size)
{
	l->n = 0;
	if ((a->type >= 0 && add_number(l, OID_MESSAGE_TYPE, a->type, err,
	    size) != 0) ||
	    (a->status >= 0 && add_number(l, OID_PKI_STATUS, a->status, err,
	    size) != 0) ||
	    (a->fail >= 0 && add_number(l, OID_FAIL_INFO, a->fail, err,
	    size) != 0) ||
	    (a->fail_text[0] != '\0' && add_value(l, OID_FAIL_INFO_TEXT,
	    ASN1_ETYPE_UTF8_STRING, a->fail_text, strlen(a->fail_text), err,
	    size) != 0) ||
	    (a->transaction_id[0] != '\0' && add_value(l, OID_TRANSACTION_ID,
	    ASN1_ETYPE_PRINTABLE_STRING, a->transaction_id,
	    strlen(a->transaction_id), err, size) != 0) ||
	    (a->has_sender_nonce && add_value(l, OID_SENDER_NONCE,
	    ASN1_ETYPE_OCTET_STRING, a->sender_nonce, SCEP_NONCE_LEN, err,
	    size) != 0) ||
	    (a->has_recipient_nonce && add_value(l, OID_RECIPIENT_NONCE,
	    ASN1_ETYPE_OCTET_STRING, a->recipient_nonce, SCEP_NONCE_LEN, err,
	    size) != 0))
		return -1;
	return 0;
}

/* asn1_write_value() of base + field; the name in err on failure. */
static int
put(asn1_node node, const char *base, const char *field, const void *value,
    int len, char *err, size_t size)
{
	char name[256];
	int ret;

	snprintf(name, sizeof(name), "%s%s", base, field);
	if ((ret = asn1_write_value(node, name, value, len)) != ASN1_SUCCESS) {
		snprintf(err, size, "asn1_write_value %s: %s", name,
		    asn1_strerror(ret));
		return -1;
	}
	return 0;
}

/* The attributes of l as the SET OF Attribute set ("": the element). */
static int
put_attrs(asn1_node node, const char *set, const struct attr_list *l,
    char *err, size_t size)
{
	char last[128];
	size_t i;

	snprintf(last, sizeof(last), "%s%s?LAST.", set, set[0] != '\0' ? "." : "");
	for (i = 0; i < l->n; i++)
		if (put(node, set, "", "NEW", 1, err, size) != 0 ||
		    put(node, last, "attrType", l->a[i].oid, 1, err, size) != 0 ||
		    put(node, last, "attrValues", "NEW", 1, err, size) != 0 ||
		    put(node, last, "attrValues.?LAST", l->a[i].der,
		    (int)l->a[i].len, err, size) != 0)
			return -1;
	return 0;
}

/*
 * RFC 5652 section 5 by hand for the one case GnuTLS refuses: signed
 * attributes over empty, absent content (gnutls_pkcs7_sign() then
 * answers GNUTLS_E_NO_EMBEDDED_DATA). libtasn1 arranges the octets;
 * the digest and the signature are GnuTLS's.
 */
static int
sign_empty(struct attr_list *l, gnutls_x509_crt_t signer, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, gnutls_datum_t *out, char *err, size_t size)
{
	static const char *const si = "content.signerInfos.?LAST.";
	unsigned char digest[64], serial[64];
	size_t serial_len = sizeof(serial);
	gnutls_datum_t tbs = { NULL, 0 }, sig = { NULL, 0 }, dn = { NULL, 0 },
	    crt = { NULL, 0 };
	gnutls_pk_algorithm_t pk = gnutls_privkey_get_pk_algorithm(key, NULL);
	const char *dig_oid = gnutls_digest_get_oid(dig);
	/*
	 * RSA as rsaEncryption (RFC 3370 section 3.2, as gnutls_pkcs7_sign
	 * writes a SUCCESS): strongSwan's pki --scep reads no other
	 * ("only RSA digest encryption supported"), nor does certmonger.
	 */
	const char *sig_oid = pk == GNUTLS_PK_RSA ? "1.2.840.113549.1.1.1" :
	    gnutls_sign_get_oid(gnutls_pk_to_sign(pk, dig));
	asn1_node attrs = NULL, node = NULL;
	int ret, rc = -1;

	if (dig_oid == NULL || sig_oid == NULL) {
		snprintf(err, size, "no signature algorithm for %s with %s",
		    gnutls_pk_get_name(pk), gnutls_digest_get_name(dig));
		goto out;
	}
	/* RFC 5652 5.3: contentType and messageDigest (of nothing) */
	if ((ret = gnutls_hash_fast(dig, "", 0, digest)) < 0) {
		snprintf(err, size, "gnutls_hash_fast: %s", gnutls_strerror(ret));
		goto out;
	}
	if (l->n + 2 > MAX_ATTRS) {
		snprintf(err, size, "too many attributes");
		goto out;
	}
	l->a[l->n].oid = "1.2.840.113549.1.9.3";
	memcpy(l->a[l->n].der, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01", 11);
	l->a[l->n++].len = 11;
	if (add_value(l, "1.2.840.113549.1.9.4", ASN1_ETYPE_OCTET_STRING, digest,
	    gnutls_hash_get_len(dig), err, size) != 0)
		goto out;
	/* 5.4: the signature covers the attributes as a universal SET */
	if (cms_asn1_new("SignedAttributes", &attrs, err, size) != 0 ||
	    put_attrs(attrs, "", l, err, size) != 0 ||
	    cms_asn1_encode(attrs, &tbs, err, size) != 0)
		goto out;
	if ((ret = gnutls_privkey_sign_data(key, dig, 0, &tbs, &sig)) < 0) {
		snprintf(err, size, "gnutls_privkey_sign_data: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_x509_crt_get_raw_issuer_dn(signer, &dn)) < 0 ||
	    (ret = gnutls_x509_crt_get_serial(signer, serial, &serial_len)) < 0 ||
	    (ret = gnutls_x509_crt_export2(signer, GNUTLS_X509_FMT_DER, &crt)) < 0) {
		snprintf(err, size, "the signer's certificate: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if (cms_asn1_new("SignedContentInfo", &node, err, size) != 0 ||
	    put(node, "", "contentType", "1.2.840.113549.1.7.2", 1, err, size) ||
	    put(node, "content.", "version", "1", 0, err, size) ||
	    put(node, "content.", "digestAlgorithms", "NEW", 1, err, size) ||
	    put(node, "content.", "digestAlgorithms.?LAST.algorithm", dig_oid, 1,
	    err, size) ||
	    put(node, "content.", "digestAlgorithms.?LAST.parameters", NULL, 0,
	    err, size) ||
	    put(node, "content.", "encapContentInfo.eContentType",
	    "1.2.840.113549.1.7.1", 1, err, size) ||
	    put(node, "content.", "encapContentInfo.eContent", "", 0, err,
	    size) ||
	    put(node, "content.", "certificates", "NEW", 1, err, size) ||
	    put(node, "content.", "certificates.?LAST", crt.data, (int)crt.size,
	    err, size) ||
	    put(node, "content.", "crls", NULL, 0, err, size) ||
	    put(node, "content.", "signerInfos", "NEW", 1, err, size) ||
	    put(node, si, "version", "1", 0, err, size) ||
	    put(node, si, "sid.issuer", dn.data, (int)dn.size, err, size) ||
	    put(node, si, "sid.serialNumber", serial, (int)serial_len, err,
	    size) ||
	    put(node, si, "digestAlgorithm.algorithm", dig_oid, 1, err, size) ||
	    put(node, si, "digestAlgorithm.parameters", NULL, 0, err, size) ||
	    put_attrs(node, "content.signerInfos.?LAST.signedAttrs", l, err,
	    size) ||
	    put(node, si, "signatureAlgorithm.algorithm", sig_oid, 1, err, size) ||
	    put(node, si, "signatureAlgorithm.parameters",
	    pk == GNUTLS_PK_RSA ? "\x05\x00" : NULL, pk == GNUTLS_PK_RSA ? 2 : 0,
	    err, size) ||
	    put(node, si, "signature", sig.data, (int)sig.size, err, size) ||
	    put(node, si, "unsignedAttrs", NULL, 0, err, size))
		goto out;
	if (cms_asn1_encode(node, out, err, size) != 0)
		goto out;
	rc = 0;
out:
	if (attrs != NULL)
		asn1_delete_structure(&attrs);
	if (node != NULL)
		asn1_delete_structure(&node);
	gnutls_free(tbs.data);
	gnutls_free(sig.data);
	gnutls_free(dn.data);
	gnutls_free(crt.data);
	return rc;
}

int
scep_wire_sign(const gnutls_datum_t *content, const struct scep_attrs *a,
    gnutls_x509_crt_t signer, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, gnutls_datum_t *out, char *err, size_t size)
{
	struct attr_list *l = NULL;
	gnutls_pkcs7_attrs_t list = NULL;
	gnutls_pkcs7_t p7 = NULL;
	gnutls_datum_t d;
	size_t i;
	int ret, rc = -1;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	if (scep_attr_list(a, l, err, size) != 0)
		goto out;
	/* RFC 8894 3.3.2: a FAILURE or PENDING CertRep omits the
	 * pkcsPKIEnvelope, so the eContent is empty (present: OpenSSL's
	 * PKCS7_verify, certmonger's, refuses a SignedData without one). */
	if (content == NULL || content->size == 0) {
		rc = sign_empty(l, signer, key, dig, out, err, size);
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		d.data = l->a[i].der;
		d.size = l->a[i].len;
		if ((ret = gnutls_pkcs7_add_attr(&list, l->a[i].oid, &d, 0)) < 0) {
			snprintf(err, size, "gnutls_pkcs7_add_attr: %s",
			    gnutls_strerror(ret));
			goto out;
		}
	}
	if ((ret = gnutls_pkcs7_init(&p7)) < 0) {
		p7 = NULL;
		snprintf(err, size, "gnutls_pkcs7_init: %s", gnutls_strerror(ret));
		goto out;
	}
	/* RFC 8894 3.2: eContentType id-data, the content embedded; the
	 * signer's certificate carried (the client's for the server to
	 * encrypt to, the RA's for the client to verify). */
	if ((ret = gnutls_pkcs7_sign(p7, signer, key, content, list, NULL, dig,
	    GNUTLS_PKCS7_EMBED_DATA | GNUTLS_PKCS7_INCLUDE_CERT |
	    GNUTLS_PKCS7_INCLUDE_TIME)) < 0) {
		snprintf(err, size, "gnutls_pkcs7_sign: %s", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, out)) < 0) {
		snprintf(err, size, "gnutls_pkcs7_export2: %s", gnutls_strerror(ret));
		goto out;
	}
	rc = 0;
out:
	free(l);
	if (list != NULL)
		gnutls_pkcs7_attrs_deinit(list);
	if (p7 != NULL)
		gnutls_pkcs7_deinit(p7);
	return rc;
}

/*
 * A carried certificate, parsed leniently: a client's self-made one may
 * carry what GnuTLS's sanity checks refuse (RFC 8894 2.3: only its key
 * and signature matter). NULL when it does not parse even so.
 */
static gnutls_x509_crt_t
import_lenient(const gnutls_datum_t *der)
{
	gnutls_x509_crt_t crt = NULL;

	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0)
		return crt;
	gnutls_x509_crt_deinit(crt);
	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	gnutls_x509_crt_set_flags(crt, GNUTLS_X509_CRT_FLAG_IGNORE_SANITY);
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0)
		return crt;
	gnutls_x509_crt_deinit(crt);
	return NULL;
}

/* RFC 5652 5.3: sid names the signer by issuer and serial, or by SKI. */
static int
names_signer(gnutls_x509_crt_t crt, const gnutls_pkcs7_signature_info_st *info)
{
	unsigned char buf[64];
	size_t len = sizeof(buf);
	gnutls_datum_t dn = { NULL, 0 };
	int match = 0;

	if (info->issuer_keyid.size > 0) {
		return gnutls_x509_crt_get_subject_key_id(crt, buf, &len, NULL) == 0 &&
		    len == info->issuer_keyid.size &&
		    memcmp(buf, info->issuer_keyid.data, len) == 0;
	}
	if (gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) == 0 &&
	    gnutls_x509_crt_get_serial(crt, buf, &len) == 0)
		match = dn.size == info->issuer_dn.size &&
		    memcmp(dn.data, info->issuer_dn.data, dn.size) == 0 &&
		    len == info->signer_serial.size &&
		    memcmp(buf, info->signer_serial.data, len) == 0;
	gnutls_free(dn.data);
	return match;
}

int
scep_wire_import(const unsigned char *msg, size_t len,
    struct scep_signed *out, char *err, size_t size)
{
	gnutls_datum_t d, raw = { NULL, 0 };
	gnutls_x509_crt_t crt, only = NULL;
	int ret, n, i, rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > 0x7fffffff) {
		snprintf(err, size, len == 0 ? "an empty message" :
		    "the message is too large");
		goto out;
	}
	if ((ret = gnutls_pkcs7_init(&out->p7)) < 0) {
		out->p7 = NULL;
		snprintf(err, size, "gnutls_pkcs7_init: %s", gnutls_strerror(ret));
		goto out;
	}
	d.data = (unsigned char *)msg;
	d.size = (unsigned)len;
	if ((ret = gnutls_pkcs7_import(out->p7, &d, GNUTLS_X509_FMT_DER)) < 0) {
		snprintf(err, size, "not a CMS SignedData: gnutls_pkcs7_import: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_pkcs7_get_signature_info(out->p7, 0, &out->info)) < 0) {
		snprintf(err, size, "RFC 8894 3.2: no signerInfo: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	out->have_info = 1;
	n = gnutls_pkcs7_get_crt_count(out->p7);
	for (i = 0; i < n && out->signer == NULL; i++) {
		if (gnutls_pkcs7_get_crt_raw2(out->p7, (unsigned)i, &raw) < 0)
			continue;
		crt = import_lenient(&raw);
		gnutls_free(raw.data);
		raw.data = NULL;
		if (crt == NULL)
			continue;
		if (names_signer(crt, &out->info)) {
			out->signer = crt;
		} else if (n == 1) {
			only = crt;
		} else {
			gnutls_x509_crt_deinit(crt);
		}
	}
	if (out->signer == NULL) {
		out->signer = only;
		only = NULL;
	}
	rc = 0;
out:
	if (only != NULL)
		gnutls_x509_crt_deinit(only);
	return rc;
}

/*
 * RFC 5652 5.4 for a SignedData with an empty or no eContent, which
 * gnutls_pkcs7_verify_direct() will not check (it wants content): the
 * messageDigest is that of nothing, and the signature covers the signed
 * attributes as a DER SET, re-encoded from GnuTLS's reading of them as
 * GnuTLS does for its own check. Returns 0, or -1 with the reason.
 */
static int
verify_empty(const struct scep_signed *s, gnutls_x509_crt_t crt, char *err,
    size_t size)
{
	gnutls_digest_algorithm_t dig = gnutls_sign_get_hash_algorithm(s->info.algo);
	unsigned char want[64];
	const unsigned char *md = NULL;
	unsigned md_len = 0;
	struct attr_list *l = NULL;
	gnutls_datum_t d = { NULL, 0 }, tbs = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	asn1_node attrs = NULL;
	char *oid;
	unsigned idx;
	int ret, found = 0, rc = -1;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	for (idx = 0;; idx++) {
		ret = gnutls_pkcs7_get_attr(s->info.signed_attrs, idx, &oid, &d, 0);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0 || l->n == MAX_ATTRS || d.size > sizeof(l->a[0].der)) {
			snprintf(err, size, "the signed attributes: %s", ret < 0 ?
			    gnutls_strerror(ret) : "too many or too large");
			goto out;
		}
		l->a[l->n].oid = oid;
		memcpy(l->a[l->n].der, d.data, d.size);
		l->a[l->n].len = d.size;
		if (strcmp(oid, "1.2.840.113549.1.9.4") == 0 &&
		    asn1_decode_simple_der(ASN1_ETYPE_OCTET_STRING, l->a[l->n].der,
		    d.size, &md, &md_len) == ASN1_SUCCESS)
			found = 1;
		l->n++;
		gnutls_free(d.data);
		d.data = NULL;
	}
	if (dig == GNUTLS_DIG_UNKNOWN || gnutls_hash_fast(dig, "", 0, want) < 0 ||
	    !found || md_len != gnutls_hash_get_len(dig) ||
	    memcmp(md, want, md_len) != 0) {
		snprintf(err, size, "the signature does not verify: the "
		    "messageDigest is not that of the (empty) content");
		goto out;
	}
	if (cms_asn1_new("SignedAttributes", &attrs, err, size) != 0 ||
	    put_attrs(attrs, "", l, err, size) != 0 ||
	    cms_asn1_encode(attrs, &tbs, err, size) != 0)
		goto out;
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0 ||
	    (ret = gnutls_pubkey_verify_data2(pub, s->info.algo,
	    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &tbs, &s->info.sig)) < 0) {
		snprintf(err, size, "the signature does not verify: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	rc = 0;
out:
	free(l);
	gnutls_free(d.data);
	gnutls_free(tbs.data);
	if (attrs != NULL)
		asn1_delete_structure(&attrs);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return rc;
}

int
scep_wire_verify(struct scep_signed *s, gnutls_x509_crt_t crt, char *err,
    size_t size)
{
	gnutls_datum_t probe = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	int ret, empty, rc = -1;

	/*
	 * The key is imported here first: GnuTLS 3.7's
	 * gnutls_x509_crt_verify_data2() leaks its own copy when the
	 * certificate's key does not import (fuzz_scep_msg found it; the
	 * input is kept in tests/fuzz/scep_msg).
	 */
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0) {
		snprintf(err, size, "the signer certificate's key: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_pkcs7_get_embedded_data(s->p7, 0, &probe);
	empty = ret < 0 || probe.size == 0;
	gnutls_free(probe.data);
	if (empty) {
		rc = verify_empty(s, crt, err, size);
		goto out;
	}
	ret = gnutls_pkcs7_verify_direct(s->p7, crt, 0, NULL, VERIFY_FLAGS);
	if (ret < 0) {
		snprintf(err, size, "the signature does not verify: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	rc = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return rc;
}

/*
 * A string attribute's text (PrintableString as RFC 8894 says; UTF8String
 * and IA5String from lax clients) into buf: printable ASCII, or UTF-8
 * for failInfoText. Returns 0 or -1.
 */
static int
read_string(const gnutls_datum_t *d, int utf8, char *buf, size_t size)
{
	const unsigned char *str;
	unsigned len, etype, i;

	if (d->size < 2)
		return -1;
	switch (d->data[0]) {
	case 0x13:
		etype = ASN1_ETYPE_PRINTABLE_STRING;
		break;
	case 0x0c:
		etype = ASN1_ETYPE_UTF8_STRING;
		break;
	case 0x16:
		etype = ASN1_ETYPE_IA5_STRING;
		break;
	default:
		return -1;
	}
	if (asn1_decode_simple_der(etype, d->data, d->size, &str, &len) !=
	    ASN1_SUCCESS || len >= size)
		return -1;
	for (i = 0; i < len; i++)
		if (str[i] == 0 || (!utf8 && (str[i] < 0x20 || str[i] > 0x7e)))
			return -1;
	memcpy(buf, str, len);
	buf[len] = '\0';
	return 0;
}

static int
read_number(const gnutls_datum_t *d, int *out)
{
	char text[8];
	int n = 0;
	size_t i;

	if (read_string(d, 0, text, sizeof(text)) != 0 || text[0] == '\0' ||
	    strlen(text) > 3)
		return -1;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		n = n * 10 + (text[i] - '0');
	}
	*out = n;
	return 0;
}

int
scep_wire_attrs(const struct scep_signed *s, struct scep_attrs *out, char *err,
    size_t size)
{
	gnutls_datum_t d = { NULL, 0 };
	char *oid;
	unsigned idx;
	int ret, bad = 0, rc = -1;

	scep_attrs_init(out);
	for (idx = 0;; idx++) {
		ret = gnutls_pkcs7_get_attr(s->info.signed_attrs, idx, &oid, &d, 0);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret < 0) {
			snprintf(err, size, "gnutls_pkcs7_get_attr: %s",
			    gnutls_strerror(ret));
			goto out;
		}
		if (strcmp(oid, OID_MESSAGE_TYPE) == 0) {
			bad = read_number(&d, &out->type);
		} else if (strcmp(oid, OID_PKI_STATUS) == 0) {
			bad = read_number(&d, &out->status);
		} else if (strcmp(oid, OID_FAIL_INFO) == 0) {
			bad = read_number(&d, &out->fail);
		} else if (strcmp(oid, OID_TRANSACTION_ID) == 0) {
			/* RFC 8894 3.2.1.1: any length; sipca keeps 128 */
			bad = read_string(&d, 0, out->transaction_id,
			    sizeof(out->transaction_id));
		} else if (strcmp(oid, OID_FAIL_INFO_TEXT) == 0) {
			bad = read_string(&d, 1, out->fail_text, sizeof(out->fail_text));
		} else if (strcmp(oid, OID_SENDER_NONCE) == 0 ||
		    strcmp(oid, OID_RECIPIENT_NONCE) == 0) {
			int sender = strcmp(oid, OID_SENDER_NONCE) == 0;
			const unsigned char *p;
			unsigned len;

			/* RFC 8894 3.2.1.5: an OCTET STRING of 16 octets */
			bad = asn1_decode_simple_der(ASN1_ETYPE_OCTET_STRING, d.data,
			    d.size, &p, &len) != ASN1_SUCCESS || len != SCEP_NONCE_LEN;
			if (!bad) {
				memcpy(sender ? out->sender_nonce : out->recipient_nonce, p,
				    SCEP_NONCE_LEN);
				*(sender ? &out->has_sender_nonce :
				    &out->has_recipient_nonce) = 1;
			}
		}
		if (bad) {
			snprintf(err, size, "RFC 8894 3.2.1: the attribute %s is "
			    "malformed%s", oid, strcmp(oid, OID_TRANSACTION_ID) == 0 ?
			    " (or longer than 128 characters)" : "");
			goto out;
		}
		gnutls_free(d.data);
		d.data = NULL;
	}
	rc = 0;
out:
	gnutls_free(d.data);
	return rc;
}

int
scep_wire_content(const struct scep_signed *s, gnutls_datum_t *out)
{
	int ret = gnutls_pkcs7_get_embedded_data(s->p7, 0, out);

	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		out->data = NULL;
		out->size = 0;
		return 0;
	}
	return ret < 0 ? -1 : 0;
}

void
scep_wire_clear(struct scep_signed *s)
{
	if (s->have_info)
		gnutls_pkcs7_signature_info_deinit(&s->info);
	if (s->p7 != NULL)
		gnutls_pkcs7_deinit(s->p7);
	if (s->signer != NULL)
		gnutls_x509_crt_deinit(s->signer);
	memset(s, 0, sizeof(*s));
}

int
scep_degenerate(const gnutls_datum_t *certs, size_t n, gnutls_datum_t *out)
{
	gnutls_pkcs7_t p7 = NULL;
	size_t i;
	int rc = -1;

	/* RFC 8894 3.4: a SignedData without signers or content, only
	 * certificates; GnuTLS makes the empty structure. */
	if (gnutls_pkcs7_init(&p7) < 0) {
		p7 = NULL;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (gnutls_pkcs7_set_crt_raw(p7, &certs[i]) < 0)
			goto out;
	if (gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, out) < 0)
		goto out;
	rc = 0;
out:
	if (p7 != NULL)
		gnutls_pkcs7_deinit(p7);
	return rc;
}
