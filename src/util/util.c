/*
 * util: messages, allocation, the clock seam, formatting.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *current_command;

void
util_set_command(const char *name)
{
	current_command = name;
}

const char *
util_command(void)
{
	return current_command;
}

static void
vmessage(const char *kind, const char *fmt, va_list ap)
{
	fputs("sipca: ", stderr);
	if (current_command != NULL)
		fprintf(stderr, "%s: ", current_command);
	if (kind != NULL)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
}

void
warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void
note_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("note: ", fmt, ap);
	va_end(ap);
}

static void
out_of_memory(void)
{
	fputs("sipca: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL)
		out_of_memory();
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

int
parse_time_rfc3339(const char *s, time_t *out)
{
	struct tm tm, want, back;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	/*
	 * strptime takes any day up to 31 and second 60; timegm folds
	 * 2026-02-30 into March. A date that does not come back from
	 * gmtime as it was written does not exist (POSIX time has no
	 * leap seconds, so :60 is refused too).
	 */
	want = tm;	/* timegm normalises its argument */
	t = timegm(&tm);
	if (gmtime_r(&t, &back) == NULL || back.tm_year != want.tm_year ||
	    back.tm_mon != want.tm_mon || back.tm_mday != want.tm_mday ||
	    back.tm_hour != want.tm_hour || back.tm_min != want.tm_min ||
	    back.tm_sec != want.tm_sec)
		return -1;
	*out = t;
	return 0;
}

time_t
sipca_now(void)
{
#ifdef SIPCA_TEST_CLOCK
	/* Test builds only: the CLI tests move the clock instead of sleeping. */
	const char *fixed = getenv("SIPCA_NOW");
	time_t t;
	long v;

	if (fixed != NULL && *fixed != '\0') {
		if (parse_time_rfc3339(fixed, &t) == 0)
			return t;
		if (parse_long(fixed, 0, 253402300799L, &v) == 0)
			return (time_t)v;
	}
#endif
	return time(NULL);
}

void
test_crash_point(const char *name)
{
#ifdef SIPCA_TEST_CLOCK
	const char *at = getenv("SIPCA_CRASH_AT");

	if (at != NULL && strcmp(at, name) == 0)
		_exit(99);
#else
	(void)name;
#endif
}

long
test_knob(const char *name)
{
#ifdef SIPCA_TEST_CLOCK
	const char *v = getenv(name);
	long n;

	return v != NULL && parse_long(v, 0, 1000000, &n) == 0 ? n : 0;
#else
	(void)name;
	return 0;
#endif
}

void
format_time_rfc3339(time_t t, char buf[static 21])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(buf, "invalid-time");
}

char *
hex_encode(const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(len * 2 + 1);
	size_t i;

	for (i = 0; i < len; i++) {
		s[2 * i] = digits[data[i] >> 4];
		s[2 * i + 1] = digits[data[i] & 0x0f];
	}
	s[len * 2] = '\0';
	return s;
}

char *
hex_colon(const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s = xmalloc(len * 3 + 1);
	size_t i;

	s[0] = '\0';
	for (i = 0; i < len; i++) {
		s[3 * i] = digits[data[i] >> 4];
		s[3 * i + 1] = digits[data[i] & 0x0f];
		s[3 * i + 2] = ':';
	}
	s[len > 0 ? len * 3 - 1 : 0] = '\0';
	return s;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
hex_decode(const char *s, unsigned char *out, size_t out_size)
{
	size_t n = 0;
	int hi, lo;

	while (*s != '\0') {
		if (*s == ':') {
			s++;
			continue;
		}
		hi = hex_value((unsigned char)s[0]);
		lo = s[1] != '\0' ? hex_value((unsigned char)s[1]) : -1;
		if (hi < 0 || lo < 0 || n >= out_size)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n == 0 ? -1 : (long)n;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol() would skip any white space and take a '+': a digit or '-' first. */
	if (s == NULL || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629 section 4:
 * shortest form, no surrogates, at most U+10FFFF), 0 when there is none;
 * *out_cp gets the code point.
 */
size_t
utf8_seq(const unsigned char *p, size_t avail, unsigned long *out_cp)
{
	unsigned long cp, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*out_cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2; cp = p[0] & 0x1f; min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3; cp = p[0] & 0x0f; min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4; cp = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*out_cp = cp;
	return n;
}

static int
is_control(unsigned long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

char *
text_escape(const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t shown = (max != 0 && len > max) ? max : len;
	size_t i = 0, o = 0;
	/* Every input byte takes at most 4 output bytes ("\xNN"). */
	char *out = xmalloc(shown * 4 + 40);

	while (i < shown) {
		unsigned long cp;
		size_t n = utf8_seq(p + i, shown - i, &cp);

		if (n == 0 || is_control(cp)) {
			o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
			i++;
		} else if (cp == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
	}
	if (shown < len)
		o += (size_t)sprintf(out + o, "...(%zu bytes)", len);
	out[o] = '\0';
	return out;
}

char *
text_echo(const char *s)
{
	return s == NULL ? xstrdup("") : text_escape(s, strlen(s), TEXT_ECHO_MAX);
}

int
text_check_name(const char *s, size_t max, const char **out_reason)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, chars = 0;

	if (len == 0) {
		*out_reason = "empty";
		return -1;
	}
	while (i < len) {
		unsigned long cp;
		size_t n = utf8_seq(p + i, len - i, &cp);

		if (n == 0) {
			*out_reason = "not UTF-8";
			return -1;
		}
		if (is_control(cp)) {
			*out_reason = "control character";
			return -1;
		}
		i += n;
		if (++chars > max) {
			*out_reason = "too long";
			return -1;
		}
	}
	return 0;
}
