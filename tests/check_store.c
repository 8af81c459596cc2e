/*
 * Tests for src/store/ and src/util/fileio.c: atomic writes, the two-phase
 * issuance, refusals, recovery after a crash at every step, check,
 * revocation, CRL numbers and settings.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "fileio.h"
#include "store.h"
#include "store_fixture.h"
#include "util.h"

static char *
slurp(const char *path)
{
	unsigned char *data = NULL;
	size_t len;

	if (read_file(path, 1 << 20, &data, &len) < 0)
		return NULL;
	return (char *)data;
}

static int
count_cb(const struct store_cert *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static int
rows(struct store *s, int status)
{
	struct store_filter f = { NULL, NULL, status, 0 };
	int n = 0;

	ck_assert_int_eq(store_list(s, &f, count_cb, &n), 0);
	return n;
}

START_TEST(test_atomic_write)
{
	char *path = xasprintf("%s/f", tmpdir), *data;
	struct stat st;

	ck_assert_int_eq(atomic_write(path, "one", 3, 0600, ATOMIC_EXCLUSIVE), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* Exclusive never replaces. */
	ck_assert_int_eq(atomic_write(path, "two", 3, 0600, ATOMIC_EXCLUSIVE), -1);
	ck_assert_int_eq(errno, EEXIST);
	data = slurp(path);
	ck_assert_str_eq(data, "one");
	free(data);
	ck_assert_int_eq(atomic_write(path, "three", 5, 0644, 0), 0);
	data = slurp(path);
	ck_assert_str_eq(data, "three");
	free(data);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* No temporary file is left behind. */
	{
		char *cmd = xasprintf("test $(ls -A '%s' | wc -l) -eq 2", tmpdir);

		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
	free(path);
}
END_TEST

