/*
 * check_pkcs11: src/pki/pkcs11.c. What of a URI is kept (no PIN, RFC
 * 7512), the PIN file read before any token is touched, and on a
 * SoftHSM2 token made for each test (as tests/cli/pkcs11.sh makes one):
 * a CA key generated, found again, matched against certificates,
 * refused with a wrong PIN, and removed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs11.h>

#include "ca.h"
#include "pkcs11.h"
#include "report.h"
#include "util.h"

#include "fixture_ca.h"
#include "tmpdir.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define PIN "73915064"
#define TOKEN "pkcs11:token=sipca-suite"

/* A fresh token in its own SoftHSM2 directory, before GnuTLS loads the module. */
static void
setup_token(void)
{
	char *conf, *tokens, *text, *cmd;

	tmpdir_setup();
	conf = tmpdir_path("softhsm2.conf");
	tokens = tmpdir_path("tokens");
	ck_assert_int_eq(mkdir(tokens, 0700), 0);
	text = xasprintf("directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", tokens);
	tmpdir_write(conf, text);
	ck_assert_int_eq(setenv("SOFTHSM2_CONF", conf, 1), 0);
	cmd = xasprintf("softhsm2-util --init-token --free --label sipca-suite"
	    " --so-pin 1029384756 --pin %s >/dev/null", PIN);
	ck_assert_msg(system(cmd) == 0, "softhsm2-util is needed (make deps)");
	free(cmd);
	free(text);
	free(conf);
	free(tokens);
}

/*
 * The module goes with the token: without a fork per test (CK_FORK=no,
 * valgrind), the next test's token is loaded afresh.
 */
static void
teardown_token(void)
{
	gnutls_pkcs11_deinit();
	tmpdir_teardown();
}

static const struct {
	const char *uri;
	const char *want;	/* the stripped URI, or NULL */
	const char *reason;
} uris[] = {
	{ "pkcs11:token=a;object=k", "pkcs11:token=a;object=k", NULL },
	{ "pkcs11:token=a;pin-value=1234;object=k", "pkcs11:token=a;object=k", NULL },
	{ "pkcs11:token=a?pin-value=1234", "pkcs11:token=a", NULL },
	{ "pkcs11:token=a?module-name=softhsm2&pin-source=/p",
	  "pkcs11:token=a?module-name=softhsm2", NULL },
	{ "pkcs11:pin-source=file:/p;token=a", "pkcs11:token=a", NULL },
	{ "file:/etc/key", NULL, "not a PKCS#11 URI (RFC 7512: 'pkcs11:token=...')" },
	{ "pkcs11:token=a b", NULL, "a space or control character (percent-encode it)" },
};

START_TEST(test_uri_strip_pin)
{
	const char *reason = NULL;
	char *out = pkcs11_uri_strip_pin(uris[_i].uri, &reason);

	ck_assert_int_eq(pkcs11_is_uri(uris[_i].uri), uris[_i].want != NULL ||
	    strncmp(uris[_i].uri, "pkcs11:", 7) == 0);
	if (uris[_i].want == NULL) {
		ck_assert_ptr_null(out);
		ck_assert_str_eq(reason, uris[_i].reason);
	} else
		ck_assert_str_eq(out, uris[_i].want);
	free(out);
}
END_TEST

START_TEST(test_uri_too_long)
{
	char *uri = xmalloc(4200);
	const char *reason = NULL;

	memcpy(uri, "pkcs11:token=", 13);
	memset(uri + 13, 'a', 4200 - 14);
	uri[4199] = '\0';
	ck_assert_ptr_null(pkcs11_uri_strip_pin(uri, &reason));
	ck_assert_str_eq(reason, "longer than 4096 characters");
	ck_assert_int_eq(pkcs11_is_uri(NULL), 0);
	free(uri);
}
END_TEST

/* The PIN file is read at setup, before any token is touched. */
START_TEST(test_pin_setup)
{
	char *pin = tmpdir_path("pin"), *empty = tmpdir_path("empty");
	char *missing = tmpdir_path("missing"), *want;
	struct report rep = { NULL, 0 };

	tmpdir_write(pin, PIN "\n");
	tmpdir_write(empty, "");
	ck_assert_int_eq(pkcs11_pin_setup(NULL, "--pin-file", NULL), RESULT_OK);
	ck_assert_int_eq(pkcs11_pin_setup(pin, "--pin-file", NULL), RESULT_OK);
	ck_assert_int_eq(pkcs11_pin_setup(missing, "--pin-file", NULL), RESULT_E_INPUT);
	ck_assert_int_eq(pkcs11_pin_setup(empty, "--pin-file", &rep), RESULT_E_INPUT);
	ck_assert_int_eq(pkcs11_pin_setup(tmpdir, "--pin-file", NULL), RESULT_E_INPUT);
	/* Why is the report's, in secret_from_file()'s words. */
	want = xasprintf("passphrase file is empty: '%s'", empty);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.lines[0].text, want);
	report_clear(&rep);
	free(want);
	free(pin);
	free(empty);
	free(missing);
}
END_TEST

