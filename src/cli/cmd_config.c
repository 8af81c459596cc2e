/*
 * sipca config: the store's settings. Most are facts fixed at init (the
 * SIP domain every certificate names, the CA key type); the CRL
 * distribution point may change, and applies to certificates issued or
 * renewed afterwards. The team's defaults (key type, validity, the
 * subject's organisation) stand in for the built-in ones wherever the
 * command line does not say (signer.h reads them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "issuance.h"
#include "san.h"
#include "serve.h"
#include "cli.h"
#include "cli_status.h"
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
	"config crl-url --unset\n"
	"config default-key TYPE | default-days N | default-org ORG\n"
	"config default-key|default-days|default-org --unset\n"
	"config serve-listen|serve-http ADDR:PORT[,ADDR:PORT...] | serve-name FQDN | serve-scep on|off\n"
	"config serve-scep-static on|off",
	"Show the store's settings, change the CRL distribution point, the team's defaults or where sipca serve listens.",
	config_options, "crl-url,default-key,default-days,default-org,serve-listen,serve-http,serve-name,serve-scep,serve-scep-static,domain,created-at,ca-key-type,ca-key-encrypted,crl-number",
};

/* A server certificate's store name: a DNS name (RFC 1035 section 2.3.1). */
static int
check_serve_name(const char *value, const char **out_reason)
{
	return san_check_dns(value, 0, out_reason);
}

/* serve-scep: whether sipca serve answers SCEP without --scep. */
static int
check_on_off(const char *value, const char **out_reason)
{
	if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0)
		return 0;
	*out_reason = "on or off";
	return -1;
}

/*
 * One row per key the command knows: its CLI spelling and store
 * spelling, and for a default what setting and removing it mean (on
 * stderr: a message, not data).
 */
static const struct config_key {
	const char *name;
	const char *setting;
	int (*check)(const char *value, const char **out_reason);	/* NULL: read-only */
	const char *set_says, *unset_says;	/* NULL: crl-url's words */
} config_keys[] = {
	{ "domain", "domain", NULL, NULL, NULL },
	{ "crl-url", "crl_url", ca_check_crl_url, NULL, NULL },
	{ "default-key", "default_key", signing_check_default_key,
	  "issue, --batch, renew --rekey and init --add-intermediate make keys of"
	  " this type unless --key says otherwise",
	  "new keys are rsa2048 unless --key says otherwise" },
	{ "default-days", "default_days", signing_check_default_days,
	  "issue and --batch give certificates this many days unless --days says"
	  " otherwise (cut to the CA's notAfter; the lint guard's limits apply)",
	  "certificates are issued for 825 days unless --days says otherwise" },
	{ "default-org", "default_org", signing_check_default_org,
	  "certificates issued or renewed from now on carry it as the subject's O",
	  "certificates issued or renewed from now on have no O in their subject" },
	{ "serve-listen", "serve_listen", serve_check_addresses,
	  "sipca serve listens for HTTPS there unless --listen or --http says otherwise",
	  "sipca serve listens for HTTPS on 0.0.0.0:8443 unless told otherwise" },
	{ "serve-http", "serve_http", serve_check_addresses,
	  "sipca serve listens for plain HTTP there unless --listen or --http says otherwise",
	  "sipca serve serves no plain HTTP unless --http says so" },
	{ "serve-name", "serve_name", check_serve_name,
	  "sipca serve presents this server certificate unless --name says otherwise",
	  "sipca serve presents the certificate named as the host unless --name says otherwise" },
	{ "serve-scep", "serve_scep", check_on_off,
	  "sipca serve answers SCEP (on) or not (off) unless --scep or --no-scep says otherwise",
	  "sipca serve answers SCEP only with --scep" },
	{ "serve-scep-static", "serve_scep_static", check_on_off,
	  "sipca serve --scep accepts the static shared challenge (on: weaker,"
	  " whoever has it enrolls any new name its pattern allows) or only with"
	  " --scep-static-challenge (off)",
	  "sipca serve accepts the static shared challenge only with --scep-static-challenge" },
	{ "created-at", "created_at", NULL, NULL, NULL },
	{ "ca-key-type", "ca_key_type", NULL, NULL, NULL },
	{ "ca-key-encrypted", "ca_key_encrypted", NULL, NULL, NULL },
	{ "crl-number", "crl_number", NULL, NULL, NULL },
};

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
	char *name = xstrdup(key), *u, *shown;

	(void)arg;
	for (u = name; *u != '\0'; u++)
		if (*u == '_')
			*u = '-';
	/* The store may have been written by an older sipca or by hand. */
	shown = text_escape(value, strlen(value), 0);
	printf("%-18s %s\n", name, shown);
	free(shown);
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
	char *current = NULL, *shown = NULL;
	int c, ret, unset = 0, nargs, status = EXIT_USAGE;

	cli_parser_init(&p, &command_config, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_UNSET: unset = 1; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
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
		shown = text_echo(argv[p.index]);
		error_msg("unknown setting: '%s' (one of %s)", shown,
		    command_config.positional);
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
		shown = text_echo(value);
		error_msg("invalid %s: '%s': %s", key->name, shown, reason);
		goto out;
	}
	if ((status = cli_store_open(value != NULL || unset ? 0 : STORE_READONLY,
	    &store)) != EXIT_OK)
		goto out;
	if (key == NULL) {
		ret = store_setting_each(store, print_setting, NULL);
		status = ret < 0 ? cli_store_outcome(store, ret) : EXIT_OK;
		goto out;
	}
	if (value != NULL || unset) {
		ret = unset ? store_setting_unset(store, key->setting) :
		    store_setting_set(store, key->setting, value);
		if (ret < 0) {
			status = cli_store_outcome(store, ret);
			goto out;
		}
		if (unset && key->unset_says != NULL)
			cli_say("%s unset: %s\n", key->name, key->unset_says);
		else if (key->set_says != NULL) {
			shown = text_echo(value);
			cli_say("%s %s: %s\n", key->name, shown, key->set_says);
			/* Said now, not first at the next server's refusal. */
			if (strcmp(key->name, "default-days") == 0 &&
			    atol(value) > DEFAULT_LEAF_DAYS)
				warn_msg("server certificates past %d days are refused by"
				    " the lint guard (apple.validity_825, Apple HT210176)"
				    " unless --force", DEFAULT_LEAF_DAYS);
		} else if (unset)
			cli_say("%s unset: certificates issued from now on have none\n",
			    key->name);
		else
			cli_say("%s %s: certificates issued or renewed from now on carry it\n",
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
		status = cli_store_outcome(store, ret);
		goto out;
	}
	shown = text_escape(current, strlen(current), 0);
	printf("%s\n", shown);
	status = EXIT_OK;
out:
	cli_parser_free(&p);
	free(current);
	free(shown);
	store_close(store);
	return status;
}
