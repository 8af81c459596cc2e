/*
 * batch: sipca issue --batch FILE.
 *
 * Three stages, so that a bad file changes nothing and a good one runs
 * near the speed of the crypto:
 *
 *   1. every row is parsed and validated the way 'sipca issue' checks one
 *      request (issuance_default_sans, issuance_validate), CSRs loaded and
 *      their signatures verified, duplicate names found; any bad row is
 *      reported with its line and nothing is issued;
 *   2. under the store's writers' lock (taken once, so a crashed earlier
 *      run is recovered first), names that already hold a valid
 *      certificate are skipped: re-running a file completes it;
 *   3. worker threads build, sign and lint certificates in memory with
 *      issuance_prepare() and hand them through a bounded queue to this
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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "batch.h"
#include "ca.h"
#include "cert.h"
#include "csv.h"
#include "fileio.h"
#include "issuance.h"
#include "progress.h"
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
/* A slow group (RSA keys) is committed after this long anyway, so an
 * interruption loses little and the progress line moves. */
#define FLUSH_SECONDS 1.0
#define MAX_BATCH_FILE (256u << 20)
#define MAX_CSR_FILE (1u << 20)
#define MAX_JOBS 256

enum column {
	COL_KIND, COL_NAME, COL_URI, COL_DNS, COL_IP, COL_KEY, COL_DAYS, COL_CSR,
	N_COLUMNS,
};

static const char *const column_names[N_COLUMNS] = {
	"kind", "name", "uri", "dns", "ip", "key", "days", "csr",
};

struct batch_row {
	unsigned line;
	char *name;			/* owned; spec.name points here */
	struct issuance_spec spec;	/* sans owned; csr always NULL here */
	unsigned char *csr_der;		/* the verified request, or NULL */
	size_t csr_len;
	char *error;			/* why the row is bad, or NULL */
	int skip;			/* already holds a valid certificate */
};

struct result {
	size_t row;
	struct issuance is;
};

struct worker {
	struct batch *b;
	struct ca *ca;			/* this thread's own copy */
	pthread_t thread;
	int started;
};

struct batch {
	const struct batch_options *o;
	char *label;			/* the file as named in messages, escaped */
	struct store *store;
	struct ca *ca;			/* used by this (the writer) thread only */
	struct batch_row *rows;
	size_t n_rows;
	size_t *todo;			/* rows to issue, in file order */
	size_t n_todo;

	pthread_mutex_t ca_mu;		/* held around signing with a shared CA */
	int share_ca;			/* the key could not be copied */
	pthread_mutex_t mu;		/* guards everything below */
	pthread_cond_t can_put, can_take;
	size_t next;			/* the next todo entry to hand out */
	struct result *queue;		/* ring of QUEUE_MAX */
	size_t q_head, q_len;
	int workers_left;
	int stop;			/* the writer failed: stop working */
	size_t failed_lint, failed_op;

