/*
 * sipca export: without NAME, the CA certificate as the cert.pem that
 * unprovisioned clients (Zoiper, Linphone, Bria) import by hand (the
 * root, in a two-level CA); with NAME, what that device or server is
 * given: a PEM bundle, a PKCS#12 file, the bare certificate in DER or
 * its key alone (PKCS#8, for servers that read the key from its own file);
 * with --chain, the CA certificates for servers; with --root-key, the
 * root's key, to move it off the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "bundle.h"
#include "ca.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "issuance.h"
#include "key.h"
#include "san.h"
#include "secret.h"
#include "rollover.h"
#include "signer.h"
#include "cli_secret.h"
#include "store.h"
#include "util.h"

enum {
	OPT_OUTPUT = 'o', OPT_FORMAT = 256, OPT_FORCE, OPT_WITH_KEY, OPT_LEGACY,
	OPT_PASSFILE, OPT_CHAIN, OPT_ROOT_KEY, OPT_REMOVE, OPT_TRUST_BUNDLE,
};

#define EXPORT_FORMAT_NAMES "pem,der,p12,key"

static const struct cli_option export_options[] = {
	{ "output", OPT_OUTPUT, 1, "FILE", "@file",
	  "write here (default ./cert.pem, or NAME.pem/.der/.p12/.key; '-' for"
	  " stdout, never a terminal for keys and DER)" },
	{ "format", OPT_FORMAT, 1, "FMT", EXPORT_FORMAT_NAMES,
	  "pem (default), der (a .cer/.crt), p12 or key (NAME only: its PKCS#8 key)" },
	{ "with-key", OPT_WITH_KEY, 0, NULL, NULL,
	  "NAME, pem: add the private key (Yealink, Grandstream uploads)" },
	{ "legacy", OPT_LEGACY, 0, NULL, NULL,
	  "p12: 3DES and a SHA-1 MAC for devices that refuse AES" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file",
	  "p12: the passphrase to protect it with (default: ask twice)" },
	{ "force", OPT_FORCE, 0, NULL, NULL, "overwrite FILE if it exists" },
	CLI_OPTION_ALLOW_SHORT,
	{ "chain", OPT_CHAIN, 0, NULL, NULL,
	  "the CA certificates: the issuing CA, then the root (default ./ca-chain.pem)" },
	{ "root-key", OPT_ROOT_KEY, 0, NULL, NULL,
	  "the root's key, encrypted (default ./root.key), to move it off the machine" },
	{ "remove", OPT_REMOVE, 0, NULL, NULL,
	  "--root-key: then remove root.key from the store" },
	{ "trust-bundle", OPT_TRUST_BUNDLE, 0, NULL, NULL,
	  "the roots phones should trust now, both during a rollover (default ./trust-bundle.pem)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_export(int argc, char **argv);

const struct command command_export = {
	"export", cmd_export,
	"export [-o FILE] [--format pem|der] [--force]\n"
	"export NAME [--format pem|der] [--with-key] [-o FILE] [--force]\n"
	"export NAME --format p12 [--legacy] [--passphrase-file FILE] [-o FILE] [--force]\n"
	"export NAME --format key [-o FILE] [--force]\n"
	"export --chain [-o FILE] [--force]\n"
	"export --root-key [-o FILE] [--remove] [--passphrase-file FILE] [--force]\n"
	"export --trust-bundle [-o FILE] [--force]",
	"Export the CA certificate, or a certificate as a device bundle.",
	export_options, "@name",
};

enum export_format { FMT_PEM, FMT_DER, FMT_P12, FMT_KEY };

struct export_args {
	const char *name;	/* NULL: the CA certificate */
	const char *output;	/* NULL: the default for the format */
	const char *pass_file;
	enum export_format format;
	int with_key, legacy, force, chain, root_key, remove, trust_bundle;
	int allow_short;	/* --root-key: a short passphrase for the copy */
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

/* What is written: a key (mode 0600) and binary data never reach a terminal. */
enum {
	OUT_PUBLIC = 0,
	OUT_PRIVATE = 1 << 0,	/* mode 0600 */
	OUT_BINARY = 1 << 1,	/* DER: a certificate, a PKCS#12 file */
};

/*
 * Writes to path, or to stdout for "-" (only ever given explicitly, and
 * never a terminal for a key or DER: check_args). A path that exists and
 * is not a regular file (a tty, /dev/stdout) is refused: the atomic
 * rename would replace the device node rather than write to it.
 */
