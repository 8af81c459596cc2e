/*
 * cms: EnvelopedData (RFC 5652 section 6) for SCEP's pkcsPKIEnvelope
 * (RFC 8894 section 3.2.2): src/pki/cms.asn loaded once, BER decoded,
 * DER encoded, the content key moved by RSA PKCS#1 v1.5 key transport
 * and the content encrypted in CBC mode, all by GnuTLS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <libtasn1.h>

#include "asn1.h"
#include "cms.h"

extern const asn1_static_node cms_asn1_tab[];

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_ENVELOPED_DATA "1.2.840.113549.1.7.3"
#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define MAX_KEY 32
#define MAX_BLOCK 16

static const struct cipher_row {
	enum cms_cipher id;
	const char *name;
	const char *oid;
	gnutls_cipher_algorithm_t algo;
	size_t key_len, block;
} ciphers[] = {
	/* RFC 8018 B.2.1, RFC 3370 section 5.1 (3DES), RFC 3565 (AES) */
	{ CMS_DES_CBC, "des-cbc", "1.3.14.3.2.7", GNUTLS_CIPHER_DES_CBC, 8, 8 },
	{ CMS_DES3_CBC, "des3-cbc", "1.2.840.113549.3.7", GNUTLS_CIPHER_3DES_CBC, 24, 8 },
	{ CMS_AES128_CBC, "aes128-cbc", "2.16.840.1.101.3.4.1.2", GNUTLS_CIPHER_AES_128_CBC, 16, 16 },
	{ CMS_AES192_CBC, "aes192-cbc", "2.16.840.1.101.3.4.1.22", GNUTLS_CIPHER_AES_192_CBC, 24, 16 },
	{ CMS_AES256_CBC, "aes256-cbc", "2.16.840.1.101.3.4.1.42", GNUTLS_CIPHER_AES_256_CBC, 32, 16 },
};
#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

static pthread_once_t cms_once = PTHREAD_ONCE_INIT;
static asn1_node cms_defs;
static int cms_status = ASN1_SUCCESS;
static char cms_load_err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];

static void
cms_load(void)
{
	/* Read-only from here on: every element is created from it. */
	cms_status = asn1_array2tree(cms_asn1_tab, &cms_defs, cms_load_err);
}

int
cms_asn1_new(const char *type, asn1_node *out_node, char *err, size_t size)
{
	char name[64];
	int ret;

	pthread_once(&cms_once, cms_load);
	if (cms_status != ASN1_SUCCESS) {
		snprintf(err, size, "asn1_array2tree: %s: %s",
		    asn1_strerror(cms_status), cms_load_err);
		return -1;
	}
	snprintf(name, sizeof(name), "SipcaCMS.%s", type);
	if ((ret = asn1_create_element(cms_defs, name, out_node)) != ASN1_SUCCESS) {
		snprintf(err, size, "asn1_create_element %s: %s", type,
		    asn1_strerror(ret));
		return -1;
	}
	return 0;
}

