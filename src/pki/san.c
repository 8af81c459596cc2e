/*
 * san: the syntax of the identities sipca puts into subjectAltName.
 *
 * Every check is a static function that returns NULL when the value is
 * acceptable or a static, lowercase reason; the public functions only
 * translate that into 0 / -1 and *out_reason. Character classes are
 * spelled out rather than taken from <ctype.h>, whose answers depend on
 * the locale, while the grammars here are plain ASCII.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "san.h"

/* RFC 1035 section 2.3.4 and RFC 1123 section 2.1. */
#define DNS_LABEL_MAX	63
#define DNS_NAME_MAX	253
/*
 * Not a protocol limit: RFC 3261 sets none. A SIP identity is a host and
 * perhaps a user, so anything longer is a mistake, and the bound keeps
 * every scan below finite.
 */
#define SIP_URI_MAX	2048
#define STORE_NAME_MAX	64

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3261 section 25.1: unreserved = alphanum / mark. */
static int
is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' &&
	    strchr("-_.!~*'()", c) != NULL);
}

/* RFC 3261 section 25.1: user-unreserved. */
static int
is_user_unreserved(unsigned char c)
{
	return c != '\0' && strchr("&=+$,;?/", c) != NULL;
}

/*
 * inet_pton alone: it takes neither brackets nor an RFC 4007 zone id,
 * and neither belongs in an iPAddress, which is the bare 4 or 16 octets
 * (RFC 5280 section 4.2.1.6). inet_pton wants a terminated string and
 * spans are not, so the text is copied into a buffer that fits the
 * longest textual form (an IPv6 address with an IPv4 tail); longer text,
 * or text with a NUL that would end it early, is not an address.
 */
size_t
san_ip_from_text(const char *text, size_t len, unsigned char *out)
{
	char		 buf[INET6_ADDRSTRLEN];
	unsigned char	 scratch[sizeof(struct in6_addr)];

	if (out == NULL)
		out = scratch;
	if (text == NULL || len == 0 || len >= sizeof(buf) ||
	    memchr(text, '\0', len) != NULL)
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, out) == 1)
		return 16;
	return 0;
}

_Static_assert(SAN_IP_TEXT_MAX >= INET6_ADDRSTRLEN, "inet_ntop's longest text");

int
san_ip_to_text(const unsigned char *ip, size_t len,
    char buf[SAN_IP_TEXT_MAX])
{
	if ((len != 4 && len != 16) ||
	    inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, buf, SAN_IP_TEXT_MAX) == NULL)
		return -1;
	return 0;
}

/*
 * RFC 1123 section 2.1 relaxes RFC 952 to let a label start with a
 * digit, and in exchange says "the highest-level component label will
 * be alphabetic", so that a name can never be read as dotted decimal.
 * That is also what RFC 5280 section 4.2.1.6's "preferred name syntax"
 * for dNSName means; RFC 6125 section 6.4.3 allows "*" only as the whole
 * leftmost label, and RFC 9525 section 6.3 drops partial wildcards too.
 */
static const char *
dns_reason(const char *name, size_t len, int flags)
{
	size_t	 start, end, labels = 0, top = 0, i;
	int	 wildcard = 0, numeric;

	if (len == 0)
		return "empty name";
	if (len > DNS_NAME_MAX)
		return "name too long";
	if (name[len - 1] == '.')
		return "trailing dot";
	if (san_ip_from_text(name, len, NULL) == 4)
		return "an IP address is not a DNS name";

	for (start = 0; start <= len; start = end + 1) {
		end = start;
		while (end < len && name[end] != '.')
			end++;
		if (end == start)
			return "empty label";
		if (memchr(name + start, '*', end - start) != NULL) {
			if (labels != 0 || end - start != 1)
				return "invalid wildcard";
			wildcard = 1;
		} else {
			if (end - start > DNS_LABEL_MAX)
				return "label longer than 63 octets";
			for (i = start; i < end; i++) {
				unsigned char c = name[i];

				if (!is_alpha(c) && !is_digit(c) && c != '-')
					return "invalid character in DNS name";
			}
			if (name[start] == '-' || name[end - 1] == '-')
				return "label starts or ends with a hyphen";
		}
		top = start;
		labels++;
	}

	if (wildcard) {
		if (!(flags & SAN_ALLOW_WILDCARD))
			return "wildcard not allowed";
		/*
		 * Never a whole top-level domain such as "*.com" (CA/Browser
		 * Forum Baseline Requirements section 3.2.2.6).
		 */
		if (labels < 3)
			return "wildcard needs two labels after it";
	}

	numeric = 1;
	for (i = top; i < len; i++)
		if (!is_digit(name[i]))
			numeric = 0;
	if (numeric)
		return "top-level label is all-numeric";
	return NULL;
}

