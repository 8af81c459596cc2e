/*
 * check_acme_challenge: ACME's challenge validation (src/net/acme_challenge.c)
 * against real servers on loopback: libmicrohttpd inside the test for
 * http-01, a GnuTLS server thread with certificates made here for
 * tls-alpn-01, dnsmasq (a child, killed by its pid) for dns-01.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "acme_challenge.h"
#include "testcert.h"
#include "tmpdir.h"

/* RFC 8555 8.3's example token and RFC 8555 8.1's shape of a key authorization. */
#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define KEY_AUTHZ TOKEN ".LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
/* base64url(SHA-256(KEY_AUTHZ)), by Python's hashlib and base64. */
#define DNS_VALUE "xJgiYqv4IvEUkgnDxBIiCeaa_vmftPMmQkEtfvHfT7k"
#define PREFIX "/.well-known/acme-challenge/"

static char why[512];

static void
validation(struct acme_validation *v, enum acme_challenge_type type,
    enum acme_ident_type it, const char *ident, const char *token)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->ident_type = it;
	v->ident = ident;
	v->token = token;
	v->key_authz = KEY_AUTHZ;
	v->timeout = 5;
}

#define ck_assert_why(needle) \
	ck_assert_msg(strstr(why, (needle)) != NULL, "'%s' not in '%s'", (needle), why)

/* A loopback port bound and never listened on: connecting is refused. */
static int
closed_port(int family, int type, unsigned *out_port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*s4) : sizeof(*s6);
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		s6->sin6_addr = in6addr_loopback;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*out_port = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

static void
setup(void)
{
	ck_assert_int_eq(acme_challenge_global_init(), 0);
}

static void
teardown(void)
{
	acme_challenge_global_deinit();
}

START_TEST(test_error_types)
{
	ck_assert_str_eq(acme_validation_error_type(ACME_VALID), "");
	ck_assert_str_eq(acme_validation_error_type(ACME_V_CONNECTION), "connection");
	ck_assert_str_eq(acme_validation_error_type(ACME_V_INCORRECT), "incorrectResponse");
	ck_assert_str_eq(acme_validation_error_type(ACME_V_DNS), "dns");
	ck_assert_str_eq(acme_validation_error_type(ACME_V_TLS), "tls");
	ck_assert_str_eq(acme_validation_error_type(ACME_V_UNAUTHORIZED), "unauthorized");
}
END_TEST

/* Nothing but a name or an address reaches a URL, a server_name or a query. */
START_TEST(test_refused_input)
{
	struct acme_validation v;

	validation(&v, ACME_HTTP01, ACME_IDENT_DNS, "evil.test/x?", TOKEN);
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	ck_assert_why("'evil.test/x?' is not a DNS name");
	validation(&v, ACME_HTTP01, ACME_IDENT_DNS, "user@evil.test", TOKEN);
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	validation(&v, ACME_HTTP01, ACME_IDENT_DNS, "a..b", TOKEN);
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	validation(&v, ACME_HTTP01, ACME_IDENT_IP, "localhost", TOKEN);
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	ck_assert_why("is not an IP address");
	validation(&v, ACME_HTTP01, ACME_IDENT_IP, "[::1]", TOKEN);
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	validation(&v, ACME_HTTP01, ACME_IDENT_DNS, "sip.example.test", "../../etc");
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	ck_assert_why("is not base64url");
	validation(&v, ACME_HTTP01, ACME_IDENT_DNS, "sip.example.test", "a\x01");
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_UNAUTHORIZED);
	ck_assert_why("'a\\x01'");
}
END_TEST

/* http-01: libmicrohttpd inside the test, one path per behaviour. */

static struct MHD_Daemon *httpd;
static unsigned http_port;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_host[128], seen_ua[128];

