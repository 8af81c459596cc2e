/*
 * lint_names: the bytes and syntax of the names a certificate carries
 * (RFC 5280 section 4.2.1.6 for subjectAltName, 4.1.2.6 for the
 * subject). A name that holds a NUL, a byte outside its string type or
 * text that is not the syntax of its type is a finding of its own: TLS
 * stacks and SIP clients that read names as C strings, or compare them
 * loosely, would each take it for a different identity.
 *
 * The grammars are spelled out over ASCII rather than with <ctype.h>,
 * whose answers depend on the locale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "asn1.h"
#include "lint.h"
#include "san.h"
#include "util.h"

#define NAMES_CITE "RFC 5280 section 4.2.1.6"

static int
is_alpha(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alnum(unsigned char ch)
{
	return is_alpha(ch) || is_digit(ch);
}

static int
is_hex(unsigned char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int
in_set(unsigned char ch, const char *set)
{
	return ch != '\0' && strchr(set, ch) != NULL;
}

/* The IA5String names: the ones a NUL or a high byte can hide in. */
static int
is_text_name(const struct san_entry *s)
{
	return s->type == SAN_DNS || s->type == SAN_URI || s->type == SAN_EMAIL;
}

static const char *
san_label(const struct san_entry *s)
{
	switch (s->type) {
	case SAN_DNS: return "dNSName";
	case SAN_URI: return "URI";
	case SAN_IP: return "iPAddress";
	case SAN_EMAIL: return "rfc822Name";
	default: return san_type_name(s->type);
	}
}

/*
 * The whole value is the name: a NUL inside it ends the name early for
 * every reader that takes it as a C string ("example.com\0.evil.com"
 * reads as example.com), so what one peer checks is not what another
 * sees. No syntax of 4.2.1.6 (RFC 1034, RFC 3986, RFC 5321) has a NUL.
 */
static void
check_san_nul(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	const char *nul;
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		if (is_text_name(s) && (nul = memchr(s->value, '\0', s->len)) != NULL)
			lint_report(f, "subjectAltName %s '%s' holds a NUL at offset %zu",
			    san_label(s), lint_esc(f, s->value, s->len),
			    (size_t)(nul - s->value));
	}
}

/*
 * 4.2.1.6: dNSName, uniformResourceIdentifier and rfc822Name are
 * IA5String (octets 0x00 to 0x7F); sections 7.2, 7.4 and 7.5 have
 * internationalized names converted to ASCII (A-labels, URIs, punycode
 * domain parts) before they go in.
 */
static void
check_san_not_ia5(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	size_t i, k;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		if (!is_text_name(s))
			continue;
		for (k = 0; k < s->len; k++)
			if ((unsigned char)s->value[k] > 0x7f)
				break;
		if (k < s->len)
			lint_report(f, "subjectAltName %s '%s' has the octet 0x%02x at offset %zu, outside IA5String",
			    san_label(s), lint_esc(f, s->value, s->len),
			    (unsigned char)s->value[k], k);
	}
}

/*
 * A DNS name in RFC 1034 section 3.5's preferred syntax with RFC 1123
 * section 2.1's digits: san.c's reading, the one sipca issues by. A
 * leading "*." is the wildcard rules' business (rfc5922.wildcard and the
 * vendors'), so what follows it is checked here.
 */
static const char *
dns_reason(const char *p, size_t len)
{
	char buf[256];
	const char *reason = NULL;

	if (len >= 2 && p[0] == '*' && p[1] == '.') {
		p += 2;
		len -= 2;
	}
	if (len >= sizeof(buf))
		return "longer than 253 octets";
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (san_check_dns(buf, 0, &reason) != 0)
		return reason;
	return NULL;
}

/* 4.2.1.6: "The name MUST be in the "preferred name syntax", as specified
 * by Section 3.5 of [RFC1034] and as modified by Section 2.1 of
 * [RFC1123]." */
