/*
 * sipca issue: a server or device certificate signed by the store's CA.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "batch.h"
#include "batch_scep.h"
#include "ca.h"
#include "cert.h"
#include "cli.h"
#include "cli_secret.h"
#include "cli_csr.h"
#include "cli_status.h"
#include "eap_tls.h"
#include "fileio.h"
#include "issuance.h"
#include "progress.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"
#include "validity.h"

enum {
	OPT_URI = 256, OPT_DNS, OPT_IP, OPT_NO_DOMAIN_DNS, OPT_CSR, OPT_COPY_SAN,
	OPT_KEY, OPT_DAYS, OPT_WILDCARD, OPT_FORCE, OPT_PASSFILE,
	OPT_BATCH, OPT_JOBS, OPT_QUIET, OPT_FOREIGN, OPT_DROP_OTHER_SANS,
	OPT_REUSE_KEY, OPT_SCEP_CHALLENGES, OPT_TTL, OPT_EAP_TLS,
};

static const struct cli_option issue_options[] = {
	{ "uri", OPT_URI, 1, "URI", NULL, "add a SIP URI SAN, e.g. sip:alice@example.com (repeatable)" },
	{ "dns", OPT_DNS, 1, "NAME", NULL, "add a DNS SAN (repeatable)" },
	{ "ip", OPT_IP, 1, "ADDR", NULL, "add an IP address SAN (repeatable)" },
	{ "eap-tls", OPT_EAP_TLS, 0, NULL, NULL, "device: an 802.1X (EAP-TLS) certificate: NAME is the MAC, the SAN DNS:MAC.DOMAIN, no SIP URI unless --uri" },
	{ "no-domain-dns", OPT_NO_DOMAIN_DNS, 0, NULL, NULL, "server: leave DNS:DOMAIN out of the SAN" },
	{ "csr", OPT_CSR, 1, "FILE", "@file", "sign this request (PEM or DER) instead of making a key" },
	{ "copy-san", OPT_COPY_SAN, 0, NULL, NULL, "with --csr: take the SANs the request asks for" },
	{ "drop-other-sans", OPT_DROP_OTHER_SANS, 0, NULL, NULL, "with --copy-san: leave out (and name) SANs of types sipca does not issue instead of refusing the request" },
	{ "reuse-key", OPT_REUSE_KEY, 0, NULL, NULL, "with --csr: sign a key already certified for another name" },
	{ "key", OPT_KEY, 1, "TYPE", KEY_TYPE_NAMES, "key type (default rsa2048); with --csr, the request's key must be of it" },
	{ "days", OPT_DAYS, 1, "N", NULL, "validity in days (default 825, Apple's limit, cut to the CA's notAfter; an N past it is refused)" },
	{ "allow-wildcard", OPT_WILDCARD, 0, NULL, NULL, "allow '*' names: the wildcard lint rules become warnings (Polycom rejects them; RFC 5922 7.2)" },
	{ "allow-foreign-names", OPT_FOREIGN, 0, NULL, NULL, "allow DNS names and SIP URI hosts outside the store's SIP domain" },
	{ "force", OPT_FORCE, 0, NULL, NULL, "issue despite lint errors (recorded in the index); never past a fatal one (a name outside the CA's name constraints)" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase" },
	CLI_OPTION_PIN_FILE,
	{ "batch", OPT_BATCH, 1, "FILE", "@file", "issue every row of a CSV file (" BATCH_COLUMNS "; - for stdin)" },
	{ "jobs", OPT_JOBS, 1, "N", NULL, "with --batch: signing threads (default: online CPUs)" },
	{ "quiet", OPT_QUIET, 0, NULL, NULL, "with --batch: no progress line and no summary" },
	{ "scep-challenges", OPT_SCEP_CHALLENGES, 1, "OUT", "@file", "with --batch: make a one-time SCEP challenge for each device row instead of its certificate, and write " BATCH_SCEP_COLUMNS " to OUT (a new file, mode 0600)" },
	{ "ttl", OPT_TTL, 1, "DURATION", NULL, "with --scep-challenges: how long the challenges may be used, N[s|m|h|d] (default 24h, 1m to 365d)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_issue(int argc, char **argv);

const struct command command_issue = {
	"issue", cmd_issue,
	"issue server FQDN [--dns NAME]... [--uri URI]... [--ip ADDR]... [options]\n"
	"issue device NAME [--uri sip:USER@DOMAIN]... [options]\n"
	"issue device MAC --eap-tls [--dns NAME]... [--uri URI]... [options]\n"
	"issue server|device NAME --csr FILE [--copy-san [--drop-other-sans]] [options]\n"
	"issue --batch FILE [--jobs N] [--quiet] [--key TYPE] [--days N] [options]\n"
	"issue --batch FILE --scep-challenges OUT [--ttl DURATION]",
	"Issue a server (proxy, SBC) or device (phone, softphone) certificate.",
	issue_options, "server,device",
};

static void
print_issued(const struct store *s, const struct issuance_spec *spec,
    const struct issuance *is)
{
	char until[21];

	format_time_rfc3339(is->not_after, until);
	cli_say("issued %s certificate '%s', serial %s, valid until %s%s\n",
	    cert_kind_name(spec->kind), spec->name, is->serial, until,
	    is->forced ? " (forced past lint errors)" : "");
	cli_say("  SAN    %s\n", is->sans_text);
	cli_say("  cert   %s/issued/%s/cert.pem\n", store_dir(s), spec->name);
	if (is->key_pem.data != NULL)
		cli_say("  key    %s/issued/%s/key.pem\n", store_dir(s), spec->name);
	cli_say("  chain  %s/issued/%s/chain.pem\n", store_dir(s), spec->name);
}

/* What --batch is given besides the row defaults. */
struct batch_args {
	const char *file;		/* the CSV, or "-" for stdin */
	long jobs;			/* worker threads; 0: online CPUs */
	int quiet;			/* no progress, no summary */
	const char *challenges_out;	/* --scep-challenges OUT, or NULL */
	long ttl;			/* --ttl in seconds; 0: the default */
	int key_given;			/* --key: the store's default-key is not used */
	struct signer_secrets secrets;
	struct batch_plan_options plan;
};

