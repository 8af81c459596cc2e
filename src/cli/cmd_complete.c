/*
 * sipca __complete: the one place shell completions learn from. The
 * bash, zsh and fish scripts in completions/ hold no list of commands or
 * options of their own; they pass the words typed so far and print what
 * this command answers, which it derives from the command table and the
 * option tables next to each command's code (and from the store and the
 * lint rule table for values). Hidden from "sipca --help" by its "_".
 *
 *   sipca __complete line WORD...     candidates for the last WORD
 *   sipca __complete commands         NAME<TAB>SUMMARY
 *   sipca __complete options CMD      --LONG<TAB>-S<TAB>ARG<TAB>VALUES<TAB>HELP
 *   sipca __complete values HINT [PREFIX]
 *
 * "line" prints "CANDIDATE<TAB>DESCRIPTION" lines and, last, one
 * directive: ":file" or ":dir" when the shell should add paths, ":" when
 * not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_status.h"
#include "lint.h"
#include "store.h"
#include "util.h"

static int cmd_complete(int argc, char **argv);

static const struct cli_option complete_options[] = {
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct command command_complete = {
	"__complete", cmd_complete,
	"__complete line WORD...\n"
	"__complete commands\n"
	"__complete options COMMAND\n"
	"__complete values HINT [PREFIX]",
	"Print completions for the shell scripts in completions/ (internal).",
	complete_options, NULL,
};

enum { WANT_FILE = 1 << 0, WANT_DIR = 1 << 1 };

struct emitter {
	const char *prefix;	/* printed before each value ("--format=", "a,") */
	const char *cur;	/* what the value must start with */
	unsigned want;		/* WANT_* for the directive */
};

static void
emit(const struct emitter *e, const char *value, size_t len, const char *desc)
{
	size_t curlen = strlen(e->cur);

	if (len < curlen || strncmp(value, e->cur, curlen) != 0)
		return;
	printf("%s%.*s", e->prefix, (int)len, value);
	if (desc != NULL && *desc != '\0')
		printf("\t%s", desc);
	putchar('\n');
}

static int
hidden(const struct command *c)
{
	return c->name[0] == '_';
}

static void
emit_commands(const struct emitter *e)
{
	const struct command *const *c;

	for (c = cli_commands(); *c != NULL; c++)
		if (!hidden(*c))
			emit(e, (*c)->name, strlen((*c)->name), (*c)->summary);
}

struct names_ctx {
	const struct emitter *e;
	char *last;
};

static int
on_name(const struct store_cert *c, void *arg)
{
	struct names_ctx *ctx = arg;

	/* Names with a current certificate, once each (rows come in name order). */
	if (c->status != STATUS_VALID && c->status != STATUS_EXPIRED)
		return 0;
	if (ctx->last != NULL && strcmp(ctx->last, c->name) == 0)
		return 0;
	free(ctx->last);
	ctx->last = xstrdup(c->name);
	emit(ctx->e, c->name, strlen(c->name), c->kind);
	return 0;
}

static void
emit_store_names(const struct emitter *e)
{
	struct store *s = NULL;
	struct store_filter f = { NULL, NULL, -1, 0 };
	struct names_ctx ctx = { e, NULL };

	if (cli_store_open(STORE_READONLY, &s) != EXIT_OK)
		return;
	store_list(s, &f, on_name, &ctx);
	cli_store_print(s);
	free(ctx.last);
	store_close(s);
}

static void
emit_rules(const struct emitter *e)
{
	const struct lint_rule *const *rules;
	size_t n, i;

	rules = lint_rules(&n);
	for (i = 0; i < n; i++)
		emit(e, rules[i]->id, strlen(rules[i]->id), rules[i]->summary);
}

/* Each word of a comma list ("pem,der,p12") that starts with e->cur. */
static void
emit_list(const struct emitter *e, const char *list)
{
	const char *p = list, *comma;

	while (*p != '\0') {
		comma = strchr(p, ',');
		emit(e, p, comma ? (size_t)(comma - p) : strlen(p), NULL);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

/*
 * Values for a hint: a comma list of literal words and "@" names. A
 * value that is itself a list ("--profile sip,tls") completes after its
 * last comma.
 */
static void
emit_hint(struct emitter *e, const char *hint)
{
	char *copy = xstrdup(hint), *item, *save = NULL;
	const char *comma;
	char *list_prefix = NULL;
	struct emitter sub;

	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (strcmp(item, "@file") == 0)
			e->want |= WANT_FILE;
		else if (strcmp(item, "@dir") == 0)
			e->want |= WANT_DIR;
		else if (strcmp(item, "@name") == 0)
			emit_store_names(e);
		else if (strcmp(item, "@rule") == 0)
			emit_rules(e);
		else if (strcmp(item, "@command") == 0)
			emit_commands(e);
		else if (strcmp(item, "@profile") == 0) {
			sub = *e;
			if ((comma = strrchr(e->cur, ',')) != NULL) {
				list_prefix = xasprintf("%s%.*s", e->prefix,
				    (int)(comma + 1 - e->cur), e->cur);
				sub.prefix = list_prefix;
				sub.cur = comma + 1;
			}
			emit_list(&sub, LINT_PROFILE_NAMES);
		} else if (item[0] != '@')
			emit(e, item, strlen(item), NULL);
		/* An "@" hint this version does not know offers nothing. */
	}
	free(list_prefix);
	free(copy);
}

/*
 * The options a word may name: before the command (cmd NULL) every
 * global option, after it the command's own and the global ones every
 * command takes. Calls fn on each until it returns nonzero.
 */
static const struct cli_option *
each_option(const struct command *cmd,
    int (*fn)(const struct cli_option *, const void *), const void *arg)
{
	const struct cli_option *o;
	const struct cli_global *g;

	for (o = cmd != NULL ? cmd->options : NULL; o != NULL && o->name != NULL; o++)
		if (fn(o, arg))
			return o;
	for (g = cli_global_options; g->opt.name != NULL; g++)
		if ((cmd == NULL || g->every_command) && fn(&g->opt, arg))
			return &g->opt;
	return NULL;
}

static int
emit_option(const struct cli_option *o, const void *arg)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "--%s", o->name);
	emit(arg, buf, strlen(buf), o->help);
	return 0;
}

