/*
 * sipca show: a certificate from the store by name, or every certificate
 * of a file (a chain, a bundle), or a certificate request, laid out for a
 * person (who it is for, until when, with which key) or as JSON. What
 * the file says is describe.c's; this file chooses what to read and
 * formats it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "cli.h"
#include "cli_status.h"
#include "describe.h"
#include "fileio.h"
#include "issuance.h"
#include "json.h"
#include "report.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_JSON = 256 };

static const struct cli_option show_options[] = {
	{ "json", OPT_JSON, 0, NULL, NULL, "print one JSON object (schema in README.md, Showing a certificate)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_show(int argc, char **argv);

/*
 * The rule for an argument that could be either (README "Showing a
 * certificate"): a path is always a file, a bare word is the store's
 * name first.
 */
const struct command command_show = {
	"show", cmd_show,
	"show [--json] NAME   (the store's NAME; the file NAME when the store has none)\n"
	"show [--json] PATH   (a file: PATH has a '/', as ./NAME; - is stdin)",
	"Show a certificate, every certificate of a chain file, or a request (CSR).",
	show_options, "@name,@file",
};

/* What is shown: the store's row (NULL for a file) and what it holds. */
struct shown {
	const char *arg;		/* as typed */
	const struct store_cert *row;
	struct description_list list;
};

/* A name or other value as encoded, for the terminal. */
static void
print_text(const char *label, const struct describe_text *t)
{
	char *text = text_escape(t->data, t->len, 0);

	printf("%-12s %s\n", label, text);
	free(text);
}

/*
 * Every GeneralName, identities first, each value escaped and whole: a
 * NUL inside a name shows as \x00 instead of ending it, and a value whose
 * octets are no value of its type says why.
 */
static const enum san_type san_order[] = {
	SAN_URI, SAN_DNS, SAN_IP, SAN_EMAIL, SAN_DIRNAME, SAN_OTHERNAME,
	SAN_RID, SAN_X400, SAN_EDIPARTY,
};
#define N_SAN_ORDER (sizeof(san_order) / sizeof(san_order[0]))

static void
print_sans(const struct description *d)
{
	const char *label = "SAN";
	char *text;
	size_t i, j;

	if (d->sans_error < 0)
		printf("%-12s (unreadable: %s)\n", label, gnutls_strerror(d->sans_error));
	else if (d->sans.n == 0)
		printf("%-12s (none)\n", label);
	for (j = 0; j < N_SAN_ORDER; j++) {
		for (i = 0; i < d->sans.n; i++) {
			const struct san_entry *e = &d->sans.items[i];

			if (e->type != san_order[j])
				continue;
			text = text_escape(e->value, e->len, 0);
			printf("%-12s %s:%s%s%s%s\n", label, san_type_name(e->type), text,
			    e->problem != NULL ? " (" : "",
			    e->problem != NULL ? e->problem : "",
			    e->problem != NULL ? ")" : "");
			free(text);
			label = "";
		}
	}
}

static void
print_key(const struct description *d)
{
	const struct describe_key *k = &d->key;
	const char *algo = k->algorithm != NULL ? k->algorithm : "unknown";
	const char *sig = d->signature_algorithm != NULL ? d->signature_algorithm :
	    "unknown";

	if (k->curve != NULL)
		printf("%-12s %s %s (%u bits)\n", "key", algo, k->curve, k->bits);
	else
		printf("%-12s %s %u bits\n", "key", algo, k->bits);
	if (d->kind == DESCRIBE_REQUEST && d->signature_valid)
		printf("%-12s %s (valid)\n", "signature", sig);
	else if (d->kind == DESCRIBE_REQUEST)
		printf("%-12s %s (does not verify: %s)\n", "signature", sig,
		    d->signature_problem);
	else
		printf("%-12s %s\n", "signature", sig);
}

