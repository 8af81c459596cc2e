/*
 * request: what sipca checks about a certificate request (PKCS#10,
 * RFC 2986) before it signs one, beyond what csr_load() checks (its
 * form, its key, its self-signature): that --key, when given, names the
 * request's key; which of the request's SANs the certificate leaves
 * out; and whether the request's key is already certified for another
 * name. issue --csr and renew --csr ask the same questions here; the
 * command prints the answers and decides.
 */
#ifndef SIPCA_REQUEST_H
#define SIPCA_REQUEST_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "key.h"
#include "report.h"
#include "result.h"
#include "san_list.h"
#include "store.h"

/* A key as people name it: "RSA-2048", "P-256", else GnuTLS's words. */
void request_key_label(gnutls_pubkey_t pub, char *buf, size_t size);

/*
 * --key TYPE said with a request: RESULT_OK when the request's key is
 * of that type; else RESULT_E_INPUT with "--key p256 contradicts the
 * request's RSA-2048 key" in rep (the key is the requester's to choose,
 * so sipca cannot honour a different one).
 */
enum result request_check_key_type(gnutls_x509_crq_t crq, enum key_type want,
    struct report *rep);

/*
 * The request's SANs the certificate will not carry (issued is its
 * SANs), as a new "URI:sip:a@example.com, DNS:a.example.com", or NULL
 * when it carries them all, for the note that --copy-san would take
 * them. An unreadable subjectAltName is named as such.
 */
char *request_sans_left_out(gnutls_x509_crq_t crq, const struct san_list *issued);

/*
 * The name whose valid (unexpired) certificate holds the request's
 * public key, other than name itself (renewing NAME with its own key is
 * a renewal), by the SubjectPublicKeyInfo's octets in each certificate
 * of the index: one pass over the valid rows, paid by issue --csr and
 * renew --csr only (not by the batch). One key certified for several
 * names lets any of them act as the others, and revoking one leaves the
 * key trusted through the rest.
 * Returns RESULT_OK with *out_holder a new string or NULL, and
 * *out_serial (32 bytes or more) its serial; RESULT_E_FAILED after a
 * store or crypto error, in rep.
 */
enum result request_key_holder(struct store *s, gnutls_x509_crq_t crq,
    const char *name, char **out_holder, char *out_serial, size_t serial_size,
    struct report *rep);

#endif
