/*
 * sipca config: the store's settings. Most are facts fixed at init (the
 * SIP domain every certificate names, the CA key type); the CRL
 * distribution point may change, and applies to certificates issued or
 * renewed afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_UNSET = 256 };

static const struct cli_option config_options[] = {
	{ "unset", OPT_UNSET, 0, NULL, NULL, "remove the setting (crl-url: issue without a distribution point)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_config(int argc, char **argv);

const struct command command_config = {
	"config", cmd_config,
	"config\n"
	"config KEY\n"
	"config crl-url URL\n"
	"config crl-url --unset",
	"Show the store's settings or change the CRL distribution point.",
	config_options, "crl-url,domain,created-at,ca-key-type,ca-key-encrypted,crl-number",
};

static int check_crl_url(const char *url, const char **out_reason);

/* One row per key the command knows: its CLI spelling and store spelling. */
static const struct config_key {
	const char *name;
	const char *setting;
	int (*check)(const char *value, const char **out_reason);	/* NULL: read-only */
} config_keys[] = {
	{ "domain", "domain", NULL },
	{ "crl-url", "crl_url", check_crl_url },
	{ "created-at", "created_at", NULL },
	{ "ca-key-type", "ca_key_type", NULL },
	{ "ca-key-encrypted", "ca_key_encrypted", NULL },
	{ "crl-number", "crl_number", NULL },
};

/*
 * RFC 5280 4.2.1.13: the distributionPoint is a URI; phones and proxies
 * fetch http:// (an https:// CRL would need a CRL to check its server).
 */
static int
check_crl_url(const char *url, const char **out_reason)
{
	const unsigned char *c;

	if (strncmp(url, "http://", 7) != 0 || url[7] == '\0' || url[7] == '/') {
		*out_reason = "an http://HOST/... URL is expected";
		return -1;
	}
	for (c = (const unsigned char *)url; *c != '\0'; c++) {
		if (*c <= 0x20 || *c >= 0x7f) {
			*out_reason = "spaces and non-ASCII characters must be %-escaped";
			return -1;
		}
	}
	return 0;
}

static const struct config_key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].name, name) == 0 ||
		    strcmp(config_keys[i].setting, name) == 0)
			return &config_keys[i];
	return NULL;
}

static int
print_setting(const char *key, const char *value, void *arg)
{
	char *name = xstrdup(key), *u;

	(void)arg;
	for (u = name; *u != '\0'; u++)
		if (*u == '_')
			*u = '-';
	printf("%-18s %s\n", name, value);
	free(name);
	return 0;
}

static int
cmd_config(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	const struct config_key *key = NULL;
	const char *value = NULL, *reason = NULL;
	char *current = NULL;
	int c, ret, unset = 0, nargs, status = EXIT_USAGE;

	cli_parser_init(&p, &command_config, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_UNSET: unset = 1; break;
		default:
			status = cli_usage_error(&command_config);
			goto out;
		}
	}
	nargs = argc - p.index;
	if (nargs > 2 || (unset && nargs != 1)) {
		status = cli_usage_error(&command_config);
		goto out;
	}
	if (nargs >= 1 && (key = find_key(argv[p.index])) == NULL) {
		error_msg("unknown setting: '%s'", argv[p.index]);
		goto out;
	}
	if (nargs == 2)
		value = argv[p.index + 1];
	if ((value != NULL || unset) && key->check == NULL) {
		error_msg("'%s' is fixed when the CA is made and cannot be changed",
		    key->name);
		goto out;
	}
	if (value != NULL && key->check(value, &reason) < 0) {
		error_msg("invalid %s: '%s': %s", key->name, value, reason);
		goto out;
	}
	if ((status = signer_open_store(value != NULL || unset ? 0 : STORE_READONLY,
	    &store)) != EXIT_OK)
		goto out;
	if (key == NULL) {
		ret = store_setting_each(store, print_setting, NULL);
		status = ret < 0 ? signer_exit_status(ret) : EXIT_OK;
		goto out;
	}
	if (value != NULL || unset) {
		ret = unset ? store_setting_unset(store, key->setting) :
		    store_setting_set(store, key->setting, value);
		if (ret < 0) {
			status = signer_exit_status(ret);
			goto out;
		}
		if (unset)
			printf("%s unset: certificates issued from now on have none\n",
			    key->name);
		else
			printf("%s %s: certificates issued or renewed from now on carry it\n",
			    key->name, value);
		status = EXIT_OK;
		goto out;
	}
	ret = store_setting_get(store, key->setting, &current);
	if (ret == STORE_E_NOTFOUND) {
		/* git config's convention: an unset key is exit 1, no output. */
		status = EXIT_FINDINGS;
		goto out;
	}
	if (ret < 0) {
		status = signer_exit_status(ret);
		goto out;
	}
	printf("%s\n", current);
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	free(current);
	store_close(store);
	return status;
}
