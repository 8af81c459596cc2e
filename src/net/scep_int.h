/*
 * scep_int: what scep.c (HTTP, the CA's certificates, the RA) and
 * scep_enroll.c (PKIOperation: enrollment, renewal, polling) share.
 */
#ifndef SIPCA_SCEP_INT_H
#define SIPCA_SCEP_INT_H

#include <pthread.h>
#include <gnutls/gnutls.h>

#include "scep.h"
#include "scep_ra.h"

struct serve_request;
struct serve_response;

struct scep {
	const struct scep_config *cfg;
	pthread_mutex_t mu;		/* the store and the CA key, without cfg->lock */
	/*
	 * Read by every request, written by scep_reload(): taken before the
	 * store's lock, never after it.
	 */
	pthread_rwlock_t ra_lock;
	struct scep_ra ra;
	gnutls_datum_t cacert;		/* GetCACert's answer */
	gnutls_datum_t nextca;		/* GetNextCACert's; size 0: no rollover */
};

void scep_store_lock(struct scep *sc);
void scep_store_unlock(struct scep *sc);

/* An HTTP answer of text (400 and the like). */
void scep_text(struct serve_response *out, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * PKIOperation on the message msg: a CertRep (HTTP 200), or an HTTP
 * error for what is no pkiMessage. Called with ra_lock held for reading.
 */
void scep_operation(struct scep *sc, const struct serve_request *rq,
    const unsigned char *msg, size_t len, struct serve_response *out);

#endif
