/*
 * lint: the engine. Decodes each certificate once (libtasn1 against
 * src/pki/pkix.asn for the exact encoding, GnuTLS for the semantics), runs
 * every enabled rule over the decoded view and collects findings. Inputs
 * are read one PEM block at a time.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "asn1.h"
#include "fileio.h"
#include "lint.h"
#include "util.h"

/* RFC 5280 4.1 and RFC 7468 5.1: one DER Certificate per PEM block. */
const struct lint_rule lint_rules_x509[] = {
	{ "x509.parse", SEV_FATAL, KINDS_ALL, 0, 0,
	  "not a decodable X.509 certificate",
	  "RFC 5280 section 4.1", NULL },
	{ "x509.trailing_data", SEV_ERROR, KINDS_ALL, 0, 0,
	  "octets follow the DER certificate in its PEM block or file",
	  "RFC 7468 section 5.1; ITU-T X.690 section 10", NULL },
	{ "x509.gnutls_refused", SEV_WARN, KINDS_ALL, 0, 0,
	  "GnuTLS refuses to import the certificate, so GnuTLS-based peers reject it",
	  "GnuTLS 3.7 gnutls_x509_crt_import()", NULL },
	{ NULL }
};

/* The one list of rule families; --list-rules prints them in this order. */
static const struct lint_rule *const lint_families[] = {
	lint_rules_x509,
	lint_rules_rfc5280,
	lint_rules_names,
	lint_rules_tls,
	lint_rules_apple,
	lint_rules_rfc5922,
	lint_rules_sip,
	lint_rules_vendor,
	lint_rules_validity,
	lint_rules_chain,
};

#define LINT_MAX_RULES 128
static const struct lint_rule *rule_list[LINT_MAX_RULES + 1];
static size_t rule_count;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void
rules_build(void)
{
	size_t i;
	const struct lint_rule *r;

	for (i = 0; i < sizeof(lint_families) / sizeof(lint_families[0]); i++)
		for (r = lint_families[i]; r->id != NULL; r++) {
			if (rule_count == LINT_MAX_RULES)
				abort();
			rule_list[rule_count++] = r;
		}
}

const struct lint_rule *const *
lint_rules(size_t *out_n)
{
	pthread_once(&rules_once, rules_build);
	if (out_n != NULL)
		*out_n = rule_count;
	return rule_list;
}

const struct lint_rule *
lint_rule_find(const char *id)
{
	size_t i, n;
	const struct lint_rule *const *r = lint_rules(&n);

	for (i = 0; i < n; i++)
		if (strcmp(r[i]->id, id) == 0)
			return r[i];
	return NULL;
}

size_t
lint_rule_index(const struct lint_rule *rule)
{
	size_t i, n;
	const struct lint_rule *const *r = lint_rules(&n);

	for (i = 0; i < n; i++)
		if (r[i] == rule)
			return i;
	return 0;
}

static const char *const severity_names[] = { "notice", "warn", "error", "fatal" };

const char *
lint_severity_name(enum lint_severity s)
{
	if ((unsigned)s > SEV_FATAL)
		return "?";
	return severity_names[s];
}

int
lint_severity_parse(const char *s, enum lint_severity *out)
{
	unsigned i;

	for (i = 0; i <= SEV_FATAL; i++)
		if (strcmp(s, severity_names[i]) == 0) {
			*out = (enum lint_severity)i;
			return 0;
		}
	if (strcmp(s, "warning") == 0) {
		*out = SEV_WARN;
		return 0;
	}
	return -1;
}

static const char *const profile_names[] = {
	"rfc5280", "tls", "apple", "rfc5922", "sip", "polycom", "y2038",
	"validity", "chain", "snom", "cisco",
};

const char *
lint_profile_name(unsigned profile)
{
	unsigned i;

	for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++)
		if (profile == 1u << i)
			return profile_names[i];
	return "x509";
}

