/*
 * progress: one status line on a terminal, redrawn in place ("done/total,
 * percent, rate, ETA") at most PROGRESS_HZ times a second, for long runs
 * such as a batch. Off when not enabled (progress_wanted() false, or
 * --quiet): then every call does nothing. Its calls must not overlap:
 * one thread, or one lock around them.
 */
#ifndef SIPCA_PROGRESS_H
#define SIPCA_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

/* Often enough to look live, rarely enough to cost nothing. */
#define PROGRESS_HZ 10

struct progress {
	FILE *f;
	int enabled;
	size_t total;
	double start;		/* monotonic seconds */
	double last_draw;
	size_t last_done;	/* the count last drawn */
	int drawn;
};

/* Seconds on the monotonic clock. */
double progress_clock(void);

/*
 * Whether fd is a terminal that redraws a line in place: a TTY whose
 * TERM is not "dumb" (which shows "ESC [ K" as text, as colour also
 * assumes).
 */
int progress_wanted(int fd);

void progress_init(struct progress *p, FILE *f, size_t total, int enabled);
/* Redraws with done items, unless the last redraw was too recent; the
 * count that reaches the total is always drawn. */
void progress_update(struct progress *p, size_t done);
/* Erases a drawn line, so that a message can take it; the next update
 * draws again at once. */
void progress_erase(struct progress *p);
/* Erases the line so that what follows starts on a clean one. */
void progress_end(struct progress *p);

#endif
