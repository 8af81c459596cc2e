/*
 * cli: the command table's row type and option parsing driven by each
 * command's own option table, so that --help, completions and the man
 * page are all derived from one list (git's parse-options idea).
 */
#ifndef SIPCA_CLI_H
#define SIPCA_CLI_H

#include <stdio.h>

struct cli_option {
	const char *name;	/* long name without "--" */
	int key;		/* short option character, or a value >= 256 */
	int has_arg;		/* 0: flag, 1: takes an argument */
	const char *argname;	/* "FILE" in "--output FILE" */
	/*
	 * What completions offer for the argument: a comma-separated list
	 * ("rsa2048,p256"), "@file", "@dir", "@name" (names in the store),
	 * "@rule", "@profile", or NULL for free text.
	 */
	const char *values;
	const char *help;
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;	/* "issue server FQDN [options]" (one or more lines) */
	const char *summary;	/* one line for "sipca --help" */
	const struct cli_option *options;	/* terminated by { NULL } */
	/* Completion hint for positional arguments: "server,device", "@name", "@file". */
	const char *positional;
};

/* Iterates options of a command: returns key, 0 at the end of options,
 * '?' after printing an error for a bad option. */
struct cli_parser {
	const struct command *cmd;
	int argc;
	char **argv;
	const char *arg;	/* the current option's argument */
	int index;		/* first non-option argument once done */
	void *priv;
};

void cli_parser_init(struct cli_parser *p, const struct command *cmd,
    int argc, char **argv);
int cli_next(struct cli_parser *p);
void cli_parser_free(struct cli_parser *p);

/* "--help" output of one command. */
void cli_print_help(FILE *f, const struct command *cmd);
/* "usage: sipca ..." and "see 'sipca CMD --help'" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct command *cmd);

/* Looks a command up in the table main.c owns. */
const struct command *cli_find_command(const char *name);
const struct command *const *cli_commands(void);

/* The -d/--dir value given before or after the command, or NULL. */
const char *cli_dir_option(void);
void cli_set_dir_option(const char *dir);

/* Options every command takes; printed in --help and offered by completions. */
extern const struct cli_option cli_common_options[];

#endif
