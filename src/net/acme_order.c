/*
 * acme_order: the order's life in the ACME server (RFC 8555 7.4, 7.5):
 * newOrder under the CA's policy (identifiers inside the SIP domain,
 * no wildcard), authorizations and their challenges validated by
 * acme_challenge.c, finalize through the issuance guard into the store.
 * The certificate, its revocation and the settling of orders are
 * acme_cert.c's.
 *
 * The order is a record whose status moves pending -> ready ->
 * processing -> valid (or invalid), each move a compare-and-set on the
 * record, so two requests for one order never issue twice; an order a
 * killed server left processing is settled at the next start by
 * whether its certificate was recorded (acme_settle_orders).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "acme_challenge.h"
#include "acme_int.h"
#include "ca.h"
#include "cert.h"
#include "issuance.h"
#include "report.h"
#include "san.h"
#include "san_list.h"
#include "util.h"

/* The record of kind and id when it belongs to the request's account. */
static struct store_record *
owned(struct acme_req *r, const char *kind, const char *id, json_t **out_doc)
{
	struct store_record *rec = NULL;
	json_t *doc = NULL;
	const char *owner;
	int ret = store_record_get(r->a->cfg->store, kind, id, &rec);

	if (ret != STORE_OK) {
		acme_problem(r, ret == STORE_E_NOTFOUND ? 404 : 500, ret ==
		    STORE_E_NOTFOUND ? "malformed" : "serverInternal", "%s",
		    ret == STORE_E_NOTFOUND ? "no such resource" :
		    "the store cannot be read");
		return NULL;
	}
	doc = acme_doc(rec);
	owner = doc != NULL ? json_string_value(json_object_get(doc, "account")) : NULL;
	if (owner == NULL || strcmp(owner, r->account->id) != 0) {
		/* Another account's: as if it did not exist (RFC 8555 7.4 asks only 401). */
		acme_problem(r, 404, "malformed", "no such resource");
		json_decref(doc);
		store_record_free(rec);
		return NULL;
	}
	*out_doc = doc;
	return rec;
}

static json_t *
challenge_json(struct acme_req *r, const char *authz, json_t *c)
{
	const char *type = json_string_value(json_object_get(c, "type"));
	char *url = acme_url(r, "/acme/chall/%s/%s", authz, type);
	json_t *out = json_pack("{s:s,s:s,s:O,s:O}", "type", type, "url", url,
	    "token", json_object_get(c, "token"), "status",
	    json_object_get(c, "status"));

	if (json_object_get(c, "validated") != NULL)
		json_object_set(out, "validated", json_object_get(c, "validated"));
	if (json_object_get(c, "error") != NULL)
		json_object_set(out, "error", json_object_get(c, "error"));
	free(url);
	return out;
}

static json_t *
authz_json(struct acme_req *r, const struct store_record *rec, json_t *doc)
{
	json_t *list = json_array(), *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "challenges"), i, c)
		json_array_append_new(list, challenge_json(r, rec->id, c));
	return json_pack("{s:O,s:s,s:o,s:o}", "identifier",
	    json_object_get(doc, "identifier"), "status", rec->status, "expires",
	    acme_time(rec->expires), "challenges", list);
}

/*
 * An order pending while its authorizations are: ready when all are
 * valid, invalid when one is not or the order expired (7.1.6).
 */
static void
refresh_order(struct acme *a, struct store_record *order, json_t *doc)
{
	json_t *id;
	size_t i, valid = 0, n = json_array_size(json_object_get(doc, "authorizations"));
	const char *to = NULL;
	struct store_record *az;

	if (strcmp(order->status, "pending") != 0 && strcmp(order->status, "ready") != 0)
		return;
	if (order->expires <= sipca_now())
		to = "invalid";
	json_array_foreach(json_object_get(doc, "authorizations"), i, id) {
		if (to != NULL)
			break;
		if (store_record_get(a->cfg->store, KIND_AUTHZ, json_string_value(id),
		    &az) != STORE_OK)
			return;
		if (strcmp(az->status, "valid") == 0 && az->expires > sipca_now())
			valid++;
		else if (strcmp(az->status, "pending") != 0)
			to = "invalid";
		store_record_free(az);
	}
	if (to == NULL && valid == n && strcmp(order->status, "pending") == 0)
		to = "ready";
	if (to != NULL && strcmp(to, "invalid") == 0 && json_object_get(doc, "error") == NULL)
		json_object_set_new(doc, "error", acme_problem_json("unauthorized",
		    "an authorization of the order failed or expired"));
	if (to != NULL)
		acme_save(a, order, doc, to, order->status);
}

