/*
 * lint: the engine. The rule registry (every family's table, in one
 * order), profiles and severities, findings, and lint_one(): a
 * certificate decoded once (lint_decode.c) and every enabled rule run
 * over it. Rule files call in here; the engine reaches them only
 * through their tables.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "util.h"

/* RFC 5280 4.1 and RFC 7468 5.1: one DER Certificate per PEM block. */
const struct lint_rule lint_rules_x509[] = {
	{ "x509.parse", SEV_FATAL, KINDS_ALL, 0, 0,
	  "not a decodable X.509 certificate",
	  "RFC 5280 section 4.1", NULL },
	{ "x509.trailing_data", SEV_ERROR, KINDS_ALL, 0, 0,
	  "octets follow the DER certificate in its PEM block or file",
	  "RFC 7468 section 5.1; ITU-T X.690 section 10", NULL },
	{ "x509.gnutls_refused", SEV_WARN, KINDS_ALL, 0, NEED_GNUTLS,
	  "GnuTLS refuses to import the certificate, so GnuTLS-based peers reject it",
	  "GnuTLS 3.7 gnutls_x509_crt_import()", NULL },
	{ NULL }
};

/* The one list of rule families; --list-rules prints them in this order. */
static const struct lint_rule *const lint_families[] = {
	lint_rules_x509,
	lint_rules_rfc5280,
	lint_rules_names,
	lint_rules_tls,
	lint_rules_apple,
	lint_rules_rfc5922,
	lint_rules_sip,
	lint_rules_vendor,
	lint_rules_validity,
	lint_rules_chain,
	lint_rules_constraints,
};

#define LINT_MAX_RULES 128
static const struct lint_rule *rule_list[LINT_MAX_RULES + 1];
static size_t rule_count;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void
rules_build(void)
{
	size_t i;
	const struct lint_rule *r;

	for (i = 0; i < sizeof(lint_families) / sizeof(lint_families[0]); i++)
		for (r = lint_families[i]; r->id != NULL; r++) {
			if (rule_count == LINT_MAX_RULES)
				abort();
			rule_list[rule_count++] = r;
		}
}

const struct lint_rule *const *
lint_rules(size_t *out_n)
{
	pthread_once(&rules_once, rules_build);
	if (out_n != NULL)
		*out_n = rule_count;
	return rule_list;
}

const struct lint_rule *
lint_rule_find(const char *id)
{
	size_t i, n;
	const struct lint_rule *const *r = lint_rules(&n);

	for (i = 0; i < n; i++)
		if (strcmp(r[i]->id, id) == 0)
			return r[i];
	return NULL;
}

size_t
lint_rule_index(const struct lint_rule *rule)
{
	size_t i, n;
	const struct lint_rule *const *r = lint_rules(&n);

	for (i = 0; i < n; i++)
		if (r[i] == rule)
			return i;
	return 0;
}

static const char *const severity_names[] = { "notice", "warn", "error", "fatal" };

const char *
lint_severity_name(enum lint_severity s)
{
	if ((unsigned)s > SEV_FATAL)
		return "?";
	return severity_names[s];
}

int
lint_severity_parse(const char *s, enum lint_severity *out)
{
	unsigned i;

	for (i = 0; i <= SEV_FATAL; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum lint_severity)i;
			return 0;
		}
	if (strcmp(s, "warning") == 0) {
		*out = SEV_WARN;
		return 0;
	}
	return -1;
}

static const char *const profile_names[] = {
	"rfc5280", "tls", "apple", "rfc5922", "sip", "polycom", "y2038",
	"validity", "chain", "snom", "cisco",
};

const char *
lint_profile_name(unsigned profile)
{
	unsigned i;

	for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++)
		if (profile == 1u << i)
			return profile_names[i];
	return "x509";
}

int
lint_profiles_parse(const char *list, unsigned *out, const char **out_bad)
{
	static char bad[64];
	const char *p = list, *e;
	unsigned mask = 0, i;
	size_t len;
	int found;

	while (*p != '\0') {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		found = 0;
		for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++)
			if (strlen(profile_names[i]) == len &&
			    strncmp(profile_names[i], p, len) == 0) {
				mask |= 1u << i;
				found = 1;
			}
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			mask |= PROF_ALL;
			found = 1;
		}
		if (!found) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(len < 60 ? len : 60), p);
			*out_bad = bad;
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (mask == 0) {
		*out_bad = "";
		return -1;
	}
	*out = mask;
	return 0;
}

void
lint_options_init(struct lint_options *o)
{
	memset(o, 0, sizeof(*o));
	o->profiles = PROF_ALL;
	o->role = -1;
	o->now = sipca_now();
	o->expiry_warn_days = 30;
}

int
lint_wants_gnutls(const struct lint_options *o)
{
	size_t i;

	if (o->gnutls)
		return 1;
	for (i = 0; i < o->n_ca; i++)
		if (!o->cas[i].signed_by_us || o->cas[i].constrains)
			return 1;
	return 0;
}

int
lint_rule_enabled(const struct lint_rule *r, const struct lint_options *o,
    enum cert_kind k)
{
	size_t i;

	if (!(r->kinds & LINT_KIND(k)))
		return 0;
	if (r->profile != 0 && !(o->profiles & r->profile))
		return 0;
	if ((r->needs & NEED_SIP_DOMAIN) && o->sip_domain == NULL)
		return 0;
	if ((r->needs & NEED_CA) && o->n_ca == 0)
		return 0;
	if ((r->needs & NEED_GNUTLS) && !lint_wants_gnutls(o))
		return 0;
	for (i = 0; i < o->n_exclude; i++)
		if (strcmp(o->exclude[i], r->id) == 0)
			return 0;
	return 1;
}

