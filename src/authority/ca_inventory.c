/*
 * ca_inventory: the store's CA certificates, one table row each.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "ca_inventory.h"
#include "cert.h"
#include "store.h"
#include "util.h"

/*
 * A root or an intermediate joins with one row and its reader. The
 * issuing CA (ca.pem) is always there; the root of a two-level CA
 * (root.pem, sipca init --intermediate) only in such a store.
 */
static const struct {
	const char *file, *role;
	int (*read)(struct store *s, unsigned char **out, size_t *out_len);
	int optional;
} ca_files[] = {
	{ "ca.pem", "ca", store_read_ca_cert, 0 },
	{ "root.pem", "root", store_read_root_cert, 1 },
};

static enum result
read_entry(struct store *s, size_t i, struct ca_inventory_entry *e,
    struct report *rep)
{
	unsigned char *pem = NULL, serial[64];
	size_t len = 0, serial_len = sizeof(serial);
	struct ca *ca = NULL;
	const char *reason = NULL;
	enum result r = RESULT_E_FAILED;
	int ret;

	e->file = ca_files[i].file;
	e->role = ca_files[i].role;
	ret = ca_files[i].read(s, &pem, &len);
	store_take_messages(s, rep);
	if (ret == STORE_E_NOTFOUND && ca_files[i].optional) {
		r = RESULT_OK;
		e->file = NULL;		/* not in this store */
		goto out;
	}
	if (ret < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/%s: cannot be read", store_dir(s),
		    e->file);
		goto out;
	}
	if (ca_load_cert(pem, len, &ca, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/%s: not a certificate: %s",
		    store_dir(s), e->file, reason);
		goto out;
	}
	if ((ret = gnutls_x509_crt_get_serial(ca->crt, serial, &serial_len)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/%s: gnutls_x509_crt_get_serial: %s",
		    store_dir(s), e->file, gnutls_strerror(ret));
		goto out;
	}
	e->serial = hex_encode(serial, serial_len);
	e->subject = cert_subject(ca->crt);
	e->not_before = gnutls_x509_crt_get_activation_time(ca->crt);
	e->not_after = gnutls_x509_crt_get_expiration_time(ca->crt);
	r = RESULT_OK;
out:
	ca_free(ca);
	free(pem);
	return r;
}

enum result
ca_inventory_each(struct store *s,
    int (*fn)(const struct ca_inventory_entry *e, void *arg), void *arg,
    struct report *rep)
{
	struct ca_inventory_entry e;
	enum result r = RESULT_OK;
	size_t i;
	int stop = 0;

	for (i = 0; i < sizeof(ca_files) / sizeof(ca_files[0]) && !stop; i++) {
		memset(&e, 0, sizeof(e));
		if ((r = read_entry(s, i, &e, rep)) == RESULT_OK && e.file != NULL)
			stop = fn(&e, arg);
		free(e.serial);
		free(e.subject);
		if (r != RESULT_OK)
			break;
	}
	return r;
}

long
ca_inventory_days_left(time_t t, time_t now)
{
	return (long)((t - now) / 86400);
}
