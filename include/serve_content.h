/*
 * serve_content: what "sipca serve" hands out, read from the store: the
 * CA certificate (with the root of a two-level CA, which is what users
 * import), the CRL that "sipca crl" and "sipca revoke" publish, as the
 * DER that HTTP distribution points serve (RFC 5280 section 4.2.1.13),
 * and the server's own certificate, chain and key. The server core
 * (serve.h) gets it as bytes and never sees the store.
 */
#ifndef SIPCA_SERVE_CONTENT_H
#define SIPCA_SERVE_CONTENT_H

#include "result.h"

struct report;
struct serve_content;
struct store;

/* Where the CRL is served when the store has no CRL URL. */
#define SERVE_CRL_PATH "/crl.der"

/* The path part of crl_url (what certificates point at), or SERVE_CRL_PATH. */
const char *serve_crl_path(const char *crl_url);

/*
 * Reads everything into *out (serve_content_clear). name: the store name
 * of the server certificate for HTTPS (NULL: plain HTTP only). Returns
 * RESULT_OK; RESULT_E_INPUT when name has no valid server certificate
 * with its key here; RESULT_E_FAILED when the store cannot be read. The
 * reason goes to rep.
 */
enum result serve_content_load(struct store *s, const char *name,
    const char *crl_url, struct serve_content *out, struct report *rep);

#endif
