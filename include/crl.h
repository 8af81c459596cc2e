/*
 * crl: building and signing the CA's certificate revocation list with
 * GnuTLS: a v2 CRL (RFC 5280 section 5) with authorityKeyIdentifier
 * (5.2.1), a CRL number (5.2.3), thisUpdate/nextUpdate (5.1.2.4-5) and,
 * per entry, the reasonCode extension (5.3.1). Works on memory only and
 * knows nothing of the store: the caller hands in the revoked entries and
 * the CRL number and writes the result where it belongs.
 */
#ifndef SIPCA_CRL_H
#define SIPCA_CRL_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>

struct ca;

/* The CRLReason codes sipca offers (RFC 5280 section 5.3.1). */
enum crl_reason {
	CRL_REASON_UNSPECIFIED = 0,
	CRL_REASON_KEY_COMPROMISE = 1,
	CRL_REASON_AFFILIATION_CHANGED = 3,
	CRL_REASON_SUPERSEDED = 4,
	CRL_REASON_CESSATION_OF_OPERATION = 5,
};
#define CRL_REASON_NAMES \
	"unspecified,keyCompromise,affiliationChanged,superseded,cessationOfOperation"

/* "keyCompromise" -> CRL_REASON_KEY_COMPROMISE; returns 0 or -1. */
int crl_reason_parse(const char *name, enum crl_reason *out);
const char *crl_reason_name(enum crl_reason r);

/* The CRL default validity: thisUpdate to nextUpdate. */
#define CRL_DEFAULT_DAYS 30

struct crl_entry {
	const char *serial_hex;		/* lowercase hex, as the store keeps it */
	time_t revoked_at;
	enum crl_reason reason;
};

struct crl_params {
	time_t this_update;
	time_t next_update;
	/* RFC 5280 5.2.3: increases with every CRL the CA issues. */
	unsigned long long number;
	const struct crl_entry *entries;	/* borrowed */
	size_t n;
};

/*
 * Builds the CRL described by p, signed with SHA-256 by ca (which must
 * have its key attached), and checks the signature before handing it
 * out. *out_der gets the DER (gnutls_free). Returns a GnuTLS error code;
 * GNUTLS_E_PARSING_ERROR for a serial that is not hex,
 * GNUTLS_E_INSUFFICIENT_CREDENTIALS when ca has no key.
 */
int crl_build(const struct crl_params *p, const struct ca *ca,
    gnutls_datum_t *out_der);

/* "-----BEGIN X509 CRL-----" PEM of der into *out_pem (gnutls_free). */
int crl_to_pem(const gnutls_datum_t *der, gnutls_datum_t *out_pem);

#endif
