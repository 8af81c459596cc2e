/*
 * check_lint_constraints: chain.name_constraints (src/lint/lint_constraints.c),
 * a certificate's names against its CA's nameConstraints on both sides
 * of each boundary, and the issuance guard refusing a violation even
 * with --force. tests/cli/name_constraints.sh holds the same cases
 * against openssl verify and certtool --verify.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "fixture_ca.h"
#include "guard.h"
#include "key.h"
#include "lint.h"
#include "report.h"
#include "san.h"
#include "testcert.h"
#include "util.h"

#define RULE "chain.name_constraints"

/* The test CAs' subtrees, "TYPE:value" as certtool and OpenSSL write them. */
static const char *const ca_permit[][4] = {
	{ "DNS:example.com", "IP:192.0.2.0/24", "IP:2001:db8::/32", NULL },
	{ "IP:192.0.2.0/24", NULL },
	{ "URI:.example.com", NULL },
	{ NULL },
	{ "email:example.com", NULL },
};
static const char *const ca_exclude[][3] = {
	{ "DNS:bad.example.com", "IP:192.0.2.128/25", NULL },
	{ NULL },
	{ NULL },
	{ "URI:other.com", NULL },
	{ "email:bad.example.com", NULL },
};

static void
add_subtree(gnutls_x509_name_constraints_t nc, const char *s, int permitted)
{
	unsigned char cidr[32];
	size_t len = 0;
	const char *reason = NULL;
	gnutls_datum_t d;
	unsigned type;

	if (strncmp(s, "IP:", 3) == 0) {
		ck_assert_int_eq(san_parse_cidr(s + 3, cidr, &len, &reason), 0);
		d.data = cidr;
		d.size = (unsigned)len;
		type = GNUTLS_SAN_IPADDRESS;
	} else {
		type = strncmp(s, "DNS:", 4) == 0 ? GNUTLS_SAN_DNSNAME :
		    strncmp(s, "URI:", 4) == 0 ? GNUTLS_SAN_URI : GNUTLS_SAN_RFC822NAME;
		s = strchr(s, ':') + 1;
		d.data = (unsigned char *)(uintptr_t)s;
		d.size = (unsigned)strlen(s);
	}
	ck_assert_int_eq(permitted ?
	    gnutls_x509_name_constraints_add_permitted(nc, type, &d) :
	    gnutls_x509_name_constraints_add_excluded(nc, type, &d), 0);
}

/* CA number which: a tcert CA with that critical nameConstraints,
 * re-signed and imported again so GnuTLS reads the extension back. */
