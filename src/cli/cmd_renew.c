/*
 * sipca renew: a new certificate for a name already in the store: new
 * serial, same subject, SANs, kind and (by default) key, a fresh
 * validity of the original length. The old certificate stays in the
 * index as superseded and its PEM under issued/NAME/history/.
 *
 * With --expiring DAYS it renews every valid certificate that expires
 * within DAYS, so a daily cron job keeps a fleet alive; the renewed ones
 * are no longer due, so a second run renews nothing. With --all it renews
 * every valid certificate the store's current issuing CA did not issue
 * (after init --add-intermediate or a rollover), so one command moves
 * the fleet under it; the renewed ones are the CA's, so a second run,
 * or one after an interrupted run, renews only what is left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "cli.h"
#include "cli_secret.h"
#include "cli_csr.h"
#include "cli_status.h"
#include "issuance.h"
#include "key.h"
#include "renewal.h"
#include "san.h"
#include "signer.h"
#include "store.h"
#include "util.h"
#include "validity.h"

enum {
	OPT_DAYS = 256, OPT_REKEY, OPT_KEY, OPT_EXPIRING, OPT_DRY_RUN, OPT_FORCE,
	OPT_PASSFILE, OPT_FOREIGN, OPT_ALL, OPT_CSR, OPT_COPY_SAN,
	OPT_DROP_OTHER_SANS, OPT_REUSE_KEY, OPT_CSR_DIR,
};

static const struct cli_option renew_options[] = {
	{ "days", OPT_DAYS, 1, "N", NULL, "validity in days (default: the original certificate's, cut to the CA's notAfter; an N past it is refused)" },
	{ "rekey", OPT_REKEY, 0, NULL, NULL, "make a new key (a certificate issued from a CSR takes a new --csr)" },
	{ "key", OPT_KEY, 1, "TYPE", KEY_TYPE_NAMES, "with --rekey: the new key's type (default: the old one's); with --csr, the request's key must be of it" },
	{ "csr", OPT_CSR, 1, "FILE", "@file", "the new key is this request's (PEM or DER); the names stay the certificate's" },
	{ "copy-san", OPT_COPY_SAN, 0, NULL, NULL, "with --csr: the names are the request's SANs, as issue --csr --copy-san takes them" },
	{ "drop-other-sans", OPT_DROP_OTHER_SANS, 0, NULL, NULL, "with --copy-san: leave out (and name) SANs of types sipca does not issue instead of refusing the request" },
	{ "csr-dir", OPT_CSR_DIR, 1, "DIR", "@dir", "with --expiring or --all: DIR/NAME.csr is the new key of each due NAME that has one (the others keep theirs)" },
	{ "reuse-key", OPT_REUSE_KEY, 0, NULL, NULL, "with --csr or --csr-dir: sign a key already certified for another name" },
	{ "expiring", OPT_EXPIRING, 1, "DAYS", NULL, "renew every valid certificate expiring within DAYS" },
	{ "all", OPT_ALL, 0, NULL, NULL, "renew every valid certificate not issued by the current issuing CA (after a new CA)" },
	{ "dry-run", OPT_DRY_RUN, 0, NULL, NULL, "say what would be renewed and what the lint guard would refuse; change nothing, ask for no passphrase" },
	{ "force", OPT_FORCE, 0, NULL, NULL, "renew despite lint errors (recorded in the index); never past a fatal one (a name outside the CA's name constraints)" },
	{ "allow-foreign-names", OPT_FOREIGN, 0, NULL, NULL, "renew certificates with names outside the store's SIP domain" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase" },
	CLI_OPTION_PIN_FILE,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_renew(int argc, char **argv);

const struct command command_renew = {
	"renew", cmd_renew,
	"renew NAME [--days N] [--rekey [--key TYPE]] [--dry-run] [options]\n"
	"renew NAME --csr FILE [--copy-san [--drop-other-sans]] [--reuse-key] [options]\n"
	"renew --expiring DAYS [--days N] [--csr-dir DIR] [--dry-run] [options]\n"
	"renew --all [--days N] [--csr-dir DIR] [--dry-run] [options]",
	"Renew a certificate (same names and key, new serial and validity).",
	renew_options, "@name",
};

static int
find_revoked(const struct store_cert *c, void *arg)
{
	char **serial = arg;

	free(*serial);
	*serial = xstrdup(c->serial);
	return 0;
}

/*
 * NAME's current certificate, or a message saying why there is none.
 * typed: NAME is as a person typed it (names are case-insensitive, see
 * issuance_find_current()); else it is a stored name, looked up exactly.
 */
