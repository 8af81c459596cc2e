/*
 * cli: the command table's row type and option parsing driven by each
 * command's own option table, so that --help, completions and the man
 * page are all derived from one list (git's parse-options idea).
 */
#ifndef SIPCA_CLI_H
#define SIPCA_CLI_H

#include <stddef.h>
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

/*
 * Iterates options of a command: returns key, 0 at the end of options,
 * '?' after printing an error for a bad option, CLI_HELP after printing
 * the command's --help on stdout (the command then returns EXIT_OK).
 */
enum { CLI_HELP = -1 };

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

/*
 * "--help" output of one command: each option with the values it takes
 * (its values list, which completions offer and sipca(1) prints too),
 * and the first argument's.
 */
void cli_print_help(FILE *f, const struct command *cmd);
/* The literal words of a values list ("pem,der,@file": "pem, der"), or
 * NULL when it has none; the caller frees it. */
char *cli_values_text(const char *values);
/*
 * For a command of one operand given n of them: "missing WHAT" (n 0) or
 * "unexpected argument: 'operands[1]'", before the usage.
 */
void cli_operand_error(int n, char **operands, const char *what);
/* "usage: sipca ..." and "see 'sipca CMD --help'" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct command *cmd);
/* "-d, --dir DIR"; a long-only option gets indent before it ("    --json"). */
void cli_option_label(char *buf, size_t size, const struct cli_option *o,
    const char *indent);

/*
 * The command table (NULL-terminated), handed over once by main before
 * anything looks a command up; cli.c only borrows it.
 */
void cli_init(const struct command *const *commands);
const struct command *const *cli_commands(void);
const struct command *cli_find_command(const char *name);
/* The command a mistyped word most likely meant ("isue": "issue"), or
 * NULL when none is close or two are equally close. */
const char *cli_suggest_command(const char *word);
/* Words longer than this are never suggested for. */
#define CLI_SUGGEST_MAX 40

/* The -d/--dir value given before or after the command, or NULL. */
const char *cli_dir_option(void);
void cli_set_dir_option(const char *dir);

/*
 * sipca's global options, one table read by main's parsing, the overview
 * ("sipca --help"), each command's --help, the completions and sipca(1).
 * Those marked every_command are taken after the command too (cli_next).
 * Terminated by a row whose opt.name is NULL.
 */
enum { CLI_OPT_DIR = 'd', CLI_OPT_HELP = 'h', CLI_OPT_VERSION = 256,
    CLI_OPT_STORE };

struct cli_global {
	struct cli_option opt;	/* opt.help: one line, in commands' --help and completions */
	int every_command;
	const char *overview;	/* its text in "sipca --help" when longer; '\n' breaks lines */
	const char *manual;	/* its paragraph in sipca(1), in roff */
};

extern const struct cli_global cli_global_options[];

/*
 * The global option argv[*i] is, before the command: "-d DIR", "--dir DIR",
 * "--dir=DIR", "-h", ... (no bundling, no abbreviations). Sets *out_arg to
 * its value (NULL for a flag), moves *i past it; NULL when argv[*i] is none
 * or its value is missing, *i then unchanged.
 */
const struct cli_global *cli_global_parse(int argc, char **argv, int *i,
    const char **out_arg);

#endif
