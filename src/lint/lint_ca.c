/*
 * lint_ca: the CA certificates the chain rules judge against (--ca, the
 * probed chain, or the issuing CA in the issuance guard), loaded once,
 * and which of them signed a certificate: found once when it is decoded,
 * since a signature check per rule would be too dear. The signature is
 * checked over the raw tbsCertificate, so this works on certificates
 * GnuTLS refuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "util.h"

int
lint_ca_constrains(gnutls_x509_crt_t crt)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned critical = 0;
	int found = gnutls_x509_crt_get_extension_by_oid2(crt,
	    GNUTLS_X509EXT_OID_NAME_CONSTRAINTS, 0, &der, &critical) >= 0;

	gnutls_free(der.data);
	return found;
}

int
lint_ca_load(const unsigned char *data, size_t len, const char *label,
    struct lint_ca **cas, size_t *n_ca, char **out_reason)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i, critical = 0, ca = 0;
	const char *call = "gnutls_x509_crt_init";
	gnutls_datum_t d;
	struct lint_ca *a;
	int ret, rc = -1;

	d.data = (unsigned char *)(uintptr_t)data;
	d.size = (unsigned)len;
	ret = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || n == 0) {
		/* not PEM: one DER certificate */
		gnutls_free(list);
		n = 0;
		if ((list = gnutls_malloc(sizeof(*list))) == NULL) {
			ret = GNUTLS_E_MEMORY_ERROR;
			goto fail;
		}
		if ((ret = gnutls_x509_crt_init(&list[0])) < 0)
			goto fail;
		call = "gnutls_x509_crt_import";
		if ((ret = gnutls_x509_crt_import(list[0], &d, GNUTLS_X509_FMT_DER)) < 0) {
			gnutls_x509_crt_deinit(list[0]);
			goto fail;
		}
		n = 1;
	}
	for (i = 0; i < n; i++) {
		*cas = xrealloc(*cas, (*n_ca + 1) * sizeof(**cas));
		a = &(*cas)[*n_ca];
		memset(a, 0, sizeof(*a));
		a->crt = list[i];
		a->label = xasprintf("%s#%u", label, i + 1);
		if (gnutls_x509_crt_get_raw_dn(a->crt, &a->subject) < 0)
			a->subject.data = NULL;
		if (gnutls_pubkey_init(&a->pubkey) < 0 ||
		    gnutls_pubkey_import_x509(a->pubkey, a->crt, 0) < 0) {
			gnutls_pubkey_deinit(a->pubkey);
			a->pubkey = NULL;
		}
		ca = 0;
		a->is_ca = gnutls_x509_crt_get_basic_constraints(a->crt, &critical,
		    &ca, NULL) >= 0 && ca;
		a->constrains = lint_ca_constrains(a->crt);
		(*n_ca)++;
	}
	gnutls_free(list);
	list = NULL;
	rc = 0;
	goto out;
fail:
	if (out_reason != NULL)
		*out_reason = xasprintf("%s: %s", call, gnutls_strerror(ret));
out:
	gnutls_free(list);
	return rc;
}

void
lint_ca_free(struct lint_ca *cas, size_t n_ca)
{
	size_t i;

	for (i = 0; i < n_ca; i++) {
		gnutls_x509_crt_deinit(cas[i].crt);
		if (cas[i].pubkey != NULL)
			gnutls_pubkey_deinit(cas[i].pubkey);
		gnutls_free(cas[i].subject.data);
		free(cas[i].label);
	}
	free(cas);
}

static int
name_matches(const struct lint_cert *c, const struct lint_ca *ca)
{
	if (ca->subject.data != NULL && ca->subject.size == c->issuer_len &&
	    memcmp(ca->subject.data, c->issuer, c->issuer_len) == 0)
		return 1;
	/* RFC 5280 7.1 name comparison beyond identical octets */
	return c->crt != NULL && gnutls_x509_crt_check_issuer(c->crt, ca->crt) == 1;
}

static int
signed_by(const struct lint_cert *c, const struct lint_ca *ca)
{
	gnutls_datum_t tbs, sig;
	gnutls_sign_algorithm_t algo;
	unsigned status = 0;
	const unsigned flags = GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
	    GNUTLS_VERIFY_ALLOW_BROKEN;

	if (!name_matches(c, ca) || c->tbs == NULL || c->sig == NULL)
		return 0;
	if (ca->signed_by_us)
		return 1;
	algo = gnutls_oid_to_sign(c->sig_oid);
	if (algo != GNUTLS_SIGN_UNKNOWN && ca->pubkey != NULL) {
		tbs.data = (unsigned char *)(uintptr_t)c->tbs;
		tbs.size = (unsigned)c->tbs_len;
		sig.data = (unsigned char *)(uintptr_t)c->sig;
		sig.size = (unsigned)c->sig_len;
		return gnutls_pubkey_verify_data2(ca->pubkey, algo, flags, &tbs,
		    &sig) >= 0;
	}
	/* RSA-PSS and the like carry parameters: let GnuTLS read them. */
	if (c->crt == NULL)
		return 0;
	if (gnutls_x509_crt_verify(c->crt, &ca->crt, 1, flags |
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_CA_SIGN, &status) < 0)
		return 0;
	return (status & (GNUTLS_CERT_SIGNATURE_FAILURE | GNUTLS_CERT_SIGNER_NOT_FOUND)) == 0;
}

const struct lint_ca *
lint_chain_signer(const struct lint_cert *c)
{
	size_t i;

	for (i = 0; i < c->opts->n_ca; i++)
		if (signed_by(c, &c->opts->cas[i]))
			return &c->opts->cas[i];
	return NULL;
}

