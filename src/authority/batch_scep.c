/*
 * batch_scep: SCEP challenges for a provisioning file's device rows
 * instead of their certificates (batch_scep.h). The plan was checked
 * whole before this runs (batch_plan.c with options.challenges), so a
 * bad row never gets here; what can still fail is the store.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "batch_scep.h"
#include "report.h"
#include "san.h"
#include "san_list.h"
#include "store.h"
#include "util.h"

/* The row's URIs: the SANs a challenge binds (RFC 8894 leaves the
 * binding to the CA; sipca gives the certificate exactly these). */
static const char **
row_uris(const struct batch_row *row, size_t *out_n)
{
	const struct san_list *l = &row->spec.sans;
	const char **uris = xcalloc(l->n ? l->n : 1, sizeof(*uris));
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->items[i].type == SAN_URI)
			uris[n++] = l->items[i].value;
	*out_n = n;
	return uris;
}

enum result
batch_scep_create(const struct batch_plan *plan, struct store *s,
    const char *domain, const char *file, long ttl,
    struct batch_challenges *out, struct report *rep)
{
	struct scep_challenge_spec spec;
	struct store_record *rec = NULL;
	const char **uris = NULL;
	char *label = strcmp(file, "-") == 0 ? xstrdup("stdin") :
	    text_escape(file, strlen(file), 0), *origin = NULL;
	enum result r = RESULT_OK;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rows = xcalloc(plan->n_rows ? plan->n_rows : 1, sizeof(*out->rows));
	for (i = 0; i < plan->n_rows && r == RESULT_OK; i++) {
		const struct batch_row *row = &plan->rows[i];
		struct batch_challenge *c = &out->rows[out->n];

		memset(&spec, 0, sizeof(spec));
		free(origin);
		origin = xasprintf("batch %s:%u", label, row->line);
		uris = row_uris(row, &spec.n_uris);
		spec.name = row->name;
		spec.uris = spec.n_uris > 0 ? uris : NULL;
		spec.ttl = ttl;
		spec.origin = origin;
		spec.eap_tls = row->spec.kind == KIND_EAP_TLS;
		c->name = row->name;
		if ((r = scep_challenge_create(s, domain, &spec, c->challenge,
		    rep)) != RESULT_OK) {
			report_add(rep, REPORT_MESSAGE, "%s:%u: no challenge for '%s'",
			    label, row->line, row->name);
			gnutls_memset(c->challenge, 0, sizeof(c->challenge));
		} else {
			out->n++;
			/* The expiry the store holds, not a second guess of it. */
			if (store_record_get(s, SCEP_CHALLENGE_KIND, row->name,
			    &rec) == STORE_OK) {
				c->expires = rec->expires;
			} else {
				report_add(rep, REPORT_MESSAGE, "%s:%u: the challenge"
				    " for '%s' is not in the store: %s", label,
				    row->line, row->name, store_last_message(s));
				r = RESULT_E_FAILED;
			}
			store_record_free(rec);
			rec = NULL;
		}
		free(uris);
		uris = NULL;
	}
	if (r != RESULT_OK) {
		batch_scep_revoke(s, out);
		batch_challenges_clear(out);
	}
	free(origin);
	free(label);
	return r;
}

void
batch_scep_revoke(struct store *s, const struct batch_challenges *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		(void)scep_challenge_revoke(s, c->rows[i].name);
}

/* A field as RFC 4180 section 2 quotes it, when it needs quoting. */
static void
csv_field(char **buf, size_t *len, size_t *cap, const char *v, int last)
{
	int quote = strpbrk(v, ",\"\r\n") != NULL;
	size_t need = 2 * strlen(v) + 5, i;

	if (*len + need > *cap) {
		char *grown;

		*cap = 2 * (*len + need);
		/* Copied, not realloc'd: the old buffer holds challenges. */
		grown = xmalloc(*cap);
		memcpy(grown, *buf, *len);
		gnutls_memset(*buf, 0, *len);
		free(*buf);
		*buf = grown;
	}
	if (quote)
		(*buf)[(*len)++] = '"';
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] == '"')
			(*buf)[(*len)++] = '"';
		(*buf)[(*len)++] = v[i];
	}
	if (quote)
		(*buf)[(*len)++] = '"';
	if (last) {
		(*buf)[(*len)++] = '\r';
		(*buf)[(*len)++] = '\n';
	} else
		(*buf)[(*len)++] = ',';
	(*buf)[*len] = '\0';
}

char *
batch_scep_csv(const struct batch_challenges *c, size_t *out_len)
{
	size_t len = 0, cap = 256, i;
	char *buf = xmalloc(cap), until[21];

	buf[0] = '\0';
	csv_field(&buf, &len, &cap, "name", 0);
	csv_field(&buf, &len, &cap, "challenge", 0);
	csv_field(&buf, &len, &cap, "expires", 1);
	for (i = 0; i < c->n; i++) {
		format_time_rfc3339(c->rows[i].expires, until);
		csv_field(&buf, &len, &cap, c->rows[i].name, 0);
		csv_field(&buf, &len, &cap, c->rows[i].challenge, 0);
		csv_field(&buf, &len, &cap, until, 1);
	}
	*out_len = len;
	return buf;
}

void
batch_challenges_clear(struct batch_challenges *c)
{
	if (c == NULL)
		return;
	if (c->rows != NULL)
		gnutls_memset(c->rows, 0, c->n * sizeof(*c->rows));
	free(c->rows);
	memset(c, 0, sizeof(*c));
}
