/*
 * Tests for src/pki/scep_msg.c, scep_client.c and scep_wire.c: pkiMessages
 * made by the client's side and read by the server's for every cipher and
 * digest, the failures a server must tell apart (a bad signature, a
 * refused cipher, the wrong RA, a key that is not the CSR's, garbage),
 * BER input, challengePassword in its three string types, and CertReps
 * read back by the client's side and checked by OpenSSL.
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
#include "scep_fixture.h"

#define OID_CHALLENGE "1.2.840.113549.1.9.7"

static struct rsa_id ra, client;

static void
ids_setup(void)
{
	tmpdir_setup();
	rsa_id_make(&ra, "sipca RA", NULL, GNUTLS_DIG_SHA256);
	/* as phones make them: self-signed, SHA-1 */
	rsa_id_make(&client, "00:11:22:33:44:55", NULL, GNUTLS_DIG_SHA1);
}

static void
ids_teardown(void)
{
	rsa_id_clear(&ra);
	rsa_id_clear(&client);
	tmpdir_teardown();
}

/* A CSR for key named cn, with challenge_der (a DirectoryString's DER)
 * as challengePassword unless NULL; DER in a new datum. */
static gnutls_datum_t
make_csr(gnutls_x509_privkey_t key, const char *cn,
    const unsigned char *challenge_der, size_t challenge_len)
{
	gnutls_x509_crq_t crq;
	gnutls_datum_t d;

	ck_assert_int_eq(gnutls_x509_crq_init(&crq), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_dn_by_oid(crq,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_key(crq, key), 0);
	if (challenge_der != NULL)
		ck_assert_int_eq(gnutls_x509_crq_set_attribute_by_oid(crq,
		    OID_CHALLENGE, (void *)challenge_der, challenge_len), 0);
	ck_assert_int_eq(gnutls_x509_crq_sign2(crq, key, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &d), 0);
	gnutls_x509_crq_deinit(crq);
	return d;
}

static const unsigned char nonce[SCEP_NONCE_LEN] = "0123456789abcdef";

/* A PKCSReq from client with csr, as the spec's defaults say. */
static gnutls_datum_t
make_request(const gnutls_datum_t *content, enum scep_type type,
    enum cms_cipher cipher, gnutls_digest_algorithm_t dig,
    gnutls_x509_crt_t recipient)
{
	struct scep_request_spec spec;
	gnutls_datum_t msg;
	char err[256];

	memset(&spec, 0, sizeof(spec));
	spec.type = type;
	spec.transaction_id = "tid-1";
	spec.nonce = nonce;
	spec.content = content;
	spec.signer = client.crt;
	spec.signer_key = client.key;
	spec.digest = dig;
	spec.recipient = recipient;
	spec.cipher = cipher;
	ck_assert_msg(scep_request_make(&spec, &msg, err, sizeof(err)) == 0, "%s",
	    err);
	return msg;
}

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

static const struct {
	enum cms_cipher cipher;
	gnutls_digest_algorithm_t dig;
} combos[] = {
	{ CMS_AES128_CBC, GNUTLS_DIG_SHA256 }, { CMS_AES192_CBC, GNUTLS_DIG_SHA1 },
	{ CMS_AES256_CBC, GNUTLS_DIG_SHA512 }, { CMS_DES3_CBC, GNUTLS_DIG_SHA1 },
};

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

/* A parsed request, as the server has it when it answers. */
static void
parsed_request(struct scep_request *r, enum cms_cipher cipher,
    gnutls_digest_algorithm_t dig)
{
	enum scep_fail fail;
	gnutls_datum_t csr, msg;
	char err[256];

	csr = make_csr(client.xkey, "dev", NULL, 0);
	msg = make_request(&csr, SCEP_PKCS_REQ, cipher, dig, ra.crt);
	ck_assert_msg(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0, r,
	    &fail, err, sizeof(err)) == SCEP_PARSE_OK, "%s", err);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
}

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

/* OpenSSL verifies the CertRep, prints its attributes, opens its
 * envelope and reads the certificates in it. */
