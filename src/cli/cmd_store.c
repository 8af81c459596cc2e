/*
 * sipca store: the store's index itself. upgrade brings the index's
 * schema to this sipca's version (which any writing command also does)
 * and says what it did; migrate moves an SQLite store's index into an
 * empty PostgreSQL database and points the directory at it
 * (include/store.h, store_migrate). What each did goes to stderr, as
 * every action's status does; a connection string is shown only as the
 * store shows it, without its password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_status.h"
#include "store.h"
#include "util.h"

enum { OPT_TO = 256 };

static const struct cli_option store_options[] = {
	{ "to", OPT_TO, 1, "URL", NULL, "migrate: the empty PostgreSQL database, postgresql://USER@HOST/DB (a password is better in ~/.pgpass or PGPASSFILE)" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_store(int argc, char **argv);

const struct command command_store = {
	"store", cmd_store,
	"store upgrade\n"
	"store migrate --to URL",
	"Upgrade the index's schema; move an SQLite index into PostgreSQL.",
	store_options, "upgrade,migrate",
};

static int
upgrade(void)
{
	struct store *s = NULL;
	struct store_schema sc;
	int status;

	/* A read-write open is what upgrades (src/store/sqlite.c). */
	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	store_schema(s, &sc);
	if (sc.found != sc.version)
		cli_say("upgraded the index %s (%s) from schema version %d to %d\n",
		    sc.where, sc.backend, sc.found, sc.version);
	else
		cli_say("the index %s (%s) is already at schema version %d\n",
		    sc.where, sc.backend, sc.version);
	store_schema_clear(&sc);
	cli_store_print(s);
	store_close(s);
	return EXIT_OK;
}

static int
migrate(const char *to)
{
	struct store_migration m;
	struct store *s = NULL;
	int status, ret;

	memset(&m, 0, sizeof(m));
	if ((status = cli_store_open(0, &s)) != EXIT_OK)
		return status;
	ret = store_migrate(s, to, &m);
	if (ret == STORE_OK) {
		cli_say("migrated the index of '%s' to the database '%s': %lu"
		    " certificates, %lu settings, %lu records\n", store_dir(s),
		    m.target, m.certs, m.settings, m.records);
		cli_say("  store.conf  %s/store.conf names the database\n",
		    store_dir(s));
		cli_say("  kept        %s (the old index; no sipca reads it)\n",
		    m.kept);
	}
	status = cli_store_outcome(s, ret);
	store_migration_clear(&m);
	store_close(s);
	return status;
}

static int
cmd_store(int argc, char **argv)
{
	struct cli_parser p;
	const char *verb, *to = NULL;
	char *shown = NULL;
	int c, n, status = EXIT_USAGE;

	cli_parser_init(&p, &command_store, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case OPT_TO: to = p.arg; break;
		case CLI_HELP: status = EXIT_OK; goto out;
		default: status = cli_usage_error(&command_store); goto out;
		}
	}
	n = argc - p.index;
	verb = n >= 1 ? argv[p.index] : NULL;
	if (verb == NULL) {
		error_msg("missing the subcommand: upgrade or migrate");
		status = cli_usage_error(&command_store);
	} else if (strcmp(verb, "upgrade") == 0 && n == 1 && to == NULL) {
		status = upgrade();
	} else if (strcmp(verb, "migrate") == 0 && n == 1 && to != NULL) {
		status = migrate(to);
	} else {
		if (strcmp(verb, "migrate") == 0 && to == NULL)
			error_msg("migrate: missing --to URL");
		else if (strcmp(verb, "upgrade") == 0 && to != NULL)
			error_msg("--to goes with 'store migrate'");
		else if (strcmp(verb, "upgrade") == 0 || strcmp(verb, "migrate") == 0)
			cli_operand_error(n, argv + p.index, "nothing");
		else
			error_msg("unknown store subcommand: '%s' (upgrade or migrate)",
			    (shown = text_echo(verb)));
		status = cli_usage_error(&command_store);
	}
out:
	free(shown);
	cli_parser_free(&p);
	return status;
}
