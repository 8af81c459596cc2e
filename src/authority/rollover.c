/*
 * rollover: a new root and issuing CA beside the current ones, bridged
 * both ways (RFC 4210 4.4), then switched to; include/rollover.h says why
 * each piece is there. The files are the store's (src/store/rollover.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "crl.h"
#include "crl_publish.h"
#include "cross.h"
#include "renewal.h"
#include "rollover.h"
#include "signer.h"
#include "util.h"
#include "x509.h"

/* X.520 ub-common-name (RFC 5280 appendix A). */
#define CN_MAX 64
/* "example.com SIP Issuing CA", as init names it. */
#define ISSUING_SUFFIX " SIP Issuing CA"

void
rollover_started_clear(struct rollover_started *st)
{
	free(st->root_name);
	free(st->ca_name);
	memset(st, 0, sizeof(*st));
}

static enum result
store_outcome(struct store *s, int ret, struct report *rep)
{
	store_take_messages(s, rep);
	return ret < 0 ? signer_store_result(ret) : RESULT_OK;
}

/* The certificate's commonName as a new string, or NULL. */
static char *
common_name(gnutls_x509_crt_t crt)
{
	char buf[CN_MAX * 4 + 1];
	size_t len = sizeof(buf) - 1;

	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
	    buf, &len) < 0)
		return NULL;
	buf[len] = '\0';
	return xstrdup(buf);
}

/*
 * The generation of a name: "example.com SIP CA G3" is 3 with base
 * "example.com SIP CA", a name without " G<n>" is generation 1.
 */
static unsigned
generation_of(const char *name, size_t *out_base_len)
{
	const char *g = strrchr(name, ' ');
	unsigned long n = 0;
	char *end;

	*out_base_len = strlen(name);
	if (g == NULL || g[1] != 'G' || g[2] < '1' || g[2] > '9')
		return 1;
	n = strtoul(g + 2, &end, 10);
	if (*end != '\0' || n < 2 || n > 999)
		return 1;
	*out_base_len = (size_t)(g - name);
	return (unsigned)n;
}

/* name, its own " G<n>" replaced by (or given) " G<gen>". */
static char *
name_of_generation(const char *name, unsigned gen)
{
	size_t base_len;

	generation_of(name, &base_len);
	return xasprintf("%.*s G%u", (int)base_len, name, gen);
}

static enum result
check_name(const char *what, const char *name, struct report *rep)
{
	const char *reason = NULL;
	char *shown;

	if (text_check_name(name, CN_MAX, &reason) == 0)
		return RESULT_OK;
	shown = text_echo(name);
	report_add(rep, REPORT_MESSAGE, "the new %s's name '%s': %s (give another"
	    " with --%s)", what, shown, reason, strcmp(what, "root") == 0 ?
	    "name" : "intermediate-name");
	free(shown);
	return RESULT_E_INPUT;
}

/*
 * The CA phones trust now (root.pem, or ca.pem of a single-level store)
 * with its key, and the issuing CA's name to carry on from.
 */
static enum result
open_anchor(struct store *s, const struct rollover_params *p,
    struct ca **out_anchor, char **out_issuing_cn, struct report *rep)
{
	struct ca *issuing = NULL;
	char *domain = NULL;
	enum result r;
	int has;

	if ((has = signer_has_root(s)) < 0)
		return store_outcome(s, has, rep);
	store_take_messages(s, rep);
	if (has) {
		if ((r = signer_open_root(s, 1, p->root_key_file, &p->secrets,
		    out_anchor, rep)) != RESULT_OK)
			return r;
		if ((r = signer_open(s, 0, NULL, &issuing, rep)) != RESULT_OK)
			return r;
		*out_issuing_cn = common_name(issuing->crt);
		ca_free(issuing);
	} else {
		if (p->root_key_file != NULL) {
			report_add(rep, REPORT_MESSAGE, "--root-key is for a two-level"
			    " CA; this store's CA key is its ca.key");
			return RESULT_E_INPUT;
		}
		if ((r = signer_open(s, 1, &p->secrets, out_anchor, rep)) !=
		    RESULT_OK)
			return r;
		if (store_setting_get(s, "domain", &domain) == STORE_OK)
			*out_issuing_cn = xasprintf("%s%s", domain, ISSUING_SUFFIX);
		store_take_messages(s, rep);
		free(domain);
	}
	if (*out_issuing_cn == NULL)
		*out_issuing_cn = xstrdup("SIP Issuing CA");
	return RESULT_OK;
}