START_TEST(test_reply_openssl)
{
	struct scep_request req;
	struct scep_reply_spec spec;
	gnutls_datum_t certs[1], msg;
	char err[256], *path;

	rsa_id_write(&client, "client");
	parsed_request(&req, CMS_AES256_CBC, GNUTLS_DIG_SHA256);
	ck_assert_int_eq(gnutls_x509_crt_export2(client.crt, GNUTLS_X509_FMT_DER,
	    &certs[0]), 0);
	memset(&spec, 0, sizeof(spec));
	spec.status = SCEP_SUCCESS;
	spec.request = &req;
	spec.certs = certs;
	spec.n_certs = 1;
	ck_assert_int_eq(scep_reply_make(&spec, ra.crt, ra.key, &msg, err,
	    sizeof(err)), 0);
	path = tmpdir_path("reply.der");
	file_put(path, msg.data, msg.size);
	ck_assert_int_eq(sh("openssl cms -verify -binary -noverify -inform DER "
	    "-in reply.der -out env.der 2>/dev/null"), 0);
	ck_assert_int_eq(sh("openssl cms -decrypt -binary -inform DER -in env.der "
	    "-inkey client.key -recip client.pem -out certs.der"), 0);
	ck_assert_int_eq(sh("test \"$(openssl pkcs7 -inform DER -in certs.der "
	    "-print_certs | grep -c BEGIN)\" = 1"), 0);
	ck_assert_int_eq(sh("openssl cms -cmsout -print -inform DER -in reply.der "
	    "> print.txt"), 0);
	/* messageType, pkiStatus, senderNonce, recipientNonce, transactionID */
	ck_assert_int_eq(sh("grep -q 2.16.840.1.113733.1.9.2 print.txt && "
	    "grep -q 2.16.840.1.113733.1.9.3 print.txt && "
	    "grep -q 2.16.840.1.113733.1.9.5 print.txt && "
	    "grep -q 2.16.840.1.113733.1.9.6 print.txt && "
	    "grep -q 2.16.840.1.113733.1.9.7 print.txt && "
	    "grep -q tid-1 print.txt"), 0);
	/* a changed octet in the signature: OpenSSL refuses it too */
	msg.data[msg.size - 5] ^= 1;
	file_put(path, msg.data, msg.size);
	ck_assert_int_ne(sh("openssl cms -verify -binary -noverify -inform DER "
	    "-in reply.der -out env.der 2>/dev/null"), 0);
	free(path);
	gnutls_free(msg.data);
	gnutls_free(certs[0].data);
	scep_request_clear(&req);
}
END_TEST

/* FAILURE has no content (RFC 8894 3.3.2): OpenSSL verifies it over the
 * empty content and shows failInfo and failInfoText; a change breaks it
 * for the client's side as for OpenSSL. */
START_TEST(test_failure_openssl)
{
	struct scep_request req;
	struct scep_reply_spec spec;
	struct scep_reply rep;
	gnutls_datum_t msg;
	char err[256], *path;

	parsed_request(&req, CMS_AES128_CBC, combos[_i].dig);
	memset(&spec, 0, sizeof(spec));
	spec.status = SCEP_FAILURE;
	spec.fail = SCEP_BAD_CERT_ID;
	spec.fail_text = "no such certificate";
	spec.request = &req;
	ck_assert_int_eq(scep_reply_make(&spec, ra.crt, ra.key, &msg, err,
	    sizeof(err)), 0);
	path = tmpdir_path("fail.der");
	file_put(path, msg.data, msg.size);
	free(path);
	path = tmpdir_path("empty");
	file_put(path, "", 0);
	free(path);
	ck_assert_int_eq(sh("openssl cms -verify -binary -noverify -inform DER "
	    "-in fail.der -content empty -out /dev/null 2>/dev/null"), 0);
	ck_assert_int_eq(sh("openssl cms -cmsout -print -inform DER -in fail.der "
	    "> print.txt && grep -q 2.16.840.1.113733.1.9.4 print.txt && "
	    "grep -q 1.3.6.1.5.5.7.24.1 print.txt && "
	    "grep -q \"no such certificate\" print.txt"), 0);
	ck_assert_msg(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rep.fail, SCEP_BAD_CERT_ID);
	scep_reply_clear(&rep);
	/* the signature's last octet, then an attribute's */
	msg.data[msg.size - 1] ^= 1;
	ck_assert_int_eq(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)), -1);
	msg.data[msg.size - 1] ^= 1;
	path = (char *)memmem(msg.data, msg.size, "tid-1", 5);
	ck_assert_ptr_nonnull(path);
	path[4] = '2';
	ck_assert_int_eq(scep_reply_parse(msg.data, msg.size, ra.crt, client.crt,
	    client.key, &rep, err, sizeof(err)), -1);
	ck_assert(strstr(err, "does not verify") != NULL);
	gnutls_free(msg.data);
	scep_request_clear(&req);
}
END_TEST

