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
#include "report.h"
#include "result.h"

/* How the guard judges; GUARD_FORCE is 1, so a force flag reads as one. */
enum guard_flags {
	GUARD_FORCE = 1 << 0,		/* go on past errors (not fatal ones) */
	GUARD_ALLOW_WILDCARD = 1 << 1,	/* guard_wildcard_rules[] are warnings */
};

/* The lint rules GUARD_ALLOW_WILDCARD turns into warnings, NULL-terminated. */
extern const char *const guard_wildcard_rules[];

/*
 * Lints a certificate sipca has just built, in memory, before anything is written:
 * crt as GnuTLS built it and der its encoding (the caller encodes once).
 * Adds findings (warn and above) to rep as
 * "NAME: lint: SEVERITY RULE: MESSAGE [CITATION]", NAME being the
 * certificate's store name, so a batch says which row a finding is for.
 * With GUARD_ALLOW_WILDCARD the findings of guard_wildcard_rules[] are
 * reported as warnings, "(allowed by --allow-wildcard)", and count as
 * such. Returns RESULT_OK to go on: no error-level finding, or
 * GUARD_FORCE set (then *out_forced = 1 when there were errors);
 * RESULT_E_REFUSED when an error-level finding refuses the issuance and
 * GUARD_FORCE is not set, or a fatal one (chain.name_constraints) does,
 * force or not.
 */
enum result guard_issuance(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    const char *name, const struct ca *ca, enum cert_kind kind,
    const char *sip_domain, unsigned flags, int *out_forced,
    struct report *rep);

#endif
