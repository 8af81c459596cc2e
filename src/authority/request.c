/*
 * request: the checks on a certificate request that need more than the
 * request: --key, the certificate's SANs, the store's other keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "request.h"
#include "san.h"
#include "signer.h"
#include "util.h"

void
request_key_label(gnutls_pubkey_t pub, char *buf, size_t size)
{
	unsigned bits = 0;
	int algo = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

	if (algo == GNUTLS_PK_RSA) {
		snprintf(buf, size, "RSA-%u", bits);
		return;
	}
	if (algo == GNUTLS_PK_ECDSA &&
	    gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) == 0) {
		/* FIPS 186-4 D.1.2's names, as people say them. */
		if (curve == GNUTLS_ECC_CURVE_SECP256R1)
			snprintf(buf, size, "P-256");
		else if (curve == GNUTLS_ECC_CURVE_SECP384R1)
			snprintf(buf, size, "P-384");
		else if (curve == GNUTLS_ECC_CURVE_SECP521R1)
			snprintf(buf, size, "P-521");
		else
			snprintf(buf, size, "%s", gnutls_ecc_curve_get_name(curve));
		return;
	}
	snprintf(buf, size, "%s", gnutls_pk_get_name(algo));
}

static int
request_pubkey(gnutls_x509_crq_t crq, gnutls_pubkey_t *out, struct report *rep)
{
	int ret;

	if ((ret = gnutls_pubkey_init(out)) < 0 ||
	    (ret = gnutls_pubkey_import_x509_crq(*out, crq, 0)) < 0) {
		report_add(rep, REPORT_MESSAGE, "the request's key:"
		    " gnutls_pubkey_import_x509_crq: %s", gnutls_strerror(ret));
		return -1;
	}
	return 0;
}

enum result
request_check_key_type(gnutls_x509_crq_t crq, enum key_type want,
    struct report *rep)
{
	gnutls_pubkey_t pub = NULL;
	char have[32], label[32];
	enum result status = RESULT_E_FAILED;

	if (request_pubkey(crq, &pub, rep) < 0)
		goto out;
	key_type_of_pubkey(pub, have, sizeof(have));
	status = RESULT_OK;
	if (strcmp(have, key_type_name(want)) != 0) {
		request_key_label(pub, label, sizeof(label));
		report_add(rep, REPORT_MESSAGE, "--key %s contradicts the request's"
		    " %s key (the requester chose it; leave --key out, or make"
		    " the request with a %s key)", key_type_name(want), label,
		    key_type_name(want));
		status = RESULT_E_INPUT;
	}
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return status;
}

static int
san_listed(const struct san_list *l, const struct san_entry *e)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->items[i].type != e->type || l->items[i].len != e->len)
			continue;
		/* Names and hosts fold (RFC 4343); sipca folds what it issues. */
		if (e->type == SAN_DNS ? strcasecmp(l->items[i].value, e->value) == 0 :
		    memcmp(l->items[i].value, e->value, e->len) == 0)
			return 1;
	}
	return 0;
}

/* Bytes of one value shown in the note. */
#define LEFT_OUT_VALUE_MAX 128

char *
request_sans_left_out(gnutls_x509_crq_t crq, const struct san_list *issued)
{
	struct san_list asked = { NULL, 0 };
	char *out = NULL, *what, *prev;
	size_t i;

	if (csr_sans(crq, &asked) < 0) {
		out = xstrdup("its subjectAltName (unreadable)");
		goto done;
	}
	for (i = 0; i < asked.n; i++) {
		if (san_listed(issued, &asked.items[i]))
			continue;
		what = san_entry_describe(&asked.items[i], LEFT_OUT_VALUE_MAX);
		prev = out;
		out = prev == NULL ? what : xasprintf("%s, %s", prev, what);
		if (prev != NULL) {
			free(prev);
			free(what);
		}
	}
done:
	san_list_clear(&asked);
	return out;
}

struct holder_scan {
	const gnutls_datum_t *spki;
	const char *name;
	char *holder;
	char serial[2 * SERIAL_LEN + 1];
};

static int
find_key(const struct store_cert *c, void *arg)
{
	struct holder_scan *h = arg;
	gnutls_datum_t pem, der = { NULL, 0 };
	int found;

	if (c->pem == NULL || strcmp(c->name, h->name) == 0)
		return 0;
	pem.data = (unsigned char *)c->pem;
	pem.size = (unsigned)strlen(c->pem);
	if (gnutls_pem_base64_decode2("CERTIFICATE", &pem, &der) < 0)
		return 0;	/* check reports an unreadable row; this is no match */
	/*
	 * The subjectPublicKeyInfo is a field of the TBSCertificate (RFC 5280
	 * section 4.1): its DER octets appear as they are in the certificate,
	 * so no parse per row is needed.
	 */
	found = memmem(der.data, der.size, h->spki->data, h->spki->size) != NULL;
	gnutls_free(der.data);
	if (!found)
		return 0;
	h->holder = xstrdup(c->name);
	snprintf(h->serial, sizeof(h->serial), "%s", c->serial);
	return 1;
}

enum result
request_key_holder(struct store *s, gnutls_x509_crq_t crq, const char *name,
    char **out_holder, char *out_serial, size_t serial_size, struct report *rep)
{
	struct store_filter valid = { NULL, NULL, STATUS_VALID, 0 };
	struct holder_scan h;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = { NULL, 0 };
	enum result status = RESULT_E_FAILED;
	int ret;

	memset(&h, 0, sizeof(h));
	*out_holder = NULL;
	if (request_pubkey(crq, &pub, rep) < 0)
		goto out;
	if ((ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki)) < 0) {
		report_add(rep, REPORT_MESSAGE, "the request's key:"
		    " gnutls_pubkey_export2: %s", gnutls_strerror(ret));
		goto out;
	}
	h.spki = &spki;
	h.name = name;
	ret = store_list(s, &valid, find_key, &h);
	store_take_messages(s, rep);
	if (ret < 0) {
		status = signer_store_result(ret);
		goto out;
	}
	*out_holder = h.holder;
	h.holder = NULL;
	snprintf(out_serial, serial_size, "%s", h.serial);
	status = RESULT_OK;
out:
	free(h.holder);
	gnutls_free(spki.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return status;
}
