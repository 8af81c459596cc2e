/*
 * raw_parse: the bare GnuTLS cost of reading what sipca lint reads, as
 * the yardstick for bench/lint.sh: every certificate of a PEM bundle
 * imported with gnutls_x509_crt_import and its subjectAltNames read, one
 * at a time, on one thread, no rules and no output.
 *
 *   raw_parse FILE
 *
 * prints "raw parse: COUNT in SECONDS s: RATE/s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bench_clock.h"

/* One certificate: imported, its SANs read; 0, or -1 when it does not import. */
static int
one(const char *pem, size_t len)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = { (unsigned char *)pem, (unsigned)len };
	char san[1024];
	size_t san_len;
	unsigned i;
	int ret;

	if (gnutls_x509_crt_init(&crt) < 0)
		return -1;
	if ((ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		gnutls_x509_crt_deinit(crt);
		return -1;
	}
	for (i = 0;; i++) {
		san_len = sizeof(san);
		ret = gnutls_x509_crt_get_subject_alt_name(crt, i, san, &san_len, NULL);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
	}
	gnutls_x509_crt_deinit(crt);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char end[] = "-----END CERTIFICATE-----";
	FILE *f;
	char *buf = NULL;
	const char *p, *e;
	size_t len = 0, cap = 0, n;
	unsigned count = 0;
	double t0, dt;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: raw_parse FILE\n");
		return 2;
	}
	/* The file is read first: the time is GnuTLS's, not the disk's. */
	for (;;) {
		if (len + 65536 > cap) {
			cap = (cap + 65536) * 2;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				return 3;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	if (gnutls_global_init() < 0)
		return 3;
	t0 = now();
	for (p = strstr(buf, "-----BEGIN CERTIFICATE-----"); p != NULL;
	    p = strstr(e, "-----BEGIN CERTIFICATE-----")) {
		if ((e = strstr(p, end)) == NULL)
			break;
		e += sizeof(end) - 1;
		if (one(p, (size_t)(e - p)) == 0)
			count++;
	}
	dt = now() - t0;
	printf("raw parse: %u in %.2f s: %.0f/s\n", count, dt, (double)count / dt);
	gnutls_global_deinit();
	free(buf);
	return count > 0 ? 0 : 1;
}