START_TEST(test_atomic_write_refuses_symlink_tmp)
{
	char *path = xasprintf("%s/nodir/f", tmpdir);

	ck_assert_int_eq(atomic_write(path, "x", 1, 0600, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(path);
}
END_TEST

START_TEST(test_read_file_limit)
{
	char *path = xasprintf("%s/big", tmpdir);
	unsigned char *data = NULL;
	size_t len;

	ck_assert_int_eq(atomic_write(path, "0123456789", 10, 0600, 0), 0);
	ck_assert_int_eq(read_file(path, 9, &data, &len), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_eq(read_file(path, 10, &data, &len), 0);
	ck_assert_uint_eq(len, 10);
	free(data);
	free(path);
}
END_TEST

START_TEST(test_init_refuses_existing)
{
	struct store *s = NULL;
	const char *settings[] = { NULL };

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(s, "X", 1, "Y", 1, settings), STORE_E_EXISTS);
	store_close(s);
}
END_TEST

START_TEST(test_open_without_ca)
{
	struct store *s = NULL;
	char *other = xasprintf("%s/empty", tmpdir);

	ck_assert_int_eq(mkdir(other, 0700), 0);
	ck_assert_int_eq(store_open(other, 0, &s, NULL), STORE_E_NOCA);
	ck_assert_ptr_null(s);
	free(other);
}
END_TEST

START_TEST(test_issue_and_refuse_name_and_serial)
{
	struct store *s = NULL;
	struct store_issue it;
	struct store_cert *c = NULL;
	char *path, *data;
	struct stat st;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0a01", "alice", "CERT A\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	path = xasprintf("%s/issued/alice/key.pem", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	free(path);
	path = xasprintf("%s/issued/alice/cert.pem", dir);
	data = slurp(path);
	ck_assert_str_eq(data, "CERT A\n");
	free(data);
	free(path);
	ck_assert_int_eq(store_find_current(s, "alice", &c), STORE_OK);
	ck_assert_str_eq(c->serial, "0a01");
	ck_assert_int_eq(c->status, STATUS_VALID);
	store_cert_free(c);

	/* The same name again, while valid: refused. */
	fill_item(&it, "0a02", "alice", "CERT B\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_NAME_TAKEN);
	/* The same serial under another name: refused, nothing written. */
	fill_item(&it, "0a01", "bob", "CERT C\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_SERIAL_TAKEN);
	path = xasprintf("%s/issued/bob", dir);
	ck_assert(!path_exists(path));
	free(path);
	ck_assert_int_eq(rows(s, -1), 1);
	store_close(s);
}
END_TEST

START_TEST(test_replace_keeps_history)
{
	struct store *s = NULL;
	struct store_issue it;
	char *path, *data;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0b01", "carol", "CERT 1\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	fill_item(&it, "0b02", "carol", "CERT 2\n");
	it.replace = 1;
	it.key_pem = NULL;
	it.keep_key = 1;
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	path = xasprintf("%s/issued/carol/history/0b01.pem", dir);
	data = slurp(path);
	ck_assert_str_eq(data, "CERT 1\n");
	free(data);
	free(path);
	path = xasprintf("%s/issued/carol/key.pem", dir);
	data = slurp(path);
	ck_assert_str_eq(data, "PRIVATE\n");	/* kept */
	free(data);
	free(path);
	ck_assert_int_eq(rows(s, STATUS_SUPERSEDED), 1);
	ck_assert_int_eq(rows(s, STATUS_VALID), 1);
	store_close(s);
}
END_TEST

START_TEST(test_expired_name_can_be_reissued)
{
	struct store *s = NULL;
	struct store_issue it;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0c01", "dave", "CERT old\n");
	it.not_after = sipca_now() - 1;
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	ck_assert_int_eq(rows(s, STATUS_EXPIRED), 1);
	fill_item(&it, "0c02", "dave", "CERT new\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	ck_assert_int_eq(rows(s, STATUS_SUPERSEDED), 1);
	ck_assert_int_eq(rows(s, STATUS_VALID), 1);
	store_close(s);
}
END_TEST

/*
 * The crash table: where the child dies, and whether the next writer
 * must have rolled the issuance back (0) or forward (1).
 */
static const struct {
	const char *point;
	int forward;
} crashes[] = {
	{ "store-reserved", 0 },
	{ "store-staged", 0 },
	{ "store-marked", 1 },
	{ "store-installing", 1 },
	{ "store-installed", 1 },
}, fresh_crashes[] = {
	/* A new name's commit point is the rename of its whole directory. */
	{ "store-reserved", 0 },
	{ "store-staged", 0 },
	{ "store-marked", 0 },
	{ "store-installed", 1 },
};

START_TEST(test_crash_recovery)
{
	struct store *s = NULL;
	struct store_issue it;
	struct store_cert *c = NULL;
	char *path, *data, *cmd;
	pid_t pid;
	int wstatus;

	/* A first certificate, then a renewal that crashes. */
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0d01", "eve", "CERT 1\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	store_close(s);
	s = NULL;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("SIPCA_CRASH_AT", crashes[_i].point, 1);
		if (store_open(dir, 0, &s, NULL) != STORE_OK)
			_exit(1);
		fill_item(&it, "0d02", "eve", "CERT 2\n");
		it.replace = 1;
		it.key_pem = "NEWKEY\n";
		it.key_pem_len = 7;
		store_issue(s, &it, 1, 0);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 99);

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_lock(s), STORE_OK);	/* runs recovery */
	store_unlock(s);
	ck_assert_int_eq(store_find_current(s, "eve", &c), STORE_OK);
	path = xasprintf("%s/issued/eve/cert.pem", dir);
	data = slurp(path);
	if (crashes[_i].forward) {
		ck_assert_str_eq(c->serial, "0d02");
		ck_assert_str_eq(data, "CERT 2\n");
		ck_assert_int_eq(rows(s, STATUS_SUPERSEDED), 1);
	} else {
		ck_assert_str_eq(c->serial, "0d01");
		ck_assert_str_eq(data, "CERT 1\n");
		ck_assert_int_eq(rows(s, STATUS_SUPERSEDED), 0);
	}
	free(data);
	free(path);
	path = xasprintf("%s/issued/eve/key.pem", dir);
	data = slurp(path);
	ck_assert_str_eq(data, crashes[_i].forward ? "NEWKEY\n" : "PRIVATE\n");
	free(data);
	free(path);
	store_cert_free(c);
	/* No pending row and no staging directory survive. */
	ck_assert_int_eq(rows(s, -1), crashes[_i].forward ? 2 : 1);
	cmd = xasprintf("test -z \"$(ls -A '%s/issued/eve' | grep staging)\"", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	store_close(s);
}
END_TEST

START_TEST(test_crash_recovery_fresh_name)
{
	struct store *s = NULL;
	struct store_issue it;
	struct store_cert *c = NULL;
	char *path, *cmd;
	pid_t pid;
	int wstatus, ret;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("SIPCA_CRASH_AT", fresh_crashes[_i].point, 1);
		if (store_open(dir, 0, &s, NULL) != STORE_OK)
			_exit(1);
		fill_item(&it, "0f01", "frank", "CERT F\n");
		store_issue(s, &it, 1, STORE_ISSUE_GROUP_SYNC);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 99);

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_lock(s), STORE_OK);	/* runs recovery */
	store_unlock(s);
	ret = store_find_current(s, "frank", &c);
	path = xasprintf("%s/issued/frank/cert.pem", dir);
	if (fresh_crashes[_i].forward) {
		ck_assert_int_eq(ret, STORE_OK);
		ck_assert_str_eq(c->serial, "0f01");
		ck_assert(path_exists(path));
	} else {
		ck_assert_int_eq(ret, STORE_E_NOTFOUND);
		ck_assert(!path_exists(path));
	}
	ck_assert_int_eq(rows(s, -1), fresh_crashes[_i].forward ? 1 : 0);
	/* Nothing staged is left in issued/. */
	cmd = xasprintf("test -z \"$(ls -A '%s/issued' | grep staging)\"", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(path);
	store_cert_free(c);
	store_close(s);
}
END_TEST

START_TEST(test_group_issue)
{
	struct store *s = NULL;
	struct store_issue items[3];

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&items[0], "0e01", "g1", "G1\n");
	fill_item(&items[1], "0e02", "g2", "G2\n");
	fill_item(&items[2], "0e03", "g1", "G1 again\n");	/* same name twice */
	ck_assert_int_eq(store_issue(s, items, 3, STORE_ISSUE_GROUP_SYNC),
	    STORE_E_NAME_TAKEN);
	ck_assert_int_eq(items[0].result, STORE_OK);
	ck_assert_int_eq(items[1].result, STORE_OK);
	ck_assert_int_eq(items[2].result, STORE_E_NAME_TAKEN);
	ck_assert_int_eq(rows(s, STATUS_VALID), 2);
	store_close(s);
}
END_TEST

/* A link at issued/NAME is refused before anything is recorded, and
 * nothing is written where it points. */
START_TEST(test_issue_refuses_linked_name)
{
	struct store *s = NULL;
	struct store_issue it;
	char *outside = xasprintf("%s/outside", tmpdir);
	char *link = xasprintf("%s/issued/mallory", dir);
	char *cmd;

	ck_assert_int_eq(mkdir(outside, 0700), 0);
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0a01", "mallory", "CERT M\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_UNSAFE);
	ck_assert_int_eq(rows(s, -1), 0);
	cmd = xasprintf("test -z \"$(ls -A '%s')\"", outside);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	store_close(s);
	free(outside);
	free(link);
}
END_TEST

/* An index others may write is refused, except to check, which reports it. */
START_TEST(test_open_refuses_writable_index)
{
	struct store *s = NULL;
	char *db = xasprintf("%s/index.db", dir);

	ck_assert_int_eq(chmod(db, 0666), 0);
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_E_UNSAFE);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(store_open(dir, STORE_INSPECT, &s, NULL), STORE_OK);
	store_close(s);
	free(db);
}
END_TEST

/* Revoking several serials is all or none. */
START_TEST(test_revoke_all_or_none)
{
	struct store *s = NULL;
	struct store_issue it;
	const char *serials[] = { "0b01", "0bff" };

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0b01", "oscar", "CERT O\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	ck_assert_int_eq(store_revoke(s, serials, 2, sipca_now(), "unspecified"),
	    STORE_E_NOTFOUND);
	ck_assert_int_eq(rows(s, STATUS_REVOKED), 0);
	ck_assert_int_eq(store_revoke(s, serials, 1, sipca_now(), "unspecified"),
	    STORE_OK);
	ck_assert_int_eq(rows(s, STATUS_REVOKED), 1);
	store_close(s);
}
END_TEST

/* SQLite's file change counter (header offset 24): one per write transaction. */
static unsigned long
change_counter(void)
{
	char *path = xasprintf("%s/index.db", dir);
	unsigned char *data = NULL;
	size_t len = 0;
	unsigned long n;

	ck_assert_int_eq(read_file(path, 1 << 24, &data, &len), 0);
	ck_assert_uint_ge(len, 28);
	n = (unsigned long)data[24] << 24 | (unsigned long)data[25] << 16 |
	    (unsigned long)data[26] << 8 | data[27];
	free(data);
	free(path);
	return n;
}

/* A killed group of 30 is undone in one transaction, not 30. */
START_TEST(test_recovery_one_transaction)
{
	struct store *s = NULL;
	struct store_issue items[30];
	char serials[30][8], names[30][16];
	unsigned long before;
	pid_t pid;
	int wstatus, i;

	for (i = 0; i < 30; i++) {
		snprintf(serials[i], sizeof(serials[i]), "0c%02x", i);
		snprintf(names[i], sizeof(names[i]), "g%02d", i);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("SIPCA_CRASH_AT", "store-staged", 1);
		if (store_open(dir, 0, &s, NULL) != STORE_OK)
			_exit(1);
		for (i = 0; i < 30; i++)
			fill_item(&items[i], serials[i], names[i], "G\n");
		store_issue(s, items, 30, STORE_ISSUE_GROUP_SYNC);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
	ck_assert(WIFEXITED(wstatus));
	ck_assert_int_eq(WEXITSTATUS(wstatus), 99);
	before = change_counter();
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_lock(s), STORE_OK);	/* runs recovery */
	store_unlock(s);
	ck_assert_uint_eq(change_counter(), before + 1);
	ck_assert_int_eq(rows(s, -1), 0);
	store_close(s);
}
END_TEST

/* What store_check reported, for the assertions. */
struct seen {
	int n;
	enum store_problem what[16];
	char path[16][512];
	int rows, installed, with_key;
};

static void
seen_problem(enum store_problem what, const char *path, const char *message,
    void *arg)
{
	struct seen *v = arg;

	(void)message;
	if (v->n < 16) {
		v->what[v->n] = what;
		snprintf(v->path[v->n], sizeof(v->path[v->n]), "%s",
		    path != NULL ? path : "");
	}
	v->n++;
}

static void
seen_row(const struct store_check_row *r, void *arg)
{
	struct seen *v = arg;

	v->rows++;
	v->installed += r->installed;
	v->with_key += r->key_pem != NULL && r->key_len == 8 &&
	    memcmp(r->key_pem, "PRIVATE\n", 8) == 0;
}

static const struct store_check_ops seen_ops = { seen_problem, seen_row, NULL };

/* Opens the store as sipca check does, checks it, closes it. */
static void
check_into(int flags, struct seen *v)
{
	struct store *s = NULL;

	memset(v, 0, sizeof(*v));
	ck_assert_int_eq(store_open(dir, STORE_INSPECT, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_check(s, flags, &seen_ops, v), STORE_OK);
	store_close(s);
}

static void
issue_alice(void)
{
	struct store *s = NULL;
	struct store_issue it;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0d01", "alice", "CERT A\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	store_close(s);
}

/* Runs cmd with $D the store and $R rel in it. */
static void
run(const char *cmd, const char *rel)
{
	ck_assert_int_eq(setenv("D", dir, 1), 0);
	ck_assert_int_eq(setenv("R", rel, 1), 0);
	ck_assert_int_eq(system(cmd), 0);
}

/* A store as sipca leaves it has no problem; its row comes with its key. */
START_TEST(test_check_clean)
{
	struct seen v;

	issue_alice();
	check_into(0, &v);
	ck_assert_int_eq(v.n, 0);
	ck_assert_int_eq(v.rows, 1);
	ck_assert_int_eq(v.installed, 1);
	ck_assert_int_eq(v.with_key, 1);
}
END_TEST

/* One damage each, and the one problem check must report for it. */
static const struct {
	const char *cmd;	/* $D: DIR, $R: rel */
	const char *rel;
	enum store_problem what;
} damages[] = {
	{ "mkdir -m 700 \"$D/$R\"", "issued/ghost", STORE_PROBLEM_ORPHAN },
	{ "rm \"$D/$R\"", "issued/alice/chain.pem", STORE_PROBLEM_MISSING },
	{ "chmod 666 \"$D/$R\"", "issued/alice/cert.pem", STORE_PROBLEM_MODE },
	{ "rm \"$D/$R\" && ln -s cert.pem \"$D/$R\"", "issued/alice/chain.pem",
	  STORE_PROBLEM_UNSAFE },
	{ "echo x > \"$D/$R\"", "ca.pem.tmp-AbC123", STORE_PROBLEM_LEFTOVER },
	{ "mkdir -m 700 \"$D/issued/alice/history\" &&"
	  " cp \"$D/issued/alice/cert.pem\" \"$D/$R\"",
	  "issued/alice/history/0dff.pem", STORE_PROBLEM_ORPHAN },
};

START_TEST(test_check_reports)
{
	struct seen v;
	char *path = xasprintf("%s/%s", dir, damages[_i].rel);

	issue_alice();
	run(damages[_i].cmd, damages[_i].rel);
	check_into(0, &v);
	ck_assert_int_eq(v.n, 1);
	ck_assert_int_eq(v.what[0], damages[_i].what);
	ck_assert_str_eq(v.path[0], path);
	free(path);
}
END_TEST

/* --repair removes a leftover and says so; the next check finds nothing. */
START_TEST(test_check_repair_removes_leftover)
{
	char *path = xasprintf("%s/issued/alice/cert.pem.tmp-XyZ789", dir);
	struct stat st;
	struct seen v;

	issue_alice();
	run("echo x > \"$D/$R\"", "issued/alice/cert.pem.tmp-XyZ789");
	check_into(STORE_CHECK_REPAIR, &v);
	ck_assert_int_eq(v.n, 1);
	ck_assert_int_eq(v.what[0], STORE_PROBLEM_REPAIRED);
	ck_assert_str_eq(v.path[0], path);
	ck_assert_int_eq(lstat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	check_into(0, &v);
	ck_assert_int_eq(v.n, 0);
	free(path);
}
END_TEST

/* Several serials in one call: all revoked, with the time and reason given. */
START_TEST(test_revoke_several)
{
	struct store *s = NULL;
	struct store_cert *c = NULL;
	struct store_issue items[3];
	const char *serials[] = { "0E01", "0e03" };	/* any case */
	size_t i;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&items[0], "0e01", "r1", "R1\n");
	fill_item(&items[1], "0e02", "r2", "R2\n");
	fill_item(&items[2], "0e03", "r3", "R3\n");
	ck_assert_int_eq(store_issue(s, items, 3, 0), STORE_OK);
	ck_assert_int_eq(store_revoke(s, serials, 2, 1700000000, "keyCompromise"),
	    STORE_OK);
	ck_assert_int_eq(rows(s, STATUS_REVOKED), 2);
	ck_assert_int_eq(rows(s, STATUS_VALID), 1);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(store_find_serial(s, serials[i], &c), STORE_OK);
		ck_assert_int_eq(c->status, STATUS_REVOKED);
		ck_assert_int_eq(c->revoked_at, 1700000000);
		ck_assert_str_eq(c->revoke_reason, "keyCompromise");
		store_cert_free(c);
		c = NULL;
	}
	ck_assert_int_eq(store_find_current(s, "r2", &c), STORE_OK);
	ck_assert_int_eq(c->status, STATUS_VALID);
	store_cert_free(c);
	/* Revoked twice: not valid or superseded any more, so nothing changes. */
	ck_assert_int_eq(store_revoke(s, serials, 1, 1800000000, "superseded"),
	    STORE_E_NOTFOUND);
	ck_assert_int_eq(store_find_serial(s, "0e01", &c), STORE_OK);
	ck_assert_int_eq(c->revoked_at, 1700000000);
	store_cert_free(c);
	store_close(s);
}
END_TEST

/* RFC 5280 5.2.3: one more per CRL, also across processes (reopen). */
START_TEST(test_crl_number)
{
	struct store *s = NULL;
	unsigned long long n = 0;
	char *text = NULL;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_crl_number_next(s, &n), STORE_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_crl_number_next(s, &n), STORE_OK);
	ck_assert_uint_eq(n, 2);
	store_close(s);
	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_crl_number_next(s, &n), STORE_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(store_setting_get(s, "crl_number", &text), STORE_OK);
	ck_assert_str_eq(text, "3");
	free(text);
	/* A corrupt number is refused, not restarted. */
	ck_assert_int_eq(store_setting_set(s, "crl_number", "3x"), STORE_OK);
	ck_assert_int_eq(store_crl_number_next(s, &n), STORE_E_IO);
	ck_assert_uint_eq(n, 3);
	store_close(s);
}
END_TEST

