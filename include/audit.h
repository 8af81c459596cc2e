/*
 * audit: whether what a store holds hangs together as X.509 (sipca
 * check): a recorded certificate against its index row and the CA, an
 * installed key against its certificate, a chain file against the
 * certificate and the CA, the CA certificate itself. Memory only: the
 * caller reads the files. Each problem is a line in the caller's report
 * (without the path, which the caller knows and prints first).
 */
#ifndef SIPCA_AUDIT_H
#define SIPCA_AUDIT_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "report.h"

struct ca;

/*
 * The other CAs of a store that may have issued what it keeps: the root
 * (before the store grew its issuing CA), and the old generation of a
 * CA rollover, during its overlap and once retired.
 */
struct audit_issuers {
	const struct ca *const *cas;
	size_t n;
};

/*
 * The certificate pem, recorded with serial and not_after: its serial
 * and notAfter are the index's, its signature verifies with the CA's
 * key (RFC 5280 section 6.1.3 (a)(1); time is not checked, an expired
 * certificate is still the CA's), or was issued by one of also. Returns
 * 0 with *out_crt parsed (for audit_key and audit_chain), or -1 when it
 * does not parse.
 */
int audit_cert(const char *pem, const char *serial, time_t not_after,
    const struct ca *ca, const struct audit_issuers *also,
    gnutls_x509_crt_t *out_crt, struct report *problems);

/* The unencrypted key in pem is the private half of crt's public key. */
void audit_key(const unsigned char *pem, size_t len, gnutls_x509_crt_t crt,
    const char *serial, struct report *problems);

/*
 * A chain file is the certificate, then the CA: what a server sends (the
 * CA may be one of also: the single-level one root.pem re-issued, an old
 * generation). During a rollover's overlap the CA is followed by the
 * bridge, a CA certificate for the CA's issuer.
 */
void audit_chain(const unsigned char *data, size_t len, gnutls_x509_crt_t crt,
    const struct ca *ca, const struct audit_issuers *also,
    struct report *problems);

/* The CA certificate is a CA and signed itself (RFC 5280 4.2.1.9, 6.1). */
/* (An issuing CA is its own anchor here: audit_root checks what signed it.) */
void audit_ca_cert(const struct ca *ca, struct report *problems);

/* A two-level CA: ca.pem was issued by root.pem (RFC 5280 6.1.3 (a)). */
void audit_root(const struct ca *ca, const struct ca *root,
    struct report *problems);

#endif
