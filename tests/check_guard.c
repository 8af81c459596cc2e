/*
 * check_guard: src/authority/guard.c, the lint run on every certificate
 * before it is written: a clean one goes on, one with an error-level
 * finding is refused with the findings and the refusal in the report,
 * and --force issues it anyway and says so. --allow-wildcard's rules are
 * the registry's wildcard rules, no more and no fewer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "guard.h"
#include "lint.h"
#include "report.h"
#include "util.h"

#include "fixture_ca.h"

static struct ca *ca;

static void
setup(void)
{
	ca = fixture_ca(NULL, NULL, NULL);
}

static void
teardown(void)
{
	ca_free(ca);
	ca = NULL;
}

/* A server certificate for sip.example.com; without serverAuth when bad. */
static void
build(int bad, gnutls_x509_crt_t *out_crt, gnutls_datum_t *out_der)
{
	struct cert_request req;
	struct san_list sans = { NULL, 0 };
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	unsigned char serial[SERIAL_LEN];
	const char *call = NULL;

	san_list_add(&sans, SAN_URI, "sip:example.com");
	san_list_add(&sans, SAN_DNS, "sip.example.com");
	ck_assert_int_eq(key_generate(KEY_P256, &key), 0);
	ck_assert_int_eq(key_export_pem(key, NULL, &pem), 0);
	ck_assert_int_eq(key_pubkey_of_pem(pem.data, pem.size, &pub, &call), 0);
	ck_assert_int_eq(serial_generate(serial), 0);
	memset(&req, 0, sizeof(req));
	req.kind = KIND_SERVER;
	req.common_name = "sip.example.com";
	req.sans = &sans;
	req.days = 90;
	req.not_before = sipca_now();
	req.eku_server_auth = !bad;
	req.eku_client_auth = 1;
	req.pubkey = pub;
	fixture_leaf(&req, ca, serial, out_crt, out_der);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_privkey_deinit(key);
	gnutls_free(pem.data);
	san_list_clear(&sans);
}

static int
has_error_line(const struct report *rep, const char *name)
{
	char *head = xasprintf("%s: lint: error ", name);
	size_t i;
	int found = 0;

	for (i = 0; i < rep->n; i++)
		found |= strncmp(rep->lines[i].text, head, strlen(head)) == 0;
	free(head);
	return found;
}

START_TEST(test_clean)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct report rep = { NULL, 0 };
	int forced = 0;

	build(0, &crt, &der);
	ck_assert_int_eq(guard_issuance(crt, &der, "sip.example.com", ca,
	    KIND_SERVER, "example.com", 0, &forced, &rep), RESULT_OK);
	ck_assert_int_eq(forced, 0);
	ck_assert(!has_error_line(&rep, "sip.example.com"));
	report_clear(&rep);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

START_TEST(test_refused)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct report rep = { NULL, 0 };
	const char *last;
	int forced = 0;

	build(1, &crt, &der);
	ck_assert_int_eq(guard_issuance(crt, &der, "sip.example.com", ca,
	    KIND_SERVER, "example.com", 0, &forced, &rep), RESULT_E_REFUSED);
	ck_assert_int_eq(forced, 0);
	ck_assert(has_error_line(&rep, "sip.example.com"));
	ck_assert_uint_ge(rep.n, 2);
	last = rep.lines[rep.n - 1].text;
	ck_assert_msg(strncmp(last, "sip.example.com: lint: refusing to issue: ",
	    42) == 0 && strstr(last, " (--force issues anyway)") != NULL, "%s", last);
	/* Every finding cites where the rule comes from. */
	ck_assert_ptr_nonnull(strstr(rep.lines[0].text, " ["));
	report_clear(&rep);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

START_TEST(test_forced)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct report rep = { NULL, 0 };
	size_t i;
	int forced = 0;

	build(1, &crt, &der);
	ck_assert_int_eq(guard_issuance(crt, &der, "sip.example.com", ca,
	    KIND_SERVER, "example.com", 1, &forced, &rep), RESULT_OK);
	ck_assert_int_eq(forced, 1);
	ck_assert(has_error_line(&rep, "sip.example.com"));
	for (i = 0; i < rep.n; i++)
		ck_assert_ptr_null(strstr(rep.lines[i].text, "refusing"));
	report_clear(&rep);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

START_TEST(test_wildcard_rules)
{
	const struct lint_rule *const *all;
	size_t n, i, j, listed = 0;
	int in_list;

	for (i = 0; guard_wildcard_rules[i] != NULL; i++)
		ck_assert_msg(lint_rule_find(guard_wildcard_rules[i]) != NULL,
		    "%s is not a lint rule", guard_wildcard_rules[i]);
	/* Every rule about '*' is allowed; a new one must join the list. */
	all = lint_rules(&n);
	for (i = 0; i < n; i++) {
		if (strstr(all[i]->id, "wildcard") == NULL)
			continue;
		in_list = 0;
		for (j = 0; guard_wildcard_rules[j] != NULL; j++)
			in_list |= strcmp(guard_wildcard_rules[j], all[i]->id) == 0;
		ck_assert_msg(in_list, "%s is missing from guard_wildcard_rules",
		    all[i]->id);
		listed++;
	}
	ck_assert_uint_eq(listed, 4);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("guard");
	TCase *tc = tcase_create("guard");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_forced);
	tcase_add_test(tc, test_wildcard_rules);
	suite_add_tcase(s, tc);
	return s;
}
