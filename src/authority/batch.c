/*
 * batch: the run of a batch plan (batch_plan.c holds stage 1).
 *
 * Three stages, so that a bad file changes nothing and a good one runs
 * near the speed of the crypto:
 *
 *   1. every row is parsed and validated (batch_plan.c); any bad row is
 *      reported with its line and nothing is issued;
 *   2. under the store's writers' lock (taken once, so a crashed earlier
 *      run is recovered first), names that already hold a valid
 *      certificate are skipped: re-running a file completes it;
 *   3. worker threads build, sign and lint certificates in memory with
 *      issuance_prepare(), write their files ahead (store_prep_write: on
 *      the workers' cores, so that this one thread does not bound the
 *      rate) and hand them through a bounded queue to this
 *      thread, which records groups of them with one store_issue() call
 *      each (one transaction per phase, one syncfs() per phase), so the
 *      store's crash protocol holds for every certificate while memory
 *      stays flat however long the file is.
 *
 * GnuTLS objects may be used by one thread at a time only ("thread safe
 * by design ... as long as a single thread accesses a single object",
 * GnuTLS manual 1.4.1), and signing with the CA touches both its key and
 * its certificate (the issuer name is copied out of the CA's ASN.1
 * tree). So each worker gets its own copy of the CA, certificate and
 * unlocked key, made once when it starts; the passphrase is asked once.
 * A key that cannot be copied (on a token) is shared under a mutex: the
 * token serialises its signatures anyway.
 */
#include <errno.h>
#include <limits.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "batch.h"
#include "ca.h"
#include "cert.h"
#include "issuance.h"
#include "leaf.h"
#include "report.h"
#include "san.h"
#include "signer.h"
#include "store.h"
#include "util.h"

/*
 * A group is one store_issue() call: large enough that its syncfs()
 * calls (which wait for every writer on the file system, not just us)
 * are cheap per certificate, small enough to bound memory: two groups
 * of queued certificates are a few MiB.
 */
#define GROUP_MAX 1024
#define QUEUE_MAX (2 * GROUP_MAX)
/*
 * The last group is committed after the workers are done, by this
 * thread alone: a batch's groups are an eighth of it (within these
 * bounds), so that tail stays a small part of the run.
 */
#define GROUP_MIN 64
#define GROUP_SHARE 8
/* A slow group (RSA keys) is committed after this long anyway, so an
 * interruption loses little and the progress line moves. */
#define FLUSH_SECONDS 1.0
/* How often the writer wakes to tell the command how far it is (the
 * command's line redraws at most 10 times a second). */
#define TICK_HZ 10
#define MAX_JOBS 256

struct prepared {
	size_t row;
	struct issuance is;
	int prepared;			/* its files are written ahead (store.h) */
};

struct worker {
	struct batch *b;
	struct ca *ca;			/* this thread's own copy */
	pthread_t thread;
	int started;
};

struct batch {
	const struct batch_hooks *hooks;
	struct store *store;
	const struct ca *ca;		/* used by the writer thread (and shared workers) */
	/* What every certificate shares, encoded once; read by every worker. */
	struct leaf_template *leaf;
	/* Where the workers write each certificate's files (store.h). */
	struct store_prep *prep;
	struct batch_row *rows;
	size_t n_rows;
	size_t *todo;			/* rows to issue, in file order */
	size_t n_todo;
	size_t group;			/* certificates per store_issue() call */

	pthread_mutex_t ca_mu;		/* held around signing with a shared CA */
	int share_ca;			/* the key could not be copied */
	pthread_mutex_t mu;		/* guards everything below, and the report hook */
	pthread_cond_t can_put, can_take;
	size_t next;			/* the next todo entry to hand out */
	struct prepared *queue;		/* ring of QUEUE_MAX */
	size_t q_head, q_len;
	int workers_left;
	int stop;			/* the writer failed: stop working */
	size_t failed_lint, failed_op;
	size_t handled;			/* rows the workers are done with, signed or not */

	/* Written by the writer thread only. */
	size_t issued, skipped;
};

/* Seconds on the monotonic clock. */
static double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Hands rep to the command (with b->mu held, or before the workers
 * start), then clears it.
 */
