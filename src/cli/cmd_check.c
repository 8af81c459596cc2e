/*
 * sipca check: verifies the store. The store walks its index against
 * its files (store_check); this command verifies what needs X.509:
 * the CA certificate, that the CA key belongs to it, every recorded
 * certificate's signature, serial and notAfter, and that each installed
 * key and chain belongs to its certificate. Problems go to stdout, one
 * a line as "PATH: what is wrong" (escaped: the store's names are not
 * ours to trust); exit 1 when there is any. A CA certificate that
 * expires within CA_EXPIRY_WARN_DAYS is a warning (stderr, exit 0, as
 * the other warnings); one that has expired is a problem.
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

#include "audit.h"
#include "ca.h"
#include "ca_inventory.h"
#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "cli_secret.h"
#include "pkcs11.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_REPAIR = 256, OPT_PASSFILE, OPT_QUIET };

static const struct cli_option check_options[] = {
	{ "repair", OPT_REPAIR, 0, NULL, NULL, "remove what interrupted writes left (temporary files, staging directories) and take others' access off our own files" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase (or token PIN), to check the key matches ca.pem" },
	CLI_OPTION_PIN_FILE,
	{ "quiet", OPT_QUIET, 0, NULL, NULL, "print problems only (and a CA near its end): no summary, no notes of what was not checked" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_check(int argc, char **argv);

const struct command command_check = {
	"check", cmd_check,
	"check [--repair] [--passphrase-file FILE | --pin-file FILE] [--quiet]",
	"Verify the store: signatures, files against the index, key modes, the CA's expiry.",
	check_options, NULL,
};

struct check_ctx {
	struct ca *ca;
	struct ca *root;	/* root.pem of a two-level CA, else NULL */
	int quiet;		/* --quiet: problems only, no notes of what was not checked */
	/* Who else may have issued what the store keeps (audit.h): the
	 * root, a rollover's old generation, the retired ones. */
	struct ca **others;
	size_t n_others;
	const struct ca **also_list;
	struct audit_issuers also;
	const struct store *store;
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
		cli_say("repaired: %s: %s\n", p, m);
	} else {
		if (what == STORE_PROBLEM_CA_KEY)
			ctx->ca_key_bad = 1;
		problem(ctx, p, "%s", m);
	}
	free(p);
	free(m);
}

/* What the store says beside the problems: onto stderr, as it comes. */
static void
on_store_message(const char *text, void *arg)
{
	(void)arg;
	error_msg("%s", text);
}

/* Each line of problems as a problem of path; clears problems. */
static void
problems_of(struct check_ctx *ctx, const char *path, struct report *problems)
{
	size_t i;

	for (i = 0; i < problems->n; i++)
		problem(ctx, path, "%s", problems->lines[i].text);
	report_clear(problems);
}

static void
on_store_row(const struct store_check_row *r, void *arg)
{
	struct check_ctx *ctx = arg;
	const struct store_cert *c = r->cert;
	struct report problems = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;

	ctx->certificates++;
	if (audit_cert(c->pem, c->serial, c->not_after, ctx->ca, &ctx->also,
	    &crt, &problems) < 0) {
		problems_of(ctx, r->dir, &problems);
		return;
	}
	problems_of(ctx, r->dir, &problems);
	if (r->key_pem != NULL) {
		audit_key(r->key_pem, r->key_len, crt, c->serial, &problems);
		problems_of(ctx, r->key_path, &problems);
	}
	if (r->chain_pem != NULL) {
		audit_chain(r->chain_pem, r->chain_len, crt, ctx->ca, &ctx->also,
		    &problems);
		problems_of(ctx, r->chain_path, &problems);
	}
	gnutls_x509_crt_deinit(crt);
}

static void
add_other(struct check_ctx *ctx, struct ca *ca)
{
	ctx->others = xrealloc(ctx->others, (ctx->n_others + 1) *
	    sizeof(*ctx->others));
	ctx->others[ctx->n_others++] = ca;
}

/* Each certificate of one of the rollover's files joins the others. */
static int
add_rollover_file(struct check_ctx *ctx, struct store *s,
    enum store_rollover_file which)
{
	unsigned char *data = NULL;
	size_t len = 0;
	gnutls_x509_crt_t *list = NULL;
	gnutls_datum_t pem;
	struct ca *ca;
	const char *reason;
	unsigned n = 0, i;
	int ret = store_read_rollover_file(s, which, &data, &len);

