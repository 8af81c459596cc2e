/*
 * crl_publish: the store's revoked rows into DIR/crl.pem, or those the
 * root of a two-level CA issued into DIR/root-crl.pem.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "ca.h"
#include "crl.h"
#include "crl_publish.h"
#include "report.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

struct revoked {
	struct crl_entry *items;
	size_t n;
	const struct ca *issuer;	/* NULL: every revoked row */
};

static int
collect(const struct store_cert *c, void *arg)
{
	struct revoked *r = arg;
	struct crl_entry *e;

	if (r->issuer != NULL && !ca_issued_pem(r->issuer, c->pem))
		return 0;
	r->items = xrealloc(r->items, (r->n + 1) * sizeof(*r->items));
	e = &r->items[r->n++];
	e->serial_hex = xstrdup(c->serial);
	e->revoked_at = c->revoked_at;
	/* The index keeps the name sipca revoke was given; older rows may have none. */
	if (c->revoke_reason == NULL ||
	    crl_reason_parse(c->revoke_reason, &e->reason) < 0)
		e->reason = CRL_REASON_UNSPECIFIED;
	return 0;
}

/*
 * DIR/crls.pem: every CRL the store publishes, one after the other, for
 * a server that checks the revocation of every certificate of a chain
 * (OpenSSL's X509_V_FLAG_CRL_CHECK_ALL, which Kamailio sets): with a
 * root above the issuing CA, a path needs the root's CRL (root-crl.pem)
 * as well as the issuing CA's (crl.pem); in a rollover's overlap the old
 * generation's leaves need the old CAs' (old-crl.pem, old-root-crl.pem).
 */
static int
write_all_crls(struct store *s)
{
	static const char *const files[] = {
		"crl.pem", "root-crl.pem", "old-crl.pem", "old-root-crl.pem",
	};
	unsigned char *data = NULL;
	char *all = NULL;
	size_t len = 0, total = 0, i;
	int ret = STORE_OK;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((ret = store_read_file(s, files[i], &data, &len)) ==
		    STORE_E_NOTFOUND)
			continue;
		if (ret < 0)
			goto out;
		all = xrealloc(all, total + len + 1);
		memcpy(all + total, data, len);
		total += len;
		free(data);
		data = NULL;
	}
	ret = total > 0 ? store_write_file(s, "crls.pem", all, total, 0) : STORE_OK;
out:
	free(data);
	free(all);
	return ret < 0 ? ret : STORE_OK;
}

enum result
crl_publish_all(struct store *s, struct report *rep)
{
	int ret = write_all_crls(s);

	store_take_messages(s, rep);
	return signer_store_result(ret);
}

/* The CRL of ca over entries, numbered, valid for days from now; in pub. */
static enum result
build(const struct ca *ca, const struct crl_entry *entries, size_t n,
    unsigned long long number, long days, struct crl_published *pub,
    struct report *rep)
{
	struct crl_params params;
	int ret;

	pub->number = number;
	pub->this_update = sipca_now();
	pub->next_update = pub->this_update + (time_t)days * 86400;
	pub->entries = n;
	memset(&params, 0, sizeof(params));
	params.this_update = pub->this_update;
	params.next_update = pub->next_update;
	params.number = number;
	params.entries = entries;
	params.n = n;
	if ((ret = crl_build(&params, ca, &pub->der)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot make the CRL: crl_build: %s",
		    gnutls_strerror(ret));
		return RESULT_E_FAILED;
	}
	if ((ret = crl_to_pem(&pub->der, &pub->pem)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot make the CRL:"
		    " gnutls_pem_base64_encode2: %s", gnutls_strerror(ret));
		return RESULT_E_FAILED;
	}
	return RESULT_OK;
}

