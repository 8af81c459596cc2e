/*
 * scep_load: SCEP enrollments (RFC 8894 PKCSReq, POST PKIOperation)
 * from concurrent clients against one server, with every request made
 * before the clock starts: RSA-2048 keys (a pool, reused across
 * requests: the server's cost does not depend on it), a CSR with the
 * challengePassword per request, the pkiMessage (sipca's scep_msg.h,
 * the client's side) encrypted to the server's recipient certificate.
 * Each reply is read fully (signature verified, envelope opened, a
 * certificate in it) or counted as a failure.
 *
 *   scep_load URL RECIPIENT.pem CHALLENGES N CLIENTS KEYS
 *
 * URL is the SCEP endpoint (.../scep). RECIPIENT.pem encrypts the
 * request and verifies the reply (sipca's RA; a CA that is its own RA).
 * CHALLENGES is a file of name,challenge lines (what issue --batch
 * --scep-challenges writes; a header line is skipped), one per request,
 * or "static:SECRET" for names bench-RUN-I sharing one challenge. Prints one
 * line: "N enrollments, F failed, S s, R/s, p50 X ms, p99 Y ms". Exit 0
 * when nothing failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "scep_msg.h"

struct req {
	gnutls_datum_t msg;
	int key;			/* index into the key pool */
	double ms;			/* latency */
	int ok;
};

static struct {
	const char *url;
	gnutls_x509_crt_t recipient;
	gnutls_privkey_t *keys;
	gnutls_x509_crt_t *signers;
	struct req *reqs;
	size_t n;
	size_t next;
	pthread_mutex_t lock;
} g;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
die(const char *what, int ret)
{
	fprintf(stderr, "scep_load: %s: %s\n", what,
	    ret < 0 ? gnutls_strerror(ret) : "failed");
	exit(2);
}

static gnutls_x509_crt_t
load_cert(const char *path)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t c;
	int ret;

	if ((ret = gnutls_load_file(path, &d)) < 0)
		die(path, ret);
	gnutls_x509_crt_init(&c);
	if ((ret = gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM)) < 0)
		die(path, ret);
	gnutls_free(d.data);
	return c;
}

/* A key and the self-signed certificate that signs its requests (3.2.1). */
static void
make_key(int i)
{
	gnutls_x509_privkey_t xk;
	gnutls_x509_crt_t c;
	unsigned char serial[8];
	time_t t = time(NULL);
	int ret;

	gnutls_x509_privkey_init(&xk);
	if ((ret = gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, 2048, 0)) < 0)
		die("RSA-2048 key", ret);
	gnutls_privkey_init(&g.keys[i]);
	gnutls_privkey_import_x509(g.keys[i], xk, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	gnutls_x509_crt_init(&c);
	gnutls_x509_crt_set_version(c, 3);
	gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] &= 0x7f;
	gnutls_x509_crt_set_serial(c, serial, sizeof(serial));
	gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0,
	    "scep-load", 9);
	gnutls_x509_crt_set_activation_time(c, t - 60);
	gnutls_x509_crt_set_expiration_time(c, t + 86400);
	gnutls_x509_crt_set_key(c, xk);
	if ((ret = gnutls_x509_crt_privkey_sign(c, c, g.keys[i], GNUTLS_DIG_SHA256,
	    0)) < 0)
		die("self-signed certificate", ret);
	g.signers[i] = c;
}

static void
make_request(size_t i, const char *name, const char *challenge, int key)
{
	gnutls_x509_crq_t crq;
	gnutls_pubkey_t pub;
	gnutls_datum_t der = { NULL, 0 };
	struct scep_request_spec spec;
	unsigned char rnd[16];
	char txid[33], err[256];
	int ret, k;

	gnutls_x509_crq_init(&crq);
	gnutls_pubkey_init(&pub);
	gnutls_pubkey_import_privkey(pub, g.keys[key], 0, 0);
	gnutls_x509_crq_set_version(crq, 1);
	gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, name,
	    strlen(name));
	gnutls_x509_crq_set_pubkey(crq, pub);
	if ((ret = gnutls_x509_crq_set_challenge_password(crq, challenge)) < 0 ||
	    (ret = gnutls_x509_crq_privkey_sign(crq, g.keys[key], GNUTLS_DIG_SHA256,
	    0)) < 0 ||
	    (ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der)) < 0)
		die("CSR", ret);
	/* A transactionID of its own: the server answers a repeated one
	 * from its record, which is not an enrollment. */
	gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd));
	for (k = 0; k < 16; k++)
		snprintf(txid + 2 * k, 3, "%02X", rnd[k]);
	memset(&spec, 0, sizeof(spec));
	spec.type = SCEP_PKCS_REQ;
	spec.transaction_id = txid;
	spec.content = &der;
	spec.signer = g.signers[key];
	spec.signer_key = g.keys[key];
	spec.digest = GNUTLS_DIG_SHA256;
	spec.recipient = g.recipient;
	spec.cipher = CMS_AES128_CBC;
	if (scep_request_make(&spec, &g.reqs[i].msg, err, sizeof(err)) < 0) {
		fprintf(stderr, "scep_load: request %zu: %s\n", i, err);
		exit(2);
	}
	g.reqs[i].key = key;
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crq_deinit(crq);
}

struct body {
	unsigned char *data;
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	unsigned char *grown = realloc(b->data, b->len + size * n);

	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, p, size * n);
	b->data = grown;
	b->len += size * n;
	return size * n;
}

