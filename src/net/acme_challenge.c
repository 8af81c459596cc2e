/*
 * acme_challenge: validating ACME challenges (include/acme_challenge.h):
 * http-01 of RFC 8555 section 8.3 and tls-alpn-01 of RFC 8737, each for
 * the "ip" identifiers of RFC 8738 where it applies; dns-01 (8.4) is
 * acme_dns01.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include "acme_challenge.h"
#include "acme_challenge_int.h"
#include "tcp.h"
#include "jws.h"
#include "san.h"
#include "util.h"

/* id-pe-acmeIdentifier (RFC 8737 section 6.1). */
#define OID_ACME_IDENTIFIER "1.3.6.1.5.5.7.1.31"
#define ACME_TLS_ALPN "acme-tls/1"

const char *
acme_validation_error_type(enum acme_validation_error e)
{
	switch (e) {
	case ACME_VALID: return "";
	case ACME_V_CONNECTION: return "connection";
	case ACME_V_INCORRECT: return "incorrectResponse";
	case ACME_V_DNS: return "dns";
	case ACME_V_TLS: return "tls";
	case ACME_V_UNAUTHORIZED: return "unauthorized";
	}
	return "connection";
}

enum acme_validation_error
acme_fail(enum acme_validation_error e, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size > 0) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return e;
}

static double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What is left of the deadline, in milliseconds; 0 when it has passed. */
long
acme_left_ms(double deadline)
{
	double left = deadline - monotonic_seconds();

	return left > 0 ? (long)(left * 1000) + 1 : 0;
}

/*
 * A DNS identifier as RFC 8555 7.1.4 has it: a fully qualified name, here
 * in the preferred syntax of RFC 1123 section 2.1 (letters, digits and
 * hyphens in labels of 1 to 63 octets, 253 in all). Nothing else reaches a
 * URL, a TLS server_name or a query, so no identifier can add a path, a
 * user or a port to what is asked.
 */
static int
dns_name_ok(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
		if (label == 0 && s[i] == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[len - 1] != '-';
}

/* RFC 8555 8.1: a token holds base64url characters only (and goes into a path). */
static int
token_ok(const char *s)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t len = strlen(s);

	return len > 0 && len <= 256 && strspn(s, alphabet) == len;
}

/* RFC 8555 8.3 and 8.4: the SHA-256 of the key authorization. */
int
acme_key_authz_digest(const char *key_authz, unsigned char out[32])
{
	return gnutls_hash_fast(GNUTLS_DIG_SHA256, key_authz, strlen(key_authz),
	    out) < 0 ? -1 : 0;
}

/* http-01 */

struct body {
	char data[ACME_HTTP01_BODY_MAX];
	size_t len;
	int over;
};

/* Returning less than given makes libcurl stop with CURLE_WRITE_ERROR. */
static size_t
body_write(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n;

	if (len > sizeof(b->data) - b->len) {
		b->over = 1;
		return 0;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return len;
}

/* What a failed transfer means for the challenge (RFC 8555 6.7). */
static enum acme_validation_error
curl_error_type(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return ACME_V_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_PEER_FAILED_VERIFICATION:
		return ACME_V_TLS;
	/*
	 * The server answered, and what it answered is not what 8.3 asks
	 * for: a redirect somewhere other than http or https, too many of
	 * them, a body too large, no HTTP at all. incorrectResponse ("didn't
	 * match the challenge's requirements") rather than connection, which
	 * would tell the client its server could not be reached.
	 */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_URL_MALFORMAT:
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WEIRD_SERVER_REPLY:
		return ACME_V_INCORRECT;
	default:
		return ACME_V_CONNECTION;
	}
}

/* ", redirected to 'URL'" when libcurl followed a Location (peer text). */
static char *
redirect_note(CURL *c)
{
	char *url = NULL, *esc, *note;
	long n = 0;

	if (curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &n) != CURLE_OK || n == 0 ||
	    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || url == NULL)
		return xstrdup("");
	esc = text_escape(url, strlen(url), PEER_ECHO_MAX * 2);
	note = xasprintf(" (redirected %ld time%s, to '%s')", n, plural(n), esc);
	free(esc);
	return note;
}

