/*
 * scep_msg: the server's side of SCEP's messages (RFC 8894 section 3):
 * reading a pkiMessage addressed to the RA, down to its CSR and
 * challengePassword, and answering with a CertRep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <libtasn1.h>

#include "cms.h"
#include "scep_msg.h"
#include "scep_wire.h"
#include "util.h"

/* PKCS#9 challengePassword (RFC 2985 5.4.1) */
#define OID_CHALLENGE_PASSWORD "1.2.840.113549.1.9.7"
#define CHALLENGE_MAX 255

void
scep_request_clear(struct scep_request *r)
{
	if (r->signer != NULL)
		gnutls_x509_crt_deinit(r->signer);
	if (r->csr != NULL)
		gnutls_x509_crq_deinit(r->csr);
	if (r->content.data != NULL) {
		gnutls_memset(r->content.data, 0, r->content.size);
		gnutls_free(r->content.data);
	}
	if (r->challenge != NULL) {
		gnutls_memset(r->challenge, 0, strlen(r->challenge));
		free(r->challenge);
	}
	memset(r, 0, sizeof(*r));
}

/* One code point as UTF-8 into out (room for 4); its length. */
static size_t
utf8_put(unsigned long cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * BMPString (UCS-2, big-endian; surrogate pairs taken as UTF-16, which
 * some clients write) as UTF-8 into out (room for len * 2 + 1). Returns
 * 0, or -1 for an odd length, a lone surrogate or U+0000.
 */
static int
bmp_to_utf8(const unsigned char *p, size_t len, unsigned char *out)
{
	unsigned long cp, lo;
	size_t i = 0, o = 0;

	if (len % 2 != 0)
		return -1;
	while (i < len) {
		cp = (unsigned long)p[i] << 8 | p[i + 1];
		i += 2;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (i + 2 > len)
				return -1;
			lo = (unsigned long)p[i] << 8 | p[i + 1];
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			i += 2;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
			return -1;
		}
		o += utf8_put(cp, out + o);
	}
	out[o] = '\0';
	return 0;
}

/*
 * The CSR's challengePassword (RFC 2985 5.4.1: a DirectoryString; RFC
 * 8894 2.4 and 3.3.1), as UTF-8: PrintableString, UTF8String and
 * BMPString as devices send them, IA5String and TeletexString when
 * ASCII. gnutls_x509_crq_get_challenge_password() does not read them
 * all, so the attribute's DER is decoded here. *out NULL when there is
 * none. Returns 0, or -1 with the reason in err.
 */
static int
read_challenge(gnutls_x509_crq_t csr, char **out, char *err, size_t size)
{
	unsigned char der[CHALLENGE_MAX * 4 + 8], *text = NULL;
	const unsigned char *str;
	size_t der_len = sizeof(der), i, used;
	unsigned str_len, etype;
	unsigned long cp;
	int ret, rc = -1;

	*out = NULL;
	ret = gnutls_x509_crq_get_attribute_by_oid(csr, OID_CHALLENGE_PASSWORD, 0,
	    der, &der_len);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0 || der_len < 2) {
		snprintf(err, size, "challengePassword: %s", ret < 0 ?
		    gnutls_strerror(ret) : "empty");
		goto out;
	}
	switch (der[0]) {
	case 0x13:
		etype = ASN1_ETYPE_PRINTABLE_STRING;
		break;
	case 0x0c:
		etype = ASN1_ETYPE_UTF8_STRING;
		break;
	case 0x1e:
		etype = ASN1_ETYPE_BMP_STRING;
		break;
	case 0x16:
		etype = ASN1_ETYPE_IA5_STRING;
		break;
	case 0x14:
		etype = ASN1_ETYPE_TELETEX_STRING;
		break;
	default:
		snprintf(err, size, "challengePassword: tag 0x%02x is not a "
		    "DirectoryString", der[0]);
		goto out;
	}
	if (asn1_decode_simple_der(etype, der, (unsigned)der_len, &str,
	    &str_len) != ASN1_SUCCESS || str_len == 0) {
		snprintf(err, size, "challengePassword: malformed");
		goto out;
	}
	if ((text = malloc((size_t)str_len * 2 + 1)) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	if (etype == ASN1_ETYPE_BMP_STRING) {
		if (bmp_to_utf8(str, str_len, text) != 0) {
			snprintf(err, size, "challengePassword: not UCS-2");
			goto out;
		}
	} else {
		for (i = 0; i < str_len; i += used) {
			if (etype == ASN1_ETYPE_UTF8_STRING)
				used = utf8_seq(str + i, str_len - i, &cp);
			else
				used = str[i] >= 0x20 && str[i] < 0x7f;
			if (used == 0 || str[i] == 0) {
				snprintf(err, size, "challengePassword: not %s",
				    etype == ASN1_ETYPE_UTF8_STRING ? "UTF-8" :
				    "printable ASCII");
				goto out;
			}
		}
		memcpy(text, str, str_len);
		text[str_len] = '\0';
	}
	*out = (char *)text;
	text = NULL;
	rc = 0;
out:
	gnutls_memset(der, 0, sizeof(der));
	if (text != NULL) {
		gnutls_memset(text, 0, (size_t)str_len * 2 + 1);
		free(text);
	}
	return rc;
}

