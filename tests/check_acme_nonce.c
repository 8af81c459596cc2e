/*
 * check_acme_nonce: ACME's nonces (src/net/acme_nonce.c): each taken
 * back once, only this pool's, only the last window's, from any thread.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "acme_nonce.h"

START_TEST(test_once)
{
	struct acme_nonces *p = acme_nonces_new(1024);
	char a[ACME_NONCE_LEN + 1], b[ACME_NONCE_LEN + 1];

	ck_assert_ptr_nonnull(p);
	acme_nonce_issue(p, a);
	acme_nonce_issue(p, b);
	ck_assert_uint_eq(strlen(a), ACME_NONCE_LEN);
	ck_assert_str_ne(a, b);
	/* in any order, each once */
	ck_assert_int_eq(acme_nonce_redeem(p, b), 1);
	ck_assert_int_eq(acme_nonce_redeem(p, a), 1);
	ck_assert_int_eq(acme_nonce_redeem(p, a), 0);
	ck_assert_int_eq(acme_nonce_redeem(p, b), 0);
	acme_nonces_free(p);
}
END_TEST

START_TEST(test_forged)
{
	struct acme_nonces *p = acme_nonces_new(1024), *q = acme_nonces_new(1024);
	char a[ACME_NONCE_LEN + 1], f[ACME_NONCE_LEN + 1];
	size_t i;

	acme_nonce_issue(p, a);
	/* another pool's (a restarted server's) nonce, with the same counter */
	acme_nonce_issue(q, f);
	ck_assert_int_eq(acme_nonce_redeem(p, f), 0);
	/* any one character changed */
	for (i = 0; i < ACME_NONCE_LEN; i++) {
		memcpy(f, a, sizeof(f));
		f[i] = f[i] == 'A' ? 'B' : 'A';
		ck_assert_int_eq(acme_nonce_redeem(p, f), 0);
	}
	ck_assert_int_eq(acme_nonce_redeem(p, ""), 0);
	ck_assert_int_eq(acme_nonce_redeem(p, NULL), 0);
	ck_assert_int_eq(acme_nonce_redeem(p, "not a nonce at all, not at all!!"), 0);
	ck_assert_int_eq(acme_nonce_redeem(p, a), 1);
	acme_nonces_free(p);
	acme_nonces_free(q);
}
END_TEST

START_TEST(test_window)
{
	struct acme_nonces *p = acme_nonces_new(64);
	char first[ACME_NONCE_LEN + 1], second[ACME_NONCE_LEN + 1], n[ACME_NONCE_LEN + 1];
	int i;

	acme_nonce_issue(p, first);
	acme_nonce_issue(p, second);
	for (i = 0; i < 63; i++)
		acme_nonce_issue(p, n);
	/* 65 issued: the first has left the window, the second not */
	ck_assert_int_eq(acme_nonce_redeem(p, first), 0);
	ck_assert_int_eq(acme_nonce_redeem(p, second), 1);
	ck_assert_int_eq(acme_nonce_redeem(p, n), 1);
	acme_nonces_free(p);
}
END_TEST

#define THREADS 4
#define EACH 5000

static void *
churn(void *arg)
{
	struct acme_nonces *p = arg;
	char n[ACME_NONCE_LEN + 1];
	long bad = 0;
	int i;

	for (i = 0; i < EACH; i++) {
		acme_nonce_issue(p, n);
		bad += acme_nonce_redeem(p, n) != 1;
		bad += acme_nonce_redeem(p, n) != 0;
	}
	return (void *)bad;
}

START_TEST(test_threads)
{
	struct acme_nonces *p = acme_nonces_new(THREADS * EACH);
	pthread_t t[THREADS];
	void *bad;
	int i;

	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, p), 0);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_ptr_null(bad);
	}
	acme_nonces_free(p);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("acme_nonce");
	TCase *tc = tcase_create("nonce");

	tcase_add_test(tc, test_once);
	tcase_add_test(tc, test_forged);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
