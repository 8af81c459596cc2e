/*
 * check_cli: src/cli/cli.c, the option parser every command drives with
 * its own option table, the global options table main parses before the
 * command, and the --help text both are printed from.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum { OPT_DAYS = 256, OPT_JSON };

static const struct cli_option test_options[] = {
	{ "output", 'o', 1, "FILE", "@file", "write to FILE" },
	{ "force", 'f', 0, NULL, NULL, "replace FILE" },
	{ "days", OPT_DAYS, 1, "N", NULL, "valid for N days" },
	{ "json", OPT_JSON, 0, NULL, NULL, "print JSON" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct command command_test = {
	"test", NULL, "test NAME [options]\ntest --json", "A command for the tests.",
	test_options, NULL,
};

static const struct cli_option no_options[] = {
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct command command_bare = {
	"bare", NULL, "bare", "A command without options.", no_options, NULL,
};

static const struct cli_option enum_options[] = {
	{ "key", 'k', 1, "TYPE", "rsa2048,p256", "key type" },
	{ "reason", 256, 1, "REASON",
	  "unspecified,keyCompromise,affiliationChanged,superseded,cessationOfOperation",
	  "why" },
	{ "ca", 257, 1, "FILE", "@file", "a CA" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct command command_enum = {
	"enum", NULL, "enum KIND NAME", "A command with values.", enum_options,
	"server,device,@name",
};

static const struct command *const test_commands[] = {
	&command_test, &command_bare, &command_enum, NULL,
};

/* What a file descriptor (stdout, stderr) receives while captured. */
struct capture {
	int fd;
	int saved;
	FILE *tmp;
};

static void
capture_begin(struct capture *c, int fd)
{
	c->fd = fd;
	c->tmp = tmpfile();
	ck_assert_ptr_nonnull(c->tmp);
	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	c->saved = dup(fd);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(fileno(c->tmp), fd), 0);
}

/* The captured bytes, a new string. */
static char *
capture_end(struct capture *c)
{
	char *text;
	long len;

	fflush(c->fd == STDOUT_FILENO ? stdout : stderr);
	ck_assert_int_ge(dup2(c->saved, c->fd), 0);
	close(c->saved);
	len = ftell(c->tmp);
	ck_assert_int_ge(len, 0);
	text = xcalloc(1, (size_t)len + 1);
	rewind(c->tmp);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, c->tmp), (size_t)len);
	fclose(c->tmp);
	return text;
}

/*
 * Runs the parser over words (argv[0] is the command) and writes what it
 * returned as "KEY=ARG " per option, keys as letters or numbers, then
 * "| " and the operands; returns the last code cli_next gave.
 */
static int
parse(const struct command *cmd, const char *const *words, char *out, size_t size)
{
	char *argv[16];
	struct cli_parser p;
	size_t len = 0;
	int argc = 0, c, i;

	while (words[argc] != NULL) {
		ck_assert_int_lt(argc, (int)nitems(argv) - 1);
		argv[argc] = xstrdup(words[argc]);
		argc++;
	}
	argv[argc] = NULL;
	out[0] = '\0';
	cli_parser_init(&p, cmd, argc, argv);
	while ((c = cli_next(&p)) > 0 && c != '?') {
		if (c < 256)
			len += (size_t)snprintf(out + len, size - len, "%c", c);
		else
			len += (size_t)snprintf(out + len, size - len, "%d", c);
		if (p.arg != NULL)
			len += (size_t)snprintf(out + len, size - len, "=%s", p.arg);
		len += (size_t)snprintf(out + len, size - len, " ");
		p.arg = NULL;
	}
	if (c == 0) {
		len += (size_t)snprintf(out + len, size - len, "|");
		for (i = p.index; i < argc; i++)
			len += (size_t)snprintf(out + len, size - len, " %s", argv[i]);
	}
	ck_assert_uint_lt(len, size);
	cli_parser_free(&p);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return c;
}

struct parse_case {
	const char *words[8];
	const char *want;
};

static const struct parse_case good[] = {
	{ { "test", "--output", "a.pem", "alice", NULL }, "o=a.pem | alice" },
	{ { "test", "--output=a.pem", "alice", NULL }, "o=a.pem | alice" },
	{ { "test", "-o", "a.pem", NULL }, "o=a.pem |" },
	{ { "test", "-oa.pem", NULL }, "o=a.pem |" },
	{ { "test", "-fo", "a.pem", NULL }, "f o=a.pem |" },
	{ { "test", "--days", "30", "--days=31", NULL }, "256=30 256=31 |" },
	{ { "test", "--js", NULL }, "257 |" },			/* a unique prefix */
	{ { "test", "alice", "--force", "bob", NULL }, "f | alice bob" },
	{ { "test", "--", "--force", NULL }, "| --force" },
	{ { "test", "--output", "--force", NULL }, "o=--force |" },
	{ { "test", "-", NULL }, "| -" },
	{ { "test", NULL }, "|" },
};

