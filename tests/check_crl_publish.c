/*
 * check_crl_publish: src/authority/crl_publish.c on a store made in a
 * temporary directory. What is published is what a relying party reads
 * back from DIR/crl.pem: signed by the CA, numbered afresh each time
 * (RFC 5280 5.2.3), listing exactly the revoked certificates with their
 * reasons (5.3.1), valid for the days asked from sipca's clock.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "crl_publish.h"
#include "report.h"
#include "fileio.h"
#include "store.h"
#include "util.h"

#define DAY	86400

static char tmpdir[64];
static char *dir;
static struct store *store;
static struct ca *ca;

static void
setup(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	struct ca_params p;
	gnutls_datum_t key_pem = { NULL, 0 };
	time_t t = time(NULL);
	char now[32];

	/*
	 * The test clock: this_update is exactly now. It is the real time
	 * (to the second), not a fixed date: gnutls_x509_crl_verify judges
	 * nextUpdate by the real clock, so a fixed date would make the CRL
	 * superseded once its week had passed.
	 */
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	setenv("SIPCA_NOW", now, 1);
	strcpy(tmpdir, "/tmp/check_crl_publish.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	dir = xasprintf("%s/ca", tmpdir);
	memset(&p, 0, sizeof(p));
	p.common_name = "example.com SIP CA";
	p.key_type = KEY_P256;
	p.days = 3650;
	p.not_before = sipca_now() - 30 * DAY;
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key_pem), 0);
	ck_assert_int_eq(store_open(dir, STORE_CREATE, &store, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(store, (const char *)ca->pem.data,
	    ca->pem.size, (const char *)key_pem.data, key_pem.size, settings),
	    STORE_OK);
	gnutls_memset(key_pem.data, 0, key_pem.size);
	gnutls_free(key_pem.data);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	store_close(store);
	store = NULL;
	ca_free(ca);
	ca = NULL;
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
	unsetenv("SIPCA_NOW");
}

/* Records a certificate row for name; the files are placeholders. */
static void
issue(const char *serial, const char *name)
{
	struct store_issue it;

	memset(&it, 0, sizeof(it));
	it.serial = serial;
	it.name = name;
	it.kind = "device";
	it.subject = "CN=x";
	it.sans = "URI:sip:x@example.com";
	it.not_before = sipca_now() - DAY;
	it.not_after = sipca_now() + 90 * DAY;
	it.key_source = "generated";
	it.key_type = "p256";
	it.cert_pem = "CERT\n";
	it.chain_pem = "CHAIN\n";
	it.key_pem = "KEY\n";
	it.key_pem_len = 4;
	ck_assert_int_eq(store_issue(store, &it, 1, 0), STORE_OK);
}

static void
revoke_row(const char *serial, time_t when, const char *reason)
{
	const char *serials[] = { serial };

	ck_assert_int_eq(store_revoke(store, serials, 1, when, reason), STORE_OK);
}

/* DIR/crl.pem as a relying party reads it, checked against the CA. */
static gnutls_x509_crl_t
read_published(const struct crl_published *pub)
{
	char *path = xasprintf("%s/crl.pem", dir);
	unsigned char *data = NULL;
	size_t len = 0;
	gnutls_datum_t d;
	gnutls_x509_crl_t crl;
	gnutls_x509_crt_t issuer;
	unsigned verify = 1;
	struct stat st;

	ck_assert_int_eq(read_file(path, 1 << 20, &data, &len), 0);
	ck_assert_uint_eq(len, pub->pem.size);
	ck_assert_mem_eq(data, pub->pem.data, len);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);	/* public */
	d.data = data;
	d.size = (unsigned)len;
	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&issuer), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(issuer, &ca->pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crl_verify(crl, &issuer, 1, 0, &verify), 0);
	ck_assert_uint_eq(verify, 0);
	gnutls_x509_crt_deinit(issuer);
	free(data);
	free(path);
	return crl;
}

static unsigned long long
crl_number(gnutls_x509_crl_t crl)
{
	unsigned char num[32];
	size_t len = sizeof(num), i;
	unsigned long long n = 0;

	ck_assert_int_eq(gnutls_x509_crl_get_number(crl, num, &len, NULL), 0);
	for (i = 0; i < len; i++)
		n = n << 8 | num[i];
	return n;
}

/* The entry's reasonCode extension (2.5.29.21) with this value is in der. */
static int
has_reason(const gnutls_datum_t *der, int reason)
{
	const unsigned char want[] = { 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01,
		(unsigned char)reason };

	return memmem(der->data, der->size, want, sizeof(want)) != NULL;
}

