/*
 * cert: what a leaf certificate is asked to be (struct cert_request,
 * which leaf.h signs), certificate requests (PKCS#10) and what sipca
 * reads from certificates with GnuTLS (keys are key.h's).
 * Knows nothing of the store: it works on memory only.
 */
#ifndef SIPCA_CERT_H
#define SIPCA_CERT_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "key.h"
#include "san_list.h"
#include "x509.h"

struct ca;

struct cert_request {
	enum cert_kind kind;		/* KIND_SERVER, KIND_DEVICE or KIND_EAP_TLS */
	const char *common_name;
	const char *organization;	/* NULL: none */
	const struct san_list *sans;
	long days;
	time_t not_before;		/* the validity starts here */
	time_t not_after;		/* and ends here; 0: not_before + days */
	int eku_server_auth;
	int eku_client_auth;
	const char *crl_url;		/* cRLDistributionPoints, or NULL */
	gnutls_pubkey_t pubkey;		/* the subject's key (borrowed) */
};

/*
 * PEM or DER certificate request, its self-signature verified and its
 * key one that phones and TLS stacks take: RSA with an odd exponent of
 * at least 65537, or ECDSA on P-256, P-384 or P-521.
 * Returns 0 or -1 after setting *out_reason to a message (for GnuTLS's
 * own failures, naming the call: x509_call_reason()); or
 * CSR_E_NOT_A_REQUEST when data is no request at all, *out_reason then
 * saying what it is when it can ("it is a certificate, ...", "it is a
 * private key; ..."), for "FILE: not a PKCS#10 certificate request: ...".
 */
#define CSR_E_NOT_A_REQUEST (-2)
int csr_load(const unsigned char *data, size_t len,
    gnutls_x509_crq_t *out_crq, const char **out_reason);
/* Every GeneralName of the request's subjectAltName, appended to out in
 * order (duplicates kept). Returns 0 or a GnuTLS error code. */
int csr_sans(gnutls_x509_crq_t crq, struct san_list *out);
/*
 * What --copy-san takes from a request, appended to out: DNS names, SIP
 * URIs and IP addresses whose encoded octets are exactly a valid value
 * of the type (no NUL, IA5 only, RFC 1123 and RFC 3261 syntax, 4 or 16
 * octets), at most SAN_MAX of them. Returns 0, or -1 with a new message
 * in *out_msg naming the first bad value, escaped. SANs of the types
 * sipca does not issue are refused the same way, unless drop_others:
 * then they are left out and *out_dropped names them in a new string
 * (NULL when there were none), for a warning.
 */
int csr_copy_sans(gnutls_x509_crq_t crq, int drop_others,
    struct san_list *out, char **out_dropped, char **out_msg);

/* Lowercase hex serial of a certificate into buf (2*SERIAL_LEN+1 or more). */
int cert_serial_hex(gnutls_x509_crt_t crt, char *buf, size_t size);

/* Every GeneralName of a certificate's subjectAltName, as csr_sans(). */
int cert_sans(gnutls_x509_crt_t crt, struct san_list *out);

/* Loads every PEM certificate in data (or one DER); the caller deinits
 * each and gnutls_free()s the array. */
int cert_load_all(const unsigned char *data, size_t len,
    gnutls_x509_crt_t **out_list, unsigned *out_n);

/* RFC 4514 subject DN as a new string. */
char *cert_subject(gnutls_x509_crt_t crt);

#endif