static void
constrained_ca(struct tcert *ca, size_t which)
{
	gnutls_x509_name_constraints_t nc = NULL;
	gnutls_x509_crt_t back = NULL;
	gnutls_datum_t der;
	size_t i;

	tcert_ca(ca, "Constrained SIP CA");
	ck_assert_int_eq(gnutls_x509_name_constraints_init(&nc), 0);
	for (i = 0; ca_permit[which][i] != NULL; i++)
		add_subtree(nc, ca_permit[which][i], 1);
	for (i = 0; ca_exclude[which][i] != NULL; i++)
		add_subtree(nc, ca_exclude[which][i], 0);
	ck_assert_int_eq(gnutls_x509_crt_set_name_constraints(ca->crt, nc, 1), 0);
	gnutls_x509_name_constraints_deinit(nc);
	ck_assert_int_eq(gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key,
	    GNUTLS_DIG_SHA256, 0), 0);
	der = tcert_der(ca);
	ck_assert_int_eq(gnutls_x509_crt_init(&back), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(back, &der, GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(ca->crt);
	ca->crt = back;
}

/*
 * Lints leaf against the n CAs (loaded as ca.pem#1, #2, ...; the chain
 * profile only) and returns the chain.name_constraints messages joined
 * by "|", or "" (a new string).
 */
static char *
nc_findings_path(const struct tcert *const *path, size_t n, const struct tcert *leaf)
{
	struct lint_options o;
	struct lint_ca *cas = NULL;
	size_t n_ca = 0, i;
	struct lint_findings f;
	struct lint_cert c;
	gnutls_datum_t cader, der = tcert_der(leaf);
	struct lint_source src = { "leaf", 1, 1, der.data, der.size, NULL, NULL, 0 };
	char *out = xstrdup(""), *more, *label;

	for (i = 0; i < n; i++) {
		cader = tcert_der(path[i]);
		label = xasprintf("ca%zu.pem", i + 1);
		ck_assert_int_eq(lint_ca_load(cader.data, cader.size, label, &cas,
		    &n_ca, NULL), 0);
		free(label);
		gnutls_free(cader.data);
	}
	lint_options_init(&o);
	o.profiles = PROF_CHAIN;
	o.cas = cas;
	o.n_ca = n_ca;
	memset(&f, 0, sizeof(f));
	lint_one(&src, &o, &c, &f);
	for (i = 0; i < f.n; i++) {
		if (strcmp(f.items[i].rule->id, RULE) != 0)
			continue;
		ck_assert_int_eq(f.items[i].severity, SEV_FATAL);
		more = xasprintf("%s%s%s", out, out[0] ? "|" : "", f.items[i].message);
		free(out);
		out = more;
	}
	lint_cert_clear(&c);
	lint_findings_free(&f);
	lint_ca_free(cas, n_ca);
	gnutls_free(der.data);
	return out;
}

static char *
nc_findings(const struct tcert *ca, const struct tcert *leaf)
{
	return nc_findings_path(&ca, 1, leaf);
}

struct row {
	const char *name;
	size_t ca;		/* index into ca_permit / ca_exclude */
	const char *cn;
	const char *sans[3];	/* none: no subjectAltName at all */
	const char *want;	/* a substring of the finding, NULL: none */
};

#define IN "DNS:sip.example.com"

static const struct row rows[] = {
	{ "exact domain", 0, "x", { "DNS:example.com" }, NULL },
	{ "subdomain", 0, "x", { IN }, NULL },
	{ "deeper subdomain", 0, "x", { "DNS:a.b.sip.example.com" }, NULL },
	{ "letters folded", 0, "x", { "DNS:SIP.Example.COM" }, NULL },
	{ "sibling", 0, "x", { "DNS:evil-example.com" },
	  "DNS name 'evil-example.com' is outside the CA's permitted DNS subtree 'example.com'" },
	{ "domain as a label", 0, "x", { "DNS:example.com.evil.net" },
	  "DNS name 'example.com.evil.net' is outside" },
	{ "excluded subdomain", 0, "x", { "DNS:sip.bad.example.com" },
	  "DNS name 'sip.bad.example.com' is in the CA's excluded DNS subtree 'bad.example.com'" },
	{ "beside the excluded one", 0, "x", { "DNS:notbad.example.com" }, NULL },
	{ "escaped in the message", 0, "ev\x1b[2Jil.com", { NULL },
	  "CN 'ev\\x1b[2Jil.com' (no DNS name" },
	{ "IPv4 inside", 0, "x", { IN, "IP:192.0.2.7" }, NULL },
	{ "IPv4 outside", 0, "x", { IN, "IP:198.51.100.7" },
	  "IP address '198.51.100.7' is outside the CA's permitted IP subtrees"
	  " '192.0.2.0/24', '2001:db8::/32'" },
	{ "IPv4 next range", 0, "x", { IN, "IP:192.0.3.0" }, "is outside" },
	{ "IPv4 excluded", 0, "x", { IN, "IP:192.0.2.200" },
	  "IP address '192.0.2.200' is in the CA's excluded IP subtree '192.0.2.128/25'" },
	{ "IPv6 inside", 0, "x", { IN, "IP:2001:db8::1" }, NULL },
	{ "IPv6 outside", 0, "x", { IN, "IP:2001:db9::1" },
	  "IP address '2001:db9::1' is outside" },
	{ "sip URI host inside", 0, "x",
	  { "URI:sip:alice@sip.example.com;transport=tls", IN }, NULL },
	{ "sip URI host outside", 0, "x", { "URI:sip:alice@other.com", IN },
	  "host 'other.com' of URI 'sip:alice@other.com' is outside the CA's"
	  " permitted DNS subtree 'example.com'" },
	{ "sips URI host sibling", 0, "x", { "URI:sips:evil-example.com:5061", IN },
	  "host 'evil-example.com' of URI 'sips:evil-example.com:5061' is outside" },
	{ "sip URI IP host outside", 0, "x", { "URI:sip:[2001:db9::1]", IN },
	  "host '2001:db9::1' of URI 'sip:[2001:db9::1]' is outside the CA's permitted IP" },
	{ "another scheme's host", 0, "x", { "URI:https://other.com/", IN }, NULL },
	{ "CN only, inside", 0, "sip.example.com", { NULL }, NULL },
	{ "CN only, outside", 0, "sip.other.com", { NULL },
	  "CN 'sip.other.com' (no DNS name in the subjectAltName, so verifiers"
	  " check the CN) is outside the CA's permitted DNS subtree 'example.com'" },
	{ "CN beside a DNS name", 0, "sip.other.com", { IN }, NULL },
	{ "server CN of one label", 0, "alice", { "IP:192.0.2.7" }, "CN 'alice'" },
	{ "IPv6 under IPv4 ranges", 1, "x", { "IP:2001:db8::1" },
	  "IP address '2001:db8::1' is outside the CA's permitted IP subtree"
	  " '192.0.2.0/24' (none is IPv6, and OpenSSL rejects it)" },
	{ "IPv4 under IPv4 ranges", 1, "x", { "IP:192.0.2.1" }, NULL },
	{ "no DNS subtree, any name", 1, "x", { "DNS:sip.other.com" }, NULL },
	{ "sip URI under URI subtrees", 2, "x", { "URI:sip:www.example.com" },
	  "URI 'sip:www.example.com' has no '//' authority, which OpenSSL rejects"
	  " under the CA's permitted URI subtree '.example.com'" },
	{ "https URI inside", 2, "x", { "URI:https://www.example.com/a" }, NULL },
	{ "https URI outside", 2, "x", { "URI:https://www.other.com/" },
	  "URI 'https://www.other.com/' is outside the CA's permitted URI subtree '.example.com'" },
	{ "'.domain' is not the domain", 2, "x", { "URI:https://example.com/" },
	  "is outside" },
	{ "excluded URI subtree", 3, "x", { "URI:https://www.example.com/" },
	  "URI 'https://www.example.com/': the CA has the excluded URI subtree"
	  " 'other.com', and GnuTLS rejects every URI under one" },
	{ "no URI, excluded URI subtree", 3, "x", { "DNS:sip.other.com" }, NULL },
};

START_TEST(test_boundary)
{
	const struct row *r = &rows[_i];
	struct tcert ca, leaf;
	struct tcert_spec spec;
	char *got;

	constrained_ca(&ca, r->ca);
	memset(&spec, 0, sizeof(spec));
	spec.cn = r->cn;
	spec.sans = r->sans[0] != NULL ? r->sans : NULL;
	tcert_make(&leaf, &spec, &ca);
	got = nc_findings(&ca, &leaf);
	if (r->want == NULL)
		ck_assert_msg(got[0] == '\0', "%s: unexpected: %s", r->name, got);
	else
		ck_assert_msg(strstr(got, r->want) != NULL, "%s: want '%s', got '%s'",
		    r->name, r->want, got);
	free(got);
	tcert_clear(&leaf);
	tcert_clear(&ca);
}
END_TEST

/* The subject's emailAddress, which OpenSSL holds to email subtrees. */
START_TEST(test_subject_email)
{
	static const char bad[] = "alice@bad.example.com", good[] = "alice@example.com";
	struct tcert ca, leaf;
	struct tcert_spec spec;
	char *got;
	int i;

	constrained_ca(&ca, 4);
	for (i = 0; i < 2; i++) {
		memset(&spec, 0, sizeof(spec));
		spec.cn = "x";
		tcert_make(&leaf, &spec, &ca);
		ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(leaf.crt,
		    GNUTLS_OID_PKCS9_EMAIL, 0, i ? good : bad, (unsigned)strlen(i ? good : bad)), 0);
		ck_assert_int_eq(gnutls_x509_crt_sign2(leaf.crt, ca.crt, ca.key,
		    GNUTLS_DIG_SHA256, 0), 0);
		got = nc_findings(&ca, &leaf);
		if (i)
			ck_assert_msg(got[0] == '\0', "%s", got);
		else
			ck_assert_msg(strstr(got, "subject emailAddress 'alice@bad.example.com'"
			    " is in the CA's excluded email subtree 'bad.example.com'") != NULL,
			    "%s", got);
		free(got);
		tcert_clear(&leaf);
	}
	tcert_clear(&ca);
}
END_TEST

