/*
 * lint: the certificate linter. The engine (src/lint/lint.c) owns the
 * rule model (one struct lint_rule row per rule, each family's rows in
 * its src/lint/lint_<family>.c next to the check functions), profiles
 * and findings, and lint_one(), the one way to lint a certificate.
 * lint_decode.c decodes one certificate once into a struct lint_cert
 * that every rule reads; lint_ca.c loads the chain rules' CAs;
 * lint_input.c reads inputs (PEM bundles, DER files, directories, stdin)
 * one certificate at a time so memory stays flat however large a bundle
 * is. Nothing here prints: input errors go to the caller.
 *
 * Knows nothing of the store or of output formats (lint_output.h).
 */
#ifndef SIPCA_LINT_H
#define SIPCA_LINT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <libtasn1.h>

#include "san_list.h"
#include "x509.h"

enum lint_severity {
	SEV_NOTICE = 0,
	SEV_WARN,
	SEV_ERROR,
	SEV_FATAL,
};
const char *lint_severity_name(enum lint_severity s);
int lint_severity_parse(const char *s, enum lint_severity *out);

#define LINT_KIND(k)	(1u << (k))
#define KINDS_CA	LINT_KIND(KIND_CA)
#define KINDS_SERVER	LINT_KIND(KIND_SERVER)
#define KINDS_DEVICE	LINT_KIND(KIND_DEVICE)
#define KINDS_EAP_TLS	LINT_KIND(KIND_EAP_TLS)
#define KINDS_LEAF	(KINDS_SERVER | KINDS_DEVICE | KINDS_EAP_TLS)
#define KINDS_ALL	(KINDS_CA | KINDS_LEAF)

/* Profiles group rules; a rule belongs to one. 0: always on (x509.*). */
enum lint_profile {
	PROF_RFC5280 = 1 << 0,
	PROF_TLS = 1 << 1,
	PROF_APPLE = 1 << 2,
	PROF_RFC5922 = 1 << 3,
	PROF_SIP = 1 << 4,
	PROF_POLYCOM = 1 << 5,
	PROF_Y2038 = 1 << 6,
	PROF_VALIDITY = 1 << 7,
	PROF_CHAIN = 1 << 8,
	PROF_SNOM = 1 << 9,
	PROF_CISCO = 1 << 10,
};
#define PROF_ALL 0x7ffu
#define LINT_PROFILE_NAMES \
	"rfc5280,tls,apple,rfc5922,sip,polycom,y2038,validity,chain,snom,cisco"
const char *lint_profile_name(unsigned profile);
/* "a,b" into a mask; on an unknown name returns -1 and *out_bad. */
int lint_profiles_parse(const char *list, unsigned *out, const char **out_bad);

/* Context a rule cannot run without; it is skipped when not given. */
enum lint_needs {
	NEED_SIP_DOMAIN = 1 << 0,	/* --sip-domain */
	NEED_CA = 1 << 1,		/* --ca */
	NEED_GNUTLS = 1 << 2,		/* GnuTLS's import: --gnutls, or --ca */
};

struct lint_cert;
struct lint_findings;

struct lint_rule {
	const char *id;			/* stable: "rfc5280.serial_not_positive" */
	enum lint_severity severity;	/* a finding may lower it (ski_missing) */
	unsigned kinds;			/* KINDS_* */
	unsigned profile;		/* one PROF_*, 0 for x509.* */
	unsigned needs;			/* NEED_* */
	const char *summary;
	const char *citation;		/* document and section */
	/* NULL for the rules the engine reports itself (x509.*). */
	void (*check)(const struct lint_cert *c, struct lint_findings *f);
};

/* Each family's rows, terminated by { NULL }. */
extern const struct lint_rule lint_rules_x509[];
extern const struct lint_rule lint_rules_rfc5280[];
extern const struct lint_rule lint_rules_names[];
extern const struct lint_rule lint_rules_tls[];
extern const struct lint_rule lint_rules_apple[];
extern const struct lint_rule lint_rules_rfc5922[];
extern const struct lint_rule lint_rules_sip[];
extern const struct lint_rule lint_rules_vendor[];
extern const struct lint_rule lint_rules_validity[];
extern const struct lint_rule lint_rules_chain[];
extern const struct lint_rule lint_rules_constraints[];

/* Every rule, in table order. The array is static. */
const struct lint_rule *const *lint_rules(size_t *out_n);
const struct lint_rule *lint_rule_find(const char *id);
/* Index of a rule in lint_rules() (SARIF ruleIndex). */
size_t lint_rule_index(const struct lint_rule *r);

