/*
 * sipca check: verifies the store. The store walks its index against
 * its files (store_check); this command verifies what needs X.509:
 * the CA certificate, that the CA key belongs to it, every recorded
 * certificate's signature, serial and notAfter, and that each installed
 * key and chain belongs to its certificate. Problems go to stdout, one
 * a line as "PATH: what is wrong" (escaped: the store's names are not
 * ours to trust); exit 1 when there is any.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "key.h"
#include "pkcs11.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_REPAIR = 256, OPT_PASSFILE, OPT_QUIET };

static const struct cli_option check_options[] = {
	{ "repair", OPT_REPAIR, 0, NULL, NULL, "remove what interrupted writes left (temporary files, staging directories) and take others' access off our own files" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase (or token PIN), to check the key matches ca.pem" },
	{ "quiet", OPT_QUIET, 0, NULL, NULL, "print problems only, not the closing summary" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_check(int argc, char **argv);

const struct command command_check = {
	"check", cmd_check,
	"check [--repair] [--passphrase-file FILE] [--quiet]",
	"Verify the store: signatures, files against the index, key modes.",
	check_options, NULL,
};

/* Verification ignores time: an expired certificate is still the CA's. */
#define VERIFY_FLAGS (GNUTLS_VERIFY_DISABLE_TIME_CHECKS | \
	GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS)

struct check_ctx {
	struct ca *ca;
	unsigned long problems;
	unsigned long certificates;
	unsigned long repaired;
	int ca_key_bad;		/* store_check already reported ca.key */
};

