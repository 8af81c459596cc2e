/*
 * renewal: a stored certificate back into a request, its key, and the
 * certificates a fleet renewal takes.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "issuance.h"
#include "key.h"
#include "renewal.h"
#include "san.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

/*
 * --copy-san: the names issue --csr --copy-san would give, the kind's
 * defaults first. A server without DNS:DOMAIN was issued with
 * --no-domain-dns, which the renewal keeps.
 */
static void
take_request_sans(struct issuance_spec *spec, const struct san_list *asked)
{
	int no_domain_dns = spec->kind == KIND_SERVER;
	size_t i;

	for (i = 0; i < spec->sans.n; i++)
		if (spec->sans.items[i].type == SAN_DNS &&
		    spec->domain != NULL &&
		    strcmp(spec->sans.items[i].value, spec->domain) == 0)
			no_domain_dns = 0;
	san_list_clear(&spec->sans);
	for (i = 0; i < asked->n; i++)
		san_list_add(&spec->sans, asked->items[i].type, asked->items[i].value);
	issuance_default_sans(spec, no_domain_dns);
}

enum result
renewal_spec(const struct store_cert *cur, const struct renewal_options *o,
    struct issuance_spec *spec, struct report *rep)
{
	char *msg = NULL;

	memset(spec, 0, sizeof(*spec));
	if (o->rekey && o->csr == NULL && strcmp(cur->key_source, "csr") == 0) {
		report_add(rep, REPORT_MESSAGE, "'%s' was issued from a CSR: sipca"
		    " has no key to replace; renew it with the device's new"
		    " request: 'sipca renew %s --csr FILE'", cur->name, cur->name);
		return RESULT_E_INPUT;
	}
	spec->csr = o->csr;
	spec->name = cur->name;
	spec->domain = o->domain;
	spec->crl_url = o->crl_url;
	spec->organization = o->organization;
	spec->force = o->force;
	spec->allow_foreign = o->allow_foreign;
	if (cert_kind_parse(cur->kind, &spec->kind) < 0 ||
	    spec->kind == KIND_CA) {
		report_add(rep, REPORT_MESSAGE, "%s: cannot renew a certificate of"
		    " kind '%s'", cur->name, cur->kind);
		return RESULT_E_INPUT;
	}
	if (san_list_parse(cur->sans, &spec->sans) < 0) {
		char *shown = text_echo(cur->sans);

		report_add(rep, REPORT_MESSAGE, "%s: the index holds unreadable"
		    " SANs: '%s'", cur->name, shown);
		free(shown);
		return RESULT_E_FAILED;
	}
	issuance_fold_sans(&spec->sans);
	if (o->csr_sans != NULL)
		take_request_sans(spec, o->csr_sans);
	/* It was issued with --allow-wildcard, or it would have none. */
	spec->allow_wildcard = strchr(cur->sans, '*') != NULL;
	spec->days = o->days != 0 ? o->days :
	    (long)((cur->not_after - cur->not_before + 86399) / 86400);
	/* The original length is a default: the CA's notAfter caps it. */
	spec->days_from = o->days != 0 ? "--days" : NULL;
	if (spec->days < 1)
		spec->days = 1;
	spec->key_type = KEY_RSA2048;
	if (o->key_type_set)
		spec->key_type = o->key_type;
	else if (cur->key_type != NULL)
		key_type_parse(cur->key_type, &spec->key_type);
	if (issuance_validate(spec, &msg) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: %s", cur->name, msg);
		free(msg);
		return RESULT_E_INPUT;
	}
	return RESULT_OK;
}

enum result
renewal_kept_key(struct store *s, const struct store_cert *cur,
    gnutls_pubkey_t *out, struct report *rep)
{
	unsigned char *pem = NULL;
	size_t len = 0;
	gnutls_pubkey_t from_cert = NULL, pub = NULL;
	const char *call = NULL;
	enum result status = RESULT_E_FAILED;
	int ret, match = 0;

	if ((ret = key_pubkey_of_cert_pem(cur->pem, &from_cert)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: the stored certificate is"
		    " unreadable: gnutls_x509_crt_import: %s", cur->name,
		    gnutls_strerror(ret));
		goto out;
	}
	if (strcmp(cur->key_source, "csr") == 0) {
		*out = from_cert;
		from_cert = NULL;
		status = RESULT_OK;
		goto out;
	}
	ret = store_read_issued_key(s, cur->name, &pem, &len);
	store_take_messages(s, rep);
	if (ret == STORE_E_NOTFOUND) {
		report_add(rep, REPORT_MESSAGE, "%s: issued/%s/key.pem is missing;"
		    " renew with --rekey", cur->name, cur->name);
		goto out;
	}
	if (ret < 0) {
		status = signer_store_result(ret);
		goto out;
	}
	if ((ret = key_pubkey_of_pem(pem, len, &pub, &call)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: issued/%s/key.pem: %s: %s",
		    cur->name, cur->name, call, gnutls_strerror(ret));
		goto out;
	}
	if ((ret = key_same(pub, from_cert, &match, &call)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: issued/%s/key.pem: %s: %s",
		    cur->name, cur->name, call, gnutls_strerror(ret));
		goto out;
	}
	if (!match) {
		report_add(rep, REPORT_MESSAGE, "%s: issued/%s/key.pem is not the key"
		    " of serial %s; renew with --rekey", cur->name, cur->name,
		    cur->serial);
		goto out;
	}
	*out = pub;
	pub = NULL;
	status = RESULT_OK;
out:
	secret_free_buf(pem, len);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (from_cert != NULL)
		gnutls_pubkey_deinit(from_cert);
	return status;
}

static void
list_add(struct renewal_list *l, const struct store_cert *c)
{
	struct renewal_item *it;

	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	it = &l->items[l->n++];
	it->name = xstrdup(c->name);
	it->serial = xstrdup(c->serial);
	it->not_after = c->not_after;
}

static int
collect_expiring(const struct store_cert *c, void *arg)
{
	list_add(arg, c);
	return 0;
}

int
renewal_list_expiring(struct store *s, time_t before, struct renewal_list *out)
{
	struct store_filter filter = { NULL, NULL, STATUS_VALID, before };

	memset(out, 0, sizeof(*out));
	return store_list(s, &filter, collect_expiring, out);
}

struct foreign {
	const struct ca *ca;
	struct renewal_list *out;
};

static int
collect_foreign(const struct store_cert *c, void *arg)
{
	struct foreign *f = arg;

	if (c->pem != NULL && ca_issued_pem(f->ca, c->pem))
		f->out->current++;
	else
		list_add(f->out, c);
	return 0;
}

int
renewal_list_foreign(struct store *s, const struct ca *ca,
    struct renewal_list *out)
{
	/* STATUS_VALID: valid and not past notAfter (an expired one is renewed by name). */
	struct store_filter filter = { NULL, NULL, STATUS_VALID, 0 };
	struct foreign f = { ca, out };

	memset(out, 0, sizeof(*out));
	return store_list(s, &filter, collect_foreign, &f);
}

void
renewal_list_clear(struct renewal_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].serial);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
