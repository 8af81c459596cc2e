/*
 * probe: a SIP-over-TLS client session with GnuTLS, bounded in time at
 * every step so that a silent or slow server can never hang the caller.
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
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "probe.h"
#include "tcp.h"
#include "san.h"
#include "util.h"

/* Room for a response's header; only its first line is kept. */
#define RESPONSE_MAX 16384

static void
set_error(struct probe_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct probe_result *r, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = xstrdup(buf);
}

static void
sockaddr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[SAN_IP_TEXT_MAX] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		(void)san_ip_to_text(s6->sin6_addr.s6_addr, 16, host);
		port = ntohs(s6->sin6_port);
		snprintf(buf, size, "[%s]:%u", host, port);
		return;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		(void)san_ip_to_text((const unsigned char *)&s4->sin_addr, 4, host);
		port = ntohs(s4->sin_port);
	}
	snprintf(buf, size, "%s:%u", host, port);
}

static int
dial(const struct probe_params *p, struct probe_result *r)
{
	struct addrinfo hints, *res = NULL, *ai;
	const char *node = p->addr != NULL ? p->addr : p->host;
	int fd = -1, ret, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((ret = getaddrinfo(node, p->port, &hints, &res)) != 0) {
		set_error(r, "cannot resolve '%s': %s", node, gai_strerror(ret));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		sockaddr_text(ai->ai_addr, r->peer, sizeof(r->peer));
		fd = tcp_connect(ai, p->timeout * 1000, &err);
	}
	if (fd < 0)
		set_error(r, "cannot connect to '%s': %s", r->peer, strerror(err));
	freeaddrinfo(res);
	return fd;
}

/* The words GnuTLS uses, plus the alert's name when the server sent one. */
static void
tls_error(gnutls_session_t s, struct probe_result *r, const char *what,
    const char *call, int ret)
{
	const char *name;

	if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED) {
		r->alert = (int)gnutls_alert_get(s);
		name = gnutls_alert_get_name((gnutls_alert_description_t)r->alert);
		set_error(r, "%s: the server sent the fatal alert %d (%s)", what,
		    r->alert, name != NULL ? name : "unknown");
	} else if (ret == GNUTLS_E_TIMEDOUT || ret == GNUTLS_E_AGAIN) {
		set_error(r, "%s: no answer in time", what);
	} else {
		set_error(r, "%s: %s: %s", what, call, gnutls_strerror(ret));
	}
}

static void
keep_chain(gnutls_session_t s, struct probe_result *r)
{
	const gnutls_datum_t *peers;
	unsigned n = 0, i;

	if (r->chain != NULL || (peers = gnutls_certificate_get_peers(s, &n)) == NULL)
		return;
	r->chain = gnutls_calloc(n, sizeof(*r->chain));
	if (r->chain == NULL)
		return;
	for (i = 0; i < n; i++) {
		if ((r->chain[i].data = gnutls_malloc(peers[i].size)) == NULL)
			break;
		memcpy(r->chain[i].data, peers[i].data, peers[i].size);
		r->chain[i].size = peers[i].size;
		r->chain_n++;
	}
}

/* Kept after a failed handshake too: with TLS 1.2 a refused client
 * certificate ends the handshake itself. */
static void
keep_cert_request(gnutls_session_t s, struct probe_result *r)
{
	r->cert_requested = gnutls_certificate_client_get_request_status(s) != 0;
	r->cert_sent = gnutls_certificate_get_ours(s) != NULL;
}

static void
keep_session_info(gnutls_session_t s, struct probe_result *r)
{
	const char *name;
	char *desc;

	name = gnutls_protocol_get_name(gnutls_protocol_get_version(s));
	r->tls_version = xstrdup(name != NULL ? name : "unknown");
	name = gnutls_ciphersuite_get(s);
	r->cipher = xstrdup(name != NULL ? name : "unknown");
	if ((desc = gnutls_session_get_desc(s)) != NULL) {
		r->description = xstrdup(desc);
		gnutls_free(desc);
	}
}

static double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
random_token(void)
{
	unsigned char buf[8];

	if (gnutls_rnd(GNUTLS_RND_NONCE, buf, sizeof(buf)) < 0)
		memset(buf, 0x5a, sizeof(buf));
	return hex_encode(buf, sizeof(buf));
}

/*
 * An OPTIONS request as RFC 3261 section 8.1.1 builds one, sent over the
 * TLS connection (11.1: OPTIONS asks a server for its capabilities and
 * is answered like an INVITE would be, so 200 means "I would serve you").
 * Via carries our local address and rport (RFC 3581) so the answer comes
 * back on this connection.
 */
static char *
build_options(int fd, const struct probe_params *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char local[80] = "127.0.0.1:0";
	char *branch = random_token(), *tag = random_token(), *callid = random_token();
	char *msg;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		sockaddr_text((struct sockaddr *)&ss, local, sizeof(local));
	msg = xasprintf("OPTIONS sip:%s SIP/2.0\r\n"
	    "Via: SIP/2.0/TLS %s;branch=z9hG4bK%s;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "To: <sip:%s>\r\n"
	    "From: <sip:probe@%s>;tag=%s\r\n"
	    "Call-ID: %s@%s\r\n"
	    "CSeq: 1 OPTIONS\r\n"
	    "Accept: application/sdp\r\n"
	    "User-Agent: sipca-probe\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n",
	    p->sip_domain, local, branch, p->sip_domain, p->sip_domain, tag,
	    callid, p->host);
	free(branch);
	free(tag);
	free(callid);
	return msg;
}

