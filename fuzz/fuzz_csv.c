/*
 * fuzz_csv: the RFC 4180 reader "issue --batch" reads its file with
 * (src/util/csv.c): every record until the end or the first error, which
 * must name a reason and a line not past the input's last.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r;
	struct csv_record rec;
	const char *reason;
	unsigned line = 0, lines = 1, prev = 0;
	size_t i;
	int ret;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&rec, 0, sizeof(rec));
	csv_init(&r, (const char *)data, size);
	for (;;) {
		reason = NULL;
		ret = csv_next(&r, &rec, &reason, &line);
		if (ret <= 0)
			break;
		/* Records come in order, each on a line that exists. */
		if (rec.line < prev || rec.line > lines || rec.n == 0)
			abort();
		for (i = 0; i < rec.n; i++)
			if (rec.fields[i] == NULL)
				abort();
		prev = rec.line;
		csv_record_clear(&rec);
	}
	if (ret < 0 && (reason == NULL || line == 0 || line > lines))
		abort();
	csv_record_clear(&rec);
	return 0;
}
