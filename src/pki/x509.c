/*
 * x509: the names of sipca's certificate kinds.
 */
#include <string.h>

#include "x509.h"

static const char *const kind_names[] = {
	[KIND_CA] = "ca",
	[KIND_SERVER] = "server",
	[KIND_DEVICE] = "device",
};

const char *
cert_kind_name(enum cert_kind k)
{
	return kind_names[k];
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
