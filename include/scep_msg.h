/*
 * scep_msg: SCEP's messages (RFC 8894 section 3): the pkiMessage, a CMS
 * SignedData (GnuTLS's gnutls_pkcs7_* API: verify, sign with signed
 * attributes) around a pkcsPKIEnvelope (cms.h's EnvelopedData), its
 * authenticated attributes (section 3.2.1), the CertRep, and the
 * degenerate certificates-only SignedData of GetCACert and of a
 * CertRep's content (section 3.4).
 *
 * Both sides: the server's (parse a request, make a reply) and the
 * client's (make a request, parse a reply), which the tests and the
 * load generator use. Nothing here knows of the store, challenges or
 * policy: the caller decides what to answer. Thread-safe.
 */
#ifndef SIPCA_SCEP_MSG_H
#define SIPCA_SCEP_MSG_H

#include <stddef.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "cms.h"

/* messageType (section 3.2.1.2), as the PrintableString's number. */
enum scep_type {
	SCEP_CERT_REP = 3,
	SCEP_RENEWAL_REQ = 17,
	SCEP_PKCS_REQ = 19,
	SCEP_CERT_POLL = 20,		/* GetCertInitial in older drafts */
	SCEP_GET_CERT = 21,
	SCEP_GET_CRL = 22,
};

/* pkiStatus (3.2.1.3) */
enum scep_status {
	SCEP_SUCCESS = 0,
	SCEP_FAILURE = 2,
	SCEP_PENDING = 3,
};

/* failInfo (3.2.1.4) */
enum scep_fail {
	SCEP_BAD_ALG = 0,
	SCEP_BAD_MESSAGE_CHECK = 1,
	SCEP_BAD_REQUEST = 2,
	SCEP_BAD_TIME = 3,
	SCEP_BAD_CERT_ID = 4,
};

#define SCEP_NONCE_LEN 16
/* transactionID is a PrintableString of any length; longer ones are refused. */
#define SCEP_MAX_TRANSACTION_ID 128

/* "PKCSReq", "RenewalReq", "CertPoll", ...; "unknown" for others. */
const char *scep_type_name(enum scep_type t);
/* "badAlg", ... */
const char *scep_fail_name(enum scep_fail f);

/* A request as the server reads it. scep_request_clear() frees it. */
struct scep_request {
	enum scep_type type;
	char transaction_id[SCEP_MAX_TRANSACTION_ID + 1];
	unsigned char sender_nonce[SCEP_NONCE_LEN];
	gnutls_x509_crt_t signer;	/* the certificate it was signed with */
	gnutls_digest_algorithm_t digest;	/* the signer's, to answer with */
	enum cms_cipher cipher;		/* what its envelope used */
	/* The envelope's content, decrypted: the PKCS#10 request of PKCSReq
	 * and RenewalReq, IssuerAndSubject of CertPoll, IssuerAndSerialNumber
	 * of GetCert and GetCRL. */
	gnutls_datum_t content;
	gnutls_x509_crq_t csr;		/* PKCSReq, RenewalReq; else NULL */
	/* The CSR's challengePassword (PrintableString, UTF8String or
	 * BMPString, as UTF-8), or NULL; wiped when cleared. */
	char *challenge;
};
void scep_request_clear(struct scep_request *r);

/* What scep_request_parse() returns. */
enum scep_parse {
	SCEP_PARSE_OK = 0,
	/*
	 * Known enough to answer with a signed FAILURE (the transactionID,
	 * the senderNonce, the signer certificate are filled) but not to
	 * act on: *out_fail says why (a signature that does not verify:
	 * badMessageCheck; a cipher or digest refused: badAlg; a content
	 * that does not decode: badRequest). err has the detail.
	 */
	SCEP_PARSE_FAIL = 1,
	/* Not a pkiMessage at all: answer HTTP 400 with err. */
	SCEP_PARSE_INVALID = -1,
};

/*
 * Reads a pkiMessage (BER accepted) addressed to the RA: checks the
 * signerInfo's signature with the certificate the message carries (a
 * self-signed one is normal: only the signature and that the CSR's key
 * is its key for PKCSReq matter; the certificate itself is parsed
 * leniently), reads the attributes and opens the envelope with ra_key.
 * allow_des as cms_envelope_open(). *out is filled as far as it got in
 * every case but SCEP_PARSE_INVALID, and is cleared by the caller.
 *
 * What is checked here (scep_msg.c): the CMS signature (SHA-1 accepted,
 * MD5 refused: badAlg); the PKCS#10 request's own signature
 * (badMessageCheck); for PKCSReq signed by a self-signed certificate
 * (subject = issuer), that its key is the request's (badMessageCheck;
 * a PKCSReq signed by a CA-issued certificate is a renewal, RFC 8894
 * 2.3 and 3.3.1, whose key may differ); the content's syntax (badRequest).
 * What is not: the signer certificate's dates, chain or revocation
 * (the caller's, for renewals), the challenge's value.
 */