START_TEST(test_parse)
{
	const struct parse_case *t = &good[_i];
	char got[256];

	ck_assert_int_eq(parse(&command_test, t->words, got, sizeof(got)), 0);
	ck_assert_str_eq(got, t->want);
}
END_TEST

struct error_case {
	const char *words[8];
	const char *message;	/* on stderr */
};

static const struct error_case errors[] = {
	{ { "test", "--output", NULL }, "sipca: option needs a value: '--output'\n" },
	{ { "test", "-o", NULL }, "sipca: option needs a value: '-o'\n" },
	{ { "test", "--dir", NULL }, "sipca: option needs a value: '--dir'\n" },
	{ { "test", "--frobnicate", NULL }, "sipca: unknown option: '--frobnicate'\n" },
	{ { "test", "-x", NULL }, "sipca: unknown option: '-x'\n" },
	{ { "test", "--json", "-xf", NULL }, "sipca: unknown option: '-x'\n" },
	{ { "test", "--json=1", NULL }, "sipca: option takes no value: '--json=1'\n" },
	{ { "test", "--force=yes", NULL }, "sipca: option takes no value: '--force=yes'\n" },
	{ { "test", "--help=1", NULL }, "sipca: option takes no value: '--help=1'\n" },
	{ { "test", "--output=a", "--version", NULL }, "sipca: unknown option: '--version'\n" },
	{ { "test", "--\x1b[2J", NULL }, "sipca: unknown option: '--\\x1b[2J'\n" },
	{ { "bare", "-o", "x", NULL }, "sipca: unknown option: '-o'\n" },
	/* a typo gets the option it most likely meant */
	{ { "test", "--ouptut", "a", NULL },
	  "sipca: unknown option: '--ouptut'; did you mean '--output'?\n" },
	{ { "test", "--froce", NULL },
	  "sipca: unknown option: '--froce'; did you mean '--force'?\n" },
	{ { "test", "--dri=x", NULL },
	  "sipca: unknown option: '--dri=x'; did you mean '--dir'?\n" },
};

/* "did you mean": the one close command, or none. */
START_TEST(test_suggest_command)
{
	ck_assert_str_eq(cli_suggest_command("tset"), "test");
	ck_assert_str_eq(cli_suggest_command("tes"), "test");
	ck_assert_str_eq(cli_suggest_command("bar"), "bare");
	ck_assert_ptr_null(cli_suggest_command("frobnicate"));
	ck_assert_ptr_null(cli_suggest_command("xxxx"));
	ck_assert_ptr_null(cli_suggest_command(""));
	ck_assert_ptr_null(cli_suggest_command(
	    "a-word-longer-than-any-command-line-word-should-ever-be"));
}
END_TEST

START_TEST(test_errors)
{
	const struct error_case *t = &errors[_i];
	const struct command *cmd = cli_find_command(t->words[0]);
	struct capture cap;
	char got[256], *err;
	int c;

	ck_assert_ptr_nonnull(cmd);
	capture_begin(&cap, STDERR_FILENO);
	c = parse(cmd, t->words, got, sizeof(got));
	err = capture_end(&cap);
	ck_assert_int_eq(c, '?');
	ck_assert_str_eq(err, t->message);
	free(err);
}
END_TEST

/* -d/--dir after the command is the CLI's, not the command's; the value
 * is borrowed from argv. */
START_TEST(test_dir_after_command)
{
	char w0[] = "test", w1[] = "-d", w2[] = "/srv/ca", w3[] = "alice",
	    w4[] = "--dir=/srv/other";
	char *argv[] = { w0, w1, w2, w3, w4, NULL };
	struct cli_parser p;

	cli_set_dir_option(NULL);
	cli_parser_init(&p, &command_test, 4, argv);
	ck_assert_int_eq(cli_next(&p), 0);
	ck_assert_int_eq(p.index, 3);
	ck_assert_str_eq(argv[p.index], "alice");
	ck_assert_ptr_eq(cli_dir_option(), w2);
	cli_parser_free(&p);
	cli_parser_init(&p, &command_test, 5, argv);
	ck_assert_int_eq(cli_next(&p), 0);
	ck_assert_ptr_eq(cli_dir_option(), w4 + 6);
	cli_parser_free(&p);
	cli_parser_free(&p);	/* twice is harmless */
}
END_TEST

