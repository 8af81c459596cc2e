/*
 * ca: the self-signed CA and its signing key.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "san.h"
#include "util.h"

void
ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	if (ca->crt != NULL)
		gnutls_x509_crt_deinit(ca->crt);
	if (ca->key != NULL)
		gnutls_privkey_deinit(ca->key);
	gnutls_free(ca->pem.data);
	free(ca);
}

static int
set_name_constraints(gnutls_x509_crt_t crt, const struct ca_params *p)
{
	gnutls_x509_name_constraints_t nc = NULL;
	unsigned char cidr[32];
	size_t cidr_len, i;
	const char *reason;
	gnutls_datum_t d;
	int ret;

	if (p->permit_dns == NULL && p->permit_ip_n == 0)
		return 0;
	if ((ret = gnutls_x509_name_constraints_init(&nc)) < 0)
		return ret;
	if (p->permit_dns != NULL) {
		d.data = (unsigned char *)p->permit_dns;
		d.size = (unsigned)strlen(p->permit_dns);
		if ((ret = gnutls_x509_name_constraints_add_permitted(nc,
		    GNUTLS_SAN_DNSNAME, &d)) < 0)
			goto out;
	}
	for (i = 0; i < p->permit_ip_n; i++) {
		if (san_parse_cidr(p->permit_ip[i], cidr, &cidr_len, &reason) < 0) {
			ret = GNUTLS_E_INVALID_REQUEST;
			goto out;
		}
		d.data = cidr;
		d.size = (unsigned)cidr_len;
		if ((ret = gnutls_x509_name_constraints_add_permitted(nc,
		    GNUTLS_SAN_IPADDRESS, &d)) < 0)
			goto out;
	}
	/* RFC 5280 4.2.1.10: conforming CAs MUST mark this extension critical. */
	ret = gnutls_x509_crt_set_name_constraints(crt, nc, 1);
out:
	gnutls_x509_name_constraints_deinit(nc);
	return ret;
}

int
ca_create(const struct ca_params *p, const char *passphrase,
    struct ca **out_ca, gnutls_datum_t *out_key_pem)
{
	struct ca *ca = xcalloc(1, sizeof(*ca));
	gnutls_x509_privkey_t xkey = NULL;
	gnutls_privkey_t signer = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t key_pem = { NULL, 0 };
	unsigned char serial[SERIAL_LEN];
	int ret;

	if (p->key != NULL)
		signer = p->key;	/* a token's key: borrowed, no PEM */
	else if ((ret = key_generate(p->key_type, &xkey)) < 0 ||
	    (ret = key_export_pem(xkey, passphrase, &key_pem)) < 0 ||
	    (ret = gnutls_privkey_init(&signer)) < 0 ||
	    (ret = gnutls_privkey_import_x509(signer, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
		goto out;
	xkey = NULL;	/* owned by signer now */
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, signer, 0, 0)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (ret = gnutls_x509_crt_set_version(ca->crt, 3)) < 0 ||
	    (ret = serial_generate(serial)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(ca->crt, serial, SERIAL_LEN)) < 0 ||
	    (ret = gnutls_x509_crt_set_pubkey(ca->crt, pub)) < 0)
		goto out;
	if (p->organization != NULL &&
	    (ret = gnutls_x509_crt_set_dn_by_oid(ca->crt,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, p->organization,
	    strlen(p->organization))) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_set_dn_by_oid(ca->crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, p->common_name,
	    strlen(p->common_name))) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_set_activation_time(ca->crt, p->not_before)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(ca->crt,
	    p->not_before + (time_t)p->days * 86400)) < 0)
		goto out;
	/*
	 * RFC 5280 4.2.1.9: basicConstraints critical with cA TRUE; pathLen 0
	 * because sipca signs leaves only. 4.2.1.3: keyCertSign and cRLSign.
	 */
	if ((ret = gnutls_x509_crt_set_basic_constraints(ca->crt, 1, 0)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_usage(ca->crt,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0)
		goto out;
	ca->key_id_len = sizeof(ca->key_id);
	if ((ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1,
	    ca->key_id, &ca->key_id_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(ca->crt, ca->key_id,
	    ca->key_id_len)) < 0)
		goto out;
	if ((ret = set_name_constraints(ca->crt, p)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_privkey_sign(ca->crt, ca->crt, signer,
	    GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_PEM,
	    &ca->pem)) < 0)
		goto out;
	/*
	 * GnuTLS reads some extensions of a certificate it built (name
	 * constraints, SANs) back only after an import: hand out the
	 * certificate as every later command will see it.
	 */
	gnutls_x509_crt_deinit(ca->crt);
	ca->crt = NULL;
	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(ca->crt, &ca->pem,
	    GNUTLS_X509_FMT_PEM)) < 0)
		goto out;
	ca->key = p->key != NULL ? NULL : signer;
	signer = NULL;
	*out_key_pem = key_pem;
	key_pem.data = NULL;
	*out_ca = ca;
	ca = NULL;
	ret = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (signer != NULL && signer != p->key)
		gnutls_privkey_deinit(signer);
	if (xkey != NULL)
		gnutls_x509_privkey_deinit(xkey);
	if (key_pem.data != NULL) {
		gnutls_memset(key_pem.data, 0, key_pem.size);
		gnutls_free(key_pem.data);
	}
	ca_free(ca);
	return ret;
}

