/*
 * check_util: src/util/util.c's text helpers, which stand between bytes from
 * outside (certificates, CSV fields, options) and a terminal.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

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

Suite *
check_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("text");

	tcase_add_loop_test(tc, test_escape, 0, nitems(escapes));
	tcase_add_loop_test(tc, test_name, 0, nitems(names));
	tcase_add_test(tc, test_echo);
	suite_add_tcase(s, tc);
	return s;
}
