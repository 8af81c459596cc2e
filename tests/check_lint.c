/*
 * check_lint: the lint rules. Certificates are built with GnuTLS at run
 * time (tests/lintcert.c), one variation per table row, and each row says
 * which rule must fire (or must not). The engine, the decoder's answers
 * to broken DER and the input reader are in check_lint_engine.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lint.h"
#include "lintcert.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct row {
	const char *name;
	struct spec spec;
	int role;			/* -1: detect */
	const char *domain;
	int with_ca;
	const char *rule;		/* must fire; NULL: no error at all */
	const char *absent;		/* must not fire */
};

static const struct row rows[] = {
	{ "sipca server is clean", { SIPCA_SERVER }, -1, "example.com", 1, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "sipca device is clean", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE,
	  .eku_client = 1, .cns = { "alice" }, .sans = { "URI:sip:alice@example.com" } },
	  -1, NULL, 1, NULL, "rfc5922.san_uri_user_part" },
	{ "sipca CA is clean", { .ca = 1, .ku = GNUTLS_KEY_KEY_CERT_SIGN |
	  GNUTLS_KEY_CRL_SIGN, .cns = { "CA" }, .self_signed = 1, .days = 3650 },
	  -1, NULL, 0, NULL, "rfc5280.aki_missing" },
	{ "server shadows DNS names", { SIPCA_SERVER }, -1, NULL, 0,
	  "rfc5922.uri_shadows_dns", NULL },
	{ "keyCertSign without cA", { SIPCA_SERVER, .ku = GNUTLS_KEY_KEY_CERT_SIGN |
	  GNUTLS_KEY_DIGITAL_SIGNATURE }, -1, NULL, 0, "rfc5280.keycertsign_not_ca", NULL },
	{ "CA role without basicConstraints", { SIPCA_SERVER }, KIND_CA, NULL, 0,
	  "rfc5280.ca_basic_constraints", NULL },
	{ "no AKI", { SIPCA_SERVER, .no_aki = 1 }, -1, NULL, 0,
	  "rfc5280.aki_missing", NULL },
	{ "self-signed without AKI is fine", { SIPCA_SERVER, .self_signed = 1 }, -1,
	  NULL, 0, NULL, "rfc5280.aki_missing" },
	{ "CA without SKI", { .ca = 1, .ku = GNUTLS_KEY_KEY_CERT_SIGN, .cns = { "CA" },
	  .self_signed = 1, .no_ski = 1 }, -1, NULL, 0, "rfc5280.ski_missing", NULL },
	{ "unknown critical extension", { SIPCA_SERVER, .ext_oid = "1.3.6.1.4.1.99999.1",
	  .ext_critical = 1 }, -1, NULL, 0, "rfc5280.unknown_critical_extension", NULL },
	{ "unknown non-critical extension is fine", { SIPCA_SERVER,
	  .ext_oid = "1.3.6.1.4.1.99999.1" }, -1, NULL, 0, NULL,
	  "rfc5280.unknown_critical_extension" },
	{ "notAfter before notBefore", { SIPCA_SERVER, .days = -2 }, -1, NULL, 0,
	  "rfc5280.validity_inverted", NULL },
	{ "SHA-1 signature", { SIPCA_SERVER, .dig = GNUTLS_DIG_SHA1 }, -1, NULL, 0,
	  "tls.weak_signature", NULL },
	{ "self-signed SHA-1 is not checked", { SIPCA_SERVER, .self_signed = 1,
	  .dig = GNUTLS_DIG_SHA1 }, -1, NULL, 0, NULL, "tls.weak_signature" },
	{ "keyUsage without digitalSignature", { SIPCA_SERVER,
	  .ku = GNUTLS_KEY_KEY_ENCIPHERMENT }, -1, NULL, 0, "tls.ku_digitalsignature", NULL },
	{ "valid 826 days", { SIPCA_SERVER, .days = 826 }, -1, NULL, 0,
	  "apple.validity_825", NULL },
	{ "valid 825 days is fine", { SIPCA_SERVER, .days = 825 }, -1, NULL, 0, NULL,
	  "apple.validity_825" },
	{ "825 days before July 2019 is fine", { SIPCA_SERVER, .days = 1000,
	  .not_before = 1546300800 }, -1, NULL, 0, "validity.expired",
	  "apple.validity_825" },
	{ "no DNS name in the SAN", { SIPCA_SERVER, .sans = { "URI:sip:example.com" } },
	  -1, NULL, 0, "apple.san_dns_required", NULL },
	{ "no serverAuth", { SIPCA_SERVER, .eku_server = 0, .eku_client = 0,
	  .ku = GNUTLS_KEY_DIGITAL_SIGNATURE }, -1, NULL, 0, "apple.eku_serverauth", NULL },
	{ "wildcard DNS", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1, NULL, 0,
	  "rfc5922.wildcard", NULL },
	{ "wildcard CN for Poly", { SIPCA_SERVER, .cns = { "*.example.com" } }, -1, NULL,
	  0, "polycom.wildcard_cn", NULL },
	{ "wildcard SAN for Poly", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1,
	  NULL, 0, "polycom.wildcard_san", NULL },
	{ "wildcard for CUCM", { SIPCA_SERVER, .sans = { "DNS:*.example.com" } }, -1,
	  NULL, 0, "cisco.wildcard", NULL },
	{ "two CNs", { SIPCA_SERVER, .cns = { "a.example.com", "b.example.com" } }, -1,
	  NULL, 0, "polycom.multiple_cn", NULL },
	{ "EC key is not Poly's baseline", { SIPCA_SERVER }, -1, NULL, 0,
	  "polycom.key_baseline", NULL },
	{ "CN only", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE, .eku_server = 1,
	  .eku_client = 1, .cns = { "sip.example.com" } }, -1, NULL, 0,
	  "rfc5922.cn_only", NULL },
	{ "server URI with user part", { SIPCA_SERVER, .sans = { "URI:sip:bob@example.com",
	  "DNS:example.com" } }, -1, NULL, 0, "rfc5922.san_uri_user_part", NULL },
	{ "sips URI", { SIPCA_SERVER, .sans = { "URI:sips:example.com", "DNS:example.com" } },
	  -1, NULL, 0, "rfc5922.san_uri_non_sip_scheme", NULL },
	{ "domain not a URI identity", { SIPCA_SERVER }, -1, "other.example", 0,
	  "rfc5922.sip_domain_missing", NULL },
	{ "domain shadowed: DNS ignored once a URI is there", { SIPCA_SERVER }, -1,
	  "sip.example.com", 0, "rfc5922.sip_domain_missing", NULL },
	{ "domain from DNS names without URIs", { SIPCA_SERVER,
	  .sans = { "DNS:example.com" } }, -1, "example.com", 0, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "server without clientAuth", { SIPCA_SERVER, .eku_client = 0 }, -1, NULL, 0,
	  "sip.server_lacks_clientauth", NULL },
	{ "device without clientAuth", { SIPCA_SERVER, .eku_client = 0 }, KIND_DEVICE,
	  NULL, 0, "sip.device_lacks_clientauth", NULL },
	/* The 802.1X profile (issue device MAC --eap-tls): no SIP rule asks for a URI. */
	{ "sipca eap-tls is clean", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE,
	  .eku_client = 1, .cns = { "0004f2a1b2c3" },
	  .sans = { "DNS:0004f2a1b2c3.example.com" } }, KIND_EAP_TLS, NULL, 1, NULL,
	  "tls.eap_lacks_clientauth" },
	{ "eap-tls without clientAuth", { SIPCA_SERVER, .eku_client = 0 },
	  KIND_EAP_TLS, NULL, 0, "tls.eap_lacks_clientauth", NULL },
	{ "eap-tls's rule is not a SIP device's", { SIPCA_SERVER, .eku_client = 0 },
	  KIND_DEVICE, NULL, 0, "sip.device_lacks_clientauth", "tls.eap_lacks_clientauth" },
	{ "expired", { SIPCA_SERVER, .not_before = T_NOW - 100 * DAY, .days = 10 }, -1,
	  NULL, 0, "validity.expired", NULL },
	{ "not yet valid", { SIPCA_SERVER, .not_before = T_NOW + 10 * DAY }, -1, NULL, 0,
	  "validity.not_yet_valid", NULL },
	{ "expires soon", { SIPCA_SERVER, .days = 10 }, -1, NULL, 0,
	  "validity.expires_soon", NULL },
	{ "after 2038", { SIPCA_SERVER, .days = 8000 }, -1, NULL, 0,
	  "y2038.notafter", NULL },
	{ "not signed by the CA", { SIPCA_SERVER, .self_signed = 1 }, -1, NULL, 1,
	  "chain.issuer_mismatch", NULL },
	{ "signed by the CA", { SIPCA_SERVER }, -1, NULL, 1, NULL,
	  "chain.issuer_mismatch" },
	{ "IP CN without SAN IP", { SIPCA_SERVER, .cns = { "192.0.2.1" } }, -1, NULL, 0,
	  "snom.ip_not_in_san", NULL },
	{ "IP CN with SAN IP", { SIPCA_SERVER, .cns = { "192.0.2.1" },
	  .sans = { "DNS:example.com", "IP:192.0.2.1" } }, -1, NULL, 0, NULL,
	  "snom.ip_not_in_san" },
	/* Names as octets (issue 11): a NUL, high bytes, each type's syntax. */
	{ "raw SANs like sipca's are clean", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x82, "sip.example.com") } }, -1, "example.com", 1, NULL,
	  "rfc5922.sip_domain_missing" },
	{ "URI with a NUL is not the SIP domain", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com\0.evil.com"),
	  RAW(0x82, "evil.example") } }, -1, "example.com", 0,
	  "rfc5922.sip_domain_missing", NULL },
	{ "URI with a NUL", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:example.com\0.evil.com"),
	  RAW(0x82, "example.com") } }, -1, NULL, 0, "rfc5280.san_nul",
	  "rfc5280.san_uri_syntax" },
	{ "DNS with a NUL is not the SIP domain", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com\0.evil.com") } }, -1, "example.com", 0,
	  "rfc5922.sip_domain_missing", "rfc5280.san_dns_syntax" },
	{ "DNS with a NUL", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com\0.evil.com") } }, -1, NULL, 0,
	  "rfc5280.san_nul", NULL },
	{ "DNS NUL-prefixed is not the wildcard it hides", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x82, "example.com\0*.evil.com") } },
	  -1, NULL, 0, "rfc5922.wildcard", NULL },
	{ "DNS above 0x7F", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "caf\xc3\xa9.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_not_ia5", "rfc5280.san_dns_syntax" },
	{ "email above 0x7F", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "j\xfcrgen@example.com") } }, -1, NULL, 0, "rfc5280.san_not_ia5",
	  NULL },
	{ "DNS with an underscore", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "sip_proxy.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS with a trailing dot", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com.") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS that is an IP address", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x82, "192.0.2.1") } }, -1, NULL,
	  0, "rfc5280.san_dns_syntax", NULL },
	{ "DNS with a control character", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "a\x1b[2J.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS \" \" (4.2.1.6: MUST NOT)", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x82, " ") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "DNS wildcard is the wildcard rules' finding", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x82, "*.example.com") } }, -1, NULL, 0,
	  "rfc5922.wildcard", "rfc5280.san_dns_syntax" },
	{ "DNS partial wildcard", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x82, "f*o.example.com") } }, -1, NULL, 0,
	  "rfc5280.san_dns_syntax", NULL },
	{ "URI without a scheme", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x86, "example.com") } }, -1, NULL, 0, "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a space", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x86, "sip:exa mple.com") } }, -1, NULL, 0, "rfc5280.san_uri_syntax",
	  NULL },
	{ "sip URI with an empty user", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:@example.com") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with an empty host", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a bad port", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:example.com:50x") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a fragment", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:example.com#x") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "sip URI with a bad escape", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "sip:al%zzce@example.com") } }, -1, NULL,
	  0, "rfc5280.san_uri_syntax", NULL },
	{ "RFC 3261 URIs in full are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x86, "sips:alice%40x@example.com:5061;transport=tls;lr?subject=hi&x=1"),
	  RAW(0x86, "sip:[2001:db8::1]:5060"), RAW(0x86, "sip:+1-555;phone=1@192.0.2.1") } },
	  -1, NULL, 0, NULL, "rfc5280.san_uri_syntax" },
	{ "other URIs are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x86, "http://crl.example.com/ca.crl"),
	  RAW(0x86, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
	  RAW(0x86, "https://user@[2001:db8::1]:8443/a?b#c") } },
	  -1, NULL, 0, NULL, "rfc5280.san_uri_syntax" },
	{ "URI authority without a host", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "http:///ca.crl") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "URI with a bad percent-encoding", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x82, "example.com"), RAW(0x86, "http://a.example/%zz") } }, -1, NULL, 0,
	  "rfc5280.san_uri_syntax", NULL },
	{ "mailboxes are valid", { SIPCA_SERVER, .raw_sans = {
	  RAW(0x86, "sip:example.com"), RAW(0x82, "example.com"),
	  RAW(0x81, "alice.b+sip@example.com"), RAW(0x81, "\"a b\"@example.com"),
	  RAW(0x81, "bob@[192.0.2.1]") } }, -1, NULL, 0, NULL,
	  "rfc5280.san_email_syntax" },
	{ "email with a phrase", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "Alice <alice@example.com>") } }, -1, NULL, 0,
	  "rfc5280.san_email_syntax", NULL },
	{ "email without @", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "alice") } }, -1, NULL, 0, "rfc5280.san_email_syntax", NULL },
	{ "email with two dots", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "a..b@example.com") } }, -1, NULL, 0, "rfc5280.san_email_syntax",
	  NULL },
	{ "email with a NUL", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x81, "a@example.com\0x") } }, -1, NULL, 0, "rfc5280.san_nul",
	  "rfc5280.san_email_syntax" },
	{ "iPAddress of 8 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "\xc0\x00\x02\x00\xff\xff\xff\x00") } }, -1, NULL, 0,
	  "rfc5280.san_ip_length", NULL },
	{ "iPAddress of 0 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "") } }, -1, NULL, 0, "rfc5280.san_ip_length", NULL },
	{ "iPAddress of 16 octets", { SIPCA_SERVER, .raw_sans = { RAW(0x82, "example.com"),
	  RAW(0x87, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01") } }, -1, NULL, 0,
	  NULL, "rfc5280.san_ip_length" },
	{ "IP CN matches the SAN's octets", { SIPCA_SERVER, .cns = { "192.0.2.7" },
	  .raw_sans = { RAW(0x82, "example.com"), RAW(0x87, "\xc0\x00\x02\x07") } }, -1,
	  NULL, 0, NULL, "snom.ip_not_in_san" },
	{ "CN with a NUL", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "example.com\0.evil.com") },
	  -1, NULL, 0, "rfc5280.subject_bad_bytes", NULL },
	{ "CN with a NUL is not the CN identity", { .ku = GNUTLS_KEY_DIGITAL_SIGNATURE,
	  .eku_server = 1, .eku_client = 1, .raw_cn = RAW(0x0c, "example.com\0.evil.com") },
	  -1, "example.com", 0, "rfc5922.sip_domain_missing", NULL },
	/* RFC 5922 7.1 as sipid reads it, the probe's reading: a sip: URI
	 * that names no host is no identity, so the DNS names count. */
	{ "sip: URI without a host leaves the DNS names", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x86, "sip:"), RAW(0x82, "example.com") } },
	  -1, "example.com", 0, "rfc5280.san_uri_syntax", "rfc5922.sip_domain_missing" },
	{ "sip: URI without a host shadows nothing", { SIPCA_SERVER,
	  .sans = { NULL }, .raw_sans = { RAW(0x86, "sip:;transport=tls"),
	  RAW(0x82, "example.com") } }, -1, "example.com", 0, "rfc5280.san_uri_syntax",
	  "rfc5922.uri_shadows_dns" },
	{ "URI with a NUL leaves the DNS names", { SIPCA_SERVER, .sans = { NULL },
	  .raw_sans = { RAW(0x86, "sip:evil.example\0.example.com"),
	  RAW(0x82, "example.com") } }, -1, "example.com", 0, "rfc5280.san_nul",
	  "rfc5922.sip_domain_missing" },
	{ "no subjectAltName: the CN", { SIPCA_SERVER, .sans = { NULL },
	  .cns = { "example.com" } }, -1, "example.com", 0, "rfc5922.cn_only",
	  "rfc5922.sip_domain_missing" },
	{ "CN with ESC", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "a\x1b[31mb") }, -1, NULL, 0,
	  "rfc5280.subject_bad_bytes", NULL },
	{ "CN with a C1 control", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "a\xc2\x9b" "2J") },
	  -1, NULL, 0, "rfc5280.subject_bad_bytes", NULL },
	{ "CN not UTF-8", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "caf\xe9") }, -1, NULL, 0,
	  "rfc5280.subject_bad_bytes", NULL },
	{ "CN UTF-8 is fine", { SIPCA_SERVER, .raw_cn = RAW(0x0c, "M\xc3\xbcller") }, -1,
	  NULL, 0, NULL, "rfc5280.subject_bad_bytes" },
	{ "CN PrintableString with '*'", { SIPCA_SERVER,
	  .raw_cn = RAW(0x13, "*.example.com") }, -1, NULL, 0, "rfc5280.subject_bad_bytes",
	  NULL },
	{ "CN BMPString with a control", { SIPCA_SERVER,
	  .raw_cn = RAW(0x1e, "\0a\0\x1b\0b") }, -1, NULL, 0, "rfc5280.subject_bad_bytes",
	  NULL },
	{ "CN BMPString is fine", { SIPCA_SERVER, .raw_cn = RAW(0x1e, "\0a\0\xfc") }, -1,
	  NULL, 0, NULL, "rfc5280.subject_bad_bytes" },
};

