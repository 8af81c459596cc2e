/*
 * check_probe_check: src/net/probe_check.c, judging what a probe session
 * saw. The sessions are made up here (struct probe_result filled in by
 * hand) around certificates made in memory, so every verdict is tested
 * without a network: the chain against the CA, its order, completeness
 * and dates, the RFC 5922 identity set and the host name, mutual TLS and
 * the answer to OPTIONS.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "probe.h"
#include "probe_check.h"
#include "testcert.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define DAY		86400

/* Made once: keys take time, and no test changes them. */
static struct tcert root, inter, leaf, stranger_ca, stranger;
static gnutls_datum_t root_pem;
/* The trust anchor as the command has it: read back from its PEM (GnuTLS
 * compares the encoded names, which a certificate built in memory and
 * never imported does not have). */
static gnutls_x509_crt_t anchor;

static const char *const server_sans[] = { "URI:sip:example.com",
	"DNS:sip.example.com", "DNS:example.com", NULL };

static void
setup(void)
{
	struct tcert_spec spec = { "Example Intermediate", NULL, 1,
		time(NULL) - DAY, time(NULL) + 3650 * DAY };

	tcert_ca(&root, "Example Root");
	tcert_make(&inter, &spec, &root);
	spec = (struct tcert_spec){ "sip.example.com", server_sans, 0, 0, 0 };
	tcert_make(&leaf, &spec, &inter);
	tcert_ca(&stranger_ca, "Stranger CA");
	tcert_make(&stranger, &spec, &stranger_ca);
	root_pem = tcert_pem(&root);
	ck_assert_int_eq(gnutls_x509_crt_init(&anchor), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(anchor, &root_pem,
	    GNUTLS_X509_FMT_PEM), 0);
}

static void
teardown(void)
{
	tcert_clear(&root);
	tcert_clear(&inter);
	tcert_clear(&leaf);
	tcert_clear(&stranger_ca);
	tcert_clear(&stranger);
	gnutls_free(root_pem.data);
	gnutls_x509_crt_deinit(anchor);
}

/* A session that got as far as stage, having been shown chain. */
static void
session(struct probe_result *r, enum probe_stage stage,
    const struct tcert *const *chain, unsigned n, const char *status_line)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->alert = -1;
	r->stage = stage;
	r->chain = gnutls_calloc(n + 1, sizeof(*r->chain));
	for (i = 0; i < n; i++)
		r->chain[i] = tcert_der(chain[i]);
	r->chain_n = n;
	if (status_line != NULL)
		r->status_line = strdup(status_line);
}

static void
judge(struct probe_check *x, const struct probe_result *r, const char *host,
    const char *domain)
{
	memset(x, 0, sizeof(*x));
	x->host = host;
	x->domain = domain;
	x->ca_label = "the test CA";
	x->ca_data = root_pem.data;
	x->ca_len = root_pem.size;
	x->cas = &anchor;
	x->n_cas = 1;
	x->res = r;
	x->now = time(NULL);
	probe_check_run(x);
}

/* The worst verdict of check's findings, or -1 when there is none. */
static int
verdict(const struct probe_check *x, const char *check)
{
	int worst = -1;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->items[i].check, check) == 0 &&
		    (int)x->items[i].verdict > worst)
			worst = (int)x->items[i].verdict;
	return worst;
}

/* A finding of check whose message holds text. */
static const struct probe_finding *
finding(const struct probe_check *x, const char *check, const char *text)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->items[i].check, check) == 0 &&
		    strstr(x->items[i].message, text) != NULL)
			return &x->items[i];
	return NULL;
}

static char *
describe(const struct probe_check *x)
{
	char *s = strdup(""), *t;
	size_t i;

	for (i = 0; i < x->n; i++) {
		if (asprintf(&t, "%s\n  %s %s [%d]: %s", s, x->items[i].check,
		    probe_verdict_name(x->items[i].verdict), x->items[i].cert,
		    x->items[i].message) < 0)
			abort();
		free(s);
		s = t;
	}
	return s;
}

#define expect_verdict(x, check, want) do {				\
	char *d_ = describe(x);						\
	ck_assert_msg(verdict((x), (check)) == (int)(want),		\
	    "%s: %d, wanted %d; findings:%s", (check),			\
	    verdict((x), (check)), (int)(want), d_);			\
	free(d_);							\
} while (0)

