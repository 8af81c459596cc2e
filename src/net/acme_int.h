/*
 * acme_int: what the parts of the ACME server share: acme.c (the
 * request's life: nonce, JWS, account, problem documents, accounts),
 * acme_record.c (the objects as store records),
 * acme_order.c (orders, authorizations, challenges, finalize) and
 * acme_cert.c (certificates, revocation, settling orders). Nothing
 * else includes it.
 */
#ifndef SIPCA_ACME_INT_H
#define SIPCA_ACME_INT_H

#include <pthread.h>
#include <time.h>

#include <jansson.h>

#include "acme.h"
#include "acme_nonce.h"
#include "jws.h"
#include "serve.h"
#include "store.h"

/* How long an order and its authorizations live (RFC 8555 7.1.3, 7.1.4). */
#define ACME_ORDER_LIFETIME (7 * 24 * 3600)
/* The most identifiers one order may name. */
#define ACME_MAX_IDENTIFIERS 20

/* The record kinds (store.h's records). */
#define KIND_EAB ACME_EAB_KIND
#define KIND_ACCOUNT "acme-account"
#define KIND_ORDER "acme-order"
#define KIND_AUTHZ "acme-authz"

struct acme {
	const struct acme_config *cfg;
	struct acme_nonces *nonces;
	/* The store and the CA key: one request at a time uses them. */
	pthread_mutex_t mu;
	/* Orders made per account in the current hour (orders_per_hour). */
	pthread_mutex_t rate_mu;
	struct rate { char *account; time_t hour; unsigned n; } *rates;
	size_t n_rates;
	unsigned long redeemed;		/* nonces taken back (the test build's knob) */
};

/* One request being answered. */
struct acme_req {
	struct acme *a;
	const struct serve_request *rq;
	struct serve_response *out;
	char base[320];			/* "https://HOST" as the client reached us */
	struct jws jws;
	json_t *payload;		/* NULL: a POST-as-GET (RFC 8555 6.3) */
	struct store_record *account;	/* the kid form's account */
};

/* The response: status and a JSON body (taken), with the nonce and index link. */
void acme_reply(struct acme_req *r, unsigned status, json_t *body);
/* A problem document (RFC 7807, RFC 8555 6.7): type is the part after "urn:ietf:params:acme:error:". */
void acme_problem(struct acme_req *r, unsigned status, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* base + the path fmt makes, a new string. */
char *acme_url(const struct acme_req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new random identifier: 16 octets, base64url. */
char *acme_random_id(void);
/* time as RFC 3339 into a new JSON string. */
json_t *acme_time(time_t t);
/* A record's doc parsed (a new reference), or NULL. */
json_t *acme_doc(const struct store_record *rec);
/* Writes rec with doc (dumped) in place of its doc, when its status is expect. */
int acme_save(struct acme *a, struct store_record *rec, json_t *doc,
    const char *status, const char *expect);
/* The account's thumbprint (its record's key). */
const char *acme_thumbprint(const struct acme_req *r);

/* What a certificate's row says of who ordered it (store.h's origin). */
char *acme_origin(const char *account, const char *order);
/* A problem document as an order's or a challenge's "error" (RFC 8555 6.7). */
json_t *acme_problem_json(const char *type, const char *detail);

/* The resources of acme_order.c and acme_cert.c, each called with a verified request. */
void acme_new_order(struct acme_req *r);
void acme_get_order(struct acme_req *r, const char *id);
void acme_finalize(struct acme_req *r, const char *id);
void acme_get_authz(struct acme_req *r, const char *id);
void acme_challenge(struct acme_req *r, const char *authz, const char *type);
void acme_get_cert(struct acme_req *r, const char *serial);
void acme_revoke(struct acme_req *r);
void acme_list_orders(struct acme_req *r, const char *account);
/* Settles orders a killed server left "processing" (acme_new). */
int acme_settle_orders(struct acme *a, char *err, size_t size);

#endif
