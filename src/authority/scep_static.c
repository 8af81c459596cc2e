/*
 * scep_static: the static shared SCEP challenge (include/scep_static.h
 * says what it is and why it is weaker). Made and hashed as the one-time
 * challenges are (scep_challenge.h); only its hash is stored.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <jansson.h>

#include "report.h"
#include "scep_static.h"
#include "store.h"
#include "util.h"

#define NAMES_MAX 128

int
scep_static_check_names(const char *glob, const char **out_reason)
{
	size_t i, n = strlen(glob);

	if (n == 0 || n > NAMES_MAX) {
		*out_reason = "1 to 128 characters";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)glob[i]) && strchr("._@+-*?[]!", glob[i]) == NULL) {
			*out_reason = "only a name's characters ([A-Za-z0-9._@+-]) and *?[]!";
			return -1;
		}
	return 0;
}

enum result
scep_static_create(struct store *s, const struct scep_static_spec *spec,
    char out[SCEP_CHALLENGE_LEN + 1], struct report *rep)
{
	struct store_record r;
	char challenge[SCEP_CHALLENGE_LEN + 1], hash[SCEP_CHALLENGE_HASH];
	char *names = xstrdup(spec->names != NULL ? spec->names : SCEP_STATIC_NAMES_MAC);
	char *doc = NULL, *p;
	const char *reason;
	json_t *d = NULL;
	int ret;
	enum result res = RESULT_E_INPUT;

	memset(&r, 0, sizeof(r));
	if (scep_static_check_names(names, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "invalid --names pattern: %s", reason);
		goto out;
	}
	/* Names are folded to lower case before they are matched. */
	for (p = names; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((res = scep_challenge_secret(challenge, hash, rep)) != RESULT_OK)
		goto out;
	res = RESULT_E_FAILED;
	d = json_pack("{ss}", "names", names);
	doc = json_dumps(d, JSON_COMPACT);
	r.kind = (char *)SCEP_STATIC_KIND;
	r.id = (char *)SCEP_STATIC_ID;
	r.key = hash;
	r.status = (char *)"valid";
	r.expires = sipca_now() + (spec->ttl > 0 ? spec->ttl : SCEP_STATIC_TTL_DEFAULT);
	r.created = sipca_now();
	r.doc = doc;
	ret = store_record_update(s, &r, NULL);
	if (ret == STORE_E_NOTFOUND)
		ret = store_record_add(s, &r);
	if (ret != STORE_OK) {
		if (ret == STORE_E_EXISTS || ret == STORE_E_CONFLICT)
			report_add(rep, REPORT_MESSAGE, "the static challenge could not"
			    " be recorded (changed meanwhile); try again");
		else
			store_take_messages(s, rep);
		goto out;
	}
	memcpy(out, challenge, sizeof(challenge));
	res = RESULT_OK;
out:
	gnutls_memset(challenge, 0, sizeof(challenge));
	json_decref(d);
	free(doc);
	free(names);
	return res;
}

int
scep_static_revoke(struct store *s)
{
	struct store_record *r = NULL;
	int rc = -1;

	if (store_record_get(s, SCEP_STATIC_KIND, SCEP_STATIC_ID, &r) != STORE_OK)
		goto out;
	free(r->status);
	r->status = xstrdup("revoked");
	if (store_record_update(s, r, "valid") == STORE_OK)
		rc = 0;
out:
	store_record_free(r);
	return rc;
}

char *
scep_static_names(const struct store_record *r)
{
	json_t *doc = json_loads(r->doc != NULL ? r->doc : "{}", 0, NULL);
	const char *v = json_string_value(json_object_get(doc, "names"));
	char *names = xstrdup(v != NULL ? v : SCEP_STATIC_NAMES_MAC);

	json_decref(doc);
	return names;
}

enum scep_static_verdict
scep_static_check(struct store *s, const char *challenge, const char *name,
    time_t now, const char **out_reason)
{
	struct store_record *r = NULL;
	char hash[SCEP_CHALLENGE_HASH];
	char *names = NULL;
	enum scep_static_verdict v = SCEP_STATIC_NOT;

	*out_reason = NULL;
	if (store_record_get(s, SCEP_STATIC_KIND, SCEP_STATIC_ID, &r) != STORE_OK ||
	    r->key == NULL || strlen(r->key) != SCEP_CHALLENGE_HASH - 1 ||
	    scep_challenge_hash(challenge, hash) < 0)
		goto out;
	/* Constant time: how long it takes says nothing of how close a guess was. */
	if (gnutls_memcmp(hash, r->key, SCEP_CHALLENGE_HASH - 1) != 0)
		goto out;
	v = SCEP_STATIC_REFUSED;
	names = scep_static_names(r);
	if (strcmp(r->status, "valid") != 0)
		*out_reason = "the static challenge was revoked";
	else if (r->expires != 0 && r->expires <= now)
		*out_reason = "the static challenge has expired";
	else if (fnmatch(names, name, 0) != 0)
		*out_reason = "the request's CN is not a name the static challenge"
		    " enrolls (sipca scep challenges shows its pattern)";
	else
		v = SCEP_STATIC_OK;
out:
	gnutls_memset(hash, 0, sizeof(hash));
	free(names);
	store_record_free(r);
	return v;
}