static enum result
crypto_failed(const char *call, int ret, struct report *rep)
{
	report_add(rep, REPORT_MESSAGE, "%s: %s", call, gnutls_strerror(ret));
	return RESULT_E_FAILED;
}

static void
datum_wipe(gnutls_datum_t *d)
{
	if (d->data != NULL) {
		gnutls_memset(d->data, 0, d->size);
		gnutls_free(d->data);
	}
	d->data = NULL;
	d->size = 0;
}

enum result
rollover_start(struct store *s, const struct rollover_params *p,
    struct rollover_started *out, struct report *rep)
{
	struct ca *anchor = NULL, *root = NULL, *ca = NULL;
	struct ca_params rp, ip;
	gnutls_datum_t root_key = { NULL, 0 }, ca_key = { NULL, 0 };
	gnutls_datum_t bridge = { NULL, 0 }, old_bridge = { NULL, 0 };
	struct crl_published root_crl, ca_crl;
	struct store_rollover_files f;
	char *anchor_cn = NULL, *issuing_cn = NULL, kt[16];
	const char *reason = NULL;
	time_t now = sipca_now();
	size_t base_len;
	unsigned gen;
	enum result r;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&root_crl, 0, sizeof(root_crl));
	memset(&ca_crl, 0, sizeof(ca_crl));
	if ((ret = store_rollover_may_start(s)) < 0)
		return store_outcome(s, ret, rep);
	if ((r = open_anchor(s, p, &anchor, &issuing_cn, rep)) != RESULT_OK)
		goto out;
	if ((anchor_cn = common_name(anchor->crt)) == NULL)
		anchor_cn = xstrdup("SIP CA");
	/* Both new names carry the next generation of the root's. */
	gen = generation_of(anchor_cn, &base_len) + 1;
	out->root_name = p->root_name != NULL ? xstrdup(p->root_name) :
	    name_of_generation(anchor_cn, gen);
	out->ca_name = p->ca_name != NULL ? xstrdup(p->ca_name) :
	    name_of_generation(issuing_cn, gen);
	if ((r = check_name("root", out->root_name, rep)) != RESULT_OK ||
	    (r = check_name("issuing CA", out->ca_name, rep)) != RESULT_OK)
		goto out;
	if (strcmp(out->root_name, out->ca_name) == 0) {
		report_add(rep, REPORT_MESSAGE, "the new root and issuing CA need"
		    " two names; nothing changed");
		r = RESULT_E_INPUT;
		goto out;
	}

	memset(&rp, 0, sizeof(rp));
	rp.common_name = out->root_name;
	if (p->key_type_set)
		rp.key_type = p->key_type;
	else if (key_type_parse(key_type_of_cert(anchor->crt, kt, sizeof(kt)),
	    &rp.key_type) < 0)
		rp.key_type = KEY_P256;
	rp.days = p->days != 0 ? p->days : 3650;
	rp.not_before = now;
	rp.path_len = CA_ROOT_PATH_LEN;
	rp.constraints_of = anchor;	/* the same names, held the same way */
	if ((ret = ca_create(&rp, p->new_passphrase, &root, &root_key)) < 0) {
		r = crypto_failed("ca_create", ret, rep);
		goto out;
	}
	ip = rp;
	ip.common_name = out->ca_name;
	ip.path_len = 0;
	ip.issuer = root;
	ip.constraints_of = NULL;
	if ((ret = ca_create(&ip, p->new_passphrase, &ca, &ca_key)) < 0) {
		r = crypto_failed("ca_create", ret, rep);
		goto out;
	}

	/* OldWithNew: leaves of the old CA, for phones with the new root only. */
	if (cross_certify(anchor->crt, root, now, &old_bridge, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "certifying the old root with the"
		    " new key: %s", reason);
		r = RESULT_E_FAILED;
		goto out;
	}
	/*
	 * NewWithOld, only where the old root lets a path through it: leaf,
	 * new issuing CA, bridge: two CAs below it (RFC 5280 4.2.1.9).
	 */
	out->bridged = cross_path_allowed(anchor->crt, 2) &&
	    cross_certify(root->crt, anchor, now, &bridge, &reason) == 0;

	/* Their first CRLs, current from the switch on (store_rollover_switch). */
	if ((r = crl_first(s, root, CRL_DEFAULT_DAYS, &root_crl, rep)) !=
	    RESULT_OK || (r = crl_first(s, ca, CRL_DEFAULT_DAYS, &ca_crl, rep)) !=
	    RESULT_OK)
		goto out;

	memset(&f, 0, sizeof(f));
	f.root_pem = (const char *)root->pem.data;
	f.root_pem_len = root->pem.size;
	f.root_key = (const char *)root_key.data;
	f.root_key_len = root_key.size;
	f.ca_pem = (const char *)ca->pem.data;
	f.ca_pem_len = ca->pem.size;
	f.ca_key = (const char *)ca_key.data;
	f.ca_key_len = ca_key.size;
	f.bridge_pem = out->bridged ? (const char *)bridge.data : NULL;
	f.bridge_pem_len = bridge.size;
	f.old_bridge_pem = (const char *)old_bridge.data;
	f.old_bridge_pem_len = old_bridge.size;
	f.crl_pem = (const char *)ca_crl.pem.data;
	f.crl_pem_len = ca_crl.pem.size;
	f.root_crl_pem = (const char *)root_crl.pem.data;
	f.root_crl_pem_len = root_crl.pem.size;
	if ((r = store_outcome(s, store_rollover_prepare(s, &f), rep)) != RESULT_OK)
		goto out;
	out->root_not_after = gnutls_x509_crt_get_expiration_time(root->crt);
	out->bridge_not_after = out->bridged ?
	    cross_not_after(root->crt, anchor->crt) : 0;
	r = RESULT_OK;