/* An endless body without a Content-Length: only the write callback stops it. */
static ssize_t
endless(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	memset(buf, 'a', max);
	return (ssize_t)max;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **state)
{
	static char big[8192];
	struct MHD_Response *r;
	const char *name, *body = NULL, *location = NULL, *h;
	unsigned status = MHD_HTTP_OK;
	enum MHD_Result ret;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	pthread_mutex_lock(&seen_lock);
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	snprintf(seen_host, sizeof(seen_host), "%s", h != NULL ? h : "");
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	snprintf(seen_ua, sizeof(seen_ua), "%s", h != NULL ? h : "");
	pthread_mutex_unlock(&seen_lock);
	name = strncmp(url, PREFIX, strlen(PREFIX)) == 0 ? url + strlen(PREFIX) : "";
	if (strcmp(name, TOKEN) == 0)
		body = KEY_AUTHZ;
	else if (strcmp(name, "nl") == 0)
		body = KEY_AUTHZ " \r\n";
	else if (strcmp(name, "wrong") == 0)
		body = "not it\x01";
	else if (strcmp(name, "big") == 0) {
		memset(big, 'a', sizeof(big));
		r = MHD_create_response_from_buffer(sizeof(big), big, MHD_RESPMEM_PERSISTENT);
		goto queue;
	} else if (strcmp(name, "endless") == 0) {
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, endless,
		    NULL, NULL);
		goto queue;
	} else if (strcmp(name, "ftp") == 0)
		location = "ftp://127.0.0.1/" TOKEN;
	else if (strcmp(name, "redirect") == 0)
		location = PREFIX TOKEN;
	else if (strcmp(name, "loop") == 0)
		location = PREFIX "loop";
	else {
		status = MHD_HTTP_NOT_FOUND;
		body = "no such file";
	}
	if (location != NULL) {
		status = MHD_HTTP_FOUND;
		body = "";
	}
	r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
	    MHD_RESPMEM_PERSISTENT);
	if (location != NULL)
		MHD_add_response_header(r, "Location", location);
queue:
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void
http_start(int family)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	const union MHD_DaemonInfo *info;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    (family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, answer, NULL,
	    MHD_OPTION_SOCK_ADDR, family == AF_INET6 ? (struct sockaddr *)&s6 :
	    (struct sockaddr *)&s4, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	ck_assert_ptr_nonnull(httpd);
	info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	http_port = info->port;
}

static void
http_setup(void)
{
	setup();
	http_start(AF_INET);
}

static void
http_teardown(void)
{
	MHD_stop_daemon(httpd);
	httpd = NULL;
	teardown();
}

static enum acme_validation_error
http01(const char *ident, enum acme_ident_type it, const char *token)
{
	struct acme_validation v;

	validation(&v, ACME_HTTP01, it, ident, token);
	v.http_port = http_port;
	return acme_validate(&v, why, sizeof(why));
}

START_TEST(test_http_valid)
{
	char want[64];

	ck_assert_int_eq(http01("localhost", ACME_IDENT_DNS, TOKEN), ACME_VALID);
	snprintf(want, sizeof(want), "localhost:%u", http_port);
	ck_assert_str_eq(seen_host, want);
	ck_assert_ptr_nonnull(strstr(seen_ua, "sipca"));
	/* RFC 8738 section 3: the address is the Host */
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, TOKEN), ACME_VALID);
	snprintf(want, sizeof(want), "127.0.0.1:%u", http_port);
	ck_assert_str_eq(seen_host, want);
}
END_TEST

START_TEST(test_http_ipv6)
{
	char want[64];

	MHD_stop_daemon(httpd);
	http_start(AF_INET6);
	ck_assert_int_eq(http01("::1", ACME_IDENT_IP, TOKEN), ACME_VALID);
	snprintf(want, sizeof(want), "[::1]:%u", http_port);
	ck_assert_str_eq(seen_host, want);
}
END_TEST

/* RFC 8555 8.3: whitespace at the end "SHOULD" be ignored. */
START_TEST(test_http_trailing_newline)
{
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "nl"), ACME_VALID);
}
END_TEST

START_TEST(test_http_wrong_body)
{
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "wrong"), ACME_V_INCORRECT);
	ck_assert_why("the body 'not it\\x01' is not the key authorization");
}
END_TEST

START_TEST(test_http_404)
{
	char want[128];

	ck_assert_int_eq(http01("localhost", ACME_IDENT_DNS, "nothere"), ACME_V_INCORRECT);
	snprintf(want, sizeof(want), "http-01: GET http://localhost:%u"
	    PREFIX "nothere: 404", http_port);
	ck_assert_str_eq(why, want);
}
END_TEST