/*
 * RFC 8555 8.3: GET http://IDENT/.well-known/acme-challenge/TOKEN; the
 * status must be 200 and the body, bar whitespace at its end (which "the
 * server SHOULD ignore"), the key authorization.
 */
static enum acme_validation_error
validate_http01(const struct acme_validation *v, int v6, double deadline,
    char *why, size_t size)
{
	struct body *b = xcalloc(1, sizeof(*b));
	char errbuf[CURL_ERROR_SIZE] = "";
	char *url, *note = NULL, *esc = NULL;
	enum acme_validation_error e;
	CURL *c = NULL;
	CURLcode rc;
	/* 0 would be no limit at all to libcurl */
	long status = 0, ms = acme_left_ms(deadline) > 0 ? acme_left_ms(deadline) : 1;
	size_t n;

	/* RFC 8738 section 3: an address literal, IPv6 in brackets (RFC 3986 3.2.2). */
	url = xasprintf(v6 ? "http://[%s]:%u/.well-known/acme-challenge/%s" :
	    "http://%s:%u/.well-known/acme-challenge/%s", v->ident,
	    v->http_port != 0 ? v->http_port : 80, v->token);
	if ((c = curl_easy_init()) == NULL) {
		e = acme_fail(ACME_V_CONNECTION, why, size, "http-01: curl_easy_init failed");
		goto out;
	}
	rc = CURLE_OK;
#define SETOPT(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val)
	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	/* Threads: no SIGALRM around name lookups. */
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	/* An http_proxy in the environment must not decide who answers. */
	SETOPT(CURLOPT_NOPROXY, "*");
	SETOPT(CURLOPT_PROXY, "");
	/*
	 * 8.3: "The server SHOULD follow redirects"; only to http and https
	 * (section 10.2: the redirect is the client's, not the target's),
	 * and not forever.
	 */
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, 10L);
	/*
	 * A redirect to https is not a place to judge the certificate: the
	 * first request was plain HTTP, the proof is the body, and the name
	 * may have no certificate yet (getting one is why it is asked).
	 */
	SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
	SETOPT(CURLOPT_TIMEOUT_MS, ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, ms);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ACME_HTTP01_BODY_MAX);
	SETOPT(CURLOPT_WRITEFUNCTION, body_write);
	SETOPT(CURLOPT_WRITEDATA, b);
	SETOPT(CURLOPT_USERAGENT, "sipca-acme (challenge validation)");
#undef SETOPT
	if (rc != CURLE_OK) {
		e = acme_fail(ACME_V_CONNECTION, why, size, "http-01: curl_easy_setopt: %s",
		    curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(c);
	note = redirect_note(c);
	if (rc != CURLE_OK) {
		if (b->over || rc == CURLE_FILESIZE_EXCEEDED)
			e = acme_fail(ACME_V_INCORRECT, why, size, "http-01: GET %s%s: "
			    "the body is longer than %d octets", url, note,
			    ACME_HTTP01_BODY_MAX);
		else {
			/* libcurl's words, which may quote the peer (a Location). */
			esc = *errbuf != '\0' ? text_escape(errbuf, strlen(errbuf),
			    PEER_ECHO_MAX * 2) : xstrdup(curl_easy_strerror(rc));
			e = acme_fail(curl_error_type(rc), why, size, "http-01: GET %s%s: %s",
			    url, note, esc);
		}
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	/*
	 * A 404 (or any status but 200) is the client's server answering
	 * without the resource: incorrectResponse, as the wrong body is. 8.3
	 * asks for nothing else of the status; unauthorized would say the
	 * account lacks a right, which is not what went wrong.
	 */
	if (status != 200) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "http-01: GET %s%s: %ld", url,
		    note, status);
		goto out;
	}
	n = b->len;
	while (n > 0 && (b->data[n - 1] == ' ' || b->data[n - 1] == '\t' ||
	    b->data[n - 1] == '\r' || b->data[n - 1] == '\n'))
		n--;
	if (n != strlen(v->key_authz) || memcmp(b->data, v->key_authz, n) != 0) {
		esc = text_escape(b->data, b->len, PEER_ECHO_MAX);
		e = acme_fail(ACME_V_INCORRECT, why, size, "http-01: GET %s%s: the body "
		    "'%s' is not the key authorization", url, note, esc);
		goto out;
	}
	e = ACME_VALID;
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	free(esc);
	free(note);
	free(url);
	free(b);
	return e;
}

