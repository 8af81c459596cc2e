/*
 * sipca rollover: replace the CA the phones trust before it expires
 * (include/rollover.h): start (the next generation and its bridges),
 * switch (the new issuing CA signs from now on), finish (the overlap
 * ends), abort (before the switch), status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_secret.h"
#include "cli_status.h"
#include "key.h"
#include "rollover.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum {
	OPT_DAYS = 256, OPT_KEY, OPT_NAME, OPT_INTER_NAME, OPT_ROOT_KEY,
	OPT_PASSFILE, OPT_NO_PASS, OPT_FORCE,
};

static const struct cli_option rollover_options[] = {
	{ "days", OPT_DAYS, 1, "N", NULL, "start: the new root's validity in days (default 3650)" },
	{ "key", OPT_KEY, 1, "TYPE", KEY_TYPE_NAMES, "start: the new keys' type (default: the current root's)" },
	{ "name", OPT_NAME, 1, "CN", NULL, "start: the new root's name (default: the current one's, generation G2, G3, ...)" },
	{ "intermediate-name", OPT_INTER_NAME, 1, "CN", NULL, "start: the new issuing CA's name (default likewise)" },
	{ "root-key", OPT_ROOT_KEY, 1, "FILE", "@file", "start: the current root's key, moved off the machine" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "start: the current keys' passphrase; the new keys get it too" },
	{ "no-passphrase", OPT_NO_PASS, 0, NULL, NULL, "start: store the new keys unencrypted" },
	CLI_OPTION_PIN_FILE,
	CLI_OPTION_ALLOW_SHORT,
	{ "force", OPT_FORCE, 0, NULL, NULL, "finish: end the overlap with certificates of the old CA still valid" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_rollover(int argc, char **argv);

const struct command command_rollover = {
	"rollover", cmd_rollover,
	"rollover start [--days N] [--key TYPE] [--name CN] [--root-key FILE]\n"
	"               [--passphrase-file FILE | --no-passphrase] [--pin-file FILE]\n"
	"rollover switch | status | abort\n"
	"rollover finish [--force]",
	"Replace the CA the phones trust, with an overlap in which both work.",
	rollover_options, "start,switch,status,finish,abort",
};

struct args {
	const char *step;
	struct rollover_params p;
	int no_pass, force, start_only, allow_short;
	const char *pass_file;
};

/* parse_args: --help was shown, the command is done. */
#define HELP_SHOWN (-1)

static const char *const steps[] = { "start", "switch", "status", "finish", "abort" };

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct cli_parser p;
	char *shown = NULL;
	long v;
	size_t i;
	int c, status = EXIT_USAGE;

	cli_parser_init(&p, &command_rollover, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 36500, &v) < 0) {
				shown = text_echo(p.arg);
				error_msg("invalid --days: '%s' (1 to 36500)", shown);
				goto out;
			}
			a->p.days = v;
			a->start_only = 1;
			break;
		case OPT_KEY:
			if (key_type_parse(p.arg, &a->p.key_type) < 0) {
				shown = text_echo(p.arg);
				error_msg("invalid --key: '%s' (%s)", shown, KEY_TYPE_NAMES);
				goto out;
			}
			a->p.key_type_set = a->start_only = 1;
			break;
		case OPT_NAME: a->p.root_name = p.arg; a->start_only = 1; break;
		case OPT_INTER_NAME: a->p.ca_name = p.arg; a->start_only = 1; break;
		case OPT_ROOT_KEY: a->p.root_key_file = p.arg; a->start_only = 1; break;
		case OPT_PASSFILE: a->pass_file = p.arg; a->start_only = 1; break;
		case OPT_NO_PASS: a->no_pass = a->start_only = 1; break;
		case CLI_OPT_PIN_FILE:
			a->p.secrets.pin_file = p.arg;
			a->start_only = 1;
			break;
		case CLI_OPT_ALLOW_SHORT: a->allow_short = a->start_only = 1; break;
		case OPT_FORCE: a->force = 1; break;
		case CLI_HELP:
			status = HELP_SHOWN;
			goto out;
		default:
			status = cli_usage_error(&command_rollover);
			goto out;
		}
	}
	if (argc - p.index != 1) {
		error_msg(argc == p.index ? "say which step: start, switch, status,"
		    " finish or abort" : "one step at a time");
		goto out;
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(argv[p.index], steps[i]) == 0)
			a->step = steps[i];
	if (a->step == NULL) {
		shown = text_echo(argv[p.index]);
		error_msg("unknown step: '%s' (start, switch, status, finish, abort)",
		    shown);
		goto out;
	}
	if (a->start_only && strcmp(a->step, "start") != 0) {
		error_msg("--days, --key, --name, --intermediate-name, --root-key and"
		    " the passphrase options go with 'rollover start'");
		goto out;
	}
	if (a->force && strcmp(a->step, "finish") != 0) {
		error_msg("--force goes with 'rollover finish'");
		goto out;
	}
	if (a->pass_file != NULL && a->no_pass) {
		error_msg("--passphrase-file and --no-passphrase exclude each other");
		goto out;
	}
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	free(shown);
	return status;
}

