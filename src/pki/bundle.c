/*
 * bundle: PEM bundles and PKCS#12 files for devices and servers. The
 * PKCS#12 layout follows what OpenSSL writes and what phones import: an
 * encrypted bag of certificates and a shrouded key bag, tied together by
 * a localKeyId, under one integrity MAC (RFC 7292 sections 4 and 5).
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "bundle.h"
#include "util.h"

static void
append(char *dst, size_t *pos, const char *src, size_t len)
{
	memcpy(dst + *pos, src, len);
	*pos += len;
	if (len > 0 && src[len - 1] != '\n')
		dst[(*pos)++] = '\n';
}

void
bundle_pem(const char *cert_pem, size_t cert_len, const char *ca_pem,
    size_t ca_len, const char *key_pem, size_t key_len, char **out,
    size_t *out_len)
{
	size_t cap = cert_len + ca_len + (key_pem ? key_len : 0) + 4, pos = 0;
	char *buf = xmalloc(cap);

	append(buf, &pos, cert_pem, cert_len);
	append(buf, &pos, ca_pem, ca_len);
	if (key_pem != NULL)
		append(buf, &pos, key_pem, key_len);
	buf[pos] = '\0';
	*out = buf;
	*out_len = pos;
}

/* The certificate's commonName, the name a phone lists the CA under. */
static char *
common_name(gnutls_x509_crt_t crt)
{
	char buf[256];
	size_t len = sizeof(buf);

	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    0, buf, &len) < 0)
		return xstrdup("CA");
	return xstrdup(buf);
}

int
bundle_p12(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
    gnutls_x509_crt_t ca, const char *friendly_name, const char *passphrase,
    enum bundle_p12_kind kind, gnutls_datum_t *out_der)
{
	return bundle_p12_chain(crt, key, &ca, 1, friendly_name, passphrase, kind,
	    out_der);
}

int
bundle_p12_chain(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
    const gnutls_x509_crt_t *cas, size_t n_cas, const char *friendly_name,
    const char *passphrase, enum bundle_p12_kind kind,
    gnutls_datum_t *out_der)
{
	gnutls_pkcs12_t p12 = NULL;
	gnutls_pkcs12_bag_t certs = NULL, keys = NULL;
	unsigned char crt_id[64], key_id[64];
	size_t crt_id_len = sizeof(crt_id), key_id_len = sizeof(key_id);
	gnutls_datum_t id;
	unsigned flags = kind == P12_LEGACY ? GNUTLS_PKCS_PKCS12_3DES :
	    GNUTLS_PKCS_PBES2_AES_256;
	char *ca_name = NULL;
	size_t i;
	int ret, idx;

	if (passphrase == NULL || *passphrase == '\0')
		return GNUTLS_E_INVALID_PASSWORD;
	/*
	 * The localKeyId pairs the certificate with its key (RFC 7292 4.2);
	 * the SHA-1 of the public key is what OpenSSL and GnuTLS use. A key
	 * that is not the certificate's would make a bundle no device can use.
	 */
	if ((ret = gnutls_x509_crt_get_key_id(crt, 0, crt_id, &crt_id_len)) < 0 ||
	    (ret = gnutls_x509_privkey_get_key_id(key, 0, key_id, &key_id_len)) < 0)
		goto out;
	if (crt_id_len != key_id_len || memcmp(crt_id, key_id, key_id_len) != 0) {
		ret = GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
		goto out;
	}
	id.data = key_id;
	id.size = (unsigned)key_id_len;

	if ((ret = gnutls_pkcs12_init(&p12)) < 0 ||
	    (ret = gnutls_pkcs12_bag_init(&certs)) < 0 ||
	    (ret = gnutls_pkcs12_bag_init(&keys)) < 0)
		goto out;

	if ((idx = ret = gnutls_pkcs12_bag_set_crt(certs, crt)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(certs, idx, &id)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_friendly_name(certs, idx,
	    friendly_name)) < 0)
		goto out;
	/* The CAs above it, issuer first, each under its commonName. */
	for (i = 0; i < n_cas; i++) {
		free(ca_name);
		ca_name = common_name(cas[i]);
		if ((idx = ret = gnutls_pkcs12_bag_set_crt(certs, cas[i])) < 0 ||
		    (ret = gnutls_pkcs12_bag_set_friendly_name(certs, idx,
		    ca_name)) < 0)
			goto out;
	}
	if ((ret = gnutls_pkcs12_bag_encrypt(certs, passphrase, flags)) < 0)
		goto out;

	/* A pkcs8ShroudedKeyBag: the key is encrypted on its own as well. */
	if ((idx = ret = gnutls_pkcs12_bag_set_privkey(keys, key, passphrase,
	    flags)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(keys, idx, &id)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_friendly_name(keys, idx,
	    friendly_name)) < 0)
		goto out;

	if ((ret = gnutls_pkcs12_set_bag(p12, certs)) < 0 ||
	    (ret = gnutls_pkcs12_set_bag(p12, keys)) < 0)
		goto out;
	ret = kind == P12_LEGACY ?
	    gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA1, passphrase) :
	    gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256, passphrase);
	if (ret < 0)
		goto out;
	ret = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, out_der);
out:
	free(ca_name);
	if (keys != NULL)
		gnutls_pkcs12_bag_deinit(keys);
	if (certs != NULL)
		gnutls_pkcs12_bag_deinit(certs);
	if (p12 != NULL)
		gnutls_pkcs12_deinit(p12);
	return ret < 0 ? ret : 0;
}
