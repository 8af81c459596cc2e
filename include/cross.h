/*
 * cross: cross-certificates, the bridge of a CA key rollover (RFC 4210
 * section 4.4, "root CA key update"). The new CA's public key and name
 * certified by the old CA's key ("NewWithOld") let a phone that trusts
 * only the old root accept leaves from the new CA; the old CA's certified
 * by the new key ("OldWithNew") let a phone that trusts only the new root
 * accept leaves the old CA issued before the switch.
 */
#ifndef SIPCA_CROSS_H
#define SIPCA_CROSS_H

#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"

/* A cross-certificate's notAfter: nothing outlives what it chains to. */
time_t cross_not_after(gnutls_x509_crt_t subject, gnutls_x509_crt_t issuer);

/*
 * Certifies subject (a CA certificate) with issuer's key: the subject's
 * name, public key and extensions (basicConstraints, keyUsage,
 * nameConstraints, subjectKeyIdentifier) unchanged, the issuer's name,
 * an authorityKeyIdentifier that is issuer's key id, a fresh serial,
 * and a validity from not_before to cross_not_after().
 * *out_pem gets the PEM (gnutls_free). Returns 0, or -1 with *out_reason
 * naming the GnuTLS call that failed (or the reason it was refused).
 */
int cross_certify(gnutls_x509_crt_t subject, const struct ca *issuer,
    time_t not_before, gnutls_datum_t *out_pem, const char **out_reason);

/*
 * Whether a chain through a cross-certificate can reach anchor: a
 * cross-certificate is one more CA below anchor, which anchor's
 * pathLenConstraint must allow for depth CAs below it (RFC 5280 section
 * 4.2.1.9; OpenSSL and GnuTLS both enforce it at the trust anchor).
 * depth is the number of CA certificates between anchor and the leaf:
 * 1 for leaf -> NewWithOld -> old root, 2 with an issuing intermediate.
 */
int cross_path_allowed(gnutls_x509_crt_t anchor, unsigned depth);

#endif
