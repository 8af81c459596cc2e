/*
 * acme_cert: what comes after an order in the ACME server (RFC 8555
 * 7.4.2, 7.6): the certificate with its chain for the account that
 * ordered it, revocation by that account or by the certificate's key
 * with the CRL published at once, and at start the orders a killed
 * server left being finalized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "acme_int.h"
#include "ca.h"
#include "cert.h"
#include "crl.h"
#include "crl_publish.h"
#include "report.h"
#include "util.h"

char *
acme_origin(const char *account, const char *order)
{
	return xasprintf("acme account %s order %s", account, order);
}

json_t *
acme_problem_json(const char *type, const char *detail)
{
	return json_pack("{s:s+,s:s}", "type", "urn:ietf:params:acme:error:",
	    type, "detail", detail);
}

/* The certificate's row when the request's account ordered it. */
static struct store_cert *
ordered_cert(struct acme_req *r, const char *serial)
{
	struct store_cert *c = NULL;
	char *prefix = xasprintf("acme account %s ", r->account->id);
	int ok;

	ok = store_find_serial(r->a->cfg->store, serial, &c) == STORE_OK &&
	    c->origin != NULL && strncmp(c->origin, prefix, strlen(prefix)) == 0;
	free(prefix);
	if (!ok) {
		store_cert_free(c);
		return NULL;
	}
	return c;
}

void
acme_get_cert(struct acme_req *r, const char *serial)
{
	const struct ca *ca = r->a->cfg->ca;
	struct store_cert *c;

	if ((c = ordered_cert(r, serial)) == NULL) {
		acme_problem(r, 404, "malformed", "no such certificate");
		return;
	}
	/* 7.4.2: the certificate, then the chain up to what users import. */
	acme_reply(r, 200, NULL);
	r->out->type = "application/pem-certificate-chain";
	r->out->body = xasprintf("%s%.*s%s", c->pem, (int)ca->pem.size,
	    (const char *)ca->pem.data, ca->chain_extra != NULL ? ca->chain_extra : "");
	r->out->len = strlen(r->out->body);
	store_cert_free(c);
}

/* Whether key is the certificate's subject key (a revocation by it, 7.6). */
static int
same_key(gnutls_pubkey_t key, gnutls_x509_crt_t crt)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	gnutls_pubkey_t ck = NULL;
	int same = 0;

	if (gnutls_pubkey_init(&ck) == 0 && gnutls_pubkey_import_x509(ck, crt, 0) == 0 &&
	    gnutls_pubkey_export2(ck, GNUTLS_X509_FMT_DER, &a) == 0 &&
	    gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &b) == 0)
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (ck != NULL)
		gnutls_pubkey_deinit(ck);
	return same;
}

