/*
 * check_signer: src/authority/signer.c on stores in a temporary
 * directory: the CA unlocked with a plain key, an encrypted one and its
 * passphrase file, a wrong passphrase, a key that is not the CA's; the
 * store's settings for signing; what store errors mean.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "report.h"
#include "signer.h"
#include "store.h"
#include "util.h"

#include "fixture_ca.h"
#include "tmpdir.h"

/* A store named NAME under tmpdir holding cert_of's certificate and key_of's key. */
static char *
make_store(const char *name, const struct ca *cert_of, const gnutls_datum_t *key,
    const char *const *settings)
{
	char *dir = xasprintf("%s/%s", tmpdir, name);
	struct store *s = NULL;

	ck_assert_int_eq(store_open(dir, STORE_CREATE, &s, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(s, (const char *)cert_of->pem.data,
	    cert_of->pem.size, (const char *)key->data, key->size, settings),
	    STORE_OK);
	store_close(s);
	return dir;
}

static const char *const with_domain[] = { "domain", "example.com", NULL };

START_TEST(test_plain_key)
{
	gnutls_datum_t key = { NULL, 0 };
	struct ca *made = fixture_ca(NULL, NULL, &key), *ca = NULL;
	char *dir = make_store("plain", made, &key, with_domain);
	struct store *s = NULL;
	struct report rep = { NULL, 0 };

	ck_assert_int_eq(signer_open_store(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(signer_open(s, 0, NULL, &ca, &rep), RESULT_OK);
	ck_assert_ptr_null(ca->key);
	ca_free(ca);
	ca = NULL;
	ck_assert_int_eq(signer_open(s, 1, NULL, &ca, &rep), RESULT_OK);
	ck_assert_ptr_nonnull(ca->key);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_uint_eq(ca->pem.size, made->pem.size);
	ca_free(ca);
	store_close(s);
	ca_free(made);
	gnutls_free(key.data);
	free(dir);
}
END_TEST

START_TEST(test_encrypted_key)
{
	gnutls_datum_t key = { NULL, 0 };
	struct ca *made = fixture_ca("correct horse", NULL, &key), *ca = NULL;
	char *dir = make_store("enc", made, &key, with_domain);
	char *good = xasprintf("%s/good", tmpdir), *bad = xasprintf("%s/bad", tmpdir);
	struct store *s = NULL;
	struct report rep = { NULL, 0 };
	struct signer_secrets bad_sec = { bad, NULL }, good_sec = { good, NULL };
	struct signer_secrets pin_only = { NULL, good };

	tmpdir_write(good, "correct horse\n");
	tmpdir_write(bad, "battery staple\n");
	ck_assert_int_eq(signer_open_store(dir, 0, &s, NULL), STORE_OK);
	/* A PIN file for a key file is a mistake said as one, not a prompt. */
	ck_assert_int_eq(signer_open(s, 1, &pin_only, &ca, &rep), RESULT_E_INPUT);
	ck_assert_ptr_null(ca);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, "the CA key is a file (ca.key),"
	    " encrypted, not on a token: --pin-file is for a token's PIN; give"
	    " --passphrase-file FILE");
	report_clear(&rep);
	ck_assert_int_eq(signer_open(s, 1, &bad_sec, &ca, &rep), RESULT_E_INPUT);
	ck_assert_ptr_null(ca);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, "wrong passphrase for the CA key");
	report_clear(&rep);
	ck_assert_int_eq(signer_open(s, 1, &good_sec, &ca, &rep), RESULT_OK);
	ck_assert_ptr_nonnull(ca->key);
	ck_assert_uint_eq(rep.n, 0);
	ca_free(ca);
	store_close(s);
	ca_free(made);
	gnutls_free(key.data);
	free(dir);
	free(good);
	free(bad);
}
END_TEST

START_TEST(test_key_not_the_cas)
{
	gnutls_datum_t key1 = { NULL, 0 }, key2 = { NULL, 0 };
	struct ca *one = fixture_ca(NULL, NULL, &key1), *ca = NULL;
	struct ca *two = fixture_ca(NULL, NULL, &key2);
	char *dir = make_store("mixed", one, &key2, with_domain), *want;
	struct store *s = NULL;
	struct report rep = { NULL, 0 };

	ck_assert_int_eq(signer_open_store(dir, 0, &s, NULL), STORE_OK);
	ck_assert_int_eq(signer_open(s, 1, NULL, &ca, &rep), RESULT_E_FAILED);
	ck_assert_ptr_null(ca);
	ck_assert_uint_eq(rep.n, 1);
	want = xasprintf("%s/ca.key: the key does not belong to ca.pem", store_dir(s));
	ck_assert_str_eq(rep.lines[0].text, want);
	free(want);
	report_clear(&rep);
	store_close(s);
	ca_free(one);
	ca_free(two);
	gnutls_free(key1.data);
	gnutls_free(key2.data);
	free(dir);
}
END_TEST

START_TEST(test_signing)
{
	static const char *const settings[] = { "domain", "example.com",
	    "crl_url", "http://crl.example.com/ca.crl", NULL };
	static const char *const none[] = { "created_at", "now", NULL };
	gnutls_datum_t key = { NULL, 0 };
	struct ca *made = fixture_ca(NULL, NULL, &key);
	char *dir = make_store("signing", made, &key, settings);
	char *bare = make_store("bare", made, &key, none);
	char *missing = xasprintf("%s/missing", tmpdir), *want;
	struct signing sg;
	struct report rep = { NULL, 0 };

	ck_assert_int_eq(signing_open(dir, 0, 1, &sg, &rep), RESULT_OK);
	ck_assert_str_eq(sg.domain, "example.com");
	ck_assert_str_eq(sg.crl_url, "http://crl.example.com/ca.crl");
	ck_assert_ptr_null(sg.ca);
	ck_assert_int_eq(signing_unlock(&sg, NULL, &rep), RESULT_OK);
	ck_assert_ptr_nonnull(sg.ca->key);
	signing_clear(&sg);
	ck_assert_ptr_null(sg.store);
	signing_clear(NULL);

	ck_assert_int_eq(signing_open(bare, 0, 1, &sg, &rep), RESULT_E_FAILED);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, "the store has no SIP domain setting");
	report_clear(&rep);
	/* crl and revoke sign without one. */
	ck_assert_int_eq(signing_open(bare, 0, 0, &sg, &rep), RESULT_OK);
	ck_assert_ptr_null(sg.domain);
	ck_assert_ptr_null(sg.crl_url);
	ck_assert_uint_eq(rep.n, 0);
	signing_clear(&sg);

	/* Not a store: the input's fault (exit 2), as a missing CA is. */
	ck_assert_int_eq(signing_open(missing, 0, 1, &sg, &rep), RESULT_E_INPUT);
	ck_assert_ptr_null(sg.store);
	/* The store's own words, in the report (the store prints nothing). */
	want = xasprintf("no CA store at '%s' (run 'sipca init' first)", missing);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, want);
	report_clear(&rep);
	free(want);
	ca_free(made);
	gnutls_free(key.data);
	free(dir);
	free(bare);
	free(missing);
}
END_TEST

