/*
 * upkeep: what a long-running server keeps fresh by itself, with the
 * CA's key it holds: its own TLS certificate, renewed (same key) once a
 * third of its life is left, as ACME clients renew; and the CRL, signed
 * again once half of its thisUpdate..nextUpdate interval has passed, so
 * relying parties never hold one past nextUpdate (RFC 5280 section
 * 5.1.2.5). Each step is what "sipca renew NAME" and "sipca crl" do,
 * under the writers' lock; nothing is printed, the caller logs.
 */
#ifndef SIPCA_UPKEEP_H
#define SIPCA_UPKEEP_H

#include <time.h>

#include "report.h"
#include "result.h"
#include "store.h"

struct ca;

struct upkeep_done {
	int renewed;			/* the certificate was renewed */
	char old_serial[41], new_serial[41];
	time_t not_after;		/* the new certificate's */
	int crl;			/* a CRL was published */
	unsigned long long crl_number;
	time_t crl_next_update;
};

/*
 * Renews the server certificate of name when due, then the CRL when
 * due (a store without a CRL is left without one). With the store's
 * SIP domain, CRL URL and organisation, as renew reads them. Returns
 * RESULT_OK with *out saying what was done, or the failure with rep.
 */
enum result upkeep_run(struct store *s, const struct ca *ca, const char *name,
    const char *domain, const char *crl_url, const char *organization,
    time_t now, struct upkeep_done *out, struct report *rep);

#endif