static int
current_of(struct store *s, const char *name, int typed, struct store_cert **out)
{
	char *folded = san_fold_store_name(xstrdup(name)), *revoked = NULL;
	char *shown = text_echo(name);
	struct store_filter filter = { folded, NULL, STATUS_REVOKED, 0 };
	int ret = typed ? issuance_find_current(s, name, out) :
	    store_find_current(s, name, out), status = EXIT_USAGE;

	if (ret == STORE_OK) {
		status = EXIT_OK;
		goto out;
	}
	if (ret != STORE_E_NOTFOUND) {
		status = cli_store_outcome(s, ret);
		goto out;
	}
	store_list(s, &filter, find_revoked, &revoked);
	cli_store_print(s);
	if (revoked != NULL)
		error_msg("'%s' is revoked (serial %s) and cannot be renewed;"
		    " issue a new certificate with 'sipca issue'", shown, revoked);
	else
		error_msg("no certificate named '%s'", shown);
out:
	free(revoked);
	free(shown);
	free(folded);
	return status;
}

/*
 * What renew issues for cur: the request (renewal_spec()) and the key it
 * keeps (*out_pub, spec->pubkey; NULL when the key is new: --rekey,
 * --csr). The real run and the dry run both start here.
 */
static int
renewal_request(struct store *s, const struct store_cert *cur,
    const struct renewal_options *o, struct issuance_spec *spec,
    gnutls_pubkey_t *out_pub)
{
	struct report rep = { NULL, 0 };
	int status = cli_outcome(renewal_spec(cur, o, spec, &rep), &rep);

	if (status == EXIT_OK && !o->rekey && o->csr == NULL)
		status = cli_outcome(renewal_kept_key(s, cur, out_pub, &rep), &rep);
	spec->pubkey = *out_pub;
	return status;
}

/*
 * A dry run's CA: ca.pem without its key, and a stand-in key that signs
 * what the guard lints (issuance_rehearse()), so a dry run asks for no
 * passphrase or PIN and still says what the real run would refuse.
 */
struct rehearsal {
	struct ca *ca;
	gnutls_privkey_t key;
};

static int
rehearsal_open(struct store *s, struct rehearsal *r)
{
	struct report rep = { NULL, 0 };
	int status = EXIT_OK;

	if (r->ca == NULL)
		status = cli_outcome(signer_open(s, 0, NULL, &r->ca, &rep), &rep);
	if (status == EXIT_OK && r->key == NULL)
		status = cli_outcome(issuance_standin_key(r->ca, &r->key, &rep), &rep);
	return status;
}

static void
rehearsal_clear(struct rehearsal *r)
{
	ca_free(r->ca);
	if (r->key != NULL)
		gnutls_privkey_deinit(r->key);
	memset(r, 0, sizeof(*r));
}

/*
 * renew --dry-run for cur: the certificate the real run would make,
 * built and linted the same way, the guard's findings and refusal
 * printed with the real run's words. *out_forced: --force would go past
 * errors.
 */
static int
rehearse_one(struct store *s, struct rehearsal *r,
    const struct renewal_options *o, const struct store_cert *cur,
    int *out_capped, int *out_forced)
{
	struct issuance_spec spec;
	struct issuance is;
	struct report rep = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	int status;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	if ((status = rehearsal_open(s, r)) != EXIT_OK ||
	    (status = renewal_request(s, cur, o, &spec, &pub)) != EXIT_OK)
		goto out;
	status = cli_outcome(issuance_rehearse(&spec, r->ca, r->key, &is, &rep),
	    &rep);
	*out_capped = is.capped;
	*out_forced = is.forced;
out:
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return status;
}

/*
 * Renews NAME under the writers' lock, provided its current certificate
 * is still expect_serial (a concurrent run may have renewed it).
 * *out_skipped is set when it was not.
 */