static void
check_san_dns_syntax(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	const char *reason;
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		/* bad bytes are san_nul's and san_not_ia5's findings */
		if (s->type != SAN_DNS || s->problem != NULL)
			continue;
		if ((reason = dns_reason(s->value, s->len)) != NULL)
			lint_report(f, "dNSName '%s' is not a DNS name: %s",
			    lint_esc(f, s->value, s->len), reason);
	}
}

/* An address of the family between brackets or dots (san_ip_from_text). */
static int
ip_literal(int family, const char *p, size_t len)
{
	size_t n = san_ip_from_text(p, len, NULL);

	return family == AF_INET ? n == 4 : n == 16;
}

/* "%" HEXDIG HEXDIG at p[i] (RFC 3986 2.1, RFC 3261 escaped). */
static int
pct_encoded(const char *p, size_t len, size_t i)
{
	return p[i] == '%' && i + 2 < len && is_hex((unsigned char)p[i + 1]) &&
	    is_hex((unsigned char)p[i + 2]);
}

/*
 * RFC 3261 25.1: every octet of s[0..len) is in set, an alphanumeric,
 * an unreserved mark or an escape; at least min octets.
 */
static int
sip_chars(const char *s, size_t len, const char *set, size_t min)
{
	size_t i;

	if (len < min)
		return 0;
	for (i = 0; i < len; i++) {
		if (pct_encoded(s, len, i)) {
			i += 2;
			continue;
		}
		if (!is_alnum((unsigned char)s[i]) &&
		    !in_set((unsigned char)s[i], "-_.!~*'()") &&
		    !in_set((unsigned char)s[i], set))
			return 0;
	}
	return 1;
}

/*
 * RFC 3261 25.1: hostname = *( domainlabel "." ) toplabel [ "." ],
 * domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum,
 * toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum.
 */
static int
sip_hostname(const char *p, size_t len)
{
	size_t start = 0, end, i;

	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	for (;;) {
		for (end = start; end < len && p[end] != '.'; end++)
			;
		if (end == start || !is_alnum((unsigned char)p[start]) ||
		    !is_alnum((unsigned char)p[end - 1]))
			return 0;
		for (i = start; i < end; i++)
			if (!is_alnum((unsigned char)p[i]) && p[i] != '-')
				return 0;
		if (end == len)
			return is_alpha((unsigned char)p[start]);
		start = end + 1;
	}
}

/*
 * RFC 3261 section 25.1, SIP-URI and SIPS-URI:
 *   "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 * userinfo = ( user / telephone-subscriber ) [ ":" password ] "@",
 * hostport = host [ ":" port ], uri-parameters = *( ";" pname [ "=" pvalue ] ),
 * headers = "?" hname "=" hvalue *( "&" hname "=" hvalue ).
 * The telephone-subscriber of RFC 3966 uses no octet outside user's set.
 */
static const char *
sip_uri_reason(const char *p, size_t len)
{
	const char *at, *colon, *end = p + len, *host, *q;
	size_t n;

	if ((at = memchr(p, '@', len)) != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		n = (size_t)((colon != NULL ? colon : at) - p);
		if (!sip_chars(p, n, "&=+$,;?/", 1))
			return "invalid user part";
		if (colon != NULL && !sip_chars(colon + 1, (size_t)(at - colon - 1),
		    "&=+$,", 0))
			return "invalid password";
		p = at + 1;
	}
	host = p;
	if (p < end && *p == '[') {
		if ((q = memchr(p, ']', (size_t)(end - p))) == NULL ||
		    !ip_literal(AF_INET6, p + 1, (size_t)(q - p - 1)))
			return "invalid IPv6 reference";
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ':' && *q != ';' && *q != '?'; q++)
			;
		if (q == p)
			return "empty host";
		if (!ip_literal(AF_INET, host, (size_t)(q - p)) &&
		    !sip_hostname(host, (size_t)(q - p)))
			return "invalid host";
		p = q;
	}
	if (p < end && *p == ':') {
		for (q = ++p; q < end && is_digit((unsigned char)*q); q++)
			;
		if (q == p)
			return "invalid port";
		p = q;
	}
	while (p < end && *p == ';') {
		for (q = ++p; q < end && *q != ';' && *q != '?'; q++)
			;
		/* pname [ "=" pvalue ], both 1*paramchar */
		colon = memchr(p, '=', (size_t)(q - p));
		n = (size_t)((colon != NULL ? colon : q) - p);
		if (!sip_chars(p, n, "[]/:&+$", 1) || (colon != NULL &&
		    !sip_chars(colon + 1, (size_t)(q - colon - 1), "[]/:&+$", 1)))
			return "invalid uri-parameter";
		p = q;
	}
	if (p < end && *p == '?') {
		for (p++;; p = q + 1) {
			for (q = p; q < end && *q != '&'; q++)
				;
			colon = memchr(p, '=', (size_t)(q - p));
			if (colon == NULL ||
			    !sip_chars(p, (size_t)(colon - p), "[]/?:+$", 1) ||
			    !sip_chars(colon + 1, (size_t)(q - colon - 1), "[]/?:+$", 0))
				return "invalid header";
			if (q == end)
				break;
		}
		p = end;
	}
	if (p != end)
		return "unexpected characters after the host";
	return NULL;
}

