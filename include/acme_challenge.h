/*
 * acme_challenge: the ACME server's side of challenge validation (RFC 8555
 * section 8): it fetches http-01's resource with libcurl (8.3), makes
 * tls-alpn-01's handshake with GnuTLS (RFC 8737) and asks for dns-01's
 * TXT records with the resolver of libresolv (8.4), for a "dns" or an "ip"
 * identifier (RFC 8738). It owns no state between calls: the caller owns
 * the struct and its strings, and decides what a result does to the
 * challenge, the authorization and the order.
 *
 * The key authorization of RFC 8555 8.1: token "." base64url(JWK thumbprint) — built by the caller.
 */
#ifndef SIPCA_ACME_CHALLENGE_H
#define SIPCA_ACME_CHALLENGE_H

#include <stddef.h>

enum acme_challenge_type { ACME_HTTP01, ACME_TLS_ALPN01, ACME_DNS01 };
enum acme_ident_type { ACME_IDENT_DNS, ACME_IDENT_IP };

struct acme_validation {
	enum acme_challenge_type type;
	enum acme_ident_type ident_type;
	const char *ident;		/* "sip.example.test" or "127.0.0.1" / "::1" */
	const char *token;		/* the challenge's token (base64url) */
	const char *key_authz;		/* token "." thumbprint */
	unsigned http_port;		/* where http-01 connects: 80 unless a test sets another (0: 80) */
	unsigned tls_port;		/* where tls-alpn-01 connects: 443 unless set (0: 443) */
	/* "ADDR" or "ADDR:PORT" (an IPv4 address; port 53 when left out) of
	 * the resolver dns-01 asks; NULL: the system's (/etc/resolv.conf) */
	const char *dns_server;
	unsigned timeout;		/* seconds for the whole validation (0: ACME_VALIDATION_TIMEOUT) */
};

#define ACME_VALIDATION_TIMEOUT 10
/* What http-01 reads of a body at most; a key authorization is ~90 octets. */
#define ACME_HTTP01_BODY_MAX 4096

/* Why it failed, as the ACME error type the challenge's "error" gets (RFC 8555 6.7). */
enum acme_validation_error {
	ACME_VALID = 0,
	ACME_V_CONNECTION,	/* urn:ietf:params:acme:error:connection */
	ACME_V_INCORRECT,	/* ...:incorrectResponse */
	ACME_V_DNS,		/* ...:dns */
	ACME_V_TLS,		/* ...:tls */
	ACME_V_UNAUTHORIZED,	/* ...:unauthorized */
};

/* "connection", "incorrectResponse", "dns", "tls", "unauthorized"; "" for ACME_VALID. */
const char *acme_validation_error_type(enum acme_validation_error e);

/*
 * Validates v; ACME_VALID, or the error with a message for the problem
 * document in why (size octets; nothing from the peer unescaped, cut
 * short). Blocking, thread-safe, bounded by v->timeout (name lookups of
 * tls-alpn-01 go through getaddrinfo, which the system bounds). An
 * identifier or token that is not what RFC 8555 allows, and dns-01 for
 * an ip identifier (RFC 8738 section 7), are ACME_V_UNAUTHORIZED: no
 * request is made.
 */
enum acme_validation_error acme_validate(const struct acme_validation *v, char *why, size_t size);

/* Once per process before threads (curl_global_init); and its end. 0 or -1. */
int acme_challenge_global_init(void);
void acme_challenge_global_deinit(void);

#endif
