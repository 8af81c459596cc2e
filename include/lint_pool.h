/*
 * lint_pool: lint_one() on several threads, results in input order.
 *
 * What lint_input() reads is handed to lint_pool_submit() one source at
 * a time; worker threads decode and lint, and done() receives each
 * certificate with its findings in the order the sources came, on the
 * thread that submits (so an output writer needs no lock). A fixed ring
 * of slots holds the certificates in flight: memory stays flat however
 * long the input is, and the submitter waits when the ring is full.
 * The threads start with the first certificate; with one job there is
 * no thread at all: submit lints in place.
 */
#ifndef SIPCA_LINT_POOL_H
#define SIPCA_LINT_POOL_H

#include "lint.h"

struct lint_pool;

typedef void (*lint_pool_done)(const struct lint_cert *c,
    const struct lint_findings *f, void *arg);

/* jobs threads (at least 1) linting under o, which must outlive the pool. */
struct lint_pool *lint_pool_new(unsigned jobs, const struct lint_options *o,
    lint_pool_done done, void *arg);

/* src is copied (its name, DER and problem); done() may run for earlier ones. */
void lint_pool_submit(struct lint_pool *p, const struct lint_source *src);

/* Waits for every submitted certificate and hands the rest to done(). */
void lint_pool_finish(struct lint_pool *p);

/* Stops the threads (after lint_pool_finish()) and frees the pool; NULL is fine. */
void lint_pool_free(struct lint_pool *p);

/* The default number of jobs: the CPUs online, at least 1. */
unsigned lint_pool_default_jobs(void);

#endif
