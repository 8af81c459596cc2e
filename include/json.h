/*
 * json: a minimal streaming JSON writer for --json and --format json
 * output. It tracks commas so callers only say what they write.
 */
#ifndef SIPCA_JSON_H
#define SIPCA_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	int need_comma[JSON_MAX_DEPTH];
	int after_key;
	int pretty;
};

void json_init(struct json *j, FILE *f, int pretty);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);	/* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/*
 * Writes s as a JSON string literal (quotes included) to f. The output
 * is always UTF-8 without raw controls: C0, DEL and C1 become \u00XX
 * (the code point, exactly), well-formed UTF-8 passes, and an octet that
 * is not UTF-8 becomes the text \xNN (JSON "\\xNN"), text_escape()'s
 * notation, as no JSON string can hold it.
 */
void json_write_escaped(FILE *f, const char *s);

#endif