static void
print_usages(const struct description *d)
{
	const char *name, *sep = "";
	unsigned bit;
	size_t i;

	if (d->has_key_usage) {
		printf("%-12s ", "key usage");
		for (i = 0; (name = describe_key_usage_name(i, &bit)) != NULL; i++) {
			if (d->key_usage & bit) {
				printf("%s%s", sep, name);
				sep = ", ";
			}
		}
		printf("%s\n", d->key_usage_critical ? " (critical)" : "");
	}
	for (i = 0; i < d->n_eku; i++)
		printf("%s%s", i == 0 ? "ext usage    " : ", ",
		    describe_eku_name(d->eku[i]));
	if (d->n_eku > 0)
		printf("\n");
	if (d->has_constraints && d->ca && d->path_len >= 0)
		printf("%-12s CA, path length %d\n", "constraints", d->path_len);
	else if (d->has_constraints)
		printf("%-12s %s\n", "constraints", d->ca ? "CA" : "not a CA");
}

static void
print_fingerprint(const char *label, const unsigned char *fp, size_t len)
{
	char *hex = hex_colon(fp, len);

	printf("%-12s %s\n", label, hex);
	free(hex);
}

static void
print_one(const struct shown *s, const struct description *d)
{
	char from[21], until[21], *origin;

	if (s->row != NULL)
		printf("%-12s %s (%s, %s)\n", "name", s->row->name, s->row->kind,
		    store_status_name(s->row->status));
	/* The index is a file that may have been edited: escaped. */
	if (s->row != NULL && s->row->origin != NULL) {
		origin = text_echo(s->row->origin);
		printf("%-12s %s\n", "origin", origin);
		free(origin);
	}
	print_text("subject", &d->subject);
	if (d->kind == DESCRIBE_CERT) {
		print_text("issuer", &d->issuer);
		if (d->serial[0] != '\0')
			printf("%-12s %s\n", "serial", d->serial);
		format_time_rfc3339(d->not_before, from);
		format_time_rfc3339(d->not_after, until);
		printf("%-12s %s\n%-12s %s\n", "not before", from, "not after", until);
	}
	print_sans(d);
	print_key(d);
	print_usages(d);
	if (d->has_fingerprints) {
		print_fingerprint("SHA-256", d->sha256, sizeof(d->sha256));
		print_fingerprint("SHA-1", d->sha1, sizeof(d->sha1));
	}
}

/* "3 certificates in chain.pem" before a file of several, each numbered. */
static void
print_text_all(const struct shown *s)
{
	const struct description_list *l = &s->list;
	char *where = strcmp(s->arg, "-") == 0 ? xstrdup("standard input") :
	    text_echo(s->arg);
	size_t i;

	if (l->items[0].kind == DESCRIBE_REQUEST)
		printf("certificate request in %s\n\n", where);
	else if (l->n > 1)
		printf("%zu certificates in %s\n", l->n, where);
	for (i = 0; i < l->n; i++) {
		if (l->n > 1)
			printf("\n%-12s %zu of %zu\n", "certificate", i + 1, l->n);
		print_one(s, &l->items[i]);
	}
	free(where);
}

/* A JSON string of bytes that may hold a NUL: escaped as text_escape() does. */
static void
json_bytes(struct jsonw *j, const char *data, size_t len)
{
	char *text;

	if (memchr(data, '\0', len) == NULL) {
		jsonw_string(j, data);
		return;
	}
	text = text_escape(data, len, 0);
	jsonw_string(j, text);
	free(text);
}

static void
json_time(struct jsonw *j, const char *key, time_t t)
{
	char buf[21];

	format_time_rfc3339(t, buf);
	jsonw_key(j, key);
	jsonw_string(j, buf);
}

static void
json_fingerprint(struct jsonw *j, const char *key, const unsigned char *fp,
    size_t len)
{
	char *hex = hex_colon(fp, len);

	jsonw_key(j, key);
	jsonw_string(j, hex);
	free(hex);
}

static void
json_sans(struct jsonw *j, const struct description *d)
{
	size_t i, k;

	jsonw_key(j, "sans");
	jsonw_begin_array(j);
	for (k = 0; k < N_SAN_ORDER; k++) {
		for (i = 0; i < d->sans.n; i++) {
			const struct san_entry *e = &d->sans.items[i];

			if (e->type != san_order[k])
				continue;
			jsonw_begin_object(j);
			jsonw_key(j, "type");
			jsonw_string(j, san_type_name(e->type));
			jsonw_key(j, "value");
			json_bytes(j, e->value, e->len);
			jsonw_key(j, "problem");
			jsonw_string(j, e->problem);
			jsonw_end_object(j);
		}
	}
	jsonw_end_array(j);
	jsonw_key(j, "sans_error");
	jsonw_string(j, d->sans_error < 0 ? gnutls_strerror(d->sans_error) : NULL);
}

