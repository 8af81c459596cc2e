/*
 * check_lint_engine: the lint engine around the rules: what the decoder
 * makes of DER that GnuTLS will not write (negative serials, duplicate
 * extensions, GeneralizedTime before 2050, trailing octets: made by
 * patching the DER it wrote), profiles and --exclude, the rule table's
 * metadata, and the input reader (PEM streams, DER, errors).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lint.h"
#include "lintcert.h"
#include "util.h"

/* Replaces the first occurrence of pat with rep (same length). */
static void
patch(unsigned char *der, size_t len, const void *pat, const void *rep, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(der + i, pat, n) == 0) {
			memcpy(der + i, rep, n);
			return;
		}
	ck_abort_msg("pattern not found");
}

START_TEST(test_negative_serial)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	const unsigned char pat[] = { 0x02, 0x14, 0x11, 0x11 };
	const unsigned char rep[] = { 0x02, 0x14, 0xff, 0x11 };

	lintcert_build(&s, &der);
	patch(der.data, der.size, pat, rep, sizeof(pat));
	lintcert_options(&o, -1, NULL, 0);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.serial_not_positive"), "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

/* Two different private extensions, the second then renamed to the
 * first: GnuTLS refuses the result, the rule must still be reported. */
START_TEST(test_duplicate_extension)
{
	struct spec s = { SIPCA_SERVER, .ext_oid = "1.3.6.1.4.1.99999.1" };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	/* the SKI extension's OID 2.5.29.14 renamed to the KU's 2.5.29.15 */
	const unsigned char pat[] = { 0x06, 0x03, 0x55, 0x1d, 0x0e };
	const unsigned char rep[] = { 0x06, 0x03, 0x55, 0x1d, 0x0f };

	lintcert_build(&s, &der);
	patch(der.data, der.size, pat, rep, sizeof(pat));
	lintcert_options(&o, -1, NULL, 0);
	/* One decoder by default: the rule that explains it, no GnuTLS verdict. */
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.duplicate_extension"), "%s", lintcert_describe(&f));
	ck_assert_msg(!lintcert_has_rule(&f, "x509.gnutls_refused"), "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	memset(&f, 0, sizeof(f));
	o.gnutls = 1;
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.duplicate_extension"), "%s", lintcert_describe(&f));
	ck_assert_msg(lintcert_has_rule(&f, "x509.gnutls_refused"), "%s", lintcert_describe(&f));
	ck_assert(!lintcert_has_rule(&f, "x509.parse"));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

/* notAfter in 2050 is GeneralizedTime; its year patched to 2049. */
START_TEST(test_time_encoding)
{
	struct spec s = { SIPCA_SERVER, .not_before = 2524608000 - 10 * DAY,
	    .days = 20 };	/* notAfter 2050-01-11 */
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;

	lintcert_build(&s, &der);
	lintcert_options(&o, -1, NULL, 0);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(!lintcert_has_rule(&f, "rfc5280.time_encoding"), "%s", lintcert_describe(&f));
	lint_findings_reset(&f);
	patch(der.data, der.size, "\x18\x0f" "2050", "\x18\x0f" "2049", 6);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.time_encoding"), "%s", lintcert_describe(&f));
	lint_findings_reset(&f);
	/* no Zulu: the 'Z' replaced with a digit */
	patch(der.data, der.size, "00Z\x30", "000\x30", 4);
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "rfc5280.time_encoding"), "%s", lintcert_describe(&f));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_trailing_and_parse)
{
	struct spec s = { SIPCA_SERVER };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	unsigned char *b;

	lintcert_build(&s, &der);
	b = malloc(der.size + 4);
	memcpy(b, der.data, der.size);
	memset(b + der.size, 0, 4);
	lintcert_options(&o, -1, NULL, 0);
	lintcert_lint(b, der.size + 4, &o, &f, NULL);
	ck_assert_msg(lintcert_has_rule(&f, "x509.trailing_data"), "%s", lintcert_describe(&f));
	lint_findings_reset(&f);
	lintcert_lint(b, der.size - 1, &o, &f, NULL);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.items[0].rule->id, "x509.parse");
	ck_assert_int_eq(f.items[0].severity, SEV_FATAL);
	ck_assert(strstr(f.items[0].message, "libtasn1") != NULL);
	lint_findings_free(&f);
	free(b);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_profiles_and_exclude)
{
	struct spec s = { SIPCA_SERVER, .days = 10, .cns = { "*.example.com" } };
	struct lint_options o;
	struct lint_findings f = { 0 };
	gnutls_datum_t der;
	const char *ex[] = { "validity.expires_soon" };
	const char *bad;
	unsigned mask;

	ck_assert_int_eq(lint_profiles_parse("polycom,validity", &mask, &bad), 0);
	ck_assert_uint_eq(mask, PROF_POLYCOM | PROF_VALIDITY);
	ck_assert_int_eq(lint_profiles_parse("polycom,nope", &mask, &bad), -1);
	ck_assert_str_eq(bad, "nope");

	lintcert_build(&s, &der);
	lintcert_options(&o, -1, NULL, 0);
	o.profiles = PROF_POLYCOM | PROF_VALIDITY;
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert(lintcert_has_rule(&f, "polycom.wildcard_cn"));
	ck_assert(lintcert_has_rule(&f, "validity.expires_soon"));
	ck_assert(!lintcert_has_rule(&f, "rfc5922.wildcard"));
	ck_assert(!lintcert_has_rule(&f, "rfc5922.uri_shadows_dns"));
	lint_findings_reset(&f);
	o.exclude = ex;
	o.n_exclude = 1;
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert(!lintcert_has_rule(&f, "validity.expires_soon"));
	lint_findings_reset(&f);
	o.exclude = NULL;
	o.n_exclude = 0;
	o.expiry_warn_days = 5;
	lintcert_lint(der.data, der.size, &o, &f, NULL);
	ck_assert(!lintcert_has_rule(&f, "validity.expires_soon"));
	lint_findings_free(&f);
	gnutls_free(der.data);
}
END_TEST

