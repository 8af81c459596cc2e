/*
 * probe_check: what a careful phone checks in a SIP-over-TLS server, on
 * what a probe session (probe.c) saw.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "lint.h"
#include "probe_check.h"
#include "sipid.h"
#include "util.h"

/* Bytes of one certificate value shown in a finding, and of a DN. */
#define PROBE_TEXT_MAX 256
#define PROBE_DN_MAX 1024

static const char *const verdict_names[] = { "ok", "note", "warn", "fail" };

const char *
probe_verdict_name(enum probe_verdict v)
{
	return verdict_names[v];
}

static void add(struct probe_check *x, const char *check, enum probe_verdict v,
    int cert, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* What a server put in its certificate reaches a terminal: no control
 * characters (escape sequences) get through. */
static char *
scrub(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

static struct probe_finding *
add_item(struct probe_check *x, const char *check, enum probe_verdict v,
    int cert, char *message)
{
	struct probe_finding *f;

	x->items = xrealloc(x->items, (x->n + 1) * sizeof(*x->items));
	f = &x->items[x->n++];
	memset(f, 0, sizeof(*f));
	f->check = check;
	f->verdict = v;
	f->cert = cert;
	f->message = scrub(message);
	if (v == PROBE_FAIL)
		x->failed++;
	return f;
}

/* As long as it needs to be: the values in it are bounded by whoever
 * escapes them, and a cut here would hide what follows a long one. */
static void
add(struct probe_check *x, const char *check, enum probe_verdict v, int cert,
    const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	buf[0] = '\0';
	va_start(ap, fmt);
	if (n > 0)
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
	va_end(ap);
	add_item(x, check, v, cert, buf);
}

void
probe_check_free(struct probe_check *x)
{
	size_t i;
	unsigned k;

	for (k = 0; k < x->chain_n; k++)
		gnutls_x509_crt_deinit(x->chain[k]);
	free(x->chain);
	x->chain = NULL;
	x->chain_n = 0;
	for (i = 0; i < x->n; i++)
		free(x->items[i].message);
	free(x->items);
	x->items = NULL;
	x->n = x->failed = 0;
}

char *
probe_dn(gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t dn = { NULL, 0 };
	char *s;

	if ((issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) :
	    gnutls_x509_crt_get_dn3(crt, &dn, 0)) < 0)
		return xstrdup("");
	s = text_escape(dn.data, dn.size, PROBE_DN_MAX);
	gnutls_free(dn.data);
	return s;
}

static int
self_issued(gnutls_x509_crt_t crt)
{
	return gnutls_x509_crt_check_issuer(crt, crt) == 1;
}

/*
 * RFC 5280 6.1 path validation against the CA, leaving dates to
 * check_chain() so that "now" is sipca's clock (and the test clock).
 * GnuTLS sorts an unordered chain itself; the order is judged below.
 */
static void
check_verify(struct probe_check *x)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_datum_t msg = { NULL, 0 };
	unsigned status = 0, i;
	int ret;

	if ((ret = gnutls_x509_trust_list_init(&tl, 0)) < 0)
		goto fail;
	for (i = 0; i < x->n_cas; i++) {
		gnutls_x509_crt_t copy = NULL;
		gnutls_datum_t der = { NULL, 0 };

		/* The trust list owns what it is given: give it copies. */
		if (gnutls_x509_crt_export2(x->cas[i], GNUTLS_X509_FMT_DER, &der) < 0 ||
		    gnutls_x509_crt_init(&copy) < 0 ||
		    gnutls_x509_crt_import(copy, &der, GNUTLS_X509_FMT_DER) < 0 ||
		    gnutls_x509_trust_list_add_cas(tl, &copy, 1, 0) != 1) {
			if (copy != NULL)
				gnutls_x509_crt_deinit(copy);
		}
		gnutls_free(der.data);
	}
	if ((ret = gnutls_x509_trust_list_verify_crt2(tl, x->chain, x->chain_n,
	    NULL, 0, GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status, NULL)) < 0)
		goto fail;
	if (status == 0) {
		add(x, "verify", PROBE_OK, 0, "the chain leads to a CA in %s",
		    x->ca_label);
	} else {
		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
		    &msg, 0);
		add(x, "verify", PROBE_FAIL, 0, "not trusted by %s: %s", x->ca_label,
		    msg.data != NULL ? (const char *)msg.data : "verification failed");
		gnutls_free(msg.data);
	}
	gnutls_x509_trust_list_deinit(tl, 1);
	return;
fail:
	add(x, "verify", PROBE_FAIL, 0, "gnutls_x509_trust_list_verify_crt2: %s",
	    gnutls_strerror(ret));
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
}