static void
problem(struct check_ctx *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct check_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	ctx->problems++;
	if (path != NULL)
		printf("%s: ", path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Paths and messages name what is in the store, which anyone with
 * access to it may have named: escaped before they are printed. */
static void
on_store_problem(enum store_problem what, const char *path, const char *message,
    void *arg)
{
	struct check_ctx *ctx = arg;
	char *p = path != NULL ? text_escape(path, strlen(path), 0) : NULL;
	char *m = text_escape(message, strlen(message), 0);

	if (what == STORE_PROBLEM_REPAIRED) {
		ctx->repaired++;
		printf("repaired: %s: %s\n", p, m);
	} else {
		if (what == STORE_PROBLEM_CA_KEY)
			ctx->ca_key_bad = 1;
		problem(ctx, p, "%s", m);
	}
	free(p);
	free(m);
}

/* The key in key_path is the private half of crt's public key. */
static void
check_key(struct check_ctx *ctx, const char *key_path, const unsigned char *pem,
    size_t len, gnutls_x509_crt_t crt, const char *serial)
{
	gnutls_pubkey_t pub = NULL;
	const char *call;
	int ret, match = 0;

	if ((ret = key_pubkey_of_pem(pem, len, &pub, &call)) < 0) {
		problem(ctx, key_path, "not a private key: %s", gnutls_strerror(ret));
		goto out;
	}
	if ((ret = key_matches_cert(pub, crt, &match, &call)) < 0) {
		problem(ctx, key_path, "cannot compare it with its certificate: %s: %s",
		    call, gnutls_strerror(ret));
		goto out;
	}
	if (!match)
		problem(ctx, key_path, "not the key of certificate serial %s", serial);
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
}

static int
same_der(gnutls_x509_crt_t a, gnutls_x509_crt_t b)
{
	gnutls_datum_t da = { NULL, 0 }, db = { NULL, 0 };
	int same = 0;

	if (gnutls_x509_crt_export2(a, GNUTLS_X509_FMT_DER, &da) == 0 &&
	    gnutls_x509_crt_export2(b, GNUTLS_X509_FMT_DER, &db) == 0)
		same = da.size == db.size && memcmp(da.data, db.data, da.size) == 0;
	gnutls_free(da.data);
	gnutls_free(db.data);
	return same;
}

/* chain.pem is the certificate, then the CA: what a server sends. */
static void
check_chain(struct check_ctx *ctx, const char *chain_path,
    const unsigned char *data, size_t len, gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i;

	if (cert_load_all(data, len, &list, &n) < 0 || n != 2)
		problem(ctx, chain_path, "not the certificate and the CA (%u certificates)", n);
	else if (!same_der(list[0], crt))
		problem(ctx, chain_path, "does not start with cert.pem");
	else if (!same_der(list[1], ctx->ca->crt))
		problem(ctx, chain_path, "does not end with ca.pem");
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

static void
on_store_row(const struct store_check_row *r, void *arg)
{
	struct check_ctx *ctx = arg;
	const struct store_cert *c = r->cert;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (unsigned char *)c->pem, (unsigned)strlen(c->pem) };
	gnutls_datum_t why = { NULL, 0 };
	char serial[2 * 32 + 1];
	unsigned vstatus = 0;
	int ret;

	ctx->certificates++;
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		problem(ctx, r->dir, "serial %s: the index's certificate does not"
		    " parse: %s", c->serial, gnutls_strerror(ret));
		goto out;
	}
	if (cert_serial_hex(crt, serial, sizeof(serial)) < 0 ||
	    strcmp(serial, c->serial) != 0)
		problem(ctx, r->dir, "serial %s: the certificate's serial is %s",
		    c->serial, serial);
	if (gnutls_x509_crt_get_expiration_time(crt) != c->not_after)
		problem(ctx, r->dir, "serial %s: notAfter differs from the index",
		    c->serial);
	/* RFC 5280 6.1.3 (a)(1): the signature verifies with the CA's key. */
	ret = gnutls_x509_crt_verify(crt, &ctx->ca->crt, 1, VERIFY_FLAGS, &vstatus);
	if (ret < 0 || vstatus != 0) {
		if (ret >= 0)
			gnutls_certificate_verification_status_print(vstatus,
			    GNUTLS_CRT_X509, &why, 0);
		problem(ctx, r->dir, "serial %s: does not verify against ca.pem: %s",
		    c->serial, ret < 0 ? gnutls_strerror(ret) : (const char *)why.data);
		gnutls_free(why.data);
	}
	if (r->key_pem != NULL)
		check_key(ctx, r->key_path, r->key_pem, r->key_len, crt, c->serial);
	if (r->chain_pem != NULL)
		check_chain(ctx, r->chain_path, r->chain_pem, r->chain_len, crt);
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
}

/* The CA certificate is a CA and signed itself (RFC 5280 6.1, 4.2.1.9). */
static void
check_ca_cert(struct check_ctx *ctx, const struct store *s)
{
	char *path = store_path(s, "ca.pem");
	unsigned vstatus = 0, critical = 0;
	int ret, ca_flag;

	ca_flag = gnutls_x509_crt_get_basic_constraints(ctx->ca->crt, &critical,
	    NULL, NULL);
	if (ca_flag <= 0)
		problem(ctx, path, "not a CA certificate (basicConstraints cA is not true)");
	ret = gnutls_x509_crt_verify(ctx->ca->crt, &ctx->ca->crt, 1, VERIFY_FLAGS,
	    &vstatus);
	if (ret < 0 || vstatus != 0)
		problem(ctx, path, "its self-signature does not verify");
	free(path);
}

/*
 * The CA key belongs to ca.pem. An encrypted key is checked only when
 * its passphrase is at hand: check must run unattended (cron).
 * Returns 0, or an exit status for a wrong passphrase or a failure.
 */
static int
check_ca_key(struct check_ctx *ctx, struct store *s, const char *pass_file)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *pass = NULL, *uri = NULL, *path = store_path(s, "ca.key");
	struct report rep = { NULL, 0 };
	int ret, match = 0, status = EXIT_OK;

	if (store_setting_get(s, "ca_key_uri", &uri) == STORE_OK) {
		if (pass_file == NULL && !secret_have_tty()) {
			warn_msg("the CA key is on a token: give --passphrase-file"
			    " FILE with its PIN to check it belongs to ca.pem");
			goto out;
		}
		if ((status = cli_status(pkcs11_pin_setup(pass_file,
		    "--passphrase-file"))) != EXIT_OK)
			goto out;
		if ((status = cli_outcome(pkcs11_key_matches(uri, ctx->ca->crt, &match,
		    &rep), &rep)) == EXIT_OK && !match)
			problem(ctx, uri, "the token's key is not the key of ca.pem");
		goto out;
	}
	if (ctx->ca_key_bad || store_read_ca_key(s, &key, &key_len) < 0)
		goto out;
	if (ca_key_is_encrypted(key, key_len)) {
		if (pass_file != NULL)
			pass = secret_from_file(pass_file);
		else if (secret_have_tty())
			pass = secret_prompt("CA key passphrase: ", 0);
		else {
			warn_msg("'%s' is encrypted: give --passphrase-file FILE to"
			    " check it belongs to ca.pem", path);
			goto out;
		}
		if (pass == NULL) {
			status = EXIT_USAGE;
			goto out;
		}
	}
	ret = ca_attach_key(ctx->ca, key, key_len, pass);
	if (ret == GNUTLS_E_DECRYPTION_FAILED) {
		error_msg("wrong passphrase for the CA key");
		status = EXIT_USAGE;
	} else if (ret == GNUTLS_E_PK_SIG_VERIFY_FAILED)
		problem(ctx, path, "not the key of ca.pem");
	else if (ret < 0)
		problem(ctx, path, "not a usable key: %s", gnutls_strerror(ret));
out:
	secret_free_buf(key, key_len);
	secret_free(pass);
	free(uri);
	free(path);
	return status;
}

