/*
 * Tests for src/pki/scep_msg.c, scep_client.c and scep_wire.c: pkiMessages
 * made by the client's side and read by the server's for every cipher and
 * digest, the failures a server must tell apart (a bad signature, a
 * refused cipher, the wrong RA, a key that is not the CSR's, garbage),
 * BER input, challengePassword in its three string types, and CertReps
 * read back by the client's side. check_scep_peers.c holds the checks by
 * other implementations (OpenSSL, micromdm's scepserver).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>

#include "cms.h"
#include "scep_msg.h"
#include "util.h"
#define SCEP_FIXTURE_MESSAGES
#include "scep_fixture.h"


START_TEST(test_names)
{
	ck_assert_str_eq(scep_type_name(SCEP_PKCS_REQ), "PKCSReq");
	ck_assert_str_eq(scep_type_name(SCEP_RENEWAL_REQ), "RenewalReq");
	ck_assert_str_eq(scep_type_name(SCEP_CERT_POLL), "CertPoll");
	ck_assert_str_eq(scep_type_name(SCEP_CERT_REP), "CertRep");
	ck_assert_str_eq(scep_type_name((enum scep_type)42), "unknown");
	ck_assert_str_eq(scep_fail_name(SCEP_BAD_MESSAGE_CHECK), "badMessageCheck");
	ck_assert_str_eq(scep_fail_name(SCEP_BAD_CERT_ID), "badCertID");
}
END_TEST


/* Client's side to server's side: every field arrives. */
START_TEST(test_request_round_trip)
{
	static const unsigned char pw[] = "\x13\x09" "secret123";
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	csr = make_csr(client.xkey, "00:11:22:33:44:55", pw, sizeof(pw) - 1);
	msg = make_request(&csr, SCEP_PKCS_REQ, combos[_i].cipher, combos[_i].dig,
	    ra.crt);
	ck_assert_msg(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0, &r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	ck_assert_int_eq(r.type, SCEP_PKCS_REQ);
	ck_assert_str_eq(r.transaction_id, "tid-1");
	ck_assert(memcmp(r.sender_nonce, nonce, SCEP_NONCE_LEN) == 0);
	ck_assert_int_eq(r.cipher, combos[_i].cipher);
	ck_assert_int_eq(r.digest, combos[_i].dig);
	ck_assert_ptr_nonnull(r.signer);
	ck_assert_int_eq(gnutls_x509_crt_equals(r.signer, client.crt), 1);
	ck_assert_uint_eq(r.content.size, csr.size);
	ck_assert(memcmp(r.content.data, csr.data, csr.size) == 0);
	ck_assert_ptr_nonnull(r.csr);
	ck_assert_str_eq(r.challenge, "secret123");
	scep_request_clear(&r);
	ck_assert_ptr_null(r.challenge);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* No transactionID given: the SHA-256 of the key in hex; a fresh nonce. */
START_TEST(test_request_defaults)
{
	struct scep_request_spec spec;
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	unsigned char id[32];
	size_t id_len = sizeof(id);
	char err[256], *hex;
	int k;

	csr = make_csr(client.xkey, "dev", NULL, 0);
	memset(&spec, 0, sizeof(spec));
	spec.type = SCEP_PKCS_REQ;
	spec.content = &csr;
	spec.signer = client.crt;
	spec.signer_key = client.key;
	spec.digest = GNUTLS_DIG_SHA256;
	spec.recipient = ra.crt;
	spec.cipher = CMS_AES128_CBC;
	ck_assert_int_eq(scep_request_make(&spec, &msg, err, sizeof(err)), 0);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_OK);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(client.crt,
	    GNUTLS_KEYID_USE_SHA256, id, &id_len), 0);
	hex = hex_encode(id, id_len);
	ck_assert_int_eq(strcasecmp(r.transaction_id, hex), 0);
	for (k = 0; k < SCEP_NONCE_LEN && r.sender_nonce[k] == 0; k++)
		;
	ck_assert_int_lt(k, SCEP_NONCE_LEN);
	ck_assert_ptr_null(r.challenge);
	free(hex);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* challengePassword as PrintableString, UTF8String and BMPString. */
START_TEST(test_challenge_types)
{
	static const struct {
		const char *der;
		size_t len;
		const char *want;
	} rows[] = {
		{ "\x13\x06" "abc123", 8, "abc123" },
		{ "\x0c\x0a" "p\xc3\xa4ssw\xc3\xb6rd", 12, "p\xc3\xa4ssw\xc3\xb6rd" },
		{ "\x1e\x10" "\0p\0\xe4\0s\0s\0w\0\xf6\0r\0d", 18,
		    "p\xc3\xa4ssw\xc3\xb6rd" },
		/* U+1F4DE as a surrogate pair, and U+20AC */
		{ "\x1e\x06" "\xd8\x3d\xdc\xde\x20\xac", 8,
		    "\xf0\x9f\x93\x9e\xe2\x82\xac" },
		{ "\x16\x04" "ia5!", 6, "ia5!" },
	};
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	csr = make_csr(client.xkey, "dev", (const unsigned char *)rows[_i].der,
	    rows[_i].len);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_msg(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0, &r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	ck_assert_ptr_nonnull(r.challenge);
	ck_assert_str_eq(r.challenge, rows[_i].want);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* A challenge that is not a string, or broken UCS-2: badRequest. */
START_TEST(test_challenge_bad)
{
	static const struct {
		const char *der;
		size_t len;
	} rows[] = {
		{ "\x02\x01\x05", 3 },			/* INTEGER */
		{ "\x1e\x03" "\0ab", 5 },		/* odd length */
		{ "\x1e\x02" "\xdc\x00", 4 },		/* lone low surrogate */
		{ "\x0c\x02" "\xc3\x28", 4 },		/* not UTF-8 */
		{ "\x13\x03" "a\nb", 5 },		/* a control character */
	};
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	csr = make_csr(client.xkey, "dev", (const unsigned char *)rows[_i].der,
	    rows[_i].len);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_REQUEST);
	ck_assert(strstr(err, "challengePassword") != NULL);
	ck_assert_str_eq(r.transaction_id, "tid-1");
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* A changed signature: FAILURE/badMessageCheck, the answer's fields known. */
START_TEST(test_bad_signature)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	/* the signerInfo's signature is the message's last 256 octets */
	msg.data[msg.size - 10] ^= 0x40;
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_MESSAGE_CHECK);
	ck_assert_str_eq(r.transaction_id, "tid-1");
	ck_assert(memcmp(r.sender_nonce, nonce, SCEP_NONCE_LEN) == 0);
	ck_assert_ptr_nonnull(r.signer);
	ck_assert_ptr_null(r.csr);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* Enveloped to another RA: badMessageCheck; single DES: badAlg. */
START_TEST(test_envelope_failures)
{
	struct rsa_id other;
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	rsa_id_make(&other, "another RA", NULL, GNUTLS_DIG_SHA256);
	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    other.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_MESSAGE_CHECK);
	scep_request_clear(&r);
	gnutls_free(msg.data);

	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_DES_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_ALG);
	ck_assert(strstr(err, "des-cbc") != NULL);
	scep_request_clear(&r);
	/* the explicit opt-in */
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 1,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_OK);
	ck_assert_int_eq(r.cipher, CMS_DES_CBC);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	rsa_id_clear(&other);
}
END_TEST

