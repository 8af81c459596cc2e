/*
 * acme: the request's life in the ACME server (include/acme.h): the
 * directory and nonces, the JWS of every POST checked in the order RFC
 * 8555 section 6 gives (the nonce, the URL, the account and its key),
 * problem documents, and the account resources: newAccount with
 * External Account Binding (7.3.4), account update and deactivation
 * (7.3.2, 7.3.6), keyChange (7.3.5). Orders and the rest are
 * acme_order.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <jansson.h>

#include "acme_int.h"
#include "util.h"

#define ERROR_PREFIX "urn:ietf:params:acme:error:"

char *
acme_url(const struct acme_req *r, const char *fmt, ...)
{
	va_list ap;
	char *path, *url;

	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) < 0)
		abort();
	va_end(ap);
	url = xasprintf("%s%s", r->base, path);
	free(path);
	return url;
}

const char *
acme_thumbprint(const struct acme_req *r)
{
	return r->account != NULL && r->account->key != NULL ? r->account->key : "";
}

/* Headers every ACME response has: a fresh nonce (6.5) and the directory (7.1). */
static void
common_headers(struct acme_req *r)
{
	char nonce[ACME_NONCE_LEN + 1];

	acme_nonce_issue(r->a->nonces, nonce);
	serve_response_header(r->out, "Replay-Nonce", "%s", nonce);
	serve_response_header(r->out, "Link", "<%s/acme/directory>;rel=\"index\"",
	    r->base);
	serve_response_header(r->out, "Cache-Control", "no-store");
}

void
acme_reply(struct acme_req *r, unsigned status, json_t *body)
{
	common_headers(r);
	r->out->status = status;
	r->out->type = "application/json";
	if (body != NULL) {
		r->out->body = json_dumps(body, JSON_INDENT(2) | JSON_SORT_KEYS);
		r->out->len = r->out->body != NULL ? strlen(r->out->body) : 0;
		json_decref(body);
	}
}

void
acme_problem(struct acme_req *r, unsigned status, const char *type,
    const char *fmt, ...)
{
	char detail[512];
	json_t *doc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	doc = json_pack("{s:s+,s:s,s:i}", "type", ERROR_PREFIX, type,
	    "detail", detail, "status", (int)status);
	acme_reply(r, status, doc);
	r->out->type = "application/problem+json";
	free(r->out->log);
	r->out->log = xasprintf("%s: %s", type, detail);
}

static void
directory(struct acme_req *r)
{
	static const char *const names[] = { "newNonce", "newAccount",
	    "newOrder", "revokeCert", "keyChange" };
	static const char *const paths[] = { "new-nonce", "new-account",
	    "new-order", "revoke-cert", "key-change" };
	json_t *d = json_pack("{s:{s:b}}", "meta", "externalAccountRequired",
	    !r->a->cfg->eab_optional);
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *u = acme_url(r, "/acme/%s", paths[i]);

		json_object_set_new(d, names[i], json_string(u));
		free(u);
	}
	acme_reply(r, 200, d);
}

/* The account as RFC 8555 7.1.2 shows it. */
static json_t *
account_json(struct acme_req *r, const struct store_record *acct)
{
	json_t *doc = acme_doc(acct), *out;
	json_t *contact = doc != NULL ? json_object_get(doc, "contact") : NULL;
	char *orders = acme_url(r, "/acme/acct/%s/orders", acct->id);

	out = json_pack("{s:s,s:s,s:O}", "status", acct->status, "orders", orders,
	    "contact", contact != NULL ? contact : json_array());
	if (contact == NULL)
		json_decref(json_object_get(out, "contact"));
	free(orders);
	json_decref(doc);
	return out;
}

static void
reply_account(struct acme_req *r, unsigned status, const struct store_record *acct)
{
	acme_reply(r, status, account_json(r, acct));
	serve_response_header(r->out, "Location", "%s/acme/acct/%s", r->base,
	    acct->id);
}

