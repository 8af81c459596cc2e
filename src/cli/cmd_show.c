/*
 * sipca show: one certificate, from the store by name or from a file,
 * laid out for a person: who it is for, until when, with which key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "issuance.h"
#include "san.h"
#include "signer.h"
#include "store.h"
#include "util.h"

static const struct cli_option show_options[] = {
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_show(int argc, char **argv);

const struct command command_show = {
	"show", cmd_show,
	"show NAME|FILE",
	"Show a certificate: subject, issuer, SANs, validity, key, usages, fingerprints.",
	show_options, "@name,@file",
};

/* What a certificate says reaches the terminal only through text_escape(). */
static void
print_dn(const char *label, gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t dn = { NULL, 0 };
	int ret = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) :
	    gnutls_x509_crt_get_dn3(crt, &dn, 0);
	char *text = text_escape(dn.data, ret == 0 ? dn.size : 0, 0);

	printf("%-12s %s\n", label, text);
	free(text);
	gnutls_free(dn.data);
}

/*
 * Every GeneralName, identities first, each value escaped and whole: a
 * NUL inside a name shows as \x00 instead of ending it, and a value whose
 * octets are no value of its type says why.
 */
static void
print_sans(gnutls_x509_crt_t crt)
{
	struct san_list sans = { NULL, 0 };
	static const enum san_type order[] = {
		SAN_URI, SAN_DNS, SAN_IP, SAN_EMAIL, SAN_DIRNAME, SAN_OTHERNAME,
		SAN_RID, SAN_X400, SAN_EDIPARTY,
	};
	const char *label = "SAN";
	char *text;
	size_t i, j;
	int ret;

	if ((ret = cert_sans(crt, &sans)) < 0)
		printf("%-12s (unreadable: %s)\n", label, gnutls_strerror(ret));
	else if (sans.n == 0)
		printf("%-12s (none)\n", label);
	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
		for (i = 0; i < sans.n; i++) {
			const struct san_entry *e = &sans.items[i];

			if (e->type != order[j])
				continue;
			text = text_escape(e->value, e->len, 0);
			printf("%-12s %s:%s%s%s%s\n", label, san_type_name(e->type), text,
			    e->problem != NULL ? " (" : "",
			    e->problem != NULL ? e->problem : "",
			    e->problem != NULL ? ")" : "");
			free(text);
			label = "";
		}
	}
	san_list_clear(&sans);
}

static void
print_key(gnutls_x509_crt_t crt)
{
	unsigned bits = 0;
	int algo = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	gnutls_ecc_curve_t curve;
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };

	if (algo == GNUTLS_PK_ECDSA &&
	    gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) == 0) {
		printf("%-12s ECDSA %s (%u bits)\n", "key", gnutls_ecc_curve_get_name(curve),
		    bits);
		gnutls_free(x.data);
		gnutls_free(y.data);
	} else
		printf("%-12s %s %u bits\n", "key", gnutls_pk_get_name(algo), bits);
	printf("%-12s %s\n", "signature",
	    gnutls_sign_get_name(gnutls_x509_crt_get_signature_algorithm(crt)));
}

