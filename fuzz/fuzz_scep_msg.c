/*
 * fuzz_scep_msg: pkiMessages as the server reads them (scep_request_parse
 * in src/pki/scep_msg.c: GnuTLS's PKCS#7 import, the signer found and
 * checked, the attributes read, the envelope opened, the CSR and its
 * challengePassword decoded) and CertReps as the client reads them
 * (scep_reply_parse in src/pki/scep_client.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scep_msg.h"
#include "scep_ids.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_id ra, client;
static int ready;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ready = fuzz_ids(&ra, &client) == 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scep_request r;
	struct scep_reply rep;
	enum scep_fail fail;
	enum scep_parse p;
	gnutls_datum_t issuer, subject;
	char err[256];

	if (!ready)
		return 0;
	err[0] = '\0';
	p = scep_request_parse(data, size, ra.crt, ra.key, (int)(size & 1), &r,
	    &fail, err, sizeof(err));
	if (err[0] == '\0' && p != SCEP_PARSE_OK)
		abort();	/* a refusal always says why */
	/* a FAILURE can be answered: the echoed fields are there */
	if (p == SCEP_PARSE_FAIL && (r.signer == NULL ||
	    r.transaction_id[0] == '\0' || fail > SCEP_BAD_CERT_ID))
		abort();
	if (p == SCEP_PARSE_OK && r.type == SCEP_CERT_POLL &&
	    scep_issuer_and_subject(&r.content, &issuer, &subject) != 0)
		abort();	/* parse checked it */
	if (p == SCEP_PARSE_OK && (r.type == SCEP_PKCS_REQ ||
	    r.type == SCEP_RENEWAL_REQ) && r.csr == NULL)
		abort();
	scep_request_clear(&r);
	err[0] = '\0';
	if (scep_reply_parse(data, size, ra.crt, client.crt, client.key, &rep, err,
	    sizeof(err)) == 0) {
		if (rep.status == SCEP_SUCCESS && rep.n_certs == 0)
			abort();
		scep_reply_clear(&rep);
	} else if (err[0] == '\0') {
		abort();
	}
	return 0;
}
