/*
 * scep: SCEP's HTTP side (RFC 8894 section 4): the paths, the
 * operations, the tolerant reading of a GET's message, GetCACaps,
 * GetCACert, GetNextCACert, and the RA and CA certificates they hand
 * out. PKIOperation's messages are scep_enroll.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <nettle/base64.h>

#include "ca.h"
#include "cert.h"
#include "scep_int.h"
#include "scep_msg.h"
#include "serve.h"
#include "store.h"
#include "util.h"

void
scep_store_lock(struct scep *sc)
{
	if (sc->cfg->lock != NULL)
		sc->cfg->lock(sc->cfg->lock_arg);
	else
		pthread_mutex_lock(&sc->mu);
}

void
scep_store_unlock(struct scep *sc)
{
	if (sc->cfg->unlock != NULL)
		sc->cfg->unlock(sc->cfg->lock_arg);
	else
		pthread_mutex_unlock(&sc->mu);
}

void
scep_pause(struct scep *sc)
{
	scep_store_lock(sc);
}

void
scep_resume(struct scep *sc)
{
	scep_store_unlock(sc);
}

void
scep_text(struct serve_response *out, unsigned status, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	free(out->body);
	out->status = status;
	out->type = "text/plain";
	out->body = text != NULL ? xasprintf("%s\n", text) : NULL;
	out->len = out->body != NULL ? strlen(out->body) : 0;
	free(text);
}

/* A copy of data as the response's body. */
static void
answer_bytes(struct serve_response *out, const char *type,
    const unsigned char *data, size_t len)
{
	out->status = 200;
	out->type = type;
	out->body = xmalloc(len + 1);
	memcpy(out->body, data, len);
	out->body[len] = '\0';
	out->len = len;
}

/* PEM (one certificate or more) appended as DER to *certs. */
static int
append_pem(const unsigned char *pem, size_t len, gnutls_datum_t **certs,
    size_t *n)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned count = 0, i;
	int rc = 0;

	if (cert_load_all(pem, len, &list, &count) < 0)
		return -1;
	for (i = 0; i < count; i++) {
		*certs = xrealloc(*certs, (*n + 1) * sizeof(**certs));
		if (gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_DER,
		    &(*certs)[*n]) < 0)
			rc = -1;
		else
			(*n)++;
		gnutls_x509_crt_deinit(list[i]);
	}
	gnutls_free(list);
	return rc;
}

static void
clear_certs(gnutls_datum_t *certs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		gnutls_free(certs[i].data);
	free(certs);
}

/*
 * GetNextCACert's answer (section 4.7.1): the next CA (and its root) in a
 * certificates-only SignedData, itself the content of a SignedData the
 * RA signs, so a device can trust the next CA through the current one.
 */
