/*
 * probe_check: judging what a probe session saw (probe.h) as a careful
 * phone would: the chain against the CA with sipca's clock, its order
 * and completeness, the server certificate's RFC 5922 identity set and
 * its host name as generic TLS clients match it, lint on every
 * certificate presented, mutual TLS and the answer to OPTIONS. Each
 * check adds findings to a list; printing them is the command's job.
 */
#ifndef SIPCA_PROBE_CHECK_H
#define SIPCA_PROBE_CHECK_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "probe.h"

enum probe_verdict {
	PROBE_OK = 0,
	PROBE_NOTE,		/* worth knowing, not a finding */
	PROBE_WARN,		/* some clients will fail; not counted */
	PROBE_FAIL,		/* a finding */
};
/* "ok", "note", "warn", "fail" */
const char *probe_verdict_name(enum probe_verdict v);

struct probe_finding {
	const char *check;		/* "verify", "chain", "sip-domain", "lint", ... */
	enum probe_verdict verdict;
	int cert;			/* index in the presented chain, or -1 */
	const char *rule, *citation;	/* a lint rule's (static), or NULL */
	char *message;
};

struct probe_check {
	/* Set by the caller; all borrowed. */
	const char *host;		/* the name checked as generic clients do */
	const char *domain;		/* the SIP domain */
	const char *cert_name;		/* the --cert NAME, or NULL */
	const char *ca_label;		/* "the store's ca.pem" or the --ca file */
	const unsigned char *ca_data;	/* the CA certificates as read */
	size_t ca_len;
	gnutls_x509_crt_t *cas;		/* ... and decoded: the trust anchors */
	unsigned n_cas;
	const struct probe_result *res;
	time_t now;
	/* Filled in by probe_check_run(); freed by probe_check_free(). */
	gnutls_x509_crt_t *chain;	/* res->chain decoded */
	unsigned chain_n;
	struct probe_finding *items;
	size_t n;
	size_t failed;			/* PROBE_FAIL items */
};

/* Runs every check that what the session got that far allows. */
void probe_check_run(struct probe_check *x);
void probe_check_free(struct probe_check *x);

/* The subject (issuer 0) or issuer (1) DN of crt, RFC 4514, as a new string. */
char *probe_dn(gnutls_x509_crt_t crt, int issuer);

#endif
