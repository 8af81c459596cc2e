/*
 * report: messages collected for the command to print.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

void
report_add(struct report *r, enum report_level level, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (r == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		text = xstrdup("out of memory formatting a message");
	r->lines = xrealloc(r->lines, (r->n + 1) * sizeof(*r->lines));
	r->lines[r->n].level = level;
	r->lines[r->n].text = text;
	r->n++;
}

void
report_move(struct report *dst, struct report *src)
{
	size_t i;

	if (src->n == 0)
		return;
	dst->lines = xrealloc(dst->lines, (dst->n + src->n) * sizeof(*dst->lines));
	for (i = 0; i < src->n; i++)
		dst->lines[dst->n++] = src->lines[i];
	free(src->lines);
	src->lines = NULL;
	src->n = 0;
}

void
report_clear(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->lines[i].text);
	free(r->lines);
	r->lines = NULL;
	r->n = 0;
}

char *
report_join(const struct report *r, const char *sep)
{
	size_t i, len = 1;
	char *out, *p;

	for (i = 0; i < r->n; i++)
		len += strlen(r->lines[i].text) + (i > 0 ? strlen(sep) : 0);
	p = out = xmalloc(len);
	for (i = 0; i < r->n; i++)
		p = stpcpy(i > 0 ? stpcpy(p, sep) : p, r->lines[i].text);
	*p = '\0';
	return out;
}
