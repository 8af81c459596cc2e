/*
 * describe: certificates and requests read into struct description.
 * What each field means is RFC 5280's (certificates) and RFC 2986's
 * (requests); GnuTLS does the decoding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "describe.h"
#include "key.h"
#include "util.h"
#include "x509.h"

static const struct { unsigned bit; const char *name; } usage_bits[] = {
	{ GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" },
	{ GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
	{ GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },
	{ GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
	{ GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },
	{ GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
	{ GNUTLS_KEY_CRL_SIGN, "cRLSign" },
	{ GNUTLS_KEY_ENCIPHER_ONLY, "encipherOnly" },
	{ GNUTLS_KEY_DECIPHER_ONLY, "decipherOnly" },
};

const char *
describe_key_usage_name(size_t i, unsigned *out_bit)
{
	if (i >= sizeof(usage_bits) / sizeof(usage_bits[0]))
		return NULL;
	*out_bit = usage_bits[i].bit;
	return usage_bits[i].name;
}

const char *
describe_eku_name(const char *oid)
{
	if (strcmp(oid, OID_SERVER_AUTH) == 0)
		return "serverAuth";
	if (strcmp(oid, OID_CLIENT_AUTH) == 0)
		return "clientAuth";
	return oid;
}

static void
take_text(struct describe_text *t, int ret, gnutls_datum_t *dn)
{
	t->len = ret == 0 ? dn->size : 0;
	t->data = xmalloc(t->len + 1);
	memcpy(t->data, ret == 0 ? dn->data : (unsigned char *)"", t->len);
	t->data[t->len] = '\0';
	gnutls_free(dn->data);
	dn->data = NULL;
}

static void
fill_key(struct describe_key *k, gnutls_pubkey_t pub)
{
	gnutls_ecc_curve_t curve;
	int algo = gnutls_pubkey_get_pk_algorithm(pub, &k->bits);

	/* GnuTLS names ECDSA "EC/ECDSA"; the key is an ECDSA one here. */
	k->algorithm = algo == GNUTLS_PK_ECDSA ? "ECDSA" : gnutls_pk_get_name(algo);
	if (algo == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) == 0)
		k->curve = gnutls_ecc_curve_get_name(curve);
	key_type_of_pubkey(pub, k->type, sizeof(k->type));
}

/*
 * The extensions certificates and requests share, read through one
 * type's GnuTLS getters (a request's are those it asks for, RFC 2985
 * section 5.4.2).
 */
struct ext_getters {
	int (*key_usage)(void *, unsigned *, unsigned *);
	int (*purpose)(void *, unsigned, void *, size_t *, unsigned *);
	int (*constraints)(void *, unsigned *, unsigned *, int *);
};

static int crt_usage(void *o, unsigned *u, unsigned *c)
{ return gnutls_x509_crt_get_key_usage(o, u, c); }
static int crt_purpose(void *o, unsigned i, void *oid, size_t *size, unsigned *c)
{ return gnutls_x509_crt_get_key_purpose_oid(o, i, oid, size, c); }
static int crt_constraints(void *o, unsigned *c, unsigned *ca, int *path)
{ return gnutls_x509_crt_get_basic_constraints(o, c, ca, path); }
static int crq_usage(void *o, unsigned *u, unsigned *c)
{ return gnutls_x509_crq_get_key_usage(o, u, c); }
static int crq_purpose(void *o, unsigned i, void *oid, size_t *size, unsigned *c)
{ return gnutls_x509_crq_get_key_purpose_oid(o, i, oid, size, c); }
static int crq_constraints(void *o, unsigned *c, unsigned *ca, int *path)
{ return gnutls_x509_crq_get_basic_constraints(o, c, ca, path); }

static const struct ext_getters crt_ext = { crt_usage, crt_purpose, crt_constraints };
static const struct ext_getters crq_ext = { crq_usage, crq_purpose, crq_constraints };

static void
fill_extensions(struct description *d, void *obj, const struct ext_getters *g)
{
	unsigned usage = 0, critical = 0, ca = 0, i;
	char oid[128];
	size_t size;
	int path = -1;

	if (g->key_usage(obj, &usage, &critical) >= 0) {
		d->has_key_usage = 1;
		d->key_usage = usage;
		d->key_usage_critical = critical != 0;
	}
	for (i = 0;; i++) {
		size = sizeof(oid);
		if (g->purpose(obj, i, oid, &size, &critical) < 0)
			break;
		d->eku = xrealloc(d->eku, (d->n_eku + 1) * sizeof(*d->eku));
		d->eku[d->n_eku++] = xstrdup(oid);
	}
	d->path_len = -1;
	if (g->constraints(obj, &critical, &ca, &path) >= 0) {
		d->has_constraints = 1;
		d->ca = ca != 0;
		d->path_len = ca ? path : -1;
	}
}