START_TEST(test_rule_table)
{
	const struct lint_rule *const *r;
	size_t n, i, j;

	r = lint_rules(&n);
	/* 41, issue 11's seven rules on names' bytes and syntax,
	 * rfc5280.name_empty_rdn, validity.outlives_issuer and
	 * chain.name_constraints, and tls.eap_lacks_clientauth (issue 17) */
	ck_assert_uint_eq(n, 52);
	for (i = 0; i < n; i++) {
		ck_assert_msg(r[i]->summary[0] != '\0' && r[i]->citation[0] != '\0',
		    "%s: no summary or citation", r[i]->id);
		ck_assert_msg(strchr(r[i]->id, '.') != NULL, "%s: not dotted", r[i]->id);
		ck_assert_msg(r[i]->check != NULL || strncmp(r[i]->id, "x509.", 5) == 0,
		    "%s: no check", r[i]->id);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(r[i]->id, r[j]->id) != 0, "%s twice", r[i]->id);
		ck_assert_ptr_eq(lint_rule_find(r[i]->id), r[i]);
		ck_assert_uint_eq(lint_rule_index(r[i]), i);
	}
	ck_assert_ptr_null(lint_rule_find("no.such_rule"));
}
END_TEST

struct seen {
	unsigned n;
	unsigned index[8], line[8];
	int der[8];
	char problem[8][80];
	unsigned n_error;
	char error[160];
	unsigned n_skipped;
	char skipped[160];
};

static void
collect(const struct lint_source *src, void *arg)
{
	struct seen *s = arg;

	if (s->n == 8)
		return;
	s->index[s->n] = src->index;
	s->line[s->n] = src->line;
	s->der[s->n] = src->der != NULL;
	snprintf(s->problem[s->n], sizeof(s->problem[0]), "%s",
	    src->problem ? src->problem : "");
	s->n++;
}

/* The reader prints nothing: what cannot be read comes here. */
static void
collect_error(const char *message, void *arg)
{
	struct seen *s = arg;

	s->n_error++;
	snprintf(s->error, sizeof(s->error), "%s", message);
}

static void
collect_skipped(const char *message, void *arg)
{
	struct seen *s = arg;

	s->n_skipped++;
	snprintf(s->skipped, sizeof(s->skipped), "%s", message);
}

static char *
write_tmp(const char *content, size_t len)
{
	char *path = xstrdup("/tmp/check_lint.XXXXXX");
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fwrite(content, 1, len, f);
	fclose(f);
	return path;
}