struct each_seen {
	char keys[256];
	int stop_after;		/* 0: never */
	int calls;
};

static int
each_cb(const char *key, const char *value, void *arg)
{
	struct each_seen *e = arg;
	size_t len = strlen(e->keys);

	snprintf(e->keys + len, sizeof(e->keys) - len, "%s=%s;", key, value);
	return ++e->calls == e->stop_after ? 7 : 0;
}

START_TEST(test_settings)
{
	struct store *s = NULL;
	struct each_seen e;
	char *value = NULL;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_setting_set(s, "zeta", "last"), STORE_OK);
	ck_assert_int_eq(store_setting_set(s, "alpha", "first"), STORE_OK);
	ck_assert_int_eq(store_setting_set(s, "alpha", "again"), STORE_OK);
	ck_assert_int_eq(store_setting_get(s, "alpha", &value), STORE_OK);
	ck_assert_str_eq(value, "again");
	free(value);
	value = NULL;
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(store_setting_each(s, each_cb, &e), STORE_OK);
	ck_assert_str_eq(e.keys, "alpha=again;domain=example.com;zeta=last;");
	memset(&e, 0, sizeof(e));
	e.stop_after = 2;
	ck_assert_int_eq(store_setting_each(s, each_cb, &e), 7);
	ck_assert_str_eq(e.keys, "alpha=again;domain=example.com;");
	ck_assert_int_eq(store_setting_unset(s, "alpha"), STORE_OK);
	ck_assert_int_eq(store_setting_get(s, "alpha", &value), STORE_E_NOTFOUND);
	ck_assert_ptr_null(value);
	ck_assert_int_eq(store_setting_unset(s, "never-set"), STORE_OK);
	ck_assert_int_eq(store_setting_get(s, "never-set", &value), STORE_E_NOTFOUND);
	store_close(s);
	ck_assert_int_eq(store_open(dir, STORE_READONLY, &s, NULL), STORE_OK);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(store_setting_each(s, each_cb, &e), STORE_OK);
	ck_assert_str_eq(e.keys, "domain=example.com;zeta=last;");
	store_close(s);
}
END_TEST

