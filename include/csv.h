/*
 * csv: a strict RFC 4180 reader over a buffer in memory: comma-separated
 * fields, records ended by CRLF (or a bare LF, as Unix tools write),
 * fields in double quotes that may hold commas, line breaks and doubled
 * quotes. It knows nothing of what the columns mean.
 *
 * Every record carries the physical line it starts on, so a caller can
 * say "batch.csv:12: ..." even when a quoted field spans lines.
 */
#ifndef SIPCA_CSV_H
#define SIPCA_CSV_H

#include <stddef.h>

struct csv_reader {
	const char *p, *end;	/* borrowed: the buffer given to csv_init() */
	unsigned line;		/* the line p is on, 1-based */
};

struct csv_record {
	char **fields;		/* owned, each NUL-terminated */
	size_t n;
	unsigned line;		/* the line the record starts on */
};

/* Reads data[0..len); a UTF-8 byte order mark at the start is skipped. */
void csv_init(struct csv_reader *r, const char *data, size_t len);

/*
 * The next record into *out (cleared first). Empty lines are skipped.
 * Returns 1 for a record, 0 at the end of the data, or -1 after pointing
 * *out_reason at a static message; *out_line then says where it went
 * wrong, and the reader cannot go on.
 */
int csv_next(struct csv_reader *r, struct csv_record *out,
    const char **out_reason, unsigned *out_line);

void csv_record_clear(struct csv_record *rec);

#endif
