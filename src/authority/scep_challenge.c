/*
 * scep_challenge: the one-time challenge passwords of SCEP enrollment
 * (include/scep_challenge.h says what a record holds). The challenge is
 * never stored, only its SHA-256: RFC 8894 section 2.3 leaves how the
 * server checks it to the server, and a hash makes a copy of the index
 * worthless to an attacker while the comparison stays a lookup.
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <jansson.h>

#include "eap_tls.h"
#include "issuance.h"
#include "report.h"
#include "san.h"
#include "san_list.h"
#include "scep_challenge.h"
#include "store.h"
#include "util.h"

/* RFC 4648's base32 alphabet: 32 symbols, so a random octet's low five
 * bits pick one without bias. */
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/*
 * The hex SHA-256 of the challenge as typed, folded to upper case when
 * it is one of ours (a phone's web form may lower-case it; the alphabet
 * has no letters that differ only in case). Returns 0 or -1.
 */
int
scep_challenge_hash(const char *challenge, char out[SCEP_CHALLENGE_HASH])
{
	unsigned char folded[256], digest[32];
	size_t i, len = strlen(challenge);
	char *hex;
	int rc = -1;

	if (len >= sizeof(folded))
		len = sizeof(folded) - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)challenge[i];

		folded[i] = len == SCEP_CHALLENGE_LEN && c >= 'a' && c <= 'z' ?
		    (unsigned char)(c - 'a' + 'A') : c;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, folded, len, digest) < 0)
		goto out;
	hex = hex_encode(digest, sizeof(digest));
	memcpy(out, hex, SCEP_CHALLENGE_HASH);
	free(hex);
	rc = 0;
out:
	gnutls_memset(folded, 0, sizeof(folded));
	return rc;
}

/* The device's SANs as a challenge binds them: validated as issue device does. */
static enum result
binding_sans(const char *domain, const struct scep_challenge_spec *spec,
    char *name, json_t **out_uris, struct report *rep)
{
	struct issuance_spec is;
	json_t *uris = json_array();
	char *msg = NULL;
	size_t i;
	enum result r = RESULT_E_INPUT;

	memset(&is, 0, sizeof(is));
	is.kind = spec->eap_tls ? KIND_EAP_TLS : KIND_DEVICE;
	is.name = name;
	is.domain = domain;
	for (i = 0; i < spec->n_uris; i++)
		san_list_add(&is.sans, SAN_URI, spec->uris[i]);
	issuance_default_sans(&is, 0);
	if (issuance_validate(&is, &msg) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s", msg);
		goto out;
	}
	for (i = 0; i < is.sans.n; i++)
		if (is.sans.items[i].type == SAN_URI)
			json_array_append_new(uris, json_string(is.sans.items[i].value));
	*out_uris = uris;
	uris = NULL;
	r = RESULT_OK;
out:
	json_decref(uris);
	free(msg);
	san_list_clear(&is.sans);
	return r;
}

enum result
scep_challenge_secret(char out[SCEP_CHALLENGE_LEN + 1],
    char out_hash[SCEP_CHALLENGE_HASH], struct report *rep)
{
	unsigned char raw[SCEP_CHALLENGE_LEN];
	char challenge[SCEP_CHALLENGE_LEN + 1];
	size_t i;
	int ret;
	enum result res = RESULT_E_FAILED;

	if ((ret = gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw))) < 0) {
		report_add(rep, REPORT_MESSAGE, "gnutls_rnd: %s", gnutls_strerror(ret));
		goto out;
	}
	for (i = 0; i < SCEP_CHALLENGE_LEN; i++)
		challenge[i] = alphabet[raw[i] & 31];
	challenge[SCEP_CHALLENGE_LEN] = '\0';
	if (scep_challenge_hash(challenge, out_hash) < 0) {
		report_add(rep, REPORT_MESSAGE, "gnutls_hash_fast: SHA-256 failed");
		goto out;
	}
	memcpy(out, challenge, sizeof(challenge));
	res = RESULT_OK;
out:
	gnutls_memset(raw, 0, sizeof(raw));
	gnutls_memset(challenge, 0, sizeof(challenge));
	return res;
}