START_TEST(test_http_too_large)
{
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "big"), ACME_V_INCORRECT);
	ck_assert_why("the body is longer than 4096 octets");
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "endless"), ACME_V_INCORRECT);
	ck_assert_why("the body is longer than 4096 octets");
}
END_TEST

START_TEST(test_http_redirects)
{
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "redirect"), ACME_VALID);
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "ftp"), ACME_V_INCORRECT);
	ck_assert_why("ftp");
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, "loop"), ACME_V_INCORRECT);
	ck_assert_why("redirected 10 times");
}
END_TEST

/* The environment's proxy is not asked: the answer comes from the identifier. */
START_TEST(test_http_no_proxy)
{
	unsigned port;
	int fd = closed_port(AF_INET, SOCK_STREAM, &port);
	char proxy[64];

	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", port);
	setenv("http_proxy", proxy, 1);
	setenv("HTTP_PROXY", proxy, 1);
	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, TOKEN), ACME_VALID);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	close(fd);
}
END_TEST

START_TEST(test_http_nothing_listening)
{
	int fd = closed_port(AF_INET, SOCK_STREAM, &http_port);

	ck_assert_int_eq(http01("127.0.0.1", ACME_IDENT_IP, TOKEN), ACME_V_CONNECTION);
	ck_assert_why("http-01: GET http://127.0.0.1:");
	close(fd);
}
END_TEST

/* tls-alpn-01: a GnuTLS server thread on loopback, one handshake each. */

struct tls_server {
	int lfd;
	unsigned port;
	int alpn;			/* agree to acme-tls/1 */
	gnutls_certificate_credentials_t cred;
	char sni[128];			/* the server_name the client sent */
	pthread_t thread;
};

static void *
tls_serve(void *arg)
{
	const gnutls_datum_t acme = { (unsigned char *)"acme-tls/1", 10 };
	struct tls_server *t = arg;
	struct pollfd pfd = { t->lfd, POLLIN, 0 };
	gnutls_session_t s;
	size_t len = sizeof(t->sni) - 1;
	unsigned type;
	int fd, ret;

	if (poll(&pfd, 1, 10000) != 1 || (fd = accept(t->lfd, NULL, NULL)) < 0)
		return NULL;
	gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred);
	if (t->alpn)
		gnutls_alpn_set_protocols(s, &acme, 1, 0);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 10000);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (gnutls_server_name_get(s, t->sni, &len, &type, 0) == 0)
		t->sni[len] = '\0';
	gnutls_deinit(s);
	close(fd);
	return NULL;
}

/*
 * A certificate as RFC 8737 section 3 has the client make one: self-signed,
 * the names in sans, the acmeIdentifier's value ext (ext_len octets).
 */
static void
tls_start(struct tls_server *t, int family, const char *const *sans,
    const unsigned char *ext, size_t ext_len, int critical, int alpn)
{
	struct tcert c;
	struct tcert_spec spec;
	gnutls_datum_t cert, key;

	memset(&spec, 0, sizeof(spec));
	spec.cn = "acme-tls/1 test";
	spec.sans = sans;
	tcert_make(&c, &spec, NULL);
	ck_assert_int_eq(gnutls_x509_crt_set_extension_by_oid(c.crt,
	    "1.3.6.1.5.5.7.1.31", ext, ext_len, (unsigned)critical), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(c.crt, c.crt, c.key,
	    GNUTLS_DIG_SHA256, 0), 0);
	cert = tcert_pem(&c);
	key = tcert_key_pem(&c);
	memset(t, 0, sizeof(*t));
	t->alpn = alpn;
	ck_assert_int_eq(gnutls_certificate_allocate_credentials(&t->cred), 0);
	ck_assert_int_eq(gnutls_certificate_set_x509_key_mem(t->cred, &cert, &key,
	    GNUTLS_X509_FMT_PEM), 0);
	gnutls_free(cert.data);
	gnutls_free(key.data);
	tcert_clear(&c);
	t->lfd = closed_port(family, SOCK_STREAM, &t->port);
	ck_assert_int_eq(listen(t->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&t->thread, NULL, tls_serve, t), 0);
}

static void
tls_stop(struct tls_server *t)
{
	pthread_join(t->thread, NULL);
	close(t->lfd);
	gnutls_certificate_free_credentials(t->cred);
}