int
ca_load_cert(const unsigned char *pem, size_t len, struct ca **out_ca,
    const char **out_reason)
{
	struct ca *ca = xcalloc(1, sizeof(*ca));
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	unsigned critical;
	int ret;

	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(ca->crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		*out_reason = gnutls_strerror(ret);
		goto fail;
	}
	ca->key_id_len = sizeof(ca->key_id);
	ret = gnutls_x509_crt_get_subject_key_id(ca->crt, ca->key_id,
	    &ca->key_id_len, &critical);
	if (ret < 0) {
		ca->key_id_len = sizeof(ca->key_id);
		ret = gnutls_x509_crt_get_key_id(ca->crt, GNUTLS_KEYID_USE_SHA1,
		    ca->key_id, &ca->key_id_len);
		if (ret < 0) {
			*out_reason = gnutls_strerror(ret);
			goto fail;
		}
	}
	if ((ret = gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_PEM,
	    &ca->pem)) < 0) {
		*out_reason = gnutls_strerror(ret);
		goto fail;
	}
	*out_ca = ca;
	return 0;
fail:
	ca_free(ca);
	return -1;
}

int
ca_key_is_encrypted(const unsigned char *pem, size_t len)
{
	return memmem(pem, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) != NULL;
}

int
ca_attach_key(struct ca *ca, const unsigned char *pem, size_t len,
    const char *passphrase)
{
	gnutls_x509_privkey_t xkey = NULL;
	gnutls_privkey_t signer = NULL;
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	unsigned char key_id[64], crt_id[64];
	size_t key_id_len = sizeof(key_id), crt_id_len = sizeof(crt_id);
	int ret;

	if ((ret = gnutls_x509_privkey_init(&xkey)) < 0)
		return ret;
	ret = gnutls_x509_privkey_import2(xkey, &d, GNUTLS_X509_FMT_PEM,
	    passphrase, passphrase == NULL ? GNUTLS_PKCS_PLAIN : 0);
	if (ret < 0)
		goto out;
	if ((ret = gnutls_x509_privkey_get_key_id(xkey, GNUTLS_KEYID_USE_SHA1,
	    key_id, &key_id_len)) < 0 ||
	    (ret = gnutls_x509_crt_get_key_id(ca->crt, GNUTLS_KEYID_USE_SHA1,
	    crt_id, &crt_id_len)) < 0)
		goto out;
	if (key_id_len != crt_id_len || memcmp(key_id, crt_id, key_id_len) != 0) {
		ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
		goto out;
	}
	if ((ret = gnutls_privkey_init(&signer)) < 0 ||
	    (ret = gnutls_privkey_import_x509(signer, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
		goto out;
	xkey = NULL;	/* owned by signer now */
	if (ca->key != NULL)
		gnutls_privkey_deinit(ca->key);
	ca->key = signer;
	signer = NULL;
	ret = 0;
out:
	if (signer != NULL)
		gnutls_privkey_deinit(signer);
	if (xkey != NULL)
		gnutls_x509_privkey_deinit(xkey);
	return ret;
}

int
ca_attach_privkey(struct ca *ca, gnutls_privkey_t key)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char key_id[64], crt_id[64];
	size_t key_id_len = sizeof(key_id), crt_id_len = sizeof(crt_id);
	int ret;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, key_id,
	    &key_id_len)) < 0 ||
	    (ret = gnutls_x509_crt_get_key_id(ca->crt, GNUTLS_KEYID_USE_SHA256,
	    crt_id, &crt_id_len)) < 0)
		goto out;
	if (key_id_len != crt_id_len || memcmp(key_id, crt_id, key_id_len) != 0) {
		ret = GNUTLS_E_PK_SIG_VERIFY_FAILED;
		goto out;
	}
	if (ca->key != NULL)
		gnutls_privkey_deinit(ca->key);
	ca->key = key;
	ret = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ret;
}