/*
 * RFC 3261 section 25.1: user = 1*( unreserved / escaped /
 * user-unreserved ), escaped = "%" HEXDIG HEXDIG. The grammar's
 * telephone-subscriber alternative uses no character outside that set.
 */
static const char *
user_reason(const char *user, size_t len)
{
	size_t	i;

	if (len == 0)
		return "empty user part";
	for (i = 0; i < len; i++) {
		unsigned char c = user[i];

		if (c == '%') {
			if (len - i < 3 || !is_hex(user[i + 1]) ||
			    !is_hex(user[i + 2]))
				return "bad escape in user part";
			i += 2;
		} else if (c == ':') {
			/*
			 * userinfo's ":" password: a secret, and RFC 3261
			 * section 19.1.1 says not to use it at all.
			 */
			return "a password is not part of an identity";
		} else if (!is_unreserved(c) && !is_user_unreserved(c))
			return "invalid character in user part";
	}
	return NULL;
}

/* RFC 3261 section 25.1: port = 1*DIGIT; no one listens on port 0. */
static const char *
port_reason(const char *port, const char **out_end)
{
	const char	*p;
	unsigned long	 value = 0;

	for (p = port; is_digit(*p); p++) {
		value = value * 10 + (unsigned long)(*p - '0');
		if (value > 65535)
			return "invalid port";
	}
	if (p == port || value == 0)
		return "invalid port";
	if (*p != '\0' && *p != ';' && *p != '?')
		return "invalid port";
	*out_end = p;
	return NULL;
}

/*
 * The SIP-URI production of RFC 3261 section 25.1 cut down to what RFC
 * 5922 section 7.1 puts in a certificate: scheme, [ user "@" ], host,
 * [ ":" port ]. "@" appears nowhere in hostport, uri-parameters or
 * headers, so the first one ends the user part.
 */
static const char *
sip_uri_reason(const char *uri, int flags)
{
	const char	*p, *at, *close, *host, *reason;
	size_t		 len, host_len, i;

	if (uri == NULL || *uri == '\0')
		return "empty uri";
	len = strnlen(uri, SIP_URI_MAX + 1);
	if (len > SIP_URI_MAX)
		return "uri too long";
	for (i = 0; i < len; i++) {
		unsigned char c = uri[i];

		if (c <= ' ' || c == 0x7f)
			return "contains a space or control character";
	}

	if (strncmp(uri, "sips:", 5) == 0)
		p = uri + 5;
	else if (strncmp(uri, "sip:", 4) == 0)
		p = uri + 4;
	else
		return "not a sip or sips uri";

	if ((at = strchr(p, '@')) != NULL) {
		if ((reason = user_reason(p, (size_t)(at - p))) != NULL)
			return reason;
		p = at + 1;
	}

	if (*p == '[') {
		/* RFC 3261 section 25.1: IPv6reference = "[" IPv6address "]". */
		if ((close = strchr(p, ']')) == NULL)
			return "unterminated IPv6 reference";
		host = p + 1;
		if (san_ip_from_text(host, (size_t)(close - host), NULL) != 16)
			return "invalid IPv6 address";
		p = close + 1;
		if (*p != '\0' && *p != ':' && *p != ';' && *p != '?')
			return "unexpected characters after host";
	} else {
		host_len = strcspn(p, ":;?");
		if (host_len == 0)
			return "empty host";
		if (san_ip_from_text(p, host_len, NULL) != 4 &&
		    (reason = dns_reason(p, host_len, flags)) != NULL)
			return reason;
		p += host_len;
	}

	if (*p == ':' && (reason = port_reason(p + 1, &p)) != NULL)
		return reason;
	if (*p == ';')
		return "uri parameters are not part of an identity";
	if (*p == '?')
		return "uri headers are not part of an identity";
	return NULL;
}

