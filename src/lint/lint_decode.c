/*
 * lint_decode: one certificate decoded once into the struct lint_cert
 * every rule reads: libtasn1 against src/pki/pkix.asn for the exact
 * encoding, GnuTLS for the semantics, the subjectAltName into the same
 * san_list sipid reads (san_list.c), so lint and probe judge one list.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1.h"
#include "lint.h"
#include "util.h"

/*
 * RFC 5280 4.1.2.5.1/4.1.2.5.2 strings, read leniently here (minutes
 * only, offsets, fractions) so that the validity rules still work on a
 * badly encoded time; rfc5280.time_encoding reports the encoding itself.
 */
static int
parse_asn1_time(struct lint_time *t)
{
	const char *s = t->text;
	struct tm tm;
	int year, i, n, off = 0;
	int d[7] = { 0 };
	size_t len = strlen(s), digits;

	for (digits = 0; digits < len && isdigit((unsigned char)s[digits]); digits++)
		;
	memset(&tm, 0, sizeof(tm));
	if (t->type == LINT_TIME_UTC) {
		if (digits != 10 && digits != 12)
			return -1;
		year = (s[0] - '0') * 10 + (s[1] - '0');
		/* RFC 5280 4.1.2.5.1: YY >= 50 is 19YY, else 20YY. */
		year += year >= 50 ? 1900 : 2000;
		i = 2;
	} else {
		if (digits != 12 && digits != 14)
			return -1;
		year = 0;
		for (i = 0; i < 4; i++)
			year = year * 10 + (s[i] - '0');
	}
	for (n = 0; i + 1 < (int)digits; i += 2, n++)
		d[n] = (s[i] - '0') * 10 + (s[i + 1] - '0');
	s += digits;
	if (*s == '.' || *s == ',')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if ((*s == '+' || *s == '-') && strlen(s) == 5 && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    isdigit((unsigned char)s[4])) {
		off = ((s[1] - '0') * 10 + (s[2] - '0')) * 3600 +
		    ((s[3] - '0') * 10 + (s[4] - '0')) * 60;
		if (*s == '+')
			off = -off;
	} else if (!(*s == 'Z' && s[1] == '\0') && *s != '\0') {
		return -1;
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = d[0] - 1;
	tm.tm_mday = d[1];
	tm.tm_hour = d[2];
	tm.tm_min = d[3];
	tm.tm_sec = d[4];
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	t->t = timegm(&tm) + off;
	t->ok = 1;
	return 0;
}

/*
 * The Time CHOICE is untagged, so its slice is the UTCTime (0x17) or
 * GeneralizedTime (0x18) itself. The octets are kept as encoded for the
 * messages; only a string that fits text and holds no NUL is parsed.
 */
static void
read_time(struct lint_cert *c, const char *name, struct lint_time *t)
{
	const unsigned char *tlv;
	size_t tlv_len;
	unsigned char tag;

	memset(t, 0, sizeof(*t));
	if (pkix_slice(c->tree, c->der, c->der_len, name, &tlv, &tlv_len) != 0 ||
	    pkix_tlv_content(tlv, tlv_len, &tag, &t->raw, &t->raw_len) != 0)
		return;
	if (tag == 0x17)
		t->type = LINT_TIME_UTC;
	else if (tag == 0x18)
		t->type = LINT_TIME_GEN;
	else
		return;
	if (t->raw_len >= sizeof(t->text) || memchr(t->raw, '\0', t->raw_len) != NULL)
		return;
	memcpy(t->text, t->raw, t->raw_len);
	t->text[t->raw_len] = '\0';
	parse_asn1_time(t);
}

/*
 * A DirectoryString's octets (UTF8, Printable, IA5, Teletex), or a
 * BMPString's as UTF-8: exactly as encoded, NULs included, so that no
 * comparison sees a shorter name than the certificate holds.
 * rfc5280.subject_bad_bytes judges the bytes themselves.
 */
static void
directory_string(const unsigned char *tlv, size_t len, struct lint_str *out)
{
	const unsigned char *p;
	unsigned char tag;
	size_t n, i, o = 0;
	char *s;

	if (pkix_tlv_content(tlv, len, &tag, &p, &n) != 0) {
		out->data = xstrdup("");
		out->len = 0;
		return;
	}
	if (tag == 0x1e) {	/* BMPString: UCS-2 big-endian */
		s = xmalloc(n / 2 * 3 + 1);
		for (i = 0; i + 1 < n; i += 2) {
			unsigned u = (unsigned)p[i] << 8 | p[i + 1];
			if (u < 0x80) {
				s[o++] = (char)u;
			} else if (u < 0x800) {
				s[o++] = (char)(0xc0 | u >> 6);
				s[o++] = (char)(0x80 | (u & 0x3f));
			} else {
				s[o++] = (char)(0xe0 | u >> 12);
				s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
				s[o++] = (char)(0x80 | (u & 0x3f));
			}
		}
		s[o] = '\0';
		out->data = s;
		out->len = o;
		return;
	}
	s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	out->data = s;
	out->len = n;
}

static void
decode_subject(struct lint_cert *c)
{
	char rdn[32], name[96], oid[64];
	const unsigned char *v;
	size_t vlen;
	asn1_node rdns;
	int n, m, i, j;

	if ((rdns = asn1_find_node(c->tree, "tbsCertificate.subject.rdnSequence")) == NULL)
		return;
	/* names below a node start with that node's own name */
	n = pkix_count(rdns, "rdnSequence");
	for (i = 1; i <= n; i++) {
		pkix_nth(rdn, sizeof(rdn), "rdnSequence", (unsigned)i, "");
		m = pkix_count(rdns, rdn);
		for (j = 1; j <= m; j++) {
			if (pkix_nth(name, sizeof(name), rdn, (unsigned)j, ".type") == NULL ||
			    pkix_read_oid(rdns, name, oid, sizeof(oid)) != 0 ||
			    strcmp(oid, "2.5.4.3") != 0)
				continue;
			memcpy(name, "tbsCertificate.subject.", 23);
			if (pkix_nth(name + 23, sizeof(name) - 23, rdn, (unsigned)j,
			    ".value") == NULL ||
			    pkix_slice(c->tree, c->der, c->der_len, name, &v, &vlen) != 0)
				continue;
			c->cns = xrealloc(c->cns, (c->n_cn + 1) * sizeof(*c->cns));
			directory_string(v, vlen, &c->cns[c->n_cn++]);
		}
	}
}

static void
ext_malformed(struct lint_ext *e, const char *what, const char *err)
{
	snprintf(e->malformed, sizeof(e->malformed), "%.24s: %.120s", what, err);
}

static void
ext_not_der(struct lint_ext *e, const char *what, const char *why)
{
	snprintf(e->not_der, sizeof(e->not_der), "%.24s: %.120s", what, why);
}

/*
 * X.690 11.1: a BOOLEAN TRUE is FF in DER; 11.5: a component equal to
 * its DEFAULT is left out, so a FALSE written out where the DEFAULT is
 * FALSE (an Extension's critical, basicConstraints' cA) is BER only.
 */
static const char *
default_false_problem(const unsigned char *v, size_t len)
{
	if (len == 1 && v[0] == 0x00)
		return "FALSE written out, a DEFAULT value DER leaves out"
		    " (X.690 section 11.5)";
	if (len == 1 && v[0] != 0xff)
		return "TRUE not encoded as FF (X.690 section 11.1)";
	return NULL;
}

/*
 * A NamedBitList BIT STRING in DER (X.690 11.2.1, 11.2.2): the unused
 * bits of the last octet are zero and there are no trailing zero bits,
 * so the lowest used bit of the last octet is set and an empty string
 * is the single octet 00.
 */
static const char *
named_bits_problem(const unsigned char *tlv, size_t len)
{
	const unsigned char *v;
	size_t vlen;
	unsigned char tag, unused, last;

	if (pkix_tlv_content(tlv, len, &tag, &v, &vlen) != 0 || tag != 0x03 ||
	    vlen == 0)
		return NULL;	/* libtasn1 has said what is wrong */
	unused = v[0];
	if (vlen == 1)
		return unused == 0 ? NULL : "an empty BIT STRING with unused bits"
		    " (X.690 section 11.2.1)";
	last = v[vlen - 1];
	if (unused > 7)
		return NULL;
	if (last & ((1u << unused) - 1))
		return "unused bits that are not zero (X.690 section 11.2.1)";
	if (!(last & (1u << unused)))
		return "trailing zero bits in a named bit list"
		    " (X.690 section 11.2.2)";
	return NULL;
}

/* X.501: RelativeDistinguishedName ::= SET SIZE (1..MAX) OF ... */
static int
name_has_empty_rdn(const unsigned char *tlv, size_t len)
{
	const unsigned char *p, *v;
	size_t plen, vlen;
	unsigned char tag;

	if (tlv == NULL || pkix_tlv_content(tlv, len, &tag, &p, &plen) != 0)
		return 0;
	while (plen > 0 && pkix_tlv_content(p, plen, &tag, &v, &vlen) == 0) {
		if (tag == 0x31 && vlen == 0)
			return 1;
		plen -= (size_t)(v + vlen - p);
		p = v + vlen;
	}
	return 0;
}

static void
decode_bc(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE], v[8];
	int len = sizeof(v) - 1;

	if (pkix_decode("BasicConstraints", e->value, e->value_len, 0, &n, NULL,
	    err) != 0) {
		ext_malformed(e, "basicConstraints", err);
		return;
	}
	c->has_bc = 1;
	c->bc_critical = e->critical;
	if (pkix_read(n, "cA", v, &len) == 0) {
		v[len] = '\0';
		c->bc_ca = strcmp(v, "TRUE") == 0;
	}
	asn1_delete_structure(&n);
	/* cA is the SEQUENCE's first element when it is there. */
	{
		const unsigned char *p, *b;
		size_t plen, blen;
		unsigned char tag;
		const char *why;

		if (pkix_tlv_content(e->value, e->value_len, &tag, &p, &plen) == 0 &&
		    plen > 0 && pkix_tlv_content(p, plen, &tag, &b, &blen) == 0 &&
		    tag == 0x01 && (why = default_false_problem(b, blen)) != NULL)
			ext_not_der(e, "basicConstraints cA", why);
	}
}

