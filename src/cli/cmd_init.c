/*
 * sipca init: a self-signed SIP CA in a new store, or a two-level one
 * (an offline root and the issuing intermediate that signs leaves), or
 * an intermediate grown under the CA of an existing store.
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
#include "cli_secret.h"
#include "san.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum {
	OPT_DOMAIN = 256, OPT_NAME, OPT_ORG, OPT_KEY, OPT_DAYS, OPT_Y2038,
	OPT_NAME_CONSTRAINTS, OPT_PERMIT_IP, OPT_PASSFILE, OPT_NO_PASS,
	OPT_CRL_URL, OPT_PKCS11, OPT_PIN_FILE, OPT_INTERMEDIATE, OPT_INTER_NAME,
	OPT_INTER_DAYS, OPT_ADD_INTER,
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
	CLI_OPTION_ALLOW_SHORT,
	{ "crl-url", OPT_CRL_URL, 1, "URL", NULL, "CRL distribution point put into every certificate issued" },
	{ "pkcs11", OPT_PKCS11, 1, "URI", NULL, "keep the CA key on this PKCS#11 token (RFC 7512 URI): use its key or make one" },
	{ "pin-file", OPT_PIN_FILE, 1, "FILE", "@file", "with --pkcs11: the token's user PIN is the first line of FILE" },
	{ "intermediate", OPT_INTERMEDIATE, 0, NULL, NULL, "two levels: a root (root.pem, root.key or --pkcs11) and an issuing CA (ca.pem, ca.key) it signs" },
	{ "intermediate-name", OPT_INTER_NAME, 1, "CN", NULL, "the issuing CA's common name (default \"DOMAIN SIP Issuing CA\")" },
	{ "intermediate-days", OPT_INTER_DAYS, 1, "N", NULL, "the issuing CA's validity in days (default: the root's, never past it)" },
	{ "add-intermediate", OPT_ADD_INTER, 0, NULL, NULL, "an existing store's CA becomes the root of a new issuing CA; what it issued stays valid" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_init(int argc, char **argv);

const struct command command_init = {
	"init", cmd_init,
	"init --domain DOMAIN [--name CN] [--org ORG] [--key TYPE] [--days N]\n"
	"init --domain DOMAIN --name-constraints [--permit-ip CIDR]...\n"
	"init --domain DOMAIN --pkcs11 URI [--pin-file FILE] [options]\n"
	"init --domain DOMAIN --intermediate [--intermediate-name CN] [--intermediate-days N] [options]\n"
	"init --add-intermediate [--intermediate-name CN] [--intermediate-days N] [--key TYPE] [--passphrase-file FILE]",
	"Create a self-signed SIP CA in a new store, or a root and an issuing CA.",
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
	static const char *const halves[] = { "ca.key", "root.key", "root.pem" };
	char *path = NULL, *shown = NULL;
	struct stat st;
	size_t i;
	int ret = -1;

	shown = text_echo(dir);
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		error_msg("cannot create the store: '%s': not a directory", shown);
		goto out;
	}
	for (i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
		free(path);
		path = xasprintf("%s/%s", dir, halves[i]);
		if (path_exists(path)) {
			error_msg("'%s/%s' exists without ca.pem (an interrupted init?);"
			    " move it away to start again; nothing changed", shown,
			    halves[i]);
			goto out;
		}
	}
	ret = 0;
out:
	free(path);
	free(shown);
	return ret;
}

/* The issuing CA's default name: "DOMAIN SIP Issuing CA". */
#define INTER_CN_SUFFIX " SIP Issuing CA"

/*
 * A root (pathLen CA_ROOT_PATH_LEN, RFC 5280 4.2.1.9: see ca.h) from params, its
 * key a new one or the token's (params->key, taken over on success), and
 * the issuing CA it signs (pathLen 0, named icn, inter_days long, the
 * root's name constraints): the two levels of init --intermediate.
 */
static int
make_hierarchy(struct ca_params *params, const char *icn, long inter_days,
    const char *pass, struct ca **out_root, gnutls_datum_t *out_root_key,
    struct ca **out_ca, gnutls_datum_t *out_key)
{
	struct ca_params ip;
	struct ca *root = NULL, *ca = NULL;
	gnutls_datum_t root_key = { NULL, 0 }, key = { NULL, 0 };
	int ret;