/* The new keys' passphrase: the file's, a new one asked for, or none. */
static int
new_passphrase(const struct args *a, char **out)
{
	*out = NULL;
	if (a->no_pass)
		return EXIT_OK;
	if (a->pass_file == NULL && !secret_have_tty()) {
		error_msg("the new CA keys need a passphrase: give"
		    " --passphrase-file FILE or --no-passphrase");
		return EXIT_USAGE;
	}
	return cli_new_passphrase(a->pass_file, "New CA keys' passphrase: ",
	    a->allow_short, out);
}

static int
do_start(struct store *s, struct args *a)
{
	struct rollover_started st;
	struct report rep = { NULL, 0 };
	char *pass = NULL, until[21];
	int status;

	memset(&st, 0, sizeof(st));
	if ((status = new_passphrase(a, &pass)) != EXIT_OK)
		return status;
	a->p.new_passphrase = pass;
	a->p.secrets.passphrase_file = a->pass_file;
	status = cli_outcome(rollover_start(s, &a->p, &st, &rep), &rep);
	secret_free(pass);
	if (status != EXIT_OK)
		goto out;
	format_time_rfc3339(st.root_not_after, until);
	cli_say("rollover started in %s: the next CA waits beside the current one\n",
	    store_dir(s));
	cli_say("  next root         %s/next-root.pem ('%s', until %s)\n",
	    store_dir(s), st.root_name, until);
	cli_say("  next issuing CA   %s/next-ca.pem ('%s')\n", store_dir(s),
	    st.ca_name);
	if (st.bridged) {
		format_time_rfc3339(st.bridge_not_after, until);
		cli_say("  bridge            %s/bridge.pem (the next root certified by"
		    " the current one, until %s)\n", store_dir(s), until);
	}
	cli_say("  old bridge        %s/old-bridge.pem (the current root certified"
	    " by the next one)\n", store_dir(s));
	cli_say("next: give the phones 'sipca export --trust-bundle' (both roots),"
	    " then 'sipca rollover switch'\n");
	if (!st.bridged)
		warn_msg("the current CA's pathLen allows no CA below it: after the"
		    " switch, a phone that trusts only the current CA refuses the new"
		    " certificates. Install the trust bundle on every phone first");
out:
	rollover_started_clear(&st);
	return status;
}

static int
do_status(struct store *s)
{
	static const char *const what[] = {
		[STORE_ROLLOVER_NONE] = "none: the CA in ca.pem signs, its root is"
		    " what phones trust",
		[STORE_ROLLOVER_STARTED] = "started: the next CA waits (next-root.pem,"
		    " next-ca.pem); give the phones the trust bundle, then 'sipca"
		    " rollover switch'",
		[STORE_ROLLOVER_SWITCHING] = "switching was cut short: run 'sipca"
		    " rollover switch' to finish it",
		[STORE_ROLLOVER_SWITCHED] = "switched: the new CA signs; the old one"
		    " is kept for the overlap (old-*.pem); 'sipca renew --all', then"
		    " 'sipca rollover finish'",
	};
	enum store_rollover_state st;
	unsigned char *b = NULL;
	size_t len = 0;
	int ret;

	if ((ret = store_rollover_state(s, &st)) < 0)
		return cli_store_outcome(s, ret);
	printf("rollover: %s\n", what[st]);
	if (st == STORE_ROLLOVER_STARTED || st == STORE_ROLLOVER_SWITCHED) {
		ret = store_read_rollover_file(s, STORE_BRIDGE, &b, &len);
		printf("bridge: %s\n", ret == STORE_OK ? "bridge.pem: phones that"
		    " trust only the old root accept the new CA's certificates" :
		    "none: the old root's pathLen allows none; phones need the new"
		    " root before the switch");
		free(b);
		if (ret < 0 && ret != STORE_E_NOTFOUND)
			return cli_store_outcome(s, ret);
	}
	cli_store_print(s);
	return EXIT_OK;
}

static int
cmd_rollover(int argc, char **argv)
{
	struct args a;
	struct store *s = NULL;
	struct report rep = { NULL, 0 };
	size_t left = 0;
	int status;

	memset(&a, 0, sizeof(a));
	if ((status = parse_args(argc, argv, &a)) != EXIT_OK)
		return status == HELP_SHOWN ? EXIT_OK : status;
	if ((status = cli_store_open(strcmp(a.step, "status") == 0 ?
	    STORE_READONLY : 0, &s)) != EXIT_OK)
		goto out;
	if (strcmp(a.step, "start") == 0) {
		status = do_start(s, &a);
	} else if (strcmp(a.step, "status") == 0) {
		status = do_status(s);
	} else if (strcmp(a.step, "switch") == 0) {
		if ((status = cli_outcome(rollover_switch(s, &rep), &rep)) == EXIT_OK)
			cli_say("switched: ca.pem and root.pem are the new CA; the old"
			    " one is kept (old-ca.pem) until 'sipca rollover finish'\n"
			    "next: 'sipca renew --all', then 'sipca rollover finish'\n");
	} else if (strcmp(a.step, "finish") == 0) {
		if ((status = cli_outcome(rollover_finish(s, a.force, &left, &rep),
		    &rep)) == EXIT_OK)
			cli_say("rollover finished: the old CA's files are gone%s\n",
			    left > 0 ? " (its certificates still valid lose their"
			    " bridge)" : "");
	} else {
		if ((status = cli_outcome(rollover_abort(s, &rep), &rep)) == EXIT_OK)
			cli_say("rollover aborted: the current CA stays, the next one"
			    " is gone\n");
	}
out:
	store_close(s);
	return status;
}
