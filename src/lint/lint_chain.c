/*
 * lint_chain: the certificate against the CAs given with --ca (or the
 * issuing CA in the issuance guard). The signature is checked over the
 * raw tbsCertificate, so this works on certificates GnuTLS refuses.
 */
#include <stdint.h>
#include <string.h>

#include "lint.h"

static int
name_matches(const struct lint_cert *c, const struct lint_ca *ca)
{
	if (ca->subject.data != NULL && ca->subject.size == c->issuer_len &&
	    memcmp(ca->subject.data, c->issuer, c->issuer_len) == 0)
		return 1;
	/* RFC 5280 7.1 name comparison beyond identical octets */
	return c->crt != NULL && gnutls_x509_crt_check_issuer(c->crt, ca->crt) == 1;
}

static int
signed_by(const struct lint_cert *c, const struct lint_ca *ca)
{
	gnutls_datum_t tbs, sig;
	gnutls_sign_algorithm_t algo;
	unsigned status = 0;
	const unsigned flags = GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
	    GNUTLS_VERIFY_ALLOW_BROKEN;

	if (!name_matches(c, ca) || c->tbs == NULL || c->sig == NULL)
		return 0;
	if (ca->signed_by_us)
		return 1;
	algo = gnutls_oid_to_sign(c->sig_oid);
	if (algo != GNUTLS_SIGN_UNKNOWN && ca->pubkey != NULL) {
		tbs.data = (unsigned char *)(uintptr_t)c->tbs;
		tbs.size = (unsigned)c->tbs_len;
		sig.data = (unsigned char *)(uintptr_t)c->sig;
		sig.size = (unsigned)c->sig_len;
		return gnutls_pubkey_verify_data2(ca->pubkey, algo, flags, &tbs,
		    &sig) >= 0;
	}
	/* RSA-PSS and the like carry parameters: let GnuTLS read them. */
	if (c->crt == NULL)
		return 0;
	if (gnutls_x509_crt_verify(c->crt, &ca->crt, 1, flags |
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_CA_SIGN, &status) < 0)
		return 0;
	return (status & (GNUTLS_CERT_SIGNATURE_FAILURE | GNUTLS_CERT_SIGNER_NOT_FOUND)) == 0;
}

const struct lint_ca *
lint_chain_signer(const struct lint_cert *c)
{
	size_t i;

	for (i = 0; i < c->opts->n_ca; i++)
		if (signed_by(c, &c->opts->cas[i]))
			return &c->opts->cas[i];
	return NULL;
}

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
