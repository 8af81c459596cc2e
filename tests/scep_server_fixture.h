/*
 * scep_server_fixture: what check_scep needs around the SCEP server: a
 * store with its CA and RA in a temporary directory per test
 * (setup/teardown), the server on it, devices with their keys, their
 * requests made by the client side of scep_msg.h, and the handler
 * called as serve.c calls it.
 */
#ifndef SIPCA_TESTS_SCEP_SERVER_FIXTURE_H
#define SIPCA_TESTS_SCEP_SERVER_FIXTURE_H

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "report.h"
#include "scep.h"
#include "scep_challenge.h"
#include "scep_msg.h"
#include "scep_ra.h"
#include "serve.h"
#include "store.h"
#include "util.h"

#define DAY 86400
#define T0 1796083200L		/* 2026-12-01T00:00:00Z */

static char tmpdir[64];
static struct store *store;
static struct ca *ca;
static struct scep_config cfg;
static struct scep *sc;
static struct scep_ra ra;
static enum cms_cipher cipher = CMS_AES128_CBC;

static void
at(long t)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", t);
	setenv("SIPCA_NOW", buf, 1);
}

static void
setup(void)
{
	const char *settings[] = { "domain", "example.com", NULL };
	struct ca_params p;
	struct scep_ra_params rp;
	gnutls_datum_t key_pem = { NULL, 0 };
	char serial[2 * SERIAL_LEN + 1], *d;

	at(T0);
	strcpy(tmpdir, "/tmp/check_scep.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	d = xasprintf("%s/ca", tmpdir);
	memset(&p, 0, sizeof(p));
	p.common_name = "example.com SIP CA";
	p.key_type = KEY_P256;
	p.days = 3650;
	p.not_before = T0 - DAY;
	ck_assert_int_eq(ca_create(&p, NULL, &ca, &key_pem), 0);
	ck_assert_int_eq(store_open(d, STORE_CREATE, &store, NULL), STORE_OK);
	ck_assert_int_eq(store_init_ca(store, (const char *)ca->pem.data,
	    ca->pem.size, (const char *)key_pem.data, key_pem.size, settings),
	    STORE_OK);
	gnutls_memset(key_pem.data, 0, key_pem.size);
	gnutls_free(key_pem.data);
	free(d);
	memset(&rp, 0, sizeof(rp));
	rp.domain = "example.com";
	ck_assert_int_eq(scep_ra_make(store, ca, &rp, 0, serial, NULL), RESULT_OK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.store = store;
	cfg.ca = ca;
	cfg.domain = "example.com";
	cfg.days = 30;
	ck_assert_ptr_nonnull(sc = scep_new(&cfg, NULL));
	ck_assert_int_eq(scep_ra_load(store, &ra, NULL), RESULT_OK);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	scep_ra_clear(&ra);
	scep_free(sc);
	store_close(store);
	ca_free(ca);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	unsetenv("SIPCA_NOW");
	cipher = CMS_AES128_CBC;
}

/* A device: its RSA key and a self-signed certificate for it. */
struct device {
	gnutls_x509_privkey_t xkey;
	gnutls_privkey_t key;
	gnutls_x509_crt_t crt;		/* self-signed, or what the CA issued */
};

static void
device_new(struct device *dv, const char *cn)
{
	unsigned char serial[1] = { 1 };

	ck_assert_int_eq(gnutls_x509_privkey_init(&dv->xkey), 0);
	ck_assert_int_eq(gnutls_x509_privkey_generate(dv->xkey, GNUTLS_PK_RSA, 2048, 0), 0);
	ck_assert_int_eq(gnutls_privkey_init(&dv->key), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(dv->key, dv->xkey, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&dv->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(dv->crt, dv->xkey), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn_by_oid(dv->crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(dv->crt, serial, 1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(dv->crt, 3), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(dv->crt, T0 - DAY), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(dv->crt, T0 + 3650 * DAY), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(dv->crt, dv->crt, dv->xkey,
	    GNUTLS_DIG_SHA256, 0), 0);
}

static void
device_clear(struct device *dv)
{
	gnutls_x509_crt_deinit(dv->crt);
	gnutls_privkey_deinit(dv->key);
	gnutls_x509_privkey_deinit(dv->xkey);
}

/*
 * The certificate of a SUCCESS for dv's key: a degenerate SignedData's
 * SET OF is in DER order, so not necessarily first.
 */
static const gnutls_datum_t *
issued_of(const struct scep_reply *r, const struct device *dv)
{
	gnutls_x509_crt_t crt;
	unsigned char a[64], b[64];
	size_t alen, blen, i;
	const gnutls_datum_t *found = NULL;

	blen = sizeof(b);
	ck_assert_int_eq(gnutls_x509_privkey_get_key_id(dv->xkey, 0, b, &blen), 0);
	for (i = 0; i < r->n_certs && found == NULL; i++) {
		ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
		ck_assert_int_eq(gnutls_x509_crt_import(crt, &r->certs[i],
		    GNUTLS_X509_FMT_DER), 0);
		alen = sizeof(a);
		if (gnutls_x509_crt_get_key_id(crt, 0, a, &alen) == 0 && alen == blen &&
		    memcmp(a, b, alen) == 0)
			found = &r->certs[i];
		gnutls_x509_crt_deinit(crt);
	}
	ck_assert_msg(found != NULL, "no certificate for the device's key");
	return found;
}

/* dv's certificate is now crt (DER): what the CA issued, to renew with. */
static void
device_take(struct device *dv, const gnutls_datum_t *der)
{
	gnutls_x509_crt_deinit(dv->crt);
	ck_assert_int_eq(gnutls_x509_crt_init(&dv->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(dv->crt, der, GNUTLS_X509_FMT_DER), 0);
}

/* A PKCS#10 request for key, CN cn, with challenge (NULL: none), DER. */
static void
csr_make(const struct device *dv, const char *cn, const char *challenge,
    gnutls_datum_t *out)
{
	gnutls_x509_crq_t crq;

	ck_assert_int_eq(gnutls_x509_crq_init(&crq), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_key(crq, dv->xkey), 0);
	ck_assert_int_eq(gnutls_x509_crq_set_dn_by_oid(crq,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	if (challenge != NULL)
		ck_assert_int_eq(gnutls_x509_crq_set_challenge_password(crq,
		    challenge), 0);
	ck_assert_int_eq(gnutls_x509_crq_sign2(crq, dv->xkey, GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, out), 0);
	gnutls_x509_crq_deinit(crq);
}

/* A pkiMessage of type with content, signed by signer (dv's key), DER. */
static void
request_make(enum scep_type type, const char *tid, const gnutls_datum_t *content,
    const struct device *signer, gnutls_privkey_t key, gnutls_datum_t *out)
{
	struct scep_request_spec spec;
	char err[256];

	memset(&spec, 0, sizeof(spec));
	spec.type = type;
	spec.transaction_id = tid;
	spec.content = content;
	spec.signer = signer->crt;
	spec.signer_key = key != NULL ? key : signer->key;
	spec.digest = GNUTLS_DIG_SHA256;
	spec.recipient = ra.crt;
	spec.cipher = cipher;
	ck_assert_msg(scep_request_make(&spec, out, err, sizeof(err)) == 0, "%s", err);
}

/* The handler's answer to a request. */
static int
call_path(const char *path, const char *method, const char *query,
    const gnutls_datum_t *body, struct serve_response *out)
{
	struct serve_request rq;

	memset(&rq, 0, sizeof(rq));
	memset(out, 0, sizeof(*out));
	rq.method = method;
	rq.path = path;
	rq.query = query;
	rq.body = body != NULL ? body->data : (const unsigned char *)"";
	rq.body_len = body != NULL ? body->size : 0;
	rq.client = "192.0.2.7";
	return scep_handle(sc, &rq, out);
}

static int
call(const char *method, const char *query, const gnutls_datum_t *body,
    struct serve_response *out)
{
	return call_path("/cgi-bin/pkiclient.exe", method, query, body, out);
}

/* POSTs msg and reads the CertRep with dv's key. */
static void
exchange(const gnutls_datum_t *msg, const struct device *dv, struct scep_reply *rep)
{
	struct serve_response out;
	char err[256];

	ck_assert_int_eq(call("POST", "operation=PKIOperation", msg, &out), 1);
	ck_assert_uint_eq(out.status, 200);
	ck_assert_str_eq(out.type, "application/x-pki-message");
	memset(rep, 0, sizeof(*rep));
	ck_assert_msg(scep_reply_parse((unsigned char *)out.body, out.len, ra.crt,
	    dv->crt, dv->key, rep, err, sizeof(err)) == 0, "%s", err);
	serve_response_clear(&out);
}

/* PKCSReq for cn with challenge, signed by dv; the reply in *rep. */
static void
enroll(const struct device *dv, const char *cn, const char *challenge,
    const char *tid, struct scep_reply *rep)
{
	gnutls_datum_t csr = { NULL, 0 }, msg = { NULL, 0 };

	csr_make(dv, cn, challenge, &csr);
	request_make(SCEP_PKCS_REQ, tid, &csr, dv, NULL, &msg);
	exchange(&msg, dv, rep);
	gnutls_free(csr.data);
	gnutls_free(msg.data);
}

static void
challenge(const char *name, long ttl, char out[SCEP_CHALLENGE_LEN + 1])
{
	struct scep_challenge_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.name = name;
	spec.ttl = ttl;
	ck_assert_int_eq(scep_challenge_create(store, "example.com", &spec, out,
	    NULL), RESULT_OK);
}

static int
has_current(const char *name, char *serial_out)
{
	struct store_cert *c = NULL;
	int found = store_find_current(store, name, &c) == STORE_OK;

	if (found && serial_out != NULL)
		strcpy(serial_out, c->serial);
	store_cert_free(c);
	return found;
}

static void
assert_failure(const struct scep_reply *r, enum scep_fail fail)
{
	ck_assert_int_eq(r->status, SCEP_FAILURE);
	ck_assert_int_eq(r->fail, fail);
	ck_assert_uint_eq(r->n_certs, 0);
}

#endif
