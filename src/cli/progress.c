/*
 * progress: a redrawn status line. "\r" and "ESC [ K" (erase to the end
 * of the line, ECMA-48 8.3.41) keep it to one line on any terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

double
progress_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
progress_wanted(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && !(term != NULL && strcmp(term, "dumb") == 0);
}

void
progress_init(struct progress *p, FILE *f, size_t total, int enabled)
{
	p->f = f;
	p->enabled = enabled;
	p->total = total;
	p->start = progress_clock();
	p->last_draw = 0;
	p->last_done = 0;
	p->drawn = 0;
}

void
progress_update(struct progress *p, size_t done)
{
	double now, elapsed, rate;
	char eta[32] = "--:--";

	if (!p->enabled)
		return;
	now = progress_clock();
	/* The last count is never dropped: the line ends on the total. */
	if (p->drawn && (done != p->total || p->last_done == done) &&
	    now - p->last_draw < 1.0 / PROGRESS_HZ)
		return;
	elapsed = now - p->start;
	rate = elapsed > 0 ? (double)done / elapsed : 0;
	if (rate > 0 && done <= p->total) {
		long left = (long)((double)(p->total - done) / rate + 0.5);

		snprintf(eta, sizeof(eta), "%ld:%02ld", left / 60, left % 60);
	}
	fprintf(p->f, "\r%zu/%zu  %3d%%  %.0f/s  ETA %s\033[K", done, p->total,
	    p->total ? (int)(100.0 * (double)done / (double)p->total) : 100,
	    rate, eta);
	fflush(p->f);
	p->last_draw = now;
	p->last_done = done;
	p->drawn = 1;
}

void
progress_erase(struct progress *p)
{
	if (!p->enabled || !p->drawn)
		return;
	fputs("\r\033[K", p->f);
	fflush(p->f);
	p->drawn = 0;
}

void
progress_end(struct progress *p)
{
	progress_erase(p);
}