static json_t *
order_json(struct acme_req *r, const struct store_record *rec, json_t *doc)
{
	json_t *authz = json_array(), *id, *out;
	const char *serial;
	char *url;
	size_t i;

	json_array_foreach(json_object_get(doc, "authorizations"), i, id) {
		url = acme_url(r, "/acme/authz/%s", json_string_value(id));
		json_array_append_new(authz, json_string(url));
		free(url);
	}
	url = acme_url(r, "/acme/order/%s/finalize", rec->id);
	out = json_pack("{s:s,s:o,s:O,s:o,s:s}", "status", rec->status,
	    "expires", acme_time(rec->expires), "identifiers",
	    json_object_get(doc, "identifiers"), "authorizations", authz,
	    "finalize", url);
	free(url);
	if ((serial = json_string_value(json_object_get(doc, "certificate"))) != NULL &&
	    strcmp(rec->status, "valid") == 0) {
		url = acme_url(r, "/acme/cert/%s", serial);
		json_object_set_new(out, "certificate", json_string(url));
		free(url);
	}
	if (json_object_get(doc, "error") != NULL)
		json_object_set(out, "error", json_object_get(doc, "error"));
	return out;
}

static void
reply_order(struct acme_req *r, unsigned status, const struct store_record *rec,
    json_t *doc)
{
	acme_reply(r, status, order_json(r, rec, doc));
	serve_response_header(r->out, "Location", "%s/acme/order/%s", r->base,
	    rec->id);
	if (strcmp(rec->status, "processing") == 0)
		serve_response_header(r->out, "Retry-After", "1");
}

/* The certificate's SANs for an order's identifiers (see README: why URI:sip:DOMAIN). */
static void
order_sans(const struct acme_config *cfg, json_t *identifiers, struct san_list *out)
{
	const char *reason;
	json_t *id;
	size_t i;

	json_array_foreach(identifiers, i, id) {
		const char *type = json_string_value(json_object_get(id, "type"));
		const char *value = json_string_value(json_object_get(id, "value"));

		if (strcmp(type, "ip") == 0)
			san_list_add_ip(out, value, &reason);
		else
			san_list_add(out, SAN_DNS, value);
		/*
		 * The SIP domain itself, proven: the certificate is the
		 * domain's SIP server too (RFC 5922 section 7.1 matches a
		 * URI SAN first), which is what a PBX ordering its domain means.
		 */
		if (strcmp(type, "dns") == 0 && cfg->domain != NULL &&
		    strcasecmp(value, cfg->domain) == 0) {
			char *uri = xasprintf("sip:%s", cfg->domain);

			san_list_add(out, SAN_URI, uri);
			free(uri);
		}
	}
	issuance_fold_sans(out);
}

/*
 * The order's identifiers checked and put in the form they are kept in
 * (DNS names lower case, addresses canonical): NULL after the problem.
 */