/* RFC 8894 3.3.1: for a self-signed signer, the key is the CSR's. */
static int
same_key(gnutls_x509_crt_t crt, gnutls_x509_crq_t csr)
{
	unsigned char a[64], b[64];
	size_t al = sizeof(a), bl = sizeof(b);

	return gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a,
	    &al) == 0 && gnutls_x509_crq_get_key_id(csr, GNUTLS_KEYID_USE_SHA256,
	    b, &bl) == 0 && al == bl && memcmp(a, b, al) == 0;
}

/* The messageData of type t (RFC 8894 3.3) decoded as far as the CSR. */
static enum scep_parse
read_content(struct scep_request *r, enum scep_fail *out_fail, char *err,
    size_t size)
{
	char why[256];
	asn1_node node = NULL;
	int ret;

	*out_fail = SCEP_BAD_REQUEST;
	switch (r->type) {
	case SCEP_PKCS_REQ:
	case SCEP_RENEWAL_REQ:
		if ((ret = gnutls_x509_crq_init(&r->csr)) < 0 ||
		    (ret = gnutls_x509_crq_import(r->csr, &r->content,
		    GNUTLS_X509_FMT_DER)) < 0) {
			snprintf(err, size, "RFC 8894 3.3.1: the PKCS#10 request: %s",
			    gnutls_strerror(ret));
			return SCEP_PARSE_FAIL;
		}
		/* Proof of possession: the CSR is signed by its key. */
		if ((ret = gnutls_x509_crq_verify(r->csr,
		    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1)) < 0) {
			snprintf(err, size, "the PKCS#10 request's signature: %s",
			    gnutls_strerror(ret));
			*out_fail = SCEP_BAD_MESSAGE_CHECK;
			return SCEP_PARSE_FAIL;
		}
		if (r->type == SCEP_PKCS_REQ &&
		    gnutls_x509_crt_check_issuer(r->signer, r->signer) &&
		    !same_key(r->signer, r->csr)) {
			snprintf(err, size, "RFC 8894 3.3.1: the self-signed signer's "
			    "key is not the request's");
			*out_fail = SCEP_BAD_MESSAGE_CHECK;
			return SCEP_PARSE_FAIL;
		}
		if (read_challenge(r->csr, &r->challenge, err, size) != 0)
			return SCEP_PARSE_FAIL;
		return SCEP_PARSE_OK;
	case SCEP_CERT_POLL:
	case SCEP_GET_CERT:
	case SCEP_GET_CRL:
		if (cms_asn1_decode(r->type == SCEP_CERT_POLL ? "IssuerAndSubject" :
		    "IssuerAndSerialNumber", r->content.data, r->content.size, &node,
		    why, sizeof(why)) != 0) {
			snprintf(err, size, "RFC 8894 3.3.3: %s", why);
			return SCEP_PARSE_FAIL;
		}
		asn1_delete_structure(&node);
		return SCEP_PARSE_OK;
	case SCEP_CERT_REP:
		break;
	}
	snprintf(err, size, "RFC 8894 3.2.1.2: messageType %d is not a request",
	    (int)r->type);
	return SCEP_PARSE_FAIL;
}

