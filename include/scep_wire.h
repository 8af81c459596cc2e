/*
 * scep_wire: the signed layer of SCEP's pkiMessage (RFC 8894 section 3.2)
 * that both sides share: the SCEP authenticated attributes (3.2.1) read
 * from and written into a CMS SignedData through GnuTLS's gnutls_pkcs7_*
 * API, the signature checked against a certificate, the embedded
 * content. src/pki/scep_msg.c (the server's side) and
 * src/pki/scep_client.c (the client's) are its callers; scep_msg.h is
 * the interface others use. Thread-safe.
 */
#ifndef SIPCA_SCEP_WIRE_H
#define SIPCA_SCEP_WIRE_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "scep_msg.h"

#define SCEP_FAIL_TEXT_MAX 256

/* The SCEP attributes of one signerInfo; -1 / 0 marks one absent. */
struct scep_attrs {
	int type;			/* messageType, or -1 */
	int status;			/* pkiStatus, or -1 */
	int fail;			/* failInfo, or -1 */
	char transaction_id[SCEP_MAX_TRANSACTION_ID + 1];	/* "" when absent */
	int has_sender_nonce, has_recipient_nonce;
	unsigned char sender_nonce[SCEP_NONCE_LEN];
	unsigned char recipient_nonce[SCEP_NONCE_LEN];
	char fail_text[SCEP_FAIL_TEXT_MAX];	/* failInfoText, "" when absent */
};

/* attrs with every field absent. */
void scep_attrs_init(struct scep_attrs *a);

/*
 * A SignedData (in its ContentInfo) embedding content (id-data; an empty
 * eContent for NULL), signed by signer/key with dig, with a's attributes
 * as signed attributes beside contentType, messageDigest and signingTime,
 * and the signer's certificate included. DER in *out (gnutls_free()).
 * Returns 0, or -1 with GnuTLS's reason in err.
 */
int scep_wire_sign(const gnutls_datum_t *content, const struct scep_attrs *a,
    gnutls_x509_crt_t signer, gnutls_privkey_t key,
    gnutls_digest_algorithm_t dig, gnutls_datum_t *out, char *err, size_t size);

/* An imported pkiMessage; scep_wire_clear() frees it. */
struct scep_signed {
	gnutls_pkcs7_t p7;
	gnutls_pkcs7_signature_info_st info;	/* the first signerInfo's */
	int have_info;
	/* The carried certificate the signerInfo names (issuer and serial,
	 * or subjectKeyIdentifier), or the only one; NULL if none. */
	gnutls_x509_crt_t signer;
};

/*
 * Imports a SignedData (BER or DER), reads its first signerInfo and
 * finds its certificate among those carried. Returns 0, or -1 with the
 * reason in err (not a SignedData, no signer); *out is to be cleared in
 * both cases.
 */
int scep_wire_import(const unsigned char *msg, size_t len,
    struct scep_signed *out, char *err, size_t size);

/*
 * Checks the signature with crt: only the signature, not the
 * certificate's validity dates (the caller judges the certificate;
 * RFC 8894 3.2.1: a client's is often self-signed, so SHA-1 is accepted
 * in it as in the CMS signature itself). Returns 0, or -1 with GnuTLS's
 * reason in err.
 */
int scep_wire_verify(struct scep_signed *s, gnutls_x509_crt_t crt, char *err,
    size_t size);

/* The signerInfo's SCEP attributes; 0, or -1 when one is malformed. */
int scep_wire_attrs(const struct scep_signed *s, struct scep_attrs *out,
    char *err, size_t size);

/* The embedded content (eContent), a new buffer (gnutls_free());
 * out->size 0 when there is none. Returns 0 or -1. */
int scep_wire_content(const struct scep_signed *s, gnutls_datum_t *out);

void scep_wire_clear(struct scep_signed *s);

#endif