static json_t *
check_identifiers(struct acme_req *r, json_t *ids)
{
	struct issuance_spec spec;
	json_t *out, *id;
	const char *reason;
	char *msg = NULL;
	size_t i;

	if (!json_is_array(ids) || json_array_size(ids) == 0 ||
	    json_array_size(ids) > ACME_MAX_IDENTIFIERS) {
		acme_problem(r, 400, "malformed", "\"identifiers\" is an array of 1 to"
		    " %d identifiers", ACME_MAX_IDENTIFIERS);
		return NULL;
	}
	out = json_array();
	memset(&spec, 0, sizeof(spec));
	json_array_foreach(ids, i, id) {
		const char *type = json_string_value(json_object_get(id, "type"));
		const char *value = json_string_value(json_object_get(id, "value"));
		struct san_list one = { NULL, 0 };
		char *folded;

		if (type == NULL || value == NULL || strlen(value) > 253) {
			acme_problem(r, 400, "malformed", "an identifier has a \"type\""
			    " and a \"value\"");
			goto fail;
		}
		if (strcmp(type, "ip") == 0) {
			/* RFC 8738 3: the address's text, kept canonical. */
			if (san_list_add_ip(&one, value, &reason) < 0) {
				acme_problem(r, 400, "rejectedIdentifier", "'%.60s': %s",
				    value, reason);
				goto fail;
			}
			folded = xstrdup(one.items[0].value);
			san_list_clear(&one);
		} else if (strcmp(type, "dns") == 0) {
			if (value[0] == '*') {
				/* Polycom refuses wildcards, and http-01 cannot prove them. */
				acme_problem(r, 400, "rejectedIdentifier", "this CA issues"
				    " no wildcard names");
				goto fail;
			}
			folded = san_fold_store_name(xstrdup(value));
		} else {
			acme_problem(r, 400, "unsupportedIdentifier", "identifiers are"
			    " \"dns\" or \"ip\" (RFC 8555 9.7.7, RFC 8738)");
			goto fail;
		}
		json_array_append_new(out, json_pack("{s:s,s:s}", "type", type,
		    "value", folded));
		free(folded);
	}
	/* The same policy as sipca issue: names inside the store's SIP domain. */
	spec.kind = KIND_SERVER;
	spec.domain = r->a->cfg->domain;
	spec.name = json_string_value(json_object_get(json_array_get(out, 0), "value"));
	order_sans(r->a->cfg, out, &spec.sans);
	if (issuance_validate(&spec, &msg) < 0) {
		acme_problem(r, 400, "rejectedIdentifier", "%s", msg);
		free(msg);
		san_list_clear(&spec.sans);
		goto fail;
	}
	san_list_clear(&spec.sans);
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* RFC 8555 7.4's rate limit: orders_per_hour per account (in memory). */
static int
rate_ok(struct acme *a, const char *account)
{
	time_t hour = sipca_now() / 3600;
	size_t i;

	if (a->cfg->orders_per_hour == 0)
		return 1;
	for (i = 0; i < a->n_rates; i++)
		if (strcmp(a->rates[i].account, account) == 0)
			break;
	if (i == a->n_rates) {
		a->rates = xrealloc(a->rates, (a->n_rates + 1) * sizeof(*a->rates));
		a->rates[i].account = xstrdup(account);
		a->rates[i].hour = hour;
		a->rates[i].n = 0;
		a->n_rates++;
	}
	if (a->rates[i].hour != hour) {
		a->rates[i].hour = hour;
		a->rates[i].n = 0;
	}
	return ++a->rates[i].n <= a->cfg->orders_per_hour;
}

/* A new authorization of identifier id for the order, with its challenges. */
static char *
new_authz(struct acme_req *r, const char *order, json_t *id, time_t expires)
{
	const char *type = json_string_value(json_object_get(id, "type"));
	/* RFC 8738 7: no dns-01 for an address. */
	static const char *const dns_types[] = { "http-01", "tls-alpn-01", "dns-01" };
	size_t n = strcmp(type, "ip") == 0 ? 2 : 3, i;
	json_t *list = json_array(), *doc;
	struct store_record rec;
	char *authz = acme_random_id();
	int ret;

	for (i = 0; i < n; i++) {
		char *token = acme_random_id();

		json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "type",
		    dns_types[i], "token", token, "status", "pending"));
		free(token);
	}
	doc = json_pack("{s:O,s:s,s:s,s:o}", "identifier", id, "account",
	    r->account->id, "order", order, "challenges", list);
	memset(&rec, 0, sizeof(rec));
	rec.kind = KIND_AUTHZ;
	rec.id = authz;
	rec.ref = (char *)order;
	rec.status = "pending";
	rec.expires = expires;
	rec.doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	ret = store_record_add(r->a->cfg->store, &rec);
	free(rec.doc);
	json_decref(doc);
	if (ret != STORE_OK) {
		free(authz);
		return NULL;
	}
	return authz;
}

