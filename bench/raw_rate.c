/*
 * raw_rate: the bare GnuTLS cost of what sipca does per certificate of a
 * batch, as the yardstick for bench/batch.sh: generate a key, build a
 * device certificate with the extensions sipca gives one (basicConstraints,
 * keyUsage, extKeyUsage clientAuth, a SIP URI subjectAltName, SKI, AKI)
 * and sign it with a CA key. One thread, no store, no files, no lint.
 *
 *   raw_rate p256|rsa2048 COUNT
 *
 * prints "raw TYPE: COUNT in SECONDS s: RATE/s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "bench_clock.h"

#define CHECK(expr) do { int r_ = (expr); if (r_ < 0) { \
	fprintf(stderr, "raw_rate: %s: %s\n", #expr, gnutls_strerror(r_)); \
	exit(3); } } while (0)

static void
make_key(gnutls_pk_algorithm_t algo, unsigned bits, gnutls_privkey_t *out)
{
	gnutls_x509_privkey_t x;

	CHECK(gnutls_x509_privkey_init(&x));
	CHECK(gnutls_x509_privkey_generate2(x, algo, bits, 0, NULL, 0));
	CHECK(gnutls_privkey_init(out));
	CHECK(gnutls_privkey_import_x509(*out, x, GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE));
}

/* A P-256 CA like the one 'sipca init --key p256' makes. */
static void
make_ca(gnutls_x509_crt_t *out_crt, gnutls_privkey_t *out_key)
{
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;
	unsigned char id[64];
	size_t id_len = sizeof(id);
	time_t t = time(NULL);

	make_key(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	    out_key);
	CHECK(gnutls_pubkey_init(&pub));
	CHECK(gnutls_pubkey_import_privkey(pub, *out_key, 0, 0));
	CHECK(gnutls_x509_crt_init(&crt));
	CHECK(gnutls_x509_crt_set_version(crt, 3));
	CHECK(gnutls_x509_crt_set_serial(crt, "\x01", 1));
	CHECK(gnutls_x509_crt_set_pubkey(crt, pub));
	CHECK(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    "bench SIP CA", 12));
	CHECK(gnutls_x509_crt_set_activation_time(crt, t));
	CHECK(gnutls_x509_crt_set_expiration_time(crt, t + 3650L * 86400));
	CHECK(gnutls_x509_crt_set_basic_constraints(crt, 1, 0));
	CHECK(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN));
	CHECK(gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id, &id_len));
	CHECK(gnutls_x509_crt_set_subject_key_id(crt, id, id_len));
	CHECK(gnutls_x509_crt_privkey_sign(crt, crt, *out_key, GNUTLS_DIG_SHA256, 0));
	gnutls_pubkey_deinit(pub);
	*out_crt = crt;
}

static void
one(gnutls_pk_algorithm_t algo, unsigned bits, gnutls_x509_crt_t ca,
    gnutls_privkey_t ca_key, const unsigned char *ca_id, size_t ca_id_len,
    unsigned i)
{
	gnutls_privkey_t key;
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	unsigned char serial[20], id[64];
	size_t id_len = sizeof(id);
	char cn[32], uri[64];
	unsigned usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	time_t t = time(NULL);

	make_key(algo, bits, &key);
	CHECK(gnutls_pubkey_init(&pub));
	CHECK(gnutls_pubkey_import_privkey(pub, key, 0, 0));
	CHECK(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)));
	serial[0] = (serial[0] & 0x7f) | 1;
	snprintf(cn, sizeof(cn), "phone%u", i);
	snprintf(uri, sizeof(uri), "sip:phone%u@example.com", i);
	CHECK(gnutls_x509_crt_init(&crt));
	CHECK(gnutls_x509_crt_set_version(crt, 3));
	CHECK(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
	CHECK(gnutls_x509_crt_set_pubkey(crt, pub));
	CHECK(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, strlen(cn)));
	CHECK(gnutls_x509_crt_set_activation_time(crt, t));
	CHECK(gnutls_x509_crt_set_expiration_time(crt, t + 825L * 86400));
	CHECK(gnutls_x509_crt_set_basic_constraints(crt, 0, -1));
	if (algo == GNUTLS_PK_RSA)
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	CHECK(gnutls_x509_crt_set_key_usage(crt, usage));
	CHECK(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0));
	CHECK(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_URI, uri,
	    strlen(uri), GNUTLS_FSAN_APPEND));
	CHECK(gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id, &id_len));
	CHECK(gnutls_x509_crt_set_subject_key_id(crt, id, id_len));
	CHECK(gnutls_x509_crt_set_authority_key_id(crt, ca_id, ca_id_len));
	CHECK(gnutls_x509_crt_privkey_sign(crt, ca, ca_key, GNUTLS_DIG_SHA256, 0));
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
}

int
main(int argc, char **argv)
{
	gnutls_pk_algorithm_t algo;
	gnutls_x509_crt_t ca;
	gnutls_privkey_t ca_key;
	unsigned char ca_id[64];
	size_t ca_id_len = sizeof(ca_id);
	unsigned bits, count, i, critical;
	double t0, dt;

	if (argc != 3 || (strcmp(argv[1], "p256") != 0 &&
	    strcmp(argv[1], "rsa2048") != 0) || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: raw_rate p256|rsa2048 COUNT\n");
		return 2;
	}
	if (strcmp(argv[1], "p256") == 0) {
		algo = GNUTLS_PK_ECDSA;
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
	} else {
		algo = GNUTLS_PK_RSA;
		bits = 2048;
	}
	count = (unsigned)atoi(argv[2]);
	CHECK(gnutls_global_init());
	make_ca(&ca, &ca_key);
	CHECK(gnutls_x509_crt_get_subject_key_id(ca, ca_id, &ca_id_len, &critical));
	t0 = now();
	for (i = 0; i < count; i++)
		one(algo, bits, ca, ca_key, ca_id, ca_id_len, i);
	dt = now() - t0;
	printf("raw %s: %u in %.2f s: %.0f/s\n", argv[1], count, dt,
	    (double)count / dt);
	gnutls_x509_crt_deinit(ca);
	gnutls_privkey_deinit(ca_key);
	gnutls_global_deinit();
	return 0;
}
