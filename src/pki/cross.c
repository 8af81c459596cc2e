/*
 * cross: cross-certificates for a CA key rollover (RFC 4210 4.4).
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cross.h"
#include "x509.h"

time_t
cross_not_after(gnutls_x509_crt_t subject, gnutls_x509_crt_t issuer)
{
	time_t not_after = gnutls_x509_crt_get_expiration_time(subject);
	time_t issuer_end = gnutls_x509_crt_get_expiration_time(issuer);

	return issuer_end < not_after ? issuer_end : not_after;
}

int
cross_certify(gnutls_x509_crt_t subject, const struct ca *issuer,
    time_t not_before, gnutls_datum_t *out_pem, const char **out_reason)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	unsigned char serial[SERIAL_LEN];
	time_t not_after = cross_not_after(subject, issuer->crt);
	const char *call;
	int ret;

	if (issuer->key == NULL) {
		*out_reason = "the issuing CA's key is not loaded";
		return -1;
	}
	if (not_after <= not_before) {
		*out_reason = "the issuing CA expires before the validity would begin";
		return -1;
	}
	/*
	 * Start from the subject as encoded, so that its name, key and
	 * extensions are carried octet for octet; the signature below
	 * replaces the issuer name and the signature itself.
	 */
	call = "gnutls_x509_crt_export2";
	if ((ret = gnutls_x509_crt_export2(subject, GNUTLS_X509_FMT_DER, &der)) < 0)
		goto out;
	call = "gnutls_x509_crt_import";
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER)) < 0)
		goto out;
	call = "serial_generate";
	if ((ret = serial_generate(serial)) < 0)
		goto out;
	call = "gnutls_x509_crt_set_serial";
	if ((ret = gnutls_x509_crt_set_serial(crt, serial, SERIAL_LEN)) < 0)
		goto out;
	call = "gnutls_x509_crt_set_activation_time";
	if ((ret = gnutls_x509_crt_set_activation_time(crt, not_before)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt, not_after)) < 0)
		goto out;
	/* RFC 5280 4.2.1.1: the key identifier of the key that signs. */
	call = "gnutls_x509_crt_set_authority_key_id";
	if ((ret = gnutls_x509_crt_set_authority_key_id(crt, issuer->key_id,
	    issuer->key_id_len)) < 0)
		goto out;
	call = "gnutls_x509_crt_privkey_sign";
	if ((ret = gnutls_x509_crt_privkey_sign(crt, issuer->crt, issuer->key,
	    GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	call = "gnutls_x509_crt_export2";
	ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, out_pem);
out:
	if (ret < 0)
		*out_reason = x509_call_reason(call, ret);
	gnutls_free(der.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return ret < 0 ? -1 : 0;
}

int
cross_path_allowed(gnutls_x509_crt_t anchor, unsigned depth)
{
	unsigned critical, ca = 0;
	int path_len = -1;

	if (gnutls_x509_crt_get_basic_constraints(anchor, &critical, &ca,
	    &path_len) < 0 || !ca)
		return 0;
	/* -1: no pathLenConstraint, no limit. */
	return path_len < 0 || (unsigned)path_len >= depth;
}
