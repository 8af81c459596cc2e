/*
 * batch_plan: a provisioning file's rows into the plan of what to issue.
 *
 * Every row is parsed and validated the way 'sipca issue' checks one
 * request (issuance_default_sans, issuance_validate), CSRs loaded and
 * their signatures verified, duplicate names found; a bad row is
 * reported with its line, and a plan with any bad row issues nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "batch.h"
#include "cert.h"
#include "csv.h"
#include "eap_tls.h"
#include "fileio.h"
#include "issuance.h"
#include "report.h"
#include "san.h"
#include "scep_ra.h"
#include "util.h"
#include "validity.h"

#define MAX_BATCH_FILE (256u << 20)
#define MAX_CSR_FILE (1u << 20)

enum column {
	COL_KIND, COL_NAME, COL_URI, COL_DNS, COL_IP, COL_KEY, COL_DAYS, COL_CSR,
	N_COLUMNS,
};

static const char *const column_names[N_COLUMNS] = {
	"kind", "name", "uri", "dns", "ip", "key", "days", "csr",
};

/* What the parsing of one file shares. */
struct plan_ctx {
	const char *file;		/* as given: csr paths are under its directory */
	const char *label;		/* the file as named in messages, escaped */
	const struct batch_plan_options *o;
	struct batch_plan *plan;
	struct report *rep;
	time_t now;			/* the rows' notBefore, near enough */
	size_t capped;			/* rows whose default days the CA cuts */
	long capped_days;
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* "HEAD'VALUE'TAIL" with VALUE escaped: a new message. */
static char *
msg_with(const char *head, const char *value, const char *tail)
{
	char *v = text_echo(value), *m = xasprintf("%s'%s'%s", head, v, tail);

	free(v);
	return m;
}

/* Maps the header row to columns; returns 0 or -1 with *out_msg. */
static int
parse_header(const struct csv_record *rec, int *map, char **out_msg)
{
	int seen[N_COLUMNS] = { 0 };
	size_t i;
	int c;

	for (i = 0; i < rec->n; i++) {
		const char *h = trim(rec->fields[i]);

		for (c = 0; c < N_COLUMNS; c++)
			if (strcasecmp(h, column_names[c]) == 0)
				break;
		if (c == N_COLUMNS) {
			*out_msg = msg_with("unknown column ", h,
			    " (the columns are " BATCH_COLUMNS ")");
			return -1;
		}
		if (seen[c]) {
			*out_msg = msg_with("column ", h, " given twice");
			return -1;
		}
		seen[c] = 1;
		map[i] = c;
	}
	if (!seen[COL_KIND] || !seen[COL_NAME]) {
		*out_msg = xasprintf("the header row needs the columns kind and name"
		    " (the columns are %s)", BATCH_COLUMNS);
		return -1;
	}
	return 0;
}

/* Adds the space-separated values of a uri, dns or ip cell. */
static int
add_sans(struct san_list *l, enum san_type type, char *cell, char **out_msg)
{
	char *save = NULL, *v;
	const char *reason = NULL;

	for (v = strtok_r(cell, " \t", &save); v != NULL;
	    v = strtok_r(NULL, " \t", &save)) {
		if (type != SAN_IP) {
			san_list_add(l, type, v);
			continue;
		}
		if (san_list_add_ip(l, v, &reason) < 0) {
			char *tail = xasprintf(": %s", reason);

			*out_msg = msg_with("invalid IP address: ", v, tail);
			free(tail);
			return -1;
		}
	}
	return 0;
}

/*
 * A row's csr names a file under the CSV file's directory (the current
 * directory for stdin), never anything else on the machine: a file
 * handed over by someone else must not make sipca read /etc/shadow. An
 * absolute path or a ".." component is refused as written; a symbolic
 * link is followed only when its target is still under that directory
 * (realpath() on both). The check and the read are two steps, so it
 * guards against what the file says, not against someone who can
 * rename things in that directory while the batch runs.
 * Returns the path to read, or NULL with *out_msg.
 */
static char *
csr_path(const char *batch_file, const char *cell, char **out_msg)
{
	const char *slash = strrchr(batch_file, '/'), *p;
	char *dir = NULL, *path = NULL, *real_dir = NULL, *real = NULL;
	size_t n;

	if (cell[0] == '/') {
		*out_msg = msg_with("csr ", cell, ": an absolute path (the csr"
		    " column names a file under the CSV file's directory)");
		goto out;
	}
	for (p = cell; *p != '\0'; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*out_msg = msg_with("csr ", cell, ": '..' leaves the CSV"
			    " file's directory");
			goto out;
		}
	}
	if (strcmp(batch_file, "-") == 0 || slash == NULL)
		dir = xstrdup(".");
	else if (slash == batch_file)
		dir = xstrdup("/");
	else
		dir = xasprintf("%.*s", (int)(slash - batch_file), batch_file);
	path = xasprintf("%s/%s", dir, cell);
	/* What cannot be resolved is reported by the read, with its errno. */
	if ((real_dir = realpath(dir, NULL)) != NULL &&
	    (real = realpath(path, NULL)) != NULL) {
		n = strlen(real_dir);
		if (strcmp(real_dir, "/") != 0 &&
		    (strncmp(real, real_dir, n) != 0 || real[n] != '/')) {
			*out_msg = msg_with("csr ", cell, ": a symbolic link leads"
			    " out of the CSV file's directory");
			free(path);
			path = NULL;
		}
	}
out:
	free(dir);
	free(real_dir);
	free(real);
	return path;
}

