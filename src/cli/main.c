/*
 * sipca: a certificate authority for SIP over TLS.
 *
 * main owns the global options, the table of commands and the final
 * check that everything written to stdout reached it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gnutls/gnutls.h>

#include "cli.h"
#include "util.h"
#include "version.h"

extern const struct command command_init;
extern const struct command command_issue;
extern const struct command command_export;
extern const struct command command_list;
extern const struct command command_show;
extern const struct command command_renew;
extern const struct command command_revoke;
extern const struct command command_crl;
extern const struct command command_rollover;
extern const struct command command_config;
extern const struct command command_store;
extern const struct command command_lint;
extern const struct command command_check;
extern const struct command command_probe;
extern const struct command command_serve;
extern const struct command command_acme;
extern const struct command command_scep;
extern const struct command command_complete;
extern const struct command command_man;
static const struct command command_help;

static const struct command *const commands[] = {
	&command_init,
	&command_issue,
	&command_export,
	&command_list,
	&command_show,
	&command_renew,
	&command_revoke,
	&command_crl,
	&command_rollover,
	&command_config,
	&command_store,
	&command_lint,
	&command_check,
	&command_probe,
	&command_serve,
	&command_acme,
	&command_scep,
	&command_help,
	&command_complete,
	&command_man,
	NULL,
};

/* A global option's text in the overview, its lines under one another. */
static void
print_global(FILE *f, const struct cli_global *g)
{
	const char *text = g->overview != NULL ? g->overview : g->opt.help, *nl;
	char label[64];

	cli_option_label(label, sizeof(label), &g->opt, "");
	fprintf(f, "  %-15s", label);
	while ((nl = strchr(text, '\n')) != NULL) {
		fprintf(f, " %.*s\n%17s", (int)(nl - text), text, "");
		text = nl + 1;
	}
	fprintf(f, " %s\n", text);
}

static void
print_overview(FILE *f)
{
	const struct command *const *c;
	const struct cli_global *g;

	fputs("usage: sipca [-d DIR] COMMAND [options]\n\n"
	    "A certificate authority for SIP over TLS: server certificates for\n"
	    "proxies and SBCs, device certificates for phones and softphones.\n\n"
	    "commands:\n", f);
	for (c = commands; *c != NULL; c++)
		if ((*c)->name[0] != '_')
			fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\noptions:\n", f);
	for (g = cli_global_options; g->opt.name != NULL; g++)
		print_global(f, g);
	fputs("\nexit status: 0 success, 1 findings (lint, expiring, check),\n"
	    "2 usage error or bad input (nothing changed), 3 operational failure.\n", f);
}

/* One line, the word escaped, and the command it most likely meant. */
static void
unknown_command(const char *word)
{
	const char *near = cli_suggest_command(word);
	char *shown = text_echo(word);

	if (near != NULL)
		error_msg("unknown command: '%s'; did you mean '%s'?", shown, near);
	else
		error_msg("unknown command: '%s'; see 'sipca --help'", shown);
	free(shown);
}

/* The short usage, for a line sipca cannot start on. */
static void
short_usage(void)
{
	fputs("usage: sipca [-d DIR] COMMAND [options]; see 'sipca --help'\n", stderr);
}

static int
cmd_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_help(stdout, &command_help);
		return EXIT_OK;
	}
	if ((cmd = cli_find_command(argv[1])) == NULL) {
		unknown_command(argv[1]);
		return EXIT_USAGE;
	}
	cli_print_help(stdout, cmd);
	return EXIT_OK;
}

static const struct cli_option help_options[] = {
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct command command_help = {
	"help", cmd_help, "help [COMMAND]", "Show help for sipca or one command.",
	help_options, "@command",
};

static int
finish(int status)
{
	/* A full disk or closed pipe on stdout is a failure, as in git. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "sipca: cannot write to stdout: %s\n",
			    strerror(errno));
		return status == EXIT_OK ? EXIT_OPERATIONAL : status;
	}
	return status;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	const struct cli_global *g;
	const char *arg;
	int i = 1, status, ret;

	/* Everything sipca creates is private to its owner (signify). */
	umask(077);
	/* A crash must not leave a core file with a CA key or passphrase in it. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	cli_init(commands);
	while (i < argc && argv[i][0] == '-') {
		if ((g = cli_global_parse(argc, argv, &i, &arg)) == NULL) {
			char *shown = text_echo(argv[i]);

			fprintf(stderr, "sipca: unknown option: '%s'\n", shown);
			free(shown);
			short_usage();
			return EXIT_USAGE;
		}
		switch (g->opt.key) {
		case CLI_OPT_DIR:
			cli_set_dir_option(arg);
			break;
		case CLI_OPT_STORE:
			/* The store reads it (src/store/index.c), as do the commands sipca starts. */
			if (setenv("SIPCA_STORE", arg, 1) < 0) {
				fprintf(stderr, "sipca: --store: %s\n", strerror(errno));
				return EXIT_OPERATIONAL;
			}
			break;
		case CLI_OPT_HELP:
			print_overview(stdout);
			return finish(EXIT_OK);
		case CLI_OPT_VERSION:
			printf("sipca %s (GnuTLS %s)\n", SIPCA_VERSION,
			    gnutls_check_version(NULL));
			return finish(EXIT_OK);
		}
	}
	if (i >= argc) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = cli_find_command(argv[i])) == NULL) {
		unknown_command(argv[i]);
		return EXIT_USAGE;
	}
	if ((ret = gnutls_global_init()) < 0) {
		fprintf(stderr, "sipca: gnutls_global_init: %s\n", gnutls_strerror(ret));
		return EXIT_OPERATIONAL;
	}
	util_set_command(cmd->name);
	status = cmd->run(argc - i, argv + i);
	gnutls_global_deinit();
	return finish(status);
}