static int
renew_one(struct store *s, const struct ca *ca, const struct renewal_options *o,
    const char *name, const char *expect_serial, int *out_skipped)
{
	struct store_cert *cur = NULL;
	struct issuance_spec spec;
	struct issuance is;
	struct issuance_record how = { NULL, 0, NULL };
	struct report rep = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	char until[21];
	int ret = STORE_OK, locked = 0, status;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	if ((ret = store_lock(s)) < 0) {
		status = cli_store_outcome(s, ret);
		goto out;
	}
	locked = 1;
	/* name is the stored name: the caller resolved what was typed. */
	if ((status = current_of(s, name, 0, &cur)) != EXIT_OK)
		goto out;
	if (expect_serial != NULL && strcmp(cur->serial, expect_serial) != 0) {
		*out_skipped = 1;
		goto out;
	}
	if ((status = renewal_request(s, cur, o, &spec, &pub)) != EXIT_OK)
		goto out;
	/* A CSR-issued certificate stays one: its key is the device's. */
	how.key_source = o->csr != NULL ? "csr" : cur->key_source;
	how.replace = 1;
	ret = STORE_OK;
	status = cli_outcome(issuance_issue(s, &spec, ca, &how, &is, &ret, &rep),
	    &rep);
	if (ret == STORE_E_NOTFOUND) {
		error_msg("'%s' has no current certificate any more", name);
		status = EXIT_USAGE;
	}
	if (status != EXIT_OK)
		goto out;
	if (is.capped) {
		struct validity_ask ask = { is.not_before, spec.days, NULL,
		    validity_ca_end(ca) };
		char *msg = validity_message(&ask, VALIDITY_CAPPED);

		warn_msg("%s: %s", name, msg);
		free(msg);
	}
	format_time_rfc3339(is.not_after, until);
	cli_say("renewed %s '%s': serial %s -> %s, valid until %s, %s key%s\n",
	    cur->kind, name, cur->serial, is.serial, until,
	    o->csr != NULL ? "the request's" : o->rekey ? "new" : "same",
	    is.forced ? " (forced past lint errors)" : "");
	status = EXIT_OK;
out:
	if (locked)
		store_unlock(s);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	store_cert_free(cur);
	return status;
}

/* What a fleet renewal (--expiring DAYS, or --all) takes and says. */
struct fleet {
	long expiring;		/* -1: --all */
	int dry_run;
	struct signer_secrets secrets;
	const char *csr_dir;	/* --csr-dir, or NULL */
	int reuse_key;		/* --reuse-key */
};

/* A due name's request from --csr-dir, checked as renew NAME --csr checks it. */
static int
check_due_csr(struct store *s, const struct renewal_options *o, int reuse_key,
    const struct renewal_item *it, const char *path, gnutls_x509_crq_t crq)
{
	struct store_cert *cur = NULL;
	struct issuance_spec spec;
	struct report rep = { NULL, 0 };
	struct renewal_options with = *o;
	struct cli_csr_checks checks;
	int status;

	memset(&spec, 0, sizeof(spec));
	memset(&checks, 0, sizeof(checks));
	with.csr = crq;
	checks.path = path;
	checks.reuse_key = reuse_key;
	if ((status = current_of(s, it->name, 0, &cur)) == EXIT_OK &&
	    (status = cli_outcome(renewal_spec(cur, &with, &spec, &rep),
	    &rep)) == EXIT_OK) {
		checks.name = cur->name;
		checks.sans = &spec.sans;
		status = cli_csr_check(s, crq, &checks);
	}
	san_list_clear(&spec.sans);
	store_cert_free(cur);
	return status;
}

/*
 * --csr-dir DIR: DIR/NAME.csr of each due NAME, read and checked before
 * anything is renewed, so one bad request renews nothing (exit 2). A
 * NAME without one is renewed as without --csr-dir, with its own key,
 * and its "renewed" line says "same key", as the others say "the
 * request's key": a fleet whose devices send requests at their own pace
 * never lets the slow ones expire.
 */
