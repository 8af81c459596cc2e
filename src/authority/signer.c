/*
 * signer: the store's CA, unlocked for signing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "fileio.h"
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

/*
 * Which of the store's CAs is opened: the one that signs leaves (ca.pem,
 * ca.key, setting ca_key_uri), or a two-level CA's root (root.pem,
 * root.key, setting root_key_uri). The words are those of the messages.
 */
struct which_ca {
	const char *cert;	/* "ca.pem" */
	const char *key;	/* "ca.key" */
	const char *key_uri;	/* the setting naming a token's key */
	const char *title;	/* "CA", as in "the CA key" */
	const char *prompt;
	int (*read_cert)(struct store *, unsigned char **, size_t *);
	int (*read_key)(struct store *, unsigned char **, size_t *);
	int signs;		/* leaves: carries a rollover's bridge, refused mid-switch */
	/* Without read_cert: a rollover's old generation, these files. */
	enum store_rollover_file old_cert, old_key;
};

static int
read_part(const struct which_ca *w, struct store *s, int key,
    unsigned char **out, size_t *out_len)
{
	if (w->read_cert == NULL)
		return store_read_rollover_file(s, key ? w->old_key : w->old_cert,
		    out, out_len);
	return key ? w->read_key(s, out, out_len) : w->read_cert(s, out, out_len);
}

static const struct which_ca issuing_ca = {
	"ca.pem", "ca.key", "ca_key_uri", "CA", "CA key passphrase: ",
	store_read_ca_cert, store_read_ca_key, 1, 0, 0,
};

/* The issuing CA as check reads it: a switch cut short is its problem to report. */
static const struct which_ca inspected_ca = {
	"ca.pem", "ca.key", "ca_key_uri", "CA", "CA key passphrase: ",
	store_read_ca_cert, store_read_ca_key, 0, 0, 0,
};

static const struct which_ca root_ca = {
	"root.pem", "root.key", "root_key_uri", "root", "Root key passphrase: ",
	store_read_root_cert, store_read_root_key, 0, 0, 0,
};

/* A rollover's old generation, kept until finish (include/rollover.h). */
static const struct which_ca old_issuing_ca = {
	"old-ca.pem", "old-ca.key", "old_ca_key_uri", "old CA",
	"Old CA key passphrase: ", NULL, NULL, 0, STORE_OLD_CA, STORE_OLD_CA_KEY,
};

static const struct which_ca old_root_ca = {
	"old-root.pem", "old-root.key", "old_root_key_uri", "old root",
	"Old root key passphrase: ", NULL, NULL, 0, STORE_OLD_ROOT,
	STORE_OLD_ROOT_KEY,
};

static const struct signer_secrets no_secrets = { NULL, NULL };

/* The passphrase of an encrypted CA key: from the file, else the terminal. */
static enum result
ask_passphrase(const struct which_ca *w, const struct signer_secrets *sec,
    char **out_pass, struct report *rep)
{
	const char *passphrase_file = sec->passphrase_file;
	char *msg = NULL, *pass = NULL;

	/* A PIN is no passphrase: saying so beats a prompt or a wrong-passphrase. */
	if (passphrase_file == NULL && sec->pin_file != NULL) {
		report_add(rep, REPORT_MESSAGE, "the %s key is a file (%s),"
		    " encrypted, not on a token: --pin-file is for a token's"
		    " PIN; give --passphrase-file FILE", w->title, w->key);
		return RESULT_E_INPUT;
	}
	pass = passphrase_file != NULL ? secret_from_file(passphrase_file,
	    &msg) : secret_have_tty() ? secret_prompt(w->prompt, 0, &msg) : NULL;
	if (pass == NULL) {
		if (msg != NULL)
			report_add(rep, REPORT_MESSAGE, "%s", msg);
		free(msg);
		if (passphrase_file == NULL && !secret_have_tty())
			report_add(rep, REPORT_MESSAGE, "the %s key is encrypted: give "
			    "--passphrase-file FILE (no terminal to ask on)", w->title);
		return RESULT_E_INPUT;
	}
	if (msg != NULL)
		report_add(rep, REPORT_WARNING, "%s", msg);
	free(msg);
	*out_pass = pass;
	return RESULT_OK;
}

