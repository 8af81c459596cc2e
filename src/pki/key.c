/*
 * key: the key types, key generation and key-to-certificate matching.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "key.h"

static const struct {
	const char *name;
	gnutls_pk_algorithm_t algo;
	unsigned bits;
} key_types[] = {
	[KEY_RSA2048] = { "rsa2048", GNUTLS_PK_RSA, 2048 },
	[KEY_RSA3072] = { "rsa3072", GNUTLS_PK_RSA, 3072 },
	[KEY_RSA4096] = { "rsa4096", GNUTLS_PK_RSA, 4096 },
	[KEY_P256] = { "p256", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) },
	[KEY_P384] = { "p384", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1) },
};

#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

int
key_type_parse(const char *s, enum key_type *out)
{
	size_t i;

	for (i = 0; i < N_KEY_TYPES; i++) {
		if (strcmp(s, key_types[i].name) == 0) {
			*out = (enum key_type)i;
			return 0;
		}
	}
	return -1;
}

const char *
key_type_name(enum key_type t)
{
	return key_types[t].name;
}

void
key_type_params(enum key_type t, gnutls_pk_algorithm_t *out_algo,
    unsigned *out_bits)
{
	*out_algo = key_types[t].algo;
	*out_bits = key_types[t].bits;
}

void
key_type_of_pubkey(gnutls_pubkey_t pub, char *buf, size_t size)
{
	unsigned bits = 0;
	int algo = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	gnutls_ecc_curve_t curve;
	size_t i;

	if (algo == GNUTLS_PK_RSA) {
		snprintf(buf, size, "rsa%u", bits);
		return;
	}
	if (algo == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) == 0) {
		for (i = 0; i < N_KEY_TYPES; i++) {
			if (key_types[i].algo == GNUTLS_PK_ECDSA &&
			    key_types[i].bits == GNUTLS_CURVE_TO_BITS(curve)) {
				snprintf(buf, size, "%s", key_types[i].name);
				return;
			}
		}
		snprintf(buf, size, "%s", gnutls_ecc_curve_get_name(curve));
		return;
	}
	snprintf(buf, size, "%s", gnutls_pk_get_name(algo));
}

const char *
key_type_of_cert(gnutls_x509_crt_t crt, char *buf, size_t size)
{
	gnutls_pubkey_t pub = NULL;

	if (key_pubkey_of_cert(crt, &pub) < 0)
		snprintf(buf, size, "%s", "unknown");
	else
		key_type_of_pubkey(pub, buf, size);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return buf;
}

int
key_generate(enum key_type type, gnutls_x509_privkey_t *out_key)
{
	gnutls_x509_privkey_t key = NULL;
	int ret;

	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		return ret;
	ret = gnutls_x509_privkey_generate2(key, key_types[type].algo,
	    key_types[type].bits, 0, NULL, 0);
	if (ret < 0) {
		gnutls_x509_privkey_deinit(key);
		return ret;
	}
	*out_key = key;
	return 0;
}

int
key_export_pem(gnutls_x509_privkey_t key, const char *passphrase,
    gnutls_datum_t *out_pem)
{
	/* PKCS#8 with PBES2 and AES-256 (RFC 8018) when a passphrase is given. */
	unsigned flags = passphrase != NULL ? GNUTLS_PKCS_PBES2_AES_256 :
	    GNUTLS_PKCS_PLAIN;

	return gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    passphrase, flags, out_pem);
}

int
key_import_pem(const unsigned char *pem, size_t len,
    gnutls_x509_privkey_t *out_key)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)len };
	int ret;

	if ((ret = gnutls_x509_privkey_init(&key)) < 0 ||
	    (ret = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0) {
		if (key != NULL)
			gnutls_x509_privkey_deinit(key);
		return ret;
	}
	*out_key = key;
	return 0;
}

int
key_pubkey_of_cert(gnutls_x509_crt_t crt, gnutls_pubkey_t *out_pub)
{
	gnutls_pubkey_t pub = NULL;
	int ret;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0)
		goto out;
	*out_pub = pub;
	pub = NULL;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ret < 0 ? ret : 0;
}

int
key_pubkey_of_pem(const unsigned char *pem, size_t len,
    gnutls_pubkey_t *out_pub, const char **out_call)
{
	gnutls_privkey_t priv = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)len };
	int ret;

	*out_call = "gnutls_privkey_init";
	if ((ret = gnutls_privkey_init(&priv)) < 0)
		goto out;
	*out_call = "gnutls_privkey_import_x509_raw";
	if ((ret = gnutls_privkey_import_x509_raw(priv, &d, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0)
		goto out;
	*out_call = "gnutls_pubkey_import_privkey";
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, priv, 0, 0)) < 0)
		goto out;
	*out_pub = pub;
	pub = NULL;
out:
	if (priv != NULL)
		gnutls_privkey_deinit(priv);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ret < 0 ? ret : 0;
}

int
key_pubkey_of_cert_pem(const char *pem, gnutls_pubkey_t *out_pub)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
	int ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0)
		goto out;
	ret = key_pubkey_of_cert(crt, out_pub);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return ret < 0 ? ret : 0;
}

/*
 * Compared by the SubjectPublicKeyInfo itself (RFC 5280 section
 * 4.1.2.7), both sides encoded by GnuTLS from its parsed parameters, so
 * the same key compares equal however it was encoded where it was
 * read. Not by key identifier: an identifier is a hash whose method is
 * a choice (SHA-1 or SHA-256, RFC 7093), and the copies this replaces
 * made different choices.
 */
int
key_same(gnutls_pubkey_t a, gnutls_pubkey_t b, int *out_match,
    const char **out_call)
{
	gnutls_datum_t da = { NULL, 0 }, db = { NULL, 0 };
	int ret;

	if ((ret = gnutls_pubkey_export2(a, GNUTLS_X509_FMT_DER, &da)) < 0 ||
	    (ret = gnutls_pubkey_export2(b, GNUTLS_X509_FMT_DER, &db)) < 0) {
		if (out_call != NULL)
			*out_call = "gnutls_pubkey_export2";
		goto out;
	}
	*out_match = da.size == db.size && memcmp(da.data, db.data, da.size) == 0;
	ret = 0;
out:
	gnutls_free(da.data);
	gnutls_free(db.data);
	return ret;
}

int
key_matches_cert(gnutls_pubkey_t pub, gnutls_x509_crt_t crt, int *out_match,
    const char **out_call)
{
	gnutls_pubkey_t crt_pub = NULL;
	int ret;

	if ((ret = key_pubkey_of_cert(crt, &crt_pub)) < 0) {
		if (out_call != NULL)
			*out_call = "gnutls_pubkey_import_x509";
		return ret;
	}
	ret = key_same(pub, crt_pub, out_match, out_call);
	gnutls_pubkey_deinit(crt_pub);
	return ret;
}