void
acme_new_order(struct acme_req *r)
{
	json_t *ids, *authz, *doc = NULL, *id;
	struct store_record rec, *stored = NULL;
	time_t expires = sipca_now() + ACME_ORDER_LIFETIME;
	char *order = NULL, *az;
	size_t i;

	if (r->payload == NULL) {
		acme_problem(r, 400, "malformed", "newOrder takes a JSON object");
		return;
	}
	if (json_object_get(r->payload, "notBefore") != NULL ||
	    json_object_get(r->payload, "notAfter") != NULL) {
		acme_problem(r, 400, "malformed", "this CA sets the validity itself:"
		    " no notBefore or notAfter");
		return;
	}
	if ((ids = check_identifiers(r, json_object_get(r->payload, "identifiers"))) == NULL)
		return;
	if (!rate_ok(r->a, r->account->id)) {
		acme_problem(r, 429, "rateLimited", "at most %u orders an hour per"
		    " account", r->a->cfg->orders_per_hour);
		serve_response_header(r->out, "Retry-After", "%ld",
		    3600 - (long)(sipca_now() % 3600));
		json_decref(ids);
		return;
	}
	order = acme_random_id();
	authz = json_array();
	json_array_foreach(ids, i, id) {
		if ((az = new_authz(r, order, id, expires)) == NULL) {
			acme_problem(r, 500, "serverInternal", "the order cannot be"
			    " recorded");
			goto out;
		}
		json_array_append_new(authz, json_string(az));
		free(az);
	}
	doc = json_pack("{s:O,s:O,s:s}", "identifiers", ids, "authorizations",
	    authz, "account", r->account->id);
	memset(&rec, 0, sizeof(rec));
	rec.kind = KIND_ORDER;
	rec.id = order;
	rec.ref = r->account->id;
	rec.status = "pending";
	rec.expires = expires;
	rec.doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (store_record_add(r->a->cfg->store, &rec) != STORE_OK ||
	    store_record_get(r->a->cfg->store, KIND_ORDER, order, &stored) != STORE_OK) {
		free(rec.doc);
		acme_problem(r, 500, "serverInternal", "the order cannot be recorded");
		goto out;
	}
	free(rec.doc);
	reply_order(r, 201, stored, doc);
out:
	json_decref(ids);
	json_decref(authz);
	json_decref(doc);
	store_record_free(stored);
	free(order);
}

void
acme_get_order(struct acme_req *r, const char *id)
{
	struct store_record *rec;
	json_t *doc;

	if ((rec = owned(r, KIND_ORDER, id, &doc)) == NULL)
		return;
	refresh_order(r->a, rec, doc);
	reply_order(r, 200, rec, doc);
	json_decref(doc);
	store_record_free(rec);
}

struct list_ctx {
	struct acme_req *r;
	json_t *urls;
};

static int
list_one(const struct store_record *rec, void *arg)
{
	struct list_ctx *c = arg;
	char *url;

	/* 7.1.2.1: the orders that are or may become valid. */
	if (strcmp(rec->status, "invalid") == 0)
		return 0;
	url = acme_url(c->r, "/acme/order/%s", rec->id);
	json_array_append_new(c->urls, json_string(url));
	free(url);
	return 0;
}

void
acme_list_orders(struct acme_req *r, const char *account)
{
	struct list_ctx c = { r, json_array() };

	if (strcmp(account, r->account->id) != 0) {
		json_decref(c.urls);
		acme_problem(r, 401, "unauthorized", "an account lists only its own"
		    " orders");
		return;
	}
	if (store_record_each(r->a->cfg->store, KIND_ORDER, account, list_one,
	    &c) < 0) {
		json_decref(c.urls);
		acme_problem(r, 500, "serverInternal", "the store cannot be read");
		return;
	}
	acme_reply(r, 200, json_pack("{s:o}", "orders", c.urls));
}

