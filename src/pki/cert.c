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

#include <libtasn1.h>

#include "asn1.h"
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

const char *
san_type_name(enum san_type t)
{
	switch (t) {
	case SAN_DNS: return "DNS";
	case SAN_URI: return "URI";
	case SAN_IP: return "IP";
	case SAN_EMAIL: return "email";
	case SAN_X400: return "x400";
	case SAN_DIRNAME: return "dirName";
	case SAN_EDIPARTY: return "ediParty";
	case SAN_OTHERNAME: return "otherName";
	case SAN_RID: return "RID";
	}
	return "?";
}

/* Appends len octets of value (any bytes) as they are. */
static void
san_list_append(struct san_list *l, enum san_type type, const void *value,
    size_t len, const char *problem)
{
	struct san_entry *e;

	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	e = &l->items[l->n++];
	e->type = type;
	e->value = xmalloc(len + 1);
	memcpy(e->value, value, len);
	e->value[len] = '\0';
	e->len = len;
	e->problem = problem;
}

void
san_list_add(struct san_list *l, enum san_type type, const char *value)
{
	size_t i, len = strlen(value);

	for (i = 0; i < l->n; i++)
		if (l->items[i].type == type && l->items[i].len == len &&
		    memcmp(l->items[i].value, value, len) == 0)
			return;
	san_list_append(l, type, value, len, NULL);
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

char *
san_list_format(const struct san_list *l)
{
	size_t i, len = 1, o = 0, plen;
	const char *prefix;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(san_type_name(l->items[i].type)) + l->items[i].len + 2;
	s = xmalloc(len);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			s[o++] = ',';
		prefix = san_type_name(l->items[i].type);
		plen = strlen(prefix);
		memcpy(s + o, prefix, plen);
		o += plen;
		s[o++] = ':';
		memcpy(s + o, l->items[i].value, l->items[i].len);
		o += l->items[i].len;
	}
	s[o] = '\0';
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

void
san_list_escaped(const struct san_list *l, size_t max, struct san_list *out)
{
	char *text;
	size_t i;

	for (i = 0; i < l->n; i++) {
		text = text_escape(l->items[i].value, l->items[i].len, max);
		san_list_append(out, l->items[i].type, text, strlen(text),
		    l->items[i].problem);
		free(text);
	}
}

char *
san_entry_describe(const struct san_entry *e, size_t max)
{
	char *text = text_escape(e->value, e->len, max), *s;

	s = xasprintf("%s '%s'", san_type_name(e->type), text);
	free(text);
	return s;
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

/*
 * The subjectAltName is encoded once, from the whole list.
 * gnutls_x509_crt_set_subject_alt_name() with GNUTLS_FSAN_APPEND decodes
 * and encodes the extension again for every name it adds, which made
 * issuance cubic in the number of names (1,600 names: 21 s).
 */
static int
set_sans(gnutls_x509_crt_t crt, const struct san_list *l)
{
	gnutls_subject_alt_names_t sans = NULL;
	gnutls_datum_t der = { NULL, 0 }, d;
	unsigned char ip[16];
	size_t ip_len, i;
	const char *reason;
	unsigned type;
	int ret;

	if (l == NULL || l->n == 0)
		return 0;
	if (l->n > SAN_MAX)
		return GNUTLS_E_INVALID_REQUEST;
	if ((ret = gnutls_subject_alt_names_init(&sans)) < 0)
		return ret;
	for (i = 0; i < l->n; i++) {
		const struct san_entry *e = &l->items[i];

		/* Never encode a value whose octets are not what it reads as. */
		if (e->problem != NULL || memchr(e->value, '\0', e->len) != NULL) {
			ret = GNUTLS_E_INVALID_REQUEST;
			goto out;
		}
		d.data = (unsigned char *)e->value;
		d.size = (unsigned)e->len;
		switch (e->type) {
		case SAN_DNS:
			type = GNUTLS_SAN_DNSNAME;
			break;
		case SAN_URI:
			type = GNUTLS_SAN_URI;
			break;
		case SAN_IP:
			if (san_parse_ip(e->value, ip, &ip_len, &reason) < 0) {
				ret = GNUTLS_E_INVALID_REQUEST;
				goto out;
			}
			type = GNUTLS_SAN_IPADDRESS;
			d.data = ip;
			d.size = (unsigned)ip_len;
			break;
		default:
			ret = GNUTLS_E_INVALID_REQUEST;
			goto out;
		}
		if ((ret = gnutls_subject_alt_names_set(sans, type, &d, NULL)) < 0)
			goto out;
	}
	/* Not critical: the subject has a CN (RFC 5280 section 4.2.1.6). */
	if ((ret = gnutls_x509_ext_export_subject_alt_names(sans, &der)) < 0 ||
	    (ret = gnutls_x509_crt_set_extension_by_oid(crt,
	    GNUTLS_X509EXT_OID_SAN, der.data, der.size, 0)) < 0)
		goto out;
	ret = 0;
out:
	gnutls_free(der.data);
	gnutls_subject_alt_names_deinit(sans);
	return ret;
}

int
cert_build(const struct cert_request *req, const struct ca *ca,
    const unsigned char serial[SERIAL_LEN], gnutls_x509_crt_t *out_crt)
{
	gnutls_x509_crt_t crt = NULL;
	unsigned char key_id[64];
	size_t key_id_len = sizeof(key_id);
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
	if ((ret = set_sans(crt, req->sans)) < 0)
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

/*
 * The keys sipca signs for: those every phone and TLS stack it serves can
 * use. TLS 1.3 signs with RSA (PKCS#1 v1.5 or PSS over an rsaEncryption
 * key) and ECDSA on P-256, P-384 and P-521 (RFC 8446 section 4.2.3,
 * RFC 8422 section 5.1.1 for TLS 1.2); DSA is gone, and phones implement
 * neither RSA-PSS-only keys nor EdDSA. GnuTLS cannot read a key on any
 * other curve (secp256k1, brainpool) and would report it as a bad
 * signature, so the key is judged before the signature.
 */
static const char *
csr_key_reason(gnutls_x509_crq_t crq)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	const char *reason = NULL;
	unsigned bits = 0, i;
	int algo = gnutls_x509_crq_get_pk_algorithm(crq, &bits);

	switch (algo) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_ECDSA:
		break;
	case GNUTLS_E_ECC_UNSUPPORTED_CURVE:
		return "the key's elliptic curve is not supported (P-256, P-384"
		    " and P-521 are; RFC 8446 section 4.2.3)";
	case GNUTLS_PK_DSA:
		return "DSA keys are not supported: TLS 1.3 has no DSA"
		    " (RFC 8446 section 4.2.3); use RSA or ECDSA";
	case GNUTLS_PK_RSA_PSS:
		return "RSA-PSS (id-RSASSA-PSS) keys are not supported by phones;"
		    " use an RSA (rsaEncryption) or ECDSA key";
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
		return "EdDSA keys are not supported by phones; use RSA or ECDSA";
	default:
		return "the key's algorithm is not supported; use RSA or ECDSA";
	}
	if (gnutls_pubkey_init(&pub) < 0)
		return "out of memory";
	if (gnutls_pubkey_import_x509_crq(pub, crq, 0) < 0) {
		reason = "the request's key cannot be read";
	} else if (algo == GNUTLS_PK_ECDSA) {
		if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0 ||
		    (curve != GNUTLS_ECC_CURVE_SECP256R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP384R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP521R1))
			reason = "the key's elliptic curve is not supported (P-256,"
			    " P-384 and P-521 are; RFC 8446 section 4.2.3)";
	} else if (gnutls_pubkey_export_rsa_raw2(pub, &m, &e, 0) < 0) {
		reason = "the request's key cannot be read";
	} else {
		/*
		 * FIPS 186-4 appendix B.3.1: "an odd positive integer such
		 * that 2^16 < e < 2^256"; e = 3 is what opens RSA signatures
		 * to Bleichenbacher's forgery, and some stacks refuse it. An
		 * odd e of three octets or more (leading zeros aside) is
		 * above 2^16.
		 */
		for (i = 0; i < e.size && e.data[i] == 0; i++)
			;
		if (e.size == 0 || !(e.data[e.size - 1] & 1) ||
		    e.size - i < 3 || e.size - i > 32)
			reason = "the RSA public exponent is not odd and between 2^16"
			    " and 2^256 (FIPS 186-4 appendix B.3.1); make the key"
			    " with e = 65537";
	}
	gnutls_free(m.data);
	gnutls_free(e.data);
	gnutls_pubkey_deinit(pub);
	return reason;
}

