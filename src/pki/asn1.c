/*
 * asn1: loading src/pki/pkix.asn once, decoding strict DER with it and
 * encoding its types.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtasn1.h>

#include "asn1.h"

extern const asn1_static_node pkix_asn1_tab[];

static pthread_once_t pkix_once = PTHREAD_ONCE_INIT;
static asn1_node pkix_defs;
static int pkix_status = ASN1_SUCCESS;
static char pkix_load_err[PKIX_ERR_SIZE];

/*
 * asn1_create_element() expands every type reference by name, which
 * costs more than the decoding itself; an expanded empty element of each
 * type the linter decodes per certificate is made once here and copied
 * with asn1_dup_node() instead. Read-only after pkix_load().
 */
static const char *const template_types[] = {
	"Certificate", "BasicConstraints", "KeyUsage", "ExtKeyUsageSyntax",
	"GeneralNames", "AuthorityKeyIdentifier", "SubjectKeyIdentifier",
};
static asn1_node templates[sizeof(template_types) / sizeof(template_types[0])];

static void
pkix_load(void)
{
	char name[64];
	size_t i;

	/* Read-only from here on: elements are copied from it. */
	pkix_status = asn1_array2tree(pkix_asn1_tab, &pkix_defs, pkix_load_err);
	if (pkix_status != ASN1_SUCCESS)
		return;
	for (i = 0; i < sizeof(template_types) / sizeof(template_types[0]); i++) {
		snprintf(name, sizeof(name), "SipcaPKIX.%s", template_types[i]);
		if (asn1_create_element(pkix_defs, name, &templates[i]) != ASN1_SUCCESS)
			templates[i] = NULL;
	}
}

static int
new_element(const char *type, asn1_node *out)
{
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(template_types) / sizeof(template_types[0]); i++)
		if (templates[i] != NULL && strcmp(template_types[i], type) == 0) {
			*out = asn1_dup_node(templates[i], "");
			return *out != NULL ? ASN1_SUCCESS : ASN1_MEM_ERROR;
		}
	snprintf(name, sizeof(name), "SipcaPKIX.%s", type);
	return asn1_create_element(pkix_defs, name, out);
}

/* Loads the module once; 0, or -1 after setting err (PKIX_ERR_SIZE). */
static int
pkix_init(char *err)
{
	pthread_once(&pkix_once, pkix_load);
	if (pkix_status != ASN1_SUCCESS) {
		if (err != NULL)
			snprintf(err, PKIX_ERR_SIZE, "asn1_array2tree: %.30s: %.60s",
			    asn1_strerror(pkix_status), pkix_load_err);
		return -1;
	}
	return 0;
}

/*
 * X.690 10.1: DER lengths use the definite form with the fewest octets.
 * libtasn1's strict mode refuses indefinite lengths but takes a padded
 * long form, so every length of the value is checked here, recursing
 * into constructed encodings. Returns 0, or -1 with the offset in *bad.
 */
static int
der_lengths_minimal(const unsigned char *p, size_t len, size_t base, int depth,
    size_t *bad)
{
	size_t i = 0, start, n, k, j;

	if (depth > 32) {
		*bad = base;
		return -1;
	}
	while (i < len) {
		start = i;
		if ((p[i++] & 0x1f) == 0x1f) {
			while (i < len && (p[i] & 0x80))
				i++;
			i++;
		}
		if (i >= len)
			goto bad;
		if (p[i] < 0x80) {
			n = p[i++];
		} else {
			k = p[i++] & 0x7f;
			if (k == 0 || k > sizeof(size_t) || i + k > len || p[i] == 0)
				goto bad;
			for (n = 0, j = 0; j < k; j++)
				n = (n << 8) | p[i + j];
			i += k;
			if (n < 0x80)
				goto bad;
		}
		if (n > len - i)
			goto bad;
		if ((p[start] & 0x20) &&
		    der_lengths_minimal(p + i, n, base + i, depth + 1, bad) != 0)
			return -1;
		i += n;
	}
	return 0;
bad:
	*bad = base + start;
	return -1;
}

int
pkix_der_minimal(const unsigned char *der, size_t len)
{
	size_t bad;

	return der_lengths_minimal(der, len, 0, 0, &bad);
}

int
pkix_new(const char *type, asn1_node *out_node, char *err)
{
	int ret;

	err[0] = '\0';
	if (pkix_init(err) != 0)
		return -1;
	if ((ret = new_element(type, out_node)) != ASN1_SUCCESS) {
		snprintf(err, PKIX_ERR_SIZE, "asn1_create_element %s: %s", type,
		    asn1_strerror(ret));
		return -1;
	}
	return 0;
}

int
pkix_write(asn1_node node, const char *name, const void *value, int len,
    char *err)
{
	int ret = asn1_write_value(node, name, value, len);

	if (ret != ASN1_SUCCESS) {
		snprintf(err, PKIX_ERR_SIZE, "asn1_write_value %.80s: %s", name,
		    asn1_strerror(ret));
		return -1;
	}
	return 0;
}