enum scep_parse scep_request_parse(const unsigned char *msg, size_t len,
    gnutls_x509_crt_t ra_cert, gnutls_privkey_t ra_key, int allow_des,
    struct scep_request *out, enum scep_fail *out_fail, char *err,
    size_t size);

/*
 * IssuerAndSubject (section 3.3.3) of a CertPoll's content: the DER of
 * each Name, pointing into content. Returns 0 or -1.
 */
int scep_issuer_and_subject(const gnutls_datum_t *content,
    gnutls_datum_t *out_issuer, gnutls_datum_t *out_subject);

/* What the server answers. */
struct scep_reply_spec {
	enum scep_status status;
	enum scep_fail fail;		/* FAILURE only */
	const char *fail_text;		/* failInfoText (RFC 8894 3.2.1.4.1); NULL: none */
	const struct scep_request *request;	/* its transactionID, nonce, signer, digest, cipher */
	/* SUCCESS: the certificates of the degenerate SignedData, DER;
	 * encrypted to the request's signer. DER sorts the SET OF
	 * certificates, so the order given is not kept: clients that take
	 * the first one (micromdm's) need the issued certificate alone. */
	const gnutls_datum_t *certs;
	size_t n_certs;
};

/*
 * A CertRep (section 3.3.2) signed by ra_cert/ra_key with the request's
 * digest, carrying messageType, pkiStatus, failInfo, transactionID,
 * senderNonce (fresh) and recipientNonce (the request's senderNonce),
 * and failInfoText when given. FAILURE and PENDING carry an empty
 * eContent (3.3.2: the pkcsPKIEnvelope is omitted; empty rather than
 * absent, which OpenSSL's PKCS7_verify refuses); the signature then
 * covers the empty content. DER in *out (gnutls_free()). Returns 0, or -1 with
 * the reason in err.
 */
int scep_reply_make(const struct scep_reply_spec *spec, gnutls_x509_crt_t ra_cert,
    gnutls_privkey_t ra_key, gnutls_datum_t *out, char *err, size_t size);

/*
 * A certificates-only SignedData (degenerate: no signers, no content),
 * DER in *out: GetCACert's answer with the CA and the RA (section 4.2.1.2)
 * and a CertRep's content. n >= 1 (in any order: see certs above).
 * Returns 0 or -1.
 */
int scep_degenerate(const gnutls_datum_t *certs, size_t n, gnutls_datum_t *out);

/* ---- the client's side (tests, the load generator) ---- */

struct scep_request_spec {
	enum scep_type type;
	const char *transaction_id;	/* NULL: the SHA-256 of the key, hex */
	const unsigned char *nonce;	/* SCEP_NONCE_LEN; NULL: fresh */
	/* PKCSReq/RenewalReq: the CSR, DER; CertPoll: IssuerAndSubject, DER */
	const gnutls_datum_t *content;
	gnutls_x509_crt_t signer;	/* self-signed, or the current certificate */
	gnutls_privkey_t signer_key;
	gnutls_digest_algorithm_t digest;
	gnutls_x509_crt_t recipient;	/* the RA's encryption certificate */
	enum cms_cipher cipher;
};

/* A pkiMessage, DER in *out (gnutls_free()). Returns 0, or -1 with err. */
int scep_request_make(const struct scep_request_spec *spec, gnutls_datum_t *out,
    char *err, size_t size);

/* IssuerAndSubject of a CertPoll, DER in *out. Returns 0 or -1. */
int scep_issuer_and_subject_make(const gnutls_datum_t *issuer,
    const gnutls_datum_t *subject, gnutls_datum_t *out);

/* A CertRep as the client reads it; scep_reply_clear() frees it. */
struct scep_reply {
	enum scep_status status;
	enum scep_fail fail;
	char transaction_id[SCEP_MAX_TRANSACTION_ID + 1];
	unsigned char sender_nonce[SCEP_NONCE_LEN];
	unsigned char recipient_nonce[SCEP_NONCE_LEN];
	gnutls_datum_t *certs;		/* SUCCESS: the degenerate content's certificates */
	size_t n_certs;
};
void scep_reply_clear(struct scep_reply *r);

/*
 * Reads a CertRep: verifies its signature by one of the server's
 * certificates (ra: the RA's signing certificate), and on SUCCESS opens
 * the envelope with the client's key (any cipher, single DES too: the
 * server chose it). Comparing the nonces and the transactionID with the
 * request's is the caller's. Returns 0, or -1 with err.
 */
int scep_reply_parse(const unsigned char *msg, size_t len, gnutls_x509_crt_t ra,
    gnutls_x509_crt_t client, gnutls_privkey_t client_key,
    struct scep_reply *out, char *err, size_t size);

#endif