/* Reads and verifies a row's CSR; keeps it as DER for the worker. */
static int
load_row_csr(struct plan_ctx *b, struct batch_row *row, const char *cell,
    char **out_msg)
{
	char *path = csr_path(b->file, cell, out_msg), *msg = NULL, *dropped = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t der = { NULL, 0 };
	const char *reason;
	char *tail = NULL;
	int ret = -1, gret;

	if (path == NULL)
		goto out;
	if (read_file(path, MAX_CSR_FILE, &data, &len) < 0) {
		tail = xasprintf(": %s", file_strerror(errno));
		*out_msg = msg_with("cannot read request: ", path, tail);
		goto out;
	}
	if ((gret = csr_load(data, len, &crq, &reason)) < 0) {
		tail = xasprintf(gret == CSR_E_NOT_A_REQUEST ? ": not a PKCS#10"
		    " certificate request: %s" : ": %s", reason);
		*out_msg = msg_with(gret == CSR_E_NOT_A_REQUEST ? "" :
		    "invalid request: ", path, tail);
		goto out;
	}
	if (b->o->copy_san && csr_copy_sans(crq, b->o->drop_other_sans,
	    &row->spec.sans, &dropped, &msg) < 0) {
		tail = xasprintf(": %s", msg);
		*out_msg = msg_with("invalid request: ", path, tail);
		goto out;
	}
	if (dropped != NULL) {
		char *shown = text_echo(path);

		report_add(b->rep, REPORT_WARNING, "%s:%u: '%s': not copying the"
		    " request's %s", b->label, row->line, shown, dropped);
		free(shown);
	}
	if ((gret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der)) < 0) {
		tail = xasprintf(": gnutls_x509_crq_export2: %s",
		    gnutls_strerror(gret));
		*out_msg = msg_with("invalid request: ", path, tail);
		goto out;
	}
	row->csr_der = xmalloc(der.size);
	memcpy(row->csr_der, der.data, der.size);
	row->csr_len = der.size;
	ret = 0;
out:
	gnutls_free(der.data);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	free(data);
	free(path);
	free(tail);
	free(msg);
	free(dropped);
	return ret;
}