/* failed counts the PROBE_FAIL items exactly. */
static void
expect_failed_count(const struct probe_check *x)
{
	size_t i, n = 0;

	for (i = 0; i < x->n; i++)
		n += x->items[i].verdict == PROBE_FAIL;
	ck_assert_uint_eq(x->failed, n);
}

START_TEST(test_verdict_names)
{
	ck_assert_str_eq(probe_verdict_name(PROBE_OK), "ok");
	ck_assert_str_eq(probe_verdict_name(PROBE_NOTE), "note");
	ck_assert_str_eq(probe_verdict_name(PROBE_WARN), "warn");
	ck_assert_str_eq(probe_verdict_name(PROBE_FAIL), "fail");
}
END_TEST

/* A good server: its chain in order up to the trust anchor. */
START_TEST(test_good_server)
{
	const struct tcert *chain[] = { &leaf, &inter };
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "verify", PROBE_OK);
	expect_verdict(&x, "chain", PROBE_OK);
	ck_assert_ptr_nonnull(finding(&x, "chain", "2 certificates, in order"));
	expect_verdict(&x, "sip-domain", PROBE_OK);
	ck_assert_ptr_nonnull(finding(&x, "sip-domain", "URI"));
	expect_verdict(&x, "hostname", PROBE_OK);
	expect_verdict(&x, "options", PROBE_OK);
	ck_assert_int_eq(verdict(&x, "client-cert"), -1);
	ck_assert_int_eq(verdict(&x, "tls"), -1);
	ck_assert_uint_eq(x.chain_n, 2);
	expect_failed_count(&x);
	probe_check_free(&x);
	/* Freed is empty: a second free is harmless. */
	ck_assert_uint_eq(x.n, 0);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

START_TEST(test_wrong_order)
{
	const struct tcert *chain[] = { &leaf, &root, &inter };
	const struct probe_finding *f;
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 3, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	/* GnuTLS sorts it for verification, but the order is a finding. */
	expect_verdict(&x, "verify", PROBE_OK);
	expect_verdict(&x, "chain", PROBE_FAIL);
	f = finding(&x, "chain", "wrong order: [0] is issued by [2]");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->cert, 0);
	expect_failed_count(&x);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

START_TEST(test_missing_intermediate)
{
	const struct tcert *chain[] = { &leaf };
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 1, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "verify", PROBE_FAIL);
	expect_verdict(&x, "chain", PROBE_FAIL);
	ck_assert_ptr_nonnull(finding(&x, "chain",
	    "missing intermediate: the issuer 'CN=Example Intermediate' of [0]"));
	ck_assert_ptr_nonnull(finding(&x, "chain", "the test CA"));
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

START_TEST(test_unrelated)
{
	const struct tcert *chain[] = { &leaf, &inter, &stranger_ca };
	const struct probe_finding *f;
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 3, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	f = finding(&x, "chain", "[2] did not issue [1]: an unrelated certificate");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->cert, 2);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

START_TEST(test_other_ca)
{
	const struct tcert *chain[] = { &stranger, &stranger_ca };
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "verify", PROBE_FAIL);
	ck_assert_ptr_nonnull(finding(&x, "verify", "not trusted by the test CA"));
	/* The chain itself is complete: a self-signed root was sent. */
	expect_verdict(&x, "chain", PROBE_OK);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

/* Dates are judged with the caller's clock, not the system's. */
START_TEST(test_dates)
{
	const struct tcert *chain[] = { &leaf, &inter };
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "chain", PROBE_OK);
	probe_check_free(&x);

	memset(&x, 0, sizeof(x));
	judge(&x, &r, "sip.example.com", "example.com");
	probe_check_free(&x);
	x.now = time(NULL) + 400 * DAY;		/* after the leaf's 365 days */
	probe_check_run(&x);
	ck_assert_ptr_nonnull(finding(&x, "chain", "[0] expired at "));
	ck_assert_ptr_null(finding(&x, "chain", "[1] expired"));
	probe_check_free(&x);

	x.now = time(NULL) - 2 * DAY;		/* before all of them */
	probe_check_run(&x);
	ck_assert_ptr_nonnull(finding(&x, "chain", "[0] is not valid before "));
	ck_assert_ptr_nonnull(finding(&x, "chain", "[1] is not valid before "));
	/* Verification leaves the dates to the chain check. */
	expect_verdict(&x, "verify", PROBE_OK);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

struct identity_case {
	const char *what;
	const char *cn;
	const char *sans[4];
	int no_san;
	const char *host, *domain;
	int sip_domain, hostname;	/* enum probe_verdict */
	int warn_domain;		/* the SRV-found-domain warning */
};

