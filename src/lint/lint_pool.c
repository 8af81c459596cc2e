/*
 * lint_pool: lint_one() on several threads, results in input order
 * (include/lint_pool.h).
 *
 * Four counters run over a ring of slots: filled (the next slot the
 * submitter fills), head (the end of what it has handed over), next (the
 * next one a worker takes) and tail (the next one handed to done());
 * tail <= next <= head <= filled <= tail + cap. A slot between tail and
 * next belongs to a worker until it is done, and from then on to the
 * submitter, which alone reads and frees it: the results never need a
 * lock, only the done flags do. Slots change hands in runs of up to RUN, so
 * a certificate of a few tens of microseconds costs a fraction of a lock
 * and a wake-up, not several.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint_pool.h"
#include "util.h"

/* Certificates in flight per job: enough to keep a worker busy while the
 * submitter reads and writes, few enough that memory does not grow. */
#define SLOTS_PER_JOB 64
#define RUN 16
#define MAX_JOBS 256

struct slot {
	int done;			/* linted; the counters say the rest */
	char *file;
	unsigned index, line;
	unsigned char *der;		/* NULL: problem says why there is none */
	size_t len, cap;
	int pem;			/* der is a PEM block's text */
	char *problem;
	struct lint_cert c;
	struct lint_findings f;
};

struct lint_pool {
	const struct lint_options *o;
	lint_pool_done done;
	void *arg;
	pthread_t *threads;
	unsigned jobs, n_threads;
	int started;			/* the threads were asked for */
	pthread_mutex_t mu;
	pthread_cond_t work;		/* a slot queued, or stopping */
	pthread_cond_t ready;		/* a slot done */
	struct slot *slots;
	size_t cap, filled, head, next, tail;
	int stopping;
	/* one job: linted in place, no slot */
	struct lint_cert c;
	struct lint_findings f;
};

static void
lint_slot(const struct lint_pool *p, struct slot *s)
{
	struct lint_source src = { s->file, s->index, s->line, s->der, s->len,
	    s->problem, NULL, s->pem };

	lint_one(&src, p->o, &s->c, &s->f);
	/*
	 * Freed by the thread that allocated it: a free from another thread
	 * takes the lock of the allocating thread's malloc arena, and the
	 * writer freeing every tree made the threads wait on each other.
	 */
	lint_cert_release(&s->c);
}

static void *
worker(void *arg)
{
	struct lint_pool *p = arg;
	size_t first, n, i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stopping && p->next == p->head)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->next == p->head)
			break;		/* stopping, and nothing left */
		/* A run, leaving some for the others when there is little. */
		n = p->head - p->next;
		if (n > RUN)
			n = RUN;
		first = p->next;
		p->next += n;
		pthread_mutex_unlock(&p->mu);
		for (i = 0; i < n; i++)
			lint_slot(p, &p->slots[(first + i) % p->cap]);
		pthread_mutex_lock(&p->mu);
		for (i = 0; i < n; i++)
			p->slots[(first + i) % p->cap].done = 1;
		pthread_cond_signal(&p->ready);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * Hands the done slots from tail on to done(), in order (waiting for the
 * first when wait is set). Called and returning with the lock held;
 * done() runs without it. Returns how many were handed on.
 */
static size_t
deliver(struct lint_pool *p, int wait)
{
	struct slot *s;
	size_t n = 0, i;

	if (p->tail == p->head)
		return 0;
	while (wait && !p->slots[p->tail % p->cap].done)
		pthread_cond_wait(&p->ready, &p->mu);
	while (p->tail + n < p->head &&
	    p->slots[(p->tail + n) % p->cap].done)
		n++;
	if (n == 0)
		return 0;
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < n; i++) {
		s = &p->slots[(p->tail + i) % p->cap];
		p->done(&s->c, &s->f, p->arg);
		lint_cert_clear(&s->c);
		s->done = 0;
	}
	pthread_mutex_lock(&p->mu);
	p->tail += n;
	return n;
}

/* What was filled since the last time, to the workers. */
static void
hand_over(struct lint_pool *p)
{
	size_t n = p->filled - p->head;

	p->head = p->filled;
	if (n > RUN)
		pthread_cond_broadcast(&p->work);
	else if (n > 0)
		pthread_cond_signal(&p->work);
}

