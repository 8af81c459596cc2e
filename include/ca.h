/*
 * ca: the certificate authority: making a CA certificate and its key (a
 * self-signed root, or an intermediate signed by one), and loading them
 * to sign. The signing key is a gnutls_privkey_t so a key on a token
 * signs the same way.
 */
#ifndef SIPCA_CA_H
#define SIPCA_CA_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "key.h"
#include "x509.h"

struct ca {
	gnutls_x509_crt_t crt;
	gnutls_privkey_t key;		/* NULL when loaded for reading only */
	gnutls_datum_t pem;		/* the CA certificate as PEM */
	/*
	 * PEM a leaf's chain.pem carries after this CA's certificate (during
	 * a rollover, the new root certified by the old one), or NULL. Owned.
	 */
	char *chain_extra;
	unsigned char key_id[64];	/* subjectKeyIdentifier */
	size_t key_id_len;
};

struct ca_params {
	const char *common_name;
	const char *organization;	/* NULL: none */
	enum key_type key_type;
	long days;
	time_t not_before;
	/* nameConstraints: permitted DNS subtree and IP ranges, or NULL/0 */
	const char *permit_dns;
	const char *const *permit_ip;	/* CIDR strings */
	size_t permit_ip_n;
	/*
	 * Sign with this key (a token's, borrowed) instead of generating
	 * one; the new CA then has no key attached and no key PEM.
	 */
	gnutls_privkey_t key;
	/*
	 * basicConstraints pathLenConstraint (RFC 5280 4.2.1.9): 0 for a CA
	 * that signs leaves only, 1 for a root above one issuing CA.
	 */
	unsigned path_len;
	/*
	 * NULL: self-signed. Else the CA that signs this one (its key
	 * attached): the new certificate is an intermediate whose issuer is
	 * issuer's subject, whose authorityKeyIdentifier is issuer's
	 * subjectKeyIdentifier (4.2.1.1), and whose notAfter is capped at
	 * issuer's (nothing outlives its issuer).
	 */
	const struct ca *issuer;
	/*
	 * Without permit_dns and permit_ip: repeat the nameConstraints of
	 * this CA (a rollover's new root keeps the old one's), else of
	 * issuer, else none.
	 */
	const struct ca *constraints_of;
};

/*
 * Makes a CA key and certificate: basicConstraints CA:TRUE with
 * path_len and keyUsage keyCertSign+cRLSign, both critical (RFC 5280
 * 4.2.1.9, 4.2.1.3), SKI (4.2.1.2), AKI when it has an issuer (4.2.1.1),
 * optional critical nameConstraints (4.2.1.10). *out_key_pem gets the key as PKCS#8 PEM, encrypted with
 * passphrase unless it is NULL; the caller wipes and gnutls_free()s it.
 * Returns a GnuTLS error code.
 */
int ca_create(const struct ca_params *p, const char *passphrase,
    struct ca **out_ca, gnutls_datum_t *out_key_pem);

/* Loads the CA certificate (PEM). Returns 0, or -1 with *out_reason naming
 * the GnuTLS call that failed (x509_call_reason()). */
int ca_load_cert(const unsigned char *pem, size_t len, struct ca **out_ca,
    const char **out_reason);

/*
 * Attaches the signing key from key PEM (PKCS#8, encrypted or not).
 * Returns 0, or a GnuTLS error code: GNUTLS_E_DECRYPTION_FAILED for a
 * wrong passphrase, GNUTLS_E_PK_SIG_VERIFY_FAILED when the key is not
 * the CA certificate's.
 */
int ca_attach_key(struct ca *ca, const unsigned char *pem, size_t len,
    const char *passphrase);

/*
 * Attaches a signing key already loaded (a token's), taking it over on
 * success. Returns 0, GNUTLS_E_PK_SIG_VERIFY_FAILED when it is not the
 * key of the CA certificate, or another GnuTLS error code.
 */
int ca_attach_privkey(struct ca *ca, gnutls_privkey_t key);

/*
 * A new self-signed certificate for old's key (attached): the same
 * subject, key, SKI, validity and name constraints, a new serial, and
 * basicConstraints pathLen path_len. What a single-level CA (pathLen 0,
 * which forbids any CA below it: RFC 5280 6.1.4 (m)) becomes to sign an
 * intermediate; what it issued verifies against either certificate.
 * The new CA has no key attached. Returns a GnuTLS error code.
 */
int ca_reissue(const struct ca *old, unsigned path_len, struct ca **out_ca);

/*
 * The root of a two-level CA allows two CAs below it: the issuing CA,
 * and during a key rollover the new root certified by this one's key
 * (RFC 4210 section 4.4 "NewWithOld"), so that a phone that trusts only
 * this root accepts leaf -> new issuing CA -> NewWithOld -> this root.
 * OpenSSL and GnuTLS apply a trust anchor's pathLenConstraint; with 1
 * that path is refused ("path length constraint exceeded").
 */
#define CA_ROOT_PATH_LEN 2

/*
 * True when crt was issued by issuer: its issuer name is issuer's subject
 * and its signature verifies with issuer's public key (RFC 5280 6.1.3
 * (a)(1) and (a)(4); time is not checked). What a store with a root and
 * an issuing CA uses to tell which of them issued a certificate.
 */
int ca_issued(const struct ca *issuer, gnutls_x509_crt_t crt);

/* ca_issued() for a certificate as PEM (a store row's); unreadable: 0. */
int ca_issued_pem(const struct ca *issuer, const char *pem);

/* True when the key PEM is encrypted and needs a passphrase. */
int ca_key_is_encrypted(const unsigned char *pem, size_t len);

void ca_free(struct ca *ca);

/* The longest CRL distribution point URL accepted, in characters. */
#define CA_CRL_URL_MAX 1024

/*
 * Checks a CRL distribution point URL before it is written into every
 * certificate (RFC 5280 4.2.1.13) and fetched by every phone: RFC 3986
 * syntax with the scheme "http" only (an https CRL needs a CRL to check
 * its own server, and phones fetch http); no userinfo, since a password
 * would be published in each certificate; a host that is a DNS name, an
 * IPv4 address or a bracketed IPv6 address; a port of 1 to 65535; a
 * path and query of RFC 3986 pchar, '/' and '?', without the single
 * quote; no fragment; at most CA_CRL_URL_MAX characters, printable ASCII.
 * Returns 0, or -1 and a static reason.
 */
int ca_check_crl_url(const char *url, const char **out_reason);

#endif