static int
load_due_csrs(struct store *s, const struct renewal_options *o,
    const struct fleet *f, const struct renewal_list *due, gnutls_x509_crq_t *csrs)
{
	struct stat st;
	char *path;
	int one, status = EXIT_OK;
	size_t i;

	for (i = 0; i < due->n; i++) {
		path = xasprintf("%s/%s.csr", f->csr_dir, due->items[i].name);
		if (stat(path, &st) < 0 && errno == ENOENT) {
			free(path);
			continue;
		}
		one = cli_csr_load(path, &csrs[i]);
		if (one == EXIT_OK)
			one = check_due_csr(s, o, f->reuse_key, &due->items[i], path,
			    csrs[i]);
		if (one > status)
			status = one;
		free(path);
	}
	return status;
}

/* A fleet dry run's item, as renew_one() would find it. */
static int
rehearse_due(struct store *s, struct rehearsal *r,
    const struct renewal_options *o, const struct renewal_item *it)
{
	struct store_cert *cur = NULL;
	int capped = 0, forced = 0, status = current_of(s, it->name, 0, &cur);

	if (status == EXIT_OK)
		status = rehearse_one(s, r, o, cur, &capped, &forced);
	store_cert_free(cur);
	return status;
}

/*
 * The due certificates of --expiring or --all, renewed one by one under
 * the lock; one failure does not stop the others, and the worst status
 * is returned. --all decides "issued by the current CA" with ca.pem
 * alone, so a run with nothing to do asks for no passphrase.
 */
