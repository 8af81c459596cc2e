/*
 * probe: one SIP-over-TLS client session with GnuTLS, every step bounded
 * in time: the TCP connection, the handshake (with a client certificate
 * when one is given), the chain the server presented, one OPTIONS
 * request and the status line of its answer. It records what happened
 * and judges nothing: verification, identities and lint are the
 * command's business (cmd_probe.c), on the certificates kept here. The
 * server's certificates are never checked during the handshake, so a
 * bad chain is still there to report.
 */
#ifndef SIPCA_PROBE_H
#define SIPCA_PROBE_H

#include <stddef.h>
#include <gnutls/gnutls.h>

#define PROBE_DEFAULT_PORT "5061"	/* RFC 3261 section 19.1.2: sips */

struct probe_params {
	const char *host;		/* the server's name: SNI and Via */
	const char *addr;		/* dial this instead of host, or NULL */
	const char *port;
	const char *sip_domain;		/* OPTIONS sip:DOMAIN */
	int timeout;			/* seconds, for each step */
	/* A client certificate (PEM, possibly a chain) and its key, or NULL. */
	const unsigned char *cert_pem;
	size_t cert_pem_len;
	const unsigned char *key_pem;
	size_t key_pem_len;
};

/* How far the session got. */
enum probe_stage {
	PROBE_STAGE_CONNECT = 0,	/* no TCP connection */
	PROBE_STAGE_HANDSHAKE,		/* connected, the handshake failed */
	PROBE_STAGE_REQUEST,		/* handshake done, no SIP answer */
	PROBE_STAGE_DONE,		/* a response arrived */
};

struct probe_result {
	enum probe_stage stage;
	char *error;			/* why the next stage failed, or NULL */
	int alert;			/* fatal alert the server sent, or -1 */
	char peer[80];			/* "127.0.0.1:5061" */
	char *tls_version;		/* "TLS1.3" */
	char *cipher;			/* "TLS_AES_256_GCM_SHA384" */
	char *description;		/* gnutls_session_get_desc() */
	gnutls_datum_t *chain;		/* DER, in the order presented (gnutls_free) */
	unsigned chain_n;
	int cert_requested;		/* the server asked for a client certificate */
	int cert_sent;			/* and we had one to send */
	char *status_line;		/* "SIP/2.0 200 OK", or NULL */
};

/*
 * Runs the session. Returns 0 with *out filled in however far it got
 * (out->stage and out->error say), or -1 with a message in out->error
 * when the parameters cannot be used (a client key GnuTLS refuses).
 */
int probe_run(const struct probe_params *p, struct probe_result *out);

/* Frees what probe_run() filled in and empties *r (a caller-owned struct);
 * a zeroed result and NULL are fine. */
void probe_result_clear(struct probe_result *r);

#endif