/*
 * RFC 3986 section 3: URI = scheme ":" hier-part [ "?" query ]
 * [ "#" fragment ], octets from unreserved, reserved and pct-encoded
 * only; an authority's host is an IP literal, IPv4 or a reg-name, which
 * 4.2.1.6 wants to be "a fully qualified domain name or IP address".
 */
static const char *
uri_reason(const char *p, size_t len)
{
	const char *end = p + len, *rest, *auth, *auth_end, *host, *q;
	size_t i;
	int hashes = 0;

	for (i = 0; i < len && p[i] != ':'; i++)
		if (!(is_alpha((unsigned char)p[i]) || (i > 0 &&
		    (is_digit((unsigned char)p[i]) || in_set((unsigned char)p[i], "+-.")))))
			return "no scheme (4.2.1.6: not a relative URI)";
	if (i == 0 || i == len)
		return "no scheme (4.2.1.6: not a relative URI)";
	rest = p + i + 1;
	if (rest == end)
		return "no scheme-specific part";
	for (q = rest; q < end; q++) {
		if (*q == '%') {
			if (!pct_encoded(p, len, (size_t)(q - p)))
				return "invalid percent-encoding";
			q += 2;
		} else if (*q == '#') {
			hashes++;
		} else if (!is_alnum((unsigned char)*q) &&
		    !in_set((unsigned char)*q, "-._~:/?[]@!$&'()*+,;=")) {
			return "a character URIs do not have";
		}
	}
	if (hashes > 1)
		return "more than one '#'";
	if ((i == 3 && strncasecmp(p, "sip", 3) == 0) ||
	    (i == 4 && strncasecmp(p, "sips", 4) == 0))
		return sip_uri_reason(rest, (size_t)(end - rest));
	if (end - rest < 2 || rest[0] != '/' || rest[1] != '/')
		return NULL;
	auth = rest + 2;
	for (auth_end = auth; auth_end < end && *auth_end != '/' && *auth_end != '?' &&
	    *auth_end != '#'; auth_end++)
		;
	host = auth;
	for (q = auth; q < auth_end; q++)
		if (*q == '@')
			host = q + 1;
	if (host < auth_end && *host == '[') {
		if ((q = memchr(host, ']', (size_t)(auth_end - host))) == NULL ||
		    !ip_literal(AF_INET6, host + 1, (size_t)(q - host - 1)))
			return "invalid IP literal";
		q++;
	} else {
		for (q = host; q < auth_end && *q != ':'; q++)
			;
		if (q == host)
			return "an authority without a host";
		if (!ip_literal(AF_INET, host, (size_t)(q - host)) &&
		    dns_reason(host, (size_t)(q - host)) != NULL)
			return "the host is not a fully qualified domain name or IP address";
	}
	if (q < auth_end && *q == ':')
		for (q++; q < auth_end; q++)
			if (!is_digit((unsigned char)*q))
				return "invalid port";
	if (q != auth_end)
		return "invalid authority";
	return NULL;
}

