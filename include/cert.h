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

struct san_entry {
	enum san_type type;
	char *value;		/* "sip:example.com", "example.com", "192.0.2.1" */
};

struct san_list {
	struct san_entry *items;
	size_t n;
};

/* Adds a copy of value unless an equal entry is there already. */
void san_list_add(struct san_list *l, enum san_type type, const char *value);
/* Adds an IP address in the canonical text form GnuTLS prints it in;
 * returns -1 with *out_reason set when text is not an address. */
int san_list_add_ip(struct san_list *l, const char *text,
    const char **out_reason);
void san_list_free(struct san_list *l);
/* "URI:sip:example.com,DNS:example.com,IP:192.0.2.1": a new string. */
char *san_list_format(const struct san_list *l);
/* The reverse of san_list_format(); returns 0 or -1. */
int san_list_parse(const char *s, struct san_list *out);

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
 * critical; SKI from the subject key, AKI from the CA's SKI.
 * Returns a GnuTLS error code; *out_crt is set only on success.
 */
int cert_build(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_x509_crt_t *out_crt);

/* PEM or DER certificate request, its self-signature verified.
 * Returns 0 or -1 after setting *out_reason to a message. */
int csr_load(const unsigned char *data, size_t len,
    gnutls_x509_crq_t *out_crq, const char **out_reason);
/* The subjectAltNames a request asks for, as text. */
int csr_sans(gnutls_x509_crq_t crq, struct san_list *out);

/* Exports a certificate as PEM or DER into a gnutls_datum_t (gnutls_free). */
int cert_export(gnutls_x509_crt_t crt, gnutls_x509_crt_fmt_t fmt,
    gnutls_datum_t *out);

/* Lowercase hex serial of a certificate into buf (2*SERIAL_LEN+1 or more). */
int cert_serial_hex(gnutls_x509_crt_t crt, char *buf, size_t size);

/* The SANs of a certificate, as text entries. */
int cert_sans(gnutls_x509_crt_t crt, struct san_list *out);

/* Loads every PEM certificate in data (or one DER); the caller deinits
 * each and gnutls_free()s the array. */
int cert_load_all(const unsigned char *data, size_t len,
    gnutls_x509_crt_t **out_list, unsigned *out_n);

/* RFC 4514 subject DN as a new string. */
char *cert_subject(gnutls_x509_crt_t crt);

#endif