/* A CA given with --ca (or the issuing CA for the guard), loaded once. */
struct lint_ca {
	gnutls_x509_crt_t crt;		/* owned */
	gnutls_pubkey_t pubkey;		/* owned */
	gnutls_datum_t subject;		/* raw DER subject (gnutls_free) */
	int is_ca;			/* basicConstraints cA true */
	/* has nameConstraints, whose check takes GnuTLS's reading of the leaf */
	int constrains;
	char *label;			/* "FILE#INDEX" */
	/*
	 * Set by the issuance guard only: sipca has just signed the certificate
	 * with this CA's key (checked against the CA certificate when it was
	 * loaded), so the chain rules compare the issuer name and do not verify
	 * the signature a second time.
	 */
	int signed_by_us;
};

struct lint_options {
	unsigned profiles;		/* PROF_* mask; PROF_ALL by default */
	const char *const *exclude;	/* rule ids, n_exclude of them */
	size_t n_exclude;
	int role;			/* -1: detect, else enum cert_kind */
	const char *sip_domain;		/* NULL: not given */
	const struct lint_ca *cas;	/* NULL/0: not given */
	size_t n_ca;
	time_t now;
	long expiry_warn_days;
	int gnutls;			/* import with GnuTLS as well (--gnutls) */
	int subject_text;		/* keep the subject as text (JSON output) */
};
void lint_options_init(struct lint_options *o);

/*
 * Whether each certificate is imported by GnuTLS too, a second decoder:
 * with --gnutls, and with --ca, whose chain rules check signatures and
 * name constraints through GnuTLS; not for the issuance guard's own CA
 * (signed_by_us) unless it has name constraints. Otherwise libtasn1's
 * one decode is all (the rules read nothing else).
 */
int lint_wants_gnutls(const struct lint_options *o);

/*
 * Loads CA certificates for the chain rules from PEM or DER data,
 * appending them to *cas. Returns 0, or -1 with *out_reason (may be
 * NULL; a new string naming the GnuTLS call that failed).
 */
int lint_ca_load(const unsigned char *data, size_t len, const char *label,
    struct lint_ca **cas, size_t *n_ca, char **out_reason);
void lint_ca_free(struct lint_ca *cas, size_t n_ca);
/* Whether crt has a nameConstraints extension (lint_ca.constrains). */
int lint_ca_constrains(gnutls_x509_crt_t crt);

enum lint_time_type { LINT_TIME_NONE = 0, LINT_TIME_UTC, LINT_TIME_GEN };

struct lint_time {
	enum lint_time_type type;
	const unsigned char *raw;	/* the encoded octets, borrows der */
	size_t raw_len;
	char text[40];			/* raw as a string when it fits, else "" */
	int ok;				/* value parsed (perhaps leniently) */
	time_t t;
};

struct lint_ext {
	/* Dotted; oid_text unless the OID is longer, then oid_long (owned). */
	const char *oid;
	char oid_text[64];
	char *oid_long;
	int critical;
	const unsigned char *value;	/* extnValue contents, borrows der */
	size_t value_len;
	char malformed[160];		/* why the value did not decode, or "" */
	/* Why it decodes but is BER, not DER (a DEFAULT written out, a
	 * BIT STRING's stray bits), or "": the meaning is still read. */
	char not_der[160];
};

/* A subject attribute's string: owned, length-counted, NUL after it. */
struct lint_str {
	char *data;
	size_t len;
};

/* keyUsage bits, RFC 5280 4.2.1.3 numbering */
#define KU_DIGITAL_SIGNATURE	(1u << 0)
#define KU_NON_REPUDIATION	(1u << 1)
#define KU_KEY_ENCIPHERMENT	(1u << 2)
#define KU_DATA_ENCIPHERMENT	(1u << 3)
#define KU_KEY_AGREEMENT	(1u << 4)
#define KU_KEY_CERT_SIGN	(1u << 5)
#define KU_CRL_SIGN		(1u << 6)

#define OID_RSA		"1.2.840.113549.1.1.1"
#define OID_SHA256_RSA	"1.2.840.113549.1.1.11"

/*
 * One certificate, decoded once for every rule. Pointers into der are
 * borrowed; strings and arrays are owned and freed by lint_cert_clear().
 */
enum { LINT_NAME_SUBJECT = 1, LINT_NAME_ISSUER = 2 };

struct lint_cert {
	const char *file;		/* as given; "-" for stdin */
	unsigned index;			/* 1-based within file */
	unsigned line;			/* line of the PEM BEGIN, 1 for DER */
	const unsigned char *der;	/* the certificate's own octets */
	size_t der_len;
	unsigned char *pem_der;		/* der, when decoded from PEM text */
	size_t trailing;		/* octets after it in its block */
	const struct lint_options *opts;

