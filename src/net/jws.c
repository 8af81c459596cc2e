/*
 * jws: ACME's signed requests (include/jws.h), RFC 8555 section 6.2 on
 * RFC 7515 (JWS), RFC 7517 (JWK), RFC 7518 (the algorithms) and RFC 7638
 * (thumbprints).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <nettle/base64.h>

#include "jws.h"
#include "util.h"

const char *
jws_error_type(enum jws_error e)
{
	switch (e) {
	case JWS_OK: return "";
	case JWS_MALFORMED: return "malformed";
	case JWS_BAD_ALG: return "badSignatureAlgorithm";
	case JWS_BAD_SIGNATURE: return "malformed";
	case JWS_BAD_PUBLIC_KEY: return "badPublicKey";
	}
	return "malformed";
}

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
b64url_encode(const unsigned char *data, size_t len)
{
	struct base64_encode_ctx ctx;
	/* what update writes, what final adds, and a NUL */
	char *out = xmalloc(BASE64_ENCODE_LENGTH(len) + BASE64_ENCODE_FINAL_LENGTH + 1);
	size_t n;

	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, out, len, data);
	n += base64_encode_final(&ctx, out + n);
	/* RFC 7515 section 2: the padding is left out. */
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	return out;
}

int
b64url_decode(const char *text, size_t len, unsigned char **out, size_t *out_len)
{
	static const char pad[] = "==";
	struct base64_decode_ctx ctx;
	unsigned char *buf;
	size_t i, n = 0, m = 0;

	/*
	 * nettle would skip whitespace and take padding; JWS has neither
	 * (RFC 7515 section 2), so only the alphabet passes, and the padding
	 * a last group lacks is given to nettle, whose final check then
	 * refuses a group cut short (one character).
	 */
	for (i = 0; i < len; i++)
		if (text[i] == '\0' || strchr(b64url_alphabet, text[i]) == NULL)
			return -1;
	if (len % 4 == 1)
		return -1;
	buf = xmalloc(BASE64_DECODE_LENGTH(len + 2) + 1);
	base64url_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, buf, len, text) ||
	    !base64_decode_update(&ctx, &m, buf + n, (4 - len % 4) % 4, pad) ||
	    !base64_decode_final(&ctx)) {
		free(buf);
		return -1;
	}
	n += m;
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

