/*
 * scep_fixture: RSA identities made at test time with GnuTLS alone (SCEP's
 * key transport needs RSA; tests/testcert.c makes P-256), files for the
 * openssl commands that check sipca's CMS independently, and a BER
 * re-encoder that turns DER into what jscep and Android send: indefinite
 * lengths and OCTET STRINGs cut into constructed pieces. For
 * check_cms.c and check_scep_msg.c (static functions: each suite
 * includes it once).
 */
#ifndef SIPCA_TESTS_SCEP_FIXTURE_H
#define SIPCA_TESTS_SCEP_FIXTURE_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "tmpdir.h"

struct rsa_id {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t xkey;
	gnutls_privkey_t key;
};

/*
 * An RSA-2048 certificate named cn, signed by issuer (self-signed when
 * NULL) with dig; with a subjectKeyIdentifier and keyUsage
 * digitalSignature + keyEncipherment, as an RA has.
 */
static void __attribute__((unused))
rsa_id_make(struct rsa_id *out, const char *cn, const struct rsa_id *issuer,
    gnutls_digest_algorithm_t dig)
{
	unsigned char serial[12], id[64];
	size_t id_len = sizeof(id);
	time_t now = time(NULL);

	memset(out, 0, sizeof(*out));
	ck_assert_int_eq(gnutls_x509_privkey_init(&out->xkey), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(out->xkey, GNUTLS_PK_RSA,
	    2048, 0), 0);
	ck_assert_int_eq(gnutls_privkey_init(&out->key), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(out->key, out->xkey, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&out->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(out->crt, 3), 0);
	ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)), 0);
	/* positive with a leading 0x00 octet, which a comparison of the
	 * recipient's serial number must allow for */
	serial[0] = 0;
	serial[1] = (unsigned char)(serial[1] | 0x80);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(out->crt, serial,
	    sizeof(serial)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(out->crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(out->crt,
	    now - 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(out->crt,
	    now + 365 * 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(out->crt, out->xkey), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key_usage(out->crt,
	    GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_ENCIPHERMENT), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(out->crt, 0, id, &id_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_subject_key_id(out->crt, id, id_len), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(out->crt,
	    issuer != NULL ? issuer->crt : out->crt,
	    issuer != NULL ? issuer->xkey : out->xkey, dig, 0), 0);
}

static void __attribute__((unused))
rsa_id_clear(struct rsa_id *r)
{
	if (r->crt != NULL)
		gnutls_x509_crt_deinit(r->crt);
	if (r->key != NULL)
		gnutls_privkey_deinit(r->key);
	if (r->xkey != NULL)
		gnutls_x509_privkey_deinit(r->xkey);
	memset(r, 0, sizeof(*r));
}

static void __attribute__((unused))
file_put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole file into a gnutls_malloc()ed datum. */
static gnutls_datum_t __attribute__((unused))
file_get(const char *path)
{
	gnutls_datum_t d = { NULL, 0 };

	ck_assert_msg(gnutls_load_file(path, &d) == 0, "cannot read %s", path);
	return d;
}

/* Writes DIR/NAME.pem and DIR/NAME.key for openssl. */
static void __attribute__((unused))
rsa_id_write(const struct rsa_id *r, const char *name)
{
	gnutls_datum_t d;
	char *path;

	ck_assert_int_eq(gnutls_x509_crt_export2(r->crt, GNUTLS_X509_FMT_PEM, &d), 0);
	path = xasprintf("%s/%s.pem", tmpdir, name);
	file_put(path, d.data, d.size);
	free(path);
	gnutls_free(d.data);
	ck_assert_int_eq(gnutls_x509_privkey_export2_pkcs8(r->xkey,
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	path = xasprintf("%s/%s.key", tmpdir, name);
	file_put(path, d.data, d.size);
	free(path);
	gnutls_free(d.data);
}

/* A shell command in the test's directory, under a timeout; its status. */
static int __attribute__((unused, format(printf, 1, 2)))
sh(const char *fmt, ...)
{
	char inner[2048], *cmd;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(inner, sizeof(inner), fmt, ap),
	    (int)sizeof(inner));
	va_end(ap);
	cmd = xasprintf("cd '%s' && timeout 60 sh -c '%s'", tmpdir, inner);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/* One TLV's header at p (len octets left): tag, header and content size. */
static int
ber_header(const unsigned char *p, size_t len, size_t *hdr, size_t *n)
{
	size_t k, i;

	if (len < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	if (p[1] < 0x80) {
		*n = p[1];
		*hdr = 2;
	} else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 4 || len < 2 + k)
			return -1;
		for (*n = 0, i = 0; i < k; i++)
			*n = (*n << 8) | p[2 + i];
		*hdr = 2 + k;
	}
	return *n <= len - *hdr ? 0 : -1;
}

/*
 * Re-encodes the DER TLVs in p as BER into out (NULL: only measures):
 * every constructed value down to depth max_depth gets an indefinite
 * length; an OCTET STRING there (universal, or a context tag in
 * keep_primitive_ctx = 0) longer than 8 octets becomes a constructed one
 * of 8-octet pieces. A SEQUENCE or SET from depth seq_depth on is kept
 * as it is (a certificate, a signerInfo, as BouncyCastle streams
 * SignedData). Returns the octets written.
 */
static size_t
ber_encode(const unsigned char *p, size_t len, int depth, int max_depth,
    int keep_primitive_ctx, int seq_depth, unsigned char *out)
{
	size_t i = 0, o = 0, hdr, n, k, piece;

	while (i < len) {
		ck_assert_int_eq(ber_header(p + i, len - i, &hdr, &n), 0);
		if (depth > max_depth || (depth >= seq_depth &&
		    (p[i] == 0x30 || p[i] == 0x31))) {
			if (out != NULL)
				memcpy(out + o, p + i, hdr + n);
			o += hdr + n;
		} else if (p[i] & 0x20) {
			if (out != NULL) {
				out[o] = p[i];
				out[o + 1] = 0x80;
			}
			o += 2;
			o += ber_encode(p + i + hdr, n, depth + 1, max_depth,
			    keep_primitive_ctx, seq_depth, out != NULL ? out + o : NULL);
			if (out != NULL)
				out[o] = out[o + 1] = 0;
			o += 2;
		} else if (n > 8 && (p[i] == 0x04 ||
		    (p[i] == 0x80 && !keep_primitive_ctx))) {
			if (out != NULL) {
				out[o] = (unsigned char)(p[i] | 0x20);
				out[o + 1] = 0x80;
			}
			o += 2;
			for (k = 0; k < n; k += piece) {
				piece = n - k < 8 ? n - k : 8;
				if (out != NULL) {
					out[o] = 0x04;
					out[o + 1] = (unsigned char)piece;
					memcpy(out + o + 2, p + i + hdr + k, piece);
				}
				o += 2 + piece;
			}
			if (out != NULL)
				out[o] = out[o + 1] = 0;
			o += 2;
		} else {
			if (out != NULL)
				memcpy(out + o, p + i, hdr + n);
			o += hdr + n;
		}
		i += hdr + n;
	}
	return o;
}

/* ber_encode() into a new datum (gnutls_free()). */
static gnutls_datum_t __attribute__((unused))
ber_of(const gnutls_datum_t *der, int max_depth, int keep_primitive_ctx,
    int seq_depth)
{
	gnutls_datum_t d;
	size_t n = ber_encode(der->data, der->size, 0, max_depth,
	    keep_primitive_ctx, seq_depth, NULL);

	d.data = gnutls_malloc(n);
	ck_assert_ptr_nonnull(d.data);
	d.size = (unsigned)ber_encode(der->data, der->size, 0, max_depth,
	    keep_primitive_ctx, seq_depth, d.data);
	ck_assert_uint_eq(d.size, n);
	return d;
}

#ifdef SCEP_FIXTURE_MESSAGES
/*
 * For the pkiMessage suites (check_scep_msg.c, check_scep_peers.c): the
 * RA and a phone's self-signed SHA-1 identity, made per test by the
 * checked fixture, CSRs, and requests from the phone to the RA.
 */
#include "cms.h"
#include "scep_msg.h"

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

static const struct {
	enum cms_cipher cipher;
	gnutls_digest_algorithm_t dig;
} combos[] = {
	{ CMS_AES128_CBC, GNUTLS_DIG_SHA256 }, { CMS_AES192_CBC, GNUTLS_DIG_SHA1 },
	{ CMS_AES256_CBC, GNUTLS_DIG_SHA512 }, { CMS_DES3_CBC, GNUTLS_DIG_SHA1 },
};

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
#endif

#endif
