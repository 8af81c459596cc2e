/*
 * lint_validity: the validity period against "now" (sipca_now(), so
 * tests set the clock), against the issuer's (with --ca), and the
 * year-2038 limit of 32-bit phones.
 */
#include <string.h>

#include "x509.h"
#include "lint.h"
#include "util.h"

#define VALIDITY_CITE "RFC 5280 sections 4.1.2.5, 6.1.3"

/* RFC 5280 6.1.3 (a)(2): path validation checks "The certificate
 * validity period includes the current time." */
static void
check_expired(const struct lint_cert *c, struct lint_findings *f)
{
	char b[48];

	if (c->not_after.ok && c->opts->now > c->not_after.t)
		lint_report(f, "expired at notAfter %s", lint_time_str(&c->not_after, b));
}

static void
check_not_yet_valid(const struct lint_cert *c, struct lint_findings *f)
{
	char b[48];

	if (c->not_before.ok && c->opts->now < c->not_before.t)
		lint_report(f, "not valid before notBefore %s",
		    lint_time_str(&c->not_before, b));
}

/* Renew before phones start refusing it (--expiry-warn DAYS). */
static void
check_expires_soon(const struct lint_cert *c, struct lint_findings *f)
{
	time_t left;
	char b[48];

	if (!c->not_after.ok || c->opts->now > c->not_after.t)
		return;
	left = c->not_after.t - c->opts->now;
	if (left < (time_t)c->opts->expiry_warn_days * 86400)
		lint_report(f, "expires in %lld day%s (notAfter %s), within %ld",
		    (long long)(left / 86400), plural(left / 86400),
		    lint_time_str(&c->not_after, b), c->opts->expiry_warn_days);
}

/* The --ca certificate that issued c: the one that signed it, else by name. */
static const struct lint_ca *
issuer_of(const struct lint_cert *c)
{
	const struct lint_ca *ca;
	size_t i;

	if (c->signer != NULL)
		return c->signer;
	for (i = 0; i < c->opts->n_ca; i++) {
		ca = &c->opts->cas[i];
		if (ca->is_ca && ca->subject.size == c->issuer_len &&
		    memcmp(ca->subject.data, c->issuer, c->issuer_len) == 0)
			return ca;
	}
	return NULL;
}

/*
 * Path validation checks every certificate of the path against the
 * current time (RFC 5280 6.1.3 (a)(2)), so a leaf stops verifying when
 * its issuer expires, whatever its own notAfter says; Windows checks the
 * nesting itself (CertVerifyValidityNesting), and sipca caps what it
 * issues to the CA's notAfter.
 */
static void
check_outlives_issuer(const struct lint_cert *c, struct lint_findings *f)
{
	const struct lint_ca *ca;
	time_t ca_end;
	char b[48], e[21];

	if (!c->not_after.ok || c->issuer == NULL || (ca = issuer_of(c)) == NULL ||
	    ca->crt == NULL)
		return;
	ca_end = gnutls_x509_crt_get_expiration_time(ca->crt);
	if (ca_end == (time_t)-1 || c->not_after.t <= ca_end)
		return;
	format_time_rfc3339(ca_end, e);
	lint_report(f, "notAfter %s is after %s's notAfter %s: it stops verifying"
	    " when its issuer does", lint_time_str(&c->not_after, b),
	    lint_esc_str(f, ca->label), e);
}

/*
 * A signed 32-bit time_t ends at 2038-01-19T03:14:07Z; phones with one
 * cannot represent a later notAfter and reject or misread the
 * certificate.
 */
static void
check_y2038(const struct lint_cert *c, struct lint_findings *f)
{
	char b[48];

	if (c->not_after.ok && c->not_after.t > Y2038_LIMIT)
		lint_report(f, "notAfter %s is after 2038-01-19T03:14:07Z",
		    lint_time_str(&c->not_after, b));
}

const struct lint_rule lint_rules_validity[] = {
	{ "validity.expired", SEV_ERROR, KINDS_ALL, PROF_VALIDITY, 0,
	  "notAfter is in the past", VALIDITY_CITE, check_expired },
	{ "validity.not_yet_valid", SEV_ERROR, KINDS_ALL, PROF_VALIDITY, 0,
	  "notBefore is in the future", VALIDITY_CITE, check_not_yet_valid },
	{ "validity.expires_soon", SEV_WARN, KINDS_ALL, PROF_VALIDITY, 0,
	  "notAfter within --expiry-warn days (30 by default)", VALIDITY_CITE,
	  check_expires_soon },
	{ "validity.outlives_issuer", SEV_WARN, KINDS_LEAF, PROF_VALIDITY, NEED_CA,
	  "notAfter later than the issuing --ca certificate's",
	  "RFC 5280 section 6.1.3 (a)(2); Microsoft CryptoAPI CertVerifyValidityNesting",
	  check_outlives_issuer },
	{ "y2038.notafter", SEV_WARN, KINDS_ALL, PROF_Y2038, 0,
	  "notAfter after 2038-01-19T03:14:07Z, beyond a 32-bit time_t",
	  "IEEE Std 1003.1 (POSIX) time_t; RFC 5280 section 4.1.2.5", check_y2038 },
	{ NULL }
};