/* tls-alpn-01 */

/*
 * RFC 8738 section 6: for an ip identifier the server_name is the
 * address's reverse-mapping name, "d.c.b.a.in-addr.arpa" (RFC 1035
 * 3.5) or the 32 nibbles of ip6.arpa (RFC 3596 section 2.5).
 */
static void
reverse_name(const unsigned char *ip, size_t len, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (len == 4) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1], ip[0]);
		return;
	}
	for (i = len; i > 0 && o + 4 < size; i--) {
		out[o++] = hex[ip[i - 1] & 0x0f];
		out[o++] = '.';
		out[o++] = hex[ip[i - 1] >> 4];
		out[o++] = '.';
	}
	snprintf(out + o, size - o, "ip6.arpa");
}

/*
 * RFC 8737 section 3: the one subjectAltName is the identifier (a dNSName,
 * compared without case, RFC 4343; an iPAddress for an ip identifier,
 * RFC 8738 section 6), and the critical id-pe-acmeIdentifier holds the
 * SHA-256 of the key authorization as a DER OCTET STRING (section 6.1).
 */
static enum acme_validation_error
check_alpn_cert(const struct acme_validation *v, const unsigned char *ip,
    size_t ip_len, gnutls_x509_crt_t crt, char *why, size_t size)
{
	unsigned char digest[32], name[256];
	gnutls_datum_t ext = { NULL, 0 }, want = { NULL, 0 };
	gnutls_datum_t d = { digest, sizeof(digest) };
	char shown[SAN_IP_TEXT_MAX], *esc = NULL;
	enum acme_validation_error e;
	size_t name_len;
	unsigned crit = 0, i;
	int type, match = 0, ret;

	for (i = 0;; i++) {
		name_len = sizeof(name) - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &name_len, NULL);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		/* counted: a name too long is not ours */
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (type < 0) {
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the "
			    "certificate's subjectAltName: %s", gnutls_strerror(type));
			goto out;
		}
		if (i == 0 && ip_len == 0 && type == GNUTLS_SAN_DNSNAME &&
		    name_len == strlen(v->ident) &&
		    strncasecmp((const char *)name, v->ident, name_len) == 0)
			match = 1;
		else if (i == 0 && ip_len != 0 && type == GNUTLS_SAN_IPADDRESS &&
		    name_len == ip_len && memcmp(name, ip, ip_len) == 0)
			match = 1;
		else if (i == 0 && type == GNUTLS_SAN_IPADDRESS &&
		    san_ip_to_text(name, name_len, shown) == 0)
			esc = xstrdup(shown);
		else if (i == 0)
			esc = text_escape(name, name_len, PEER_ECHO_MAX);
	}
	if (i != 1 || !match) {
		if (i == 0)
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the certificate "
			    "has no subjectAltName (RFC 8737 section 3)");
		else if (i > 1)
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the certificate "
			    "has %u subjectAltNames, not only '%s' (RFC 8737 section 3)",
			    i, v->ident);
		else
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the certificate's "
			    "subjectAltName '%s' is not '%s' (RFC 8737 section 3)",
			    esc != NULL ? esc : "", v->ident);
		goto out;
	}
	ret = gnutls_x509_crt_get_extension_by_oid2(crt, OID_ACME_IDENTIFIER, 0,
	    &ext, &crit);
	if (ret < 0) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the certificate has "
		    "no acmeIdentifier extension (RFC 8737 section 3)");
		goto out;
	}
	if (!crit) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the acmeIdentifier "
		    "extension is not critical (RFC 8737 section 3)");
		goto out;
	}
	/*
	 * The extension's value is Authorization ::= OCTET STRING (SIZE (32)).
	 * DER has one encoding of a value, so the value is right exactly when
	 * its octets are the encoding of the digest; GnuTLS encodes it
	 * (SubjectKeyIdentifier is a bare OCTET STRING too, RFC 5280 4.2.1.2),
	 * so nothing here parses or builds DER by hand.
	 */
	if (acme_key_authz_digest(v->key_authz, digest) != 0 ||
	    (ret = gnutls_x509_ext_export_subject_key_id(&d, &want)) < 0) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: hashing the key "
		    "authorization failed");
		goto out;
	}
	if (ext.size != want.size || memcmp(ext.data, want.data, want.size) != 0) {
		if (ext.size == want.size && memcmp(ext.data, want.data, 2) == 0)
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the "
			    "acmeIdentifier is not the SHA-256 of the key authorization "
			    "(RFC 8737 section 3)");
		else
			e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the "
			    "acmeIdentifier is not a DER OCTET STRING of 32 octets "
			    "(RFC 8737 section 6.1)");
		goto out;
	}
	/* RFC 5280 4.2: an extension appears at most once. */
	gnutls_free(ext.data);
	ext.data = NULL;
	if (gnutls_x509_crt_get_extension_by_oid2(crt, OID_ACME_IDENTIFIER, 1,
	    &ext, &crit) >= 0) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: the certificate has "
		    "the acmeIdentifier extension twice (RFC 5280 section 4.2)");
		goto out;
	}
	e = ACME_VALID;
