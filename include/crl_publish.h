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
struct signer_secrets;
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

/*
 * The root's CRL of a two-level CA (root signed by its attached key),
 * written to DIR/root-crl.pem: the revoked certificates the root issued,
 * which are what it issued before the store grew its issuing CA; the
 * issuing CA is not a row of the index, so its CRL says it stands. The
 * number comes from the same sequence as crl.pem's, so each issuer's
 * numbers increase (RFC 5280 5.2.3).
 */
enum result crl_publish_root(struct store *s, const struct ca *root,
    long days, struct crl_published *out, struct report *rep);

/*
 * A new CA's first CRL (no entries, the next number), for a rollover's
 * next generation to publish from its switch on; nothing is written.
 */
enum result crl_first(struct store *s, const struct ca *ca, long days,
    struct crl_published *out, struct report *rep);

/*
 * In a rollover's overlap (after the switch, before finish) the old
 * generation's leaves are still in use, and a server that checks every
 * certificate of their chains needs the old CAs' CRLs: made again here,
 * the old issuing CA's into DIR/old-crl.pem (or, with root, the old
 * root's into DIR/old-root-crl.pem), signed by the old key unlocked with
 * secrets (a NULL passphrase file: the terminal, when the key is
 * encrypted).
 * *out_file names the file made, or is NULL when none was: outside the
 * overlap (RESULT_OK), or when the old root's key is not here (a warning
 * in rep).
 */
enum result crl_publish_overlap(struct store *s, int root,
    const struct signer_secrets *secrets, long days, const char **out_file,
    struct report *rep);

/* DIR/crls.pem made again from the CRLs there are (after a rollover step). */
enum result crl_publish_all(struct store *s, struct report *rep);

/* Frees the encodings; the struct is the caller's. */
void crl_published_clear(struct crl_published *p);

#endif