/* The source's bytes into a free slot, reusing what it holds. */
static void
fill(struct slot *s, const struct lint_source *src)
{
	if (s->file == NULL || strcmp(s->file, src->file) != 0) {
		free(s->file);
		s->file = xstrdup(src->file);
	}
	s->index = src->index;
	s->line = src->line;
	free(s->problem);
	s->problem = src->problem != NULL ? xstrdup(src->problem) : NULL;
	s->len = 0;
	s->pem = src->pem;
	if (src->der == NULL) {
		free(s->der);
		s->der = NULL;
		s->cap = 0;
		return;
	}
	if (src->len > s->cap || s->der == NULL) {
		free(s->der);
		s->cap = src->len > 0 ? src->len : 1;
		s->der = xmalloc(s->cap);
	}
	memcpy(s->der, src->der, src->len);
	s->len = src->len;
}

unsigned
lint_pool_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

struct lint_pool *
lint_pool_new(unsigned jobs, const struct lint_options *o, lint_pool_done done,
    void *arg)
{
	struct lint_pool *p = xcalloc(1, sizeof(*p));

	p->o = o;
	p->done = done;
	p->arg = arg;
	p->jobs = jobs > MAX_JOBS ? MAX_JOBS : jobs;
	return p;
}

/*
 * The threads, at the first certificate: an input with none (an empty
 * file, a stream that never holds a PEM block) starts no thread.
 */
static void
start(struct lint_pool *p)
{
	unsigned i;

	p->started = 1;
	if (p->jobs <= 1)
		return;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->ready, NULL);
	p->cap = (size_t)p->jobs * SLOTS_PER_JOB;
	p->slots = xcalloc(p->cap, sizeof(*p->slots));
	p->threads = xcalloc(p->jobs, sizeof(*p->threads));
	for (i = 0; i < p->jobs; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;	/* fewer threads still lint everything */
		p->n_threads++;
	}
}

void
lint_pool_submit(struct lint_pool *p, const struct lint_source *src)
{
	struct slot *s;

	if (!p->started)
		start(p);
	if (p->n_threads == 0) {
		/* One job, or no thread could start: in place, in order. */
		lint_one(src, p->o, &p->c, &p->f);
		p->done(&p->c, &p->f, p->arg);
		lint_cert_clear(&p->c);
		return;
	}
	if (p->filled - p->tail == p->cap) {
		/* Full: what is filled goes out, and the oldest comes back. */
		pthread_mutex_lock(&p->mu);
		hand_over(p);
		while (p->filled - p->tail == p->cap)
			deliver(p, 1);
		pthread_mutex_unlock(&p->mu);
	}
	/* Handed on (or never filled): neither workers nor done() look at it. */
	s = &p->slots[p->filled % p->cap];
	fill(s, src);
	if (++p->filled - p->head >= RUN) {
		pthread_mutex_lock(&p->mu);
		hand_over(p);
		deliver(p, 0);
		pthread_mutex_unlock(&p->mu);
	}
}

void
lint_pool_finish(struct lint_pool *p)
{
	if (p->n_threads == 0)
		return;
	pthread_mutex_lock(&p->mu);
	hand_over(p);
	while (deliver(p, 1) > 0)
		;
	pthread_mutex_unlock(&p->mu);
}

void
lint_pool_free(struct lint_pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->n_threads > 0) {
		pthread_mutex_lock(&p->mu);
		p->stopping = 1;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->mu);
		for (i = 0; i < p->n_threads; i++)
			pthread_join(p->threads[i], NULL);
	}
	for (i = 0; i < p->cap; i++) {
		lint_cert_clear(&p->slots[i].c);
		lint_findings_free(&p->slots[i].f);
		free(p->slots[i].file);
		free(p->slots[i].der);
		free(p->slots[i].problem);
	}
	if (p->threads != NULL) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->work);
		pthread_cond_destroy(&p->ready);
	}
	lint_findings_free(&p->f);
	free(p->slots);
	free(p->threads);
	free(p);
}
