/*
 * signer: opens the store's CA for the commands that sign (issue, renew,
 * crl, batch): reads ca.pem and ca.key, asks for the passphrase when the
 * key is encrypted (from --passphrase-file or a no-echo prompt) and
 * checks the key belongs to the certificate. When the store's setting
 * ca_key_uri names a key on a PKCS#11 token, that key signs instead and
 * the passphrase file holds the token's PIN (pkcs11.h).
 */
#ifndef SIPCA_SIGNER_H
#define SIPCA_SIGNER_H

struct ca;
struct store;

/*
 * With need_key, the CA's key is attached. passphrase_file may be NULL.
 * Returns 0, or an exit status after a message.
 */
int signer_open(struct store *s, int need_key, const char *passphrase_file,
    struct ca **out_ca);

/* Opens the store named by -d/$SIPCA_DIR/XDG; returns 0 or an exit status. */
int signer_open_store(int flags, struct store **out_store);

/* The exit status for a store error code. */
int signer_exit_status(int store_error);

#endif