START_TEST(test_row)
{
	const struct row *r = &rows[_i];
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	lintcert_build(&r->spec, &der);
	lintcert_options(&o, r->role, r->domain, r->with_ca);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	if (r->rule != NULL)
		ck_assert_msg(lintcert_has_rule(&f, r->rule), "%s: %s did not fire:%s", r->name,
		    r->rule, lintcert_describe(&f));
	else
		ck_assert_msg(lintcert_errors(&f) == 0, "%s: errors:%s", r->name, lintcert_describe(&f));
	if (r->absent != NULL)
		ck_assert_msg(!lintcert_has_rule(&f, r->absent), "%s: %s fired:%s", r->name,
		    r->absent, lintcert_describe(&f));
	lint_findings_free(&f);
	lintcert_options_free(&o);
	gnutls_free(der.data);
}
END_TEST

/*
 * Names are read whole, as the octets they are: no 1,024-byte buffer,
 * no cut at a NUL, every message free of control characters.
 */
START_TEST(test_names_read_whole)
{
	static char dns[1200], uri[3000];
	struct spec sp = { SIPCA_SERVER, .sans = { NULL },
	    .raw_cn = RAW(0x0c, "a\x1b]0;x\x07\0b") };
	struct lint_options o;
	struct lint_findings f = { 0 };
	struct lint_source src = { "test", 1, 1, NULL, 0, NULL, NULL, 0 };
	struct lint_cert c;
	gnutls_datum_t der;
	size_t i, k;
	int wildcard = 0;

	memcpy(dns, "*.", 2);
	memset(dns + 2, 'a', sizeof(dns) - 14);
	memcpy(dns + sizeof(dns) - 12, ".example.com", 12);
	memcpy(uri, "sip:example.com\0", 16);
	memset(uri + 16, 'u', sizeof(uri) - 16);
	sp.raw_sans[0] = (struct raw_name){ 0x82, dns, sizeof(dns) };
	sp.raw_sans[1] = (struct raw_name){ 0x86, uri, sizeof(uri) };
	sp.raw_sans[2] = (struct raw_name){ 0x87, "\xc0\0\x02\x01\0", 5 };
	lintcert_build(&sp, &der);
	lintcert_options(&o, -1, "example.com", 0);
	src.der = der.data;
	src.len = der.size;
	lint_one(&src, &o, &c, &f);
	ck_assert_ptr_nonnull(c.tree);
	/* the SAN list sipid reads: octets as encoded, a problem when bad */
	ck_assert_uint_eq(c.sans.n, 3);
	ck_assert_int_eq(c.sans.items[0].type, SAN_DNS);
	ck_assert_uint_eq(c.sans.items[0].len, sizeof(dns));
	ck_assert(memcmp(c.sans.items[0].value, dns, sizeof(dns)) == 0);
	ck_assert_ptr_null(c.sans.items[0].problem);
	ck_assert_int_eq(c.sans.items[1].type, SAN_URI);
	ck_assert_uint_eq(c.sans.items[1].len, sizeof(uri));
	ck_assert(memcmp(c.sans.items[1].value, uri, sizeof(uri)) == 0);
	ck_assert_ptr_nonnull(c.sans.items[1].problem);
	ck_assert_int_eq(c.sans.items[2].type, SAN_IP);
	ck_assert_str_eq(c.sans.items[2].value, "#c000020100");
	ck_assert_ptr_nonnull(c.sans.items[2].problem);
	ck_assert_uint_eq(c.n_cn, 2);
	ck_assert_uint_eq(c.cns[1].len, 9);
	ck_assert(memcmp(c.cns[1].data, "a\x1b]0;x\x07\0b", 9) == 0);

	for (i = 0; i < f.n; i++) {
		if (strcmp(f.items[i].rule->id, "rfc5922.wildcard") == 0)
			wildcard = 1;
		for (k = 0; f.items[i].message[k] != '\0'; k++)
			ck_assert_msg((unsigned char)f.items[i].message[k] >= 0x20 &&
			    (unsigned char)f.items[i].message[k] != 0x7f,
			    "%s: a control character in its message", f.items[i].rule->id);
	}
	ck_assert_msg(wildcard, "the wildcard in a 1,200-octet name:%s", lintcert_describe(&f));
	ck_assert_msg(lintcert_has_rule(&f, "rfc5922.sip_domain_missing"), "%s", lintcert_describe(&f));
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.san_nul"), "%s", lintcert_describe(&f));
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.san_ip_length"), "%s", lintcert_describe(&f));
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.subject_bad_bytes"), "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	lint_cert_clear(&c);
	lintcert_options_free(&o);
	gnutls_free(der.data);
}
END_TEST

