/*
 * check_util: src/util/util.c: the text helpers, which stand between
 * bytes from outside (certificates, CSV fields, options) and a terminal;
 * RFC 3339 times, hex, number and word-list parsing, and UTF-8 reading.
 */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct escape_case {
	const char	*in;
	size_t		 len;
	size_t		 max;
	const char	*want;
};

static const struct escape_case escapes[] = {
	{ "sip.example.com", 15, 0, "sip.example.com" },
	{ "evil.com\0.example.com", 21, 0, "evil.com\\x00.example.com" },
	{ "a\x1b[2Jb", 6, 0, "a\\x1b[2Jb" },		/* ESC: a terminal escape */
	{ "bell\a\n", 6, 0, "bell\\x07\\x0a" },
	{ "del\x7f", 4, 0, "del\\x7f" },
	{ "c1\xc2\x9b", 4, 0, "c1\\xc2\\x9b" },		/* U+009B CSI */
	{ "M\xc3\xbcller", 7, 0, "M\xc3\xbcller" },	/* UTF-8 passes */
	{ "bad\xff\xc3", 5, 0, "bad\\xff\\xc3" },	/* not UTF-8 */
	{ "\xc0\xaf", 2, 0, "\\xc0\\xaf" },		/* overlong '/' */
	{ "\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80" },	/* a surrogate */
	{ "back\\slash", 10, 0, "back\\\\slash" },
	{ "abcdefgh", 8, 4, "abcd...(8 bytes)" },
	{ "abcd", 4, 4, "abcd" },
};