/* The extension's value spelled out: OCTET STRING (04), 32 (20), the digest. */
static void
proof(unsigned char out[34], const char *key_authz)
{
	out[0] = 0x04;
	out[1] = 0x20;
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, key_authz,
	    strlen(key_authz), out + 2), 0);
}

static enum acme_validation_error
tls_alpn01(struct tls_server *t, const char *ident, enum acme_ident_type it)
{
	struct acme_validation v;
	enum acme_validation_error e;

	validation(&v, ACME_TLS_ALPN01, it, ident, TOKEN);
	v.tls_port = t->port;
	e = acme_validate(&v, why, sizeof(why));
	tls_stop(t);
	return e;
}

START_TEST(test_tls_valid_dns)
{
	static const char *const sans[] = { "DNS:localhost", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, KEY_AUTHZ);
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "localhost", ACME_IDENT_DNS), ACME_VALID);
	ck_assert_str_eq(t.sni, "localhost");
}
END_TEST

/* RFC 8738 section 6: an iPAddress, and the reverse name as server_name. */
START_TEST(test_tls_valid_ip)
{
	static const char *const sans[] = { "IP:127.0.0.1", NULL };
	static const char *const sans6[] = { "IP:::1", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, KEY_AUTHZ);
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_VALID);
	ck_assert_str_eq(t.sni, "1.0.0.127.in-addr.arpa");
	tls_start(&t, AF_INET6, sans6, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "::1", ACME_IDENT_IP), ACME_VALID);
	ck_assert_str_eq(t.sni, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
}
END_TEST

START_TEST(test_tls_wrong_digest)
{
	static const char *const sans[] = { "IP:127.0.0.1", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, TOKEN ".another-thumbprint");
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_V_INCORRECT);
	ck_assert_why("not the SHA-256 of the key authorization");
}
END_TEST

START_TEST(test_tls_not_critical)
{
	static const char *const sans[] = { "IP:127.0.0.1", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, KEY_AUTHZ);
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 0, 1);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_V_INCORRECT);
	ck_assert_why("not critical");
}
END_TEST

/* The digest in a BER long-form length (04 81 20): not DER, refused. */
START_TEST(test_tls_not_der)
{
	static const char *const sans[] = { "IP:127.0.0.1", NULL };
	struct tls_server t;
	unsigned char ext[35], der[34];

	proof(der, KEY_AUTHZ);
	ext[0] = 0x04;
	ext[1] = 0x81;
	memcpy(ext + 2, der + 1, 33);
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_V_INCORRECT);
	ck_assert_why("not a DER OCTET STRING");
}
END_TEST

/* RFC 8737 section 3: one subjectAltName, the identifier. */
START_TEST(test_tls_names)
{
	static const char *const two[] = { "DNS:localhost", "DNS:other.test", NULL };
	static const char *const other[] = { "DNS:other.test", NULL };
	static const char *const ip[] = { "IP:127.0.0.2", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, KEY_AUTHZ);
	tls_start(&t, AF_INET, two, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "localhost", ACME_IDENT_DNS), ACME_V_INCORRECT);
	ck_assert_why("has 2 subjectAltNames");
	tls_start(&t, AF_INET, other, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "localhost", ACME_IDENT_DNS), ACME_V_INCORRECT);
	ck_assert_why("subjectAltName 'other.test' is not 'localhost'");
	tls_start(&t, AF_INET, ip, ext, sizeof(ext), 1, 1);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_V_INCORRECT);
	ck_assert_why("subjectAltName '127.0.0.2' is not '127.0.0.1'");
}
END_TEST

START_TEST(test_tls_no_alpn)
{
	static const char *const sans[] = { "IP:127.0.0.1", NULL };
	struct tls_server t;
	unsigned char ext[34];

	proof(ext, KEY_AUTHZ);
	tls_start(&t, AF_INET, sans, ext, sizeof(ext), 1, 0);
	ck_assert_int_eq(tls_alpn01(&t, "127.0.0.1", ACME_IDENT_IP), ACME_V_TLS);
	ck_assert_why("did not agree to ALPN \"acme-tls/1\"");
}
END_TEST

