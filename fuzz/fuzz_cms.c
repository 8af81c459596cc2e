/*
 * fuzz_cms: EnvelopedData as a SCEP server opens it (cms_envelope_open in
 * src/pki/cms.c: BER decoded with src/pki/cms.asn, the recipient found,
 * the key unwrapped, the content decrypted and unpadded), single DES
 * allowed to reach every cipher; and the same input as CertPoll's
 * IssuerAndSubject.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cms.h"
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
	gnutls_datum_t out = { NULL, 0 }, in, issuer, subject;
	enum cms_cipher cipher;
	char err[256];

	if (!ready)
		return 0;
	err[0] = '\0';
	if (cms_envelope_open(data, size, ra.crt, ra.key, 1, &out, &cipher, err,
	    sizeof(err)) == 0) {
		if (cipher < CMS_DES_CBC || cipher > CMS_AES256_CBC)
			abort();
		gnutls_free(out.data);
	} else if (err[0] == '\0' || out.data != NULL) {
		abort();	/* a refusal always says why, and hands out nothing */
	}
	in.data = (unsigned char *)data;
	in.size = (unsigned)size;
	if (scep_issuer_and_subject(&in, &issuer, &subject) == 0 &&
	    (issuer.data < data || issuer.data + issuer.size > data + size ||
	    subject.data < data || subject.data + subject.size > data + size))
		abort();	/* the slices lie inside the input */
	return 0;
}
