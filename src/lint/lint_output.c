/*
 * lint_output: text, JSON and SARIF 2.1.0 writers for lint results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "lint_output.h"
#include "util.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SIPCA_URI "https://github.com/sipca/sipca"

struct lint_output {
	enum lint_format fmt;
	FILE *f;
	int colour;
	struct jsonw j;
};

int
lint_format_parse(const char *s, enum lint_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LINT_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LINT_FORMAT_JSON;
	else if (strcmp(s, "sarif") == 0)
		*out = LINT_FORMAT_SARIF;
	else
		return -1;
	return 0;
}

int
lint_output_want_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	/* https://no-color.org: set and not empty means no colour */
	if (nc != NULL && nc[0] != '\0')
		return 0;
	/* A terminal that says it is dumb (Emacs shells, serial consoles)
	 * shows escape sequences as text, as git and ls also assume. */
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}

/* SARIF 2.1.0 section 3.27.10: error, warning, note. */

/* One member of the object being written: "key": value. */
static void
put_str(struct jsonw *j, const char *key, const char *value)
{
	jsonw_key(j, key);
	jsonw_string(j, value);
}

static void
put_int(struct jsonw *j, const char *key, long long value)
{
	jsonw_key(j, key);
	jsonw_int(j, value);
}

/* SARIF's message objects: "key": { "text": value }. */
static void
put_text(struct jsonw *j, const char *key, const char *value)
{
	jsonw_key(j, key);
	jsonw_begin_object(j);
	put_str(j, "text", value);
	jsonw_end_object(j);
}

static const char *
sarif_level(enum lint_severity s)
{
	switch (s) {
	case SEV_FATAL:
	case SEV_ERROR:
		return "error";
	case SEV_WARN:
		return "warning";
	default:
		return "note";
	}
}

static const char *
sarif_uri(const char *file)
{
	if (strcmp(file, "-") == 0)
		return "stdin";
	/* SARIF artifact URIs are relative references: no leading "./" */
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	return file;
}

static void
write_rule_json(struct jsonw *j, const struct lint_rule *r)
{
	jsonw_begin_object(j);
	put_str(j, "id", r->id);
	put_str(j, "severity", lint_severity_name(r->severity));
	put_str(j, "profile", lint_profile_name(r->profile));
	jsonw_key(j, "kinds");
	jsonw_begin_array(j);
	if (r->kinds & KINDS_CA)
		jsonw_string(j, "ca");
	if (r->kinds & KINDS_SERVER)
		jsonw_string(j, "server");
	if (r->kinds & KINDS_DEVICE)
		jsonw_string(j, "device");
	if (r->kinds & KINDS_EAP_TLS)
		jsonw_string(j, "eap-tls");
	jsonw_end_array(j);
	put_str(j, "summary", r->summary);
	put_str(j, "citation", r->citation);
	jsonw_key(j, "needs");
	jsonw_string(j, r->needs & NEED_SIP_DOMAIN ? "--sip-domain" :
	    r->needs & NEED_CA ? "--ca" : r->needs & NEED_GNUTLS ? "--gnutls" :
	    NULL);
	jsonw_end_object(j);
}

static void
write_sarif_rule(struct jsonw *j, const struct lint_rule *r)
{
	char *full = xasprintf("%s [%s]", r->summary, r->citation);

	jsonw_begin_object(j);
	put_str(j, "id", r->id);
	put_str(j, "name", r->id);
	put_text(j, "shortDescription", r->summary);
	put_text(j, "fullDescription", full);
	put_text(j, "help", full);
	jsonw_key(j, "defaultConfiguration");
	jsonw_begin_object(j);
	put_str(j, "level", sarif_level(r->severity));
	jsonw_end_object(j);
	jsonw_key(j, "properties");
	jsonw_begin_object(j);
	put_str(j, "citation", r->citation);
	put_str(j, "severity", lint_severity_name(r->severity));
	put_str(j, "profile", lint_profile_name(r->profile));
	jsonw_end_object(j);
	jsonw_end_object(j);
	free(full);
}

