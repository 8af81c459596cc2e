/*
 * cli_csr: --csr FILE, read and judged for issue and renew.
 */
#include <errno.h>
#include <stdlib.h>

#include "cert.h"
#include "cli.h"
#include "cli_csr.h"
#include "cli_status.h"
#include "fileio.h"
#include "request.h"
#include "util.h"

int
cli_csr_load(const char *path, gnutls_x509_crq_t *out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	const char *reason;
	char *shown = text_echo(path);
	int ret, status = EXIT_USAGE;

	if (read_file(path, 1 << 20, &data, &len) < 0) {
		error_msg("cannot read request: '%s': %s", shown, file_strerror(errno));
		goto out;
	}
	if ((ret = csr_load(data, len, out, &reason)) == CSR_E_NOT_A_REQUEST)
		error_msg("'%s': not a PKCS#10 certificate request (RFC 2986): %s",
		    shown, reason);
	else if (ret < 0)
		error_msg("invalid request: '%s': %s", shown, reason);
	else
		status = EXIT_OK;
out:
	free(shown);
	free(data);
	return status;
}

int
cli_csr_copy_sans(const char *path, gnutls_x509_crq_t crq, int drop_others,
    struct san_list *out)
{
	char *msg = NULL, *dropped = NULL, *shown = text_echo(path);
	int status = EXIT_USAGE;

	if (csr_copy_sans(crq, drop_others, out, &dropped, &msg) < 0) {
		error_msg("invalid request: '%s': %s", shown, msg);
		goto out;
	}
	if (dropped != NULL)
		warn_msg("'%s': not copying the request's %s", shown, dropped);
	status = EXIT_OK;
out:
	free(msg);
	free(dropped);
	free(shown);
	return status;
}

int
cli_csr_check(struct store *s, gnutls_x509_crq_t crq,
    const struct cli_csr_checks *c)
{
	struct report rep = { NULL, 0 };
	char *holder = NULL, *left_out = NULL, *shown = text_echo(c->path);
	char serial[64];
	int status;

	if (c->key_set && (status = cli_outcome(request_check_key_type(crq,
	    c->key_type, &rep), &rep)) != EXIT_OK)
		goto out;
	if ((status = cli_outcome(request_key_holder(s, crq, c->name, &holder,
	    serial, sizeof(serial), &rep), &rep)) != EXIT_OK)
		goto out;
	if (holder != NULL && !c->reuse_key) {
		error_msg("'%s': the request's key is already certified for '%s'"
		    " (serial %s): one key for several names lets each act as"
		    " the others, and revoking one leaves it trusted"
		    " (--reuse-key issues anyway)", shown, holder, serial);
		status = EXIT_USAGE;
		goto out;
	}
	if (holder != NULL)
		note_msg("'%s': the request's key is also certified for '%s'"
		    " (serial %s), as --reuse-key allows", shown, holder, serial);
	if (!c->copy_san && (left_out = request_sans_left_out(crq, c->sans)) != NULL)
		note_msg("'%s': the request's SANs not in the certificate: %s"
		    " (--copy-san takes them)", shown, left_out);
	status = EXIT_OK;
out:
	free(holder);
	free(left_out);
	free(shown);
	return status;
}