enum scep_parse
scep_request_parse(const unsigned char *msg, size_t len,
    gnutls_x509_crt_t ra_cert, gnutls_privkey_t ra_key, int allow_des,
    struct scep_request *out, enum scep_fail *out_fail, char *err,
    size_t size)
{
	struct scep_signed s;
	struct scep_attrs a;
	gnutls_datum_t env = { NULL, 0 };
	char why[256];
	enum scep_parse rc = SCEP_PARSE_INVALID;

	memset(out, 0, sizeof(*out));
	*out_fail = SCEP_BAD_REQUEST;
	if (scep_wire_import(msg, len, &s, err, size) != 0)
		goto out;
	if (scep_wire_attrs(&s, &a, err, size) != 0)
		goto out;
	/* RFC 8894 3.3.2: a CertRep echoes these; without them no
	 * answer can be made at all. */
	if (a.transaction_id[0] == '\0' || !a.has_sender_nonce || a.type < 0) {
		snprintf(err, size, "RFC 8894 3.2.1: no %s",
		    a.transaction_id[0] == '\0' ? "transactionID" :
		    !a.has_sender_nonce ? "senderNonce" : "messageType");
		goto out;
	}
	if (s.signer == NULL) {
		snprintf(err, size, "RFC 8894 3.2: the signer's certificate is not "
		    "in the message");
		goto out;
	}
	out->type = (enum scep_type)a.type;
	memcpy(out->transaction_id, a.transaction_id, sizeof(out->transaction_id));
	memcpy(out->sender_nonce, a.sender_nonce, SCEP_NONCE_LEN);
	out->signer = s.signer;
	s.signer = NULL;
	out->digest = gnutls_sign_get_hash_algorithm(s.info.algo);
	out->cipher = CMS_AES128_CBC;

	/* From here on the answer is a signed FAILURE. RFC 8894 2.9: MD5
	 * MUST NOT be supported. */
	rc = SCEP_PARSE_FAIL;
	if (out->digest == GNUTLS_DIG_UNKNOWN || out->digest == GNUTLS_DIG_MD5 ||
	    out->digest == GNUTLS_DIG_MD2) {
		snprintf(err, size, "the signature algorithm %s is refused",
		    gnutls_sign_get_name(s.info.algo) != NULL ?
		    gnutls_sign_get_name(s.info.algo) : "(unknown)");
		out->digest = GNUTLS_DIG_SHA256;
		*out_fail = SCEP_BAD_ALG;
		goto out;
	}
	if (scep_wire_verify(&s, out->signer, err, size) != 0) {
		*out_fail = SCEP_BAD_MESSAGE_CHECK;
		goto out;
	}
	if (scep_wire_content(&s, &env) != 0 || env.size == 0) {
		snprintf(err, size, "RFC 8894 3.2.2: no pkcsPKIEnvelope");
		goto out;
	}
	if (cms_envelope_open(env.data, env.size, ra_cert, ra_key, allow_des,
	    &out->content, &out->cipher, why, sizeof(why)) != 0) {
		snprintf(err, size, "the pkcsPKIEnvelope: %s", why);
		/* cms.c's words for a cipher it will not use */
		*out_fail = strstr(why, "refused") != NULL ||
		    strstr(why, "not supported") != NULL ? SCEP_BAD_ALG :
		    SCEP_BAD_MESSAGE_CHECK;
		goto out;
	}
	rc = read_content(out, out_fail, err, size);
out:
	gnutls_free(env.data);
	scep_wire_clear(&s);
	if (rc == SCEP_PARSE_INVALID)
		scep_request_clear(out);
	return rc;
}