	asn1_node tree;			/* NULL when libtasn1 refused */
	gnutls_x509_crt_t crt;		/* NULL when GnuTLS refused */
	/*
	 * Set by a caller that already holds the certificate as GnuTLS built
	 * it (the issuance guard): crt is borrowed, not imported again.
	 */
	int crt_borrowed;
	char parse_error[160];		/* why tree is NULL */
	char gnutls_error[160];		/* why crt is NULL: "call: reason" */
	enum cert_kind kind;

	int version;			/* 1, 2, 3 */
	unsigned char serial[32];	/* the INTEGER's octets, first 32 */
	size_t serial_len;		/* all of them, sign octet included */
	struct lint_time not_before, not_after;
	char sig_oid[64];		/* "" when the OID is longer */
	char spki_oid[64];
	unsigned rsa_bits;		/* 0 unless an RSA key was decoded */
	const unsigned char *tbs, *sig;	/* TLV, and BIT STRING contents */
	size_t tbs_len, sig_len;
	const unsigned char *issuer, *subject;	/* raw Name TLVs */
	size_t issuer_len, subject_len;
	int self_issued;		/* issuer and subject are the same */
	unsigned empty_rdn;		/* LINT_NAME_*: a Name with an empty RDN */
	int decoded;			/* libtasn1 decoded it (tree was made) */
	char *subject_text;		/* with opts->subject_text: RFC 4514
					 * (GnuTLS) or a simple form;
					 * outside text: escape it to print */

	struct lint_str *cns;		/* subject commonName values, UTF-8 */
	size_t n_cn;

	struct lint_ext *exts;
	size_t n_ext;
	int has_bc, bc_critical, bc_ca;
	int has_ku, ku_critical;
	unsigned ku;
	int has_eku, eku_server, eku_client, eku_any;
	int has_san;
	/*
	 * The subjectAltName as san_list_from_der() reads it, the list sipid
	 * judges: DNS, URI and email values length-counted, exactly as
	 * encoded, with problem set when one holds a NUL or a byte above
	 * 0x7F (a rule that read it as a C string would see another name);
	 * an iPAddress as its canonical text, or "#hex" with a problem when
	 * it is not 4 or 16 octets. Owned.
	 */
	struct san_list sans;
	int has_aki, aki_keyid, has_ski;

	/* The --ca certificate that signed it (chain profile with --ca),
	 * found once at decode time: a signature check per rule is too dear. */
	const struct lint_ca *signer;
};

/*
 * Decodes der (one certificate, possibly followed by trailing octets)
 * into c, borrowing der. Returns 0, or -1 when libtasn1 cannot decode
 * it (c->parse_error says why; c is still cleared with lint_cert_clear).
 */
int lint_cert_decode(struct lint_cert *c, const unsigned char *der,
    size_t len, const struct lint_options *o);
void lint_cert_clear(struct lint_cert *c);
/*
 * Frees what only the rules read (the trees, names, extensions), keeping
 * what a writer prints: file, index, line, kind, decoded, subject_text.
 * lint_cert_clear() afterwards frees the rest.
 */
void lint_cert_release(struct lint_cert *c);
/*
 * ca/server/device detection, RFC 5280 4.2.1.9 and 4.2.1.12. Never
 * eap-tls: nothing in a certificate says it is for 802.1X, so that kind
 * is a --role (or the issuance guard's).
 */
enum cert_kind lint_detect_kind(const struct lint_cert *c);
/* The extension with this OID, or NULL; the first when duplicated. */
const struct lint_ext *lint_cert_ext(const struct lint_cert *c,
    const char *oid);

struct lint_finding {
	const struct lint_rule *rule;
	enum lint_severity severity;
	char *message;
};

struct lint_findings {
	struct lint_finding *items;
	size_t n, cap;
	const struct lint_rule *current;	/* the rule running */
	char **esc;				/* lint_esc() strings, until reset */
	size_t n_esc, cap_esc;
};

/*
 * Octets from the certificate (or a file name) as text safe to put into
 * a finding: text_escape() with at most LINT_ECHO_MAX octets shown. The
 * string belongs to f and lives until lint_findings_reset(), so a rule
 * writes lint_report(f, "'%s'", lint_esc(f, v, n)) and frees nothing.
 */
#define LINT_ECHO_MAX 256
const char *lint_esc(struct lint_findings *f, const void *data, size_t len);
const char *lint_esc_str(struct lint_findings *f, const char *s);

