/*
 * renewal: what "sipca renew" issues for a stored certificate: the
 * request that reproduces it, checked as a new one is, and the key it
 * keeps. The command takes the lock, issues with issuance_issue() and
 * prints.
 */
#ifndef SIPCA_RENEWAL_H
#define SIPCA_RENEWAL_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "issuance.h"
#include "key.h"
#include "report.h"
#include "result.h"
#include "store.h"

struct renewal_options {
	long days;		/* 0: the original length */
	int rekey;
	int key_type_set;
	enum key_type key_type;
	int force;
	int allow_foreign;
	const char *domain;
	const char *crl_url;
};

/*
 * The request that reproduces cur: its kind, name and SANs as the index
 * recorded them (DNS names and URI hosts folded to lower case), the
 * original validity length (a default, capped to the CA's notAfter), or
 * o's (refused past it: validity.h). A certificate issued from a CSR is
 * not rekeyed (sipca has no key to replace).
 *
 * It is checked as a new request is, identity policy included: a
 * certificate issued before the policy with a device identity that is
 * the domain's (RFC 5922 section 7.1) is not renewed at all (revoke it
 * and issue a correct one), and one with names outside the SIP domain
 * only with allow_foreign, which the index does not record.
 * out->sans is the caller's to clear, whatever the result.
 */
enum result renewal_spec(const struct store_cert *cur,
    const struct renewal_options *o, struct issuance_spec *out,
    struct report *rep);

/*
 * The key the renewal keeps: for a generated key, issued/NAME/key.pem
 * (checked against the certificate, so the new certificate is for the
 * key the device has); for a CSR, the certificate's public key.
 */
enum result renewal_kept_key(struct store *s, const struct store_cert *cur,
    gnutls_pubkey_t *out, struct report *rep);

#endif
