/*
 * lint_validity: the validity period against "now" (sipca_now(), so
 * tests set the clock), and the year-2038 limit of 32-bit phones.
 */
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
	{ "y2038.notafter", SEV_WARN, KINDS_ALL, PROF_Y2038, 0,
	  "notAfter after 2038-01-19T03:14:07Z, beyond a 32-bit time_t",
	  "IEEE Std 1003.1 (POSIX) time_t; RFC 5280 section 4.1.2.5", check_y2038 },
	{ NULL }
};