static void
print_usages(gnutls_x509_crt_t crt)
{
	static const struct { unsigned bit; const char *name; } bits[] = {
		{ GNUTLS_KEY_DIGITAL_SIGNATURE, "digitalSignature" },
		{ GNUTLS_KEY_NON_REPUDIATION, "nonRepudiation" },
		{ GNUTLS_KEY_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ GNUTLS_KEY_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ GNUTLS_KEY_KEY_AGREEMENT, "keyAgreement" },
		{ GNUTLS_KEY_KEY_CERT_SIGN, "keyCertSign" },
		{ GNUTLS_KEY_CRL_SIGN, "cRLSign" },
	};
	unsigned usage = 0, critical = 0, ca = 0;
	char oid[128];
	size_t size, i;
	int pathlen = -1, ret;
	const char *sep = "";

	if (gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0) {
		printf("%-12s ", "key usage");
		for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
			if (usage & bits[i].bit) {
				printf("%s%s", sep, bits[i].name);
				sep = ", ";
			}
		}
		printf("%s\n", critical ? " (critical)" : "");
	}
	sep = "";
	for (i = 0;; i++) {
		size = sizeof(oid);
		ret = gnutls_x509_crt_get_key_purpose_oid(crt, (unsigned)i, oid, &size,
		    &critical);
		if (ret < 0)
			break;
		if (i == 0)
			printf("%-12s ", "ext usage");
		printf("%s%s", sep, strcmp(oid, GNUTLS_KP_TLS_WWW_SERVER) == 0 ?
		    "serverAuth" : strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 ?
		    "clientAuth" : oid);
		sep = ", ";
	}
	if (i > 0)
		printf("\n");
	ret = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca, &pathlen);
	if (ret >= 0) {
		if (ca && pathlen >= 0)
			printf("%-12s CA, path length %d\n", "constraints", pathlen);
		else
			printf("%-12s %s\n", "constraints", ca ? "CA" : "not a CA");
	}
}

static void
show_one(gnutls_x509_crt_t crt, const struct store_cert *row)
{
	char serial[130], from[21], until[21], *hex;
	unsigned char fp[64];
	size_t len;

	if (row != NULL)
		printf("%-12s %s (%s, %s)\n", "name", row->name, row->kind,
		    store_status_name(row->status));
	print_dn("subject", crt, 0);
	print_dn("issuer", crt, 1);
	if (cert_serial_hex(crt, serial, sizeof(serial)) == 0)
		printf("%-12s %s\n", "serial", serial);
	format_time_rfc3339(gnutls_x509_crt_get_activation_time(crt), from);
	format_time_rfc3339(gnutls_x509_crt_get_expiration_time(crt), until);
	printf("%-12s %s\n%-12s %s\n", "not before", from, "not after", until);
	print_sans(crt);
	print_key(crt);
	print_usages(crt);
	len = sizeof(fp);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &len) == 0) {
		hex = hex_colon(fp, len);
		printf("%-12s %s\n", "SHA-256", hex);
		free(hex);
	}
	len = sizeof(fp);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fp, &len) == 0) {
		hex = hex_colon(fp, len);
		printf("%-12s %s\n", "SHA-1", hex);
		free(hex);
	}
}

static int
cmd_show(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct store_cert *row = NULL;
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *what;
	int c, ret, status = EXIT_USAGE;

	cli_parser_init(&p, &command_show, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		status = c == CLI_HELP ? EXIT_OK : cli_usage_error(&command_show);
		goto out;
	}
	if (argc - p.index != 1) {
		cli_operand_error(argc - p.index, argv + p.index,
		    "NAME or FILE: the certificate to show");
		status = cli_usage_error(&command_show);
		goto out;
	}
	what = argv[p.index];
	/* A path names a file; anything else is a name in the store. */
	if (strchr(what, '/') != NULL || strcmp(what, "-") == 0 || path_exists(what)) {
		if (read_file(what, 16u << 20, &data, &len) < 0) {
			error_msg("cannot read '%s': %s", what, file_strerror(errno));
			goto out;
		}
	} else {
		if ((status = cli_store_open(STORE_READONLY, &store)) != EXIT_OK)
			goto out;
		status = EXIT_USAGE;
		ret = issuance_find_current(store, what, &row);
		if (ret == STORE_E_NOTFOUND) {
			error_msg("no certificate named '%s' in the store", what);
			goto out;
		}
		if (ret < 0) {
			status = cli_store_outcome(store, ret);
			goto out;
		}
		len = strlen(row->pem);
		data = (unsigned char *)xstrdup(row->pem);
	}
	if ((ret = cert_load_all(data, len, &list, &n)) < 0 || n == 0) {
		error_msg("not a certificate: '%s': %s", what,
		    ret < 0 ? gnutls_strerror(ret) : "no certificate found");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			printf("\n");
		show_one(list[i], row);
	}
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
	free(data);
	store_cert_free(row);
	store_close(store);
	return status;
}
