/*
 * lint_sip: what SIP over TLS needs of the extendedKeyUsage: proxies and
 * phones are TLS clients as well as servers.
 */
#include "lint.h"

static int
allows_client_auth(const struct lint_cert *c)
{
	/* RFC 5280 4.2.1.12: without the extension nothing is restricted. */
	return !c->has_eku || c->eku_client || c->eku_any;
}

/*
 * RFC 5922 7.5 (proxies authenticate to each other with their domain
 * certificates, so a proxy is a TLS client too), RFC 5923 9.2, RFC 3261
 * 26.3.2.2 (mutual TLS between proxies).
 */
static void
check_server_lacks_clientauth(const struct lint_cert *c, struct lint_findings *f)
{
	if (!allows_client_auth(c))
		lint_report(f, "extendedKeyUsage lacks id-kp-clientAuth; the proxy cannot open TLS connections to peers");
}

/* A phone presents its certificate as the TLS client (RFC 5280 4.2.1.12). */
static void
check_device_lacks_clientauth(const struct lint_cert *c, struct lint_findings *f)
{
	if (!allows_client_auth(c))
		lint_report(f, "device certificate's extendedKeyUsage lacks id-kp-clientAuth");
}

const struct lint_rule lint_rules_sip[] = {
	{ "sip.server_lacks_clientauth", SEV_WARN, KINDS_SERVER, PROF_SIP, 0,
	  "server certificate cannot act as a TLS client (no clientAuth)",
	  "RFC 5922 section 7.5; RFC 5923 section 9.2; RFC 3261 section 26.3.2.2",
	  check_server_lacks_clientauth },
	{ "sip.device_lacks_clientauth", SEV_ERROR, KINDS_DEVICE, PROF_SIP, 0,
	  "device certificate without clientAuth",
	  "RFC 5280 section 4.2.1.12; RFC 5922 section 7.4", check_device_lacks_clientauth },
	{ NULL }
};
