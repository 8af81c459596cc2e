/*
 * check_lint_output: src/lint/lint_output.c. Findings are made in memory
 * (lint_report_sev() for rules from the table) on a certificate decoded
 * from DER and on one that did not decode, and each writer's output is
 * compared: text lines (escaped file names, colour only when asked), the
 * documented JSON document, and SARIF 2.1.0 results.
 */
#include <check.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "lint.h"
#include "lint_output.h"
#include "testcert.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Two certificates: a server decoded, and bytes that are no certificate. */
struct sample {
	struct lint_options opts;
	struct tcert t;
	gnutls_datum_t der;
	struct lint_cert good, bad;
	struct lint_findings fgood, fbad;
	struct lint_summary sum;
	const struct lint_rule *weak, *serial, *parse;
};

static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01 };

static void
sample_make(struct sample *s, const char *good_file, unsigned line)
{
	const char *sans[] = { "DNS:sip.example.com", NULL };
	struct tcert_spec spec = { "sip.example.com", sans, 0, 0, 0 };

	memset(s, 0, sizeof(*s));
	lint_options_init(&s->opts);
	s->opts.subject_text = 1;	/* the JSON writer prints it */
	tcert_make(&s->t, &spec, NULL);
	s->der = tcert_der(&s->t);
	ck_assert_int_eq(lint_cert_decode(&s->good, s->der.data, s->der.size,
	    &s->opts), 0);
	s->good.file = good_file;
	s->good.index = 2;
	s->good.line = line;
	ck_assert_int_eq(lint_cert_decode(&s->bad, junk, sizeof(junk), &s->opts), -1);
	s->bad.file = "-";
	s->bad.index = 1;
	s->bad.line = 0;
	s->weak = lint_rule_find("tls.weak_signature");
	s->serial = lint_rule_find("rfc5280.serial_not_positive");
	s->parse = lint_rule_find("x509.parse");
	ck_assert_ptr_nonnull(s->weak);
	ck_assert_ptr_nonnull(s->serial);
	ck_assert_ptr_nonnull(s->parse);
	/* Citations go into the expected text as they are: nothing to escape. */
	ck_assert_ptr_null(strpbrk(s->weak->citation, "\"\\"));
	ck_assert_ptr_null(strpbrk(s->parse->citation, "\"\\"));

	s->fgood.current = s->weak;
	lint_report_sev(&s->fgood, SEV_ERROR, "signed with %s", "SHA-1");
	s->fgood.current = s->serial;
	lint_report_sev(&s->fgood, SEV_WARN, "serial 'x\"y'");	/* a quote to escape */
	s->fbad.current = s->parse;
	lint_report_sev(&s->fbad, SEV_FATAL, "not DER");
	/* One call per certificate: it counts them too. */
	lint_summary_add(&s->sum, &s->fgood);
	lint_summary_add(&s->sum, &s->fbad);
}

static void
sample_clear(struct sample *s)
{
	lint_findings_free(&s->fgood);
	lint_findings_free(&s->fbad);
	lint_cert_clear(&s->good);
	lint_cert_clear(&s->bad);
	gnutls_free(s->der.data);
	tcert_clear(&s->t);
}

/* Runs one writer over the sample into a string. */
static char *
render(struct sample *s, enum lint_format fmt, int colour)
{
	struct lint_output *o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	o = lint_output_new(fmt, f, colour);
	lint_output_cert(o, &s->good, &s->fgood);
	lint_output_cert(o, &s->bad, &s->fbad);
	lint_output_finish(o, &s->sum);
	lint_output_free(o);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_format_parse)
{
	enum lint_format f = LINT_FORMAT_SARIF;

	ck_assert_int_eq(lint_format_parse("text", &f), 0);
	ck_assert_int_eq(f, LINT_FORMAT_TEXT);
	ck_assert_int_eq(lint_format_parse("json", &f), 0);
	ck_assert_int_eq(f, LINT_FORMAT_JSON);
	ck_assert_int_eq(lint_format_parse("sarif", &f), 0);
	ck_assert_int_eq(f, LINT_FORMAT_SARIF);
	ck_assert_int_eq(lint_format_parse("JSON", &f), -1);
	ck_assert_int_eq(lint_format_parse("", &f), -1);
	ck_assert_int_eq(lint_format_parse("xml", &f), -1);
	ck_assert_int_eq(f, LINT_FORMAT_SARIF);
}
END_TEST

START_TEST(test_text)
{
	struct sample s;
	char *got, *want;

	sample_make(&s, "certs/evil\x1b[2J.pem", 7);
	got = render(&s, LINT_FORMAT_TEXT, 0);
	want = xasprintf(
	    "certs/evil\\x1b[2J.pem#2: error tls.weak_signature: signed with SHA-1 [%s]\n"
	    "certs/evil\\x1b[2J.pem#2: warn rfc5280.serial_not_positive: serial 'x\"y' [%s]\n"
	    "-#1: fatal x509.parse: not DER [%s]\n"
	    "2 certificates: 1 fatal, 1 error, 1 warn, 0 notice\n",
	    s.weak->citation, s.serial->citation, s.parse->citation);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	sample_clear(&s);
}
END_TEST

