/*
 * sipca probe: checks a live SIP-over-TLS server the way a careful phone
 * would: the chain against our CA, the SIP domain against the RFC 5922
 * identity set and the host name as generic TLS clients match it, lint
 * on every certificate presented, optionally mutual TLS with an issued
 * certificate, and one OPTIONS request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "cli.h"
#include "fileio.h"
#include "json.h"
#include "lint.h"
#include "probe.h"
#include "secret.h"
#include "signer.h"
#include "sipid.h"
#include "store.h"
#include "util.h"

enum {
	OPT_CA = 256, OPT_SIP_DOMAIN, OPT_CERT, OPT_CONNECT, OPT_TIMEOUT, OPT_JSON,
};

static const struct cli_option probe_options[] = {
	{ "ca", OPT_CA, 1, "FILE", "@file", "verify against these CA certificates (default: the store's CA)" },
	{ "sip-domain", OPT_SIP_DOMAIN, 1, "DOMAIN", NULL, "the SIP domain to check and ask for (default: the store's, else HOST)" },
	{ "cert", OPT_CERT, 1, "NAME", "@name", "mutual TLS with this issued certificate and its key" },
	{ "connect", OPT_CONNECT, 1, "ADDR[:PORT]", NULL, "dial this address while checking HOST" },
	{ "timeout", OPT_TIMEOUT, 1, "SECONDS", NULL, "for connect, handshake and answer each (default 10)" },
	{ "json", OPT_JSON, 0, NULL, NULL, "machine-readable output" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_probe(int argc, char **argv);

const struct command command_probe = {
	"probe", cmd_probe,
	"probe HOST[:PORT] [--ca FILE] [--sip-domain DOMAIN] [--cert NAME]\n"
	"      [--connect ADDR[:PORT]] [--timeout SECONDS] [--json]",
	"Check a live SIP-over-TLS server as a careful phone would.",
	probe_options, NULL,
};

enum verdict { V_OK = 0, V_NOTE, V_WARN, V_FAIL };
static const char *const verdict_names[] = { "ok", "note", "warn", "fail" };

struct finding {
	const char *check;		/* "verify", "sip-domain", "lint", ... */
	enum verdict verdict;
	int cert;			/* index in the presented chain, or -1 */
	const char *rule, *citation;	/* lint's, or NULL */
	char *message;
};

struct report {
	struct finding *items;
	size_t n;
	size_t failed;
};

static void add(struct report *r, const char *check, enum verdict v, int cert,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct finding *
add_item(struct report *r, const char *check, enum verdict v, int cert,
    char *message)
{
	struct finding *f;

	r->items = xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
	f = &r->items[r->n++];
	memset(f, 0, sizeof(*f));
	f->check = check;
	f->verdict = v;
	f->cert = cert;
	f->message = message;
	if (v == V_FAIL)
		r->failed++;
	return f;
}

static void
add(struct report *r, const char *check, enum verdict v, int cert,
    const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add_item(r, check, v, cert, xstrdup(buf));
}

static void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->items[i].message);
	free(r->items);
}

