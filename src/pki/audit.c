/*
 * audit: the X.509 half of sipca check.
 */
#include <stdint.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "audit.h"
#include "ca.h"
#include "cert.h"
#include "key.h"

/* Verification ignores time: an expired certificate is still the CA's. */
#define VERIFY_FLAGS (GNUTLS_VERIFY_DISABLE_TIME_CHECKS | \
	GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

static int
issued_by_other(const struct audit_issuers *also, gnutls_x509_crt_t crt)
{
	size_t i;

	for (i = 0; also != NULL && i < also->n; i++)
		if (ca_issued(also->cas[i], crt))
			return 1;
	return 0;
}

int
audit_cert(const char *pem, const char *serial, time_t not_after,
    const struct ca *ca, const struct audit_issuers *also,
    gnutls_x509_crt_t *out_crt, struct report *problems)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
	gnutls_datum_t why = { NULL, 0 };
	char found[2 * 32 + 1] = "";
	unsigned vstatus = 0;
	int ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		report_add(problems, REPORT_MESSAGE, "serial %s: the index's"
		    " certificate does not parse: gnutls_x509_crt_import: %s", serial,
		    gnutls_strerror(ret));
		if (crt != NULL)
			gnutls_x509_crt_deinit(crt);
		return -1;
	}
	if (cert_serial_hex(crt, found, sizeof(found)) < 0 ||
	    strcmp(found, serial) != 0)
		report_add(problems, REPORT_MESSAGE, "serial %s: the certificate's"
		    " serial is %s", serial, found);
	if (gnutls_x509_crt_get_expiration_time(crt) != not_after)
		report_add(problems, REPORT_MESSAGE, "serial %s: notAfter differs"
		    " from the index", serial);
	/* RFC 5280 6.1.3 (a)(1): the signature verifies with the CA's key. */
	ret = gnutls_x509_crt_verify(crt, &ca->crt, 1, VERIFY_FLAGS, &vstatus);
	/* Issued by the root before the store grew its issuing CA, or by an
	 * old generation. */
	if ((ret < 0 || vstatus != 0) && issued_by_other(also, crt))
		ret = vstatus = 0;
	if (ret < 0 || vstatus != 0) {
		if (ret >= 0)
			gnutls_certificate_verification_status_print(vstatus,
			    GNUTLS_CRT_X509, &why, 0);
		report_add(problems, REPORT_MESSAGE, "serial %s: does not verify"
		    " against ca.pem: %s%s", serial, ret < 0 ?
		    "gnutls_x509_crt_verify: " : "", ret < 0 ? gnutls_strerror(ret) :
		    (const char *)why.data);
		gnutls_free(why.data);
	}
	*out_crt = crt;
	return 0;
}

void
audit_key(const unsigned char *pem, size_t len, gnutls_x509_crt_t crt,
    const char *serial, struct report *problems)
{
	gnutls_pubkey_t pub = NULL;
	const char *call;
	int ret, match = 0;

	if ((ret = key_pubkey_of_pem(pem, len, &pub, &call)) < 0) {
		report_add(problems, REPORT_MESSAGE, "not a private key: %s: %s",
		    call, gnutls_strerror(ret));
		return;
	}
	if ((ret = key_matches_cert(pub, crt, &match, &call)) < 0)
		report_add(problems, REPORT_MESSAGE, "cannot compare it with its"
		    " certificate: %s: %s", call, gnutls_strerror(ret));
	else if (!match)
		report_add(problems, REPORT_MESSAGE, "not the key of certificate"
		    " serial %s", serial);
	gnutls_pubkey_deinit(pub);
}

static int
same_der(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	gnutls_datum_t da = { NULL, 0 }, db = { NULL, 0 };
	int same = 0;

	if (gnutls_x509_crt_export2(a, GNUTLS_X509_FMT_DER, &da) == 0 &&
	    gnutls_x509_crt_export2(b, GNUTLS_X509_FMT_DER, &db) == 0)
		same = da.size == db.size && memcmp(da.data, db.data, da.size) == 0;
	gnutls_free(da.data);
	gnutls_free(db.data);
	return same;
}

/*
 * The CA a chain file names after crt, when it is not ca.pem: one of the
 * other CAs, or one they issued that issued crt (the single-level CA that
 * root.pem re-issued, with its name and key).
 */
static int
other_issuer(const struct audit_issuers *also, gnutls_x509_crt_t chain_ca,
    gnutls_x509_crt_t crt)
{
	size_t i;

	for (i = 0; also != NULL && i < also->n; i++)
		if (same_der(chain_ca, also->cas[i]->crt) ||
		    (ca_issued(also->cas[i], chain_ca) &&
		    ca_issued(also->cas[i], crt)))
			return 1;
	return 0;
}

/* A rollover's bridge after chain_ca: a CA certificate for its issuer. */
static int
bridge_for(gnutls_x509_crt_t bridge, gnutls_x509_crt_t chain_ca)
{
	unsigned critical = 0;

	return gnutls_x509_crt_get_basic_constraints(bridge, &critical, NULL,
	    NULL) > 0 && gnutls_x509_crt_check_issuer(chain_ca, bridge);
}

void
audit_chain(const unsigned char *data, size_t len, gnutls_x509_crt_t crt,
    const struct ca *ca, const struct audit_issuers *also,
    struct report *problems)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i;

	if (cert_load_all(data, len, &list, &n) < 0 || n < 2 || n > 3)
		report_add(problems, REPORT_MESSAGE, "not the certificate and the CA"
		    " (%u certificates)", n);
	else if (!same_der(list[0], crt))
		report_add(problems, REPORT_MESSAGE, "does not start with cert.pem");
	else if (!same_der(list[1], ca->crt) && !other_issuer(also, list[1], crt))
		report_add(problems, REPORT_MESSAGE, "does not end with ca.pem");
	else if (n == 3 && !bridge_for(list[2], list[1]))
		report_add(problems, REPORT_MESSAGE, "the certificate after the CA"
		    " is not a bridge to its issuer");
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

void
audit_ca_cert(const struct ca *ca, struct report *problems)
{
	unsigned vstatus = 0, critical = 0;
	int ret;

	if (gnutls_x509_crt_get_basic_constraints(ca->crt, &critical, NULL,
	    NULL) <= 0)
		report_add(problems, REPORT_MESSAGE, "not a CA certificate"
		    " (basicConstraints cA is not true)");
	ret = gnutls_x509_crt_verify(ca->crt, &ca->crt, 1, VERIFY_FLAGS, &vstatus);
	if (ret < 0 || vstatus != 0)
		report_add(problems, REPORT_MESSAGE, "its self-signature does not"
		    " verify");
}

void
audit_root(const struct ca *ca, const struct ca *root, struct report *problems)
{
	if (!ca_issued(root, ca->crt))
		report_add(problems, REPORT_MESSAGE, "not issued by root.pem (issuer"
		    " name and signature checked)");
}
