/*
 * check_batch: src/authority/batch_plan.c (CSV text to a plan: good
 * rows, each kind of bad row, duplicates, the csr path confinement) and
 * src/authority/batch.c (the run on a store in a temporary directory).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "batch.h"
#include "ca.h"
#include "report.h"
#include "store.h"
#include "util.h"

#include "fixture_ca.h"
#include "tmpdir.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static void
options(struct batch_plan_options *o)
{
	memset(o, 0, sizeof(*o));
	o->key_type = KEY_P256;
	o->days = 90;
	o->domain = "example.com";
}

/* The report's lines joined by '\n', a new string. */
static char *
joined(const struct report *r)
{
	char *all = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < r->n; i++) {
		next = xasprintf("%s%s\n", all, r->lines[i].text);
		free(all);
		all = next;
	}
	return all;
}

START_TEST(test_good_rows)
{
	const char *csv = "kind,name,uri,dns,ip,key,days\n"
	    "server,Proxy.Example.com,,edge.example.com,192.0.2.1,,\n"
	    "device,alice,,,,rsa2048,30\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };
	char *sans;

	options(&o);
	ck_assert_int_eq(batch_plan_parse("rows.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_OK);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_uint_eq(plan.n_rows, 2);
	ck_assert_uint_eq(plan.bad, 0);
	ck_assert_uint_eq(plan.rows[0].line, 2);
	/* Names are folded, so "Proxy" and "proxy" are one name. */
	ck_assert_str_eq(plan.rows[0].name, "proxy.example.com");
	ck_assert_int_eq(plan.rows[0].spec.kind, KIND_SERVER);
	ck_assert_int_eq(plan.rows[0].spec.key_type, KEY_P256);
	ck_assert_int_eq(plan.rows[0].spec.days, 90);
	sans = san_list_format(&plan.rows[0].spec.sans);
	ck_assert_str_eq(sans, "URI:sip:example.com,DNS:example.com,"
	    "DNS:proxy.example.com,DNS:edge.example.com,IP:192.0.2.1");
	free(sans);
	ck_assert_int_eq(plan.rows[1].spec.kind, KIND_DEVICE);
	ck_assert_int_eq(plan.rows[1].spec.key_type, KEY_RSA2048);
	ck_assert_int_eq(plan.rows[1].spec.days, 30);
	sans = san_list_format(&plan.rows[1].spec.sans);
	ck_assert_str_eq(sans, "URI:sip:alice@example.com");
	free(sans);
	batch_plan_clear(&plan);
	ck_assert_uint_eq(plan.n_rows, 0);
	batch_plan_clear(NULL);
}
END_TEST

/* One bad row each, and what the report says about it (line 2). */
static const struct {
	const char *csv;
	const char *want;
} bad_rows[] = {
	{ "kind,name\nphone,x\n",
	  "rows.csv:2: unknown certificate kind: 'phone' (server, device or eap-tls)" },
	{ "kind,name,key\ndevice,x,dsa\n",
	  "rows.csv:2: unknown key type: 'dsa' (one of " KEY_TYPE_NAMES ")" },
	{ "kind,name,days\ndevice,x,0\n",
	  "rows.csv:2: invalid days: '0' (1 to 36500)" },
	{ "kind,name,ip\ndevice,x,300.1.1.1\n",
	  "rows.csv:2: invalid IP address: '300.1.1.1'" },
	{ "kind,name\ndevice,x,extra\n",
	  "rows.csv:2: 3 fields where the header has 2" },
	{ "kind,name,dns\nserver,sip.example.com,sip.example.org\n",
	  "rows.csv:2: DNS name 'sip.example.org' is outside the SIP domain"
	  " 'example.com'" },
	{ "kind,name,uri\ndevice,x,sip:example.com\n",
	  "rows.csv:2: device certificate with URI 'sip:example.com'" },
	{ "kind,name,csr\ndevice,x,/etc/passwd\n",
	  "rows.csv:2: csr '/etc/passwd': an absolute path" },
	{ "kind,name,csr\ndevice,x,a/../../b.csr\n",
	  "rows.csv:2: csr 'a/../../b.csr': '..' leaves the CSV file's directory" },
	{ "kind,name,csr\ndevice,x,missing.csr\n",
	  "rows.csv:2: cannot read request: './missing.csr'" },
};

START_TEST(test_bad_row)
{
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };
	char *all;

	options(&o);
	ck_assert_int_eq(batch_plan_parse("rows.csv", bad_rows[_i].csv,
	    strlen(bad_rows[_i].csv), &o, &plan, &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(plan.bad, 1);
	ck_assert_ptr_nonnull(plan.rows[0].error);
	all = joined(&rep);
	ck_assert_msg(strstr(all, bad_rows[_i].want) == all, "report: %s", all);
	ck_assert_ptr_nonnull(strstr(all, "rows.csv: 1 bad row: nothing issued\n"));
	ck_assert_int_eq(rep.lines[0].level, REPORT_MESSAGE);
	free(all);
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

/* What is wrong with the file itself, before any row. */
static const struct {
	const char *csv;
	const char *want;
} bad_files[] = {
	{ "", "rows.csv: empty file: no header row (the columns are "
	  BATCH_COLUMNS ")" },
	{ "kind,name,colour\n", "rows.csv:1: unknown column 'colour'"
	  " (the columns are " BATCH_COLUMNS ")" },
	{ "kind,name,kind\n", "rows.csv:1: column 'kind' given twice" },
	{ "name,dns\n", "rows.csv:1: the header row needs the columns kind and"
	  " name (the columns are " BATCH_COLUMNS ")" },
	{ "kind,name\n\"device,x\n", "rows.csv:2: unterminated quoted field" },
};

START_TEST(test_bad_file)
{
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };

	options(&o);
	ck_assert_int_eq(batch_plan_parse("rows.csv", bad_files[_i].csv,
	    strlen(bad_files[_i].csv), &o, &plan, &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, bad_files[_i].want);
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

START_TEST(test_duplicates)
{
	const char *csv = "kind,name\ndevice,alice\ndevice,bob\ndevice,Alice\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };

	options(&o);
	ck_assert_int_eq(batch_plan_parse("-", csv, strlen(csv), &o, &plan, &rep),
	    RESULT_E_INPUT);
	ck_assert_uint_eq(plan.bad, 1);
	ck_assert_ptr_null(plan.rows[0].error);
	ck_assert_ptr_null(plan.rows[1].error);
	ck_assert_uint_eq(rep.n, 2);
	/* stdin is named so; the later line is the duplicate. */
	ck_assert_str_eq(rep.lines[0].text,
	    "stdin:4: duplicate name 'alice' (also on line 2)");
	ck_assert_str_eq(rep.lines[1].text, "stdin: 1 bad row: nothing issued");
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

/* A csr is read under the CSV's directory; a link out of it is refused. */
START_TEST(test_csr_confined)
{
	char *sub = xasprintf("%s/rows", tmpdir), *file = xasprintf("%s/b.csv", sub);
	char *outside = xasprintf("%s/outside.csr", tmpdir);
	char *link = xasprintf("%s/link.csr", sub), *inside = xasprintf("%s/in.csr", sub);
	const char *csv = "kind,name,csr\ndevice,x,link.csr\n";
	const char *csv2 = "kind,name,csr\ndevice,x,in.csr\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };
	char *want;

	options(&o);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	tmpdir_write(outside, "not a request\n");
	tmpdir_write(inside, "not a request either\n");
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(batch_plan_parse(file, csv, strlen(csv), &o, &plan, &rep),
	    RESULT_E_INPUT);
	want = xasprintf("%s:2: csr 'link.csr': a symbolic link leads out of the"
	    " CSV file's directory", file);
	ck_assert_str_eq(rep.lines[0].text, want);
	free(want);
	report_clear(&rep);
	batch_plan_clear(&plan);

	/* Inside, it is read (and here refused as no request). */
	ck_assert_int_eq(batch_plan_parse(file, csv2, strlen(csv2), &o, &plan,
	    &rep), RESULT_E_INPUT);
	want = xasprintf("%s:2: '%s': not a PKCS#10 certificate request: ", file,
	    inside);
	ck_assert_msg(strncmp(rep.lines[0].text, want, strlen(want)) == 0,
	    "%s", rep.lines[0].text);
	free(want);
	report_clear(&rep);
	batch_plan_clear(&plan);
	free(sub);
	free(file);
	free(outside);
	free(link);
	free(inside);
}
END_TEST

static struct ca *
make_store(struct store **out_store)
{
	const char *settings[] = { "domain", "example.com", NULL };
	gnutls_datum_t key = { NULL, 0 };
	struct ca *ca = fixture_ca(NULL, NULL, &key);
	char *dir = xasprintf("%s/ca", tmpdir);

	ck_assert_int_eq(store_open(dir, STORE_CREATE, out_store, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(*out_store, (const char *)ca->pem.data,
	    ca->pem.size, (const char *)key.data, key.size, settings), STORE_OK);
	gnutls_memset(key.data, 0, key.size);
	gnutls_free(key.data);
	free(dir);
	return ca;
}

struct seen {
	size_t started, todo, progressed, ended, reports;
};

static void
on_report(void *arg, const struct report *rep)
{
	((struct seen *)arg)->reports += rep->n;
}

static void
on_start(void *arg, size_t todo)
{
	((struct seen *)arg)->started++;
	((struct seen *)arg)->todo = todo;
}

static void
on_progress(void *arg, size_t done)
{
	(void)done;
	((struct seen *)arg)->progressed++;
}

static void
on_end(void *arg)
{
	((struct seen *)arg)->ended++;
}

START_TEST(test_run)
{
	const char *csv = "kind,name\nserver,sip.example.com\ndevice,alice\n"
	    "device,bob\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct batch_counts n;
	struct seen seen;
	struct batch_hooks hooks = { &seen, on_report, on_start, on_progress,
	    on_end };
	struct report rep = { NULL, 0 };
	struct store *s = NULL;
	struct store_cert *cur = NULL;
	struct ca *ca = make_store(&s);

	options(&o);
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(batch_plan_parse("-", csv, strlen(csv), &o, &plan, &rep),
	    RESULT_OK);
	ck_assert_int_eq(batch_run(&plan, s, ca, 2, &hooks, &n), RESULT_OK);
	ck_assert_uint_eq(n.issued, 3);
	ck_assert_uint_eq(n.skipped, 0);
	ck_assert_uint_eq(n.failed_lint + n.failed_op, 0);
	ck_assert_uint_eq(seen.started, 1);
	ck_assert_uint_eq(seen.todo, 3);
	ck_assert_uint_ge(seen.progressed, 1);
	ck_assert_uint_eq(seen.ended, 1);
	ck_assert_uint_eq(seen.reports, 0);
	ck_assert_int_eq(store_find_current(s, "alice", &cur), STORE_OK);
	ck_assert_int_eq(cur->status, STATUS_VALID);
	store_cert_free(cur);
	batch_plan_clear(&plan);

	/* Run again: every name is valid already, nothing is signed. */
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(batch_plan_parse("-", csv, strlen(csv), &o, &plan, &rep),
	    RESULT_OK);
	ck_assert_int_eq(batch_run(&plan, s, ca, 0, &hooks, &n), RESULT_OK);
	ck_assert_uint_eq(n.issued, 0);
	ck_assert_uint_eq(n.skipped, 3);
	ck_assert_uint_eq(seen.started, 0);
	batch_plan_clear(&plan);
	store_close(s);
	ca_free(ca);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *plan = tcase_create("plan"), *run = tcase_create("run");

	tcase_add_checked_fixture(plan, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(plan, test_good_rows);
	tcase_add_loop_test(plan, test_bad_row, 0, nitems(bad_rows));
	tcase_add_loop_test(plan, test_bad_file, 0, nitems(bad_files));
	tcase_add_test(plan, test_duplicates);
	tcase_add_test(plan, test_csr_confined);
	suite_add_tcase(s, plan);
	tcase_add_checked_fixture(run, tmpdir_setup, tmpdir_teardown);
	tcase_set_timeout(run, 60);
	tcase_add_test(run, test_run);
	suite_add_tcase(s, run);
	return s;
}