enum result
scep_challenge_create(struct store *s, const char *domain,
    const struct scep_challenge_spec *spec, char *out, struct report *rep)
{
	struct store_record r;
	char challenge[SCEP_CHALLENGE_LEN + 1], hash[SCEP_CHALLENGE_HASH];
	char *name = san_fold_store_name(xstrdup(spec->name)), *doc = NULL;
	char mac[EAP_TLS_MAC_LEN];
	const char *reason;
	json_t *uris = NULL, *d = NULL;
	long ttl = spec->ttl > 0 ? spec->ttl : SCEP_CHALLENGE_TTL_DEFAULT;
	int ret;
	enum result res = RESULT_E_INPUT;

	memset(&r, 0, sizeof(r));
	/* The MAC written one way, the name its certificate will have. */
	if (spec->eap_tls) {
		if (eap_tls_mac_parse(name, mac, &reason) < 0) {
			char *shown = text_echo(spec->name);

			report_add(rep, REPORT_MESSAGE, "invalid 802.1X device"
			    " name: '%s': %s", shown, reason);
			free(shown);
			goto out;
		}
		free(name);
		name = xstrdup(mac);
	}
	if ((res = binding_sans(domain, spec, name, &uris, rep)) != RESULT_OK)
		goto out;
	if ((res = scep_challenge_secret(challenge, hash, rep)) != RESULT_OK)
		goto out;
	res = RESULT_E_FAILED;
	d = json_pack("{sOss}", "uris", uris, "origin",
	    spec->origin != NULL ? spec->origin : "sipca scep challenge");
	if (spec->eap_tls)
		json_object_set_new(d, "profile", json_string("eap-tls"));
	doc = json_dumps(d, JSON_COMPACT);
	r.kind = (char *)SCEP_CHALLENGE_KIND;
	r.id = name;
	r.key = hash;
	r.status = (char *)"valid";
	r.expires = sipca_now() + ttl;
	r.created = sipca_now();
	r.doc = doc;
	/* One live challenge per name: a new one replaces the old, whatever it was. */
	ret = store_record_update(s, &r, NULL);
	if (ret == STORE_E_NOTFOUND)
		ret = store_record_add(s, &r);
	if (ret != STORE_OK) {
		if (ret == STORE_E_EXISTS || ret == STORE_E_CONFLICT)
			report_add(rep, REPORT_MESSAGE, "the challenge for '%s' could"
			    " not be recorded (changed meanwhile); try again", name);
		else
			store_take_messages(s, rep);
		goto out;
	}
	memcpy(out, challenge, sizeof(challenge));
	res = RESULT_OK;
out:
	gnutls_memset(challenge, 0, sizeof(challenge));
	json_decref(uris);
	json_decref(d);
	free(doc);
	free(name);
	return res;
}

void
scep_challenge_binding_clear(struct scep_challenge_binding *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n_uris; i++)
		free(b->uris[i]);
	free(b->uris);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

static int
doc_is_eap_tls(json_t *doc)
{
	json_t *p = json_object_get(doc, "profile");

	return json_is_string(p) && strcmp(json_string_value(p), "eap-tls") == 0;
}

int
scep_challenge_is_eap_tls(const struct store_record *r)
{
	json_t *doc = json_loads(r->doc != NULL ? r->doc : "{}", 0, NULL);
	int yes = doc_is_eap_tls(doc);

	json_decref(doc);
	return yes;
}

static void
binding_fill(const struct store_record *r, struct scep_challenge_binding *out)
{
	json_t *doc = json_loads(r->doc != NULL ? r->doc : "{}", 0, NULL);
	json_t *uris = json_object_get(doc, "uris"), *u;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(r->id);
	out->eap_tls = doc_is_eap_tls(doc);
	json_array_foreach(uris, i, u) {
		if (!json_is_string(u))
			continue;
		out->uris = xrealloc(out->uris, (out->n_uris + 1) * sizeof(*out->uris));
		out->uris[out->n_uris++] = xstrdup(json_string_value(u));
	}
	json_decref(doc);
}