static void
json_key_info(struct jsonw *j, const struct describe_key *k)
{
	jsonw_key(j, "key");
	jsonw_begin_object(j);
	jsonw_key(j, "type");
	jsonw_string(j, k->type);
	jsonw_key(j, "algorithm");
	jsonw_string(j, k->algorithm);
	jsonw_key(j, "bits");
	jsonw_int(j, k->bits);
	jsonw_key(j, "curve");
	jsonw_string(j, k->curve);
	jsonw_end_object(j);
}

static void
json_usages(struct jsonw *j, const struct description *d)
{
	const char *name;
	unsigned bit;
	size_t i;

	jsonw_key(j, "key_usage");
	if (d->has_key_usage) {
		jsonw_begin_object(j);
		jsonw_key(j, "critical");
		jsonw_bool(j, d->key_usage_critical);
		jsonw_key(j, "usages");
		jsonw_begin_array(j);
		for (i = 0; (name = describe_key_usage_name(i, &bit)) != NULL; i++)
			if (d->key_usage & bit)
				jsonw_string(j, name);
		jsonw_end_array(j);
		jsonw_end_object(j);
	} else
		jsonw_null(j);
	jsonw_key(j, "extended_key_usage");
	jsonw_begin_array(j);
	for (i = 0; i < d->n_eku; i++)
		jsonw_string(j, describe_eku_name(d->eku[i]));
	jsonw_end_array(j);
	jsonw_key(j, "basic_constraints");
	if (d->has_constraints) {
		jsonw_begin_object(j);
		jsonw_key(j, "ca");
		jsonw_bool(j, d->ca);
		jsonw_key(j, "path_length");
		if (d->path_len >= 0)
			jsonw_int(j, d->path_len);
		else
			jsonw_null(j);
		jsonw_end_object(j);
	} else
		jsonw_null(j);
}

static void
json_one(struct jsonw *j, const struct description *d, size_t position)
{
	int cert = d->kind == DESCRIBE_CERT;

	jsonw_begin_object(j);
	jsonw_key(j, "position");
	jsonw_int(j, (long long)position);
	jsonw_key(j, "type");
	jsonw_string(j, cert ? "certificate" : "request");
	jsonw_key(j, "subject");
	json_bytes(j, d->subject.data, d->subject.len);
	if (cert) {
		jsonw_key(j, "issuer");
		json_bytes(j, d->issuer.data, d->issuer.len);
		jsonw_key(j, "serial");
		jsonw_string(j, d->serial);
		json_time(j, "not_before", d->not_before);
		json_time(j, "not_after", d->not_after);
	}
	json_sans(j, d);
	json_key_info(j, &d->key);
	jsonw_key(j, "signature_algorithm");
	jsonw_string(j, d->signature_algorithm);
	if (!cert) {
		jsonw_key(j, "signature_valid");
		jsonw_bool(j, d->signature_valid);
		jsonw_key(j, "signature_problem");
		jsonw_string(j, d->signature_problem);
	}
	json_usages(j, d);
	if (cert && d->has_fingerprints) {
		json_fingerprint(j, "sha256", d->sha256, sizeof(d->sha256));
		json_fingerprint(j, "sha1", d->sha1, sizeof(d->sha1));
	}
	jsonw_end_object(j);
}

