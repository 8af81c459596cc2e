/*
 * cert: key generation, serial numbers and leaf certificates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509-ext.h>

#include "ca.h"
#include "cert.h"
#include "san.h"
#include "util.h"

static const struct {
	const char *name;
	gnutls_pk_algorithm_t algo;
	unsigned bits;
} key_types[] = {
	[KEY_RSA2048] = { "rsa2048", GNUTLS_PK_RSA, 2048 },
	[KEY_RSA3072] = { "rsa3072", GNUTLS_PK_RSA, 3072 },
	[KEY_RSA4096] = { "rsa4096", GNUTLS_PK_RSA, 4096 },
	[KEY_P256] = { "p256", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) },
	[KEY_P384] = { "p384", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1) },
};

int
key_type_parse(const char *s, enum key_type *out)
{
	size_t i;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++) {
		if (strcmp(s, key_types[i].name) == 0) {
			*out = (enum key_type)i;
			return 0;
		}
	}
	return -1;
}

const char *
key_type_name(enum key_type t)
{
	return key_types[t].name;
}

static const char *const kind_names[] = {
	[KIND_CA] = "ca",
	[KIND_SERVER] = "server",
	[KIND_DEVICE] = "device",
};

const char *
cert_kind_name(enum cert_kind k)
{
	return kind_names[k];
}

int
cert_kind_parse(const char *s, enum cert_kind *out)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum cert_kind)i;
			return 0;
		}
	}
	return -1;
}

void
san_list_add(struct san_list *l, enum san_type type, const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].type == type && strcmp(l->items[i].value, value) == 0)
			return;
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n].type = type;
	l->items[l->n].value = xstrdup(value);
	l->n++;
}

int
san_list_add_ip(struct san_list *l, const char *text, const char **out_reason)
{
	unsigned char ip[16];
	size_t ip_len = 0;
	char canonical[INET6_ADDRSTRLEN];

	if (san_parse_ip(text, ip, &ip_len, out_reason) < 0)
		return -1;
	if (inet_ntop(ip_len == 4 ? AF_INET : AF_INET6, ip, canonical,
	    sizeof(canonical)) == NULL) {
		*out_reason = "not an IPv4 or IPv6 address";
		return -1;
	}
	san_list_add(l, SAN_IP, canonical);
	return 0;
}

void
san_list_free(struct san_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].value);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static const char *
san_prefix(enum san_type t)
{
	switch (t) {
	case SAN_DNS: return "DNS";
	case SAN_URI: return "URI";
	case SAN_IP: return "IP";
	}
	return "?";
}

char *
san_list_format(const struct san_list *l)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->items[i].value) + 6;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, san_prefix(l->items[i].type));
		strcat(s, ":");
		strcat(s, l->items[i].value);
	}
	return s;
}

int
san_list_parse(const char *s, struct san_list *out)
{
	struct san_list l = { NULL, 0 };
	char *copy = xstrdup(s), *tok, *save = NULL;
	int ret = -1;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "DNS:", 4) == 0)
			san_list_add(&l, SAN_DNS, tok + 4);
		else if (strncmp(tok, "URI:", 4) == 0)
			san_list_add(&l, SAN_URI, tok + 4);
		else if (strncmp(tok, "IP:", 3) == 0)
			san_list_add(&l, SAN_IP, tok + 3);
		else
			goto out;
	}
	*out = l;
	l.items = NULL;
	l.n = 0;
	ret = 0;
out:
	san_list_free(&l);
	free(copy);
	return ret;
}

int
key_generate(enum key_type type, gnutls_x509_privkey_t *out_key)
{
	gnutls_x509_privkey_t key = NULL;
	int ret;

	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		return ret;
	ret = gnutls_x509_privkey_generate2(key, key_types[type].algo,
	    key_types[type].bits, 0, NULL, 0);
	if (ret < 0) {
		gnutls_x509_privkey_deinit(key);
		return ret;
	}
	*out_key = key;
	return 0;
}

int
key_export_pem(gnutls_x509_privkey_t key, const char *passphrase,
    gnutls_datum_t *out_pem)
{
	/* PKCS#8 with PBES2 and AES-256 (RFC 8018) when a passphrase is given. */
	unsigned flags = passphrase != NULL ? GNUTLS_PKCS_PBES2_AES_256 :
	    GNUTLS_PKCS_PLAIN;

	return gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    passphrase, flags, out_pem);
}

