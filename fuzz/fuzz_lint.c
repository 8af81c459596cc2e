/*
 * fuzz_lint: the certificate decoder and every lint rule, as "sipca lint"
 * runs them: input through lint_input() (PEM bundles, one DER value,
 * truncated or noisy blocks), each certificate decoded once with
 * libtasn1 and GnuTLS, every rule of every profile with the context
 * rules need (a SIP domain, a CA for the chain rules), and the findings
 * written as text, JSON and SARIF.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "lint.h"
#include "lint_output.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The "Test CA" that signs tests/fuzz/lint's seeds (tests/cli/lint.sh). */
static const char test_ca[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIC4TCCAcmgAwIBAgIBATANBgkqhkiG9w0BAQsFADASMRAwDgYDVQQDDAdUZXN0\n"
	"IENBMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowEjEQMA4GA1UEAwwH\n"
	"VGVzdCBDQTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAL3GQTK6X8cV\n"
	"50knc4NPKKlVRIG7CAawy1tyi+LuWl8J1plAGo1hJQlB/G4K3gwDT1MrE3tp8+TB\n"
	"lunu7fmufdf3MUBk1D7qYzaAhrYdueN+VT2FL7Y76lajV4m6b7O5iLU30/5HjtGi\n"
	"Pvv70jx4FANdN2ejnsG8RW8SjpWu7amCZyjk3TxPCGUiwEoTjsdpYwa34II94oEe\n"
	"Z2ITWrQjh7CGUJcuEQC3hBRMqWC12LFFskK6tbX/RXBfnNiH3l+BEngpd+PZT9l5\n"
	"YC57+YJzyo3MzWFVKi7TjbwKHPZpFPX45g4+RpgC0enIJAGmf0mOtG9b5JT7ZHIC\n"
	"06bqMIV5UH8CAwEAAaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMC\n"
	"AQYwHQYDVR0OBBYEFOGRzsjQMzKmABVgmip0EnM9yiV4MA0GCSqGSIb3DQEBCwUA\n"
	"A4IBAQCOGIsGxsSSYMO96jH9T5ww1upxppSHqT8NqR9lvLxTveJAQh5dshk/PX4z\n"
	"7bnhmqF3cc5tMUIEW7e2nM7d/3mupLLcyMN96AsRdG6iBrvM2HZoIShKgN59XNCo\n"
	"yQqEIgOc03tsYqcdubs+14AJTzConBZxYireUOkzKD1DB/Ll2enfSBvTFHnjXLe9\n"
	"dww7On8CNEAcNhMZaU65DM8cn4xgMcgx/jNlWtRzjwDTU6tr3LsYVA8rH+WONmRQ\n"
	"X858uJ42ScT/b8O/38nT+n5+txl42DOZ+1KEIrTDVbDVDQqw9LBAw2W2ll21t/T7\n"
	"0dn5gHmDuPZMaul/uov/ozhupS7/\n"
	"-----END CERTIFICATE-----\n";

static struct lint_options opts;
static struct lint_ca *cas;
static size_t n_ca;
static FILE *devnull;

struct ctx {
	struct lint_findings findings;
	struct lint_summary summary;
	struct lint_output *out[3];
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (gnutls_global_init() < 0)
		abort();
	util_set_command("lint");
	if (lint_ca_load((const unsigned char *)test_ca, sizeof(test_ca) - 1,
	    "test-ca", &cas, &n_ca, NULL) != 0)
		abort();
	lint_options_init(&opts);
	opts.profiles = PROF_ALL;
	opts.sip_domain = "example.com";
	opts.cas = cas;
	opts.n_ca = n_ca;
	opts.now = 1780272000;	/* 2026-06-01: the seeds' validity rules fire as in lint.sh */
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

static void
on_cert(const struct lint_source *src, void *arg)
{
	struct ctx *ctx = arg;
	struct lint_cert c;
	size_t i;

	lint_one(src, &opts, &c, &ctx->findings);
	for (i = 0; i < ctx->findings.n; i++)
		if (ctx->findings.items[i].rule == NULL ||
		    ctx->findings.items[i].message == NULL)
			abort();
	lint_summary_add(&ctx->summary, &ctx->findings);
	for (i = 0; i < 3; i++)
		lint_output_cert(ctx->out[i], &c, &ctx->findings);
	lint_cert_clear(&c);
}

static void
on_error(const char *message, void *arg)
{
	(void)message;
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx ctx;
	struct lint_reader reader = { on_cert, on_error, &ctx, NULL };
	char path[64];
	size_t i;
	int fd;

	/* lint reads files; a memfd is one without touching the disk. */
	if ((fd = memfd_create("fuzz_lint", MFD_CLOEXEC)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&ctx, 0, sizeof(ctx));
	ctx.out[0] = lint_output_new(LINT_FORMAT_TEXT, devnull, 1);
	ctx.out[1] = lint_output_new(LINT_FORMAT_JSON, devnull, 0);
	ctx.out[2] = lint_output_new(LINT_FORMAT_SARIF, devnull, 0);
	(void)lint_input(path, &reader);
	for (i = 0; i < 3; i++) {
		lint_output_finish(ctx.out[i], &ctx.summary);
		lint_output_free(ctx.out[i]);
	}
	lint_findings_free(&ctx.findings);
	close(fd);
	return 0;
}