static const struct identity_case identities[] = {
	{ "what sipca issues", "sip.example.com",
	  { "URI:sip:example.com", "DNS:sip.example.com", "DNS:example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_OK, PROBE_OK, 0 },
	{ "the URI set decides; the domain is no DNS name", "sip.example.com",
	  { "URI:sip:example.com", "DNS:sip.example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_OK, PROBE_OK, 1 },
	{ "DNS names without a URI", NULL,
	  { "DNS:example.com", "DNS:sip.example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_OK, PROBE_OK, 0 },
	{ "a URI hides the DNS names (RFC 5922 7.1)", NULL,
	  { "URI:sip:other.example.net", "DNS:example.com", "DNS:sip.example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_FAIL, PROBE_OK, 0 },
	{ "a URI with a user part is no identity", NULL,
	  { "URI:sip:alice@example.com", "DNS:example.com", "DNS:sip.example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_OK, PROBE_OK, 0 },
	/* GnuTLS, like generic clients, reads the CN when there is no SAN. */
	{ "the CN only without any subjectAltName", "example.com",
	  { NULL }, 1, "example.com", "example.com", PROBE_OK, PROBE_OK, 0 },
	{ "the CN only, another host", "example.com",
	  { NULL }, 1, "sip.example.com", "example.com", PROBE_OK, PROBE_FAIL, 0 },
	{ "a CN is not looked at beside a subjectAltName", "example.com",
	  { "DNS:sip.example.com" }, 0,
	  "sip.example.com", "example.com", PROBE_FAIL, PROBE_OK, 1 },
	{ "case-insensitive", NULL,
	  { "URI:sip:EXAMPLE.com", "DNS:SIP.Example.COM" }, 0,
	  "sip.example.com", "example.com", PROBE_OK, PROBE_OK, 1 },
	{ "no wildcard in a SIP identity", NULL,
	  { "DNS:*.example.com" }, 0,
	  "sip.example.com", "sip.example.com", PROBE_FAIL, PROBE_OK, 0 },
	{ "the host is an IP address", NULL,
	  { "URI:sip:example.com", "DNS:example.com", "IP:127.0.0.1" }, 0,
	  "127.0.0.1", "example.com", PROBE_OK, PROBE_OK, 0 },
	{ "the wrong host", NULL,
	  { "URI:sip:example.com", "DNS:example.com" }, 0,
	  "proxy.example.org", "example.com", PROBE_OK, PROBE_FAIL, 0 },
};

START_TEST(test_identities)
{
	const struct identity_case *c = &identities[_i];
	struct tcert_spec spec = { c->cn, c->no_san ? NULL : c->sans, 0, 0, 0 };
	const struct tcert *chain[2];
	struct probe_result r;
	struct probe_check x;
	struct tcert t;
	char *d;

	tcert_make(&t, &spec, &inter);
	chain[0] = &t;
	chain[1] = &inter;
	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK");
	judge(&x, &r, c->host, c->domain);
	d = describe(&x);
	ck_assert_msg(verdict(&x, "sip-domain") == c->sip_domain &&
	    (verdict(&x, "hostname") == c->hostname ||
	    (c->hostname == PROBE_OK && c->warn_domain &&
	    verdict(&x, "hostname") == PROBE_WARN)) &&
	    (finding(&x, "hostname", "is not a DNS name") != NULL) == c->warn_domain,
	    "%s:%s", c->what, d);
	free(d);
	probe_check_free(&x);
	probe_result_clear(&r);
	tcert_clear(&t);
}
END_TEST

/* What a server put in its certificate reaches a terminal clean. */
START_TEST(test_messages_scrubbed)
{
	const struct tcert *chain[] = { &leaf, &inter };
	struct probe_result r;
	struct probe_check x;
	size_t i;
	const char *p;

	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK\x1b[2J");
	judge(&x, &r, "sip.example.com", "example\x07.com");
	for (i = 0; i < x.n; i++)
		for (p = x.items[i].message; *p != '\0'; p++)
			ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f,
			    "%s: a control in '%s'", x.items[i].check,
			    x.items[i].message);
	ck_assert_ptr_nonnull(finding(&x, "options", "SIP/2.0 200 OK?[2J"));
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

struct options_case {
	enum probe_stage stage;
	const char *status_line, *error;
	int want;			/* -1: no options finding */
	const char *text;
};

static const struct options_case options[] = {
	{ PROBE_STAGE_DONE, "SIP/2.0 200 OK", NULL, PROBE_OK, "SIP/2.0 200 OK" },
	{ PROBE_STAGE_DONE, "SIP/2.0 202", NULL, PROBE_OK, "SIP/2.0 202" },
	{ PROBE_STAGE_DONE, "SIP/2.0 403 Forbidden", NULL, PROBE_FAIL,
	  "OPTIONS sip:example.com answered 'SIP/2.0 403 Forbidden'" },
	{ PROBE_STAGE_DONE, "SIP/2.0 100 Trying", NULL, PROBE_FAIL, "answered" },
	{ PROBE_STAGE_DONE, "HTTP/1.1 200 OK", NULL, PROBE_FAIL,
	  "not a SIP response (RFC 3261 section 7.2): 'HTTP/1.1 200 OK'" },
	{ PROBE_STAGE_DONE, "SIP/2.0 700 Odd", NULL, PROBE_FAIL, "not a SIP response" },
	{ PROBE_STAGE_DONE, "SIP/2.0 20 OK", NULL, PROBE_FAIL, "not a SIP response" },
	{ PROBE_STAGE_DONE, "SIP/2.0 2000", NULL, PROBE_FAIL, "not a SIP response" },
	{ PROBE_STAGE_DONE, "", NULL, PROBE_FAIL, "not a SIP response" },
	{ PROBE_STAGE_REQUEST, NULL, "waiting for the answer: no answer in time",
	  PROBE_FAIL, "no answer to OPTIONS sip:example.com: waiting for" },
	{ PROBE_STAGE_HANDSHAKE, NULL, "TLS handshake: boom", -1, NULL },
};

START_TEST(test_options)
{
	const struct options_case *c = &options[_i];
	const struct tcert *chain[] = { &leaf, &inter };
	struct probe_result r;
	struct probe_check x;

	session(&r, c->stage, chain, 2, c->status_line);
	if (c->error != NULL)
		r.error = strdup(c->error);
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "options", c->want);
	if (c->text != NULL)
		ck_assert_ptr_nonnull(finding(&x, "options", c->text));
	if (c->stage == PROBE_STAGE_HANDSHAKE)
		ck_assert_ptr_nonnull(finding(&x, "tls", "TLS handshake: boom"));
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

/* A server that presented nothing; one that sent something unreadable. */
START_TEST(test_no_chain)
{
	struct probe_result r;
	struct probe_check x;

	session(&r, PROBE_STAGE_DONE, NULL, 0, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	ck_assert_ptr_nonnull(finding(&x, "chain", "the server presented no certificate"));
	ck_assert_int_eq(verdict(&x, "verify"), -1);
	ck_assert_int_eq(verdict(&x, "sip-domain"), -1);
	probe_check_free(&x);
	probe_result_clear(&r);

	session(&r, PROBE_STAGE_DONE, NULL, 0, "SIP/2.0 200 OK");
	gnutls_free(r.chain);
	r.chain = gnutls_calloc(2, sizeof(*r.chain));
	r.chain[0].data = gnutls_malloc(3);
	memcpy(r.chain[0].data, "\x30\x01\x00", 3);
	r.chain[0].size = 3;
	r.chain_n = 1;
	judge(&x, &r, "sip.example.com", "example.com");
	ck_assert_ptr_nonnull(finding(&x, "chain", "[0] is not a certificate GnuTLS can read"));
	ck_assert_int_eq(verdict(&x, "verify"), -1);
	expect_verdict(&x, "options", PROBE_OK);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

struct client_case {
	const char *cert_name;		/* --cert NAME, or NULL */
	enum probe_stage stage;
	int alert, requested, sent;
	int want;			/* -1: no client-cert finding */
	const char *text;
};

static const struct client_case clients[] = {
	{ "alice", PROBE_STAGE_DONE, -1, 1, 1, PROBE_OK, "the server accepted 'alice'" },
	{ "alice", PROBE_STAGE_DONE, -1, 0, 0, PROBE_NOTE,
	  "the server did not ask for a client certificate" },
	/* TLS 1.3: refused after the handshake, as an alert for the answer. */
	{ "alice", PROBE_STAGE_REQUEST, 42, 1, 1, PROBE_FAIL,
	  "the server refused 'alice': " },
	{ "alice", PROBE_STAGE_REQUEST, -1, 1, 1, PROBE_FAIL, "the server refused" },
	{ "alice", PROBE_STAGE_HANDSHAKE, 42, 1, 1, PROBE_FAIL, "the server refused" },
	{ NULL, PROBE_STAGE_DONE, -1, 0, 0, -1, NULL },
	{ NULL, PROBE_STAGE_DONE, -1, 1, 0, PROBE_NOTE,
	  "asked for a client certificate but served us without one" },
	{ NULL, PROBE_STAGE_REQUEST, 116, 1, 0, PROBE_FAIL,
	  "refused us without one (try --cert NAME)" },
};

START_TEST(test_client_cert)
{
	const struct client_case *c = &clients[_i];
	const struct tcert *chain[] = { &leaf, &inter };
	struct probe_result r;
	struct probe_check x;

	session(&r, c->stage, chain, 2, c->stage == PROBE_STAGE_DONE ?
	    "SIP/2.0 200 OK" : NULL);
	r.alert = c->alert;
	r.cert_requested = c->requested;
	r.cert_sent = c->sent;
	if (c->stage != PROBE_STAGE_DONE)
		r.error = strdup("the server sent the fatal alert");
	memset(&x, 0, sizeof(x));
	x.cert_name = c->cert_name;
	x.host = "sip.example.com";
	x.domain = "example.com";
	x.ca_label = "the test CA";
	x.ca_data = root_pem.data;
	x.ca_len = root_pem.size;
	x.cas = &anchor;
	x.n_cas = 1;
	x.res = &r;
	x.now = time(NULL);
	probe_check_run(&x);
	expect_verdict(&x, "client-cert", c->want);
	if (c->text != NULL)
		ck_assert_ptr_nonnull(finding(&x, "client-cert", c->text));
	expect_failed_count(&x);
	probe_check_free(&x);
	probe_result_clear(&r);
}
END_TEST

/* Lint runs on every certificate presented; an error is a failure. */
START_TEST(test_lint)
{
	const char *sans[] = { "URI:sip:example.com", "DNS:example.com", NULL };
	struct tcert_spec spec = { "sip.example.com", sans, 0, 0, 0 };
	const struct tcert *chain[2];
	const struct probe_finding *f = NULL;
	struct probe_result r;
	struct probe_check x;
	struct tcert t;
	size_t i;

	/* Ten years: far over what TLS clients accept for a leaf. */
	spec.not_before = time(NULL) - DAY;
	spec.not_after = time(NULL) + 3650 * DAY;
	tcert_make(&t, &spec, &inter);
	chain[0] = &t;
	chain[1] = &inter;
	session(&r, PROBE_STAGE_DONE, chain, 2, "SIP/2.0 200 OK");
	judge(&x, &r, "sip.example.com", "example.com");
	expect_verdict(&x, "lint", PROBE_FAIL);
	for (i = 0; i < x.n && f == NULL; i++)
		if (strcmp(x.items[i].check, "lint") == 0 &&
		    x.items[i].verdict == PROBE_FAIL)
			f = &x.items[i];
	ck_assert_ptr_nonnull(f);
	/* A lint finding names its rule and the document behind it. */
	ck_assert_ptr_nonnull(f->rule);
	ck_assert_ptr_nonnull(f->citation);
	ck_assert_ptr_nonnull(strstr(f->message, f->rule));
	ck_assert_int_eq(f->cert, 0);
	probe_check_free(&x);
	probe_result_clear(&r);
	tcert_clear(&t);
}
END_TEST

START_TEST(test_dn)
{
	char *s = probe_dn(leaf.crt, 0), *i = probe_dn(leaf.crt, 1);

	ck_assert_str_eq(s, "CN=sip.example.com");
	ck_assert_str_eq(i, "CN=Example Intermediate");
	free(s);
	free(i);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("probe_check");
	TCase *tc = tcase_create("chain");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_verdict_names);
	tcase_add_test(tc, test_good_server);
	tcase_add_test(tc, test_wrong_order);
	tcase_add_test(tc, test_missing_intermediate);
	tcase_add_test(tc, test_unrelated);
	tcase_add_test(tc, test_other_ca);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_no_chain);
	tcase_add_test(tc, test_lint);
	tcase_add_test(tc, test_dn);
	suite_add_tcase(s, tc);

	tc = tcase_create("identity");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_identities, 0, nitems(identities));
	tcase_add_test(tc, test_messages_scrubbed);
	suite_add_tcase(s, tc);

	tc = tcase_create("session");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_options, 0, nitems(options));
	tcase_add_loop_test(tc, test_client_cert, 0, nitems(clients));
	suite_add_tcase(s, tc);
	return s;
}
