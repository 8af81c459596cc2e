/*
 * check_csv: src/util/csv.c. Each case is an input and what reading all of it
 * must give, written compactly: every record as LINE then its fields in
 * brackets, records separated by ';' ("1[a][b];2[c]"), or "!LINE:reason"
 * for an input the reader refuses. One loop test per row.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct csv_case {
	const char	*input;
	size_t		 len;		/* 0: strlen(input) */
	const char	*want;
};

static const struct csv_case cases[] = {
	{ "", 0, "" },
	{ "a", 0, "1[a]" },
	{ "a,b,c\n", 0, "1[a][b][c]" },
	{ "a,b\r\nc,d\r\n", 0, "1[a][b];2[c][d]" },
	{ "a,b\nc,d", 0, "1[a][b];2[c][d]" },		/* no final line break */
	{ "a,,\n", 0, "1[a][][]" },			/* empty fields */
	{ ",\n", 0, "1[][]" },
	{ "a,b\n\n\r\nc\n", 0, "1[a][b];4[c]" },	/* blank lines skipped */
	{ "\"a,b\",c\n", 0, "1[a,b][c]" },		/* RFC 4180 2.6 */
	{ "\"say \"\"hi\"\"\"\n", 0, "1[say \"hi\"]" },	/* RFC 4180 2.7 */
	{ "\"\"\n", 0, "1[]" },
	{ "\"two\r\nlines\",x\nnext\n", 0, "1[two\r\nlines][x];3[next]" },
	{ "\"a\nb\nc\"\nd\n", 0, "1[a\nb\nc];4[d]" },
	{ "\xef\xbb\xbfkind,name\n", 0, "1[kind][name]" },	/* UTF-8 BOM */
	{ "a b, c \n", 0, "1[a b][ c ]" },		/* spaces are data */
	{ "\"open\n", 0, "!1:unterminated quoted field" },
	{ "x\n\"a\"b\n", 0, "!2:text after a closing quote" },
	{ "a\"b\n", 0, "!1:quote inside an unquoted field" },
	{ "a\rb\n", 0, "!1:bare CR in an unquoted field" },
	{ "a\0b\n", 4, "!1:NUL byte in a field" },
	{ "ok\n\"x\0\"\n", 7, "!2:NUL byte in a field" },
	{ "\"a\n\nb\",\"c\"d\n", 0, "!3:text after a closing quote" },
};

static void
append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*buf = realloc(*buf, *len + n + 1);
	ck_assert_ptr_nonnull(*buf);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

START_TEST(test_cases)
{
	const struct csv_case *c = &cases[_i];
	struct csv_reader r;
	struct csv_record rec = { 0 };
	const char *reason = NULL;
	unsigned line = 0;
	char *got = NULL, num[32];
	size_t got_len = 0, i;
	int ret, first = 1;

	append(&got, &got_len, "");
	csv_init(&r, c->input, c->len ? c->len : strlen(c->input));
	while ((ret = csv_next(&r, &rec, &reason, &line)) == 1) {
		snprintf(num, sizeof(num), "%s%u", first ? "" : ";", rec.line);
		append(&got, &got_len, num);
		for (i = 0; i < rec.n; i++) {
			append(&got, &got_len, "[");
			append(&got, &got_len, rec.fields[i]);
			append(&got, &got_len, "]");
		}
		first = 0;
	}
	if (ret < 0) {
		free(got);
		got = NULL;
		got_len = 0;
		snprintf(num, sizeof(num), "!%u:", line);
		append(&got, &got_len, num);
		append(&got, &got_len, reason);
	}
	ck_assert_msg(strcmp(got, c->want) == 0, "case %d: got '%s', want '%s'",
	    _i, got, c->want);
	csv_record_clear(&rec);
	free(got);
}
END_TEST

/* After the end, the reader keeps saying so and the record stays empty. */
START_TEST(test_end_is_sticky)
{
	struct csv_reader r;
	struct csv_record rec = { 0 };
	const char *reason;
	unsigned line;

	csv_init(&r, "a\n", 2);
	ck_assert_int_eq(csv_next(&r, &rec, &reason, &line), 1);
	ck_assert_int_eq(csv_next(&r, &rec, &reason, &line), 0);
	ck_assert_uint_eq(rec.n, 0);
	ck_assert_int_eq(csv_next(&r, &rec, &reason, &line), 0);
}
END_TEST

/* A long quoted field grows its buffer many times. */
START_TEST(test_long_field)
{
	size_t n = 100000, i;
	char *in = malloc(n + 4);
	struct csv_reader r;
	struct csv_record rec = { 0 };
	const char *reason;
	unsigned line;

	ck_assert_ptr_nonnull(in);
	in[0] = '"';
	for (i = 1; i <= n; i++)
		in[i] = i % 100 == 0 ? '\n' : 'x';
	in[n + 1] = '"';
	in[n + 2] = '\n';
	in[n + 3] = 'z';
	csv_init(&r, in, n + 4);
	ck_assert_int_eq(csv_next(&r, &rec, &reason, &line), 1);
	ck_assert_uint_eq(rec.n, 1);
	ck_assert_uint_eq(strlen(rec.fields[0]), n);
	ck_assert_int_eq(csv_next(&r, &rec, &reason, &line), 1);
	ck_assert_uint_eq(rec.line, n / 100 + 2);
	ck_assert_str_eq(rec.fields[0], "z");
	csv_record_clear(&rec);
	free(in);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("csv");
	TCase	*tc = tcase_create("rfc4180");

	tcase_add_loop_test(tc, test_cases, 0, nitems(cases));
	tcase_add_test(tc, test_end_is_sticky);
	tcase_add_test(tc, test_long_field);
	suite_add_tcase(s, tc);
	return s;
}