static void
describe_crt(gnutls_x509_crt_t crt, struct description *d)
{
	gnutls_datum_t dn = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	size_t len;
	int ret;

	d->kind = DESCRIBE_CERT;
	ret = gnutls_x509_crt_get_dn3(crt, &dn, 0);
	take_text(&d->subject, ret, &dn);
	ret = gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0);
	take_text(&d->issuer, ret, &dn);
	if (cert_serial_hex(crt, d->serial, sizeof(d->serial)) != 0)
		d->serial[0] = '\0';
	d->not_before = gnutls_x509_crt_get_activation_time(crt);
	d->not_after = gnutls_x509_crt_get_expiration_time(crt);
	d->sans_error = cert_sans(crt, &d->sans);
	if (gnutls_pubkey_init(&pub) == 0 && gnutls_pubkey_import_x509(pub, crt, 0) == 0)
		fill_key(&d->key, pub);
	d->signature_algorithm = gnutls_sign_get_name(
	    gnutls_x509_crt_get_signature_algorithm(crt));
	fill_extensions(d, crt, &crt_ext);
	len = sizeof(d->sha256);
	d->has_fingerprints = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256,
	    d->sha256, &len) == 0 && len == sizeof(d->sha256);
	len = sizeof(d->sha1);
	d->has_fingerprints = d->has_fingerprints && gnutls_x509_crt_get_fingerprint(
	    crt, GNUTLS_DIG_SHA1, d->sha1, &len) == 0 && len == sizeof(d->sha1);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
}

static void
describe_crq(gnutls_x509_crq_t crq, struct description *d)
{
	gnutls_datum_t dn = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	int ret;

	d->kind = DESCRIBE_REQUEST;
	ret = gnutls_x509_crq_get_dn3(crq, &dn, 0);
	take_text(&d->subject, ret, &dn);
	take_text(&d->issuer, -1, &dn);
	d->sans_error = csr_sans(crq, &d->sans);
	if (gnutls_pubkey_init(&pub) == 0 && gnutls_pubkey_import_x509_crq(pub, crq, 0) == 0)
		fill_key(&d->key, pub);
	d->signature_algorithm = gnutls_sign_get_name(
	    gnutls_x509_crq_get_signature_algorithm(crq));
	/* The self-signature proves the requester holds the key (RFC 2986 3). */
	ret = gnutls_x509_crq_verify(crq, 0);
	d->signature_valid = ret >= 0;
	d->signature_problem = ret >= 0 ? NULL : gnutls_strerror(ret);
	fill_extensions(d, crq, &crq_ext);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
}

static int
has_block(const unsigned char *data, size_t len, const char *label)
{
	char line[64];

	snprintf(line, sizeof(line), "-----BEGIN %s-----", label);
	return memmem(data, len, line, strlen(line)) != NULL;
}

static int
load_request(const unsigned char *data, size_t len, gnutls_x509_crt_fmt_t fmt,
    struct description_list *out, const char **out_reason)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crq_t crq = NULL;
	int ret;

	if ((ret = gnutls_x509_crq_init(&crq)) < 0 ||
	    (ret = gnutls_x509_crq_import(crq, &d, fmt)) < 0) {
		*out_reason = x509_call_reason("gnutls_x509_crq_import", ret);
		if (crq != NULL)
			gnutls_x509_crq_deinit(crq);
		return -1;
	}
	out->items = xcalloc(1, sizeof(*out->items));
	out->n = 1;
	describe_crq(crq, &out->items[0]);
	gnutls_x509_crq_deinit(crq);
	return 0;
}

int
describe_load(const unsigned char *data, size_t len,
    struct description_list *out, const char **out_reason)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i;
	int ret, status = -1;

	out->items = NULL;
	out->n = 0;
	if (len == 0) {
		*out_reason = "the file is empty";
		return -1;
	}
	if (len > UINT32_MAX) {
		*out_reason = "too large";
		return -1;
	}
	if (has_block(data, len, "CERTIFICATE")) {
		if ((ret = cert_load_all(data, len, &list, &n)) < 0) {
			*out_reason = x509_call_reason("gnutls_x509_crt_list_import2", ret);
			goto out;
		}
	} else if (has_block(data, len, "CERTIFICATE REQUEST") ||
	    has_block(data, len, "NEW CERTIFICATE REQUEST")) {
		status = load_request(data, len, GNUTLS_X509_FMT_PEM, out, out_reason);
		goto out;
	} else if (memmem(data, len, "-----BEGIN ", 11) != NULL) {
		*out_reason = "no CERTIFICATE or CERTIFICATE REQUEST block in it";
		goto out;
	} else if (cert_load_all(data, len, &list, &n) < 0) {
		/* DER: a certificate, else a request, else neither. */
		if (load_request(data, len, GNUTLS_X509_FMT_DER, out, out_reason) == 0)
			status = 0;
		else
			*out_reason = "neither PEM nor a DER certificate or request";
		goto out;
	}
	if (n == 0) {
		*out_reason = "no certificate found";
		goto out;
	}
	out->items = xcalloc(n, sizeof(*out->items));
	out->n = n;
	for (i = 0; i < n; i++)
		describe_crt(list[i], &out->items[i]);
	status = 0;
out:
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	return status;
}

void
description_list_clear(struct description_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		struct description *d = &l->items[i];

		free(d->subject.data);
		free(d->issuer.data);
		san_list_clear(&d->sans);
		for (j = 0; j < d->n_eku; j++)
			free(d->eku[j]);
		free(d->eku);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