int
lint_profiles_parse(const char *list, unsigned *out, const char **out_bad)
{
	static char bad[64];
	const char *p = list, *e;
	unsigned mask = 0, i;
	size_t len;
	int found;

	while (*p != '\0') {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		found = 0;
		for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++)
			if (strlen(profile_names[i]) == len &&
			    strncmp(profile_names[i], p, len) == 0) {
				mask |= 1u << i;
				found = 1;
			}
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			mask |= PROF_ALL;
			found = 1;
		}
		if (!found) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(len < 60 ? len : 60), p);
			*out_bad = bad;
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (mask == 0) {
		*out_bad = "";
		return -1;
	}
	*out = mask;
	return 0;
}

void
lint_options_init(struct lint_options *o)
{
	memset(o, 0, sizeof(*o));
	o->profiles = PROF_ALL;
	o->role = -1;
	o->now = sipca_now();
	o->expiry_warn_days = 30;
}

int
lint_rule_enabled(const struct lint_rule *r, const struct lint_options *o,
    enum cert_kind k)
{
	size_t i;

	if (!(r->kinds & LINT_KIND(k)))
		return 0;
	if (r->profile != 0 && !(o->profiles & r->profile))
		return 0;
	if ((r->needs & NEED_SIP_DOMAIN) && o->sip_domain == NULL)
		return 0;
	if ((r->needs & NEED_CA) && o->n_ca == 0)
		return 0;
	for (i = 0; i < o->n_exclude; i++)
		if (strcmp(o->exclude[i], r->id) == 0)
			return 0;
	return 1;
}

/* Findings */

static void
findings_add(struct lint_findings *f, enum lint_severity sev, const char *fmt,
    va_list ap)
{
	struct lint_finding *it;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	it = &f->items[f->n++];
	it->rule = f->current;
	it->severity = sev;
	it->message = msg;
}

void
lint_report(struct lint_findings *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_add(f, f->current->severity, fmt, ap);
	va_end(ap);
}

void
lint_report_sev(struct lint_findings *f, enum lint_severity sev,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	findings_add(f, sev, fmt, ap);
	va_end(ap);
}

const char *
lint_esc(struct lint_findings *f, const void *data, size_t len)
{
	if (f->n_esc == f->cap_esc) {
		f->cap_esc = f->cap_esc ? f->cap_esc * 2 : 4;
		f->esc = xrealloc(f->esc, f->cap_esc * sizeof(*f->esc));
	}
	f->esc[f->n_esc] = text_escape(data, len, LINT_ECHO_MAX);
	return f->esc[f->n_esc++];
}

const char *
lint_esc_str(struct lint_findings *f, const char *s)
{
	return lint_esc(f, s, strlen(s));
}

void
lint_findings_reset(struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->items[i].message);
	for (i = 0; i < f->n_esc; i++)
		free(f->esc[i]);
	f->n = 0;
	f->n_esc = 0;
	f->current = NULL;
}

void
lint_findings_free(struct lint_findings *f)
{
	if (f == NULL)
		return;
	lint_findings_reset(f);
	free(f->items);
	free(f->esc);
	f->items = NULL;
	f->esc = NULL;
	f->cap = 0;
	f->cap_esc = 0;
}

void
lint_summary_add(struct lint_summary *s, const struct lint_findings *f)
{
	size_t i;

	s->certificates++;
	for (i = 0; i < f->n; i++)
		s->count[f->items[i].severity]++;
}

/* Helpers for rules */

