/*
 * sipca probe: checks a live SIP-over-TLS server the way a careful phone
 * would. Options, inputs (the CA, the SIP domain, the --cert credentials)
 * and output; the session is probe.c's, the judging probe_check.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "json.h"
#include "probe_check.h"
#include "secret.h"
#include "signer.h"
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
	const char *port;
	const char *domain;		/* --sip-domain, or NULL */
	unsigned char *ca_data;		/* the CA file or the store's ca.pem */
	size_t ca_len;
	gnutls_x509_crt_t *cas;
	unsigned n_cas;
	struct probe_result res;
	struct probe_check chk;		/* borrows from the fields above */
};

static void
print_text(const struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;
	char from[21], until[21], *subject, *issuer;
	size_t i;
	unsigned k;

	printf("server   %s port %s, at %s, SIP domain %s\n", x->chk.host, x->port,
	    r->peer, x->chk.domain);
	if (r->tls_version != NULL)
		printf("tls      %s %s\n", r->tls_version, r->cipher);
	for (k = 0; k < x->chk.chain_n; k++) {
		subject = probe_dn(x->chk.chain[k], 0);
		issuer = probe_dn(x->chk.chain[k], 1);
		format_time_rfc3339(gnutls_x509_crt_get_activation_time(x->chk.chain[k]), from);
		format_time_rfc3339(gnutls_x509_crt_get_expiration_time(x->chk.chain[k]), until);
		printf("chain    [%u] %s\n         issuer %s, valid %s to %s\n", k,
		    subject, issuer, from, until);
		free(subject);
		free(issuer);
	}
	if (r->status_line != NULL)
		printf("answer   %s\n", r->status_line);
	for (i = 0; i < x->chk.n; i++) {
		const struct probe_finding *f = &x->chk.items[i];

		printf("%-8s %s", probe_verdict_name(f->verdict), f->check);
		if (f->cert >= 0 && strcmp(f->check, "lint") == 0)
			printf(" [%d]", f->cert);
		printf(": %s", f->message);
		if (f->citation != NULL)
			printf(" [%s]", f->citation);
		putchar('\n');
	}
	printf("result   %zu finding%s\n", x->chk.failed, x->chk.failed == 1 ? "" : "s");
}