	if (ret == STORE_E_NOTFOUND)
		return EXIT_OK;
	if (ret < 0)
		return cli_store_outcome(s, ret);
	if (cert_load_all(data, len, &list, &n) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_PEM, &pem) == 0) {
			if (ca_load_cert(pem.data, pem.size, &ca, &reason) == 0)
				add_other(ctx, ca);
			gnutls_free(pem.data);
		}
		gnutls_x509_crt_deinit(list[i]);
	}
	gnutls_free(list);
	free(data);
	return EXIT_OK;
}

static int
load_others(struct check_ctx *ctx, struct store *s)
{
	static const enum store_rollover_file files[] = {
		STORE_OLD_CA, STORE_OLD_ROOT, STORE_RETIRED,
	};
	size_t i, n = 0;
	int status;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if ((status = add_rollover_file(ctx, s, files[i])) != EXIT_OK)
			return status;
	/* The root first, then the others; the list borrows them all. */
	ctx->also_list = xcalloc(ctx->n_others + 1, sizeof(*ctx->also_list));
	if (ctx->root != NULL)
		ctx->also_list[n++] = ctx->root;
	for (i = 0; i < ctx->n_others; i++)
		ctx->also_list[n++] = ctx->others[i];
	ctx->also.cas = ctx->also_list;
	ctx->also.n = n;
	return EXIT_OK;
}

/*
 * A switch cut short leaves ca.pem and ca.key of two generations, and
 * nothing signs until it is run again: a problem of the store, reported
 * with the way out, while the rest is checked as it is.
 */
static int
check_rollover(struct check_ctx *ctx, struct store *s)
{
	enum store_rollover_state st;
	int ret = store_rollover_state(s, &st);

	if (ret < 0)
		return cli_store_outcome(s, ret);
	cli_store_print(s);
	if (st == STORE_ROLLOVER_SWITCHING)
		problem(ctx, store_dir(s), "a CA rollover switch was cut short:"
		    " nothing signs until 'sipca rollover switch' finishes it");
	return EXIT_OK;
}

/* The CA certificate is a CA and signed itself. */
static void
check_ca_cert(struct check_ctx *ctx, const struct store *s)
{
	char *path = store_path(s, "ca.pem");
	struct report problems = { NULL, 0 };

	audit_ca_cert(ctx->ca, &problems);
	if (ctx->root != NULL)
		audit_root(ctx->ca, ctx->root, &problems);
	problems_of(ctx, path, &problems);
	free(path);
	if (ctx->root != NULL) {
		path = store_path(s, "root.pem");
		audit_ca_cert(ctx->root, &problems);
		problems_of(ctx, path, &problems);
		free(path);
	}
}

/*
 * Each CA certificate's expiry: every certificate it issued stops
 * verifying with it (RFC 5280 section 6.1.3 (a)(2)), so it is replaced
 * months ahead, not on the day.
 */
static int
check_ca_expiry(const struct ca_inventory_entry *e, void *arg)
{
	struct check_ctx *ctx = arg;
	time_t now = sipca_now();
	long left = ca_inventory_days_left(e->not_after, now);
	char until[21], *path = store_path(ctx->store, e->file);

	format_time_rfc3339(e->not_after, until);
	if (e->not_after < now)
		problem(ctx, path, "the CA certificate expired at %s: nothing it"
		    " issued verifies any more (RFC 5280 section 6.1.3)", until);
	else if (left < CA_EXPIRY_WARN_DAYS)
		warn_msg("%s: the CA certificate expires at %s, in %ld day%s (within"
		    " %d): replace it before then", path, until, left,
		    left == 1 ? "" : "s", CA_EXPIRY_WARN_DAYS);
	free(path);
	return 0;
}

/*
 * The CA key belongs to ca.pem. An encrypted key is checked only when
 * its passphrase is at hand: check must run unattended (cron).
 * Returns 0, or an exit status for a wrong passphrase or a failure.
 */
