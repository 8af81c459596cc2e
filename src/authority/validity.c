/*
 * validity: a leaf's notAfter, never after its issuer's.
 */
#include <stdlib.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "signer.h"
#include "util.h"
#include "validity.h"

enum validity_verdict
validity_leaf(const struct validity_ask *a, time_t *out_not_after)
{
	time_t want = a->not_before + (time_t)a->days * 86400;

	if (a->ca_not_after <= 0 || want <= a->ca_not_after) {
		*out_not_after = want;
		return VALIDITY_OK;
	}
	if (a->ca_not_after <= a->not_before)
		return VALIDITY_CA_EXPIRED;
	if (a->days_from != NULL)
		return VALIDITY_PAST_CA;
	*out_not_after = a->ca_not_after;
	return VALIDITY_CAPPED;
}

char *
validity_message(const struct validity_ask *a, enum validity_verdict v)
{
	char end[21];
	long most;

	format_time_rfc3339(a->ca_not_after, end);
	switch (v) {
	case VALIDITY_CAPPED:
		return xasprintf("validity capped to the CA certificate's notAfter,"
		    " %s: %ld days would outlive it (--days sets a validity"
		    " within it)", end, a->days);
	case VALIDITY_PAST_CA:
		most = (long)((a->ca_not_after - a->not_before) / 86400);
		if (most < 1)
			return xasprintf("%s %ld ends after the CA certificate's"
			    " notAfter, %s: a certificate cannot outlive its"
			    " issuer, and the CA expires within a day",
			    a->days_from, a->days, end);
		return xasprintf("%s %ld ends after the CA certificate's notAfter,"
		    " %s: a certificate cannot outlive its issuer (%s %ld at"
		    " most)", a->days_from, a->days, end, a->days_from, most);
	case VALIDITY_CA_EXPIRED:
		return xasprintf("the CA certificate expired at %s (its notAfter):"
		    " nothing it signs would verify; replace the CA", end);
	default:
		return NULL;
	}
}

time_t
validity_ca_end(const struct ca *ca)
{
	return gnutls_x509_crt_get_expiration_time(ca->crt);
}

enum result
validity_issuer_end(struct store *s, time_t *out_not_after, struct report *rep)
{
	struct ca *ca = NULL;
	enum result r = signer_open(s, 0, NULL, &ca, rep);

	if (r == RESULT_OK)
		*out_not_after = validity_ca_end(ca);
	ca_free(ca);
	return r;
}

enum result
validity_check(const struct validity_ask *a, const char *prefix,
    struct report *rep)
{
	enum validity_verdict v;
	time_t not_after;
	char *msg;

	v = validity_leaf(a, &not_after);
	if (v != VALIDITY_PAST_CA && v != VALIDITY_CA_EXPIRED)
		return RESULT_OK;
	msg = validity_message(a, v);
	report_add(rep, REPORT_MESSAGE, "%s%s", prefix != NULL ? prefix : "", msg);
	free(msg);
	return RESULT_E_INPUT;
}
