/*
 * jws: the signed requests of ACME (RFC 8555 section 6.2): a JWS in the
 * flattened JSON serialization (RFC 7515 section 7.2.2) with one
 * signature and no unprotected header, its protected header holding
 * "alg", "nonce", "url" and exactly one of "jwk" (a new account, or a
 * revocation signed by the certificate's key) and "kid" (an account's
 * URL). JSON is jansson's, base64url nettle's (RFC 4648 section 5, no
 * padding), keys and signatures GnuTLS's: ES256, ES384 and RS256.
 *
 * It checks the form and the signature by a key it is given or the
 * "jwk" one; what the caller knows (that the nonce was issued and not
 * used, that "url" is the one requested, that "kid" names an account)
 * is the caller's to check with what jws_parse() returns.
 */
#ifndef SIPCA_JWS_H
#define SIPCA_JWS_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

/* What is wrong, as the ACME error type a server answers with (RFC 8555 6.7). */
enum jws_error {
	JWS_OK = 0,
	JWS_MALFORMED,			/* urn:ietf:params:acme:error:malformed */
	JWS_BAD_ALG,			/* ...:badSignatureAlgorithm */
	JWS_BAD_SIGNATURE,		/* ...:malformed, "the signature does not verify" */
	JWS_BAD_PUBLIC_KEY,		/* ...:badPublicKey */
};

/* The ACME error type of e ("malformed", "badSignatureAlgorithm", ...). */
const char *jws_error_type(enum jws_error e);

/* Which key form the request must use (RFC 8555 6.2). */
enum jws_key_form {
	JWS_NEED_JWK,
	JWS_NEED_KID,
	JWS_EITHER,			/* revokeCert: an account's or the certificate's key */
	JWS_INNER,			/* keyChange's inner JWS: jwk, url, no nonce (7.3.5) */
};

struct jws {
	char alg[8];			/* "ES256", "ES384", "RS256" */
	char *nonce;			/* as sent, base64url; NULL for JWS_INNER */
	char *url;
	char *kid;			/* NULL in the jwk form */
	gnutls_pubkey_t jwk;		/* NULL in the kid form */
	char thumbprint[44];		/* RFC 7638 SHA-256 of jwk, base64url; "" for kid */
	char *jwk_json;			/* the jwk's members RFC 7638 orders, as JSON */
	unsigned char *payload;		/* decoded; NUL after it, not counted */
	size_t payload_len;		/* 0: a POST-as-GET (RFC 8555 6.3) */
	/* The signing input (RFC 7515 5.2) and the signature as GnuTLS takes it. */
	gnutls_datum_t signed_data, signature;
};

/*
 * Parses body (len octets) as such a JWS and, in the jwk form, verifies
 * its signature by the jwk. Returns JWS_OK with *out filled (jws_clear),
 * or the error with a message for the problem document in why (size
 * octets).
 */
enum jws_error jws_parse(const char *body, size_t len, enum jws_key_form form,
    struct jws *out, char *why, size_t size);

/* Verifies a parsed kid-form request by the account's key. */
enum jws_error jws_verify(const struct jws *j, gnutls_pubkey_t key, char *why,
    size_t size);

/*
 * A JWK's key (the "jwk" of a header or of a keyChange payload, RFC 8555
 * 7.3.5) and its RFC 7638 thumbprint. Returns JWS_OK, or JWS_BAD_PUBLIC_KEY
 * (or JWS_MALFORMED) with why.
 */
struct json_t;
enum jws_error jws_import_jwk(const struct json_t *jwk, gnutls_pubkey_t *out_key,
    char thumbprint[44], char **out_json, char *why, size_t size);

void jws_clear(struct jws *j);

/* RFC 4648 section 5 without padding: a new NUL-terminated string. */
char *b64url_encode(const unsigned char *data, size_t len);
/* Decodes a new buffer (NUL after it); -1 for anything but unpadded base64url. */
int b64url_decode(const char *text, size_t len, unsigned char **out,
    size_t *out_len);

#endif