int
san_check_sip_uri(const char *uri, int flags, const char **out_reason)
{
	const char	*reason;

	reason = sip_uri_reason(uri, flags);
	if (reason != NULL && out_reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}

int
san_check_dns(const char *name, int flags, const char **out_reason)
{
	const char	*reason;

	reason = name == NULL ? "empty name" :
	    dns_reason(name, strlen(name), flags);
	if (reason != NULL && out_reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}

int
san_check_ia5(const char *value, size_t len, const char **out_reason)
{
	const char	*reason = NULL;
	size_t		 i;

	for (i = 0; i < len && reason == NULL; i++) {
		unsigned char c = value[i];

		if (c == '\0')
			reason = "contains a NUL byte";
		else if (c > 0x7f)
			reason = "contains a byte outside IA5 (ASCII)";
	}
	if (reason != NULL && out_reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}

int
san_parse_ip(const char *text, unsigned char *out, size_t *out_len,
    const char **out_reason)
{
	unsigned char	 addr[16];
	size_t		 addr_len;

	addr_len = text != NULL ? san_ip_from_text(text, strlen(text), addr) : 0;
	if (addr_len == 0) {
		if (out_reason != NULL)
			*out_reason = "not an IPv4 or IPv6 address";
		return -1;
	}
	if (out != NULL)
		memcpy(out, addr, addr_len);
	if (out_len != NULL)
		*out_len = addr_len;
	return 0;
}

/*
 * RFC 5280 section 4.2.1.10: a nameConstraints iPAddress is the network
 * address followed by its mask, 8 octets for IPv4 and 32 for IPv6 (RFC
 * 4632 section 3.1 for the notation). A set host bit is almost always a
 * typo for a different network, so it is refused rather than masked.
 */
int
san_parse_cidr(const char *text, unsigned char out[32], size_t *out_len,
    const char **out_reason)
{
	unsigned char	 buf[32];
	const char	*slash, *p, *reason = NULL;
	size_t		 addr_len, i;
	unsigned int	 prefix = 0, bits;

	if (text == NULL || (slash = strchr(text, '/')) == NULL) {
		reason = "missing prefix length";
		goto out;
	}
	if ((addr_len = san_ip_from_text(text, (size_t)(slash - text), buf)) == 0) {
		reason = "not an IPv4 or IPv6 address";
		goto out;
	}

	/* Decimal without sign or leading zero, so there is one spelling. */
	p = slash + 1;
	if (!is_digit(*p) || (p[0] == '0' && p[1] != '\0')) {
		reason = "invalid prefix length";
		goto out;
	}
	for (; is_digit(*p) && prefix <= 128; p++)
		prefix = prefix * 10 + (unsigned int)(*p - '0');
	if (*p != '\0' || prefix > addr_len * 8) {
		reason = "invalid prefix length";
		goto out;
	}

	for (i = 0; i < addr_len; i++) {
		bits = prefix > i * 8 ? prefix - (unsigned int)i * 8 : 0;
		buf[addr_len + i] = bits >= 8 ? 0xff :
		    (unsigned char)(0xff00u >> bits);
		if (buf[i] & (unsigned char)~buf[addr_len + i]) {
			reason = "host bits set in CIDR";
			goto out;
		}
	}

	if (out != NULL)
		memcpy(out, buf, addr_len * 2);
	if (out_len != NULL)
		*out_len = addr_len * 2;
out:
	if (reason != NULL && out_reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}

/*
 * The name becomes a directory entry under issued/, so it must be one
 * path component that cannot be ".", "..", hidden, or read as an option
 * by the shell tools an operator points at it.
 */
int
san_check_store_name(const char *name, const char **out_reason)
{
	const char	*reason = NULL;
	size_t		 len, i;

	if (name == NULL || *name == '\0') {
		reason = "empty name";
		goto out;
	}
	len = strnlen(name, STORE_NAME_MAX + 1);
	if (len > STORE_NAME_MAX) {
		reason = "name too long";
		goto out;
	}
	if (name[0] == '.' || name[0] == '-') {
		reason = "name may not start with '.' or '-'";
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (!is_alpha(c) && !is_digit(c) && c != '\0' &&
		    strchr("._@+-", c) == NULL) {
			reason = "invalid character in name";
			goto out;
		}
	}
	if (strstr(name, "..") != NULL)
		reason = "name may not contain '..'";
out:
	if (reason != NULL && out_reason != NULL)
		*out_reason = reason;
	return reason != NULL ? -1 : 0;
}

/*
 * Store names are compared without regard to case, so that "Case1" and
 * "case1" cannot hold two valid certificates for one identity (and two
 * directories on a case-insensitive file system would be one): every
 * NAME a person types is folded to lower case before it is used.
 */
char *
san_fold_store_name(char *name)
{
	char	*p;

	for (p = name; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return name;
}