static void
print_json(const struct probe_ctx *x)
{
	const struct probe_result *r = &x->res;
	struct jsonw j;
	char when[21], *s;
	size_t i;
	unsigned k;

	jsonw_init(&j, stdout, 1);
	jsonw_begin_object(&j);
	jsonw_key(&j, "version"); jsonw_int(&j, 1);
	jsonw_key(&j, "host"); jsonw_string(&j, x->chk.host);
	jsonw_key(&j, "port"); jsonw_int(&j, atol(x->port));
	jsonw_key(&j, "address"); jsonw_string(&j, r->peer[0] != '\0' ? r->peer : NULL);
	jsonw_key(&j, "sip_domain"); jsonw_string(&j, x->chk.domain);
	jsonw_key(&j, "connected"); jsonw_bool(&j, r->stage > PROBE_STAGE_CONNECT);
	jsonw_key(&j, "error"); jsonw_string(&j, r->error);
	jsonw_key(&j, "tls");
	if (r->tls_version == NULL) {
		jsonw_null(&j);
	} else {
		jsonw_begin_object(&j);
		jsonw_key(&j, "version"); jsonw_string(&j, r->tls_version);
		jsonw_key(&j, "cipher"); jsonw_string(&j, r->cipher);
		jsonw_key(&j, "description"); jsonw_string(&j, r->description);
		jsonw_end_object(&j);
	}
	jsonw_key(&j, "chain");
	jsonw_begin_array(&j);
	for (k = 0; k < x->chk.chain_n; k++) {
		jsonw_begin_object(&j);
		jsonw_key(&j, "index"); jsonw_int(&j, k);
		s = probe_dn(x->chk.chain[k], 0);
		jsonw_key(&j, "subject"); jsonw_string(&j, s);
		free(s);
		s = probe_dn(x->chk.chain[k], 1);
		jsonw_key(&j, "issuer"); jsonw_string(&j, s);
		free(s);
		format_time_rfc3339(gnutls_x509_crt_get_activation_time(x->chk.chain[k]), when);
		jsonw_key(&j, "not_before"); jsonw_string(&j, when);
		format_time_rfc3339(gnutls_x509_crt_get_expiration_time(x->chk.chain[k]), when);
		jsonw_key(&j, "not_after"); jsonw_string(&j, when);
		jsonw_end_object(&j);
	}
	jsonw_end_array(&j);
	jsonw_key(&j, "client_certificate");
	jsonw_begin_object(&j);
	jsonw_key(&j, "name"); jsonw_string(&j, x->chk.cert_name);
	jsonw_key(&j, "requested"); jsonw_bool(&j, r->cert_requested);
	jsonw_key(&j, "sent"); jsonw_bool(&j, r->cert_sent);
	jsonw_end_object(&j);
	jsonw_key(&j, "status_line"); jsonw_string(&j, r->status_line);
	jsonw_key(&j, "checks");
	jsonw_begin_array(&j);
	for (i = 0; i < x->chk.n; i++) {
		const struct probe_finding *f = &x->chk.items[i];

		jsonw_begin_object(&j);
		jsonw_key(&j, "check"); jsonw_string(&j, f->check);
		jsonw_key(&j, "result"); jsonw_string(&j, probe_verdict_name(f->verdict));
		jsonw_key(&j, "certificate");
		if (f->cert >= 0)
			jsonw_int(&j, f->cert);
		else
			jsonw_null(&j);
		jsonw_key(&j, "rule"); jsonw_string(&j, f->rule);
		jsonw_key(&j, "citation"); jsonw_string(&j, f->citation);
		jsonw_key(&j, "message"); jsonw_string(&j, f->message);
		jsonw_end_object(&j);
	}
	jsonw_end_array(&j);
	jsonw_key(&j, "findings"); jsonw_int(&j, (long long)x->chk.failed);
	jsonw_end_object(&j);
	jsonw_finish(&j);
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
load_inputs(struct probe_ctx *x, const char *ca_file, const char *cert_name,
    char **out_domain, char **out_cert_pem, unsigned char **out_key,
    size_t *out_key_len)
{
	struct store *store = NULL;
	struct store_cert *current = NULL;
	const char *label;
	int status = EXIT_OK, ret;

	if (ca_file == NULL || cert_name != NULL ||
	    (x->domain == NULL && store_present())) {
		if ((status = cli_store_open(STORE_READONLY, &store)) != EXIT_OK)
			goto out;
		if (x->domain == NULL)
			store_setting_get(store, "domain", out_domain);
		cli_store_print(store);
	}
	status = EXIT_USAGE;
	if (ca_file != NULL) {
		if (read_file(ca_file, 4 << 20, &x->ca_data, &x->ca_len) < 0) {
			error_msg("cannot read CA file: '%s': %s", ca_file, file_strerror(errno));
			goto out;
		}
		label = ca_file;
	} else {
		if ((ret = store_read_ca_cert(store, &x->ca_data, &x->ca_len)) < 0) {
			status = cli_store_outcome(store, ret);
			goto out;
		}
		label = "the store's ca.pem";
	}
	if (cert_load_all(x->ca_data, x->ca_len, &x->cas, &x->n_cas) < 0 ||
	    x->n_cas == 0) {
		error_msg("no CA certificate in '%s'", label);
		goto out;
	}
	x->chk.ca_label = label;
	x->chk.ca_data = x->ca_data;
	x->chk.ca_len = x->ca_len;
	x->chk.cas = x->cas;
	x->chk.n_cas = x->n_cas;
	if (cert_name != NULL) {
		if (store_find_current(store, cert_name, &current) != STORE_OK) {
			cli_store_print(store);
			error_msg("no current certificate named '%s' in the store",
			    cert_name);
			goto out;
		}
		if ((ret = store_read_issued_key(store, cert_name, out_key,
		    out_key_len)) == STORE_E_NOTFOUND) {
			error_msg("no key for '%s' in the store (issued from a CSR?)",
			    cert_name);
			goto out;
		} else if (ret < 0) {
			status = cli_store_outcome(store, ret);
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
	const char *ca_file = NULL, *connect_arg = NULL, *cert_name = NULL;
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
		case OPT_CERT: cert_name = p.arg; break;
		case OPT_CONNECT: connect_arg = p.arg; break;
		case OPT_TIMEOUT:
			if (parse_long(p.arg, 1, 600, &timeout) < 0) {
				error_msg("invalid --timeout: '%s' (1 to 600 seconds)", p.arg);
				goto out;
			}
			break;
		case OPT_JSON: json = 1; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_probe);
			goto out;
		}
	}
	if (argc - p.index != 1) {
		cli_operand_error(argc - p.index, argv + p.index,
		    "HOST[:PORT]: the server to probe");
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
	x.port = cport != NULL ? cport : port != NULL ? port : PROBE_DEFAULT_PORT;
	if ((status = load_inputs(&x, ca_file, cert_name, &store_domain, &cert_pem,
	    &key, &key_len)) != EXIT_OK)
		goto out;
	x.chk.host = host;
	x.chk.domain = x.domain != NULL ? x.domain :
	    store_domain != NULL ? store_domain : host;
	x.chk.cert_name = cert_name;
	x.chk.res = &x.res;

	memset(&pp, 0, sizeof(pp));
	pp.host = host;
	pp.addr = caddr;
	pp.port = x.port;
	pp.sip_domain = x.chk.domain;
	pp.timeout = (int)timeout;
	if (cert_pem != NULL) {
		pp.cert_pem = (const unsigned char *)cert_pem;
		pp.cert_pem_len = strlen(cert_pem);
		pp.key_pem = key;
		pp.key_pem_len = key_len;
	}
	x.chk.now = sipca_now();
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
	probe_check_run(&x.chk);
	if (json)
		print_json(&x);
	else
		print_text(&x);
	status = x.chk.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
	cli_parser_free(&p);
	probe_check_free(&x.chk);
	for (i = 0; i < x.n_cas; i++)
		gnutls_x509_crt_deinit(x.cas[i]);
	gnutls_free(x.cas);
	free(x.ca_data);
	probe_result_clear(&x.res);
	secret_free_buf(key, key_len);
	free(cert_pem);
	free(store_domain);
	free(host);
	free(port);
	free(caddr);
	free(cport);
	return status;
}
