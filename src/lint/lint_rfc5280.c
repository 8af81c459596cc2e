/*
 * lint_rfc5280: the RFC 5280 profile rules (serial, time encoding,
 * validity order, extensions, basicConstraints, keyUsage, key
 * identifiers).
 */
#include <stdio.h>
#include <string.h>

#include "lint.h"
#include "util.h"

/*
 * 4.1.2.2: "The serial number MUST be a positive integer assigned by the
 * CA to each certificate."
 */
static void
check_serial_not_positive(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;
	int zero = 1;

	if (c->serial_len == 0)
		return;
	for (i = 0; i < c->serial_len && i < sizeof(c->serial); i++)
		if (c->serial[i] != 0)
			zero = 0;
	if (c->serial[0] & 0x80)
		lint_report(f, "serial number is negative (first octet 0x%02x)",
		    c->serial[0]);
	else if (zero)
		lint_report(f, "serial number is zero");
}

/*
 * 4.1.2.2: "Conforming CAs MUST NOT use serialNumber values longer than
 * 20 octets." Counted as the CA/Browser Forum's Baseline Requirements
 * (7.1) and other linters read it: the INTEGER's DER content octets,
 * the sign octet included, so a 20-octet value with its top bit set is
 * 21 octets and too long.
 */
static void
check_serial_too_long(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->serial_len > 20)
		lint_report(f, "serial number is %zu octets (DER content, sign"
		    " octet included), more than 20", c->serial_len);
}

/*
 * 4.1.2.4 and 4.1.2.6 take Name from X.501, where a
 * RelativeDistinguishedName is a SET SIZE (1..MAX): an empty one is not
 * a name component at all, and verifiers compare names differently
 * around it.
 */
static void
check_empty_rdn(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->empty_rdn & LINT_NAME_SUBJECT)
		lint_report(f, "the subject has an empty RelativeDistinguishedName");
	if (c->empty_rdn & LINT_NAME_ISSUER)
		lint_report(f, "the issuer has an empty RelativeDistinguishedName");
}

static int
time_well_formed(const struct lint_time *t)
{
	size_t len = t->raw_len, i, want;

	want = t->type == LINT_TIME_UTC ? 13 : 15;
	if (len != want || t->raw[len - 1] != 'Z')
		return 0;
	for (i = 0; i + 1 < len; i++)
		if (t->raw[i] < '0' || t->raw[i] > '9')
			return 0;
	return 1;
}

static void
time_encoding_one(const struct lint_time *t, const char *which,
    struct lint_findings *f)
{
	struct tm tm;
	int year;

	if (t->type == LINT_TIME_NONE)
		return;
	if (!time_well_formed(t)) {
		lint_report(f, "%s '%s' is not %s", which, lint_esc(f, t->raw, t->raw_len),
		    t->type == LINT_TIME_UTC ? "YYMMDDHHMMSSZ" : "YYYYMMDDHHMMSSZ");
		return;
	}
	if (!t->ok || gmtime_r(&t->t, &tm) == NULL)
		return;
	year = tm.tm_year + 1900;
	if (t->type == LINT_TIME_GEN && year <= 2049)
		lint_report(f, "%s '%s' is GeneralizedTime for %d, which must be UTCTime",
		    which, t->text, year);
}

/*
 * 4.1.2.5: "CAs conforming to this profile MUST always encode certificate
 * validity dates through the year 2049 as UTCTime; certificate validity
 * dates in 2050 or later MUST be encoded as GeneralizedTime."
 * 4.1.2.5.1 and 4.1.2.5.2: Zulu, seconds included, no fractions.
 */
static void
check_time_encoding(const struct lint_cert *c, struct lint_findings *f)
{
	time_encoding_one(&c->not_before, "notBefore", f);
	time_encoding_one(&c->not_after, "notAfter", f);
}

/*
 * 4.1.2.5: "The validity period for a certificate is the period of time
 * from notBefore through notAfter, inclusive." A notAfter before
 * notBefore leaves no period at all.
 */
static void
check_validity_inverted(const struct lint_cert *c, struct lint_findings *f)
{
	char a[48], b[48];

	if (c->not_before.ok && c->not_after.ok && c->not_after.t < c->not_before.t)
		lint_report(f, "notAfter %s is before notBefore %s",
		    lint_time_str(&c->not_after, a), lint_time_str(&c->not_before, b));
}

/* 4.2: "A certificate MUST NOT include more than one instance of a
 * particular extension." */
static void
check_duplicate_extension(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i, j;

	for (i = 1; i < c->n_ext; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(c->exts[i].oid, c->exts[j].oid) == 0)
				break;
		if (j < i)
			lint_report(f, "extension %s appears more than once",
			    c->exts[i].oid);
	}
}

/* The extensions RFC 5280 section 4.2 defines. */
static const char *const known_extensions[] = {
	"2.5.29.35", "2.5.29.14", "2.5.29.15", "2.5.29.32", "2.5.29.33",
	"2.5.29.17", "2.5.29.18", "2.5.29.9", "2.5.29.19", "2.5.29.30",
	"2.5.29.36", "2.5.29.37", "2.5.29.31", "2.5.29.54", "2.5.29.46",
	"1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.1.11",
};

/*
 * 4.2: "A certificate-using system MUST reject the certificate if it
 * encounters a critical extension it does not recognize or a critical
 * extension that contains information that it cannot process."
 */
