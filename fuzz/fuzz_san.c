/*
 * fuzz_san: the identity parsers of src/pki/san.c (SIP URI per RFC 3261
 * 25.1, DNS name per RFC 1123, IP and CIDR through inet_pton, store
 * names), the SAN list text of src/pki/cert.c and RFC 5922 7.1's reading of
 * a certificate's identities (src/pki/sipid.c), on one string each run.
 * What one accepts is checked against the others where they must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "san.h"
#include "sipid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), host[300], scheme[16], *text;
	struct sipid_name cn;
	const char *value;
	enum sipid_set set;
	int has_user;
	unsigned char bin[32];
	const char *reason;
	struct san_list list = { NULL, 0 };
	size_t len;
	int flags;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';	/* the parsers take C strings: a NUL ends the input */
	for (flags = 0; flags <= SAN_ALLOW_WILDCARD; flags += SAN_ALLOW_WILDCARD) {
		reason = NULL;
		if (san_check_sip_uri(s, flags, &reason) != 0 && reason == NULL)
			abort();
		reason = NULL;
		if (san_check_dns(s, flags, &reason) == 0) {
			if (strlen(s) > 253)
				abort();	/* RFC 1035 2.3.4 */
		} else if (reason == NULL)
			abort();
	}
	if (san_parse_ip(s, bin, &len, &reason) == 0 && len != 4 && len != 16)
		abort();
	/* Counted octets, NULs and all: an address reads back as itself. */
	if ((len = san_ip_from_text((const char *)data, size, bin)) != 0) {
		char ip_text[SAN_IP_TEXT_MAX];
		unsigned char again[16];

		if ((len != 4 && len != 16) || san_ip_to_text(bin, len, ip_text) != 0 ||
		    san_ip_from_text(ip_text, strlen(ip_text), again) != len ||
		    memcmp(bin, again, len) != 0)
			abort();
	}
	if (san_parse_cidr(s, bin, &len, &reason) == 0 && len != 8 && len != 32)
		abort();
	if (san_check_store_name(s, &reason) == 0) {
		/* A store name never leaves or hides in its directory. */
		if (strchr(s, '/') != NULL || s[0] == '.' || strlen(s) > 64)
			abort();
	}
	if (sipid_uri_split(s, scheme, sizeof(scheme), &has_user, host,
	    sizeof(host)) == 0 && (strlen(scheme) >= sizeof(scheme) ||
	    strlen(host) >= sizeof(host)))
		abort();
	if (san_list_parse(s, &list) == 0) {
		text = san_list_format(&list);
		free(text);
		/* The string as a certificate's SANs and as its CN. */
		cn.value = s;
		cn.len = strlen(s);
		set = sipid_identity_set(&list, list.n > 0, 1);
		(void)sipid_set_name(set);
		value = NULL;
		if (sipid_match_domain(&list, list.n > 0, &cn, 1, "example.com",
		    &set, &value) && value == NULL)
			abort();
	}
	san_list_clear(&list);
	free(s);
	return 0;
}
