/*
 * serve: the HTTP(S) server core of "sipca serve", on libmicrohttpd
 * (its TLS is GnuTLS). It owns the listeners, the limits every request
 * is held to, the table of paths, and a graceful stop; it knows nothing
 * of the store: what it hands out (the CA certificate, the CRL, its own
 * TLS certificate) is given to it as bytes (struct serve_content, made by
 * serve_content.c) and can be replaced while it runs.
 *
 * It prints nothing: each request and each event is one line given to
 * the caller's log function, which may be called from the server's
 * threads at any time until serve_stop() returns.
 */
#ifndef SIPCA_SERVE_H
#define SIPCA_SERVE_H

#include <stddef.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>

struct serve;

/* What the server hands out; every buffer is owned (serve_content_clear). */
struct serve_content {
	gnutls_datum_t ca_pem;		/* the CA certificate(s), PEM */
	gnutls_datum_t ca_der;		/* the issuing CA's certificate, DER */
	gnutls_datum_t crl_der;		/* the current CRL, DER; size 0: none */
	char *crl_path;			/* where it is served: the CRL URL's path */
	/* PEM, each with a NUL after it that size counts (libmicrohttpd
	 * reads them as strings); the key is wiped when cleared. */
	gnutls_datum_t tls_chain;	/* the server's certificate and chain */
	gnutls_datum_t tls_key;
};
void serve_content_clear(struct serve_content *c);

/* Limits, each with a default (serve_limits_default) and a flag. */
struct serve_limits {
	size_t max_body;		/* octets of a request body */
	size_t max_header;		/* octets of a request's line and headers */
	unsigned max_connections;	/* in all */
	unsigned per_ip;		/* connections from one address */
	unsigned timeout;		/* seconds a connection may be idle */
	/* Seconds a request's line, headers and body may take to arrive,
	 * from the connection's start or the previous response. */
	unsigned request_time;
	unsigned threads;		/* 0: one per CPU */
};
void serve_limits_default(struct serve_limits *l);

/* A request for the caller's handler (ACME, SCEP), borrowed for the call. */
struct serve_request {
	const char *method;
	const char *path;
	const char *query;		/* the raw query string after '?', or NULL */
	const char *host;		/* the Host header, or NULL */
	const char *content_type;	/* or NULL */
	const unsigned char *body;	/* NUL after it, not counted */
	size_t body_len;
	int tls;			/* it came over HTTPS */
	const char *client;		/* the peer's address */
};

#define SERVE_MAX_HEADERS 8

/* What the handler answers; body and header values are the server's to free. */
struct serve_response {
	unsigned status;
	const char *type;		/* a static string */
	char *body;
	size_t len;
	struct serve_header {
		const char *name;	/* a static string */
		char *value;
	} headers[SERVE_MAX_HEADERS];
	size_t n_headers;
	char *log;			/* a note for the request's log line, or NULL */
};

/* Adds a header (past SERVE_MAX_HEADERS it is dropped). */
void serve_response_header(struct serve_response *r, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Frees what a response holds (the server does this after sending it). */
void serve_response_clear(struct serve_response *r);

struct serve_config {
	const char *const *https;	/* "ADDR:PORT" or "[ADDR6]:PORT" */
	size_t n_https;
	const char *const *http;	/* plain HTTP, where clients fetch CRLs */
	size_t n_http;
	struct serve_limits limits;
	void (*log)(const char *line, void *arg);
	void *log_arg;
	/*
	 * Asked first for every request whose body has arrived: returns 1
	 * when it answered into *out, 0 when the path is not its (then the
	 * server's own paths answer). Called from the server's threads at
	 * once; NULL: none.
	 */
	int (*handler)(void *arg, const struct serve_request *rq,
	    struct serve_response *out);
	void *handler_arg;
};

/*
 * Parses "ADDR:PORT" (numeric address; IPv6 in brackets; port 0 takes
 * any free one). Returns 0, or -1 with the reason in *out_reason.
 */
int serve_parse_address(const char *text, struct sockaddr_storage *out,
    const char **out_reason);

/* A comma-separated list of them (the serve-listen and serve-http settings). */
int serve_check_addresses(const char *list, const char **out_reason);

/*
 * Starts listening on every address of cfg, handing out content (taken:
 * *content is cleared). Returns 0 with *out, or -1 with the reason in err
 * (size octets): an address that cannot be bound, a TLS key that does not
 * load.
 */
int serve_start(const struct serve_config *cfg, struct serve_content *content,
    struct serve **out, char *err, size_t size);

/*
 * Hands out content from now on (taken, as above): requests already
 * being answered finish with what they had; new TLS connections get the
 * new certificate. Returns 0, or -1 with the reason in err when the new
 * TLS key does not load (the old content stays).
 */
int serve_replace(struct serve *srv, struct serve_content *content, char *err,
    size_t size);

/* The port listener i (https ones first, then http) is bound to. */
unsigned serve_port(const struct serve *srv, size_t i);

/*
 * Stops accepting connections, lets those being answered finish (for at
 * most grace seconds), then closes everything and frees srv.
 */
void serve_stop(struct serve *srv, unsigned grace);

#endif
