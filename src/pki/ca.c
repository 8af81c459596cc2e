/*
 * ca: the CA certificates (a self-signed root, an intermediate) and
 * their signing keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "asn1.h"
#include "ca.h"
#include "key.h"
#include "san.h"
#include "util.h"
#include "x509.h"

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
	free(ca->chain_extra);
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

	if ((ret = gnutls_x509_name_constraints_init(&nc)) < 0)
		return ret;
	if (p->permit_dns == NULL && p->permit_ip_n == 0) {
		/*
		 * An intermediate repeats its root's constraints: RFC 5280 6.1.4
		 * (g) applies the root's anyway, and a verifier that takes the
		 * intermediate as its anchor then applies them too.
		 */
		const struct ca *from = p->constraints_of != NULL ?
		    p->constraints_of : p->issuer;

		ret = 0;
		if (from != NULL && (ret = gnutls_x509_crt_get_name_constraints(
		    from->crt, nc, 0, NULL)) == 0)
			ret = gnutls_x509_crt_set_name_constraints(crt, nc, 1);
		else if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			ret = 0;
		goto out;
	}
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

/*
 * Signs ca->crt and hands it out as every later command will see it:
 * GnuTLS reads some extensions of a certificate it built (name
 * constraints, SANs) back only after an import.
 */