/* GetCACert's answer: OpenSSL reads both certificates. */
START_TEST(test_degenerate)
{
	gnutls_datum_t certs[2], out;
	gnutls_pkcs7_t p7;
	char *path;

	ck_assert_int_eq(gnutls_x509_crt_export2(ra.crt, GNUTLS_X509_FMT_DER,
	    &certs[0]), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(client.crt, GNUTLS_X509_FMT_DER,
	    &certs[1]), 0);
	ck_assert_int_eq(scep_degenerate(certs, 2, &out), 0);
	ck_assert_int_eq(gnutls_pkcs7_init(&p7), 0);
	ck_assert_int_eq(gnutls_pkcs7_import(p7, &out, GNUTLS_X509_FMT_DER), 0);
	ck_assert_int_eq(gnutls_pkcs7_get_crt_count(p7), 2);
	ck_assert_int_eq(gnutls_pkcs7_get_signature_count(p7), 0);
	gnutls_pkcs7_deinit(p7);
	path = tmpdir_path("ca.p7");
	file_put(path, out.data, out.size);
	free(path);
	ck_assert_int_eq(sh("test \"$(openssl pkcs7 -inform DER -in ca.p7 "
	    "-print_certs | grep -c BEGIN)\" = 2"), 0);
	gnutls_free(out.data);
	gnutls_free(certs[0].data);
	gnutls_free(certs[1].data);
}
END_TEST

/* A request signed by OpenSSL with SCEP's attributes would need its
 * API; the CLI cannot add them. What OpenSSL can make is checked the
 * other way: a SignedData without them is INVALID, not a crash. */
START_TEST(test_openssl_signed_no_attrs)
{
	struct scep_request r;
	enum scep_fail fail;
	gnutls_datum_t msg;
	char err[256], *path;

	rsa_id_write(&client, "client");
	path = tmpdir_path("m");
	file_put(path, "x", 1);
	free(path);
	ck_assert_int_eq(sh("openssl cms -sign -binary -nodetach -stream -outform "
	    "DER -in m -signer client.pem -inkey client.key -out s.der"), 0);
	path = tmpdir_path("s.der");
	msg = file_get(path);
	free(path);
	ck_assert_int_eq(scep_request_parse(msg.data, msg.size, ra.crt, ra.key, 0,
	    &r, &fail, err, sizeof(err)), SCEP_PARSE_INVALID);
	ck_assert(strstr(err, "transactionID") != NULL);
	gnutls_free(msg.data);
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
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_ber_request);
	tcase_add_test(tc, test_cert_poll);
	tcase_add_loop_test(tc, test_reply_success, 0, n_combos);
	tcase_add_test(tc, test_reply_failure_pending);
	tcase_add_test(tc, test_reply_openssl);
	tcase_add_loop_test(tc, test_failure_openssl, 0, n_combos);
	tcase_add_test(tc, test_degenerate);
	tcase_add_test(tc, test_openssl_signed_no_attrs);
	suite_add_tcase(s, tc);
	return s;
}
