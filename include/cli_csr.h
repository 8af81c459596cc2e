/*
 * cli_csr: a request given with --csr FILE (issue, renew): reading it,
 * and what the command says about it before anything is signed. The
 * checks are request.h's; this prints them and picks the exit status.
 */
#ifndef SIPCA_CLI_CSR_H
#define SIPCA_CLI_CSR_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "key.h"
#include "san_list.h"

struct store;

/*
 * Reads and verifies FILE (csr_load()); on failure prints "cannot read
 * request: 'FILE': ...", "'FILE': not a PKCS#10 certificate request:
 * ..." or "invalid request: 'FILE': ..." and returns EXIT_USAGE.
 */
int cli_csr_load(const char *path, gnutls_x509_crq_t *out);

/*
 * --copy-san: the request's SANs appended to out (csr_copy_sans()); a
 * bad one is "invalid request: 'FILE': ..." and EXIT_USAGE, the ones
 * drop_others leaves out a warning naming them.
 */
int cli_csr_copy_sans(const char *path, gnutls_x509_crq_t crq, int drop_others,
    struct san_list *out);

struct cli_csr_checks {
	const char *path;		/* the request's file, for messages */
	const char *name;		/* the store name it is for */
	int key_set;			/* --key TYPE was given */
	enum key_type key_type;
	int reuse_key;			/* --reuse-key */
	int copy_san;			/* --copy-san: nothing is left out */
	const struct san_list *sans;	/* the certificate's SANs */
};

/*
 * The request against the command line and the store: --key must name
 * the request's key type; the request's key must not be in a valid
 * certificate of another name unless reuse_key; SANs the certificate
 * leaves out (without --copy-san) get a note. Returns EXIT_OK, or the
 * exit status after the message.
 */
int cli_csr_check(struct store *s, gnutls_x509_crq_t crq,
    const struct cli_csr_checks *c);

#endif
