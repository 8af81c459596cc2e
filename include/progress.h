/*
 * progress: one status line on a terminal, redrawn in place ("done/total,
 * rate, ETA") at most PROGRESS_HZ times a second, for long runs such as
 * a batch. Off when not enabled (stderr not a TTY, or --quiet): then
 * every call does nothing. Used by one thread.
 */
#ifndef SIPCA_PROGRESS_H
#define SIPCA_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#define PROGRESS_HZ 4

struct progress {
	FILE *f;
	int enabled;
	size_t total;
	double start;		/* monotonic seconds */
	double last_draw;
	int drawn;
};

/* Seconds on the monotonic clock. */
double progress_clock(void);

void progress_init(struct progress *p, FILE *f, size_t total, int enabled);
/* Redraws with done items, unless the last redraw was too recent. */
void progress_update(struct progress *p, size_t done);
/* Erases the line so that what follows starts on a clean one. */
void progress_end(struct progress *p);

#endif
