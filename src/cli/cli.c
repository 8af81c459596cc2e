/*
 * cli: getopt_long driven by each command's option table, plus the
 * global options, those before the command and those every command
 * shares (-d/--dir, -h/--help). The command table is main's, lent here.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const struct cli_global cli_global_options[] = {
	{ { "dir", CLI_OPT_DIR, 1, "DIR", "@dir",
	    "the CA store (default $SIPCA_DIR, else $XDG_DATA_HOME/sipca)" }, 1,
	  "the CA store (default $SIPCA_DIR, else\n"
	  "${XDG_DATA_HOME:-~/.local/share}/sipca)",
	  "The store. Default: \\fB$SIPCA_DIR\\fR, else\n"
	  "\\fB${XDG_DATA_HOME:\\-~/.local/share}/sipca\\fR." },
	{ { "store", CLI_OPT_STORE, 1, "URL", NULL,
	    "the store's index: postgresql://... or sqlite (default $SIPCA_STORE)" }, 0,
	  "the store's index: a PostgreSQL connection string\n"
	  "(postgresql://...) or sqlite (default $SIPCA_STORE,\n"
	  "else the one DIR/store.conf names, else DIR/index.db)",
	  "Where the store's index is: a PostgreSQL connection string\n"
	  "(\\fBpostgresql://\\fR\\fIUSER\\fR\\fB@\\fR\\fIHOST\\fR\\fB/\\fR\\fIDB\\fR,\n"
	  "or libpq's \\fIkey\\fB=\\fIvalue\\fR form), or \\fBsqlite\\fR for\n"
	  "\\fIDIR\\fB/index.db\\fR. Default: \\fB$SIPCA_STORE\\fR, else the\n"
	  "connection string in \\fIDIR\\fB/store.conf\\fR (which \\fBinit\\fR\n"
	  "writes), else \\fIDIR\\fB/index.db\\fR. The certificate and key files\n"
	  "stay in \\fIDIR\\fR. A password in it is never printed." },
	{ { "help", CLI_OPT_HELP, 0, NULL, NULL, "show this help" }, 1,
	  "show this help; 'sipca help COMMAND' for a command",
	  "Show the commands; \\fBsipca help\\fR \\fICOMMAND\\fR or\n"
	  "\\fBsipca\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR shows one command." },
	{ { "version", CLI_OPT_VERSION, 0, NULL, NULL, "print the version" }, 0,
	  NULL, "Print the version of sipca and of GnuTLS." },
	{ { NULL, 0, 0, NULL, NULL, NULL }, 0, NULL, NULL },
};

static const struct command *const no_commands[] = { NULL };
static const struct command *const *commands = no_commands;
static const char *dir_option;

void
cli_init(const struct command *const *table)
{
	commands = table != NULL ? table : no_commands;
}

const struct command *const *
cli_commands(void)
{
	return commands;
}

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

/* Whether argv[*i] (with argv[*i + 1] for its value) is the global option o. */
static int
global_matches(const struct cli_option *o, int argc, char **argv, int *i,
    const char **out_arg)
{
	const char *w = argv[*i];
	size_t len = strlen(o->name);
	int is_short = o->key > 0 && o->key < 256 && w[0] == '-' &&
	    w[1] == o->key && w[2] == '\0';
	int is_long = strncmp(w, "--", 2) == 0 && strncmp(w + 2, o->name, len) == 0;

	if (is_short || (is_long && w[2 + len] == '\0')) {
		if (!o->has_arg) {
			*out_arg = NULL;
			*i += 1;
			return 1;
		}
		if (*i + 1 >= argc)
			return 0;
		*out_arg = argv[*i + 1];
		*i += 2;
		return 1;
	}
	if (is_long && o->has_arg && w[2 + len] == '=') {
		*out_arg = w + 2 + len + 1;
		*i += 1;
		return 1;
	}
	return 0;
}