int
scep_issuer_and_subject(const gnutls_datum_t *content,
    gnutls_datum_t *out_issuer, gnutls_datum_t *out_subject)
{
	char why[256];
	asn1_node node = NULL;
	int is, ie, ss, se, rc = -1;

	if (content == NULL || cms_asn1_decode("IssuerAndSubject", content->data,
	    content->size, &node, why, sizeof(why)) != 0)
		goto out;
	/* Slices of content: the Names as they were sent. */
	if (asn1_der_decoding_startEnd(node, content->data, (int)content->size,
	    "issuer", &is, &ie) != ASN1_SUCCESS ||
	    asn1_der_decoding_startEnd(node, content->data, (int)content->size,
	    "subject", &ss, &se) != ASN1_SUCCESS)
		goto out;
	out_issuer->data = content->data + is;
	out_issuer->size = (unsigned)(ie - is + 1);
	out_subject->data = content->data + ss;
	out_subject->size = (unsigned)(se - ss + 1);
	rc = 0;
out:
	if (node != NULL)
		asn1_delete_structure(&node);
	return rc;
}

int
scep_reply_make(const struct scep_reply_spec *spec, gnutls_x509_crt_t ra_cert,
    gnutls_privkey_t ra_key, gnutls_datum_t *out, char *err, size_t size)
{
	const struct scep_request *req = spec->request;
	struct scep_attrs a;
	gnutls_datum_t certs = { NULL, 0 }, env = { NULL, 0 };
	gnutls_digest_algorithm_t dig;
	int ret, rc = -1;

	scep_attrs_init(&a);
	/* RFC 8894 3.3.2: messageType, pkiStatus, transactionID and both
	 * nonces always; failInfo with FAILURE. */
	a.type = SCEP_CERT_REP;
	a.status = (int)spec->status;
	if (spec->status == SCEP_FAILURE) {
		a.fail = (int)spec->fail;
		if (spec->fail_text != NULL)
			snprintf(a.fail_text, sizeof(a.fail_text), "%s", spec->fail_text);
	}
	memcpy(a.transaction_id, req->transaction_id, sizeof(a.transaction_id));
	memcpy(a.recipient_nonce, req->sender_nonce, SCEP_NONCE_LEN);
	a.has_recipient_nonce = 1;
	if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, a.sender_nonce,
	    SCEP_NONCE_LEN)) < 0) {
		snprintf(err, size, "gnutls_rnd: %s", gnutls_strerror(ret));
		goto out;
	}
	a.has_sender_nonce = 1;
	if (spec->status == SCEP_SUCCESS) {
		/* RFC 8894 3.3.2: the certificates in a degenerate SignedData,
		 * enveloped to the requester's certificate. */
		if (req->signer == NULL || spec->n_certs == 0) {
			snprintf(err, size, "SUCCESS needs the certificates and the "
			    "requester's certificate");
			goto out;
		}
		if (scep_degenerate(spec->certs, spec->n_certs, &certs) != 0) {
			snprintf(err, size, "the certificates do not make a SignedData");
			goto out;
		}
		if (cms_envelope_seal(&certs, req->signer, req->cipher, 0, &env, err,
		    size) != 0)
			goto out;
	}
	dig = req->digest != GNUTLS_DIG_UNKNOWN ? req->digest : GNUTLS_DIG_SHA256;
	if (scep_wire_sign(spec->status == SCEP_SUCCESS ? &env : NULL, &a, ra_cert,
	    ra_key, dig, out, err, size) != 0)
		goto out;
	rc = 0;
out:
	gnutls_free(certs.data);
	gnutls_free(env.data);
	return rc;
}