static void
decode_ku(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char bits[8] = { 0 };
	const char *why;
	int len = sizeof(bits), i;

	if (pkix_decode("KeyUsage", e->value, e->value_len, 0, &n, NULL, err) != 0) {
		ext_malformed(e, "keyUsage", err);
		return;
	}
	c->has_ku = 1;
	c->ku_critical = e->critical;
	if ((why = named_bits_problem(e->value, e->value_len)) != NULL)
		ext_not_der(e, "keyUsage", why);
	/* len comes back in bits for a BIT STRING */
	if (pkix_read(n, "", bits, &len) == 0)
		for (i = 0; i < len && i < 16; i++)
			if (bits[i / 8] & (0x80 >> (i % 8)))
				c->ku |= 1u << i;
	asn1_delete_structure(&n);
}

static void
decode_eku(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE], name[16], oid[64];
	int i, count;

	if (pkix_decode("ExtKeyUsageSyntax", e->value, e->value_len, 0, &n, NULL,
	    err) != 0) {
		ext_malformed(e, "extKeyUsage", err);
		return;
	}
	c->has_eku = 1;
	count = pkix_count(n, "");
	for (i = 1; i <= count; i++) {
		if (pkix_nth(name, sizeof(name), "", (unsigned)i, "") == NULL ||
		    pkix_read_oid(n, name, oid, sizeof(oid)) != 0)
			continue;
		if (strcmp(oid, OID_SERVER_AUTH) == 0)
			c->eku_server = 1;
		else if (strcmp(oid, OID_CLIENT_AUTH) == 0)
			c->eku_client = 1;
		else if (strcmp(oid, OID_ANY_EKU) == 0)
			c->eku_any = 1;
	}
	asn1_delete_structure(&n);
}

