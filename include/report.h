/*
 * report: the messages a module has for the person running sipca, as
 * formatted lines, so the module returns them and the command prints
 * them (cli_report_print(): "sipca: CMD: TEXT", a warning with
 * "warning: " before TEXT). The module formats them: the text, values
 * escaped, is the module's to choose.
 */
#ifndef SIPCA_REPORT_H
#define SIPCA_REPORT_H

#include <stddef.h>

enum report_level {
	REPORT_MESSAGE,		/* an error, or a lint finding said as one */
	REPORT_WARNING,
};

struct report_line {
	enum report_level level;
	char *text;		/* owned */
};

struct report {
	struct report_line *lines;
	size_t n;
};

/* Adds a line; r NULL drops it (a caller that wants only the result). */
void report_add(struct report *r, enum report_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Moves the lines of src to the end of dst; src is left empty. */
void report_move(struct report *dst, struct report *src);

/* The lines' texts joined by sep, as one new string ("" for none). */
char *report_join(const struct report *r, const char *sep);

/* Frees the lines; the struct is the caller's and is left empty. */
void report_clear(struct report *r);

#endif
