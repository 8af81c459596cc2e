/*
 * lint_output: writing lint results as text (one line per finding,
 * colour only on a terminal and never with NO_COLOR), JSON (the
 * documented {"version":1,...} document) or SARIF 2.1.0 for GitHub code
 * scanning. Results are streamed one certificate at a time.
 */
#ifndef SIPCA_LINT_OUTPUT_H
#define SIPCA_LINT_OUTPUT_H

#include <stdio.h>

#include "lint.h"

enum lint_format {
	LINT_FORMAT_TEXT = 0,
	LINT_FORMAT_JSON,
	LINT_FORMAT_SARIF,
};
#define LINT_FORMAT_NAMES "text,json,sarif"
int lint_format_parse(const char *s, enum lint_format *out);

struct lint_output;

/* colour: 1 to colour text output (the caller decides: TTY, NO_COLOR). */
struct lint_output *lint_output_new(enum lint_format fmt, FILE *f, int colour);
/* One certificate and its findings. */
void lint_output_cert(struct lint_output *o, const struct lint_cert *c,
    const struct lint_findings *f);
/* Closes the document with the summary. NULL is fine for free. */
void lint_output_finish(struct lint_output *o, const struct lint_summary *s);
void lint_output_free(struct lint_output *o);

/* --list-rules: the table with citations, as text or JSON. */
void lint_output_rules(FILE *f, enum lint_format fmt);

/* True when text on f may be coloured: a terminal and NO_COLOR unset. */
int lint_output_want_colour(FILE *f);

#endif
