/*
 * crl: the CA's v2 CRL, built and signed with GnuTLS.
 *
 * GnuTLS's CRL API writes everything RFC 5280 asks of the CRL itself but
 * has no way to give an entry an extension, so the reasonCode (5.3.1)
 * cannot be set through it. When an entry has a reason, the signed CRL
 * GnuTLS made is decoded with the CertificateList of src/pki/pkix.asn,
 * each revokedCertificates entry gets its crlEntryExtensions, and the
 * TBSCertList is encoded and signed again with the same algorithm;
 * everything else (issuer, times, AKI, CRL number, the
 * AlgorithmIdentifier) stays byte for byte what GnuTLS encoded. The
 * result is checked against the CA certificate before it is handed out.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "asn1.h"
#include "ca.h"
#include "crl.h"
#include "util.h"
#include "x509.h"

static const struct {
	enum crl_reason code;
	const char *name;
} reasons[] = {
	{ CRL_REASON_UNSPECIFIED, "unspecified" },
	{ CRL_REASON_KEY_COMPROMISE, "keyCompromise" },
	{ CRL_REASON_AFFILIATION_CHANGED, "affiliationChanged" },
	{ CRL_REASON_SUPERSEDED, "superseded" },
	{ CRL_REASON_CESSATION_OF_OPERATION, "cessationOfOperation" },
};

int
crl_reason_parse(const char *name, enum crl_reason *out)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (strcmp(name, reasons[i].name) == 0) {
			*out = reasons[i].code;
			return 0;
		}
	}
	return -1;
}

const char *
crl_reason_name(enum crl_reason r)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == r)
			return reasons[i].name;
	return "unspecified";
}

/* The INTEGER value without leading zero octets, for comparing serials. */
static void
strip_zeros(const unsigned char **p, size_t *len)
{
	while (*len > 1 && **p == 0) {
		(*p)++;
		(*len)--;
	}
}

/* A serial as the octets of a positive INTEGER; returns the length or -1. */
static long
serial_octets(const char *hex, unsigned char out[SERIAL_LEN + 1])
{
	long n = hex_decode(hex, out + 1, SERIAL_LEN);

	if (n <= 0)
		return -1;
	/* A leading 1 bit would make the INTEGER negative (X.690 8.3.3). */
	if (out[1] & 0x80) {
		out[0] = 0;
		return n + 1;
	}
	memmove(out, out + 1, (size_t)n);
	return n;
}

/* True when the INTEGER octets got are the serial the store keeps as hex. */
static int
same_serial(const unsigned char *got, size_t got_len, const char *hex)
{
	unsigned char want[SERIAL_LEN + 1];
	const unsigned char *w = want;
	long n = serial_octets(hex, want);
	size_t want_len;

	if (n < 0)
		return 0;
	want_len = (size_t)n;
	strip_zeros(&got, &got_len);
	strip_zeros(&w, &want_len);
	return got_len == want_len && memcmp(got, w, want_len) == 0;
}

/*
 * Moves revokedCertificates entry number i (from 1) to the end of the
 * list, with the reasonCode extension (RFC 5280 5.3.1: Extension {
 * id-ce-cRLReasons, non-critical, OCTET STRING { CRLReason } }) when e
 * has a reason. A decoded element has no node for an absent OPTIONAL
 * field, so the entry is written afresh: the userCertificate octets and
 * the revocationDate exactly as GnuTLS encoded them. Moving every entry
 * once, in order, keeps the order.
 */