static void
check_unknown_critical(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i, k;

	for (i = 0; i < c->n_ext; i++) {
		if (!c->exts[i].critical)
			continue;
		for (k = 0; k < sizeof(known_extensions) / sizeof(known_extensions[0]); k++)
			if (strcmp(c->exts[i].oid, known_extensions[k]) == 0)
				break;
		if (k == sizeof(known_extensions) / sizeof(known_extensions[0]))
			lint_report(f, "critical extension %s is not one RFC 5280 defines",
			    c->exts[i].oid);
		else if (c->exts[i].malformed[0] != '\0')
			lint_report(f, "critical extension %s cannot be processed: %s",
			    c->exts[i].oid, c->exts[i].malformed);
	}
}

/*
 * 4.1: "extnValue ... contains the DER encoding of an ASN.1 value
 * corresponding to the extension type identified by extnID", and the
 * Extension around it is DER as the whole certificate is (4.1.1.3).
 */
static void
check_extension_malformed(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < c->n_ext; i++) {
		if (c->exts[i].malformed[0] != '\0')
			lint_report(f, "extension %s does not decode: %s",
			    c->exts[i].oid, c->exts[i].malformed);
		else if (c->exts[i].not_der[0] != '\0')
			lint_report(f, "extension %s is BER, not DER: %s",
			    c->exts[i].oid, c->exts[i].not_der);
	}
}

/*
 * 4.2.1.9: "Conforming CAs MUST include this extension in all CA
 * certificates that contain public keys used to validate digital
 * signatures on certificates and MUST mark the extension as critical in
 * such certificates."
 */
static void
check_ca_basic_constraints(const struct lint_cert *c, struct lint_findings *f)
{
	if (!c->has_bc)
		lint_report(f, "CA certificate has no basicConstraints");
	else if (!c->bc_ca)
		lint_report(f, "CA certificate's basicConstraints has cA false");
	else if (!c->bc_critical)
		lint_report(f, "CA certificate's basicConstraints is not critical");
}

/* 4.2.1.3: "If the keyCertSign bit is asserted, then the cA bit in the
 * basic constraints extension (Section 4.2.1.9) MUST also be asserted." */
static void
check_keycertsign_not_ca(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->has_ku && (c->ku & KU_KEY_CERT_SIGN) && !(c->has_bc && c->bc_ca))
		lint_report(f, "keyUsage has keyCertSign but basicConstraints cA is not true");
}

/*
 * 4.2.1.1: "The keyIdentifier field of the authorityKeyIdentifier
 * extension MUST be included in all certificates generated by conforming
 * CAs ... where a CA distributes its public key in the form of a
 * "self-signed" certificate, the authority key identifier MAY be
 * omitted."
 */
static void
check_aki_missing(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->self_issued)
		return;
	if (!c->has_aki)
		lint_report(f, "no authorityKeyIdentifier in a certificate that is not self-issued");
	else if (!c->aki_keyid)
		lint_report(f, "authorityKeyIdentifier has no keyIdentifier");
}

/*
 * 4.2.1.2: "this extension MUST appear in all conforming CA
 * certificates"; for end entity certificates it "SHOULD be included".
 */
static void
check_ski_missing(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->has_ski)
		return;
	if (c->kind == KIND_CA)
		lint_report(f, "CA certificate has no subjectKeyIdentifier");
	else
		lint_report_sev(f, SEV_NOTICE, "no subjectKeyIdentifier");
}

const struct lint_rule lint_rules_rfc5280[] = {
	{ "rfc5280.serial_not_positive", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "serial number is zero or negative",
	  "RFC 5280 section 4.1.2.2", check_serial_not_positive },
	{ "rfc5280.serial_too_long", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "serial number is longer than 20 octets (DER content octets, sign octet included)",
	  "RFC 5280 section 4.1.2.2; CA/Browser Forum BR 7.1", check_serial_too_long },
	{ "rfc5280.name_empty_rdn", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a subject or issuer name with an empty RelativeDistinguishedName",
	  "RFC 5280 sections 4.1.2.4, 4.1.2.6; X.501 RelativeDistinguishedName SIZE (1..MAX)",
	  check_empty_rdn },
	{ "rfc5280.time_encoding", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "validity time not UTCTime through 2049, GeneralizedTime from 2050, Zulu with seconds",
	  "RFC 5280 sections 4.1.2.5, 4.1.2.5.1, 4.1.2.5.2", check_time_encoding },
	{ "rfc5280.validity_inverted", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "notAfter is before notBefore",
	  "RFC 5280 section 4.1.2.5", check_validity_inverted },
	{ "rfc5280.duplicate_extension", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "an extension appears more than once",
	  "RFC 5280 section 4.2", check_duplicate_extension },
	{ "rfc5280.unknown_critical_extension", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a critical extension that relying parties must reject",
	  "RFC 5280 section 4.2", check_unknown_critical },
	{ "rfc5280.extension_malformed", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "an extension value is not the DER of its type",
	  "RFC 5280 section 4.1; X.690 sections 10, 11", check_extension_malformed },
	{ "rfc5280.ca_basic_constraints", SEV_ERROR, KINDS_CA, PROF_RFC5280, 0,
	  "CA certificate without critical basicConstraints cA true",
	  "RFC 5280 section 4.2.1.9", check_ca_basic_constraints },
	{ "rfc5280.keycertsign_not_ca", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "keyCertSign without basicConstraints cA true",
	  "RFC 5280 section 4.2.1.3", check_keycertsign_not_ca },
	{ "rfc5280.aki_missing", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "not self-issued and no authorityKeyIdentifier keyIdentifier",
	  "RFC 5280 section 4.2.1.1", check_aki_missing },
	{ "rfc5280.ski_missing", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "no subjectKeyIdentifier (error on a CA, notice on a leaf)",
	  "RFC 5280 section 4.2.1.2", check_ski_missing },
	{ NULL }
};