/* The CA key on a token: its PIN from --pin-file, else --passphrase-file. */
static enum result
attach_token_key(const struct which_ca *w, struct ca *ca, const char *uri,
    const struct signer_secrets *sec, struct report *rep)
{
	gnutls_privkey_t token_key = NULL;
	enum result r;
	int ret;

	if ((r = sec->pin_file != NULL ?
	    pkcs11_pin_setup(sec->pin_file, "--pin-file", rep) :
	    pkcs11_pin_setup(sec->passphrase_file, "--passphrase-file", rep)) !=
	    RESULT_OK || (r = pkcs11_open_key(uri, &token_key, rep)) != RESULT_OK)
		goto out;
	if ((ret = ca_attach_privkey(ca, token_key)) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: %s%s", uri,
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
		    "the token's key does not belong to " : gnutls_strerror(ret),
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ? w->cert : "");
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

/* A CA key as PEM (path for messages), decrypted when it is encrypted. */
static enum result
attach_key_pem(const struct which_ca *w, struct ca *ca,
    const unsigned char *key, size_t key_len, const char *path,
    const struct signer_secrets *sec, struct report *rep)
{
	char *pass = NULL;
	enum result r;
	int ret;

	if (ca_key_is_encrypted(key, key_len) &&
	    (r = ask_passphrase(w, sec, &pass, rep)) != RESULT_OK)
		goto out;
	ret = ca_attach_key(ca, key, key_len, pass);
	if (ret == GNUTLS_E_DECRYPTION_FAILED) {
		report_add(rep, REPORT_MESSAGE, "wrong passphrase for the %s key",
		    w->title);
		r = RESULT_E_INPUT;
		goto out;
	}
	if (ret < 0) {
		report_add(rep, REPORT_MESSAGE, "%s: %s%s", path,
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ?
		    "the key does not belong to " : gnutls_strerror(ret),
		    ret == GNUTLS_E_PK_SIG_VERIFY_FAILED ? w->cert : "");
		r = RESULT_E_FAILED;
		goto out;
	}
	r = RESULT_OK;
out:
	secret_free(pass);
	return r;
}

/* The CA key in DIR/ca.key (or root.key). */
static enum result
attach_file_key(const struct which_ca *w, struct ca *ca, struct store *s,
    const struct signer_secrets *sec, struct report *rep)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *path = xasprintf("%s/%s", store_dir(s), w->key);
	enum result r;
	int ret;

	ret = read_part(w, s, 1, &key, &key_len);
	store_take_messages(s, rep);
	if (ret < 0) {
		r = signer_store_result(ret);
		goto out;
	}
	r = attach_key_pem(w, ca, key, key_len, path, sec, rep);
out:
	secret_free_buf(key, key_len);
	free(path);
	return r;
}

/* The root key moved off the machine, in a file the caller names. */
static enum result
attach_given_key(const struct which_ca *w, struct ca *ca, const char *file,
    const struct signer_secrets *sec, struct report *rep)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	char *shown = text_echo(file);
	enum result r;

	if (read_secret_file(file, &key, &key_len) < 0) {
		report_add(rep, REPORT_MESSAGE, "cannot read the %s key '%s': %s",
		    w->title, shown, file_strerror(errno));
		r = RESULT_E_INPUT;
		goto out;
	}
	/* Not the key, or not a key: the file given is the wrong one. */
	if ((r = attach_key_pem(w, ca, key, key_len, shown, sec,
	    rep)) == RESULT_E_FAILED)
		r = RESULT_E_INPUT;
out:
	secret_free_buf(key, key_len);
	free(shown);
	return r;
}

/*
 * During a rollover's overlap the issuing CA's leaves carry the bridge
 * (the new root certified by the old one) after the CA, so that a phone
 * that trusts only the old root still finds a path (include/rollover.h).
 * A switch cut short leaves ca.key and ca.pem of two generations: nothing
 * signs until it is finished.
 */