START_TEST(test_store_result)
{
	ck_assert_int_eq(signer_store_result(STORE_OK), RESULT_OK);
	ck_assert_int_eq(signer_store_result(STORE_E_NOTFOUND), RESULT_E_INPUT);
	ck_assert_int_eq(signer_store_result(STORE_E_NAME_TAKEN), RESULT_E_INPUT);
	ck_assert_int_eq(signer_store_result(STORE_E_EXISTS), RESULT_E_INPUT);
	ck_assert_int_eq(signer_store_result(STORE_E_NOCA), RESULT_E_INPUT);
	ck_assert_int_eq(signer_store_result(STORE_E_IO), RESULT_E_FAILED);
	ck_assert_int_eq(signer_store_result(STORE_E_BUSY), RESULT_E_FAILED);
	ck_assert_int_eq(signer_store_result(STORE_E_SERIAL_TAKEN), RESULT_E_FAILED);
	ck_assert_int_eq(signer_store_result(STORE_E_UNSAFE), RESULT_E_FAILED);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("signer");
	TCase *tc = tcase_create("signer");

	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_plain_key);
	tcase_add_test(tc, test_encrypted_key);
	tcase_add_test(tc, test_key_not_the_cas);
	tcase_add_test(tc, test_signing);
	tcase_add_test(tc, test_store_result);
	suite_add_tcase(s, tc);
	return s;
}
