/*
 * sipca init: a self-signed SIP CA in a new store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/gnutls.h>

#include "ca.h"
#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "fileio.h"
#include "key.h"
#include "pkcs11.h"
#include "san.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum {
	OPT_DOMAIN = 256, OPT_NAME, OPT_ORG, OPT_KEY, OPT_DAYS, OPT_Y2038,
	OPT_NAME_CONSTRAINTS, OPT_PERMIT_IP, OPT_PASSFILE, OPT_NO_PASS,
	OPT_CRL_URL, OPT_PKCS11, OPT_PIN_FILE,
};

static const struct cli_option init_options[] = {
	{ "domain", OPT_DOMAIN, 1, "DOMAIN", NULL, "the SIP domain this CA serves (required)" },
	{ "name", OPT_NAME, 1, "CN", NULL, "the CA's common name (default \"DOMAIN SIP CA\")" },
	{ "org", OPT_ORG, 1, "ORG", NULL, "the CA's organization" },
	{ "key", OPT_KEY, 1, "TYPE", KEY_TYPE_NAMES, "key type (default rsa2048, Polycom's default)" },
	{ "days", OPT_DAYS, 1, "N", NULL, "validity in days (default 3650)" },
	{ "allow-y2038", OPT_Y2038, 0, NULL, NULL, "allow a CA valid past 2038-01-19T03:14:07Z" },
	{ "name-constraints", OPT_NAME_CONSTRAINTS, 0, NULL, NULL, "permit only the DNS subtree DOMAIN (critical nameConstraints)" },
	{ "permit-ip", OPT_PERMIT_IP, 1, "CIDR", NULL, "with --name-constraints, also permit this IP range (repeatable)" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "encrypt the CA key with the first line of FILE" },
	{ "no-passphrase", OPT_NO_PASS, 0, NULL, NULL, "store the CA key unencrypted" },
	{ "crl-url", OPT_CRL_URL, 1, "URL", NULL, "CRL distribution point put into every certificate issued" },
	{ "pkcs11", OPT_PKCS11, 1, "URI", NULL, "keep the CA key on this PKCS#11 token (RFC 7512 URI): use its key or make one" },
	{ "pin-file", OPT_PIN_FILE, 1, "FILE", "@file", "with --pkcs11: the token's user PIN is the first line of FILE" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_init(int argc, char **argv);

const struct command command_init = {
	"init", cmd_init,
	"init --domain DOMAIN [--name CN] [--org ORG] [--key TYPE] [--days N]\n"
	"init --domain DOMAIN --name-constraints [--permit-ip CIDR]...\n"
	"init --domain DOMAIN --pkcs11 URI [--pin-file FILE] [options]",
	"Create a self-signed SIP CA in a new store.",
	init_options, NULL,
};

/* X.520's upper bound for commonName and organizationName (RFC 5280 appendix A). */
#define X520_NAME_MAX 64

/* "invalid --OPTION: 'VALUE': REASON", the value escaped and cut short. */
static void
invalid_option(const char *option, const char *value, const char *reason)
{
	char *shown = text_echo(value);

	error_msg("invalid --%s: '%s': %s", option, shown, reason);
	free(shown);
}

/*
 * A name a person chose for the CA: 1 to 64 characters (ub-common-name,
 * ub-organization-name) without control characters, which would reach
 * every terminal that shows the certificate.
 */
static int
check_x520_name(const char *option, const char *value)
{
	const char *reason;
	char why[128];

	if (text_check_name(value, X520_NAME_MAX, &reason) == 0)
		return 0;
	if (strcmp(reason, "too long") == 0) {
		snprintf(why, sizeof(why), "longer than %d characters (X.520's"
		    " upper bound, RFC 5280 appendix A)", X520_NAME_MAX);
		reason = why;
	}
	invalid_option(option, value, reason);
	return -1;
}

/*
 * What must hold before init makes anything, a key on a token included:
 * the store directory is a directory or can be made, and holds no CA
 * and no key from an interrupted init.
 */
static int
check_store_dir(const char *dir)
{
	char *key_path = xasprintf("%s/ca.key", dir), *shown = NULL;
	struct stat st;
	int ret = -1;

	shown = text_echo(dir);
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		error_msg("cannot create the store: '%s': not a directory", shown);
	else if (path_exists(key_path))
		error_msg("'%s/ca.key' exists without ca.pem (an interrupted init?);"
		    " move it away to start again; nothing changed", shown);
	else
		ret = 0;
	free(key_path);
	free(shown);
	return ret;
}

