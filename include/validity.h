/*
 * validity: when a leaf's validity ends, the one place it is decided for
 * issue, renew and the batch. A certificate is usable only while its
 * issuer is (RFC 5280 section 6.1.3 (a)(2) checks every certificate of
 * the path against the current time), so a leaf never ends after the
 * CA that signs it: a length that was a default is cut to the CA's
 * notAfter (and the command warns), a length the user asked for that
 * ends later is refused, and a CA past its notAfter issues nothing.
 * Windows CryptoAPI checks the same nesting (CertVerifyValidityNesting).
 */
#ifndef SIPCA_VALIDITY_H
#define SIPCA_VALIDITY_H

#include <time.h>

#include "result.h"
#include "report.h"

struct ca;
struct store;

/* What a certificate's validity was asked to be. */
struct validity_ask {
	time_t not_before;
	long days;
	/*
	 * Where days came from: NULL for a default (the 825 days of issue,
	 * a renewal's original length), which is capped; else the option
	 * or column the user set ("--days", "days"), named when refused.
	 */
	const char *days_from;
	time_t ca_not_after;		/* the issuer's notAfter; 0 or -1: unknown */
};

enum validity_verdict {
	VALIDITY_OK = 0,		/* not_before + days, within the CA */
	VALIDITY_CAPPED,		/* a default that outlived the CA: cut to it */
	VALIDITY_PAST_CA,		/* asked for explicitly past the CA: refused */
	VALIDITY_CA_EXPIRED,		/* the CA's notAfter is not after not_before */
};

/*
 * The notAfter for a: not_before + days, or the CA's notAfter when that
 * is earlier (*out_not_after is set for VALIDITY_OK and VALIDITY_CAPPED
 * only). An unknown CA end caps nothing.
 */
enum validity_verdict validity_leaf(const struct validity_ask *a,
    time_t *out_not_after);

/*
 * What the command says about a verdict other than VALIDITY_OK, as a new
 * string: the warning for VALIDITY_CAPPED, the refusal for the others,
 * naming a->days_from and the CA's notAfter. NULL for VALIDITY_OK.
 */
char *validity_message(const struct validity_ask *a, enum validity_verdict v);

/* The notAfter of ca's certificate, or -1 when it cannot be read. */
time_t validity_ca_end(const struct ca *ca);

/*
 * The notAfter of the CA that signs in s (signer_open() without the
 * key, so before any passphrase is asked for). Messages go to rep.
 */
enum result validity_issuer_end(struct store *s, time_t *out_not_after,
    struct report *rep);

/*
 * The commands' check before anything is unlocked or written: for
 * VALIDITY_PAST_CA and VALIDITY_CA_EXPIRED, RESULT_E_INPUT with the
 * refusal in rep, prefixed with prefix ("NAME: ") when not NULL;
 * RESULT_OK otherwise. A capped validity is no refusal: the command
 * warns once the certificate is issued (struct issuance's capped).
 */
enum result validity_check(const struct validity_ask *a, const char *prefix,
    struct report *rep);

#endif
