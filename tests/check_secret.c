/*
 * check_secret: src/util/secret.c. A passphrase is the first line of its
 * file, an unusable file is refused (never waited on, never echoed), the
 * prompt reads from the controlling terminal with echo off, and no
 * message ever holds the secret. Nothing is printed: why a passphrase
 * could not be had is returned, in the words the commands print.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "stderr_file.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define SECRET		"correct horse battery staple"

static char tmpdir[64];

/* Each test in its own directory, with stderr kept in a file to read. */
static void
setup(void)
{
	char *path;

	strcpy(tmpdir, "/tmp/check_secret.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	path = xasprintf("%s/stderr", tmpdir);
	stderr_to_file(path);
	free(path);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	stderr_restore();
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *
file_with(const char *name, const void *data, size_t len, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);

	ck_assert_int_eq(atomic_write(path, data, len, mode, 0), 0);
	return path;
}

struct file_case {
	const char *contents;
	size_t len;
	const char *want;		/* NULL: refused */
};

static const struct file_case files[] = {
	{ SECRET, sizeof(SECRET) - 1, SECRET },		/* no newline at all */
	{ SECRET "\n", sizeof(SECRET), SECRET },
	{ SECRET "\r\n", sizeof(SECRET) + 1, SECRET },	/* written on Windows */
	{ SECRET "\nsecond line\n", sizeof(SECRET) + 12, SECRET },
	{ "  spaced  \n", 11, "  spaced  " },		/* kept as it is */
	{ "p\xc3\xa4ss\n", 6, "p\xc3\xa4ss" },
	{ "", 0, NULL },				/* empty */
	{ "\n" SECRET "\n", sizeof(SECRET) + 1, NULL },	/* first line empty */
	{ "\r\n", 2, NULL },
	{ "\0" SECRET, sizeof(SECRET), NULL },		/* a NUL ends the line */
};

START_TEST(test_from_file)
{
	const struct file_case *c = &files[_i];
	char *path = file_with("pass", c->contents, c->len, 0600);
	char *msg = NULL, *got = secret_from_file(path, &msg), *err, *want;

	if (c->want == NULL) {
		ck_assert_ptr_null(got);
		want = xasprintf("passphrase file is empty: '%s'", path);
		ck_assert_str_eq(msg, want);
		free(want);
	} else {
		ck_assert_str_eq(got, c->want);
		ck_assert_ptr_null(msg);
	}
	secret_free(got);
	free(msg);
	/* Refused or not, nothing is printed. */
	err = stderr_text();
	ck_assert_str_eq(err, "");
	free(err);
	free(path);
}
END_TEST

/* path is refused, and the message says why (what the commands print). */
static void
refused(const char *path, const char *why)
{
	char *msg = NULL, *want = xasprintf("cannot read passphrase file: '%s': %s",
	    path, why);

	ck_assert_ptr_null(secret_from_file(path, &msg));
	ck_assert_str_eq(msg, want);
	ck_assert_ptr_null(strstr(msg, "aaaa"));
	free(msg);
	free(want);
}

/* Nothing but a regular file is read: a FIFO would block for ever. */
START_TEST(test_refused_paths)
{
	char *fifo = xasprintf("%s/fifo", tmpdir);
	char *missing = xasprintf("%s/missing", tmpdir);
	char *big_text = xmalloc((1 << 20) + 2), *big, *err;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	refused(fifo, "not a regular file");
	refused("/dev/zero", "not a regular file");
	refused(tmpdir, strerror(EISDIR));
	refused(missing, strerror(ENOENT));
	memset(big_text, 'a', (1 << 20) + 1);
	big = file_with("big", big_text, (1 << 20) + 1, 0600);
	refused(big, strerror(EFBIG));
	secret_free(secret_from_file(missing, NULL));	/* why not wanted */
	err = stderr_text();
	ck_assert_str_eq(err, "");
	free(err);
	free(big_text);
	free(big);
	free(fifo);
	free(missing);
}
END_TEST

enum mode_said { SAID_NOTHING, SAID_GROUP, SAID_OTHERS };

struct mode_case {
	mode_t mode;
	enum mode_said said;	/* SAID_OTHERS: refused; else read */
};

/* Others may not read a secret; its group may, with a warning. */
static const struct mode_case modes[] = {
	{ 0600, SAID_NOTHING },
	{ 0400, SAID_NOTHING },
	{ 0640, SAID_GROUP },
	{ 0604, SAID_OTHERS },
	{ 0644, SAID_OTHERS },
};

START_TEST(test_file_mode)
{
	const struct mode_case *c = &modes[_i];
	char *path = file_with("pass", SECRET "\n", sizeof(SECRET), c->mode);
	char *msg = NULL, *got = secret_from_file(path, &msg), *want = NULL;

	if (c->said == SAID_GROUP)
		want = xasprintf("'%s' is readable by its group (mode %04o): chmod"
		    " 600 '%s' keeps it yours alone", path, (unsigned)c->mode, path);
	else if (c->said == SAID_OTHERS)
		want = xasprintf("'%s' is readable by others (mode %04o): fix it"
		    " with: chmod 600 '%s'", path, (unsigned)c->mode, path);
	if (c->said == SAID_OTHERS)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, SECRET);
	if (want == NULL)
		ck_assert_ptr_null(msg);
	else
		ck_assert_str_eq(msg, want);
	secret_free(got);
	free(msg);
	free(want);
	free(path);
}
END_TEST