void
acme_revoke(struct acme_req *r)
{
	const struct acme_config *cfg = r->a->cfg;
	const char *text, *serials[1];
	unsigned char *der = NULL;
	size_t len = 0;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t stored = { NULL, 0 };
	struct store_cert *c = NULL;
	struct crl_published pub;
	struct report rep = { NULL, 0 };
	char serial[2 * SERIAL_LEN + 1];
	json_int_t code = 0;
	json_t *reason;
	int authorized;

	memset(&pub, 0, sizeof(pub));
	text = r->payload != NULL ?
	    json_string_value(json_object_get(r->payload, "certificate")) : NULL;
	if (text == NULL || b64url_decode(text, strlen(text), &der, &len) != 0 ||
	    gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt,
	    &(gnutls_datum_t){ der, (unsigned)len }, GNUTLS_X509_FMT_DER) < 0 ||
	    cert_serial_hex(crt, serial, sizeof(serial)) < 0) {
		acme_problem(r, 400, "malformed", "\"certificate\" is a certificate,"
		    " DER in base64url");
		goto out;
	}
	reason = json_object_get(r->payload, "reason");
	if (reason != NULL) {
		code = json_is_integer(reason) ? json_integer_value(reason) : -1;
		if (code != 0 && code != 1 && code != 3 && code != 4 && code != 5) {
			acme_problem(r, 400, "badRevocationReason", "the reasons taken"
			    " are 0, 1, 3, 4 and 5 (RFC 5280 5.3.1)");
			goto out;
		}
	}
	/* The very certificate recorded, not one with its serial. */
	if (store_find_serial(cfg->store, serial, &c) != STORE_OK ||
	    gnutls_pem_base64_decode2("CERTIFICATE", &(gnutls_datum_t){
	    (unsigned char *)c->pem, (unsigned)strlen(c->pem) }, &stored) < 0 ||
	    stored.size != len || memcmp(stored.data, der, len) != 0) {
		acme_problem(r, 404, "malformed", "this CA did not issue that"
		    " certificate");
		goto out;
	}
	if (r->account != NULL) {
		char *prefix = xasprintf("acme account %s ", r->account->id);

		authorized = c->origin != NULL &&
		    strncmp(c->origin, prefix, strlen(prefix)) == 0;
		free(prefix);
	} else
		authorized = same_key(r->jws.jwk, crt);
	if (!authorized) {
		acme_problem(r, 403, "unauthorized", "the request is signed neither"
		    " by the account that ordered the certificate nor by its key");
		goto out;
	}
	if (c->status != STATUS_VALID && c->status != STATUS_SUPERSEDED) {
		acme_problem(r, 400, "alreadyRevoked", "the certificate is %s",
		    store_status_name(c->status));
		goto out;
	}
	serials[0] = serial;
	if (store_revoke(cfg->store, serials, 1, sipca_now(),
	    crl_reason_name((enum crl_reason)code)) != STORE_OK) {
		acme_problem(r, 500, "serverInternal", "the revocation cannot be"
		    " recorded");
		goto out;
	}
	/* As sipca revoke does: the CRL says so at once. */
	if (crl_publish(cfg->store, cfg->ca, cfg->crl_days, &pub, &rep) == RESULT_OK &&
	    cfg->changed != NULL)
		cfg->changed(cfg->changed_arg);
	acme_reply(r, 200, NULL);
	r->out->log = xasprintf("revoked %s (%s)%s", serial,
	    crl_reason_name((enum crl_reason)code), rep.n > 0 ?
	    "; the CRL was not published again" : "");
out:
	report_clear(&rep);
	crl_published_clear(&pub);
	store_cert_free(c);
	gnutls_free(stored.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	free(der);
}

struct settle_ctx {
	struct acme *a;
	struct store_record **stuck;
	size_t n;
};

static int
collect_processing(const struct store_record *rec, void *arg)
{
	struct settle_ctx *c = arg;
	struct store_record *copy;

	if (strcmp(rec->status, "processing") != 0)
		return 0;
	if (store_record_get(c->a->cfg->store, rec->kind, rec->id, &copy) != STORE_OK)
		return 0;
	c->stuck = xrealloc(c->stuck, (c->n + 1) * sizeof(*c->stuck));
	c->stuck[c->n++] = copy;
	return 0;
}

struct origin_ctx {
	const char *origin;
	char serial[2 * SERIAL_LEN + 1];
};

static int
match_origin(const struct store_cert *c, void *arg)
{
	struct origin_ctx *o = arg;

	if (c->origin != NULL && strcmp(c->origin, o->origin) == 0) {
		snprintf(o->serial, sizeof(o->serial), "%s", c->serial);
		return 1;
	}
	return 0;
}

int
acme_settle_orders(struct acme *a, char *err, size_t size)
{
	struct settle_ctx c = { a, NULL, 0 };
	size_t i;

	if (store_record_each(a->cfg->store, KIND_ORDER, NULL, collect_processing,
	    &c) < 0) {
		snprintf(err, size, "the store's orders cannot be read");
		return -1;
	}
	for (i = 0; i < c.n; i++) {
		json_t *doc = acme_doc(c.stuck[i]);
		const char *account = doc != NULL ?
		    json_string_value(json_object_get(doc, "account")) : NULL;
		struct store_filter f = { NULL, NULL, -1, 0 };
		struct origin_ctx o;
		char *origin;

		if (account == NULL) {
			json_decref(doc);
			continue;
		}
		origin = acme_origin(account, c.stuck[i]->id);
		o.origin = origin;
		o.serial[0] = '\0';
		store_list(a->cfg->store, &f, match_origin, &o);
		if (o.serial[0] != '\0') {
			json_object_set_new(doc, "certificate", json_string(o.serial));
			acme_save(a, c.stuck[i], doc, "valid", "processing");
		} else {
			json_object_set_new(doc, "error", acme_problem_json("serverInternal",
			    "the server stopped while finalizing; order again"));
			acme_save(a, c.stuck[i], doc, "invalid", "processing");
		}
		free(origin);
		json_decref(doc);
		store_record_free(c.stuck[i]);
	}
	free(c.stuck);
	return 0;
}