START_TEST(test_tls_nothing_listening)
{
	struct acme_validation v;
	unsigned port;
	int fd = closed_port(AF_INET, SOCK_STREAM, &port);

	validation(&v, ACME_TLS_ALPN01, ACME_IDENT_IP, "127.0.0.1", TOKEN);
	v.tls_port = port;
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_CONNECTION);
	ck_assert_why("cannot connect to 127.0.0.1:");
	close(fd);
}
END_TEST

/* dns-01: dnsmasq on loopback, started once for the case, killed by pid. */

static pid_t dnsmasq_pid = -1;
static char dns_server[32];

static void
dns_start(void)
{
	unsigned port;
	int u = -1, t = -1, tries, fd;
	struct sockaddr_in sin;
	char *pidfile, *log, portarg[16];

	tmpdir_setup();
	/* A port free for both UDP and TCP, which dnsmasq listens on. */
	for (tries = 0; tries < 20 && t < 0; tries++) {
		u = closed_port(AF_INET, SOCK_DGRAM, &port);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)port);
		t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (bind(t, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
			close(t);
			t = -1;
		}
		close(u);
	}
	ck_assert_int_ge(t, 0);
	close(t);
	snprintf(portarg, sizeof(portarg), "--port=%u", port);
	snprintf(dns_server, sizeof(dns_server), "127.0.0.1:%u", port);
	pidfile = xasprintf("--pid-file=%s/dnsmasq.pid", tmpdir);
	log = tmpdir_path("dnsmasq.log");
	dnsmasq_pid = fork();
	ck_assert_int_ge(dnsmasq_pid, 0);
	if (dnsmasq_pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* /usr/sbin is not on every PATH; --local: NXDOMAIN for the rest */
		execl("/usr/sbin/dnsmasq", "dnsmasq", "--no-daemon", portarg,
		    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
		    "--no-hosts", "--conf-file=/dev/null", pidfile, "--user=",
		    "--local=/example.test/",
		    "--txt-record=_acme-challenge.sip.example.test," DNS_VALUE,
		    "--txt-record=_acme-challenge.wrong.example.test,not\xffit",
		    "--txt-record=_acme-challenge.two.example.test,not-this-one",
		    "--txt-record=_acme-challenge.two.example.test," DNS_VALUE,
		    "--txt-record=_acme-challenge.split.example.test,xJgiYqv4IvEUkgnD,"
		    "xBIiCeaa_vmftPMmQkEtfvHfT7k",
		    (char *)NULL);
		_exit(127);
	}
	free(pidfile);
	free(log);
	/* Ready when its TCP socket takes a connection. */
	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(fd);
			return;
		}
		close(fd);
		ck_assert_int_eq(waitpid(dnsmasq_pid, NULL, WNOHANG), 0);
		usleep(50000);
	}
	ck_abort_msg("dnsmasq did not start on %s", dns_server);
}

static void
dns_stop(void)
{
	int i;

	if (dnsmasq_pid > 0) {
		kill(dnsmasq_pid, SIGTERM);
		for (i = 0; i < 100 && waitpid(dnsmasq_pid, NULL, WNOHANG) == 0; i++)
			usleep(50000);
		if (i == 100) {
			kill(dnsmasq_pid, SIGKILL);
			waitpid(dnsmasq_pid, NULL, 0);
		}
		dnsmasq_pid = -1;
	}
	tmpdir_teardown();
}

static enum acme_validation_error
dns01(const char *ident, enum acme_ident_type it)
{
	struct acme_validation v;

	validation(&v, ACME_DNS01, it, ident, TOKEN);
	v.dns_server = dns_server;
	return acme_validate(&v, why, sizeof(why));
}

START_TEST(test_dns_valid)
{
	ck_assert_int_eq(dns01("sip.example.test", ACME_IDENT_DNS), ACME_VALID);
	/* one of several records; a record's strings are one value (RFC 1035 3.3.14) */
	ck_assert_int_eq(dns01("two.example.test", ACME_IDENT_DNS), ACME_VALID);
	ck_assert_int_eq(dns01("split.example.test", ACME_IDENT_DNS), ACME_VALID);
}
END_TEST

