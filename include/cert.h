/*
 * cert: keys and leaf certificates with GnuTLS. Generates keys and
 * serial numbers, builds and signs server and device certificates with
 * the extensions SIP over TLS needs, and reads certificate requests.
 * Knows nothing of the store: it works on memory only.
 */
#ifndef SIPCA_CERT_H
#define SIPCA_CERT_H

#include <stddef.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "san.h"

struct ca;

enum key_type {
	KEY_RSA2048 = 0,
	KEY_RSA3072,
	KEY_RSA4096,
	KEY_P256,
	KEY_P384,
};
#define KEY_TYPE_NAMES "rsa2048,rsa3072,rsa4096,p256,p384"

int key_type_parse(const char *s, enum key_type *out);
const char *key_type_name(enum key_type t);

enum cert_kind {
	KIND_CA = 0,
	KIND_SERVER,
	KIND_DEVICE,
};
const char *cert_kind_name(enum cert_kind k);
int cert_kind_parse(const char *s, enum cert_kind *out);

/* RFC 5280 4.1.2.2: at most 20 octets, positive. */
#define SERIAL_LEN 20

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
/* Adds a copy of value unless an equal entry is there already. */
void san_list_add(struct san_list *l, enum san_type type, const char *value);
/* Adds an IP address in the canonical text form GnuTLS prints it in;
 * returns -1 with *out_reason set when text is not an address. */
int san_list_add_ip(struct san_list *l, const char *text,
    const char **out_reason);
void san_list_free(struct san_list *l);
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

/* A new key of the given type. Returns a GnuTLS error code. */
int key_generate(enum key_type type, gnutls_x509_privkey_t *out_key);
/* PKCS#8 PEM, unencrypted (passphrase NULL) or PBES2 AES-256. */
int key_export_pem(gnutls_x509_privkey_t key, const char *passphrase,
    gnutls_datum_t *out_pem);

/* 20 random octets from GnuTLS's RNG, top bit clear, first octet non-zero. */
int serial_generate(unsigned char out[SERIAL_LEN]);

struct cert_request {
	enum cert_kind kind;		/* KIND_SERVER or KIND_DEVICE */
	const char *common_name;
	const char *organization;	/* NULL: none */
	const struct san_list *sans;
	long days;
	time_t not_before;		/* the validity starts here */
	int eku_server_auth;
	int eku_client_auth;
	const char *crl_url;		/* cRLDistributionPoints, or NULL */
	gnutls_pubkey_t pubkey;		/* the subject's key (borrowed) */
};

/*
 * Builds the certificate described by req, signed by ca with SHA-256.
 * keyUsage digitalSignature (and keyEncipherment for an RSA key) is
 * critical; SKI from the subject key, AKI from the CA's SKI. The
 * subjectAltName holds req->sans in order: at most SAN_MAX, none with a
 * problem or a NUL (GNUTLS_E_INVALID_REQUEST otherwise).
 * Returns a GnuTLS error code; *out_crt is set only on success.
 */
int cert_build(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_x509_crt_t *out_crt);

/*
 * PEM or DER certificate request, its self-signature verified and its
 * key one that phones and TLS stacks take: RSA with an odd exponent of
 * at least 65537, or ECDSA on P-256, P-384 or P-521.
 * Returns 0 or -1 after setting *out_reason to a message.
 */
int csr_load(const unsigned char *data, size_t len,
    gnutls_x509_crq_t *out_crq, const char **out_reason);
/* Every GeneralName of the request's subjectAltName, appended to out in
 * order (duplicates kept). Returns 0 or a GnuTLS error code. */
int csr_sans(gnutls_x509_crq_t crq, struct san_list *out);
/*
 * What --copy-san takes from a request, appended to out: DNS names, SIP
 * URIs and IP addresses whose encoded octets are exactly a valid value
 * of the type (no NUL, IA5 only, RFC 1123 and RFC 3261 syntax, 4 or 16
 * octets), at most SAN_MAX of them. Returns 0, or -1 with a new message
 * in *out_msg naming the first bad value, escaped. SANs of the types
 * sipca does not issue are refused the same way, unless drop_others:
 * then they are left out and *out_dropped names them in a new string
 * (NULL when there were none), for a warning.
 */
int csr_copy_sans(gnutls_x509_crq_t crq, int drop_others,
    struct san_list *out, char **out_dropped, char **out_msg);

/* Exports a certificate as PEM or DER into a gnutls_datum_t (gnutls_free). */
int cert_export(gnutls_x509_crt_t crt, gnutls_x509_crt_fmt_t fmt,
    gnutls_datum_t *out);

/* Lowercase hex serial of a certificate into buf (2*SERIAL_LEN+1 or more). */
int cert_serial_hex(gnutls_x509_crt_t crt, char *buf, size_t size);

/* Every GeneralName of a certificate's subjectAltName, as csr_sans(). */
int cert_sans(gnutls_x509_crt_t crt, struct san_list *out);

/* Loads every PEM certificate in data (or one DER); the caller deinits
 * each and gnutls_free()s the array. */
int cert_load_all(const unsigned char *data, size_t len,
    gnutls_x509_crt_t **out_list, unsigned *out_n);

/* RFC 4514 subject DN as a new string. */
char *cert_subject(gnutls_x509_crt_t crt);

#endif