int
cms_asn1_decode(const char *type, const unsigned char *data, size_t len,
    asn1_node *out_node, char *err, size_t size)
{
	char why[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	asn1_node node = NULL;
	int ilen, ret, rc = -1;

	if (len == 0) {
		snprintf(err, size, "%s: no data", type);
		goto out;
	}
	if (len > 0x7fffffff) {
		snprintf(err, size, "%s: %zu octets is too large", type, len);
		goto out;
	}
	if (cms_asn1_new(type, &node, err, size) != 0)
		goto out;
	/* BER: no ASN1_DECODE_FLAG_STRICT_DER. libtasn1 then takes
	 * indefinite lengths and joins constructed OCTET STRINGs. */
	ilen = (int)len;
	ret = asn1_der_decoding2(&node, data, &ilen, 0, why);
	if (ret != ASN1_SUCCESS) {
		snprintf(err, size, "%s: %s%s%s", type, asn1_strerror(ret),
		    why[0] != '\0' ? ": " : "", why);
		goto out;
	}
	if ((size_t)ilen != len) {
		snprintf(err, size, "%s: %zu octets after it", type, len - (size_t)ilen);
		goto out;
	}
	*out_node = node;
	node = NULL;
	rc = 0;
out:
	if (node != NULL)
		asn1_delete_structure(&node);
	return rc;
}

int
cms_asn1_read(asn1_node node, const char *name, unsigned char **out,
    size_t *out_len)
{
	unsigned char *buf = NULL;
	int len = 0, ret;

	ret = asn1_read_value(node, name, NULL, &len);
	if (ret != ASN1_MEM_ERROR && ret != ASN1_SUCCESS)
		return -1;
	/* One octet more, so that an empty value still gets a buffer. */
	if ((buf = malloc((size_t)len + 1)) == NULL)
		return -1;
	len++;
	if (asn1_read_value(node, name, buf, &len) != ASN1_SUCCESS) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = (size_t)len;
	return 0;
}

int
cms_asn1_encode(asn1_node node, gnutls_datum_t *out, char *err, size_t size)
{
	char why[ASN1_MAX_ERROR_DESCRIPTION_SIZE] = "";
	unsigned char *der = NULL;
	int len = 0, ret, rc = -1;

	ret = asn1_der_coding(node, "", NULL, &len, why);
	if (ret != ASN1_MEM_ERROR || len <= 0)
		goto fail;
	if ((der = gnutls_malloc((size_t)len)) == NULL) {
		ret = ASN1_MEM_ALLOC_ERROR;
		goto fail;
	}
	if ((ret = asn1_der_coding(node, "", der, &len, why)) != ASN1_SUCCESS)
		goto fail;
	out->data = der;
	out->size = (unsigned)len;
	der = NULL;
	rc = 0;
	goto out;
fail:
	snprintf(err, size, "asn1_der_coding: %s%s%s",
	    asn1_strerror(ret == ASN1_SUCCESS ? ASN1_GENERIC_ERROR : ret),
	    why[0] != '\0' ? ": " : "", why);
out:
	gnutls_free(der);
	return rc;
}

const char *
cms_cipher_name(enum cms_cipher c)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].id == c)
			return ciphers[i].name;
	return "unknown";
}

static const struct cipher_row *
cipher_by_id(enum cms_cipher c)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].id == c)
			return &ciphers[i];
	return NULL;
}

static const struct cipher_row *
cipher_by_oid(const char *oid)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (strcmp(ciphers[i].oid, oid) == 0)
			return &ciphers[i];
	return NULL;
}

/* An INTEGER's content octets without the sign octets DER may add. */
static void
strip_zeros(const unsigned char **p, size_t *len)
{
	while (*len > 1 && (*p)[0] == 0) {
		(*p)++;
		(*len)--;
	}
}

/*
 * RFC 5652 6.2.1: rid names the recipient's certificate by its issuer
 * and serial number, or (version 2) by its subjectKeyIdentifier.
 * Returns 1 when the RecipientInfo at base (".ktri.rid" appended) names
 * recipient, 0 otherwise.
 */
static int
rid_matches(asn1_node node, const char *base, gnutls_x509_crt_t recipient)
{
	char name[160], choice[64];
	unsigned char serial[64], ski[64];
	unsigned char *val = NULL;
	size_t val_len = 0, serial_len = sizeof(serial), ski_len = sizeof(ski);
	const unsigned char *a, *b;
	size_t al, bl;
	gnutls_datum_t dn = { NULL, 0 };
	int len = sizeof(choice), match = 0;

	snprintf(name, sizeof(name), "%s.ktri.rid", base);
	if (asn1_read_value(node, name, choice, &len) != ASN1_SUCCESS)
		goto out;
	if (strcmp(choice, "subjectKeyIdentifier") == 0) {
		snprintf(name, sizeof(name), "%s.ktri.rid.subjectKeyIdentifier", base);
		if (cms_asn1_read(node, name, &val, &val_len) != 0 ||
		    gnutls_x509_crt_get_subject_key_id(recipient, ski, &ski_len,
		    NULL) < 0)
			goto out;
		match = val_len == ski_len && memcmp(val, ski, ski_len) == 0;
		goto out;
	}
	if (gnutls_x509_crt_get_raw_issuer_dn(recipient, &dn) < 0 ||
	    gnutls_x509_crt_get_serial(recipient, serial, &serial_len) < 0)
		goto out;
	snprintf(name, sizeof(name),
	    "%s.ktri.rid.issuerAndSerialNumber.issuer", base);
	if (cms_asn1_read(node, name, &val, &val_len) != 0)
		goto out;
	if (val_len != dn.size || memcmp(val, dn.data, dn.size) != 0)
		goto out;
	free(val);
	val = NULL;
	snprintf(name, sizeof(name),
	    "%s.ktri.rid.issuerAndSerialNumber.serialNumber", base);
	if (cms_asn1_read(node, name, &val, &val_len) != 0)
		goto out;
	a = val;
	al = val_len;
	b = serial;
	bl = serial_len;
	strip_zeros(&a, &al);
	strip_zeros(&b, &bl);
	match = al == bl && memcmp(a, b, al) == 0;
out:
	free(val);
	gnutls_free(dn.data);
	return match;
}

