/*
 * scep: the SCEP server of "sipca serve" (RFC 8894): GetCACaps,
 * GetCACert, GetNextCACert and PKIOperation by GET and POST on /scep and
 * on any path ending in /pkiclient.exe, over HTTP and HTTPS (SCEP's
 * messages are protected by CMS, not by the transport: section 4).
 *
 * Who may enroll: a PKCSReq whose challengePassword is a live one-time
 * challenge bound to the request's CN (scep_challenge.h), and a
 * RenewalReq, or a PKCSReq without a challenge, signed by the device's
 * current certificate from this CA (section 3.3.1.2); with allow_static
 * also the static shared challenge (scep_static.h) for a name the store
 * has no certificate for. Issuance is
 * immediate, so PENDING is never answered; each transactionID is
 * recorded (SCEP_TXN_KIND) so that a retried request gets the same
 * certificate and CertPoll answers from the store.
 *
 * The RA (scep_ra.h) decrypts and signs. Requests are parsed and
 * answered in parallel; what touches the store and the CA key runs under
 * the lock the caller gives (ACME's, when both run: they share the
 * store's connection and the key). Prints nothing: a line per request
 * goes into the response's log note, never a challenge.
 */
#ifndef SIPCA_SCEP_H
#define SIPCA_SCEP_H

#include <stddef.h>
#include <time.h>

#include "report.h"
#include "result.h"

struct ca;
struct store;
struct serve_request;
struct serve_response;

/*
 * Records of a transaction (store.h): id = the transactionID, status
 * "issued", doc {"serial": HEX, "request": SHA-256 hex of the CSR's DER,
 * "name": NAME, "signer": SHA-256 key id of the request's signer, hex}:
 * a retry or a CertPoll is answered only to a signer with that key.
 */
#define SCEP_TXN_KIND "scep-txn"

struct scep_config {
	struct store *store;		/* open read-write; used under the lock */
	const struct ca *ca;		/* the issuing CA with its key */
	const char *domain;
	const char *crl_url;		/* NULL: none */
	const char *organization;	/* NULL: none */
	long days;			/* validity of what a challenge enrolls */
	int allow_des;			/* single DES accepted (serve --scep-allow-des) */
	int allow_static;		/* the static challenge accepted (serve --scep-static-challenge) */
	/*
	 * The lock on the store and the CA key shared with another user of
	 * them (acme_pause/acme_resume); NULL: the server's own.
	 */
	void (*lock)(void *arg);
	void (*unlock)(void *arg);
	void *lock_arg;
};

struct scep;

/*
 * A server on cfg (kept by pointer), with the store's RA: made now
 * (scep_ra_make(), a warning in rep says so) when the store has none
 * valid, as again by scep_reload() after it was revoked. NULL with the
 * reason in rep.
 */
struct scep *scep_new(const struct scep_config *cfg, struct report *rep);
void scep_free(struct scep *sc);

/* Holds off the requests that use the store and the CA key (the caller's
 * lock when it gave one), until scep_resume(). */
void scep_pause(struct scep *sc);
void scep_resume(struct scep *sc);

/*
 * Reads the RA and the CA certificates again (after SIGHUP: a renewed
 * RA, a rollover's next CA). Takes the lock itself. RESULT_OK, or the
 * failure in rep with what was read before kept.
 */
enum result scep_reload(struct scep *sc, struct report *rep);

/*
 * The RA renewed with a new key once a third of its life is left, then
 * read again. Takes the lock itself. *out_serial is "" when nothing was
 * due, else the new serial (2*SERIAL_LEN+1 octets).
 */
enum result scep_upkeep(struct scep *sc, time_t now, char *out_serial,
    struct report *rep);

/* serve.h's handler: /scep and .../pkiclient.exe. */
int scep_handle(void *scep, const struct serve_request *rq,
    struct serve_response *out);

/*
 * The base64 of a GET PKIOperation's message= as devices send it: taken
 * from the raw query string, percent-escapes decoded, a literal '+' kept
 * (never form-decoded), base64url's '-' and '_' taken for '+' and '/',
 * whitespace ignored and missing padding accepted. Returns 0 with a new
 * buffer (free()), or -1. For tests.
 */
int scep_decode_message(const char *value, size_t len, unsigned char **out,
    size_t *out_len);

#endif