/*
 * The GeneralNames into the san_list sipid reads, each name's octets as
 * encoded (san_list_from_der: strict DER, one pass). libtasn1's words
 * for a refused value come from a second decode, on that path only.
 */
static void
decode_san(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];

	if (san_list_from_der(e->value, e->value_len, &c->sans) == 0) {
		c->has_san = 1;
		return;
	}
	san_list_clear(&c->sans);
	if (pkix_decode("GeneralNames", e->value, e->value_len, 0, &n, NULL,
	    err) != 0) {
		ext_malformed(e, "subjectAltName", err);
		return;
	}
	asn1_delete_structure(&n);
	/* DER, with a name no list can hold (an OID too long for text):
	 * none of its names is read, so none is trusted. */
	c->has_san = 1;
	ext_malformed(e, "subjectAltName", "a GeneralName that cannot be read");
}

static void
decode_aki(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];

	if (pkix_decode("AuthorityKeyIdentifier", e->value, e->value_len, 0, &n,
	    NULL, err) != 0) {
		ext_malformed(e, "authorityKeyIdentifier", err);
		return;
	}
	c->has_aki = 1;
	c->aki_keyid = pkix_present(n, "keyIdentifier");
	asn1_delete_structure(&n);
}

static void
decode_ski(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];

	if (pkix_decode("SubjectKeyIdentifier", e->value, e->value_len, 0, &n,
	    NULL, err) != 0) {
		ext_malformed(e, "subjectKeyIdentifier", err);
		return;
	}
	c->has_ski = 1;
	asn1_delete_structure(&n);
}

