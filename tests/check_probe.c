/*
 * check_probe: src/net/probe.c against a TLS server on 127.0.0.1 run by a
 * child of the test (GnuTLS, one connection), so that what the probe
 * records is tested without a network: the chain presented in its order,
 * the OPTIONS request it sends (RFC 3261 8.1.1), the status line it keeps
 * (controls made '?'), how far it got when the server closes, refuses or
 * is not TLS, and whether a client certificate was asked for and sent.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <gnutls/gnutls.h>

#include "probe.h"
#include "testcert.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* What the child's exit status says, besides 0 for "all went well". */
#define SERVED_BAD_REQUEST	1	/* the OPTIONS request was not as sent by RFC 3261 */
#define SERVED_NO_HANDSHAKE	2
#define SERVED_SETUP		3
#define SERVED_PEER_CERT	16	/* a client certificate came with it */

static struct tcert ca, server, client;
static gnutls_datum_t ca_der, server_der;

static void
setup(void)
{
	const char *server_sans[] = { "URI:sip:example.com", "DNS:sip.example.com",
		NULL };
	const char *client_sans[] = { "URI:sip:alice@example.com", NULL };
	struct tcert_spec spec = { "sip.example.com", server_sans, 0, 0, 0 };

	tcert_ca(&ca, "Probe Test CA");
	tcert_make(&server, &spec, &ca);
	spec = (struct tcert_spec){ "alice", client_sans, 0, 0, 0 };
	tcert_make(&client, &spec, &ca);
	ca_der = tcert_der(&ca);
	server_der = tcert_der(&server);
}

static void
teardown(void)
{
	gnutls_free(ca_der.data);
	gnutls_free(server_der.data);
	tcert_clear(&ca);
	tcert_clear(&server);
	tcert_clear(&client);
}

struct server_spec {
	int not_tls;		/* answer in plain text, no handshake */
	int request_cert;	/* ask for a client certificate (not require) */
	const char *response;	/* NULL: close once the request is read */
};

/* Reads the request's header; 0 when it is the OPTIONS the probe promises. */
static int
read_request(gnutls_session_t s)
{
	char buf[8192];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) - 1) {
		n = gnutls_record_recv(s, buf + got, sizeof(buf) - 1 - got);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	if (strncmp(buf, "OPTIONS sip:example.com SIP/2.0\r\n", 33) != 0 ||
	    strstr(buf, "\r\nVia: SIP/2.0/TLS ") == NULL ||
	    strstr(buf, ";branch=z9hG4bK") == NULL ||
	    strstr(buf, "\r\nTo: <sip:example.com>\r\n") == NULL ||
	    strstr(buf, "\r\nCSeq: 1 OPTIONS\r\n") == NULL ||
	    strstr(buf, "\r\nCall-ID: ") == NULL ||
	    strstr(buf, "\r\nMax-Forwards: 70\r\n") == NULL ||
	    strstr(buf, "\r\nContent-Length: 0\r\n\r\n") == NULL)
		return -1;
	return 0;
}

/* The child: one connection, then its verdict as the exit status. */
static int
serve_one(int lfd, const struct server_spec *sp)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	gnutls_x509_crt_t chain[2] = { server.crt, ca.crt };
	char sink[512];
	int fd, ret, status = 0;

	alarm(60);		/* a hung probe must not leave the child behind */
	if ((fd = accept(lfd, NULL, NULL)) < 0)
		return SERVED_SETUP;
	if (sp->not_tls) {
		static const char reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";

		if (write(fd, reply, sizeof(reply) - 1) < 0)
			return SERVED_SETUP;
		close(fd);
		return 0;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_certificate_set_x509_key(cred, chain, 2, server.key) < 0 ||
	    gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL) < 0 ||
	    gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		return SERVED_SETUP;
	if (sp->request_cert)
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 30000);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0)
		return SERVED_NO_HANDSHAKE;
	gnutls_record_set_timeout(s, 30000);
	if (read_request(s) < 0)
		status = SERVED_BAD_REQUEST;
	if (gnutls_certificate_get_peers(s, NULL) != NULL)
		status |= SERVED_PEER_CERT;
	if (sp->response != NULL) {
		if (gnutls_record_send(s, sp->response, strlen(sp->response)) < 0)
			return SERVED_SETUP;
		/* Until the probe hangs up, so that nothing it reads is reset. */
		while (gnutls_record_recv(s, sink, sizeof(sink)) > 0)
			;
	} else {
		gnutls_bye(s, GNUTLS_SHUT_WR);
	}
	close(fd);
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
	return status;
}

