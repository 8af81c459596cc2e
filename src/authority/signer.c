/*
 * signer: the store's CA, unlocked for signing.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cli.h"
#include "pkcs11.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

int
signer_exit_status(int store_error)
{
	switch (store_error) {
	case STORE_OK:
		return EXIT_OK;
	case STORE_E_NOTFOUND:
	case STORE_E_NAME_TAKEN:
	case STORE_E_EXISTS:
	case STORE_E_NOCA:
		return EXIT_USAGE;
	default:
		return EXIT_OPERATIONAL;
	}
}

int
signer_open_store(int flags, struct store **out_store)
{
	char *dir = store_default_dir(cli_dir_option());
	int ret = store_open(dir, flags, out_store);

	free(dir);
	return signer_exit_status(ret);
}

int
signer_open(struct store *s, int need_key, const char *passphrase_file,
    struct ca **out_ca)
{
	unsigned char *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	struct ca *ca = NULL;
	char *pass = NULL, *uri = NULL;
	gnutls_privkey_t token_key = NULL;
	const char *reason;
	int ret, status;

	if ((ret = store_read_ca_cert(s, &cert, &cert_len)) < 0) {
		status = signer_exit_status(ret);
		goto out;
	}
	if (ca_load_cert(cert, cert_len, &ca, &reason) < 0) {
		error_msg("%s/ca.pem: not a certificate: %s", store_dir(s), reason);
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (need_key && store_setting_get(s, "ca_key_uri", &uri) == STORE_OK) {
		/* On a token: passphrase_file names the PIN file. */
		if ((status = pkcs11_pin_setup(passphrase_file,
		    "--passphrase-file")) != EXIT_OK ||
		    (status = pkcs11_open_key(uri, &token_key)) != EXIT_OK)
			goto out;
		if ((ret = ca_attach_privkey(ca, token_key)) < 0) {
			error_msg("%s: %s", uri, ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
			    "the token's key does not belong to ca.pem" :
			    gnutls_strerror(ret));
			status = EXIT_OPERATIONAL;
			goto out;
		}
		token_key = NULL;	/* owned by ca now */
	} else if (need_key) {
		if ((ret = store_read_ca_key(s, &key, &key_len)) < 0) {
			status = signer_exit_status(ret);
			goto out;
		}
		if (ca_key_is_encrypted(key, key_len)) {
			pass = passphrase_file != NULL ? secret_from_file(passphrase_file) :
			    secret_have_tty() ? secret_prompt("CA key passphrase: ", 0) :
			    NULL;
			if (pass == NULL) {
				if (passphrase_file == NULL && !secret_have_tty())
					error_msg("the CA key is encrypted: give "
					    "--passphrase-file FILE (no terminal to ask on)");
				status = EXIT_USAGE;
				goto out;
			}
		}
		ret = ca_attach_key(ca, key, key_len, pass);
		if (ret == GNUTLS_E_DECRYPTION_FAILED) {
			error_msg("wrong passphrase for the CA key");
			status = EXIT_USAGE;
			goto out;
		}
		if (ret < 0) {
			error_msg("%s/ca.key: %s", store_dir(s),
			    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
			    "the key does not belong to ca.pem" : gnutls_strerror(ret));
			status = EXIT_OPERATIONAL;
			goto out;
		}
	}
	*out_ca = ca;
	ca = NULL;
	status = EXIT_OK;
out:
	free(cert);
	secret_free_buf(key, key_len);
	secret_free(pass);
	free(uri);
	if (token_key != NULL)
		gnutls_privkey_deinit(token_key);
	ca_free(ca);
	return status;
}