/* Nothing to hold the names to: no constraints, another issuer, the CA itself. */
START_TEST(test_not_applicable)
{
	struct tcert plain, ca, other, leaf;
	struct tcert_spec spec;
	static const char *const sans[] = { "DNS:sip.other.com", NULL };
	char *got;

	memset(&spec, 0, sizeof(spec));
	spec.cn = "sip.other.com";
	spec.sans = sans;
	tcert_ca(&plain, "Plain SIP CA");
	tcert_make(&leaf, &spec, &plain);
	got = nc_findings(&plain, &leaf);
	ck_assert_str_eq(got, "");
	free(got);
	tcert_clear(&leaf);

	constrained_ca(&ca, 0);
	tcert_ca(&other, "Constrained SIP CA");	/* same name, another key */
	tcert_make(&leaf, &spec, &other);
	got = nc_findings(&ca, &leaf);
	ck_assert_str_eq(got, "");
	free(got);
	got = nc_findings(&ca, &ca);
	ck_assert_str_eq(got, "");
	free(got);
	tcert_clear(&leaf);
	tcert_clear(&other);
	tcert_clear(&ca);
	tcert_clear(&plain);
}
END_TEST

/*
 * RFC 5280 6.1.4 (g): the constraints of every CA on the path hold, so a
 * root's hold under an intermediate that has none, when the root is
 * among the --ca certificates.
 */
