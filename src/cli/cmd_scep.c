/*
 * sipca scep: what the SCEP server of "sipca serve --scep" needs made
 * by hand: one-time challenges for devices (scep_challenge.h), the RA
 * certificate (scep_ra.h), and the CA's fingerprints in the forms
 * devices ask for when they are told which CA to trust.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "cert.h"
#include "cli.h"
#include "cli_secret.h"
#include "cli_status.h"
#include "eap_tls.h"
#include "issuance.h"
#include "report.h"
#include "san.h"
#include "scep_challenge.h"
#include "scep_ra.h"
#include "scep_static.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_URI = 256, OPT_TTL, OPT_REVOKE, OPT_RENEW, OPT_PASSFILE, OPT_EAP_TLS,
    OPT_NAMES };

static const struct cli_option scep_options[] = {
	{ "uri", OPT_URI, 1, "URI", NULL, "challenge: a SIP URI the device's certificate gets (repeatable; default sip:NAME@DOMAIN)" },
	{ "eap-tls", OPT_EAP_TLS, 0, NULL, NULL, "challenge: the device enrolls for an 802.1X (EAP-TLS) certificate; NAME is its MAC (as issue device --eap-tls)" },
	{ "ttl", OPT_TTL, 1, "DURATION", NULL, "challenge, static-challenge: how long it may be used, N[s|m|h|d] (default 24h, static 30d; at most 365d)" },
	{ "revoke", OPT_REVOKE, 0, NULL, NULL, "challenge: revoke NAME's live challenge instead; static-challenge: revoke the static one" },
	{ "names", OPT_NAMES, 1, "GLOB", NULL, "static-challenge: the device names it enrolls, an fnmatch(3) pattern (default: a MAC address, 12 hex digits)" },
	{ "renew", OPT_RENEW, 0, NULL, NULL, "ra: replace the RA certificate with a new key" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "ra: the CA key's passphrase" },
	CLI_OPTION_PIN_FILE,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_scep(int argc, char **argv);

const struct command command_scep = {
	"scep", cmd_scep,
	"scep [fingerprints]\n"
	"scep challenge NAME [--uri URI]... [--ttl DURATION]\n"
	"scep challenge MAC --eap-tls [--uri URI]... [--ttl DURATION]\n"
	"scep challenge --revoke NAME\n"
	"scep static-challenge [--names GLOB] [--ttl DURATION]\n"
	"scep static-challenge --revoke\n"
	"scep challenges\n"
	"scep ra [--renew]",
	"Make SCEP challenges and the RA certificate; show the CA's fingerprints for devices.",
	scep_options, "fingerprints,challenge,static-challenge,challenges,ra",
};

struct scep_args {
	const char **uris;
	size_t n_uris;
	long ttl;
	const char *names;
	int revoke, renew, eap_tls;
	struct signer_secrets secrets;
};

static int
challenge_new(const char *name, const struct scep_args *a)
{
	struct signing sg;
	struct report rep = { NULL, 0 };
	struct scep_challenge_spec spec;
	char challenge[SCEP_CHALLENGE_LEN + 1], until[21], *folded = NULL;
	char mac[EAP_TLS_MAC_LEN], *shown = NULL;
	const char *reason;
	int status;

	memset(&sg, 0, sizeof(sg));
	if (a->eap_tls && eap_tls_mac_parse(name, mac, &reason) < 0) {
		error_msg("invalid 802.1X device name: '%s': %s",
		    (shown = text_echo(name)), reason);
		status = EXIT_USAGE;
		goto out;
	}
	folded = san_fold_store_name(xstrdup(a->eap_tls ? mac : name));
	if (strcmp(folded, SCEP_RA_NAME) == 0) {
		error_msg("'%s' is the SCEP RA's reserved name: no device enrolls"
		    " under it", SCEP_RA_NAME);
		status = EXIT_USAGE;
		goto out;
	}
	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	memset(&spec, 0, sizeof(spec));
	spec.name = folded;
	spec.uris = a->uris;
	spec.n_uris = a->n_uris;
	spec.ttl = a->ttl;
	spec.origin = "sipca scep challenge";
	spec.eap_tls = a->eap_tls;
	if ((status = cli_outcome(scep_challenge_create(sg.store, sg.domain, &spec,
	    challenge, &rep), &rep)) != EXIT_OK)
		goto out;
	/* Alone on stdout, for a provisioning script to take. */
	printf("%s\n", challenge);
	format_time_rfc3339(sipca_now() + (a->ttl > 0 ? a->ttl :
	    SCEP_CHALLENGE_TTL_DEFAULT), until);
	cli_say("made a one-time SCEP challenge for %s'%s', valid until %s; it is"
	    " not shown again\n", a->eap_tls ? "the 802.1X (EAP-TLS) device " : "",
	    folded, until);
	status = EXIT_OK;