static int
next_ca_answer(const struct scep_ra *ra, const gnutls_datum_t *certs, size_t n,
    gnutls_datum_t *out, struct report *rep)
{
	gnutls_pkcs7_t p7 = NULL;
	gnutls_datum_t inner = { NULL, 0 };
	int ret, rc = -1;

	if (scep_degenerate(certs, n, &inner) < 0) {
		report_add(rep, REPORT_MESSAGE, "the next CA's certificates do not encode");
		goto out;
	}
	if ((ret = gnutls_pkcs7_init(&p7)) < 0 ||
	    (ret = gnutls_pkcs7_sign(p7, ra->crt, ra->key, &inner, NULL, NULL,
	    GNUTLS_DIG_SHA256, GNUTLS_PKCS7_EMBED_DATA | GNUTLS_PKCS7_INCLUDE_CERT |
	    GNUTLS_PKCS7_INCLUDE_TIME)) < 0 ||
	    (ret = gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, out)) < 0) {
		report_add(rep, REPORT_MESSAGE, "GetNextCACert: gnutls_pkcs7_sign: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	rc = 0;
out:
	if (p7 != NULL)
		gnutls_pkcs7_deinit(p7);
	gnutls_free(inner.data);
	return rc;
}

/*
 * What the store says now: the RA, the issuing CA (and its root) for
 * GetCACert, the next generation for GetNextCACert. Under the store's
 * lock; the caller holds ra_lock for writing.
 */
static enum result
load(struct scep *sc, struct report *rep)
{
	struct store *s = sc->cfg->store;
	struct report mine = { NULL, 0 };
	struct scep_ra_params p;
	char serial[2 * SERIAL_LEN + 1];
	struct scep_ra ra;
	gnutls_datum_t *certs = NULL, *next = NULL;
	gnutls_datum_t cacert = { NULL, 0 }, nextca = { NULL, 0 };
	unsigned char *pem = NULL;
	size_t len = 0, n = 0, n_next = 0;
	enum result r;
	int ret;

	memset(&ra, 0, sizeof(ra));
	memset(&p, 0, sizeof(p));
	if ((r = scep_ra_load(s, &ra, &mine)) == RESULT_E_INPUT && mine.n == 0) {
		/* None (revoked since, or never made): the server makes one, as its first start does. */
		p.domain = sc->cfg->domain;
		p.crl_url = sc->cfg->crl_url;
		p.organization = sc->cfg->organization;
		if ((r = scep_ra_make(s, sc->cfg->ca, &p, 0, serial, &mine)) == RESULT_OK) {
			report_add(&mine, REPORT_WARNING, "made a new SCEP RA"
			    " certificate %s: the store had none valid", serial);
			r = scep_ra_load(s, &ra, &mine);
		}
	}
	if (rep != NULL)
		report_move(rep, &mine);
	if (r != RESULT_OK)
		goto out;
	r = RESULT_E_FAILED;
	/* Section 4.2.1.2: the CA and the RA; the root above a two-level CA after them. */
	certs = xcalloc(1, sizeof(*certs));
	n = 0;
	append_pem(sc->cfg->ca->pem.data, sc->cfg->ca->pem.size, &certs, &n);
	certs = xrealloc(certs, (n + 1) * sizeof(*certs));
	certs[n].data = gnutls_malloc(ra.der.size);
	memcpy(certs[n].data, ra.der.data, ra.der.size);
	certs[n++].size = ra.der.size;
	if (store_read_root_cert(s, &pem, &len) == STORE_OK) {
		append_pem(pem, len, &certs, &n);
		free(pem);
		pem = NULL;
	}
	if (scep_degenerate(certs, n, &cacert) < 0) {
		report_add(rep, REPORT_MESSAGE, "GetCACert: the certificates do not encode");
		goto out;
	}
	/* Section 4.7: only while a rollover's next CA waits. */
	if ((ret = store_read_rollover_file(s, STORE_NEXT_CA, &pem, &len)) == STORE_OK) {
		append_pem(pem, len, &next, &n_next);
		free(pem);
		pem = NULL;
		if (store_read_rollover_file(s, STORE_NEXT_ROOT, &pem, &len) == STORE_OK)
			append_pem(pem, len, &next, &n_next);
		if (n_next > 0 && next_ca_answer(&ra, next, n_next, &nextca, rep) < 0)
			goto out;
	}
	scep_ra_clear(&sc->ra);
	sc->ra = ra;
	memset(&ra, 0, sizeof(ra));
	gnutls_free(sc->cacert.data);
	sc->cacert = cacert;
	cacert.data = NULL;
	gnutls_free(sc->nextca.data);
	sc->nextca = nextca;
	nextca.data = NULL;
	r = RESULT_OK;
out:
	report_clear(&mine);
	free(pem);
	scep_ra_clear(&ra);
	clear_certs(certs, n);
	clear_certs(next, n_next);
	gnutls_free(cacert.data);
	gnutls_free(nextca.data);
	return r;
}

struct scep *
scep_new(const struct scep_config *cfg, struct report *rep)
{
	struct scep *sc = xcalloc(1, sizeof(*sc));

	sc->cfg = cfg;
	pthread_mutex_init(&sc->mu, NULL);
	pthread_rwlock_init(&sc->ra_lock, NULL);
	scep_store_lock(sc);
	if (load(sc, rep) != RESULT_OK) {
		scep_store_unlock(sc);
		scep_free(sc);
		return NULL;
	}
	scep_store_unlock(sc);
	return sc;
}

void
scep_free(struct scep *sc)
{
	if (sc == NULL)
		return;
	scep_ra_clear(&sc->ra);
	gnutls_free(sc->cacert.data);
	gnutls_free(sc->nextca.data);
	pthread_rwlock_destroy(&sc->ra_lock);
	pthread_mutex_destroy(&sc->mu);
	free(sc);
}

enum result
scep_reload(struct scep *sc, struct report *rep)
{
	enum result r;

	pthread_rwlock_wrlock(&sc->ra_lock);
	scep_store_lock(sc);
	r = load(sc, rep);
	scep_store_unlock(sc);
	pthread_rwlock_unlock(&sc->ra_lock);
	return r;
}

enum result
scep_upkeep(struct scep *sc, time_t now, char *out_serial, struct report *rep)
{
	struct scep_ra_params p;
	enum result r = RESULT_OK;

	out_serial[0] = '\0';
	pthread_rwlock_wrlock(&sc->ra_lock);
	scep_store_lock(sc);
	if (scep_ra_due(&sc->ra, now)) {
		memset(&p, 0, sizeof(p));
		p.domain = sc->cfg->domain;
		p.crl_url = sc->cfg->crl_url;
		p.organization = sc->cfg->organization;
		if ((r = scep_ra_make(sc->cfg->store, sc->cfg->ca, &p, 1, out_serial,
		    rep)) == RESULT_OK)
			r = load(sc, rep);
	}
	scep_store_unlock(sc);
	pthread_rwlock_unlock(&sc->ra_lock);
	return r;
}

int
scep_decode_message(const char *value, size_t len, unsigned char **out,
    size_t *out_len)
{
	struct base64_decode_ctx ctx;
	char *text = xmalloc(len + 4), *clean = xmalloc(len + 4);
	unsigned char *der = NULL;
	size_t i, n = 0, dlen;
	int rc = -1;

	memcpy(text, value, len);
	text[len] = '\0';
	/* Percent-escapes only: MHD_http_unescape leaves '+' alone. */
	len = MHD_http_unescape(text);
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '=')
			continue;
		clean[n++] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	if (n == 0 || n % 4 == 1)
		goto out;
	while (n % 4 != 0)
		clean[n++] = '=';
	der = xmalloc(BASE64_DECODE_LENGTH(n) + 1);
	dlen = BASE64_DECODE_LENGTH(n);
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &dlen, der, n, clean) ||
	    !base64_decode_final(&ctx))
		goto out;
	*out = der;
	*out_len = dlen;
	der = NULL;
	rc = 0;
