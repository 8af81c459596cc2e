/*
 * scep_ids: the fuzz targets' RA and client, RSA keys made from fixed
 * seeds (provable primes, FIPS 186-4, so the same key every run) and
 * certificates with fixed fields: seeds in tests/fuzz/cms and
 * tests/fuzz/scep_msg made for them stay decryptable, and reach past
 * the key transport. No key is stored anywhere.
 */
#ifndef SIPCA_FUZZ_SCEP_IDS_H
#define SIPCA_FUZZ_SCEP_IDS_H

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

struct fuzz_id {
	gnutls_x509_crt_t crt;
	gnutls_privkey_t key;
};

/* 0, or -1 when GnuTLS refuses: the target then does nothing. */
static int
fuzz_id_make(struct fuzz_id *out, const char *seed, const char *cn)
{
	gnutls_keygen_data_st kd;
	gnutls_x509_privkey_t xkey = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	kd.type = GNUTLS_KEYGEN_SEED;
	kd.data = (unsigned char *)seed;
	kd.size = 28;
	if (strlen(seed) < kd.size || gnutls_x509_privkey_init(&xkey) < 0)
		return -1;
	if (gnutls_x509_privkey_generate2(xkey, GNUTLS_PK_RSA, 2048,
	    GNUTLS_PRIVKEY_FLAG_PROVABLE, &kd, 1) < 0 ||
	    gnutls_x509_crt_init(&out->crt) < 0 ||
	    gnutls_x509_crt_set_version(out->crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(out->crt, "\x01\x02\x03", 3) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(out->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, (unsigned)strlen(cn)) < 0 ||
	    gnutls_x509_crt_set_activation_time(out->crt, 1700000000) < 0 ||
	    gnutls_x509_crt_set_expiration_time(out->crt, 2000000000) < 0 ||
	    gnutls_x509_crt_set_key(out->crt, xkey) < 0 ||
	    gnutls_x509_crt_set_key_usage(out->crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT) < 0 ||
	    gnutls_x509_crt_sign2(out->crt, out->crt, xkey, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_privkey_init(&out->key) < 0 ||
	    gnutls_privkey_import_x509(out->key, xkey,
	    GNUTLS_PRIVKEY_IMPORT_COPY) < 0)
		goto out;
	rc = 0;
out:
	gnutls_x509_privkey_deinit(xkey);
	return rc;
}

static int
fuzz_ids(struct fuzz_id *ra, struct fuzz_id *client)
{
	if (gnutls_global_init() < 0)
		return -1;
	if (fuzz_id_make(ra, "sipca fuzz RA: a fixed seed.", "sipca fuzz RA") != 0 ||
	    fuzz_id_make(client, "sipca fuzz client: fixed too", "00:11:22:33:44:55") != 0)
		return -1;
	return 0;
}

#endif