/*
 * PostgreSQL: a session the server ended (a restart) is opened again
 * before the next call; one ended while the writers' lock is held, which
 * went with it, fails the call (STORE_E_IO, saying the connection was
 * lost), and the next writer finds the store consistent and carries on.
 */
START_TEST(test_pg_reconnect)
{
	struct store *s = NULL;
	struct store_issue it;
	struct store_cert *c = NULL;

	ck_assert_int_eq(store_open(dir, 0, &s, NULL), STORE_OK);
	fill_item(&it, "0e01", "alice", "CERT A\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	pg_fixture_end_sessions();
	ck_assert_int_eq(store_find_current(s, "alice", &c), STORE_OK);
	store_cert_free(c);
	c = NULL;
	ck_assert_int_eq(store_lock(s), STORE_OK);
	pg_fixture_end_sessions();
	fill_item(&it, "0e02", "bob", "CERT B\n");
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_E_IO);
	ck_assert_ptr_nonnull(strstr(store_last_message(s), "was lost"));
	store_unlock(s);
	store_take_messages(s, NULL);
	ck_assert_int_eq(store_issue(s, &it, 1, 0), STORE_OK);
	ck_assert_int_eq(store_find_current(s, "bob", &c), STORE_OK);
	ck_assert_str_eq(c->serial, "0e02");
	store_cert_free(c);
	store_close(s);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, store_fixture_setup, store_fixture_teardown);
	tcase_add_test(tc, test_atomic_write);
	tcase_add_test(tc, test_atomic_write_refuses_symlink_tmp);
	tcase_add_test(tc, test_read_file_limit);
	tcase_add_test(tc, test_init_refuses_existing);
	tcase_add_test(tc, test_open_without_ca);
	tcase_add_test(tc, test_issue_and_refuse_name_and_serial);
	tcase_add_test(tc, test_replace_keeps_history);
	tcase_add_test(tc, test_expired_name_can_be_reissued);
	tcase_add_loop_test(tc, test_crash_recovery, 0,
	    sizeof(crashes) / sizeof(crashes[0]));
	tcase_add_loop_test(tc, test_crash_recovery_fresh_name, 0,
	    sizeof(fresh_crashes) / sizeof(fresh_crashes[0]));
	tcase_add_test(tc, test_group_issue);
	tcase_add_test(tc, test_issue_refuses_linked_name);
	/* About the file index.db: SQLite's alone (store_fixture.h). */
	if (store_fixture_sqlite()) {
		tcase_add_test(tc, test_open_refuses_writable_index);
		tcase_add_test(tc, test_recovery_one_transaction);
	}
	else
		tcase_add_test(tc, test_pg_reconnect);
	tcase_add_test(tc, test_revoke_all_or_none);
	tcase_add_test(tc, test_check_clean);
	tcase_add_loop_test(tc, test_check_reports, 0,
	    sizeof(damages) / sizeof(damages[0]));
	tcase_add_test(tc, test_check_repair_removes_leftover);
	tcase_add_test(tc, test_revoke_several);
	tcase_add_test(tc, test_crl_number);
	tcase_add_test(tc, test_settings);
	suite_add_tcase(s, tc);
	return s;
}
