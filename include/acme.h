/*
 * acme: the ACME server of "sipca serve" (RFC 8555): the directory,
 * nonces, accounts bound by External Account Binding, orders with their
 * authorizations and challenges (http-01, tls-alpn-01 of RFC 8737,
 * dns-01; identifiers "dns" and "ip" of RFC 8738), finalization through
 * the issuance guard, certificate download and revocation.
 *
 * It answers the requests serve.c hands it (serve.h's handler) and keeps
 * everything in the store as records (store.h), so a restart loses
 * nothing. It prints nothing: a line per issuance goes into the
 * response's log note, and what the server must pick up again (a CRL
 * after a revocation) is told to changed().
 */
#ifndef SIPCA_ACME_H
#define SIPCA_ACME_H

#include <stddef.h>

struct ca;
struct store;
struct serve_request;
struct serve_response;

/*
 * The record kind of External Account Binding keys (store.h's records),
 * which "sipca acme eab" makes: doc {"hmac": base64url} while "valid",
 * {"account": ID} once "bound"; "revoked" by the admin.
 */
#define ACME_EAB_KIND "acme-eab"

struct acme_config {
	struct store *store;		/* open read-write; used under acme's lock */
	const struct ca *ca;		/* the issuing CA with its key */
	const char *domain;		/* the store's SIP domain */
	const char *crl_url;		/* NULL: none */
	const char *organization;	/* the subject's O; NULL: none */
	long days;			/* validity of what is issued */
	long crl_days;			/* nextUpdate of a CRL a revocation makes */
	int eab_optional;		/* 1: accounts without External Account Binding */
	unsigned http_port;		/* where http-01 connects (80) */
	unsigned tls_port;		/* where tls-alpn-01 connects (443) */
	const char *dns_server;		/* dns-01's resolver "ADDR[:PORT]"; NULL: the system's */
	unsigned orders_per_hour;	/* per account; 0: no limit */
	void (*changed)(void *arg);	/* the CRL was published again */
	void *changed_arg;
};

struct acme;

/*
 * A server on cfg (kept by pointer: it outlives the server). Orders a
 * killed server left being finalized are settled now: valid when their
 * certificate was recorded, else invalid. NULL with the reason in err.
 */
struct acme *acme_new(const struct acme_config *cfg, char *err, size_t size);
void acme_free(struct acme *a);

/*
 * Holds off the requests that use the store and the CA key (they wait)
 * while the caller uses them from another thread, until acme_resume().
 */
void acme_pause(struct acme *a);
void acme_resume(struct acme *a);

/* serve.h's handler: answers every path under /acme/. */
int acme_handle(void *acme, const struct serve_request *rq,
    struct serve_response *out);

#endif