/* A self-signed signer whose key is not the CSR's. */
START_TEST(test_key_mismatch)
{
	gnutls_x509_privkey_t k;
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	csr = make_csr(k, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_MESSAGE_CHECK);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	/* RenewalReq is signed by the current certificate: no such rule here */
	msg = make_request(&csr, SCEP_RENEWAL_REQ, CMS_AES128_CBC,
	    GNUTLS_DIG_SHA256, ra.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_OK);
	ck_assert_int_eq(r.type, SCEP_RENEWAL_REQ);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	gnutls_x509_privkey_deinit(k);
}
END_TEST

/* Client certificates as phones make them: only keyEncipherment, long
 * expired, SHA-1: only the signature matters (RFC 8894 2.3). */
START_TEST(test_odd_signer)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	if (_i == 0) {
		ck_assert_int_eq(gnutls_x509_crt_set_key_usage(client.crt,
		    GNUTLS_KEY_KEY_ENCIPHERMENT), 0);
	} else {
		ck_assert_int_eq(gnutls_x509_crt_set_activation_time(client.crt,
		    time(NULL) - 20 * 86400), 0);
		ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(client.crt,
		    time(NULL) - 10 * 86400), 0);
	}
	ck_assert_int_eq(gnutls_x509_crt_sign2(client.crt, client.crt, client.xkey,
	    GNUTLS_DIG_SHA1, 0), 0);
	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA1,
	    ra.crt);
	ck_assert_msg(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0, &r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* Not a pkiMessage: INVALID; every prefix of one: never OK. */
START_TEST(test_garbage)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	unsigned char junk[512];
	char err[256];
	unsigned i;

	ck_assert_int_eq(scep_request_parse((const unsigned char *)"", 0, ra.crt,
	    ra.key, 0, &r, &fail, err, sizeof(err)), SCEP_PARSE_INVALID);
	ck_assert(err[0] != '\0');
	ck_assert_int_eq(scep_request_parse((const unsigned char *)"hello", 5,
	    ra.crt, ra.key, 0, &r, &fail, err, sizeof(err)), SCEP_PARSE_INVALID);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, junk, sizeof(junk)), 0);
		ck_assert_int_eq(scep_request_parse(junk, sizeof(junk), ra.crt,
		    ra.key, 0, &r, &fail, err, sizeof(err)), SCEP_PARSE_INVALID);
	}
	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	for (i = 0; i < msg.size; i += 7) {
		ck_assert_int_ne(scep_request_parse(msg.data, i, ra.crt, ra.key, 0, &r,
		    &fail, err, sizeof(err)), SCEP_PARSE_OK);
		scep_request_clear(&r);
	}
	/* a degenerate SignedData has no signer: not a request */
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	ck_assert_int_eq(gnutls_x509_crt_export2(ra.crt, GNUTLS_X509_FMT_DER,
	    &csr), 0);
	ck_assert_int_eq(scep_degenerate(&csr, 1, &msg), 0);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_INVALID);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* More certificates than the signer's (a chain, say): the signerInfo's
 * issuerAndSerialNumber picks the right one. */