static const struct {
	const char *oid;
	void (*decode)(struct lint_cert *, struct lint_ext *);
} ext_decoders[] = {
	{ "2.5.29.19", decode_bc },
	{ "2.5.29.15", decode_ku },
	{ "2.5.29.37", decode_eku },
	{ "2.5.29.17", decode_san },
	{ "2.5.29.35", decode_aki },
	{ "2.5.29.14", decode_ski },
};

/*
 * An OID of any length: a long one (a critical extension under a deep
 * private arc) must still be seen by the rules, not dropped because its
 * text did not fit.
 */
static int
read_ext_oid(asn1_node ext, const char *name, struct lint_ext *e)
{
	int len = 0;

	e->oid = e->oid_text;
	if (pkix_read_oid(ext, name, e->oid_text, sizeof(e->oid_text)) == 0)
		return 0;
	/* asn1_read_value() says how much room it wants */
	pkix_read(ext, name, NULL, &len);
	if (len <= 0)
		return -1;
	e->oid_long = xmalloc((size_t)len + 1);
	if (pkix_read_oid(ext, name, e->oid_long, (size_t)len + 1) != 0) {
		free(e->oid_long);
		e->oid_long = NULL;
		return -1;
	}
	e->oid = e->oid_long;
	return 0;
}

static void
decode_extensions(struct lint_cert *c)
{
	char name[64], v[8];
	int n, i, len;
	size_t k, j;
	struct lint_ext *e;
	const unsigned char *tlv;
	size_t tlv_len;
	unsigned char tag;
	const char *why;

	asn1_node exts, ext;
	const unsigned char *p;
	size_t plen;

	if ((exts = asn1_find_node(c->tree, "tbsCertificate.extensions")) == NULL)
		return;
	/* names below a node start with that node's own name */
	n = pkix_count(exts, "extensions");
	if (n <= 0)
		return;
	c->exts = xcalloc((size_t)n, sizeof(*c->exts));
	for (i = 1; i <= n; i++) {
		e = &c->exts[c->n_ext];
		/* the slot of an extension skipped below is used again */
		free(e->oid_long);
		memset(e, 0, sizeof(*e));
		if ((ext = asn1_find_node(exts, pkix_nth(name, sizeof(name),
		    "extensions", (unsigned)i, ""))) == NULL)
			continue;
		if (read_ext_oid(ext, pkix_nth(name, sizeof(name), "", (unsigned)i,
		    ".extnID"), e) != 0)
			continue;
		len = sizeof(v) - 1;
		if (pkix_read(ext, pkix_nth(name, sizeof(name), "", (unsigned)i,
		    ".critical"), v, &len) == 0) {
			v[len] = '\0';
			e->critical = strcmp(v, "TRUE") == 0;
		}
		/* extnValue is the Extension's last element: one slice of the
		 * Extension, then its elements walked in place. */
		if (pkix_slice(c->tree, c->der, c->der_len, pkix_nth(name, sizeof(name),
		    "tbsCertificate.extensions", (unsigned)i, ""), &tlv, &tlv_len) != 0 ||
		    pkix_tlv_content(tlv, tlv_len, &tag, &p, &plen) != 0)
			continue;
		e->value = NULL;
		why = NULL;
		while (plen > 0 && pkix_tlv_content(p, plen, &tag, &e->value,
		    &e->value_len) == 0) {
			if (tag == 0x01)
				why = default_false_problem(e->value, e->value_len);
			plen -= (size_t)(e->value + e->value_len - p);
			p = e->value + e->value_len;
		}
		if (tag != 0x04 || e->value == NULL)
			continue;
		c->n_ext++;
		if (why != NULL)
			ext_not_der(e, "critical", why);
		/* Only the first of duplicated extensions is interpreted, as
		 * rfc5280.duplicate_extension reports the rest. */
		for (j = 0; j + 1 < c->n_ext; j++)
			if (strcmp(c->exts[j].oid, e->oid) == 0)
				break;
		if (j + 1 < c->n_ext)
			continue;
		for (k = 0; k < sizeof(ext_decoders) / sizeof(ext_decoders[0]); k++)
			if (strcmp(ext_decoders[k].oid, e->oid) == 0)
				ext_decoders[k].decode(c, e);
	}
	if (c->n_ext < (size_t)n) {
		free(c->exts[c->n_ext].oid_long);
		c->exts[c->n_ext].oid_long = NULL;
	}
}

