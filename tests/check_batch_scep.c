/*
 * check_batch_scep: issue --batch --scep-challenges below the command:
 * the plan's refusals with options.challenges (batch_plan.c), the
 * challenges made on a store in a temporary directory, revoked again,
 * and the CSV text (batch_scep.c: RFC 4180 quoting, CRLF, RFC 3339).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "batch.h"
#include "batch_scep.h"
#include "ca.h"
#include "report.h"
#include "scep_challenge.h"
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
	o->challenges = 1;
}

/* A row a challenge cannot be made for, and what is said of it. */
static const struct {
	const char *csv;
	const char *want;
} bad_rows[] = {
	{ "kind,name\nserver,sip.example.com\n",
	  "rows.csv:2: a server row: SCEP challenges are for devices" },
	{ "kind,name,key\ndevice,x,p256\n", "rows.csv:2: a key cell" },
	{ "kind,name,days\ndevice,x,30\n", "rows.csv:2: a days cell" },
	{ "kind,name,csr\ndevice,x,x.csr\n", "rows.csv:2: a csr cell" },
	{ "kind,name,dns\ndevice,x,x.example.com\n", "rows.csv:2: a dns cell" },
	{ "kind,name,ip\ndevice,x,192.0.2.1\n", "rows.csv:2: a ip cell" },
	{ "kind,name\ndevice,SCEP-RA\n", "rows.csv:2: 'scep-ra' is the SCEP RA's name" },
	{ "kind,name,uri\ndevice,x,sip:@example.com\n", "rows.csv:2: invalid SIP URI" },
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
	all = report_join(&rep, "\n");
	ck_assert_msg(strncmp(all, bad_rows[_i].want, strlen(bad_rows[_i].want)) == 0,
	    "report: %s", all);
	ck_assert_ptr_nonnull(strstr(all, "rows.csv: 1 bad row: nothing created"));
	free(all);
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

/* The same cells are a certificate's without options.challenges. */
START_TEST(test_not_challenges)
{
	const char *csv = "kind,name,key,days\nserver,sip.example.com,p256,30\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };

	options(&o);
	o.challenges = 0;
	ck_assert_int_eq(batch_plan_parse("rows.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_OK);
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

static void
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
	ca_free(ca);
}

static void
sha256_hex(const char *text, char out[65])
{
	unsigned char d[32];
	size_t i;

	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, text, strlen(text), d), 0);
	for (i = 0; i < sizeof(d); i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(test_create)
{
	const char *csv = "kind,name,uri\ndevice,Phone-1,\n"
	    "device,lobby,sip:lobby@example.com sip:desk@example.com\n";
	struct batch_plan_options o;
	struct batch_plan plan;
	struct batch_challenges made;
	struct report rep = { NULL, 0 };
	struct store *s = NULL;
	struct store_record *r = NULL;
	struct scep_challenge_binding b;
	const char *reason = NULL;
	char hash[65], *text;
	size_t len, i;
	time_t now = time(NULL);

	make_store(&s);
	options(&o);
	ck_assert_int_eq(batch_plan_parse("fleet.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_OK);
	ck_assert_int_eq(batch_scep_create(&plan, s, "example.com", "fleet.csv",
	    7200, &made, &rep), RESULT_OK);
	ck_assert_uint_eq(made.n, 2);
	ck_assert_str_eq(made.rows[0].name, "phone-1");
	ck_assert_str_eq(made.rows[1].name, "lobby");
	for (i = 0; i < made.n; i++) {
		ck_assert_uint_eq(strlen(made.rows[i].challenge), SCEP_CHALLENGE_LEN);
		ck_assert_uint_eq(strspn(made.rows[i].challenge,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), SCEP_CHALLENGE_LEN);
		ck_assert(made.rows[i].expires >= now + 7200 - 5 &&
		    made.rows[i].expires <= now + 7200 + 5);
		/* The store holds the hash, the row's line as the origin. */
		ck_assert_int_eq(store_record_get(s, SCEP_CHALLENGE_KIND,
		    made.rows[i].name, &r), STORE_OK);
		sha256_hex(made.rows[i].challenge, hash);
		ck_assert_str_eq(r->key, hash);
		ck_assert_str_eq(r->status, "valid");
		ck_assert_int_eq(r->expires, made.rows[i].expires);
		ck_assert_ptr_nonnull(strstr(r->doc, i == 0 ? "batch fleet.csv:2" :
		    "batch fleet.csv:3"));
		store_record_free(r);
		r = NULL;
	}
	ck_assert_str_ne(made.rows[0].challenge, made.rows[1].challenge);

	/* The CSV the provisioning system reads. */
	text = batch_scep_csv(&made, &len);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert(strncmp(text, "name,challenge,expires\r\nphone-1,", 32) == 0);
	ck_assert_ptr_nonnull(strstr(text, made.rows[1].challenge));
	ck_assert(len > 2 && text[len - 2] == '\r' && text[len - 1] == '\n');
	gnutls_memset(text, 0, len);
	free(text);

	/* It enrolls lobby with the URIs of its row, once. */
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(scep_challenge_consume(s, "lobby", made.rows[1].challenge,
	    time(NULL), &b, &reason), 0);
	ck_assert_uint_eq(b.n_uris, 2);
	ck_assert_str_eq(b.uris[0], "sip:lobby@example.com");
	ck_assert_str_eq(b.uris[1], "sip:desk@example.com");
	scep_challenge_binding_clear(&b);
	ck_assert_int_eq(scep_challenge_consume(s, "lobby", made.rows[1].challenge,
	    time(NULL), &b, &reason), -1);

	/* OUT could not be written: what was made is revoked. */
	batch_scep_revoke(s, &made);
	ck_assert_int_eq(store_record_get(s, SCEP_CHALLENGE_KIND, "phone-1", &r),
	    STORE_OK);
	ck_assert_str_eq(r->status, "revoked");
	store_record_free(r);
	ck_assert_int_eq(scep_challenge_consume(s, "phone-1", made.rows[0].challenge,
	    time(NULL), &b, &reason), -1);

	batch_challenges_clear(&made);
	ck_assert_uint_eq(made.n, 0);
	report_clear(&rep);
	batch_plan_clear(&plan);
	store_close(s);
}
END_TEST

/* Quoted as RFC 4180 section 2 says, whatever the name holds. */
START_TEST(test_csv_quoting)
{
	struct batch_challenge rows[2];
	struct batch_challenges c = { rows, 2 };
	char *text;
	size_t len;

	memset(rows, 0, sizeof(rows));
	rows[0].name = "a,b";
	rows[1].name = "say \"hi\"";
	memcpy(rows[0].challenge, "AAAA", 5);
	memcpy(rows[1].challenge, "BBBB", 5);
	rows[0].expires = 0;
	rows[1].expires = 86400;
	text = batch_scep_csv(&c, &len);
	ck_assert_str_eq(text, "name,challenge,expires\r\n"
	    "\"a,b\",AAAA,1970-01-01T00:00:00Z\r\n"
	    "\"say \"\"hi\"\"\",BBBB,1970-01-02T00:00:00Z\r\n");
	free(text);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("batch_scep");
	TCase *plan = tcase_create("plan"), *make = tcase_create("make");

	tcase_add_loop_test(plan, test_bad_row, 0, nitems(bad_rows));
	tcase_add_test(plan, test_not_challenges);
	tcase_add_test(plan, test_csv_quoting);
	suite_add_tcase(s, plan);
	tcase_add_checked_fixture(make, tmpdir_setup, tmpdir_teardown);
	tcase_set_timeout(make, 60);
	tcase_add_test(make, test_create);
	suite_add_tcase(s, make);
	return s;
}
