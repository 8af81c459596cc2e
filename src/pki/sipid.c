/*
 * sipid: RFC 5922 section 7.1 ("Finding SIP Identities in a
 * Certificate") and 7.2 ("Comparing SIP Identities").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sipid.h"

const char *
sipid_set_name(enum sipid_set s)
{
	switch (s) {
	case SIPID_URI: return "sip: URIs";
	case SIPID_DNS: return "DNS names";
	case SIPID_CN: return "CN";
	default: return "no identity";
	}
}

/*
 * Where the parts of a URI SAN are, as offsets into value: the scheme
 * [0, *scheme_len), the host [*host_off, *host_off + *host_len) without
 * brackets, port or parameters. Returns 0, or -1 when value is not
 * "scheme:something".
 */
static int
uri_parts(const char *value, size_t *scheme_len, int *has_user,
    size_t *host_off, size_t *host_len)
{
	const char *colon = strchr(value, ':'), *p, *at, *end, *rb;
	size_t n;

	if (colon == NULL || colon == value)
		return -1;
	*scheme_len = (size_t)(colon - value);
	p = colon + 1;
	/* URI parameters and headers are not part of the identity. */
	end = p + strcspn(p, ";?");
	at = memchr(p, '@', (size_t)(end - p));
	*has_user = at != NULL;
	if (at != NULL)
		p = at + 1;
	if (*p == '[') {
		p++;
		rb = memchr(p, ']', (size_t)(end - p));
		n = rb != NULL ? (size_t)(rb - p) : (size_t)(end - p);
	} else {
		n = strcspn(p, ":;?");
		if (p + n > end)
			n = (size_t)(end - p);
	}
	*host_off = (size_t)(p - value);
	*host_len = n;
	return 0;
}

int
sipid_name_user(const char *name, char *user, size_t usize)
{
	const char *p = name, *at;

	if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	if ((at = strchr(p, '@')) == NULL || at == p ||
	    (size_t)(at - p) >= usize)
		return 0;
	snprintf(user, usize, "%.*s", (int)(at - p), p);
	return 1;
}

int
sipid_uri_split(const char *value, char *scheme, size_t ssize,
    int *out_has_user, char *host, size_t hsize)
{
	size_t slen, hoff, hlen;
	int user;

	if (uri_parts(value, &slen, &user, &hoff, &hlen) < 0 || slen >= ssize ||
	    hlen >= hsize)
		return -1;
	memcpy(scheme, value, slen);
	scheme[slen] = '\0';
	memcpy(host, value + hoff, hlen);
	host[hlen] = '\0';
	*out_has_user = user;
	return 0;
}

static void
ascii_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/*
 * RFC 3261 section 19.1.4: "comparison of the userinfo of SIP and SIPS
 * URIs is case-sensitive", while the scheme and the host compare
 * case-insensitively; so only those two are folded.
 */
void
sipid_uri_fold(char *value)
{
	size_t slen, hoff, hlen;
	int user;

	if (uri_parts(value, &slen, &user, &hoff, &hlen) < 0)
		return;
	ascii_lower(value, slen);
	ascii_lower(value + hoff, hlen);
}

void
sipid_dns_fold(char *name)
{
	ascii_lower(name, strlen(name));
}

/*
 * The store's SIP domain and the names under it; compared the way 7.2
 * compares identities, case-insensitively, label by label from the
 * right, so "example.com.evil" and "badexample.com" are outside.
 */
int
sipid_in_domain(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	if (dl == 0 || hl < dl || strcasecmp(host + hl - dl, domain) != 0)
		return 0;
	return hl == dl || host[hl - dl - 1] == '.';
}

/*
 * Only octets that are the value they read as can be an identity: a
 * value with a NUL ("sip:example.com\0.evil.com" reads as the domain up
 * to it) or a byte outside IA5 is none, whatever it looks like.
 */
static int
usable(const struct san_entry *e)
{
	return e->problem == NULL && memchr(e->value, '\0', e->len) == NULL;
}

/*
 * 7.1: "If the scheme of the URI is not "sip", then the implementation
 * MUST NOT accept the value as a SIP domain identity", nor when "the URI
 * contains a user part". A sip: URI with no host (or one longer than a
 * DNS name can be) names no domain either.
 */
enum sipid_uri_kind
sipid_uri_kind(const struct san_entry *e, char *host, size_t hsize)
{
	size_t slen, hoff, hlen;
	int user;

	if (e->type != SAN_URI || !usable(e))
		return SIPID_SAN_NONE;
	if (uri_parts(e->value, &slen, &user, &hoff, &hlen) < 0)
		return SIPID_SAN_NO_SCHEME;
	if (slen != 3 || strncasecmp(e->value, "sip", 3) != 0)
		return SIPID_SAN_OTHER_SCHEME;
	if (user)
		return SIPID_SAN_USER;
	if (hlen == 0 || hlen >= hsize)
		return SIPID_SAN_BAD_HOST;
	memcpy(host, e->value + hoff, hlen);
	host[hlen] = '\0';
	return SIPID_SAN_DOMAIN;
}

static int
is_dns_identity(const struct san_entry *e)
{
	return e->type == SAN_DNS && usable(e);
}

enum sipid_set
sipid_identity_set(const struct san_list *sans, int has_san, size_t n_cn)
{
	char host[256];
	size_t i;

	for (i = 0; i < sans->n; i++)
		if (sipid_uri_kind(&sans->items[i], host, sizeof(host)) ==
		    SIPID_SAN_DOMAIN)
			return SIPID_URI;
	/* DNS names count "if and only if no other identity is found that
	 * matches the "sip" URI type". */
	for (i = 0; i < sans->n; i++)
		if (is_dns_identity(&sans->items[i]))
			return SIPID_DNS;
	/* "If and only if the subjectAltName does not appear in the
	 * certificate, the implementation MAY examine the CN field." */
	if (!has_san && n_cn > 0)
		return SIPID_CN;
	return SIPID_NONE;
}

/* 7.2: exact comparison, case-insensitive, and no wildcard matches;
 * length-counted, so a CN with a NUL is never the domain. */
static int
identity_equal(const char *identity, size_t len, const char *domain)
{
	return memchr(identity, '*', len) == NULL && strlen(domain) == len &&
	    strncasecmp(identity, domain, len) == 0;
}

int
sipid_match_domain(const struct san_list *sans, int has_san,
    const struct sipid_name *cns, size_t n_cn, const char *domain,
    enum sipid_set *out_set, const char **out_value)
{
	enum sipid_set set = sipid_identity_set(sans, has_san, n_cn);
	const struct san_entry *e;
	const char *found = NULL;
	char host[256];
	size_t i;

	for (i = 0; i < sans->n && found == NULL; i++) {
		e = &sans->items[i];
		if ((set == SIPID_URI && sipid_uri_kind(e, host, sizeof(host)) ==
		    SIPID_SAN_DOMAIN && identity_equal(host, strlen(host), domain)) ||
		    (set == SIPID_DNS && is_dns_identity(e) &&
		    identity_equal(e->value, e->len, domain)))
			found = e->value;
	}
	for (i = 0; set == SIPID_CN && i < n_cn && found == NULL; i++)
		if (identity_equal(cns[i].value, cns[i].len, domain))
			found = cns[i].value;
	if (out_set != NULL)
		*out_set = set;
	if (out_value != NULL)
		*out_value = found;
	return found != NULL;
}
