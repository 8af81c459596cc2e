/*
 * lint_rfc5922: SIP domain certificates (RFC 5922): which identities a
 * SIP client finds in a server certificate (section 7.1) and how it
 * compares them (7.2).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lint.h"
#include "sipid.h"

/*
 * A URI read as a string: only a clean one (no NUL, nothing above 0x7F),
 * since "sip:example.com\0.evil.com" read up to its NUL would be the
 * domain. The others are findings of rfc5280.san_nul / san_not_ia5 and
 * are no identity at all.
 */
static int
uri_split(const struct lint_san *s, char scheme[16], int *user, char *host,
    size_t hsize)
{
	return s->type == SAN_URI && s->clean &&
	    sipid_uri_split(s->value, scheme, 16, user, host, hsize) == 0 ? 0 : -1;
}

static int
is_sip_domain_uri(const struct lint_san *s, char *host, size_t hsize)
{
	char scheme[16];
	int user;

	if (uri_split(s, scheme, &user, host, hsize) != 0)
		return 0;
	return strcasecmp(scheme, "sip") == 0 && !user;
}

/*
 * 7.2: "the SIP domain identity ... MUST NOT contain the wildcard
 * character" and wildcard matching is not allowed: any identity with '*'
 * (SAN DNS name, SAN URI, CN) never matches.
 */
static void
check_wildcard(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->n_san; i++)
		if ((c->sans[i].type == SAN_DNS || c->sans[i].type == SAN_URI) &&
		    lint_has_wildcard(c->sans[i].value, c->sans[i].len))
			lint_report(f, "subjectAltName %s '%s' contains '*'",
			    c->sans[i].type == SAN_DNS ? "DNS" : "URI",
			    lint_esc(f, c->sans[i].value, c->sans[i].len));
	for (i = 0; i < c->n_cn; i++)
		if (lint_has_wildcard(c->cns[i].data, c->cns[i].len))
			lint_report(f, "CN '%s' contains '*'",
			    lint_esc(f, c->cns[i].data, c->cns[i].len));
}

/*
 * 7.1: "If and only if the subjectAltName does not appear in the
 * certificate, the implementation MAY examine the CN field" -- for
 * backward compatibility only; new certificates use the SAN.
 */
static void
check_cn_only(const struct lint_cert *c, struct lint_findings *f)
{
	if (!c->has_san && c->n_cn > 0)
		lint_report(f, "no subjectAltName; the identity '%s' is only in the CN",
		    lint_esc(f, c->cns[0].data, c->cns[0].len));
}

/*
 * 7.1: a "sip" URI that "contains a user part ('user@' form)" MUST NOT
 * be accepted as a SIP domain identity.
 */
static void
check_san_uri_user_part(const struct lint_cert *c, struct lint_findings *f)
{
	char scheme[16], host[256];
	size_t i;
	int user;

	for (i = 0; i < c->n_san; i++)
		if (uri_split(&c->sans[i], scheme, &user, host, sizeof(host)) == 0 &&
		    strcasecmp(scheme, "sip") == 0 && user)
			lint_report(f, "URI '%s' has a user part, so it is not a domain identity",
			    lint_esc(f, c->sans[i].value, c->sans[i].len));
}

/* 7.1: "If the scheme of the URI is not "sip", then the implementation
 * MUST NOT accept the value as a SIP domain identity." (sips too) */
static void
check_san_uri_non_sip_scheme(const struct lint_cert *c, struct lint_findings *f)
{
	char scheme[16], host[256];
	size_t i;
	int user;

	for (i = 0; i < c->n_san; i++) {
		if (c->sans[i].type != SAN_URI || !c->sans[i].clean)
			continue;
		if (uri_split(&c->sans[i], scheme, &user, host, sizeof(host)) != 0)
			lint_report(f, "URI '%s' has no scheme",
			    lint_esc(f, c->sans[i].value, c->sans[i].len));
		else if (strcasecmp(scheme, "sip") != 0)
			lint_report(f, "URI '%s' has scheme '%s', not 'sip'",
			    lint_esc(f, c->sans[i].value, c->sans[i].len),
			    lint_esc_str(f, scheme));
	}
}

