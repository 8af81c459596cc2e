/*
 * batch_scep: a provisioning file's device rows into one-time SCEP
 * challenges (sipca issue --batch FILE --scep-challenges OUT) instead of
 * certificates: the phone makes its own key and enrolls by SCEP
 * (RFC 8894 section 2.3) with the challenge the provisioning system
 * hands it from OUT. The plan is read and checked by batch_plan_parse()
 * with batch_plan_options.challenges set (device rows only, no key,
 * days, csr, dns or ip cells); this makes the challenges and the CSV
 * text. Prints nothing.
 */
#ifndef SIPCA_BATCH_SCEP_H
#define SIPCA_BATCH_SCEP_H

#include <stddef.h>
#include <time.h>

#include "batch.h"
#include "result.h"
#include "scep_challenge.h"

struct store;
struct report;

/* The columns of the file written. */
#define BATCH_SCEP_COLUMNS "name,challenge,expires"

struct batch_challenge {
	const char *name;			/* borrowed from the plan's row */
	char challenge[SCEP_CHALLENGE_LEN + 1];	/* wiped by batch_challenges_clear() */
	time_t expires;
};

struct batch_challenges {
	struct batch_challenge *rows;	/* in the plan's order */
	size_t n;
};

/*
 * Makes one challenge per row of plan (each bound to the row's name and
 * the URIs of its SAN), valid for ttl seconds (0: the default), with
 * origin "batch FILE:LINE". Returns RESULT_OK with out filled, or the
 * first failure (reason in rep) after revoking the challenges it made,
 * so that a failed run leaves no challenge of its own behind (a live
 * challenge a row replaced stays replaced).
 */
enum result batch_scep_create(const struct batch_plan *plan, struct store *s,
    const char *domain, const char *file, long ttl,
    struct batch_challenges *out, struct report *rep);

/* Revokes every challenge of c (the file could not be written). */
void batch_scep_revoke(struct store *s, const struct batch_challenges *c);

/*
 * The CSV text (header BATCH_SCEP_COLUMNS, expires in RFC 3339, CRLF
 * as RFC 4180 says); wipe and free it with secret_free_buf() or
 * gnutls_memset() + free().
 */
char *batch_scep_csv(const struct batch_challenges *c, size_t *out_len);

/* Wipes the challenges and frees the rows; the struct is the caller's. */
void batch_challenges_clear(struct batch_challenges *c);

#endif