static int
cmd_check(int argc, char **argv)
{
	struct cli_parser p;
	struct check_ctx ctx;
	struct store_check_ops ops = { on_store_problem, on_store_row };
	struct store *store = NULL;
	struct report rep = { NULL, 0 };
	const char *pass_file = NULL;
	char *dir = NULL;
	int repair = 0, quiet = 0, flags = 0, c, ret, status = EXIT_USAGE;

	memset(&ctx, 0, sizeof(ctx));
	cli_parser_init(&p, &command_check, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_REPAIR: repair = 1; break;
		case OPT_PASSFILE: pass_file = p.arg; break;
		case OPT_QUIET: quiet = 1; break;
		default:
			status = cli_usage_error(&command_check);
			goto out;
		}
	}
	if (p.index != argc) {
		error_msg("unexpected argument: '%s'", argv[p.index]);
		goto out;
	}
	/*
	 * Taking the writers' lock needs write access; without it the walk
	 * runs unlocked and an issuance in progress may show as a problem.
	 */
	dir = store_default_dir(cli_dir_option());
	if (access(dir, W_OK) < 0 && errno != ENOENT) {
		if (repair) {
			error_msg("cannot repair '%s': %s", dir, strerror(errno));
			status = EXIT_OPERATIONAL;
			goto out;
		}
		warn_msg("'%s' is read-only for you: checking without the"
		    " writers' lock", dir);
		flags |= STORE_READONLY;
	}
	/* An unsafe store is opened to be reported, not refused (STORE_INSPECT). */
	if ((status = cli_store_status(signer_open_store(cli_dir_option(),
	    flags | STORE_INSPECT, &store))) != EXIT_OK)
		goto out;
	if ((status = cli_outcome(signer_open(store, 0, NULL, &ctx.ca, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	check_ca_cert(&ctx, store);
	ret = store_check(store, repair ? STORE_CHECK_REPAIR : 0, &ops, &ctx);
	if (ret < 0) {
		status = cli_store_status(ret);
		goto out;
	}
	if ((status = check_ca_key(&ctx, store, pass_file)) != EXIT_OK)
		goto out;
	if (!quiet)
		printf("checked %s: the CA and %lu certificate%s, %lu problem%s%s\n",
		    store_dir(store), ctx.certificates,
		    ctx.certificates == 1 ? "" : "s", ctx.problems,
		    ctx.problems == 1 ? "" : "s",
		    ctx.repaired > 0 ? " left after the repair" : "");
	status = ctx.problems > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
	cli_parser_free(&p);
	ca_free(ctx.ca);
	store_close(store);
	free(dir);
	return status;
}
