/*
 * sipid: the identities a SIP client finds in a server certificate and
 * whether a SIP domain is among them (RFC 5922 sections 7.1 and 7.2).
 * Pure functions over a certificate's subjectAltName list and subject
 * CNs: no GnuTLS, no I/O, so probe and lint's rfc5922 rules can share
 * one reading of the RFC.
 */
#ifndef SIPCA_SIPID_H
#define SIPCA_SIPID_H

#include <stddef.h>

#include "san_list.h"

/* Which identities RFC 5922 7.1 takes from a certificate. */
enum sipid_set {
	SIPID_NONE = 0,		/* nothing usable */
	SIPID_URI,		/* "sip" URIs without a user part */
	SIPID_DNS,		/* DNS names, when there is no such URI */
	SIPID_CN,		/* the CN, only when there is no subjectAltName */
};

/* "sip: URIs", "DNS names", "CN" or "no identity". */
const char *sipid_set_name(enum sipid_set s);

/*
 * Splits a URI SAN into what 7.1 looks at: the scheme (into scheme,
 * ssize bytes), whether a user part ("user@") is there, and the host
 * without brackets, port or parameters (into host). Returns 0, or -1
 * when value is not "scheme:something" or a part does not fit.
 */
int sipid_uri_split(const char *value, char *scheme, size_t ssize,
    int *out_has_user, char *host, size_t hsize);

/*
 * Folds in place what RFC 3261 section 19.1.4 compares case-insensitively:
 * a URI's scheme and host, never its user part; a DNS name whole (RFC 4343).
 * So two spellings of one identity are one string.
 */
void sipid_uri_fold(char *value);
void sipid_dns_fold(char *name);

/*
 * True when host (a DNS name, perhaps "*.x") is domain itself or a name
 * under it, compared case-insensitively on a label boundary.
 */
int sipid_in_domain(const char *host, const char *domain);

/*
 * The identity set of a certificate: sans is its subjectAltName (text
 * entries, as cert_sans() gives them), has_san whether the extension is
 * there at all (it may hold only types sans leaves out), and n_cn the
 * number of subject CNs.
 */
enum sipid_set sipid_identity_set(const struct san_list *sans, int has_san,
    size_t n_cn);

/*
 * True when domain is one of the certificate's SIP domain identities:
 * compared case-insensitively and never as a wildcard (7.2). *out_set
 * (may be NULL) gets the set that was used; *out_value (may be NULL)
 * the matching identity, borrowed from sans or cns.
 */
int sipid_match_domain(const struct san_list *sans, int has_san,
    const char *const *cns, size_t n_cn, const char *domain,
    enum sipid_set *out_set, const char **out_value);

#endif