static int
sign_and_reload(struct ca *ca, gnutls_x509_crt_t issuer,
    gnutls_privkey_t key)
{
	int ret;

	if ((ret = gnutls_x509_crt_privkey_sign(ca->crt, issuer, key,
	    GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (ret = gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_PEM,
	    &ca->pem)) < 0)
		return ret;
	gnutls_x509_crt_deinit(ca->crt);
	ca->crt = NULL;
	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0)
		return ret;
	return gnutls_x509_crt_import(ca->crt, &ca->pem, GNUTLS_X509_FMT_PEM);
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
	gnutls_x509_crt_t sign_crt;
	gnutls_privkey_t sign_key;
	time_t not_after = p->not_before + (time_t)p->days * 86400;
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
	if (p->issuer != NULL &&
	    gnutls_x509_crt_get_expiration_time(p->issuer->crt) < not_after)
		not_after = gnutls_x509_crt_get_expiration_time(p->issuer->crt);
	if ((ret = gnutls_x509_crt_set_activation_time(ca->crt, p->not_before)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(ca->crt, not_after)) < 0)
		goto out;
	/*
	 * RFC 5280 4.2.1.9: basicConstraints critical with cA TRUE; pathLen 0
	 * for the CA that signs leaves, 1 for a root above it. 4.2.1.3:
	 * keyCertSign and cRLSign.
	 */
	if ((ret = gnutls_x509_crt_set_basic_constraints(ca->crt, 1,
	    (int)p->path_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_usage(ca->crt,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) < 0)
		goto out;
	ca->key_id_len = sizeof(ca->key_id);
	if ((ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1,
	    ca->key_id, &ca->key_id_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(ca->crt, ca->key_id,
	    ca->key_id_len)) < 0)
		goto out;
	/* RFC 5280 4.2.1.1: an intermediate names its issuer's key. */
	if (p->issuer != NULL && (ret = gnutls_x509_crt_set_authority_key_id(
	    ca->crt, p->issuer->key_id, p->issuer->key_id_len)) < 0)
		goto out;
	if ((ret = set_name_constraints(ca->crt, p)) < 0)
		goto out;
	sign_crt = p->issuer != NULL ? p->issuer->crt : ca->crt;
	sign_key = p->issuer != NULL ? p->issuer->key : signer;
	if (sign_key == NULL) {
		ret = GNUTLS_E_INSUFFICIENT_CREDENTIALS;
		goto out;
	}
	if ((ret = sign_and_reload(ca, sign_crt, sign_key)) < 0)
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

	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0) {
		*out_reason = x509_call_reason("gnutls_x509_crt_init", ret);
		goto fail;
	}
	if ((ret = gnutls_x509_crt_import(ca->crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		*out_reason = x509_call_reason("gnutls_x509_crt_import", ret);
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
			*out_reason = x509_call_reason("gnutls_x509_crt_get_key_id",
			    ret);
			goto fail;
		}
	}
	if ((ret = gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_PEM,
	    &ca->pem)) < 0) {
		*out_reason = x509_call_reason("gnutls_x509_crt_export2", ret);
		goto fail;
	}
	*out_ca = ca;
	return 0;
fail:
	ca_free(ca);
	return -1;
}

int
ca_reissue(const struct ca *old, unsigned path_len, struct ca **out_ca)
{
	struct ca *ca = xcalloc(1, sizeof(*ca));
	unsigned char serial[SERIAL_LEN];
	int ret;

	if (old->key == NULL) {
		ret = GNUTLS_E_INSUFFICIENT_CREDENTIALS;
		goto out;
	}
	/*
	 * The old certificate, imported and changed where it must: its
	 * subject's octets, key, SKI, validity and name constraints stay as
	 * they are, so what it issued chains to the new one (RFC 5280 6.1.4
	 * (a): names compare as encoded by GnuTLS).
	 */
	if ((ret = gnutls_x509_crt_init(&ca->crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(ca->crt, &old->pem,
	    GNUTLS_X509_FMT_PEM)) < 0 ||
	    (ret = serial_generate(serial)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(ca->crt, serial, SERIAL_LEN)) < 0 ||
	    (ret = gnutls_x509_crt_set_basic_constraints(ca->crt, 1,
	    (int)path_len)) < 0 ||
	    (ret = sign_and_reload(ca, old->crt, old->key)) < 0)
		goto out;
	memcpy(ca->key_id, old->key_id, old->key_id_len);
	ca->key_id_len = old->key_id_len;
	*out_ca = ca;
	ca = NULL;
	ret = 0;
out:
	ca_free(ca);
	return ret;
}

/* The signature of a certificate's DER verifies with pub (RFC 5280 4.1.1.3). */
static int
signature_verifies(gnutls_pubkey_t pub, const gnutls_datum_t *der)
{
	asn1_node tree = NULL;
	const unsigned char *tbs, *bits, *sig;
	size_t tbs_len, bits_len, sig_len, used;
	unsigned char tag;
	char oid[128], err[PKIX_ERR_SIZE];
	gnutls_datum_t t, g;
	gnutls_sign_algorithm_t algo;
	int ok = 0;

	if (pkix_decode("Certificate", der->data, der->size, 0, &tree, &used,
	    err) != 0)
		return 0;
	if (pkix_slice(tree, der->data, used, "tbsCertificate", &tbs,
	    &tbs_len) == 0 &&
	    pkix_slice(tree, der->data, used, "signature", &bits, &bits_len) == 0 &&
	    pkix_tlv_content(bits, bits_len, &tag, &sig, &sig_len) == 0 &&
	    sig_len > 1 &&
	    pkix_read_oid(tree, "signatureAlgorithm.algorithm", oid,
	    sizeof(oid)) == 0 &&
	    (algo = gnutls_oid_to_sign(oid)) != GNUTLS_SIGN_UNKNOWN) {
		t.data = (unsigned char *)(uintptr_t)tbs;
		t.size = (unsigned)tbs_len;
		g.data = (unsigned char *)(uintptr_t)sig + 1;	/* unused bits */
		g.size = (unsigned)sig_len - 1;
		ok = gnutls_pubkey_verify_data2(pub, algo, 0, &t, &g) >= 0;
	}
	asn1_delete_structure(&tree);
	return ok;
}

int
ca_issued(const struct ca *issuer, gnutls_x509_crt_t crt)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der = { NULL, 0 };
	int yes = 0;

	if (gnutls_x509_crt_check_issuer(crt, issuer->crt) != 1)
		return 0;
	/*
	 * The signature alone, not a path validation: GnuTLS would apply the
	 * issuer's name constraints to the commonName of an intermediate
	 * verified on its own, and time is the caller's concern (an expired
	 * certificate is still the CA's).
	 */
	if (gnutls_pubkey_init(&pub) == 0 &&
	    gnutls_pubkey_import_x509(pub, issuer->crt, 0) == 0 &&
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) == 0)
		yes = signature_verifies(pub, &der);
	gnutls_free(der.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return yes;
}

int
ca_issued_pem(const struct ca *issuer, const char *pem)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
	int yes = 0;

	if (gnutls_x509_crt_init(&crt) == 0 &&
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) == 0)
		yes = ca_issued(issuer, crt);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return yes;
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
	int ret;

	if ((ret = gnutls_x509_privkey_init(&xkey)) < 0)
		return ret;
	ret = gnutls_x509_privkey_import2(xkey, &d, GNUTLS_X509_FMT_PEM,
	    passphrase, passphrase == NULL ? GNUTLS_PKCS_PLAIN : 0);
	if (ret < 0)
		goto out;
	if ((ret = gnutls_privkey_init(&signer)) < 0 ||
	    (ret = gnutls_privkey_import_x509(signer, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
		goto out;
	xkey = NULL;	/* owned by signer now */
	if ((ret = ca_attach_privkey(ca, signer)) < 0)
		goto out;
	signer = NULL;	/* owned by ca now */
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
	int ret, match = 0;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (ret = key_matches_cert(pub, ca->crt, &match, NULL)) < 0)
		goto out;
	if (!match) {
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

/* RFC 3986 2.3 unreserved, in ASCII whatever the locale. */
static int
url_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* The host of an authority (RFC 3986 3.2.2), without brackets for IPv6. */
static const char *
crl_url_host(const char *host, size_t len, int bracketed)
{
	char *h = xasprintf("%.*s", (int)len, host);
	unsigned char ip[16];
	size_t ip_len = 0;
	const char *reason = NULL, *dns_reason = NULL;

	if (len == 0)
		reason = "no host";
	else if (bracketed) {
		/* An IP-literal; IPvFuture and RFC 6874 zone ids name no server. */
		if (san_parse_ip(h, ip, &ip_len, NULL) < 0 || ip_len != 16)
			reason = "not an IPv6 address inside the brackets";
	} else if (san_parse_ip(h, ip, &ip_len, NULL) == 0 && ip_len == 4)
		;	/* IPv4address */
	else if (san_check_dns(h, 0, &dns_reason) < 0)
		reason = "the host is not a DNS name or IP address (LDH labels,"
		    " RFC 1123 section 2.1)";
	free(h);
	return reason;
}

int
ca_check_crl_url(const char *url, const char **out_reason)
{
	const char *auth, *auth_end, *host_end, *p, *reason = NULL;
	size_t len = strlen(url), i;
	long port;
	char digits[8];

	if (len > CA_CRL_URL_MAX) {
		reason = "longer than 1024 characters";
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c >= 0x7f) {
			reason = "a space, control or non-ASCII character"
			    " (percent-encode it)";
			goto out;
		}
	}
	if (strncmp(url, "http://", 7) != 0) {
		reason = "an http:// URL is expected (RFC 5280 4.2.1.13;"
		    " phones fetch CRLs over plain HTTP)";
		goto out;
	}
	auth = url + 7;
	auth_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(auth_end - auth)) != NULL) {
		reason = "a user or password (RFC 3986 userinfo) would be"
		    " published in every certificate";
		goto out;
	}
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(auth_end - auth));
		if (host_end == NULL) {
			reason = "an IPv6 address without its closing ']'";
			goto out;
		}
		if ((reason = crl_url_host(auth + 1,
		    (size_t)(host_end - auth - 1), 1)) != NULL)
			goto out;
		host_end++;
	} else {
		if ((host_end = memchr(auth, ':', (size_t)(auth_end - auth))) == NULL)
			host_end = auth_end;
		if ((reason = crl_url_host(auth, (size_t)(host_end - auth), 0)) != NULL)
			goto out;
	}
	if (host_end < auth_end) {
		/* RFC 3986 3.2.3: port = *DIGIT; an empty one is refused too. */
		if (*host_end != ':') {
			reason = "characters after the host that are not a :port";
			goto out;
		}
		len = (size_t)(auth_end - host_end - 1);
		if (len == 0 || len > 5 ||
		    strspn(host_end + 1, "0123456789") < len) {
			reason = "the port is not a number from 1 to 65535";
			goto out;
		}
		memcpy(digits, host_end + 1, len);
		digits[len] = '\0';
		if (parse_long(digits, 1, 65535, &port) < 0) {
			reason = "the port is not a number from 1 to 65535";
			goto out;
		}
	}
	/*
	 * RFC 3986 3.3 and 3.4: path and query are pchar, '/' and '?'. The
	 * single quote, a sub-delim, is refused as well: the URL is quoted in
	 * messages and pasted into phone configurations (%27 says the same).
	 */
	for (p = auth_end; *p != '\0'; p++) {
		if (*p == '#') {
			reason = "a fragment (#...) is never sent to the server";
			goto out;
		}
		if (*p == '%') {
			int hi = hex_value((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hex_value((unsigned char)p[2]);

			if (hi < 0 || lo < 0) {
				reason = "a '%' not followed by two hex digits"
				    " (RFC 3986 2.1)";
				goto out;
			}
			if (hi * 16 + lo < 0x20 || hi * 16 + lo == 0x7f) {
				reason = "a percent-encoded control character";
				goto out;
			}
			p += 2;
			continue;
		}
		if (!url_unreserved((unsigned char)*p) &&
		    strchr("!$&()*+,;=:@/?", *p) == NULL) {
			reason = "a character a URL path may not hold: quotes,"
			    " backslashes, <>, {}, |, ^ and ` (percent-encode it)";
			goto out;
		}
	}
out:
	if (reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}
