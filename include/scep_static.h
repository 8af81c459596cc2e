/*
 * scep_static: the static shared SCEP challenge, for devices that can
 * be given only one challengePassword per provisioning file (RFC 8894
 * section 2.3 leaves how a server authorises a request to the server).
 * Weaker than the one-time challenges of scep_challenge.h, which bind
 * one device NAME and are used once: whoever reads the provisioning
 * file can enroll any name its pattern allows. So it is off unless
 * "sipca serve --scep-static-challenge" (or config serve-scep-static on)
 * opts in, it enrolls only names the store has no certificate for (a
 * device that has one renews with it: otherwise anyone with the shared
 * secret could take over an enrolled phone's identity), and the
 * certificate is the device profile with sip:NAME@DOMAIN only.
 *
 * One record (store.h) of kind SCEP_STATIC_KIND, id SCEP_STATIC_ID:
 * key = the hex SHA-256 of the challenge (never the challenge), status
 * "valid" or "revoked", expires, doc {"names": GLOB}. A new one
 * replaces the old. Prints nothing.
 */
#ifndef SIPCA_SCEP_STATIC_H
#define SIPCA_SCEP_STATIC_H

#include <time.h>

#include "result.h"
#include "scep_challenge.h"

struct store;
struct store_record;
struct report;

#define SCEP_STATIC_KIND "scep-static-challenge"
#define SCEP_STATIC_ID "static"
#define SCEP_STATIC_TTL_DEFAULT (30L * 86400)
/* The default pattern: a MAC address as a name, 12 hex digits (issue device's NAME folded). */
#define SCEP_STATIC_NAMES_MAC \
	"[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]" \
	"[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"

struct scep_static_spec {
	long ttl;		/* seconds; 0: SCEP_STATIC_TTL_DEFAULT */
	const char *names;	/* fnmatch(3) pattern on the folded CN; NULL: SCEP_STATIC_NAMES_MAC */
};

/*
 * A --names pattern: 1 to 128 characters of a store name
 * ([A-Za-z0-9._@+-], san.h) and the glob's *?[]!. 0, or -1 with a
 * static reason.
 */
int scep_static_check_names(const char *glob, const char **out_reason);

/*
 * Makes the static challenge (replacing one there was), records its
 * hash and writes it (NUL-terminated) into out. RESULT_OK, RESULT_E_INPUT
 * for a pattern scep_static_check_names() refuses, RESULT_E_FAILED when
 * it cannot be made or recorded; the reason in rep.
 */
enum result scep_static_create(struct store *s, const struct scep_static_spec *spec,
    char out[SCEP_CHALLENGE_LEN + 1], struct report *rep);

/* "sipca scep static-challenge --revoke": 0, or -1 when none is live. */
int scep_static_revoke(struct store *s);

enum scep_static_verdict {
	SCEP_STATIC_NOT = 0,	/* not the static challenge: a one-time one, or wrong */
	SCEP_STATIC_OK,		/* the live static challenge, and name fits its pattern */
	SCEP_STATIC_REFUSED,	/* the static challenge, but revoked, expired or not for name */
};

/*
 * Is challenge the static one, for the folded CN name at now? Compared
 * in constant time. With SCEP_STATIC_REFUSED a static reason for the
 * CertRep's failInfoText is in *out_reason. Whether the server accepts
 * it at all (the opt-in) and whether name is new are the caller's.
 */
enum scep_static_verdict scep_static_check(struct store *s, const char *challenge,
    const char *name, time_t now, const char **out_reason);

/* The pattern of a SCEP_STATIC_KIND record, for listing; the caller frees it. */
char *scep_static_names(const struct store_record *r);

#endif
