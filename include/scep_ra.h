/*
 * scep_ra: the SCEP Registration Authority certificate (RFC 8894
 * section 2.1.1): the RSA certificate a device encrypts its request to
 * (RFC 8894 section 3.5.2: key transport is RSA) and that signs the
 * CertRep. sipca always uses one, whatever the CA's key: an EC CA cannot
 * decrypt, and a CA key on a token should not be asked to.
 *
 * Where it lives: it is an issued certificate of the store under the
 * reserved name SCEP_RA_NAME, kind device, an RSA key sipca generated
 * (issued/scep-ra/key.pem, 0600, written atomically by the store like
 * every generated key), keyUsage digitalSignature and keyEncipherment,
 * CA:FALSE (leaf.h's profile for an RSA key). So "sipca list" shows it,
 * "sipca renew scep-ra" renews it (the server reads it again on SIGHUP)
 * and "sipca revoke" revokes it, like any certificate; its default SAN
 * is the device identity sip:scep-ra@DOMAIN (the device profile asks for
 * one), which is why the name is reserved: no challenge is made for it
 * and SCEP never issues it.
 *
 * Prints nothing; messages go into the caller's report.
 */
#ifndef SIPCA_SCEP_RA_H
#define SIPCA_SCEP_RA_H

#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "issuance.h"
#include "report.h"
#include "result.h"

struct ca;
struct store;

#define SCEP_RA_NAME "scep-ra"
/* RSA-2048: what every SCEP client can encrypt to. */
#define SCEP_RA_KEY KEY_RSA2048
/* Renewed by the server once a third of this is left. */
#define SCEP_RA_DAYS 730

/* The loaded RA: scep_ra_clear(). */
struct scep_ra {
	gnutls_x509_crt_t crt;
	gnutls_privkey_t key;
	gnutls_datum_t der;		/* crt, DER */
	char serial[2 * SERIAL_LEN + 1];
	time_t not_after;
};
void scep_ra_clear(struct scep_ra *ra);

/*
 * Reads the RA from the store: RESULT_OK; RESULT_E_INPUT when there is
 * none (no message: the caller makes one, or says how) or it is not
 * usable (not RSA, no key file, revoked or expired; rep says why);
 * RESULT_E_FAILED when the store does not read.
 */
enum result scep_ra_load(struct store *s, struct scep_ra *out, struct report *rep);

/* What the RA is issued with: the store's settings, as issue reads them. */
struct scep_ra_params {
	const char *domain;
	const char *crl_url;		/* NULL: none */
	const char *organization;	/* NULL: none */
	long days;			/* 0: SCEP_RA_DAYS, capped to the CA's */
};

/*
 * Issues the RA with a new key: a first one (renew 0; RESULT_E_INPUT
 * when one is there already) or a new one replacing the current (renew
 * 1). *out_serial (2*SERIAL_LEN+1) gets its serial.
 */
enum result scep_ra_make(struct store *s, const struct ca *ca,
    const struct scep_ra_params *p, int renew, char *out_serial,
    struct report *rep);

/* 1 when ra is due to be renewed at now (a third of its life left). */
int scep_ra_due(const struct scep_ra *ra, time_t now);

#endif
