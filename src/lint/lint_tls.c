/*
 * lint_tls: what TLS stacks refuse in a certificate: weak signature
 * hashes, small RSA keys, a keyUsage that forbids signing, an 802.1X
 * peer's certificate that may not authenticate a TLS client.
 */
#include <string.h>

#include "lint.h"

static const struct {
	const char *oid;
	const char *name;
} weak_sigs[] = {
	{ "1.2.840.113549.1.1.2", "md2WithRSAEncryption" },
	{ "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
	{ "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
	{ "1.3.14.3.2.29", "sha1WithRSAEncryption (OIW)" },
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10040.4.3", "dsa-with-sha1" },
};

/*
 * RFC 8446 4.4.2.2: "the signatures on certificates that are self-signed
 * or certificates that are trust anchors are not validated" and 4.2.3
 * keeps SHA-1 only as a legacy certificate signature; MD5 is gone
 * (RFC 6151), and Apple HT210176: "SHA-1 signed certificates are no
 * longer trusted for TLS". Self-signed certificates are skipped.
 */
static void
check_weak_signature(const struct lint_cert *c, struct lint_findings *f)
{
	size_t i;

	if (c->self_issued)
		return;
	for (i = 0; i < sizeof(weak_sigs) / sizeof(weak_sigs[0]); i++)
		if (strcmp(c->sig_oid, weak_sigs[i].oid) == 0)
			lint_report(f, "signed with %s (%s)", weak_sigs[i].name,
			    c->sig_oid);
}

/*
 * Apple HT210176: "TLS server certificates and issuing CAs using RSA
 * keys must use key sizes greater than or equal to 2048 bits."
 */
static void
check_rsa_key_too_small(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->rsa_bits > 0 && c->rsa_bits < 2048)
		lint_report(f, "RSA key is %u bits, under 2048", c->rsa_bits);
}

/*
 * RFC 8446 4.4.2.2: "the digitalSignature bit MUST be set if the Key
 * Usage extension is present".
 */
static void
check_ku_digitalsignature(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->has_ku && !(c->ku & KU_DIGITAL_SIGNATURE))
		lint_report(f, "keyUsage is present without digitalSignature (0x%02x)",
		    c->ku);
}

/*
 * An 802.1X peer is the TLS client of EAP-TLS (RFC 5216 section 2.1.1):
 * RFC 5280 4.2.1.12 says a certificate with extendedKeyUsage "MUST only
 * be used for one of the purposes indicated", and the RADIUS servers
 * check it: Microsoft KB 814394 (NPS) asks the client certificate for
 * the Client Authentication purpose, and OpenSSL-based ones (FreeRADIUS)
 * verify the peer's chain for the sslclient purpose.
 */
static void
check_eap_lacks_clientauth(const struct lint_cert *c, struct lint_findings *f)
{
	if (c->has_eku && !c->eku_client && !c->eku_any)
		lint_report(f, "extendedKeyUsage lacks id-kp-clientAuth: RADIUS servers refuse it as an EAP-TLS peer's certificate");
}

const struct lint_rule lint_rules_tls[] = {
	{ "tls.weak_signature", SEV_ERROR, KINDS_ALL, PROF_TLS, 0,
	  "signed with MD5 or SHA-1 (self-signed certificates excepted)",
	  "RFC 8446 sections 4.2.3, 4.4.2.2; Apple HT210176", check_weak_signature },
	{ "tls.rsa_key_too_small", SEV_ERROR, KINDS_ALL, PROF_TLS, 0,
	  "RSA key under 2048 bits",
	  "Apple HT210176 (Requirements for trusted certificates in iOS 13 and macOS 10.15)",
	  check_rsa_key_too_small },
	{ "tls.ku_digitalsignature", SEV_ERROR, KINDS_LEAF, PROF_TLS, 0,
	  "keyUsage present without digitalSignature",
	  "RFC 8446 section 4.4.2.2", check_ku_digitalsignature },
	{ "tls.eap_lacks_clientauth", SEV_ERROR, KINDS_EAP_TLS, PROF_TLS, 0,
	  "an 802.1X (EAP-TLS) certificate without clientAuth",
	  "RFC 5280 section 4.2.1.12; RFC 5216 section 2.1.1; Microsoft KB 814394",
	  check_eap_lacks_clientauth },
	{ NULL }
};