static int
write_output(const char *path, const void *data, size_t len, int force,
    unsigned kind)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;
	char *shown = NULL;
	int status = EXIT_OK;

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
	shown = text_echo(path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		error_msg("not a regular file: '%s'; use '-o -' for stdout", shown);
		status = EXIT_USAGE;
	} else if (atomic_write(path, data, len, kind & OUT_PRIVATE ? 0600 :
	    0644, force ? 0 : ATOMIC_EXCLUSIVE) < 0) {
		if (errno == EEXIST) {
			error_msg("'%s' exists; use --force to overwrite it", shown);
			status = EXIT_USAGE;
		} else {
			status = errno == ENOENT || errno == ENOTDIR ||
			    errno == EISDIR ? EXIT_USAGE : EXIT_OPERATIONAL;
			error_msg("cannot write '%s': %s", shown, strerror(errno));
		}
	}
	free(shown);
	return status;
}

/* The store's CAs: the issuing one, and the root of a two-level CA (or NULL). */
static int
open_cas(struct store *store, struct ca **out_ca, struct ca **out_root)
{
	struct report rep = { NULL, 0 };
	int status, has;

	if ((status = cli_outcome(signer_open(store, 0, NULL, out_ca, &rep),
	    &rep)) != EXIT_OK)
		return status;
	if ((has = signer_has_root(store)) < 0)
		return cli_store_outcome(store, has);
	*out_root = NULL;
	if (has)
		status = cli_outcome(signer_open_root(store, 0, NULL, NULL, out_root,
		    &rep), &rep);
	return status;
}

/*
 * The CAs above crt, issuer first, up to the root: the issuing CA and
 * root.pem, or root.pem alone for what the root issued before the store
 * grew its issuing CA.
 */
static size_t
chain_of(gnutls_x509_crt_t crt, const struct ca *ca, const struct ca *root,
    const struct ca *out[2])
{
	size_t n = 0;

	if (root != NULL && !ca_issued(ca, crt) && ca_issued(root, crt)) {
		out[n++] = root;
		return n;
	}
	out[n++] = ca;
	if (root != NULL)
		out[n++] = root;
	return n;
}

/* The PEMs of cas, one after the other. */
static char *
chain_pem(const struct ca *const *cas, size_t n, size_t *out_len)
{
	char *pem = xstrdup(""), *more;
	size_t i;

	for (i = 0; i < n; i++) {
		more = xasprintf("%s%.*s", pem, (int)cas[i]->pem.size,
		    (const char *)cas[i]->pem.data);
		free(pem);
		pem = more;
	}
	*out_len = strlen(pem);
	return pem;
}

/* The CA certificates a server is given: the issuing CA, then the root. */
static int
export_chain(struct store *store, const struct export_args *a)
{
	struct ca *ca = NULL, *root = NULL;
	const struct ca *cas[2];
	const char *output = a->output ? a->output : "ca-chain.pem";
	char *pem = NULL;
	size_t len = 0, n;
	int status;

	if ((status = open_cas(store, &ca, &root)) != EXIT_OK)
		goto out;
	cas[0] = ca;
	cas[1] = root;
	n = root != NULL ? 2 : 1;
	pem = chain_pem(cas, n, &len);
	if ((status = write_output(output, pem, len, a->force,
	    OUT_PUBLIC)) != EXIT_OK)
		goto out;
	if (strcmp(output, "-") != 0)
		fprintf(stderr, "wrote the CA chain (%s) to %s\n", root != NULL ?
		    "the issuing CA, then the root" : "the CA", output);
out:
	free(pem);
	ca_free(ca);
	ca_free(root);
	return status;
}