static int
move_entry(asn1_node crl, size_t i, const struct crl_entry *e,
    const unsigned char *reason, size_t reason_len, char *err)
{
	static const char list[] = "tbsCertList.revokedCertificates";
	char name[160], time_choice[32], when[40];
	unsigned char serial[SERIAL_LEN + 1];
	int serial_len = (int)sizeof(serial), choice_len = (int)sizeof(time_choice);
	int when_len = (int)sizeof(when) - 1;

	snprintf(name, sizeof(name), "%s.?%zu.userCertificate", list, i);
	if (pkix_read(crl, name, serial, &serial_len) != 0 ||
	    !same_serial(serial, (size_t)serial_len, e->serial_hex))
		return -1;	/* the entries come back in the order they were added */
	snprintf(name, sizeof(name), "%s.?%zu.revocationDate", list, i);
	if (pkix_read(crl, name, time_choice, &choice_len) != 0 ||
	    choice_len >= (int)sizeof(time_choice))
		return -1;
	time_choice[choice_len] = '\0';
	snprintf(name, sizeof(name), "%s.?%zu.revocationDate.%s", list, i,
	    time_choice);
	if (pkix_read(crl, name, when, &when_len) != 0)
		return -1;
	when[when_len] = '\0';
	snprintf(name, sizeof(name), "%s.?%zu", list, i);
	if (asn1_delete_element(crl, name) != ASN1_SUCCESS)
		return -1;

	if (pkix_write(crl, list, "NEW", 1, err) != 0 ||
	    pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.userCertificate",
	    serial, serial_len, err) != 0 ||
	    pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.revocationDate",
	    time_choice, 1, err) != 0)
		return -1;
	snprintf(name, sizeof(name), "%s.?LAST.revocationDate.%s", list, time_choice);
	if (pkix_write(crl, name, when, when_len, err) != 0)
		return -1;
	/* RFC 5280 5.3.1: absent rather than unspecified (0). */
	if (reason == NULL)
		return pkix_write(crl,
		    "tbsCertList.revokedCertificates.?LAST.crlEntryExtensions",
		    NULL, 0, err);
	if (pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.crlEntryExtensions",
	    "NEW", 1, err) != 0 ||
	    pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.crlEntryExtensions.?LAST.extnID",
	    "2.5.29.21", 1, err) != 0 ||
	    pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.crlEntryExtensions.?LAST.critical",
	    "FALSE", 1, err) != 0 ||
	    pkix_write(crl, "tbsCertList.revokedCertificates.?LAST.crlEntryExtensions.?LAST.extnValue",
	    reason, (int)reason_len, err) != 0)
		return -1;
	return 0;
}

/* The DER of CRLReason r, the reasonCode extension's value (5.3.1). */
static int
reason_value(enum crl_reason r, unsigned char **out, size_t *out_len, char *err)
{
	asn1_node v = NULL;
	int rc = -1;

	/* The names in reasons[] are the ASN.1 identifiers. */
	if (pkix_new("CRLReason", &v, err) != 0 ||
	    pkix_write(v, "", crl_reason_name(r), 0, err) != 0 ||
	    pkix_encode(v, "", out, out_len, err) != 0)
		goto out;
	rc = 0;
out:
	if (v != NULL)
		asn1_delete_structure(&v);
	return rc;
}

/* Rebuilds and re-signs the CRL GnuTLS signed, adding the reason codes. */
static int
add_reasons(const gnutls_datum_t *der, const struct crl_params *prm,
    const struct ca *ca, gnutls_sign_algorithm_t algo, gnutls_datum_t *out)
{
	asn1_node crl = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char *reason = NULL, *tbs = NULL, *whole = NULL;
	size_t reason_len = 0, tbs_len, whole_len, i;
	gnutls_datum_t tbs_datum, sig = { NULL, 0 };
	int ret = GNUTLS_E_PARSING_ERROR;

	if (pkix_decode("CertificateList", der->data, der->size, 0, &crl, NULL,
	    err) != 0 ||
	    pkix_count(crl, "tbsCertList.revokedCertificates") != (int)prm->n)
		goto out;
	for (i = 0; i < prm->n; i++) {
		free(reason);
		reason = NULL;
		if (prm->entries[i].reason != CRL_REASON_UNSPECIFIED &&
		    reason_value(prm->entries[i].reason, &reason, &reason_len, err) != 0)
			goto out;
		if (move_entry(crl, i + 1, &prm->entries[i], reason, reason_len, err) != 0)
			goto out;
	}
	if (pkix_encode(crl, "tbsCertList", &tbs, &tbs_len, err) != 0)
		goto out;
	/* Signed again with the algorithm the AlgorithmIdentifier names. */
	tbs_datum.data = tbs;
	tbs_datum.size = (unsigned)tbs_len;
	if ((ret = gnutls_privkey_sign_data2(ca->key, algo, 0, &tbs_datum, &sig)) < 0)
		goto out;
	ret = GNUTLS_E_PARSING_ERROR;
	if (pkix_write(crl, "signatureValue", sig.data, (int)sig.size * 8, err) != 0 ||
	    pkix_encode(crl, "", &whole, &whole_len, err) != 0)
		goto out;
	if ((out->data = gnutls_malloc(whole_len)) == NULL) {
		ret = GNUTLS_E_MEMORY_ERROR;
		goto out;
	}
	memcpy(out->data, whole, whole_len);
	out->size = (unsigned)whole_len;
	ret = 0;
out:
	if (crl != NULL)
		asn1_delete_structure(&crl);
	free(reason);
	free(tbs);
	free(whole);
	gnutls_free(sig.data);
	return ret;
}

