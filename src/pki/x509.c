/*
 * x509: the names of sipca's certificate kinds, serial numbers and the
 * words for a GnuTLS failure.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "x509.h"

static const char *const kind_names[] = {
	[KIND_CA] = "ca",
	[KIND_SERVER] = "server",
	[KIND_DEVICE] = "device",
	[KIND_EAP_TLS] = "eap-tls",
};

const char *
cert_kind_name(enum cert_kind k)
{
	return kind_names[k];
}

int
cert_kind_is_device(enum cert_kind k)
{
	return k == KIND_DEVICE || k == KIND_EAP_TLS;
}

int
cert_kind_parse(const char *s, enum cert_kind *out)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum cert_kind)i;
			return 0;
		}
	}
	return -1;
}

int
serial_generate(unsigned char out[SERIAL_LEN])
{
	int ret;

	/*
	 * RFC 5280 4.1.2.2: positive and at most 20 octets. Clearing the top
	 * bit keeps the DER INTEGER positive in 20 octets; a zero first
	 * octet would make the encoding shorter than 20 (and non-minimal if
	 * kept), so such draws are simply made again.
	 */
	do {
		ret = gnutls_rnd(GNUTLS_RND_NONCE, out, SERIAL_LEN);
		if (ret < 0)
			return ret;
		out[0] &= 0x7f;
	} while (out[0] == 0);
	return 0;
}

const char *
x509_call_reason(const char *call, int err)
{
	/* Per thread: batch workers load requests side by side. */
	static _Thread_local char buf[160];

	snprintf(buf, sizeof(buf), "%s: %s", call, gnutls_strerror(err));
	return buf;
}