int
serial_generate(unsigned char out[SERIAL_LEN])
{
	int ret;

	/*
	 * RFC 5280 4.1.2.2: positive and at most 20 octets. Clearing the top
	 * bit keeps the DER INTEGER positive in 20 octets; a zero first
	 * octet would make the encoding shorter than 20 (and non-minimal if
	 * kept), so such draws are simply made again.
	 */
	do {
		ret = gnutls_rnd(GNUTLS_RND_NONCE, out, SERIAL_LEN);
		if (ret < 0)
			return ret;
		out[0] &= 0x7f;
	} while (out[0] == 0);
	return 0;
}

static int
add_san(gnutls_x509_crt_t crt, const struct san_entry *e)
{
	unsigned char ip[16];
	size_t ip_len;
	const char *reason;

	switch (e->type) {
	case SAN_DNS:
		return gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, e->value, strlen(e->value),
		    GNUTLS_FSAN_APPEND);
	case SAN_URI:
		return gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_URI, e->value, strlen(e->value),
		    GNUTLS_FSAN_APPEND);
	case SAN_IP:
		if (san_parse_ip(e->value, ip, &ip_len, &reason) < 0)
			return GNUTLS_E_INVALID_REQUEST;
		return gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, ip_len, GNUTLS_FSAN_APPEND);
	}
	return GNUTLS_E_INVALID_REQUEST;
}

int
cert_build(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_x509_crt_t *out_crt)
{
	gnutls_x509_crt_t crt = NULL;
	unsigned char key_id[64];
	size_t key_id_len = sizeof(key_id), i;
	unsigned usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	int ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0)
		return ret;
	if ((ret = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(crt, serial, SERIAL_LEN)) < 0 ||
	    (ret = gnutls_x509_crt_set_pubkey(crt, req->pubkey)) < 0)
		goto out;
	if (req->organization != NULL &&
	    (ret = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, req->organization,
	    strlen(req->organization))) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, req->common_name, strlen(req->common_name))) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_set_activation_time(crt, req->not_before)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt,
	    req->not_before + (time_t)req->days * 86400)) < 0)
		goto out;
	/* An end entity says so (RFC 5280 4.2.1.9); GnuTLS marks it critical. */
	if ((ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0)
		goto out;
	/*
	 * RFC 8446 4.4.2.2 needs digitalSignature; TLS 1.2 RSA key exchange
	 * (still offered by older phones) needs keyEncipherment (RFC 5246 7.4.2).
	 */
	if (gnutls_pubkey_get_pk_algorithm(req->pubkey, NULL) == GNUTLS_PK_RSA)
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	if ((ret = gnutls_x509_crt_set_key_usage(crt, usage)) < 0)
		goto out;
	if (req->eku_server_auth &&
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
		goto out;
	if (req->eku_client_auth &&
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0)
		goto out;
	for (i = 0; req->sans != NULL && i < req->sans->n; i++)
		if ((ret = add_san(crt, &req->sans->items[i])) < 0)
			goto out;
	if ((ret = gnutls_pubkey_get_key_id(req->pubkey, GNUTLS_KEYID_USE_SHA1,
	    key_id, &key_id_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(crt, key_id,
	    key_id_len)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_set_authority_key_id(crt, ca->key_id,
	    ca->key_id_len)) < 0)
		goto out;
	if (req->crl_url != NULL &&
	    (ret = gnutls_x509_crt_set_crl_dist_points(crt, GNUTLS_SAN_URI,
	    req->crl_url, 0)) < 0)
		goto out;
	if ((ret = gnutls_x509_crt_privkey_sign(crt, ca->crt, ca->key,
	    GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	*out_crt = crt;
	crt = NULL;
	ret = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return ret;
}

static int
looks_pem(const unsigned char *data, size_t len)
{
	return memmem(data, len, "-----BEGIN", 10) != NULL;
}

int
csr_load(const unsigned char *data, size_t len, gnutls_x509_crq_t *out_crq,
    const char **out_reason)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	int ret;

	if (len > UINT32_MAX) {
		*out_reason = "request too large";
		return -1;
	}
	if (gnutls_x509_crq_init(&crq) < 0) {
		*out_reason = "out of memory";
		return -1;
	}
	ret = gnutls_x509_crq_import(crq, &d,
	    looks_pem(data, len) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		*out_reason = gnutls_strerror(ret);
		goto fail;
	}
	/* The self-signature proves the requester holds the key (RFC 2986 3). */
	if (gnutls_x509_crq_verify(crq, 0) < 0) {
		*out_reason = "the request's signature does not verify";
		goto fail;
	}
	*out_crq = crq;
	return 0;
fail:
	gnutls_x509_crq_deinit(crq);
	return -1;
}

static void
add_gnutls_san(struct san_list *out, unsigned type, const unsigned char *buf,
    size_t size)
{
	char text[INET6_ADDRSTRLEN];
	char *value;

	switch (type) {
	case GNUTLS_SAN_DNSNAME:
	case GNUTLS_SAN_URI:
		value = xasprintf("%.*s", (int)size, (const char *)buf);
		san_list_add(out, type == GNUTLS_SAN_DNSNAME ? SAN_DNS : SAN_URI,
		    value);
		free(value);
		break;
	case GNUTLS_SAN_IPADDRESS:
		if ((size == 4 && inet_ntop(AF_INET, buf, text, sizeof(text))) ||
		    (size == 16 && inet_ntop(AF_INET6, buf, text, sizeof(text))))
			san_list_add(out, SAN_IP, text);
		break;
	default:
		break;
	}
}

/* Reads a DER subjectAltName extension (RFC 5280 4.2.1.6) into out. */
static int
sans_from_extension(const gnutls_datum_t *der, struct san_list *out)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t name;
	unsigned type, i;
	int ret;

	if ((ret = gnutls_subject_alt_names_init(&sans)) < 0)
		return ret;
	if ((ret = gnutls_x509_ext_import_subject_alt_names(der, sans, 0)) < 0)
		goto out;
	for (i = 0;; i++) {
		ret = gnutls_subject_alt_names_get(sans, i, &type, &name, NULL);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			ret = 0;
			break;
		}
		if (ret < 0)
			break;
		add_gnutls_san(out, type, name.data, name.size);
	}
out:
	gnutls_subject_alt_names_deinit(sans);
	return ret;
}

/* What an extension lookup returned: no subjectAltName is no SANs. */
static int
sans_from_lookup(int ret, gnutls_datum_t *der, struct san_list *out)
{
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret >= 0)
		ret = sans_from_extension(der, out);
	gnutls_free(der->data);
	return ret;
}

int
csr_sans(gnutls_x509_crq_t crq, struct san_list *out)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned critical;

	return sans_from_lookup(gnutls_x509_crq_get_extension_by_oid2(crq,
	    GNUTLS_X509EXT_OID_SAN, 0, &der, &critical), &der, out);
}

