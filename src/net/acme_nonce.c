/*
 * acme_nonce: ACME's Replay-Nonce values (include/acme_nonce.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "acme_nonce.h"
#include "jws.h"
#include "util.h"

#define MAC_LEN 16

struct acme_nonces {
	pthread_mutex_t mu;
	unsigned char key[32];
	uint64_t next;			/* the counter of the next nonce */
	uint64_t window;		/* counters next - window .. next - 1 count */
	uint64_t *used;			/* a bit per counter of the window */
};

struct acme_nonces *
acme_nonces_new(size_t window)
{
	struct acme_nonces *p = xcalloc(1, sizeof(*p));

	p->window = window < 64 ? 64 : (window + 63) / 64 * 64;
	p->used = xcalloc(p->window / 64, sizeof(*p->used));
	if (gnutls_rnd(GNUTLS_RND_KEY, p->key, sizeof(p->key)) < 0) {
		free(p->used);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	return p;
}

void
acme_nonces_free(struct acme_nonces *p)
{
	if (p == NULL)
		return;
	gnutls_memset(p->key, 0, sizeof(p->key));
	pthread_mutex_destroy(&p->mu);
	free(p->used);
	free(p);
}

/* The nonce of counter c: c big-endian, then its MAC. */
static void
nonce_bytes(const struct acme_nonces *p, uint64_t c, unsigned char out[8 + MAC_LEN])
{
	unsigned char mac[32];
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(c >> (56 - 8 * i));
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, p->key, sizeof(p->key), out, 8,
	    mac) < 0)
		abort();
	memcpy(out + 8, mac, MAC_LEN);
}

void
acme_nonce_issue(struct acme_nonces *p, char out[ACME_NONCE_LEN + 1])
{
	unsigned char raw[8 + MAC_LEN];
	uint64_t c, slot;
	char *text;

	pthread_mutex_lock(&p->mu);
	c = p->next++;
	/* The slot now stands for c: whatever it said of c - window is moot. */
	slot = c % p->window;
	p->used[slot / 64] &= ~((uint64_t)1 << (slot % 64));
	pthread_mutex_unlock(&p->mu);
	nonce_bytes(p, c, raw);
	text = b64url_encode(raw, sizeof(raw));
	memcpy(out, text, ACME_NONCE_LEN + 1);
	free(text);
}

int
acme_nonce_redeem(struct acme_nonces *p, const char *text)
{
	unsigned char *raw = NULL, want[8 + MAC_LEN];
	uint64_t c = 0, slot, bit;
	size_t n;
	int i, ok = 0;

	if (text == NULL || strlen(text) != ACME_NONCE_LEN ||
	    b64url_decode(text, ACME_NONCE_LEN, &raw, &n) != 0 ||
	    n != sizeof(want))
		goto out;
	for (i = 0; i < 8; i++)
		c = (c << 8) | raw[i];
	nonce_bytes(p, c, want);
	/* constant time: the MAC is what keeps nonces unforgeable */
	if (gnutls_memcmp(raw, want, sizeof(want)) != 0)
		goto out;
	slot = c % p->window;
	bit = (uint64_t)1 << (slot % 64);
	pthread_mutex_lock(&p->mu);
	if (c < p->next && p->next - c <= p->window && !(p->used[slot / 64] & bit)) {
		p->used[slot / 64] |= bit;
		ok = 1;
	}
	pthread_mutex_unlock(&p->mu);
out:
	free(raw);
	return ok;
}
