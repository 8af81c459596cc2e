/*
 * cli_status: results and store errors into exit statuses; reports,
 * the store's messages and the actions' status lines onto stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_status.h"
#include "signer.h"
#include "store.h"
#include "util.h"

int
cli_status(enum result r)
{
	switch (r) {
	case RESULT_OK:
		return EXIT_OK;
	case RESULT_E_INPUT:
	case RESULT_E_REFUSED:
		return EXIT_USAGE;
	default:
		return EXIT_OPERATIONAL;
	}
}

int
cli_store_status(int store_error)
{
	return cli_status(signer_store_result(store_error));
}

void
cli_report_print(const struct report *r)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n; i++) {
		if (r->lines[i].level == REPORT_WARNING)
			warn_msg("%s", r->lines[i].text);
		else
			error_msg("%s", r->lines[i].text);
	}
}

int
cli_outcome(enum result r, struct report *rep)
{
	cli_report_print(rep);
	report_clear(rep);
	return cli_status(r);
}

void
cli_msg_print(char *msg)
{
	if (msg != NULL)
		error_msg("%s", msg);
	free(msg);
}

void
cli_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void
cli_store_print(struct store *s)
{
	struct report msgs = { NULL, 0 };

	store_take_messages(s, &msgs);
	cli_report_print(&msgs);
	report_clear(&msgs);
}

int
cli_store_outcome(struct store *s, int store_error)
{
	cli_store_print(s);
	return cli_store_status(store_error);
}

int
cli_store_open(int flags, struct store **out_store)
{
	struct report rep = { NULL, 0 };
	int ret = signer_open_store(cli_dir_option(), flags, out_store, &rep);

	cli_report_print(&rep);
	report_clear(&rep);
	return cli_store_status(ret);
}
