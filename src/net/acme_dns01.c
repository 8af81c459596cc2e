/*
 * acme_dns01: the dns-01 challenge (RFC 8555 section 8.4): the TXT
 * records of _acme-challenge.NAME, asked of the configured resolver or
 * the system's through a private resolver state (thread-safe), read
 * with libresolv's ns_parserr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>

#include "acme_challenge.h"
#include "acme_challenge_int.h"
#include "jws.h"
#include "util.h"

/*
 * "ADDR" or "ADDR:PORT", IPv4: res_state's nsaddr_list holds sockaddr_in
 * only; an IPv6 resolver would mean writing glibc's private _u._ext.
 */
static int
parse_dns_server(const char *text, struct sockaddr_in *out)
{
	const char *colon = strchr(text, ':');
	char addr[INET_ADDRSTRLEN];
	size_t len = colon != NULL ? (size_t)(colon - text) : strlen(text);
	long port = 53;

	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &out->sin_addr) != 1)
		return -1;
	if (colon != NULL && parse_long(colon + 1, 1, 65535, &port) != 0)
		return -1;
	out->sin_port = htons((uint16_t)port);
	return 0;
}

/*
 * A TXT record's RDATA is one or more <character-string>s (RFC 1035
 * 3.3.14), which make one value when joined (as RFC 7208 section 3.3 reads
 * them): 8.4's "one of the TXT records" is a record's value, not one of its
 * strings. The first shown octets go into shown (size > 1), *out_len gets
 * the whole length; -1 when a string runs past the RDATA.
 */
static int
txt_value(const unsigned char *rd, size_t rdlen, char *shown, size_t size,
    size_t *out_len)
{
	size_t p = 0, total = 0, l, k;

	while (p < rdlen) {
		l = rd[p++];
		if (l > rdlen - p)
			return -1;
		for (k = 0; k < l; k++, total++)
			if (total < size - 1)
				shown[total] = (char)rd[p + k];
		p += l;
	}
	shown[total < size - 1 ? total : size - 1] = '\0';
	*out_len = total;
	return 0;
}

/*
 * RFC 8555 8.4: a TXT record at "_acme-challenge." IDENT whose value is
 * base64url(SHA-256(key authorization)). The answers of NXDOMAIN and of a
 * name without TXT records are answers: incorrectResponse, like a TXT
 * record of the wrong value, for the client's zone lacks what 8.4 asks.
 * dns is kept for a question that got no answer (a timeout, SERVFAIL,
 * REFUSED, a malformed message), which a later attempt may get past.
 */
enum acme_validation_error
acme_validate_dns01(const struct acme_validation *v, double deadline, char *why,
    size_t size)
{
	struct __res_state st;
	struct sockaddr_in server;
	unsigned char digest[32], *answer = NULL;
	char *name, *want = NULL, *esc = NULL, value[128], first[128] = "";
	enum acme_validation_error e;
	ns_msg msg;
	ns_rr rr;
	size_t len;
	long secs;
	int inited = 0, n, i, count, found = 0;

	name = xasprintf("_acme-challenge.%s", v->ident);
	if (v->dns_server != NULL && parse_dns_server(v->dns_server, &server) != 0) {
		esc = text_echo(v->dns_server);
		e = acme_fail(ACME_V_DNS, why, size, "dns-01: the resolver '%s' is not "
		    "an IPv4 ADDR or ADDR:PORT", esc);
		goto out;
	}
	if (acme_key_authz_digest(v->key_authz, digest) != 0) {
		e = acme_fail(ACME_V_DNS, why, size, "dns-01: hashing the key authorization failed");
		goto out;
	}
	want = b64url_encode(digest, sizeof(digest));
	/* A state of our own: the global _res is not for threads. */
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		e = acme_fail(ACME_V_DNS, why, size, "dns-01: res_ninit failed");
		goto out;
	}
	inited = 1;
	if (v->dns_server != NULL) {
		st.nsaddr_list[0] = server;
		st.nscount = 1;
	}
	/*
	 * glibc waits retrans seconds for each server in the first round and
	 * 2 * retrans / nscount in the second: with two rounds, nscount + 2
	 * retrans in all, kept within what is left of the timeout.
	 */
	secs = acme_left_ms(deadline) / 1000;
	st.retry = 2;
	st.retrans = (int)(secs / (st.nscount + 2));
	if (st.retrans < 1)
		st.retrans = 1;
	answer = xmalloc(NS_MAXMSG);
	n = res_nquery(&st, name, ns_c_in, ns_t_txt, answer, NS_MAXMSG);
	if (n < 0) {
		switch (st.res_h_errno) {
		case HOST_NOT_FOUND:
			e = acme_fail(ACME_V_INCORRECT, why, size, "dns-01: no such name "
			    "%s (NXDOMAIN)", name);
			break;
		case NO_DATA:
			e = acme_fail(ACME_V_INCORRECT, why, size, "dns-01: no TXT record at %s",
			    name);
			break;
		case TRY_AGAIN:
			e = acme_fail(ACME_V_DNS, why, size, "dns-01: no answer for TXT %s "
			    "(a timeout or SERVFAIL)", name);
			break;
		default:
			e = acme_fail(ACME_V_DNS, why, size, "dns-01: TXT %s: %s", name,
			    hstrerror(st.res_h_errno));
			break;
		}
		goto out;
	}
	if (ns_initparse(answer, n, &msg) < 0) {
		e = acme_fail(ACME_V_DNS, why, size, "dns-01: TXT %s: a malformed answer", name);
		goto out;
	}
	/* Any owner name: the resolver has followed CNAMEs to it (RFC 1034 3.6.2). */
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			e = acme_fail(ACME_V_DNS, why, size, "dns-01: TXT %s: a malformed "
			    "answer", name);
			goto out;
		}
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in ||
		    txt_value(ns_rr_rdata(rr), ns_rr_rdlen(rr), value, sizeof(value),
		    &len) != 0)
			continue;
		if (len == strlen(want) && memcmp(value, want, len) == 0) {
			e = ACME_VALID;
			goto out;
		}
		if (found++ == 0)
			memcpy(first, value, sizeof(first));
	}
	esc = text_escape(first, strlen(first), PEER_ECHO_MAX);
	e = acme_fail(ACME_V_INCORRECT, why, size, "dns-01: no TXT record at %s matches "
	    "(%d found, the first '%s')", name, found, esc);
out:
	if (inited)
		res_nclose(&st);
	free(answer);
	free(esc);
	free(want);
	free(name);
	return e;
}