START_TEST(test_path)
{
	static const char *const out_sans[] = { "DNS:sip.other.com", NULL };
	static const char *const in_sans[] = { "DNS:sip.example.com", NULL };
	struct tcert root, inter, leaf;
	struct tcert_spec spec;
	const struct tcert *both[2] = { &inter, &root };
	char *got;

	constrained_ca(&root, 0);
	memset(&spec, 0, sizeof(spec));
	spec.cn = "Issuing SIP CA";
	spec.ca = 1;
	tcert_make(&inter, &spec, &root);
	memset(&spec, 0, sizeof(spec));
	spec.cn = "x";
	spec.sans = out_sans;
	tcert_make(&leaf, &spec, &inter);
	got = nc_findings_path(both, 2, &leaf);
	ck_assert_msg(strstr(got, "DNS name 'sip.other.com' is outside the CA's permitted"
	    " DNS subtree 'example.com' (the constraints of ca2.pem#1, a CA above the"
	    " issuing one)") != NULL, "%s", got);
	free(got);
	got = nc_findings(&inter, &leaf);
	ck_assert_str_eq(got, "");
	free(got);
	tcert_clear(&leaf);
	spec.sans = in_sans;
	tcert_make(&leaf, &spec, &inter);
	got = nc_findings_path(both, 2, &leaf);
	ck_assert_str_eq(got, "");
	free(got);
	tcert_clear(&leaf);
	tcert_clear(&inter);
	tcert_clear(&root);
}
END_TEST