static void
findings_add(struct lint_findings *f, enum lint_severity sev, const char *fmt,
    va_list ap)
{
	struct lint_finding *it;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	it = &f->items[f->n++];
	it->rule = f->current;
	it->severity = sev;
	it->message = msg;
}

void
lint_report(struct lint_findings *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_add(f, f->current->severity, fmt, ap);
	va_end(ap);
}

void
lint_report_sev(struct lint_findings *f, enum lint_severity sev,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_add(f, sev, fmt, ap);
	va_end(ap);
}

const char *
lint_esc(struct lint_findings *f, const void *data, size_t len)
{
	if (f->n_esc == f->cap_esc) {
		f->cap_esc = f->cap_esc ? f->cap_esc * 2 : 4;
		f->esc = xrealloc(f->esc, f->cap_esc * sizeof(*f->esc));
	}
	f->esc[f->n_esc] = text_escape(data, len, LINT_ECHO_MAX);
	return f->esc[f->n_esc++];
}

const char *
lint_esc_str(struct lint_findings *f, const char *s)
{
	return lint_esc(f, s, strlen(s));
}

void
lint_findings_reset(struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->items[i].message);
	for (i = 0; i < f->n_esc; i++)
		free(f->esc[i]);
	f->n = 0;
	f->n_esc = 0;
	f->current = NULL;
}

void
lint_findings_free(struct lint_findings *f)
{
	if (f == NULL)
		return;
	lint_findings_reset(f);
	free(f->items);
	free(f->esc);
	f->items = NULL;
	f->esc = NULL;
	f->cap = 0;
	f->cap_esc = 0;
}

void
lint_summary_add(struct lint_summary *s, const struct lint_findings *f)
{
	size_t i;

	s->certificates++;
	for (i = 0; i < f->n; i++)
		s->count[f->items[i].severity]++;
}

static const struct {
	const char *oid, *name;
} oid_names[] = {
	{ "1.2.840.113549.1.1.1", "rsaEncryption" },
	{ "1.2.840.10045.2.1", "id-ecPublicKey" },
	{ "1.3.101.112", "Ed25519" },
	{ "1.3.101.113", "Ed448" },
	{ "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
	{ "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
	{ "1.2.840.113549.1.1.10", "RSASSA-PSS" },
	{ "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
	{ "1.2.840.113549.1.1.12", "sha384WithRSAEncryption" },
	{ "1.2.840.113549.1.1.13", "sha512WithRSAEncryption" },
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
	{ "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
	{ "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
};

const char *
lint_oid_name(const char *oid)
{
	size_t i;

	for (i = 0; i < sizeof(oid_names) / sizeof(oid_names[0]); i++)
		if (strcmp(oid_names[i].oid, oid) == 0)
			return oid_names[i].name;
	return oid;
}

const char *
lint_time_str(const struct lint_time *t, char buf[48])
{
	char tmp[21];

	if (!t->ok || t->t < 0) {
		snprintf(buf, 48, "%.40s", t->text);
		return buf;
	}
	format_time_rfc3339(t->t, tmp);
	snprintf(buf, 48, "%s", tmp);
	return buf;
}

int
lint_has_wildcard(const char *p, size_t len)
{
	return p != NULL && memchr(p, '*', len) != NULL;
}

static unsigned char
ascii_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

int
lint_text_caseeq(const char *p, size_t len, const char *s)
{
	size_t i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (ascii_lower((unsigned char)p[i]) != ascii_lower((unsigned char)s[i]))
			return 0;
	return 1;
}

void
lint_run(const struct lint_cert *c, struct lint_findings *f)
{
	const struct lint_options *o = c->opts;
	const struct lint_rule *const *rules;
	size_t i, n;

	rules = lint_rules(&n);
	if (c->tree == NULL) {
		f->current = &lint_rules_x509[0];
		lint_report(f, "%s", c->parse_error[0] ? c->parse_error : "cannot decode");
		return;
	}
	if (c->trailing > 0 && lint_rule_enabled(&lint_rules_x509[1], o, c->kind)) {
		f->current = &lint_rules_x509[1];
		lint_report(f, "%zu octets after the %zu-octet certificate",
		    c->trailing, c->der_len);
	}
	if (c->crt == NULL && lint_rule_enabled(&lint_rules_x509[2], o, c->kind)) {
		f->current = &lint_rules_x509[2];
		lint_report(f, "%s", c->gnutls_error);
	}
	for (i = 0; i < n; i++) {
		if (rules[i]->check == NULL || !lint_rule_enabled(rules[i], o, c->kind))
			continue;
		f->current = rules[i];
		rules[i]->check(c, f);
	}
	f->current = NULL;
}

void
lint_one(const struct lint_source *src, const struct lint_options *o,
    struct lint_cert *c, struct lint_findings *f)
{
	const char *problem = NULL;
	size_t len;

	memset(c, 0, sizeof(*c));
	c->file = src->file;
	c->index = src->index;
	c->line = src->line;
	c->opts = o;
	if (src->crt != NULL) {
		c->crt = src->crt;
		c->crt_borrowed = 1;
	}
	if (src->der != NULL && src->pem) {
		if ((problem = lint_pem_decode(src->der, src->len, &c->pem_der,
		    &len)) == NULL)
			lint_cert_decode(c, c->pem_der, len, o);
	} else if (src->der != NULL) {
		lint_cert_decode(c, src->der, src->len, o);
	} else {
		problem = src->problem != NULL ? src->problem : "no certificate";
	}
	if (problem != NULL)
		snprintf(c->parse_error, sizeof(c->parse_error), "%s", problem);
	lint_findings_reset(f);
	lint_run(c, f);
}