static void *
client(void *arg)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL,
	    "Content-Type: application/x-pki-message");
	char url[1024], err[256] = "";
	(void)arg;

	snprintf(url, sizeof(url), "%s?operation=PKIOperation", g.url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	for (;;) {
		struct body b = { NULL, 0 };
		struct scep_reply rep;
		struct req *r;
		long code = 0;
		size_t i;
		double t0;

		pthread_mutex_lock(&g.lock);
		i = g.next++;
		pthread_mutex_unlock(&g.lock);
		if (i >= g.n)
			break;
		r = &g.reqs[i];
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->msg.data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)r->msg.size);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		t0 = now_ms();
		memset(&rep, 0, sizeof(rep));
		if (curl_easy_perform(c) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
		    code == 200 &&
		    scep_reply_parse(b.data, b.len, g.recipient, g.signers[r->key],
		    g.keys[r->key], &rep, err, sizeof(err)) == 0 &&
		    rep.status == SCEP_SUCCESS && rep.n_certs > 0)
			r->ok = 1;
		else if (getenv("SCEP_LOAD_DEBUG") != NULL)
			fprintf(stderr, "scep_load: request %zu: HTTP %ld, %zu octets,"
			    " status %d: %s\n", i, code, b.len, (int)rep.status, err);
		r->ms = now_ms() - t0;
		scep_reply_clear(&rep);
		free(b.data);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	FILE *f = NULL;
	char line[512], **names, **challenges, *secret = NULL;
	size_t i, n, failed = 0, got = 0;
	unsigned run = 0;
	long clients, nkeys;
	pthread_t *th;
	double t0, secs, *lat;

	if (argc != 7) {
		fprintf(stderr, "usage: scep_load URL RECIPIENT.pem CHALLENGES N CLIENTS KEYS\n");
		return 2;
	}
	g.url = argv[1];
	n = strtoul(argv[4], NULL, 10);
	clients = strtol(argv[5], NULL, 10);
	nkeys = strtol(argv[6], NULL, 10);
	if (n == 0 || clients < 1 || nkeys < 1)
		return 2;
	gnutls_global_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	g.recipient = load_cert(argv[2]);
	names = calloc(n, sizeof(*names));
	challenges = calloc(n, sizeof(*challenges));
	if (strncmp(argv[3], "static:", 7) == 0)
		secret = argv[3] + 7;
	else if ((f = fopen(argv[3], "r")) == NULL) {
		perror(argv[3]);
		return 2;
	}
	gnutls_rnd(GNUTLS_RND_NONCE, &run, sizeof(run));
	for (i = 0; i < n; i++) {
		if (secret != NULL) {
			char *nm = malloc(48);

			/* A name of its own per run: a server may refuse a second
			 * certificate for a name (micromdm's -allowrenew). */
			snprintf(nm, 48, "bench-%08x-%zu", run, i);
			names[i] = nm;
			challenges[i] = strdup(secret);
			continue;
		}
		do {
			if (fgets(line, sizeof(line), f) == NULL) {
				fprintf(stderr, "scep_load: %s: %zu challenges for %zu requests\n",
				    argv[3], got, n);
				return 2;
			}
			line[strcspn(line, "\r\n")] = '\0';
		} while (strncmp(line, "name,", 5) == 0 || strchr(line, ',') == NULL);
		*strchr(line, ',') = '\0';
		names[i] = strdup(line);
		challenges[i] = strdup(line + strlen(line) + 1);
		*strchrnul(challenges[i], ',') = '\0';
		got++;
	}
	if (f != NULL)
		fclose(f);
	g.keys = calloc(nkeys, sizeof(*g.keys));
	g.signers = calloc(nkeys, sizeof(*g.signers));
	for (i = 0; i < (size_t)nkeys; i++)
		make_key(i);
	g.reqs = calloc(n, sizeof(*g.reqs));
	g.n = n;
	for (i = 0; i < n; i++)
		make_request(i, names[i], challenges[i], i % nkeys);
	pthread_mutex_init(&g.lock, NULL);
	th = calloc(clients, sizeof(*th));
	t0 = now_ms();
	for (i = 0; i < (size_t)clients; i++)
		pthread_create(&th[i], NULL, client, NULL);
	for (i = 0; i < (size_t)clients; i++)
		pthread_join(th[i], NULL);
	secs = (now_ms() - t0) / 1e3;
	lat = calloc(n, sizeof(*lat));
	for (i = 0; i < n; i++) {
		lat[i] = g.reqs[i].ms;
		failed += !g.reqs[i].ok;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("%zu enrollments, %zu failed, %.2f s, %.1f/s, p50 %.1f ms, p99 %.1f ms\n",
	    n, failed, secs, (double)(n - failed) / secs, lat[n / 2],
	    lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]);
	/* Everything freed, so that the sanitizer builds (make VARIANT=san
	 * check runs it in scep_interop) see no leak. */
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(challenges[i]);
		gnutls_free(g.reqs[i].msg.data);
	}
	for (i = 0; i < (size_t)nkeys; i++) {
		gnutls_privkey_deinit(g.keys[i]);
		gnutls_x509_crt_deinit(g.signers[i]);
	}
	gnutls_x509_crt_deinit(g.recipient);
	pthread_mutex_destroy(&g.lock);
	free(names);
	free(challenges);
	free(g.reqs);
	free(g.keys);
	free(g.signers);
	free(th);
	free(lat);
	curl_global_cleanup();
	gnutls_global_deinit();
	return failed == 0 ? 0 : 1;
}