static const struct {
	const char *oid, *name;
} oid_names[] = {
	{ "1.2.840.113549.1.1.1", "rsaEncryption" },
	{ "1.2.840.10045.2.1", "id-ecPublicKey" },
	{ "1.3.101.112", "Ed25519" },
	{ "1.3.101.113", "Ed448" },
	{ "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
	{ "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
	{ "1.2.840.113549.1.1.10", "RSASSA-PSS" },
	{ "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
	{ "1.2.840.113549.1.1.12", "sha384WithRSAEncryption" },
	{ "1.2.840.113549.1.1.13", "sha512WithRSAEncryption" },
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
	{ "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
	{ "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
};

const char *
lint_oid_name(const char *oid)
{
	size_t i;

	for (i = 0; i < sizeof(oid_names) / sizeof(oid_names[0]); i++)
		if (strcmp(oid_names[i].oid, oid) == 0)
			return oid_names[i].name;
	return oid;
}

const char *
lint_time_str(const struct lint_time *t, char buf[48])
{
	char tmp[21];

	if (!t->ok || t->t < 0) {
		snprintf(buf, 48, "%.40s", t->text);
		return buf;
	}
	format_time_rfc3339(t->t, tmp);
	snprintf(buf, 48, "%s", tmp);
	return buf;
}

int
lint_has_wildcard(const char *p, size_t len)
{
	return p != NULL && memchr(p, '*', len) != NULL;
}

size_t
lint_ip_text(const char *p, size_t len, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN];

	/* inet_pton reads a C string: a NUL inside must not end it early. */
	if (len == 0 || len >= sizeof(buf) || memchr(p, '\0', len) != NULL)
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, out) == 1)
		return 16;
	return 0;
}

static unsigned char
ascii_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

int
lint_text_caseeq(const char *p, size_t len, const char *s)
{
	size_t i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (ascii_lower((unsigned char)p[i]) != ascii_lower((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Decoding */

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
	char name[96], oid[64];
	const unsigned char *v;
	size_t vlen;
	asn1_node rdns;
	int n, m, i, j;

	if ((rdns = asn1_find_node(c->tree, "tbsCertificate.subject.rdnSequence")) == NULL)
		return;
	/* names below a node start with that node's own name */
	n = pkix_count(rdns, "rdnSequence");
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "rdnSequence.?%d", i);
		m = pkix_count(rdns, name);
		for (j = 1; j <= m; j++) {
			snprintf(name, sizeof(name), "rdnSequence.?%d.?%d.type", i, j);
			if (pkix_read_oid(rdns, name, oid, sizeof(oid)) != 0 ||
			    strcmp(oid, "2.5.4.3") != 0)
				continue;
			snprintf(name, sizeof(name),
			    "tbsCertificate.subject.rdnSequence.?%d.?%d.value", i, j);
			if (pkix_slice(c->tree, c->der, c->der_len, name, &v, &vlen) != 0)
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
}

static void
decode_ku(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE];
	unsigned char bits[8] = { 0 };
	int len = sizeof(bits), i;

	if (pkix_decode("KeyUsage", e->value, e->value_len, 0, &n, NULL, err) != 0) {
		ext_malformed(e, "keyUsage", err);
		return;
	}
	c->has_ku = 1;
	c->ku_critical = e->critical;
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
		snprintf(name, sizeof(name), "?%d", i);
		if (pkix_read_oid(n, name, oid, sizeof(oid)) != 0)
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

/* GeneralName (RFC 5280 4.2.1.6) by its context tag number. */
static const char *const general_name_choices[] = {
	"otherName", "rfc822Name", "dNSName", "x400Address", "directoryName",
	"ediPartyName", "uniformResourceIdentifier", "iPAddress", "registeredID",
};

/*
 * libtasn1 checks the structure; the names are then read from the DER
 * itself, each element's content octets copied whole into one buffer
 * after the array (the contents cannot add up to more than the
 * extension), so a name is neither cut at a NUL nor at a buffer's size
 * and a certificate costs one allocation however many names it holds.
 */
static void
decode_san(struct lint_cert *c, struct lint_ext *e)
{
	asn1_node n = NULL;
	char err[PKIX_ERR_SIZE], *buf;
	const unsigned char *p, *v;
	size_t plen, vlen, count, i;
	unsigned char tag, num;
	struct lint_san *s;

	if (pkix_decode("GeneralNames", e->value, e->value_len, 0, &n, NULL,
	    err) != 0) {
		ext_malformed(e, "subjectAltName", err);
		return;
	}
	asn1_delete_structure(&n);
	c->has_san = 1;
	if (pkix_tlv_content(e->value, e->value_len, &tag, &p, &plen) != 0)
		return;
	/* every element takes two octets at least */
	count = plen / 2 + 1;
	c->sans = xmalloc(count * sizeof(*c->sans) + plen + count);
	buf = (char *)(c->sans + count);
	while (plen > 0 && pkix_tlv_content(p, plen, &tag, &v, &vlen) == 0) {
		plen -= (size_t)(v + vlen - p);
		p = v + vlen;
		num = tag & 0x1f;
		s = &c->sans[c->n_san++];
		memset(s, 0, sizeof(*s));
		s->choice = num < sizeof(general_name_choices) /
		    sizeof(general_name_choices[0]) ? general_name_choices[num] : "?";
		switch (tag) {
		case 0x82: s->type = SAN_DNS; break;
		case 0x86: s->type = SAN_URI; break;
		case 0x87: s->type = SAN_IP; break;
		case 0x81: s->type = LINT_SAN_EMAIL; break;
		default: s->type = 0; break;
		}
		if (s->type == 0)
			vlen = 0;	/* other types are not read as names */
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
		s->value = buf;
		s->len = vlen;
		buf += vlen + 1;
		if (s->type != SAN_IP && s->type != 0) {
			s->clean = memchr(v, '\0', vlen) == NULL;
			for (i = 0; i < vlen && s->clean; i++)
				if (v[i] > 0x7f)
					s->clean = 0;
		}
	}
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
		snprintf(name, sizeof(name), "extensions.?%d", i);
		if ((ext = asn1_find_node(exts, name)) == NULL)
			continue;
		snprintf(name, sizeof(name), "?%d.extnID", i);
		if (read_ext_oid(ext, name, e) != 0)
			continue;
		snprintf(name, sizeof(name), "?%d.critical", i);
		len = sizeof(v) - 1;
		if (pkix_read(ext, name, v, &len) == 0) {
			v[len] = '\0';
			e->critical = strcmp(v, "TRUE") == 0;
		}
		/* extnValue is the Extension's last element: one slice of the
		 * Extension, then its elements walked in place. */
		snprintf(name, sizeof(name), "tbsCertificate.extensions.?%d", i);
		if (pkix_slice(c->tree, c->der, c->der_len, name, &tlv, &tlv_len) != 0 ||
		    pkix_tlv_content(tlv, tlv_len, &tag, &p, &plen) != 0)
			continue;
		e->value = NULL;
		while (plen > 0 && pkix_tlv_content(p, plen, &tag, &e->value,
		    &e->value_len) == 0) {
			plen -= (size_t)(e->value + e->value_len - p);
			p = e->value + e->value_len;
		}
		if (tag != 0x04 || e->value == NULL)
			continue;
		c->n_ext++;
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

/* When GnuTLS refused the certificate: its first CN, escaped. */
static char *
simple_subject(const struct lint_cert *c)
{
	char *esc, *s;

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

int
lint_cert_decode(struct lint_cert *c, const unsigned char *der, size_t len,
    const struct lint_options *o)
{
	char err[PKIX_ERR_SIZE];
	unsigned char ver[4], tag;
	const unsigned char *tlv, *p;
	size_t used = 0, tlv_len, plen;
	gnutls_datum_t d;
	int vlen = sizeof(ver), ret, rc = -1;

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

	d.data = (unsigned char *)(uintptr_t)der;
	d.size = (unsigned)used;
	if (c->crt_borrowed)
		;	/* GnuTLS made it: it takes it by construction */
	else if ((ret = gnutls_x509_crt_init(&c->crt)) == 0 &&
	    (ret = gnutls_x509_crt_import(c->crt, &d, GNUTLS_X509_FMT_DER)) < 0) {
		snprintf(c->gnutls_error, sizeof(c->gnutls_error), "%s",
		    gnutls_strerror(ret));
		gnutls_x509_crt_deinit(c->crt);
		c->crt = NULL;
	}

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
	decode_extensions(c);

	if (c->crt != NULL && gnutls_x509_crt_get_dn3(c->crt, &d, 0) == 0) {
		c->subject_text = xstrdup((const char *)d.data);
		gnutls_free(d.data);
	} else {
		c->subject_text = simple_subject(c);
	}
	c->kind = o->role >= 0 ? (enum cert_kind)o->role : lint_detect_kind(c);
	if (o->n_ca > 0 && (o->profiles & PROF_CHAIN))
		c->signer = lint_chain_signer(c);
	rc = 0;
out:
	return rc;
}

void
lint_cert_clear(struct lint_cert *c)
{
	size_t i;

	if (c->tree != NULL)
		asn1_delete_structure(&c->tree);
	if (c->crt != NULL && !c->crt_borrowed)
		gnutls_x509_crt_deinit(c->crt);
	for (i = 0; i < c->n_cn; i++)
		free(c->cns[i].data);
	free(c->cns);
	free(c->sans);
	for (i = 0; i < c->n_ext; i++)
		free(c->exts[i].oid_long);
	free(c->exts);
	free(c->subject_text);
	memset(c, 0, sizeof(*c));
}

void
lint_run(const struct lint_cert *c, struct lint_findings *f)
{
	const struct lint_options *o = c->opts;
	const struct lint_rule *const *rules;
	size_t i, n;

	rules = lint_rules(&n);
	if (c->tree == NULL) {
		f->current = &lint_rules_x509[0];
		lint_report(f, "%s", c->parse_error[0] ? c->parse_error : "cannot decode");
		return;
	}
	if (c->trailing > 0 && lint_rule_enabled(&lint_rules_x509[1], o, c->kind)) {
		f->current = &lint_rules_x509[1];
		lint_report(f, "%zu octets after the %zu-octet certificate",
		    c->trailing, c->der_len);
	}
	if (c->crt == NULL && lint_rule_enabled(&lint_rules_x509[2], o, c->kind)) {
		f->current = &lint_rules_x509[2];
		lint_report(f, "gnutls_x509_crt_import: %s", c->gnutls_error);
	}
	for (i = 0; i < n; i++) {
		if (rules[i]->check == NULL || !lint_rule_enabled(rules[i], o, c->kind))
			continue;
		f->current = rules[i];
		rules[i]->check(c, f);
	}
	f->current = NULL;
}

void
lint_der(struct lint_cert *c, const unsigned char *der, size_t len,
    const struct lint_options *o, struct lint_findings *f)
{
	lint_cert_decode(c, der, len, o);
	lint_run(c, f);
}

/* --ca certificates */

int
lint_ca_load(const unsigned char *data, size_t len, const char *label,
    struct lint_ca **cas, size_t *n_ca, const char **out_reason)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i, critical = 0, ca = 0;
	gnutls_datum_t d;
	struct lint_ca *a;
	int ret, rc = -1;

	d.data = (unsigned char *)(uintptr_t)data;
	d.size = (unsigned)len;
	ret = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || n == 0) {
		gnutls_free(list);
		list = gnutls_malloc(sizeof(*list));
		n = 0;
		if (list == NULL || gnutls_x509_crt_init(&list[0]) < 0)
			goto fail;
		if ((ret = gnutls_x509_crt_import(list[0], &d, GNUTLS_X509_FMT_DER)) < 0) {
			gnutls_x509_crt_deinit(list[0]);
			goto fail;
		}
		n = 1;
	}
	for (i = 0; i < n; i++) {
		*cas = xrealloc(*cas, (*n_ca + 1) * sizeof(**cas));
		a = &(*cas)[*n_ca];
		memset(a, 0, sizeof(*a));
		a->crt = list[i];
		a->label = xasprintf("%s#%u", label, i + 1);
		if (gnutls_x509_crt_get_raw_dn(a->crt, &a->subject) < 0)
			a->subject.data = NULL;
		if (gnutls_pubkey_init(&a->pubkey) < 0 ||
		    gnutls_pubkey_import_x509(a->pubkey, a->crt, 0) < 0) {
			gnutls_pubkey_deinit(a->pubkey);
			a->pubkey = NULL;
		}
		ca = 0;
		a->is_ca = gnutls_x509_crt_get_basic_constraints(a->crt, &critical,
		    &ca, NULL) >= 0 && ca;
		(*n_ca)++;
	}
	gnutls_free(list);
	list = NULL;
	rc = 0;
	goto out;
fail:
	*out_reason = ret < 0 ? gnutls_strerror(ret) : "no certificate";
out:
	gnutls_free(list);
	return rc;
}

void
lint_ca_free(struct lint_ca *cas, size_t n_ca)
{
	size_t i;

	for (i = 0; i < n_ca; i++) {
		gnutls_x509_crt_deinit(cas[i].crt);
		if (cas[i].pubkey != NULL)
			gnutls_pubkey_deinit(cas[i].pubkey);
		gnutls_free(cas[i].subject.data);
		free(cas[i].label);
	}
	free(cas);
}

/* Inputs */

static const signed char b64_table[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
	['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
	['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
	['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
	['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* RFC 4648 section 4 in place; whitespace was dropped already. */
static int
base64_decode(unsigned char *buf, size_t len, size_t *out_len)
{
	size_t i, o = 0, pad = 0;
	unsigned acc = 0, nbits = 0;
	int v;

	for (i = 0; i < len; i++) {
		if (buf[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = b64_table[buf[i]]) == 0)
			return -1;
		acc = (acc << 6) | (unsigned)(v - 1);
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			buf[o++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	if (pad > 2 || (len % 4) != 0)
		return -1;
	*out_len = o;
	return 0;
}

#define LINT_MAX_DER (16u << 20)

static int
is_cert_begin(const char *line)
{
	return strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0 ||
	    strncmp(line, "-----BEGIN X509 CERTIFICATE-----", 32) == 0;
}

/* RFC 7468 lines are 64 characters; anything far longer is not PEM. */
#define LINT_MAX_LINE 4096

/*
 * One line of at most size - 1 octets into buf, the rest of a longer line
 * skipped, so an endless input without newlines (/dev/zero) costs no
 * memory. Returns the length kept, or -1 at the end of the input.
 */
static ssize_t
read_line_bounded(FILE *fp, char *buf, size_t size)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(fp)) != EOF) {
		if (n + 1 < size)
			buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	buf[n] = '\0';
	return n == 0 && ch == EOF ? -1 : (ssize_t)n;
}

/* An input that cannot be read, its name escaped: a file name may hold
 * any byte but '/' and NUL. */
static void
input_error(const char *path, int err)
{
	char *esc = text_escape(path, strlen(path), 0);

	error_msg("cannot read '%s': %s", esc, file_strerror(err));
	free(esc);
}

/* PEM blocks one at a time (RFC 7468 section 2), or one DER value. */
static int
lint_stream(FILE *fp, const char *name, lint_input_fn fn, void *arg)
{
	char *line = xmalloc(LINT_MAX_LINE);
	size_t blen = 0, bcap = 0, dlen, i;
	ssize_t n;
	unsigned char *b = NULL;
	unsigned lineno = 0, start = 0, index = 0;
	int in = 0, ch, rc = 0;

	ch = getc(fp);
	if (ch == EOF) {
		fn(name, 1, 1, NULL, 0, "empty input", arg);
		goto out;
	}
	ungetc(ch, fp);
	if (ch == 0x30) {
		/* DER: one value, read whole but bounded */
		bcap = 65536;
		b = xmalloc(bcap);
		while ((n = (ssize_t)fread(b + blen, 1, bcap - blen, fp)) > 0) {
			blen += (size_t)n;
			if (blen == bcap) {
				if (bcap >= LINT_MAX_DER)
					break;
				bcap *= 2;
				b = xrealloc(b, bcap);
			}
		}
		fn(name, 1, 1, b, blen, NULL, arg);
		goto out;
	}
	while ((n = read_line_bounded(fp, line, LINT_MAX_LINE)) >= 0) {
		lineno++;
		if (!in) {
			if (is_cert_begin(line)) {
				in = 1;
				start = lineno;
				blen = 0;
			}
			continue;
		}
		if (strncmp(line, "-----END ", 9) == 0) {
			in = 0;
			index++;
			if (base64_decode(b, blen, &dlen) != 0)
				fn(name, index, start, NULL, 0,
				    "invalid base64 in the PEM block", arg);
			else if (dlen == 0)
				fn(name, index, start, NULL, 0, "empty PEM block", arg);
			else
				fn(name, index, start, b, dlen, NULL, arg);
			continue;
		}
		if (memchr(line, ':', (size_t)n) != NULL)
			continue;	/* RFC 1421 headers */
		if (blen + (size_t)n > bcap) {
			if (blen + (size_t)n > LINT_MAX_DER * 2) {
				index++;
				fn(name, index, start, NULL, 0, "PEM block too large", arg);
				in = 0;
				continue;
			}
			bcap = (blen + (size_t)n) * 2;
			b = xrealloc(b, bcap);
		}
		for (i = 0; i < (size_t)n; i++)
			if (!isspace((unsigned char)line[i]))
				b[blen++] = (unsigned char)line[i];
	}
	if (in) {
		index++;
		fn(name, index, start, NULL, 0,
		    "PEM block has no END line (truncated)", arg);
	} else if (index == 0) {
		fn(name, 1, 1, NULL, 0, "no PEM certificate and not DER", arg);
	}
out:
	if (ferror(fp)) {
		input_error(name, errno);
		rc = -1;
	}
	free(line);
	free(b);
	return rc;
}

static int
wanted_file(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && (strcasecmp(dot, ".pem") == 0 ||
	    strcasecmp(dot, ".crt") == 0 || strcasecmp(dot, ".cer") == 0 ||
	    strcasecmp(dot, ".der") == 0);
}

static int
lint_file(const char *path, lint_input_fn fn, void *arg)
{
	FILE *fp = NULL;
	int fd, rc;

	/* A FIFO or a device is refused, not waited on: only "-" is a stream. */
	if ((fd = open_regular_file(path)) < 0 ||
	    (fp = fdopen(fd, "rb")) == NULL) {
		input_error(path, errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = lint_stream(fp, path, fn, arg);
	fclose(fp);
	return rc;
}

static int
lint_dir(const char *path, int depth, lint_input_fn fn, void *arg)
{
	struct dirent **list = NULL;
	struct stat st, lst;
	char *sub, *esc;
	int n, i, rc = 0;

	if (depth > 32) {
		esc = text_escape(path, strlen(path), 0);
		error_msg("'%s': directories nested too deep", esc);
		free(esc);
		return -1;
	}
	if ((n = scandir(path, &list, NULL, alphasort)) < 0) {
		input_error(path, errno);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] == '.')
			goto next;
		sub = xasprintf("%s/%s", path, list[i]->d_name);
		if (stat(sub, &st) != 0) {
			/* a dangling symlink in a certificate directory */
			if (wanted_file(sub)) {
				input_error(sub, errno);
				rc = -1;
			}
		} else if (S_ISDIR(st.st_mode)) {
			/* symlinked directories are not followed: no loops */
			if (lstat(sub, &lst) == 0 && S_ISDIR(lst.st_mode) &&
			    lint_dir(sub, depth + 1, fn, arg) != 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && wanted_file(sub)) {
			if (lint_file(sub, fn, arg) != 0)
				rc = -1;
		}
		free(sub);
next:
		free(list[i]);
	}
	free(list);
	return rc;
}

int
lint_input(const char *path, lint_input_fn fn, void *arg)
{
	struct stat st;

	if (strcmp(path, "-") == 0)
		return lint_stream(stdin, "-", fn, arg);
	if (stat(path, &st) != 0) {
		input_error(path, errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return lint_dir(path, 0, fn, arg);
	return lint_file(path, fn, arg);
}
