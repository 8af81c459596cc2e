/*
 * check_validity: src/authority/validity.c, a leaf's notAfter against
 * its CA's: within it as asked, a default capped to it, an explicit
 * length past it refused with the option named, nothing from an
 * expired CA; and the same decisions where they are applied, in
 * issuance_prepare() and the batch plan.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "batch.h"
#include "ca.h"
#include "issuance.h"
#include "report.h"
#include "util.h"
#include "validity.h"

#include "fixture_ca.h"

#define DAY 86400
#define T0 ((time_t)1800000000)		/* 2027-01-15T08:00:00Z */

static const struct {
	long days;
	const char *from;
	time_t ca_end;
	enum validity_verdict want;
	time_t want_not_after;		/* for OK and CAPPED */
} cases[] = {
	/* Within the CA, whoever chose the length. */
	{ 30, NULL, T0 + 60 * DAY, VALIDITY_OK, T0 + 30 * DAY },
	{ 30, "--days", T0 + 60 * DAY, VALIDITY_OK, T0 + 30 * DAY },
	/* Ending with the CA to the second is not outliving it. */
	{ 60, "--days", T0 + 60 * DAY, VALIDITY_OK, T0 + 60 * DAY },
	/* A default past the CA is cut to it; an explicit one is refused. */
	{ 825, NULL, T0 + 60 * DAY, VALIDITY_CAPPED, T0 + 60 * DAY },
	{ 61, "--days", T0 + 60 * DAY, VALIDITY_PAST_CA, 0 },
	{ 400, "days", T0 + 60 * DAY, VALIDITY_PAST_CA, 0 },
	/* A CA that ends now or before issues nothing, whatever was asked. */
	{ 825, NULL, T0, VALIDITY_CA_EXPIRED, 0 },
	{ 1, "--days", T0 - DAY, VALIDITY_CA_EXPIRED, 0 },
	/* An unreadable CA end (-1) or none given (0) caps nothing. */
	{ 825, NULL, (time_t)-1, VALIDITY_OK, T0 + 825 * DAY },
	{ 825, "--days", 0, VALIDITY_OK, T0 + 825 * DAY },
};

START_TEST(test_leaf)
{
	struct validity_ask a = { T0, cases[_i].days, cases[_i].from,
	    cases[_i].ca_end };
	time_t not_after = 0;

	ck_assert_int_eq(validity_leaf(&a, &not_after), cases[_i].want);
	if (cases[_i].want == VALIDITY_OK || cases[_i].want == VALIDITY_CAPPED)
		ck_assert_int_eq((long long)not_after,
		    (long long)cases[_i].want_not_after);
	else
		ck_assert_int_eq((long long)not_after, 0);
}
END_TEST

START_TEST(test_messages)
{
	struct validity_ask a = { T0, 825, NULL, T0 + 60 * DAY + 3600 };
	struct report rep = { NULL, 0 };
	char *m;

	ck_assert_ptr_null(validity_message(&a, VALIDITY_OK));
	m = validity_message(&a, VALIDITY_CAPPED);
	ck_assert_str_eq(m, "validity capped to the CA certificate's notAfter,"
	    " 2027-03-16T09:00:00Z: 825 days would outlive it (--days sets a"
	    " validity within it)");
	free(m);
	a.days_from = "--days";
	m = validity_message(&a, VALIDITY_PAST_CA);
	ck_assert_str_eq(m, "--days 825 ends after the CA certificate's notAfter,"
	    " 2027-03-16T09:00:00Z: a certificate cannot outlive its issuer"
	    " (--days 60 at most)");
	free(m);
	/* Refused, and named, by the check the commands run first. */
	ck_assert_int_eq(validity_check(&a, "alice: ", &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_int_eq(rep.lines[0].level, REPORT_MESSAGE);
	ck_assert(strncmp(rep.lines[0].text, "alice: --days 825 ends after", 28) == 0);
	report_clear(&rep);
	/* A capped default is no refusal: the command warns after issuing. */
	a.days_from = NULL;
	ck_assert_int_eq(validity_check(&a, NULL, &rep), RESULT_OK);
	ck_assert_uint_eq(rep.n, 0);
	a.ca_not_after = T0 + 3600;
	a.days_from = "days";
	m = validity_message(&a, VALIDITY_PAST_CA);
	ck_assert_ptr_nonnull(strstr(m, "the CA expires within a day"));
	free(m);
	a.ca_not_after = T0 - DAY;
	m = validity_message(&a, VALIDITY_CA_EXPIRED);
	ck_assert_str_eq(m, "the CA certificate expired at 2027-01-14T08:00:00Z"
	    " (its notAfter): nothing it signs would verify; replace the CA");
	free(m);
}
END_TEST

/* A device certificate under the fixture CA (a year's validity). */
static void
device_spec(struct issuance_spec *spec, long days, const char *from)
{
	char *msg = NULL;

	memset(spec, 0, sizeof(*spec));
	spec->kind = KIND_DEVICE;
	spec->name = "alice";
	spec->domain = "example.com";
	spec->key_type = KEY_P256;
	spec->days = days;
	spec->days_from = from;
	issuance_default_sans(spec, 0);
	ck_assert_int_eq(issuance_validate(spec, &msg), 0);
}

START_TEST(test_prepare_caps_a_default)
{
	struct ca *ca = fixture_ca(NULL, NULL, NULL);
	struct issuance_spec spec;
	struct issuance is;
	struct report rep = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	time_t ca_end = gnutls_x509_crt_get_expiration_time(ca->crt);

	device_spec(&spec, DEFAULT_LEAF_DAYS, NULL);
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, &rep), RESULT_OK);
	ck_assert_int_eq(is.capped, 1);
	ck_assert_int_eq((long long)is.not_after, (long long)ca_end);
	/* The signed certificate says so, not only the index's copy. */
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &is.cert_pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq((long long)gnutls_x509_crt_get_expiration_time(crt),
	    (long long)ca_end);
	gnutls_x509_crt_deinit(crt);
	issuance_clear(&is);
	san_list_clear(&spec.sans);

	device_spec(&spec, 30, "--days");
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, &rep), RESULT_OK);
	ck_assert_int_eq(is.capped, 0);
	ck_assert_int_eq((long long)(is.not_after - is.not_before), 30LL * DAY);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	report_clear(&rep);
	ca_free(ca);
}
END_TEST