/*
 * What a server must send (RFC 8446 section 4.4.2, RFC 5246 section
 * 7.4.2): its own certificate first, each following one certifying the
 * one before it, everything up to (not necessarily including) a trust
 * anchor, and all of them within their validity (RFC 5280 6.1.3 (a)(2)).
 */
static void
check_chain(struct probe_check *x)
{
	char when[21], *dn;
	unsigned i, j, cur, steps;
	int found, problems = 0;
	time_t t;

	for (i = 0; i + 1 < x->chain_n; i++) {
		if (gnutls_x509_crt_check_issuer(x->chain[i], x->chain[i + 1]) == 1)
			continue;
		problems++;
		found = -1;
		for (j = i + 2; j < x->chain_n && found < 0; j++)
			if (gnutls_x509_crt_check_issuer(x->chain[i], x->chain[j]) == 1)
				found = (int)j;
		if (found >= 0)
			add(x, "chain", PROBE_FAIL, (int)i,
			    "wrong order: [%u] is issued by [%d], not by the next one, [%u]"
			    " (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2)", i, found, i + 1);
		else
			add(x, "chain", PROBE_FAIL, (int)i + 1,
			    "[%u] did not issue [%u]: an unrelated certificate in the chain"
			    " (RFC 5246 section 7.4.2)", i + 1, i);
	}
	/* Up from the leaf: each issuer presented or a trust anchor. */
	for (cur = 0, steps = 0; steps <= x->chain_n; steps++) {
		if (self_issued(x->chain[cur]))
			break;
		found = -1;
		for (j = 0; j < x->chain_n && found < 0; j++)
			if (j != cur && gnutls_x509_crt_check_issuer(x->chain[cur],
			    x->chain[j]) == 1)
				found = (int)j;
		if (found >= 0 && steps < x->chain_n) {
			cur = (unsigned)found;
			continue;
		}
		for (j = 0; j < x->n_cas && found < 0; j++)
			if (gnutls_x509_crt_check_issuer(x->chain[cur], x->cas[j]) == 1)
				found = (int)j;
		if (found < 0) {
			problems++;
			dn = probe_dn(x->chain[cur], 1);
			add(x, "chain", PROBE_FAIL, (int)cur,
			    "missing intermediate: the issuer '%s' of [%u] is neither"
			    " presented nor in %s (RFC 8446 section 4.4.2)", dn, cur,
			    x->ca_label);
			free(dn);
		}
		break;
	}
	for (i = 0; i < x->chain_n; i++) {
		t = gnutls_x509_crt_get_expiration_time(x->chain[i]);
		if (t != (time_t)-1 && t < x->now) {
			problems++;
			format_time_rfc3339(t, when);
			add(x, "chain", PROBE_FAIL, (int)i, "[%u] expired at %s"
			    " (RFC 5280 section 6.1.3)", i, when);
		}
		t = gnutls_x509_crt_get_activation_time(x->chain[i]);
		if (t != (time_t)-1 && t > x->now) {
			problems++;
			format_time_rfc3339(t, when);
			add(x, "chain", PROBE_FAIL, (int)i, "[%u] is not valid before %s"
			    " (RFC 5280 section 6.1.3)", i, when);
		}
	}
	if (problems == 0)
		add(x, "chain", PROBE_OK, -1, "%u certificate%s, in order, none expired",
		    x->chain_n, x->chain_n == 1 ? "" : "s");
}

/*
 * The subject's CNs as GnuTLS reads them, length-counted: a CN is
 * compared with the SIP domain whole (RFC 5922 7.1), so one with a NUL
 * inside can never equal it.
 */
static struct sipid_name *
leaf_cns(gnutls_x509_crt_t crt, size_t *out_n)
{
	struct sipid_name *cns = NULL;
	char *buf;
	size_t size, n = 0;
	unsigned idx;
	int ret;

	for (idx = 0;; idx++) {
		size = 0;
		ret = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
		    idx, 0, NULL, &size);
		if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER || size == 0)
			break;
		buf = xmalloc(size);
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
		    idx, 0, buf, &size) < 0) {
			free(buf);
			break;
		}
		cns = xrealloc(cns, (n + 1) * sizeof(*cns));
		cns[n].value = buf;
		cns[n++].len = size;
	}
	*out_n = n;
	return cns;
}

/*
 * Two questions a phone may ask of the leaf. An RFC 5922 client looks
 * for the SIP domain in its identity set (7.1); most SIP stacks instead
 * let the TLS library match the name as for HTTPS (RFC 6125 / RFC 2818:
 * DNS names only, URI SANs ignored), with the host they dialled or, after
 * an SRV lookup, the SIP domain itself.
 */