out:
	gnutls_free(ext.data);
	gnutls_free(want.data);
	free(esc);
	return e;
}

/* A failed handshake: who is to blame, in GnuTLS's words. */
static enum acme_validation_error
handshake_error(gnutls_session_t s, int ret, const char *peer, char *why, size_t size)
{
	const char *name;
	int alert;

	if (ret == GNUTLS_E_TIMEDOUT || ret == GNUTLS_E_AGAIN)
		return acme_fail(ACME_V_CONNECTION, why, size, "tls-alpn-01: %s: no "
		    "handshake in time", peer);
	if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED) {
		alert = (int)gnutls_alert_get(s);
		name = gnutls_alert_get_name((gnutls_alert_description_t)alert);
		return acme_fail(ACME_V_TLS, why, size, "tls-alpn-01: %s: the server sent "
		    "the fatal alert %d (%s)", peer, alert, name != NULL ? name : "unknown");
	}
	return acme_fail(ACME_V_TLS, why, size, "tls-alpn-01: %s: gnutls_handshake: %s",
	    peer, gnutls_strerror(ret));
}

/*
 * RFC 8737 section 3: a TLS handshake with the identifier's host that
 * offers only ALPN "acme-tls/1" and names the identifier in server_name;
 * the server must agree to acme-tls/1, and its certificate, trusted by
 * nobody (it is self-signed for this), must carry the proof.
 */
