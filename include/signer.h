/*
 * signer: opens the store's CA for the commands that sign (issue, renew,
 * crl, batch): reads ca.pem and ca.key, asks for the passphrase when the
 * key is encrypted (from --passphrase-file or a no-echo prompt) and
 * checks the key belongs to the certificate. When the store's setting
 * ca_key_uri names a key on a PKCS#11 token, that key signs instead and
 * the PIN file (or, as before --pin-file, the passphrase file) holds
 * the token's PIN (pkcs11.h). A two-level
 * CA's root (root.pem, with root.key, the token the setting root_key_uri
 * names, or a key file moved off the machine) opens the same way.
 *
 * Nothing here prints: messages go into the caller's report, and the
 * results say what happened (result.h); the command prints and exits.
 */
#ifndef SIPCA_SIGNER_H
#define SIPCA_SIGNER_H

#include "key.h"
#include "report.h"
#include "result.h"

struct ca;
struct store;

/*
 * Where the secret that unlocks a CA key comes from. A key file's
 * passphrase: passphrase_file, else the terminal. A token's PIN:
 * pin_file, else passphrase_file (what sipca took before --pin-file),
 * else the terminal. Either may be NULL; a NULL struct is both NULL.
 */
struct signer_secrets {
	const char *passphrase_file;
	const char *pin_file;
};

/* What a store error means: a missing or refused thing is the input's fault. */
enum result signer_store_result(int store_error);

/*
 * Opens the store in dir_option (the -d value, or NULL for $SIPCA_DIR
 * or the XDG default: store_default_dir()). Returns a store error code;
 * why it failed goes to rep.
 */
int signer_open_store(const char *dir_option, int flags, struct store **out_store,
    struct report *rep);

/*
 * With need_key, the CA's key is attached, unlocked with secrets (may
 * be NULL). Messages go to rep.
 */
enum result signer_open(struct store *s, int need_key,
    const struct signer_secrets *secrets, struct ca **out_ca,
    struct report *rep);

/*
 * The issuing CA's certificate as it is, for check: without the key, and
 * without the refusal of a rollover switch cut short (which the caller
 * reports, from store_rollover_state()).
 */
enum result signer_inspect(struct store *s, struct ca **out_ca,
    struct report *rep);

/*
 * In a rollover's overlap: the old issuing CA (old-ca.pem), or with root
 * the old root (old-root.pem), with its key (old-*.key, or the token
 * old_*_key_uri names) unlocked with secrets.
 */
enum result signer_open_old(struct store *s, int root,
    const struct signer_secrets *secrets, struct ca **out_ca,
    struct report *rep);

/* 1 when the store is a two-level CA (it has root.pem), 0 when not, or a store error. */
int signer_has_root(struct store *s);

/*
 * A two-level CA's root (root.pem), with its key when need_key: from
 * root_key_file when given (a key moved off the machine), else from the
 * token the setting root_key_uri names, else from DIR/root.key. A store
 * without a root, or whose root key is not there, is RESULT_E_INPUT with
 * a message saying so.
 */
enum result signer_open_root(struct store *s, int need_key,
    const char *root_key_file, const struct signer_secrets *secrets,
    struct ca **out_ca, struct report *rep);

/*
 * The team's defaults, kept as store settings (sipca config): the key
 * type (setting default_key), validity in days (default_days) and the
 * subject's organisation (default_org) of what is issued when the
 * command line does not say. The store keeps the strings; what they
 * mean is read here, and checked by the same functions when set.
 */
struct signing_defaults {
	int key_type_set;
	enum key_type key_type;
	long days;			/* 0: none */
	char *organization;		/* NULL: none */
};

/* Reads s's defaults into d (clear it with signing_defaults_clear()). */
enum result signing_defaults_read(struct store *s, struct signing_defaults *d,
    struct report *rep);
void signing_defaults_clear(struct signing_defaults *d);

/*
 * The defaults in place of the built-in ones the command line left:
 * the key type unless key_given, the days unless days_given.
 */
void signing_defaults_apply(const struct signing_defaults *d, int key_given,
    enum key_type *key_type, int days_given, long *days);

/* Each returns 0, or -1 with what is allowed in *out_reason. */
int signing_check_default_key(const char *value, const char **out_reason);
int signing_check_default_days(const char *value, const char **out_reason);
int signing_check_default_org(const char *value, const char **out_reason);

/*
 * A store opened to sign in, with the settings every issuance reads:
 * issue, renew, the batch, crl and revoke open it the same way. The CA is unlocked
 * later, by signing_unlock(), once the input has been checked, so a bad
 * request never asks for the passphrase.
 */
struct signing {
	struct store *store;
	char *domain;			/* the store's SIP domain, or NULL */
	char *crl_url;			/* NULL: none */
	struct signing_defaults defaults;
	struct ca *ca;			/* NULL until signing_unlock() */
};

/*
 * Opens the store as signer_open_store() does and reads its settings;
 * with need_domain (the commands that issue), a store without a SIP
 * domain is refused, and so is a default setting that does not read
 * (written by hand).
 */
enum result signing_open(const char *dir_option, int flags, int need_domain,
    struct signing *out, struct report *rep);

/* Attaches the CA with its key (signer_open()). */
enum result signing_unlock(struct signing *sg,
    const struct signer_secrets *secrets, struct report *rep);

/* Closes the store and frees the CA; the struct is the caller's. */
void signing_clear(struct signing *sg);

#endif
