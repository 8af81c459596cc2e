/*
 * serve_content: what "sipca serve" hands out, read from the store
 * (include/serve_content.h): the CA certificate(s), the published CRL
 * as DER at the path of the store's CRL URL, and the server's own TLS
 * certificate, chain and key.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "report.h"
#include "secret.h"
#include "serve.h"
#include "serve_content.h"
#include "signer.h"
#include "store.h"
#include "util.h"

const char *
serve_crl_path(const char *crl_url)
{
	const char *p;

	/* RFC 3986 section 3: scheme "://" authority, then the path. */
	if (crl_url == NULL || (p = strstr(crl_url, "://")) == NULL ||
	    (p = strchr(p + 3, '/')) == NULL)
		return SERVE_CRL_PATH;
	return p;
}

/* bytes as a gnutls datum, one NUL after them (not counted unless nul). */
static void
datum_take(gnutls_datum_t *d, const unsigned char *bytes, size_t len, int nul)
{
	d->data = gnutls_malloc(len + 1);
	if (d->data == NULL)
		abort();
	memcpy(d->data, bytes, len);
	d->data[len] = '\0';
	d->size = (unsigned)(len + (nul ? 1 : 0));
}

static enum result
load_ca(struct store *s, struct serve_content *c, struct report *rep)
{
	unsigned char *ca = NULL, *root = NULL, *both;
	size_t ca_len = 0, root_len = 0;
	gnutls_datum_t pem, der = { NULL, 0 };
	enum result r = RESULT_E_FAILED;
	int ret;

	if ((ret = store_read_ca_cert(s, &ca, &ca_len)) != STORE_OK) {
		store_take_messages(s, rep);
		r = signer_store_result(ret);
		goto out;
	}
	/* A two-level CA: the root too, which is what users import. */
	if (store_read_root_cert(s, &root, &root_len) != STORE_OK)
		root_len = 0;
	store_take_messages(s, NULL);
	both = xmalloc(ca_len + root_len);
	memcpy(both, ca, ca_len);
	if (root_len > 0)
		memcpy(both + ca_len, root, root_len);
	datum_take(&c->ca_pem, both, ca_len + root_len, 0);
	free(both);
	pem.data = ca;
	pem.size = (unsigned)ca_len;
	if ((ret = gnutls_pem_base64_decode2("CERTIFICATE", &pem, &der)) < 0) {
		report_add(rep, REPORT_MESSAGE, "ca.pem does not read:"
		    " gnutls_pem_base64_decode2: %s", gnutls_strerror(ret));
		goto out;
	}
	c->ca_der = der;
	r = RESULT_OK;
out:
	free(ca);
	free(root);
	return r;
}

static enum result
load_crl(struct store *s, struct serve_content *c, struct report *rep)
{
	unsigned char *crl = NULL;
	size_t len = 0;
	gnutls_datum_t pem, der = { NULL, 0 };
	int ret;

	ret = store_read_file(s, "crl.pem", &crl, &len);
	if (ret == STORE_E_NOTFOUND)
		return RESULT_OK;		/* served as 404 until there is one */
	if (ret != STORE_OK) {
		store_take_messages(s, rep);
		return signer_store_result(ret);
	}
	pem.data = crl;
	pem.size = (unsigned)len;
	ret = gnutls_pem_base64_decode2("X509 CRL", &pem, &der);
	free(crl);
	if (ret < 0) {
		report_add(rep, REPORT_MESSAGE, "crl.pem does not read:"
		    " gnutls_pem_base64_decode2: %s", gnutls_strerror(ret));
		return RESULT_E_FAILED;
	}
	c->crl_der = der;
	return RESULT_OK;
}

static enum result
load_tls(struct store *s, const char *name, struct serve_content *c,
    struct report *rep)
{
	struct store_cert *cur = NULL;
	unsigned char *chain = NULL, *key = NULL;
	size_t chain_len = 0, key_len = 0;
	char *rel = NULL;
	enum result r = RESULT_E_INPUT;
	int ret;

	ret = store_find_current(s, name, &cur);
	if (ret == STORE_E_NOTFOUND || (ret == STORE_OK &&
	    (cur->status != STATUS_VALID || strcmp(cur->kind, "server") != 0))) {
		report_add(rep, REPORT_MESSAGE, "the store has no valid server"
		    " certificate named '%s' to serve HTTPS with (sipca issue"
		    " server %s, or --name)", name, name);
		store_take_messages(s, NULL);
		goto out;
	}
	if (ret != STORE_OK) {
		store_take_messages(s, rep);
		r = signer_store_result(ret);
		goto out;
	}
	rel = xasprintf("issued/%s/chain.pem", cur->name);
	if ((ret = store_read_file(s, rel, &chain, &chain_len)) != STORE_OK ||
	    (ret = store_read_issued_key(s, cur->name, &key, &key_len)) != STORE_OK) {
		if (ret == STORE_E_NOTFOUND)
			report_add(rep, REPORT_MESSAGE, "'%s' was issued from a"
			    " request: sipca does not hold its key", cur->name);
		store_take_messages(s, rep);
		r = ret == STORE_E_NOTFOUND ? RESULT_E_INPUT : RESULT_E_FAILED;
		goto out;
	}
	/* libmicrohttpd reads both as strings. */
	datum_take(&c->tls_chain, chain, chain_len, 1);
	datum_take(&c->tls_key, key, key_len, 1);
	r = RESULT_OK;
out:
	store_cert_free(cur);
	free(chain);
	secret_free_buf(key, key_len);
	free(rel);
	return r;
}

enum result
serve_content_load(struct store *s, const char *name, const char *crl_url,
    struct serve_content *out, struct report *rep)
{
	struct serve_content c;
	enum result r;

	memset(&c, 0, sizeof(c));
	if ((r = load_ca(s, &c, rep)) != RESULT_OK ||
	    (r = load_crl(s, &c, rep)) != RESULT_OK ||
	    (name != NULL && (r = load_tls(s, name, &c, rep)) != RESULT_OK)) {
		serve_content_clear(&c);
		return r;
	}
	c.crl_path = xstrdup(serve_crl_path(crl_url));
	*out = c;
	return RESULT_OK;
}