/* The CRL number as the octets of a positive INTEGER, leading zero first. */
static size_t
number_octets(unsigned long long v, unsigned char out[9])
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < 8; i++)
		out[1 + i] = (unsigned char)(v >> (8 * (7 - i)));
	return 9;	/* libtasn1 drops the redundant leading octets */
}

/*
 * Verifies der's signature as a relying party would: parsed afresh,
 * against the CA certificate parsed afresh from its PEM (a certificate
 * GnuTLS has only built in memory does not match an issuer name read back
 * from DER). The signature only: thisUpdate and nextUpdate are the
 * caller's, and a CRL for a moment other than now is still signed right.
 */
static int
check_signature(const gnutls_datum_t *der, const struct ca *ca)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_x509_crt_t issuer = NULL;
	unsigned verify = 0, times;
	int ret;

	if ((ret = gnutls_x509_crl_init(&crl)) < 0 ||
	    (ret = gnutls_x509_crt_init(&issuer)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_import(issuer, &ca->pem, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = gnutls_x509_crl_import(crl, der, GNUTLS_X509_FMT_DER)) < 0 ||
	    (ret = gnutls_x509_crl_verify(crl, &issuer, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &verify)) < 0)
		goto out;
	/*
	 * GnuTLS judges the CRL's times whatever the flags: a nextUpdate
	 * before now comes back as "superseded", a thisUpdate after it as
	 * "issued in the future", each with INVALID. Those say nothing of
	 * the signature; anything else does.
	 */
	times = verify & (GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
	    GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE);
	if ((verify & ~(times | GNUTLS_CERT_INVALID)) != 0 ||
	    (verify != 0 && times == 0))
		ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
out:
	if (issuer != NULL)
		gnutls_x509_crt_deinit(issuer);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	return ret < 0 ? ret : 0;
}

int
crl_build(const struct crl_params *p, const struct ca *ca,
    gnutls_datum_t *out_der)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t der = { NULL, 0 }, with_reasons = { NULL, 0 };
	unsigned char serial[SERIAL_LEN + 1], number[9];
	size_t i, number_len;
	long n;
	int ret, any_reason = 0;

	/* A CA loaded to read (ca_load_cert() alone) cannot sign. */
	if (ca->key == NULL)
		return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
	if ((ret = gnutls_x509_crl_init(&crl)) < 0)
		goto out;
	/* v2: the only version that carries extensions (RFC 5280 5.1.2.1). */
	if ((ret = gnutls_x509_crl_set_version(crl, 2)) < 0 ||
	    (ret = gnutls_x509_crl_set_this_update(crl, p->this_update)) < 0 ||
	    (ret = gnutls_x509_crl_set_next_update(crl, p->next_update)) < 0)
		goto out;
	for (i = 0; i < p->n; i++) {
		if ((n = serial_octets(p->entries[i].serial_hex, serial)) < 0) {
			ret = GNUTLS_E_PARSING_ERROR;
			goto out;
		}
		if ((ret = gnutls_x509_crl_set_crt_serial(crl, serial, (size_t)n,
		    p->entries[i].revoked_at)) < 0)
			goto out;
		any_reason |= p->entries[i].reason != CRL_REASON_UNSPECIFIED;
	}
	/* RFC 5280 5.2.1 (MUST) and 5.2.3 (MUST): AKI and the CRL number. */
	if ((ret = gnutls_x509_crl_set_authority_key_id(crl, ca->key_id,
	    ca->key_id_len)) < 0)
		goto out;
	number_len = number_octets(p->number, number);
	if ((ret = gnutls_x509_crl_set_number(crl, number, number_len)) < 0)
		goto out;
	if ((ret = gnutls_x509_crl_privkey_sign(crl, ca->crt, ca->key,
	    GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	if ((ret = gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER, &der)) < 0)
		goto out;
	if (any_reason) {
		ret = add_reasons(&der, p, ca,
		    (gnutls_sign_algorithm_t)gnutls_x509_crl_get_signature_algorithm(crl),
		    &with_reasons);
		if (ret < 0)
			goto out;
		gnutls_free(der.data);
		der = with_reasons;
		with_reasons.data = NULL;
	}
	if ((ret = check_signature(&der, ca)) < 0)
		goto out;
	*out_der = der;
	der.data = NULL;
	ret = 0;
out:
	gnutls_free(der.data);
	gnutls_free(with_reasons.data);
	if (crl != NULL)
		gnutls_x509_crl_deinit(crl);
	return ret;
}

int
crl_to_pem(const gnutls_datum_t *der, gnutls_datum_t *out_pem)
{
	return gnutls_pem_base64_encode2("X509 CRL", der, out_pem);
}