void
acme_get_authz(struct acme_req *r, const char *id)
{
	struct store_record *rec;
	json_t *doc;

	if ((rec = owned(r, KIND_AUTHZ, id, &doc)) == NULL)
		return;
	/* 7.5.2: an authorization may be deactivated by its account. */
	if (r->payload != NULL) {
		const char *to = json_string_value(json_object_get(r->payload, "status"));

		if (to == NULL || strcmp(to, "deactivated") != 0 ||
		    acme_save(r->a, rec, doc, "deactivated", rec->status) != STORE_OK) {
			acme_problem(r, 400, "malformed", "an authorization changes only"
			    " to \"deactivated\"");
			goto out;
		}
	}
	if (strcmp(rec->status, "pending") == 0 && rec->expires <= sipca_now())
		acme_save(r->a, rec, doc, "expired", "pending");
	acme_reply(r, 200, authz_json(r, rec, doc));
	if (strcmp(rec->status, "pending") == 0)
		serve_response_header(r->out, "Retry-After", "1");
out:
	json_decref(doc);
	store_record_free(rec);
}

static json_t *
find_challenge(json_t *doc, const char *type)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "challenges"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
			return c;
	return NULL;
}

/*
 * RFC 8555 7.5.1: a POST of {} asks for validation, which runs here,
 * with the server's lock released (it connects to the client's host
 * for up to a timeout), then the result is recorded on the
 * authorization as it is then.
 */
void
acme_challenge(struct acme_req *r, const char *id, const char *type)
{
	struct store_record *rec;
	struct acme_validation v;
	enum acme_validation_error e;
	json_t *doc, *c, *ident;
	char why[300], *key_authz = NULL, *token = NULL, *value = NULL;
	const char *itype;

	if ((rec = owned(r, KIND_AUTHZ, id, &doc)) == NULL)
		return;
	if ((c = find_challenge(doc, type)) == NULL) {
		acme_problem(r, 404, "malformed", "no such challenge");
		goto out;
	}
	if (r->payload == NULL || strcmp(rec->status, "pending") != 0 ||
	    strcmp(json_string_value(json_object_get(c, "status")), "pending") != 0)
		goto reply;
	if (rec->expires <= sipca_now()) {
		acme_save(r->a, rec, doc, "expired", "pending");
		goto reply;
	}
	ident = json_object_get(doc, "identifier");
	itype = json_string_value(json_object_get(ident, "type"));
	value = xstrdup(json_string_value(json_object_get(ident, "value")));
	token = xstrdup(json_string_value(json_object_get(c, "token")));
	key_authz = xasprintf("%s.%s", token, acme_thumbprint(r));
	json_object_set_new(c, "status", json_string("processing"));
	if (acme_save(r->a, rec, doc, "pending", "pending") != STORE_OK)
		goto reply;
	memset(&v, 0, sizeof(v));
	v.type = strcmp(type, "http-01") == 0 ? ACME_HTTP01 :
	    strcmp(type, "tls-alpn-01") == 0 ? ACME_TLS_ALPN01 : ACME_DNS01;
	v.ident_type = strcmp(itype, "ip") == 0 ? ACME_IDENT_IP : ACME_IDENT_DNS;
	v.ident = value;
	v.token = token;
	v.key_authz = key_authz;
	v.http_port = r->a->cfg->http_port;
	v.tls_port = r->a->cfg->tls_port;
	v.dns_server = r->a->cfg->dns_server;
	v.timeout = 10;
	pthread_mutex_unlock(&r->a->mu);
	e = acme_validate(&v, why, sizeof(why));
	pthread_mutex_lock(&r->a->mu);
	/* As recorded now: the authorization may have moved meanwhile. */
	json_decref(doc);
	store_record_free(rec);
	doc = NULL;
	if ((rec = owned(r, KIND_AUTHZ, id, &doc)) == NULL)
		goto out;
	c = find_challenge(doc, type);
	json_object_set_new(c, "status", json_string(e == ACME_VALID ? "valid" :
	    "invalid"));
	if (e == ACME_VALID)
		json_object_set_new(c, "validated", acme_time(sipca_now()));
	else
		json_object_set_new(c, "error", acme_problem_json(
		    acme_validation_error_type(e), why));
	if (acme_save(r->a, rec, doc, e == ACME_VALID ? "valid" : "invalid",
	    "pending") != STORE_OK) {
		acme_problem(r, 500, "serverInternal", "the result cannot be recorded");
		goto out;
	}
	r->out->log = xasprintf("%s of %s: %s%s%s", type, value, e == ACME_VALID ?
	    "valid" : "invalid", e == ACME_VALID ? "" : ": ", e == ACME_VALID ? "" : why);
reply:
	acme_reply(r, 200, challenge_json(r, rec->id, c));
	serve_response_header(r->out, "Link", "<%s/acme/authz/%s>;rel=\"up\"",
	    r->base, rec->id);
out:
	free(key_authz);
	free(token);
	free(value);
	json_decref(doc);
	store_record_free(rec);
}