START_TEST(test_text_colour)
{
	struct sample s;
	char *got;

	sample_make(&s, "a.pem", 1);
	got = render(&s, LINT_FORMAT_TEXT, 1);
	ck_assert_ptr_nonnull(strstr(got, "a.pem#2: \033[31merror\033[0m tls.weak_signature: "));
	ck_assert_ptr_nonnull(strstr(got, "a.pem#2: \033[33mwarn\033[0m rfc5280."));
	ck_assert_ptr_nonnull(strstr(got, "-#1: \033[1;31mfatal\033[0m x509.parse"));
	free(got);
	/* Colour is for text only. */
	got = render(&s, LINT_FORMAT_JSON, 1);
	ck_assert_ptr_null(strchr(got, '\033'));
	free(got);
	sample_clear(&s);
}
END_TEST

/* A certificate without findings prints nothing; one certificate, no s. */
START_TEST(test_text_clean)
{
	struct sample s;
	struct lint_findings none;
	struct lint_summary one;
	struct lint_output *o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	sample_make(&s, "a.pem", 1);
	memset(&none, 0, sizeof(none));
	memset(&one, 0, sizeof(one));
	one.certificates = 1;
	f = open_memstream(&buf, &len);
	o = lint_output_new(LINT_FORMAT_TEXT, f, 0);
	lint_output_cert(o, &s.good, &none);
	lint_output_finish(o, &one);
	lint_output_free(o);
	lint_output_free(NULL);
	fclose(f);
	ck_assert_str_eq(buf, "1 certificate: 0 fatal, 0 error, 0 warn, 0 notice\n");
	free(buf);
	sample_clear(&s);
}
END_TEST

START_TEST(test_json)
{
	struct sample s;
	char *got, *want;

	sample_make(&s, "certs/M\xfcller.pem", 7);	/* Latin-1, not UTF-8 */
	got = render(&s, LINT_FORMAT_JSON, 0);
	want = xasprintf("{\"version\":1,\"results\":["
	    "{\"file\":\"certs/M\\\\xfcller.pem\",\"index\":2,\"line\":7,"
	    "\"subject\":\"CN=sip.example.com\",\"kind\":\"server\",\"findings\":["
	    "{\"rule\":\"tls.weak_signature\",\"severity\":\"error\","
	    "\"message\":\"signed with SHA-1\",\"citation\":\"%s\"},"
	    "{\"rule\":\"rfc5280.serial_not_positive\",\"severity\":\"warn\","
	    "\"message\":\"serial 'x\\\"y'\",\"citation\":\"%s\"}]},"
	    "{\"file\":\"-\",\"index\":1,\"line\":0,\"subject\":null,\"kind\":null,"
	    "\"findings\":[{\"rule\":\"x509.parse\",\"severity\":\"fatal\","
	    "\"message\":\"not DER\",\"citation\":\"%s\"}]}],"
	    "\"summary\":{\"certificates\":2,\"fatal\":1,\"error\":1,\"warn\":1,"
	    "\"notice\":0}}\n",
	    s.weak->citation, s.serial->citation, s.parse->citation);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	sample_clear(&s);
}
END_TEST

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

START_TEST(test_sarif)
{
	struct sample s;
	size_t n;
	char *got, *want;

	lint_rules(&n);
	sample_make(&s, "./././certs/a.pem", 7);
	got = render(&s, LINT_FORMAT_SARIF, 0);
	ck_assert_msg(strncmp(got, "{\"$schema\":\"https://json.schemastore.org/"
	    "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":"
	    "{\"name\":\"sipca lint\",", 99) == 0, "%.200s", got);
	/* Every rule of the table is described, at the index results name. */
	ck_assert_uint_eq(count(got, "\"defaultConfiguration\""), n);
	want = xasprintf("{\"ruleId\":\"tls.weak_signature\",\"ruleIndex\":%zu,"
	    "\"level\":\"error\",\"message\":{\"text\":\"./././certs/a.pem#2: "
	    "signed with SHA-1 [%s]\"},\"locations\":[{\"physicalLocation\":"
	    "{\"artifactLocation\":{\"uri\":\"certs/a.pem\"},\"region\":"
	    "{\"startLine\":7}}}],\"properties\":{\"severity\":\"error\","
	    "\"certificateIndex\":2}}", lint_rule_index(s.weak), s.weak->citation);
	ck_assert_msg(strstr(got, want) != NULL, "no\n%s\nin\n%s", want,
	    strstr(got, "\"results\""));
	free(want);
	/* warn is a warning; stdin's uri; line 0 is line 1; fatal an error. */
	ck_assert_ptr_nonnull(strstr(got, "\"ruleId\":\"rfc5280.serial_not_positive\""));
	ck_assert_ptr_nonnull(strstr(got, "\"level\":\"warning\""));
	want = xasprintf("{\"ruleId\":\"x509.parse\",\"ruleIndex\":%zu,"
	    "\"level\":\"error\",\"message\":{\"text\":\"-#1: not DER [%s]\"},"
	    "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
	    "{\"uri\":\"stdin\"},\"region\":{\"startLine\":1}}}],"
	    "\"properties\":{\"severity\":\"fatal\",\"certificateIndex\":1}}]}]}\n",
	    lint_rule_index(s.parse), s.parse->citation);
	ck_assert_msg(strlen(got) > strlen(want) &&
	    strcmp(got + strlen(got) - strlen(want), want) == 0,
	    "the document does not end with\n%s", want);
	free(want);
	ck_assert_uint_eq(count(got, "\"ruleId\""), 3);
	free(got);
	sample_clear(&s);
}
END_TEST

