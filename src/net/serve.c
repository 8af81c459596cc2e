/*
 * serve: the HTTP(S) core of "sipca serve" on libmicrohttpd
 * (include/serve.h). One daemon per address, each with a pool of
 * threads polling with epoll; the content is behind one lock and copied
 * into each response, so a reload never frees bytes a response is still
 * sending. A new TLS certificate takes effect by a new daemon on the
 * same listening socket (MHD_quiesce_daemon hands it over): connections
 * already open finish on the old daemon, new ones get the new
 * certificate, and no port is ever closed.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "serve.h"
#include "serve_deadline.h"
#include "util.h"

struct listener {
	struct MHD_Daemon *d;
	int tls;
	unsigned port;
	struct sockaddr_storage addr;
};

/* A daemon replaced by a newer one, finishing its connections. */
struct retired {
	struct MHD_Daemon *d;
	time_t since;
	struct retired *next;
};

struct serve {
	struct serve_config cfg;
	struct listener *l;
	size_t n;
	pthread_mutex_t mu;		/* content and retired */
	struct serve_content content;
	struct retired *retired;
	struct deadline *deadline;	/* of every daemon's connections */
};

/* What one request has sent so far, between the handler's calls. */
struct request {
	unsigned char *body;
	size_t len, cap;
	int too_large;
	int started;		/* answer() has seen it */
	/*
	 * The query string as it came, after '?' (NULL: none): libmicrohttpd
	 * hands GET arguments only unescaped with '+' made a space, which
	 * breaks SCEP's base64 message (RFC 8894 section 4.1).
	 */
	char *query;
};

/*
 * libmicrohttpd's URI log callback: the first look at a request, with
 * its URI as sent; what it returns is the request's *req_cls.
 */
static void *
request_begin(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *rq = xcalloc(1, sizeof(*rq));
	const char *q = uri != NULL ? strchr(uri, '?') : NULL;

	(void)cls;
	(void)conn;
	if (q != NULL)
		rq->query = xstrdup(q + 1);
	return rq;
}

