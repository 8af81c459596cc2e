/*
 * json: a streaming writer (RFC 8259). Strings are escaped for JSON:
 * C0 and C1 controls and DEL as \u00XX, well-formed UTF-8 as it is, and
 * an octet that is not UTF-8 as the four characters \xNN (written
 * "\\xNN"), the notation text_escape() uses, since a JSON text must
 * be UTF-8 (RFC 8259 section 8.1).
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

void
jsonw_init(struct jsonw *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void
indent(struct jsonw *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Writes the separator a new value needs where it stands. */
static void
before_value(struct jsonw *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->f);
		j->need_comma[j->depth] = 1;
		indent(j);
	}
}

void
jsonw_write_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i, n;
	unsigned long cp;

	fputc('"', f);
	for (i = 0; i < len; i += n) {
		n = 1;
		switch (p[i]) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				fprintf(f, "\\u%04x", p[i]);
			} else if (p[i] < 0x80) {
				fputc(p[i], f);
			} else if ((n = utf8_seq(p + i, len - i, &cp)) == 0) {
				n = 1;
				fprintf(f, "\\\\x%02x", p[i]);
			} else if (cp <= 0x9f) {
				/* C1: valid JSON raw, but a terminal acts on it */
				fprintf(f, "\\u%04lx", cp);
			} else {
				fwrite(p + i, 1, n, f);
			}
		}
	}
	fputc('"', f);
}

static void
open_container(struct jsonw *j, int c)
{
	before_value(j);
	fputc(c, j->f);
	if (j->depth + 1 < JSONW_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = 0;
}

static void
close_container(struct jsonw *j, int c)
{
	int had_items = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had_items)
		indent(j);
	fputc(c, j->f);
}

void jsonw_begin_object(struct jsonw *j) { open_container(j, '{'); }
void jsonw_end_object(struct jsonw *j) { close_container(j, '}'); }
void jsonw_begin_array(struct jsonw *j) { open_container(j, '['); }
void jsonw_end_array(struct jsonw *j) { close_container(j, ']'); }

void
jsonw_key(struct jsonw *j, const char *key)
{
	before_value(j);
	jsonw_write_escaped(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = 1;
}

void
jsonw_string(struct jsonw *j, const char *s)
{
	before_value(j);
	if (s == NULL)
		fputs("null", j->f);
	else
		jsonw_write_escaped(j->f, s);
}

void
jsonw_int(struct jsonw *j, long long v)
{
	before_value(j);
	fprintf(j->f, "%lld", v);
}

void
jsonw_bool(struct jsonw *j, int v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void
jsonw_null(struct jsonw *j)
{
	before_value(j);
	fputs("null", j->f);
}

void
jsonw_finish(struct jsonw *j)
{
	fputc('\n', j->f);
}