static enum acme_validation_error
tls_alpn_attempt(const struct acme_validation *v, const unsigned char *ip,
    size_t ip_len, const char *priority, double deadline, char *why,
    size_t size, int *out_key_usage)
{
	const gnutls_datum_t alpn = { (unsigned char *)(uintptr_t)ACME_TLS_ALPN,
	    sizeof(ACME_TLS_ALPN) - 1 };
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t proto;
	const gnutls_datum_t *peers;
	struct addrinfo hints, *res = NULL, *ai;
	char sni[80], port[12], peer[SAN_IP_TEXT_MAX + 16] = "?";
	const char *call = NULL;
	enum acme_validation_error e;
	unsigned n = 0;
	int fd = -1, ret, err = ECONNREFUSED;

	snprintf(port, sizeof(port), "%u", v->tls_port != 0 ? v->tls_port : 443);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (ip_len != 0 ? AI_NUMERICHOST : 0);
	if ((ret = getaddrinfo(v->ident, port, &hints, &res)) != 0) {
		e = acme_fail(ACME_V_DNS, why, size, "tls-alpn-01: cannot resolve '%s': %s",
		    v->ident, gai_strerror(ret));
		goto out;
	}
	for (ai = res; ai != NULL && fd < 0 && acme_left_ms(deadline) > 0; ai = ai->ai_next)
		fd = tcp_connect(ai, (int)acme_left_ms(deadline), &err);
	if (ip_len != 0)
		snprintf(peer, sizeof(peer), ip_len == 16 ? "[%s]:%s" : "%s:%s",
		    v->ident, port);
	else
		snprintf(peer, sizeof(peer), "%.*s:%s", SAN_IP_TEXT_MAX, v->ident, port);
	if (fd < 0) {
		e = acme_fail(ACME_V_CONNECTION, why, size, "tls-alpn-01: cannot connect to "
		    "%s: %s", peer, strerror(err));
		goto out;
	}
	if (ip_len != 0)
		reverse_name(ip, ip_len, sni, sizeof(sni));
	else
		snprintf(sni, sizeof(sni), "%s", v->ident);
	if ((ret = gnutls_certificate_allocate_credentials(&cred)) < 0)
		call = "gnutls_certificate_allocate_credentials";
	/* GNUTLS_NO_SIGNAL: a server that hangs up is an answer, not SIGPIPE. */
	else if ((ret = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0)
		call = "gnutls_init";
	else if ((ret = gnutls_set_default_priority_append(s, priority, NULL,
	    0)) < 0)
		call = "gnutls_set_default_priority_append";
	else if ((ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred)) < 0)
		call = "gnutls_credentials_set";
	else if ((ret = gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni,
	    strlen(sni))) < 0)
		call = "gnutls_server_name_set";
	/*
	 * Not GNUTLS_ALPN_MANDATORY: a server that agrees to nothing then
	 * completes the handshake and is told so below, by name, rather than
	 * with a bare handshake error.
	 */
	else if ((ret = gnutls_alpn_set_protocols(s, &alpn, 1, 0)) < 0)
		call = "gnutls_alpn_set_protocols";
	if (call != NULL) {
		e = acme_fail(ACME_V_TLS, why, size, "tls-alpn-01: %s: %s", call,
		    gnutls_strerror(ret));
		goto out;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, (unsigned)acme_left_ms(deadline));
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret) && ret != GNUTLS_E_AGAIN);
	if (ret < 0) {
		*out_key_usage = ret == GNUTLS_E_KEY_USAGE_VIOLATION;
		e = handshake_error(s, ret, peer, why, size);
		goto out;
	}
	if (gnutls_alpn_get_selected_protocol(s, &proto) < 0 ||
	    proto.size != alpn.size || memcmp(proto.data, alpn.data, alpn.size) != 0) {
		e = acme_fail(ACME_V_TLS, why, size, "tls-alpn-01: %s: the server did not "
		    "agree to ALPN \"acme-tls/1\" (RFC 8737 section 3)", peer);
		goto out;
	}
	if ((peers = gnutls_certificate_get_peers(s, &n)) == NULL || n == 0) {
		e = acme_fail(ACME_V_TLS, why, size, "tls-alpn-01: %s: the server sent no "
		    "certificate", peer);
		goto out;
	}
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER)) < 0) {
		e = acme_fail(ACME_V_INCORRECT, why, size, "tls-alpn-01: %s: the certificate: "
		    "gnutls_x509_crt_import: %s", peer, gnutls_strerror(ret));
		goto out;
	}
	e = check_alpn_cert(v, ip, ip_len, crt, why, size);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	if (fd >= 0)
		close(fd);
	if (res != NULL)
		freeaddrinfo(res);
	return e;
}