int
pkix_encode(asn1_node node, const char *name, unsigned char **out_der,
    size_t *out_len, char *err)
{
	char why[PKIX_ERR_SIZE] = "";
	unsigned char *der = NULL;
	int len = 0, ret, rc = -1;

	/* The first call only measures: libtasn1 says the size it needs. */
	ret = asn1_der_coding(node, name, NULL, &len, why);
	if (ret != ASN1_MEM_ERROR || len <= 0)
		goto fail;
	if ((der = malloc((size_t)len)) == NULL) {
		ret = ASN1_MEM_ALLOC_ERROR;
		goto fail;
	}
	if ((ret = asn1_der_coding(node, name, der, &len, why)) != ASN1_SUCCESS)
		goto fail;
	*out_der = der;
	*out_len = (size_t)len;
	der = NULL;
	rc = 0;
	goto out;
fail:
	snprintf(err, PKIX_ERR_SIZE, "asn1_der_coding %.24s: %.40s%s%.40s", name,
	    asn1_strerror(ret == ASN1_SUCCESS ? ASN1_GENERIC_ERROR : ret),
	    why[0] != '\0' ? ": " : "", why);
out:
	free(der);
	return rc;
}

int
pkix_decode(const char *type, const unsigned char *der, size_t len,
    int flags, asn1_node *out_node, size_t *out_used, char *err)
{
	asn1_node node = NULL;
	unsigned int aflags = ASN1_DECODE_FLAG_STRICT_DER;
	size_t bad = 0;
	int ilen, ret, rc = -1;

	err[0] = '\0';
	if (len == 0) {
		snprintf(err, PKIX_ERR_SIZE, "no data");
		goto out;
	}
	if (len > 0x7fffffff) {
		snprintf(err, PKIX_ERR_SIZE, "%zu octets is too large", len);
		goto out;
	}
	if (pkix_new(type, &node, err) != 0)
		goto out;
	/* Trailing data is found by comparing lengths below, so that the
	 * caller can tell it from a broken value. */
	aflags |= ASN1_DECODE_FLAG_ALLOW_PADDING;
	if (flags & PKIX_ALLOW_BAD_TIME)
		aflags |= ASN1_DECODE_FLAG_ALLOW_INCORRECT_TIME;
	ilen = (int)len;
	ret = asn1_der_decoding2(&node, der, &ilen, aflags, err);
	if (ret != ASN1_SUCCESS) {
		if (err[0] == '\0')
			snprintf(err, PKIX_ERR_SIZE, "%s", asn1_strerror(ret));
		goto out;
	}
	if (der_lengths_minimal(der, (size_t)ilen, 0, 0, &bad) != 0) {
		snprintf(err, PKIX_ERR_SIZE,
		    "not DER: the length at offset %zu is not in its shortest form", bad);
		goto out;
	}
	if ((size_t)ilen < len && !(flags & PKIX_ALLOW_TRAILING)) {
		snprintf(err, PKIX_ERR_SIZE, "%zu octets after the %s",
		    len - (size_t)ilen, type);
		goto out;
	}
	if (out_used != NULL)
		*out_used = (size_t)ilen;
	*out_node = node;
	node = NULL;
	rc = 0;
out:
	if (node != NULL)
		asn1_delete_structure(&node);
	return rc;
}

int
pkix_read(asn1_node node, const char *name, void *buf, int *len)
{
	if (asn1_read_value(node, name, buf, len) != ASN1_SUCCESS)
		return -1;
	return 0;
}

int
pkix_read_oid(asn1_node node, const char *name, char *buf, size_t size)
{
	int len = (int)size;

	if (size == 0 || pkix_read(node, name, buf, &len) != 0) {
		if (size > 0)
			buf[0] = '\0';
		return -1;
	}
	buf[len < (int)size ? len : (int)size - 1] = '\0';
	return 0;
}

int
pkix_present(asn1_node node, const char *name)
{
	/* Decoding drops the nodes of OPTIONAL fields that were absent. */
	return asn1_find_node(node, name) != NULL;
}

int
pkix_slice(asn1_node node, const unsigned char *der, size_t der_len,
    const char *name, const unsigned char **out, size_t *out_len)
{
	int start, end;

	if (asn1_der_decoding_startEnd(node, der, (int)der_len, name, &start,
	    &end) != ASN1_SUCCESS)
		return -1;
	if (start < 0 || end < start || (size_t)end >= der_len)
		return -1;
	*out = der + start;
	*out_len = (size_t)(end - start + 1);
	return 0;
}

int
pkix_tlv_content(const unsigned char *tlv, size_t len,
    unsigned char *out_tag, const unsigned char **out, size_t *out_len)
{
	size_t hdr = 2, n;
	unsigned i, k;

	if (len < 2 || (tlv[0] & 0x1f) == 0x1f)
		return -1;
	if (tlv[1] < 0x80) {
		n = tlv[1];
	} else {
		k = tlv[1] & 0x7f;
		if (k == 0 || k > sizeof(size_t) || len < 2 + k)
			return -1;
		for (n = 0, i = 0; i < k; i++)
			n = (n << 8) | tlv[2 + i];
		hdr += k;
	}
	if (n > len - hdr)
		return -1;
	*out_tag = tlv[0];
	*out = tlv + hdr;
	*out_len = n;
	return 0;
}

const char *
pkix_nth(char *buf, size_t size, const char *base, unsigned i,
    const char *suffix)
{
	char digits[12];
	size_t nd = 0, bl = strlen(base), sl = strlen(suffix), k = 0;

	do
		digits[nd++] = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	if (bl + (bl > 0) + 1 + nd + sl + 1 > size)
		return NULL;
	memcpy(buf, base, bl);
	k = bl;
	if (bl > 0)
		buf[k++] = '.';
	buf[k++] = '?';
	while (nd > 0)
		buf[k++] = digits[--nd];
	memcpy(buf + k, suffix, sl + 1);
	return buf;
}

int
pkix_count(asn1_node node, const char *name)
{
	int n = 0;

	if (asn1_number_of_elements(node, name, &n) != ASN1_SUCCESS)
		return 0;
	return n;
}