START_TEST(test_dns_wrong)
{
	ck_assert_int_eq(dns01("wrong.example.test", ACME_IDENT_DNS), ACME_V_INCORRECT);
	ck_assert_str_eq(why, "dns-01: no TXT record at _acme-challenge.wrong.example.test "
	    "matches (1 found, the first 'not\\xffit')");
}
END_TEST

/* NXDOMAIN is an answer: the zone lacks the record (acme_challenge.c). */
START_TEST(test_dns_no_such_name)
{
	ck_assert_int_eq(dns01("nowhere.example.test", ACME_IDENT_DNS), ACME_V_INCORRECT);
	ck_assert_str_eq(why, "dns-01: no such name "
	    "_acme-challenge.nowhere.example.test (NXDOMAIN)");
}
END_TEST

START_TEST(test_dns_ip_identifier)
{
	ck_assert_int_eq(dns01("127.0.0.1", ACME_IDENT_IP), ACME_V_UNAUTHORIZED);
	ck_assert_why("RFC 8738 section 7");
}
END_TEST

/* No resolver answering: dns, and within the timeout. */
START_TEST(test_dns_no_server)
{
	struct acme_validation v;
	unsigned port;
	int fd = closed_port(AF_INET, SOCK_DGRAM, &port);
	char server[32];
	time_t start = time(NULL);

	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	validation(&v, ACME_DNS01, ACME_IDENT_DNS, "sip.example.test", TOKEN);
	v.dns_server = server;
	v.timeout = 2;
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_DNS);
	ck_assert_int_le(time(NULL) - start, 4);
	v.dns_server = "::1";
	ck_assert_int_eq(acme_validate(&v, why, sizeof(why)), ACME_V_DNS);
	ck_assert_why("is not an IPv4 ADDR or ADDR:PORT");
	close(fd);
}
END_TEST

/* acme_validate from four threads at once: each its own handle and resolver state. */
static void *
validate_some(void *arg)
{
	struct acme_validation v;
	char buf[256];
	int i, *bad = arg;

	for (i = 0; i < 10; i++) {
		validation(&v, i % 2 ? ACME_DNS01 : ACME_HTTP01, ACME_IDENT_DNS,
		    i % 2 ? "sip.example.test" : "localhost", TOKEN);
		v.dns_server = dns_server;
		v.http_port = http_port;
		if (acme_validate(&v, buf, sizeof(buf)) != ACME_VALID)
			(*bad)++;
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	int bad[4] = { 0, 0, 0, 0 }, i;

	http_start(AF_INET);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, validate_some, &bad[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(bad[i], 0);
	}
	MHD_stop_daemon(httpd);
	httpd = NULL;
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("acme_challenge");
	TCase *tc;

	tc = tcase_create("input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_error_types);
	tcase_add_test(tc, test_refused_input);
	suite_add_tcase(s, tc);

	tc = tcase_create("http01");
	tcase_add_checked_fixture(tc, http_setup, http_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_http_valid);
	tcase_add_test(tc, test_http_ipv6);
	tcase_add_test(tc, test_http_trailing_newline);
	tcase_add_test(tc, test_http_wrong_body);
	tcase_add_test(tc, test_http_404);
	tcase_add_test(tc, test_http_too_large);
	tcase_add_test(tc, test_http_redirects);
	tcase_add_test(tc, test_http_no_proxy);
	tcase_add_test(tc, test_http_nothing_listening);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls_alpn01");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tls_valid_dns);
	tcase_add_test(tc, test_tls_valid_ip);
	tcase_add_test(tc, test_tls_wrong_digest);
	tcase_add_test(tc, test_tls_not_critical);
	tcase_add_test(tc, test_tls_not_der);
	tcase_add_test(tc, test_tls_names);
	tcase_add_test(tc, test_tls_no_alpn);
	tcase_add_test(tc, test_tls_nothing_listening);
	suite_add_tcase(s, tc);

	tc = tcase_create("dns01");
	tcase_add_unchecked_fixture(tc, dns_start, dns_stop);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_dns_valid);
	tcase_add_test(tc, test_dns_wrong);
	tcase_add_test(tc, test_dns_no_such_name);
	tcase_add_test(tc, test_dns_ip_identifier);
	tcase_add_test(tc, test_dns_no_server);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
