/*
 * lint_rfc5922: SIP domain certificates (RFC 5922): which identities a
 * SIP client finds in a server certificate (section 7.1) and how it
 * compares them (7.2). The reading of the RFC is sipid's, the one the
 * probe uses: these rules only say what it found.
 */
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "sipid.h"
#include "util.h"

/*
 * 7.2: "the SIP domain identity ... MUST NOT contain the wildcard
 * character" and wildcard matching is not allowed: any identity with '*'
 * (SAN DNS name, SAN URI, CN) never matches.
 */
static void
check_wildcard(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->sans.n; i++)
		if ((c->sans.items[i].type == SAN_DNS || c->sans.items[i].type == SAN_URI) &&
		    lint_has_wildcard(c->sans.items[i].value, c->sans.items[i].len))
			lint_report(f, "subjectAltName %s '%s' contains '*'",
			    c->sans.items[i].type == SAN_DNS ? "DNS" : "URI",
			    lint_esc(f, c->sans.items[i].value, c->sans.items[i].len));
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
	const struct san_entry *e;
	char host[256];
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		e = &c->sans.items[i];
		if (sipid_uri_kind(e, host, sizeof(host)) == SIPID_SAN_USER)
			lint_report(f, "URI '%s' has a user part, so it is not a domain identity",
			    lint_esc(f, e->value, e->len));
	}
}

/* 7.1: "If the scheme of the URI is not "sip", then the implementation
 * MUST NOT accept the value as a SIP domain identity." (sips too) */
static void
check_san_uri_non_sip_scheme(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *e;
	char host[256];
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		e = &c->sans.items[i];
		switch (sipid_uri_kind(e, host, sizeof(host))) {
		case SIPID_SAN_NO_SCHEME:
			lint_report(f, "URI '%s' has no scheme",
			    lint_esc(f, e->value, e->len));
			break;
		case SIPID_SAN_OTHER_SCHEME:
			lint_report(f, "URI '%s' has scheme '%s', not 'sip'",
			    lint_esc(f, e->value, e->len),
			    lint_esc(f, e->value, strcspn(e->value, ":")));
			break;
		default:
			break;
		}
	}
}

/* The host of the i-th sip: URI that is a domain identity, from i on:
 * its index, or n when there is none. */
static size_t
next_domain_uri(const struct lint_cert *c, size_t i, char host[256])
{
	for (; i < c->sans.n; i++)
		if (sipid_uri_kind(&c->sans.items[i], host, 256) == SIPID_SAN_DOMAIN)
			break;
	return i;
}

/*
 * 7.1: a DNS name is a SIP domain identity "if and only if no other
 * identity is found that matches the "sip" URI type": once a sip: URI is
 * there, clients ignore the DNS names.
 */
static void
check_uri_shadows_dns(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *e;
	char host[256];
	size_t i, j;
	int covered;

	if (sipid_identity_set(&c->sans, c->has_san, c->n_cn) != SIPID_URI)
		return;
	for (i = 0; i < c->sans.n; i++) {
		e = &c->sans.items[i];
		if (e->type != SAN_DNS)
			continue;
		covered = 0;
		for (j = next_domain_uri(c, 0, host); j < c->sans.n && !covered;
		    j = next_domain_uri(c, j + 1, host))
			covered = lint_text_caseeq(e->value, e->len, host);
		if (!covered)
			lint_report(f, "DNS name '%s' is ignored by RFC 5922 clients: a sip: URI is present",
			    lint_esc(f, e->value, e->len));
	}
}

/*
 * 7.1 identity set: sip: URIs without user part; else DNS names; else,
 * only with no subjectAltName at all, the CN. sipid decides, as it does
 * for sipca probe.
 */
static void
check_sip_domain_missing(const struct lint_cert *c, struct lint_findings *f)
{
	struct sipid_name *cns = NULL;
	enum sipid_set set;
	size_t i;

	if (c->n_cn > 0)
		cns = xmalloc(c->n_cn * sizeof(*cns));
	for (i = 0; i < c->n_cn; i++) {
		cns[i].value = c->cns[i].data;
		cns[i].len = c->cns[i].len;
	}
	if (!sipid_match_domain(&c->sans, c->has_san, cns, c->n_cn,
	    c->opts->sip_domain, &set, NULL))
		lint_report(f, "SIP domain '%s' is not among the certificate's RFC 5922 identities (%s)",
		    lint_esc_str(f, c->opts->sip_domain), sipid_set_name(set));
	free(cns);
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
