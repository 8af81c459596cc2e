/*
 * check_sipid: src/pki/sipid.c, the RFC 5922 section 7.1 identity set and the
 * 7.2 comparison. One row per certificate shape, run as a loop test so a
 * failure names the row.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "sipid.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct match_case {
	const char *sans;	/* san_list_format() text */
	int has_san;
	const char *cn;		/* NULL: no CN */
	const char *domain;
	int match;
	enum sipid_set set;
};

static const struct match_case cases[] = {
	/* What sipca issues: the URI decides, the DNS names are not looked at. */
	{ "URI:sip:example.com,DNS:example.com,DNS:sip.example.com", 1,
	  "sip.example.com", "example.com", 1, SIPID_URI },
	{ "URI:sip:example.com,DNS:example.com,DNS:sip.example.com", 1,
	  "sip.example.com", "sip.example.com", 0, SIPID_URI },
	/* No sip: URI: the DNS names. */
	{ "DNS:example.com,DNS:sip.example.com", 1, NULL, "example.com", 1, SIPID_DNS },
	{ "DNS:sip.example.com", 1, NULL, "example.com", 0, SIPID_DNS },
	/* A URI with a user part, or another scheme, is not an identity. */
	{ "URI:sip:alice@example.com,DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS },
	{ "URI:sips:example.com,DNS:sip.example.com", 1, NULL, "example.com", 0, SIPID_DNS },
	{ "URI:sips:example.com", 1, NULL, "example.com", 0, SIPID_NONE },
	/* The CN only without any subjectAltName. */
	{ "", 0, "example.com", "example.com", 1, SIPID_CN },
	{ "", 1, "example.com", "example.com", 0, SIPID_NONE },
	{ "IP:192.0.2.1", 1, "example.com", "192.0.2.1", 0, SIPID_NONE },
	/* 7.2: case-insensitive, never a wildcard. */
	{ "URI:SIP:Example.COM", 1, NULL, "example.com", 1, SIPID_URI },
	{ "DNS:*.example.com", 1, NULL, "sip.example.com", 0, SIPID_DNS },
	{ "DNS:*.example.com", 1, NULL, "*.example.com", 0, SIPID_DNS },
	{ "", 0, "*.example.com", "sip.example.com", 0, SIPID_CN },
	/* Port and parameters are not part of the host. */
	{ "URI:sip:example.com:5061;transport=tls", 1, NULL, "example.com", 1, SIPID_URI },
	{ "URI:sip:[2001:db8::1]:5061", 1, NULL, "2001:db8::1", 1, SIPID_URI },
};

START_TEST(test_match)
{
	const struct match_case *c = &cases[_i];
	struct san_list sans = { NULL, 0 };
	const char *cns[1] = { c->cn };
	const char *value = NULL;
	enum sipid_set set = SIPID_NONE;
	int ret;

	ck_assert_int_eq(san_list_parse(c->sans, &sans), 0);
	ret = sipid_match_domain(&sans, c->has_san, cns, c->cn != NULL ? 1 : 0,
	    c->domain, &set, &value);
	ck_assert_msg(ret == c->match, "'%s' in [%s]: match %d, expected %d",
	    c->domain, c->sans, ret, c->match);
	ck_assert_msg(set == c->set, "[%s]: set '%s', expected '%s'", c->sans,
	    sipid_set_name(set), sipid_set_name(c->set));
	ck_assert_msg((value != NULL) == c->match, "[%s]: matched value", c->sans);
	ck_assert_int_eq(sipid_identity_set(&sans, c->has_san, c->cn != NULL), c->set);
	san_list_clear(&sans);
}
END_TEST

struct split_case {
	const char *uri;
	int ret;
	const char *scheme;
	int user;
	const char *host;
};

static const struct split_case splits[] = {
	{ "sip:example.com", 0, "sip", 0, "example.com" },
	{ "sip:alice@example.com:5061", 0, "sip", 1, "example.com" },
	{ "sips:[::1]:5061;transport=tls", 0, "sips", 0, "::1" },
	{ "sip:example.com?subject=x", 0, "sip", 0, "example.com" },
	{ "sip:a@b@example.com", 0, "sip", 1, "b@example.com" },
	{ "example.com", -1, NULL, 0, NULL },
	{ ":example.com", -1, NULL, 0, NULL },
	{ "averyveryverylongscheme:example.com", -1, NULL, 0, NULL },
};

START_TEST(test_split)
{
	const struct split_case *c = &splits[_i];
	char scheme[16], host[64];
	int user = -1;

	ck_assert_int_eq(sipid_uri_split(c->uri, scheme, sizeof(scheme), &user,
	    host, sizeof(host)), c->ret);
	if (c->ret != 0)
		return;
	ck_assert_str_eq(scheme, c->scheme);
	ck_assert_int_eq(user, c->user);
	ck_assert_str_eq(host, c->host);
}
END_TEST

struct domain_case {
	const char *host, *domain;
	int in;
};

static const struct domain_case domains[] = {
	{ "example.com", "example.com", 1 },
	{ "SIP.Example.COM", "example.com", 1 },
	{ "a.b.example.com", "EXAMPLE.com", 1 },
	{ "*.example.com", "example.com", 1 },
	/* A label boundary, not a string suffix. */
	{ "badexample.com", "example.com", 0 },
	{ "example.com.evil", "example.com", 0 },
	{ "com", "example.com", 0 },
	{ "192.0.2.1", "example.com", 0 },
	{ "example.com", "", 0 },
};

START_TEST(test_in_domain)
{
	const struct domain_case *c = &domains[_i];

	ck_assert_msg(sipid_in_domain(c->host, c->domain) == c->in,
	    "'%s' in '%s': expected %d", c->host, c->domain, c->in);
}
END_TEST

struct fold_case {
	const char *in, *out;
};

/* RFC 3261 19.1.4: scheme and host fold, the user part does not. */
static const struct fold_case folds[] = {
	{ "SIP:Alice@Example.COM", "sip:Alice@example.com" },
	{ "sips:BOB@SIP.example.com:5061", "sips:BOB@sip.example.com:5061" },
	{ "sip:Example.COM", "sip:example.com" },
	{ "sip:[2001:DB8::1]:5061", "sip:[2001:db8::1]:5061" },
	{ "sip:Alice@Example.COM;Transport=TLS", "sip:Alice@example.com;Transport=TLS" },
	{ "NoScheme", "NoScheme" },
};

START_TEST(test_uri_fold)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", folds[_i].in);
	sipid_uri_fold(buf);
	ck_assert_str_eq(buf, folds[_i].out);
}
END_TEST

START_TEST(test_dns_fold)
{
	char buf[] = "SIP.Example.COM";

	sipid_dns_fold(buf);
	ck_assert_str_eq(buf, "sip.example.com");
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("sipid");
	TCase *tc = tcase_create("sipid");

	tcase_add_loop_test(tc, test_match, 0, nitems(cases));
	tcase_add_loop_test(tc, test_split, 0, nitems(splits));
	tcase_add_loop_test(tc, test_in_domain, 0, nitems(domains));
	tcase_add_loop_test(tc, test_uri_fold, 0, nitems(folds));
	tcase_add_test(tc, test_dns_fold);
	suite_add_tcase(s, tc);
	return s;
}
