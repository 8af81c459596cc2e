/*
 * signer: the store's CA, unlocked for signing.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "pkcs11.h"
#include "secret.h"
#include "signer.h"
#include "store.h"
#include "util.h"

enum result
signer_store_result(int store_error)
{
	switch (store_error) {
	case STORE_OK:
		return RESULT_OK;
	case STORE_E_NOTFOUND:
	case STORE_E_NAME_TAKEN:
	case STORE_E_EXISTS:
	case STORE_E_NOCA:
		return RESULT_E_INPUT;
	default:
		return RESULT_E_FAILED;
	}
}

int
signer_open_store(const char *dir_option, int flags, struct store **out_store,
    struct report *rep)
{
	char *dir = store_default_dir(dir_option);
	int ret = store_open(dir, flags, out_store, rep);

	free(dir);
	return ret;
}

/* The passphrase of an encrypted CA key: from the file, else the terminal. */
static enum result
ask_passphrase(const char *passphrase_file, char **out_pass, struct report *rep)
{
	char *msg = NULL;
	char *pass = passphrase_file != NULL ? secret_from_file(passphrase_file,
	    &msg) : secret_have_tty() ? secret_prompt("CA key passphrase: ", 0,
	    &msg) : NULL;

	if (pass == NULL) {
		if (msg != NULL)
			report_add(rep, REPORT_MESSAGE, "%s", msg);
		free(msg);
		if (passphrase_file == NULL && !secret_have_tty())
			report_add(rep, REPORT_MESSAGE, "the CA key is encrypted: give "
			    "--passphrase-file FILE (no terminal to ask on)");
		return RESULT_E_INPUT;
	}
	*out_pass = pass;
	return RESULT_OK;
}

/* The CA key on a token: passphrase_file names the PIN file. */
static enum result
attach_token_key(struct ca *ca, const char *uri, const char *passphrase_file,
    struct report *rep)
{
	gnutls_privkey_t token_key = NULL;
	enum result r;
	int ret;

	if ((r = pkcs11_pin_setup(passphrase_file, "--passphrase-file", rep)) !=
	    RESULT_OK || (r = pkcs11_open_key(uri, &token_key, rep)) != RESULT_OK)
		goto out;
	if ((ret = ca_attach_privkey(ca, token_key)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: %s", uri,
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
		    "the token's key does not belong to ca.pem" : gnutls_strerror(ret));
		r = RESULT_E_FAILED;
		goto out;
	}
	token_key = NULL;	/* owned by ca now */
	r = RESULT_OK;
out:
	if (token_key != NULL)
		gnutls_privkey_deinit(token_key);
	return r;
}

/* The CA key in DIR/ca.key, decrypted when it is encrypted. */
static enum result
attach_file_key(struct ca *ca, struct store *s, const char *passphrase_file,
    struct report *rep)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *pass = NULL;
	enum result r;
	int ret;

	ret = store_read_ca_key(s, &key, &key_len);
	store_take_messages(s, rep);
	if (ret < 0) {
		r = signer_store_result(ret);
		goto out;
	}
	if (ca_key_is_encrypted(key, key_len) &&
	    (r = ask_passphrase(passphrase_file, &pass, rep)) != RESULT_OK)
		goto out;
	ret = ca_attach_key(ca, key, key_len, pass);
	if (ret == GNUTLS_E_DECRYPTION_FAILED) {
		report_add(rep, REPORT_MESSAGE, "wrong passphrase for the CA key");
		r = RESULT_E_INPUT;
		goto out;
	}
	if (ret < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/ca.key: %s", store_dir(s),
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
		    "the key does not belong to ca.pem" : gnutls_strerror(ret));
		r = RESULT_E_FAILED;
		goto out;
	}
	r = RESULT_OK;
out:
	secret_free_buf(key, key_len);
	secret_free(pass);
	return r;
}

enum result
signer_open(struct store *s, int need_key, const char *passphrase_file,
    struct ca **out_ca, struct report *rep)
{
	unsigned char *cert = NULL;
	size_t cert_len = 0;
	struct ca *ca = NULL;
	char *uri = NULL;
	const char *reason;
	enum result r;
	int ret;

	ret = store_read_ca_cert(s, &cert, &cert_len);
	store_take_messages(s, rep);
	if (ret < 0) {
		r = signer_store_result(ret);
		goto out;
	}
	if (ca_load_cert(cert, cert_len, &ca, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/ca.pem: not a certificate: %s",
		    store_dir(s), reason);
		r = RESULT_E_FAILED;
		goto out;
	}
	r = RESULT_OK;
	ret = need_key ? store_setting_get(s, "ca_key_uri", &uri) :
	    STORE_E_NOTFOUND;
	store_take_messages(s, rep);
	if (ret == STORE_OK)
		r = attach_token_key(ca, uri, passphrase_file, rep);
	else if (need_key)
		r = attach_file_key(ca, s, passphrase_file, rep);
	if (r != RESULT_OK)
		goto out;
	*out_ca = ca;
	ca = NULL;
out:
	free(cert);
	free(uri);
	ca_free(ca);
	return r;
}

enum result
signing_open(const char *dir_option, int flags, int need_domain,
    struct signing *out, struct report *rep)
{
	struct signing sg;
	enum result r;
	int ret;

	memset(&sg, 0, sizeof(sg));
	if ((ret = signer_open_store(dir_option, flags, &sg.store, rep)) < 0) {
		r = signer_store_result(ret);
		goto out;
	}
	ret = store_setting_get(sg.store, "domain", &sg.domain);
	store_take_messages(sg.store, rep);
	if (ret < 0 && need_domain) {
		report_add(rep, REPORT_MESSAGE, "the store has no SIP domain setting");
		r = RESULT_E_FAILED;
		goto out;
	}
	if (store_setting_get(sg.store, "crl_url", &sg.crl_url) != STORE_OK)
		sg.crl_url = NULL;
	store_take_messages(sg.store, rep);
	*out = sg;
	memset(&sg, 0, sizeof(sg));
	r = RESULT_OK;
out:
	signing_clear(&sg);
	return r;
}

enum result
signing_unlock(struct signing *sg, const char *passphrase_file,
    struct report *rep)
{
	return signer_open(sg->store, 1, passphrase_file, &sg->ca, rep);
}

void
signing_clear(struct signing *sg)
{
	if (sg == NULL)
		return;
	ca_free(sg->ca);
	store_close(sg->store);
	free(sg->domain);
	free(sg->crl_url);
	memset(sg, 0, sizeof(*sg));
}