/*
 * 4.2.1.6: "The name MUST NOT be a relative URI, and it MUST follow the
 * URI syntax and encoding rules specified in [RFC3986]. The name MUST
 * include both a scheme (e.g., "http" or "ftp") and a scheme-specific-
 * part. URIs that include an authority ([RFC3986], Section 3.2) MUST
 * include a fully qualified domain name or IP address as the host."
 * sip: and sips: URIs are read by RFC 3261's grammar, which RFC 5922
 * section 7.1 matches against.
 */
static void
check_san_uri_syntax(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	const char *reason;
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		if (s->type != SAN_URI || s->problem != NULL)
			continue;
		if ((reason = uri_reason(s->value, s->len)) != NULL)
			lint_report(f, "URI '%s' is not a valid URI: %s",
			    lint_esc(f, s->value, s->len), reason);
	}
}

/*
 * RFC 5321 section 4.1.2: Mailbox = Local-part "@" ( Domain /
 * address-literal ); Local-part = Dot-string / Quoted-string.
 */
static const char *
mailbox_reason(const char *p, size_t len)
{
	const char *end = p + len, *q = p, *domain;
	int atom = 0;

	if (len > 0 && *p == '"') {
		/* qtextSMTP = %d32-33 / %d35-91 / %d93-126; quoted-pairSMTP */
		for (q = p + 1; q < end && *q != '"'; q++) {
			if (*q == '\\') {
				if (++q == end || (unsigned char)*q < 32 || *q > 126)
					return "invalid quoted local part";
			} else if ((unsigned char)*q < 32 || *q > 126) {
				return "invalid quoted local part";
			}
		}
		if (q == end)
			return "unterminated quoted local part";
		q++;
	} else {
		/* Dot-string = Atom *("." Atom), atext of RFC 5322 3.2.3 */
		for (; q < end && *q != '@'; q++) {
			if (*q == '.') {
				if (!atom)
					return "invalid dot in local part";
				atom = 0;
			} else if (is_alnum((unsigned char)*q) ||
			    in_set((unsigned char)*q, "!#$%&'*+-/=?^_`{|}~")) {
				atom = 1;
			} else {
				return "invalid character in local part";
			}
		}
		if (!atom)
			return q == p ? "empty local part" : "invalid dot in local part";
	}
	if (q == end || *q != '@')
		return "no '@' (4.2.1.6: no phrase, comment or angle brackets)";
	domain = q + 1;
	if (domain < end && *domain == '[') {
		/* address-literal: IPv4, or "IPv6:" and an IPv6 address */
		if (end[-1] != ']')
			return "invalid address literal";
		if (ip_literal(AF_INET, domain + 1, (size_t)(end - domain - 2)))
			return NULL;
		if (end - domain > 7 && strncasecmp(domain + 1, "IPv6:", 5) == 0 &&
		    ip_literal(AF_INET6, domain + 6, (size_t)(end - domain - 7)))
			return NULL;
		return "invalid address literal";
	}
	if (dns_reason(domain, (size_t)(end - domain)) != NULL ||
	    memchr(domain, '*', (size_t)(end - domain)) != NULL)
		return "invalid domain";
	return NULL;
}

/* 4.2.1.6: "an rfc822Name is an e-mail address ... as defined in Section
 * 4.1.2 of [RFC2821]. A Mailbox has the form "Local-part@Domain"." */
static void
check_san_email_syntax(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	const char *reason;
	size_t i;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		if (s->type != SAN_EMAIL || s->problem != NULL)
			continue;
		if ((reason = mailbox_reason(s->value, s->len)) != NULL)
			lint_report(f, "rfc822Name '%s' is not a mailbox: %s",
			    lint_esc(f, s->value, s->len), reason);
	}
}

