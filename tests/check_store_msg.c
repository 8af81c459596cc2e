/*
 * check_store_msg: the store's messages (include/store.h). The store
 * prints nothing: a failing call keeps its message, in the words the
 * commands print, for store_last_message() and store_take_messages(); a
 * failed store_open hands it to the caller's report; store_check gives
 * its messages through ops->message in order with its problems. Every
 * test runs with stderr in a file and asserts it stays empty.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "report.h"
#include "stderr_file.h"
#include "store.h"
#include "store_fixture.h"
#include "util.h"

/* The store of store_fixture.h, and stderr in a file to read. */
static void
setup(void)
{
	char *path;

	store_fixture_setup();
	path = xasprintf("%s/stderr", tmpdir);
	stderr_to_file(path);
	free(path);
}

static void
teardown(void)
{
	stderr_restore();
	store_fixture_teardown();
}

/* Nothing was printed on stderr. */
static void
assert_silent(void)
{
	char *err = stderr_text();

	ck_assert_msg(err[0] == '\0', "printed: '%s'", err);
	free(err);
}

/* rep holds exactly the one line want, a message (not a warning). */
static void
assert_one_line(const struct report *rep, const char *want)
{
	ck_assert_uint_eq(rep->n, 1);
	ck_assert_int_eq(rep->lines[0].level, REPORT_MESSAGE);
	ck_assert_str_eq(rep->lines[0].text, want);
}

/* A failed open has no store: its message goes to the caller's report. */
START_TEST(test_open_failure_reported)
{
	struct store *s = NULL;
	struct report rep = { NULL, 0 };
	char *missing = xasprintf("%s/nowhere", tmpdir);
	char *empty = xasprintf("%s/empty", tmpdir), *want;

	ck_assert_int_eq(store_open(missing, 0, &s, &rep), STORE_E_NOCA);
	ck_assert_ptr_null(s);
	want = xasprintf("no CA store at '%s' (run 'sipca init' first)", missing);
	assert_one_line(&rep, want);
	free(want);
	report_clear(&rep);

	ck_assert_int_eq(mkdir(empty, 0700), 0);
	ck_assert_int_eq(store_open(empty, 0, &s, &rep), STORE_E_NOCA);
	want = xasprintf("no CA in '%s' (run 'sipca init' first)", empty);
	assert_one_line(&rep, want);
	free(want);
	report_clear(&rep);

	/* Without a report the message is dropped, and nothing leaks. */
	ck_assert_int_eq(store_open(missing, 0, &s, NULL), STORE_E_NOCA);
	ck_assert_int_eq(store_open(dir, STORE_CREATE, &s, &rep), STORE_E_EXISTS);
	want = xasprintf("a CA already exists in '%s'", dir);
	assert_one_line(&rep, want);
	free(want);
	report_clear(&rep);
	assert_silent();
	free(missing);
	free(empty);
}
END_TEST

/*
 * A failing call keeps its message; store_take_messages() hands every
 * one over, oldest first, and leaves none behind.
 */
