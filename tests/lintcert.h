/*
 * lintcert: certificates for the lint suites, built with GnuTLS at run
 * time: a sipca-like server certificate (SIPCA_SERVER) changed by a
 * struct spec, signed by a P-256 test CA ("Test CA", key id "caid").
 * What GnuTLS will not write is given octet by octet (struct raw_name).
 */
#ifndef SIPCA_TESTS_LINTCERT_H
#define SIPCA_TESTS_LINTCERT_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "lint.h"

#define T_NOW ((time_t)1780272000)	/* 2026-06-01T00:00:00Z */
#define DAY 86400


/* A name given as its octets, NULs included: RAW(0x82, "a\0b"). */
struct raw_name {
	unsigned char tag;
	const char *v;
	size_t len;
};
#define RAW(tag, s) { tag, s, sizeof(s) - 1 }

struct spec {
	int ca;				/* basicConstraints cA true, critical */
	int bc_noncritical;
	unsigned ku;			/* GNUTLS_KEY_*; 0: none */
	int eku_server, eku_client;
	const char *cns[3];
	const char *sans[4];		/* "DNS:x", "URI:x", "IP:x" */
	time_t not_before;
	long days;
	int self_signed;
	int no_ski, no_aki;
	gnutls_x509_privkey_t key;	/* NULL: leaf_key */
	gnutls_digest_algorithm_t dig;	/* 0: SHA-256 */
	const char *ext_oid;		/* extra extension */
	int ext_critical;
	/* subjectAltName written octet by octet instead of sans */
	struct raw_name raw_sans[5];
	struct raw_name raw_cn;		/* one more CN: string tag and octets */
};

/* A spec starts from SIPCA_SERVER and overrides a field or two: on purpose. */
#pragma GCC diagnostic ignored "-Woverride-init"
#define SIPCA_SERVER \
	.ku = GNUTLS_KEY_DIGITAL_SIGNATURE, .eku_server = 1, .eku_client = 1, \
	.cns = { "sip.example.com" }, \
	.sans = { "URI:sip:example.com", "DNS:example.com", "DNS:sip.example.com" }

/* The test CA and the leaf key: a Check unchecked fixture. */
void lintcert_setup(void);
void lintcert_teardown(void);
/* An RSA key of 1024 or 2048 bits, made once. */
gnutls_x509_privkey_t lintcert_rsa_key(unsigned bits);
/* s's certificate as DER; gnutls_free() out->data. */
void lintcert_build(const struct spec *s, gnutls_datum_t *out);

/* Options at T_NOW for role (-1: detect) and domain, with the test CA as
 * the chain when with_ca; lintcert_options_free() after. */
void lintcert_options(struct lint_options *o, int role, const char *domain,
    int with_ca);
void lintcert_options_free(struct lint_options *o);

/* Lints der with the options; the findings in f, the kind detected. */
void lintcert_lint(const unsigned char *der, size_t len,
    const struct lint_options *o, struct lint_findings *f,
    enum cert_kind *out_kind);

int lintcert_has_rule(const struct lint_findings *f, const char *id);
size_t lintcert_errors(const struct lint_findings *f);
/* The findings as text for a failure message (a static buffer). */
char *lintcert_describe(const struct lint_findings *f);

#endif