START_TEST(test_input_stream)
{
	struct spec s = { SIPCA_SERVER };
	gnutls_datum_t der, pem;
	gnutls_x509_crt_t crt;
	struct seen seen;
	struct lint_reader reader = { collect, collect_error, &seen,
	    collect_skipped };
	char *text, *path;

	lintcert_build(&s, &der);
	gnutls_x509_crt_init(&crt);
	gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER);
	gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
	text = xasprintf("junk line\n%.*s%.*s-----BEGIN CERTIFICATE-----\nAAAA\n",
	    (int)pem.size, (const char *)pem.data, (int)pem.size,
	    (const char *)pem.data);
	path = write_tmp(text, strlen(text));
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_uint_eq(seen.index[0], 1);
	ck_assert_uint_eq(seen.line[0], 2);
	ck_assert(seen.der[0] && seen.der[1]);
	ck_assert_uint_eq(seen.index[2], 3);
	ck_assert(!seen.der[2]);
	ck_assert(strstr(seen.problem[2], "truncated") != NULL);
	unlink(path);
	free(path);
	free(text);

	path = write_tmp("", 0);
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.problem[0], "empty input");
	unlink(path);
	free(path);

	path = write_tmp((const char *)der.data, der.size);
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert(seen.der[0]);
	unlink(path);
	free(path);

	/*
	 * A key beside the certificates (a store's issued/NAME/key.pem) is
	 * skipped by its label, not linted as a certificate that failed to
	 * parse; its contents appear nowhere.
	 */
	text = xasprintf("-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n"
	    "-----END PRIVATE KEY-----\n");
	{
		char dir[] = "/tmp/check_lint_dir.XXXXXX", *key;
		FILE *f;

		ck_assert(mkdtemp(dir) != NULL);
		key = xasprintf("%s/key.pem", dir);
		ck_assert((f = fopen(key, "w")) != NULL);
		fputs(text, f);
		fclose(f);
		memset(&seen, 0, sizeof(seen));
		ck_assert_int_eq(lint_input(dir, &reader), 0);
		ck_assert_uint_eq(seen.n, 0);
		ck_assert_uint_eq(seen.n_skipped, 1);
		ck_assert(strstr(seen.skipped, "line 1: skipped a PEM block that "
		    "is not a certificate (PRIVATE KEY)") != NULL);
		ck_assert(strstr(seen.skipped, "U0VDUkVU") == NULL);

		/* named itself, a file without a certificate is a finding */
		memset(&seen, 0, sizeof(seen));
		ck_assert_int_eq(lint_input(key, &reader), 0);
		ck_assert_uint_eq(seen.n, 1);
		ck_assert(!seen.der[0]);
		ck_assert(strstr(seen.problem[0], "other labels") != NULL);
		unlink(key);
		rmdir(dir);
		free(key);
	}
	free(text);

	/* ... and beside a certificate, the certificate is still linted */
	text = xasprintf("-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
	    "-----END EC PRIVATE KEY-----\n%.*s", (int)pem.size,
	    (const char *)pem.data);
	path = write_tmp(text, strlen(text));
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input(path, &reader), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert(seen.der[0]);
	ck_assert_uint_eq(seen.line[0], 4);
	ck_assert_uint_eq(seen.n_skipped, 1);
	unlink(path);
	free(path);
	free(text);

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(lint_input("/nonexistent/x.pem", &reader), -1);
	ck_assert_uint_eq(seen.n, 0);
	ck_assert_uint_eq(seen.n_error, 1);
	ck_assert_str_eq(seen.error,
	    "cannot read '/nonexistent/x.pem': No such file or directory");

	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	gnutls_free(der.data);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("lint_engine");
	TCase *tc = tcase_create("decoding");

	tcase_add_unchecked_fixture(tc, lintcert_setup, lintcert_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_negative_serial);
	tcase_add_test(tc, test_duplicate_extension);
	tcase_add_test(tc, test_time_encoding);
	tcase_add_test(tc, test_trailing_and_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_add_unchecked_fixture(tc, lintcert_setup, lintcert_teardown);
	tcase_add_test(tc, test_profiles_and_exclude);
	tcase_add_test(tc, test_rule_table);
	tcase_add_test(tc, test_input_stream);
	suite_add_tcase(s, tc);
	return s;
}