START_TEST(test_empty)
{
	struct crl_published pub;
	gnutls_x509_crl_t crl;

	memset(&pub, 0, sizeof(pub));
	ck_assert_int_eq(crl_publish(store, ca, 30, &pub, NULL), 0);
	ck_assert_uint_eq(pub.number, 1);
	ck_assert_uint_eq(pub.entries, 0);
	ck_assert_int_eq(pub.this_update, sipca_now());
	ck_assert_int_eq(pub.next_update, sipca_now() + 30 * DAY);
	ck_assert_uint_gt(pub.der.size, 0);
	crl = read_published(&pub);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_get_this_update(crl), pub.this_update);
	ck_assert_int_eq(gnutls_x509_crl_get_next_update(crl), pub.next_update);
	ck_assert_uint_eq(crl_number(crl), 1);
	gnutls_x509_crl_deinit(crl);
	crl_published_clear(&pub);
	ck_assert_ptr_null(pub.der.data);
	ck_assert_ptr_null(pub.pem.data);
	crl_published_clear(&pub);		/* twice is harmless */
}
END_TEST

/* Every revoked row and nothing else, with its time and reason. */
START_TEST(test_revoked_entries)
{
	struct crl_published pub;
	gnutls_x509_crl_t crl;
	unsigned char serial[32];
	size_t len;
	time_t when, t = sipca_now() - 3600;
	int i, seen_a = 0, seen_c = 0;

	issue("0a01", "alice");
	issue("0b02", "bob");
	issue("0c03", "carol");
	revoke_row("0a01", t, "keyCompromise");
	revoke_row("0c03", t + 60, "unspecified");
	memset(&pub, 0, sizeof(pub));
	ck_assert_int_eq(crl_publish(store, ca, 7, &pub, NULL), 0);
	ck_assert_uint_eq(pub.entries, 2);
	crl = read_published(&pub);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), 2);
	for (i = 0; i < 2; i++) {
		len = sizeof(serial);
		ck_assert_int_eq(gnutls_x509_crl_get_crt_serial(crl, i, serial, &len,
		    &when), 0);
		ck_assert_uint_eq(len, 2);
		if (serial[0] == 0x0a && serial[1] == 0x01) {
			seen_a++;
			ck_assert_int_eq(when, t);
		} else if (serial[0] == 0x0c && serial[1] == 0x03) {
			seen_c++;
			ck_assert_int_eq(when, t + 60);
		}
	}
	ck_assert_int_eq(seen_a, 1);
	ck_assert_int_eq(seen_c, 1);
	/* keyCompromise (1) is encoded; unspecified (0) is left out (5.3.1). */
	ck_assert(has_reason(&pub.der, 1));
	ck_assert(!has_reason(&pub.der, 0));
	ck_assert_int_eq(gnutls_x509_crl_get_next_update(crl), sipca_now() + 7 * DAY);
	gnutls_x509_crl_deinit(crl);
	crl_published_clear(&pub);
}
END_TEST

/* Each CRL a higher number than the last, the file the newest one. */
START_TEST(test_numbers_increase)
{
	struct crl_published first, second;
	gnutls_x509_crl_t crl;

	memset(&first, 0, sizeof(first));
	memset(&second, 0, sizeof(second));
	ck_assert_int_eq(crl_publish(store, ca, 30, &first, NULL), 0);
	issue("0d04", "dave");
	revoke_row("0d04", sipca_now(), "superseded");
	ck_assert_int_eq(crl_publish(store, ca, 30, &second, NULL), 0);
	ck_assert_uint_gt(second.number, first.number);
	ck_assert_uint_eq(second.entries, 1);
	crl = read_published(&second);
	ck_assert_uint_eq(crl_number(crl), second.number);
	ck_assert(has_reason(&second.der, 4));		/* superseded */
	gnutls_x509_crl_deinit(crl);
	crl_published_clear(&first);
	crl_published_clear(&second);
}
END_TEST

/*
 * When DIR/crl.pem cannot be written (a directory stands there), the call
 * fails, hands out nothing, and leaves the store unlocked for the next.
 */
START_TEST(test_write_fails)
{
	struct crl_published pub;
	struct report rep = { NULL, 0 };
	char *path = xasprintf("%s/crl.pem", dir);

	ck_assert_int_eq(mkdir(path, 0755), 0);
	memset(&pub, 0, sizeof(pub));
	ck_assert_int_ne(crl_publish(store, ca, 30, &pub, &rep), 0);
	ck_assert_ptr_null(pub.der.data);
	ck_assert_ptr_null(pub.pem.data);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(crl_publish(store, ca, 30, &pub, NULL), 0);
	crl_published_clear(&pub);
	ck_assert_int_eq(path_exists(path), 1);
	report_clear(&rep);
	free(path);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("crl_publish");
	TCase *tc = tcase_create("publish");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_revoked_entries);
	tcase_add_test(tc, test_numbers_increase);
	tcase_add_test(tc, test_write_fails);
	suite_add_tcase(s, tc);
	return s;
}