/*
 * PKCS#7 padding (RFC 5652 6.3): 1 to block octets, each the count. The
 * check looks at the whole last block whatever the count says and the
 * answer is one bit, so a failure does not say which octet was wrong.
 * Returns 0 and the content length in *out_len, or -1.
 */
static int
unpad(const unsigned char *p, size_t len, size_t block, size_t *out_len)
{
	unsigned pad = p[len - 1], bad = 0, in_pad;
	size_t i;

	bad |= (unsigned)(pad == 0);
	bad |= (unsigned)(pad > block);
	for (i = 1; i <= block; i++) {
		in_pad = (unsigned)(i <= pad);
		bad |= in_pad & (unsigned)(p[len - i] != pad);
	}
	if (bad)
		return -1;
	*out_len = len - pad;
	return 0;
}

int
cms_envelope_open(const unsigned char *data, size_t len,
    gnutls_x509_crt_t recipient, gnutls_privkey_t key, int allow_des,
    gnutls_datum_t *out_content, enum cms_cipher *out_cipher,
    char *err, size_t size)
{
	char why[256], why2[256], name[160], base[96], oid[128], choice[32];
	asn1_node node = NULL;
	const struct cipher_row *c;
	unsigned char *inner = NULL;
	size_t inner_len = 0;
	unsigned char cek[MAX_KEY], *iv = NULL, *params = NULL, *ek = NULL,
	    *ct = NULL, *pt = NULL;
	size_t params_len = 0, ek_len = 0, ct_len = 0, pt_len = 0;
	unsigned iv_len = 0, iv_used = 0;
	gnutls_cipher_hd_t h = NULL;
	gnutls_datum_t dk, div, dek;
	int n, i, chosen = 0, ret, olen, rc = -1;

	/* A pkcsPKIEnvelope is a ContentInfo; a bare EnvelopedData is
	 * accepted too (its first field is an INTEGER, not an OID). The
	 * content is read as ANY and decoded again: libtasn1 does not take
	 * an indefinite length on the [0] EXPLICIT around a typed field. */
	if (cms_asn1_decode("ContentInfo", data, len, &node, why,
	    sizeof(why)) == 0) {
		if (pkix_read_oid(node, "contentType", oid, sizeof(oid)) != 0 ||
		    strcmp(oid, OID_ENVELOPED_DATA) != 0) {
			snprintf(err, size, "RFC 5652 section 3: content type %s is "
			    "not envelopedData", oid);
			goto out;
		}
		if (cms_asn1_read(node, "content", &inner, &inner_len) != 0) {
			snprintf(err, size, "ContentInfo: no content");
			goto out;
		}
		asn1_delete_structure(&node);
		if (cms_asn1_decode("EnvelopedData", inner, inner_len, &node, why,
		    sizeof(why)) != 0) {
			snprintf(err, size, "not a CMS EnvelopedData: %s", why);
			goto out;
		}
	} else if (cms_asn1_decode("EnvelopedData", data, len, &node, why2,
	    sizeof(why2)) != 0) {
		/* The ContentInfo's reason, unless it was not one at all. */
		snprintf(err, size, "not a CMS EnvelopedData: %s",
		    strstr(why, "TAG_ERROR") != NULL ? why2 : why);
		goto out;
	}

	snprintf(name, sizeof(name), "recipientInfos");
	n = pkix_count(node, name);
	for (i = 1; i <= n && chosen == 0; i++) {
		olen = sizeof(choice);
		snprintf(base, sizeof(base), "recipientInfos.?%d", i);
		if (asn1_read_value(node, base, choice, &olen) != ASN1_SUCCESS ||
		    strcmp(choice, "ktri") != 0)
			continue;
		if (rid_matches(node, base, recipient))
			chosen = i;
	}
	/* RFC 8894 3.2.2: the envelope is for the CA or RA; a client that
	 * named it oddly still meant it when there is only one recipient. */
	if (chosen == 0 && n == 1) {
		olen = sizeof(choice);
		snprintf(base, sizeof(base), "recipientInfos.?1");
		if (asn1_read_value(node, base, choice, &olen) == ASN1_SUCCESS &&
		    strcmp(choice, "ktri") == 0)
			chosen = 1;
	}
	if (chosen == 0) {
		snprintf(err, size, n > 0 ? "no recipient is this certificate" :
		    "RFC 5652 section 6.1: no recipientInfos");
		goto out;
	}
	snprintf(base, sizeof(base), "recipientInfos.?%d", chosen);

	/* RFC 8894 3.1: the messageData is encrypted to the recipient's RSA
	 * key: rsaEncryption, PKCS#1 v1.5. */
	snprintf(name, sizeof(name), "%s.ktri.keyEncryptionAlgorithm.algorithm", base);
	if (pkix_read_oid(node, name, oid, sizeof(oid)) != 0 ||
	    strcmp(oid, OID_RSA_ENCRYPTION) != 0) {
		snprintf(err, size, "key transport %s is not supported "
		    "(RFC 8894 section 3.1: rsaEncryption)", oid);
		goto out;
	}
	snprintf(name, sizeof(name),
	    "encryptedContentInfo.contentEncryptionAlgorithm.algorithm");
	if (pkix_read_oid(node, name, oid, sizeof(oid)) != 0 ||
	    (c = cipher_by_oid(oid)) == NULL) {
		snprintf(err, size, "content encryption %s is not supported", oid);
		goto out;
	}
	/* RFC 8894 2.9: single DES MUST NOT be supported; some old
	 * devices know nothing else, hence the explicit opt-in. */
	if (c->id == CMS_DES_CBC && !allow_des) {
		snprintf(err, size, "content encrypted with des-cbc, which is refused");
		goto out;
	}
	snprintf(name, sizeof(name),
	    "encryptedContentInfo.contentEncryptionAlgorithm.parameters");
	if (cms_asn1_read(node, name, &params, &params_len) != 0 ||
	    asn1_decode_simple_ber(ASN1_ETYPE_OCTET_STRING, params,
	    (unsigned)params_len, &iv, &iv_len, &iv_used) != ASN1_SUCCESS ||
	    iv_len != c->block) {
		snprintf(err, size, "%s: the parameters are not a %zu-octet IV",
		    c->name, c->block);
		goto out;
	}
	snprintf(name, sizeof(name), "encryptedContentInfo.encryptedContent");
	if (cms_asn1_read(node, name, &ct, &ct_len) != 0 || ct_len == 0 ||
	    ct_len % c->block != 0) {
		snprintf(err, size, "the encrypted content is %s",
		    ct == NULL ? "absent" : "not whole blocks");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.ktri.encryptedKey", base);
	if (cms_asn1_read(node, name, &ek, &ek_len) != 0) {
		snprintf(err, size, "no encryptedKey");
		goto out;
	}

	if (gnutls_privkey_get_pk_algorithm(key, NULL) != GNUTLS_PK_RSA) {
		snprintf(err, size, "RFC 8894 section 3.1: the recipient key is "
		    "not RSA");
		goto out;
	}
	/* The expected key length is asked for, so that a wrong key and a
	 * bad padding look the same (gnutls_privkey_decrypt_data2). */
	dek.data = ek;
	dek.size = (unsigned)ek_len;
	if (gnutls_privkey_decrypt_data2(key, 0, &dek, cek, c->key_len) < 0) {
		snprintf(err, size, "the key does not decrypt it");
		goto out;
	}
	if ((pt = gnutls_malloc(ct_len)) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	dk.data = cek;
	dk.size = (unsigned)c->key_len;
	div.data = iv;
	div.size = iv_len;
	if ((ret = gnutls_cipher_init(&h, c->algo, &dk, &div)) < 0) {
		h = NULL;
		snprintf(err, size, "gnutls_cipher_init %s: %s", c->name,
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_cipher_decrypt2(h, ct, ct_len, pt, ct_len)) < 0) {
		snprintf(err, size, "gnutls_cipher_decrypt2: %s", gnutls_strerror(ret));
		goto out;
	}
	/* A wrong content key shows here: the same words as above. */
	if (unpad(pt, ct_len, c->block, &pt_len) != 0) {
		snprintf(err, size, "the key does not decrypt it");
		goto out;
	}
	gnutls_memset(pt + pt_len, 0, ct_len - pt_len);
	out_content->data = pt;
	out_content->size = (unsigned)pt_len;
	pt = NULL;
	*out_cipher = c->id;
	rc = 0;
out:
	if (h != NULL)
		gnutls_cipher_deinit(h);
	gnutls_memset(cek, 0, sizeof(cek));
	if (pt != NULL) {
		gnutls_memset(pt, 0, ct_len);
		gnutls_free(pt);
	}
	free(iv);
	free(params);
	free(ek);
	free(ct);
	free(inner);
	if (node != NULL)
		asn1_delete_structure(&node);
	return rc;
}

/* The DER of an OCTET STRING holding p, into buf (room for len + 6). */
static size_t
octet_string_der(unsigned char *buf, const unsigned char *p, size_t len)
{
	unsigned tl_len = 6;

	if (asn1_encode_simple_der(ASN1_ETYPE_OCTET_STRING, p, (unsigned)len, buf,
	    &tl_len) != ASN1_SUCCESS)
		return 0;
	memcpy(buf + tl_len, p, len);
	return tl_len + len;
}

/* asn1_write_value() with the field's name in err on failure. */
static int
put(asn1_node node, const char *pre, const char *field, const void *value,
    int len, char *err, size_t size)
{
	char name[160];
	int ret;

	snprintf(name, sizeof(name), "%s%s", pre, field);
	if ((ret = asn1_write_value(node, name, value, len)) != ASN1_SUCCESS) {
		snprintf(err, size, "asn1_write_value %s: %s", name,
		    asn1_strerror(ret));
		return -1;
	}
	return 0;
}

int
cms_envelope_seal(const gnutls_datum_t *content, gnutls_x509_crt_t recipient,
    enum cms_cipher cipher, int bare, gnutls_datum_t *out, char *err,
    size_t size)
{
	const struct cipher_row *c = cipher_by_id(cipher);
	const char *pre = bare ? "" : "content.";
	const char *ri = bare ? "recipientInfos.?LAST.ktri." :
	    "content.recipientInfos.?LAST.ktri.";
	unsigned char cek[MAX_KEY], iv[MAX_BLOCK], ivder[MAX_BLOCK + 6],
	    serial[64], *buf = NULL;
	size_t serial_len = sizeof(serial), buf_len = 0, pad, ivder_len;
	gnutls_datum_t dk, div, dn = { NULL, 0 }, ek = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	gnutls_cipher_hd_t h = NULL;
	asn1_node node = NULL;
	int ret, rc = -1;

	if (c == NULL) {
		snprintf(err, size, "unknown content encryption %d", (int)cipher);
		goto out;
	}
	if (content->size > 0x7fffffff - MAX_BLOCK) {
		snprintf(err, size, "content of %u octets is too large", content->size);
		goto out;
	}
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, recipient, 0)) < 0) {
		snprintf(err, size, "gnutls_pubkey_import_x509: %s", gnutls_strerror(ret));
		goto out;
	}
	if (gnutls_pubkey_get_pk_algorithm(pub, NULL) != GNUTLS_PK_RSA) {
		snprintf(err, size, "RFC 8894 section 3.1: the recipient's key is "
		    "not RSA");
		goto out;
	}
	if ((ret = gnutls_rnd(GNUTLS_RND_KEY, cek, c->key_len)) < 0 ||
	    (ret = gnutls_rnd(GNUTLS_RND_NONCE, iv, c->block)) < 0) {
		snprintf(err, size, "gnutls_rnd: %s", gnutls_strerror(ret));
		goto out;
	}
	/* RFC 5652 6.3: always padded, a whole block when already aligned. */
	pad = c->block - content->size % c->block;
	buf_len = content->size + pad;
	if ((buf = malloc(buf_len)) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	if (content->size > 0)
		memcpy(buf, content->data, content->size);
	memset(buf + content->size, (int)pad, pad);
	dk.data = cek;
	dk.size = (unsigned)c->key_len;
	div.data = iv;
	div.size = (unsigned)c->block;
	if ((ret = gnutls_cipher_init(&h, c->algo, &dk, &div)) < 0) {
		h = NULL;
		snprintf(err, size, "gnutls_cipher_init %s: %s", c->name,
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_cipher_encrypt(h, buf, buf_len)) < 0) {
		snprintf(err, size, "gnutls_cipher_encrypt: %s", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_pubkey_encrypt_data(pub, 0, &dk, &ek)) < 0) {
		snprintf(err, size, "gnutls_pubkey_encrypt_data: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_x509_crt_get_raw_issuer_dn(recipient, &dn)) < 0 ||
	    (ret = gnutls_x509_crt_get_serial(recipient, serial, &serial_len)) < 0) {
		snprintf(err, size, "the recipient certificate: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ivder_len = octet_string_der(ivder, iv, c->block)) == 0) {
		snprintf(err, size, "asn1_encode_simple_der: the IV");
		goto out;
	}

	if (cms_asn1_new(bare ? "EnvelopedData" : "EnvelopedContentInfo", &node,
	    err, size) != 0)
		goto out;
	if ((!bare && put(node, "", "contentType", OID_ENVELOPED_DATA, 1, err,
	    size) != 0) ||
	    /* RFC 5652 6.1: version 0 with only issuerAndSerialNumber
	     * key transport recipients and no originatorInfo. */
	    put(node, pre, "version", "0", 0, err, size) != 0 ||
	    put(node, pre, "originatorInfo", NULL, 0, err, size) != 0 ||
	    put(node, pre, "unprotectedAttrs", NULL, 0, err, size) != 0 ||
	    put(node, pre, "recipientInfos", "NEW", 1, err, size) != 0 ||
	    put(node, pre, "recipientInfos.?LAST", "ktri", 1, err, size) != 0 ||
	    put(node, ri, "version", "0", 0, err, size) != 0 ||
	    put(node, ri, "rid", "issuerAndSerialNumber", 1, err, size) != 0 ||
	    put(node, ri, "rid.issuerAndSerialNumber.issuer", dn.data,
	    (int)dn.size, err, size) != 0 ||
	    put(node, ri, "rid.issuerAndSerialNumber.serialNumber", serial,
	    (int)serial_len, err, size) != 0 ||
	    put(node, ri, "keyEncryptionAlgorithm.algorithm", OID_RSA_ENCRYPTION,
	    1, err, size) != 0 ||
	    put(node, ri, "keyEncryptionAlgorithm.parameters", "\x05\x00", 2, err,
	    size) != 0 ||
	    put(node, ri, "encryptedKey", ek.data, (int)ek.size, err, size) != 0 ||
	    put(node, pre, "encryptedContentInfo.contentType", OID_DATA, 1, err,
	    size) != 0 ||
	    put(node, pre, "encryptedContentInfo.contentEncryptionAlgorithm."
	    "algorithm", c->oid, 1, err, size) != 0 ||
	    put(node, pre, "encryptedContentInfo.contentEncryptionAlgorithm."
	    "parameters", ivder, (int)ivder_len, err, size) != 0 ||
	    put(node, pre, "encryptedContentInfo.encryptedContent", buf,
	    (int)buf_len, err, size) != 0)
		goto out;
	if (cms_asn1_encode(node, out, err, size) != 0)
		goto out;
	rc = 0;
out:
	if (h != NULL)
		gnutls_cipher_deinit(h);
	gnutls_memset(cek, 0, sizeof(cek));
	if (buf != NULL) {
		/* Encrypted by now unless a step failed: wiped either way. */
		gnutls_memset(buf, 0, buf_len);
		free(buf);
	}
	if (node != NULL)
		asn1_delete_structure(&node);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	gnutls_free(dn.data);
	gnutls_free(ek.data);
	return rc;
}
