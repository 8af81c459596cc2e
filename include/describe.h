/*
 * describe: what a file of certificates or a certificate request says,
 * read into plain fields for `sipca show` to lay out as text or JSON.
 * Every certificate of a chain or bundle is read, in file order; a
 * request is read even when its signature does not verify, so that show
 * can say so. Memory only; nothing here prints.
 */
#ifndef SIPCA_DESCRIBE_H
#define SIPCA_DESCRIBE_H

#include <stddef.h>
#include <time.h>

#include "san_list.h"

enum describe_kind {
	DESCRIBE_CERT = 0,
	DESCRIBE_REQUEST,		/* PKCS#10, RFC 2986 */
};

struct describe_key {
	const char *algorithm;		/* GnuTLS's name ("RSA", "ECDSA"); static */
	unsigned bits;
	const char *curve;		/* "SECP256R1", or NULL; static */
	char type[32];			/* key_type_of_pubkey(): "p256", "rsa2048" */
};

/* A name as encoded (any octets, NUL-terminated after len). */
struct describe_text {
	char *data;
	size_t len;
};

struct description {
	enum describe_kind kind;
	struct describe_text subject;	/* RFC 4514 */
	struct describe_text issuer;	/* certificates only */
	char serial[130];		/* lowercase hex; certificates only */
	time_t not_before, not_after;	/* certificates only */
	struct san_list sans;
	int sans_error;			/* 0, or GnuTLS's error reading them */
	struct describe_key key;
	const char *signature_algorithm;	/* static, or NULL when unknown */
	/* Requests: whether the self-signature verifies (RFC 2986 section
	 * 3), and if not GnuTLS's words why (static). */
	int signature_valid;
	const char *signature_problem;
	/* keyUsage (RFC 5280 4.2.1.3): GNUTLS_KEY_* bits. */
	int has_key_usage;
	unsigned key_usage;
	int key_usage_critical;
	/* extendedKeyUsage OIDs (RFC 5280 4.2.1.12), each a new string. */
	char **eku;
	size_t n_eku;
	/* basicConstraints (RFC 5280 4.2.1.9); path_len -1: no limit. */
	int has_constraints;
	int ca;
	int path_len;
	unsigned char sha256[32];	/* certificates only */
	unsigned char sha1[20];
	int has_fingerprints;
};

struct description_list {
	struct description *items;
	size_t n;
};

/*
 * Reads data: every certificate in it (PEM, any number, or one DER), or
 * else one certificate request (PEM or DER). Returns 0, or -1 with
 * *out_reason set (static, or x509_call_reason()'s buffer) when data
 * holds neither.
 */
int describe_load(const unsigned char *data, size_t len,
    struct description_list *out, const char **out_reason);

/* The name of a keyUsage bit, for each bit in GNUTLS_KEY_* order; NULL
 * past the last. *out_bit gets the bit. */
const char *describe_key_usage_name(size_t i, unsigned *out_bit);

/* "serverAuth" for OID_SERVER_AUTH, "clientAuth", else the OID itself. */
const char *describe_eku_name(const char *oid);

/* Frees the entries and empties l (a caller-owned struct). */
void description_list_clear(struct description_list *l);

#endif
