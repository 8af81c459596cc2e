/*
 * check_progress: src/cli/progress.c, the status line a batch redraws on
 * a terminal. The clock is not faked: the tests move the line's start and
 * last-draw times instead, so no test waits or depends on timing.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static void
out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(o->f);
}

/* What was written so far. */
static const char *
out_text(struct out *o)
{
	ck_assert_int_eq(fflush(o->f), 0);
	return o->buf;
}

static void
out_close(struct out *o)
{
	fclose(o->f);
	free(o->buf);
}

/* Off (stderr not a terminal, or --quiet): not one byte. */
START_TEST(test_disabled)
{
	struct out o;
	struct progress p;

	out_open(&o);
	progress_init(&p, o.f, 10, 0);
	progress_update(&p, 0);
	progress_update(&p, 5);
	progress_end(&p);
	ck_assert_str_eq(out_text(&o), "");
	out_close(&o);
}
END_TEST

struct draw_case {
	size_t total;
	double elapsed;		/* seconds since the start */
	size_t done;
	const char *want;
};

static const struct draw_case draws[] = {
	/* Nothing done yet: no rate, so no ETA. */
	{ 10, 0, 0, "\r0/10    0%  0/s  ETA --:--\033[K" },
	/* 20 of 40 in 10 s: 2/s, 10 s to go. */
	{ 40, 10, 20, "\r20/40   50%  2/s  ETA 0:10\033[K" },
	{ 2000, 500, 1000, "\r1000/2000   50%  2/s  ETA 8:20\033[K" },
	/* More done than announced, or nothing announced: no nonsense ETA. */
	{ 20, 10, 30, "\r30/20  150%  3/s  ETA --:--\033[K" },
	{ 0, 0, 0, "\r0/0  100%  0/s  ETA --:--\033[K" },
};

START_TEST(test_draw)
{
	const struct draw_case *t = &draws[_i];
	struct out o;
	struct progress p;

	out_open(&o);
	progress_init(&p, o.f, t->total, 1);
	p.start -= t->elapsed;
	progress_update(&p, t->done);
	ck_assert_str_eq(out_text(&o), t->want);
	out_close(&o);
}
END_TEST

/* At most PROGRESS_HZ redraws a second; a later one draws again. */
START_TEST(test_rate_limited)
{
	struct out o;
	struct progress p;
	size_t len;

	out_open(&o);
	progress_init(&p, o.f, 4, 1);
	progress_update(&p, 1);
	len = strlen(out_text(&o));
	ck_assert_uint_gt(len, 0);
	p.last_draw = progress_clock() + 3600;	/* as if just drawn */
	progress_update(&p, 2);
	ck_assert_uint_eq(strlen(out_text(&o)), len);
	p.last_draw -= 3600 + 1.0;		/* a second ago */
	p.start -= 10;
	progress_update(&p, 3);
	ck_assert_str_eq(out_text(&o) + len, "\r3/4   75%  0/s  ETA 0:03\033[K");
	out_close(&o);
}
END_TEST

/* The end erases a drawn line (so what follows starts clean), once. */
START_TEST(test_end)
{
	struct out o;
	struct progress p;
	size_t len;

	out_open(&o);
	progress_init(&p, o.f, 5, 1);
	progress_end(&p);
	ck_assert_str_eq(out_text(&o), "");	/* nothing drawn, nothing to erase */
	progress_update(&p, 1);
	len = strlen(out_text(&o));
	progress_end(&p);
	ck_assert_str_eq(out_text(&o) + len, "\r\033[K");
	progress_end(&p);
	ck_assert_uint_eq(strlen(out_text(&o)), len + 4);
	out_close(&o);
}
END_TEST

/* The count that reaches the total is drawn however recent the last
 * redraw, once: a run's line always ends on its total. */
START_TEST(test_total_drawn)
{
	struct out o;
	struct progress p;
	size_t len;

	out_open(&o);
	progress_init(&p, o.f, 8, 1);
	progress_update(&p, 3);
	p.last_draw = progress_clock() + 3600;	/* as if just drawn */
	p.start -= 2;
	len = strlen(out_text(&o));
	progress_update(&p, 7);
	ck_assert_uint_eq(strlen(out_text(&o)), len);	/* rate-limited */
	progress_update(&p, 8);
	ck_assert_str_eq(out_text(&o) + len, "\r8/8  100%  4/s  ETA 0:00\033[K");
	len = strlen(out_text(&o));
	p.last_draw = progress_clock() + 3600;
	progress_update(&p, 8);
	ck_assert_uint_eq(strlen(out_text(&o)), len);	/* once */
	out_close(&o);
}
END_TEST

/* A message takes the line: erased, and the next update draws at once. */
START_TEST(test_erase)
{
	struct out o;
	struct progress p;
	size_t len;

	out_open(&o);
	progress_init(&p, o.f, 8, 1);
	progress_update(&p, 1);
	len = strlen(out_text(&o));
	progress_erase(&p);
	ck_assert_str_eq(out_text(&o) + len, "\r\033[K");
	progress_erase(&p);
	ck_assert_uint_eq(strlen(out_text(&o)), len + 4);	/* nothing to erase */
	p.last_draw = progress_clock() + 3600;
	progress_update(&p, 2);
	ck_assert_uint_gt(strlen(out_text(&o)), len + 4);
	out_close(&o);
}
END_TEST

/* A terminal, unless TERM says it is dumb; never a pipe. */
START_TEST(test_wanted)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave, fds[2];

	ck_assert_int_ge(master, 0);
	ck_assert_int_eq(grantpt(master), 0);
	ck_assert_int_eq(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	ck_assert_int_ge(slave, 0);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(setenv("TERM", "xterm", 1), 0);
	ck_assert_int_eq(progress_wanted(slave), 1);
	ck_assert_int_eq(progress_wanted(fds[1]), 0);
	ck_assert_int_eq(unsetenv("TERM"), 0);
	ck_assert_int_eq(progress_wanted(slave), 1);
	ck_assert_int_eq(setenv("TERM", "dumb", 1), 0);
	ck_assert_int_eq(progress_wanted(slave), 0);
	close(fds[0]);
	close(fds[1]);
	close(slave);
	close(master);
}
END_TEST

START_TEST(test_clock)
{
	double a = progress_clock(), b = progress_clock();

	ck_assert(a > 0);
	ck_assert(b >= a);	/* monotonic */
}
END_TEST

Suite *
check_suite(void)
{
	Suite	*s = suite_create("progress");
	TCase	*tc = tcase_create("line");

	tcase_add_test(tc, test_disabled);
	tcase_add_loop_test(tc, test_draw, 0, sizeof(draws) / sizeof(draws[0]));
	tcase_add_test(tc, test_rate_limited);
	tcase_add_test(tc, test_end);
	tcase_add_test(tc, test_total_drawn);
	tcase_add_test(tc, test_erase);
	tcase_add_test(tc, test_wanted);
	tcase_add_test(tc, test_clock);
	suite_add_tcase(s, tc);
	return s;
}
