/*
 * scep_client: the client's side of SCEP's messages (RFC 8894 section
 * 3): making a pkiMessage and reading the CertRep, for the tests and the
 * load generator, which play the phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <libtasn1.h>

#include "cms.h"
#include "scep_msg.h"
#include "scep_wire.h"

int
scep_request_make(const struct scep_request_spec *spec, gnutls_datum_t *out,
    char *err, size_t size)
{
	static const char digits[] = "0123456789ABCDEF";
	struct scep_attrs a;
	gnutls_datum_t env = { NULL, 0 };
	unsigned char id[32];
	size_t id_len = sizeof(id), i;
	int ret, rc = -1;

	scep_attrs_init(&a);
	a.type = (int)spec->type;
	if (spec->transaction_id != NULL) {
		if (strlen(spec->transaction_id) > SCEP_MAX_TRANSACTION_ID) {
			snprintf(err, size, "the transactionID is longer than %d",
			    SCEP_MAX_TRANSACTION_ID);
			goto out;
		}
		snprintf(a.transaction_id, sizeof(a.transaction_id), "%s",
		    spec->transaction_id);
	} else {
		/* RFC 8894 3.2.1.1: a hash of the public key, in hex */
		if ((ret = gnutls_x509_crt_get_key_id(spec->signer,
		    GNUTLS_KEYID_USE_SHA256, id, &id_len)) < 0) {
			snprintf(err, size, "gnutls_x509_crt_get_key_id: %s",
			    gnutls_strerror(ret));
			goto out;
		}
		for (i = 0; i < id_len && 2 * i + 2 < sizeof(a.transaction_id); i++) {
			a.transaction_id[2 * i] = digits[id[i] >> 4];
			a.transaction_id[2 * i + 1] = digits[id[i] & 0x0f];
		}
		a.transaction_id[2 * i] = '\0';
	}
	if (spec->nonce != NULL) {
		memcpy(a.sender_nonce, spec->nonce, SCEP_NONCE_LEN);
	} else if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, a.sender_nonce,
	    SCEP_NONCE_LEN)) < 0) {
		snprintf(err, size, "gnutls_rnd: %s", gnutls_strerror(ret));
		goto out;
	}
	a.has_sender_nonce = 1;
	if (spec->content == NULL) {
		snprintf(err, size, "no messageData");
		goto out;
	}
	/* RFC 8894 3.2.2: the messageData enveloped to the RA */
	if (cms_envelope_seal(spec->content, spec->recipient, spec->cipher, 0, &env,
	    err, size) != 0)
		goto out;
	if (scep_wire_sign(&env, &a, spec->signer, spec->signer_key, spec->digest,
	    out, err, size) != 0)
		goto out;
	rc = 0;
out:
	gnutls_free(env.data);
	return rc;
}

int
scep_issuer_and_subject_make(const gnutls_datum_t *issuer,
    const gnutls_datum_t *subject, gnutls_datum_t *out)
{
	char err[256];
	asn1_node node = NULL;
	int rc = -1;

	if (cms_asn1_new("IssuerAndSubject", &node, err, sizeof(err)) != 0)
		goto out;
	if (asn1_write_value(node, "issuer", issuer->data, (int)issuer->size) !=
	    ASN1_SUCCESS ||
	    asn1_write_value(node, "subject", subject->data, (int)subject->size) !=
	    ASN1_SUCCESS)
		goto out;
	if (cms_asn1_encode(node, out, err, sizeof(err)) != 0)
		goto out;
	rc = 0;
out:
	if (node != NULL)
		asn1_delete_structure(&node);
	return rc;
}

void
scep_reply_clear(struct scep_reply *r)
{
	size_t i;

	for (i = 0; i < r->n_certs; i++)
		gnutls_free(r->certs[i].data);
	free(r->certs);
	memset(r, 0, sizeof(*r));
}

