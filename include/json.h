/*
 * json: a minimal streaming JSON writer for --json and --format json
 * output. It tracks commas so callers only say what they write. Its
 * names are jsonw_*: json_* are jansson's, which the server reads with.
 */
#ifndef SIPCA_JSON_H
#define SIPCA_JSON_H

#include <stdio.h>

#define JSONW_MAX_DEPTH 16

struct jsonw {
	FILE *f;
	int depth;
	int need_comma[JSONW_MAX_DEPTH];
	int after_key;
	int pretty;
};

void jsonw_init(struct jsonw *j, FILE *f, int pretty);
void jsonw_begin_object(struct jsonw *j);
void jsonw_end_object(struct jsonw *j);
void jsonw_begin_array(struct jsonw *j);
void jsonw_end_array(struct jsonw *j);
void jsonw_key(struct jsonw *j, const char *key);
void jsonw_string(struct jsonw *j, const char *s);	/* NULL writes null */
void jsonw_int(struct jsonw *j, long long v);
void jsonw_bool(struct jsonw *j, int v);
void jsonw_null(struct jsonw *j);
/* Ends the document with a newline. */
void jsonw_finish(struct jsonw *j);

/*
 * Writes s as a JSON string literal (quotes included) to f. The output
 * is always UTF-8 without raw controls: C0, DEL and C1 become \u00XX
 * (the code point, exactly), well-formed UTF-8 passes, and an octet that
 * is not UTF-8 becomes the text \xNN (JSON "\\xNN"), text_escape()'s
 * notation, as no JSON string can hold it.
 */
void jsonw_write_escaped(FILE *f, const char *s);

#endif