static int
cmd_init(int argc, char **argv)
{
	struct cli_parser p;
	struct ca_params params;
	const char *domain = NULL, *name = NULL, *org = NULL, *pass_file = NULL;
	const char *crl_url = NULL, *reason, *pkcs11_uri = NULL, *pin_file = NULL;
	const char **permit_ip = NULL;
	size_t permit_ip_n = 0;
	int name_constraints = 0, no_pass = 0, allow_y2038 = 0, c, ret;
	int status = EXIT_USAGE;
	long days = 3650;
	enum key_type key_type = KEY_RSA2048;
	char *cn = NULL, *pass = NULL, *msg = NULL, *dir = NULL, *ca_path = NULL;
	char *key_url = NULL, *shown_uri = NULL, *shown = NULL, token_key_type[16];
	gnutls_privkey_t token_key = NULL;
	int generated = 0;
	char created[21], days_text[32];
	struct store *store = NULL;
	struct ca *ca = NULL;
	struct report rep = { NULL, 0 };
	gnutls_datum_t key_pem = { NULL, 0 };
	time_t now = sipca_now();

	cli_parser_init(&p, &command_init, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_DOMAIN: domain = p.arg; break;
		case OPT_NAME: name = p.arg; break;
		case OPT_ORG: org = p.arg; break;
		case OPT_KEY:
			if (key_type_parse(p.arg, &key_type) < 0) {
				invalid_option("key", p.arg, "unknown key type (one of "
				    KEY_TYPE_NAMES ")");
				goto out;
			}
			break;
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 36500, &days) < 0) {
				invalid_option("days", p.arg, "1 to 36500");
				goto out;
			}
			break;
		case OPT_Y2038: allow_y2038 = 1; break;
		case OPT_NAME_CONSTRAINTS: name_constraints = 1; break;
		case OPT_PERMIT_IP:
			if (san_parse_cidr(p.arg, NULL, NULL, &reason) < 0) {
				invalid_option("permit-ip", p.arg, reason);
				goto out;
			}
			permit_ip = xrealloc(permit_ip, (permit_ip_n + 1) * sizeof(*permit_ip));
			permit_ip[permit_ip_n++] = p.arg;
			break;
		case OPT_PASSFILE: pass_file = p.arg; break;
		case OPT_NO_PASS: no_pass = 1; break;
		case OPT_CRL_URL: crl_url = p.arg; break;
		case OPT_PKCS11: pkcs11_uri = p.arg; break;
		case OPT_PIN_FILE: pin_file = p.arg; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_init);
			goto out;
		}
	}
	if (p.index != argc) {
		shown = text_echo(argv[p.index]);
		error_msg("unexpected argument: '%s'", shown);
		goto out;
	}
	if (domain == NULL) {
		error_msg("--domain DOMAIN is required");
		goto out;
	}
	if (san_check_dns(domain, 0, &reason) < 0) {
		shown = text_echo(domain);
		error_msg("invalid SIP domain: '%s': %s", shown, reason);
		goto out;
	}
	if (name != NULL && check_x520_name("name", name) < 0)
		goto out;
	if (org != NULL && check_x520_name("org", org) < 0)
		goto out;
	/* The default name must fit the bound too: a long domain makes it long. */
	if (name == NULL && strlen(domain) + strlen(" SIP CA") > X520_NAME_MAX) {
		error_msg("the default common name '%s SIP CA' is longer than %d"
		    " characters (X.520, RFC 5280 appendix A): give --name CN",
		    domain, X520_NAME_MAX);
		goto out;
	}
	if (permit_ip_n > 0 && !name_constraints) {
		error_msg("--permit-ip needs --name-constraints");
		goto out;
	}
	if (crl_url != NULL && ca_check_crl_url(crl_url, &reason) < 0) {
		invalid_option("crl-url", crl_url, reason);
		goto out;
	}
	if (pass_file != NULL && no_pass) {
		error_msg("--passphrase-file and --no-passphrase exclude each other");
		goto out;
	}
	if (pin_file != NULL && pkcs11_uri == NULL) {
		error_msg("--pin-file needs --pkcs11 URI");
		goto out;
	}
	if (pkcs11_uri != NULL) {
		if ((shown_uri = pkcs11_uri_strip_pin(pkcs11_uri, &reason)) == NULL) {
			invalid_option("pkcs11", pkcs11_is_uri(pkcs11_uri) ?
			    "pkcs11:..." : pkcs11_uri, reason);
			goto out;
		}
		if (pass_file != NULL) {
			error_msg("--passphrase-file encrypts a key file; a token's key"
			    " is guarded by its PIN (--pin-file)");
			goto out;
		}
		no_pass = 1;	/* there is no key file to encrypt */
	}
	if (pass_file == NULL && !no_pass && !secret_have_tty()) {
		error_msg("the CA key needs a passphrase: give --passphrase-file FILE"
		    " or --no-passphrase (no terminal to ask on)");
		goto out;
	}
	/* 32-bit phones cannot represent a later date (time_t overflow). */
	if (!allow_y2038 && now + days * 86400 > Y2038_LIMIT) {
		char limit[21];

		format_time_rfc3339(now + days * 86400, limit);
		error_msg("the CA would expire at %s, after 2038-01-19T03:14:07Z,"
		    " which 32-bit phones cannot represent: use fewer --days"
		    " or --allow-y2038", limit);
		goto out;
	}
	dir = store_default_dir(cli_dir_option());
	ca_path = xasprintf("%s/ca.pem", dir);
	if (path_exists(ca_path)) {
		shown = text_echo(dir);
		error_msg("a CA already exists in '%s'; nothing changed", shown);
		goto out;
	}
	if (check_store_dir(dir) < 0)
		goto out;
	if (pass_file != NULL &&
	    (pass = secret_from_file(pass_file, &msg)) == NULL) {
		cli_msg_print(msg);
		goto out;
	}
	if (pass_file == NULL && !no_pass &&
	    (pass = secret_prompt("New CA key passphrase: ", 1, &msg)) == NULL) {
		cli_msg_print(msg);
		goto out;
	}

	if (pkcs11_uri != NULL) {
		if ((status = cli_outcome(pkcs11_pin_setup(pin_file, "--pin-file",
		    &rep), &rep)) != EXIT_OK ||
		    (status = cli_outcome(pkcs11_ca_key(pkcs11_uri, key_type, &key_url,
		    &token_key, &generated, &rep), &rep)) != EXIT_OK)
			goto out;
		status = EXIT_USAGE;
	}

	cn = name != NULL ? xstrdup(name) : xasprintf("%s SIP CA", domain);
	memset(&params, 0, sizeof(params));
	params.common_name = cn;
	params.organization = org;
	params.key_type = key_type;
	params.days = days;
	params.not_before = now;
	params.permit_dns = name_constraints ? domain : NULL;
	params.permit_ip = permit_ip;
	params.permit_ip_n = permit_ip_n;
	params.key = token_key;
	if ((ret = ca_create(&params, pass, &ca, &key_pem)) < 0) {
		error_msg("cannot create the CA: %s", gnutls_strerror(ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if ((ret = store_open(dir, STORE_CREATE, &store, &rep)) < 0) {
		status = cli_outcome(signer_store_result(ret), &rep);
		goto out;
	}
	format_time_rfc3339(now, created);
	snprintf(days_text, sizeof(days_text), "%ld", days);
	{
		const char *settings[13];
		size_t n = 0;

		settings[n++] = "domain";
		settings[n++] = domain;
		settings[n++] = "created_at";
		settings[n++] = created;
		settings[n++] = "ca_key_type";
		settings[n++] = token_key != NULL ? key_type_of_cert(ca->crt,
		    token_key_type, sizeof(token_key_type)) : key_type_name(key_type);
		settings[n++] = "ca_key_encrypted";
		settings[n++] = token_key != NULL ? "token" : pass != NULL ? "yes" : "no";
		if (crl_url != NULL) {
			settings[n++] = "crl_url";
			settings[n++] = crl_url;
		}
		/* The key's URI without any PIN: the PIN is never stored. */
		if (key_url != NULL) {
			settings[n++] = "ca_key_uri";
			settings[n++] = key_url;
		}
		settings[n] = NULL;
		ret = store_init_ca(store, (const char *)ca->pem.data, ca->pem.size,
		    (const char *)key_pem.data, key_pem.data != NULL ? key_pem.size : 0,
		    settings);
	}
	if (ret < 0) {
		status = cli_store_outcome(store, ret);
		goto out;
	}
	printf("created the SIP CA '%s' for %s in %s\n", cn, domain, dir);
	printf("  certificate  %s/ca.pem (export it with 'sipca export')\n", dir);
	if (key_url != NULL)
		printf("  key          on the token (%s): %s\n",
		    generated ? "generated there" : "found there", key_url);
	else
		printf("  key          %s/ca.key (%s)\n", dir,
		    pass != NULL ? "encrypted, AES-256" : "unencrypted");
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	if (key_pem.data != NULL) {
		gnutls_memset(key_pem.data, 0, key_pem.size);
		gnutls_free(key_pem.data);
	}
	secret_free(pass);
	ca_free(ca);
	if (token_key != NULL)
		gnutls_privkey_deinit(token_key);
	/* A key made on the token for a CA that did not come to be. */
	if (generated && status != EXIT_OK) {
		pkcs11_delete_key(key_url, pkcs11_uri, &rep);
		cli_report_print(&rep);
	}
	report_clear(&rep);
	free(shown);
	free(key_url);
	free(shown_uri);
	store_close(store);
	free(permit_ip);
	free(cn);
	free(dir);
	free(ca_path);
	return status;
}