/* A member that must be a string: its value, or NULL. */
static const char *
get_string(const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A base64url member decoded (a JWK's coordinates, RFC 7518 6.2.1). */
static int
get_b64(const json_t *o, const char *name, gnutls_datum_t *out)
{
	const char *s = get_string(o, name);
	unsigned char *d;
	size_t n;

	if (s == NULL || b64url_decode(s, strlen(s), &d, &n) != 0)
		return -1;
	if (n == 0) {
		free(d);
		return -1;
	}
	out->data = d;
	out->size = (unsigned)n;
	return 0;
}

enum jws_error
jws_import_jwk(const json_t *jwk, gnutls_pubkey_t *out_key,
    char thumbprint[44], char **out_json, char *why, size_t size)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 }, canon;
	gnutls_pubkey_t key = NULL;
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	unsigned char digest[32];
	const char *kty, *crv = NULL;
	json_t *members = NULL;
	char *json = NULL, *tp = NULL;
	enum jws_error e = JWS_BAD_PUBLIC_KEY;
	size_t coord = 0;
	unsigned bits;
	int ret;

	if (!json_is_object(jwk) || (kty = get_string(jwk, "kty")) == NULL) {
		snprintf(why, size, "the jwk is not a JSON object with a \"kty\"");
		return JWS_MALFORMED;
	}
	if (gnutls_pubkey_init(&key) < 0)
		abort();
	if (strcmp(kty, "EC") == 0) {
		crv = get_string(jwk, "crv");
		if (crv != NULL && strcmp(crv, "P-256") == 0) {
			curve = GNUTLS_ECC_CURVE_SECP256R1;
			coord = 32;
		} else if (crv != NULL && strcmp(crv, "P-384") == 0) {
			curve = GNUTLS_ECC_CURVE_SECP384R1;
			coord = 48;
		} else {
			snprintf(why, size, "an EC jwk on P-256 or P-384 only");
			goto out;
		}
		/* RFC 7518 6.2.1.2: each coordinate the curve's full size. */
		if (get_b64(jwk, "x", &a) != 0 || get_b64(jwk, "y", &b) != 0 ||
		    a.size != coord || b.size != coord) {
			snprintf(why, size, "the jwk's \"x\" and \"y\" are not %zu octets"
			    " of base64url each", coord);
			goto out;
		}
		if ((ret = gnutls_pubkey_import_ecc_raw(key, curve, &a, &b)) < 0 ||
		    (ret = gnutls_pubkey_verify_params(key)) < 0) {
			snprintf(why, size, "the jwk is not a point of %s: %s", crv,
			    gnutls_strerror(ret));
			goto out;
		}
		members = json_pack("{s:s,s:s,s:s,s:s}", "crv", crv, "kty", "EC",
		    "x", get_string(jwk, "x"), "y", get_string(jwk, "y"));
	} else if (strcmp(kty, "RSA") == 0) {
		if (get_b64(jwk, "n", &a) != 0 || get_b64(jwk, "e", &b) != 0 ||
		    a.data[0] == 0 || b.data[0] == 0) {
			snprintf(why, size, "the jwk's \"n\" and \"e\" are not base64url"
			    " integers without leading zeros (RFC 7518 6.3.1)");
			goto out;
		}
		if ((ret = gnutls_pubkey_import_rsa_raw(key, &a, &b)) < 0) {
			snprintf(why, size, "the jwk is not an RSA key: %s",
			    gnutls_strerror(ret));
			goto out;
		}
		gnutls_pubkey_get_pk_algorithm(key, &bits);
		if (bits < 2048 || bits > 8192) {
			snprintf(why, size, "an RSA account key of %u bits (2048 to 8192)",
			    bits);
			goto out;
		}
		members = json_pack("{s:s,s:s,s:s}", "e", get_string(jwk, "e"),
		    "kty", "RSA", "n", get_string(jwk, "n"));
	} else {
		snprintf(why, size, "a jwk of kty \"EC\" or \"RSA\" only");
		goto out;
	}
	/* RFC 7638 section 3: the required members, sorted, no whitespace. */
	if (members == NULL ||
	    (json = json_dumps(members, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		abort();
	canon.data = (unsigned char *)json;
	canon.size = (unsigned)strlen(json);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, canon.data, canon.size, digest) < 0)
		abort();
	tp = b64url_encode(digest, sizeof(digest));
	memcpy(thumbprint, tp, 44);
	thumbprint[43] = '\0';
	*out_key = key;
	key = NULL;
	if (out_json != NULL) {
		*out_json = json;
		json = NULL;
	}
	e = JWS_OK;
out:
	if (key != NULL)
		gnutls_pubkey_deinit(key);
	json_decref(members);
	free(json);
	free(tp);
	free(a.data);
	free(b.data);
	return e;
}

/* RFC 7518 section 3.1: the algorithms, and the key each needs. */
static const struct {
	const char *alg;
	gnutls_sign_algorithm_t sign;
	gnutls_pk_algorithm_t pk;
	gnutls_ecc_curve_t curve;	/* ES*: the curve the key must be on */
	size_t half;			/* ES*: octets of r and of s */
} algs[] = {
	{ "ES256", GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_PK_ECDSA, GNUTLS_ECC_CURVE_SECP256R1, 32 },
	{ "ES384", GNUTLS_SIGN_ECDSA_SHA384, GNUTLS_PK_ECDSA, GNUTLS_ECC_CURVE_SECP384R1, 48 },
	{ "RS256", GNUTLS_SIGN_RSA_SHA256, GNUTLS_PK_RSA, GNUTLS_ECC_CURVE_INVALID, 0 },
};

enum jws_error
jws_verify(const struct jws *j, gnutls_pubkey_t key, char *why, size_t size)
{
	gnutls_datum_t sig = j->signature, r, s, der = { NULL, 0 };
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].alg, j->alg) == 0)
			break;
	if (i == sizeof(algs) / sizeof(algs[0]))
		abort();	/* jws_parse() took only these */
	if (algs[i].pk == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_get_pk_algorithm(key, NULL) == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw(key, &curve, &x, &y) == 0) {
		gnutls_free(x.data);
		gnutls_free(y.data);
	}
	if ((int)gnutls_pubkey_get_pk_algorithm(key, NULL) != (int)algs[i].pk ||
	    (algs[i].pk == GNUTLS_PK_ECDSA && curve != algs[i].curve)) {
		snprintf(why, size, "\"alg\" %s does not go with the account's key",
		    j->alg);
		return JWS_BAD_ALG;
	}
	if (algs[i].pk == GNUTLS_PK_ECDSA) {
		/* RFC 7518 3.4: R and S, each of the curve's size, as one string. */
		if (sig.size != 2 * algs[i].half) {
			snprintf(why, size, "an %s signature is %zu octets, not %u",
			    j->alg, 2 * algs[i].half, sig.size);
			return JWS_BAD_SIGNATURE;
		}
		r.data = sig.data;
		r.size = (unsigned)algs[i].half;
		s.data = sig.data + algs[i].half;
		s.size = (unsigned)algs[i].half;
		if (gnutls_encode_rs_value(&der, &r, &s) < 0)
			abort();
		sig = der;
	}
	ret = gnutls_pubkey_verify_data2(key, algs[i].sign, 0, &j->signed_data, &sig);
	gnutls_free(der.data);
	if (ret < 0) {
		snprintf(why, size, "the JWS signature does not verify");
		return JWS_BAD_SIGNATURE;
	}
	return JWS_OK;
}