void
lint_output_rules(FILE *f, enum lint_format fmt)
{
	const struct lint_rule *const *rules;
	struct jsonw j;
	size_t i, n;

	rules = lint_rules(&n);
	if (fmt == LINT_FORMAT_TEXT) {
		for (i = 0; i < n; i++)
			fprintf(f, "%-34s %-6s %-8s %s [%s]\n", rules[i]->id,
			    lint_severity_name(rules[i]->severity),
			    lint_profile_name(rules[i]->profile), rules[i]->summary,
			    rules[i]->citation);
		return;
	}
	jsonw_init(&j, f, 0);
	jsonw_begin_object(&j);
	jsonw_key(&j, "version");
	jsonw_int(&j, 1);
	jsonw_key(&j, "rules");
	jsonw_begin_array(&j);
	for (i = 0; i < n; i++)
		write_rule_json(&j, rules[i]);
	jsonw_end_array(&j);
	jsonw_end_object(&j);
	jsonw_finish(&j);
}

struct lint_output *
lint_output_new(enum lint_format fmt, FILE *f, int colour)
{
	struct lint_output *o = xcalloc(1, sizeof(*o));
	const struct lint_rule *const *rules;
	size_t i, n;

	o->fmt = fmt;
	o->f = f;
	o->colour = colour && fmt == LINT_FORMAT_TEXT;
	if (fmt == LINT_FORMAT_JSON) {
		jsonw_init(&o->j, f, 0);
		jsonw_begin_object(&o->j);
		jsonw_key(&o->j, "version");
		jsonw_int(&o->j, 1);
		jsonw_key(&o->j, "results");
		jsonw_begin_array(&o->j);
	} else if (fmt == LINT_FORMAT_SARIF) {
		rules = lint_rules(&n);
		jsonw_init(&o->j, f, 0);
		jsonw_begin_object(&o->j);
		jsonw_key(&o->j, "$schema");
		jsonw_string(&o->j, SARIF_SCHEMA);
		jsonw_key(&o->j, "version");
		jsonw_string(&o->j, "2.1.0");
		jsonw_key(&o->j, "runs");
		jsonw_begin_array(&o->j);
		jsonw_begin_object(&o->j);
		jsonw_key(&o->j, "tool");
		jsonw_begin_object(&o->j);
		jsonw_key(&o->j, "driver");
		jsonw_begin_object(&o->j);
		jsonw_key(&o->j, "name");
		jsonw_string(&o->j, "sipca lint");
		jsonw_key(&o->j, "informationUri");
		jsonw_string(&o->j, SIPCA_URI);
		jsonw_key(&o->j, "rules");
		jsonw_begin_array(&o->j);
		for (i = 0; i < n; i++)
			write_sarif_rule(&o->j, rules[i]);
		jsonw_end_array(&o->j);
		jsonw_end_object(&o->j);
		jsonw_end_object(&o->j);
		jsonw_key(&o->j, "results");
		jsonw_begin_array(&o->j);
	}
	return o;
}

static const char *
sev_colour(enum lint_severity s)
{
	switch (s) {
	case SEV_FATAL:
		return "\033[1;31m";
	case SEV_ERROR:
		return "\033[31m";
	case SEV_WARN:
		return "\033[33m";
	default:
		return "\033[36m";
	}
}

/*
 * The file name is escaped here (a name may hold any octet but '/' and
 * NUL); the messages are text already, as the rules escape every value
 * they quote (lint_esc()).
 */
static void
output_text(struct lint_output *o, const struct lint_cert *c,
    const struct lint_findings *f)
{
	size_t i;
	const struct lint_finding *it;
	char *file;

	if (f->n == 0)
		return;
	file = text_escape(c->file, strlen(c->file), 0);
	for (i = 0; i < f->n; i++) {
		it = &f->items[i];
		fprintf(o->f, "%s#%u: %s%s%s %s: %s [%s]\n", file, c->index,
		    o->colour ? sev_colour(it->severity) : "",
		    lint_severity_name(it->severity), o->colour ? "\033[0m" : "",
		    it->rule->id, it->message, it->rule->citation);
	}
	free(file);
}