static enum result
rollover_chain(struct store *s, struct ca *ca, struct report *rep)
{
	enum store_rollover_state st;
	unsigned char *bridge = NULL;
	size_t len = 0;
	int ret;

	ret = store_rollover_state(s, &st);
	store_take_messages(s, rep);
	if (ret < 0)
		return signer_store_result(ret);
	if (st == STORE_ROLLOVER_SWITCHING) {
		report_add(rep, REPORT_MESSAGE, "a CA rollover switch was cut short:"
		    " run 'sipca rollover switch' to finish it");
		return RESULT_E_INPUT;
	}
	if (st != STORE_ROLLOVER_SWITCHED)
		return RESULT_OK;
	ret = store_read_rollover_file(s, STORE_BRIDGE, &bridge, &len);
	store_take_messages(s, rep);
	if (ret == STORE_E_NOTFOUND)
		return RESULT_OK;	/* the old root allows no bridge */
	if (ret < 0)
		return signer_store_result(ret);
	ca->chain_extra = xasprintf("%.*s", (int)len, (const char *)bridge);
	free(bridge);
	return RESULT_OK;
}

/*
 * Opens one of the store's CAs; the key, with need_key, from key_file
 * when given, else from the token its setting names, else from the
 * store.
 */
static enum result
open_which(const struct which_ca *w, struct store *s, int need_key,
    const char *key_file, const struct signer_secrets *sec, struct ca **out_ca,
    struct report *rep)
{
	unsigned char *cert = NULL;
	size_t cert_len = 0;
	struct ca *ca = NULL;
	char *uri = NULL;
	const char *reason;
	enum result r;
	int ret;

	if (sec == NULL)
		sec = &no_secrets;
	ret = read_part(w, s, 0, &cert, &cert_len);
	store_take_messages(s, rep);
	if (ret < 0) {
		if (ret == STORE_E_NOTFOUND)
			report_add(rep, REPORT_MESSAGE, "the store in '%s' has no"
			    " root (%s): it is a single-level CA", store_dir(s),
			    w->cert);
		r = signer_store_result(ret);
		goto out;
	}
	if (ca_load_cert(cert, cert_len, &ca, &reason) < 0) {
		report_add(rep, REPORT_MESSAGE, "%s/%s: not a certificate: %s",
		    store_dir(s), w->cert, reason);
		r = RESULT_E_FAILED;
		goto out;
	}
	if (w->signs && (r = rollover_chain(s, ca, rep)) != RESULT_OK)
		goto out;
	r = RESULT_OK;
	if (need_key && key_file != NULL)
		r = attach_given_key(w, ca, key_file, sec, rep);
	else if (need_key && (ret = store_setting_get(s, w->key_uri, &uri),
	    store_take_messages(s, rep), ret) == STORE_OK)
		r = attach_token_key(w, ca, uri, sec, rep);
	else if (need_key)
		r = attach_file_key(w, ca, s, sec, rep);
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
signer_open(struct store *s, int need_key,
    const struct signer_secrets *secrets, struct ca **out_ca,
    struct report *rep)
{
	return open_which(&issuing_ca, s, need_key, NULL, secrets,
	    out_ca, rep);
}

enum result
signer_inspect(struct store *s, struct ca **out_ca, struct report *rep)
{
	return open_which(&inspected_ca, s, 0, NULL, NULL, out_ca, rep);
}

enum result
signer_open_old(struct store *s, int root,
    const struct signer_secrets *secrets, struct ca **out_ca, struct report *rep)
{
	return open_which(root ? &old_root_ca : &old_issuing_ca, s, 1, NULL,
	    secrets, out_ca, rep);
}

int
signer_has_root(struct store *s)
{
	unsigned char *cert = NULL;
	size_t len = 0;
	int ret = store_read_root_cert(s, &cert, &len);

	free(cert);
	return ret == STORE_OK ? 1 : ret == STORE_E_NOTFOUND ? 0 : ret;
}

enum result
signer_open_root(struct store *s, int need_key, const char *root_key_file,
    const struct signer_secrets *secrets, struct ca **out_ca,
    struct report *rep)
{
	char *uri = NULL;
	enum result r = RESULT_E_INPUT;
	int ret;