int
scep_challenge_consume(struct store *s, const char *name,
    const char *challenge, time_t now, struct scep_challenge_binding *out,
    const char **out_reason)
{
	struct store_record *r = NULL, *other = NULL;
	char hash[SCEP_CHALLENGE_HASH], none[SCEP_CHALLENGE_HASH], mac[EAP_TLS_MAC_LEN];
	char *folded = san_fold_store_name(xstrdup(name));
	const char *why;
	int ret, same, rc = -1;

	*out_reason = "no such challenge";
	if (scep_challenge_hash(challenge, hash) < 0)
		goto out;
	/*
	 * Looked up by name, then compared in constant time, so the time
	 * taken does not say how much of a guess was right; a name without
	 * a challenge compares against a hash nothing has.
	 */
	ret = store_record_get(s, SCEP_CHALLENGE_KIND, folded, &r);
	/* 00:04:F2:A1:B2:C3 for the challenge of 0004f2a1b2c3 (eap_tls.h). */
	if (ret == STORE_E_NOTFOUND && eap_tls_mac_parse(folded, mac, &why) == 0 &&
	    strcmp(mac, folded) != 0)
		ret = store_record_get(s, SCEP_CHALLENGE_KIND, mac, &r);
	memset(none, '-', sizeof(none) - 1);
	none[sizeof(none) - 1] = '\0';
	same = gnutls_memcmp(hash, ret == STORE_OK && r->key != NULL &&
	    strlen(r->key) == SCEP_CHALLENGE_HASH - 1 ? r->key : none, SCEP_CHALLENGE_HASH - 1) == 0;
	if (ret != STORE_OK || !same) {
		/* Someone else's: worth saying, the device was given the wrong one. */
		if (store_record_by_key(s, SCEP_CHALLENGE_KIND, hash, &other) ==
		    STORE_OK && strcmp(other->status, "valid") == 0)
			*out_reason = "the challenge is for another device";
		goto out;
	}
	if (strcmp(r->status, "used") == 0) {
		*out_reason = "the challenge was already used";
		goto out;
	}
	if (strcmp(r->status, "valid") != 0) {
		*out_reason = "the challenge was revoked";
		goto out;
	}
	if (r->expires != 0 && r->expires <= now) {
		*out_reason = "the challenge has expired";
		goto out;
	}
	free(r->status);
	r->status = xstrdup("used");
	/* Of two requests with it, exactly one makes this transition. */
	if ((ret = store_record_update(s, r, "valid")) != STORE_OK) {
		*out_reason = ret == STORE_E_CONFLICT ? "the challenge was already used" :
		    "the challenge cannot be recorded as used";
		goto out;
	}
	binding_fill(r, out);
	*out_reason = NULL;
	rc = 0;
out:
	gnutls_memset(hash, 0, sizeof(hash));
	store_record_free(r);
	store_record_free(other);
	free(folded);
	return rc;
}

/*
 * NAME's challenge from status from to status to, by one conditional
 * update (store_record_update's expected status): 0, or -1 when it has
 * none or it is not in from.
 */
static int
move(struct store *s, const char *name, const char *from, const char *to)
{
	struct store_record *r = NULL;
	char *folded = san_fold_store_name(xstrdup(name));
	int rc = -1;

	if (store_record_get(s, SCEP_CHALLENGE_KIND, folded, &r) != STORE_OK)
		goto out;
	free(r->status);
	r->status = xstrdup(to);
	if (store_record_update(s, r, from) == STORE_OK)
		rc = 0;
out:
	store_record_free(r);
	free(folded);
	return rc;
}

int
scep_challenge_restore(struct store *s, const char *name)
{
	return move(s, name, "used", "valid");
}

int
scep_challenge_revoke(struct store *s, const char *name)
{
	return move(s, name, "valid", "revoked");
}

int
scep_challenge_parse_ttl(const char *text, long *out)
{
	char num[32];
	size_t n = strlen(text);
	long v, unit = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, text, n + 1);
	switch (num[n - 1]) {
	case 's': unit = 1; num[n - 1] = '\0'; break;
	case 'm': unit = 60; num[n - 1] = '\0'; break;
	case 'h': unit = 3600; num[n - 1] = '\0'; break;
	case 'd': unit = 86400; num[n - 1] = '\0'; break;
	default: break;
	}
	if (parse_long(num, 1, 365L * 86400, &v) < 0 || v > 365L * 86400 / unit ||
	    v * unit < 60)
		return -1;
	*out = v * unit;
	return 0;
}
