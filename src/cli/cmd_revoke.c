/*
 * sipca revoke: marks certificates revoked and publishes a fresh CRL.
 *
 * By name it revokes the current certificate and every superseded one
 * of that name that has not expired yet: renewal keeps the key, so an
 * older certificate of a lost phone would otherwise go on working until
 * its notAfter. All of them in one transaction, then the CRL. Run again
 * on a name that is revoked already, it finishes what is left (a
 * superseded certificate still valid, the CRL a killed run did not
 * write) and succeeds. --serial revokes exactly one certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cli.h"
#include "cli_status.h"
#include "crl.h"
#include "crl_publish.h"
#include "cli_secret.h"
#include "issuance.h"
#include "san.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_SERIAL = 256, OPT_REASON, OPT_CRL_DAYS, OPT_PASSFILE };

static const struct cli_option revoke_options[] = {
	{ "serial", OPT_SERIAL, 1, "HEX", NULL, "revoke this one certificate (any of its names' history)" },
	{ "reason", OPT_REASON, 1, "REASON", CRL_REASON_NAMES, "RFC 5280 5.3.1 reason (default unspecified)" },
	{ "crl-days", OPT_CRL_DAYS, 1, "N", NULL, "the new CRL's nextUpdate in days (default 30)" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase" },
	CLI_OPTION_PIN_FILE,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_revoke(int argc, char **argv);

const struct command command_revoke = {
	"revoke", cmd_revoke,
	"revoke NAME [--reason REASON] [--passphrase-file FILE | --pin-file FILE]\n"
	"revoke --serial HEX [--reason REASON] [--passphrase-file FILE | --pin-file FILE]",
	"Revoke a certificate and publish a fresh CRL.",
	revoke_options, "@name",
};

struct targets {
	char **serials;
	size_t n;
	time_t now;
};

static void
add_target(struct targets *t, const char *serial)
{
	t->serials = xrealloc(t->serials, (t->n + 1) * sizeof(*t->serials));
	t->serials[t->n++] = xstrdup(serial);
}

/* NAME's superseded certificates that still validate. */
static int
add_superseded(const struct store_cert *c, void *arg)
{
	struct targets *t = arg;

	if (c->not_after > t->now)
		add_target(t, c->serial);
	return 0;
}

/* The latest revocation of NAME, to say when it happened. */
static int
last_revoked(const struct store_cert *c, void *arg)
{
	struct store_cert *last = arg;

	last->revoked_at = c->revoked_at;
	free(last->serial);
	last->serial = xstrdup(c->serial);
	return 0;
}

/*
 * Fills t with what revoking NAME means; an exit status after a message.
 * A name whose current certificate was revoked already is not an error:
 * what is left of it is revoked now (its superseded certificates still
 * valid: a revocation from before they were revoked together).
 */
static int
targets_by_name(struct store *s, const char *name, struct targets *t)
{
	struct store_filter filter = { name, NULL, STATUS_SUPERSEDED, 0 };
	struct store_cert *current = NULL, last;
	char when[21];
	int ret;

	ret = issuance_find_current(s, name, &current);
	if (ret == STORE_E_NOTFOUND) {
		memset(&last, 0, sizeof(last));
		filter.status = STATUS_REVOKED;
		if ((ret = store_list(s, &filter, last_revoked, &last)) < 0)
			return cli_store_outcome(s, ret);
		if (last.serial == NULL) {
			error_msg("no certificate named '%s'", name);
			return EXIT_USAGE;
		}
		format_time_rfc3339(last.revoked_at, when);
		cli_say("'%s' has no current certificate: serial %s was revoked"
		    " already at %s\n", name, last.serial, when);
		free(last.serial);
		filter.status = STATUS_SUPERSEDED;
	} else if (ret < 0)
		return cli_store_outcome(s, ret);
	else
		add_target(t, current->serial);
	if (current != NULL)
		filter.name = current->name;	/* as stored: it may predate folding */
	ret = store_list(s, &filter, add_superseded, t);
	store_cert_free(current);
	if (ret < 0)
		return cli_store_outcome(s, ret);
	return EXIT_OK;
}

static int
target_by_serial(struct store *s, const char *serial, struct targets *t)
{
	struct store_cert *c = NULL;
	unsigned char buf[64];
	char when[21];
	int ret;

	if (hex_decode(serial, buf, sizeof(buf)) <= 0) {
		error_msg("invalid serial: '%s': hex expected", serial);
		return EXIT_USAGE;
	}
	ret = store_find_serial(s, serial, &c);
	if (ret == STORE_E_NOTFOUND) {
		error_msg("no certificate with serial '%s'", serial);
		return EXIT_USAGE;
	}
	if (ret < 0)
		return cli_store_outcome(s, ret);
	if (c->status == STATUS_REVOKED) {
		format_time_rfc3339(c->revoked_at, when);
		error_msg("serial %s ('%s') was revoked already, at %s", c->serial,
		    c->name, when);
		store_cert_free(c);
		return EXIT_USAGE;
	}
	add_target(t, c->serial);
	store_cert_free(c);
	return EXIT_OK;
}

