/*
 * guard: the issuance guard. Every command that signs lints the
 * certificate it has just built, in memory, before anything is written,
 * with every lint profile, the CA's certificate as the chain and the
 * store's SIP domain. Safe to call from several threads at once.
 */
#ifndef SIPCA_GUARD_H
#define SIPCA_GUARD_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"

/*
 * Lints a certificate sipca has just built, in memory, before anything is written:
 * crt as GnuTLS built it and der its encoding (the caller encodes once).
 * Prints findings (warn and above) on stderr as
 * "sipca: CMD: NAME: lint: SEVERITY RULE: MESSAGE [CITATION]", NAME being
 * the certificate's store name, so a batch says which row a finding is for.
 * Returns 0 to go on: no error-level finding, or force set (then *out_forced = 1 when there were errors);
 * EXIT_USAGE (2) when an error-level finding refuses the issuance and force is not set.
 */
int guard_issuance(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    const char *name, const struct ca *ca, enum cert_kind kind,
    const char *sip_domain, int force, int *out_forced);

#endif