/* The request names exactly the order's identifiers (RFC 8555 7.4). */
static int
csr_matches(gnutls_x509_crq_t crq, json_t *ids, char *why, size_t size)
{
	struct san_list sans = { NULL, 0 };
	char cn[256];
	size_t cn_len = sizeof(cn), i, j, found = 0;
	json_t *id;
	int ok = 0;

	if (csr_sans(crq, &sans) < 0) {
		snprintf(why, size, "the request's subjectAltName does not read");
		return 0;
	}
	for (i = 0; i < sans.n; i++) {
		int in = 0;

		json_array_foreach(ids, j, id) {
			const char *t = json_string_value(json_object_get(id, "type"));
			const char *v = json_string_value(json_object_get(id, "value"));

			if (((sans.items[i].type == SAN_DNS && strcmp(t, "dns") == 0 &&
			    sans.items[i].len == strlen(v) &&
			    strcasecmp(sans.items[i].value, v) == 0) ||
			    (sans.items[i].type == SAN_IP && strcmp(t, "ip") == 0 &&
			    strcmp(sans.items[i].value, v) == 0)))
				in = 1;
		}
		if (!in) {
			char *shown = text_escape(sans.items[i].value, sans.items[i].len, 60);

			snprintf(why, size, "the request names %s:%s, which the order"
			    " does not", san_type_name(sans.items[i].type), shown);
			free(shown);
			goto out;
		}
		found++;
	}
	/* Each identifier once among the SANs: duplicates would count twice. */
	json_array_foreach(ids, j, id) {
		const char *v = json_string_value(json_object_get(id, "value"));
		int seen = 0;

		for (i = 0; i < sans.n; i++)
			if (strcasecmp(sans.items[i].value, v) == 0)
				seen = 1;
		if (!seen) {
			snprintf(why, size, "the request leaves out the order's '%.60s'", v);
			goto out;
		}
	}
	if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
	    cn, &cn_len) == 0) {
		int in = 0;

		json_array_foreach(ids, j, id)
			if (strcasecmp(json_string_value(json_object_get(id, "value")), cn) == 0)
				in = 1;
		if (!in) {
			snprintf(why, size, "the request's common name is none of the"
			    " order's identifiers");
			goto out;
		}
	}
	ok = found > 0;
	if (!ok)
		snprintf(why, size, "the request names no identifier in a"
		    " subjectAltName");
out:
	san_list_clear(&sans);
	return ok;
}

/* Whether one of the identifiers is the SIP domain itself. */
static int
names_domain(const struct acme_config *cfg, json_t *ids)
{
	json_t *id;
	size_t i;

	json_array_foreach(ids, i, id)
		if (cfg->domain != NULL && strcmp(json_string_value(json_object_get(id,
		    "type")), "dns") == 0 && strcasecmp(json_string_value(
		    json_object_get(id, "value")), cfg->domain) == 0)
			return 1;
	return 0;
}