/*
 * RFC 8737 section 4: "MUST only negotiate TLS 1.2 or higher". The
 * certificate only carries the proof, and some clients make it with a
 * key usage that allows no signature (lego: an RSA key with
 * keyEncipherment alone), which GnuTLS refuses for any handshake the
 * server signs. Such a certificate allows RSA key transport, so the
 * handshake is tried once more that way (TLS 1.2, RSA key exchange)
 * rather than ignoring what the certificate says.
 */
static enum acme_validation_error
validate_tls_alpn01(const struct acme_validation *v, const unsigned char *ip,
    size_t ip_len, double deadline, char *why, size_t size)
{
	enum acme_validation_error e;
	int key_usage = 0;

	e = tls_alpn_attempt(v, ip, ip_len, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	    deadline, why, size, &key_usage);
	if (e != ACME_VALID && key_usage && acme_left_ms(deadline) > 0)
		e = tls_alpn_attempt(v, ip, ip_len, "-VERS-ALL:+VERS-TLS1.2:"
		    "-KX-ALL:+RSA", deadline, why, size, &key_usage);
	return e;
}

enum acme_validation_error
acme_validate(const struct acme_validation *v, char *why, size_t size)
{
	static const char *const names[] = { "http-01", "tls-alpn-01", "dns-01" };
	unsigned char ip[16];
	size_t ip_len = 0;
	double deadline;
	const char *what;
	char *esc;
	enum acme_validation_error e;

	if (size > 0)
		why[0] = '\0';
	what = (unsigned)v->type < 3 ? names[v->type] : "?";
	if ((unsigned)v->type >= 3)
		return acme_fail(ACME_V_UNAUTHORIZED, why, size, "unknown challenge type %d",
		    (int)v->type);
	if (v->ident == NULL || v->token == NULL || v->key_authz == NULL)
		return acme_fail(ACME_V_UNAUTHORIZED, why, size, "%s: no identifier, token "
		    "or key authorization", what);
	if (v->ident_type == ACME_IDENT_IP)
		ip_len = san_ip_from_text(v->ident, strlen(v->ident), ip);
	if (v->ident_type == ACME_IDENT_IP ? ip_len == 0 : !dns_name_ok(v->ident)) {
		esc = text_echo(v->ident);
		e = acme_fail(ACME_V_UNAUTHORIZED, why, size, "%s: '%s' is not %s", what, esc,
		    v->ident_type == ACME_IDENT_IP ? "an IP address (RFC 8738 section 3)" :
		    "a DNS name (RFC 8555 section 7.1.4)");
		free(esc);
		return e;
	}
	if (v->http_port > 65535 || v->tls_port > 65535)
		return acme_fail(ACME_V_UNAUTHORIZED, why, size, "%s: port %u is not a "
		    "TCP port", what, v->http_port > 65535 ? v->http_port : v->tls_port);
	if (!token_ok(v->token)) {
		esc = text_echo(v->token);
		e = acme_fail(ACME_V_UNAUTHORIZED, why, size, "%s: the token '%s' is not "
		    "base64url (RFC 8555 section 8.1)", what, esc);
		free(esc);
		return e;
	}
	deadline = monotonic_seconds() + (v->timeout != 0 ? v->timeout :
	    ACME_VALIDATION_TIMEOUT);
	switch (v->type) {
	case ACME_HTTP01:
		return validate_http01(v, ip_len == 16, deadline, why, size);
	case ACME_TLS_ALPN01:
		return validate_tls_alpn01(v, ip, ip_len, deadline, why, size);
	case ACME_DNS01:
		/* RFC 8738 section 7: "MUST NOT be used to validate IP identifiers". */
		if (ip_len != 0)
			return acme_fail(ACME_V_UNAUTHORIZED, why, size, "dns-01: not for an "
			    "ip identifier (RFC 8738 section 7)");
		return acme_validate_dns01(v, deadline, why, size);
	}
	return ACME_V_UNAUTHORIZED;
}

int
acme_challenge_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
acme_challenge_global_deinit(void)
{
	curl_global_cleanup();
}
