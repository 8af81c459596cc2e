/*
 * issuance: everything between "these are the names and the key" and
 * "these are the bytes to store": defaults and validation of a request,
 * the key, the serial, the signed certificate, the issuance lint guard
 * and the PEM files. Pure memory work, safe to run in several threads at
 * once (the batch does), with the store written afterwards by one
 * thread through store_issue().
 */
#ifndef SIPCA_ISSUANCE_H
#define SIPCA_ISSUANCE_H

#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "report.h"
#include "result.h"
#include "store.h"

struct ca;
struct leaf_template;

/* X.520 ub-common-name (RFC 5280 appendix A). */
#define UB_COMMON_NAME 64

/* The longest TLS server certificate Apple platforms accept (HT210176). */
#define DEFAULT_LEAF_DAYS 825

struct issuance_spec {
	enum cert_kind kind;		/* KIND_SERVER, KIND_DEVICE or KIND_EAP_TLS */
	const char *name;		/* the store name; the CN */
	const char *domain;		/* the CA's SIP domain */
	struct san_list sans;		/* owned: filled by issuance_default_sans() */
	enum key_type key_type;
	long days;
	/*
	 * NULL: days is a default, capped to the CA's notAfter; else the
	 * option or column that set it, refused past it (validity.h).
	 */
	const char *days_from;
	int allow_wildcard;
	int allow_foreign;		/* names outside domain (--allow-foreign-names) */
	int force;			/* issue despite lint errors */
	/*
	 * A host's own certificate that does not claim the SIP domain (ACME
	 * for a host name only): the guard lints it without the domain, so
	 * RFC 5922's domain identity is not asked of it. Names stay inside
	 * the domain (issuance_validate()).
	 */
	int host_only;
	const char *crl_url;		/* NULL: none */
	const char *organization;	/* the subject's O (config default-org); NULL: none */
	/* The subject key: a CSR, an existing key (renewal), or neither (generate). */
	gnutls_x509_crq_t csr;		/* borrowed */
	gnutls_pubkey_t pubkey;		/* borrowed; used when there is no CSR */
	time_t not_before;		/* 0: now */
	/*
	 * What every leaf of this CA shares, encoded once (leaf.h), for a
	 * caller issuing many; borrowed. NULL, or one made for another CA
	 * or CRL URL: issuance_prepare() makes its own.
	 */
	const struct leaf_template *leaf;
};

struct issuance {
	char serial[2 * SERIAL_LEN + 1];
	gnutls_datum_t cert_pem;	/* gnutls_free */
	gnutls_datum_t key_pem;		/* the new key, or empty; wiped on free */
	char *chain_pem;
	char *subject;
	char *sans_text;
	time_t not_before, not_after;
	int capped;			/* not_after is the CA's (validity.h) */
	int forced;
	const char *key_source;		/* "generated", "csr", "kept" */
	char key_type[16];
};

/*
 * The identities a certificate gets by default, then the extra ones:
 * server: URI:sip:DOMAIN (RFC 5922 section 4), DNS:DOMAIN unless
 * no_domain_dns (clients that match the SRV-found domain as a DNS name),
 * DNS:FQDN; device: URI:sip:NAME@DOMAIN when no URI is given; eap-tls:
 * DNS:MAC.DOMAIN (eap_tls.h), and a URI only when one is given.
 */
void issuance_default_sans(struct issuance_spec *spec, int no_domain_dns);

/*
 * Folds each DNS name and each URI's scheme and host to lower case (DNS
 * names and hosts compare case-insensitively, RFC 4343, RFC 3261
 * section 19.1.4; user parts do not), so a certificate never holds two
 * spellings of one identity. issuance_default_sans() calls it.
 */
void issuance_fold_sans(struct san_list *sans);

/*
 * Checks the name and every SAN: their syntax (an eap-tls name is a MAC
 * as eap_tls_mac_parse() writes it), the CN's X.520 bound, and
 * the CA's identity policy: no device certificate with the domain's own
 * identity (a sip:/sips: URI without a user part, or DNS:DOMAIN: RFC
 * 5922 section 7.1), and no DNS name or URI host outside the SIP domain
 * unless allow_foreign. Returns 0, or -1 with a new message such as
 * "invalid SIP URI: 'sip:@x': empty user part" in *out_msg, every value
 * in it escaped and cut short.
 */
int issuance_validate(const struct issuance_spec *spec, char **out_msg);

/*
 * Builds, signs and lints one certificate, its notAfter from
 * validity_leaf() against ca. Returns RESULT_OK; RESULT_E_INPUT when
 * the validity asked for ends after the CA's or the CA has expired;
 * RESULT_E_REFUSED when the lint guard refused it; RESULT_E_FAILED
 * after a crypto error. The guard's findings (prefixed with the name)
 * and any error go to rep.
 */
enum result issuance_prepare(const struct issuance_spec *spec,
    const struct ca *ca, struct issuance *out, struct report *rep);

/* How issuance_issue() records: NULL is a new name with its own key. */
struct issuance_record {
	const char *key_source;		/* NULL: as prepared ("csr", "generated") */
	int replace;			/* renewal: supersede the current one */
	const char *origin;		/* who asked (store_issue's origin); NULL: the command line */
};

/*
 * Prepares spec and records it with store_issue(), drawing a new serial
 * when the one drawn is already recorded (p = 2^-159): at most three
 * tries. *out_store_error is store_issue()'s answer (STORE_E_NAME_TAKEN
 * and STORE_E_NOTFOUND matter to the caller); it is not set when the
 * preparation failed. Returns RESULT_OK with *out filled, the
 * preparation's result, or the store error's meaning.
 */
enum result issuance_issue(struct store *s, const struct issuance_spec *spec,
    const struct ca *ca, const struct issuance_record *how,
    struct issuance *out, int *out_store_error, struct report *rep);

/* The store's view of a prepared issuance (strings borrowed from it). */
void issuance_to_store(const struct issuance *is,
    const struct issuance_spec *spec, struct store_issue *out);

/*
 * A dry run's CA key: a new key of the CA certificate's algorithm
 * (RSA-2048 for any RSA CA, P-256 for any ECDSA one), so a dry run
 * needs no passphrase, PIN or token. Returns RESULT_OK with *out (the
 * caller's to deinit) or RESULT_E_FAILED with the GnuTLS call in rep.
 */
enum result issuance_standin_key(const struct ca *ca, gnutls_privkey_t *out,
    struct report *rep);

/*
 * What issuance_prepare() would give for spec, ca's certificate read
 * without its key: the same certificate but for the signature, made by
 * standin (issuance_standin_key()), and the same guard on it, findings
 * and refusal in rep with the same words. *out is never to be stored:
 * its signature is the stand-in's; the caller only reads it and clears it.
 */
enum result issuance_rehearse(const struct issuance_spec *spec,
    const struct ca *ca, gnutls_privkey_t standin, struct issuance *out,
    struct report *rep);

void issuance_clear(struct issuance *is);

/*
 * The valid certificate a NAME a person typed means, names being
 * case-insensitive: the name as typed, when it has capitals and a store
 * from before names were folded holds it so; the name folded to lower
 * case (how every name is stored now); or else a stored name that
 * differs from it only in case (found by a scan of the index, so a
 * miss costs about 20 ms per 10,000 rows). Returns what
 * store_find_current() returns.
 */
int issuance_find_current(struct store *s, const char *name,
    struct store_cert **out_cert);

#endif
