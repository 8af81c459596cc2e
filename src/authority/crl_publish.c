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
 * as well as the issuing CA's (crl.pem).
 */
static int
write_all_crls(struct store *s)
{
	static const char *const files[] = { "crl.pem", "root-crl.pem" };
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

static enum result
publish(struct store *s, const struct ca *ca, const struct ca *only,
    const char *rel, long days, struct crl_published *out, struct report *rep)
{
	struct store_filter filter = { NULL, NULL, STATUS_REVOKED, 0 };
	struct revoked revoked = { NULL, 0, only };
	struct crl_published pub;
	struct crl_params params;
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
	    (ret = store_crl_number_next(s, &pub.number)) < 0) {
		store_take_messages(s, rep);
		status = signer_store_result(ret);
		goto out;
	}
	pub.this_update = sipca_now();
	pub.next_update = pub.this_update + (time_t)days * 86400;
	pub.entries = revoked.n;
	memset(&params, 0, sizeof(params));
	params.this_update = pub.this_update;
	params.next_update = pub.next_update;
	params.number = pub.number;
	params.entries = revoked.items;
	params.n = revoked.n;
	if ((ret = crl_build(&params, ca, &pub.der)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot make the CRL: crl_build: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	if ((ret = crl_to_pem(&pub.der, &pub.pem)) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot make the CRL:"
		    " gnutls_pem_base64_encode2: %s", gnutls_strerror(ret));
		goto out;
	}
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

void
crl_published_clear(struct crl_published *p)
{
	if (p == NULL)
		return;
	gnutls_free(p->der.data);
	gnutls_free(p->pem.data);
	p->der.data = p->pem.data = NULL;
}
