/*
 * sipca acme: what the ACME server of "sipca serve" needs made by hand.
 * For now its External Account Binding keys (RFC 8555 section 7.3.4):
 * a key id and an HMAC key the operator gives to one ACME client, which
 * then signs its newAccount request with them, so that only clients the
 * operator knows can open an account. The server binds, the store keeps
 * them (records of kind "acme-eab"), this command makes, lists and
 * revokes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "acme.h"
#include "cli.h"
#include "cli_status.h"
#include "json.h"
#include "jws.h"
#include "store.h"
#include "util.h"

enum { OPT_JSON = 256 };

/* The record kind the ACME server reads too (src/net/acme_int.h). */
#define EAB_NAME_MAX 64
/*
 * RFC 8555 7.3.4 leaves the key's length to the server; 256 bits is
 * HS256's own block of security, and the key id only has to be unique
 * and unguessable.
 */
#define EAB_HMAC_OCTETS 32
#define EAB_KID_OCTETS 16

static const struct cli_option acme_options[] = {
	{ "json", OPT_JSON, 0, NULL, NULL, "eab new, eab list: print JSON" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_acme(int argc, char **argv);

const struct command command_acme = {
	"acme", cmd_acme,
	"acme eab new NAME [--json]\n"
	"acme eab list [--json]\n"
	"acme eab revoke NAME",
	"Make, list and revoke the External Account Binding keys of sipca serve's ACME server.",
	acme_options, "eab",
};

/* A key's name: what the operator calls the client it was given to. */
static int
name_ok(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= EAB_NAME_MAX &&
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._@-") == n;
}

static int
bad_name(const char *name)
{
	char *shown = text_echo(name);

	error_msg("invalid EAB key name: '%s' (1 to %d of A-Z a-z 0-9 . _ @ -)",
	    shown, EAB_NAME_MAX);
	free(shown);
	return EXIT_USAGE;
}

/* Frees a string that held key material, wiped first. */
static void
free_secret_text(char *s)
{
	if (s != NULL)
		gnutls_memset(s, 0, strlen(s));
	free(s);
}

static int
eab_new(const char *name, int as_json)
{
	unsigned char raw_kid[EAB_KID_OCTETS], raw_hmac[EAB_HMAC_OCTETS];
	struct store_record r;
	struct store *s = NULL;
	char *kid = NULL, *hmac = NULL, *doc = NULL;
	int ret, status;

	if (!name_ok(name))
		return bad_name(name);
	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		goto out;
	if ((ret = gnutls_rnd(GNUTLS_RND_RANDOM, raw_kid, sizeof(raw_kid))) < 0 ||
	    (ret = gnutls_rnd(GNUTLS_RND_RANDOM, raw_hmac, sizeof(raw_hmac))) < 0) {
		error_msg("gnutls_rnd: %s", gnutls_strerror(ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	/*
	 * Neither may start with '-', which certbot's and lego's argument
	 * parsers take for an option ("--eab-kid -x..." fails): a first
	 * sextet of 62 ('-') becomes 63 ('_'), a loss of under 0.03 bits.
	 */
	if (raw_kid[0] >> 2 == 62)
		raw_kid[0] |= 0x04;
	if (raw_hmac[0] >> 2 == 62)
		raw_hmac[0] |= 0x04;
	kid = b64url_encode(raw_kid, sizeof(raw_kid));
	hmac = b64url_encode(raw_hmac, sizeof(raw_hmac));
	/*
	 * Written by hand rather than by jansson, whose copies of the key
	 * would be freed unwiped; base64url needs no JSON escaping.
	 */
	doc = xasprintf("{\"hmac\":\"%s\"}", hmac);
	memset(&r, 0, sizeof(r));
	r.kind = (char *)ACME_EAB_KIND;
	r.id = kid;
	r.key = (char *)name;
	r.status = (char *)"valid";
	r.doc = doc;
	ret = store_record_add(s, &r);
	if (ret == STORE_E_EXISTS) {
		error_msg("an EAB key named '%s' exists already (sipca acme eab"
		    " list); nothing changed", name);
		status = EXIT_USAGE;
		goto out;
	}
	if (ret < 0) {
		status = cli_store_outcome(s, ret);
		goto out;
	}
	/*
	 * NAME's characters and base64url's need no JSON escaping: the line
	 * is written as it reads, one object a script takes whole.
	 */
	if (as_json)
		printf("{\"name\": \"%s\", \"kid\": \"%s\", \"hmac\": \"%s\"}\n",
		    name, kid, hmac);
	else
		printf("kid: %s\nhmac: %s\n", kid, hmac);
	cli_say("made EAB key '%s': give its kid and hmac to that ACME client"
	    " only; the hmac is not shown again\n", name);
	status = EXIT_OK;
out:
	gnutls_memset(raw_hmac, 0, sizeof(raw_hmac));
	free_secret_text(hmac);
	free_secret_text(doc);
	free(kid);
	store_close(s);
	return status;
}

struct list_ctx {
	struct jsonw json;
	int as_json;
};

/* Never the doc: it holds the HMAC key. The index may have been edited: escaped. */
static int
list_row(const struct store_record *r, void *arg)
{
	struct list_ctx *ctx = arg;
	char created[21], *name, *kid, *st;

	format_time_rfc3339(r->created, created);
	if (ctx->as_json) {
		jsonw_begin_object(&ctx->json);
		jsonw_key(&ctx->json, "name");
		jsonw_string(&ctx->json, r->key);
		jsonw_key(&ctx->json, "kid");
		jsonw_string(&ctx->json, r->id);
		jsonw_key(&ctx->json, "status");
		jsonw_string(&ctx->json, r->status);
		jsonw_key(&ctx->json, "created");
		jsonw_string(&ctx->json, created);
		jsonw_end_object(&ctx->json);
		return 0;
	}
	name = text_echo(r->key != NULL ? r->key : "");
	kid = text_echo(r->id);
	st = text_echo(r->status);
	printf("%-24s %-22s %-8s %s\n", name, kid, st, created);
	free(name);
	free(kid);
	free(st);
	return 0;
}

static int
eab_list(int as_json)
{
	struct list_ctx ctx;
	struct store *s = NULL;
	int ret, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.as_json = as_json;
	if ((status = cli_store_open(STORE_READONLY, &s)) != EXIT_OK)
		return status;
	if (as_json) {
		jsonw_init(&ctx.json, stdout, 1);
		jsonw_begin_array(&ctx.json);
	}
	ret = store_record_each(s, ACME_EAB_KIND, NULL, list_row, &ctx);
	if (as_json) {
		jsonw_end_array(&ctx.json);
		jsonw_finish(&ctx.json);
	}
	status = ret < 0 ? cli_store_outcome(s, ret) : EXIT_OK;
	store_close(s);
	return status;
}

/*
 * valid or bound becomes revoked, the status read given as the one
 * expected: when the server binds the key in between, the update is
 * refused and made again from what it is now.
 */
static int
eab_revoke(const char *name)
{
	struct store_record *r = NULL;
	struct store *s = NULL;
	char *was = NULL;
	int ret, status, tries;

	if (!name_ok(name))
		return bad_name(name);
	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	for (tries = 0; tries < 5; tries++) {
		store_record_free(r);
		r = NULL;
		if ((ret = store_record_by_key(s, ACME_EAB_KIND, name, &r)) ==
		    STORE_E_NOTFOUND) {
			error_msg("no EAB key named '%s' (sipca acme eab list)", name);
			status = EXIT_USAGE;
			goto out;
		}
		if (ret < 0)
			break;
		if (strcmp(r->status, "valid") != 0 && strcmp(r->status, "bound") != 0) {
			char *shown = text_echo(r->status);

			error_msg("the EAB key '%s' is %s already; nothing changed",
			    name, shown);
			free(shown);
			status = EXIT_USAGE;
			goto out;
		}
		free(was);
		was = r->status;
		r->status = xstrdup("revoked");
		if ((ret = store_record_update(s, r, was)) != STORE_E_CONFLICT)
			break;
	}
	if (ret == STORE_E_CONFLICT) {
		error_msg("the EAB key '%s' kept changing while being revoked; try"
		    " again", name);
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (ret < 0) {
		status = cli_store_outcome(s, ret);
		goto out;
	}
	cli_say("revoked EAB key '%s' (was %s): no ACME account can bind with it"
	    " any more\n", name, was);
	status = EXIT_OK;
out:
	free(was);
	store_record_free(r);
	store_close(s);
	return status;
}

static int
cmd_acme(int argc, char **argv)
{
	struct cli_parser p;
	const char *verb;
	int c, as_json = 0, n, status = EXIT_USAGE;

	cli_parser_init(&p, &command_acme, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_JSON: as_json = 1; break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_acme);
			goto out;
		}
	}
	n = argc - p.index;
	if (n < 1 || strcmp(argv[p.index], "eab") != 0) {
		if (n < 1)
			error_msg("say what: eab");
		else {
			char *shown = text_echo(argv[p.index]);

			error_msg("unknown acme subcommand: '%s' (eab)", shown);
			free(shown);
		}
		status = cli_usage_error(&command_acme);
		goto out;
	}
	verb = n >= 2 ? argv[p.index + 1] : "";
	if (strcmp(verb, "new") == 0 && n == 3)
		status = eab_new(argv[p.index + 2], as_json);
	else if (strcmp(verb, "list") == 0 && n == 2)
		status = eab_list(as_json);
	else if (strcmp(verb, "revoke") == 0 && n == 3 && !as_json)
		status = eab_revoke(argv[p.index + 2]);
	else {
		if (strcmp(verb, "new") != 0 && strcmp(verb, "list") != 0 &&
		    strcmp(verb, "revoke") != 0) {
			char *shown = text_echo(verb);

			if (n < 2)
				error_msg("say what: new, list or revoke");
			else
				error_msg("unknown eab subcommand: '%s' (new, list or"
				    " revoke)", shown);
			free(shown);
		} else if (as_json && strcmp(verb, "revoke") == 0)
			error_msg("revoke takes no --json");
		else if (strcmp(verb, "list") == 0)
			/* list takes none: the first extra is operands[1]. */
			cli_operand_error(n - 1, argv + p.index + 1, "nothing");
		else
			cli_operand_error(n - 2, argv + p.index + 2,
			    "NAME: the key's name");
		status = cli_usage_error(&command_acme);
	}
out:
	cli_parser_free(&p);
	return status;
}
