/*
 * testcert: certificates made in memory with GnuTLS alone, for the suites
 * that judge or package certificates (bundle, probe_check, probe). They
 * do not go through sipca's builder, so a suite tests its module and not
 * the builder as well. P-256 keys: quick to make.
 */
#ifndef SIPCA_TESTS_TESTCERT_H
#define SIPCA_TESTS_TESTCERT_H

#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

struct tcert {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

struct tcert_spec {
	const char *cn;			/* NULL: no commonName */
	/* "DNS:x", "URI:sip:x", "IP:192.0.2.1"; NULL-terminated, or NULL
	 * for no subjectAltName at all. */
	const char *const *sans;
	int ca;				/* basicConstraints cA, keyCertSign */
	time_t not_before, not_after;	/* 0: now - 1 day, now + 365 days */
};

/* Makes spec's certificate, signed by issuer, or self-signed when NULL. */
void tcert_make(struct tcert *out, const struct tcert_spec *spec,
    const struct tcert *issuer);
/* A CA named cn, valid from a day ago for ten years. */
void tcert_ca(struct tcert *out, const char *cn);
void tcert_clear(struct tcert *c);

/* The certificate (or key) encoded; gnutls_free() the data. */
gnutls_datum_t tcert_der(const struct tcert *c);
gnutls_datum_t tcert_pem(const struct tcert *c);
gnutls_datum_t tcert_key_pem(const struct tcert *c);

#endif
