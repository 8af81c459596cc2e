/*
 * eap_tls: a device's MAC address as the name of its 802.1X
 * certificate (include/eap_tls.h says why these forms).
 */
#include <string.h>

#include "eap_tls.h"
#include "util.h"

int
eap_tls_mac_parse(const char *text, char out[EAP_TLS_MAC_LEN],
    const char **out_reason)
{
	static const char digits[] = "0123456789abcdef";
	char buf[EAP_TLS_MAC_LEN], sep = '\0';
	size_t len = strlen(text), i, n = 0, group = 0, run = 0;
	int v, rc = -1;

	*out_reason = "not a MAC address: twelve hex digits, bare or in pairs"
	    " joined by ':' or '-', or in fours joined by '.'";
	/* 12 bare, 17 in pairs with five separators, 14 in fours with two. */
	if (len == 17)
		group = 2;
	else if (len == 14)
		group = 4;
	else if (len != 12)
		goto out;
	for (i = 0; i < len; i++) {
		if ((v = hex_value(text[i])) >= 0) {
			if (n == 12 || (group != 0 && run == group))
				goto out;
			buf[n++] = digits[v];
			run++;
			continue;
		}
		/* A separator: after a whole group, the same one every time. */
		if (group == 0 || run != group ||
		    (group == 2 && text[i] != ':' && text[i] != '-') ||
		    (group == 4 && text[i] != '.') ||
		    (sep != '\0' && text[i] != sep))
			goto out;
		sep = text[i];
		run = 0;
	}
	if (n != 12)
		goto out;
	/*
	 * The I/G bit, the first octet's lowest (IEEE 802 clause 8.2): a
	 * group address names no one device.
	 */
	if (hex_value(buf[1]) & 1) {
		*out_reason = "a group (multicast) address: a device's own MAC is"
		    " an individual one (IEEE 802, the I/G bit)";
		goto out;
	}
	buf[n] = '\0';
	memcpy(out, buf, EAP_TLS_MAC_LEN);
	*out_reason = NULL;
	rc = 0;
out:
	return rc;
}

char *
eap_tls_dns_name(const char *mac, const char *domain)
{
	return xasprintf("%s.%s", mac, domain);
}