/*
 * Reports a finding for the running rule with its severity. Every value
 * from the certificate in the message goes through lint_esc(), so the
 * message is text that any output may print as it is.
 */
void lint_report(struct lint_findings *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void lint_report_sev(struct lint_findings *f, enum lint_severity sev,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Empties the list, keeping its memory for the next certificate. */
void lint_findings_reset(struct lint_findings *f);
void lint_findings_free(struct lint_findings *f);

/* True when rule r runs under options o on a certificate of kind k. */
int lint_rule_enabled(const struct lint_rule *r, const struct lint_options *o,
    enum cert_kind k);

/*
 * Lints one decoded (or undecodable) certificate: x509.parse when
 * decoding failed, else every enabled rule. Findings are appended to f.
 */
void lint_run(const struct lint_cert *c, struct lint_findings *f);

/*
 * One certificate to lint, as an input reader found it or as a caller
 * holds it: der (borrowed), or NULL with problem saying why there is no
 * certificate (reported as x509.parse).
 */
struct lint_source {
	const char *file;		/* as given; "-" for stdin */
	unsigned index;			/* 1-based within file */
	unsigned line;			/* line of the PEM BEGIN, 1 for DER */
	const unsigned char *der;
	size_t len;
	const char *problem;
	/* The caller's own GnuTLS import of der (the issuance guard holds
	 * the certificate it built): borrowed, not imported again. */
	gnutls_x509_crt_t crt;
	/*
	 * der holds a PEM block's base64 text as read (RFC 7468 section 2):
	 * lint_one() decodes it, on whichever thread lints it, so that the
	 * one thread that reads a bundle does not also decode it all.
	 */
	int pem;
};

/*
 * A PEM block's base64 text (whitespace as read) into a new *der (free())
 * of *der_len octets. Returns NULL, or the problem that stands for the
 * certificate ("invalid base64 in the PEM block", "empty PEM block").
 */
const char *lint_pem_decode(const unsigned char *text, size_t len,
    unsigned char **der, size_t *der_len);

/*
 * Lints one certificate: c is filled from src and decoded once (c
 * borrows src's der and file), f is emptied and gets the findings of
 * every rule enabled under o. The one way to lint a certificate, for
 * sipca lint, the issuance guard, the probe and the tests. c is cleared
 * with lint_cert_clear() afterwards, whatever happened.
 */
void lint_one(const struct lint_source *src, const struct lint_options *o,
    struct lint_cert *c, struct lint_findings *f);

struct lint_summary {
	unsigned long certificates;
	unsigned long count[SEV_FATAL + 1];
};
void lint_summary_add(struct lint_summary *s, const struct lint_findings *f);

/*
 * What lint_input() calls: cert once per certificate found (the source
 * and its der live until cert returns), error once per input that
 * cannot be read, with a message to show as it is ("cannot read
 * 'x.pem': No such file or directory", the name escaped).
 */
struct lint_reader {
	void (*cert)(const struct lint_source *src, void *arg);
	void (*error)(const char *message, void *arg);
	void *arg;
	/*
	 * Once per PEM block of another label (a private key, a request),
	 * which is skipped; a file found in a directory that holds only such
	 * blocks is not an x509.parse finding. The message names the file, the line and the
	 * label, nothing of the contents. NULL: skipped silently.
	 */
	void (*skipped)(const char *message, void *arg);
};

/*
 * Reads path: a file with PEM certificates or one DER certificate, a
 * directory (walked for .pem .crt .cer .der, in name order), or "-" for
 * stdin. Input that holds no certificate is given to r->cert as an
 * undecodable one (x509.parse), except a file of other PEM blocks only
 * (a key) met while walking a directory. Returns 0, or -1 when some
 * input could not be read (each told to r->error).
 */
int lint_input(const char *path, const struct lint_reader *r);

/* The CA among o->cas whose name and signature match c, or NULL
 * (lint_ca.c; the decoder asks once per certificate). */
const struct lint_ca *lint_chain_signer(const struct lint_cert *c);

/* Helpers for rules. */
/* A readable name for common key and signature OIDs, else the OID. */
const char *lint_oid_name(const char *oid);
/* RFC 3339 when the time parsed, else the encoded text, into buf. */
const char *lint_time_str(const struct lint_time *t, char buf[48]);
/* Length-counted: the octets may hold a NUL. */
int lint_has_wildcard(const char *p, size_t len);
/* p[0..len) equals s, ASCII letters folded (RFC 4343 section 3). */
int lint_text_caseeq(const char *p, size_t len, const char *s);

#endif