/*
 * 7.1: a DNS name is a SIP domain identity "if and only if no other
 * identity is found that matches the "sip" URI type": once a sip: URI is
 * there, clients ignore the DNS names.
 */
static void
check_uri_shadows_dns(const struct lint_cert *c, struct lint_findings *f)
{
	char host[256];
	size_t i, j;
	int have_uri = 0, covered;

	for (i = 0; i < c->n_san; i++)
		if (is_sip_domain_uri(&c->sans[i], host, sizeof(host)))
			have_uri = 1;
	if (!have_uri)
		return;
	for (i = 0; i < c->n_san; i++) {
		if (c->sans[i].type != SAN_DNS)
			continue;
		covered = 0;
		for (j = 0; j < c->n_san; j++)
			if (is_sip_domain_uri(&c->sans[j], host, sizeof(host)) &&
			    lint_text_caseeq(c->sans[i].value, c->sans[i].len, host))
				covered = 1;
		if (!covered)
			lint_report(f, "DNS name '%s' is ignored by RFC 5922 clients: a sip: URI is present",
			    lint_esc(f, c->sans[i].value, c->sans[i].len));
	}
}

/*
 * 7.1 identity set: sip: URIs without user part; else DNS names; else,
 * only with no subjectAltName at all, the CN.
 */
static void
check_sip_domain_missing(const struct lint_cert *c, struct lint_findings *f)
{
	const char *d = c->opts->sip_domain;
	char host[256];
	size_t i;
	int have_uri = 0;

	for (i = 0; i < c->n_san; i++)
		if (is_sip_domain_uri(&c->sans[i], host, sizeof(host))) {
			have_uri = 1;
			if (strcasecmp(host, d) == 0)
				return;
		}
	/* length-counted: "example.com\0.evil.com" is not example.com */
	if (!have_uri)
		for (i = 0; i < c->n_san; i++)
			if (c->sans[i].type == SAN_DNS &&
			    lint_text_caseeq(c->sans[i].value, c->sans[i].len, d))
				return;
	if (!c->has_san)
		for (i = 0; i < c->n_cn; i++)
			if (lint_text_caseeq(c->cns[i].data, c->cns[i].len, d))
				return;
	lint_report(f, "SIP domain '%s' is not among the certificate's RFC 5922 identities (%s)",
	    lint_esc_str(f, d), have_uri ? "sip: URIs" : c->has_san ? "DNS names" : "CN");
}

const struct lint_rule lint_rules_rfc5922[] = {
	{ "rfc5922.wildcard", SEV_ERROR, KINDS_LEAF, PROF_RFC5922, 0,
	  "an identity contains the wildcard '*'",
	  "RFC 5922 section 7.2", check_wildcard },
	{ "rfc5922.cn_only", SEV_WARN, KINDS_SERVER, PROF_RFC5922, 0,
	  "no subjectAltName: the identity is only in the CN",
	  "RFC 5922 section 7.1", check_cn_only },
	{ "rfc5922.san_uri_user_part", SEV_WARN, KINDS_SERVER, PROF_RFC5922, 0,
	  "a server certificate's sip:user@host URI is not a domain identity",
	  "RFC 5922 section 7.1", check_san_uri_user_part },
	{ "rfc5922.san_uri_non_sip_scheme", SEV_NOTICE, KINDS_LEAF, PROF_RFC5922, 0,
	  "a subjectAltName URI whose scheme is not sip (sips included)",
	  "RFC 5922 section 7.1", check_san_uri_non_sip_scheme },
	{ "rfc5922.uri_shadows_dns", SEV_NOTICE, KINDS_SERVER, PROF_RFC5922, 0,
	  "a sip: URI is present, so RFC 5922 clients ignore the DNS names",
	  "RFC 5922 section 7.1", check_uri_shadows_dns },
	{ "rfc5922.sip_domain_missing", SEV_ERROR, KINDS_SERVER, PROF_RFC5922,
	  NEED_SIP_DOMAIN,
	  "the --sip-domain is not in the certificate's RFC 5922 identity set",
	  "RFC 5922 section 7.1", check_sip_domain_missing },
	{ NULL }
};