	params->path_len = CA_ROOT_PATH_LEN;
	if ((ret = ca_create(params, pass, &root, &root_key)) < 0)
		goto out;
	/* A token's key signs the intermediate: the root holds it from now on. */
	if (params->key != NULL &&
	    (ret = ca_attach_privkey(root, params->key)) < 0)
		goto out;
	ip = *params;
	ip.common_name = icn;
	ip.days = inter_days;
	ip.key = NULL;
	ip.path_len = 0;
	ip.issuer = root;
	if ((ret = ca_create(&ip, pass, &ca, &key)) < 0)
		goto out;
	*out_root = root;
	*out_root_key = root_key;
	*out_ca = ca;
	*out_key = key;
	root = ca = NULL;
	root_key.data = key.data = NULL;
	ret = 0;
out:
	if (root != NULL && params->key != NULL)
		root->key = NULL;	/* the caller's still: it deletes a made one */
	ca_free(root);
	ca_free(ca);
	if (root_key.data != NULL) {
		gnutls_memset(root_key.data, 0, root_key.size);
		gnutls_free(root_key.data);
	}
	if (key.data != NULL) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	return ret;
}

static void
print_hierarchy(const char *dir, const char *icn, const char *key_url,
    int generated, int encrypted)
{
	const char *how = encrypted ? "encrypted, AES-256" : "unencrypted";

	cli_say("  root         %s/root.pem (what phones trust: export it with"
	    " 'sipca export')\n", dir);
	if (key_url != NULL)
		cli_say("  root key     on the token (%s): %s\n",
		    generated ? "generated there" : "found there", key_url);
	else
		cli_say("  root key     %s/root.key (%s): move it off the machine with"
		    " 'sipca export --root-key -o FILE --remove'\n", dir, how);
	cli_say("  issuing CA   %s/ca.pem ('%s', signs what sipca issues)\n", dir,
	    icn);
	cli_say("  key          %s/ca.key (%s)\n", dir, how);
}

/*
 * The old CA to become the root, with its key. A store whose root.pem is
 * there while ca.pem is still self-signed had an --add-intermediate
 * interrupted: its root is root.pem (and root.key), and this run
 * finishes it.
 */
static int
grow_open_root(struct store *store, const char *pass_file, struct ca *old,
    struct ca **out_root, unsigned char **out_root_key, size_t *out_len)
{
	struct report rep = { NULL, 0 };
	struct ca *root = NULL;
	struct signer_secrets secrets = { pass_file, NULL };
	char *shown = NULL;
	int has, ret, status = EXIT_USAGE;

	if ((has = signer_has_root(store)) < 0) {
		status = cli_store_outcome(store, has);
		goto out;
	}
	shown = text_echo(store_dir(store));
	if (has && !ca_issued(old, old->crt)) {
		error_msg("the store in '%s' already has a root (root.pem) and an"
		    " issuing CA; nothing changed", shown);
		goto out;
	}
	if (has) {
		if ((status = cli_outcome(signer_open_root(store, 1, NULL,
		    &secrets, &root, &rep), &rep)) != EXIT_OK)
			goto out;
		ret = store_read_root_key(store, out_root_key, out_len);
	} else {
		if ((status = cli_outcome(signer_open(store, 1, &secrets, &root,
		    &rep), &rep)) != EXIT_OK)
			goto out;
		/* The old CA's key moves to root.key as it is, byte for byte. */
		ret = store_read_ca_key(store, out_root_key, out_len);
		if (ret == STORE_OK) {
			struct ca *again = NULL;

			if ((ret = ca_reissue(root, CA_ROOT_PATH_LEN, &again)) < 0) {
				error_msg("cannot make the root certificate:"
				    " gnutls_x509_crt_privkey_sign: %s",
				    gnutls_strerror(ret));
				status = EXIT_OPERATIONAL;
				goto out;
			}
			again->key = root->key;	/* the same key signs the intermediate */
			root->key = NULL;
			ca_free(root);
			root = again;
		}
	}
	if (ret < 0) {
		status = cli_store_outcome(store, ret);
		goto out;
	}
	*out_root = root;
	root = NULL;
	status = EXIT_OK;
out:
	ca_free(root);
	free(shown);
	return status;
}

/*
 * init --add-intermediate: the store's CA becomes the root of a new
 * issuing CA. What it issued stays valid: it verifies against root.pem,
 * the same name and key as the old ca.pem with pathLen CA_ROOT_PATH_LEN, which is what
 * lets a CA sit below it (RFC 5280 6.1.4 (m): verifiers apply an
 * anchor's pathLen 0 too, so the phones need root.pem for what the
 * issuing CA signs).
 */