void
serve_response_header(struct serve_response *r, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	char *value;

	if (r->n_headers >= SERVE_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (value == NULL)
		return;
	r->headers[r->n_headers].name = name;
	r->headers[r->n_headers++].value = value;
}

void
serve_response_clear(struct serve_response *r)
{
	size_t i;

	for (i = 0; i < r->n_headers; i++)
		free(r->headers[i].value);
	free(r->body);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

void
serve_limits_default(struct serve_limits *l)
{
	/*
	 * ACME's largest request (a finalize with an RSA-4096 CSR) is a few
	 * KiB of JSON; 64 KiB leaves room and bounds what a client can make
	 * the server hold. The header limit is libmicrohttpd's memory pool
	 * per connection, which holds the request line and headers.
	 */
	l->max_body = 64 * 1024;
	l->max_header = 32 * 1024;
	l->max_connections = 4000;
	l->per_ip = 2000;
	l->timeout = 10;
	/* Three idle timeouts: a slow client's request, not a trickle's. */
	l->request_time = 30;
	l->threads = 0;
}

void
serve_content_clear(struct serve_content *c)
{
	gnutls_free(c->ca_pem.data);
	gnutls_free(c->ca_der.data);
	gnutls_free(c->crl_der.data);
	gnutls_free(c->tls_chain.data);
	if (c->tls_key.data != NULL)
		gnutls_memset(c->tls_key.data, 0, c->tls_key.size);
	gnutls_free(c->tls_key.data);
	free(c->crl_path);
	memset(c, 0, sizeof(*c));
}

int
serve_parse_address(const char *text, struct sockaddr_storage *out,
    const char **out_reason)
{
	struct addrinfo hints, *res = NULL;
	const char *colon, *host = text;
	char buf[64];
	size_t hlen;
	int rc = -1;

	if ((colon = strrchr(text, ':')) == NULL) {
		*out_reason = "expected ADDR:PORT";
		return -1;
	}
	hlen = (size_t)(colon - text);
	if (hlen > 0 && text[0] == '[') {
		if (hlen < 2 || text[hlen - 1] != ']') {
			*out_reason = "an IPv6 address goes in brackets: [::1]:PORT";
			return -1;
		}
		host++;
		hlen -= 2;
	}
	else if (memchr(text, ':', hlen) != NULL) {
		*out_reason = "an IPv6 address goes in brackets: [::1]:PORT";
		return -1;
	}
	if (hlen == 0 || hlen >= sizeof(buf)) {
		*out_reason = "expected a numeric address before the port";
		return -1;
	}
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	if (colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strlen(colon + 1) > 5 || atoi(colon + 1) > 65535) {
		*out_reason = "the port is a number from 0 to 65535";
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(buf, colon + 1, &hints, &res) != 0 || res == NULL ||
	    res->ai_addrlen > sizeof(*out)) {
		*out_reason = "not a numeric IPv4 or IPv6 address";
		goto out;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

int
serve_check_addresses(const char *list, const char **out_reason)
{
	struct sockaddr_storage ss;
	char *copy = xstrdup(list), *item, *save = NULL;
	int n = 0, rc = 0;

	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save), n++)
		rc = serve_parse_address(item, &ss, out_reason);
	free(copy);
	if (rc == 0 && n == 0) {
		*out_reason = "expected ADDR:PORT[,ADDR:PORT...]";
		rc = -1;
	}
	return rc;
}

static void
log_line(const struct serve *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_line(const struct serve *srv, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (srv->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	srv->cfg.log(line, srv->cfg.log_arg);
}

/* libmicrohttpd's own words (a failed handshake, a refused connection). */
static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	const struct serve *srv = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_line(srv, "libmicrohttpd: %s", line);
}

static void
address_text(const struct sockaddr *sa, char *buf, size_t size)
{
	snprintf(buf, size, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    buf, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    buf, (socklen_t)size);
}

static void
client_text(struct MHD_Connection *conn, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	address_text(ci != NULL ? ci->client_addr : NULL, buf, size);
}

/* The request deadline closed a connection (serve_deadline.h). */
static void
deadline_log(void *arg, const struct sockaddr *peer, unsigned seconds)
{
	char client[INET6_ADDRSTRLEN];

	address_text(peer, client, sizeof(client));
	log_line(arg, "%s closed: no whole request within %u s", client, seconds);
}

static enum MHD_Result respond_with(struct serve *srv,
    struct MHD_Connection *conn, const char *method, const char *url,
    unsigned status, const char *type, const void *body, size_t len,
    const struct serve_response *extra);

/* Queues status with body (copied) and logs the request's line. */
static enum MHD_Result
respond(struct serve *srv, struct MHD_Connection *conn, const char *method,
    const char *url, unsigned status, const char *type, const void *body,
    size_t len)
{
	return respond_with(srv, conn, method, url, status, type, body, len, NULL);
}

/* As respond(), with the handler's headers and log note (extra may be NULL). */
static enum MHD_Result
respond_with(struct serve *srv, struct MHD_Connection *conn, const char *method,
    const char *url, unsigned status, const char *type, const void *body,
    size_t len, const struct serve_response *extra)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char client[INET6_ADDRSTRLEN];
	char *path = text_escape(url, strlen(url), 200);
	size_t i;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL) {
		free(path);
		return MHD_NO;
	}
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && extra == NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	for (i = 0; extra != NULL && i < extra->n_headers; i++)
		MHD_add_response_header(r, extra->headers[i].name,
		    extra->headers[i].value);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	client_text(conn, client, sizeof(client));
	if (extra != NULL && extra->log != NULL)
		log_line(srv, "%s %s %s %u %zu %s", client, method, path, status,
		    len, extra->log);
	else
		log_line(srv, "%s %s %s %u %zu", client, method, path, status, len);
	free(path);
	return ret;
}

/* The paths and what each serves (RFC 2585 section 4 for the types). */
static enum MHD_Result
route(struct serve *srv, struct MHD_Connection *conn, const char *method,
    const char *url)
{
	static const char not_found[] = "not found\n";
	static const char no_crl[] = "no CRL has been published (sipca crl)\n";
	const gnutls_datum_t *d = NULL;
	const char *type = NULL;
	unsigned char *copy = NULL;
	size_t len = 0;
	enum MHD_Result ret;
	unsigned status = MHD_HTTP_OK;

	pthread_mutex_lock(&srv->mu);
	if (strcmp(url, "/ca.pem") == 0) {
		d = &srv->content.ca_pem;
		type = "application/pem-certificate-chain";
	} else if (strcmp(url, "/ca.der") == 0) {
		d = &srv->content.ca_der;
		type = "application/pkix-cert";
	} else if (srv->content.crl_path != NULL &&
	    strcmp(url, srv->content.crl_path) == 0) {
		d = &srv->content.crl_der;
		type = "application/pkix-crl";
	}
	if (d != NULL && d->size > 0) {
		copy = xmalloc(d->size);
		memcpy(copy, d->data, d->size);
		len = d->size;
	}
	pthread_mutex_unlock(&srv->mu);
	if (d == NULL)
		return respond(srv, conn, method, url, MHD_HTTP_NOT_FOUND,
		    "text/plain", not_found, sizeof(not_found) - 1);
	if (copy == NULL)
		return respond(srv, conn, method, url, MHD_HTTP_NOT_FOUND,
		    "text/plain", no_crl, sizeof(no_crl) - 1);
	ret = respond(srv, conn, method, url, status, type, copy, len);
	free(copy);
	return ret;
}

/* The caller's handler first; its 0 leaves the request to route(). */
static enum MHD_Result
hand_over(struct serve *srv, struct MHD_Connection *conn, const char *method,
    const char *url, struct request *body)
{
	static const char not_allowed[] = "only GET and HEAD here\n";
	/* A TLS connection has a session (the daemon here is a pool worker's). */
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_GNUTLS_SESSION);
	struct serve_response out;
	struct serve_request rq;
	enum MHD_Result ret;
	char client[INET6_ADDRSTRLEN];

	memset(&rq, 0, sizeof(rq));
	memset(&out, 0, sizeof(out));
	client_text(conn, client, sizeof(client));
	rq.method = method;
	rq.path = url;
	rq.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	rq.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	rq.body = body->body != NULL ? body->body : (const unsigned char *)"";
	rq.body_len = body->len;
	rq.client = client;
	rq.query = body->query;
	rq.tls = ci != NULL && ci->tls_session != NULL;
	if (!srv->cfg.handler(srv->cfg.handler_arg, &rq, &out)) {
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return respond(srv, conn, method, url,
			    MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
			    sizeof(not_allowed) - 1);
		return route(srv, conn, method, url);
	}
	ret = respond_with(srv, conn, method, url, out.status, out.type,
	    out.body != NULL ? out.body : "", out.len, &out);
	serve_response_clear(&out);
	return ret;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	static const char too_large[] = "request body too large\n";
	static const char not_allowed[] = "only GET and HEAD here\n";
	struct serve *srv = cls;
	struct request *rq = *req_cls;
	const char *cl;

	(void)version;
	if (rq == NULL) {
		rq = xcalloc(1, sizeof(*rq));
		*req_cls = rq;
	}
	if (!rq->started) {
		rq->started = 1;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Refused before a byte of it is read. */
		if (cl != NULL && strtoull(cl, NULL, 10) > srv->cfg.limits.max_body) {
			deadline_received(conn);
			return respond(srv, conn, method, url,
			    MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", too_large,
			    sizeof(too_large) - 1);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* A chunked body has no length to refuse it by: counted. */
		if (!rq->too_large && *upload_size > srv->cfg.limits.max_body - rq->len)
			rq->too_large = 1;
		if (!rq->too_large && srv->cfg.handler != NULL) {
			if (rq->len + *upload_size + 1 > rq->cap) {
				rq->cap = rq->len + *upload_size + 1;
				rq->cap = rq->cap < 4096 ? 4096 : rq->cap * 2;
				rq->body = xrealloc(rq->body, rq->cap);
			}
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	/* All of it is here; what the answer takes is not the client's delay. */
	deadline_received(conn);
	if (rq->too_large)
		return respond(srv, conn, method, url, MHD_HTTP_CONTENT_TOO_LARGE,
		    "text/plain", too_large, sizeof(too_large) - 1);
	if (srv->cfg.handler != NULL)
		return hand_over(srv, conn, method, url, rq);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(srv, conn, method, url, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain", not_allowed, sizeof(not_allowed) - 1);
	return route(srv, conn, method, url);
}

static void
request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)why;
	deadline_rearm(conn);
	if (*req_cls != NULL) {
		free(((struct request *)*req_cls)->body);
		free(((struct request *)*req_cls)->query);
	}
	free(*req_cls);
	*req_cls = NULL;
}

/*
 * One daemon for listener l: on its own socket (fd -1: bind l->addr),
 * with the TLS certificate and key of content when l->tls.
 */
static struct MHD_Daemon *
start_daemon(struct serve *srv, const struct listener *l, int fd,
    const struct serve_content *content)
{
	const struct serve_limits *lim = &srv->cfg.limits;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned threads = lim->threads;
	struct MHD_OptionItem ops[16];
	size_t k = 0;
	long n;

	if (threads == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
	}
	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (l->tls)
		flags |= MHD_USE_TLS;
#define OPT(o, v, p) (ops[k].option = (o), ops[k].value = (intptr_t)(v), \
    ops[k].ptr_value = (void *)(p), k++)
	OPT(MHD_OPTION_EXTERNAL_LOGGER, 0, NULL);
	ops[k - 1].value = (intptr_t)mhd_logger;
	ops[k - 1].ptr_value = srv;
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_done, NULL);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_begin, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)deadline_notify,
	    srv->deadline);
	OPT(MHD_OPTION_CONNECTION_LIMIT, lim->max_connections, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->per_ip, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, lim->timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, lim->max_header, NULL);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
	if (fd >= 0)
		OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	else
		OPT(MHD_OPTION_SOCK_ADDR, 0, &l->addr);
	if (l->tls) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, content->tls_chain.data);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, content->tls_key.data);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, answer, srv,
	    MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

