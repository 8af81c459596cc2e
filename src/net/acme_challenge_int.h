/*
 * acme_challenge_int: what the challenge validators share
 * (acme_challenge.c: http-01, tls-alpn-01 and the entry point;
 * acme_dns01.c: dns-01). Nothing else includes it.
 */
#ifndef SIPCA_ACME_CHALLENGE_INT_H
#define SIPCA_ACME_CHALLENGE_INT_H

#include <stddef.h>

#include "acme_challenge.h"

/* How much of a peer's bytes a message quotes. */
#define PEER_ECHO_MAX 64

/* The message into why (size octets) and e, for "return acme_fail(...)". */
enum acme_validation_error acme_fail(enum acme_validation_error e, char *why,
    size_t size, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* What is left of the deadline (monotonic seconds), in ms; 0 once passed. */
long acme_left_ms(double deadline);
/* SHA-256 of the key authorization (RFC 8555 8.4, RFC 8737 3); 0 or -1. */
int acme_key_authz_digest(const char *key_authz, unsigned char out[32]);
/* dns-01 of a DNS identifier, by the deadline. */
enum acme_validation_error acme_validate_dns01(const struct acme_validation *v,
    double deadline, char *why, size_t size);

#endif