START_TEST(test_messages_kept_in_order)
{
	struct store *s = NULL;
	struct report rep = { NULL, 0 };
	struct store_issue it;

	ck_assert_int_eq(store_open(dir, STORE_READONLY, &s, NULL), STORE_OK);
	ck_assert_ptr_null(store_last_message(s));
	ck_assert_int_eq(store_lock(s), STORE_E_IO);
	ck_assert_str_eq(store_last_message(s), "the store is open read-only");
	fill_item(&it, "0e01", "alice", "CERT\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_IO);
	ck_assert_int_eq(store_crl_number_next(s, &(unsigned long long){ 0 }),
	    STORE_E_IO);
	store_take_messages(s, &rep);
	ck_assert_uint_eq(rep.n, 3);
	ck_assert_str_eq(rep.lines[0].text, "the store is open read-only");
	ck_assert_str_eq(rep.lines[1].text, "the store is open read-only");
	ck_assert_str_eq(rep.lines[2].text, "the store is open read-only");
	ck_assert_ptr_null(store_last_message(s));
	report_clear(&rep);

	/* Taken into NULL: dropped. Untaken ones are freed by store_close. */
	ck_assert_int_eq(store_lock(s), STORE_E_IO);
	store_take_messages(s, NULL);
	ck_assert_ptr_null(store_last_message(s));
	ck_assert_int_eq(store_lock(s), STORE_E_IO);
	store_close(s);
	assert_silent();
}
END_TEST

/* The refusals keep their exact words (tests/cli/sec_store.sh greps them). */
START_TEST(test_refusal_words)
{
	struct store *s = NULL;
	struct store_issue it;
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *path = xasprintf("%s/ca.key", dir), *want;
	char *issued = xasprintf("%s/issued", dir);
	char *link = xasprintf("%s/issued/alice", dir);

	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_read_ca_key(s, &key, &key_len), STORE_E_NOCA);
	ck_assert_ptr_null(key);
	want = xasprintf("'%s/ca.key' is readable by others (mode 0644); "
	    "fix it with: chmod 600 '%s/ca.key'", dir, dir);
	ck_assert_str_eq(store_last_message(s), want);
	free(want);

	mkdir(issued, 0700);
	ck_assert_int_eq(symlink(tmpdir, link), 0);
	fill_item(&it, "0e02", "alice", "CERT\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_UNSAFE);
	want = xasprintf("refusing '%s/issued/alice': a symbolic link; sipca"
	    " follows no link inside the store", dir);
	ck_assert_str_eq(store_last_message(s), want);
	free(want);
	store_close(s);
	assert_silent();
	free(path);
	free(issued);
	free(link);
}
END_TEST

/* What store_check's callbacks saw, one letter a call: P problem, R row, M message. */
struct seen {
	char order[64];
	char *message;		/* the first message */
};

static void
seen_add(struct seen *v, char c)
{
	size_t n = strlen(v->order);

	if (n + 1 < sizeof(v->order))
		v->order[n] = c;
}

static void
seen_problem(enum store_problem what, const char *path, const char *message,
    void *arg)
{
	(void)what;
	(void)path;
	(void)message;
	seen_add(arg, 'P');
}

static void
seen_row(const struct store_check_row *r, void *arg)
{
	(void)r;
	seen_add(arg, 'R');
}

static void
seen_message(const char *text, void *arg)
{
	struct seen *v = arg;

	seen_add(v, 'M');
	if (v->message == NULL)
		v->message = xstrdup(text);
}

static const struct store_check_ops seen_ops = {
	seen_problem, seen_row, seen_message,
};

/* check's own error goes to ops->message, and stays in the store without it. */
START_TEST(test_check_error_message)
{
	struct store_check_ops quiet = { seen_problem, seen_row, NULL };
	struct store *s = NULL;
	struct seen v;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_open(dir, STORE_READONLY | STORE_INSPECT, &s, NULL),
	    STORE_OK);
	ck_assert_int_eq(store_check(s, STORE_CHECK_REPAIR, &seen_ops, &v),
	    STORE_E_IO);
	ck_assert_str_eq(v.order, "M");
	ck_assert_str_eq(v.message, "cannot repair a store opened read-only");
	ck_assert_ptr_null(store_last_message(s));
	free(v.message);

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_check(s, STORE_CHECK_REPAIR, &quiet, &v), STORE_E_IO);
	ck_assert_str_eq(v.order, "");
	ck_assert_str_eq(store_last_message(s), "cannot repair a store opened read-only");
	store_close(s);
	assert_silent();
}
END_TEST

/*
 * A recovery that cannot run does not stop check: its message comes
 * through ops->message before the problems found after it, as it
 * would have been printed before them. Here an issuance killed after
 * staging (a pending row) whose issued/NAME became a link.
 */
START_TEST(test_check_recovery_message_in_order)
{
	struct store *s = NULL;
	struct store_issue it;
	struct seen v;
	char *link = xasprintf("%s/issued/bob", dir), *want;
	pid_t pid;
	int wstatus;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("SIPCA_CRASH_AT", "store-reserved", 1);
		if (store_open(dir, 0, &s, NULL) != STORE_OK)
			_exit(1);
		fill_item(&it, "0e03", "bob", "CERT\n");
		store_issue(s, &it, 1, 0);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 99);
	ck_assert_int_eq(symlink(tmpdir, link), 0);

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(store_open(dir, STORE_INSPECT, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_check(s, 0, &seen_ops, &v), STORE_OK);
	ck_assert_ptr_nonnull(v.message);
	want = xasprintf("refusing '%s/issued/bob': a symbolic link; sipca"
	    " follows no link inside the store", dir);
	ck_assert_str_eq(v.message, want);
	ck_assert_str_eq(v.order, "MP");	/* then the link, reported */
	ck_assert_ptr_null(store_last_message(s));
	store_close(s);
	assert_silent();
	free(v.message);
	free(want);
	free(link);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("store_msg");
	TCase *tc = tcase_create("store_msg");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_failure_reported);
	tcase_add_test(tc, test_messages_kept_in_order);
	tcase_add_test(tc, test_refusal_words);
	tcase_add_test(tc, test_check_error_message);
	tcase_add_test(tc, test_check_recovery_message_in_order);
	suite_add_tcase(s, tc);
	return s;
}