	/* The root key moved off the machine: say where it is expected. */
	if (need_key && root_key_file == NULL &&
	    store_setting_get(s, root_ca.key_uri, &uri) != STORE_OK) {
		unsigned char *key = NULL;
		size_t key_len = 0;

		ret = store_read_root_key(s, &key, &key_len);
		secret_free_buf(key, key_len);
		if (ret == STORE_E_NOTFOUND && signer_has_root(s) == 1) {
			report_add(rep, REPORT_MESSAGE, "the root key is not in the"
			    " store ('%s/root.key': moved off the machine?): give"
			    " --root-key FILE; nothing changed", store_dir(s));
			goto out;
		}
	}
	r = open_which(&root_ca, s, need_key, root_key_file, secrets,
	    out_ca, rep);
out:
	free(uri);
	return r;
}

void
signing_defaults_apply(const struct signing_defaults *d, int key_given,
    enum key_type *key_type, int days_given, long *days)
{
	if (!key_given && d->key_type_set)
		*key_type = d->key_type;
	if (!days_given && d->days != 0)
		*days = d->days;
}

int
signing_check_default_key(const char *value, const char **out_reason)
{
	enum key_type t;

	if (key_type_parse(value, &t) < 0) {
		*out_reason = "unknown key type (one of " KEY_TYPE_NAMES ")";
		return -1;
	}
	return 0;
}

int
signing_check_default_days(const char *value, const char **out_reason)
{
	long days;

	if (parse_long(value, 1, 36500, &days) < 0) {
		*out_reason = "days from 1 to 36500";
		return -1;
	}
	return 0;
}

/* The subject's O: X.520 ub-organization-name is 64 (RFC 5280 appendix A). */
int
signing_check_default_org(const char *value, const char **out_reason)
{
	return text_check_name(value, 64, out_reason);
}

/* A bad setting is said and refused. */
enum result
signing_defaults_read(struct store *s, struct signing_defaults *d,
    struct report *rep)
{
	static const struct {
		const char *setting, *option;
		int (*check)(const char *, const char **);
	} keys[] = {
		{ "default_key", "default-key", signing_check_default_key },
		{ "default_days", "default-days", signing_check_default_days },
		{ "default_org", "default-org", signing_check_default_org },
	};
	char *value[3] = { NULL, NULL, NULL }, *shown;
	const char *reason = NULL;
	enum result r = RESULT_OK;
	size_t i;

	for (i = 0; i < 3 && r == RESULT_OK; i++) {
		if (store_setting_get(s, keys[i].setting, &value[i]) != STORE_OK)
			value[i] = NULL;
		store_take_messages(s, rep);
		if (value[i] != NULL && keys[i].check(value[i], &reason) < 0) {
			shown = text_echo(value[i]);
			report_add(rep, REPORT_MESSAGE, "the store's %s setting '%s'"
			    " is invalid: %s (set it with 'sipca config %s VALUE')",
			    keys[i].option, shown, reason, keys[i].option);
			free(shown);
			r = RESULT_E_INPUT;
		}
	}
	if (r == RESULT_OK) {
		d->key_type_set = value[0] != NULL &&
		    key_type_parse(value[0], &d->key_type) == 0;
		if (value[1] == NULL || parse_long(value[1], 1, 36500, &d->days) < 0)
			d->days = 0;
		d->organization = value[2];
		value[2] = NULL;
	}
	for (i = 0; i < 3; i++)
		free(value[i]);
	return r;
}

void
signing_defaults_clear(struct signing_defaults *d)
{
	if (d == NULL)
		return;
	free(d->organization);
	memset(d, 0, sizeof(*d));
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
	if (need_domain && (r = signing_defaults_read(sg.store, &sg.defaults,
	    rep)) !=
	    RESULT_OK)
		goto out;
	*out = sg;
	memset(&sg, 0, sizeof(sg));
	r = RESULT_OK;
out:
	signing_clear(&sg);
	return r;
}

enum result
signing_unlock(struct signing *sg, const struct signer_secrets *secrets,
    struct report *rep)
{
	return signer_open(sg->store, 1, secrets, &sg->ca, rep);
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
	signing_defaults_clear(&sg->defaults);
	memset(sg, 0, sizeof(*sg));
}
