/*
 * util: process-wide helpers that every module may use and that use no
 * other module: error reporting in git's style, checked allocation, the
 * clock seam and small formatting helpers.
 */
#ifndef SIPCA_UTIL_H
#define SIPCA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit statuses, documented in README.md and sipca(1). */
enum sipca_exit {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,	/* lint findings, expiring certificates, check problems */
	EXIT_USAGE = 2,		/* usage error or bad input; nothing was changed */
	EXIT_OPERATIONAL = 3,	/* I/O, store busy, crypto failure */
};

/*
 * The command currently running ("issue"), used as the prefix of every
 * message: "sipca: issue: invalid SIP URI: 'sip:@x'".
 */
void util_set_command(const char *name);
const char *util_command(void);

/* Print "sipca: CMD: message\n" on stderr. */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sipca: CMD: note: message": something done as asked that may surprise. */
void note_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail: out of memory aborts with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "Now" for every decision that depends on the date. Test builds read
 * SIPCA_NOW (seconds since the epoch, or YYYY-MM-DDTHH:MM:SSZ) so that
 * expiry is tested without waiting; release builds ignore it.
 */
time_t sipca_now(void);

/*
 * A named point where a test build may be told to die (SIPCA_CRASH_AT=NAME
 * makes it _exit(99) there), so crash recovery is tested at every step
 * deterministically. Release builds ignore it.
 */
void test_crash_point(const char *name);
/* Test builds only: the number in environment variable name, else 0. */
long test_knob(const char *name);

/* RFC 3339 UTC ("2026-12-01T07:46:37Z") into buf of at least 21 bytes. */
void format_time_rfc3339(time_t t, char buf[static 21]);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (a date that exists); returns 0 and sets
 * *out, or -1. */
int parse_time_rfc3339(const char *s, time_t *out);

/* "s" unless n is 1: "1 day", "2 days". */
static inline const char *
plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* Lowercase hex of len bytes into a new string. */
char *hex_encode(const unsigned char *data, size_t len);
/* Colon-separated uppercase hex ("AB:CD"), as phones display fingerprints. */
char *hex_colon(const unsigned char *data, size_t len);
/* The value of one hex digit (either case), or -1. */
int hex_value(int c);
/* Parses hex (optional colons); returns length or -1. out must hold len/2. */
long hex_decode(const char *s, unsigned char *out, size_t out_size);

/* Parses a positive decimal integer in [min, max]; returns 0 or -1. */
int parse_long(const char *s, long min, long max, long *out);

/*
 * Text from outside (a certificate's names, a CSV field, an option) made
 * safe to print: printable ASCII and well-formed UTF-8 of printable code
 * points pass; a backslash becomes "\\"; C0 controls, DEL, C1 controls
 * (U+0080..U+009F), NUL and bytes that are not UTF-8 become "\xNN". At
 * most max input bytes are shown (0: all), then "..." and the full
 * length: "aaaa...(10485760 bytes)". A new string.
 */
char *text_escape(const void *data, size_t len, size_t max);

/* A NUL-terminated value quoted in a message: text_escape() cut after
 * TEXT_ECHO_MAX bytes. NULL is shown as "". A new string. */
#define TEXT_ECHO_MAX 128
char *text_echo(const char *s);

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629 section 4:
 * shortest form, no surrogates, at most U+10FFFF), 0 when there is none;
 * *out_cp gets the code point. For writers that must keep UTF-8 (JSON)
 * and checks that must judge it, so that text_escape() stays the one
 * reading of UTF-8.
 */
size_t utf8_seq(const unsigned char *p, size_t avail, unsigned long *out_cp);

/*
 * A name a person chose (a CA's or a certificate's common name): 1 to
 * max characters (code points) of well-formed UTF-8 without C0 or C1
 * controls or DEL. Returns 0, or -1 and a static reason ("control
 * character at offset 3").
 */
int text_check_name(const char *s, size_t max, const char **out_reason);

#endif