enum jws_error
jws_parse(const char *body, size_t len, enum jws_key_form form, struct jws *out,
    char *why, size_t size)
{
	struct jws j;
	json_t *top = NULL, *hdr = NULL, *jwk, *v;
	json_error_t jerr;
	const char *prot, *payload, *sig, *alg, *key;
	unsigned char *hdr_text = NULL, *sig_bytes = NULL;
	size_t hdr_len, sig_len, i, plen;
	enum jws_error e = JWS_MALFORMED;

	memset(&j, 0, sizeof(j));
	top = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(top)) {
		snprintf(why, size, "the body is not a JSON object: %s", top == NULL ?
		    jerr.text : "another JSON value");
		goto out;
	}
	/* RFC 8555 6.2: the flattened serialization, and nothing else. */
	json_object_foreach(top, key, v) {
		if (strcmp(key, "protected") != 0 && strcmp(key, "payload") != 0 &&
		    strcmp(key, "signature") != 0) {
			snprintf(why, size, "a JWS in ACME has \"protected\", \"payload\""
			    " and \"signature\" only, not \"%.40s\" (RFC 8555 6.2)", key);
			goto out;
		}
	}
	if ((prot = get_string(top, "protected")) == NULL ||
	    (payload = get_string(top, "payload")) == NULL ||
	    (sig = get_string(top, "signature")) == NULL) {
		snprintf(why, size, "\"protected\", \"payload\" and \"signature\" are"
		    " strings, each required");
		goto out;
	}
	if (b64url_decode(prot, strlen(prot), &hdr_text, &hdr_len) != 0 ||
	    b64url_decode(payload, strlen(payload), &j.payload, &j.payload_len) != 0 ||
	    b64url_decode(sig, strlen(sig), &sig_bytes, &sig_len) != 0) {
		snprintf(why, size, "a JWS part is not base64url without padding");
		goto out;
	}
	hdr = json_loadb((const char *)hdr_text, hdr_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(hdr)) {
		snprintf(why, size, "the protected header is not a JSON object");
		goto out;
	}
	/* RFC 7515 4.1.11: no extension this server would have to understand. */
	if (json_object_get(hdr, "crit") != NULL) {
		snprintf(why, size, "\"crit\" names header parameters this server"
		    " does not understand");
		goto out;
	}
	if ((alg = get_string(hdr, "alg")) == NULL) {
		snprintf(why, size, "the protected header has no \"alg\"");
		goto out;
	}
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].alg, alg) == 0)
			break;
	if (i == sizeof(algs) / sizeof(algs[0])) {
		/* RFC 8555 6.2: never "none" nor a MAC; the rest not here. */
		snprintf(why, size, "\"alg\" '%.20s': this server takes ES256, ES384"
		    " and RS256", alg);
		e = JWS_BAD_ALG;
		goto out;
	}
	snprintf(j.alg, sizeof(j.alg), "%s", alg);
	if (form == JWS_INNER) {
		/* RFC 8555 7.3.5: keyChange's inner JWS has a url and no nonce. */
		if (json_object_get(hdr, "nonce") != NULL ||
		    get_string(hdr, "url") == NULL) {
			snprintf(why, size, "the inner JWS of a key change has \"url\""
			    " and no \"nonce\" (RFC 8555 7.3.5)");
			goto out;
		}
	} else if (get_string(hdr, "nonce") == NULL || get_string(hdr, "url") == NULL) {
		snprintf(why, size, "the protected header needs \"nonce\" and \"url\""
		    " (RFC 8555 6.4, 6.5)");
		goto out;
	} else
		j.nonce = xstrdup(get_string(hdr, "nonce"));
	j.url = xstrdup(get_string(hdr, "url"));
	jwk = json_object_get(hdr, "jwk");
	v = json_object_get(hdr, "kid");
	if ((jwk == NULL) == (v == NULL)) {
		snprintf(why, size, "the protected header has one of \"jwk\" and"
		    " \"kid\" (RFC 8555 6.2)");
		goto out;
	}
	if (((form == JWS_NEED_JWK || form == JWS_INNER) && jwk == NULL) ||
	    (form == JWS_NEED_KID && v == NULL)) {
		snprintf(why, size, form != JWS_NEED_KID ? "this request is signed"
		    " by the new key, with \"jwk\" (RFC 8555 6.2)" : "this request"
		    " names its account with \"kid\" (RFC 8555 6.2)");
		goto out;
	}
	if (v != NULL) {
		if (!json_is_string(v)) {
			snprintf(why, size, "\"kid\" is the account's URL, a string");
			goto out;
		}
		j.kid = xstrdup(json_string_value(v));
	}
	/* RFC 7515 5.2: what was signed is the two parts as they were sent. */
	plen = strlen(prot) + 1 + strlen(payload);
	j.signed_data.data = xmalloc(plen + 1);
	snprintf((char *)j.signed_data.data, plen + 1, "%s.%s", prot, payload);
	j.signed_data.size = (unsigned)plen;
	j.signature.data = sig_bytes;
	j.signature.size = (unsigned)sig_len;
	sig_bytes = NULL;
	if (jwk != NULL) {
		if ((e = jws_import_jwk(jwk, &j.jwk, j.thumbprint, &j.jwk_json, why,
		    size)) != JWS_OK)
			goto out;
		if ((e = jws_verify(&j, j.jwk, why, size)) != JWS_OK)
			goto out;
	}
	*out = j;
	memset(&j, 0, sizeof(j));
	e = JWS_OK;
out:
	jws_clear(&j);
	json_decref(top);
	json_decref(hdr);
	free(hdr_text);
	free(sig_bytes);
	return e;
}

void
jws_clear(struct jws *j)
{
	free(j->nonce);
	free(j->url);
	free(j->kid);
	if (j->jwk != NULL)
		gnutls_pubkey_deinit(j->jwk);
	free(j->jwk_json);
	free(j->payload);
	free(j->signed_data.data);
	free(j->signature.data);
	memset(j, 0, sizeof(*j));
}