/* libmicrohttpd reads the PEM as a string: both end in NUL. */
static int
tls_content_usable(const struct serve_content *c, char *err, size_t size)
{
	gnutls_certificate_credentials_t cred;
	int ret;

	if (c->tls_chain.size == 0 || c->tls_key.size == 0 ||
	    c->tls_chain.data[c->tls_chain.size - 1] != '\0' ||
	    c->tls_key.data[c->tls_key.size - 1] != '\0') {
		snprintf(err, size, "no TLS certificate and key to serve HTTPS with");
		return -1;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		snprintf(err, size, "gnutls_certificate_allocate_credentials failed");
		return -1;
	}
	ret = gnutls_certificate_set_x509_key_mem(cred,
	    &(gnutls_datum_t){ c->tls_chain.data, c->tls_chain.size - 1 },
	    &(gnutls_datum_t){ c->tls_key.data, c->tls_key.size - 1 },
	    GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (ret < 0) {
		snprintf(err, size, "the TLS certificate and key do not load: "
		    "gnutls_certificate_set_x509_key_mem: %s", gnutls_strerror(ret));
		return -1;
	}
	return 0;
}

static unsigned
bound_port(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

int
serve_start(const struct serve_config *cfg, struct serve_content *content,
    struct serve **out, char *err, size_t size)
{
	struct serve *srv = xcalloc(1, sizeof(*srv));
	const char *reason, *text;
	size_t i;
	int rc = -1;

	srv->cfg = *cfg;
	pthread_mutex_init(&srv->mu, NULL);
	srv->n = cfg->n_https + cfg->n_http;
	srv->l = xcalloc(srv->n > 0 ? srv->n : 1, sizeof(*srv->l));
	if (cfg->n_https > 0 && tls_content_usable(content, err, size) != 0)
		goto out;
	if ((srv->deadline = deadline_start(cfg->limits.request_time,
	    deadline_log, srv)) == NULL) {
		snprintf(err, size, "cannot start the request deadline's thread");
		goto out;
	}
	for (i = 0; i < srv->n; i++) {
		struct listener *l = &srv->l[i];

		l->tls = i < cfg->n_https;
		text = l->tls ? cfg->https[i] : cfg->http[i - cfg->n_https];
		if (serve_parse_address(text, &l->addr, &reason) != 0) {
			snprintf(err, size, "'%.80s': %s", text, reason);
			goto out;
		}
		if ((l->d = start_daemon(srv, l, -1, content)) == NULL) {
			snprintf(err, size, "cannot listen on %.80s (in use, or not"
			    " an address of this host)", text);
			goto out;
		}
		l->port = bound_port(l->d);
		log_line(srv, "listening on %s://%s (port %u)", l->tls ? "https" :
		    "http", text, l->port);
	}
	srv->content = *content;
	memset(content, 0, sizeof(*content));
	*out = srv;
	srv = NULL;
	rc = 0;
out:
	if (srv != NULL) {
		for (i = 0; i < srv->n; i++)
			if (srv->l[i].d != NULL)
				MHD_stop_daemon(srv->l[i].d);
		deadline_stop(srv->deadline);
		pthread_mutex_destroy(&srv->mu);
		free(srv->l);
		free(srv);
	}
	return rc;
}

static unsigned
connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return di != NULL ? di->num_connections : 0;
}

/* Stops the retired daemons that are done (all of them with force). */
static void
reap(struct serve *srv, int force)
{
	struct retired **pp = &srv->retired, *r;

	while ((r = *pp) != NULL) {
		if (force || connections(r->d) == 0 ||
		    time(NULL) - r->since > (time_t)srv->cfg.limits.timeout * 2) {
			MHD_stop_daemon(r->d);
			*pp = r->next;
			free(r);
		} else {
			pp = &r->next;
		}
	}
}

int
serve_replace(struct serve *srv, struct serve_content *content, char *err,
    size_t size)
{
	struct serve_content old;
	struct retired *r;
	struct MHD_Daemon *d;
	size_t i;
	int fd;

	if (srv->cfg.n_https > 0 && tls_content_usable(content, err, size) != 0)
		return -1;
	pthread_mutex_lock(&srv->mu);
	reap(srv, 0);
	for (i = 0; i < srv->cfg.n_https; i++) {
		/* The socket moves to a daemon with the new certificate. */
		if ((fd = MHD_quiesce_daemon(srv->l[i].d)) < 0)
			continue;
		if ((d = start_daemon(srv, &srv->l[i], fd, content)) == NULL) {
			log_line(srv, "cannot restart the listener on port %u with"
			    " the new certificate; it stops", srv->l[i].port);
			close(fd);
		}
		r = xcalloc(1, sizeof(*r));
		r->d = srv->l[i].d;
		r->since = time(NULL);
		r->next = srv->retired;
		srv->retired = r;
		srv->l[i].d = d;
	}
	old = srv->content;
	srv->content = *content;
	memset(content, 0, sizeof(*content));
	pthread_mutex_unlock(&srv->mu);
	serve_content_clear(&old);
	return 0;
}

unsigned
serve_port(const struct serve *srv, size_t i)
{
	return i < srv->n ? srv->l[i].port : 0;
}

void
serve_stop(struct serve *srv, unsigned grace)
{
	time_t until = time(NULL) + (time_t)grace;
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	unsigned busy;
	size_t i;
	int fd;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->n; i++)
		if (srv->l[i].d != NULL && (fd = MHD_quiesce_daemon(srv->l[i].d)) >= 0)
			close(fd);
	/* What is being answered finishes; idle connections time out. */
	for (;;) {
		busy = 0;
		pthread_mutex_lock(&srv->mu);
		for (i = 0; i < srv->n; i++)
			if (srv->l[i].d != NULL)
				busy += connections(srv->l[i].d);
		reap(srv, 0);
		busy += srv->retired != NULL;
		pthread_mutex_unlock(&srv->mu);
		if (busy == 0 || time(NULL) >= until)
			break;
		nanosleep(&tick, NULL);
	}
	for (i = 0; i < srv->n; i++)
		if (srv->l[i].d != NULL)
			MHD_stop_daemon(srv->l[i].d);
	reap(srv, 1);
	deadline_stop(srv->deadline);
	serve_content_clear(&srv->content);
	pthread_mutex_destroy(&srv->mu);
	free(srv->l);
	free(srv);
}