/* Issues the order's certificate; 0, or -1 with the problem in *out_err. */
static int
issue_order(struct acme_req *r, const struct store_record *order, json_t *doc,
    gnutls_x509_crq_t crq, char *out_serial, json_t **out_err)
{
	const struct acme_config *cfg = r->a->cfg;
	struct issuance_spec spec;
	struct issuance_record how;
	struct issuance is;
	struct store_cert *current = NULL;
	struct report rep = { NULL, 0 };
	json_t *ids = json_object_get(doc, "identifiers");
	char *name, *origin = acme_origin(r->account->id, order->id), *text;
	enum result res;
	int store_error = 0, rc = -1;

	memset(&spec, 0, sizeof(spec));
	memset(&how, 0, sizeof(how));
	memset(&is, 0, sizeof(is));
	name = san_fold_store_name(xstrdup(json_string_value(json_object_get(
	    json_array_get(ids, 0), "value"))));
	spec.kind = KIND_SERVER;
	spec.name = name;
	spec.domain = cfg->domain;
	spec.crl_url = cfg->crl_url;
	spec.organization = cfg->organization;
	spec.days = cfg->days;
	spec.csr = crq;
	spec.not_before = sipca_now();
	order_sans(cfg, ids, &spec.sans);
	spec.host_only = !names_domain(cfg, ids);
	/* The name's current certificate is superseded: ACME renews by ordering. */
	if (store_find_current(cfg->store, name, &current) == STORE_OK &&
	    current->status == STATUS_VALID)
		how.replace = 1;
	store_cert_free(current);
	how.origin = origin;
	res = issuance_issue(cfg->store, &spec, cfg->ca, &how, &is, &store_error, &rep);
	if (res == RESULT_OK) {
		snprintf(out_serial, 2 * SERIAL_LEN + 1, "%s", is.serial);
		rc = 0;
	} else {
		text = report_join(&rep, "; ");
		*out_err = acme_problem_json(res == RESULT_E_REFUSED ? "rejectedIdentifier" :
		    res == RESULT_E_INPUT ? "badCSR" : "serverInternal",
		    text[0] != '\0' ? text : "the certificate cannot be issued");
		free(text);
	}
	report_clear(&rep);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	free(name);
	free(origin);
	return rc;
}

void
acme_finalize(struct acme_req *r, const char *id)
{
	struct store_record *rec;
	gnutls_x509_crq_t crq = NULL;
	const char *csr_text, *reason = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0;
	char why[200], serial[2 * SERIAL_LEN + 1];
	json_t *doc, *err = NULL;

	if ((rec = owned(r, KIND_ORDER, id, &doc)) == NULL)
		return;
	refresh_order(r->a, rec, doc);
	if (strcmp(rec->status, "ready") != 0) {
		/* 7.4: finalize before the authorizations, or a second time. */
		acme_problem(r, 403, "orderNotReady", "the order is %s", rec->status);
		goto out;
	}
	csr_text = r->payload != NULL ?
	    json_string_value(json_object_get(r->payload, "csr")) : NULL;
	if (csr_text == NULL || b64url_decode(csr_text, strlen(csr_text), &der,
	    &der_len) != 0 || csr_load(der, der_len, &crq, &reason) != 0) {
		acme_problem(r, 400, "badCSR", "\"csr\" is a PKCS#10 request, DER in"
		    " base64url%s%s", reason != NULL ? ": " : "", reason != NULL ?
		    reason : "");
		goto out;
	}
	if (!csr_matches(crq, json_object_get(doc, "identifiers"), why, sizeof(why))) {
		acme_problem(r, 400, "badCSR", "%s", why);
		goto out;
	}
	if (acme_save(r->a, rec, doc, "processing", "ready") != STORE_OK) {
		acme_problem(r, 403, "orderNotReady", "the order is being finalized");
		goto out;
	}
	test_crash_point("acme-finalize");
	if (issue_order(r, rec, doc, crq, serial, &err) == 0) {
		json_object_set_new(doc, "certificate", json_string(serial));
		acme_save(r->a, rec, doc, "valid", "processing");
		r->out->log = xasprintf("issued %s to account %s (order %s)", serial,
		    r->account->id, rec->id);
	} else {
		r->out->log = xasprintf("order %s refused: %s", rec->id,
		    json_string_value(json_object_get(err, "detail")));
		json_object_set_new(doc, "error", err);
		acme_save(r->a, rec, doc, "invalid", "processing");
	}
	{
		char *note = r->out->log;

		r->out->log = NULL;
		reply_order(r, 200, rec, doc);
		r->out->log = note;
	}
out:
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	free(der);
	json_decref(doc);
	store_record_free(rec);
}