/* "--format", "--format=x" or "-o": does the word name the option? */
static int
names(const struct cli_option *o, const void *arg)
{
	const char *w = arg;
	size_t len;

	if (strncmp(w, "--", 2) == 0) {
		len = strcspn(w + 2, "=");
		return strlen(o->name) == len && strncmp(o->name, w + 2, len) == 0;
	}
	return w[0] == '-' && w[1] != '\0' && w[2] == '\0' &&
	    o->key == (unsigned char)w[1];
}

/* The option a word names, or NULL. */
static const struct cli_option *
word_option(const struct command *cmd, const char *w)
{
	return each_option(cmd, names, w);
}

static void
directive(unsigned want)
{
	printf(":%s\n", want & WANT_FILE ? "file" : want & WANT_DIR ? "dir" : "");
}

/*
 * Walks the words before the last one as cli.c and main.c would parse
 * them, then completes the last: an option's value, an option, the
 * command, or a positional argument.
 */
static int
complete_line(int n, char **w)
{
	const struct command *cmd = NULL;
	const struct cli_option *o, *pending = NULL;
	struct emitter e = { "", "", 0 };
	const char *cur = n > 0 ? w[n - 1] : "", *eq;
	char *eq_prefix = NULL;
	int i, npos = 0, options_done = 0;

	for (i = 0; i < n - 1; i++) {
		if (pending != NULL) {
			if (pending->key == CLI_OPT_DIR)
				cli_set_dir_option(w[i]);
			pending = NULL;
			continue;
		}
		if (!options_done && strcmp(w[i], "--") == 0 && cmd != NULL) {
			options_done = 1;
			continue;
		}
		if (!options_done && w[i][0] == '-' && w[i][1] != '\0') {
			o = word_option(cmd, w[i]);
			if (o != NULL && o->has_arg && strchr(w[i], '=') == NULL)
				pending = o;
			else if (o != NULL && o->key == CLI_OPT_DIR &&
			    (eq = strchr(w[i], '=')) != NULL)
				cli_set_dir_option(eq + 1);
			continue;
		}
		if (cmd == NULL) {
			if ((cmd = cli_find_command(w[i])) == NULL) {
				directive(WANT_FILE);	/* an unknown command: paths, as a guess */
				return EXIT_OK;
			}
			continue;
		}
		npos++;
	}

	e.cur = cur;
	if (pending != NULL) {
		if (pending->values != NULL)
			emit_hint(&e, pending->values);
	} else if (!options_done && strncmp(cur, "--", 2) == 0 &&
	    (eq = strchr(cur, '=')) != NULL) {
		o = word_option(cmd, cur);
		if (o != NULL && o->has_arg && o->values != NULL) {
			eq_prefix = xasprintf("%.*s", (int)(eq + 1 - cur), cur);
			e.prefix = eq_prefix;
			e.cur = eq + 1;
			emit_hint(&e, o->values);
		}
	} else if (!options_done && cur[0] == '-')
		each_option(cmd, emit_option, &e);
	else if (cmd == NULL)
		emit_commands(&e);
	else if (cmd->positional != NULL &&
	    (npos == 0 || cmd->positional[0] == '@'))
		/* A word list ("server,device") is the first operand only;
		 * "@" hints (files, names) go on for every operand. */
		emit_hint(&e, cmd->positional);
	directive(e.want);
	free(eq_prefix);
	return EXIT_OK;
}

static int
print_option_row(const struct cli_option *o, const void *arg)
{
	(void)arg;
	printf("--%s\t", o->name);
	if (o->key > 0 && o->key < 256)
		printf("-%c", o->key);
	printf("\t%s\t%s\t%s\n", o->has_arg && o->argname ? o->argname : "",
	    o->values ? o->values : "", o->help ? o->help : "");
	return 0;
}

static int
cmd_complete(int argc, char **argv)
{
	const struct command *cmd;
	struct emitter e = { "", "", 0 };

	if (argc < 2)
		return cli_usage_error(&command_complete);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_print_help(stdout, &command_complete);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "line") == 0)
		return complete_line(argc - 2, argv + 2);
	if (strcmp(argv[1], "commands") == 0 && argc == 2) {
		emit_commands(&e);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "options") == 0 && argc == 3) {
		if ((cmd = cli_find_command(argv[2])) == NULL) {
			error_msg("unknown command: '%s'", argv[2]);
			return EXIT_USAGE;
		}
		each_option(cmd, print_option_row, NULL);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "values") == 0 && (argc == 3 || argc == 4)) {
		e.cur = argc == 4 ? argv[3] : "";
		emit_hint(&e, argv[2]);
		return EXIT_OK;
	}
	return cli_usage_error(&command_complete);
}
