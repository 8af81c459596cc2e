/*
 * sipca lint: lints certificates for SIP over TLS and reports findings
 * with the standard and section. Option parsing and orchestration only:
 * the rules are in lint_*.c, the writers in lint_output.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "lint.h"
#include "lint_output.h"
#include "lint_pool.h"
#include "util.h"

enum {
	OPT_PROFILE = 256,
	OPT_EXCLUDE,
	OPT_ROLE,
	OPT_SIP_DOMAIN,
	OPT_CA,
	OPT_EXPIRY_WARN,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_LIST_RULES,
	OPT_JOBS,
	OPT_GNUTLS,
};

static const struct cli_option lint_options[] = {
	{ "profile", OPT_PROFILE, 1, "LIST", "@profile",
	  "only these profiles (" LINT_PROFILE_NAMES "); default all" },
	{ "exclude", OPT_EXCLUDE, 1, "RULE", "@rule", "drop one rule (repeatable)" },
	{ "role", OPT_ROLE, 1, "KIND", "ca,server,device,eap-tls",
	  "lint as this kind instead of detecting it" },
	{ "sip-domain", OPT_SIP_DOMAIN, 1, "DOMAIN", NULL,
	  "the SIP domain a server certificate must carry (RFC 5922 7.1)" },
	{ "ca", OPT_CA, 1, "FILE", "@file", "CA certificates for the chain rules (repeatable)" },
	{ "expiry-warn", OPT_EXPIRY_WARN, 1, "DAYS", NULL,
	  "warn when a certificate expires within DAYS (default 30)" },
	{ "format", OPT_FORMAT, 1, "FORMAT", LINT_FORMAT_NAMES, "output format (default text)" },
	{ "fail-on", OPT_FAIL_ON, 1, "SEVERITY", "fatal,error,warn,notice",
	  "exit 1 when a finding is at or above this (default error)" },
	{ "gnutls", OPT_GNUTLS, 0, NULL, NULL,
	  "import each certificate with GnuTLS too (x509.gnutls_refused; implied by --ca)" },
	{ "jobs", OPT_JOBS, 1, "N", NULL,
	  "lint on N threads, output in input order (default: online CPUs)" },
	{ "list-rules", OPT_LIST_RULES, 0, NULL, NULL, "print the rules with their citations" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_lint(int argc, char **argv);

const struct command command_lint = {
	"lint", cmd_lint,
	"lint [options] [--jobs N] FILE|DIR|-...\n"
	"lint --list-rules [--format json]",
	"Lint certificates against RFC 5280, RFC 5922 and what phones accept.",
	lint_options, "@file",
};

struct lint_ctx {
	struct lint_pool *pool;
	struct lint_summary summary;
	struct lint_output *out;
};

static void
on_cert(const struct lint_source *src, void *arg)
{
	struct lint_ctx *ctx = arg;

	lint_pool_submit(ctx->pool, src);
}

/* Each certificate, in input order, on this thread. */
static void
on_linted(const struct lint_cert *c, const struct lint_findings *f, void *arg)
{
	struct lint_ctx *ctx = arg;

	lint_summary_add(&ctx->summary, f);
	lint_output_cert(ctx->out, c, f);
}

static void
on_error(const char *message, void *arg)
{
	(void)arg;
	error_msg("%s", message);
}

static void
on_skipped(const char *message, void *arg)
{
	(void)arg;
	note_msg("%s", message);
}

static int
load_cas(const char *const *files, size_t n, struct lint_ca **cas,
    size_t *n_ca)
{
	unsigned char *data = NULL;
	char *reason = NULL, *name = NULL;
	size_t len, i;
	int err, rc = -1;

	for (i = 0; i < n; i++) {
		if (read_file(files[i], 16u << 20, &data, &len) != 0) {
			err = errno;
			name = text_echo(files[i]);
			error_msg("cannot read '%s': %s", name, file_strerror(err));
			goto out;
		}
		if (lint_ca_load(data, len, files[i], cas, n_ca, &reason) != 0) {
			name = text_echo(files[i]);
			error_msg("'%s': not a certificate: %s", name, reason);
			goto out;
		}
		free(data);
		data = NULL;
	}
	rc = 0;
out:
	free(data);
	free(name);
	free(reason);
	return rc;
}

