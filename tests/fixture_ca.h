/*
 * fixture_ca: a P-256 test CA made in memory, for the suites that sign
 * (batch, guard, signer, pkcs11).
 */
#ifndef SIPCA_TESTS_FIXTURE_CA_H
#define SIPCA_TESTS_FIXTURE_CA_H

#include <check.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
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

#endif
