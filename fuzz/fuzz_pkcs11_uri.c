/*
 * fuzz_pkcs11_uri: what sipca keeps of a PKCS#11 URI (RFC 7512) given to
 * "init --pkcs11": pkcs11_uri_strip_pin must never keep a pin-value or
 * pin-source attribute, never grow the URI, and be idempotent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * True when an attribute of uri, split as p11-kit splits it (path
 * attributes at ';' up to the first '?', query attributes at '&' after
 * it), is pin-value or pin-source.
 */
static int
has_pin_attr(const char *uri)
{
	const char *p = uri + 7, *q = strchr(uri, '?');
	size_t len;

	while (*p != '\0') {
		int in_query = q != NULL && p > q;

		len = strcspn(p, in_query ? "&" : ";?");
		if (strncmp(p, "pin-value=", 10) == 0 || strncmp(p, "pin-source=", 11) == 0)
			return 1;
		p += len;
		if (*p != '\0')
			p++;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out, *again;
	const char *reason = NULL;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((out = pkcs11_uri_strip_pin(s, &reason)) == NULL) {
		if (reason == NULL)
			abort();
		free(s);
		return 0;
	}
	if (strlen(out) > strlen(s) || !pkcs11_is_uri(out))
		abort();
	if (has_pin_attr(out))
		abort();
	if ((again = pkcs11_uri_strip_pin(out, &reason)) == NULL ||
	    strcmp(again, out) != 0)
		abort();
	free(again);
	free(out);
	free(s);
	return 0;
}
