/*
 * sipca export: the CA certificate as the cert.pem that unprovisioned
 * clients (Zoiper, Linphone, Bria) import by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cli.h"
#include "fileio.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_OUTPUT = 'o', OPT_FORMAT = 256, OPT_FORCE };

static const struct cli_option export_options[] = {
	{ "output", OPT_OUTPUT, 1, "FILE", "@file", "write here (default ./cert.pem; '-' for stdout)" },
	{ "format", OPT_FORMAT, 1, "FMT", "pem,der", "pem (default) or der, for clients that want a .cer/.crt" },
	{ "force", OPT_FORCE, 0, NULL, NULL, "overwrite FILE if it exists" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_export(int argc, char **argv);

const struct command command_export = {
	"export", cmd_export,
	"export [-o FILE] [--format pem|der] [--force]",
	"Export the CA certificate (cert.pem) for clients to import by hand.",
	export_options, NULL,
};

/* What a phone's certificate screen shows: SHA-256 and SHA-1, colon hex. */
static void
print_fingerprints(gnutls_x509_crt_t crt)
{
	unsigned char fp[64];
	size_t len;
	char *hex;

	len = sizeof(fp);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &len) == 0) {
		hex = hex_colon(fp, len);
		fprintf(stderr, "SHA-256 fingerprint: %s\n", hex);
		free(hex);
	}
	len = sizeof(fp);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fp, &len) == 0) {
		hex = hex_colon(fp, len);
		fprintf(stderr, "SHA-1 fingerprint:   %s\n", hex);
		free(hex);
	}
}

static int
write_output(const char *path, const void *data, size_t len, int force)
{
	size_t done = 0;
	ssize_t n;

	if (strcmp(path, "-") == 0) {
		while (done < len) {
			n = write(STDOUT_FILENO, (const char *)data + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				error_msg("cannot write to stdout: %s", strerror(errno));
				return EXIT_OPERATIONAL;
			}
			done += (size_t)n;
		}
		return EXIT_OK;
	}
	if (atomic_write(path, data, len, 0644, force ? 0 : ATOMIC_EXCLUSIVE) < 0) {
		if (errno == EEXIST) {
			error_msg("'%s' exists; use --force to overwrite it", path);
			return EXIT_USAGE;
		}
		error_msg("cannot write '%s': %s", path, strerror(errno));
		return errno == ENOENT || errno == ENOTDIR || errno == EISDIR ?
		    EXIT_USAGE : EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

static int
cmd_export(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct ca *ca = NULL;
	const char *output = "cert.pem", *format = "pem";
	gnutls_datum_t der = { NULL, 0 };
	int force = 0, c, status = EXIT_USAGE;

	cli_parser_init(&p, &command_export, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_OUTPUT: output = p.arg; break;
		case OPT_FORMAT:
			if (strcmp(p.arg, "pem") != 0 && strcmp(p.arg, "der") != 0) {
				error_msg("unknown format: '%s' (pem or der)", p.arg);
				goto out;
			}
			format = p.arg;
			break;
		case OPT_FORCE: force = 1; break;
		default:
			status = cli_usage_error(&command_export);
			goto out;
		}
	}
	if (p.index != argc) {
		error_msg("unexpected argument: '%s'", argv[p.index]);
		goto out;
	}
	if ((status = signer_open_store(STORE_READONLY, &store)) != EXIT_OK ||
	    (status = signer_open(store, 0, NULL, &ca)) != EXIT_OK)
		goto out;
	if (strcmp(format, "der") == 0) {
		if (gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_DER, &der) < 0) {
			error_msg("cannot encode the CA certificate");
			status = EXIT_OPERATIONAL;
			goto out;
		}
		status = write_output(output, der.data, der.size, force);
	} else
		status = write_output(output, ca->pem.data, ca->pem.size, force);
	if (status != EXIT_OK)
		goto out;
	if (strcmp(output, "-") != 0)
		fprintf(stderr, "wrote the CA certificate to %s\n", output);
	print_fingerprints(ca->crt);
out:
	cli_parser_free(&p);
	gnutls_free(der.data);
	ca_free(ca);
	store_close(store);
	return status;
}
