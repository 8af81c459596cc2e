/*
 * guard: linting a certificate sipca has just signed, before it is
 * written. The DER is exported once in memory; the libtasn1 module is
 * loaded once per process (asn1.c), so this is cheap enough for every
 * certificate of a batch.
 */
#include <stdint.h>
#include <string.h>

#include "guard.h"
#include "lint.h"

/*
 * What --allow-wildcard allows: the rules that refuse a '*' in a name,
 * and only those (rfc5280.san_dns_syntax leaves a leading "*." to them).
 * With GUARD_ALLOW_WILDCARD their findings are warnings for that
 * certificate: the operator has read that RFC 5922 section 7.2, Poly and
 * CUCM refuse wildcards and asks for one anyway, so the certificate is
 * not "forced", and any other error still refuses it.
 */
const char *const guard_wildcard_rules[] = {
	"rfc5922.wildcard",
	"polycom.wildcard_cn",
	"polycom.wildcard_san",
	"cisco.wildcard",
	NULL,
};

static int
is_wildcard_rule(const char *id)
{
	size_t i;

	for (i = 0; guard_wildcard_rules[i] != NULL; i++)
		if (strcmp(guard_wildcard_rules[i], id) == 0)
			return 1;
	return 0;
}

/* The CA as the chain context; built per call, so threads share nothing. */
static int
guard_ca(const struct ca *ca, struct lint_ca *out)
{
	unsigned critical = 0, is_ca = 0;

	memset(out, 0, sizeof(*out));
	out->crt = ca->crt;	/* borrowed */
	out->label = (char *)(uintptr_t)"the CA certificate";
	if (gnutls_x509_crt_get_raw_dn(ca->crt, &out->subject) < 0)
		out->subject.data = NULL;
	/* What we signed a moment ago needs no second verification. */
	out->signed_by_us = 1;
	out->is_ca = gnutls_x509_crt_get_basic_constraints(ca->crt, &critical,
	    &is_ca, NULL) >= 0 && is_ca;
	out->constrains = lint_ca_constrains(ca->crt);
	return 0;
}

enum result
guard_issuance(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    const char *name, const struct ca *ca, enum cert_kind kind,
    const char *sip_domain, unsigned flags, int *out_forced, struct report *rep)
{
	struct lint_source src = { "issued", 1, 1, NULL, 0, NULL, NULL, 0 };
	struct lint_options opts;
	struct lint_cert c;
	struct lint_findings f;
	struct lint_ca lca;
	const struct lint_finding *it;
	enum lint_severity sev;
	size_t i, errors = 0, fatal = 0;
	enum result status;
	int have_ca = 0, allowed;

	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	lint_options_init(&opts);
	opts.role = (int)kind;
	/* RFC 5922 7.1 only binds a server certificate to the domain. */
	opts.sip_domain = kind == KIND_SERVER ? sip_domain : NULL;
	if (ca != NULL && ca->crt != NULL && guard_ca(ca, &lca) == 0) {
		have_ca = 1;
		opts.cas = &lca;
		opts.n_ca = 1;
	}
	src.der = der->data;
	src.len = der->size;
	src.crt = crt;
	lint_one(&src, &opts, &c, &f);
	for (i = 0; i < f.n; i++) {
		it = &f.items[i];
		sev = it->severity;
		allowed = (flags & GUARD_ALLOW_WILDCARD) && sev == SEV_ERROR &&
		    is_wildcard_rule(it->rule->id);
		if (allowed)
			sev = SEV_WARN;
		if (sev >= SEV_ERROR)
			errors++;
		if (sev == SEV_FATAL)
			fatal++;
		if (sev < SEV_WARN)
			continue;
		report_add(rep, REPORT_MESSAGE, "%s: lint: %s %s: %s [%s]%s", name,
		    lint_severity_name(sev), it->rule->id, it->message,
		    it->rule->citation, allowed ? " (allowed by --allow-wildcard)" : "");
	}
	/*
	 * A fatal finding is a certificate no one can use (outside its CA's
	 * name constraints, chain.name_constraints): --force would only
	 * write a certificate that verifiers reject.
	 */
	if (fatal > 0) {
		report_add(rep, REPORT_MESSAGE, "%s: lint: refusing to issue: %zu"
		    " fatal finding%s, which --force cannot override", name, fatal,
		    fatal == 1 ? "" : "s");
		status = RESULT_E_REFUSED;
		goto out;
	}
	if (errors > 0 && !(flags & GUARD_FORCE)) {
		report_add(rep, REPORT_MESSAGE, "%s: lint: refusing to issue: %zu"
		    " error%s (--force issues anyway)", name, errors,
		    errors == 1 ? "" : "s");
		status = RESULT_E_REFUSED;
		goto out;
	}
	if (errors > 0 && out_forced != NULL)
		*out_forced = 1;
	status = RESULT_OK;
out:
	lint_cert_clear(&c);
	lint_findings_free(&f);
	if (have_ca) {
		gnutls_free(lca.subject.data);
		if (lca.pubkey != NULL)
			gnutls_pubkey_deinit(lca.pubkey);
	}
	return status;
}