/* The roots to trust now: one, or two during a rollover (rollover.h). */
static int
export_trust_bundle(struct store *store, const struct export_args *a)
{
	struct report rep = { NULL, 0 };
	const char *output = a->output ? a->output : "trust-bundle.pem";
	char *pem = NULL;
	size_t len = 0;
	unsigned n = 0;
	int status;

	if ((status = cli_outcome(rollover_trust_bundle(store, &pem, &len, &n,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	if ((status = write_output(output, pem, len, a->force,
	    OUT_PUBLIC)) != EXIT_OK)
		goto out;
	if (strcmp(output, "-") != 0)
		fprintf(stderr, "wrote %u root certificate%s to %s%s\n", n,
		    n == 1 ? "" : "s", output, n > 1 ? " (a rollover: phones"
		    " should trust both)" : "");
out:
	free(pem);
	return status;
}

static int
export_ca(struct store *store, const struct export_args *a)
{
	struct ca *ca = NULL, *root = NULL;
	const char *output = a->output ? a->output : "cert.pem";
	gnutls_datum_t der = { NULL, 0 };
	int status, is_root;

	if ((status = open_cas(store, &ca, &root)) != EXIT_OK)
		goto out;
	/* What phones trust is the top of the chain: the root, when there is one. */
	if ((is_root = root != NULL)) {
		ca_free(ca);
		ca = root;
		root = NULL;
	}
	if (a->format == FMT_DER) {
		if (gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_DER, &der) < 0) {
			error_msg("cannot encode the CA certificate");
			status = EXIT_OPERATIONAL;
			goto out;
		}
		status = write_output(output, der.data, der.size, a->force,
		    OUT_BINARY);
	} else
		status = write_output(output, ca->pem.data, ca->pem.size,
		    a->force, OUT_PUBLIC);
	if (status != EXIT_OK)
		goto out;
	if (strcmp(output, "-") != 0)
		fprintf(stderr, "wrote the %sCA certificate to %s\n",
		    is_root ? "root " : "", output);
	print_fingerprints(ca->crt);
out:
	gnutls_free(der.data);
	ca_free(ca);
	ca_free(root);
	return status;
}

/* The passphrase for a PKCS#12 file, before anything is written. */
static char *
p12_passphrase(const char *pass_file)
{
	char *pass, *msg = NULL;

	if (pass_file != NULL)
		return cli_secret_from_file(pass_file);
	else if (!secret_have_tty()) {
		error_msg("no terminal to ask for the PKCS#12 passphrase on; "
		    "use --passphrase-file");
		return NULL;
	} else
		pass = secret_prompt("PKCS#12 passphrase: ", 1, &msg);
	if (pass == NULL)
		cli_msg_print(msg);
	return pass;
}

static const char *
default_output(const struct export_args *a, char **owned)
{
	static const char *const ext[] = { "pem", "der", "p12", "key" };

	if (a->output != NULL)
		return a->output;
	*owned = xasprintf("%s.%s", a->name, ext[a->format]);
	return *owned;
}

static int
export_name(struct store *store, const struct export_args *a)
{
	struct ca *ca = NULL, *root = NULL;
	const struct ca *cas[2];
	gnutls_x509_crt_t ca_crts[2];
	char *cas_pem = NULL;
	size_t n_cas = 0, cas_len = 0, i;
	struct store_cert *row = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t d, out = { NULL, 0 };
	unsigned char *key_pem = NULL;
	size_t key_len = 0, bundle_len = 0;
	char *bundle = NULL, *pass = NULL, *owned_output = NULL, until[21];
	const char *output = default_output(a, &owned_output);
	int need_key = a->with_key || a->format == FMT_P12 ||
	    a->format == FMT_KEY;
	int ret, status = EXIT_USAGE;

	if ((status = open_cas(store, &ca, &root)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	if ((ret = issuance_find_current(store, a->name, &row)) != STORE_OK) {
		if (ret == STORE_E_NOTFOUND)
			error_msg("no current certificate named '%s'; see 'sipca list'",
			    a->name);
		else
			status = cli_store_outcome(store, ret);
		goto out;
	}
	if (need_key && strcmp(row->key_source, "csr") == 0) {
		error_msg("'%s' was issued from a certificate request: sipca has "
		    "no private key for it; export it without --with-key, p12 or key",
		    a->name);
		goto out;
	}
	if (row->status == STATUS_EXPIRED) {
		format_time_rfc3339(row->not_after, until);
		warn_msg("'%s' expired at %s; see 'sipca renew'", a->name, until);
	}
	d.data = (unsigned char *)row->pem;
	d.size = (unsigned)strlen(row->pem);
	status = EXIT_OPERATIONAL;
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		error_msg("cannot load the certificate of '%s':"
		    " gnutls_x509_crt_import: %s", a->name, gnutls_strerror(ret));
		goto out;
	}
	n_cas = chain_of(crt, ca, root, cas);
	cas_pem = chain_pem(cas, n_cas, &cas_len);
	for (i = 0; i < n_cas; i++)
		ca_crts[i] = cas[i]->crt;
	if (need_key) {
		if ((ret = store_read_issued_key(store, row->name, &key_pem,
		    &key_len)) != STORE_OK) {
			cli_store_print(store);
			if (ret == STORE_E_NOTFOUND)
				error_msg("the key of '%s' is missing from the store: "
				    "'issued/%s/key.pem'", a->name, a->name);
			goto out;
		}
		if ((ret = key_import_pem(key_pem, key_len, &key)) < 0) {
			error_msg("cannot load the key of '%s':"
			    " gnutls_x509_privkey_import2: %s", a->name,
			    gnutls_strerror(ret));
			goto out;
		}
	}

	switch (a->format) {
	case FMT_DER:
		if ((ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
		    &out)) < 0) {
			error_msg("cannot encode '%s': gnutls_x509_crt_export2: %s",
			    a->name, gnutls_strerror(ret));
			goto out;
		}
		status = write_output(output, out.data, out.size, a->force,
		    OUT_BINARY);
		break;
	case FMT_PEM:
		bundle_pem(row->pem, strlen(row->pem), cas_pem, cas_len,
		    (const char *)key_pem, key_len, &bundle, &bundle_len);
		status = write_output(output, bundle, bundle_len, a->force,
		    key_pem != NULL ? OUT_PRIVATE : OUT_PUBLIC);
		break;
	case FMT_KEY:
		/* Re-encoded, so that the file is PKCS#8 (RFC 5958) whatever
		 * form the store holds the key in. */
		if ((ret = key_export_pem(key, NULL, &out)) < 0) {
			error_msg("cannot encode the key of '%s':"
			    " gnutls_x509_privkey_export2_pkcs8: %s", a->name,
			    gnutls_strerror(ret));
			goto out;
		}
		status = write_output(output, out.data, out.size, a->force,
		    OUT_PRIVATE);
		break;
	case FMT_P12:
		if ((pass = p12_passphrase(a->pass_file)) == NULL) {
			status = EXIT_USAGE;
			goto out;
		}
		if ((ret = bundle_p12_chain(crt, key, ca_crts, n_cas, a->name, pass,
		    a->legacy ? P12_LEGACY : P12_MODERN, &out)) < 0) {
			error_msg("cannot build the PKCS#12 file for '%s': %s",
			    a->name, gnutls_strerror(ret));
			goto out;
		}
		status = write_output(output, out.data, out.size, a->force,
		    OUT_PRIVATE | OUT_BINARY);
		break;
	}
	if (status != EXIT_OK)
		goto out;
	if (strcmp(output, "-") != 0)
		fprintf(stderr, "wrote '%s' (%s) to %s\n", a->name,
		    a->format == FMT_P12 ? (a->legacy ? "PKCS#12, legacy 3DES" :
		    "PKCS#12, AES-256") : a->format == FMT_DER ? "DER" :
		    a->format == FMT_KEY ? "private key" :
		    key_pem != NULL ? "certificate, CA and key" : "certificate and CA",
		    output);
	print_fingerprints(crt);
out:
	if (bundle != NULL)
		secret_free_buf(bundle, bundle_len);
	if (out.data != NULL) {
		gnutls_memset(out.data, 0, out.size);
		gnutls_free(out.data);
	}
	secret_free(pass);
	if (key_pem != NULL)
		secret_free_buf(key_pem, key_len);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	free(owned_output);
	free(cas_pem);
	store_cert_free(row);
	ca_free(ca);
	ca_free(root);
	return status;
}

/*
 * The root key as it will leave the machine: root.key as it is when it
 * is encrypted, else encrypted now with the passphrase in pass_file.
 */
static int
root_key_out(const unsigned char *key, size_t len, const char *pass_file,
    int allow_short, unsigned char **out, size_t *out_len)
{
	gnutls_x509_privkey_t xkey = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	char *pass = NULL;
	int ret, status = EXIT_USAGE;

	if (ca_key_is_encrypted(key, len)) {
		*out = xmalloc(len);
		memcpy(*out, key, len);
		*out_len = len;
		return EXIT_OK;
	}
	if (pass_file == NULL) {
		error_msg("the root key is stored unencrypted: give --passphrase-file"
		    " FILE to encrypt the copy that leaves the machine");
		goto out;
	}
	if (cli_new_passphrase(pass_file, NULL, allow_short, &pass) != EXIT_OK)
		goto out;
	status = EXIT_OPERATIONAL;
	if ((ret = key_import_pem(key, len, &xkey)) < 0 ||
	    (ret = key_export_pem(xkey, pass, &pem)) < 0) {
		error_msg("cannot encrypt the root key: %s", gnutls_strerror(ret));
		goto out;
	}
	*out = xmalloc(pem.size);
	memcpy(*out, pem.data, pem.size);
	*out_len = pem.size;
	status = EXIT_OK;
out:
	if (pem.data != NULL) {
		gnutls_memset(pem.data, 0, pem.size);
		gnutls_free(pem.data);
	}
	if (xkey != NULL)
		gnutls_x509_privkey_deinit(xkey);
	secret_free(pass);
	return status;
}

/*
 * export --root-key: the root's key into a file, encrypted, and with
 * --remove out of the store once the file is read back whole: what signs
 * the root's CRL and a later intermediate is then only where it was
 * taken (crl --root --root-key FILE).
 */
static int
export_root_key(struct store *store, const struct export_args *a)
{
	const char *output = a->output ? a->output : "root.key";
	unsigned char *key = NULL, *out = NULL, *back = NULL;
	size_t key_len = 0, out_len = 0, back_len = 0;
	char *shown = text_echo(output), *dir = text_echo(store_dir(store));
	int ret, status = EXIT_USAGE;

	if ((ret = signer_has_root(store)) <= 0) {
		if (ret == 0)
			error_msg("the store in '%s' has no root (root.pem): it is a"
			    " single-level CA, whose key is never exported", dir);
		status = ret < 0 ? cli_store_outcome(store, ret) : EXIT_USAGE;
		goto out;
	}
	if ((ret = store_read_root_key(store, &key, &key_len)) != STORE_OK) {
		if (ret == STORE_E_NOTFOUND)
			error_msg("the root key is not in the store ('%s/root.key':"
			    " moved off the machine, or on a token); nothing changed",
			    dir);
		else
			status = cli_store_outcome(store, ret);
		goto out;
	}
	if ((status = root_key_out(key, key_len, a->pass_file, a->allow_short, &out,
	    &out_len)) != EXIT_OK ||
	    (status = write_output(output, out, out_len, a->force,
	    OUT_PRIVATE)) != EXIT_OK)
		goto out;
	if (a->remove) {
		/* Removed only once the copy reads back as written. */
		if (read_secret_file(output, &back, &back_len) < 0 ||
		    back_len != out_len || memcmp(back, out, out_len) != 0) {
			error_msg("'%s' does not read back as written: root.key stays"
			    " in the store", shown);
			status = EXIT_OPERATIONAL;
			goto out;
		}
		if ((ret = store_remove_root_key(store, key, key_len)) != STORE_OK) {
			status = cli_store_outcome(store, ret);
			goto out;
		}
	}
	fprintf(stderr, "wrote the root key (encrypted) to %s\n", shown);
	if (a->remove)
		fprintf(stderr, "removed %s/root.key: the root key is now only in"
		    " %s; 'sipca crl --root' needs --root-key FILE\n", dir, shown);
	status = EXIT_OK;
out:
	secret_free_buf(key, key_len);
	secret_free_buf(out, out_len);
	secret_free_buf(back, back_len);
	free(shown);
	free(dir);
	return status;
}

/* What the arguments ask to write (OUT_*). */
static unsigned
output_kind(const struct export_args *a)
{
	unsigned kind = a->format == FMT_DER || a->format == FMT_P12 ?
	    OUT_BINARY : OUT_PUBLIC;

	if (a->root_key || a->with_key || a->format == FMT_P12 ||
	    a->format == FMT_KEY)
		kind |= OUT_PRIVATE;
	return kind;
}

/*
 * Combinations that make no sense are refused before the store is read,
 * and so is '-o -' on a terminal for a key (it would stay in the
 * scrollback) or DER (binary bytes drive a terminal, they show nothing);
 * a pipe or a file is fine.
 */
static int
check_args(const struct export_args *a)
{
	const char *reason;
	char *shown;
	unsigned kind = output_kind(a);

	if (a->output != NULL && strcmp(a->output, "-") == 0 &&
	    kind != OUT_PUBLIC && isatty(STDOUT_FILENO)) {
		error_msg("standard output is a terminal: refusing to write %s to"
		    " it; use -o FILE, or a pipe", kind & OUT_PRIVATE ?
		    "a private key" : "binary DER");
		return EXIT_USAGE;
	}

	if (a->trust_bundle && (a->root_key || a->chain || a->name != NULL ||
	    a->format != FMT_PEM || a->with_key || a->legacy ||
	    a->pass_file != NULL || a->remove)) {
		error_msg("--trust-bundle takes only -o FILE and --force");
		return EXIT_USAGE;
	}
	if (a->remove && !a->root_key) {
		error_msg("--remove goes with --root-key");
		return EXIT_USAGE;
	}
	if (a->root_key || a->chain) {
		if (a->root_key && a->chain) {
			error_msg("--root-key and --chain exclude each other");
			return EXIT_USAGE;
		}
		if (a->name != NULL || a->format != FMT_PEM || a->with_key ||
		    a->legacy) {
			error_msg("--%s takes only -o FILE, --force%s", a->chain ?
			    "chain" : "root-key", a->chain ? "" :
			    ", --remove and --passphrase-file");
			return EXIT_USAGE;
		}
		if (a->chain && a->pass_file != NULL) {
			error_msg("--passphrase-file goes with --format p12");
			return EXIT_USAGE;
		}
		if (a->remove && a->output != NULL && strcmp(a->output, "-") == 0) {
			error_msg("--remove needs a file to keep the root key in, not '-'");
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (a->name == NULL) {
		if (a->format == FMT_P12 || a->format == FMT_KEY || a->with_key) {
			error_msg("the CA's key is never exported; "
			    "name a certificate: 'sipca export NAME'");
			return EXIT_USAGE;
		}
	} else if (san_check_store_name(a->name, &reason) < 0) {
		shown = text_echo(a->name);
		error_msg("invalid name: '%s': %s", shown, reason);
		free(shown);
		return EXIT_USAGE;
	}
	if (a->with_key && a->format != FMT_PEM) {
		error_msg("--with-key goes with --format pem (a p12 or key file "
		    "always has the key, a DER certificate never)");
		return EXIT_USAGE;
	}
	if ((a->legacy || a->pass_file != NULL) && a->format != FMT_P12) {
		error_msg("%s goes with --format p12",
		    a->legacy ? "--legacy" : "--passphrase-file");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cmd_export(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct export_args a;
	char *shown = NULL;
	int c, status = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	a.format = FMT_PEM;
	cli_parser_init(&p, &command_export, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_OUTPUT: a.output = p.arg; break;
		case OPT_FORMAT:
			if (strcmp(p.arg, "pem") == 0)
				a.format = FMT_PEM;
			else if (strcmp(p.arg, "der") == 0)
				a.format = FMT_DER;
			else if (strcmp(p.arg, "p12") == 0)
				a.format = FMT_P12;
			else if (strcmp(p.arg, "key") == 0)
				a.format = FMT_KEY;
			else {
				shown = text_echo(p.arg);
				error_msg("unknown format: '%s' (one of %s)", shown,
				    EXPORT_FORMAT_NAMES);
				goto out;
			}
			break;
		case OPT_WITH_KEY: a.with_key = 1; break;
		case OPT_LEGACY: a.legacy = 1; break;
		case OPT_PASSFILE: a.pass_file = p.arg; break;
		case OPT_FORCE: a.force = 1; break;
		case CLI_OPT_ALLOW_SHORT: a.allow_short = 1; break;
		case OPT_CHAIN: a.chain = 1; break;
		case OPT_TRUST_BUNDLE: a.trust_bundle = 1; break;
		case OPT_ROOT_KEY: a.root_key = 1; break;
		case OPT_REMOVE: a.remove = 1; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_export);
			goto out;
		}
	}
	if (argc - p.index > 1) {
		shown = text_echo(argv[p.index + 1]);
		error_msg("unexpected argument: '%s'", shown);
		goto out;
	}
	if (argc - p.index == 1)
		a.name = san_fold_store_name(argv[p.index]);
	if ((status = check_args(&a)) != EXIT_OK)
		goto out;
	if ((status = cli_store_open(a.remove ? 0 : STORE_READONLY, &store)) !=
	    EXIT_OK)
		goto out;
	status = a.trust_bundle ? export_trust_bundle(store, &a) :
	    a.root_key ? export_root_key(store, &a) : a.chain ?
	    export_chain(store, &a) : a.name == NULL ? export_ca(store, &a) :
	    export_name(store, &a);
out:
	cli_parser_free(&p);
	store_close(store);
	free(shown);
	return status;
}
