/*
 * san_list: the GeneralNames of a certificate or request (RFC 5280
 * section 4.2.1.6) as sipca holds them: what the certificate builder
 * writes, what the request and certificate readers and the lint decoder
 * fill, and what sipid reads as RFC 5922 identities. Each entry owns its
 * value; san_list_clear() frees them.
 */
#ifndef SIPCA_SAN_LIST_H
#define SIPCA_SAN_LIST_H

#include <stddef.h>

#include "san.h"

/*
 * RFC 5280 sets no bound on the names in one certificate; sipca does.
 * A phone needs one or two and a proxy a handful; 100 is also Let's
 * Encrypt's limit per certificate. Each name is carried in every
 * handshake and compared by every relying party, and without a bound a
 * request would decide how much work issuance is.
 */
#define SAN_MAX 100

/*
 * One GeneralName (RFC 5280 section 4.2.1.6). For DNS, URI and email the
 * value is the octets exactly as encoded, len of them, which may include
 * a NUL or any other byte (a terminating NUL follows, so a value without
 * one reads as a C string); an IP address is its canonical text. Types
 * sipca does not issue are text for naming them: dirName its RFC 4514
 * string, otherName "OID;#hex", registeredID the OID, x400 and ediParty
 * "#hex" of their contents.
 */
struct san_entry {
	enum san_type type;
	char *value;
	size_t len;		/* octets in value, without the terminating NUL */
	/* Why the encoded value is no value of its type (a NUL, a byte
	 * outside IA5, an iPAddress of 5 octets), or NULL; static. */
	const char *problem;
};

struct san_list {
	struct san_entry *items;
	size_t n;
};

/* "DNS", "URI", "IP", "email", "dirName", "otherName", ... */
const char *san_type_name(enum san_type t);
/* Appends len octets of value (any bytes) as they are, with problem
 * (static, or NULL). */
void san_list_append(struct san_list *l, enum san_type type, const void *value,
    size_t len, const char *problem);
/* Adds a copy of value unless an equal entry is there already. */
void san_list_add(struct san_list *l, enum san_type type, const char *value);
/* Adds an IP address in the canonical text form GnuTLS prints it in;
 * returns -1 with *out_reason set when text is not an address. */
int san_list_add_ip(struct san_list *l, const char *text,
    const char **out_reason);
/* Frees the entries and empties l (a caller-owned struct). */
void san_list_clear(struct san_list *l);
/* "URI:sip:example.com,DNS:example.com,IP:192.0.2.1": a new string.
 * For names sipca issued: the values are printed as they are. */
char *san_list_format(const struct san_list *l);
/* The reverse of san_list_format(); returns 0 or -1. */
int san_list_parse(const char *s, struct san_list *out);
/*
 * A copy of l for printing and comparing as C strings: every value passed
 * through text_escape() (at most max octets shown, 0: all). A value with
 * a NUL, a control character or a backslash no longer equals any name
 * that is valid for its type, and the others are unchanged.
 */
void san_list_escaped(const struct san_list *l, size_t max,
    struct san_list *out);
/* "DNS 'evil.com\x00.example.com'": an entry for a message, escaped. */
char *san_entry_describe(const struct san_entry *e, size_t max);

/*
 * The DER value of a subjectAltName extension (a GeneralNames SEQUENCE)
 * into out, checked as strict DER first, every GeneralName with its
 * octets as they are. Returns 0, or -1 when it is not valid DER.
 */
int san_list_from_der(const unsigned char *der, size_t der_len,
    struct san_list *out);

#endif