static int
check_ca_key(struct check_ctx *ctx, struct store *s, const char *pass_file,
    const char *pin_file)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *pass = NULL, *msg = NULL, *uri = NULL;
	char *path = store_path(s, "ca.key");
	struct report rep = { NULL, 0 };
	int ret, match = 0, status = EXIT_OK;

	ret = store_setting_get(s, "ca_key_uri", &uri);
	cli_store_print(s);
	if (ret == STORE_OK) {
		if (pass_file == NULL && pin_file == NULL && !secret_have_tty()) {
			if (!ctx->quiet)
				warn_msg("the CA key is on a token: give --pin-file"
				    " FILE with its PIN to check it belongs to ca.pem");
			goto out;
		}
		if ((status = cli_outcome(pin_file != NULL ?
		    pkcs11_pin_setup(pin_file, "--pin-file", &rep) :
		    pkcs11_pin_setup(pass_file, "--passphrase-file", &rep),
		    &rep)) != EXIT_OK)
			goto out;
		if ((status = cli_outcome(pkcs11_key_matches(uri, ctx->ca->crt, &match,
		    &rep), &rep)) == EXIT_OK && !match)
			problem(ctx, uri, "the token's key is not the key of ca.pem");
		goto out;
	}
	if (ctx->ca_key_bad)
		goto out;
	ret = store_read_ca_key(s, &key, &key_len);
	cli_store_print(s);
	if (ret < 0)
		goto out;
	if (ca_key_is_encrypted(key, key_len)) {
		if (pass_file != NULL)
			pass = cli_secret_from_file(pass_file);
		else if (pin_file != NULL)
			msg = xstrdup("the CA key is a file (ca.key), encrypted, not on"
			    " a token: --pin-file is for a token's PIN; give"
			    " --passphrase-file FILE");
		else if (secret_have_tty())
			pass = secret_prompt("CA key passphrase: ", 0, &msg);
		else {
			/* Every night's cron run would say it: --quiet keeps still. */
			if (!ctx->quiet)
				warn_msg("'%s' is encrypted: give --passphrase-file FILE"
				    " to check it belongs to ca.pem", path);
			goto out;
		}
		if (pass == NULL) {
			cli_msg_print(msg);
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
	struct store_check_ops ops = { on_store_problem, on_store_row,
	    on_store_message };
	struct store *store = NULL;
	struct report rep = { NULL, 0 };
	const char *pass_file = NULL, *pin_file = NULL;
	char *dir = NULL;
	int repair = 0, quiet = 0, flags = 0, c, ret, status = EXIT_USAGE;

	memset(&ctx, 0, sizeof(ctx));
	cli_parser_init(&p, &command_check, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_REPAIR: repair = 1; break;
		case OPT_PASSFILE: pass_file = p.arg; break;
		case CLI_OPT_PIN_FILE: pin_file = p.arg; break;
		case OPT_QUIET: quiet = 1; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
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
		if (!quiet)
			warn_msg("'%s' is read-only for you: checking without"
			    " the writers' lock", dir);
		flags |= STORE_READONLY;
	}
	ctx.quiet = quiet;
	/* An unsafe store is opened to be reported, not refused (STORE_INSPECT). */
	if ((status = cli_store_open(flags | STORE_INSPECT, &store)) != EXIT_OK)
		goto out;
	if ((status = check_rollover(&ctx, store)) != EXIT_OK)
		goto out;
	if ((status = cli_outcome(signer_inspect(store, &ctx.ca, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	if (signer_has_root(store) == 1 &&
	    (status = cli_outcome(signer_open_root(store, 0, NULL, NULL,
	    &ctx.root, &rep), &rep)) != EXIT_OK)
		goto out;
	if ((status = load_others(&ctx, store)) != EXIT_OK)
		goto out;
	check_ca_cert(&ctx, store);
	ctx.store = store;
	if ((status = cli_outcome(ca_inventory_each(store, check_ca_expiry, &ctx,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	ret = store_check(store, repair ? STORE_CHECK_REPAIR : 0, &ops, &ctx);
	if (ret < 0) {
		status = cli_store_outcome(store, ret);
		goto out;
	}
	if ((status = check_ca_key(&ctx, store, pass_file, pin_file)) != EXIT_OK)
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
	ca_free(ctx.root);
	while (ctx.n_others > 0)
		ca_free(ctx.others[--ctx.n_others]);
	free(ctx.others);
	free(ctx.also_list);
	store_close(store);
	free(dir);
	return status;
}
