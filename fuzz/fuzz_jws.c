/*
 * fuzz_jws: ACME request bodies as sipca serve reads them (jws_parse in
 * src/net/jws.c): the JSON, the base64url parts, the protected header,
 * the jwk and the signature, in each key form; a kid-form request is
 * verified by a fixed key too, and a jwk's thumbprint by a second import.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "jws.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gnutls_pubkey_t account;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gnutls_privkey_t k;

	(void)argc;
	(void)argv;
	if (gnutls_global_init() < 0 || gnutls_privkey_init(&k) < 0 ||
	    gnutls_privkey_generate2(k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0) < 0 ||
	    gnutls_pubkey_init(&account) < 0 ||
	    gnutls_pubkey_import_privkey(account, k, 0, 0) < 0)
		abort();
	gnutls_privkey_deinit(k);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum jws_key_form forms[] = { JWS_NEED_JWK, JWS_NEED_KID,
	    JWS_EITHER };
	struct jws j;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		why[0] = '\0';
		if (jws_parse((const char *)data, size, forms[i], &j, why,
		    sizeof(why)) != JWS_OK) {
			if (why[0] == '\0')
				abort();	/* every refusal says why */
			continue;
		}
		if (j.kid != NULL)
			(void)jws_verify(&j, account, why, sizeof(why));
		else if (strlen(j.thumbprint) != 43)
			abort();
		jws_clear(&j);
	}
	return 0;
}
