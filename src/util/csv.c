/*
 * csv: RFC 4180 records, read strictly so that a typo in a provisioning
 * file is an error on its line rather than a certificate for the wrong
 * name.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

struct field_buf {
	char *data;
	size_t len, size;
};

static void
buf_add(struct field_buf *b, char c)
{
	if (b->len + 1 >= b->size) {
		b->size = b->size ? 2 * b->size : 64;
		b->data = xrealloc(b->data, b->size);
	}
	b->data[b->len++] = c;
}

static void
record_add(struct csv_record *rec, struct field_buf *b)
{
	rec->fields = xrealloc(rec->fields, (rec->n + 1) * sizeof(*rec->fields));
	buf_add(b, '\0');
	rec->fields[rec->n++] = b->data;
	memset(b, 0, sizeof(*b));
}

void
csv_init(struct csv_reader *r, const char *data, size_t len)
{
	r->p = data;
	r->end = data + len;
	r->line = 1;
	/* Spreadsheets save "CSV UTF-8" with a byte order mark. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

void
csv_record_clear(struct csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		free(rec->fields[i]);
	free(rec->fields);
	memset(rec, 0, sizeof(*rec));
}

/* Consumes a record end (CRLF or LF) at r->p; returns 1 if there was one. */
static int
eat_eol(struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
		return 1;
	}
	if (r->end - r->p >= 2 && r->p[0] == '\r' && r->p[1] == '\n') {
		r->p += 2;
		r->line++;
		return 1;
	}
	return 0;
}

int
csv_next(struct csv_reader *r, struct csv_record *out,
    const char **out_reason, unsigned *out_line)
{
	struct csv_record rec;
	struct field_buf b;
	const char *reason = NULL;
	unsigned err_line = 0;
	int ret = -1;

	memset(&rec, 0, sizeof(rec));
	memset(&b, 0, sizeof(b));
	csv_record_clear(out);
	while (eat_eol(r))
		;
	if (r->p >= r->end)
		return 0;
	rec.line = r->line;
	for (;;) {
		/* One field: RFC 4180 section 2, rules 5 to 7. */
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					reason = "unterminated quoted field";
					err_line = rec.line;
					goto out;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						buf_add(&b, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\0') {
					reason = "NUL byte in a field";
					err_line = r->line;
					goto out;
				}
				if (*r->p == '\n')
					r->line++;
				buf_add(&b, *r->p++);
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
			    !(*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')) {
				reason = "text after a closing quote";
				err_line = r->line;
				goto out;
			}
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' &&
			    !(*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')) {
				if (*r->p == '"') {
					reason = "quote inside an unquoted field";
					err_line = r->line;
					goto out;
				}
				if (*r->p == '\0' || *r->p == '\r') {
					reason = *r->p == '\0' ? "NUL byte in a field" :
					    "bare CR in an unquoted field";
					err_line = r->line;
					goto out;
				}
				buf_add(&b, *r->p++);
			}
		}
		record_add(&rec, &b);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		eat_eol(r);
		break;
	}
	*out = rec;
	memset(&rec, 0, sizeof(rec));
	ret = 1;
out:
	if (ret < 0) {
		*out_reason = reason;
		*out_line = err_line;
	}
	free(b.data);
	csv_record_clear(&rec);
	return ret;
}