/* A TCP socket on 127.0.0.1 with a port of its own; *port its number. */
static int
loopback_socket(char port[8])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, 8, "%u", ntohs(sin.sin_port));
	return fd;
}

static pid_t
start_server(const struct server_spec *sp, char port[8])
{
	int lfd = loopback_socket(port);
	pid_t pid;

	ck_assert_int_eq(listen(lfd, 1), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(serve_one(lfd, sp));
	close(lfd);
	return pid;
}

static int
server_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "the server died of signal %d",
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

static void
params(struct probe_params *p, const char *port)
{
	memset(p, 0, sizeof(*p));
	p->host = "sip.example.com";
	p->addr = "127.0.0.1";
	p->port = port;
	p->sip_domain = "example.com";
	p->timeout = 30;
}

/*
 * Probes a server that behaves as sp says, with p (its port is set here,
 * in port); returns the server's verdict on what it was sent.
 */
static int
probe_server(const struct server_spec *sp, struct probe_params *p,
    char port[8], struct probe_result *r)
{
	pid_t pid = start_server(sp, port);

	p->port = port;
	ck_assert_int_eq(probe_run(p, r), 0);
	return server_status(pid);
}

struct answer_case {
	const char *response;
	const char *status_line;
};

static const struct answer_case answers[] = {
	{ "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "SIP/2.0 200 OK" },
	{ "SIP/2.0 403 Forbidden\r\n\r\n", "SIP/2.0 403 Forbidden" },
	/* RFC 3261 7.5 asks for CRLF; a bare LF still ends the line. */
	{ "SIP/2.0 404 Not Found\n\n", "SIP/2.0 404 Not Found" },
	/* What the server sent reaches a terminal without its controls. */
	{ "SIP/2.0 200 O\x1b[2JK\r\n\r\n", "SIP/2.0 200 O?[2JK" },
	{ "SIP/2.0 200 \xc3\xa9t\xc3\xa9\r\n\r\n", "SIP/2.0 200 ??t??" },
};

/* A whole session: chain, TLS parameters, the request, the answer. */
START_TEST(test_answer)
{
	const struct answer_case *c = &answers[_i];
	struct server_spec sp = { 0, 0, c->response };
	struct probe_params p;
	struct probe_result r;
	char port[8], peer[32];

	params(&p, NULL);
	ck_assert_int_eq(probe_server(&sp, &p, port, &r), 0);
	ck_assert_msg(r.stage == PROBE_STAGE_DONE, "stage %d: %s", r.stage, r.error);
	ck_assert_ptr_null(r.error);
	ck_assert_str_eq(r.status_line, c->status_line);
	snprintf(peer, sizeof(peer), "127.0.0.1:%s", port);
	ck_assert_str_eq(r.peer, peer);
	ck_assert_int_eq(r.alert, -1);
	/* The chain exactly as presented, in its order. */
	ck_assert_uint_eq(r.chain_n, 2);
	ck_assert_uint_eq(r.chain[0].size, server_der.size);
	ck_assert_mem_eq(r.chain[0].data, server_der.data, server_der.size);
	ck_assert_uint_eq(r.chain[1].size, ca_der.size);
	ck_assert_mem_eq(r.chain[1].data, ca_der.data, ca_der.size);
	ck_assert_ptr_nonnull(r.tls_version);
	ck_assert_int_eq(strncmp(r.tls_version, "TLS1.", 5), 0);
	ck_assert_ptr_nonnull(r.cipher);
	ck_assert_ptr_nonnull(r.description);
	ck_assert_int_eq(r.cert_requested, 0);
	ck_assert_int_eq(r.cert_sent, 0);
	probe_result_clear(&r);
	ck_assert_uint_eq(r.chain_n, 0);
	probe_result_clear(&r);			/* freed is empty: again is fine */
}
END_TEST

START_TEST(test_server_hangs_up)
{
	struct server_spec sp = { 0, 0, NULL };
	struct probe_params p;
	struct probe_result r;
	char port[8];

	params(&p, NULL);
	ck_assert_int_eq(probe_server(&sp, &p, port, &r), 0);
	ck_assert_int_eq(r.stage, PROBE_STAGE_REQUEST);
	ck_assert_str_eq(r.error,
	    "waiting for the answer: the server closed the connection");
	ck_assert_ptr_null(r.status_line);
	/* What the handshake showed is kept. */
	ck_assert_uint_eq(r.chain_n, 2);
	ck_assert_ptr_nonnull(r.tls_version);
	probe_result_clear(&r);
}
END_TEST

START_TEST(test_not_tls)
{
	struct server_spec sp = { 1, 0, NULL };
	struct probe_params p;
	struct probe_result r;
	char port[8];

	params(&p, NULL);
	ck_assert_int_eq(probe_server(&sp, &p, port, &r), 0);
	ck_assert_int_eq(r.stage, PROBE_STAGE_HANDSHAKE);
	ck_assert_ptr_nonnull(r.error);
	ck_assert_msg(strncmp(r.error, "TLS handshake: ", 15) == 0, "%s", r.error);
	ck_assert_uint_eq(r.chain_n, 0);
	ck_assert_ptr_null(r.status_line);
	probe_result_clear(&r);
}
END_TEST

/* Asked for a certificate: noted, and sent when the probe has one. */
START_TEST(test_client_cert)
{
	struct server_spec sp = { 0, 1, "SIP/2.0 200 OK\r\n\r\n" };
	struct probe_params p;
	struct probe_result r;
	gnutls_datum_t cert = tcert_pem(&client), key = tcert_key_pem(&client);
	char port[8];

	params(&p, NULL);
	ck_assert_int_eq(probe_server(&sp, &p, port, &r), 0);
	ck_assert_int_eq(r.stage, PROBE_STAGE_DONE);
	ck_assert_int_eq(r.cert_requested, 1);
	ck_assert_int_eq(r.cert_sent, 0);
	probe_result_clear(&r);

	p.cert_pem = cert.data;
	p.cert_pem_len = cert.size;
	p.key_pem = key.data;
	p.key_pem_len = key.size;
	ck_assert_int_eq(probe_server(&sp, &p, port, &r), SERVED_PEER_CERT);
	ck_assert_int_eq(r.stage, PROBE_STAGE_DONE);
	ck_assert_int_eq(r.cert_requested, 1);
	ck_assert_int_eq(r.cert_sent, 1);
	probe_result_clear(&r);
	gnutls_free(cert.data);
	gnutls_free(key.data);
}
END_TEST

/* Nobody listening: refused at once, and said so with the address. */
START_TEST(test_refused)
{
	struct probe_params p;
	struct probe_result r;
	char port[8], *want;
	int fd = loopback_socket(port);		/* bound, never listening */

	params(&p, port);
	ck_assert_int_eq(probe_run(&p, &r), 0);
	ck_assert_int_eq(r.stage, PROBE_STAGE_CONNECT);
	ck_assert_int_eq(asprintf(&want, "cannot connect to '127.0.0.1:%s': %s",
	    port, strerror(ECONNREFUSED)) > 0, 1);
	ck_assert_str_eq(r.error, want);
	ck_assert_uint_eq(r.chain_n, 0);
	free(want);
	probe_result_clear(&r);
	close(fd);
}
END_TEST

/* A client key GnuTLS refuses: the parameters, not the server, failed. */
START_TEST(test_bad_client_key)
{
	static const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n";
	struct probe_params p;
	struct probe_result r;
	gnutls_datum_t cert = tcert_pem(&client);

	params(&p, "9");
	p.cert_pem = cert.data;
	p.cert_pem_len = cert.size;
	p.key_pem = (const unsigned char *)junk;
	p.key_pem_len = sizeof(junk) - 1;
	ck_assert_int_eq(probe_run(&p, &r), -1);
	ck_assert_ptr_nonnull(r.error);
	ck_assert_msg(strncmp(r.error, "the client certificate or key: ", 31) == 0,
	    "%s", r.error);
	ck_assert_int_eq(r.stage, PROBE_STAGE_CONNECT);
	probe_result_clear(&r);
	gnutls_free(cert.data);
}
END_TEST

START_TEST(test_free_zeroed)
{
	struct probe_result r;

	memset(&r, 0, sizeof(r));
	probe_result_clear(&r);
	ck_assert_int_eq(r.alert, -1);
	probe_result_clear(NULL);
}
END_TEST

Suite *
check_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("loopback");

	/* A server the test starts and the probe are both bounded: 30 s. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_answer, 0, nitems(answers));
	tcase_add_test(tc, test_server_hangs_up);
	tcase_add_test(tc, test_not_tls);
	tcase_add_test(tc, test_client_cert);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_bad_client_key);
	tcase_add_test(tc, test_free_zeroed);
	suite_add_tcase(s, tc);
	return s;
}