static void
print_json_all(const struct shown *s)
{
	struct jsonw j;
	size_t i;

	jsonw_init(&j, stdout, 1);
	jsonw_begin_object(&j);
	jsonw_key(&j, "source");
	jsonw_string(&j, s->row != NULL ? "store" : "file");
	if (s->row != NULL) {
		jsonw_key(&j, "name");
		jsonw_string(&j, s->row->name);
		jsonw_key(&j, "kind");
		jsonw_string(&j, s->row->kind);
		jsonw_key(&j, "status");
		jsonw_string(&j, store_status_name(s->row->status));
		if (s->row->origin != NULL) {
			jsonw_key(&j, "origin");
			jsonw_string(&j, s->row->origin);
		}
	} else {
		jsonw_key(&j, "path");
		jsonw_string(&j, s->arg);
	}
	jsonw_key(&j, "type");
	jsonw_string(&j, s->list.items[0].kind == DESCRIBE_CERT ? "certificates" :
	    "request");
	jsonw_key(&j, "count");
	jsonw_int(&j, (long long)s->list.n);
	jsonw_key(&j, "items");
	jsonw_begin_array(&j);
	for (i = 0; i < s->list.n; i++)
		json_one(&j, &s->list.items[i], i + 1);
	jsonw_end_array(&j);
	jsonw_end_object(&j);
	jsonw_finish(&j);
}

/*
 * Finds what to read. A path ('/' in it, or "-") is a file. A bare word
 * is the store's certificate of that name; the file of that name is read
 * when the store has none, or when there is no store at all; when both
 * exist the store wins and stderr says how to get the file. Returns the
 * exit status; on success *out_row is the store's row or NULL for a file.
 */
static int
resolve(const char *what, struct store **out_store, struct store_cert **out_row)
{
	struct report rep = { NULL, 0 };
	char *shown = NULL;
	int ret, status = EXIT_OK;

	*out_row = NULL;
	if (strchr(what, '/') != NULL || strcmp(what, "-") == 0)
		goto out;
	shown = text_echo(what);
	ret = signer_open_store(cli_dir_option(), STORE_READONLY, out_store, &rep);
	if (ret == STORE_E_NOCA && path_exists(what))
		goto out;	/* no store: the word can only be a file */
	if (ret < 0) {
		if (ret == STORE_E_NOCA)
			error_msg("cannot read '%s': %s", shown, file_strerror(ENOENT));
		cli_report_print(&rep);
		status = cli_store_status(ret);
		goto out;
	}
	ret = issuance_find_current(*out_store, what, out_row);
	if (ret == STORE_OK && path_exists(what))
		error_msg("note: showing the store's '%s'; for the file of that name,"
		    " use ./%s", shown, shown);
	else if (ret == STORE_E_NOTFOUND && !path_exists(what)) {
		error_msg("no certificate named '%s' in the store", shown);
		status = EXIT_USAGE;
	} else if (ret < 0 && ret != STORE_E_NOTFOUND)
		status = cli_store_outcome(*out_store, ret);
out:
	report_clear(&rep);
	free(shown);
	return status;
}

static int
cmd_show(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct store_cert *row = NULL;
	struct shown s;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *reason = NULL;
	char *shown = NULL;
	int c, as_json = 0, status = EXIT_USAGE;

	memset(&s, 0, sizeof(s));
	cli_parser_init(&p, &command_show, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		if (c == OPT_JSON) {
			as_json = 1;
			continue;
		}
		status = c == CLI_HELP ? EXIT_OK : cli_usage_error(&command_show);
		goto out;
	}
	if (argc - p.index != 1) {
		cli_operand_error(argc - p.index, argv + p.index,
		    "NAME or FILE: the certificate to show");
		status = cli_usage_error(&command_show);
		goto out;
	}
	s.arg = argv[p.index];
	shown = text_echo(s.arg);
	if ((status = resolve(s.arg, &store, &row)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	if (row != NULL) {
		len = strlen(row->pem);
		data = (unsigned char *)xstrdup(row->pem);
	} else if (read_file(s.arg, 16u << 20, &data, &len) < 0) {
		error_msg("cannot read '%s': %s", shown, file_strerror(errno));
		goto out;
	}
	if (describe_load(data, len, &s.list, &reason) < 0) {
		error_msg("not a certificate or certificate request: '%s': %s", shown,
		    reason);
		goto out;
	}
	s.row = row;
	if (as_json)
		print_json_all(&s);
	else
		print_text_all(&s);
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	description_list_clear(&s.list);
	free(data);
	free(shown);
	store_cert_free(row);
	store_close(store);
	return status;
}
