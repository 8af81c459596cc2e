/*
 * crl_publish: making the store's CRL current. Ties the store (revoked
 * rows, the CRL number, DIR/crl.pem) to crl.c's builder, so that
 * "sipca crl" and "sipca revoke" publish the same way: under the writers'
 * lock, a fresh number, every revoked certificate, written atomically.
 */
#ifndef SIPCA_CRL_PUBLISH_H
#define SIPCA_CRL_PUBLISH_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>

#include "report.h"
#include "result.h"

struct ca;
struct store;

struct crl_published {
	unsigned long long number;
	size_t entries;
	time_t this_update, next_update;
	gnutls_datum_t der;		/* gnutls_free, or crl_published_clear */
	gnutls_datum_t pem;
};

/*
 * Builds a CRL valid for days, signed by ca (its key attached), and
 * writes it to DIR/crl.pem. Returns RESULT_OK, or a failure with its
 * message in rep (the store says its own).
 */
enum result crl_publish(struct store *s, const struct ca *ca, long days,
    struct crl_published *out, struct report *rep);

/* Frees the encodings; the struct is the caller's. */
void crl_published_clear(struct crl_published *p);

#endif