START_TEST(test_rule_row)
{
	const struct lint_rule *r = lint_rule_find(RULE);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->severity, SEV_FATAL);
	ck_assert_uint_eq(r->profile, PROF_CHAIN);
	ck_assert_uint_eq(r->needs, NEED_CA);
	ck_assert_ptr_nonnull(strstr(r->citation, "RFC 5280 sections 4.2.1.10"));
	ck_assert_ptr_nonnull(strstr(r->summary, "--force"));
}
END_TEST

/* A CA made by sipca init --name-constraints, and a server certificate
 * for host built by the certificate builder. */
static void
guard_case(const char *host, int force, enum result want)
{
	static const char *const ranges[] = { "192.0.2.0/24" };
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key_pem = { NULL, 0 }, pem = { NULL, 0 }, der = { NULL, 0 };
	struct cert_request req;
	struct san_list sans = { NULL, 0 };
	gnutls_x509_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[SERIAL_LEN];
	struct report rep = { NULL, 0 };
	const char *call = NULL, *last;
	int forced = 0;

	memset(&p, 0, sizeof(p));
	p.common_name = "Test SIP CA";
	p.key_type = KEY_P256;
	p.days = 365;
	p.not_before = sipca_now();
	p.permit_dns = "example.com";
	p.permit_ip = ranges;
	p.permit_ip_n = 1;
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key_pem), 0);
	san_list_add(&sans, SAN_URI, "sip:example.com");
	san_list_add(&sans, SAN_DNS, host);
	ck_assert_int_eq(key_generate(KEY_P256, &key), 0);
	ck_assert_int_eq(key_export_pem(key, NULL, &pem), 0);
	ck_assert_int_eq(key_pubkey_of_pem(pem.data, pem.size, &pub, &call), 0);
	ck_assert_int_eq(serial_generate(serial), 0);
	memset(&req, 0, sizeof(req));
	req.kind = KIND_SERVER;
	req.common_name = host;
	req.sans = &sans;
	req.days = 90;
	req.not_before = sipca_now();
	req.eku_server_auth = 1;
	req.eku_client_auth = 1;
	req.pubkey = pub;
	fixture_leaf(&req, ca, serial, &crt, &der);
	ck_assert_int_eq(guard_issuance(crt, &der, host, ca, KIND_SERVER,
	    "example.com", force, &forced, &rep), want);
	ck_assert_int_eq(forced, 0);
	if (want == RESULT_E_REFUSED) {
		ck_assert_uint_ge(rep.n, 2);
		ck_assert_ptr_nonnull(strstr(rep.lines[0].text, ": lint: fatal " RULE ": DNS name '"));
		last = rep.lines[rep.n - 1].text;
		ck_assert_msg(strstr(last, ": lint: refusing to issue: 1 fatal finding,"
		    " which --force cannot override") != NULL, "%s", last);
	}
	report_clear(&rep);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_privkey_deinit(key);
	gnutls_free(pem.data);
	gnutls_memset(key_pem.data, 0, key_pem.size);
	gnutls_free(key_pem.data);
	san_list_clear(&sans);
	ca_free(ca);
}

START_TEST(test_guard_refuses_even_forced)
{
	guard_case("sip.example.com", 0, RESULT_OK);
	guard_case("sip.other.com", 0, RESULT_E_REFUSED);
	guard_case("sip.other.com", 1, RESULT_E_REFUSED);
	guard_case("evil-example.com", 1, RESULT_E_REFUSED);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("lint_constraints");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_boundary, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_subject_email);
	tcase_add_test(tc, test_not_applicable);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_rule_row);
	tcase_add_test(tc, test_guard_refuses_even_forced);
	suite_add_tcase(s, tc);
	return s;
}
