/*
 * upkeep: a long-running server's own certificate and the CRL kept
 * fresh (include/upkeep.h), by the same steps as "sipca renew" (a
 * renewal request from the stored row, the key kept, issuance_issue()
 * superseding the old one) and "sipca crl" (crl_publish()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "crl_publish.h"
#include "issuance.h"
#include "renewal.h"
#include "upkeep.h"

/* ACME clients renew with a third of the life left (certbot: 30 of 90 days). */
static int
renewal_due(const struct store_cert *c, time_t now)
{
	return now >= c->not_after - (c->not_after - c->not_before) / 3;
}

static enum result
renew_own(struct store *s, const struct ca *ca, const char *name,
    const struct renewal_options *o, time_t now, struct upkeep_done *out,
    struct report *rep)
{
	struct store_cert *cur = NULL;
	struct issuance_spec spec;
	struct issuance is;
	struct issuance_record how = { NULL, 1, NULL };
	gnutls_pubkey_t pub = NULL;
	enum result r = RESULT_OK;
	int ret, locked = 0;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	/* Under the lock, so a renew run by hand meanwhile is seen. */
	if ((ret = store_lock(s)) < 0) {
		store_take_messages(s, rep);
		r = RESULT_E_FAILED;
		goto out;
	}
	locked = 1;
	if ((ret = store_find_current(s, name, &cur)) == STORE_E_NOTFOUND)
		goto out;	/* the caller checked at start; gone since: nothing to keep */
	if (ret < 0) {
		store_take_messages(s, rep);
		r = RESULT_E_FAILED;
		goto out;
	}
	if (!renewal_due(cur, now))
		goto out;
	if ((r = renewal_spec(cur, o, &spec, rep)) != RESULT_OK ||
	    (r = renewal_kept_key(s, cur, &pub, rep)) != RESULT_OK)
		goto out;
	spec.pubkey = pub;
	spec.not_before = now;
	how.key_source = cur->key_source;
	if ((r = issuance_issue(s, &spec, ca, &how, &is, &ret, rep)) != RESULT_OK)
		goto out;
	out->renewed = 1;
	snprintf(out->old_serial, sizeof(out->old_serial), "%s", cur->serial);
	snprintf(out->new_serial, sizeof(out->new_serial), "%s", is.serial);
	out->not_after = is.not_after;
out:
	if (locked)
		store_unlock(s);
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	store_cert_free(cur);
	return r;
}

/* The CRL again once half its interval is gone, for the same length. */
static enum result
refresh_crl(struct store *s, const struct ca *ca, time_t now,
    struct upkeep_done *out, struct report *rep)
{
	gnutls_x509_crl_t crl = NULL;
	struct crl_published pub;
	unsigned char *data = NULL;
	size_t len = 0;
	time_t this_update, next_update;
	enum result r = RESULT_OK;
	long days;
	int ret;

	memset(&pub, 0, sizeof(pub));
	if ((ret = store_read_file(s, "crl.pem", &data, &len)) == STORE_E_NOTFOUND)
		return RESULT_OK;
	if (ret < 0) {
		store_take_messages(s, rep);
		return RESULT_E_FAILED;
	}
	if (gnutls_x509_crl_init(&crl) < 0 || gnutls_x509_crl_import(crl,
	    &(gnutls_datum_t){ data, (unsigned)len }, GNUTLS_X509_FMT_PEM) < 0) {
		report_add(rep, REPORT_MESSAGE, "crl.pem does not read as a CRL:"
		    " not published again (run 'sipca crl')");
		r = RESULT_E_FAILED;
		goto out;
	}
	this_update = gnutls_x509_crl_get_this_update(crl);
	next_update = gnutls_x509_crl_get_next_update(crl);
	if (this_update == (time_t)-1 || next_update == (time_t)-1 ||
	    now < this_update + (next_update - this_update) / 2)
		goto out;
	days = (long)((next_update - this_update + 43200) / 86400);
	if ((r = crl_publish(s, ca, days < 1 ? 1 : days, &pub, rep)) != RESULT_OK)
		goto out;
	out->crl = 1;
	out->crl_number = pub.number;
	out->crl_next_update = pub.next_update;
out:
	crl_published_clear(&pub);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	free(data);
	return r;
}

enum result
upkeep_run(struct store *s, const struct ca *ca, const char *name,
    const char *domain, const char *crl_url, const char *organization,
    time_t now, struct upkeep_done *out, struct report *rep)
{
	struct renewal_options o;
	enum result r = RESULT_OK;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	o.domain = domain;
	o.crl_url = crl_url;
	o.organization = organization;
	if (name != NULL)
		r = renew_own(s, ca, name, &o, now, out, rep);
	if (r == RESULT_OK)
		r = refresh_crl(s, ca, now, out, rep);
	return r;
}
