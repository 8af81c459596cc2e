/*
 * check_sipid: src/pki/sipid.c, the RFC 5922 section 7.1 identity set and the
 * 7.2 comparison. One row per certificate shape, run as a loop test so a
 * failure names the row.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "san.h"
#include "san_list.h"
#include "sipid.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A name given as its octets, NULs included: RAW("a\0b"). */
#define RAW(s) s, sizeof(s) - 1

struct match_case {
	const char *sans;	/* san_list_format() text */
	int has_san;
	const char *cn;		/* NULL: no CN */
	const char *domain;
	int match;
	enum sipid_set set;
	/* one more entry, octets as a certificate holds them (0: none) */
	enum san_type raw_type;
	const char *raw;
	size_t raw_len;
	/* the CN's length when it holds a NUL (0: strlen) */
	size_t cn_len;
};

static const struct match_case cases[] = {
	/* What sipca issues: the URI decides, the DNS names are not looked at. */
	{ "URI:sip:example.com,DNS:example.com,DNS:sip.example.com", 1,
	  "sip.example.com", "example.com", 1, SIPID_URI, 0, NULL, 0, 0 },
	{ "URI:sip:example.com,DNS:example.com,DNS:sip.example.com", 1,
	  "sip.example.com", "sip.example.com", 0, SIPID_URI, 0, NULL, 0, 0 },
	/* No sip: URI: the DNS names. */
	{ "DNS:example.com,DNS:sip.example.com", 1, NULL, "example.com", 1, SIPID_DNS,
	  0, NULL, 0, 0 },
	{ "DNS:sip.example.com", 1, NULL, "example.com", 0, SIPID_DNS, 0, NULL, 0, 0 },
	/* A DNS name equal to the domain. */
	{ "DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS, 0, NULL, 0, 0 },
	/* A URI with a user part, or another scheme, is not an identity. */
	{ "URI:sip:alice@example.com,DNS:example.com", 1, NULL, "example.com", 1,
	  SIPID_DNS, 0, NULL, 0, 0 },
	{ "URI:sip:alice@example.com", 1, NULL, "example.com", 0, SIPID_NONE,
	  0, NULL, 0, 0 },
	{ "URI:sips:example.com,DNS:sip.example.com", 1, NULL, "example.com", 0,
	  SIPID_DNS, 0, NULL, 0, 0 },
	{ "URI:sips:example.com,DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS,
	  0, NULL, 0, 0 },
	{ "URI:sips:example.com", 1, NULL, "example.com", 0, SIPID_NONE, 0, NULL, 0, 0 },
	/* A sip: URI that names no host is no identity: the DNS names count
	 * (lint and probe once read this differently). */
	{ "URI:sip:,DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS,
	  0, NULL, 0, 0 },
	{ "URI:sip:;transport=tls,DNS:example.com", 1, NULL, "example.com", 1,
	  SIPID_DNS, 0, NULL, 0, 0 },
	{ "URI:sip:[],DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS,
	  0, NULL, 0, 0 },
	{ "URI:sip:", 1, NULL, "example.com", 0, SIPID_NONE, 0, NULL, 0, 0 },
	/* The CN only without any subjectAltName. */
	{ "", 0, "example.com", "example.com", 1, SIPID_CN, 0, NULL, 0, 0 },
	{ "", 1, "example.com", "example.com", 0, SIPID_NONE, 0, NULL, 0, 0 },
	{ "", 0, NULL, "example.com", 0, SIPID_NONE, 0, NULL, 0, 0 },
	{ "IP:192.0.2.1", 1, "example.com", "192.0.2.1", 0, SIPID_NONE, 0, NULL, 0, 0 },
	/* 7.2: case-insensitive, never a wildcard. */
	{ "URI:SIP:Example.COM", 1, NULL, "example.com", 1, SIPID_URI, 0, NULL, 0, 0 },
	{ "DNS:*.example.com", 1, NULL, "sip.example.com", 0, SIPID_DNS, 0, NULL, 0, 0 },
	{ "DNS:*.example.com", 1, NULL, "*.example.com", 0, SIPID_DNS, 0, NULL, 0, 0 },
	{ "URI:sip:*.example.com", 1, NULL, "*.example.com", 0, SIPID_URI,
	  0, NULL, 0, 0 },
	{ "", 0, "*.example.com", "sip.example.com", 0, SIPID_CN, 0, NULL, 0, 0 },
	/* Port and parameters are not part of the host. */
	{ "URI:sip:example.com:5061;transport=tls", 1, NULL, "example.com", 1,
	  SIPID_URI, 0, NULL, 0, 0 },
	{ "URI:sip:[2001:db8::1]:5061", 1, NULL, "2001:db8::1", 1, SIPID_URI,
	  0, NULL, 0, 0 },
	/* Octets that are no value are no identity: a NUL inside a URI or a
	 * DNS name ("example.com\0.evil" reads as example.com), a high byte. */
	{ "DNS:example.com", 1, NULL, "example.com", 1, SIPID_DNS,
	  SAN_URI, RAW("sip:example.com\0.evil.com"), 0 },
	{ "", 1, NULL, "example.com", 0, SIPID_NONE,
	  SAN_URI, RAW("sip:example.com\0.evil.com"), 0 },
	{ "URI:sip:sip.example.com", 1, NULL, "example.com", 0, SIPID_URI,
	  SAN_URI, RAW("sip:example.com\0.evil.com"), 0 },
	{ "", 1, NULL, "example.com", 0, SIPID_NONE,
	  SAN_DNS, RAW("example.com\0.evil.com"), 0 },
	{ "", 1, NULL, "example.com", 0, SIPID_NONE,
	  SAN_URI, RAW("sip:ex\xe4mple.com"), 0 },
	{ "", 0, "example.com\0.evil.com", "example.com", 0, SIPID_CN,
	  0, NULL, 0, 21 },
};

START_TEST(test_match)
{
	const struct match_case *c = &cases[_i];
	struct san_list sans = { NULL, 0 };
	struct sipid_name cns[1];
	const char *value = NULL, *problem = NULL;
	enum sipid_set set = SIPID_NONE;
	int ret;

	ck_assert_int_eq(san_list_parse(c->sans, &sans), 0);
	if (c->raw != NULL) {
		/* as san_list_from_der() marks it */
		ck_assert_int_ne(san_check_ia5(c->raw, c->raw_len, &problem), 0);
		san_list_append(&sans, c->raw_type, c->raw, c->raw_len, problem);
	}
	if (c->cn != NULL) {
		cns[0].value = c->cn;
		cns[0].len = c->cn_len != 0 ? c->cn_len : strlen(c->cn);
	}
	ret = sipid_match_domain(&sans, c->has_san, cns, c->cn != NULL ? 1 : 0,
	    c->domain, &set, &value);
	ck_assert_msg(ret == c->match, "row %d, '%s' in [%s]: match %d, expected %d",
	    _i, c->domain, c->sans, ret, c->match);
	ck_assert_msg(set == c->set, "row %d [%s]: set '%s', expected '%s'", _i,
	    c->sans, sipid_set_name(set), sipid_set_name(c->set));
	ck_assert_msg((value != NULL) == c->match, "[%s]: matched value", c->sans);
	ck_assert_int_eq(sipid_identity_set(&sans, c->has_san, c->cn != NULL), c->set);
	san_list_clear(&sans);
}
END_TEST

struct kind_case {
	enum san_type type;
	const char *value;
	size_t len;
	enum sipid_uri_kind kind;
	const char *host;	/* for SIPID_SAN_DOMAIN */
};

/* 7.1 on one entry: what lint's rfc5922 rules and the probe both ask. */
static const struct kind_case kinds[] = {
	{ SAN_URI, RAW("sip:example.com"), SIPID_SAN_DOMAIN, "example.com" },
	{ SAN_URI, RAW("SIP:Example.com:5061"), SIPID_SAN_DOMAIN, "Example.com" },
	{ SAN_URI, RAW("sip:[2001:db8::1];transport=tls"), SIPID_SAN_DOMAIN,
	  "2001:db8::1" },
	{ SAN_URI, RAW("sip:alice@example.com"), SIPID_SAN_USER, NULL },
	{ SAN_URI, RAW("sips:example.com"), SIPID_SAN_OTHER_SCHEME, NULL },
	{ SAN_URI, RAW("https://example.com/"), SIPID_SAN_OTHER_SCHEME, NULL },
	{ SAN_URI, RAW("example.com"), SIPID_SAN_NO_SCHEME, NULL },
	{ SAN_URI, RAW("sip:"), SIPID_SAN_BAD_HOST, NULL },
	{ SAN_URI, RAW("sip:;lr"), SIPID_SAN_BAD_HOST, NULL },
	{ SAN_URI, RAW("sip:example.com\0.evil.com"), SIPID_SAN_NONE, NULL },
	{ SAN_DNS, RAW("example.com"), SIPID_SAN_NONE, NULL },
};

START_TEST(test_uri_kind)
{
	const struct kind_case *c = &kinds[_i];
	struct san_list l = { NULL, 0 };
	const char *problem = NULL;
	char host[256];

	(void)san_check_ia5(c->value, c->len, &problem);
	san_list_append(&l, c->type, c->value, c->len, problem);
	ck_assert_int_eq(sipid_uri_kind(&l.items[0], host, sizeof(host)), c->kind);
	if (c->host != NULL)
		ck_assert_str_eq(host, c->host);
	san_list_clear(&l);
}
END_TEST

START_TEST(test_uri_kind_long_host)
{
	struct san_list l = { NULL, 0 };
	char host[16];

	san_list_add(&l, SAN_URI, "sip:a-host-longer-than-the-buffer.example.com");
	ck_assert_int_eq(sipid_uri_kind(&l.items[0], host, sizeof(host)),
	    SIPID_SAN_BAD_HOST);
	san_list_clear(&l);
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

/* A device name that is a URI or user@host: the user part it holds. */
static const struct {
	const char *name;
	const char *user;	/* NULL: neither */
} names[] = {
	{ "alice@example.com", "alice" },
	{ "sip:alice@example.com", "alice" },
	{ "SIPS:bob@other.org", "bob" },
	{ "sip:carol@[2001:db8::1]", "carol" },
	{ "alice", NULL },
	{ "0004f2a1b2c3", NULL },
	{ "@example.com", NULL },		/* no user part to give */
	{ "sip:@example.com", NULL },
	{ "sip:example.com", NULL },
};

START_TEST(test_name_user)
{
	char user[16] = "";
	int got = sipid_name_user(names[_i].name, user, sizeof(user));

	ck_assert_int_eq(got, names[_i].user != NULL);
	if (names[_i].user != NULL)
		ck_assert_str_eq(user, names[_i].user);
}
END_TEST

START_TEST(test_name_user_too_long)
{
	char user[4];

	ck_assert_int_eq(sipid_name_user("alice@example.com", user, sizeof(user)), 0);
	ck_assert_int_eq(sipid_name_user("bob@example.com", user, sizeof(user)), 1);
	ck_assert_str_eq(user, "bob");
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("sipid");
	TCase *tc = tcase_create("sipid");

	tcase_add_loop_test(tc, test_match, 0, nitems(cases));
	tcase_add_loop_test(tc, test_uri_kind, 0, nitems(kinds));
	tcase_add_test(tc, test_uri_kind_long_host);
	tcase_add_loop_test(tc, test_split, 0, nitems(splits));
	tcase_add_loop_test(tc, test_in_domain, 0, nitems(domains));
	tcase_add_loop_test(tc, test_uri_fold, 0, nitems(folds));
	tcase_add_test(tc, test_dns_fold);
	tcase_add_loop_test(tc, test_name_user, 0, nitems(names));
	tcase_add_test(tc, test_name_user_too_long);
	suite_add_tcase(s, tc);
	return s;
}
