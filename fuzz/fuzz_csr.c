/*
 * fuzz_csr: certificate requests as "issue --csr" and the batch's csr
 * column read them (csr_load in src/pki/cert.c: PEM or DER, the
 * self-signature verified), then what issuance takes from an accepted
 * one: its SANs (--copy-san), checked as issue checks them, and its
 * public key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "issuance.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return gnutls_global_init() < 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_pubkey_t pub = NULL;
	struct san_list sans = { NULL, 0 };
	struct issuance_spec spec;
	const char *reason = NULL;
	char *text, *msg;
	int copied;

	if (csr_load(data, size, &crq, &reason) < 0) {
		if (reason == NULL)
			abort();	/* a refusal always says why */
		return 0;
	}
	if (csr_sans(crq, &sans) == 0) {
		text = san_list_format(&sans);
		free(text);
	}
	san_list_clear(&sans);
	msg = NULL;
	text = NULL;
	copied = csr_copy_sans(crq, 1, &sans, &text, &msg) == 0;
	if (!copied && msg == NULL)
		abort();	/* a refusal always says why */
	free(text);
	free(msg);
	if (copied) {
		/* issue --copy-san: the request's names must pass issue's checks. */
		memset(&spec, 0, sizeof(spec));
		spec.kind = KIND_SERVER;
		spec.name = "sip.example.com";
		spec.domain = "example.com";
		spec.sans = sans;
		sans.items = NULL;
		sans.n = 0;
		issuance_default_sans(&spec, 0);
		msg = NULL;
		if (issuance_validate(&spec, &msg) < 0 && msg == NULL)
			abort();
		free(msg);
		san_list_clear(&spec.sans);
	}
	san_list_clear(&sans);
	if (gnutls_pubkey_init(&pub) == 0) {
		(void)gnutls_pubkey_import_x509_crq(pub, crq, 0);
		gnutls_pubkey_deinit(pub);
	}
	gnutls_x509_crq_deinit(crq);
	return 0;
}
