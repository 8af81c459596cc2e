/*
 * Tests for src/pki/cms.c: EnvelopedData round trips for every cipher,
 * single DES refused unless allowed, the wrong key or recipient, broken
 * and BER input, and both directions against OpenSSL's cms command.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "cms.h"
#include "util.h"
#include "scep_fixture.h"

static struct rsa_id ra, other;

static void
ids_setup(void)
{
	tmpdir_setup();
	rsa_id_make(&ra, "sipca RA", NULL, GNUTLS_DIG_SHA256);
	rsa_id_make(&other, "someone else", NULL, GNUTLS_DIG_SHA256);
}

static void
ids_teardown(void)
{
	rsa_id_clear(&ra);
	rsa_id_clear(&other);
	tmpdir_teardown();
}

static const enum cms_cipher all_ciphers[] = {
	CMS_DES_CBC, CMS_DES3_CBC, CMS_AES128_CBC, CMS_AES192_CBC, CMS_AES256_CBC,
};

START_TEST(test_names)
{
	ck_assert_str_eq(cms_cipher_name(CMS_AES128_CBC), "aes128-cbc");
	ck_assert_str_eq(cms_cipher_name(CMS_AES256_CBC), "aes256-cbc");
	ck_assert_str_eq(cms_cipher_name(CMS_DES3_CBC), "des3-cbc");
	ck_assert_str_eq(cms_cipher_name(CMS_DES_CBC), "des-cbc");
	ck_assert_str_eq(cms_cipher_name((enum cms_cipher)99), "unknown");
}
END_TEST

/* Every cipher, both forms, contents around the block sizes. */
START_TEST(test_round_trip)
{
	static const size_t sizes[] = { 0, 1, 7, 8, 15, 16, 17, 1000 };
	enum cms_cipher c = all_ciphers[_i], got;
	unsigned char plain[1000];
	gnutls_datum_t in, env, out;
	char err[256];
	size_t s;
	int bare;

	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, plain, sizeof(plain)), 0);
	for (bare = 0; bare <= 1; bare++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			in.data = plain;
			in.size = (unsigned)sizes[s];
			ck_assert_msg(cms_envelope_seal(&in, ra.crt, c, bare, &env, err,
			    sizeof(err)) == 0, "%s", err);
			/* ContentInfo: SEQUENCE { OID ...; bare: SEQUENCE { INTEGER */
			ck_assert_int_eq(env.data[0], 0x30);
			ck_assert_msg(cms_envelope_open(env.data, env.size, ra.crt, ra.key,
			    1, &out, &got, err, sizeof(err)) == 0, "%s %zu: %s",
			    cms_cipher_name(c), sizes[s], err);
			ck_assert_int_eq(got, c);
			ck_assert_uint_eq(out.size, sizes[s]);
			ck_assert(memcmp(out.data, plain, sizes[s]) == 0);
			gnutls_free(out.data);
			gnutls_free(env.data);
		}
}
END_TEST

