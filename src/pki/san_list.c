/*
 * san_list: the GeneralNames of a certificate or request (RFC 5280
 * section 4.2.1.6) as sipca holds them, and their text forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "asn1.h"
#include "san.h"
#include "san_list.h"
#include "util.h"

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
void
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
	char canonical[SAN_IP_TEXT_MAX];

	if (san_parse_ip(text, ip, &ip_len, out_reason) < 0 ||
	    san_ip_to_text(ip, ip_len, canonical) < 0)
		return -1;
	san_list_add(l, SAN_IP, canonical);
	return 0;
}

void
san_list_clear(struct san_list *l)
{
	size_t i;

	if (l == NULL)
		return;
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
	san_list_clear(&l);
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
	char ip[SAN_IP_TEXT_MAX], *s = NULL, *oid, *hex;
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
		if (san_ip_to_text(v, vlen, ip) == 0) {
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
 * Whether der is a GeneralNames whose every name is a primitive string
 * alternative: rfc822Name [1], dNSName [2] and URI [6] (IA5String) or
 * iPAddress [7] (OCTET STRING), RFC 5280 4.2.1.6, as nearly every SIP
 * certificate's is. For those the whole of strict DER is the tags, a
 * SEQUENCE with nothing after it and every length definite in its
 * shortest form (X.690 8.1.3, 10.1): checked here in one walk, where
 * libtasn1 would expand the whole GeneralName CHOICE for each name (some
 * 20,000 instructions a name, a sixth of a certificate's lint). Any other
 * name, or none, goes to libtasn1.
 */
static int
only_strings(const unsigned char *der, size_t len)
{
	const unsigned char *content, *end, *p, *v;
	unsigned char tag;
	size_t clen, vlen;

	if (pkix_tlv_content(der, len, &tag, &content, &clen) != 0 ||
	    tag != 0x30 || content + clen != der + len || clen == 0)
		return 0;
	for (p = content, end = content + clen; p < end; p = v + vlen) {
		if (pkix_tlv_content(p, (size_t)(end - p), &tag, &v, &vlen) != 0)
			return 0;
		if (tag != 0x81 && tag != 0x82 && tag != 0x86 && tag != 0x87)
			return 0;
	}
	return pkix_der_minimal(der, len) == 0;
}

/*
 * The value of a subjectAltName extension (RFC 5280 4.2.1.6) into out:
 * strict DER first, then the checked encoding in one pass, every
 * GeneralName with its octets as they are (looking elements up by name
 * would take time quadratic in their number).
 */
int
san_list_from_der(const unsigned char *der, size_t der_len, struct san_list *out)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	const unsigned char *p, *end, *content, *c;
	unsigned char tag, t;
	size_t len, clen;
	int ret = -1;

	if ((!only_strings(der, der_len) &&
	    pkix_decode("GeneralNames", der, der_len, 0, &n, NULL, err) != 0) ||
	    pkix_tlv_content(der, der_len, &tag, &content, &clen) != 0)
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