static int
init_add_intermediate(int intermediate, int other_options,
    const char *inter_name, long inter_days, enum key_type key_type,
    int key_given, const char *pass_file, int no_pass, int allow_short)
{
	struct signing_defaults defaults = { 0, KEY_RSA2048, 0, NULL };
	struct store *store = NULL;
	struct ca *old = NULL, *root = NULL, *ca = NULL;
	struct report rep = { NULL, 0 };
	struct ca_params ip;
	struct store_ca_files f;
	unsigned char *old_pem = NULL, *root_key = NULL;
	size_t old_len = 0, root_key_len = 0;
	char *domain = NULL, *uri = NULL, *icn = NULL, *pass = NULL;
	char *old_type = NULL, until[21];
	gnutls_datum_t key_pem = { NULL, 0 };
	const char *settings[9];
	int ret, status = EXIT_USAGE;

	if (intermediate || other_options) {
		error_msg("--add-intermediate keeps the store's CA as it is: it"
		    " takes only --intermediate-name, --intermediate-days, --key,"
		    " --passphrase-file and --no-passphrase");
		goto out;
	}
	if (pass_file != NULL && no_pass) {
		error_msg("--passphrase-file and --no-passphrase exclude each other");
		goto out;
	}
	if ((status = cli_store_open(0, &store)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	if (store_setting_get(store, "ca_key_uri", &uri) == STORE_OK) {
		error_msg("the CA key is on a token: --add-intermediate grows a CA"
		    " whose key is ca.key; nothing changed");
		goto out;
	}
	if (store_setting_get(store, "domain", &domain) != STORE_OK) {
		error_msg("the store has no SIP domain setting");
		goto out;
	}
	if ((status = cli_outcome(signing_defaults_read(store, &defaults, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	signing_defaults_apply(&defaults, key_given, &key_type, 1, &inter_days);
	if (inter_name == NULL &&
	    strlen(domain) + strlen(INTER_CN_SUFFIX) > X520_NAME_MAX) {
		error_msg("the default common name '%s%s' is longer than %d"
		    " characters (X.520, RFC 5280 appendix A): give"
		    " --intermediate-name CN", domain, INTER_CN_SUFFIX, X520_NAME_MAX);
		goto out;
	}
	if ((status = cli_store_outcome(store, store_read_ca_cert(store, &old_pem,
	    &old_len))) != EXIT_OK ||
	    (status = cli_outcome(signer_open(store, 0, NULL, &old, &rep),
	    &rep)) != EXIT_OK ||
	    (status = grow_open_root(store, pass_file, old, &root, &root_key,
	    &root_key_len)) != EXIT_OK)
		goto out;
	status = EXIT_USAGE;
	/* The new key is encrypted as the old one was, unless told otherwise. */
	if (pass_file == NULL && !no_pass && ca_key_is_encrypted(root_key,
	    root_key_len) && !secret_have_tty()) {
		error_msg("the new CA key needs a passphrase: give --passphrase-file"
		    " FILE or --no-passphrase");
		goto out;
	}
	if ((pass_file != NULL || (!no_pass && ca_key_is_encrypted(root_key,
	    root_key_len))) && cli_new_passphrase(pass_file,
	    "New CA key passphrase: ", allow_short, &pass) != EXIT_OK)
		goto out;
	icn = inter_name != NULL ? xstrdup(inter_name) :
	    xasprintf("%s%s", domain, INTER_CN_SUFFIX);
	memset(&ip, 0, sizeof(ip));
	ip.common_name = icn;
	ip.key_type = key_type;
	ip.days = inter_days ? inter_days : 36500;	/* capped at the root's */
	ip.not_before = sipca_now();
	ip.issuer = root;
	if ((ret = ca_create(&ip, pass, &ca, &key_pem)) < 0) {
		error_msg("cannot create the CA: %s", gnutls_strerror(ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	store_setting_get(store, "ca_key_type", &old_type);
	settings[0] = "root_key_type";
	settings[1] = old_type != NULL ? old_type : "unknown";
	settings[2] = "root_key_encrypted";
	settings[3] = ca_key_is_encrypted(root_key, root_key_len) ? "yes" : "no";
	settings[4] = "ca_key_type";
	settings[5] = key_type_name(key_type);
	settings[6] = "ca_key_encrypted";
	settings[7] = pass != NULL ? "yes" : "no";
	settings[8] = NULL;
	memset(&f, 0, sizeof(f));
	f.ca_pem = (const char *)ca->pem.data;
	f.ca_pem_len = ca->pem.size;
	f.ca_key = (const char *)key_pem.data;
	f.ca_key_len = key_pem.size;
	f.root_pem = (const char *)root->pem.data;
	f.root_pem_len = root->pem.size;
	f.root_key = (const char *)root_key;
	f.root_key_len = root_key_len;
	if ((ret = store_add_intermediate(store, (const char *)old_pem, old_len,
	    &f, settings)) < 0) {
		status = cli_store_outcome(store, ret);
		goto out;
	}
	format_time_rfc3339(gnutls_x509_crt_get_expiration_time(ca->crt), until);
	cli_say("the CA of %s is now the root of a two-level CA\n",
	    store_dir(store));
	cli_say("  root         %s/root.pem (the same name and key, pathLen 2:"
	    " give it to the phones)\n", store_dir(store));
	cli_say("  root key     %s/root.key (the old ca.key)\n", store_dir(store));
	cli_say("  issuing CA   %s/ca.pem ('%s', until %s, signs what sipca"
	    " issues from now on)\n", store_dir(store), icn, until);
	cli_say("  key          %s/ca.key (%s)\n", store_dir(store),
	    pass != NULL ? "encrypted, AES-256" : "unencrypted");
	cli_say("what was issued before keeps verifying against the old ca.pem and"
	    " root.pem;\nwhat the issuing CA signs verifies against root.pem"
	    " only\n");
	status = EXIT_OK;
out:
	if (key_pem.data != NULL) {
		gnutls_memset(key_pem.data, 0, key_pem.size);
		gnutls_free(key_pem.data);
	}
	secret_free_buf(root_key, root_key_len);
	secret_free(pass);
	ca_free(old);
	ca_free(root);
	ca_free(ca);
	store_close(store);
	free(old_pem);
	free(domain);
	free(uri);
	free(icn);
	free(old_type);
	signing_defaults_clear(&defaults);
	return status;
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
	int allow_short = 0, key_given = 0;
	int status = EXIT_USAGE, intermediate = 0, add_inter = 0, days_given = 0;
	long days = 3650, inter_days = 0;
	const char *inter_name = NULL;
	char *icn = NULL;
	struct ca *root = NULL;
	gnutls_datum_t root_key_pem = { NULL, 0 };
	enum key_type key_type = KEY_RSA2048;
	char *cn = NULL, *pass = NULL, *dir = NULL, *ca_path = NULL;
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
			key_given = 1;
			break;
		case OPT_DAYS:
			if (parse_long(p.arg, 1, 36500, &days) < 0) {
				invalid_option("days", p.arg, "1 to 36500");
				goto out;
			}
			days_given = 1;
			break;
		case OPT_INTERMEDIATE: intermediate = 1; break;
		case OPT_INTER_NAME: inter_name = p.arg; break;
		case OPT_INTER_DAYS:
			if (parse_long(p.arg, 1, 36500, &inter_days) < 0) {
				invalid_option("intermediate-days", p.arg, "1 to 36500");
				goto out;
			}
			break;
		case OPT_ADD_INTER: add_inter = 1; break;
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
		case CLI_OPT_ALLOW_SHORT: allow_short = 1; break;
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
	if (inter_name != NULL && check_x520_name("intermediate-name",
	    inter_name) < 0)
		goto out;
	if ((inter_name != NULL || inter_days != 0) && !intermediate && !add_inter) {
		error_msg("--%s needs --intermediate or --add-intermediate",
		    inter_name != NULL ? "intermediate-name" : "intermediate-days");
		goto out;
	}
	if (add_inter) {
		status = init_add_intermediate(intermediate, domain != NULL ||
		    name != NULL || org != NULL || days_given || allow_y2038 ||
		    name_constraints || permit_ip_n > 0 || crl_url != NULL ||
		    pkcs11_uri != NULL || pin_file != NULL, inter_name, inter_days,
		    key_type, key_given, pass_file, no_pass, allow_short);
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
	if (intermediate && inter_name == NULL &&
	    strlen(domain) + strlen(INTER_CN_SUFFIX) > X520_NAME_MAX) {
		error_msg("the default common name '%s%s' is longer than %d"
		    " characters (X.520, RFC 5280 appendix A): give"
		    " --intermediate-name CN", domain, INTER_CN_SUFFIX, X520_NAME_MAX);
		goto out;
	}
	if (intermediate && inter_days > days) {
		error_msg("--intermediate-days %ld is past the root's %ld days:"
		    " the issuing CA would outlive its root", inter_days, days);
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
		/* With --intermediate the root is on the token, ca.key a file. */
		if (pass_file != NULL && !intermediate) {
			error_msg("--passphrase-file encrypts a key file; a token's key"
			    " is guarded by its PIN (--pin-file)");
			goto out;
		}
		if (!intermediate)
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
	if ((pass_file != NULL || !no_pass) && cli_new_passphrase(pass_file,
	    "New CA key passphrase: ", allow_short, &pass) != EXIT_OK)
		goto out;

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
	if (intermediate) {
		icn = inter_name != NULL ? xstrdup(inter_name) :
		    xasprintf("%s%s", domain, INTER_CN_SUFFIX);
		if ((ret = make_hierarchy(&params, icn, inter_days ? inter_days :
		    days, pass, &root, &root_key_pem, &ca, &key_pem)) < 0) {
			error_msg("cannot create the CA: %s", gnutls_strerror(ret));
			status = EXIT_OPERATIONAL;
			goto out;
		}
		token_key = NULL;	/* owned by root now */
	} else if ((ret = ca_create(&params, pass, &ca, &key_pem)) < 0) {
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
		const char *settings[17];
		const char *token_type = key_url != NULL ? key_type_of_cert(
		    intermediate ? root->crt : ca->crt, token_key_type,
		    sizeof(token_key_type)) : key_type_name(key_type);
		const char *encrypted = pass != NULL ? "yes" : "no";
		struct store_ca_files f;
		size_t n = 0;

		settings[n++] = "domain";
		settings[n++] = domain;
		settings[n++] = "created_at";
		settings[n++] = created;
		settings[n++] = "ca_key_type";
		settings[n++] = intermediate ? key_type_name(key_type) : token_type;
		settings[n++] = "ca_key_encrypted";
		settings[n++] = key_url != NULL && !intermediate ? "token" : encrypted;
		if (intermediate) {
			settings[n++] = "root_key_type";
			settings[n++] = token_type;
			settings[n++] = "root_key_encrypted";
			settings[n++] = key_url != NULL ? "token" : encrypted;
		}
		if (crl_url != NULL) {
			settings[n++] = "crl_url";
			settings[n++] = crl_url;
		}
		/* The key's URI without any PIN: the PIN is never stored. */
		if (key_url != NULL) {
			settings[n++] = intermediate ? "root_key_uri" : "ca_key_uri";
			settings[n++] = key_url;
		}
		settings[n] = NULL;
		memset(&f, 0, sizeof(f));
		f.ca_pem = (const char *)ca->pem.data;
		f.ca_pem_len = ca->pem.size;
		f.ca_key = (const char *)key_pem.data;
		f.ca_key_len = key_pem.data != NULL ? key_pem.size : 0;
		if (intermediate) {
			f.root_pem = (const char *)root->pem.data;
			f.root_pem_len = root->pem.size;
			f.root_key = (const char *)root_key_pem.data;
			f.root_key_len = root_key_pem.data != NULL ? root_key_pem.size : 0;
		}
		ret = store_init_ca_files(store, &f, settings);
	}
	if (ret < 0) {
		status = cli_store_outcome(store, ret);
		goto out;
	}
	cli_say("created the SIP CA '%s' for %s in %s\n", cn, domain, dir);
	if (intermediate) {
		print_hierarchy(dir, icn, key_url, generated, pass != NULL);
		status = EXIT_OK;
		goto out;
	}
	cli_say("  certificate  %s/ca.pem (export it with 'sipca export')\n", dir);
	if (key_url != NULL)
		cli_say("  key          on the token (%s): %s\n",
		    generated ? "generated there" : "found there", key_url);
	else
		cli_say("  key          %s/ca.key (%s)\n", dir,
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
	ca_free(root);
	if (root_key_pem.data != NULL) {
		gnutls_memset(root_key_pem.data, 0, root_key_pem.size);
		gnutls_free(root_key_pem.data);
	}
	free(icn);
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
