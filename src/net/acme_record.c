/*
 * acme_record: the ACME server's objects as the store's records
 * (store.h): accounts, orders and authorizations are JSON documents with
 * a status, named by random identifiers that stand in their URLs, and
 * changed only from the status a request saw (compare-and-set), so two
 * requests never both move one object on.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <jansson.h>

#include "acme_int.h"
#include "util.h"

char *
acme_random_id(void)
{
	unsigned char raw[16];

	/* Names of records are guessable by nobody: they stand in URLs. */
	if (gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof(raw)) < 0)
		abort();
	return b64url_encode(raw, sizeof(raw));
}

json_t *
acme_time(time_t t)
{
	char buf[21];

	format_time_rfc3339(t, buf);
	return json_string(buf);
}

json_t *
acme_doc(const struct store_record *rec)
{
	return json_loads(rec->doc, 0, NULL);
}

int
acme_save(struct acme *a, struct store_record *rec, json_t *doc,
    const char *status, const char *expect)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	char *old_doc = rec->doc, *old_status = rec->status;
	int ret;

	if (text == NULL)
		return STORE_E_IO;
	rec->doc = text;
	rec->status = (char *)status;
	ret = store_record_update(a->cfg->store, rec, expect);
	rec->status = old_status;
	if (ret == STORE_OK) {
		free(old_doc);
		free(rec->status);
		rec->status = xstrdup(status);
	} else {
		rec->doc = old_doc;
		free(text);
	}
	return ret;
}