/* A message takes the progress line's place; the line comes back after. */
static void
batch_print_report(void *arg, const struct report *rep)
{
	progress_erase(arg);
	cli_report_print(rep);
}

static void
batch_start(void *arg, size_t todo)
{
	struct progress *pg = arg;

	progress_init(pg, stderr, todo, pg->enabled);
}

static void
batch_progress(void *arg, size_t done)
{
	progress_update(arg, done);
}

static void
batch_end(void *arg)
{
	progress_end(arg);
}

/*
 * sipca issue --batch: the store opened, every row checked (nothing is
 * issued when one is bad), the key unlocked, the run, the summary. Exit
 * status: 0 every row issued or skipped; 2 a bad row; 1 the lint guard
 * refused some rows and the rest went in; 3 an operational failure
 * (what was committed stays, and a re-run completes the rest).
 */
static int
issue_batch(const struct batch_args *a)
{
	struct signing sg;
	struct batch_plan plan;
	struct batch_plan_options po = a->plan;
	struct batch_counts n;
	struct report rep = { NULL, 0 };
	struct progress pg;
	struct batch_hooks hooks = { NULL, batch_print_report, batch_start,
	    batch_progress, batch_end };
	double start = progress_clock(), elapsed;
	int status;

	memset(&sg, 0, sizeof(sg));
	memset(&plan, 0, sizeof(plan));
	memset(&n, 0, sizeof(n));
	memset(&pg, 0, sizeof(pg));
	pg.enabled = !a->quiet && progress_wanted(STDERR_FILENO);
	hooks.arg = &pg;
	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	po.domain = sg.domain;
	po.crl_url = sg.crl_url;
	po.organization = sg.defaults.organization;
	signing_defaults_apply(&sg.defaults, a->key_given, &po.key_type,
	    po.days_from != NULL, &po.days);
	if ((status = cli_outcome(validity_issuer_end(sg.store, &po.ca_not_after,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	if ((status = cli_outcome(batch_plan_read(a->file, &po, &plan, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	if ((status = cli_outcome(signing_unlock(&sg, &a->secrets, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	status = cli_status(batch_run(&plan, sg.store, sg.ca, a->jobs, &hooks, &n));
	if (status == EXIT_OK && n.failed_op > 0)
		status = EXIT_OPERATIONAL;
	else if (status == EXIT_OK && n.failed_lint > 0)
		status = EXIT_FINDINGS;
	elapsed = progress_clock() - start;
	if (!a->quiet)
		cli_say("issued %zu, skipped %zu (already valid), failed %zu in %.1fs"
		    " (%.0f/s)\n", n.issued, n.skipped, n.failed_lint + n.failed_op,
		    elapsed, elapsed > 0 ? (double)n.issued / elapsed : 0.0);
out:
	batch_plan_clear(&plan);
	signing_clear(&sg);
	return status;
}

/*
 * sipca issue --batch FILE --scep-challenges OUT: every row checked
 * (device rows only) and OUT found absent before any challenge is made;
 * then the challenges, then OUT written atomically and exclusively
 * (mode 0600: it holds passwords). When OUT cannot be written the new
 * challenges are revoked: nobody could hand them to a phone. Exit
 * status: 0 done; 2 a bad row or OUT already there (nothing created);
 * 3 the store or OUT failed.
 */
static int
issue_challenges(const struct batch_args *a)
{
	struct signing sg;
	struct batch_plan plan;
	struct batch_plan_options po = a->plan;
	struct batch_challenges made;
	struct report rep = { NULL, 0 };
	char *csv = NULL, *shown = text_echo(a->challenges_out);
	size_t csv_len = 0;
	int status;

	memset(&sg, 0, sizeof(sg));
	memset(&plan, 0, sizeof(plan));
	memset(&made, 0, sizeof(made));
	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	po.domain = sg.domain;
	po.crl_url = sg.crl_url;
	po.organization = sg.defaults.organization;
	po.challenges = 1;
	if ((status = cli_outcome(batch_plan_read(a->file, &po, &plan, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	/* Checked now, and again by the exclusive write. */
	if (path_exists(a->challenges_out)) {
		error_msg("'%s' already exists: the challenges go to a new file"
		    " (nothing created)", shown);
		status = EXIT_USAGE;
		goto out;
	}
	if ((status = cli_outcome(batch_scep_create(&plan, sg.store, sg.domain,
	    a->file, a->ttl, &made, &rep), &rep)) != EXIT_OK)
		goto out;
	csv = batch_scep_csv(&made, &csv_len);
	if (atomic_write(a->challenges_out, csv, csv_len, 0600,
	    ATOMIC_EXCLUSIVE) < 0) {
		int err = errno;

		error_msg("cannot write '%s': %s (the %zu challenges made are"
		    " revoked)", shown, file_strerror(err), made.n);
		batch_scep_revoke(sg.store, &made);
		status = err == EEXIST ? EXIT_USAGE : EXIT_OPERATIONAL;
		goto out;
	}
	if (!a->quiet)
		cli_say("%zu SCEP challenge%s written to %s (%s)\n", made.n,
		    made.n == 1 ? "" : "s", shown, BATCH_SCEP_COLUMNS);
	status = EXIT_OK;
out:
	if (csv != NULL)
		secret_free_buf(csv, csv_len + 1);
	batch_challenges_clear(&made);
	batch_plan_clear(&plan);
	signing_clear(&sg);
	free(shown);
	return status;
}

/* What is missing (or too much) of "KIND NAME", said before the usage. */
static void
missing_operand(int n, char **operands)
{
	char *shown = NULL;

	if (n == 0)
		error_msg("missing the kind (server or device) and the name");
	else if (n == 1 && strcmp(operands[0], "server") == 0)
		error_msg("missing the server's name: issue server FQDN");
	else if (n == 1 && strcmp(operands[0], "device") == 0)
		error_msg("missing the device's name: issue device NAME");
	else if (n == 1)
		error_msg("unknown certificate kind: '%s' (server or device)",
		    (shown = text_echo(operands[0])));
	else
		error_msg("unexpected argument: '%s'", (shown = text_echo(operands[2])));
	free(shown);
}

static int
cmd_issue(int argc, char **argv)
{
	struct cli_parser p;
	struct issuance_spec spec;
	struct issuance is;
	struct validity_ask ask;
	struct signing sg;
	struct store_cert *current = NULL;
	struct report rep = { NULL, 0 };
	const char *csr_path = NULL, *kind_word, *reason;
	struct signer_secrets secrets = { NULL, NULL };
	struct batch_args batch;
	char *msg = NULL, *shown = NULL;
	char *name = NULL;
	struct cli_csr_checks checks;
	const char *typed;
	char mac[EAP_TLS_MAC_LEN];
	int no_domain_dns = 0, copy_san = 0, drop_others = 0, c, ret = STORE_OK;
	int eap_tls = 0;
	int status = EXIT_USAGE;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	memset(&batch, 0, sizeof(batch));
	memset(&sg, 0, sizeof(sg));
	memset(&ask, 0, sizeof(ask));
	memset(&checks, 0, sizeof(checks));
	spec.key_type = KEY_RSA2048;
	spec.days = DEFAULT_LEAF_DAYS;
	cli_parser_init(&p, &command_issue, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_URI: san_list_add(&spec.sans, SAN_URI, p.arg); break;
		case OPT_DNS: san_list_add(&spec.sans, SAN_DNS, p.arg); break;
		case OPT_IP:
			/* Stored in canonical text form, as GnuTLS will print it. */
			if (san_list_add_ip(&spec.sans, p.arg, &reason) < 0) {
				error_msg("invalid IP address: '%s': %s",
				    (shown = text_echo(p.arg)), reason);
				goto out;
			}
			break;
		case OPT_NO_DOMAIN_DNS: no_domain_dns = 1; break;
		case OPT_EAP_TLS: eap_tls = 1; break;
		case OPT_CSR: csr_path = p.arg; break;
		case OPT_COPY_SAN: copy_san = 1; break;
		case OPT_DROP_OTHER_SANS: drop_others = 1; break;
		case OPT_KEY:
			if (key_type_parse(p.arg, &spec.key_type) < 0) {
				error_msg("unknown key type: '%s' (one of %s)",
				    (shown = text_echo(p.arg)), KEY_TYPE_NAMES);
				goto out;
			}
			batch.key_given = 1;
			checks.key_set = 1;
			break;
		case OPT_REUSE_KEY: checks.reuse_key = 1; break;
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 36500, &spec.days) < 0) {
				error_msg("invalid --days: '%s' (1 to 36500)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			spec.days_from = "--days";
			break;
		case OPT_WILDCARD: spec.allow_wildcard = 1; break;
		case OPT_FOREIGN: spec.allow_foreign = 1; break;
		case OPT_FORCE: spec.force = 1; break;
		case OPT_PASSFILE: secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: secrets.pin_file = p.arg; break;
		case OPT_BATCH: batch.file = p.arg; break;
		case OPT_JOBS:
			if (parse_long(p.arg, 1, 1024, &batch.jobs) < 0) {
				error_msg("invalid --jobs: '%s' (1 to 1024)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			break;
		case OPT_QUIET: batch.quiet = 1; break;
		case OPT_SCEP_CHALLENGES: batch.challenges_out = p.arg; break;
		case OPT_TTL:
			if (scep_challenge_parse_ttl(p.arg, &batch.ttl) < 0) {
				error_msg("invalid --ttl: '%s' (N[s|m|h|d], 1m to 365d)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_issue);
			goto out;
		}
	}
	if (checks.reuse_key && (csr_path == NULL || batch.file != NULL)) {
		error_msg("--reuse-key goes with --csr FILE");
		goto out;
	}
	if (drop_others && !copy_san) {
		error_msg("--drop-other-sans goes with --copy-san");
		goto out;
	}
	if (batch.ttl != 0 && batch.challenges_out == NULL) {
		error_msg("--ttl goes with --scep-challenges OUT");
		goto out;
	}
	if (batch.challenges_out != NULL && batch.file == NULL) {
		error_msg("--scep-challenges goes with --batch FILE");
		goto out;
	}
	if (batch.challenges_out != NULL && (batch.key_given ||
	    spec.days_from != NULL || copy_san || spec.force || batch.jobs != 0 ||
	    checks.reuse_key)) {
		/* The phone makes its key; the enrollment picks the validity. */
		error_msg("--scep-challenges takes no --key, --days, --copy-san,"
		    " --force or --jobs (no certificate is made here)");
		goto out;
	}
	if (eap_tls && batch.file != NULL) {
		error_msg("--eap-tls is for one device: in --batch the row's kind"
		    " is eap-tls");
		goto out;
	}
	if (batch.file != NULL) {
		/* The rows say kind, name and identities; these say it for one. */
		if (argc != p.index || spec.sans.n > 0 || csr_path != NULL) {
			error_msg("--batch takes no kind, name, --uri, --dns, --ip or --csr"
			    " (they are columns of the file)");
			status = cli_usage_error(&command_issue);
			goto out;
		}
		batch.plan.key_type = spec.key_type;
		batch.plan.days = spec.days;
		batch.plan.days_from = spec.days_from;
		batch.plan.no_domain_dns = no_domain_dns;
		batch.plan.allow_wildcard = spec.allow_wildcard;
		batch.plan.allow_foreign = spec.allow_foreign;
		batch.plan.force = spec.force;
		batch.plan.copy_san = copy_san;
		batch.plan.drop_other_sans = drop_others;
		batch.secrets = secrets;
		status = batch.challenges_out != NULL ? issue_challenges(&batch) :
		    issue_batch(&batch);
		goto out;
	}
	if (batch.jobs != 0 || batch.quiet) {
		error_msg("--jobs and --quiet go with --batch FILE");
		goto out;
	}
	if (argc - p.index != 2) {
		missing_operand(argc - p.index, argv + p.index);
		status = cli_usage_error(&command_issue);
		goto out;
	}
	kind_word = argv[p.index];
	typed = argv[p.index + 1];
	if (strcmp(kind_word, "server") == 0)
		spec.kind = KIND_SERVER;
	else if (strcmp(kind_word, "device") == 0)
		spec.kind = KIND_DEVICE;
	else {
		error_msg("unknown certificate kind: '%s' (server or device)",
		    (shown = text_echo(kind_word)));
		goto out;
	}
	if (eap_tls && spec.kind != KIND_DEVICE) {
		/* The RADIUS server's own certificate is a server certificate. */
		error_msg("--eap-tls is a device's 802.1X certificate: issue device"
		    " MAC --eap-tls");
		goto out;
	}
	if (eap_tls && no_domain_dns) {
		error_msg("--no-domain-dns is for servers");
		goto out;
	}
	if (eap_tls) {
		/* The MAC, as the phone or the switch writes it, one way (eap_tls.h). */
		if (eap_tls_mac_parse(typed, mac, &reason) < 0) {
			error_msg("invalid 802.1X device name: '%s': %s",
			    (shown = text_echo(typed)), reason);
			goto out;
		}
		typed = mac;
		spec.kind = KIND_EAP_TLS;
	}
	/* Names are case-insensitive: stored, and compared, in lower case. */
	name = san_fold_store_name(xstrdup(typed));
	spec.name = name;
	if (copy_san && csr_path == NULL) {
		error_msg("--copy-san needs --csr FILE");
		goto out;
	}
	if (csr_path != NULL && cli_csr_load(csr_path, &spec.csr) != EXIT_OK)
		goto out;
	if (copy_san && cli_csr_copy_sans(csr_path, spec.csr, drop_others,
	    &spec.sans) != EXIT_OK)
		goto out;

	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	spec.domain = sg.domain;
	spec.crl_url = sg.crl_url;
	spec.organization = sg.defaults.organization;
	signing_defaults_apply(&sg.defaults, batch.key_given || spec.csr != NULL,
	    &spec.key_type, spec.days_from != NULL, &spec.days);
	issuance_default_sans(&spec, no_domain_dns);
	if (issuance_validate(&spec, &msg) < 0) {
		error_msg("%s", msg);
		goto out;
	}
	/* As typed, too: a mixed-case name from before folding is the same one. */
	ret = issuance_find_current(sg.store, typed, &current);
	cli_store_print(sg.store);
	if (ret == STORE_OK && current->status == STATUS_VALID) {
		char until[21];

		format_time_rfc3339(current->not_after, until);
		if (csr_path != NULL) {
			/* A new request for a name is a new key for it: renew --csr. */
			error_msg("'%s' already has a valid certificate (serial %s,"
			    " until %s); for the request's key renew it with 'sipca"
			    " renew %s --csr %s'", current->name, current->serial,
			    until, current->name, (shown = text_echo(csr_path)));
		} else
			error_msg("'%s' already has a valid certificate (serial %s, until %s);"
			    " renew it with 'sipca renew %s'", current->name, current->serial,
			    until, current->name);
		goto out;
	}
	checks.path = csr_path;
	checks.name = spec.name;
	checks.key_type = spec.key_type;
	checks.copy_san = copy_san;
	checks.sans = &spec.sans;
	if (spec.csr != NULL &&
	    (status = cli_csr_check(sg.store, spec.csr, &checks)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	ask.not_before = sipca_now();
	ask.days = spec.days;
	ask.days_from = spec.days_from;
	if ((status = cli_outcome(validity_issuer_end(sg.store, &ask.ca_not_after,
	    &rep), &rep)) != EXIT_OK ||
	    (status = cli_outcome(validity_check(&ask, NULL, &rep), &rep)) != EXIT_OK)
		goto out;
	spec.not_before = ask.not_before;
	if ((status = cli_outcome(signing_unlock(&sg, &secrets, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	status = cli_outcome(issuance_issue(sg.store, &spec, sg.ca, NULL, &is, &ret,
	    &rep), &rep);
	if (ret == STORE_E_NAME_TAKEN) {
		error_msg("'%s' already has a valid certificate", spec.name);
		status = EXIT_USAGE;
		goto out;
	}
	if (status != EXIT_OK)
		goto out;
	if (is.capped) {
		ask.not_before = is.not_before;
		msg = validity_message(&ask, VALIDITY_CAPPED);
		warn_msg("%s", msg);
	}
	print_issued(sg.store, &spec, &is);
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	if (spec.csr != NULL)
		gnutls_x509_crq_deinit(spec.csr);
	store_cert_free(current);
	signing_clear(&sg);
	free(msg);
	free(shown);
	free(name);
	return status;
}
