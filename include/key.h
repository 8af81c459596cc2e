/*
 * key: private and public keys with GnuTLS. The key types sipca
 * generates (one table: name, algorithm, size), naming the type of any
 * public key, and the one answer to "is this the key of that
 * certificate". Memory only; knows nothing of the store or of tokens.
 */
#ifndef SIPCA_KEY_H
#define SIPCA_KEY_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

enum key_type {
	KEY_RSA2048 = 0,
	KEY_RSA3072,
	KEY_RSA4096,
	KEY_P256,
	KEY_P384,
};
#define KEY_TYPE_NAMES "rsa2048,rsa3072,rsa4096,p256,p384"

int key_type_parse(const char *s, enum key_type *out);
const char *key_type_name(enum key_type t);

/* The GnuTLS algorithm and bits argument (a curve for ECDSA) of a type. */
void key_type_params(enum key_type t, gnutls_pk_algorithm_t *out_algo,
    unsigned *out_bits);

/*
 * The type of any public key as the index records it: "rsa2048" (any
 * size, "rsa%u"), "p256", "p384", else GnuTLS's name of the curve or
 * the algorithm. buf gets at most size bytes, NUL-terminated.
 */
void key_type_of_pubkey(gnutls_pubkey_t pub, char *buf, size_t size);

/* key_type_of_pubkey() of crt's key; returns buf. */
const char *key_type_of_cert(gnutls_x509_crt_t crt, char *buf, size_t size);

/* A new key of the given type. Returns a GnuTLS error code. */
int key_generate(enum key_type type, gnutls_x509_privkey_t *out_key);
/* PKCS#8 PEM, unencrypted (passphrase NULL) or PBES2 AES-256. */
int key_export_pem(gnutls_x509_privkey_t key, const char *passphrase,
    gnutls_datum_t *out_pem);

/* An unencrypted private key in PEM, a new object; a GnuTLS error code. */
int key_import_pem(const unsigned char *pem, size_t len,
    gnutls_x509_privkey_t *out_key);

/* The public key of crt, a new object. Returns a GnuTLS error code. */
int key_pubkey_of_cert(gnutls_x509_crt_t crt, gnutls_pubkey_t *out_pub);

/* The public key of a certificate in PEM, a new object; a GnuTLS error code. */
int key_pubkey_of_cert_pem(const char *pem, gnutls_pubkey_t *out_pub);

/*
 * The public half of an unencrypted private key in PEM (PKCS#8 or the
 * older forms), a new object. Returns a GnuTLS error code; *out_call
 * names the GnuTLS function that failed.
 */
int key_pubkey_of_pem(const unsigned char *pem, size_t len,
    gnutls_pubkey_t *out_pub, const char **out_call);

/*
 * Sets *out_match to whether a and b are one key, compared by their
 * SubjectPublicKeyInfo. Returns 0 or a GnuTLS error code (*out_call,
 * when not NULL, names the failing call).
 */
int key_same(gnutls_pubkey_t a, gnutls_pubkey_t b, int *out_match,
    const char **out_call);

/*
 * Sets *out_match to whether pub is the key crt certifies. Returns 0 or
 * a GnuTLS error code (*out_call, when not NULL, names the failing
 * call) when either key cannot be exported.
 */
int key_matches_cert(gnutls_pubkey_t pub, gnutls_x509_crt_t crt,
    int *out_match, const char **out_call);

#endif