/* The row's days against the CA's notAfter, as 'sipca issue' checks them. */
static void
row_validity(struct plan_ctx *b, const struct issuance_spec *spec,
    char **out_msg)
{
	struct validity_ask ask = { b->now, spec->days, spec->days_from,
	    b->o->ca_not_after };
	enum validity_verdict v;
	time_t not_after;

	v = validity_leaf(&ask, &not_after);
	if (v == VALIDITY_CAPPED) {
		b->capped++;
		b->capped_days = spec->days;
	} else if (v != VALIDITY_OK)
		*out_msg = validity_message(&ask, v);
}

/*
 * A row that gets a SCEP challenge instead of a certificate: a device
 * (servers are not phones that enroll themselves), whose key the phone
 * makes and whose SANs are the URIs the challenge binds.
 */
static int
challenge_row_check(const struct issuance_spec *spec, char *const *cells,
    char **out_msg)
{
	static const enum column unused[] = { COL_KEY, COL_DAYS, COL_CSR,
	    COL_DNS, COL_IP };
	size_t i;

	if (spec->kind == KIND_SERVER) {
		*out_msg = xstrdup("a server row: SCEP challenges are for devices"
		    " that enroll themselves (issue servers without"
		    " --scep-challenges)");
		return -1;
	}
	if (strcmp(spec->name, SCEP_RA_NAME) == 0) {
		*out_msg = xstrdup("'" SCEP_RA_NAME "' is the SCEP RA's name: no"
		    " device enrolls as it");
		return -1;
	}
	for (i = 0; i < sizeof(unused) / sizeof(unused[0]); i++) {
		if (cells[unused[i]] != NULL && *cells[unused[i]] != '\0') {
			*out_msg = xasprintf("a %s cell: with --scep-challenges the"
			    " phone makes its own key and the challenge binds"
			    " only the name and its URIs", column_names[unused[i]]);
			return -1;
		}
	}
	return 0;
}

/* One data row into a spec, checked the way 'sipca issue' checks one. */
static int
parse_row(struct plan_ctx *b, const struct csv_record *rec, const int *map,
    struct batch_row *row)
{
	char *cells[N_COLUMNS] = { NULL };
	struct issuance_spec *spec = &row->spec;
	char *msg = NULL;
	size_t i;

	for (i = 0; i < rec->n; i++)
		cells[map[i]] = trim(rec->fields[i]);
	spec->domain = b->o->domain;
	spec->crl_url = b->o->crl_url;
	spec->organization = b->o->organization;
	spec->allow_wildcard = b->o->allow_wildcard;
	spec->allow_foreign = b->o->allow_foreign;
	spec->force = b->o->force;
	spec->key_type = b->o->key_type;
	spec->days = b->o->days;
	spec->days_from = b->o->days_from;
	/* Names are case-insensitive: "Case1" and "case1" are one row's. */
	row->name = san_fold_store_name(xstrdup(cells[COL_NAME]));
	spec->name = row->name;

