/*
 * sipca list: every certificate the CA has issued, with filters that make
 * it an expiry inventory: "sipca list --expiring 30" exits 1 when
 * something expires within 30 days, so cron or a monitoring check can
 * alarm on it. The CA's own certificates are part of it: a row each
 * before the issued ones, and due under --expiring like them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca_inventory.h"
#include "cert.h"
#include "cli.h"
#include "cli_status.h"
#include "json.h"
#include "san.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_JSON = 256, OPT_EXPIRING, OPT_STATUS, OPT_KIND };

/* The summary's "expiring" window without --expiring (with it, its DAYS). */
#define SUMMARY_EXPIRING_DAYS 30

static const struct cli_option list_options[] = {
	{ "expiring", OPT_EXPIRING, 1, "DAYS", NULL, "only valid certificates (the CA's too) expiring within DAYS; exit 1 if any" },
	{ "status", OPT_STATUS, 1, "STATUS", "valid,expired,revoked,superseded", "only certificates with this status" },
	{ "kind", OPT_KIND, 1, "KIND", "server,device,eap-tls", "only server, device or 802.1X (eap-tls) device certificates" },
	{ "json", OPT_JSON, 0, NULL, NULL, "print a JSON array of objects (schema in README.md, Inventory)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_list(int argc, char **argv);

const struct command command_list = {
	"list", cmd_list,
	"list [--expiring DAYS] [--status STATUS] [--kind KIND] [--json] [NAME]",
	"List the CA's certificate and the issued ones, one line each, and count these.",
	list_options, "@name",
};

struct list_ctx {
	struct jsonw json;
	int as_json;
	time_t now;
	const struct store_filter *filter;
	size_t count, valid, expiring, expired, revoked, superseded;
	size_t ca_due;			/* CA certificates --expiring found */
	long window;			/* the summary's "expiring within" days */
};

static void
json_time(struct jsonw *j, const char *key, time_t t)
{
	char buf[21];

	jsonw_key(j, key);
	if (t == 0) {
		jsonw_null(j);
		return;
	}
	format_time_rfc3339(t, buf);
	jsonw_string(j, buf);
}

static void
print_json(struct list_ctx *ctx, const struct store_cert *c)
{
	struct jsonw *j = &ctx->json;
	struct san_list sans = { NULL, 0 };
	char *one;
	size_t i;

	jsonw_begin_object(j);
	jsonw_key(j, "name");
	jsonw_string(j, c->name);
	jsonw_key(j, "kind");
	jsonw_string(j, c->kind);
	jsonw_key(j, "serial");
	jsonw_string(j, c->serial);
	json_time(j, "not_before", c->not_before);
	json_time(j, "not_after", c->not_after);
	jsonw_key(j, "status");
	jsonw_string(j, store_status_name(c->status));
	/* Whole days left, negative once expired: what an alarm compares. */
	jsonw_key(j, "days_left");
	jsonw_int(j, (long long)((c->not_after - ctx->now) / 86400));
	jsonw_key(j, "subject");
	jsonw_string(j, c->subject);
	jsonw_key(j, "sans");
	jsonw_begin_array(j);
	if (c->sans != NULL && san_list_parse(c->sans, &sans) == 0) {
		for (i = 0; i < sans.n; i++) {
			struct san_list single = { &sans.items[i], 1 };

			one = san_list_format(&single);
			jsonw_string(j, one);
			free(one);
		}
	}
	san_list_clear(&sans);
	jsonw_end_array(j);
	jsonw_key(j, "key_source");
	jsonw_string(j, c->key_source);
	jsonw_key(j, "key_type");
	jsonw_string(j, c->key_type);
	jsonw_key(j, "forced");
	jsonw_bool(j, c->forced);
	json_time(j, "issued_at", c->issued_at);
	json_time(j, "revoked_at", c->status == STATUS_REVOKED ? c->revoked_at : 0);
	jsonw_key(j, "revoke_reason");
	jsonw_string(j, c->status == STATUS_REVOKED ? c->revoke_reason : NULL);
	/* Only for what the command line did not issue (an ACME account's). */
	if (c->origin != NULL) {
		jsonw_key(j, "origin");
		jsonw_string(j, c->origin);
	}
	jsonw_end_object(j);
}

/* Fields of the index reach the terminal escaped, since the index is a
 * file that may have been edited. */
static int
print_row(const struct store_cert *c, void *arg)
{
	struct list_ctx *ctx = arg;
	char after[21], *name, *kind, *serial;

	ctx->count++;
	switch (c->status) {
	case STATUS_VALID:
		ctx->valid++;
		if (c->not_after <= ctx->now + (time_t)ctx->window * 86400)
			ctx->expiring++;
		break;
	case STATUS_EXPIRED: ctx->expired++; break;
	case STATUS_REVOKED: ctx->revoked++; break;
	case STATUS_SUPERSEDED: ctx->superseded++; break;
	default: break;
	}
	if (ctx->as_json) {
		print_json(ctx, c);
		return 0;
	}
	format_time_rfc3339(c->not_after, after);
	name = text_echo(c->name);
	kind = text_echo(c->kind);
	serial = text_echo(c->serial);
	printf("%-24s %-6s %s %s %s\n", name, kind, serial, after,
	    store_status_name(c->status));
	free(name);
	free(kind);
	free(serial);
	return 0;
}

/*
 * A CA certificate's row, when the filters let one through: no NAME or
 * --kind (they select issued certificates), a --status of valid or
 * expired, and under --expiring a valid one that is due. Marked as the
 * CA's and left out of the summary's counts, which are the index's.
 * --json stays the array of issued certificates (README, Inventory): a
 * due CA is said on stderr instead.
 */
static int
print_ca_row(const struct ca_inventory_entry *e, void *arg)
{
	struct list_ctx *ctx = arg;
	const struct store_filter *f = ctx->filter;
	enum store_status st = e->not_after < ctx->now ? STATUS_EXPIRED :
	    STATUS_VALID;
	long left = ca_inventory_days_left(e->not_after, ctx->now);
	char after[21];

	if (f->status >= 0 && f->status != (int)st)
		return 0;
	if (f->expires_before != 0 && (st != STATUS_VALID ||
	    e->not_after >= f->expires_before))
		return 0;
	format_time_rfc3339(e->not_after, after);
	if (f->expires_before != 0)
		ctx->ca_due++;
	if (ctx->as_json) {
		if (f->expires_before != 0)
			warn_msg("the CA certificate %s expires at %s, in %ld day%s",
			    e->file, after, left, left == 1 ? "" : "s");
		return 0;
	}
	if (st == STATUS_VALID)
		printf("%-24s %-6s %s %s %s (CA certificate, %ld day%s left)\n",
		    e->file, e->role, e->serial, after, store_status_name(st), left,
		    left == 1 ? "" : "s");
	else
		printf("%-24s %-6s %s %s %s (CA certificate)\n", e->file, e->role,
		    e->serial, after, store_status_name(st));
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct store_filter filter = { NULL, NULL, -1, 0 };
	struct list_ctx ctx;
	struct report rep = { NULL, 0 };
	enum store_status st;
	enum cert_kind kind;
	long expiring = -1;
	int c, ret, status = EXIT_USAGE;

	memset(&ctx, 0, sizeof(ctx));
	ctx.now = sipca_now();
	cli_parser_init(&p, &command_list, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_JSON: ctx.as_json = 1; break;
		case OPT_EXPIRING:
			if (parse_long(p.arg, 0, 36500, &expiring) < 0) {
				error_msg("invalid --expiring: '%s' (0 to 36500 days)", p.arg);
				goto out;
			}
			break;
		case OPT_STATUS:
			/* pending is the store's business, never a user's filter. */
			if (store_status_parse(p.arg, &st) < 0 || st == STATUS_PENDING) {
				error_msg("unknown status: '%s' (valid, expired, revoked"
				    " or superseded)", p.arg);
				goto out;
			}
			filter.status = (int)st;
			break;
		case OPT_KIND:
			if (cert_kind_parse(p.arg, &kind) < 0 || kind == KIND_CA) {
				error_msg("unknown kind: '%s' (server, device or eap-tls)", p.arg);
				goto out;
			}
			filter.kind = cert_kind_name(kind);
			break;
		case CLI_HELP:
			status = EXIT_OK;
			goto out;
		default:
			status = cli_usage_error(&command_list);
			goto out;
		}
	}
	if (argc - p.index > 1) {
		error_msg("unexpected argument: '%s'", argv[p.index + 1]);
		goto out;
	}
	if (argc - p.index == 1)
		filter.name = san_fold_store_name(argv[p.index]);
	if (expiring >= 0)
		filter.expires_before = ctx.now + (time_t)expiring * 86400;
	/* "list --expiring 4000" counts within its own 4000 days. */
	ctx.window = expiring >= 0 ? expiring : SUMMARY_EXPIRING_DAYS;
	if ((status = cli_store_open(STORE_READONLY, &store)) != EXIT_OK)
		goto out;
	ctx.filter = &filter;
	if (filter.name == NULL && filter.kind == NULL &&
	    (status = cli_outcome(ca_inventory_each(store, print_ca_row, &ctx,
	    &rep), &rep)) != EXIT_OK)
		goto out;
	if (ctx.as_json) {
		jsonw_init(&ctx.json, stdout, 1);
		jsonw_begin_array(&ctx.json);
	}
	ret = store_list(store, &filter, print_row, &ctx);
	if (ctx.as_json) {
		jsonw_end_array(&ctx.json);
		jsonw_finish(&ctx.json);
	} else if (ret >= 0) {
		/* Counts what was listed; "expiring" is also counted in "valid". */
		printf("%zu certificate%s: %zu valid (%zu expiring within %ld day%s),"
		    " %zu expired, %zu revoked, %zu superseded\n", ctx.count,
		    ctx.count == 1 ? "" : "s", ctx.valid, ctx.expiring,
		    ctx.window, plural(ctx.window), ctx.expired, ctx.revoked,
		    ctx.superseded);
	}
	if (ret < 0)
		status = cli_store_outcome(store, ret);
	else if (expiring >= 0 && (ctx.count > 0 || ctx.ca_due > 0))
		status = EXIT_FINDINGS;
	else
		status = EXIT_OK;
out:
	cli_parser_free(&p);
	store_close(store);
	return status;
}
