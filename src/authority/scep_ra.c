/*
 * scep_ra: the SCEP RA certificate as an issued certificate of the
 * store (include/scep_ra.h says why and where).
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "issuance.h"
#include "report.h"
#include "scep_ra.h"
#include "secret.h"
#include "store.h"
#include "util.h"

void
scep_ra_clear(struct scep_ra *ra)
{
	if (ra == NULL)
		return;
	if (ra->crt != NULL)
		gnutls_x509_crt_deinit(ra->crt);
	if (ra->key != NULL)
		gnutls_privkey_deinit(ra->key);
	gnutls_free(ra->der.data);
	memset(ra, 0, sizeof(*ra));
}

enum result
scep_ra_load(struct store *s, struct scep_ra *out, struct report *rep)
{
	struct scep_ra ra;
	struct store_cert *cur = NULL;
	unsigned char *key = NULL;
	size_t key_len = 0;
	unsigned bits = 0;
	enum result r = RESULT_E_INPUT;
	int ret;

	memset(&ra, 0, sizeof(ra));
	if ((ret = store_find_current(s, SCEP_RA_NAME, &cur)) == STORE_E_NOTFOUND)
		goto out;
	if (ret < 0) {
		store_take_messages(s, rep);
		r = RESULT_E_FAILED;
		goto out;
	}
	if (cur->status != STATUS_VALID) {
		report_add(rep, REPORT_MESSAGE, "the SCEP RA certificate %s has expired:"
		    " make a new one with 'sipca scep ra --renew'", cur->serial);
		goto out;
	}
	if ((ret = store_read_issued_key(s, SCEP_RA_NAME, &key, &key_len)) < 0) {
		if (ret == STORE_E_NOTFOUND)
			report_add(rep, REPORT_MESSAGE, "the SCEP RA certificate %s has no"
			    " key in the store: make a new one with 'sipca scep ra --renew'",
			    cur->serial);
		else {
			store_take_messages(s, rep);
			r = RESULT_E_FAILED;
		}
		goto out;
	}
	r = RESULT_E_FAILED;
	if ((ret = gnutls_x509_crt_init(&ra.crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(ra.crt, &(gnutls_datum_t){
	    (unsigned char *)cur->pem, (unsigned)strlen(cur->pem) },
	    GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crt_export2(ra.crt, GNUTLS_X509_FMT_DER, &ra.der)) < 0) {
		report_add(rep, REPORT_MESSAGE, "the SCEP RA certificate does not read:"
		    " gnutls_x509_crt_import: %s", gnutls_strerror(ret));
		goto out;
	}
	if (gnutls_x509_crt_get_pk_algorithm(ra.crt, &bits) != GNUTLS_PK_RSA) {
		report_add(rep, REPORT_MESSAGE, "the SCEP RA certificate %s is not RSA"
		    " (RFC 8894 3.5.2): make a new one with 'sipca scep ra --renew'",
		    cur->serial);
		r = RESULT_E_INPUT;
		goto out;
	}
	if ((ret = gnutls_privkey_init(&ra.key)) < 0 ||
	    (ret = gnutls_privkey_import_x509_raw(ra.key, &(gnutls_datum_t){ key,
	    (unsigned)key_len }, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		report_add(rep, REPORT_MESSAGE, "the SCEP RA key does not read:"
		    " gnutls_privkey_import_x509_raw: %s", gnutls_strerror(ret));
		goto out;
	}
	snprintf(ra.serial, sizeof(ra.serial), "%s", cur->serial);
	ra.not_after = cur->not_after;
	*out = ra;
	memset(&ra, 0, sizeof(ra));
	r = RESULT_OK;
out:
	if (key != NULL)
		secret_free_buf(key, key_len);
	scep_ra_clear(&ra);
	store_cert_free(cur);
	return r;
}

enum result
scep_ra_make(struct store *s, const struct ca *ca, const struct scep_ra_params *p,
    int renew, char *out_serial, struct report *rep)
{
	struct issuance_spec spec;
	struct issuance_record how = { NULL, 0, "sipca scep ra" };
	struct issuance is;
	struct store_cert *cur = NULL;
	enum result r = RESULT_E_INPUT;
	int ret, store_error = 0;

	memset(&spec, 0, sizeof(spec));
	memset(&is, 0, sizeof(is));
	ret = store_find_current(s, SCEP_RA_NAME, &cur);
	if (ret < 0 && ret != STORE_E_NOTFOUND) {
		store_take_messages(s, rep);
		r = RESULT_E_FAILED;
		goto out;
	}
	/* An expired one is superseded by the store; a valid one only by --renew. */
	if (ret == STORE_OK && cur->status == STATUS_VALID && !renew) {
		report_add(rep, REPORT_MESSAGE, "the SCEP RA certificate exists already"
		    " (serial %s): renew it with 'sipca scep ra --renew'", cur->serial);
		goto out;
	}
	how.replace = ret == STORE_OK && cur->status == STATUS_VALID;
	spec.kind = KIND_DEVICE;
	spec.name = SCEP_RA_NAME;
	spec.domain = p->domain;
	spec.crl_url = p->crl_url;
	spec.organization = p->organization;
	spec.key_type = SCEP_RA_KEY;
	spec.days = p->days > 0 ? p->days : SCEP_RA_DAYS;
	spec.not_before = sipca_now();
	issuance_default_sans(&spec, 0);
	r = issuance_issue(s, &spec, ca, &how, &is, &store_error, rep);
	if (r == RESULT_OK)
		snprintf(out_serial, 2 * SERIAL_LEN + 1, "%s", is.serial);
out:
	issuance_clear(&is);
	san_list_clear(&spec.sans);
	store_cert_free(cur);
	return r;
}

int
scep_ra_due(const struct scep_ra *ra, time_t now)
{
	time_t nb = gnutls_x509_crt_get_activation_time(ra->crt);

	return nb != (time_t)-1 && now >= ra->not_after - (ra->not_after - nb) / 3;
}