/*
 * 4.2.1.6: "For IP version 4, as specified in [RFC791], the octet string
 * MUST contain exactly four octets. For IP version 6, as specified in
 * [RFC2460], the octet string MUST contain exactly sixteen octets." The
 * 8 and 32 octets of an address and mask belong to nameConstraints
 * (4.2.1.10), not to a certificate's own names.
 */
static void
check_san_ip_length(const struct lint_cert *c, struct lint_findings *f)
{
	const struct san_entry *s;
	size_t i, octets;
	int cut;

	for (i = 0; i < c->sans.n; i++) {
		s = &c->sans.items[i];
		/* san_list holds such an address as "#" and its octets in hex */
		if (s->type != SAN_IP || s->problem == NULL || s->value[0] != '#')
			continue;
		octets = (s->len - 1) / 2;
		cut = octets >= LINT_ECHO_MAX / 2;
		lint_report(f, "iPAddress of %zu octets (%.*s%s), not 4 or 16", octets,
		    (int)(cut ? LINT_ECHO_MAX : octets * 2), s->value + 1,
		    cut ? "..." : "");
	}
}

/* PrintableString (X.680 41.4): A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
static int
printable_string_char(unsigned char ch)
{
	return is_alnum(ch) || in_set(ch, " '()+,-./:=?");
}

/* Numeric, Printable, Teletex, IA5, Visible, Universal, UTF8, BMP. */
static int
is_string_tag(unsigned char tag)
{
	return tag == 0x12 || tag == 0x13 || tag == 0x14 || tag == 0x16 ||
	    tag == 0x1a || tag == 0x1c || tag == 0x0c || tag == 0x1e;
}

/*
 * Why the string value of a subject attribute is unsafe as a name, or
 * NULL: a NUL or a C0, DEL or C1 control in any string type; a
 * UTF8String that is not UTF-8 (RFC 3629 section 4); a byte outside a
 * PrintableString's or an IA5String's repertoire. A TeletexString's
 * octets above 0x7F are T.61 characters, so it is judged for NUL, C0
 * and DEL only.
 */
static const char *
string_reason(unsigned char tag, const unsigned char *p, size_t len, size_t *at)
{
	unsigned long cp;
	size_t i, n, w = tag == 0x1e ? 2 : tag == 0x1c ? 4 : 1;

	for (i = 0; i < len; i += n) {
		*at = i;
		n = w;
		if (tag == 0x0c) {
			if ((n = utf8_seq(p + i, len - i, &cp)) == 0)
				return "an octet that is not UTF-8";
		} else if (w > 1) {
			if (len - i < w)
				return "a truncated character";
			cp = w == 2 ? (unsigned long)p[i] << 8 | p[i + 1] :
			    (unsigned long)p[i] << 24 | (unsigned long)p[i + 1] << 16 |
			    (unsigned long)p[i + 2] << 8 | p[i + 3];
		} else {
			cp = p[i];
		}
		if (cp == 0)
			return "a NUL";
		if (cp < 0x20 || cp == 0x7f || (tag != 0x14 && cp >= 0x80 && cp <= 0x9f))
			return "a control character";
		if (tag == 0x13 && !printable_string_char((unsigned char)cp))
			return "a character PrintableString does not have";
		if ((tag == 0x16 || tag == 0x1a) && cp > 0x7f)
			return "an octet outside IA5String";
	}
	return NULL;
}

/* The RFC 4519 short names of the attributes subjects use most. */
static const char *
attribute_name(const unsigned char *oid, size_t len)
{
	static const char *const x520[] = {
		[3] = "CN", [5] = "serialNumber", [6] = "C", [7] = "L", [8] = "ST",
		[9] = "street", [10] = "O", [11] = "OU", [12] = "title",
	};

	/* 2.5.4.N is 55 04 N */
	if (len == 3 && oid[0] == 0x55 && oid[1] == 0x04 &&
	    oid[2] < sizeof(x520) / sizeof(x520[0]) && x520[oid[2]] != NULL)
		return x520[oid[2]];
	return "attribute";
}