/* The levels SARIF 3.27.10 knows: a notice is a note. */
START_TEST(test_sarif_notice)
{
	struct sample s;
	struct lint_output *o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	sample_make(&s, "a.pem", 3);
	lint_findings_reset(&s.fgood);
	s.fgood.current = s.serial;
	lint_report_sev(&s.fgood, SEV_NOTICE, "only a notice");
	f = open_memstream(&buf, &len);
	o = lint_output_new(LINT_FORMAT_SARIF, f, 0);
	lint_output_cert(o, &s.good, &s.fgood);
	lint_output_finish(o, &s.sum);
	lint_output_free(o);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"level\":\"note\",\"message\":"
	    "{\"text\":\"a.pem#2: only a notice"));
	ck_assert_ptr_nonnull(strstr(buf, "\"severity\":\"notice\",\"certificateIndex\":2"));
	free(buf);
	sample_clear(&s);
}
END_TEST

START_TEST(test_rules_list)
{
	const struct lint_rule *const *rules;
	char *buf = NULL, *want, *first;
	size_t len = 0, n;
	FILE *f;

	rules = lint_rules(&n);
	ck_assert_uint_gt(n, 10);
	f = open_memstream(&buf, &len);
	lint_output_rules(f, LINT_FORMAT_TEXT);
	fclose(f);
	ck_assert_uint_eq(count(buf, "\n"), n);
	want = xasprintf("%-34s %-6s %-8s %s [%s]\n", rules[0]->id,
	    lint_severity_name(rules[0]->severity),
	    lint_profile_name(rules[0]->profile), rules[0]->summary,
	    rules[0]->citation);
	ck_assert_int_eq(strncmp(buf, want, strlen(want)), 0);
	free(want);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	lint_output_rules(f, LINT_FORMAT_JSON);
	fclose(f);
	ck_assert_int_eq(strncmp(buf, "{\"version\":1,\"rules\":[{\"id\":\"", 29), 0);
	ck_assert_uint_eq(count(buf, "{\"id\":"), n);
	ck_assert_str_eq(buf + len - 4, "}]}\n");
	/* A rule that needs --sip-domain says so; x509.parse needs nothing. */
	first = strstr(buf, "{\"id\":\"x509.parse\"");
	ck_assert_ptr_nonnull(first);
	ck_assert_int_eq(strncmp(strstr(first, "\"needs\":"), "\"needs\":null}", 13), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"needs\":\"--sip-domain\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"needs\":\"--ca\""));
	free(buf);
}
END_TEST

/* Colour on a terminal only, never with NO_COLOR set (no-color.org) or
 * TERM=dumb. */
START_TEST(test_want_colour)
{
	int master, slave;
	FILE *tty, *mem;
	char *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	tty = fdopen(slave, "w");
	mem = open_memstream(&buf, &len);
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	ck_assert_int_eq(lint_output_want_colour(tty), 1);
	ck_assert_int_eq(lint_output_want_colour(mem), 0);
	setenv("TERM", "dumb", 1);		/* shows escapes as text */
	ck_assert_int_eq(lint_output_want_colour(tty), 0);
	setenv("TERM", "xterm", 1);
	setenv("NO_COLOR", "", 1);		/* empty: as if unset */
	ck_assert_int_eq(lint_output_want_colour(tty), 1);
	setenv("NO_COLOR", "1", 1);
	ck_assert_int_eq(lint_output_want_colour(tty), 0);
	unsetenv("NO_COLOR");
	fclose(tty);
	fclose(mem);
	free(buf);
	close(master);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("lint_output");
	TCase *tc = tcase_create("writers");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_format_parse);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_text_colour);
	tcase_add_test(tc, test_text_clean);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_sarif);
	tcase_add_test(tc, test_sarif_notice);
	tcase_add_test(tc, test_rules_list);
	tcase_add_test(tc, test_want_colour);
	suite_add_tcase(s, tc);
	return s;
}
