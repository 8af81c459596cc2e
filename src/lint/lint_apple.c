/*
 * lint_apple: Apple, "Requirements for trusted certificates in iOS 13
 * and macOS 10.15" (HT210176). The page names no exception for private
 * CAs, so iOS and macOS softphones apply it to a SIP server's
 * certificate from sipca too.
 */
#include "lint.h"

#define APPLE_CITE "Apple HT210176, Requirements for trusted certificates in iOS 13 and macOS 10.15"

/* 2019-07-01T00:00:00Z: the EKU and 825-day rules apply from here. */
#define APPLE_CUTOFF ((time_t)1561939200)

/*
 * "all TLS server certificates issued after July 1, 2019 (as indicated
 * in the NotBefore field of the certificate) must ... have a validity
 * period of 825 days or fewer".
 */
static void
check_validity_825(const struct lint_cert *c, struct lint_findings *f)
{
	long long days;
	char a[48], b[48];

	if (!c->not_before.ok || !c->not_after.ok || c->not_before.t < APPLE_CUTOFF)
		return;
	if (c->not_after.t - c->not_before.t > (time_t)825 * 86400) {
		days = (long long)(c->not_after.t - c->not_before.t) / 86400;
		lint_report(f, "valid for %lld days (%s to %s), more than 825", days,
		    lint_time_str(&c->not_before, a), lint_time_str(&c->not_after, b));
	}
}

/*
 * "TLS server certificates must present the DNS name of the server in
 * the Subject Alternative Name extension of the certificate. DNS names in
 * the CommonName of a certificate are no longer trusted."
 */
static void
check_san_dns_required(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->sans.n; i++)
		if (c->sans.items[i].type == SAN_DNS)
			return;
	if (c->n_cn > 0)
		lint_report(f, "no DNS name in subjectAltName; the CN '%s' is not trusted",
		    lint_esc(f, c->cns[0].data, c->cns[0].len));
	else
		lint_report(f, "no DNS name in subjectAltName");
}

/*
 * "TLS server certificates must contain an ExtendedKeyUsage (EKU)
 * extension containing the id-kp-serverAuth OID" (NotBefore from
 * 2019-07-01).
 */
static void
check_eku_serverauth(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->not_before.ok && c->not_before.t < APPLE_CUTOFF)
		return;
	if (!c->has_eku)
		lint_report(f, "no extendedKeyUsage extension (id-kp-serverAuth required)");
	else if (!c->eku_server)
		lint_report(f, "extendedKeyUsage lacks id-kp-serverAuth");
}

const struct lint_rule lint_rules_apple[] = {
	{ "apple.validity_825", SEV_ERROR, KINDS_SERVER, PROF_APPLE, 0,
	  "server certificate valid for more than 825 days (NotBefore from 2019-07-01)",
	  APPLE_CITE, check_validity_825 },
	{ "apple.san_dns_required", SEV_ERROR, KINDS_SERVER, PROF_APPLE, 0,
	  "server certificate without a DNS name in subjectAltName",
	  APPLE_CITE, check_san_dns_required },
	{ "apple.eku_serverauth", SEV_ERROR, KINDS_SERVER, PROF_APPLE, 0,
	  "server certificate without extendedKeyUsage id-kp-serverAuth (NotBefore from 2019-07-01)",
	  APPLE_CITE, check_eku_serverauth },
	{ NULL }
};
