/*
 * leaf: the DER of the server and device certificates a CA signs.
 *
 * What every leaf of one CA shares (the signature's AlgorithmIdentifier,
 * the issuer's name, basicConstraints, keyUsage, extendedKeyUsage,
 * authorityKeyIdentifier, cRLDistributionPoints) is encoded once, into a
 * template, by libtasn1 and GnuTLS's extension encoders; a certificate is
 * then its own fields (serial, validity, subject, key, SANs, key id)
 * between those pieces, and one signature by gnutls_privkey_sign_data2().
 * The bytes are those GnuTLS's gnutls_x509_crt_set_*() and
 * gnutls_x509_crt_privkey_sign() make for the same request
 * (tests/check_leaf.c compares them); building a GnuTLS tree per
 * certificate cost more than the signature.
 *
 * A template is read only after leaf_template_new(): threads may sign
 * with one at once. Knows nothing of the store.
 */
#ifndef SIPCA_LEAF_H
#define SIPCA_LEAF_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "x509.h"

struct ca;
struct leaf_template;

/*
 * The template for leaves signed by ca (its certificate and the
 * algorithm of its key; the key itself is given to leaf_sign()), with
 * cRLDistributionPoints crl_url (NULL: none). The CA's key must be RSA
 * (PKCS#1 v1.5, SHA-256) or ECDSA (SHA-256), as sipca makes them.
 * Returns 0, or a GnuTLS error code with *out_reason naming the call.
 */
int leaf_template_new(const struct ca *ca, const char *crl_url,
    struct leaf_template **out, const char **out_reason);
void leaf_template_free(struct leaf_template *t);

/* True when t was made for ca's certificate and this crl_url. */
int leaf_template_fits(const struct leaf_template *t, const struct ca *ca,
    const char *crl_url);

/*
 * The certificate req describes, with serial, signed by key (the CA's,
 * or a key of the same algorithm for a rehearsal) into *out_der (free())
 * of *out_len octets, and its subject as RFC 4514 text into *out_subject
 * (free()). keyUsage digitalSignature (and keyEncipherment for an
 * RSA subject key) and basicConstraints CA:FALSE are critical; SKI is
 * the SHA-1 of the SubjectPublicKeyInfo (GnuTLS's key id), AKI the CA's
 * SKI. The subjectAltName holds req->sans in order: at most SAN_MAX,
 * none with a problem or a NUL (GNUTLS_E_INVALID_REQUEST otherwise).
 * req->crl_url is the template's. Returns 0 or a GnuTLS error code.
 */
int leaf_sign(const struct leaf_template *t, const struct cert_request *req,
    gnutls_privkey_t key, const unsigned char serial[SERIAL_LEN],
    unsigned char **out_der, size_t *out_len, char **out_subject);

#endif
