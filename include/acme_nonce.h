/*
 * acme_nonce: the anti-replay nonces of ACME (RFC 8555 section 6.5):
 * each Replay-Nonce the server hands out is taken back at most once.
 * A nonce is a counter and an HMAC of it under a key made at start
 * (RFC 8555 6.5.1 asks only that nonces be unpredictable and used once),
 * so the pool holds no table of nonces: one bit per counter of the last
 * window, whatever the number of clients. A restart makes a new key, so
 * nonces from before are refused as badNonce, which clients recover
 * from by retrying with the fresh nonce the refusal carries.
 */
#ifndef SIPCA_ACME_NONCE_H
#define SIPCA_ACME_NONCE_H

#include <stddef.h>

/* base64url of an 8-octet counter and a 16-octet HMAC-SHA256 prefix */
#define ACME_NONCE_LEN 32

struct acme_nonces;

/*
 * A pool that takes back any of the last window nonces it issued
 * (rounded up to a multiple of 64); an older one is refused. NULL when
 * the key cannot be made.
 */
struct acme_nonces *acme_nonces_new(size_t window);
void acme_nonces_free(struct acme_nonces *p);

/* A fresh nonce into out (ACME_NONCE_LEN + 1 octets with its NUL). */
void acme_nonce_issue(struct acme_nonces *p, char out[ACME_NONCE_LEN + 1]);

/*
 * 1 when text is a nonce of this pool, within the window and not taken
 * back before (it is taken back now); 0 otherwise. Any number of threads
 * may issue and redeem at once.
 */
int acme_nonce_redeem(struct acme_nonces *p, const char *text);

#endif