/* --help prints the command's help on stdout and comes back (no exit). */
START_TEST(test_help_returns)
{
	static const char *const words[][4] = {
		{ "test", "--help", NULL },
		{ "test", "alice", "-h", NULL },
		{ "test", "--he", NULL },
		{ "test", "-fh", NULL },
	};
	struct capture cap;
	char got[256], *out;
	size_t i;
	int c;

	for (i = 0; i < nitems(words); i++) {
		capture_begin(&cap, STDOUT_FILENO);
		c = parse(&command_test, words[i], got, sizeof(got));
		out = capture_end(&cap);
		ck_assert_int_eq(c, CLI_HELP);
		ck_assert_msg(strncmp(out, "usage: sipca test NAME [options]\n", 33) == 0,
		    "help %zu: %s", i, out);
		free(out);
	}
}
END_TEST

static char *
help_text(const struct command *cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	cli_print_help(f, cmd);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_print_help)
{
	static const char want[] =
	    "usage: sipca test NAME [options]\n"
	    "   or: sipca test --json\n"
	    "\n"
	    "A command for the tests.\n"
	    "\n"
	    "options:\n"
	    "  -o, --output FILE            write to FILE\n"
	    "  -f, --force                  replace FILE\n"
	    "      --days N                 valid for N days\n"
	    "      --json                   print JSON\n"
	    "  -d, --dir DIR                the CA store (default $SIPCA_DIR, else $XDG_DATA_HOME/sipca)\n"
	    "  -h, --help                   show this help\n";
	static const char want_bare[] =
	    "usage: sipca bare\n"
	    "\n"
	    "A command without options.\n"
	    "\n"
	    "  -d, --dir DIR                the CA store (default $SIPCA_DIR, else $XDG_DATA_HOME/sipca)\n"
	    "  -h, --help                   show this help\n";
	char *got;

	got = help_text(&command_test);
	ck_assert_str_eq(got, want);
	free(got);
	got = help_text(&command_bare);
	ck_assert_str_eq(got, want_bare);
	free(got);
}
END_TEST

/* Each option's values under it, wrapped at 79 columns; the first argument's
 * after the summary; "@" hints (files, names) are not values. */
START_TEST(test_print_help_values)
{
	static const char want[] =
	    "usage: sipca enum KIND NAME\n"
	    "\n"
	    "A command with values.\n"
	    "The first argument is one of: server, device.\n"
	    "\n"
	    "options:\n"
	    "  -k, --key TYPE               key type\n"
	    "                               one of: rsa2048, p256\n"
	    "      --reason REASON          why\n"
	    "                               one of: unspecified, keyCompromise,\n"
	    "                                 affiliationChanged, superseded,\n"
	    "                                 cessationOfOperation\n"
	    "      --ca FILE                a CA\n"
	    "  -d, --dir DIR                the CA store (default $SIPCA_DIR, else $XDG_DATA_HOME/sipca)\n"
	    "  -h, --help                   show this help\n";
	char *got = help_text(&command_enum);

	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

static const struct {
	const char *values;
	const char *want;	/* NULL: no literal values */
} values_cases[] = {
	{ NULL, NULL },
	{ "@file", NULL },
	{ "@name,@file", NULL },
	{ "pem", "pem" },
	{ "pem,der,p12", "pem, der, p12" },
	{ "@name,start,@file,abort", "start, abort" },
};

START_TEST(test_values_text)
{
	char *got = cli_values_text(values_cases[_i].values);

	if (values_cases[_i].want == NULL)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, values_cases[_i].want);
	free(got);
}
END_TEST

/* A one-operand command names what is missing, or the first extra word. */
START_TEST(test_operand_error)
{
	char *words[] = { "a", "b\x1b", "c", NULL };
	struct capture cap;
	char *err;

	capture_begin(&cap, STDERR_FILENO);
	cli_operand_error(0, words + 3, "NAME: the certificate");
	cli_operand_error(3, words, "NAME: the certificate");
	err = capture_end(&cap);
	ck_assert_str_eq(err, "sipca: missing NAME: the certificate\n"
	    "sipca: unexpected argument: 'b\\x1b'\n");
	free(err);
}
END_TEST

START_TEST(test_usage_error)
{
	struct capture cap;
	char *err;

	capture_begin(&cap, STDERR_FILENO);
	ck_assert_int_eq(cli_usage_error(&command_test), EXIT_USAGE);
	err = capture_end(&cap);
	ck_assert_str_eq(err, "usage: sipca test NAME [options]\n"
	    "   or: sipca test --json\n"
	    "see 'sipca test --help'\n");
	free(err);
}
END_TEST

START_TEST(test_find_command)
{
	ck_assert_ptr_eq(cli_commands(), test_commands);
	ck_assert_ptr_eq(cli_find_command("test"), &command_test);
	ck_assert_ptr_eq(cli_find_command("bare"), &command_bare);
	ck_assert_ptr_null(cli_find_command("tes"));
	ck_assert_ptr_null(cli_find_command(""));
	cli_init(NULL);
	ck_assert_ptr_null(cli_find_command("test"));
	ck_assert_ptr_null(cli_commands()[0]);
}
END_TEST