/* Modulus size of an RSAPublicKey in the SPKI's BIT STRING (RFC 3279 2.3.1). */
static void
decode_rsa_bits(struct lint_cert *c)
{
	const unsigned char *tlv, *bits, *seq, *mod;
	size_t tlv_len, bits_len, seq_len, mod_len;
	unsigned char tag, b;

	if (pkix_slice(c->tree, c->der, c->der_len,
	    "tbsCertificate.subjectPublicKeyInfo.subjectPublicKey", &tlv, &tlv_len) != 0 ||
	    pkix_tlv_content(tlv, tlv_len, &tag, &bits, &bits_len) != 0 ||
	    bits_len < 2 || bits[0] != 0 ||
	    pkix_tlv_content(bits + 1, bits_len - 1, &tag, &seq, &seq_len) != 0 ||
	    tag != 0x30 ||
	    pkix_tlv_content(seq, seq_len, &tag, &mod, &mod_len) != 0 || tag != 0x02)
		return;
	while (mod_len > 0 && mod[0] == 0) {
		mod++;
		mod_len--;
	}
	if (mod_len == 0)
		return;
	c->rsa_bits = (unsigned)(mod_len - 1) * 8;
	for (b = mod[0]; b != 0; b >>= 1)
		c->rsa_bits++;
}

/*
 * The subject as RFC 4514 text, from its DER alone (GnuTLS formats a
 * Name without importing the certificate); when GnuTLS cannot read the
 * Name, its first CN, escaped.
 */
static char *
subject_text(const struct lint_cert *c)
{
	gnutls_datum_t in = { (unsigned char *)(uintptr_t)c->subject,
	    (unsigned)c->subject_len }, out;
	char *esc, *s;

	if (c->subject_len > 0 && gnutls_x509_rdn_get2(&in, &out, 0) == 0) {
		s = xstrdup((const char *)out.data);
		gnutls_free(out.data);
		return s;
	}
	if (c->n_cn == 0)
		return xstrdup("");
	esc = text_escape(c->cns[0].data, c->cns[0].len, LINT_ECHO_MAX);
	s = xasprintf("CN=%s", esc);
	free(esc);
	return s;
}

enum cert_kind
lint_detect_kind(const struct lint_cert *c)
{
	if (c->has_bc && c->bc_ca)
		return KIND_CA;
	if (c->has_eku && c->eku_client && !c->eku_server)
		return KIND_DEVICE;
	return KIND_SERVER;
}

const struct lint_ext *
lint_cert_ext(const struct lint_cert *c, const char *oid)
{
	size_t i;

	for (i = 0; i < c->n_ext; i++)
		if (strcmp(c->exts[i].oid, oid) == 0)
			return &c->exts[i];
	return NULL;
}

/* GnuTLS's own reading, for the rules that need its semantics; a refusal
 * is a finding (x509.gnutls_refused), with the call that refused. */
static void
import_crt(struct lint_cert *c, const gnutls_datum_t *d)
{
	const char *call = "gnutls_x509_crt_init";
	int ret;

	if ((ret = gnutls_x509_crt_init(&c->crt)) == 0) {
		call = "gnutls_x509_crt_import";
		if ((ret = gnutls_x509_crt_import(c->crt, d, GNUTLS_X509_FMT_DER)) == 0)
			return;
		gnutls_x509_crt_deinit(c->crt);
	}
	c->crt = NULL;
	snprintf(c->gnutls_error, sizeof(c->gnutls_error), "%s: %s", call,
	    gnutls_strerror(ret));
}

