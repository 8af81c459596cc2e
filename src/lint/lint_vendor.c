/*
 * lint_vendor: what particular phones and call managers reject: Poly
 * (Polycom) UC Software, Snom, Cisco Unified Communications Manager.
 */
#include <string.h>

#include "lint.h"
#include "san.h"

#define POLY_CITE "Poly UC Software 5.9.0 Administrator Guide, Create a Certificate Signing Request"
#define SNOM_CITE "Snom Service wiki, check_fqdn_against_server_cert"
#define CISCO_CITE "Cisco Unified Communications Manager Security Guide, Release 15, Certificates"

/* Poly: the Common Name must not contain the wildcard '*'. */
static void
check_polycom_wildcard_cn(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->n_cn; i++)
		if (lint_has_wildcard(c->cns[i].data, c->cns[i].len))
			lint_report(f, "CN '%s' contains '*', which Poly phones do not support",
			    lint_esc(f, c->cns[i].data, c->cns[i].len));
}

/* Poly: no wildcard names in the subjectAltName either. */
static void
check_polycom_wildcard_san(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->sans.n; i++)
		if (c->sans.items[i].type == SAN_DNS &&
		    lint_has_wildcard(c->sans.items[i].value, c->sans.items[i].len))
			lint_report(f, "subjectAltName DNS '%s' contains '*'",
			    lint_esc(f, c->sans.items[i].value, c->sans.items[i].len));
}

/* Poly: one CN; several names go in the subjectAltName. */
static void
check_polycom_multiple_cn(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->n_cn > 1)
		lint_report(f, "%zu CNs ('%s', '%s'%s); put further names in the subjectAltName",
		    c->n_cn, lint_esc(f, c->cns[0].data, c->cns[0].len),
		    lint_esc(f, c->cns[1].data, c->cns[1].len), c->n_cn > 2 ? ", ..." : "");
}

/* Poly's documented default: an RSA 2048 key signed with SHA-256. */
static void
check_polycom_key_baseline(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->rsa_bits == 2048 && strcmp(c->sig_oid, OID_SHA256_RSA) == 0)
		return;
	if (c->rsa_bits > 0)
		lint_report(f, "RSA %u-bit key signed with %s: not Poly's RSA 2048 with sha256WithRSAEncryption",
		    c->rsa_bits, lint_oid_name(c->sig_oid));
	else
		lint_report(f, "%s key signed with %s: not Poly's RSA 2048 with sha256WithRSAEncryption",
		    lint_oid_name(c->spki_oid), lint_oid_name(c->sig_oid));
}

/*
 * Snom check_fqdn_against_server_cert: "If the server has been entered
 * in the phone settings as an IP address, this check will only accept
 * the connection if the IP address is present in the IP field of the
 * SAN. The certificate Common Name and DNS fields of the SAN will in this
 * case be ignored."
 */
static void
check_snom_ip_not_in_san(const struct lint_cert *c, struct lint_findings *f)
{
	unsigned char a[16], b[16];
	size_t i, j, alen;
	int found;

	for (i = 0; i < c->n_cn; i++) {
		if ((alen = san_ip_from_text(c->cns[i].data, c->cns[i].len, a)) == 0)
			continue;
		found = 0;
		/* compared as octets: san_list holds an iPAddress as its text */
		for (j = 0; j < c->sans.n; j++)
			if (c->sans.items[j].type == SAN_IP &&
			    c->sans.items[j].problem == NULL &&
			    san_ip_from_text(c->sans.items[j].value, c->sans.items[j].len,
			    b) == alen && memcmp(a, b, alen) == 0)
				found = 1;
		if (!found)
			lint_report(f, "CN '%s' is an IP address missing from the subjectAltName iPAddress entries",
			    lint_esc(f, c->cns[i].data, c->cns[i].len));
	}
}

/*
 * CUCM Security Guide: "Unified Communications Manager does not support
 * certificates with wildcard entry. For example, "*.cisco.com"."
 */
static void
check_cisco_wildcard(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->n_cn; i++)
		if (lint_has_wildcard(c->cns[i].data, c->cns[i].len))
			lint_report(f, "CN '%s' is a wildcard, which CUCM does not support",
			    lint_esc(f, c->cns[i].data, c->cns[i].len));
	for (i = 0; i < c->sans.n; i++)
		if ((c->sans.items[i].type == SAN_DNS || c->sans.items[i].type == SAN_URI) &&
		    lint_has_wildcard(c->sans.items[i].value, c->sans.items[i].len))
			lint_report(f, "subjectAltName '%s' is a wildcard, which CUCM does not support",
			    lint_esc(f, c->sans.items[i].value, c->sans.items[i].len));
}

/* CUCM Security Guide: "The maximum size of certificate supported for
 * DER or PEM is 4096 bits." */
static void
check_cisco_key_too_large(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->rsa_bits > 4096)
		lint_report(f, "RSA key is %u bits; CUCM supports at most 4096", c->rsa_bits);
}

const struct lint_rule lint_rules_vendor[] = {
	{ "polycom.wildcard_cn", SEV_ERROR, KINDS_LEAF, PROF_POLYCOM, 0,
	  "wildcard '*' in the Common Name", POLY_CITE, check_polycom_wildcard_cn },
	{ "polycom.wildcard_san", SEV_ERROR, KINDS_LEAF, PROF_POLYCOM, 0,
	  "wildcard '*' in a subjectAltName DNS name", POLY_CITE,
	  check_polycom_wildcard_san },
	{ "polycom.multiple_cn", SEV_WARN, KINDS_LEAF, PROF_POLYCOM, 0,
	  "more than one Common Name", POLY_CITE, check_polycom_multiple_cn },
	{ "polycom.key_baseline", SEV_NOTICE, KINDS_LEAF, PROF_POLYCOM, 0,
	  "not RSA 2048 with sha256WithRSAEncryption, Poly's documented default",
	  POLY_CITE, check_polycom_key_baseline },
	{ "snom.ip_not_in_san", SEV_ERROR, KINDS_SERVER, PROF_SNOM, 0,
	  "an IP address as CN but not as a subjectAltName iPAddress", SNOM_CITE,
	  check_snom_ip_not_in_san },
	{ "cisco.wildcard", SEV_ERROR, KINDS_LEAF, PROF_CISCO, 0,
	  "wildcard name, which CUCM does not support", CISCO_CITE,
	  check_cisco_wildcard },
	{ "cisco.key_too_large", SEV_ERROR, KINDS_ALL, PROF_CISCO, 0,
	  "RSA key over 4096 bits", CISCO_CITE, check_cisco_key_too_large },
	{ NULL }
};