struct global_case {
	const char *words[4];
	int key;		/* 0: not a global option */
	const char *arg;
	int next;		/* index after it */
};

/* The words before the command, as main reads them. */
static const struct global_case globals[] = {
	{ { "sipca", "-d", "/srv/ca", NULL }, CLI_OPT_DIR, "/srv/ca", 3 },
	{ { "sipca", "--dir", "/srv/ca", NULL }, CLI_OPT_DIR, "/srv/ca", 3 },
	{ { "sipca", "--dir=/srv/ca", NULL }, CLI_OPT_DIR, "/srv/ca", 2 },
	{ { "sipca", "--dir=", NULL }, CLI_OPT_DIR, "", 2 },
	{ { "sipca", "-d", "--help", NULL }, CLI_OPT_DIR, "--help", 3 },
	{ { "sipca", "-h", NULL }, CLI_OPT_HELP, NULL, 2 },
	{ { "sipca", "--help", "list", NULL }, CLI_OPT_HELP, NULL, 2 },
	{ { "sipca", "--version", NULL }, CLI_OPT_VERSION, NULL, 2 },
	{ { "sipca", "-d", NULL }, 0, NULL, 1 },		/* no value */
	{ { "sipca", "--dir", NULL }, 0, NULL, 1 },
	{ { "sipca", "-d/srv/ca", NULL }, 0, NULL, 1 },	/* no bundling */
	{ { "sipca", "--di", "/srv/ca", NULL }, 0, NULL, 1 },	/* no abbreviations */
	{ { "sipca", "--version=2", NULL }, 0, NULL, 1 },
	{ { "sipca", "--help=x", NULL }, 0, NULL, 1 },
	{ { "sipca", "-hd", NULL }, 0, NULL, 1 },
	{ { "sipca", "-", NULL }, 0, NULL, 1 },
	{ { "sipca", "--", NULL }, 0, NULL, 1 },
	{ { "sipca", "-V", NULL }, 0, NULL, 1 },
	{ { "sipca", NULL }, 0, NULL, 1 },
};

START_TEST(test_global_parse)
{
	const struct global_case *t = &globals[_i];
	const struct cli_global *g;
	const char *arg = "untouched";
	int argc = 0, i = 1;

	while (t->words[argc] != NULL)
		argc++;
	g = cli_global_parse(argc, (char **)t->words, &i, &arg);
	ck_assert_int_eq(i, t->next);
	if (t->key == 0) {
		ck_assert_ptr_null(g);
		return;
	}
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->opt.key, t->key);
	if (t->arg == NULL)
		ck_assert_ptr_null(arg);
	else
		ck_assert_str_eq(arg, t->arg);
}
END_TEST

/* Every row is complete: the overview, --help and sipca(1) print them all. */
START_TEST(test_global_table)
{
	const struct cli_global *g;
	size_t n = 0, every = 0;

	for (g = cli_global_options; g->opt.name != NULL; g++) {
		ck_assert_ptr_nonnull(g->opt.help);
		ck_assert_ptr_nonnull(g->manual);
		ck_assert_int_eq(g->opt.has_arg, g->opt.argname != NULL);
		n++;
		every += g->every_command != 0;
	}
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(every, 2);	/* -d and -h, not --store or --version */
}
END_TEST

START_TEST(test_option_label)
{
	char buf[64];

	cli_option_label(buf, sizeof(buf), &test_options[0], "    ");
	ck_assert_str_eq(buf, "-o, --output FILE");
	cli_option_label(buf, sizeof(buf), &test_options[2], "    ");
	ck_assert_str_eq(buf, "    --days N");
	cli_option_label(buf, sizeof(buf), &test_options[3], "");
	ck_assert_str_eq(buf, "--json");
}
END_TEST

static void
setup(void)
{
	cli_init(test_commands);
	util_set_command(NULL);
}

Suite *
check_suite(void)
{
	Suite	*s = suite_create("cli");
	TCase	*tc = tcase_create("parse");
	TCase	*tg = tcase_create("global");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_parse, 0, nitems(good));
	tcase_add_test(tc, test_suggest_command);
	tcase_add_loop_test(tc, test_errors, 0, nitems(errors));
	tcase_add_test(tc, test_dir_after_command);
	tcase_add_test(tc, test_help_returns);
	tcase_add_test(tc, test_print_help);
	tcase_add_test(tc, test_print_help_values);
	tcase_add_loop_test(tc, test_values_text, 0, nitems(values_cases));
	tcase_add_test(tc, test_operand_error);
	tcase_add_test(tc, test_usage_error);
	tcase_add_test(tc, test_find_command);
	tcase_add_test(tc, test_option_label);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tg, test_global_parse, 0, nitems(globals));
	tcase_add_test(tg, test_global_table);
	suite_add_tcase(s, tg);
	return s;
}