START_TEST(test_signer_among_certs)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_pkcs7_t p7;
	gnutls_datum_t csr, msg, more;
	char err[256];

	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_int_eq(gnutls_pkcs7_init(&p7), 0);
	ck_assert_int_eq(gnutls_pkcs7_import(p7, &msg, GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(gnutls_pkcs7_set_crt(p7, ra.crt), 0);
	ck_assert_int_eq(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &more), 0);
	ck_assert_int_eq(gnutls_pkcs7_get_crt_count(p7), 2);
	gnutls_pkcs7_deinit(p7);
	ck_assert_msg(scep_request_parse(more.data, more.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	ck_assert_int_eq(gnutls_x509_crt_equals(r.signer, client.crt), 1);
	scep_request_clear(&r);
	gnutls_free(more.data);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* BER as jscep streams it: indefinite lengths, eContent in pieces. */
START_TEST(test_ber_request)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t csr, msg, ber;
	char err[256];

	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES256_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	/* ContentInfo, [0], SignedData, encapContentInfo, its [0], eContent;
	 * the certificates and signerInfos as they are */
	ber = ber_of(&msg, 5, 1, 4);
	ck_assert_int_eq(ber.data[1], 0x80);
	ck_assert_uint_gt(ber.size, msg.size);
	ck_assert_msg(scep_request_parse(ber.data, ber.size, ra.crt, ra.key, 0, &r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	ck_assert_uint_eq(r.content.size, csr.size);
	scep_request_clear(&r);
	gnutls_free(ber.data);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

/* CertPoll: IssuerAndSubject made and read back. */
START_TEST(test_cert_poll)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t issuer, subject, ias, msg, i2, s2;
	char err[256];

	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(ra.crt, &issuer), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(client.crt, &subject), 0);
	ck_assert_int_eq(scep_issuer_and_subject_make(&issuer, &subject, &ias), 0);
	msg = make_request(&ias, SCEP_CERT_POLL, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_msg(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0, &r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	ck_assert_int_eq(r.type, SCEP_CERT_POLL);
	ck_assert_ptr_null(r.csr);
	ck_assert_int_eq(scep_issuer_and_subject(&r.content, &i2, &s2), 0);
	ck_assert_uint_eq(i2.size, issuer.size);
	ck_assert(memcmp(i2.data, issuer.data, issuer.size) == 0);
	ck_assert_uint_eq(s2.size, subject.size);
	ck_assert(memcmp(s2.data, subject.data, subject.size) == 0);
	ck_assert_int_eq(scep_issuer_and_subject(&subject, &i2, &s2), -1);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	/* a CertPoll whose content is not IssuerAndSubject */
	msg = make_request(&subject, SCEP_CERT_POLL, CMS_AES128_CBC,
	    GNUTLS_DIG_SHA256, ra.crt);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_FAIL);
	ck_assert_int_eq(fail, SCEP_BAD_REQUEST);
	scep_request_clear(&r);
	gnutls_free(msg.data);
	gnutls_free(ias.data);
	gnutls_free(issuer.data);
	gnutls_free(subject.data);
}
END_TEST


/* SUCCESS: the client gets the certificates; nonces and ID echoed. */
START_TEST(test_reply_success)
{
	struct scep_request req;
	struct scep_reply_spec spec;
	struct scep_reply rep;
	gnutls_datum_t certs[2], msg;
	char err[256];
	int k;

	parsed_request(&req, combos[_i].cipher, combos[_i].dig);
	ck_assert_int_eq(gnutls_x509_crt_export2(client.crt, GNUTLS_X509_FMT_DER,
	    &certs[0]), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(ra.crt, GNUTLS_X509_FMT_DER,
	    &certs[1]), 0);
	memset(&spec, 0, sizeof(spec));
	spec.status = SCEP_SUCCESS;
	spec.request = &req;
	spec.certs = certs;
	spec.n_certs = 2;
	ck_assert_msg(scep_reply_make(&spec, ra.crt, ra.key, &msg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rep.status, SCEP_SUCCESS);
	ck_assert_str_eq(rep.transaction_id, "tid-1");
	ck_assert(memcmp(rep.recipient_nonce, nonce, SCEP_NONCE_LEN) == 0);
	ck_assert(memcmp(rep.sender_nonce, nonce, SCEP_NONCE_LEN) != 0);
	/* DER sorts the SET OF certificates: found in either place */
	ck_assert_uint_eq(rep.n_certs, 2);
	for (k = 0; k < 2; k++)
		ck_assert_msg((rep.certs[0].size == certs[k].size &&
		    memcmp(rep.certs[0].data, certs[k].data, certs[k].size) == 0) ||
		    (rep.certs[1].size == certs[k].size &&
		    memcmp(rep.certs[1].data, certs[k].data, certs[k].size) == 0),
		    "certificate %d", k);
	scep_reply_clear(&rep);
	/* signed by someone else: the client refuses it */
	ck_assert_int_eq(scep_reply_parse(msg.data, msg.size, client.crt,
	    client.crt, client.key, &rep, err, sizeof(err)), -1);
	gnutls_free(msg.data);
	gnutls_free(certs[0].data);
	gnutls_free(certs[1].data);
	scep_request_clear(&req);
}
END_TEST

START_TEST(test_reply_failure_pending)
{
	struct scep_request req;
	struct scep_reply_spec spec;
	struct scep_reply rep;
	gnutls_datum_t msg, csr;
	char err[256];

	parsed_request(&req, CMS_AES128_CBC, GNUTLS_DIG_SHA256);
	memset(&spec, 0, sizeof(spec));
	spec.status = SCEP_FAILURE;
	spec.fail = SCEP_BAD_REQUEST;
	spec.fail_text = "the challenge was used";
	spec.request = &req;
	ck_assert_msg(scep_reply_make(&spec, ra.crt, ra.key, &msg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rep.status, SCEP_FAILURE);
	ck_assert_int_eq(rep.fail, SCEP_BAD_REQUEST);
	ck_assert_uint_eq(rep.n_certs, 0);
	ck_assert(memcmp(rep.recipient_nonce, nonce, SCEP_NONCE_LEN) == 0);
	scep_reply_clear(&rep);
	gnutls_free(msg.data);

	spec.status = SCEP_PENDING;
	spec.fail_text = NULL;
	ck_assert_int_eq(scep_reply_make(&spec, ra.crt, ra.key, &msg, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)), 0);
	ck_assert_int_eq(rep.status, SCEP_PENDING);
	ck_assert_str_eq(rep.transaction_id, "tid-1");
	scep_reply_clear(&rep);
	gnutls_free(msg.data);
	scep_request_clear(&req);
	/* a request is not a reply, even when its signature verifies */
	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, CMS_AES128_CBC, GNUTLS_DIG_SHA256,
	    ra.crt);
	ck_assert_int_eq(scep_reply_parse(msg.data, msg.size, client.crt,
	    client.crt, client.key, &rep, err, sizeof(err)), -1);
	ck_assert(strstr(err, "not CertRep") != NULL);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("scep_msg");
	TCase *tc = tcase_create("scep_msg");
	int n_combos = (int)(sizeof(combos) / sizeof(combos[0]));

	tcase_add_checked_fixture(tc, ids_setup, ids_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_request_round_trip, 0, n_combos);
	tcase_add_test(tc, test_request_defaults);
	tcase_add_loop_test(tc, test_challenge_types, 0, 5);
	tcase_add_loop_test(tc, test_challenge_bad, 0, 5);
	tcase_add_test(tc, test_bad_signature);
	tcase_add_test(tc, test_envelope_failures);
	tcase_add_test(tc, test_key_mismatch);
	tcase_add_loop_test(tc, test_odd_signer, 0, 2);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_signer_among_certs);
	tcase_add_test(tc, test_ber_request);
	tcase_add_test(tc, test_cert_poll);
	tcase_add_loop_test(tc, test_reply_success, 0, n_combos);
	tcase_add_test(tc, test_reply_failure_pending);
	suite_add_tcase(s, tc);
	return s;
}
