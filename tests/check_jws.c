/*
 * check_jws: ACME's signed requests (src/net/jws.c). The requests are
 * signed here by GnuTLS keys, as an ACME client would sign them, and
 * RFC 7638's own example checks the thumbprint.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "jws.h"
#include "util.h"

/* A client's key and the JWK of it. */
struct client {
	gnutls_privkey_t key;
	gnutls_sign_algorithm_t sign;
	const char *alg;
	size_t half;			/* ECDSA: octets of r and s */
	json_t *jwk;
};

/* d's integer in exactly n octets (left-padded), base64url. */
static char *
b64_fixed(const gnutls_datum_t *d, size_t n)
{
	unsigned char *buf = xcalloc(1, n > d->size ? n : d->size);
	size_t off = n > d->size ? n - d->size : 0;
	char *s;

	memcpy(buf + off, d->data, d->size);
	s = b64url_encode(buf, n > d->size ? n : d->size);
	free(buf);
	return s;
}

static void
client_new(struct client *c, const char *alg)
{
	gnutls_datum_t x, y, n, e;
	gnutls_ecc_curve_t curve;
	char *xs, *ys;

	memset(c, 0, sizeof(*c));
	c->alg = alg;
	ck_assert_int_eq(gnutls_privkey_init(&c->key), 0);
	if (strcmp(alg, "RS256") == 0) {
		c->sign = GNUTLS_SIGN_RSA_SHA256;
		ck_assert_int_eq(gnutls_privkey_generate2(c->key, GNUTLS_PK_RSA,
		    2048, 0, NULL, 0), 0);
		ck_assert_int_eq(gnutls_privkey_export_rsa_raw2(c->key, &n, &e, NULL,
		    NULL, NULL, NULL, NULL, NULL, GNUTLS_EXPORT_FLAG_NO_LZ), 0);
		xs = b64_fixed(&n, n.size);
		ys = b64_fixed(&e, e.size);
		c->jwk = json_pack("{s:s,s:s,s:s}", "kty", "RSA", "n", xs, "e", ys);
		gnutls_free(n.data);
		gnutls_free(e.data);
	} else {
		int p384 = strcmp(alg, "ES384") == 0;

		c->sign = p384 ? GNUTLS_SIGN_ECDSA_SHA384 : GNUTLS_SIGN_ECDSA_SHA256;
		c->half = p384 ? 48 : 32;
		ck_assert_int_eq(gnutls_privkey_generate2(c->key, GNUTLS_PK_ECDSA,
		    GNUTLS_CURVE_TO_BITS(p384 ? GNUTLS_ECC_CURVE_SECP384R1 :
		    GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0), 0);
		ck_assert_int_eq(gnutls_privkey_export_ecc_raw2(c->key, &curve, &x, &y,
		    NULL, GNUTLS_EXPORT_FLAG_NO_LZ), 0);
		xs = b64_fixed(&x, c->half);
		ys = b64_fixed(&y, c->half);
		c->jwk = json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv",
		    p384 ? "P-384" : "P-256", "x", xs, "y", ys);
		gnutls_free(x.data);
		gnutls_free(y.data);
	}
	free(xs);
	free(ys);
	ck_assert_ptr_nonnull(c->jwk);
}

static void
client_free(struct client *c)
{
	gnutls_privkey_deinit(c->key);
	json_decref(c->jwk);
}

/* The signature over input as JWS carries it (RFC 7518 3.3, 3.4). */
static char *
sign_b64(const struct client *c, const char *input)
{
	gnutls_datum_t data = { (unsigned char *)(uintptr_t)input,
	    (unsigned)strlen(input) }, sig, r, s;
	unsigned char raw[96];
	unsigned rs, ss;
	char *out;

	ck_assert_int_eq(gnutls_privkey_sign_data2(c->key, c->sign, 0, &data, &sig), 0);
	if (c->half == 0) {
		out = b64url_encode(sig.data, sig.size);
	} else {
		ck_assert_int_eq(gnutls_decode_rs_value(&sig, &r, &s), 0);
		memset(raw, 0, sizeof(raw));
		/* each integer right-aligned in its half, leading zeros dropped */
		for (rs = 0; r.size - rs > c->half && r.data[rs] == 0; rs++)
			;
		for (ss = 0; s.size - ss > c->half && s.data[ss] == 0; ss++)
			;
		memcpy(raw + c->half - (r.size - rs), r.data + rs, r.size - rs);
		memcpy(raw + 2 * c->half - (s.size - ss), s.data + ss, s.size - ss);
		out = b64url_encode(raw, 2 * c->half);
		gnutls_free(r.data);
		gnutls_free(s.data);
	}
	gnutls_free(sig.data);
	return out;
}