static int
renew_fleet(struct signing *sg, const struct renewal_options *o,
    const struct fleet *f)
{
	struct renewal_list due = { NULL, 0, 0 };
	struct report rep = { NULL, 0 };
	struct ca *current = NULL;
	struct rehearsal r = { NULL, NULL };
	struct renewal_options with = *o;
	gnutls_x509_crq_t *csrs = NULL;
	char until[21];
	int ret, skipped, one, status = EXIT_OK;
	size_t i, renewed = 0, refused = 0;

	if (f->expiring < 0 && (status = cli_outcome(signer_open(sg->store, 0,
	    NULL, &current, &rep), &rep)) != EXIT_OK)
		goto out;
	ret = f->expiring >= 0 ? renewal_list_expiring(sg->store,
	    sipca_now() + (time_t)f->expiring * 86400, &due) :
	    renewal_list_foreign(sg->store, current, &due);
	if (ret < 0) {
		status = cli_store_outcome(sg->store, ret);
		goto out;
	}
	csrs = xcalloc(due.n, sizeof(*csrs));
	if (f->csr_dir != NULL &&
	    (status = load_due_csrs(sg->store, o, f, &due, csrs)) != EXIT_OK)
		goto out;
	if (f->dry_run) {
		for (i = 0; i < due.n; i++) {
			with.csr = csrs[i];
			if ((one = rehearse_due(sg->store, &r, &with, &due.items[i])) !=
			    EXIT_OK) {
				if (one > status)
					status = one;
				refused++;
				continue;
			}
			format_time_rfc3339(due.items[i].not_after, until);
			printf("would renew '%s' (serial %s, until %s)\n",
			    due.items[i].name, due.items[i].serial, until);
		}
		if (f->expiring >= 0)
			printf("%zu to renew\n", due.n);
		else
			printf("%zu to renew, %zu already issued by the current CA\n",
			    due.n, due.current);
		if (refused > 0)
			error_msg("%zu of them would be refused (see above)", refused);
		goto out;
	}
	if (due.n == 0) {
		if (f->expiring >= 0)
			cli_say("nothing expires within %ld day%s\n", f->expiring,
			    plural(f->expiring));
		else
			cli_say("nothing to renew: every valid certificate (%zu) is"
			    " issued by the current CA\n", due.current);
		goto out;
	}
	if ((status = cli_outcome(signing_unlock(sg, &f->secrets, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	for (i = 0; i < due.n; i++) {
		skipped = 0;
		with.csr = csrs[i];
		one = renew_one(sg->store, sg->ca, &with, due.items[i].name,
		    due.items[i].serial, &skipped);
		if (one != EXIT_OK) {
			if (one > status)
				status = one;
			continue;
		}
		if (skipped)
			cli_say("skipped '%s': renewed meanwhile\n", due.items[i].name);
		else
			renewed++;
	}
	if (f->expiring >= 0)
		cli_say("%zu renewed, %zu due\n", renewed, due.n);
	else
		cli_say("renewed %zu of %zu certificate%s not issued by the current"
		    " CA; %zu already were\n", renewed, due.n, plural((long long)due.n),
		    due.current);
out:
	for (i = 0; csrs != NULL && i < due.n; i++)
		if (csrs[i] != NULL)
			gnutls_x509_crq_deinit(csrs[i]);
	free(csrs);
	rehearsal_clear(&r);
	renewal_list_clear(&due);
	ca_free(current);
	return status;
}

/* renew NAME: everything the input can be wrong about before the key is asked for. */
static int
renew_named(struct signing *sg, const struct renewal_options *o,
    struct validity_ask *ask, const char *name, const struct fleet *f,
    struct cli_csr_checks *checks)
{
	struct report rep = { NULL, 0 };
	struct store_cert *cur = NULL;
	struct issuance_spec spec;
	struct rehearsal r = { NULL, NULL };
	char until[21];
	int skipped = 0, status;

	memset(&spec, 0, sizeof(spec));
	if ((status = current_of(sg->store, name, 1, &cur)) != EXIT_OK ||
	    (status = cli_outcome(renewal_spec(cur, o, &spec, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	ask->days = spec.days;
	ask->days_from = spec.days_from;
	if ((status = cli_outcome(validity_check(ask, NULL, &rep), &rep)) !=
	    EXIT_OK)
		goto out;
	checks->name = cur->name;
	checks->sans = &spec.sans;
	if (o->csr != NULL &&
	    (status = cli_csr_check(sg->store, o->csr, checks)) != EXIT_OK)
		goto out;
	if (f->dry_run) {
		int capped = 0, forced = 0;

		if ((status = rehearse_one(sg->store, &r, o, cur, &capped,
		    &forced)) != EXIT_OK)
			goto out;
		format_time_rfc3339(cur->not_after, until);
		printf("would renew %s '%s' (serial %s, until %s) for %ld day%s%s%s\n",
		    cur->kind, cur->name, cur->serial, until, spec.days,
		    plural(spec.days),
		    capped ? ", capped to the CA's notAfter" : "",
		    forced ? " (forced past lint errors)" : "");
		goto out;
	}
	if ((status = cli_outcome(signing_unlock(sg, &f->secrets, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	status = renew_one(sg->store, sg->ca, o, cur->name, cur->serial, &skipped);
	if (status == EXIT_OK && skipped) {
		error_msg("'%s' was renewed meanwhile by another sipca", cur->name);
		status = EXIT_USAGE;
	}
out:
	rehearsal_clear(&r);
	san_list_clear(&spec.sans);
	store_cert_free(cur);
	return status;
}

static int
cmd_renew(int argc, char **argv)
{
	struct cli_parser p;
	struct renewal_options o;
	struct signing sg;
	struct report rep = { NULL, 0 };
	struct validity_ask ask = { 0, 0, NULL, 0 };
	struct fleet f = { -1, 0, { NULL, NULL }, NULL, 0 };
	struct cli_csr_checks checks;
	struct san_list csr_sans = { NULL, 0 };
	const char *csr_path = NULL;
	int c, all = 0, copy_san = 0, drop_others = 0, status = EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	memset(&checks, 0, sizeof(checks));
	memset(&sg, 0, sizeof(sg));
	cli_parser_init(&p, &command_renew, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 36500, &o.days) < 0) {
				error_msg("invalid --days: '%s' (1 to 36500)", p.arg);
				goto out;
			}
			break;
		case OPT_REKEY: o.rekey = 1; break;
		case OPT_KEY:
			if (key_type_parse(p.arg, &o.key_type) < 0) {
				error_msg("unknown key type: '%s' (one of %s)", p.arg,
				    KEY_TYPE_NAMES);
				goto out;
			}
			o.key_type_set = 1;
			break;
		case OPT_EXPIRING:
			if (parse_long(p.arg, 0, 36500, &f.expiring) < 0) {
				error_msg("invalid --expiring: '%s' (0 to 36500 days)", p.arg);
				goto out;
			}
			break;
		case OPT_ALL: all = 1; break;
		case OPT_DRY_RUN: f.dry_run = 1; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_FOREIGN: o.allow_foreign = 1; break;
		case OPT_PASSFILE: f.secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: f.secrets.pin_file = p.arg; break;
		case OPT_CSR: csr_path = p.arg; break;
		case OPT_COPY_SAN: copy_san = 1; break;
		case OPT_DROP_OTHER_SANS: drop_others = 1; break;
		case OPT_REUSE_KEY: checks.reuse_key = f.reuse_key = 1; break;
		case OPT_CSR_DIR: f.csr_dir = p.arg; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_renew);
			goto out;
		}
	}
	if ((argc - p.index >= 1) + (f.expiring >= 0) + all != 1 ||
	    argc - p.index > 1) {
		error_msg(all ? "give one of NAME, --expiring DAYS or --all" :
		    "give either NAME or --expiring DAYS");
		status = cli_usage_error(&command_renew);
		goto out;
	}
	if (f.csr_dir != NULL && f.expiring < 0 && !all) {
		error_msg("--csr-dir goes with --expiring DAYS or --all (renew NAME takes --csr FILE)");
		goto out;
	}
	if ((copy_san || (checks.reuse_key && f.csr_dir == NULL)) &&
	    csr_path == NULL) {
		error_msg("--copy-san and --reuse-key go with --csr FILE");
		goto out;
	}
	if (drop_others && !copy_san) {
		error_msg("--drop-other-sans goes with --copy-san");
		goto out;
	}
	if (csr_path != NULL && (f.expiring >= 0 || all)) {
		/* One request is one device's key. */
		error_msg("--csr renews one NAME at a time (a fleet: --csr-dir DIR)");
		goto out;
	}
	if (o.key_type_set && !o.rekey && csr_path == NULL) {
		error_msg("--key needs --rekey (renewal keeps the key otherwise)");
		goto out;
	}
	if ((f.expiring >= 0 || all) && o.rekey) {
		/* A fleet rekey would strand every device that made its own key. */
		error_msg("--rekey renews one NAME at a time");
		goto out;
	}

	if ((status = cli_outcome(signing_open(cli_dir_option(),
	    f.dry_run ? STORE_READONLY : 0, 1, &sg, &rep), &rep)) != EXIT_OK)
		goto out;
	o.domain = sg.domain;
	o.crl_url = sg.crl_url;
	o.organization = sg.defaults.organization;
	/* A new key is of the team's type unless --key says (else the old one's). */
	if (o.rekey && !o.key_type_set && sg.defaults.key_type_set) {
		o.key_type = sg.defaults.key_type;
		o.key_type_set = 1;
	}
	/* Before the key is asked for: an expired CA, --days past its end. */
	ask.not_before = sipca_now();
	if ((status = cli_outcome(validity_issuer_end(sg.store, &ask.ca_not_after,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	if (argc - p.index == 1) {
		if (csr_path != NULL && ((status = cli_csr_load(csr_path, &o.csr)) !=
		    EXIT_OK || (copy_san && (status = cli_csr_copy_sans(csr_path,
		    o.csr, drop_others, &csr_sans)) != EXIT_OK)))
			goto out;
		o.csr_sans = copy_san ? &csr_sans : NULL;
		checks.path = csr_path;
		checks.key_set = o.key_type_set;
		checks.key_type = o.key_type;
		checks.copy_san = copy_san;
		status = renew_named(&sg, &o, &ask, argv[p.index], &f, &checks);
		goto out;
	}
	ask.days = o.days != 0 ? o.days : 1;
	ask.days_from = o.days != 0 ? "--days" : NULL;
	if ((status = cli_outcome(validity_check(&ask, NULL, &rep), &rep)) != EXIT_OK)
		goto out;
	status = renew_fleet(&sg, &o, &f);
out:
	cli_parser_free(&p);
	signing_clear(&sg);
	san_list_clear(&csr_sans);
	if (o.csr != NULL)
		gnutls_x509_crq_deinit(o.csr);
	return status;
}