/* A critical extension under an OID too long for a fixed buffer. */
START_TEST(test_long_oid)
{
	static const char oid[] = "1.3.6.1.4.1.99999.1000.1001.1002.1003.1004.1005."
	    "1006.1007.1008.1009.1010.1011.1012.1013.1014";
	struct spec sp = { SIPCA_SERVER, .ext_oid = oid, .ext_critical = 1 };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	lintcert_build(&sp, &der);
	lintcert_options(&o, -1, NULL, 0);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.unknown_critical_extension"), "%s",
	    lintcert_describe(&f));
	ck_assert_msg(strstr(lintcert_describe(&f), oid) != NULL, "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	lintcert_options_free(&o);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_rsa_keys)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	lintcert_options(&o, -1, NULL, 0);
	s.key = lintcert_rsa_key(1024);
	lintcert_build(&s, &der);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "tls.rsa_key_too_small"), "%s", lintcert_describe(&f));
	ck_assert(lintcert_has_rule(&f, "polycom.key_baseline"));
	lint_findings_free(&f);
	gnutls_free(der.data);

	s.key = lintcert_rsa_key(2048);
	s.self_signed = 1;	/* sha256WithRSAEncryption */
	lintcert_build(&s, &der);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(!lintcert_has_rule(&f, "tls.rsa_key_too_small"), "%s", lintcert_describe(&f));
	ck_assert_msg(!lintcert_has_rule(&f, "polycom.key_baseline"), "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_kind_detection)
{
	struct spec server = { SIPCA_SERVER };
	struct spec device = { .eku_client = 1, .cns = { "a" } };
	struct spec ca = { .ca = 1, .cns = { "CA" }, .self_signed = 1 };
	struct spec none = { .cns = { "x" } };
	const struct { struct spec *s; enum cert_kind want; } t[] = {
		{ &server, KIND_SERVER }, { &device, KIND_DEVICE }, { &ca, KIND_CA },
		{ &none, KIND_SERVER },
	};
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	enum cert_kind k;
	size_t i;

	lintcert_options(&o, -1, NULL, 0);
	for (i = 0; i < nitems(t); i++) {
		lintcert_build(t[i].s, &der);
		lintcert_lint(der.data, der.size, &o, &f, &k);
		ck_assert_msg(k == t[i].want, "row %zu: kind %s", i, cert_kind_name(k));
		lint_findings_reset(&f);
		gnutls_free(der.data);
	}
	o.role = KIND_DEVICE;
	lintcert_build(&server, &der);
	lintcert_lint(der.data, der.size, &o, &f, &k);
	ck_assert_int_eq(k, KIND_DEVICE);
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("rules");

	tcase_add_unchecked_fixture(tc, lintcert_setup, lintcert_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_row, 0, nitems(rows));
	tcase_add_test(tc, test_names_read_whole);
	tcase_add_test(tc, test_long_oid);
	tcase_add_test(tc, test_rsa_keys);
	tcase_add_test(tc, test_kind_detection);
	suite_add_tcase(s, tc);
	return s;
}