	if (strcmp(cells[COL_KIND], "server") == 0)
		spec->kind = KIND_SERVER;
	else if (strcmp(cells[COL_KIND], "device") == 0)
		spec->kind = KIND_DEVICE;
	else if (strcmp(cells[COL_KIND], "eap-tls") == 0) {
		char mac[EAP_TLS_MAC_LEN];
		const char *reason;

		/* An 802.1X device (eap_tls.h): its name is its MAC, one way. */
		if (eap_tls_mac_parse(row->name, mac, &reason) < 0) {
			char *tail = xasprintf(": %s", reason);

			msg = msg_with("invalid 802.1X device name: ", cells[COL_NAME],
			    tail);
			free(tail);
			goto out;
		}
		free(row->name);
		row->name = xstrdup(mac);
		spec->name = row->name;
		spec->kind = KIND_EAP_TLS;
	} else {
		msg = msg_with("unknown certificate kind: ", cells[COL_KIND],
		    " (server, device or eap-tls)");
		goto out;
	}
	if (b->o->challenges && challenge_row_check(spec, cells, &msg) < 0)
		goto out;
	if (cells[COL_KEY] != NULL && *cells[COL_KEY] != '\0' &&
	    key_type_parse(cells[COL_KEY], &spec->key_type) < 0) {
		msg = msg_with("unknown key type: ", cells[COL_KEY],
		    " (one of " KEY_TYPE_NAMES ")");
		goto out;
	}
	if (cells[COL_DAYS] != NULL && *cells[COL_DAYS] != '\0' &&
	    parse_long(cells[COL_DAYS], 1, 36500, &spec->days) < 0) {
		msg = msg_with("invalid days: ", cells[COL_DAYS], " (1 to 36500)");
		goto out;
	}
	if (cells[COL_DAYS] != NULL && *cells[COL_DAYS] != '\0')
		spec->days_from = "days";
	if ((cells[COL_URI] != NULL &&
	    add_sans(&spec->sans, SAN_URI, cells[COL_URI], &msg) < 0) ||
	    (cells[COL_DNS] != NULL &&
	    add_sans(&spec->sans, SAN_DNS, cells[COL_DNS], &msg) < 0) ||
	    (cells[COL_IP] != NULL &&
	    add_sans(&spec->sans, SAN_IP, cells[COL_IP], &msg) < 0))
		goto out;
	if (cells[COL_CSR] != NULL && *cells[COL_CSR] != '\0' &&
	    load_row_csr(b, row, cells[COL_CSR], &msg) < 0)
		goto out;
	issuance_default_sans(spec, b->o->no_domain_dns);
	if (issuance_validate(spec, &msg) < 0)
		goto out;
	if (!b->o->challenges)
		row_validity(b, spec, &msg);
out:
	row->error = msg;
	return msg == NULL ? 0 : -1;
}