static int
cmd_lint(int argc, char **argv)
{
	struct cli_parser p;
	struct lint_options opts;
	struct lint_ctx ctx;
	struct lint_reader reader = { on_cert, on_error, &ctx, on_skipped };
	struct lint_ca *cas = NULL;
	size_t n_ca = 0, n_exclude = 0, n_cafile = 0;
	const char **exclude = NULL, **cafiles = NULL;
	const char *bad;
	char *shown = NULL;
	enum lint_format fmt = LINT_FORMAT_TEXT;
	enum lint_severity fail_on = SEV_ERROR;
	enum cert_kind role;
	long days, jobs = 0;
	int c, i, list_rules = 0, status = EXIT_USAGE, read_failed = 0;
	unsigned s;

	memset(&ctx, 0, sizeof(ctx));
	lint_options_init(&opts);
	cli_parser_init(&p, &command_lint, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_PROFILE:
			if (lint_profiles_parse(p.arg, &opts.profiles, &bad) != 0) {
				error_msg("unknown profile: '%s' (profiles: %s)",
				    (shown = text_echo(bad)), LINT_PROFILE_NAMES);
				goto out;
			}
			break;
		case OPT_EXCLUDE:
			if (lint_rule_find(p.arg) == NULL) {
				error_msg("unknown rule: '%s' (see 'sipca lint --list-rules')",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			exclude = xrealloc(exclude, (n_exclude + 1) * sizeof(*exclude));
			exclude[n_exclude++] = p.arg;
			break;
		case OPT_ROLE:
			if (cert_kind_parse(p.arg, &role) != 0) {
				error_msg("invalid role: '%s' (ca, server, device or eap-tls)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			opts.role = (int)role;
			break;
		case OPT_SIP_DOMAIN:
			opts.sip_domain = p.arg;
			break;
		case OPT_CA:
			cafiles = xrealloc(cafiles, (n_cafile + 1) * sizeof(*cafiles));
			cafiles[n_cafile++] = p.arg;
			break;
		case OPT_EXPIRY_WARN:
			if (parse_long(p.arg, 0, 36500, &days) != 0) {
				error_msg("invalid --expiry-warn: '%s' (days, 0 to 36500)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			opts.expiry_warn_days = days;
			break;
		case OPT_FORMAT:
			if (lint_format_parse(p.arg, &fmt) != 0) {
				error_msg("invalid format: '%s' (%s)", (shown = text_echo(p.arg)),
				    LINT_FORMAT_NAMES);
				goto out;
			}
			break;
		case OPT_FAIL_ON:
			if (lint_severity_parse(p.arg, &fail_on) != 0) {
				error_msg("invalid --fail-on: '%s' (fatal, error, warn, notice)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			break;
		case OPT_LIST_RULES:
			list_rules = 1;
			break;
		case OPT_GNUTLS:
			opts.gnutls = 1;
			break;
		case OPT_JOBS:
			if (parse_long(p.arg, 1, 256, &jobs) != 0) {
				error_msg("invalid --jobs: '%s' (1 to 256)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_lint);
			goto out;
		}
	}
	if (list_rules) {
		if (fmt == LINT_FORMAT_SARIF) {
			error_msg("--list-rules prints text or json");
			goto out;
		}
		lint_output_rules(stdout, fmt);
		status = EXIT_OK;
		goto out;
	}
	if (p.index >= argc) {
		error_msg("no input: name files, directories or '-'");
		status = cli_usage_error(&command_lint);
		goto out;
	}
	if (load_cas(cafiles, n_cafile, &cas, &n_ca) != 0)
		goto out;
	opts.exclude = exclude;
	opts.n_exclude = n_exclude;
	opts.cas = cas;
	opts.n_ca = n_ca;

	opts.subject_text = fmt == LINT_FORMAT_JSON;
	ctx.out = lint_output_new(fmt, stdout, lint_output_want_colour(stdout));
	ctx.pool = lint_pool_new(jobs > 0 ? (unsigned)jobs :
	    lint_pool_default_jobs(), &opts, on_linted, &ctx);
	for (i = p.index; i < argc; i++)
		if (lint_input(argv[i], &reader) != 0)
			read_failed = 1;
	lint_pool_finish(ctx.pool);
	lint_output_finish(ctx.out, &ctx.summary);

	if (read_failed) {
		status = EXIT_USAGE;
		goto out;
	}
	status = EXIT_OK;
	/* fatal counts as error: --fail-on error fails on both */
	for (s = fail_on; s <= SEV_FATAL; s++)
		if (ctx.summary.count[s] > 0)
			status = EXIT_FINDINGS;
out:
	free(shown);
	lint_pool_free(ctx.pool);
	lint_output_free(ctx.out);
	lint_ca_free(cas, n_ca);
	free(exclude);
	free(cafiles);
	cli_parser_free(&p);
	return status;
}
