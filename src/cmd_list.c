/*
 * sipca list: every certificate the CA has issued.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum { OPT_JSON = 256 };

static const struct cli_option list_options[] = {
	{ "json", OPT_JSON, 0, NULL, NULL, "print a JSON array (name, kind, serial, not_before, not_after, status)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_list(int argc, char **argv);

const struct command command_list = {
	"list", cmd_list,
	"list [--json]",
	"List the certificates in the store, one line each.",
	list_options, NULL,
};

struct list_ctx {
	struct json json;
	int as_json;
	size_t count;
};

static int
print_row(const struct store_cert *c, void *arg)
{
	struct list_ctx *ctx = arg;
	char before[21], after[21];

	format_time_rfc3339(c->not_before, before);
	format_time_rfc3339(c->not_after, after);
	ctx->count++;
	if (ctx->as_json) {
		json_begin_object(&ctx->json);
		json_key(&ctx->json, "name");
		json_string(&ctx->json, c->name);
		json_key(&ctx->json, "kind");
		json_string(&ctx->json, c->kind);
		json_key(&ctx->json, "serial");
		json_string(&ctx->json, c->serial);
		json_key(&ctx->json, "not_before");
		json_string(&ctx->json, before);
		json_key(&ctx->json, "not_after");
		json_string(&ctx->json, after);
		json_key(&ctx->json, "status");
		json_string(&ctx->json, store_status_name(c->status));
		json_end_object(&ctx->json);
		return 0;
	}
	printf("%-24s %-6s %s %s %s\n", c->name, c->kind, c->serial, after,
	    store_status_name(c->status));
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	struct cli_parser p;
	struct store *store = NULL;
	struct store_filter filter = { NULL, NULL, -1, 0 };
	struct list_ctx ctx;
	int c, ret, status = EXIT_USAGE;

	memset(&ctx, 0, sizeof(ctx));
	cli_parser_init(&p, &command_list, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_JSON: ctx.as_json = 1; break;
		default:
			status = cli_usage_error(&command_list);
			goto out;
		}
	}
	if (p.index != argc) {
		error_msg("unexpected argument: '%s'", argv[p.index]);
		goto out;
	}
	if ((status = signer_open_store(STORE_READONLY, &store)) != EXIT_OK)
		goto out;
	if (ctx.as_json) {
		json_init(&ctx.json, stdout, 1);
		json_begin_array(&ctx.json);
	}
	ret = store_list(store, &filter, print_row, &ctx);
	if (ctx.as_json) {
		json_end_array(&ctx.json);
		json_finish(&ctx.json);
	}
	status = ret < 0 ? signer_exit_status(ret) : EXIT_OK;
out:
	cli_parser_free(&p);
	store_close(store);
	return status;
}
