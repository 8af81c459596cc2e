/*
 * san: parsing and validating the identities that go into a
 * certificate's subjectAltName: SIP URIs (RFC 3261 section 25.1), DNS
 * names (RFC 1123 section 2.1, RFC 5280 section 4.2.1.6) and IP
 * addresses (inet_pton). Pure functions over strings; no GnuTLS.
 *
 * Each validator returns 0 when the value is acceptable, or -1 and
 * points *out_reason at a static string saying why ("empty host").
 */
#ifndef SIPCA_SAN_H
#define SIPCA_SAN_H

#include <stddef.h>

enum san_type {
	SAN_DNS = 1,
	SAN_URI,
	SAN_IP,
	/* Read from certificates and requests, never issued. */
	SAN_EMAIL,		/* rfc822Name */
	SAN_X400,		/* x400Address */
	SAN_DIRNAME,		/* directoryName */
	SAN_EDIPARTY,		/* ediPartyName */
	SAN_OTHERNAME,
	SAN_RID,		/* registeredID */
};

enum san_flags {
	SAN_ALLOW_WILDCARD = 1 << 0,	/* accept "*" as the whole leftmost label */
};

/*
 * A SIP or SIPS URI in the form a certificate carries (RFC 5922 7.1):
 * "sip:" or "sips:", an optional user part per RFC 3261's user grammar
 * (unreserved, escaped, user-unreserved) followed by "@", and a host that
 * is a DNS name, an IPv4 address or a bracketed IPv6 reference, with an
 * optional ":port". URI parameters and headers are not identities and
 * are refused. No spaces or control characters.
 */
int san_check_sip_uri(const char *uri, int flags, const char **out_reason);

/* LDH labels of at most 63 octets, 253 in all, no trailing dot. */
int san_check_dns(const char *name, int flags, const char **out_reason);

/*
 * The len octets of an IA5String value as encoded (dNSName, rfc822Name,
 * uniformResourceIdentifier; RFC 5280 section 4.2.1.6): no byte above
 * 0x7f (X.680 section 41: IA5 is 7-bit) and no NUL, which would let a C
 * string end before the encoded value does. value need not be
 * terminated.
 */
int san_check_ia5(const char *value, size_t len, const char **out_reason);

/*
 * The len octets at text (need not be terminated) as an IPv4 or IPv6
 * address, the one reading of address text in sipca: inet_pton's, with
 * no brackets, zone id or NUL. out (16 bytes, or NULL) gets the binary
 * form. Returns 4 or 16, or 0 when the text is no address.
 */
size_t san_ip_from_text(const char *text, size_t len, unsigned char *out);

/* inet_ntop's text for an iPAddress value; the canonical form, as GnuTLS
 * prints it. Returns 0, or -1 unless len is 4 or 16. */
#define SAN_IP_TEXT_MAX 46	/* INET6_ADDRSTRLEN */
int san_ip_to_text(const unsigned char *ip, size_t len,
    char buf[SAN_IP_TEXT_MAX]);

/* An IPv4 or IPv6 address (a C string), as san_ip_from_text(). out (16
 * bytes) gets the binary form and *out_len 4 or 16; both may be NULL. */
int san_parse_ip(const char *text, unsigned char *out, size_t *out_len,
    const char **out_reason);

/* An IPv4 or IPv6 CIDR ("10.0.0.0/8"): address then mask, 8 or 32 bytes. */
int san_parse_cidr(const char *text, unsigned char out[32], size_t *out_len,
    const char **out_reason);

/*
 * A NAME under which a certificate is stored (issued/NAME/): 1 to 64
 * characters from [A-Za-z0-9._@+-], not starting with a dot, so it can
 * never escape the directory or hide in it.
 */
int san_check_store_name(const char *name, const char **out_reason);
/* Folds a NAME to lower case in place (names are case-insensitive); returns it. */
char *san_fold_store_name(char *name);

#endif