static void
check_identities(struct probe_check *x)
{
	struct san_list raw = { NULL, 0 }, shown = { NULL, 0 };
	enum sipid_set set;
	const char *value;
	struct sipid_name *cns = NULL;
	char *list, *what;
	size_t n_cn = 0, i, size = 0;
	unsigned critical;
	int has_san, ret;

	ret = gnutls_x509_crt_get_extension_by_oid(x->chain[0], "2.5.29.17", 0,
	    NULL, &size, &critical);
	has_san = ret >= 0 || ret == GNUTLS_E_SHORT_MEMORY_BUFFER;
	if (has_san && (ret = cert_sans(x->chain[0], &raw)) < 0)
		add(x, "san", PROBE_FAIL, 0, "the subjectAltName cannot be read: %s"
		    " (RFC 5280 section 4.2.1.6)", gnutls_strerror(ret));
	/* A name whose octets are not what it reads as is no identity. */
	for (i = 0; i < raw.n; i++) {
		if (raw.items[i].problem == NULL)
			continue;
		what = san_entry_describe(&raw.items[i], PROBE_TEXT_MAX);
		add(x, "san", PROBE_FAIL, 0, "%s is no identity: %s"
		    " (RFC 5280 section 4.2.1.6)", what, raw.items[i].problem);
		free(what);
	}
	/* Compared as read (sipid takes no name with a problem), shown
	 * escaped and bounded. */
	san_list_escaped(&raw, PROBE_TEXT_MAX, &shown);
	cns = leaf_cns(x->chain[0], &n_cn);
	list = san_list_format(&shown);
	if (sipid_match_domain(&raw, has_san, cns, n_cn, x->domain, &set, &value))
		add(x, "sip-domain", PROBE_OK, 0,
		    "'%s' is among the certificate's %s: '%s' (RFC 5922 section 7.1)",
		    x->domain, sipid_set_name(set), value);
	else
		add(x, "sip-domain", PROBE_FAIL, 0,
		    "'%s' is not among the certificate's RFC 5922 identities (%s; SAN %s)"
		    " (RFC 5922 section 7.1)", x->domain, sipid_set_name(set),
		    list[0] != '\0' ? list : "none");
	if (gnutls_x509_crt_check_hostname2(x->chain[0], x->host, 0))
		add(x, "hostname", PROBE_OK, 0,
		    "'%s' matches, as generic TLS clients match (RFC 6125 section 6.4)",
		    x->host);
	else
		add(x, "hostname", PROBE_FAIL, 0,
		    "'%s' does not match the DNS names and IP addresses (SAN %s):"
		    " generic TLS clients refuse it (RFC 6125 section 6.4)", x->host,
		    list[0] != '\0' ? list : "none");
	if (strcasecmp(x->domain, x->host) != 0 &&
	    !gnutls_x509_crt_check_hostname2(x->chain[0], x->domain, 0))
		add(x, "hostname", PROBE_WARN, 0,
		    "the SIP domain '%s' is not a DNS name of the certificate: clients"
		    " that match the SRV-found domain as a host name (Linphone) refuse it",
		    x->domain);
	free(list);
	for (i = 0; i < n_cn; i++)
		free((char *)cns[i].value);
	free(cns);
	san_list_clear(&raw);
	san_list_clear(&shown);
}

/* lint's chain rules see what a client could use: what follows the
 * certificate in the chain, and the trust anchors. */
static void
load_issuers(struct probe_check *x, unsigned from, struct lint_ca **cas,
    size_t *n_ca)
{
	char label[32];
	unsigned i;

	for (i = from; i < x->res->chain_n; i++) {
		snprintf(label, sizeof(label), "chain[%u]", i);
		lint_ca_load(x->res->chain[i].data, x->res->chain[i].size, label, cas,
		    n_ca, NULL);
	}
	lint_ca_load(x->ca_data, x->ca_len, x->ca_label, cas, n_ca, NULL);
}

static void
check_lint(struct probe_check *x)
{
	struct lint_options opts;
	struct lint_source src;
	struct lint_cert c;
	struct lint_findings f;
	struct lint_ca *cas = NULL;
	struct probe_finding *it;
	size_t n_ca = 0, k, errors = 0;
	unsigned i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < x->res->chain_n; i++) {
		lint_options_init(&opts);
		opts.now = x->now;
		/* RFC 5922 7.1 binds only the server's own certificate. */
		opts.sip_domain = i == 0 ? x->domain : NULL;
		load_issuers(x, i + 1, &cas, &n_ca);
		opts.cas = cas;
		opts.n_ca = n_ca;
		memset(&src, 0, sizeof(src));
		src.file = "chain";
		src.index = i;
		src.der = x->res->chain[i].data;
		src.len = x->res->chain[i].size;
		lint_one(&src, &opts, &c, &f);
		for (k = 0; k < f.n; k++) {
			if (f.items[k].severity < SEV_WARN)
				continue;
			if (f.items[k].severity >= SEV_ERROR)
				errors++;
			it = add_item(x, "lint", f.items[k].severity >= SEV_ERROR ?
			    PROBE_FAIL : PROBE_WARN, (int)i, xasprintf("%s %s: %s",
			    lint_severity_name(f.items[k].severity), f.items[k].rule->id,
			    f.items[k].message));
			it->rule = f.items[k].rule->id;
			it->citation = f.items[k].rule->citation;
		}
		lint_cert_clear(&c);
		lint_ca_free(cas, n_ca);
		cas = NULL;
		n_ca = 0;
	}
	lint_findings_free(&f);
	if (errors == 0)
		add(x, "lint", PROBE_OK, -1, "no errors in %u certificate%s",
		    x->res->chain_n, x->res->chain_n == 1 ? "" : "s");
}