int
lint_cert_decode(struct lint_cert *c, const unsigned char *der, size_t len,
    const struct lint_options *o)
{
	char err[PKIX_ERR_SIZE];
	unsigned char ver[4], tag;
	const unsigned char *tlv, *p;
	size_t used = 0, tlv_len, plen;
	gnutls_datum_t d;
	int vlen = sizeof(ver), rc = -1;

	c->opts = o;
	c->der = der;
	c->der_len = len;
	c->kind = o->role >= 0 ? (enum cert_kind)o->role : KIND_SERVER;
	if (pkix_decode("Certificate", der, len,
	    PKIX_ALLOW_TRAILING | PKIX_ALLOW_BAD_TIME, &c->tree, &used, err) != 0) {
		snprintf(c->parse_error, sizeof(c->parse_error), "libtasn1: %s", err);
		c->tree = NULL;
		goto out;
	}
	c->der_len = used;
	c->trailing = len - used;
	c->decoded = 1;

	d.data = (unsigned char *)(uintptr_t)der;
	d.size = (unsigned)used;
	/* Borrowed: GnuTLS made it, so it takes it by construction. */
	if (!c->crt_borrowed && lint_wants_gnutls(o))
		import_crt(c, &d);

	c->version = 1;
	if (pkix_read(c->tree, "tbsCertificate.version", ver, &vlen) == 0 && vlen == 1)
		c->version = ver[0] + 1;
	if (pkix_slice(c->tree, der, used, "tbsCertificate.serialNumber", &tlv,
	    &tlv_len) == 0 && pkix_tlv_content(tlv, tlv_len, &tag, &p, &plen) == 0) {
		c->serial_len = plen;
		memcpy(c->serial, p, plen < sizeof(c->serial) ? plen : sizeof(c->serial));
	}
	read_time(c, "tbsCertificate.validity.notBefore", &c->not_before);
	read_time(c, "tbsCertificate.validity.notAfter", &c->not_after);
	pkix_read_oid(c->tree, "signatureAlgorithm.algorithm", c->sig_oid,
	    sizeof(c->sig_oid));
	pkix_read_oid(c->tree, "tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm",
	    c->spki_oid, sizeof(c->spki_oid));
	if (strcmp(c->spki_oid, OID_RSA) == 0)
		decode_rsa_bits(c);
	pkix_slice(c->tree, der, used, "tbsCertificate", &c->tbs, &c->tbs_len);
	if (pkix_slice(c->tree, der, used, "signature", &tlv, &tlv_len) == 0 &&
	    pkix_tlv_content(tlv, tlv_len, &tag, &p, &plen) == 0 && plen > 0) {
		c->sig = p + 1;		/* after the unused-bits octet */
		c->sig_len = plen - 1;
	}
	pkix_slice(c->tree, der, used, "tbsCertificate.issuer", &c->issuer,
	    &c->issuer_len);
	pkix_slice(c->tree, der, used, "tbsCertificate.subject", &c->subject,
	    &c->subject_len);
	c->self_issued = c->issuer_len > 0 && c->issuer_len == c->subject_len &&
	    memcmp(c->issuer, c->subject, c->issuer_len) == 0;
	decode_subject(c);
	c->empty_rdn = (name_has_empty_rdn(c->subject, c->subject_len) ?
	    LINT_NAME_SUBJECT : 0) | (name_has_empty_rdn(c->issuer,
	    c->issuer_len) ? LINT_NAME_ISSUER : 0);
	decode_extensions(c);

	/* Only what prints it pays for it: RFC 4514 text is not free. */
	if (o->subject_text)
		c->subject_text = subject_text(c);
	c->kind = o->role >= 0 ? (enum cert_kind)o->role : lint_detect_kind(c);
	if (o->n_ca > 0 && (o->profiles & PROF_CHAIN))
		c->signer = lint_chain_signer(c);
	rc = 0;
out:
	return rc;
}

void
lint_cert_release(struct lint_cert *c)
{
	size_t i;

	if (c->tree != NULL)
		asn1_delete_structure(&c->tree);
	c->tree = NULL;
	if (c->crt != NULL && !c->crt_borrowed)
		gnutls_x509_crt_deinit(c->crt);
	c->crt = NULL;
	for (i = 0; i < c->n_cn; i++)
		free(c->cns[i].data);
	free(c->cns);
	c->cns = NULL;
	c->n_cn = 0;
	san_list_clear(&c->sans);
	for (i = 0; i < c->n_ext; i++)
		free(c->exts[i].oid_long);
	free(c->exts);
	c->exts = NULL;
	c->n_ext = 0;
	free(c->pem_der);
	c->pem_der = NULL;
	c->der = c->tbs = c->sig = c->issuer = c->subject = NULL;
}

void
lint_cert_clear(struct lint_cert *c)
{
	lint_cert_release(c);
	free(c->subject_text);
	memset(c, 0, sizeof(*c));
}