/* RFC 8555 7.3: contact URLs are mailto: here, without hfields (RFC 6068). */
static int
contacts_ok(struct acme_req *r, json_t *contact)
{
	size_t i;
	json_t *v;

	if (contact == NULL)
		return 1;
	if (!json_is_array(contact) || json_array_size(contact) > 4) {
		acme_problem(r, 400, "malformed", "\"contact\" is an array of at most"
		    " four mailto: URLs");
		return 0;
	}
	json_array_foreach(contact, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || strncmp(s, "mailto:", 7) != 0) {
			acme_problem(r, 400, "unsupportedContact", "this server takes"
			    " mailto: contacts only");
			return 0;
		}
		if (strlen(s) > 254 || strchr(s, '?') != NULL || strchr(s, ',') != NULL ||
		    strchr(s + 7, '@') == NULL) {
			acme_problem(r, 400, "invalidContact", "not one e-mail"
			    " address without header fields (RFC 6068)");
			return 0;
		}
	}
	return 1;
}

/*
 * RFC 8555 7.3.4: the binding is a JWS by the EAB key's HMAC over the
 * account's key, for this URL, with the key's id as kid. Returns the
 * EAB record (bound to nothing yet), or NULL after the problem.
 */
static struct store_record *
check_eab(struct acme_req *r, json_t *eab)
{
	const char *prot, *payload, *sig, *alg, *kid, *url, *hmac_text;
	unsigned char *hdr = NULL, *inner = NULL, *mac = NULL, *key = NULL;
	size_t hlen, ilen, mlen, klen, dlen;
	unsigned char digest[64];
	gnutls_mac_algorithm_t mac_alg;
	struct store_record *rec = NULL;
	json_t *h = NULL, *jwk = NULL, *doc = NULL;
	gnutls_pubkey_t inner_key = NULL;
	char thumb[44], why[200], *url_want = NULL, *jwk_json = NULL, *signed_part = NULL;
	int ok = 0, ret;

	prot = json_string_value(json_object_get(eab, "protected"));
	payload = json_string_value(json_object_get(eab, "payload"));
	sig = json_string_value(json_object_get(eab, "signature"));
	if (prot == NULL || payload == NULL || sig == NULL ||
	    b64url_decode(prot, strlen(prot), &hdr, &hlen) != 0 ||
	    b64url_decode(payload, strlen(payload), &inner, &ilen) != 0 ||
	    b64url_decode(sig, strlen(sig), &mac, &mlen) != 0 ||
	    (h = json_loadb((const char *)hdr, hlen, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    (jwk = json_loadb((const char *)inner, ilen, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		acme_problem(r, 400, "malformed", "\"externalAccountBinding\" is a"
		    " flattened JWS of the account's key (RFC 8555 7.3.4)");
		goto out;
	}
	alg = json_string_value(json_object_get(h, "alg"));
	kid = json_string_value(json_object_get(h, "kid"));
	url = json_string_value(json_object_get(h, "url"));
	if (alg == NULL || strcmp(alg, "HS256") == 0)
		mac_alg = GNUTLS_MAC_SHA256;
	else if (strcmp(alg, "HS384") == 0)
		mac_alg = GNUTLS_MAC_SHA384;
	else if (strcmp(alg, "HS512") == 0)
		mac_alg = GNUTLS_MAC_SHA512;
	else
		mac_alg = GNUTLS_MAC_UNKNOWN;
	if (alg == NULL || mac_alg == GNUTLS_MAC_UNKNOWN) {
		acme_problem(r, 400, "badSignatureAlgorithm", "the binding is signed"
		    " with HS256, HS384 or HS512");
		goto out;
	}
	url_want = acme_url(r, "/acme/new-account");
	if (kid == NULL || url == NULL || strcmp(url, url_want) != 0 ||
	    json_object_get(h, "nonce") != NULL) {
		acme_problem(r, 400, "malformed", "the binding's header has \"kid\""
		    " and this \"url\", and no nonce (RFC 8555 7.3.4)");
		goto out;
	}
	/* The bound key is the one that signed the request. */
	if (jws_import_jwk(jwk, &inner_key, thumb, &jwk_json, why,
	    sizeof(why)) != JWS_OK || strcmp(thumb, r->jws.thumbprint) != 0) {
		acme_problem(r, 400, "malformed", "the binding's payload is not the"
		    " key that signed this request");
		goto out;
	}
	ret = store_record_get(r->a->cfg->store, KIND_EAB, kid, &rec);
	if (ret != STORE_OK || strcmp(rec->status, "valid") != 0 ||
	    (doc = acme_doc(rec)) == NULL ||
	    (hmac_text = json_string_value(json_object_get(doc, "hmac"))) == NULL ||
	    b64url_decode(hmac_text, strlen(hmac_text), &key, &klen) != 0) {
		acme_problem(r, 401, "unauthorized", ret == STORE_E_NOTFOUND ||
		    ret == STORE_OK ? "no usable External Account Binding key"
		    " with this kid (unknown, revoked or used)" :
		    "the store cannot be read");
		goto out;
	}
	signed_part = xasprintf("%s.%s", prot, payload);
	dlen = gnutls_hmac_get_len(mac_alg);
	if (gnutls_hmac_fast(mac_alg, key, klen, signed_part, strlen(signed_part),
	    digest) < 0 || mlen != dlen || gnutls_memcmp(mac, digest, dlen) != 0) {
		acme_problem(r, 401, "unauthorized", "the External Account Binding's"
		    " MAC does not verify with that key");
		goto out;
	}
	ok = 1;
out:
	if (key != NULL)
		gnutls_memset(key, 0, klen);
	free(key);
	free(hdr);
	free(inner);
	free(mac);
	free(url_want);
	free(jwk_json);
	free(signed_part);
	json_decref(h);
	json_decref(jwk);
	json_decref(doc);
	if (inner_key != NULL)
		gnutls_pubkey_deinit(inner_key);
	if (!ok) {
		store_record_free(rec);
		rec = NULL;
	}
	return rec;
}

/* RFC 8555 7.3: newAccount, or the existing account of this key. */
static void
new_account(struct acme_req *r)
{
	struct store *s = r->a->cfg->store;
	struct store_record *acct = NULL, *eab = NULL, rec;
	json_t *p = r->payload, *contact, *eab_json, *doc = NULL, *jwk;
	char *id = NULL;
	int ret;

	if (p == NULL || !json_is_object(p)) {
		acme_problem(r, 400, "malformed", "newAccount takes a JSON object");
		return;
	}
	ret = store_record_by_key(s, KIND_ACCOUNT, r->jws.thumbprint, &acct);
	if (ret == STORE_OK) {
		/* 7.3.1: the same key finds its account again. */
		reply_account(r, 200, acct);
		goto out;
	}
	if (json_is_true(json_object_get(p, "onlyReturnExisting"))) {
		acme_problem(r, 400, "accountDoesNotExist", "no account has this key");
		goto out;
	}
	contact = json_object_get(p, "contact");
	if (!contacts_ok(r, contact))
		goto out;
	eab_json = json_object_get(p, "externalAccountBinding");
	if (eab_json == NULL && !r->a->cfg->eab_optional) {
		acme_problem(r, 400, "externalAccountRequired", "this CA opens"
		    " accounts with an External Account Binding key: ask its admin"
		    " for one ('sipca acme eab new NAME')");
		goto out;
	}
	if (eab_json != NULL && (eab = check_eab(r, eab_json)) == NULL)
		goto out;
	id = acme_random_id();
	jwk = json_loads(r->jws.jwk_json, 0, NULL);
	doc = json_pack("{s:o}", "jwk", jwk);
	if (contact != NULL)
		json_object_set(doc, "contact", contact);
	if (eab != NULL) {
		json_object_set_new(doc, "eab", json_string(eab->id));
		/* One binding, one account: the key is used up (7.3.4 lets the CA choose). */
		json_t *used = json_pack("{s:s}", "account", id);

		ret = acme_save(r->a, eab, used, "bound", "valid");
		json_decref(used);
		if (ret != STORE_OK) {
			acme_problem(r, 401, "unauthorized", "that External Account"
			    " Binding key was used meanwhile");
			goto out;
		}
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = KIND_ACCOUNT;
	rec.id = id;
	rec.key = r->jws.thumbprint;
	rec.status = "valid";
	rec.created = sipca_now();
	rec.doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	ret = store_record_add(s, &rec);
	free(rec.doc);
	if (ret != STORE_OK) {
		acme_problem(r, 500, "serverInternal", "the account cannot be"
		    " recorded");
		goto out;
	}
	if (store_record_get(s, KIND_ACCOUNT, id, &acct) != STORE_OK) {
		acme_problem(r, 500, "serverInternal", "the account cannot be read");
		goto out;
	}
	reply_account(r, 201, acct);
	r->out->log = xasprintf("new account %s%s%s", id, eab != NULL ?
	    " with EAB key of " : "", eab != NULL && eab->key != NULL ? eab->key : "");
out:
	free(id);
	json_decref(doc);
	store_record_free(acct);
	store_record_free(eab);
}

/* RFC 8555 7.3.2 and 7.3.6: an account's own URL. */
static void
account(struct acme_req *r, const char *id)
{
	json_t *doc, *contact, *status;

	if (strcmp(id, r->account->id) != 0) {
		acme_problem(r, 401, "unauthorized", "an account may read and change"
		    " only itself");
		return;
	}
	if (r->payload == NULL) {
		reply_account(r, 200, r->account);
		return;
	}
	if ((doc = acme_doc(r->account)) == NULL) {
		acme_problem(r, 500, "serverInternal", "the account cannot be read");
		return;
	}
	contact = json_object_get(r->payload, "contact");
	status = json_object_get(r->payload, "status");
	if (!contacts_ok(r, contact))
		goto out;
	if (status != NULL && (!json_is_string(status) ||
	    strcmp(json_string_value(status), "deactivated") != 0)) {
		acme_problem(r, 400, "malformed", "an account's status changes only"
		    " to \"deactivated\" (RFC 8555 7.3.6)");
		goto out;
	}
	if (contact != NULL)
		json_object_set(doc, "contact", contact);
	if (acme_save(r->a, r->account, doc, status != NULL ? "deactivated" :
	    "valid", "valid") != STORE_OK) {
		acme_problem(r, 500, "serverInternal", "the account cannot be"
		    " updated");
		goto out;
	}
	reply_account(r, 200, r->account);
	if (status != NULL)
		r->out->log = xasprintf("account %s deactivated", id);
out:
	json_decref(doc);
}

/* RFC 8555 7.3.5: the account's key rolled over to the inner JWS's. */
static void
key_change(struct acme_req *r)
{
	struct jws inner;
	char why[200], *acct_url = NULL;
	gnutls_pubkey_t old = NULL;
	char old_thumb[44], *old_json = NULL;
	struct store_record *holder = NULL;
	json_t *ip = NULL, *doc = NULL, *jwk;
	enum jws_error e;
	char *body;
	int ret;

	memset(&inner, 0, sizeof(inner));
	if (r->payload == NULL || (body = json_dumps(r->payload, JSON_COMPACT)) == NULL) {
		acme_problem(r, 400, "malformed", "keyChange carries a JWS");
		return;
	}
	e = jws_parse(body, strlen(body), JWS_INNER, &inner, why, sizeof(why));
	free(body);
	if (e != JWS_OK) {
		acme_problem(r, 400, jws_error_type(e), "the inner JWS: %s", why);
		goto out;
	}
	acct_url = acme_url(r, "/acme/acct/%s", r->account->id);
	ip = json_loadb((const char *)inner.payload, inner.payload_len, 0, NULL);
	if (strcmp(inner.url, r->jws.url) != 0 || ip == NULL ||
	    !json_is_string(json_object_get(ip, "account")) ||
	    strcmp(json_string_value(json_object_get(ip, "account")), acct_url) != 0 ||
	    json_object_get(ip, "oldKey") == NULL) {
		acme_problem(r, 400, "malformed", "the inner JWS names this URL, and"
		    " its payload this account and its old key (RFC 8555 7.3.5)");
		goto out;
	}
	if (jws_import_jwk(json_object_get(ip, "oldKey"), &old, old_thumb,
	    &old_json, why, sizeof(why)) != JWS_OK ||
	    strcmp(old_thumb, r->account->key) != 0) {
		acme_problem(r, 400, "malformed", "\"oldKey\" is not the account's key");
		goto out;
	}
	if (store_record_by_key(r->a->cfg->store, KIND_ACCOUNT, inner.thumbprint,
	    &holder) == STORE_OK) {
		acme_problem(r, 409, "malformed", "another account has the new key");
		serve_response_header(r->out, "Location", "%s/acme/acct/%s", r->base,
		    holder->id);
		goto out;
	}
	doc = acme_doc(r->account);
	jwk = json_loads(inner.jwk_json, 0, NULL);
	if (doc == NULL || jwk == NULL) {
		json_decref(jwk);
		acme_problem(r, 500, "serverInternal", "the account cannot be read");
		goto out;
	}
	json_object_set_new(doc, "jwk", jwk);
	free(r->account->key);
	r->account->key = xstrdup(inner.thumbprint);
	ret = acme_save(r->a, r->account, doc, "valid", "valid");
	if (ret != STORE_OK) {
		acme_problem(r, ret == STORE_E_EXISTS ? 409 : 500, "malformed",
		    "the new key cannot be recorded");
		goto out;
	}
	reply_account(r, 200, r->account);
	r->out->log = xasprintf("account %s changed its key", r->account->id);
out:
	jws_clear(&inner);
	free(acct_url);
	free(old_json);
	if (old != NULL)
		gnutls_pubkey_deinit(old);
	json_decref(ip);
	json_decref(doc);
	store_record_free(holder);
}

/* The account a kid names (RFC 8555 6.2), verified by its key. */
static int
authenticate(struct acme_req *r)
{
	const char *prefix_end, *id;
	char *prefix = acme_url(r, "/acme/acct/");
	gnutls_pubkey_t key = NULL;
	json_t *doc = NULL;
	char thumb[44], why[200], *json = NULL;
	enum jws_error e;
	int ok = 0, ret;

	if (strncmp(r->jws.kid, prefix, strlen(prefix)) != 0) {
		acme_problem(r, 400, "accountDoesNotExist", "\"kid\" is not an"
		    " account URL of this server");
		goto out;
	}
	prefix_end = r->jws.kid + strlen(prefix);
	id = prefix_end;
	ret = store_record_get(r->a->cfg->store, KIND_ACCOUNT, id, &r->account);
	if (ret != STORE_OK) {
		acme_problem(r, ret == STORE_E_NOTFOUND ? 400 : 500, ret ==
		    STORE_E_NOTFOUND ? "accountDoesNotExist" : "serverInternal",
		    ret == STORE_E_NOTFOUND ? "no such account" :
		    "the store cannot be read");
		goto out;
	}
	if ((doc = acme_doc(r->account)) == NULL ||
	    jws_import_jwk(json_object_get(doc, "jwk"), &key, thumb, &json, why,
	    sizeof(why)) != JWS_OK) {
		acme_problem(r, 500, "serverInternal", "the account's key cannot be"
		    " read");
		goto out;
	}
	if ((e = jws_verify(&r->jws, key, why, sizeof(why))) != JWS_OK) {
		acme_problem(r, 400, jws_error_type(e), "%s", why);
		goto out;
	}
	/* 7.3.6: a deactivated account is refused from then on. */
	if (strcmp(r->account->status, "valid") != 0) {
		acme_problem(r, 401, "unauthorized", "the account is %s",
		    r->account->status);
		goto out;
	}
	ok = 1;
out:
	free(prefix);
	free(json);
	json_decref(doc);
	if (key != NULL)
		gnutls_pubkey_deinit(key);
	return ok;
}

/* Which key form each POST resource takes (RFC 8555 6.2). */
static enum jws_key_form
form_of(const char *path)
{
	if (strcmp(path, "/acme/new-account") == 0)
		return JWS_NEED_JWK;
	if (strcmp(path, "/acme/revoke-cert") == 0)
		return JWS_EITHER;
	return JWS_NEED_KID;
}

/*
 * Test builds: SIPCA_TEST_NONCE_REJECT=N refuses every Nth good nonce,
 * as Pebble's PEBBLE_WFE_NONCEREJECT refuses a share, so tests see real
 * clients recover from badNonce with the fresh nonce it carries. One in
 * N rather than at random: clients retry a refused request once, and a
 * test must not fail by chance on two refusals in a row.
 */
static int
test_reject(struct acme *a)
{
	long every = test_knob("SIPCA_TEST_NONCE_REJECT");

	return every > 1 && ++a->redeemed % (unsigned long)every == 0;
}

/* The "url", the nonce, the signature and the account, in that order. */
static int
check_post(struct acme_req *r)
{
	const struct serve_request *rq = r->rq;
	char why[240], *url;
	enum jws_error e;

	if (rq->content_type == NULL ||
	    strncmp(rq->content_type, "application/jose+json", 21) != 0) {
		acme_problem(r, 415, "malformed", "ACME requests are"
		    " application/jose+json (RFC 8555 6.2)");
		return 0;
	}
	e = jws_parse((const char *)rq->body, rq->body_len, form_of(rq->path),
	    &r->jws, why, sizeof(why));
	if (e != JWS_OK) {
		acme_problem(r, 400, jws_error_type(e), "%s", why);
		return 0;
	}
	url = acme_url(r, "%s", rq->path);
	if (strcmp(url, r->jws.url) != 0) {
		free(url);
		acme_problem(r, 401, "unauthorized", "the JWS is for another URL"
		    " (RFC 8555 6.4)");
		return 0;
	}
	free(url);
	if (!acme_nonce_redeem(r->a->nonces, r->jws.nonce) || test_reject(r->a)) {
		acme_problem(r, 400, "badNonce", "the nonce is not one this server"
		    " gave, or it was used; retry with the Replay-Nonce of this"
		    " answer");
		return 0;
	}
	if (r->jws.payload_len > 0) {
		r->payload = json_loadb((const char *)r->jws.payload,
		    r->jws.payload_len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(r->payload)) {
			acme_problem(r, 400, "malformed", "the payload is a JSON object");
			return 0;
		}
	}
	if (r->jws.kid != NULL && !authenticate(r))
		return 0;
	return 1;
}

/* Whether path is prefix followed by one non-empty segment; *out the segment. */
static int
one_segment(const char *path, const char *prefix, const char *suffix,
    char *out, size_t size)
{
	size_t plen = strlen(prefix), slen = strlen(suffix), len;

	if (strncmp(path, prefix, plen) != 0)
		return 0;
	len = strlen(path + plen);
	if (len <= slen || strcmp(path + plen + len - slen, suffix) != 0)
		return 0;
	len -= slen;
	if (len >= size || memchr(path + plen, '/', len) != NULL)
		return 0;
	memcpy(out, path + plen, len);
	out[len] = '\0';
	return 1;
}

static void
dispatch(struct acme_req *r)
{
	const char *path = r->rq->path;
	char id[128], type[32];
	const char *slash;

	if (strcmp(path, "/acme/new-account") == 0)
		new_account(r);
	else if (strcmp(path, "/acme/new-order") == 0)
		acme_new_order(r);
	else if (strcmp(path, "/acme/revoke-cert") == 0)
		acme_revoke(r);
	else if (strcmp(path, "/acme/key-change") == 0)
		key_change(r);
	else if (one_segment(path, "/acme/acct/", "/orders", id, sizeof(id)))
		acme_list_orders(r, id);
	else if (one_segment(path, "/acme/acct/", "", id, sizeof(id)))
		account(r, id);
	else if (one_segment(path, "/acme/order/", "/finalize", id, sizeof(id)))
		acme_finalize(r, id);
	else if (one_segment(path, "/acme/order/", "", id, sizeof(id)))
		acme_get_order(r, id);
	else if (one_segment(path, "/acme/authz/", "", id, sizeof(id)))
		acme_get_authz(r, id);
	else if (one_segment(path, "/acme/cert/", "", id, sizeof(id)))
		acme_get_cert(r, id);
	else if (strncmp(path, "/acme/chall/", 12) == 0 &&
	    (slash = strchr(path + 12, '/')) != NULL &&
	    (size_t)(slash - path - 12) < sizeof(id) && strlen(slash + 1) < sizeof(type) &&
	    slash[1] != '\0' && strchr(slash + 1, '/') == NULL) {
		memcpy(id, path + 12, (size_t)(slash - path - 12));
		id[slash - path - 12] = '\0';
		snprintf(type, sizeof(type), "%s", slash + 1);
		acme_challenge(r, id, type);
	} else
		acme_problem(r, 404, "malformed", "no such resource");
}

int
acme_handle(void *arg, const struct serve_request *rq, struct serve_response *out)
{
	struct acme *a = arg;
	struct acme_req r;
	int get = strcmp(rq->method, "GET") == 0, head = strcmp(rq->method, "HEAD") == 0;

	if (strncmp(rq->path, "/acme/", 6) != 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.rq = rq;
	r.out = out;
	/* The URLs a client signs name the host it reached (RFC 8555 6.4). */
	if (rq->host == NULL || rq->host[0] == '\0' || strlen(rq->host) > 255 ||
	    strpbrk(rq->host, "/\\\"<> \t@") != NULL) {
		snprintf(r.base, sizeof(r.base), "https://invalid");
		acme_problem(&r, 400, "malformed", "a request names its host (Host)");
		return 1;
	}
	snprintf(r.base, sizeof(r.base), "https://%s", rq->host);
	if (!rq->tls) {
		acme_problem(&r, 400, "malformed", "ACME is served over HTTPS only"
		    " (RFC 8555 6.1)");
		return 1;
	}
	if (strcmp(rq->path, "/acme/directory") == 0 && (get || head)) {
		directory(&r);
		return 1;
	}
	if (strcmp(rq->path, "/acme/new-nonce") == 0 && (get || head)) {
		/* 7.2: 200 to HEAD, 204 to GET. */
		acme_reply(&r, head ? 200 : 204, NULL);
		return 1;
	}
	if (strcmp(rq->method, "POST") != 0) {
		acme_problem(&r, 405, "malformed", "ACME resources are POSTed to"
		    " (RFC 8555 6.3)");
		serve_response_header(out, "Allow", "POST");
		return 1;
	}
	pthread_mutex_lock(&a->mu);
	if (check_post(&r))
		dispatch(&r);
	pthread_mutex_unlock(&a->mu);
	jws_clear(&r.jws);
	json_decref(r.payload);
	store_record_free(r.account);
	return 1;
}

struct acme *
acme_new(const struct acme_config *cfg, char *err, size_t size)
{
	struct acme *a = xcalloc(1, sizeof(*a));

	a->cfg = cfg;
	pthread_mutex_init(&a->mu, NULL);
	pthread_mutex_init(&a->rate_mu, NULL);
	if ((a->nonces = acme_nonces_new(4096)) == NULL) {
		snprintf(err, size, "cannot make the nonce key");
		acme_free(a);
		return NULL;
	}
	if (acme_settle_orders(a, err, size) != 0) {
		acme_free(a);
		return NULL;
	}
	return a;
}

void
acme_pause(struct acme *a)
{
	pthread_mutex_lock(&a->mu);
}

void
acme_resume(struct acme *a)
{
	pthread_mutex_unlock(&a->mu);
}

void
acme_free(struct acme *a)
{
	size_t i;

	if (a == NULL)
		return;
	acme_nonces_free(a->nonces);
	for (i = 0; i < a->n_rates; i++)
		free(a->rates[i].account);
	free(a->rates);
	pthread_mutex_destroy(&a->mu);
	pthread_mutex_destroy(&a->rate_mu);
	free(a);
}