out:
	if (r != RESULT_OK)
		rollover_started_clear(out);
	datum_wipe(&root_key);
	datum_wipe(&ca_key);
	gnutls_free(bridge.data);
	gnutls_free(old_bridge.data);
	crl_published_clear(&root_crl);
	crl_published_clear(&ca_crl);
	free(anchor_cn);
	free(issuing_cn);
	ca_free(anchor);
	ca_free(root);
	ca_free(ca);
	return r;
}

/* crls.pem follows each step: the old CAs' CRLs join it at the switch and leave at finish. */
enum result
rollover_switch(struct store *s, struct report *rep)
{
	enum result r = store_outcome(s, store_rollover_switch(s), rep);

	return r != RESULT_OK ? r : crl_publish_all(s, rep);
}

enum result
rollover_abort(struct store *s, struct report *rep)
{
	return store_outcome(s, store_rollover_abort(s), rep);
}

enum result
rollover_finish(struct store *s, int force, size_t *out_left,
    struct report *rep)
{
	enum store_rollover_state st;
	struct renewal_list l = { NULL, 0, 0 };
	struct ca *ca = NULL;
	enum result r;
	int ret;

	*out_left = 0;
	if ((ret = store_rollover_state(s, &st)) < 0)
		return store_outcome(s, ret, rep);
	if (st != STORE_ROLLOVER_SWITCHED) {
		report_add(rep, REPORT_MESSAGE, "no rollover to finish: 'sipca"
		    " rollover switch' has not run; nothing changed");
		return RESULT_E_INPUT;
	}
	if ((r = signer_open(s, 0, NULL, &ca, rep)) != RESULT_OK)
		return r;
	/* What renew --all would move: still the old CA's. */
	ret = renewal_list_foreign(s, ca, &l);
	if ((r = store_outcome(s, ret, rep)) != RESULT_OK)
		goto out;
	*out_left = l.n;
	if (l.n > 0 && !force) {
		report_add(rep, REPORT_MESSAGE, "%zu valid certificate%s of the old"
		    " CA: renew %s under the new one first ('sipca renew --all'),"
		    " or --force; nothing changed", l.n, l.n == 1 ? "" : "s",
		    l.n == 1 ? "it" : "them");
		r = RESULT_E_INPUT;
		goto out;
	}
	if ((r = store_outcome(s, store_rollover_finish(s), rep)) == RESULT_OK)
		r = crl_publish_all(s, rep);
out:
	renewal_list_clear(&l);
	ca_free(ca);
	return r;
}