/* A minimum counts characters: "päss" is 4, not 5 octets. */
START_TEST(test_length)
{
	ck_assert_uint_eq(secret_length(""), 0);
	ck_assert_uint_eq(secret_length("a"), 1);
	ck_assert_uint_eq(secret_length("p\xc3\xa4ss"), 4);
	ck_assert_uint_eq(secret_length("\xe2\x82\xac\xe2\x82\xac"), 2);
	ck_assert_uint_eq(secret_length(SECRET), sizeof(SECRET) - 1);
}
END_TEST

START_TEST(test_free_null)
{
	char *s = xstrdup(SECRET);

	secret_free(NULL);
	secret_free_buf(NULL, 10);
	secret_free(s);
	s = xmalloc(0);
	secret_free_buf(s, 0);
}
END_TEST

/*
 * Runs fn in a child that has left the caller's session, so that it has
 * no controlling terminal whatever ran the tests; returns its exit status.
 */
static int
without_tty(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setsid() < 0)
			_exit(90);
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
no_tty_child(void)
{
	char *msg = NULL;
	int ret = 0;

	if (secret_have_tty())
		return 1;
	if (secret_prompt("Passphrase: ", 0, &msg) != NULL)
		ret = 2;
	else if (msg == NULL ||
	    strcmp(msg, "no terminal to ask for the passphrase on") != 0)
		ret = 3;
	free(msg);
	return ret;
}

START_TEST(test_no_tty)
{
	char *err;

	ck_assert_int_eq(without_tty(no_tty_child), 0);
	err = stderr_text();
	ck_assert_str_eq(err, "");	/* the child printed nothing */
	free(err);
}
END_TEST

/* Reads the terminal's output from the pty master until want was seen. */
static void
await_text(int master, char *seen, size_t cap, size_t *len, const char *want)
{
	struct pollfd p = { master, POLLIN, 0 };
	ssize_t n;

	while (strstr(seen, want) == NULL) {
		ck_assert_msg(poll(&p, 1, 30000) == 1, "no '%s' on the terminal: '%s'",
		    want, seen);
		n = read(master, seen + *len, cap - *len - 1);
		ck_assert_int_gt(n, 0);
		*len += (size_t)n;
		seen[*len] = '\0';
	}
}

/* Until the child has turned echo off: only then is the secret typed. */
static void
await_no_echo(int master)
{
	struct termios t;
	int i;

	for (i = 0; i < 30000; i++) {
		ck_assert_int_eq(tcgetattr(master, &t), 0);
		if (!(t.c_lflag & ECHO))
			return;
		usleep(1000);
	}
	ck_abort_msg("echo never went off");
}

struct prompt_case {
	int confirm;
	const char *first, *second;	/* typed; second only with confirm */
	const char *want;		/* NULL: refused, for why */
	const char *why;
};

static const struct prompt_case prompts[] = {
	{ 0, SECRET, NULL, SECRET, NULL },
	{ 1, SECRET, SECRET, SECRET, NULL },
	{ 1, SECRET, SECRET "x", NULL, "the passphrases do not match" },
	{ 0, "", NULL, NULL, "empty passphrase" },
};

/*
 * The prompt on a real terminal: a pty whose slave becomes the child's
 * controlling terminal. The child answers through a pipe.
 */
START_TEST(test_prompt)
{
	const struct prompt_case *c = &prompts[_i];
	char seen[4096] = "", got[256], *line;
	size_t len = 0;
	int master, answer[2], status;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(answer), 0);
	pid = forkpty(&master, NULL, NULL, NULL);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *msg = NULL, *s = secret_prompt("Passphrase: ", c->confirm, &msg);
		const char *said = s != NULL ? s : msg != NULL ? msg : "";

		/* The answer, or why there is none. */
		close(answer[0]);
		if (write(answer[1], said, strlen(said)) < 0)
			_exit(91);
		_exit(s != NULL ? 0 : 1);
	}
	close(answer[1]);
	await_text(master, seen, sizeof(seen), &len, "Passphrase: ");
	await_no_echo(master);
	line = xasprintf("%s\n", c->first);
	ck_assert_int_eq(write(master, line, strlen(line)), (ssize_t)strlen(line));
	free(line);
	if (c->confirm) {
		await_text(master, seen, sizeof(seen), &len, "Repeat the passphrase: ");
		await_no_echo(master);
		line = xasprintf("%s\n", c->second);
		ck_assert_int_eq(write(master, line, strlen(line)),
		    (ssize_t)strlen(line));
		free(line);
	}
	n = read(answer[0], got, sizeof(got) - 1);
	ck_assert_int_ge(n, 0);
	got[n] = '\0';
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	if (c->want != NULL) {
		ck_assert_int_eq(WEXITSTATUS(status), 0);
		ck_assert_str_eq(got, c->want);
	} else {
		ck_assert_int_eq(WEXITSTATUS(status), 1);
		ck_assert_str_eq(got, c->why);
	}
	/* What the terminal showed: the prompts, never what was typed. */
	while (poll(&(struct pollfd){ master, POLLIN, 0 }, 1, 0) == 1 &&
	    (n = read(master, seen + len, sizeof(seen) - len - 1)) > 0) {
		len += (size_t)n;
		seen[len] = '\0';
	}
	ck_assert_ptr_null(strstr(seen, SECRET));
	close(master);
	close(answer[0]);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_from_file, 0, nitems(files));
	tcase_add_test(tc, test_refused_paths);
	tcase_add_test(tc, test_free_null);
	tcase_add_loop_test(tc, test_file_mode, 0, nitems(modes));
	tcase_add_test(tc, test_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("prompt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_tty);
	tcase_add_loop_test(tc, test_prompt, 0, nitems(prompts));
	suite_add_tcase(s, tc);
	return s;
}