static int
cmd_revoke(int argc, char **argv)
{
	struct cli_parser p;
	struct signing sg;
	struct targets t = { NULL, 0, 0 };
	struct crl_published pub;
	struct report rep = { NULL, 0 };
	const char *serial = NULL, *reason = "unspecified";
	struct signer_secrets secrets = { NULL, NULL };
	const char *name = NULL;
	enum crl_reason code;
	long crl_days = CRL_DEFAULT_DAYS;
	const char *old_file = NULL;
	char when[21];
	size_t i;
	int c, ret, locked = 0, status = EXIT_USAGE;

	memset(&pub, 0, sizeof(pub));
	memset(&sg, 0, sizeof(sg));
	t.now = sipca_now();
	cli_parser_init(&p, &command_revoke, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_SERIAL: serial = p.arg; break;
		case OPT_REASON:
			if (crl_reason_parse(p.arg, &code) < 0) {
				error_msg("unknown reason: '%s' (one of %s)", p.arg,
				    CRL_REASON_NAMES);
				goto out;
			}
			reason = p.arg;
			break;
		case OPT_CRL_DAYS:
			if (parse_long(p.arg, 1, 3650, &crl_days) < 0) {
				error_msg("invalid --crl-days: '%s' (1 to 3650)", p.arg);
				goto out;
			}
			break;
		case OPT_PASSFILE: secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: secrets.pin_file = p.arg; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_revoke);
			goto out;
		}
	}
	if (argc - p.index > 1 || (argc - p.index == 1) == (serial != NULL)) {
		error_msg("give either NAME or --serial HEX");
		status = cli_usage_error(&command_revoke);
		goto out;
	}
	if (serial == NULL)
		name = san_fold_store_name(argv[p.index]);

	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 0, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	/* The key first: when it cannot sign a CRL, nothing is revoked. */
	if ((status = cli_outcome(signing_unlock(&sg, &secrets, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	if ((ret = store_lock(sg.store)) < 0) {
		status = cli_store_outcome(sg.store, ret);
		goto out;
	}
	locked = 1;
	status = name != NULL ? targets_by_name(sg.store, name, &t) :
	    target_by_serial(sg.store, serial, &t);
	if (status != EXIT_OK)
		goto out;
	format_time_rfc3339(t.now, when);
	if (t.n > 0 && (ret = store_revoke(sg.store, (const char *const *)t.serials,
	    t.n, t.now, reason)) < 0) {
		/* We hold the lock since the targets were chosen: cannot happen. */
		cli_store_print(sg.store);
		if (ret == STORE_E_NOTFOUND)
			error_msg("a certificate of %s is no longer revocable",
			    name != NULL ? name : serial);
		status = ret == STORE_E_NOTFOUND ? EXIT_OPERATIONAL :
		    cli_store_status(ret);
		goto out;
	}
	for (i = 0; i < t.n; i++)
		cli_say("revoked serial %s%s%s at %s, reason %s\n", t.serials[i],
		    name != NULL ? " of " : "", name != NULL ? name : "", when, reason);
	/* A test build may die here: the revocation is recorded, no CRL yet. */
	test_crash_point("revoke-recorded");
	if ((status = cli_outcome(crl_publish(sg.store, sg.ca, crl_days, &pub,
	    &rep), &rep)) != EXIT_OK) {
		error_msg("the revocation is recorded but no CRL was written;"
		    " run 'sipca crl'");
		goto out;
	}
	cli_say("CRL number %llu, %zu revoked: %s/crl.pem\n", pub.number,
	    pub.entries, store_dir(sg.store));
	if ((status = cli_outcome(crl_publish_overlap(sg.store, 0, &secrets,
	    crl_days, &old_file, &rep), &rep)) != EXIT_OK) {
		error_msg("the revocation is recorded but the old CA's CRL was"
		    " not written; run 'sipca crl'");
		goto out;
	}
	if (old_file != NULL)
		cli_say("  old    %s/%s (the rollover's old CA, until finish)\n",
		    store_dir(sg.store), old_file);
	status = EXIT_OK;
out:
	if (locked)
		store_unlock(sg.store);
	cli_parser_free(&p);
	crl_published_clear(&pub);
	for (i = 0; i < t.n; i++)
		free(t.serials[i]);
	free(t.serials);
	signing_clear(&sg);
	return status;
}