/*
 * A request: header and payload, signed by c (whatever "alg" the header
 * says); extra, when not NULL, is a JSON member added at the top.
 */
static char *
request(const struct client *c, json_t *header, const char *payload,
    const char *extra)
{
	char *h = json_dumps(header, JSON_COMPACT), *hb, *pb, *input, *sig, *body;

	hb = b64url_encode((const unsigned char *)h, strlen(h));
	pb = b64url_encode((const unsigned char *)payload, strlen(payload));
	input = xasprintf("%s.%s", hb, pb);
	sig = sign_b64(c, input);
	body = xasprintf("{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"%s%s}",
	    hb, pb, sig, extra != NULL ? "," : "", extra != NULL ? extra : "");
	free(h);
	free(hb);
	free(pb);
	free(input);
	free(sig);
	json_decref(header);
	return body;
}

static json_t *
jwk_header(const struct client *c)
{
	return json_pack("{s:s,s:s,s:s,s:O}", "alg", c->alg, "nonce", "n0nce",
	    "url", "https://ca.example.com/acme/new-account", "jwk", c->jwk);
}

static const char *const algs[] = { "ES256", "ES384", "RS256" };

START_TEST(test_valid)
{
	struct client c;
	struct jws j;
	char why[256], *body;
	gnutls_pubkey_t again;
	char tp[44];

	client_new(&c, algs[_i]);
	body = request(&c, jwk_header(&c), "{\"termsOfServiceAgreed\":true}", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_NEED_JWK, &j, why,
	    sizeof(why)), JWS_OK);
	ck_assert_str_eq(j.alg, algs[_i]);
	ck_assert_str_eq(j.nonce, "n0nce");
	ck_assert_str_eq(j.url, "https://ca.example.com/acme/new-account");
	ck_assert_ptr_null(j.kid);
	ck_assert_str_eq((const char *)j.payload, "{\"termsOfServiceAgreed\":true}");
	ck_assert_uint_eq(strlen(j.thumbprint), 43);
	/* the same key, imported again: the same thumbprint */
	ck_assert_int_eq(jws_import_jwk(c.jwk, &again, tp, NULL, why, sizeof(why)),
	    JWS_OK);
	ck_assert_str_eq(tp, j.thumbprint);
	/* the kid form of the same request verifies by that key */
	gnutls_pubkey_deinit(again);
	jws_clear(&j);
	free(body);
	body = request(&c, json_pack("{s:s,s:s,s:s,s:s}", "alg", c.alg, "nonce",
	    "n1", "url", "https://ca.example.com/acme/new-order", "kid",
	    "https://ca.example.com/acme/acct/1"), "", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_NEED_KID, &j, why,
	    sizeof(why)), JWS_OK);
	ck_assert_str_eq(j.kid, "https://ca.example.com/acme/acct/1");
	ck_assert_uint_eq(j.payload_len, 0);	/* POST-as-GET */
	ck_assert_int_eq(jws_import_jwk(c.jwk, &again, tp, NULL, why, sizeof(why)),
	    JWS_OK);
	ck_assert_int_eq(jws_verify(&j, again, why, sizeof(why)), JWS_OK);
	gnutls_pubkey_deinit(again);
	jws_clear(&j);
	free(body);
	client_free(&c);
}
END_TEST

/* keyChange's inner JWS (RFC 8555 7.3.5): jwk and url, and no nonce. */
START_TEST(test_inner)
{
	struct client c;
	struct jws j;
	char why[256], *body;

	client_new(&c, "ES256");
	body = request(&c, json_pack("{s:s,s:s,s:O}", "alg", c.alg, "url",
	    "https://ca.example.com/acme/key-change", "jwk", c.jwk),
	    "{\"account\":\"a\"}", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_INNER, &j, why,
	    sizeof(why)), JWS_OK);
	ck_assert_ptr_null(j.nonce);
	ck_assert_uint_eq(strlen(j.thumbprint), 43);
	jws_clear(&j);
	/* the outer form needs a nonce this one does not have */
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_NEED_JWK, &j, why,
	    sizeof(why)), JWS_MALFORMED);
	free(body);
	/* an inner JWS with a nonce, or with a kid, is refused */
	body = request(&c, jwk_header(&c), "{}", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_INNER, &j, why,
	    sizeof(why)), JWS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "no \"nonce\""));
	free(body);
	body = request(&c, json_pack("{s:s,s:s,s:s}", "alg", c.alg, "url",
	    "https://ca.example.com/acme/key-change", "kid",
	    "https://ca.example.com/acme/acct/1"), "{}", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_INNER, &j, why,
	    sizeof(why)), JWS_MALFORMED);
	free(body);
	client_free(&c);
}
END_TEST