/* Appends DIR's certificate file to the bundle; absent: nothing. */
static enum result
bundle_add(struct store *s, int (*read)(struct store *, unsigned char **,
    size_t *), char **pem, size_t *len, unsigned *n, struct report *rep)
{
	unsigned char *data = NULL;
	size_t dlen = 0;
	int ret = read(s, &data, &dlen);

	store_take_messages(s, rep);
	if (ret == STORE_E_NOTFOUND)
		return RESULT_OK;
	if (ret < 0)
		return signer_store_result(ret);
	*pem = xrealloc(*pem, *len + dlen + 1);
	memcpy(*pem + *len, data, dlen);
	*len += dlen;
	(*pem)[*len] = '\0';
	(*n)++;
	free(data);
	return RESULT_OK;
}

static int
read_next_root(struct store *s, unsigned char **out, size_t *out_len)
{
	return store_read_rollover_file(s, STORE_NEXT_ROOT, out, out_len);
}

static int
read_old_root(struct store *s, unsigned char **out, size_t *out_len)
{
	int ret = store_read_rollover_file(s, STORE_OLD_ROOT, out, out_len);

	/* A single-level store's CA was its root. */
	return ret == STORE_E_NOTFOUND ?
	    store_read_rollover_file(s, STORE_OLD_CA, out, out_len) : ret;
}

enum result
rollover_trust_bundle(struct store *s, char **out_pem, size_t *out_len,
    unsigned *out_n, struct report *rep)
{
	enum store_rollover_state st;
	char *pem = NULL;
	size_t len = 0;
	unsigned n = 0;
	enum result r;
	int ret, has;

	*out_pem = NULL;
	if ((ret = store_rollover_state(s, &st)) < 0)
		return store_outcome(s, ret, rep);
	if (st == STORE_ROLLOVER_SWITCHING) {
		report_add(rep, REPORT_MESSAGE, "a rollover switch was cut short:"
		    " run 'sipca rollover switch' to finish it");
		return RESULT_E_INPUT;
	}
	if ((has = signer_has_root(s)) < 0)
		return store_outcome(s, has, rep);
	if ((r = bundle_add(s, has ? store_read_root_cert : store_read_ca_cert,
	    &pem, &len, &n, rep)) != RESULT_OK ||
	    (st == STORE_ROLLOVER_STARTED &&
	    (r = bundle_add(s, read_next_root, &pem, &len, &n, rep)) != RESULT_OK) ||
	    (st == STORE_ROLLOVER_SWITCHED &&
	    (r = bundle_add(s, read_old_root, &pem, &len, &n, rep)) != RESULT_OK)) {
		free(pem);
		return r;
	}
	*out_pem = pem;
	*out_len = len;
	*out_n = n;
	return RESULT_OK;
}
