/*
 * pkcs11: CA keys on PKCS#11 tokens (RFC 7512 URIs) through GnuTLS and
 * p11-kit, which load the modules p11-kit knows (softhsm2, a YubiHSM,
 * a NitroKey...). It owns the PIN callback and what of a URI may be
 * kept in the store.
 *
 * The PIN comes from the URI's pin-value or pin-source (GnuTLS reads
 * those itself), else from a PIN file, else from a no-echo prompt on
 * the terminal. It lives in buffers that are wiped (secret.h) and is
 * never written anywhere: the store keeps the key's URI without it.
 */
#ifndef SIPCA_PKCS11_H
#define SIPCA_PKCS11_H

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "key.h"
#include "report.h"
#include "result.h"

/* True when s is a PKCS#11 URI ("pkcs11:..."). */
int pkcs11_is_uri(const char *s);

/*
 * Checks uri and returns a new string without its pin-value and
 * pin-source attributes, fit to be stored; NULL with *out_reason when
 * it is not a usable PKCS#11 URI.
 */
char *pkcs11_uri_strip_pin(const char *uri, const char **out_reason);

/*
 * Where the PIN comes from when GnuTLS asks for it: pin_file (may be
 * NULL), else a prompt when there is a terminal. Installs the callback.
 * A PIN from a file is offered once: a wrong one is not retried, so a
 * token's retry counter is not run down. option ("--pin-file") names
 * the command's PIN file option in messages. The file is read once
 * here: returns RESULT_OK, or RESULT_E_INPUT when it cannot be
 * (missing, empty, not a regular file; why goes to rep). Why the
 * callback had no PIN to give is said with the failure it leads to.
 */
enum result pkcs11_pin_setup(const char *pin_file, const char *option,
    struct report *rep);

/*
 * The CA key for init: the private key object uri names when there is
 * one, else a new key of type generated on the token uri names, labelled
 * with the URI's object attribute (default "sipca-ca"), sensitive and
 * never extractable. *out_url gets the key's own URI (without any PIN)
 * for the store and *out_key the key to sign with; *out_generated says
 * whether the key was made here. The search logs in first, so a wrong
 * or missing PIN makes no key. A key made here is removed again when
 * this fails later. Returns RESULT_OK, or a failure with its message
 * in rep (RESULT_E_INPUT for a wrong PIN or a URI that names no key).
 */
enum result pkcs11_ca_key(const char *uri, enum key_type type, char **out_url,
    gnutls_privkey_t *out_key, int *out_generated, struct report *rep);

/*
 * Removes from the token the key pair pkcs11_ca_key() generated, whose
 * private key has the URI key_url (its *out_url), logging in as
 * given_uri (the URI given to pkcs11_ca_key()) does: init calls it when
 * it fails after the key was made, so no orphan key is left. Says what
 * it did in rep either way; RESULT_E_FAILED when the key stays.
 */
enum result pkcs11_delete_key(const char *key_url, const char *given_uri,
    struct report *rep);

/*
 * Opens the private key at uri for signing. Returns RESULT_OK, or a
 * failure with its message in rep (RESULT_E_INPUT for a wrong or
 * missing PIN).
 */
enum result pkcs11_open_key(const char *uri, gnutls_privkey_t *out_key,
    struct report *rep);

/*
 * Sets *out_match to whether the token key at uri is the key of crt.
 * Returns RESULT_OK, or a failure with its message in rep.
 */
enum result pkcs11_key_matches(const char *uri, gnutls_x509_crt_t crt,
    int *out_match, struct report *rep);

#endif