/* RFC 7638 section 3.1's example key and thumbprint. */
START_TEST(test_thumbprint_rfc7638)
{
	json_t *jwk = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "n",
	    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFF"
	    "xuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_R"
	    "N5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
	    "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniI"
	    "qbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e", "AQAB", "alg", "RS256", "kid",
	    "2011-04-29");
	gnutls_pubkey_t key;
	char tp[44], why[256], *json;

	ck_assert_int_eq(jws_import_jwk(jwk, &key, tp, &json, why, sizeof(why)), JWS_OK);
	ck_assert_str_eq(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	/* only the required members, sorted (RFC 7638 section 3.2) */
	ck_assert_ptr_eq(strstr(json, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7"), json);
	gnutls_pubkey_deinit(key);
	free(json);
	json_decref(jwk);
}
END_TEST

static enum jws_error
parse_bad(const char *body, enum jws_key_form form, char *why, size_t size)
{
	struct jws j;
	enum jws_error e = jws_parse(body, strlen(body), form, &j, why, size);

	if (e == JWS_OK)
		jws_clear(&j);
	return e;
}

START_TEST(test_refused)
{
	struct client c, other;
	char why[256], *body, *tampered, *p;
	json_t *h;
	struct jws j;
	gnutls_pubkey_t okey;
	char tp[44];

	client_new(&c, "ES256");
	client_new(&other, "ES256");

	/* a payload changed after signing */
	body = request(&c, jwk_header(&c), "{\"a\":1}", NULL);
	tampered = xstrdup(body);
	p = strstr(tampered, "\"payload\":\"") + 11;
	*p = *p == 'e' ? 'f' : 'e';
	ck_assert_int_eq(parse_bad(tampered, JWS_NEED_JWK, why, sizeof(why)),
	    JWS_BAD_SIGNATURE);
	free(tampered);
	/* the kid form by the wrong account key */
	free(body);
	body = request(&c, json_pack("{s:s,s:s,s:s,s:s}", "alg", "ES256", "nonce",
	    "n", "url", "u", "kid", "k"), "{}", NULL);
	ck_assert_int_eq(jws_parse(body, strlen(body), JWS_NEED_KID, &j, why,
	    sizeof(why)), JWS_OK);
	ck_assert_int_eq(jws_import_jwk(other.jwk, &okey, tp, NULL, why,
	    sizeof(why)), JWS_OK);
	ck_assert_int_eq(jws_verify(&j, okey, why, sizeof(why)), JWS_BAD_SIGNATURE);
	gnutls_pubkey_deinit(okey);
	jws_clear(&j);
	free(body);

	/* "none", a MAC, and an algorithm that does not go with the key */
	h = jwk_header(&c);
	json_object_set_new(h, "alg", json_string("none"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_BAD_ALG);
	free(body);
	h = jwk_header(&c);
	json_object_set_new(h, "alg", json_string("HS256"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_BAD_ALG);
	free(body);
	h = jwk_header(&c);
	json_object_set_new(h, "alg", json_string("ES384"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_BAD_ALG);
	free(body);

	/* jwk and kid, neither, or the wrong one for the request */
	h = jwk_header(&c);
	json_object_set_new(h, "kid", json_string("k"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_EITHER, why, sizeof(why)), JWS_MALFORMED);
	free(body);
	h = jwk_header(&c);
	json_object_del(h, "jwk");
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_EITHER, why, sizeof(why)), JWS_MALFORMED);
	free(body);
	body = request(&c, jwk_header(&c), "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_KID, why, sizeof(why)), JWS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "kid"));
	ck_assert_int_eq(parse_bad(body, JWS_EITHER, why, sizeof(why)), JWS_OK);
	free(body);

	/* no nonce, no url, a "crit" */
	h = jwk_header(&c);
	json_object_del(h, "nonce");
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	free(body);
	h = jwk_header(&c);
	json_object_del(h, "url");
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	free(body);
	h = jwk_header(&c);
	json_object_set_new(h, "crit", json_pack("[s]", "exp"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	free(body);

	/* an unprotected header, the general serialization's members */
	body = request(&c, jwk_header(&c), "{}", "\"header\":{\"kid\":\"x\"}");
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	ck_assert_ptr_nonnull(strstr(why, "header"));
	free(body);

	/* a key off its curve */
	h = jwk_header(&c);
	json_object_set_new(json_object_get(h, "jwk"), "y",
	    json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"));
	body = request(&c, h, "{}", NULL);
	ck_assert_int_eq(parse_bad(body, JWS_NEED_JWK, why, sizeof(why)),
	    JWS_BAD_PUBLIC_KEY);
	free(body);

	/* not JSON, JSON that is no object, a member twice, padding */
	ck_assert_int_eq(parse_bad("{\"protected\":", JWS_NEED_JWK, why, sizeof(why)),
	    JWS_MALFORMED);
	ck_assert_int_eq(parse_bad("[1]", JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	ck_assert_int_eq(parse_bad("{\"protected\":\"e30\",\"protected\":\"e30\","
	    "\"payload\":\"\",\"signature\":\"\"}", JWS_NEED_JWK, why, sizeof(why)),
	    JWS_MALFORMED);
	ck_assert_int_eq(parse_bad("{\"protected\":\"e30=\",\"payload\":\"\","
	    "\"signature\":\"\"}", JWS_NEED_JWK, why, sizeof(why)), JWS_MALFORMED);
	client_free(&c);
	client_free(&other);
}
END_TEST

/*
 * Requests signed by another implementation (pyca/cryptography, as
 * tests/fuzz/jws/ was made): what the server takes and refuses of them.
 */
static const struct {
	const char *file;
	enum jws_key_form form;
	enum jws_error want;
} seeds[] = {
	{ "es256-jwk.json", JWS_NEED_JWK, JWS_OK },
	{ "es384-jwk.json", JWS_NEED_JWK, JWS_OK },
	{ "rs256-jwk.json", JWS_NEED_JWK, JWS_OK },
	{ "es256-kid.json", JWS_NEED_KID, JWS_OK },
	{ "post-as-get.json", JWS_NEED_KID, JWS_OK },
	{ "alg-none.json", JWS_NEED_JWK, JWS_BAD_ALG },
	{ "jwk-and-kid.json", JWS_EITHER, JWS_MALFORMED },
	{ "crit.json", JWS_NEED_JWK, JWS_MALFORMED },
	{ "unprotected-header.json", JWS_NEED_JWK, JWS_MALFORMED },
	{ "not-json.txt", JWS_EITHER, JWS_MALFORMED },
};

START_TEST(test_other_signer)
{
	char path[128], body[8192], why[256];
	struct jws j;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/fuzz/jws/%s", seeds[_i].file);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	n = fread(body, 1, sizeof(body), f);
	fclose(f);
	ck_assert_int_eq(jws_parse(body, n, seeds[_i].form, &j, why, sizeof(why)),
	    seeds[_i].want);
	if (seeds[_i].want == JWS_OK) {
		ck_assert_uint_eq(j.payload_len == 0,
		    strcmp(seeds[_i].file, "post-as-get.json") == 0);
		jws_clear(&j);
	}
}
END_TEST

START_TEST(test_b64url)
{
	unsigned char *d;
	size_t n;
	char *s;

	s = b64url_encode((const unsigned char *)"\xfb\xff", 2);
	ck_assert_str_eq(s, "-_8");
	free(s);
	ck_assert_int_eq(b64url_decode("-_8", 3, &d, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(d[0] == 0xfb && d[1] == 0xff);
	free(d);
	ck_assert_int_eq(b64url_decode("", 0, &d, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(d);
	ck_assert_int_eq(b64url_decode("+/8", 3, &d, &n), -1);	/* base64, not url */
	ck_assert_int_eq(b64url_decode("QQ==", 4, &d, &n), -1);	/* padding */
	ck_assert_int_eq(b64url_decode("Q Q", 3, &d, &n), -1);	/* whitespace */
	ck_assert_int_eq(b64url_decode("QUJDR", 5, &d, &n), -1);	/* a group cut short */
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("jws");
	TCase *tc = tcase_create("jws");

	tcase_add_loop_test(tc, test_valid, 0, 3);
	tcase_add_test(tc, test_thumbprint_rfc7638);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_inner);
	tcase_add_test(tc, test_b64url);
	tcase_add_loop_test(tc, test_other_signer, 0, sizeof(seeds) / sizeof(seeds[0]));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
