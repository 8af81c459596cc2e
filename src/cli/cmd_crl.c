/*
 * sipca crl: a fresh CRL signed by the CA, in DIR/crl.pem and optionally
 * in a file of the caller's choosing; with --root, the root's CRL of a
 * two-level CA in DIR/root-crl.pem, (PEM, or DER for an HTTP
 * distribution point: RFC 5280 4.2.1.13 serves DER).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca.h"
#include "cli.h"
#include "cli_status.h"
#include "crl.h"
#include "crl_publish.h"
#include "cli_secret.h"
#include "fileio.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_DAYS = 256, OPT_DER, OPT_PASSFILE, OPT_ROOT, OPT_ROOT_KEY };

static const struct cli_option crl_options[] = {
	{ "output", 'o', 1, "FILE", "@file", "also write the CRL to FILE ('-' for stdout, ./- for a file named -)" },
	{ "days", OPT_DAYS, 1, "N", NULL, "nextUpdate N days after thisUpdate (default 30)" },
	{ "der", OPT_DER, 0, NULL, NULL, "write FILE as DER (what HTTP distribution points serve)" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase" },
	CLI_OPTION_PIN_FILE,
	{ "root", OPT_ROOT, 0, NULL, NULL, "the root's CRL (DIR/root-crl.pem), signed by the root key" },
	{ "root-key", OPT_ROOT_KEY, 1, "FILE", "@file", "--root: the root key moved off the machine (sipca export --root-key)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_crl(int argc, char **argv);

const struct command command_crl = {
	"crl", cmd_crl,
	"crl [-o FILE [--der]] [--days N] [--passphrase-file FILE | --pin-file FILE]\n"
	"crl --root [--root-key FILE] [-o FILE [--der]] [--days N] [--passphrase-file FILE | --pin-file FILE]",
	"Sign a fresh CRL (DIR/crl.pem) listing every revoked certificate.",
	crl_options, NULL,
};

/* Refuses an output path that cannot be written before anything changes. */
static int
check_output(const char *path)
{
	char *copy = xstrdup(path), *shown = text_echo(path);
	const char *dir = dirname(copy);
	struct stat st;
	int ret = -1;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		error_msg("cannot write the CRL to '%s': is a directory", shown);
	else if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		/* The rename in atomic_write() would replace a device node or FIFO. */
		error_msg("cannot write the CRL to '%s': not a regular file", shown);
	else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		error_msg("cannot write the CRL to '%s': no directory for it", shown);
	else if (access(dir, W_OK) < 0)
		error_msg("cannot write the CRL to '%s': %s", shown, strerror(errno));
	else
		ret = 0;
	free(copy);
	free(shown);
	return ret;
}

/*
 * -o -: the CRL is the command's data, so it alone goes to stdout (the
 * status lines go to stderr, README "Output conventions").
 */
static int
write_stdout(const gnutls_datum_t *d)
{
	if (fwrite(d->data, 1, d->size, stdout) != d->size || fflush(stdout) != 0) {
		error_msg("cannot write the CRL to stdout: %s (the store's copy"
		    " is written)", strerror(errno));
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

static int
cmd_crl(int argc, char **argv)
{
	struct cli_parser p;
	struct signing sg;
	struct crl_published pub;
	struct report rep = { NULL, 0 };
	const char *output = NULL, *root_key = NULL, *old_file = NULL;
	struct signer_secrets secrets = { NULL, NULL };
	struct ca *root = NULL;
	int want_root = 0;
	char this_update[21], next_update[21], *shown = NULL;
	long days = CRL_DEFAULT_DAYS;
	int c, der = 0, to_stdout = 0, status = EXIT_USAGE;

	memset(&pub, 0, sizeof(pub));
	memset(&sg, 0, sizeof(sg));
	cli_parser_init(&p, &command_crl, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case 'o': output = p.arg; break;
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 3650, &days) < 0) {
				shown = text_echo(p.arg);
				error_msg("invalid --days: '%s' (1 to 3650)", shown);
				goto out;
			}
			break;
		case OPT_DER: der = 1; break;
		case OPT_PASSFILE: secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: secrets.pin_file = p.arg; break;
		case OPT_ROOT: want_root = 1; break;
		case OPT_ROOT_KEY: root_key = p.arg; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_crl);
			goto out;
		}
	}
	if (p.index != argc) {
		shown = text_echo(argv[p.index]);
		error_msg("unexpected argument: '%s'", shown);
		goto out;
	}
	to_stdout = output != NULL && strcmp(output, "-") == 0;
	if (root_key != NULL && !want_root) {
		error_msg("--root-key goes with --root");
		goto out;
	}
	if (der && output == NULL) {
		error_msg("--der needs -o FILE (the store keeps crl.pem)");
		goto out;
	}
	if (to_stdout && der && isatty(STDOUT_FILENO)) {
		error_msg("a DER CRL is binary: not written to a terminal;"
		    " redirect stdout or give -o FILE");
		goto out;
	}
	if (output != NULL && !to_stdout && check_output(output) < 0)
		goto out;
	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 0, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	if (want_root) {
		if ((status = cli_outcome(signer_open_root(sg.store, 1, root_key,
		    &secrets, &root, &rep), &rep)) != EXIT_OK ||
		    (status = cli_outcome(crl_publish_root(sg.store, root, days,
		    &pub, &rep), &rep)) != EXIT_OK)
			goto out;
	} else if ((status = cli_outcome(signing_unlock(&sg, &secrets, &rep),
	    &rep)) != EXIT_OK ||
	    (status = cli_outcome(crl_publish(sg.store, sg.ca, days, &pub, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	/* The overlap's old CRLs come after the current one is safely written. */
	if ((status = cli_outcome(crl_publish_overlap(sg.store, want_root,
	    &secrets, days, &old_file, &rep), &rep)) != EXIT_OK) {
		error_msg("%s/%s is written, the old CA's CRL is not",
		    store_dir(sg.store), want_root ? "root-crl.pem" : "crl.pem");
		goto out;
	}
	if (to_stdout && (status = write_stdout(der ? &pub.der : &pub.pem)) !=
	    EXIT_OK)
		goto out;
	if (output != NULL && !to_stdout) {
		const gnutls_datum_t *d = der ? &pub.der : &pub.pem;

		if (atomic_write(output, d->data, d->size, 0644, 0) < 0) {
			shown = text_echo(output);
			error_msg("cannot write '%s': %s (%s/%s is written)",
			    shown, strerror(errno), store_dir(sg.store),
			    want_root ? "root-crl.pem" : "crl.pem");
			status = EXIT_OPERATIONAL;
			goto out;
		}
	}
	format_time_rfc3339(pub.this_update, this_update);
	format_time_rfc3339(pub.next_update, next_update);
	cli_say("CRL number %llu, %zu revoked, thisUpdate %s, nextUpdate %s\n",
	    pub.number, pub.entries, this_update, next_update);
	cli_say("  crl    %s/%s\n", store_dir(sg.store), want_root ?
	    "root-crl.pem" : "crl.pem");
	if (old_file != NULL)
		cli_say("  old    %s/%s (the rollover's old CA, until finish)\n",
		    store_dir(sg.store), old_file);
	if (output != NULL)
		cli_say("  copy   %s%s\n", to_stdout ? "stdout" : output,
		    der ? " (DER)" : "");
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	crl_published_clear(&pub);
	ca_free(root);
	signing_clear(&sg);
	free(shown);
	return status;
}
