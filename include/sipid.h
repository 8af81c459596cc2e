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

/* What 7.1 makes of one subjectAltName entry. */
enum sipid_uri_kind {
	SIPID_SAN_NONE = 0,	/* not a URI, or octets that are no value
				 * (a NUL, a byte outside IA5: entry->problem) */
	SIPID_SAN_NO_SCHEME,	/* not "scheme:something" */
	SIPID_SAN_OTHER_SCHEME,	/* a scheme other than "sip" (sips included) */
	SIPID_SAN_USER,		/* a sip: URI with a user part */
	SIPID_SAN_BAD_HOST,	/* a sip: URI with no host, or one too long */
	SIPID_SAN_DOMAIN,	/* a SIP domain identity; its host into host */
};

/*
 * Classifies e (any type; only a URI can be more than SIPID_SAN_NONE).
 * For SIPID_SAN_DOMAIN, host (hsize bytes; a longer host is
 * SIPID_SAN_BAD_HOST) gets the host without brackets, port or
 * parameters.
 */
enum sipid_uri_kind sipid_uri_kind(const struct san_entry *e, char *host,
    size_t hsize);

/*
 * A device's name is the user part of its SIP URI, sip:NAME@DOMAIN
 * (issuance.h). When name is a SIP URI itself ("sip:alice@example.com",
 * "sips:...") or user@host, its user part goes into user (usize bytes)
 * and 1 is returned, so that a message can say what to give instead;
 * 0 when name is neither (or the user part is empty or does not fit).
 */
int sipid_name_user(const char *name, char *user, size_t usize);

/* A subject CN as encoded, len octets (it may hold a NUL). */
struct sipid_name {
	const char *value;
	size_t len;
};

/*
 * The identity set of a certificate: sans is its subjectAltName as read
 * from the certificate (san_list_from_der(), or cert_sans()): entries
 * with a problem are never identities. has_san says whether the
 * extension is there at all (it may hold only other types), and n_cn
 * is the number of subject CNs.
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
    const struct sipid_name *cns, size_t n_cn, const char *domain,
    enum sipid_set *out_set, const char **out_value);

#endif