/* The first line of what the server sent, non-printing bytes as '?'. */
static char *
first_line(const char *buf, size_t len)
{
	size_t n = 0, i;
	char *line;

	while (n < len && buf[n] != '\r' && buf[n] != '\n')
		n++;
	line = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		line[i] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
	line[n] = '\0';
	return line;
}

static void
exchange(gnutls_session_t s, int fd, const struct probe_params *p,
    struct probe_result *r)
{
	char *msg = build_options(fd, p), *buf = xmalloc(RESPONSE_MAX + 1);
	size_t len = strlen(msg), off = 0, got = 0;
	ssize_t ret;
	double deadline;

	while (off < len) {
		ret = gnutls_record_send(s, msg + off, len - off);
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
			continue;
		if (ret < 0) {
			tls_error(s, r, "sending OPTIONS", "gnutls_record_send", (int)ret);
			goto out;
		}
		off += (size_t)ret;
	}
	/*
	 * With TLS 1.3 the server judges our certificate after the handshake
	 * has completed on our side (RFC 8446 section 4.4.2.4), so a
	 * rejection arrives here, as an alert in place of the answer.
	 */
	deadline = monotonic_seconds() + p->timeout;
	while (got < RESPONSE_MAX) {
		ret = gnutls_record_recv(s, buf + got, RESPONSE_MAX - got);
		/* E_AGAIN also follows a TLS 1.3 NewSessionTicket, which
		 * carries no data: read on until the deadline. */
		if (ret == GNUTLS_E_INTERRUPTED || ret == GNUTLS_E_AGAIN) {
			if (monotonic_seconds() < deadline)
				continue;
			if (got == 0)
				tls_error(s, r, "waiting for the answer", "gnutls_record_recv",
				    GNUTLS_E_TIMEDOUT);
			break;
		}
		if (ret == 0 || ret == GNUTLS_E_PREMATURE_TERMINATION) {
			if (got == 0)
				set_error(r, "waiting for the answer: the server closed the connection");
			break;
		}
		if (ret < 0) {
			if (got == 0)
				tls_error(s, r, "waiting for the answer", "gnutls_record_recv",
				    (int)ret);
			break;
		}
		got += (size_t)ret;
		buf[got] = '\0';
		/* The end of the header; bare LFs are tolerated (RFC 3261
		 * section 7.5 asks for CRLF, not every peer sends it). */
		if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
			break;
	}
	if (got > 0) {
		r->status_line = first_line(buf, got);
		r->stage = PROBE_STAGE_DONE;
		free(r->error);
		r->error = NULL;
	}
out:
	free(msg);
	free(buf);
}

int
probe_run(const struct probe_params *p, struct probe_result *out)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	gnutls_datum_t cd, kd;
	const char *call = NULL;
	int fd = -1, ret, rc = -1;

	memset(out, 0, sizeof(*out));
	out->alert = -1;
	out->stage = PROBE_STAGE_CONNECT;
	if ((ret = gnutls_certificate_allocate_credentials(&cred)) < 0) {
		set_error(out, "gnutls_certificate_allocate_credentials: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if (p->cert_pem != NULL) {
		cd.data = (unsigned char *)(uintptr_t)p->cert_pem;
		cd.size = (unsigned)p->cert_pem_len;
		kd.data = (unsigned char *)(uintptr_t)p->key_pem;
		kd.size = (unsigned)p->key_pem_len;
		if ((ret = gnutls_certificate_set_x509_key_mem2(cred, &cd, &kd,
		    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
			set_error(out, "the client certificate or key: "
			    "gnutls_certificate_set_x509_key_mem2: %s",
			    gnutls_strerror(ret));
			goto out;
		}
	}
	rc = 0;
	if ((fd = dial(p, out)) < 0)
		goto out;
	out->stage = PROBE_STAGE_HANDSHAKE;
	/* GNUTLS_NO_SIGNAL: a server that hangs up on us is a finding,
	 * not a SIGPIPE. */
	if ((ret = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0)
		call = "gnutls_init";
	else if ((ret = gnutls_set_default_priority(s)) < 0)
		call = "gnutls_set_default_priority";
	else if ((ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    cred)) < 0)
		call = "gnutls_credentials_set";
	/* RFC 6066 section 3: no address literal in server_name. */
	else if (san_ip_from_text(p->host, strlen(p->host), NULL) == 0 &&
	    (ret = gnutls_server_name_set(s, GNUTLS_NAME_DNS, p->host,
	    strlen(p->host))) < 0)
		call = "gnutls_server_name_set";
	if (call != NULL) {
		set_error(out, "setting up the TLS session: %s: %s", call,
		    gnutls_strerror(ret));
		goto out;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, (unsigned)p->timeout * 1000);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret) && ret != GNUTLS_E_AGAIN);
	keep_chain(s, out);
	keep_cert_request(s, out);
	if (ret < 0) {
		tls_error(s, out, "TLS handshake", "gnutls_handshake", ret);
		goto out;
	}
	keep_session_info(s, out);
	out->stage = PROBE_STAGE_REQUEST;
	gnutls_record_set_timeout(s, (unsigned)p->timeout * 1000);
	exchange(s, fd, p, out);
	if (out->stage == PROBE_STAGE_DONE)
		gnutls_bye(s, GNUTLS_SHUT_WR);
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (fd >= 0)
		close(fd);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	return rc;
}

void
probe_result_clear(struct probe_result *r)
{
	unsigned i;

	if (r == NULL)
		return;
	for (i = 0; i < r->chain_n; i++)
		gnutls_free(r->chain[i].data);
	gnutls_free(r->chain);
	free(r->error);
	free(r->tls_version);
	free(r->cipher);
	free(r->description);
	free(r->status_line);
	memset(r, 0, sizeof(*r));
	r->alert = -1;
}