static void
emit(struct batch *b, struct report *rep)
{
	if (rep->n > 0 && b->hooks != NULL && b->hooks->report != NULL)
		b->hooks->report(b->hooks->arg, rep);
	report_clear(rep);
}

static void
emit_locked(struct batch *b, struct report *rep)
{
	if (rep->n == 0)
		return;
	pthread_mutex_lock(&b->mu);
	emit(b, rep);
	pthread_mutex_unlock(&b->mu);
}

static int
ca_copy(const struct ca *ca, struct ca **out_copy, struct report *rep)
{
	struct ca *copy = NULL;
	gnutls_x509_privkey_t xkey = NULL;
	const char *reason = "";
	int ret, status = -1;

	if (ca_load_cert(ca->pem.data, ca->pem.size, &copy, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot copy the CA certificate: %s",
		    reason);
		goto out;
	}
	if ((ret = gnutls_privkey_export_x509(ca->key, &xkey)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot copy the CA key:"
		    " gnutls_privkey_export_x509: %s", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_privkey_init(&copy->key)) < 0 ||
	    (ret = gnutls_privkey_import_x509(copy->key, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot copy the CA key:"
		    " gnutls_privkey_import_x509: %s", gnutls_strerror(ret));
		goto out;
	}
	xkey = NULL;	/* owned by copy->key now */
	*out_copy = copy;
	copy = NULL;
	status = 0;
out:
	if (xkey != NULL)
		gnutls_x509_privkey_deinit(xkey);
	ca_free(copy);
	return status;
}

/* The row's spec with its request parsed again: a GnuTLS object per thread. */
static enum result
row_spec(const struct batch_row *row, struct issuance_spec *out,
    struct report *rep)
{
	gnutls_datum_t der = { row->csr_der, (unsigned)row->csr_len };
	int ret;

	*out = row->spec;	/* sans borrowed from the row */
	out->csr = NULL;
	if (row->csr_der == NULL)
		return RESULT_OK;
	if ((ret = gnutls_x509_crq_init(&out->csr)) < 0 ||
	    (ret = gnutls_x509_crq_import(out->csr, &der, GNUTLS_X509_FMT_DER)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: cannot issue:"
		    " gnutls_x509_crq_import: %s", row->name, gnutls_strerror(ret));
		if (out->csr != NULL)
			gnutls_x509_crq_deinit(out->csr);
		out->csr = NULL;
		return RESULT_E_FAILED;
	}
	return RESULT_OK;
}

/* Builds, signs and lints one row's certificate with the given CA. */
static enum result
prepare_row(struct batch *b, const struct batch_row *row, const struct ca *ca,
    struct issuance *out, struct report *rep)
{
	struct issuance_spec spec;
	enum result r;

	if ((r = row_spec(row, &spec, rep)) != RESULT_OK)
		return r;
	spec.leaf = b->leaf;
	if (b->share_ca)
		pthread_mutex_lock(&b->ca_mu);
	r = issuance_prepare(&spec, ca, out, rep);
	if (b->share_ca)
		pthread_mutex_unlock(&b->ca_mu);
	if (spec.csr != NULL)
		gnutls_x509_crq_deinit(spec.csr);
	return r;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	struct prepared r;
	struct report rep = { NULL, 0 };
	size_t row;
	enum result status;

	for (;;) {
		pthread_mutex_lock(&b->mu);
		if (b->stop || b->next >= b->n_todo) {
			b->workers_left--;
			pthread_cond_signal(&b->can_take);
			pthread_mutex_unlock(&b->mu);
			break;
		}
		row = b->todo[b->next++];
		pthread_mutex_unlock(&b->mu);

		memset(&r, 0, sizeof(r));
		r.row = row;
		status = prepare_row(b, &b->rows[row], w->ca != NULL ? w->ca : b->ca,
		    &r.is, &rep);

		if (status == RESULT_OK) {
			/* The files on this core, not the writer's: the writer
			 * thread is what would keep the cores from scaling. */
			struct store_issue item;

			issuance_to_store(&r.is, &b->rows[row].spec, &item);
			r.prepared = store_prep_write(b->prep, &item) == 0;
		}

		pthread_mutex_lock(&b->mu);
		emit(b, &rep);
		b->handled++;	/* the lock is taken anyway: no cost per row */
		if (status != RESULT_OK) {
			if (status == RESULT_E_REFUSED)
				b->failed_lint++;
			else
				b->failed_op++;
			pthread_mutex_unlock(&b->mu);
			continue;
		}
		while (b->q_len == QUEUE_MAX && !b->stop)
			pthread_cond_wait(&b->can_put, &b->mu);
		if (b->stop) {
			pthread_mutex_unlock(&b->mu);
			issuance_clear(&r.is);
			continue;
		}
		b->queue[(b->q_head + b->q_len) % QUEUE_MAX] = r;
		if (++b->q_len >= b->group)
			pthread_cond_signal(&b->can_take);
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

/* A serial already recorded (p = 2^-159): issuance_issue() draws again. */
static int
retry_serial(struct batch *b, size_t row)
{
	struct issuance is;
	struct issuance_spec spec;
	struct report rep = { NULL, 0 };
	int ret = STORE_E_IO;

	memset(&is, 0, sizeof(is));
	if (row_spec(&b->rows[row], &spec, &rep) == RESULT_OK) {
		spec.leaf = b->leaf;
		if (b->share_ca)
			pthread_mutex_lock(&b->ca_mu);
		if (issuance_issue(b->store, &spec, b->ca, NULL, &is, &ret, &rep) !=
		    RESULT_OK && ret == STORE_OK)
			ret = STORE_E_IO;	/* refused or failed to prepare */
		if (b->share_ca)
			pthread_mutex_unlock(&b->ca_mu);
		if (spec.csr != NULL)
			gnutls_x509_crq_deinit(spec.csr);
	}
	emit_locked(b, &rep);
	issuance_clear(&is);
	return ret;
}

/* Records one group; returns 0, or -1 when the store failed as a whole. */
static int
commit_group(struct batch *b, struct prepared *g, size_t n,
    struct store_issue *items)
{
	struct report rep = { NULL, 0 };
	size_t i;
	int ret, fatal = 0;

	for (i = 0; i < n; i++) {
		/* Strings borrowed from g[i].is, which lives here now. */
		issuance_to_store(&g[i].is, &b->rows[g[i].row].spec, &items[i]);
		items[i].prepared = g[i].prepared;
	}
	ret = store_issue(b->store, items, n, STORE_ISSUE_GROUP_SYNC);
	store_take_messages(b->store, &rep);
	emit_locked(b, &rep);
	if (ret != STORE_OK && ret != STORE_E_NAME_TAKEN &&
	    ret != STORE_E_SERIAL_TAKEN)
		fatal = 1;
	for (i = 0; i < n; i++) {
		int r = fatal ? STORE_E_IO : items[i].result;

		if (r == STORE_E_SERIAL_TAKEN)
			r = retry_serial(b, g[i].row);
		if (r == STORE_OK)
			b->issued++;
		else if (r == STORE_E_NAME_TAKEN)
			b->skipped++;	/* issued by someone else since */
		else {
			pthread_mutex_lock(&b->mu);
			b->failed_op++;
			pthread_mutex_unlock(&b->mu);
		}
		issuance_clear(&g[i].is);
	}
	return fatal ? -1 : 0;
}

static void
deadline_in(struct timespec *ts, double seconds)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += (long)(seconds * 1e9);
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

/*
 * How far the run is, per row (signed and queued, or failed), with b->mu
 * held so that it never overlaps a report: the command may erase its
 * line to print one.
 */
static void
tell_progress(struct batch *b)
{
	pthread_mutex_lock(&b->mu);
	if (b->hooks != NULL && b->hooks->progress != NULL)
		b->hooks->progress(b->hooks->arg, b->handled);
	pthread_mutex_unlock(&b->mu);
}

/* Stage 3: this thread writes while the workers sign. */

static int
run_writer(struct batch *b)
{
	struct prepared *group = xcalloc(GROUP_MAX, sizeof(*group));
	struct store_issue *items = xcalloc(GROUP_MAX, sizeof(*items));
	double last_commit = clock_now();
	struct timespec until;
	size_t take, i;
	int finished, ready, status = 0;

	for (;;) {
		pthread_mutex_lock(&b->mu);
		ready = b->q_len >= b->group || b->workers_left == 0 ||
		    (b->q_len > 0 && clock_now() - last_commit >= FLUSH_SECONDS);
		if (!ready) {
			deadline_in(&until, 1.0 / TICK_HZ);
			pthread_cond_timedwait(&b->can_take, &b->mu, &until);
			ready = b->q_len >= b->group || b->workers_left == 0 ||
			    (b->q_len > 0 &&
			    clock_now() - last_commit >= FLUSH_SECONDS);
		}
		take = ready ? (b->q_len < b->group ? b->q_len : b->group) : 0;
		for (i = 0; i < take; i++) {
			group[i] = b->queue[b->q_head];
			b->q_head = (b->q_head + 1) % QUEUE_MAX;
		}
		b->q_len -= take;
		if (take > 0)
			pthread_cond_broadcast(&b->can_put);
		finished = b->workers_left == 0 && b->q_len == 0;
		pthread_mutex_unlock(&b->mu);

		if (take > 0) {
			if (commit_group(b, group, take, items) < 0) {
				status = -1;
				break;
			}
			last_commit = clock_now();
		}
		tell_progress(b);
		if (finished)
			break;
	}
	if (status < 0) {
		/* Stop the workers and drop what they made: a re-run issues it. */
		pthread_mutex_lock(&b->mu);
		b->stop = 1;
		pthread_cond_broadcast(&b->can_put);
		while (b->workers_left > 0 || b->q_len > 0) {
			while (b->q_len > 0) {
				issuance_clear(&b->queue[b->q_head].is);
				b->q_head = (b->q_head + 1) % QUEUE_MAX;
				b->q_len--;
				b->failed_op++;
			}
			if (b->workers_left > 0)
				pthread_cond_wait(&b->can_take, &b->mu);
		}
		pthread_mutex_unlock(&b->mu);
	}
	free(group);
	free(items);
	return status;
}

static long
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}

/*
 * The store's valid names, folded and sorted, from one pass over the
 * index for the whole file: a row whose name is there is skipped, with
 * no query per row. Folded because a name stored with capitals by an
 * older sipca ("Case1") is the same name as a row "case1".
 */
struct valid_names {
	char **names;
	size_t n, cap;
};

static int
collect_valid(const struct store_cert *c, void *arg)
{
	struct valid_names *l = arg;

	if (c->status != STATUS_VALID)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
	}
	l->names[l->n++] = san_fold_store_name(xstrdup(c->name));
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Stages 2 and 3 under the writers' lock. */
static enum result
issue_rows(struct batch *b, long want_jobs)
{
	struct worker *workers = NULL;
	struct store_filter valid = { NULL, NULL, STATUS_VALID, 0 };
	struct valid_names have = { NULL, 0, 0 };
	struct report rep = { NULL, 0 };
	pthread_condattr_t ca_attr;
	long jobs = want_jobs > 0 ? want_jobs : default_jobs(), j;
	const char *reason = NULL;
	size_t i;
	enum result status = RESULT_E_FAILED;
	int ret, locked = 0, sync_ready = 0;

	if ((ret = store_lock(b->store)) < 0) {
		store_take_messages(b->store, &rep);
		status = signer_store_result(ret);
		goto out;
	}
	locked = 1;
	if ((ret = store_list(b->store, &valid, collect_valid, &have)) < 0) {
		store_take_messages(b->store, &rep);
		goto out;
	}
	if (have.n > 1)
		qsort(have.names, have.n, sizeof(*have.names), cmp_str);
	b->todo = xcalloc(b->n_rows ? b->n_rows : 1, sizeof(*b->todo));
	for (i = 0; i < b->n_rows; i++) {
		const char *key = b->rows[i].name;

		if (have.n > 0 && bsearch(&key, have.names, have.n,
		    sizeof(*have.names), cmp_str) != NULL) {
			b->rows[i].skip = 1;
			b->skipped++;
		} else
			b->todo[b->n_todo++] = i;
	}
	status = RESULT_OK;
	if (b->n_todo == 0)
		goto out;
	if ((ret = store_prep_open(b->store, &b->prep)) < 0) {
		store_take_messages(b->store, &rep);
		status = signer_store_result(ret);
		goto out;
	}
	/* Rows for another CRL URL than the first's make their own (leaf.h). */
	if (leaf_template_new(b->ca, b->rows[b->todo[0]].spec.crl_url, &b->leaf,
	    &reason) < 0) {
		report_add(&rep, REPORT_MESSAGE, "cannot issue: %s", reason);
		status = RESULT_E_FAILED;
		goto out;
	}

	b->group = b->n_todo / GROUP_SHARE;
	b->group = b->group < GROUP_MIN ? GROUP_MIN :
	    b->group > GROUP_MAX ? GROUP_MAX : b->group;
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if ((size_t)jobs > b->n_todo)
		jobs = (long)b->n_todo;
	pthread_mutex_init(&b->mu, NULL);
	pthread_mutex_init(&b->ca_mu, NULL);
	pthread_condattr_init(&ca_attr);
	pthread_condattr_setclock(&ca_attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->can_take, &ca_attr);
	pthread_cond_init(&b->can_put, NULL);
	pthread_condattr_destroy(&ca_attr);
	sync_ready = 1;
	b->queue = xcalloc(QUEUE_MAX, sizeof(*b->queue));
	workers = xcalloc((size_t)jobs, sizeof(*workers));
	b->share_ca = gnutls_privkey_get_type(b->ca->key) != GNUTLS_PRIVKEY_X509;
	for (j = 0; j < jobs; j++) {
		workers[j].b = b;
		if (!b->share_ca && ca_copy(b->ca, &workers[j].ca, &rep) < 0) {
			status = RESULT_E_FAILED;
			goto out;
		}
	}
	if (b->hooks != NULL && b->hooks->start != NULL)
		b->hooks->start(b->hooks->arg, b->n_todo);
	pthread_mutex_lock(&b->mu);
	for (j = 0; j < jobs; j++) {
		if ((ret = pthread_create(&workers[j].thread, NULL, worker_main,
		    &workers[j])) != 0) {
			report_add(&rep, REPORT_MESSAGE, "cannot start a worker thread:"
			    " pthread_create: %s", strerror(ret));
			break;
		}
		workers[j].started = 1;
		b->workers_left++;
	}
	if (j < jobs)
		b->stop = 1;
	emit(b, &rep);
	pthread_mutex_unlock(&b->mu);
	if (run_writer(b) < 0 || j < jobs)
		status = RESULT_E_FAILED;
	for (j = 0; j < jobs; j++)
		if (workers[j].started)
			pthread_join(workers[j].thread, NULL);
	if (b->hooks != NULL && b->hooks->end != NULL)
		b->hooks->end(b->hooks->arg);
out:
	emit(b, &rep);
	for (i = 0; i < have.n; i++)
		free(have.names[i]);
	free(have.names);
	for (j = 0; workers != NULL && j < jobs; j++)
		ca_free(workers[j].ca);
	free(workers);
	if (sync_ready) {
		pthread_cond_destroy(&b->can_take);
		pthread_cond_destroy(&b->can_put);
		pthread_mutex_destroy(&b->mu);
		pthread_mutex_destroy(&b->ca_mu);
	}
	store_prep_close(b->prep);
	b->prep = NULL;
	if (locked)
		store_unlock(b->store);
	leaf_template_free(b->leaf);
	b->leaf = NULL;
	free(b->todo);
	free(b->queue);
	return status;
}

enum result
batch_run(struct batch_plan *plan, struct store *s, const struct ca *ca,
    long jobs, const struct batch_hooks *hooks, struct batch_counts *out)
{
	struct batch b;
	enum result r;

	memset(&b, 0, sizeof(b));
	b.hooks = hooks;
	b.store = s;
	b.ca = ca;
	b.rows = plan->rows;
	b.n_rows = plan->n_rows;
	r = issue_rows(&b, jobs);
	out->issued = b.issued;
	out->skipped = b.skipped;
	out->failed_lint = b.failed_lint;
	out->failed_op = b.failed_op;
	return r;
}

