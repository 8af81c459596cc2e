/*
 * Tests of src/pki/scep_*.c by other implementations: OpenSSL verifies
 * the CertReps (SUCCESS and, over the empty content, FAILURE), opens
 * their envelopes, prints their attributes and reads GetCACert's
 * degenerate SignedData; micromdm's scepserver (Go's pkcs7) reads the
 * requests scep_request_make() makes, and scep_reply_parse() reads its
 * answers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>

#include "cms.h"
#include "scep_msg.h"
#include "util.h"
#define SCEP_FIXTURE_MESSAGES
#include "scep_fixture.h"

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

/* An unused TCP port on 127.0.0.1. */
static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * Against a second implementation: micromdm's scepserver (Go's pkcs7)
 * reads the requests scep_request_make() makes, and scep_reply_parse()
 * reads the CertReps it makes, SUCCESS and FAILURE (a wrong challenge).
 */
static const struct {
	enum cms_cipher cipher;
	const char *challenge;
	enum scep_status want;
} mdm_rows[] = {
	{ CMS_AES128_CBC, "\x13\x06" "secret", SCEP_SUCCESS },
	{ CMS_AES256_CBC, "\x0c\x06" "secret", SCEP_SUCCESS },
	{ CMS_DES3_CBC, "\x13\x06" "secret", SCEP_SUCCESS },
	{ CMS_AES128_CBC, "\x13\x05" "wrong", SCEP_FAILURE },
};

START_TEST(test_micromdm_server)
{
	struct scep_request_spec spec;
	struct scep_reply rep;
	gnutls_x509_crt_t ca, issued;
	gnutls_datum_t csr, msg, d;
	unsigned char a[64], b[64];
	size_t al = sizeof(a), bl = sizeof(b);
	char err[256], *path;
	int port, i;

	if (sh("command -v scepserver >/dev/null && command -v curl >/dev/null") != 0) {
		ck_assert_msg(getenv("CI") == NULL, "scepserver (Debian scep) or curl "
		    "is missing");
		fprintf(stderr, "check_scep_msg: skipped: no scepserver or curl\n");
		return;
	}
	ck_assert_int_eq(sh("timeout 120 scepserver ca -init -depot depot "
	    "-keySize 2048 > ca.log 2>&1"), 0);
	port = free_port();
	ck_assert_int_eq(sh("timeout 60 scepserver -depot depot -port %d "
	    "-challenge secret > srv.log 2>&1 & echo $! > srv.pid", port), 0);
	for (i = 0; i < 100 && sh("curl -sf -o /dev/null "
	    "\"http://127.0.0.1:%d/scep?operation=GetCACaps\"", port) != 0; i++)
		usleep(100000);
	ck_assert_int_lt(i, 100);

	path = tmpdir_path("depot/ca.pem");
	d = file_get(path);
	free(path);
	ck_assert_int_eq(gnutls_x509_crt_init(&ca), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_PEM), 0);
	gnutls_free(d.data);
	csr = make_csr(client.xkey, "00:11:22:33:44:55",
	    (const unsigned char *)mdm_rows[_i].challenge,
	    strlen(mdm_rows[_i].challenge + 2) + 2);
	memset(&spec, 0, sizeof(spec));
	spec.type = SCEP_PKCS_REQ;
	spec.nonce = nonce;
	spec.content = &csr;
	spec.signer = client.crt;
	spec.signer_key = client.key;
	spec.digest = GNUTLS_DIG_SHA256;
	spec.recipient = ca;
	spec.cipher = mdm_rows[_i].cipher;
	ck_assert_int_eq(scep_request_make(&spec, &msg, err, sizeof(err)), 0);
	path = tmpdir_path("req.der");
	file_put(path, msg.data, msg.size);
	free(path);
	gnutls_free(msg.data);
	ck_assert_int_eq(sh("curl -sf --data-binary @req.der -H \"Content-Type: "
	    "application/x-pki-message\" -o rep.der "
	    "\"http://127.0.0.1:%d/scep?operation=PKIOperation\"", port), 0);
	sh("kill $(cat srv.pid)");
	path = tmpdir_path("rep.der");
	msg = file_get(path);
	free(path);
	ck_assert_msg(scep_reply_parse(msg.data, msg.size, ca, client.crt,
	    client.key, &rep, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(rep.status, mdm_rows[_i].want);
	ck_assert(memcmp(rep.recipient_nonce, nonce, SCEP_NONCE_LEN) == 0);
	if (rep.status == SCEP_SUCCESS) {
		/* the issued certificate is for the request's key */
		ck_assert_uint_ge(rep.n_certs, 1);
		ck_assert_int_eq(gnutls_x509_crt_init(&issued), 0);
		ck_assert_int_eq(gnutls_x509_crt_import(issued, &rep.certs[0],
		    GNUTLS_X509_FMT_DER), 0);
		ck_assert_int_eq(gnutls_x509_crt_get_key_id(issued,
		    GNUTLS_KEYID_USE_SHA256, a, &al), 0);
		ck_assert_int_eq(gnutls_x509_crt_get_key_id(client.crt,
		    GNUTLS_KEYID_USE_SHA256, b, &bl), 0);
		ck_assert(al == bl && memcmp(a, b, al) == 0);
		gnutls_x509_crt_deinit(issued);
	} else {
		ck_assert_int_eq(rep.fail, SCEP_BAD_REQUEST);
	}
	scep_reply_clear(&rep);
	gnutls_free(msg.data);
	gnutls_free(csr.data);
	gnutls_x509_crt_deinit(ca);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("scep_peers");
	TCase *tc = tcase_create("scep_peers");
	int n_combos = (int)(sizeof(combos) / sizeof(combos[0]));

	tcase_add_checked_fixture(tc, ids_setup, ids_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_reply_openssl);
	tcase_add_loop_test(tc, test_failure_openssl, 0, n_combos);
	tcase_add_test(tc, test_degenerate);
	tcase_add_test(tc, test_openssl_signed_no_attrs);
	tcase_add_loop_test(tc, test_micromdm_server, 0,
	    (int)(sizeof(mdm_rows) / sizeof(mdm_rows[0])));
	suite_add_tcase(s, tc);
	return s;
}