START_TEST(test_prepare_refuses_explicit_days)
{
	struct ca *ca = fixture_ca(NULL, NULL, NULL);
	struct issuance_spec spec;
	struct issuance is;
	struct report rep = { NULL, 0 };

	memset(&is, 0, sizeof(is));
	device_spec(&spec, 400, "--days");
	ck_assert_int_eq(issuance_prepare(&spec, ca, &is, &rep), RESULT_E_INPUT);
	ck_assert_ptr_null(is.cert_pem.data);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert(strncmp(rep.lines[0].text, "alice: --days 400 ends after the CA"
	    " certificate's notAfter", 58) == 0);
	report_clear(&rep);
	san_list_clear(&spec.sans);
	ca_free(ca);
}
END_TEST

static void
plan_options(struct batch_plan_options *o, time_t ca_end)
{
	memset(o, 0, sizeof(*o));
	o->key_type = KEY_P256;
	o->days = DEFAULT_LEAF_DAYS;
	o->domain = "example.com";
	o->ca_not_after = ca_end;
}

START_TEST(test_plan)
{
	const char *csv = "kind,name,days\n"
	    "device,alice,\n"		/* the default: capped */
	    "device,bob,10\n"		/* within */
	    "device,carol,\n";
	const char *bad = "kind,name,days\n"
	    "device,alice,\n"
	    "device,dave,400\n";	/* asked for, past the CA */
	struct batch_plan_options o;
	struct batch_plan plan;
	struct report rep = { NULL, 0 };
	time_t now = sipca_now();

	plan_options(&o, now + 100 * DAY);
	ck_assert_int_eq(batch_plan_parse("rows.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_OK);
	ck_assert_uint_eq(plan.bad, 0);
	ck_assert_ptr_null(plan.rows[0].spec.days_from);
	ck_assert_str_eq(plan.rows[1].spec.days_from, "days");
	/* One warning for the rows the CA cuts, not one per row. */
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_int_eq(rep.lines[0].level, REPORT_WARNING);
	ck_assert(strncmp(rep.lines[0].text, "rows.csv: 2 rows: validity capped"
	    " to the CA certificate's notAfter", 66) == 0);
	report_clear(&rep);
	batch_plan_clear(&plan);

	ck_assert_int_eq(batch_plan_parse("rows.csv", bad, strlen(bad), &o, &plan,
	    &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(plan.bad, 1);
	ck_assert_uint_eq(rep.n, 2);
	ck_assert(strncmp(rep.lines[0].text, "rows.csv:3: days 400 ends after", 31) == 0);
	ck_assert_str_eq(rep.lines[1].text, "rows.csv: 1 bad row: nothing issued");
	report_clear(&rep);
	batch_plan_clear(&plan);

	/* --days given for the whole file is the user's choice too. */
	o.days = 400;
	o.days_from = "--days";
	ck_assert_int_eq(batch_plan_parse("rows.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(plan.bad, 2);
	ck_assert(strncmp(rep.lines[0].text, "rows.csv:2: --days 400 ends after", 33) == 0);
	report_clear(&rep);
	batch_plan_clear(&plan);

	/* An expired CA refuses the file in one message. */
	plan_options(&o, now - DAY);
	ck_assert_int_eq(batch_plan_parse("rows.csv", csv, strlen(csv), &o, &plan,
	    &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert(strncmp(rep.lines[0].text, "rows.csv: the CA certificate expired at",
	    39) == 0);
	ck_assert_uint_eq(plan.n_rows, 0);
	report_clear(&rep);
	batch_plan_clear(&plan);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("validity");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_leaf, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_messages);
	tcase_add_test(tc, test_prepare_caps_a_default);
	tcase_add_test(tc, test_prepare_refuses_explicit_days);
	tcase_add_test(tc, test_plan);
	suite_add_tcase(s, tc);
	return s;
}
