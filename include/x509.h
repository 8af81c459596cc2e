/*
 * x509: the X.509 vocabulary every layer shares (the kinds of
 * certificate sipca makes, the bounds and object identifiers it uses),
 * so that a module needing a word need not include the module that
 * builds certificates. Depends on nothing.
 */
#ifndef SIPCA_X509_H
#define SIPCA_X509_H

#include <time.h>

enum cert_kind {
	KIND_CA = 0,
	KIND_SERVER,
	KIND_DEVICE,
	/*
	 * A device's 802.1X certificate (EAP-TLS, RFC 5216): clientAuth
	 * only, its name the device's MAC address (eap_tls.h). Stored as
	 * kind "eap-tls"; a device in everything the SIP device rules of
	 * the store's policy say (issuance.h).
	 */
	KIND_EAP_TLS,
};
const char *cert_kind_name(enum cert_kind k);
int cert_kind_parse(const char *s, enum cert_kind *out);
/* KIND_DEVICE or KIND_EAP_TLS: a certificate a device holds, not the domain. */
int cert_kind_is_device(enum cert_kind k);

/* RFC 5280 4.1.2.2: at most 20 octets, positive. */
#define SERIAL_LEN 20

/* 20 random octets from GnuTLS's RNG, top bit clear, first octet non-zero.
 * Returns 0 or a GnuTLS error code. */
int serial_generate(unsigned char out[SERIAL_LEN]);

/* 2038-01-19T03:14:07Z: the last second a signed 32-bit time_t holds. */
#define Y2038_LIMIT ((time_t)2147483647)

/*
 * "gnutls_x509_crt_import: Base64 decoding error.": a GnuTLS failure in
 * words that name the call, for a module's *out_reason. The text lives
 * in a buffer of the calling thread until its next call here.
 */
const char *x509_call_reason(const char *call, int err);

/* extendedKeyUsage purposes (RFC 5280 section 4.2.1.12). */
#define OID_SERVER_AUTH	"1.3.6.1.5.5.7.3.1"
#define OID_CLIENT_AUTH	"1.3.6.1.5.5.7.3.2"
#define OID_ANY_EKU	"2.5.29.37.0"

#endif