	/* Written by the writer thread only. */
	size_t issued, skipped;
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* "HEAD'VALUE'TAIL" with VALUE escaped: a new message. */
static char *
msg_with(const char *head, const char *value, const char *tail)
{
	char *v = text_echo(value), *m = xasprintf("%s'%s'%s", head, v, tail);

	free(v);
	return m;
}

/* Maps the header row to columns; returns 0 or -1 with *out_msg. */
static int
parse_header(const struct csv_record *rec, int *map, char **out_msg)
{
	int seen[N_COLUMNS] = { 0 };
	size_t i;
	int c;

	for (i = 0; i < rec->n; i++) {
		const char *h = trim(rec->fields[i]);

		for (c = 0; c < N_COLUMNS; c++)
			if (strcasecmp(h, column_names[c]) == 0)
				break;
		if (c == N_COLUMNS) {
			*out_msg = msg_with("unknown column ", h,
			    " (the columns are " BATCH_COLUMNS ")");
			return -1;
		}
		if (seen[c]) {
			*out_msg = msg_with("column ", h, " given twice");
			return -1;
		}
		seen[c] = 1;
		map[i] = c;
	}
	if (!seen[COL_KIND] || !seen[COL_NAME]) {
		*out_msg = xasprintf("the header row needs the columns kind and name"
		    " (the columns are %s)", BATCH_COLUMNS);
		return -1;
	}
	return 0;
}

/* Adds the space-separated values of a uri, dns or ip cell. */
static int
add_sans(struct san_list *l, enum san_type type, char *cell, char **out_msg)
{
	char *save = NULL, *v;
	const char *reason = NULL;

	for (v = strtok_r(cell, " \t", &save); v != NULL;
	    v = strtok_r(NULL, " \t", &save)) {
		if (type != SAN_IP) {
			san_list_add(l, type, v);
			continue;
		}
		if (san_list_add_ip(l, v, &reason) < 0) {
			char *tail = xasprintf(": %s", reason);

			*out_msg = msg_with("invalid IP address: ", v, tail);
			free(tail);
			return -1;
		}
	}
	return 0;
}

/*
 * A row's csr names a file under the CSV file's directory (the current
 * directory for stdin), never anything else on the machine: a file
 * handed over by someone else must not make sipca read /etc/shadow. An
 * absolute path or a ".." component is refused as written; a symbolic
 * link is followed only when its target is still under that directory
 * (realpath() on both). The check and the read are two steps, so it
 * guards against what the file says, not against someone who can
 * rename things in that directory while the batch runs.
 * Returns the path to read, or NULL with *out_msg.
 */
static char *
csr_path(const char *batch_file, const char *cell, char **out_msg)
{
	const char *slash = strrchr(batch_file, '/'), *p;
	char *dir = NULL, *path = NULL, *real_dir = NULL, *real = NULL;
	size_t n;

	if (cell[0] == '/') {
		*out_msg = msg_with("csr ", cell, ": an absolute path (the csr"
		    " column names a file under the CSV file's directory)");
		goto out;
	}
	for (p = cell; *p != '\0'; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*out_msg = msg_with("csr ", cell, ": '..' leaves the CSV"
			    " file's directory");
			goto out;
		}
	}
	if (strcmp(batch_file, "-") == 0 || slash == NULL)
		dir = xstrdup(".");
	else if (slash == batch_file)
		dir = xstrdup("/");
	else
		dir = xasprintf("%.*s", (int)(slash - batch_file), batch_file);
	path = xasprintf("%s/%s", dir, cell);
	/* What cannot be resolved is reported by the read, with its errno. */
	if ((real_dir = realpath(dir, NULL)) != NULL &&
	    (real = realpath(path, NULL)) != NULL) {
		n = strlen(real_dir);
		if (strcmp(real_dir, "/") != 0 &&
		    (strncmp(real, real_dir, n) != 0 || real[n] != '/')) {
			*out_msg = msg_with("csr ", cell, ": a symbolic link leads"
			    " out of the CSV file's directory");
			free(path);
			path = NULL;
		}
	}
out:
	free(dir);
	free(real_dir);
	free(real);
	return path;
}

