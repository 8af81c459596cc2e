/*
 * bundle: the files a device or server is given, built in memory: a PEM
 * bundle (the certificate, then the CA or CAs, then optionally the key)
 * and PKCS#12 (RFC 7292) files holding the certificate, its key and the
 * CA or CAs above it.
 * Knows nothing of the store or of files.
 */
#ifndef SIPCA_BUNDLE_H
#define SIPCA_BUNDLE_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/*
 * The certificate, then the CA, then key_pem unless it is NULL, each
 * ending in a newline. *out holds key material when key_pem is given:
 * the caller frees it with secret_free_buf(*out, *out_len).
 */
void bundle_pem(const char *cert_pem, size_t cert_len, const char *ca_pem,
    size_t ca_len, const char *key_pem, size_t key_len, char **out,
    size_t *out_len);

enum bundle_p12_kind {
	/* AES-256-CBC with PBKDF2-HMAC-SHA256 (RFC 8018) for the bags, and
	 * a SHA-256 MAC: what OpenSSL 3 writes by default. */
	P12_MODERN = 0,
	/* pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C) and a SHA-1
	 * MAC: for phones and appliances that refuse PBES2. */
	P12_LEGACY,
};

/*
 * The iteration count of both kinds, for the bags and the MAC, is
 * GnuTLS's PKCS12_ITER_COUNT, fixed when GnuTLS is built (configure
 * --with-pkcs12-iter-count, 600000 by default since 3.7.3):
 * gnutls_pkcs12_bag_encrypt(), gnutls_pkcs12_bag_set_privkey() and
 * gnutls_pkcs12_generate_mac2() take none, in 3.7 as in 3.8. OpenSSL's
 * -legacy writes 2048 (PKCS12_DEFAULT_ITER); a count of our own would
 * mean writing the PKCS#12 KDF (RFC 7292 appendix B) here, which we do not.
 */

/*
 * PKCS#12 (DER) with two bags: the certificate and the CA in an
 * encrypted one, and the key in a shrouded key bag; the certificate and
 * key share a localKeyId and carry friendly_name (RFC 7292 4.2). The
 * passphrase must be non-empty. Returns 0 or a GnuTLS error code
 * (GNUTLS_E_CERTIFICATE_KEY_MISMATCH when key is not crt's); the caller
 * gnutls_free()s out_der->data.
 */
int bundle_p12(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
    gnutls_x509_crt_t ca, const char *friendly_name, const char *passphrase,
    enum bundle_p12_kind kind, gnutls_datum_t *out_der);

/*
 * As bundle_p12, with every CA above the certificate (the issuing CA
 * first, then the root of a two-level CA) in the certificate bag.
 */
int bundle_p12_chain(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
    const gnutls_x509_crt_t *cas, size_t n_cas, const char *friendly_name,
    const char *passphrase, enum bundle_p12_kind kind,
    gnutls_datum_t *out_der);

#endif