out:
	free(der);
	free(text);
	free(clean);
	return rc;
}

/*
 * The value of key in a raw query string ("a=1&b=2"), borrowed with its
 * length, or NULL. Only the key is compared; the value stays raw.
 */
static const char *
query_value(const char *query, const char *key, size_t *out_len)
{
	size_t klen = strlen(key);
	const char *p = query, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			*out_len = (end != NULL ? (size_t)(end - p) : strlen(p)) - klen - 1;
			return p + klen + 1;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

static int
scep_path(const char *path)
{
	size_t n = strlen(path);

	return strcmp(path, "/scep") == 0 || strcmp(path, "/scep/") == 0 ||
	    (n >= 14 && strcmp(path + n - 14, "/pkiclient.exe") == 0);
}

/* Section 3.5.2: what the server does, one keyword a line, CRLF. */
static void
get_ca_caps(struct scep *sc, struct serve_response *out)
{
	char caps[256];

	snprintf(caps, sizeof(caps), "AES\r\nDES3\r\n%sPOSTPKIOperation\r\nRenewal\r\n"
	    "SCEPStandard\r\nSHA-256\r\nSHA-512\r\n", sc->nextca.size > 0 ?
	    "GetNextCACert\r\n" : "");
	answer_bytes(out, "text/plain", (const unsigned char *)caps, strlen(caps));
}

/* The operation a request names, escaped for the log (at most 32 octets). */
static char *
operation_of(const char *query, size_t *out_len, const char **out_raw)
{
	const char *v = query != NULL ? query_value(query, "operation", out_len) : NULL;
	char buf[64];

	*out_raw = v;
	if (v == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s", (int)(*out_len > 32 ? 32 : *out_len), v);
	MHD_http_unescape(buf);
	return xstrdup(buf);
}

int
scep_handle(void *arg, const struct serve_request *rq, struct serve_response *out)
{
	struct scep *sc = arg;
	int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
	int post = strcmp(rq->method, "POST") == 0;
	const char *raw, *msg;
	unsigned char *der = NULL;
	size_t op_len = 0, msg_len = 0, der_len = 0;
	char *op = NULL, *shown = NULL;

	if (!scep_path(rq->path))
		return 0;
	if (!get && !post) {
		scep_text(out, 405, "SCEP takes GET and POST (RFC 8894 section 4.1)");
		serve_response_header(out, "Allow", "GET, HEAD, POST");
		out->log = xstrdup("scep: refused method");
		goto out;
	}
	if ((op = operation_of(rq->query, &op_len, &raw)) == NULL) {
		scep_text(out, 400, "a SCEP request names its operation:"
		    " ?operation=GetCACaps, GetCACert or PKIOperation (RFC 8894 section 4.1)");
		out->log = xstrdup("scep: no operation");
		goto out;
	}
	pthread_rwlock_rdlock(&sc->ra_lock);
	if (strcmp(op, "GetCACaps") == 0) {
		get_ca_caps(sc, out);
		out->log = xstrdup("scep GetCACaps");
	} else if (strcmp(op, "GetCACert") == 0) {
		answer_bytes(out, "application/x-x509-ca-ra-cert", sc->cacert.data,
		    sc->cacert.size);
		out->log = xstrdup("scep GetCACert");
	} else if (strcmp(op, "GetNextCACert") == 0) {
		if (sc->nextca.size == 0) {
			scep_text(out, 404, "no CA rollover is under way: there is no"
			    " next CA certificate");
			out->log = xstrdup("scep GetNextCACert: none");
		} else {
			answer_bytes(out, "application/x-x509-next-ca-cert",
			    sc->nextca.data, sc->nextca.size);
			out->log = xstrdup("scep GetNextCACert");
		}
	} else if (strcmp(op, "PKIOperation") == 0) {
		if (strcmp(rq->method, "HEAD") == 0) {
			/* A HEAD has no answer to read: it enrolls nothing. */
			scep_text(out, 405, "PKIOperation takes GET or POST");
			serve_response_header(out, "Allow", "GET, POST");
			out->log = xstrdup("scep PKIOperation: HEAD refused");
		} else if (post) {
			scep_operation(sc, rq, rq->body, rq->body_len, out);
		} else if ((msg = query_value(rq->query, "message", &msg_len)) == NULL ||
		    scep_decode_message(msg, msg_len, &der, &der_len) < 0) {
			scep_text(out, 400, "a GET PKIOperation carries the pkiMessage"
			    " as base64 in message= (RFC 8894 section 4.1)%s",
			    msg == NULL ? "" : ": it does not decode");
			out->log = xstrdup("scep PKIOperation: no message");
		} else
			scep_operation(sc, rq, der, der_len, out);
	} else {
		scep_text(out, 400, "unknown SCEP operation '%s' (GetCACaps,"
		    " GetCACert, GetNextCACert or PKIOperation)",
		    (shown = text_echo(op)));
		out->log = xasprintf("scep: unknown operation '%s'", shown);
	}
	pthread_rwlock_unlock(&sc->ra_lock);
out:
	free(der);
	free(op);
	free(shown);
	return 1;
}