const struct cli_global *
cli_global_parse(int argc, char **argv, int *i, const char **out_arg)
{
	const struct cli_global *g;

	if (*i >= argc)
		return NULL;
	for (g = cli_global_options; g->opt.name != NULL; g++)
		if (global_matches(&g->opt, argc, argv, i, out_arg))
			return g;
	return NULL;
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
add_option(const struct cli_option *o, struct option *lo, size_t *nlo,
    char *so, size_t *nso)
{
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

void
cli_parser_init(struct cli_parser *p, const struct command *cmd, int argc,
    char **argv)
{
	struct parser_state *st = xcalloc(1, sizeof(*st));
	const struct cli_option *o;
	const struct cli_global *g;
	size_t n = count_options(cmd->options), nlo = 0, nso = 0;

	for (g = cli_global_options; g->opt.name != NULL; g++)
		n += g->every_command;
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	st->longopts = xcalloc(n + 1, sizeof(struct option));
	/* A leading ":" lets us word a missing argument ourselves. */
	st->shortopts = xcalloc(2 * n + 2, 1);
	st->shortopts[nso++] = ':';
	for (o = cmd->options; o != NULL && o->name != NULL; o++)
		add_option(o, st->longopts, &nlo, st->shortopts, &nso);
	for (g = cli_global_options; g->opt.name != NULL; g++)
		if (g->every_command)
			add_option(&g->opt, st->longopts, &nlo, st->shortopts, &nso);
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

/* Is key one of the options the parser knows, the command's or a global one? */
static int
known_key(const struct cli_parser *p, int key)
{
	const struct cli_global *g;

	if (find_by_key(p->cmd, key) != NULL)
		return 1;
	for (g = cli_global_options; g->opt.name != NULL; g++)
		if (g->every_command && g->opt.key == key)
			return 1;
	return 0;
}

/*
 * The optimal string alignment distance (Levenshtein with adjacent
 * transpositions, "isuse" is one step from "issue"), for "did you mean".
 * Words on a command line are short; longer ones are not compared.
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t d[3][CLI_SUGGEST_MAX + 1], *prev2 = d[0], *prev = d[1], *cur = d[2], *t;

	if (la > CLI_SUGGEST_MAX || lb > CLI_SUGGEST_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* A word close enough to be a typo: one edit for short words, two from
 * six characters on (git's threshold is of the same order). */
static int
close_enough(const char *word, size_t d)
{
	return d <= (strlen(word) >= 6 ? 2 : 1);
}

const char *
cli_suggest_command(const char *word)
{
	const struct command *const *c;
	const char *best = NULL;
	size_t d, best_d = SIZE_MAX;
	int tie = 0;

	for (c = commands; *c != NULL; c++) {
		d = edit_distance(word, (*c)->name);
		if (d < best_d) {
			best_d = d;
			best = (*c)->name;
			tie = 0;
		} else if (d == best_d) {
			tie = 1;
		}
	}
	return best != NULL && !tie && close_enough(word, best_d) ? best : NULL;
}

/* The long option of cmd (or a global one) closest to name, or NULL. */
static const char *
suggest_option(const struct command *cmd, const char *name)
{
	const struct cli_option *o;
	const struct cli_global *g;
	const char *best = NULL;
	size_t d, best_d = SIZE_MAX;
	int tie = 0;

	for (o = cmd->options; ; o++) {
		if (o == NULL || o->name == NULL)
			break;
		d = edit_distance(name, o->name);
		if (d < best_d) {
			best_d = d;
			best = o->name;
			tie = 0;
		} else if (d == best_d && strcmp(best, o->name) != 0) {
			tie = 1;
		}
	}
	for (g = cli_global_options; g->opt.name != NULL; g++) {
		if (!g->every_command)
			continue;
		d = edit_distance(name, g->opt.name);
		if (d < best_d) {
			best_d = d;
			best = g->opt.name;
			tie = 0;
		} else if (d == best_d && strcmp(best, g->opt.name) != 0) {
			tie = 1;
		}
	}
	return best != NULL && !tie && close_enough(name, best_d) ? best : NULL;
}

/*
 * After '?', getopt's optopt is 0 for an unknown long option, the key
 * of a known flag given "--flag=VALUE", or else the unknown short option
 * (whose word optind may not have passed yet, "-xf").
 */
static void
bad_option(const struct cli_parser *p, int c)
{
	const char *word = p->argv[optind - 1], *what = "unknown option";
	char short_opt[3] = { '-', (char)optopt, '\0' };
	char *shown;

	if (c == ':')
		what = "option needs a value";
	else if (optopt != 0 && known_key(p, optopt))
		what = "option takes no value";
	else if (optopt != 0)
		word = short_opt;
	shown = text_echo(word);
	/* --naem: the name up to any '=', compared with the known ones */
	if (c == '?' && optopt == 0 && strncmp(word, "--", 2) == 0) {
		char *name = xasprintf("%.*s", (int)strcspn(word + 2, "="),
		    word + 2);
		const char *near = suggest_option(p->cmd, name);

		free(name);
		if (near != NULL) {
			error_msg("%s: '%s'; did you mean '--%s'?", what, shown, near);
			free(shown);
			return;
		}
	}
	error_msg("%s: '%s'", what, shown);
	free(shown);
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
		if (c == CLI_OPT_HELP && find_by_key(p->cmd, CLI_OPT_HELP) == NULL) {
			cli_print_help(stdout, p->cmd);
			return CLI_HELP;
		}
		if (c == CLI_OPT_DIR && find_by_key(p->cmd, CLI_OPT_DIR) == NULL) {
			dir_option = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			bad_option(p, c);
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

void
cli_option_label(char *buf, size_t size, const struct cli_option *o,
    const char *indent)
{
	const char *sep = o->has_arg ? " " : "", *arg = o->has_arg ? o->argname : "";

	if (o->key > 0 && o->key < 256)
		snprintf(buf, size, "-%c, --%s%s%s", o->key, o->name, sep, arg);
	else
		snprintf(buf, size, "%s--%s%s%s", indent, o->name, sep, arg);
}

char *
cli_values_text(const char *values)
{
	char *out = NULL, *copy, *item, *save = NULL, *more;

	if (values == NULL)
		return NULL;
	copy = xstrdup(values);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (item[0] == '@')
			continue;
		more = out == NULL ? xstrdup(item) : xasprintf("%s, %s", out, item);
		free(out);
		out = more;
	}
	free(copy);
	return out;
}

/*
 * lead and the words of values after it, at column indent, broken
 * between words so that no line passes HELP_WIDTH; a broken line goes
 * on two columns further in.
 */
enum { HELP_INDENT = 31, HELP_WIDTH = 79 };	/* 31: print_option's help column */

static void
print_values(FILE *f, int indent, const char *lead, const char *values,
    const char *tail)
{
	char *text = cli_values_text(values), *words, *item, *save = NULL;
	size_t col;

	if (text == NULL)
		return;
	words = xasprintf("%s %s%s", lead, text, tail);
	col = (size_t)fprintf(f, "%*s", indent, "");
	for (item = strtok_r(words, " ", &save); item != NULL;
	    item = strtok_r(NULL, " ", &save)) {
		if (item != words && col + 1 + strlen(item) > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent + 2, "");
			col = (size_t)indent + 2;
		} else if (item != words) {
			fputc(' ', f);
			col++;
		}
		col += (size_t)fprintf(f, "%s", item);
	}
	fputc('\n', f);
	free(words);
	free(text);
}

static void
print_option(FILE *f, const struct cli_option *o)
{
	char label[64];

	cli_option_label(label, sizeof(label), o, "    ");
	fprintf(f, "  %-28s %s\n", label, o->help);
	print_values(f, HELP_INDENT, "one of:", o->values, "");
}

static void
print_synopsis(FILE *f, const struct command *cmd)
{
	const char *line = cmd->synopsis;
	const char *prefix = "usage: ";

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		/* A line that starts with a blank continues the one above it. */
		if (line[0] == ' ')
			fprintf(f, "             %.*s\n", len, line);
		else
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
	const struct cli_option *o;
	const struct cli_global *g;

	print_synopsis(f, cmd);
	fprintf(f, "\n%s\n", cmd->summary);
	print_values(f, 0, "The first argument is one of:", cmd->positional, ".");
	fputc('\n', f);
	if (count_options(cmd->options) > 0)
		fputs("options:\n", f);
	for (o = cmd->options; o != NULL && o->name != NULL; o++)
		print_option(f, o);
	for (g = cli_global_options; g->opt.name != NULL; g++)
		if (g->every_command)
			print_option(f, &g->opt);
}

void
cli_operand_error(int n, char **operands, const char *what)
{
	char *shown;

	if (n == 0) {
		error_msg("missing %s", what);
		return;
	}
	shown = text_echo(operands[1]);
	error_msg("unexpected argument: '%s'", shown);
	free(shown);
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

	for (c = commands; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}
