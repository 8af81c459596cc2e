/*
 * pg: the PostgreSQL index (not written yet: a placeholder that refuses).
 */
#include "store_int.h"

static int
pg_open(struct store *s, int creating)
{
	(void)creating;
	store_msg(s, "this sipca has no PostgreSQL index yet");
	return STORE_E_NOCA;
}

static void
pg_close(struct store *s)
{
	(void)s;
}

const struct store_backend pg_backend = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
};
