/*
 * check_json: src/util/json.c, the writer behind --json and --format
 * json. Strings must come out as UTF-8 JSON (RFC 8259 section 8.1)
 * whatever bytes a certificate held, and the commas and nesting must be
 * right without the callers counting.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A memory stream to write into, and what was written. */
struct sink {
	FILE *f;
	char *buf;
	size_t len;
};

static void
sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	ck_assert_ptr_nonnull(s->f);
}

/* A writer into a new sink. */
static void
sink_json(struct sink *s, struct jsonw *j, int pretty)
{
	sink_open(s);
	jsonw_init(j, s->f, pretty);
}

static char *
sink_close(struct sink *s)
{
	ck_assert_int_eq(fclose(s->f), 0);
	return s->buf;
}

struct escape_case {
	const char *in;
	const char *want;
};

static const struct escape_case escapes[] = {
	{ "", "\"\"" },
	{ "sip:alice@example.com", "\"sip:alice@example.com\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "a\nb\rc\td", "\"a\\nb\\rc\\td\"" },
	/* Other C0 controls, DEL: \u00XX, the code point exactly. */
	{ "\x01\x1b[2J\x1f", "\"\\u0001\\u001b[2J\\u001f\"" },
	{ "del\x7f", "\"del\\u007f\"" },
	{ "bell\a", "\"bell\\u0007\"" },
	/* C1 controls are valid JSON raw, but a terminal acts on them. */
	{ "c1\xc2\x80\xc2\x9b\xc2\x9f", "\"c1\\u0080\\u009b\\u009f\"" },
	/* U+00A0 is the first code point after C1: it passes. */
	{ "nbsp\xc2\xa0", "\"nbsp\xc2\xa0\"" },
	/* Well-formed UTF-8 passes as it is, up to four octets. */
	{ "M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x93\x9e",
	  "\"M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x93\x9e\"" },
	/* Octets that are not UTF-8: the text \xNN (JSON "\\xNN"). */
	{ "bad\xff", "\"bad\\\\xff\"" },
	{ "\xc3", "\"\\\\xc3\"" },			/* truncated sequence */
	{ "\xc0\xaf", "\"\\\\xc0\\\\xaf\"" },		/* overlong '/' */
	{ "\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\"" },	/* a surrogate */
	{ "\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"" }, /* > U+10FFFF */
	{ "\xe2\x82" "A", "\"\\\\xe2\\\\x82A\"" },	/* resumes after the bad octets */
};

START_TEST(test_escape)
{
	const struct escape_case *c = &escapes[_i];
	struct sink s;
	char *got;

	sink_open(&s);
	jsonw_write_escaped(s.f, c->in);
	got = sink_close(&s);
	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

/* Every value type in one compact document, commas where they belong. */
START_TEST(test_document)
{
	struct jsonw j;
	struct sink s;
	char *got;

	sink_json(&s, &j, 0);
	jsonw_begin_object(&j);
	jsonw_key(&j, "version");
	jsonw_int(&j, 1);
	jsonw_key(&j, "name");
	jsonw_string(&j, "alice");
	jsonw_key(&j, "none");
	jsonw_string(&j, NULL);
	jsonw_key(&j, "list");
	jsonw_begin_array(&j);
	jsonw_bool(&j, 1);
	jsonw_bool(&j, 0);
	jsonw_null(&j);
	jsonw_int(&j, -9223372036854775807LL - 1);
	jsonw_begin_object(&j);
	jsonw_end_object(&j);
	jsonw_begin_array(&j);
	jsonw_end_array(&j);
	jsonw_end_array(&j);
	jsonw_key(&j, "k\"ey");
	jsonw_string(&j, "v");
	jsonw_end_object(&j);
	jsonw_finish(&j);
	got = sink_close(&s);
	ck_assert_str_eq(got, "{\"version\":1,\"name\":\"alice\",\"none\":null,"
	    "\"list\":[true,false,null,-9223372036854775808,{},[]],"
	    "\"k\\\"ey\":\"v\"}\n");
	free(got);
}
END_TEST

/* Pretty output: two spaces a level, empty containers on one line. */
START_TEST(test_pretty)
{
	struct jsonw j;
	struct sink s;
	char *got;

	sink_json(&s, &j, 1);
	jsonw_begin_object(&j);
	jsonw_key(&j, "a");
	jsonw_begin_array(&j);
	jsonw_int(&j, 1);
	jsonw_begin_object(&j);
	jsonw_key(&j, "b");
	jsonw_bool(&j, 1);
	jsonw_end_object(&j);
	jsonw_end_array(&j);
	jsonw_key(&j, "e");
	jsonw_begin_array(&j);
	jsonw_end_array(&j);
	jsonw_end_object(&j);
	jsonw_finish(&j);
	got = sink_close(&s);
	ck_assert_str_eq(got,
	    "{\n"
	    "  \"a\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"b\": true\n"
	    "    }\n"
	    "  ],\n"
	    "  \"e\": []\n"
	    "}\n");
	free(got);
}
END_TEST

/* Top-level values in sequence (a stream of documents) take no commas. */
START_TEST(test_top_level)
{
	struct jsonw j;
	struct sink s;
	char *got;

	sink_json(&s, &j, 0);
	jsonw_string(&j, "x");
	jsonw_finish(&j);
	jsonw_begin_array(&j);
	jsonw_end_array(&j);
	jsonw_finish(&j);
	got = sink_close(&s);
	ck_assert_str_eq(got, "\"x\"\n[]\n");
	free(got);
}
END_TEST

/*
 * Deeper than JSONW_MAX_DEPTH: the brackets still balance and nothing is
 * written outside need_comma[] (the sanitizer build would say).
 */
START_TEST(test_depth_limit)
{
	struct jsonw j;
	struct sink s;
	char *got;
	size_t i, open = 0, close = 0;
	const int levels = JSONW_MAX_DEPTH + 4;
	int k;

	sink_json(&s, &j, 0);
	for (k = 0; k < levels; k++)
		jsonw_begin_array(&j);
	jsonw_int(&j, 7);
	for (k = 0; k < levels; k++)
		jsonw_end_array(&j);
	jsonw_finish(&j);
	got = sink_close(&s);
	for (i = 0; got[i] != '\0'; i++) {
		open += got[i] == '[';
		close += got[i] == ']';
	}
	ck_assert_uint_eq(open, (size_t)levels);
	ck_assert_uint_eq(close, (size_t)levels);
	ck_assert_ptr_nonnull(strstr(got, "7"));
	ck_assert_int_eq(got[strlen(got) - 1], '\n');
	ck_assert_int_eq(j.depth, 0);
	free(got);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("strings");

	tcase_add_loop_test(tc, test_escape, 0, nitems(escapes));
	suite_add_tcase(s, tc);

	tc = tcase_create("structure");
	tcase_add_test(tc, test_document);
	tcase_add_test(tc, test_pretty);
	tcase_add_test(tc, test_top_level);
	tcase_add_test(tc, test_depth_limit);
	suite_add_tcase(s, tc);
	return s;
}