out:
	gnutls_memset(challenge, 0, sizeof(challenge));
	free(shown);
	free(folded);
	signing_clear(&sg);
	return status;
}

static int
challenge_revoke(const char *name)
{
	struct store *s = NULL;
	char *shown = NULL, mac[EAP_TLS_MAC_LEN];
	const char *reason;
	int status;

	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	/* An 802.1X device's challenge is under its MAC's twelve-digit form. */
	if (scep_challenge_revoke(s, name) < 0 &&
	    (eap_tls_mac_parse(name, mac, &reason) < 0 ||
	    scep_challenge_revoke(s, mac) < 0)) {
		error_msg("no live SCEP challenge for '%s' (sipca scep challenges)",
		    (shown = text_echo(name)));
		status = EXIT_USAGE;
	} else {
		cli_say("revoked the SCEP challenge for '%s'\n", (shown = text_echo(name)));
		status = EXIT_OK;
	}
	free(shown);
	store_close(s);
	return status;
}

/*
 * The static shared challenge (scep_static.h): alone on stdout, as a
 * one-time challenge is, for the provisioning file.
 */
static int
static_new(const struct scep_args *a)
{
	struct store *s = NULL;
	struct report rep = { NULL, 0 };
	struct scep_static_spec spec;
	char challenge[SCEP_CHALLENGE_LEN + 1], until[21];
	long ttl = a->ttl > 0 ? a->ttl : SCEP_STATIC_TTL_DEFAULT;
	int status;

	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	memset(&spec, 0, sizeof(spec));
	spec.ttl = ttl;
	spec.names = a->names;
	if ((status = cli_outcome(scep_static_create(s, &spec, challenge, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	printf("%s\n", challenge);
	format_time_rfc3339(sipca_now() + ttl, until);
	cli_say("made the static SCEP challenge, valid until %s for new device"
	    " names matching '%s'; it is not shown again. It is weaker than"
	    " one-time challenges: sipca serve accepts it only with"
	    " --scep-static-challenge (or config serve-scep-static on)\n", until, a->names != NULL ? a->names :
	    "a MAC address");
out:
	gnutls_memset(challenge, 0, sizeof(challenge));
	store_close(s);
	return status;
}

static int
static_revoke(void)
{
	struct store *s = NULL;
	int status;

	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	if (scep_static_revoke(s) < 0) {
		error_msg("no live static SCEP challenge (sipca scep challenges)");
		status = EXIT_USAGE;
	} else {
		cli_say("revoked the static SCEP challenge\n");
	}
	store_close(s);
	return status;
}

/* The static challenge's row: its pattern where a one-time one has its name. */
static int
static_row(const struct store_record *r, void *arg)
{
	char until[21], *names = scep_static_names(r), *shown = text_echo(names);
	char *st = text_echo(r->status);

	(void)arg;
	format_time_rfc3339(r->expires, until);
	printf("%-32s %-8s %s names %s\n", "(static)", strcmp(r->status, "valid") == 0 &&
	    r->expires != 0 && r->expires <= sipca_now() ? "expired" : st,
	    r->expires != 0 ? until : "never", strcmp(names,
	    SCEP_STATIC_NAMES_MAC) == 0 ? "MAC" : shown);
	free(st);
	free(shown);
	free(names);
	return 0;
}

/* Name, status, expiry: never the hash, which would let a guess be checked offline. */
static int
challenge_row(const struct store_record *r, void *arg)
{
	char until[21], *name = text_echo(r->id), *st = text_echo(r->status);
	const char *shown = st;

	(void)arg;
	if (strcmp(r->status, "valid") == 0 && r->expires != 0 &&
	    r->expires <= sipca_now())
		shown = "expired";
	format_time_rfc3339(r->expires, until);
	/* The profile last, so the first three columns read as they always have. */
	printf("%-32s %-8s %s%s\n", name, shown, r->expires != 0 ? until : "never",
	    scep_challenge_is_eap_tls(r) ? " eap-tls" : "");
	free(name);
	free(st);
	return 0;
}

static int
challenge_list(void)
{
	struct store *s = NULL;
	int ret, status;

	if ((status = cli_store_open(STORE_READONLY, &s)) != EXIT_OK)
		return status;
	ret = store_record_each(s, SCEP_CHALLENGE_KIND, NULL, challenge_row, NULL);
	if (ret >= 0)
		ret = store_record_each(s, SCEP_STATIC_KIND, NULL, static_row, NULL);
	status = ret < 0 ? cli_store_outcome(s, ret) : EXIT_OK;
	store_close(s);
	return status;
}

/* One digest of data, as phones show it (AB:CD:...). */
static void
print_digest(const char *who, const char *what, gnutls_digest_algorithm_t alg,
    const gnutls_datum_t *data)
{
	unsigned char d[64];
	char *hex;

	if (gnutls_hash_fast(alg, data->data, data->size, d) < 0) {
		printf("%s %-12s (cannot be computed)\n", who, what);
		return;
	}
	hex = hex_colon(d, gnutls_hash_get_len(alg));
	printf("%s %-12s %s\n", who, what, hex);
	free(hex);
}

/*
 * What devices are told to pin: the certificate's SHA-256 and SHA-1,
 * its MD5 (what Microsoft NDES shows), and the SHA-1 of the public key
 * (the DER SubjectPublicKeyInfo).
 */
static int
print_fingerprints(const char *who, gnutls_x509_crt_t crt, int with_key)
{
	gnutls_datum_t der = { NULL, 0 }, spki = { NULL, 0 };
	gnutls_pubkey_t pub = NULL;
	char *subject = cert_subject(crt);
	int ret, rc = -1;

	if ((ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0 ||
	    (ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki)) < 0) {
		error_msg("%s certificate: %s", who, gnutls_strerror(ret));
		goto out;
	}
	printf("%s %-12s %s\n", who, "subject", subject != NULL ? subject : "?");
	print_digest(who, "sha256", GNUTLS_DIG_SHA256, &der);
	print_digest(who, "sha1", GNUTLS_DIG_SHA1, &der);
	print_digest(who, "md5", GNUTLS_DIG_MD5, &der);
	if (with_key)
		print_digest(who, "key-sha1", GNUTLS_DIG_SHA1, &spki);
	rc = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	gnutls_free(der.data);
	gnutls_free(spki.data);
	free(subject);
	return rc;
}

static int
fingerprints(void)
{
	struct report rep = { NULL, 0 };
	struct store *s = NULL;
	struct ca *ca = NULL, *root = NULL;
	struct scep_ra ra;
	int status, rc = 0;
	enum result r;

	memset(&ra, 0, sizeof(ra));
	if ((status = cli_store_open(STORE_READONLY, &s)) != EXIT_OK)
		return status;
	if ((status = cli_outcome(signer_open(s, 0, NULL, &ca, &rep), &rep)) != EXIT_OK)
		goto out;
	rc |= print_fingerprints("ca", ca->crt, 1);
	if (signer_has_root(s) == 1 && signer_open_root(s, 0, NULL, NULL, &root,
	    &rep) == RESULT_OK)
		rc |= print_fingerprints("root", root->crt, 1);
	report_clear(&rep);
	r = scep_ra_load(s, &ra, &rep);
	if (r == RESULT_OK) {
		printf("ra %-12s %s\n", "serial", ra.serial);
		rc |= print_fingerprints("ra", ra.crt, 0);
	} else if (rep.n == 0) {
		cli_say("no SCEP RA certificate yet: 'sipca scep ra' makes it\n");
	} else {
		cli_report_print(&rep);
	}
	report_clear(&rep);
	status = rc < 0 ? EXIT_OPERATIONAL : EXIT_OK;
out:
	scep_ra_clear(&ra);
	ca_free(ca);
	ca_free(root);
	store_close(s);
	return status;
}

static int
ra(const struct scep_args *a)
{
	struct signing sg;
	struct report rep = { NULL, 0 };
	struct scep_ra_params p;
	struct scep_ra cur;
	char serial[2 * SERIAL_LEN + 1], until[21];
	int status;
	enum result r;

	memset(&sg, 0, sizeof(sg));
	memset(&cur, 0, sizeof(cur));
	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, &sg, &rep),
	    &rep)) != EXIT_OK)
		goto out;
	r = scep_ra_load(sg.store, &cur, &rep);
	if (r == RESULT_E_FAILED) {
		status = cli_outcome(r, &rep);
		goto out;
	}
	if (r == RESULT_OK && !a->renew) {
		format_time_rfc3339(cur.not_after, until);
		printf("%s\n", cur.serial);
		cli_say("the SCEP RA certificate is %s, valid until %s (issued/%s/;"
		    " 'sipca scep ra --renew' replaces it)\n", cur.serial, until,
		    SCEP_RA_NAME);
		status = EXIT_OK;
		goto out;
	}
	report_clear(&rep);
	if ((status = cli_outcome(signing_unlock(&sg, &a->secrets, &rep), &rep)) !=
	    EXIT_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.domain = sg.domain;
	p.crl_url = sg.crl_url;
	p.organization = sg.defaults.organization;
	if ((status = cli_outcome(scep_ra_make(sg.store, sg.ca, &p, a->renew, serial,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	printf("%s\n", serial);
	cli_say("%s the SCEP RA certificate %s (RSA, issued/%s/); a running sipca"
	    " serve reads it on SIGHUP\n", a->renew && r == RESULT_OK ? "renewed:"
	    " now" : "made", serial, SCEP_RA_NAME);
	status = EXIT_OK;
out:
	report_clear(&rep);
	scep_ra_clear(&cur);
	signing_clear(&sg);
	return status;
}

static int
cmd_scep(int argc, char **argv)
{
	struct cli_parser p;
	struct scep_args a;
	const char *verb, *reason;
	char *shown = NULL;
	int c, n, status = EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	cli_parser_init(&p, &command_scep, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_URI:
			if (san_check_sip_uri(p.arg, 0, &reason) < 0) {
				error_msg("invalid --uri: '%s': %s", (shown =
				    text_echo(p.arg)), reason);
				goto out;
			}
			a.uris = xrealloc(a.uris, (a.n_uris + 1) * sizeof(*a.uris));
			a.uris[a.n_uris++] = p.arg;
			break;
		case OPT_TTL:
			if (scep_challenge_parse_ttl(p.arg, &a.ttl) < 0) {
				error_msg("invalid --ttl: '%s' (N[s|m|h|d], 1m to 365d)",
				    (shown = text_echo(p.arg)));
				goto out;
			}
			break;
		case OPT_REVOKE: a.revoke = 1; break;
		case OPT_EAP_TLS: a.eap_tls = 1; break;
		case OPT_NAMES:
			if (scep_static_check_names(p.arg, &reason) < 0) {
				error_msg("invalid --names: '%s': %s", (shown =
				    text_echo(p.arg)), reason);
				goto out;
			}
			a.names = p.arg;
			break;
		case OPT_RENEW: a.renew = 1; break;
		case OPT_PASSFILE: a.secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: a.secrets.pin_file = p.arg; break;
		case CLI_HELP: status = EXIT_OK; goto out;
		default: status = cli_usage_error(&command_scep); goto out;
		}
	}
	n = argc - p.index;
	verb = n >= 1 ? argv[p.index] : "fingerprints";
	if (strcmp(verb, "challenge") != 0 && strcmp(verb, "static-challenge") != 0 &&
	    (a.n_uris > 0 || a.ttl > 0 || a.revoke || a.eap_tls)) {
		error_msg("--uri, --ttl, --eap-tls and --revoke go with 'scep challenge'"
		    " (--ttl and --revoke also with 'scep static-challenge')");
		status = cli_usage_error(&command_scep);
	} else if (strcmp(verb, "static-challenge") == 0 && a.eap_tls) {
		error_msg("--eap-tls goes with 'scep challenge'");
		status = cli_usage_error(&command_scep);
	} else if (strcmp(verb, "static-challenge") != 0 && a.names != NULL) {
		error_msg("--names goes with 'scep static-challenge'");
		status = cli_usage_error(&command_scep);
	} else if (strcmp(verb, "static-challenge") == 0 && n == 1) {
		if (a.n_uris > 0) {
			error_msg("the static challenge takes no --uri: its"
			    " certificates get sip:NAME@DOMAIN");
			status = cli_usage_error(&command_scep);
		} else if (a.revoke && (a.ttl > 0 || a.names != NULL)) {
			error_msg("--revoke takes no --names or --ttl");
			status = cli_usage_error(&command_scep);
		} else
			status = a.revoke ? static_revoke() : static_new(&a);
	} else if (strcmp(verb, "ra") != 0 && (a.renew || a.secrets.passphrase_file ||
	    a.secrets.pin_file)) {
		error_msg("--renew, --passphrase-file and --pin-file go with 'scep ra'");
		status = cli_usage_error(&command_scep);
	} else if (strcmp(verb, "fingerprints") == 0 && n <= 1) {
		status = fingerprints();
	} else if (strcmp(verb, "challenge") == 0 && n == 2) {
		if (a.revoke && (a.n_uris > 0 || a.ttl > 0 || a.eap_tls)) {
			error_msg("--revoke takes no --uri, --ttl or --eap-tls");
			status = cli_usage_error(&command_scep);
		} else
			status = a.revoke ? challenge_revoke(argv[p.index + 1]) :
			    challenge_new(argv[p.index + 1], &a);
	} else if (strcmp(verb, "challenges") == 0 && n == 1) {
		status = challenge_list();
	} else if (strcmp(verb, "ra") == 0 && n == 1) {
		status = ra(&a);
	} else {
		if (strcmp(verb, "challenge") == 0)
			cli_operand_error(n - 1, argv + p.index + 1,
			    "NAME: the device's name");
		else if (strcmp(verb, "fingerprints") == 0 ||
		    strcmp(verb, "challenges") == 0 || strcmp(verb, "ra") == 0 ||
		    strcmp(verb, "static-challenge") == 0)
			cli_operand_error(n, argv + p.index, "nothing");
		else
			error_msg("unknown scep subcommand: '%s' (fingerprints,"
			    " challenge, static-challenge, challenges or ra)",
			    (shown = text_echo(verb)));
		status = cli_usage_error(&command_scep);
	}
out:
	free(a.uris);
	free(shown);
	cli_parser_free(&p);
	return status;
}