/* "host", "host:port", "[v6]:port", or a bare IPv6 address. */
static int
split_host_port(const char *in, char **out_host, char **out_port)
{
	const char *colon, *rb;
	long port;

	*out_port = NULL;
	if (in[0] == '[') {
		if ((rb = strchr(in, ']')) == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return -1;
		*out_host = xasprintf("%.*s", (int)(rb - in - 1), in + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else if ((colon = strchr(in, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		*out_host = xasprintf("%.*s", (int)(colon - in), in);
	} else {
		*out_host = xstrdup(in);
		colon = NULL;
	}
	if (colon != NULL) {
		if (parse_long(colon + 1, 1, 65535, &port) < 0) {
			free(*out_host);
			*out_host = NULL;
			return -1;
		}
		*out_port = xasprintf("%ld", port);
	}
	if ((*out_host)[0] == '\0') {
		free(*out_host);
		free(*out_port);
		*out_host = *out_port = NULL;
		return -1;
	}
	return 0;
}

struct probe_ctx {
	const char *host, *port, *addr, *domain, *cert_name, *ca_label;
	unsigned char *ca_data;
	size_t ca_len;
	gnutls_x509_crt_t *cas;		/* the trust anchors */
	unsigned n_cas;
	gnutls_x509_crt_t *chain;	/* what the server presented, decoded */
	unsigned chain_n;
	struct probe_result res;
	struct report rep;
	time_t now;
};

static char *
dn_text(gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t dn = { NULL, 0 };
	char *s;

	if ((issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) :
	    gnutls_x509_crt_get_dn3(crt, &dn, 0)) < 0)
		return xstrdup("");
	s = xasprintf("%.*s", (int)dn.size, (const char *)dn.data);
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
check_verify(struct probe_ctx *x)
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
		add(&x->rep, "verify", V_OK, 0, "the chain leads to a CA in %s",
		    x->ca_label);
	} else {
		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
		    &msg, 0);
		add(&x->rep, "verify", V_FAIL, 0, "not trusted by %s: %s", x->ca_label,
		    msg.data != NULL ? (const char *)msg.data : "verification failed");
		gnutls_free(msg.data);
	}
	gnutls_x509_trust_list_deinit(tl, 1);
	return;
fail:
	add(&x->rep, "verify", V_FAIL, 0, "gnutls_x509_trust_list_verify_crt2: %s",
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
check_chain(struct probe_ctx *x)
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
			add(&x->rep, "chain", V_FAIL, (int)i,
			    "wrong order: [%u] is issued by [%d], not by the next one, [%u]"
			    " (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2)", i, found, i + 1);
		else
			add(&x->rep, "chain", V_FAIL, (int)i + 1,
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
			dn = dn_text(x->chain[cur], 1);
			add(&x->rep, "chain", V_FAIL, (int)cur,
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
			add(&x->rep, "chain", V_FAIL, (int)i, "[%u] expired at %s"
			    " (RFC 5280 section 6.1.3)", i, when);
		}
		t = gnutls_x509_crt_get_activation_time(x->chain[i]);
		if (t != (time_t)-1 && t > x->now) {
			problems++;
			format_time_rfc3339(t, when);
			add(&x->rep, "chain", V_FAIL, (int)i, "[%u] is not valid before %s"
			    " (RFC 5280 section 6.1.3)", i, when);
		}
	}
	if (problems == 0)
		add(&x->rep, "chain", V_OK, -1, "%u certificate%s, in order, none expired",
		    x->chain_n, x->chain_n == 1 ? "" : "s");
}

static char **
leaf_cns(gnutls_x509_crt_t crt, size_t *out_n)
{
	char buf[1024], **cns = NULL;
	size_t size, n = 0;
	unsigned idx;

	for (idx = 0;; idx++) {
		size = sizeof(buf);
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, idx,
		    0, buf, &size) < 0)
			break;
		cns = xrealloc(cns, (n + 1) * sizeof(*cns));
		cns[n++] = xstrdup(buf);
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
check_identities(struct probe_ctx *x)
{
	struct san_list sans = { NULL, 0 };
	enum sipid_set set;
	const char *value;
	char **cns = NULL, *list;
	size_t n_cn = 0, i, size = 0;
	unsigned critical;
	int has_san, ret;

	ret = gnutls_x509_crt_get_extension_by_oid(x->chain[0], "2.5.29.17", 0,
	    NULL, &size, &critical);
	has_san = ret >= 0 || ret == GNUTLS_E_SHORT_MEMORY_BUFFER;
	cert_sans(x->chain[0], &sans);
	cns = leaf_cns(x->chain[0], &n_cn);
	list = san_list_format(&sans);
	if (sipid_match_domain(&sans, has_san, (const char *const *)cns, n_cn,
	    x->domain, &set, &value))
		add(&x->rep, "sip-domain", V_OK, 0,
		    "'%s' is among the certificate's %s: '%s' (RFC 5922 section 7.1)",
		    x->domain, sipid_set_name(set), value);
	else
		add(&x->rep, "sip-domain", V_FAIL, 0,
		    "'%s' is not among the certificate's RFC 5922 identities (%s; SAN %s)"
		    " (RFC 5922 section 7.1)", x->domain, sipid_set_name(set),
		    list[0] != '\0' ? list : "none");
	if (gnutls_x509_crt_check_hostname2(x->chain[0], x->host, 0))
		add(&x->rep, "hostname", V_OK, 0,
		    "'%s' matches, as generic TLS clients match (RFC 6125 section 6.4)",
		    x->host);
	else
		add(&x->rep, "hostname", V_FAIL, 0,
		    "'%s' does not match the DNS names and IP addresses (SAN %s):"
		    " generic TLS clients refuse it (RFC 6125 section 6.4)", x->host,
		    list[0] != '\0' ? list : "none");
	if (strcasecmp(x->domain, x->host) != 0 &&
	    !gnutls_x509_crt_check_hostname2(x->chain[0], x->domain, 0))
		add(&x->rep, "hostname", V_WARN, 0,
		    "the SIP domain '%s' is not a DNS name of the certificate: clients"
		    " that match the SRV-found domain as a host name (Linphone) refuse it",
		    x->domain);
	free(list);
	for (i = 0; i < n_cn; i++)
		free(cns[i]);
	free(cns);
	san_list_free(&sans);
}

/* lint's chain rules see what a client could use: what follows the
 * certificate in the chain, and the trust anchors. */
static void
load_issuers(struct probe_ctx *x, unsigned from, struct lint_ca **cas,
    size_t *n_ca)
{
	const char *reason;
	char label[32];
	unsigned i;

	for (i = from; i < x->res.chain_n; i++) {
		snprintf(label, sizeof(label), "chain[%u]", i);
		lint_ca_load(x->res.chain[i].data, x->res.chain[i].size, label, cas,
		    n_ca, &reason);
	}
	lint_ca_load(x->ca_data, x->ca_len, x->ca_label, cas, n_ca, &reason);
}

static void
check_lint(struct probe_ctx *x)
{
	struct lint_options opts;
	struct lint_cert c;
	struct lint_findings f;
	struct lint_ca *cas = NULL;
	struct finding *it;
	size_t n_ca = 0, k, errors = 0;
	unsigned i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < x->res.chain_n; i++) {
		lint_options_init(&opts);
		opts.now = x->now;
		/* RFC 5922 7.1 binds only the server's own certificate. */
		opts.sip_domain = i == 0 ? x->domain : NULL;
		load_issuers(x, i + 1, &cas, &n_ca);
		opts.cas = cas;
		opts.n_ca = n_ca;
		memset(&c, 0, sizeof(c));
		c.file = "chain";
		c.index = i;
		lint_findings_reset(&f);
		lint_der(&c, x->res.chain[i].data, x->res.chain[i].size, &opts, &f);
		for (k = 0; k < f.n; k++) {
			if (f.items[k].severity < SEV_WARN)
				continue;
			if (f.items[k].severity >= SEV_ERROR)
				errors++;
			it = add_item(&x->rep, "lint", f.items[k].severity >= SEV_ERROR ?
			    V_FAIL : V_WARN, (int)i, xasprintf("%s %s: %s",
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
		add(&x->rep, "lint", V_OK, -1, "no errors in %u certificate%s",
		    x->res.chain_n, x->res.chain_n == 1 ? "" : "s");
}

/* Whether the server took us: judged on the SIP answer, since with TLS
 * 1.3 a refused client certificate only shows after the handshake. */
static void
check_client_cert(struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;
	int refused = r->stage < PROBE_STAGE_DONE && r->alert >= 0;

	if (x->cert_name != NULL) {
		if (refused || (r->stage == PROBE_STAGE_REQUEST && r->cert_sent))
			add(&x->rep, "client-cert", V_FAIL, -1,
			    "the server refused '%s': %s", x->cert_name, r->error);
		else if (r->stage == PROBE_STAGE_DONE && r->cert_sent)
			add(&x->rep, "client-cert", V_OK, -1, "the server accepted '%s'",
			    x->cert_name);
		else if (r->stage == PROBE_STAGE_DONE)
			add(&x->rep, "client-cert", V_NOTE, -1,
			    "the server did not ask for a client certificate");
	} else if (r->cert_requested && r->stage < PROBE_STAGE_DONE) {
		add(&x->rep, "client-cert", V_FAIL, -1,
		    "the server asked for a client certificate and refused us without"
		    " one (try --cert NAME): %s", r->error != NULL ? r->error : "");
	} else if (r->cert_requested) {
		add(&x->rep, "client-cert", V_NOTE, -1,
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
check_options(struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;

	if (r->stage == PROBE_STAGE_HANDSHAKE)
		return;
	if (r->stage != PROBE_STAGE_DONE)
		add(&x->rep, "options", V_FAIL, -1, "no answer to OPTIONS sip:%s: %s",
		    x->domain, r->error != NULL ? r->error : "");
	else if (!is_status_line(r->status_line))
		add(&x->rep, "options", V_FAIL, -1,
		    "not a SIP response (RFC 3261 section 7.2): '%s'", r->status_line);
	else if (r->status_line[8] != '2')
		add(&x->rep, "options", V_FAIL, -1, "OPTIONS sip:%s answered '%s'",
		    x->domain, r->status_line);
	else
		add(&x->rep, "options", V_OK, -1, "%s", r->status_line);
}

static void
print_text(const struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;
	char from[21], until[21], *subject, *issuer;
	size_t i;
	unsigned k;

	printf("server   %s port %s, at %s, SIP domain %s\n", x->host, x->port,
	    r->peer, x->domain);
	if (r->tls_version != NULL)
		printf("tls      %s %s\n", r->tls_version, r->cipher);
	for (k = 0; k < x->chain_n; k++) {
		subject = dn_text(x->chain[k], 0);
		issuer = dn_text(x->chain[k], 1);
		format_time_rfc3339(gnutls_x509_crt_get_activation_time(x->chain[k]), from);
		format_time_rfc3339(gnutls_x509_crt_get_expiration_time(x->chain[k]), until);
		printf("chain    [%u] %s\n         issuer %s, valid %s to %s\n", k,
		    subject, issuer, from, until);
		free(subject);
		free(issuer);
	}
	if (r->status_line != NULL)
		printf("answer   %s\n", r->status_line);
	for (i = 0; i < x->rep.n; i++) {
		const struct finding *f = &x->rep.items[i];

		printf("%-8s %s", verdict_names[f->verdict], f->check);
		if (f->cert >= 0 && strcmp(f->check, "lint") == 0)
			printf(" [%d]", f->cert);
		printf(": %s", f->message);
		if (f->citation != NULL)
			printf(" [%s]", f->citation);
		putchar('\n');
	}
	printf("result   %zu finding%s\n", x->rep.failed, x->rep.failed == 1 ? "" : "s");
}

static void
print_json(const struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;
	struct json j;
	char when[21], *s;
	size_t i;
	unsigned k;

	json_init(&j, stdout, 1);
	json_begin_object(&j);
	json_key(&j, "version"); json_int(&j, 1);
	json_key(&j, "host"); json_string(&j, x->host);
	json_key(&j, "port"); json_int(&j, atol(x->port));
	json_key(&j, "address"); json_string(&j, r->peer[0] != '\0' ? r->peer : NULL);
	json_key(&j, "sip_domain"); json_string(&j, x->domain);
	json_key(&j, "connected"); json_bool(&j, r->stage > PROBE_STAGE_CONNECT);
	json_key(&j, "error"); json_string(&j, r->error);
	json_key(&j, "tls");
	if (r->tls_version == NULL) {
		json_null(&j);
	} else {
		json_begin_object(&j);
		json_key(&j, "version"); json_string(&j, r->tls_version);
		json_key(&j, "cipher"); json_string(&j, r->cipher);
		json_key(&j, "description"); json_string(&j, r->description);
		json_end_object(&j);
	}
	json_key(&j, "chain");
	json_begin_array(&j);
	for (k = 0; k < x->chain_n; k++) {
		json_begin_object(&j);
		json_key(&j, "index"); json_int(&j, k);
		s = dn_text(x->chain[k], 0);
		json_key(&j, "subject"); json_string(&j, s);
		free(s);
		s = dn_text(x->chain[k], 1);
		json_key(&j, "issuer"); json_string(&j, s);
		free(s);
		format_time_rfc3339(gnutls_x509_crt_get_activation_time(x->chain[k]), when);
		json_key(&j, "not_before"); json_string(&j, when);
		format_time_rfc3339(gnutls_x509_crt_get_expiration_time(x->chain[k]), when);
		json_key(&j, "not_after"); json_string(&j, when);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "client_certificate");
	json_begin_object(&j);
	json_key(&j, "name"); json_string(&j, x->cert_name);
	json_key(&j, "requested"); json_bool(&j, r->cert_requested);
	json_key(&j, "sent"); json_bool(&j, r->cert_sent);
	json_end_object(&j);
	json_key(&j, "status_line"); json_string(&j, r->status_line);
	json_key(&j, "checks");
	json_begin_array(&j);
	for (i = 0; i < x->rep.n; i++) {
		const struct finding *f = &x->rep.items[i];

		json_begin_object(&j);
		json_key(&j, "check"); json_string(&j, f->check);
		json_key(&j, "result"); json_string(&j, verdict_names[f->verdict]);
		json_key(&j, "certificate");
		if (f->cert >= 0)
			json_int(&j, f->cert);
		else
			json_null(&j);
		json_key(&j, "rule"); json_string(&j, f->rule);
		json_key(&j, "citation"); json_string(&j, f->citation);
		json_key(&j, "message"); json_string(&j, f->message);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "findings"); json_int(&j, (long long)x->rep.failed);
	json_end_object(&j);
	json_finish(&j);
}

static int
decode_chain(struct probe_ctx *x)
{
	unsigned i;

	x->chain = xcalloc(x->res.chain_n + 1, sizeof(*x->chain));
	for (i = 0; i < x->res.chain_n; i++) {
		if (gnutls_x509_crt_init(&x->chain[x->chain_n]) < 0)
			return -1;
		if (gnutls_x509_crt_import(x->chain[x->chain_n], &x->res.chain[i],
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(x->chain[x->chain_n]);
			x->chain[x->chain_n] = NULL;
			add(&x->rep, "chain", V_FAIL, (int)i,
			    "[%u] is not a certificate GnuTLS can read", i);
			return -1;
		}
		x->chain_n++;
	}
	return 0;
}

/* A store is there to take the SIP domain from (no message when not). */
static int
store_present(void)
{
	char *dir = store_default_dir(cli_dir_option()), *ca;
	int ret;

	ca = xasprintf("%s/ca.pem", dir);
	ret = path_exists(ca);
	free(ca);
	free(dir);
	return ret;
}

/* The store's SIP domain, the trust anchors and the client credentials. */
static int
load_inputs(struct probe_ctx *x, const char *ca_file, char **out_domain,
    char **out_cert_pem, unsigned char **out_key, size_t *out_key_len)
{
	struct store *store = NULL;
	struct store_cert *current = NULL;
	int status = EXIT_OK, ret;

	if (ca_file == NULL || x->cert_name != NULL ||
	    (x->domain == NULL && store_present())) {
		if ((status = signer_open_store(STORE_READONLY, &store)) != EXIT_OK)
			goto out;
		if (x->domain == NULL)
			store_setting_get(store, "domain", out_domain);
	}
	status = EXIT_USAGE;
	if (ca_file != NULL) {
		if (read_file(ca_file, 4 << 20, &x->ca_data, &x->ca_len) < 0) {
			error_msg("cannot read CA file: '%s': %s", ca_file, strerror(errno));
			goto out;
		}
		x->ca_label = ca_file;
	} else {
		if ((ret = store_read_ca_cert(store, &x->ca_data, &x->ca_len)) < 0) {
			status = signer_exit_status(ret);
			goto out;
		}
		x->ca_label = "the store's CA";
	}
	if (cert_load_all(x->ca_data, x->ca_len, &x->cas, &x->n_cas) < 0 ||
	    x->n_cas == 0) {
		error_msg("no CA certificate in '%s'", x->ca_label);
		goto out;
	}
	if (x->cert_name != NULL) {
		if (store_find_current(store, x->cert_name, &current) != STORE_OK) {
			error_msg("no current certificate named '%s' in the store",
			    x->cert_name);
			goto out;
		}
		if ((ret = store_read_issued_key(store, x->cert_name, out_key,
		    out_key_len)) == STORE_E_NOTFOUND) {
			error_msg("no key for '%s' in the store (issued from a CSR?)",
			    x->cert_name);
			goto out;
		} else if (ret < 0) {
			status = signer_exit_status(ret);
			goto out;
		}
		*out_cert_pem = current->pem;
		current->pem = NULL;
	}
	status = EXIT_OK;
out:
	store_cert_free(current);
	store_close(store);
	return status;
}

static int
cmd_probe(int argc, char **argv)
{
	struct cli_parser p;
	struct probe_ctx x;
	struct probe_params pp;
	const char *ca_file = NULL, *connect_arg = NULL;
	char *host = NULL, *port = NULL, *caddr = NULL, *cport = NULL;
	char *store_domain = NULL, *cert_pem = NULL;
	unsigned char *key = NULL;
	size_t key_len = 0;
	long timeout = 10;
	int json = 0, c, status = EXIT_USAGE;
	unsigned i;

	memset(&x, 0, sizeof(x));
	x.res.alert = -1;
	cli_parser_init(&p, &command_probe, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_CA: ca_file = p.arg; break;
		case OPT_SIP_DOMAIN: x.domain = p.arg; break;
		case OPT_CERT: x.cert_name = p.arg; break;
		case OPT_CONNECT: connect_arg = p.arg; break;
		case OPT_TIMEOUT:
			if (parse_long(p.arg, 1, 600, &timeout) < 0) {
				error_msg("invalid --timeout: '%s' (1 to 600 seconds)", p.arg);
				goto out;
			}
			break;
		case OPT_JSON: json = 1; break;
		default:
			status = cli_usage_error(&command_probe);
			goto out;
		}
	}
	if (argc - p.index != 1) {
		status = cli_usage_error(&command_probe);
		goto out;
	}
	if (split_host_port(argv[p.index], &host, &port) < 0) {
		error_msg("invalid server: '%s' (HOST[:PORT])", argv[p.index]);
		goto out;
	}
	if (connect_arg != NULL && split_host_port(connect_arg, &caddr, &cport) < 0) {
		error_msg("invalid --connect: '%s' (ADDR[:PORT])", connect_arg);
		goto out;
	}
	x.host = host;
	x.port = cport != NULL ? cport : port != NULL ? port : PROBE_DEFAULT_PORT;
	x.addr = caddr;
	if ((status = load_inputs(&x, ca_file, &store_domain, &cert_pem, &key,
	    &key_len)) != EXIT_OK)
		goto out;
	if (x.domain == NULL)
		x.domain = store_domain != NULL ? store_domain : host;

	memset(&pp, 0, sizeof(pp));
	pp.host = x.host;
	pp.addr = x.addr;
	pp.port = x.port;
	pp.sip_domain = x.domain;
	pp.timeout = (int)timeout;
	if (cert_pem != NULL) {
		pp.cert_pem = (const unsigned char *)cert_pem;
		pp.cert_pem_len = strlen(cert_pem);
		pp.key_pem = key;
		pp.key_pem_len = key_len;
	}
	x.now = sipca_now();
	if (probe_run(&pp, &x.res) < 0) {
		error_msg("%s", x.res.error);
		status = EXIT_USAGE;
		goto out;
	}
	/* Could not connect: no TCP, or a handshake the server did not refuse
	 * in words (not TLS, a timeout). */
	if (x.res.stage == PROBE_STAGE_CONNECT ||
	    (x.res.stage == PROBE_STAGE_HANDSHAKE && x.res.alert < 0 &&
	    x.res.chain_n == 0)) {
		error_msg("%s: %s", argv[p.index], x.res.error);
		if (json)
			print_json(&x);
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (x.res.stage == PROBE_STAGE_HANDSHAKE)
		add(&x.rep, "tls", V_FAIL, -1, "%s", x.res.error);
	if (x.res.chain_n == 0 && x.res.stage > PROBE_STAGE_HANDSHAKE)
		add(&x.rep, "chain", V_FAIL, -1, "the server presented no certificate");
	if (x.res.chain_n > 0 && decode_chain(&x) == 0) {
		check_verify(&x);
		check_chain(&x);
		check_identities(&x);
		check_lint(&x);
	}
	check_client_cert(&x);
	check_options(&x);
	if (json)
		print_json(&x);
	else
		print_text(&x);
	status = x.rep.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
	cli_parser_free(&p);
	for (i = 0; i < x.chain_n; i++)
		gnutls_x509_crt_deinit(x.chain[i]);
	free(x.chain);
	for (i = 0; i < x.n_cas; i++)
		gnutls_x509_crt_deinit(x.cas[i]);
	gnutls_free(x.cas);
	free(x.ca_data);
	probe_result_free(&x.res);
	report_free(&x.rep);
	secret_free_buf(key, key_len);
	free(cert_pem);
	free(store_domain);
	free(host);
	free(port);
	free(caddr);
	free(cport);
	return status;
}
