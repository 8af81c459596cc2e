/*
 * cli: getopt_long driven by each command's option table, plus the
 * options every command shares (-d/--dir, -h/--help).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

enum { OPT_HELP = 'h', OPT_DIR = 'd' };

const struct cli_option cli_common_options[] = {
	{ "dir", OPT_DIR, 1, "DIR", "@dir",
	  "the CA store (default $SIPCA_DIR, else $XDG_DATA_HOME/sipca)" },
	{ "help", OPT_HELP, 0, NULL, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const char *dir_option;

const char *
cli_dir_option(void)
{
	return dir_option;
}

void
cli_set_dir_option(const char *dir)
{
	dir_option = dir;
}

struct parser_state {
	struct option *longopts;
	char *shortopts;
};

static size_t
count_options(const struct cli_option *o)
{
	size_t n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

static void
add_options(const struct cli_option *o, struct option *lo, size_t *nlo,
    char *so, size_t *nso)
{
	for (; o != NULL && o->name != NULL; o++) {
		lo[*nlo].name = o->name;
		lo[*nlo].has_arg = o->has_arg ? required_argument : no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = o->key;
		(*nlo)++;
		if (o->key > 0 && o->key < 256) {
			so[(*nso)++] = (char)o->key;
			if (o->has_arg)
				so[(*nso)++] = ':';
		}
	}
}

void
cli_parser_init(struct cli_parser *p, const struct command *cmd, int argc,
    char **argv)
{
	struct parser_state *st = xcalloc(1, sizeof(*st));
	size_t n = count_options(cmd->options) + count_options(cli_common_options);
	size_t nlo = 0, nso = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	st->longopts = xcalloc(n + 1, sizeof(struct option));
	/* A leading ":" lets us word a missing argument ourselves. */
	st->shortopts = xcalloc(2 * n + 2, 1);
	st->shortopts[nso++] = ':';
	add_options(cmd->options, st->longopts, &nlo, st->shortopts, &nso);
	add_options(cli_common_options, st->longopts, &nlo, st->shortopts, &nso);
	p->priv = st;
	optind = 0;	/* 0, not 1: GNU getopt then forgets any earlier scan */
	opterr = 0;
}

static const struct cli_option *
find_by_key(const struct command *cmd, int key)
{
	const struct cli_option *o;

	for (o = cmd->options; o != NULL && o->name != NULL; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/*
 * Operands may stand anywhere on the line ("issue server FQDN --dns x"):
 * GNU getopt permutes them behind the options; argv[0] is the command.
 */
int
cli_next(struct cli_parser *p)
{
	struct parser_state *st = p->priv;
	int c;

	for (;;) {
		c = getopt_long(p->argc, p->argv, st->shortopts, st->longopts, NULL);
		if (c == -1) {
			p->index = optind;
			return 0;
		}
		if (c == OPT_HELP && find_by_key(p->cmd, OPT_HELP) == NULL) {
			cli_print_help(stdout, p->cmd);
			fflush(stdout);
			exit(EXIT_OK);
		}
		if (c == OPT_DIR && find_by_key(p->cmd, OPT_DIR) == NULL) {
			dir_option = optarg;
			continue;
		}
		if (c == '?') {
			if (optopt != 0)
				error_msg("unknown option: '-%c'", optopt);
			else
				error_msg("unknown option: '%s'", p->argv[optind - 1]);
			return '?';
		}
		if (c == ':') {
			error_msg("option needs a value: '%s'", p->argv[optind - 1]);
			return '?';
		}
		p->arg = optarg;
		return c;
	}
}

void
cli_parser_free(struct cli_parser *p)
{
	struct parser_state *st = p->priv;

	if (st != NULL) {
		free(st->longopts);
		free(st->shortopts);
		free(st);
	}
	p->priv = NULL;
}

static void
print_options(FILE *f, const struct cli_option *o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		if (o->key > 0 && o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key,
			    o->name, o->has_arg ? " " : "",
			    o->has_arg ? o->argname : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->has_arg ? " " : "",
			    o->has_arg ? o->argname : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}

static void
print_synopsis(FILE *f, const struct command *cmd)
{
	const char *line = cmd->synopsis;
	const char *prefix = "usage: ";

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		fprintf(f, "%ssipca %.*s\n", prefix, len, line);
		prefix = "   or: ";
		if (nl == NULL)
			break;
		line = nl + 1;
	}
}

void
cli_print_help(FILE *f, const struct command *cmd)
{
	print_synopsis(f, cmd);
	fprintf(f, "\n%s\n\n", cmd->summary);
	if (count_options(cmd->options) > 0) {
		fputs("options:\n", f);
		print_options(f, cmd->options);
	}
	print_options(f, cli_common_options);
}

int
cli_usage_error(const struct command *cmd)
{
	print_synopsis(stderr, cmd);
	fprintf(stderr, "see 'sipca %s --help'\n", cmd->name);
	return EXIT_USAGE;
}

const struct command *
cli_find_command(const char *name)
{
	const struct command *const *c;

	for (c = cli_commands(); *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}