/* Whether the server took us: judged on the SIP answer, since with TLS
 * 1.3 a refused client certificate only shows after the handshake. */
static void
check_client_cert(struct probe_check *x)
{
	const struct probe_result *r = x->res;
	int refused = r->stage < PROBE_STAGE_DONE && r->alert >= 0;

	if (x->cert_name != NULL) {
		if (refused || (r->stage == PROBE_STAGE_REQUEST && r->cert_sent))
			add(x, "client-cert", PROBE_FAIL, -1,
			    "the server refused '%s': %s", x->cert_name, r->error);
		else if (r->stage == PROBE_STAGE_DONE && r->cert_sent)
			add(x, "client-cert", PROBE_OK, -1, "the server accepted '%s'",
			    x->cert_name);
		else if (r->stage == PROBE_STAGE_DONE)
			add(x, "client-cert", PROBE_NOTE, -1,
			    "the server did not ask for a client certificate");
	} else if (r->cert_requested && r->stage < PROBE_STAGE_DONE) {
		add(x, "client-cert", PROBE_FAIL, -1,
		    "the server asked for a client certificate and refused us without"
		    " one (try --cert NAME): %s", r->error != NULL ? r->error : "");
	} else if (r->cert_requested) {
		add(x, "client-cert", PROBE_NOTE, -1,
		    "the server asked for a client certificate but served us without one");
	}
}

static int
is_status_line(const char *s)
{
	return strncmp(s, "SIP/2.0 ", 8) == 0 && s[8] >= '1' && s[8] <= '6' &&
	    s[9] >= '0' && s[9] <= '9' && s[10] >= '0' && s[10] <= '9' &&
	    (s[11] == ' ' || s[11] == '\0');
}

/* RFC 3261 section 11.2: a server that would serve us answers 200. */
static void
check_options(struct probe_check *x)
{
	const struct probe_result *r = x->res;

	if (r->stage == PROBE_STAGE_HANDSHAKE)
		return;
	if (r->stage != PROBE_STAGE_DONE)
		add(x, "options", PROBE_FAIL, -1, "no answer to OPTIONS sip:%s: %s",
		    x->domain, r->error != NULL ? r->error : "");
	else if (!is_status_line(r->status_line))
		add(x, "options", PROBE_FAIL, -1,
		    "not a SIP response (RFC 3261 section 7.2): '%s'", r->status_line);
	else if (r->status_line[8] != '2')
		add(x, "options", PROBE_FAIL, -1, "OPTIONS sip:%s answered '%s'",
		    x->domain, r->status_line);
	else
		add(x, "options", PROBE_OK, -1, "%s", r->status_line);
}


static int
decode_chain(struct probe_check *x)
{
	unsigned i;

	x->chain = xcalloc(x->res->chain_n + 1, sizeof(*x->chain));
	for (i = 0; i < x->res->chain_n; i++) {
		if (gnutls_x509_crt_init(&x->chain[x->chain_n]) < 0)
			return -1;
		if (gnutls_x509_crt_import(x->chain[x->chain_n], &x->res->chain[i],
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(x->chain[x->chain_n]);
			x->chain[x->chain_n] = NULL;
			add(x, "chain", PROBE_FAIL, (int)i,
			    "[%u] is not a certificate GnuTLS can read", i);
			return -1;
		}
		x->chain_n++;
	}
	return 0;
}

void
probe_check_run(struct probe_check *x)
{
	const struct probe_result *r = x->res;

	if (r->stage == PROBE_STAGE_HANDSHAKE)
		add(x, "tls", PROBE_FAIL, -1, "%s", r->error);
	if (r->chain_n == 0 && r->stage > PROBE_STAGE_HANDSHAKE)
		add(x, "chain", PROBE_FAIL, -1, "the server presented no certificate");
	if (r->chain_n > 0 && decode_chain(x) == 0) {
		check_verify(x);
		check_chain(x);
		check_identities(x);
		check_lint(x);
	}
	check_client_cert(x);
	check_options(x);
}