START_TEST(test_escape)
{
	const struct escape_case *c = &escapes[_i];
	char *got = text_escape(c->in, c->len, c->max);

	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

struct name_case {
	const char	*in;
	size_t		 max;
	int		 ok;
};

static const struct name_case names[] = {
	{ "Example SIP CA", 64, 1 },
	{ "M\xc3\xbcller PBX", 64, 1 },
	{ "", 64, 0 },
	{ "CA\x1b]0;x\a", 64, 0 },
	{ "two\nlines", 64, 0 },
	{ "c1\xc2\x85", 64, 0 },			/* U+0085 NEL */
	{ "bad\xff", 64, 0 },
	{ "abcd", 4, 1 },
	{ "abcde", 4, 0 },
	{ "\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", 4, 1 },	/* characters, not bytes */
};

START_TEST(test_name)
{
	const struct name_case *c = &names[_i];
	const char *reason = NULL;
	int ret = text_check_name(c->in, c->max, &reason);

	ck_assert_int_eq(ret == 0, c->ok);
	if (!c->ok)
		ck_assert_ptr_nonnull(reason);
}
END_TEST

START_TEST(test_echo)
{
	char long_value[TEXT_ECHO_MAX * 2 + 1], *got;

	got = text_echo(NULL);
	ck_assert_str_eq(got, "");
	free(got);
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	got = text_echo(long_value);
	ck_assert_uint_eq(strspn(got, "a"), TEXT_ECHO_MAX);
	ck_assert_str_eq(got + TEXT_ECHO_MAX, "...(256 bytes)");
	free(got);
}
END_TEST

struct time_case {
	time_t t;
	const char *text;
};

static const struct time_case times[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ 1796083200, "2026-12-01T00:00:00Z" },
	{ 1796110000, "2026-12-01T07:26:40Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },		/* a leap day */
	{ 2147483647, "2038-01-19T03:14:07Z" },		/* the Y2038 limit */
	{ 2147483648LL, "2038-01-19T03:14:08Z" },
	{ 253402300799LL, "9999-12-31T23:59:59Z" },	/* GeneralizedTime's last */
};

START_TEST(test_time_round_trip)
{
	const struct time_case *c = &times[_i];
	char buf[21];
	time_t back = -1;

	format_time_rfc3339(c->t, buf);
	ck_assert_str_eq(buf, c->text);
	ck_assert_int_eq(parse_time_rfc3339(c->text, &back), 0);
	ck_assert_int_eq(back, c->t);
}
END_TEST

/* A year of five digits does not fit the 21 bytes: said, not cut. */
START_TEST(test_time_too_large)
{
	char buf[21];

	format_time_rfc3339(253402300800LL, buf);
	ck_assert_str_eq(buf, "invalid-time");
}
END_TEST

static const char *const bad_times[] = {
	"",
	"2026-12-01",
	"2026-12-01T07:26:40",				/* no zone */
	"2026-12-01T07:26:40+01:00",			/* UTC only */
	"2026-12-01 07:26:40Z",
	"2026-12-01T07:26:40Zjunk",
	"2026-13-01T00:00:00Z",
	"2026-12-01T25:00:00Z",
	"2026-02-30T00:00:00Z",				/* no such day */
	"2027-02-29T00:00:00Z",				/* not a leap year */
	"2026-04-31T12:00:00Z",
	"2026-12-31T23:59:60Z",				/* POSIX time has no leap second */
	"yesterday",
};

START_TEST(test_time_refused)
{
	time_t t = 12345;

	ck_assert_msg(parse_time_rfc3339(bad_times[_i], &t) == -1,
	    "'%s' parsed", bad_times[_i]);
	ck_assert_int_eq(t, 12345);
}
END_TEST

START_TEST(test_hex_encode)
{
	const unsigned char b[] = { 0x00, 0x01, 0xab, 0xff };
	char *s;

	s = hex_encode(b, sizeof(b));
	ck_assert_str_eq(s, "0001abff");
	free(s);
	s = hex_encode(b, 0);
	ck_assert_str_eq(s, "");
	free(s);
	s = hex_colon(b, sizeof(b));
	ck_assert_str_eq(s, "00:01:AB:FF");
	free(s);
	s = hex_colon(b, 1);
	ck_assert_str_eq(s, "00");
	free(s);
	s = hex_colon(b, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

struct hex_case {
	const char *in;
	size_t out_size;
	long want;			/* length, or -1 */
	const char *bytes;
};

static const struct hex_case hexes[] = {
	{ "0001abff", 8, 4, "\x00\x01\xab\xff" },
	{ "00:01:AB:FF", 8, 4, "\x00\x01\xab\xff" },	/* hex_colon() reads back */
	{ "aB", 1, 1, "\xab" },
	{ "::7f::", 1, 1, "\x7f" },
	{ "abc", 8, -1, NULL },				/* odd */
	{ "a:bc", 8, -1, NULL },			/* a colon inside an octet */
	{ "zz", 8, -1, NULL },
	{ "0x10", 8, -1, NULL },
	{ "", 8, -1, NULL },				/* nothing is not a value */
	{ ":", 8, -1, NULL },
	{ "010203", 2, -1, NULL },			/* does not fit */
};

START_TEST(test_hex_decode)
{
	const struct hex_case *c = &hexes[_i];
	unsigned char out[9];		/* one past the largest out_size */
	long n;

	memset(out, 0xee, sizeof(out));
	n = hex_decode(c->in, out, c->out_size);
	ck_assert_msg(n == c->want, "'%s': %ld, wanted %ld", c->in, n, c->want);
	if (c->bytes != NULL)
		ck_assert_mem_eq(out, c->bytes, (size_t)n);
	/* Never past out_size. */
	ck_assert_int_eq(out[c->out_size], 0xee);
}
END_TEST

struct long_case {
	const char *in;
	long min, max;
	int ok;
	long want;
};

static const struct long_case longs[] = {
	{ "0", 0, 10, 1, 0 },
	{ "10", 0, 10, 1, 10 },
	{ "11", 0, 10, 0, 0 },
	{ "825", 1, 36500, 1, 825 },
	{ "-1", 0, 10, 0, 0 },
	{ "-1", -5, 5, 1, -1 },
	{ "007", 0, 10, 1, 7 },
	{ "", 0, 10, 0, 0 },
	{ "+5", 0, 10, 0, 0 },
	{ " 5", 0, 10, 0, 0 },
	{ "\t5", 0, 10, 0, 0 },			/* strtol() skips it */
	{ "\n5", 0, 10, 0, 0 },
	{ "-", -5, 5, 0, 0 },
	{ "5 ", 0, 10, 0, 0 },
	{ "5x", 0, 10, 0, 0 },
	{ "0x10", 0, 100, 0, 0 },
	{ "1e3", 0, 10000, 0, 0 },
	{ "9223372036854775807", 0, LONG_MAX, 1, LONG_MAX },
	{ "9223372036854775808", 0, LONG_MAX, 0, 0 },	/* ERANGE */
};

START_TEST(test_parse_long)
{
	const struct long_case *c = &longs[_i];
	long v = -42;
	int ret = parse_long(c->in, c->min, c->max, &v);

	ck_assert_msg((ret == 0) == c->ok, "'%s' in [%ld, %ld]: %d", c->in,
	    c->min, c->max, ret);
	ck_assert_int_eq(v, c->ok ? c->want : -42);
}
END_TEST

START_TEST(test_parse_long_null)
{
	long v = -42;

	ck_assert_int_eq(parse_long(NULL, 0, 10, &v), -1);
	ck_assert_int_eq(v, -42);
}
END_TEST


struct utf8_case {
	const char *in;
	size_t avail;
	size_t want;
	unsigned long cp;
};

static const struct utf8_case utf8s[] = {
	{ "A", 1, 1, 0x41 },
	{ "\xc2\x80", 2, 2, 0x80 },
	{ "\xdf\xbf", 2, 2, 0x7ff },
	{ "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "\xef\xbf\xbd", 3, 3, 0xfffd },
	{ "\xf0\x90\x80\x80", 4, 4, 0x10000 },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "\xc3\xbc", 1, 0, 0 },			/* cut by avail */
	{ "\x80", 1, 0, 0 },				/* a lone continuation */
	{ "\xc1\xbf", 2, 0, 0 },			/* overlong */
	{ "\xe0\x9f\xbf", 3, 0, 0 },			/* overlong */
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },		/* overlong */
	{ "\xed\xbf\xbf", 3, 0, 0 },			/* surrogate */
	{ "\xf4\x90\x80\x80", 4, 0, 0 },		/* above U+10FFFF */
	{ "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "\xe2\x28\xa1", 3, 0, 0 },			/* bad continuation */
	{ "\xfe", 1, 0, 0 },
};

START_TEST(test_utf8_seq)
{
	const struct utf8_case *c = &utf8s[_i];
	unsigned long cp = 0xdead;
	size_t n = utf8_seq((const unsigned char *)c->in, c->avail, &cp);

	ck_assert_uint_eq(n, c->want);
	if (c->want > 0)
		ck_assert_uint_eq(cp, c->cp);
}
END_TEST

START_TEST(test_check_name_reasons)
{
	const char *reason = NULL;

	ck_assert_int_eq(text_check_name("", 64, &reason), -1);
	ck_assert_str_eq(reason, "empty");
	ck_assert_int_eq(text_check_name("a\tb", 64, &reason), -1);
	ck_assert_str_eq(reason, "control character");
	ck_assert_int_eq(text_check_name("a\xff", 64, &reason), -1);
	ck_assert_str_eq(reason, "not UTF-8");
	ck_assert_int_eq(text_check_name("abc", 2, &reason), -1);
	ck_assert_str_eq(reason, "too long");
}
END_TEST

START_TEST(test_command_prefix)
{
	util_set_command("issue");
	ck_assert_str_eq(util_command(), "issue");
	util_set_command(NULL);
	ck_assert_ptr_null(util_command());
}
END_TEST

START_TEST(test_xasprintf)
{
	char *s = xasprintf("%s-%d-%05.1f", "a", 42, 2.5);

	ck_assert_str_eq(s, "a-42-002.5");
	free(s);
	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	/* Zero bytes is still a pointer to free, never NULL. */
	s = xmalloc(0);
	ck_assert_ptr_nonnull(s);
	free(s);
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("text");

	tcase_add_loop_test(tc, test_escape, 0, nitems(escapes));
	tcase_add_loop_test(tc, test_name, 0, nitems(names));
	tcase_add_test(tc, test_echo);
	tcase_add_loop_test(tc, test_utf8_seq, 0, nitems(utf8s));
	tcase_add_test(tc, test_check_name_reasons);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_loop_test(tc, test_time_round_trip, 0, nitems(times));
	tcase_add_test(tc, test_time_too_large);
	tcase_add_loop_test(tc, test_time_refused, 0, nitems(bad_times));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_hex_encode);
	tcase_add_loop_test(tc, test_hex_decode, 0, nitems(hexes));
	tcase_add_loop_test(tc, test_parse_long, 0, nitems(longs));
	tcase_add_test(tc, test_parse_long_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_add_test(tc, test_command_prefix);
	tcase_add_test(tc, test_xasprintf);
	suite_add_tcase(s, tc);
	return s;
}
