/*
 * lint_chain: the certificate against the CAs given with --ca (or the
 * issuing CA in the issuance guard). Which of them signed it is found
 * once at decode time (lint_ca.c); the rules read c->signer.
 */
#include <stddef.h>

#include "lint.h"

/* RFC 5280 6.1.3 (a)(1) and (a)(4): the signature verifies with the
 * working public key and the issuer is the working issuer name. */
static void
check_issuer_mismatch(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->signer == NULL)
		lint_report(f, "not signed by any --ca certificate (issuer name and signature checked)");
}

/* RFC 5280 6.1.4 (k): the issuing certificate must be a CA
 * (basicConstraints cA true). */
static void
check_ca_not_ca(const struct lint_cert *c, struct lint_findings *f)
{
	const struct lint_ca *ca = c->signer;

	if (ca != NULL && !ca->is_ca && ca->crt != NULL)
		lint_report(f, "signed by %s, which is not a CA (no basicConstraints cA true)",
		    lint_esc_str(f, ca->label));
}

const struct lint_rule lint_rules_chain[] = {
	{ "chain.issuer_mismatch", SEV_ERROR, KINDS_ALL, PROF_CHAIN, NEED_CA,
	  "not signed by any CA given with --ca",
	  "RFC 5280 section 6.1.3", check_issuer_mismatch },
	{ "chain.ca_not_ca", SEV_ERROR, KINDS_ALL, PROF_CHAIN, NEED_CA,
	  "signed by a --ca certificate that is not a CA",
	  "RFC 5280 sections 4.2.1.9, 6.1.4", check_ca_not_ca },
	{ NULL }
};
