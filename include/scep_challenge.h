/*
 * scep_challenge: the one-time challenge passwords a device enrolls
 * with by SCEP (RFC 8894 section 2.3, the CSR's challengePassword of
 * RFC 2985 section 5.4.1): each bound to a device NAME and optionally
 * its URIs, valid until it expires, used once, then gone.
 *
 * They live in the store as records (store.h) of kind
 * SCEP_CHALLENGE_KIND: id = NAME (one live challenge per name: a new
 * one replaces the old), key = the hex SHA-256 of the challenge (the
 * challenge itself is never stored, so a copy of the store enrolls no
 * phone), status "valid", "used" or "revoked", expires, doc
 * {"uris": [...], "origin": "...", "profile": "eap-tls"}, the profile
 * only for a device's 802.1X certificate (eap_tls.h), whose NAME is then
 * its MAC as eap_tls_mac_parse() writes it. Consuming one is a single
 * conditional update, so two servers (or two threads) can never both
 * use it. Prints nothing.
 */
#ifndef SIPCA_SCEP_CHALLENGE_H
#define SIPCA_SCEP_CHALLENGE_H

#include <stddef.h>
#include <time.h>

#include "result.h"

struct store;
struct store_record;
struct report;

#define SCEP_CHALLENGE_KIND "scep-challenge"
/* 128 bits of GnuTLS's random, base32 without padding (26 characters:
 * typed into a phone's web page, no case or symbol to get wrong). */
#define SCEP_CHALLENGE_LEN 26
#define SCEP_CHALLENGE_TTL_DEFAULT (24 * 3600)

struct scep_challenge_spec {
	const char *name;		/* the device NAME, as issue device takes it */
	const char *const *uris;	/* SANs bound to it; NULL/0: sip:NAME@DOMAIN */
	size_t n_uris;
	long ttl;			/* seconds; 0: SCEP_CHALLENGE_TTL_DEFAULT */
	const char *origin;		/* who made it ("sipca scep challenge", "batch FILE:LINE") */
	int eap_tls;			/* the certificate is KIND_EAP_TLS; name is a MAC */
};

/*
 * A lifetime as --ttl takes it, for "sipca scep challenge" and the
 * batch alike: "90" or "90s", "15m", "24h", "7d"; one minute to 365
 * days. Returns 0 with the seconds in *out, or -1.
 */
int scep_challenge_parse_ttl(const char *text, long *out);

/*
 * Makes a challenge for spec->name (replacing a live one), records its
 * hash and writes the challenge (NUL-terminated) into out, which has
 * SCEP_CHALLENGE_LEN + 1 octets. Returns RESULT_OK, RESULT_E_INPUT for
 * a name or URI issuance_validate() refuses (reason in rep), or
 * RESULT_E_FAILED when the store cannot record it.
 */
enum result scep_challenge_create(struct store *s, const char *domain,
    const struct scep_challenge_spec *spec, char *out, struct report *rep);

/* What a challenge bound a device to; scep_challenge_binding_clear(). */
struct scep_challenge_binding {
	char *name;
	char **uris;
	size_t n_uris;
	int eap_tls;			/* the profile: KIND_EAP_TLS, else KIND_DEVICE */
};
void scep_challenge_binding_clear(struct scep_challenge_binding *b);

/* Whether a challenge record binds the 802.1X profile. */
int scep_challenge_is_eap_tls(const struct store_record *r);

/*
 * Uses challenge up for name (the CSR's CN), once: valid, unexpired at
 * now and bound to name, it is marked "used" and *out filled. A CN that
 * is a MAC written another way (00:04:F2:A1:B2:C3) finds the challenge
 * made for its twelve-digit form when there is none under the CN itself. Returns
 * 0, or -1 with a reason for the CertRep's failInfoText in *out_reason
 * (static: "no such challenge", "the challenge has expired", "the
 * challenge was already used", "the challenge is for another device").
 * The challenge's hash is compared in constant time against the one
 * recorded for name, so the time taken says nothing of how much of a
 * guess was right.
 */
int scep_challenge_consume(struct store *s, const char *name,
    const char *challenge, time_t now, struct scep_challenge_binding *out,
    const char **out_reason);

/*
 * Gives back a challenge consume() marked used whose issuance then
 * failed (the lint guard refused it, the store did not write): "used"
 * becomes "valid" again, so the device may retry. 0, or -1.
 */
int scep_challenge_restore(struct store *s, const char *name);

/* "sipca scep challenge --revoke NAME": 0, or -1 when none is live. */
int scep_challenge_revoke(struct store *s, const char *name);

/*
 * For the static challenge (scep_static.h), made and kept as these are:
 * the hex SHA-256 as a record's key holds it (SCEP_CHALLENGE_HASH octets
 * with the NUL; 0 or -1), and a new random challenge with its hash
 * (RESULT_OK, or RESULT_E_FAILED with the reason in rep).
 */
#define SCEP_CHALLENGE_HASH (2 * 32 + 1)
int scep_challenge_hash(const char *challenge, char out[SCEP_CHALLENGE_HASH]);
enum result scep_challenge_secret(char out[SCEP_CHALLENGE_LEN + 1],
    char out_hash[SCEP_CHALLENGE_HASH], struct report *rep);

#endif
