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

#ifndef SIPCA_VERSION
#define SIPCA_VERSION "0.1.0"
#endif

extern const struct command command_init;
extern const struct command command_issue;
extern const struct command command_export;
extern const struct command command_list;
extern const struct command command_show;
extern const struct command command_renew;
extern const struct command command_revoke;
extern const struct command command_crl;
extern const struct command command_config;
extern const struct command command_lint;
extern const struct command command_check;
extern const struct command command_probe;
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
	&command_config,
	&command_lint,
	&command_check,
	&command_probe,
	&command_help,
	&command_complete,
	&command_man,
	NULL,
};

const struct command *const *
cli_commands(void)
{
	return commands;
}

static void
print_overview(FILE *f)
{
	const struct command *const *c;

	fputs("usage: sipca [-d DIR] COMMAND [options]\n\n"
	    "A certificate authority for SIP over TLS: server certificates for\n"
	    "proxies and SBCs, device certificates for phones and softphones.\n\n"
	    "commands:\n", f);
	for (c = commands; *c != NULL; c++)
		if ((*c)->name[0] != '_')
			fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\noptions:\n"
	    "  -d, --dir DIR   the CA store (default $SIPCA_DIR, else\n"
	    "                  ${XDG_DATA_HOME:-~/.local/share}/sipca)\n"
	    "  -h, --help      show this help; 'sipca help COMMAND' for a command\n"
	    "  --version       print the version\n\n"
	    "exit status: 0 success, 1 findings (lint, expiring, check),\n"
	    "2 usage error or bad input (nothing changed), 3 operational failure.\n", f);
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
		error_msg("unknown command: '%s'", argv[1]);
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
	int i = 1, status, ret;

	/* Everything sipca creates is private to its owner (signify). */
	umask(077);
	/* A crash must not leave a core file with a CA key or passphrase in it. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	while (i < argc && argv[i][0] == '-') {
		if ((strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--dir") == 0) &&
		    i + 1 < argc) {
			cli_set_dir_option(argv[i + 1]);
			i += 2;
		} else if (strncmp(argv[i], "--dir=", 6) == 0) {
			cli_set_dir_option(argv[i] + 6);
			i++;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_overview(stdout);
			return finish(EXIT_OK);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("sipca %s (GnuTLS %s)\n", SIPCA_VERSION,
			    gnutls_check_version(NULL));
			return finish(EXIT_OK);
		} else {
			fprintf(stderr, "sipca: unknown option: '%s'\n", argv[i]);
			print_overview(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = cli_find_command(argv[i])) == NULL) {
		fprintf(stderr, "sipca: unknown command: '%s'; see 'sipca --help'\n",
		    argv[i]);
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
