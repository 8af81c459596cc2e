/*
 * fixture_ca: a P-256 test CA made in memory, for the suites that sign
 * (batch, guard, signer, pkcs11), and leaves it signs.
 */
#ifndef SIPCA_TESTS_FIXTURE_CA_H
#define SIPCA_TESTS_FIXTURE_CA_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "leaf.h"
#include "util.h"

/*
 * A CA valid for a year from now, its key encrypted with passphrase
 * (NULL: plain) into *out_key_pem (gnutls_free; NULL: wiped and
 * dropped), or signing with token_key (borrowed) when not NULL.
 */
static inline struct ca *
fixture_ca(const char *passphrase, gnutls_privkey_t token_key,
    gnutls_datum_t *out_key_pem)
{
	struct ca_params p;
	struct ca *ca = NULL;
	gnutls_datum_t key = { NULL, 0 };

	memset(&p, 0, sizeof(p));
	p.common_name = "Test SIP CA";
	p.key_type = KEY_P256;
	p.days = 365;
	p.not_before = sipca_now();
	p.key = token_key;
	ck_assert_int_eq(ca_create(&p, passphrase, &ca, &key), 0);
	if (out_key_pem != NULL)
		*out_key_pem = key;
	else if (key.data != NULL) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	return ca;
}

/*
 * req signed by ca through leaf.h, as *out_der (gnutls_free) and, when
 * out_crt is not NULL, as GnuTLS reads it back.
 */
static inline void
fixture_leaf(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_x509_crt_t *out_crt,
    gnutls_datum_t *out_der)
{
	struct leaf_template *t = NULL;
	const char *reason = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	char *subject = NULL;

	ck_assert_int_eq(leaf_template_new(ca, req->crl_url, &t, &reason), 0);
	ck_assert_int_eq(leaf_sign(t, req, ca->key, serial, &der, &len, &subject), 0);
	out_der->data = gnutls_malloc(len);
	ck_assert_ptr_nonnull(out_der->data);
	memcpy(out_der->data, der, len);
	out_der->size = (unsigned)len;
	if (out_crt != NULL) {
		ck_assert_int_eq(gnutls_x509_crt_init(out_crt), 0);
		ck_assert_int_eq(gnutls_x509_crt_import(*out_crt, out_der,
		    GNUTLS_X509_FMT_DER), 0);
	}
	free(der);
	free(subject);
	leaf_template_free(t);
}

#endif