static enum result
publish(struct store *s, const struct ca *ca, const struct ca *only,
    const char *rel, long days, struct crl_published *out, struct report *rep)
{
	struct store_filter filter = { NULL, NULL, STATUS_REVOKED, 0 };
	struct revoked revoked = { NULL, 0, only };
	struct crl_published pub;
	unsigned long long number;
	size_t i;
	enum result status = RESULT_E_FAILED;
	int ret, locked = 0;

	memset(&pub, 0, sizeof(pub));
	/* One lock over number, rows and file: CRL n+1 never lands before n. */
	if ((ret = store_lock(s)) < 0) {
		store_take_messages(s, rep);
		status = signer_store_result(ret);
		goto out;
	}
	locked = 1;
	if ((ret = store_list(s, &filter, collect, &revoked)) < 0 ||
	    (ret = store_crl_number_next(s, &number)) < 0) {
		store_take_messages(s, rep);
		status = signer_store_result(ret);
		goto out;
	}
	if ((status = build(ca, revoked.items, revoked.n, number, days, &pub,
	    rep)) != RESULT_OK)
		goto out;
	if ((ret = store_write_file(s, rel, pub.pem.data, pub.pem.size, 0)) < 0 ||
	    (ret = write_all_crls(s)) < 0) {
		store_take_messages(s, rep);
		status = signer_store_result(ret);
		goto out;
	}
	*out = pub;
	memset(&pub, 0, sizeof(pub));
	status = RESULT_OK;
out:
	if (locked)
		store_unlock(s);
	for (i = 0; i < revoked.n; i++)
		free((char *)revoked.items[i].serial_hex);
	free(revoked.items);
	crl_published_clear(&pub);
	return status;
}

enum result
crl_first(struct store *s, const struct ca *ca, long days,
    struct crl_published *out, struct report *rep)
{
	unsigned long long number;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = store_lock(s)) == STORE_OK) {
		ret = store_crl_number_next(s, &number);
		store_unlock(s);
	}
	if (ret < 0) {
		store_take_messages(s, rep);
		return signer_store_result(ret);
	}
	return build(ca, NULL, 0, number, days, out, rep);
}

enum result
crl_publish(struct store *s, const struct ca *ca, long days,
    struct crl_published *out, struct report *rep)
{
	return publish(s, ca, NULL, "crl.pem", days, out, rep);
}

enum result
crl_publish_root(struct store *s, const struct ca *root, long days,
    struct crl_published *out, struct report *rep)
{
	return publish(s, root, root, "root-crl.pem", days, out, rep);
}

/*
 * One old CA's CRL in the overlap. The old root key may have moved off
 * the machine as the current one may: then its CRL is not made again,
 * and the caller hears why.
 */
static enum result
publish_old(struct store *s, int root, const struct signer_secrets *secrets,
    long days, struct report *rep)
{
	struct crl_published pub;
	struct ca *old = NULL;
	enum result r;

	memset(&pub, 0, sizeof(pub));
	if ((r = signer_open_old(s, root, secrets, &old, rep)) ==
	    RESULT_OK)
		r = publish(s, old, old, root ? "old-root-crl.pem" :
		    "old-crl.pem", days, &pub, rep);
	crl_published_clear(&pub);
	ca_free(old);
	return r;
}

/*
 * 1 when the old root can sign its CRL here; 0 when the old CA had no
 * root, or its key is neither in the store nor on a token (a warning
 * says what that costs); or a store error.
 */
static int
old_root_here(struct store *s, struct report *rep)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char *uri = NULL;
	int ret;

	ret = store_read_rollover_file(s, STORE_OLD_ROOT, &data, &len);
	free(data);
	if (ret < 0)
		return ret == STORE_E_NOTFOUND ? 0 : ret;
	if (store_setting_get(s, "old_root_key_uri", &uri) == STORE_OK) {
		free(uri);
		return 1;
	}
	data = NULL;
	ret = store_read_rollover_file(s, STORE_OLD_ROOT_KEY, &data, &len);
	secret_free_buf(data, len);
	if (ret == STORE_E_NOTFOUND) {
		report_add(rep, REPORT_WARNING, "old-root-crl.pem is not made"
		    " again: the old root key is not in the store; the old"
		    " certificates' chains need it until 'sipca rollover finish'");
		return 0;
	}
	return ret < 0 ? ret : 1;
}

enum result
crl_publish_overlap(struct store *s, int root,
    const struct signer_secrets *secrets, long days, const char **out_file,
    struct report *rep)
{
	enum store_rollover_state st;
	enum result r;
	int ret = store_rollover_state(s, &st);

	*out_file = NULL;
	store_take_messages(s, rep);
	if (ret < 0)
		return signer_store_result(ret);
	if (st != STORE_ROLLOVER_SWITCHED)
		return RESULT_OK;
	if (root && (ret = old_root_here(s, rep), store_take_messages(s, rep),
	    ret) <= 0)
		return signer_store_result(ret);
	if ((r = publish_old(s, root, secrets, days, rep)) == RESULT_OK)
		*out_file = root ? "old-root-crl.pem" : "old-crl.pem";
	return r;
}

void
crl_published_clear(struct crl_published *p)
{
	if (p == NULL)
		return;
	gnutls_free(p->der.data);
	gnutls_free(p->pem.data);
	p->der.data = p->pem.data = NULL;
}