/* Reads and verifies a row's CSR; keeps it as DER for the worker. */
static int
load_row_csr(struct batch *b, struct batch_row *row, const char *cell,
    char **out_msg)
{
	char *path = csr_path(b->o->file, cell, out_msg), *msg = NULL, *dropped = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t der = { NULL, 0 };
	const char *reason;
	char *tail = NULL;
	int ret = -1, gret;

	if (path == NULL)
		goto out;
	if (read_file(path, MAX_CSR_FILE, &data, &len) < 0) {
		tail = xasprintf(": %s", file_strerror(errno));
		*out_msg = msg_with("cannot read request: ", path, tail);
		goto out;
	}
	if (csr_load(data, len, &crq, &reason) < 0) {
		tail = xasprintf(": %s", reason);
		*out_msg = msg_with("invalid request: ", path, tail);
		goto out;
	}
	if (b->o->copy_san && csr_copy_sans(crq, b->o->drop_other_sans,
	    &row->spec.sans, &dropped, &msg) < 0) {
		tail = xasprintf(": %s", msg);
		*out_msg = msg_with("invalid request: ", path, tail);
		goto out;
	}
	if (dropped != NULL) {
		char *shown = text_echo(path);

		warn_msg("%s:%u: '%s': not copying the request's %s", b->label,
		    row->line, shown, dropped);
		free(shown);
	}
	if ((gret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der)) < 0) {
		tail = xasprintf(": %s", gnutls_strerror(gret));
		*out_msg = msg_with("invalid request: ", path, tail);
		goto out;
	}
	row->csr_der = xmalloc(der.size);
	memcpy(row->csr_der, der.data, der.size);
	row->csr_len = der.size;
	ret = 0;
out:
	gnutls_free(der.data);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	free(data);
	free(path);
	free(tail);
	free(msg);
	free(dropped);
	return ret;
}

/* One data row into a spec, checked the way 'sipca issue' checks one. */
static int
parse_row(struct batch *b, const struct csv_record *rec, const int *map,
    const char *domain, const char *crl_url, struct batch_row *row)
{
	char *cells[N_COLUMNS] = { NULL };
	struct issuance_spec *spec = &row->spec;
	char *msg = NULL;
	size_t i;

	for (i = 0; i < rec->n; i++)
		cells[map[i]] = trim(rec->fields[i]);
	spec->domain = domain;
	spec->crl_url = crl_url;
	spec->allow_wildcard = b->o->allow_wildcard;
	spec->allow_foreign = b->o->allow_foreign;
	spec->force = b->o->force;
	spec->key_type = b->o->key_type;
	spec->days = b->o->days;
	/* Names are case-insensitive: "Case1" and "case1" are one row's. */
	row->name = san_fold_store_name(xstrdup(cells[COL_NAME]));
	spec->name = row->name;

	if (strcmp(cells[COL_KIND], "server") == 0)
		spec->kind = KIND_SERVER;
	else if (strcmp(cells[COL_KIND], "device") == 0)
		spec->kind = KIND_DEVICE;
	else {
		msg = msg_with("unknown certificate kind: ", cells[COL_KIND],
		    " (server or device)");
		goto out;
	}
	if (cells[COL_KEY] != NULL && *cells[COL_KEY] != '\0' &&
	    key_type_parse(cells[COL_KEY], &spec->key_type) < 0) {
		msg = msg_with("unknown key type: ", cells[COL_KEY],
		    " (one of " KEY_TYPE_NAMES ")");
		goto out;
	}
	if (cells[COL_DAYS] != NULL && *cells[COL_DAYS] != '\0' &&
	    parse_long(cells[COL_DAYS], 1, 36500, &spec->days) < 0) {
		msg = msg_with("invalid days: ", cells[COL_DAYS], " (1 to 36500)");
		goto out;
	}
	if ((cells[COL_URI] != NULL &&
	    add_sans(&spec->sans, SAN_URI, cells[COL_URI], &msg) < 0) ||
	    (cells[COL_DNS] != NULL &&
	    add_sans(&spec->sans, SAN_DNS, cells[COL_DNS], &msg) < 0) ||
	    (cells[COL_IP] != NULL &&
	    add_sans(&spec->sans, SAN_IP, cells[COL_IP], &msg) < 0))
		goto out;
	if (cells[COL_CSR] != NULL && *cells[COL_CSR] != '\0' &&
	    load_row_csr(b, row, cells[COL_CSR], &msg) < 0)
		goto out;
	issuance_default_sans(spec, b->o->no_domain_dns);
	if (issuance_validate(spec, &msg) < 0)
		goto out;
out:
	row->error = msg;
	return msg == NULL ? 0 : -1;
}