START_TEST(test_token_key)
{
	char *pin = tmpdir_path("pin");
	char *url = NULL, *again = NULL, *want;
	gnutls_privkey_t key = NULL, key2 = NULL;
	struct report rep = { NULL, 0 };
	struct ca *mine, *other;
	int generated = -1, match = -1;

	tmpdir_write(pin, PIN "\n");
	ck_assert_int_eq(pkcs11_pin_setup(pin, "--pin-file", NULL), RESULT_OK);
	ck_assert_int_eq(pkcs11_ca_key(TOKEN, KEY_P256, &url, &key, &generated,
	    &rep), RESULT_OK);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(generated, 1);
	ck_assert_ptr_nonnull(strstr(url, "object=sipca-ca"));
	ck_assert_ptr_nonnull(strstr(url, "type=private"));
	ck_assert_ptr_null(strstr(url, "pin-"));

	mine = fixture_ca(NULL, key, NULL);
	ck_assert_int_eq(pkcs11_key_matches(url, mine->crt, &match, &rep), RESULT_OK);
	ck_assert_int_eq(match, 1);
	other = fixture_ca(NULL, NULL, NULL);
	ck_assert_int_eq(pkcs11_key_matches(url, other->crt, &match, &rep),
	    RESULT_OK);
	ck_assert_int_eq(match, 0);

	/* Found, not made, the second time. */
	ck_assert_int_eq(pkcs11_ca_key(TOKEN, KEY_P256, &again, &key2, &generated,
	    &rep), RESULT_OK);
	ck_assert_int_eq(generated, 0);
	ck_assert_str_eq(again, url);

	ck_assert_int_eq(pkcs11_delete_key(url, TOKEN, &rep), RESULT_OK);
	ck_assert_uint_eq(rep.n, 1);
	want = xasprintf("the key generated on the token is removed again: '");
	ck_assert_msg(strncmp(rep.lines[0].text, want, strlen(want)) == 0, "%s",
	    rep.lines[0].text);
	free(want);
	report_clear(&rep);
	gnutls_privkey_deinit(key2);
	gnutls_privkey_deinit(key);
	ca_free(mine);
	ca_free(other);
	free(url);
	free(again);
	free(pin);
}
END_TEST

START_TEST(test_wrong_pin)
{
	char *wrong = tmpdir_path("wrong"), *url = NULL;
	gnutls_privkey_t key = NULL;
	struct report rep = { NULL, 0 };
	int generated = -1;

	tmpdir_write(wrong, "1111\n");
	ck_assert_int_eq(pkcs11_pin_setup(wrong, "--pin-file", NULL), RESULT_OK);
	ck_assert_int_eq(pkcs11_ca_key(TOKEN, KEY_P256, &url, &key, &generated,
	    &rep), RESULT_E_INPUT);
	ck_assert_ptr_null(url);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_msg(strstr(rep.lines[0].text, "cannot search the token: the token"
	    " refused the PIN: 'pkcs11:token=sipca-suite'") == rep.lines[0].text,
	    "%s", rep.lines[0].text);
	report_clear(&rep);
	free(wrong);
}
END_TEST

START_TEST(test_no_such_token)
{
	char *pin = tmpdir_path("pin"), *url = NULL;
	gnutls_privkey_t key = NULL;
	struct report rep = { NULL, 0 };
	int generated = -1;

	tmpdir_write(pin, PIN "\n");
	ck_assert_int_eq(pkcs11_pin_setup(pin, "--pin-file", NULL), RESULT_OK);
	ck_assert_int_eq(pkcs11_ca_key("pkcs11:token=absent", KEY_P256, &url, &key,
	    &generated, &rep), RESULT_E_INPUT);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_msg(strstr(rep.lines[0].text, "no token or key matches") != NULL,
	    "%s", rep.lines[0].text);
	report_clear(&rep);
	free(pin);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("pkcs11");
	TCase *uri = tcase_create("uri"), *token = tcase_create("token");

	tcase_add_checked_fixture(uri, tmpdir_setup, tmpdir_teardown);
	tcase_add_loop_test(uri, test_uri_strip_pin, 0, nitems(uris));
	tcase_add_test(uri, test_uri_too_long);
	tcase_add_test(uri, test_pin_setup);
	suite_add_tcase(s, uri);
	tcase_add_checked_fixture(token, setup_token, teardown_token);
	tcase_set_timeout(token, 60);
	tcase_add_test(token, test_token_key);
	tcase_add_test(token, test_wrong_pin);
	tcase_add_test(token, test_no_such_token);
	suite_add_tcase(s, token);
	return s;
}