int
csr_load(const unsigned char *data, size_t len, gnutls_x509_crq_t *out_crq,
    const char **out_reason)
{
	gnutls_x509_crq_t crq = NULL;
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	const char *reason;
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
	if ((reason = csr_key_reason(crq)) != NULL) {
		*out_reason = reason;
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

/* "#" and the hex of len octets: how RFC 4514 writes a value it cannot type. */
static char *
hash_hex(const unsigned char *p, size_t len)
{
	char *hex = hex_encode(p, len), *s = xasprintf("#%s", hex);

	free(hex);
	return s;
}

/* The dotted text of an OBJECT IDENTIFIER whose TLV is at tlv (any tag). */
static char *
oid_text(const unsigned char *tlv, size_t len)
{
	char buf[256];
	int used = 0;

	if (len < 2 || len > 1024 || asn1_get_object_id_der(tlv + 1,
	    (int)len - 1, &used, buf, sizeof(buf)) != ASN1_SUCCESS)
		return NULL;
	return xstrdup(buf);
}

/*
 * One GeneralName's TLV into out (RFC 5280 section 4.2.1.6, IMPLICIT
 * tags: the tag says which choice; directoryName is EXPLICIT, a CHOICE).
 * The encoding has been checked as DER by pkix_decode() already.
 */
static int
add_general_name(struct san_list *out, const unsigned char *tlv, size_t len)
{
	const unsigned char *v, *inner;
	unsigned char tag, inner_tag;
	size_t vlen, inner_len, oid_len;
	gnutls_datum_t d, dn = { NULL, 0 };
	const char *problem = NULL;
	char ip[INET6_ADDRSTRLEN], *s = NULL, *oid, *hex;
	enum san_type type;

	if (pkix_tlv_content(tlv, len, &tag, &v, &vlen) != 0)
		return -1;
	switch (tag) {
	case 0x81:
	case 0x82:
	case 0x86:
		type = tag == 0x81 ? SAN_EMAIL : tag == 0x82 ? SAN_DNS : SAN_URI;
		(void)san_check_ia5((const char *)v, vlen, &problem);
		san_list_append(out, type, v, vlen, problem);
		return 0;
	case 0x87:
		type = SAN_IP;
		if ((vlen == 4 && inet_ntop(AF_INET, v, ip, sizeof(ip)) != NULL) ||
		    (vlen == 16 && inet_ntop(AF_INET6, v, ip, sizeof(ip)) != NULL)) {
			s = xstrdup(ip);
		} else {
			s = hash_hex(v, vlen);
			problem = "an iPAddress is 4 or 16 octets";
		}
		break;
	case 0xa4:
		type = SAN_DIRNAME;
		d.data = (unsigned char *)v;
		d.size = (unsigned)vlen;
		if (gnutls_x509_rdn_get2(&d, &dn, 0) == 0) {
			s = xasprintf("%.*s", (int)dn.size, (const char *)dn.data);
			gnutls_free(dn.data);
		} else {
			s = hash_hex(v, vlen);
			problem = "not a readable directoryName";
		}
		break;
	case 0xa0:
		/* AnotherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } */
		type = SAN_OTHERNAME;
		if (pkix_tlv_content(v, vlen, &inner_tag, &inner, &inner_len) != 0 ||
		    inner_tag != 0x06)
			return -1;
		oid_len = (size_t)(inner - v) + inner_len;
		if (pkix_tlv_content(v + oid_len, vlen - oid_len, &inner_tag, &inner,
		    &inner_len) != 0 || (oid = oid_text(v, oid_len)) == NULL)
			return -1;
		hex = hash_hex(inner, inner_len);
		s = xasprintf("%s;%s", oid, hex);
		free(hex);
		free(oid);
		break;
	case 0x88:
		type = SAN_RID;
		if ((s = oid_text(tlv, len)) == NULL)
			return -1;
		break;
	case 0xa3:
	case 0xa5:
		type = tag == 0xa3 ? SAN_X400 : SAN_EDIPARTY;
		s = hash_hex(v, vlen);
		break;
	default:
		return -1;
	}
	san_list_append(out, type, s, strlen(s), problem);
	free(s);
	return 0;
}

/*
 * Reads a DER subjectAltName extension (RFC 5280 4.2.1.6) into out:
 * strict DER first, then the checked encoding in one pass, every
 * GeneralName with its octets as they are (looking elements up by name
 * would take time quadratic in their number).
 */
static int
sans_from_extension(const gnutls_datum_t *der, struct san_list *out)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	const unsigned char *p, *end, *content, *c;
	unsigned char tag, t;
	size_t len, clen;
	int ret = GNUTLS_E_ASN1_DER_ERROR;

	if (pkix_decode("GeneralNames", der->data, der->size, 0, &n, NULL,
	    err) != 0 ||
	    pkix_tlv_content(der->data, der->size, &tag, &content, &clen) != 0)
		goto out;
	for (p = content, end = content + clen; p < end; p += len) {
		if (pkix_tlv_content(p, (size_t)(end - p), &t, &c, &len) != 0)
			goto out;
		len += (size_t)(c - p);
		if (add_general_name(out, p, len) != 0)
			goto out;
	}
	ret = 0;
out:
	if (n != NULL)
		asn1_delete_structure(&n);
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

/* Bytes of a value shown in a message about it. */
#define SAN_MESSAGE_MAX 256

int
csr_copy_sans(gnutls_x509_crq_t crq, int drop_others, struct san_list *out,
    char **out_dropped, char **out_msg)
{
	struct san_list all = { NULL, 0 };
	char *others = NULL, *msg = NULL, *what, *prev;
	const char *reason;
	size_t i;
	int ret;

	*out_dropped = NULL;
	if ((ret = csr_sans(crq, &all)) < 0) {
		msg = xasprintf("subjectAltName: %s", gnutls_strerror(ret));
		goto out;
	}
	if (all.n > SAN_MAX) {
		msg = xasprintf("the request asks for %zu SANs (at most %d in one"
		    " certificate)", all.n, SAN_MAX);
		goto out;
	}
	for (i = 0; i < all.n && msg == NULL; i++) {
		const struct san_entry *e = &all.items[i];

		reason = e->problem;
		/* Wildcards are judged later, with the command's flags. */
		if (reason == NULL && e->type == SAN_DNS)
			(void)san_check_dns(e->value, SAN_ALLOW_WILDCARD, &reason);
		else if (reason == NULL && e->type == SAN_URI)
			(void)san_check_sip_uri(e->value, SAN_ALLOW_WILDCARD, &reason);
		if (e->type != SAN_DNS && e->type != SAN_URI && e->type != SAN_IP) {
			what = san_entry_describe(e, SAN_MESSAGE_MAX);
			prev = others;
			others = prev == NULL ? what : xasprintf("%s, %s", prev, what);
			if (prev != NULL) {
				free(prev);
				free(what);
			}
		} else if (reason != NULL) {
			what = text_escape(e->value, e->len, SAN_MESSAGE_MAX);
			msg = xasprintf("%s SAN '%s': %s", san_type_name(e->type), what,
			    reason);
			free(what);
		}
	}
	if (msg == NULL && others != NULL && !drop_others)
		msg = xasprintf("SANs of types sipca does not issue: %s"
		    " (--drop-other-sans issues without them)", others);
	if (msg != NULL)
		goto out;
	for (i = 0; i < all.n; i++)
		if (all.items[i].type == SAN_DNS || all.items[i].type == SAN_URI ||
		    all.items[i].type == SAN_IP)
			san_list_add(out, all.items[i].type, all.items[i].value);
	*out_dropped = others;
	others = NULL;
out:
	san_list_free(&all);
	free(others);
	if (msg != NULL)
		*out_msg = msg;
	return msg != NULL ? -1 : 0;
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