static int
cmp_row_name(const void *a, const void *b, void *arg)
{
	const struct batch_row *rows = arg;
	const struct batch_row *x = &rows[*(const size_t *)a];
	const struct batch_row *y = &rows[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* A name twice in one file would be issued once and then refused. */
static void
find_duplicates(struct plan_ctx *b)
{
	size_t *idx = xcalloc(b->plan->n_rows ? b->plan->n_rows : 1, sizeof(*idx));
	size_t i;

	for (i = 0; i < b->plan->n_rows; i++)
		idx[i] = i;
	qsort_r(idx, b->plan->n_rows, sizeof(*idx), cmp_row_name, b->plan->rows);
	for (i = 1; i < b->plan->n_rows; i++) {
		struct batch_row *prev = &b->plan->rows[idx[i - 1]], *cur = &b->plan->rows[idx[i]];

		if (strcmp(prev->name, cur->name) == 0 && cur->error == NULL) {
			char *tail = xasprintf(" (also on line %u)", prev->line);

			cur->error = msg_with("duplicate name ", cur->name, tail);
			free(tail);
		}
	}
	free(idx);
}

static enum result
parse_rows(struct plan_ctx *b, const char *data, size_t len)
{
	size_t i, cap = 0, columns;
	struct csv_reader r;
	struct csv_record rec = { NULL, 0, 0 };
	const char *reason = NULL;
	unsigned line = 0;
	int *map = NULL, ret;
	enum result status = RESULT_E_INPUT;
	char *msg = NULL;

	csv_init(&r, data, len);
	if ((ret = csv_next(&r, &rec, &reason, &line)) <= 0) {
		if (ret == 0)
			report_add(b->rep, REPORT_MESSAGE, "%s: empty file: no header"
			    " row (the columns are %s)", b->label, BATCH_COLUMNS);
		else
			report_add(b->rep, REPORT_MESSAGE, "%s:%u: %s", b->label, line,
			    reason);
		goto out;
	}
	map = xcalloc(rec.n, sizeof(*map));
	if (parse_header(&rec, map, &msg) < 0) {
		report_add(b->rep, REPORT_MESSAGE, "%s:%u: %s", b->label, rec.line,
		    msg);
		goto out;
	}
	columns = rec.n;
	while ((ret = csv_next(&r, &rec, &reason, &line)) == 1) {
		struct batch_row *row;

		if (b->plan->n_rows == cap) {
			cap = cap ? 2 * cap : 64;
			b->plan->rows = xrealloc(b->plan->rows, cap * sizeof(*b->plan->rows));
		}
		row = &b->plan->rows[b->plan->n_rows++];
		memset(row, 0, sizeof(*row));
		row->line = rec.line;
		if (rec.n != columns) {
			row->name = xstrdup("");
			row->error = xasprintf("%zu fields where the header has %zu",
			    rec.n, columns);
			continue;
		}
		parse_row(b, &rec, map, row);
	}
	if (ret < 0) {
		report_add(b->rep, REPORT_MESSAGE, "%s:%u: %s", b->label, line, reason);
		goto out;
	}
	find_duplicates(b);
	for (i = 0; i < b->plan->n_rows; i++) {
		if (b->plan->rows[i].error != NULL) {
			report_add(b->rep, REPORT_MESSAGE, "%s:%u: %s", b->label,
			    b->plan->rows[i].line, b->plan->rows[i].error);
			b->plan->bad++;
		}
	}
	if (b->plan->bad > 0) {
		report_add(b->rep, REPORT_MESSAGE, "%s: %zu bad row%s: nothing %s",
		    b->label, b->plan->bad, b->plan->bad == 1 ? "" : "s",
		    b->o->challenges ? "created" : "issued");
		goto out;
	}
	if (b->capped > 0) {
		struct validity_ask ask = { b->now, b->capped_days, NULL,
		    b->o->ca_not_after };

		free(msg);
		msg = validity_message(&ask, VALIDITY_CAPPED);
		report_add(b->rep, REPORT_WARNING, "%s: %zu row%s: %s", b->label,
		    b->capped, b->capped == 1 ? "" : "s", msg);
	}
	status = RESULT_OK;
out:
	csv_record_clear(&rec);
	free(map);
	free(msg);
	return status;
}

static char *
file_label(const char *file)
{
	return strcmp(file, "-") == 0 ? xstrdup("stdin") :
	    text_escape(file, strlen(file), 0);
}

enum result
batch_plan_parse(const char *file, const char *data, size_t len,
    const struct batch_plan_options *o, struct batch_plan *out,
    struct report *rep)
{
	struct plan_ctx b;
	struct validity_ask ask = { sipca_now(), 1, NULL, o->ca_not_after };
	time_t not_after;
	char *label = file_label(file), *msg;
	enum result r = RESULT_E_INPUT;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	/* One message, not one per row: no row can be issued. */
	if (validity_leaf(&ask, &not_after) == VALIDITY_CA_EXPIRED) {
		msg = validity_message(&ask, VALIDITY_CA_EXPIRED);
		report_add(rep, REPORT_MESSAGE, "%s: %s", label, msg);
		free(msg);
		goto out;
	}
	b.file = file;
	b.label = label;
	b.o = o;
	b.plan = out;
	b.rep = rep;
	b.now = ask.not_before;
	r = parse_rows(&b, data, len);
out:
	free(label);
	return r;
}

enum result
batch_plan_read(const char *file, const struct batch_plan_options *o,
    struct batch_plan *out, struct report *rep)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char *label;
	enum result r;

	memset(out, 0, sizeof(*out));
	if (read_file(file, MAX_BATCH_FILE, &data, &len) < 0) {
		label = file_label(file);
		report_add(rep, REPORT_MESSAGE, "cannot read '%s': %s", label,
		    file_strerror(errno));
		free(label);
		return RESULT_E_INPUT;
	}
	r = batch_plan_parse(file, (const char *)data, len, o, out, rep);
	free(data);
	return r;
}

void
batch_plan_clear(struct batch_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_rows; i++) {
		san_list_clear(&p->rows[i].spec.sans);
		free(p->rows[i].name);
		free(p->rows[i].csr_der);
		free(p->rows[i].error);
	}
	free(p->rows);
	memset(p, 0, sizeof(*p));
}