static void
output_json(struct lint_output *o, const struct lint_cert *c,
    const struct lint_findings *f)
{
	struct jsonw *j = &o->j;
	size_t i;

	jsonw_begin_object(j);
	put_str(j, "file", c->file);
	put_int(j, "index", c->index);
	put_int(j, "line", c->line);
	put_str(j, "subject", c->decoded ? c->subject_text : NULL);
	put_str(j, "kind", c->decoded ? cert_kind_name(c->kind) : NULL);
	jsonw_key(j, "findings");
	jsonw_begin_array(j);
	for (i = 0; i < f->n; i++) {
		jsonw_begin_object(j);
		put_str(j, "rule", f->items[i].rule->id);
		put_str(j, "severity", lint_severity_name(f->items[i].severity));
		put_str(j, "message", f->items[i].message);
		put_str(j, "citation", f->items[i].rule->citation);
		jsonw_end_object(j);
	}
	jsonw_end_array(j);
	jsonw_end_object(j);
}

static void
output_sarif(struct lint_output *o, const struct lint_cert *c,
    const struct lint_findings *f)
{
	struct jsonw *j = &o->j;
	size_t i;
	char *msg;

	for (i = 0; i < f->n; i++) {
		msg = xasprintf("%s#%u: %s [%s]", c->file, c->index,
		    f->items[i].message, f->items[i].rule->citation);
		jsonw_begin_object(j);
		put_str(j, "ruleId", f->items[i].rule->id);
		put_int(j, "ruleIndex", (long long)lint_rule_index(f->items[i].rule));
		put_str(j, "level", sarif_level(f->items[i].severity));
		put_text(j, "message", msg);
		jsonw_key(j, "locations");
		jsonw_begin_array(j);
		jsonw_begin_object(j);
		jsonw_key(j, "physicalLocation");
		jsonw_begin_object(j);
		jsonw_key(j, "artifactLocation");
		jsonw_begin_object(j);
		put_str(j, "uri", sarif_uri(c->file));
		jsonw_end_object(j);
		jsonw_key(j, "region");
		jsonw_begin_object(j);
		put_int(j, "startLine", c->line > 0 ? c->line : 1);
		jsonw_end_object(j);
		jsonw_end_object(j);
		jsonw_end_object(j);
		jsonw_end_array(j);
		jsonw_key(j, "properties");
		jsonw_begin_object(j);
		put_str(j, "severity", lint_severity_name(f->items[i].severity));
		put_int(j, "certificateIndex", c->index);
		jsonw_end_object(j);
		jsonw_end_object(j);
		free(msg);
	}
}

void
lint_output_cert(struct lint_output *o, const struct lint_cert *c,
    const struct lint_findings *f)
{
	switch (o->fmt) {
	case LINT_FORMAT_TEXT:
		output_text(o, c, f);
		break;
	case LINT_FORMAT_JSON:
		output_json(o, c, f);
		break;
	case LINT_FORMAT_SARIF:
		output_sarif(o, c, f);
		break;
	}
}

void
lint_output_finish(struct lint_output *o, const struct lint_summary *s)
{
	struct jsonw *j = &o->j;
	static const char *const names[] = { "notice", "warn", "error", "fatal" };
	int i;

	switch (o->fmt) {
	case LINT_FORMAT_TEXT:
		fprintf(o->f, "%lu certificate%s: %lu fatal, %lu error, %lu warn, %lu notice\n",
		    s->certificates, s->certificates == 1 ? "" : "s",
		    s->count[SEV_FATAL], s->count[SEV_ERROR], s->count[SEV_WARN],
		    s->count[SEV_NOTICE]);
		break;
	case LINT_FORMAT_JSON:
		jsonw_end_array(j);
		jsonw_key(j, "summary");
		jsonw_begin_object(j);
		put_int(j, "certificates", (long long)s->certificates);
		for (i = SEV_FATAL; i >= SEV_NOTICE; i--) {
			jsonw_key(j, names[i]);
			jsonw_int(j, (long long)s->count[i]);
		}
		jsonw_end_object(j);
		jsonw_end_object(j);
		jsonw_finish(j);
		break;
	case LINT_FORMAT_SARIF:
		jsonw_end_array(j);	/* results */
		jsonw_end_object(j);	/* run */
		jsonw_end_array(j);	/* runs */
		jsonw_end_object(j);
		jsonw_finish(j);
		break;
	}
}

void
lint_output_free(struct lint_output *o)
{
	free(o);
}
