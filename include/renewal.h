/*
 * renewal: what "sipca renew" issues for a stored certificate: the
 * request that reproduces it, checked as a new one is, and the key it
 * keeps, and which certificates a fleet renewal takes (renew --expiring,
 * renew --all). The command takes the lock, issues with issuance_issue()
 * and prints.
 */
#ifndef SIPCA_RENEWAL_H
#define SIPCA_RENEWAL_H

#include <stddef.h>
#include <time.h>

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
	const char *organization;	/* the subject's O as the store says now */
	/*
	 * renew --csr: the new key is this request's (borrowed), and with
	 * csr_sans (--copy-san: the SANs taken from it) the names are the
	 * request's, as issue --csr --copy-san gives them; NULL keeps the
	 * stored certificate's names (a renewal keeps the identity).
	 */
	gnutls_x509_crq_t csr;
	const struct san_list *csr_sans;
};

/*
 * The request that reproduces cur: its kind, name and SANs as the index
 * recorded them (DNS names and URI hosts folded to lower case), the
 * original validity length (a default, capped to the CA's notAfter), or
 * o's (refused past it: validity.h). A certificate issued from a CSR is
 * not rekeyed (sipca has no key to replace): it takes a new request,
 * o->csr, which any certificate may (its key then is the request's).
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

/*
 * The certificates a fleet renewal takes, as they were when it looked:
 * each is renewed later under the writers' lock only if NAME's current
 * certificate is still that serial (another sipca may have renewed it).
 */
struct renewal_item {
	char *name;
	char *serial;
	time_t not_after;
};

struct renewal_list {
	struct renewal_item *items;
	size_t n;
	size_t current;		/* renewal_list_foreign(): already the CA's */
};

/*
 * Every valid certificate expiring before `before` (renew --expiring),
 * in name order. Returns a store error code (the store keeps its
 * messages); out is the caller's to clear, whatever the result.
 */
int renewal_list_expiring(struct store *s, time_t before,
    struct renewal_list *out);

/*
 * Every valid certificate that has not expired and was not issued by ca
 * (renew --all): after the store's issuing CA changed, what is still
 * under the old one. "Issued by" is ca_issued(): the issuer name is ca's
 * subject and the signature verifies with ca's key (RFC 5280 6.1.3
 * (a)(1), (a)(4)), so a new CA with the old one's name but a new key does
 * not pass for it, and a missing authorityKeyIdentifier does not
 * matter. A stored certificate that cannot be read is listed (its
 * renewal says why it fails). out->current counts the valid ones ca did
 * issue. Returns a store error code; out is the caller's to clear.
 */
int renewal_list_foreign(struct store *s, const struct ca *ca,
    struct renewal_list *out);

/* Frees the items; the struct is the caller's. */
void renewal_list_clear(struct renewal_list *l);

#endif