int
cert_sans(gnutls_x509_crt_t crt, struct san_list *out)
{
	gnutls_datum_t der = { NULL, 0 };
	unsigned critical;

	return sans_from_lookup(gnutls_x509_crt_get_extension_by_oid2(crt,
	    GNUTLS_X509EXT_OID_SAN, 0, &der, &critical), &der, out);
}

int
cert_export(gnutls_x509_crt_t crt, gnutls_x509_crt_fmt_t fmt,
    gnutls_datum_t *out)
{
	return gnutls_x509_crt_export2(crt, fmt, out);
}

int
cert_serial_hex(gnutls_x509_crt_t crt, char *buf, size_t size)
{
	unsigned char serial[64];
	size_t len = sizeof(serial);
	char *hex;
	int ret;

	if ((ret = gnutls_x509_crt_get_serial(crt, serial, &len)) < 0)
		return ret;
	hex = hex_encode(serial, len);
	if (strlen(hex) + 1 > size) {
		free(hex);
		return GNUTLS_E_SHORT_MEMORY_BUFFER;
	}
	strcpy(buf, hex);
	free(hex);
	return 0;
}

int
cert_load_all(const unsigned char *data, size_t len,
    gnutls_x509_crt_t **out_list, unsigned *out_n)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0;
	int ret;

	if (len > UINT32_MAX)
		return GNUTLS_E_INVALID_REQUEST;
	if (looks_pem(data, len)) {
		ret = gnutls_x509_crt_list_import2(&list, &n, &d,
		    GNUTLS_X509_FMT_PEM, 0);
		if (ret < 0)
			return ret;
	} else {
		list = gnutls_malloc(sizeof(*list));
		if (list == NULL)
			return GNUTLS_E_MEMORY_ERROR;
		if ((ret = gnutls_x509_crt_init(&list[0])) < 0) {
			gnutls_free(list);
			return ret;
		}
		ret = gnutls_x509_crt_import(list[0], &d, GNUTLS_X509_FMT_DER);
		if (ret < 0) {
			gnutls_x509_crt_deinit(list[0]);
			gnutls_free(list);
			return ret;
		}
		n = 1;
	}
	*out_list = list;
	*out_n = n;
	return 0;
}

char *
cert_subject(gnutls_x509_crt_t crt)
{
	gnutls_datum_t dn = { NULL, 0 };
	char *s;

	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0)
		return xstrdup("");
	s = xasprintf("%.*s", (int)dn.size, (const char *)dn.data);
	gnutls_free(dn.data);
	return s;
}