/* The certificates of a degenerate SignedData (RFC 8894 3.4) into r. */
static int
read_certs(const gnutls_datum_t *der, struct scep_reply *r, char *err,
    size_t size)
{
	gnutls_pkcs7_t p7 = NULL;
	int ret, n, i, rc = -1;

	if ((ret = gnutls_pkcs7_init(&p7)) < 0) {
		p7 = NULL;
		snprintf(err, size, "gnutls_pkcs7_init: %s", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = gnutls_pkcs7_import(p7, der, GNUTLS_X509_FMT_DER)) < 0) {
		snprintf(err, size, "the envelope's content: gnutls_pkcs7_import: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((n = gnutls_pkcs7_get_crt_count(p7)) <= 0) {
		snprintf(err, size, "RFC 8894 3.3.2: no certificate in the CertRep");
		goto out;
	}
	if ((r->certs = calloc((size_t)n, sizeof(*r->certs))) == NULL) {
		snprintf(err, size, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((ret = gnutls_pkcs7_get_crt_raw2(p7, (unsigned)i,
		    &r->certs[i])) < 0) {
			snprintf(err, size, "gnutls_pkcs7_get_crt_raw2: %s",
			    gnutls_strerror(ret));
			goto out;
		}
		r->n_certs++;
	}
	rc = 0;
out:
	if (p7 != NULL)
		gnutls_pkcs7_deinit(p7);
	return rc;
}

int
scep_reply_parse(const unsigned char *msg, size_t len, gnutls_x509_crt_t ra,
    gnutls_x509_crt_t client, gnutls_privkey_t client_key,
    struct scep_reply *out, char *err, size_t size)
{
	struct scep_signed s;
	struct scep_attrs a;
	gnutls_datum_t env = { NULL, 0 }, certs = { NULL, 0 };
	enum cms_cipher cipher;
	char why[256];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (scep_wire_import(msg, len, &s, err, size) != 0 ||
	    scep_wire_verify(&s, ra, err, size) != 0 ||
	    scep_wire_attrs(&s, &a, err, size) != 0)
		goto out;
	if (a.type != SCEP_CERT_REP) {
		snprintf(err, size, "RFC 8894 3.3.2: messageType %d is not CertRep",
		    a.type);
		goto out;
	}
	if (a.status != SCEP_SUCCESS && a.status != SCEP_FAILURE &&
	    a.status != SCEP_PENDING) {
		snprintf(err, size, "RFC 8894 3.2.1.3: no pkiStatus, or an unknown one");
		goto out;
	}
	if (a.transaction_id[0] == '\0' || !a.has_sender_nonce ||
	    !a.has_recipient_nonce) {
		snprintf(err, size, "RFC 8894 3.3.2: the CertRep lacks its "
		    "transactionID or a nonce");
		goto out;
	}
	if (a.status == SCEP_FAILURE && (a.fail < SCEP_BAD_ALG ||
	    a.fail > SCEP_BAD_CERT_ID)) {
		snprintf(err, size, "RFC 8894 3.2.1.4: FAILURE without a known "
		    "failInfo");
		goto out;
	}
	out->status = (enum scep_status)a.status;
	out->fail = a.status == SCEP_FAILURE ? (enum scep_fail)a.fail : SCEP_BAD_ALG;
	memcpy(out->transaction_id, a.transaction_id, sizeof(out->transaction_id));
	memcpy(out->sender_nonce, a.sender_nonce, SCEP_NONCE_LEN);
	memcpy(out->recipient_nonce, a.recipient_nonce, SCEP_NONCE_LEN);
	if (a.status == SCEP_SUCCESS) {
		if (scep_wire_content(&s, &env) != 0 || env.size == 0) {
			snprintf(err, size, "RFC 8894 3.3.2: SUCCESS without a "
			    "pkcsPKIEnvelope");
			goto out;
		}
		/* What the server chose is its own affair: any cipher, DES too. */
		if (cms_envelope_open(env.data, env.size, client, client_key, 1,
		    &certs, &cipher, why, sizeof(why)) != 0) {
			snprintf(err, size, "the pkcsPKIEnvelope: %s", why);
			goto out;
		}
		if (read_certs(&certs, out, err, size) != 0)
			goto out;
	}
	rc = 0;
out:
	gnutls_free(env.data);
	gnutls_free(certs.data);
	scep_wire_clear(&s);
	if (rc != 0)
		scep_reply_clear(out);
	return rc;
}