static int
cmp_row_name(const void *a, const void *b, void *arg)
{
	const struct batch_row *rows = arg;
	const struct batch_row *x = &rows[*(const size_t *)a];
	const struct batch_row *y = &rows[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* A name twice in one file would be issued once and then refused. */
static void
find_duplicates(struct batch *b)
{
	size_t *idx = xcalloc(b->n_rows ? b->n_rows : 1, sizeof(*idx));
	size_t i;

	for (i = 0; i < b->n_rows; i++)
		idx[i] = i;
	qsort_r(idx, b->n_rows, sizeof(*idx), cmp_row_name, b->rows);
	for (i = 1; i < b->n_rows; i++) {
		struct batch_row *prev = &b->rows[idx[i - 1]], *cur = &b->rows[idx[i]];

		if (strcmp(prev->name, cur->name) == 0 && cur->error == NULL) {
			char *tail = xasprintf(" (also on line %u)", prev->line);

			cur->error = msg_with("duplicate name ", cur->name, tail);
			free(tail);
		}
	}
	free(idx);
}

/* Stage 1. Returns 0, or an exit status after the messages. */
static int
read_rows(struct batch *b, const char *domain, const char *crl_url)
{
	unsigned char *data = NULL;
	size_t len = 0, i, cap = 0, bad = 0;
	struct csv_reader r;
	struct csv_record rec = { NULL, 0, 0 };
	const char *reason = NULL;
	unsigned line = 0;
	int *map = NULL, ret, status = EXIT_USAGE;
	char *msg = NULL;

	if (read_file(b->o->file, MAX_BATCH_FILE, &data, &len) < 0) {
		error_msg("cannot read '%s': %s", b->label, file_strerror(errno));
		goto out;
	}
	csv_init(&r, (const char *)data, len);
	if ((ret = csv_next(&r, &rec, &reason, &line)) <= 0) {
		if (ret == 0)
			error_msg("%s: empty file: no header row (the columns are %s)",
			    b->label, BATCH_COLUMNS);
		else
			error_msg("%s:%u: %s", b->label, line, reason);
		goto out;
	}
	map = xcalloc(rec.n, sizeof(*map));
	if (parse_header(&rec, map, &msg) < 0) {
		error_msg("%s:%u: %s", b->label, rec.line, msg);
		goto out;
	}
	i = rec.n;
	while ((ret = csv_next(&r, &rec, &reason, &line)) == 1) {
		struct batch_row *row;

		if (b->n_rows == cap) {
			cap = cap ? 2 * cap : 64;
			b->rows = xrealloc(b->rows, cap * sizeof(*b->rows));
		}
		row = &b->rows[b->n_rows++];
		memset(row, 0, sizeof(*row));
		row->line = rec.line;
		if (rec.n != i) {
			row->name = xstrdup("");
			row->error = xasprintf("%zu fields where the header has %zu",
			    rec.n, i);
			continue;
		}
		parse_row(b, &rec, map, domain, crl_url, row);
	}
	if (ret < 0) {
		error_msg("%s:%u: %s", b->label, line, reason);
		goto out;
	}
	find_duplicates(b);
	for (i = 0; i < b->n_rows; i++) {
		if (b->rows[i].error != NULL) {
			error_msg("%s:%u: %s", b->label, b->rows[i].line,
			    b->rows[i].error);
			bad++;
		}
	}
	if (bad > 0) {
		error_msg("%s: %zu bad row%s: nothing issued", b->label, bad,
		    bad == 1 ? "" : "s");
		goto out;
	}
	status = EXIT_OK;
out:
	csv_record_clear(&rec);
	free(map);
	free(msg);
	free(data);
	return status;
}

/* A worker's own CA: the certificate parsed again, the key copied. */
static int
ca_copy(const struct ca *ca, struct ca **out_copy)
{
	struct ca *copy = NULL;
	gnutls_x509_privkey_t xkey = NULL;
	const char *reason = "";
	int ret, status = -1;

	if (ca_load_cert(ca->pem.data, ca->pem.size, &copy, &reason) < 0) {
		error_msg("cannot copy the CA certificate: %s", reason);
		goto out;
	}
	if ((ret = gnutls_privkey_export_x509(ca->key, &xkey)) < 0 ||
	    (ret = gnutls_privkey_init(&copy->key)) < 0 ||
	    (ret = gnutls_privkey_import_x509(copy->key, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0) {
		error_msg("cannot copy the CA key: %s", gnutls_strerror(ret));
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

/* Builds, signs and lints one row's certificate with the given CA. */
static int
prepare_row(struct batch *b, const struct batch_row *row, const struct ca *ca,
    struct issuance *out)
{
	struct issuance_spec spec = row->spec;	/* sans borrowed from the row */
	gnutls_datum_t der = { row->csr_der, (unsigned)row->csr_len };
	int ret;

	if (row->csr_der != NULL) {
		if ((ret = gnutls_x509_crq_init(&spec.csr)) < 0 ||
		    (ret = gnutls_x509_crq_import(spec.csr, &der,
		    GNUTLS_X509_FMT_DER)) < 0) {
			error_msg("%s: cannot issue: %s", row->name,
			    gnutls_strerror(ret));
			if (spec.csr != NULL)
				gnutls_x509_crq_deinit(spec.csr);
			return EXIT_OPERATIONAL;
		}
	}
	if (b->share_ca)
		pthread_mutex_lock(&b->ca_mu);
	ret = issuance_prepare(&spec, ca, out);
	if (b->share_ca)
		pthread_mutex_unlock(&b->ca_mu);
	if (spec.csr != NULL)
		gnutls_x509_crq_deinit(spec.csr);
	if (ret == EXIT_OK && out->crt != NULL) {
		/* The store needs only the bytes; the parsed tree is the bulk. */
		gnutls_x509_crt_deinit(out->crt);
		out->crt = NULL;
	}
	return ret;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	struct result r;
	size_t row;
	int status;

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
		    &r.is);

		pthread_mutex_lock(&b->mu);
		if (status != EXIT_OK) {
			if (status == EXIT_USAGE)
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
			issuance_free(&r.is);
			continue;
		}
		b->queue[(b->q_head + b->q_len) % QUEUE_MAX] = r;
		if (++b->q_len >= GROUP_MAX)
			pthread_cond_signal(&b->can_take);
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

/* A serial already recorded (p = 2^-159) is met by drawing again. */
static int
retry_serial(struct batch *b, size_t row)
{
	struct issuance is;
	struct store_issue item;
	int attempt, ret = STORE_E_SERIAL_TAKEN;

	memset(&is, 0, sizeof(is));
	for (attempt = 0; attempt < 3 && ret == STORE_E_SERIAL_TAKEN; attempt++) {
		issuance_free(&is);
		if (prepare_row(b, &b->rows[row], b->ca, &is) != EXIT_OK) {
			ret = STORE_E_IO;
			break;
		}
		issuance_to_store(&is, &b->rows[row].spec, &item);
		ret = store_issue(b->store, &item, 1, 0);
	}
	issuance_free(&is);
	return ret;
}

/* Records one group; returns 0, or -1 when the store failed as a whole. */
static int
commit_group(struct batch *b, struct result *g, size_t n,
    struct store_issue *items)
{
	size_t i;
	int ret, fatal = 0;

	for (i = 0; i < n; i++)
		issuance_to_store(&g[i].is, &b->rows[g[i].row].spec, &items[i]);
	ret = store_issue(b->store, items, n, STORE_ISSUE_GROUP_SYNC);
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
		issuance_free(&g[i].is);
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

/* Stage 3: this thread writes while the workers sign. */
static int
run_writer(struct batch *b, struct progress *pg)
{
	struct result *group = xcalloc(GROUP_MAX, sizeof(*group));
	struct store_issue *items = xcalloc(GROUP_MAX, sizeof(*items));
	double last_commit = progress_clock();
	struct timespec until;
	size_t take, i, failed;
	int finished, ready, status = 0;

	for (;;) {
		pthread_mutex_lock(&b->mu);
		ready = b->q_len >= GROUP_MAX || b->workers_left == 0 ||
		    (b->q_len > 0 && progress_clock() - last_commit >= FLUSH_SECONDS);
		if (!ready) {
			deadline_in(&until, 1.0 / PROGRESS_HZ);
			pthread_cond_timedwait(&b->can_take, &b->mu, &until);
			ready = b->q_len >= GROUP_MAX || b->workers_left == 0 ||
			    (b->q_len > 0 &&
			    progress_clock() - last_commit >= FLUSH_SECONDS);
		}
		take = ready ? (b->q_len < GROUP_MAX ? b->q_len : GROUP_MAX) : 0;
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
			last_commit = progress_clock();
		}
		pthread_mutex_lock(&b->mu);
		failed = b->failed_lint + b->failed_op;
		pthread_mutex_unlock(&b->mu);
		progress_update(pg, b->issued + b->skipped + failed);
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
				issuance_free(&b->queue[b->q_head].is);
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
 * Valid names stored before names were folded, the ones with capitals,
 * folded and sorted: a row "case1" is the same name as a stored
 * "Case1". One pass over the index for the whole file.
 */
struct legacy_names {
	char **names;
	size_t n;
};

static int
collect_legacy(const struct store_cert *c, void *arg)
{
	struct legacy_names *l = arg;
	const char *p;

	if (c->status != STATUS_VALID)
		return 0;
	for (p = c->name; *p != '\0' && !(*p >= 'A' && *p <= 'Z'); p++)
		;
	if (*p == '\0')
		return 0;
	l->names = xrealloc(l->names, (l->n + 1) * sizeof(*l->names));
	l->names[l->n++] = san_fold_store_name(xstrdup(c->name));
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Stages 2 and 3 under the writers' lock. */
static int
issue_rows(struct batch *b, struct progress *pg)
{
	struct worker *workers = NULL;
	struct store_cert *cur = NULL;
	struct store_filter valid = { NULL, NULL, STATUS_VALID, 0 };
	struct legacy_names legacy = { NULL, 0 };
	pthread_condattr_t ca_attr;
	long jobs = b->o->jobs > 0 ? b->o->jobs : default_jobs(), j;
	size_t i;
	int ret, status = EXIT_OPERATIONAL, locked = 0, sync_ready = 0;

	if ((ret = store_lock(b->store)) < 0) {
		status = signer_exit_status(ret);
		goto out;
	}
	locked = 1;
	if ((ret = store_list(b->store, &valid, collect_legacy, &legacy)) < 0)
		goto out;
	if (legacy.n > 1)
		qsort(legacy.names, legacy.n, sizeof(*legacy.names), cmp_str);
	b->todo = xcalloc(b->n_rows ? b->n_rows : 1, sizeof(*b->todo));
	for (i = 0; i < b->n_rows; i++) {
		const char *key = b->rows[i].name;

		ret = store_find_current(b->store, key, &cur);
		if (ret == STORE_E_NOTFOUND && legacy.n > 0 && bsearch(&key,
		    legacy.names, legacy.n, sizeof(*legacy.names), cmp_str) != NULL) {
			b->rows[i].skip = 1;
			b->skipped++;
		} else if (ret == STORE_OK && cur->status == STATUS_VALID) {
			b->rows[i].skip = 1;
			b->skipped++;
		} else if (ret != STORE_OK && ret != STORE_E_NOTFOUND) {
			goto out;
		} else
			b->todo[b->n_todo++] = i;
		store_cert_free(cur);
		cur = NULL;
	}
	status = EXIT_OK;
	if (b->n_todo == 0)
		goto out;

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
		if (!b->share_ca && ca_copy(b->ca, &workers[j].ca) < 0) {
			status = EXIT_OPERATIONAL;
			goto out;
		}
	}
	progress_init(pg, stderr, b->n_todo, pg->enabled);
	pthread_mutex_lock(&b->mu);
	for (j = 0; j < jobs; j++) {
		if ((ret = pthread_create(&workers[j].thread, NULL, worker_main,
		    &workers[j])) != 0) {
			error_msg("cannot start a worker thread: %s", strerror(ret));
			break;
		}
		workers[j].started = 1;
		b->workers_left++;
	}
	if (j < jobs)
		b->stop = 1;
	pthread_mutex_unlock(&b->mu);
	if (run_writer(b, pg) < 0 || j < jobs)
		status = EXIT_OPERATIONAL;
	for (j = 0; j < jobs; j++)
		if (workers[j].started)
			pthread_join(workers[j].thread, NULL);
	progress_end(pg);
out:
	for (i = 0; i < legacy.n; i++)
		free(legacy.names[i]);
	free(legacy.names);
	for (j = 0; workers != NULL && j < jobs; j++)
		ca_free(workers[j].ca);
	free(workers);
	if (sync_ready) {
		pthread_cond_destroy(&b->can_take);
		pthread_cond_destroy(&b->can_put);
		pthread_mutex_destroy(&b->mu);
		pthread_mutex_destroy(&b->ca_mu);
	}
	if (locked)
		store_unlock(b->store);
	return status;
}

int
batch_issue(const struct batch_options *o)
{
	struct batch b;
	struct progress pg;
	char *domain = NULL, *crl_url = NULL;
	double start = progress_clock(), elapsed;
	size_t i, failed;
	int status;

	memset(&b, 0, sizeof(b));
	memset(&pg, 0, sizeof(pg));
	b.o = o;
	b.label = strcmp(o->file, "-") == 0 ? xstrdup("stdin") :
	    text_escape(o->file, strlen(o->file), 0);
	pg.enabled = !o->quiet && isatty(STDERR_FILENO);

	if ((status = signer_open_store(0, &b.store)) != EXIT_OK)
		goto out;
	if (store_setting_get(b.store, "domain", &domain) < 0) {
		error_msg("the store has no SIP domain setting");
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (store_setting_get(b.store, "crl_url", &crl_url) != STORE_OK)
		crl_url = NULL;
	if ((status = read_rows(&b, domain, crl_url)) != EXIT_OK)
		goto out;
	if ((status = signer_open(b.store, 1, o->passphrase_file, &b.ca)) != EXIT_OK)
		goto out;
	status = issue_rows(&b, &pg);

	failed = b.failed_lint + b.failed_op;
	if (status == EXIT_OK && b.failed_op > 0)
		status = EXIT_OPERATIONAL;
	else if (status == EXIT_OK && b.failed_lint > 0)
		status = EXIT_FINDINGS;
	elapsed = progress_clock() - start;
	if (!o->quiet)
		printf("issued %zu, skipped %zu (already valid), failed %zu in %.1fs"
		    " (%.0f/s)\n", b.issued, b.skipped, failed, elapsed,
		    elapsed > 0 ? (double)b.issued / elapsed : 0.0);
out:
	for (i = 0; i < b.n_rows; i++) {
		san_list_clear(&b.rows[i].spec.sans);
		free(b.rows[i].name);
		free(b.rows[i].csr_der);
		free(b.rows[i].error);
	}
	free(b.rows);
	free(b.label);
	free(b.todo);
	free(b.queue);
	ca_free(b.ca);
	store_close(b.store);
	free(domain);
	free(crl_url);
	return status;
}