START_TEST(test_des_refused)
{
	gnutls_datum_t in = { (unsigned char *)"hello", 5 }, env, out = { NULL, 0 };
	enum cms_cipher got;
	char err[256];

	ck_assert_int_eq(cms_envelope_seal(&in, ra.crt, CMS_DES_CBC, 0, &env, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(cms_envelope_open(env.data, env.size, ra.crt, ra.key, 0,
	    &out, &got, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "content encrypted with des-cbc, which is refused");
	ck_assert_ptr_null(out.data);
	ck_assert_int_eq(cms_envelope_open(env.data, env.size, ra.crt, ra.key, 1,
	    &out, &got, err, sizeof(err)), 0);
	ck_assert_int_eq(got, CMS_DES_CBC);
	gnutls_free(out.data);
	gnutls_free(env.data);
}
END_TEST

START_TEST(test_wrong_key)
{
	gnutls_datum_t in = { (unsigned char *)"hello", 5 }, env, out = { NULL, 0 };
	enum cms_cipher got;
	char err[256];

	ck_assert_int_eq(cms_envelope_seal(&in, ra.crt, CMS_AES128_CBC, 0, &env,
	    err, sizeof(err)), 0);
	/* The only recipient is tried with the key given: it fails. */
	ck_assert_int_eq(cms_envelope_open(env.data, env.size, other.crt,
	    other.key, 0, &out, &got, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the key does not decrypt it");
	ck_assert_int_eq(cms_envelope_open(env.data, env.size, ra.crt, other.key,
	    0, &out, &got, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the key does not decrypt it");
	ck_assert_ptr_null(out.data);
	gnutls_free(env.data);
}
END_TEST

/* Every prefix, single-octet changes, garbage: refused, never a crash. */
START_TEST(test_broken_input)
{
	gnutls_datum_t in = { (unsigned char *)"a PKCS#10 request", 17 }, env,
	    out = { NULL, 0 };
	unsigned char garbage[300], *copy;
	enum cms_cipher got;
	char err[256];
	const unsigned char *ek;
	unsigned i;
	int ret;

	ck_assert_int_eq(cms_envelope_seal(&in, ra.crt, CMS_AES256_CBC, 0, &env,
	    err, sizeof(err)), 0);
	for (i = 0; i < env.size; i++) {
		ck_assert_int_eq(cms_envelope_open(env.data, i, ra.crt, ra.key, 0,
		    &out, &got, err, sizeof(err)), -1);
		ck_assert(err[0] != '\0');
	}
	copy = malloc(env.size);
	ck_assert_ptr_nonnull(copy);
	ek = memmem(env.data, env.size, "\x04\x82\x01\x00", 4);
	ck_assert_ptr_nonnull(ek);
	for (i = 0; i < env.size; i++) {
		memcpy(copy, env.data, env.size);
		copy[i] ^= 0x01;
		ret = cms_envelope_open(copy, env.size, ra.crt, ra.key, 0, &out, &got,
		    err, sizeof(err));
		/* A changed key block, or the padding (the last octet of the
		 * block before the last, in CBC): refused. Elsewhere some
		 * changes go unnoticed (the IV, the recipient's name when it is
		 * the only one); none may crash. */
		if ((i >= (unsigned)(ek - env.data) + 4 &&
		    i < (unsigned)(ek - env.data) + 4 + 256) || i == env.size - 17)
			ck_assert_msg(ret == -1, "octet %u", i);
		if (ret == 0)
			gnutls_free(out.data);
	}
	free(copy);
	ck_assert_int_eq(cms_envelope_open((const unsigned char *)"", 0, ra.crt,
	    ra.key, 0, &out, &got, err, sizeof(err)), -1);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, garbage,
		    sizeof(garbage)), 0);
		if (i % 2 == 0)
			memcpy(garbage, env.data, 40);	/* a plausible start */
		ck_assert_int_eq(cms_envelope_open(garbage, sizeof(garbage), ra.crt,
		    ra.key, 0, &out, &got, err, sizeof(err)), -1);
	}
	gnutls_free(env.data);
}
END_TEST

/* Indefinite lengths everywhere and the encrypted content in pieces. */
START_TEST(test_ber)
{
	gnutls_datum_t in = { (unsigned char *)"jscep sends BER, Android too", 28 },
	    env, ber, out;
	enum cms_cipher got;
	char err[256];
	int depth;

	ck_assert_int_eq(cms_envelope_seal(&in, ra.crt, CMS_AES128_CBC, 0, &env,
	    err, sizeof(err)), 0);
	for (depth = 0; depth < 10; depth++) {
		ber = ber_of(&env, depth, 0, 99);
		ck_assert_int_eq(ber.data[1], 0x80);
		ck_assert_msg(cms_envelope_open(ber.data, ber.size, ra.crt, ra.key, 0,
		    &out, &got, err, sizeof(err)) == 0, "depth %d: %s", depth, err);
		ck_assert_uint_eq(out.size, in.size);
		ck_assert(memcmp(out.data, in.data, in.size) == 0);
		gnutls_free(out.data);
		gnutls_free(ber.data);
	}
	gnutls_free(env.data);
}
END_TEST

/* OpenSSL encrypts, sipca opens (DER, and BER with -stream). */
START_TEST(test_openssl_encrypts)
{
	static const struct {
		const char *flag;
		enum cms_cipher c;
	} rows[] = {
		{ "-aes128", CMS_AES128_CBC }, { "-aes192", CMS_AES192_CBC },
		{ "-aes256", CMS_AES256_CBC }, { "-des3", CMS_DES3_CBC },
	};
	const char *text = "a request from OpenSSL\n";
	gnutls_datum_t env, out;
	enum cms_cipher got;
	char err[256], *cmd, *path;
	size_t i;
	int stream;

	rsa_id_write(&ra, "ra");
	path = tmpdir_path("plain");
	file_put(path, text, strlen(text));
	free(path);
	path = tmpdir_path("env.der");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (stream = 0; stream <= 1; stream++) {
			cmd = xasprintf("openssl cms -encrypt -binary %s %s -outform DER "
			    "-in plain -out env.der ra.pem", rows[i].flag,
			    stream ? "-stream" : "");
			ck_assert_int_eq(sh("%s", cmd), 0);
			free(cmd);
			env = file_get(path);
			if (stream)	/* BER: an indefinite length up front */
				ck_assert_int_eq(env.data[1], 0x80);
			ck_assert_msg(cms_envelope_open(env.data, env.size, ra.crt, ra.key,
			    0, &out, &got, err, sizeof(err)) == 0, "%s: %s", rows[i].flag,
			    err);
			ck_assert_int_eq(got, rows[i].c);
			ck_assert_uint_eq(out.size, strlen(text));
			ck_assert(memcmp(out.data, text, out.size) == 0);
			gnutls_free(out.data);
			gnutls_free(env.data);
		}
	free(path);
}
END_TEST

/* Two recipients: the one that is ra by issuer and serial, or by SKI. */
START_TEST(test_openssl_recipients)
{
	const char *text = "for ra";
	struct rsa_id third;
	gnutls_datum_t env, out;
	enum cms_cipher got;
	char err[256], *path;
	int keyid;

	rsa_id_make(&third, "a third", NULL, GNUTLS_DIG_SHA256);
	rsa_id_write(&ra, "ra");
	rsa_id_write(&other, "other");
	path = tmpdir_path("plain");
	file_put(path, text, strlen(text));
	free(path);
	path = tmpdir_path("env.der");
	for (keyid = 0; keyid <= 1; keyid++) {
		ck_assert_int_eq(sh("openssl cms -encrypt -binary -aes256 %s "
		    "-outform DER -in plain -out env.der other.pem ra.pem",
		    keyid ? "-keyid" : ""), 0);
		env = file_get(path);
		ck_assert_msg(cms_envelope_open(env.data, env.size, ra.crt, ra.key, 0,
		    &out, &got, err, sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(out.size, strlen(text));
		gnutls_free(out.data);
		ck_assert_int_eq(cms_envelope_open(env.data, env.size, third.crt,
		    third.key, 0, &out, &got, err, sizeof(err)), -1);
		ck_assert_str_eq(err, "no recipient is this certificate");
		gnutls_free(env.data);
	}
	free(path);
	rsa_id_clear(&third);
}
END_TEST

/* sipca seals, OpenSSL decrypts. */
START_TEST(test_openssl_decrypts)
{
	static const enum cms_cipher cs[] = {
		CMS_DES3_CBC, CMS_AES128_CBC, CMS_AES192_CBC, CMS_AES256_CBC,
	};
	gnutls_datum_t in = { (unsigned char *)"a degenerate SignedData, say", 28 },
	    env, back;
	char err[256], *path, *back_path;
	size_t i;

	rsa_id_write(&ra, "ra");
	path = tmpdir_path("env.der");
	back_path = tmpdir_path("back");
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		ck_assert_int_eq(cms_envelope_seal(&in, ra.crt, cs[i], 0, &env, err,
		    sizeof(err)), 0);
		file_put(path, env.data, env.size);
		ck_assert_int_eq(sh("openssl cms -decrypt -binary -inform DER -in "
		    "env.der -inkey ra.key -recip ra.pem -out back"), 0);
		back = file_get(back_path);
		ck_assert_uint_eq(back.size, in.size);
		ck_assert(memcmp(back.data, in.data, in.size) == 0);
		gnutls_free(back.data);
		gnutls_free(env.data);
		/* and OpenSSL's reading of the structure: version 0, rsaEncryption */
		ck_assert_int_eq(sh("openssl cms -cmsout -print -inform DER -in env.der "
		    "| grep -q \"version: 0\""), 0);
		ck_assert_int_eq(sh("openssl cms -cmsout -print -inform DER -in env.der "
		    "| grep -q rsaEncryption"), 0);
	}
	free(path);
	free(back_path);
}
END_TEST

START_TEST(test_not_rsa)
{
	gnutls_x509_privkey_t k;
	gnutls_x509_crt_t crt;
	gnutls_datum_t in = { (unsigned char *)"x", 1 }, env = { NULL, 0 };
	char err[256];

	ck_assert_int_eq(gnutls_x509_privkey_init(&k), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, "\x01", 1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, time(NULL)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt,
	    time(NULL) + 3600), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(crt, k), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, k, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(cms_envelope_seal(&in, crt, CMS_AES128_CBC, 0, &env, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "not RSA") != NULL);
	ck_assert_ptr_null(env.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(k);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("cms");
	TCase *tc = tcase_create("cms");

	tcase_add_checked_fixture(tc, ids_setup, ids_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_round_trip, 0,
	    (int)(sizeof(all_ciphers) / sizeof(all_ciphers[0])));
	tcase_add_test(tc, test_des_refused);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_broken_input);
	tcase_add_test(tc, test_ber);
	tcase_add_test(tc, test_openssl_encrypts);
	tcase_add_test(tc, test_openssl_recipients);
	tcase_add_test(tc, test_openssl_decrypts);
	tcase_add_test(tc, test_not_rsa);
	suite_add_tcase(s, tc);
	return s;
}