/*
 * 4.1.2.6 and 4.1.2.4: subject attributes are DirectoryStrings,
 * "PrintableString or UTF8String" for new certificates. A NUL or a
 * control character in one is no name a person reads; a CN of
 * "example.com\0.evil.com" is the null-prefix certificate of
 * CVE-2009-2408 for every reader that stops at the NUL. The value is
 * walked in the DER itself, attribute by attribute.
 */
static void
check_subject_bad_bytes(const struct lint_cert *c, struct lint_findings *f)
{
	const unsigned char *rdns, *set, *atv, *oid, *val, *p, *q;
	size_t rdns_len, set_len, atv_len, oid_len, val_len, n, m, at = 0;
	unsigned char tag;
	const char *reason;

	if (c->subject == NULL ||
	    pkix_tlv_content(c->subject, c->subject_len, &tag, &rdns, &rdns_len) != 0)
		return;
	for (p = rdns, n = rdns_len; n > 0; ) {
		if (pkix_tlv_content(p, n, &tag, &set, &set_len) != 0)
			return;
		n -= (size_t)(set + set_len - p);
		p = set + set_len;
		for (q = set, m = set_len; m > 0; ) {
			if (pkix_tlv_content(q, m, &tag, &atv, &atv_len) != 0)
				return;
			m -= (size_t)(atv + atv_len - q);
			q = atv + atv_len;
			if (pkix_tlv_content(atv, atv_len, &tag, &oid, &oid_len) != 0 ||
			    tag != 0x06 || pkix_tlv_content(oid + oid_len,
			    atv_len - (size_t)(oid + oid_len - atv), &tag, &val,
			    &val_len) != 0 || !is_string_tag(tag))
				continue;
			if ((reason = string_reason(tag, val, val_len, &at)) != NULL)
				lint_report(f, "subject %s '%s' holds %s at offset %zu",
				    attribute_name(oid, oid_len),
				    lint_esc(f, val, val_len), reason, at);
		}
	}
}

const struct lint_rule lint_rules_names[] = {
	{ "rfc5280.san_nul", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a subjectAltName dNSName, URI or rfc822Name holds a NUL octet, where C-string readers cut the name",
	  NAMES_CITE, check_san_nul },
	{ "rfc5280.san_not_ia5", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a subjectAltName dNSName, URI or rfc822Name has an octet above 0x7F, outside IA5String",
	  "RFC 5280 sections 4.2.1.6, 7.2, 7.4, 7.5", check_san_not_ia5 },
	{ "rfc5280.san_dns_syntax", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a dNSName not in the preferred name syntax (a leading '*.' is left to the wildcard rules)",
	  "RFC 5280 section 4.2.1.6; RFC 1034 section 3.5; RFC 1123 section 2.1",
	  check_san_dns_syntax },
	{ "rfc5280.san_uri_syntax", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a URI that is not an absolute RFC 3986 URI (RFC 3261 SIP-URI for sip: and sips:)",
	  "RFC 5280 section 4.2.1.6; RFC 3986 section 3; RFC 3261 section 25.1",
	  check_san_uri_syntax },
	{ "rfc5280.san_email_syntax", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "an rfc822Name that is not an RFC 5321 Mailbox (local-part@domain)",
	  "RFC 5280 section 4.2.1.6; RFC 5321 section 4.1.2", check_san_email_syntax },
	{ "rfc5280.san_ip_length", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "an iPAddress of other than 4 or 16 octets (8 and 32 are for name constraints)",
	  "RFC 5280 sections 4.2.1.6, 4.2.1.10", check_san_ip_length },
	{ "rfc5280.subject_bad_bytes", SEV_ERROR, KINDS_ALL, PROF_RFC5280, 0,
	  "a subject attribute holds a NUL or control character, invalid UTF-8, or a byte its string type lacks",
	  "RFC 5280 sections 4.1.2.4, 4.1.2.6; RFC 3629 section 4", check_subject_bad_bytes },
	{ NULL }
};
