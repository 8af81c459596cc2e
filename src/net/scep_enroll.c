/*
 * scep_enroll: PKIOperation (RFC 8894 section 3.3): a PKCSReq with a
 * one-time challenge, a RenewalReq (or a PKCSReq without a challenge)
 * signed by the device's current certificate, a CertPoll; answered
 * with a CertRep the RA signs. What the request gets wrong is a signed
 * FAILURE (HTTP 200), what is no pkiMessage an HTTP 400; nothing is
 * issued or changed for either, and a challenge stays unused when the
 * issuance it was spent on fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "ca.h"
#include "cert.h"
#include "eap_tls.h"
#include "issuance.h"
#include "renewal.h"
#include "report.h"
#include "san_list.h"
#include "scep_challenge.h"
#include "scep_static.h"
#include "scep_int.h"
#include "scep_msg.h"
#include "serve.h"
#include "store.h"
#include "util.h"

/* A pkiMessage is a SignedData around an EnvelopedData: far more than this. */
#define SCEP_MIN_MESSAGE 64

/* What the CertRep says, and the log line's words. */
struct answer {
	enum scep_status status;
	enum scep_fail fail;
	char text[256];			/* failInfoText, or what was done */
	char serial[2 * SERIAL_LEN + 1];	/* SUCCESS: the certificate's */
};

static void
refuse(struct answer *a, enum scep_fail fail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
refuse(struct answer *a, enum scep_fail fail, const char *fmt, ...)
{
	va_list ap;

	a->status = SCEP_FAILURE;
	a->fail = fail;
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, ap);
	va_end(ap);
}

/* The request's CN, the device NAME, folded as names are; -1 when none. */
static int
request_cn(gnutls_x509_crq_t crq, char *buf, size_t size)
{
	size_t len = size;

	if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
	    buf, &len) < 0 || len == 0 || memchr(buf, '\0', len) != NULL)
		return -1;
	san_fold_store_name(buf);
	return 0;
}

/* Hex SHA-256 of data into out (65 octets). */
static void
sha256_hex(const gnutls_datum_t *data, char out[65])
{
	unsigned char d[32];
	char *hex;

	out[0] = '\0';
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data->data, data->size, d) < 0)
		return;
	hex = hex_encode(d, sizeof(d));
	snprintf(out, 65, "%s", hex);
	free(hex);
}

/* Hex SHA-256 key id of the signer's public key into out (65 octets); "" when none. */
static void
signer_id(gnutls_x509_crt_t signer, char out[65])
{
	unsigned char id[32];
	size_t len = sizeof(id);
	char *hex;

	out[0] = '\0';
	if (signer == NULL || gnutls_x509_crt_get_key_id(signer,
	    GNUTLS_KEYID_USE_SHA256, id, &len) < 0)
		return;
	hex = hex_encode(id, len);
	snprintf(out, 65, "%s", hex);
	free(hex);
}

/*
 * A transaction recorded before (section 3.3.1: a client that lost the
 * answer sends the same request again): the serial it was given, when
 * the request's signer has the same key (transactionIDs are the
 * client's to choose, so one device cannot collect another's answer),
 * request_hash matches (NULL: any, for CertPoll) and that certificate is
 * still valid. Returns 1 with serial, else 0.
 */
static int
transaction_serial(struct scep *sc, const char *tid, gnutls_x509_crt_t signer,
    const char *request_hash, char serial[2 * SERIAL_LEN + 1])
{
	char key[65];
	struct store_record *r = NULL;
	struct store_cert *c = NULL;
	json_t *doc = NULL;
	const char *sv, *rh, *sk;
	int found = 0;

	if (store_record_get(sc->cfg->store, SCEP_TXN_KIND, tid, &r) != STORE_OK)
		goto out;
	doc = json_loads(r->doc != NULL ? r->doc : "{}", 0, NULL);
	sv = json_string_value(json_object_get(doc, "serial"));
	rh = json_string_value(json_object_get(doc, "request"));
	sk = json_string_value(json_object_get(doc, "signer"));
	signer_id(signer, key);
	if (sv == NULL || sk == NULL || strcmp(sk, key) != 0 ||
	    (request_hash != NULL && (rh == NULL || strcmp(rh, request_hash) != 0)))
		goto out;
	if (store_find_serial(sc->cfg->store, sv, &c) != STORE_OK ||
	    c->status != STATUS_VALID)
		goto out;
	snprintf(serial, 2 * SERIAL_LEN + 1, "%s", sv);
	found = 1;
out:
	store_cert_free(c);
	json_decref(doc);
	store_record_free(r);
	return found;
}

static void
transaction_record(struct scep *sc, const char *tid, gnutls_x509_crt_t signer,
    const char *request_hash, const char *serial, const char *name)
{
	struct store_record r;
	json_t *doc;
	char key[65], *text;

	signer_id(signer, key);
	doc = json_pack("{ssssssss}", "serial", serial, "request", request_hash,
	    "name", name, "signer", key);
	text = json_dumps(doc, JSON_COMPACT);

	memset(&r, 0, sizeof(r));
	r.kind = (char *)SCEP_TXN_KIND;
	r.id = (char *)tid;
	r.status = (char *)"issued";
	r.doc = text;
	if (store_record_update(sc->cfg->store, &r, NULL) == STORE_E_NOTFOUND)
		(void)store_record_add(sc->cfg->store, &r);
	free(text);
	json_decref(doc);
}

/* Issued by this CA: its signature verifies with the CA's key (time aside: checked after). */
static int
signed_by_ca(struct scep *sc, gnutls_x509_crt_t crt)
{
	unsigned status = 0;
	gnutls_x509_crt_t ca = sc->cfg->ca->crt;

	if (crt == NULL || gnutls_x509_crt_check_issuer(crt, crt))
		return 0;
	return gnutls_x509_crt_verify(crt, &ca, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status) == 0 && status == 0;
}

/*
 * Section 3.3.1.2: a renewal is authenticated by the certificate it is
 * signed with: issued by this CA, recorded, valid now, and NAME's
 * current certificate (not superseded, not revoked). *out_cur is it.
 */
static int
renewal_allowed(struct scep *sc, const struct scep_request *req, const char *cn,
    struct store_cert **out_cur, struct answer *a)
{
	struct store_cert *c = NULL, *cur = NULL;
	gnutls_datum_t der = { NULL, 0 }, rec = { NULL, 0 };
	gnutls_x509_crt_t stored = NULL;
	char serial[2 * SERIAL_LEN + 1], mac[EAP_TLS_MAC_LEN];
	const char *why;
	time_t now = sipca_now();
	int ok = 0;

	if (!signed_by_ca(sc, req->signer)) {
		refuse(a, SCEP_BAD_REQUEST, "a renewal is signed by the device's"
		    " current certificate from this CA; this one is not from it");
		goto out;
	}
	if (cert_serial_hex(req->signer, serial, sizeof(serial)) < 0 ||
	    store_find_serial(sc->cfg->store, serial, &c) != STORE_OK) {
		refuse(a, SCEP_BAD_CERT_ID, "the signer certificate is not recorded"
		    " by this CA");
		goto out;
	}
	if (c->status == STATUS_REVOKED) {
		refuse(a, SCEP_BAD_REQUEST, "the signer certificate %s is revoked",
		    serial);
		goto out;
	}
	if (c->status == STATUS_EXPIRED || now >= c->not_after) {
		refuse(a, SCEP_BAD_TIME, "the signer certificate %s has expired:"
		    " enroll again with a challenge", serial);
		goto out;
	}
	if (now < c->not_before) {
		refuse(a, SCEP_BAD_TIME, "the signer certificate %s is not valid yet",
		    serial);
		goto out;
	}
	if (c->status != STATUS_VALID || store_find_current(sc->cfg->store,
	    c->name, &cur) != STORE_OK || strcmp(cur->serial, c->serial) != 0) {
		refuse(a, SCEP_BAD_REQUEST, "the signer certificate %s is not the"
		    " current certificate of '%s'", serial, c->name);
		goto out;
	}
	/* The very certificate recorded, not only its serial. */
	if (gnutls_x509_crt_export2(req->signer, GNUTLS_X509_FMT_DER, &der) < 0 ||
	    gnutls_x509_crt_init(&stored) < 0 ||
	    gnutls_x509_crt_import(stored, &(gnutls_datum_t){ (unsigned char *)
	    cur->pem, (unsigned)strlen(cur->pem) }, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_x509_crt_export2(stored, GNUTLS_X509_FMT_DER, &rec) < 0 ||
	    der.size != rec.size || memcmp(der.data, rec.data, der.size) != 0) {
		refuse(a, SCEP_BAD_REQUEST, "the signer certificate %s is not the"
		    " one recorded for '%s'", serial, c->name);
		goto out;
	}
	if ((strcmp(cur->kind, "device") != 0 && strcmp(cur->kind, "eap-tls") != 0) ||
	    strcmp(cur->name, SCEP_RA_NAME) == 0) {
		refuse(a, SCEP_BAD_REQUEST, "'%s' is not a device certificate: SCEP"
		    " renews devices only", cur->name);
		goto out;
	}
	/* An 802.1X certificate's name is its MAC, which the CN may write otherwise. */
	if (strcasecmp(cn, cur->name) != 0 && !(strcmp(cur->kind, "eap-tls") == 0 &&
	    eap_tls_mac_parse(cn, mac, &why) == 0 && strcmp(mac, cur->name) == 0)) {
		refuse(a, SCEP_BAD_REQUEST, "the request's CN is not '%s', the name"
		    " of the certificate it is signed with", cur->name);
		goto out;
	}
	*out_cur = cur;
	cur = NULL;
	ok = 1;
out:
	if (stored != NULL)
		gnutls_x509_crt_deinit(stored);
	gnutls_free(der.data);
	gnutls_free(rec.data);
	store_cert_free(c);
	store_cert_free(cur);
	return ok;
}

/* issuance_issue() with the answer it makes for the CertRep. */
static int
issue(struct scep *sc, struct issuance_spec *spec, const struct issuance_record *how,
    struct answer *a)
{
	struct report rep = { NULL, 0 };
	struct issuance is;
	enum result r;
	char *text;
	int store_error = 0, rc = -1;

	memset(&is, 0, sizeof(is));
	r = issuance_issue(sc->cfg->store, spec, sc->cfg->ca, how, &is, &store_error,
	    &rep);
	if (r == RESULT_OK) {
		snprintf(a->serial, sizeof(a->serial), "%s", is.serial);
		a->status = SCEP_SUCCESS;
		rc = 0;
	} else {
		text = report_join(&rep, "; ");
		refuse(a, SCEP_BAD_REQUEST, "%s", text[0] != '\0' ? text :
		    "the certificate cannot be issued");
		free(text);
	}
	report_clear(&rep);
	issuance_clear(&is);
	return rc;
}

static void
spec_defaults(struct scep *sc, struct issuance_spec *spec, gnutls_x509_crq_t crq)
{
	spec->domain = sc->cfg->domain;
	spec->crl_url = sc->cfg->crl_url;
	spec->organization = sc->cfg->organization;
	spec->csr = crq;
	spec->not_before = sipca_now();
}

/* A certificate the store has for a name: store_list stops at the first. */
struct seen {
	int found;
	enum store_status status;
	char serial[2 * SERIAL_LEN + 1];
};

static int
first_cert(const struct store_cert *c, void *arg)
{
	struct seen *seen = arg;

	snprintf(seen->serial, sizeof(seen->serial), "%s", c->serial);
	seen->status = c->status == STATUS_VALID && c->not_after <= sipca_now() ?
	    STATUS_EXPIRED : c->status;
	seen->found = 1;
	return 1;
}

/*
 * Enrollment by the static shared challenge (scep_static.h), only with
 * the server's opt-in and only for a name the store has never issued
 * to: one that has a valid certificate renews with it, and one whose
 * certificate expired or was revoked gets a one-time challenge from the
 * admin. Otherwise anyone with the shared secret, which sits in every
 * provisioning file, could take over an enrolled phone's identity, or
 * bring back one the admin revoked.
 */
static void
enroll_static(struct scep *sc, gnutls_x509_crq_t crq, const char *cn,
    const char *client, enum scep_static_verdict v, const char *reason,
    struct answer *a)
{
	struct issuance_spec spec;
	struct issuance_record how = { NULL, 0, NULL };
	struct store_filter f = { cn, NULL, -1, 0 };
	struct seen seen;
	/* The CN is the requester's: shown escaped, as the log is one line. */
	char *origin = NULL, *msg = NULL, *shown = text_echo(cn);

	memset(&spec, 0, sizeof(spec));
	memset(&seen, 0, sizeof(seen));
	if (!sc->cfg->allow_static) {
		refuse(a, SCEP_BAD_REQUEST, "the static challenge is not accepted:"
		    " sipca serve runs without --scep-static-challenge");
		goto out;
	}
	/* The CN said: a device whose CN form is unknown shows it here. */
	if (v != SCEP_STATIC_OK) {
		refuse(a, SCEP_BAD_REQUEST, "%s (CN '%s')", reason, shown);
		goto out;
	}
	if (store_list(sc->cfg->store, &f, first_cert, &seen) < 0) {
		refuse(a, SCEP_BAD_REQUEST, "the store cannot say whether '%s' is"
		    " enrolled", shown);
		goto out;
	}
	if (seen.found) {
		if (seen.status == STATUS_VALID)
			refuse(a, SCEP_BAD_REQUEST, "'%s' already has a valid"
			    " certificate (%s): it renews with it; the static"
			    " challenge enrolls new names only", shown, seen.serial);
		else
			refuse(a, SCEP_BAD_REQUEST, "'%s' had a certificate (%s, %s):"
			    " the static challenge enrolls new names only (sipca"
			    " scep challenge %s)", shown, seen.serial,
			    store_status_name(seen.status), shown);
		goto out;
	}
	spec.kind = KIND_DEVICE;
	spec.name = (char *)cn;
	spec.days = sc->cfg->days;
	spec_defaults(sc, &spec, crq);
	issuance_default_sans(&spec, 0);
	if (issuance_validate(&spec, &msg) < 0) {
		refuse(a, SCEP_BAD_REQUEST, "%s", msg);
		goto out;
	}
	/* replace 0: the store refuses a name that became valid meanwhile. */
	origin = xasprintf("scep static challenge from %s", client);
	how.origin = origin;
	issue(sc, &spec, &how, a);
out:
	free(msg);
	free(origin);
	free(shown);
	san_list_clear(&spec.sans);
}

/* Section 2.3: enrollment authorised by a one-time challenge. */
static void
enroll_challenge(struct scep *sc, const struct scep_request *req,
    gnutls_x509_crq_t crq, const char *cn, const char *client, struct answer *a)
{
	struct scep_challenge_binding b;
	struct issuance_spec spec;
	struct issuance_record how = { NULL, 0, NULL };
	struct store_cert *cur = NULL;
	const char *reason = NULL;
	char *origin = NULL;
	enum scep_static_verdict v;
	size_t i;

	memset(&b, 0, sizeof(b));
	memset(&spec, 0, sizeof(spec));
	if (strcmp(cn, SCEP_RA_NAME) == 0) {
		refuse(a, SCEP_BAD_REQUEST, "'%s' is the RA's reserved name", cn);
		goto out;
	}
	v = scep_static_check(sc->cfg->store, req->challenge, cn, sipca_now(), &reason);
	if (v != SCEP_STATIC_NOT) {
		enroll_static(sc, crq, cn, client, v, reason, a);
		goto out;
	}
	if (scep_challenge_consume(sc->cfg->store, cn, req->challenge, sipca_now(),
	    &b, &reason) < 0) {
		refuse(a, SCEP_BAD_REQUEST, "%s", reason);
		goto out;
	}
	spec.kind = b.eap_tls ? KIND_EAP_TLS : KIND_DEVICE;
	spec.name = b.name;
	spec.days = sc->cfg->days;
	spec_defaults(sc, &spec, crq);
	for (i = 0; i < b.n_uris; i++)
		san_list_add(&spec.sans, SAN_URI, b.uris[i]);
	issuance_default_sans(&spec, 0);
	/* The admin made a challenge for it: a new enrollment replaces the old. */
	if (store_find_current(sc->cfg->store, b.name, &cur) == STORE_OK &&
	    cur->status == STATUS_VALID)
		how.replace = 1;
	origin = xasprintf("scep challenge from %s", client);
	how.origin = origin;
	if (issue(sc, &spec, &how, a) < 0)
		scep_challenge_restore(sc->cfg->store, b.name);
out:
	free(origin);
	store_cert_free(cur);
	san_list_clear(&spec.sans);
	scep_challenge_binding_clear(&b);
}

/* Section 3.3.1.2: renewal by the current certificate; it is superseded. */
static void
enroll_renewal(struct scep *sc, const struct scep_request *req,
    gnutls_x509_crq_t crq, const char *cn, struct answer *a)
{
	struct renewal_options o;
	struct issuance_spec spec;
	struct issuance_record how = { NULL, 1, NULL };
	struct store_cert *cur = NULL;
	struct report rep = { NULL, 0 };
	char *origin = NULL, *text;

	memset(&o, 0, sizeof(o));
	memset(&spec, 0, sizeof(spec));
	if (!renewal_allowed(sc, req, cn, &cur, a))
		goto out;
	o.domain = sc->cfg->domain;
	o.crl_url = sc->cfg->crl_url;
	o.organization = sc->cfg->organization;
	o.csr = crq;
	if (renewal_spec(cur, &o, &spec, &rep) != RESULT_OK) {
		text = report_join(&rep, "; ");
		refuse(a, SCEP_BAD_REQUEST, "%s", text);
		free(text);
		goto out;
	}
	spec.not_before = sipca_now();
	origin = xasprintf("scep renewal of %s", cur->serial);
	how.origin = origin;
	how.key_source = "csr";
	issue(sc, &spec, &how, a);
out:
	report_clear(&rep);
	free(origin);
	store_cert_free(cur);
	san_list_clear(&spec.sans);
}

static void
enroll(struct scep *sc, const struct scep_request *req, const char *client,
    struct answer *a)
{
	gnutls_x509_crq_t crq = NULL;
	const char *reason = NULL;
	char cn[128], hash[65], signer_serial[2 * SERIAL_LEN + 1];
	char done[2 * SERIAL_LEN + 1];
	int renewal;

	if (req->content.size == 0 || csr_load(req->content.data, req->content.size,
	    &crq, &reason) != 0) {
		refuse(a, SCEP_BAD_REQUEST, "the envelope holds no usable PKCS#10"
		    " request%s%s", reason != NULL ? ": " : "", reason != NULL ?
		    reason : "");
		goto out;
	}
	if (request_cn(crq, cn, sizeof(cn)) < 0) {
		refuse(a, SCEP_BAD_REQUEST, "the request has no CN: it is the"
		    " device's name");
		goto out;
	}
	/* Section 3.2.1.1: every request has one; it names the answer. */
	if (req->transaction_id[0] == '\0') {
		refuse(a, SCEP_BAD_REQUEST, "the request has no transactionID");
		goto out;
	}
	sha256_hex(&req->content, hash);
	/*
	 * The same request again: the same certificate, not a second one.
	 * Unless it is signed by that very certificate: a renewal that
	 * keeps the key and the subject repeats the request (and, from
	 * clients that derive it from the key, the transactionID) of the
	 * enrollment it renews.
	 */
	if (req->signer == NULL || cert_serial_hex(req->signer, signer_serial,
	    sizeof(signer_serial)) < 0)
		signer_serial[0] = '\0';
	if (transaction_serial(sc, req->transaction_id, req->signer, hash, done) &&
	    strcmp(done, signer_serial) != 0) {
		snprintf(a->serial, sizeof(a->serial), "%s", done);
		a->status = SCEP_SUCCESS;
		snprintf(a->text, sizeof(a->text), "again");
		goto out;
	}
	/*
	 * Section 3.3.1.2: a RenewalReq, or (Cisco, sscep) a PKCSReq signed
	 * by the current certificate. A PKCSReq with a challenge is an
	 * enrollment, unless it is signed by the device's current, valid
	 * certificate: certmonger's resubmit sends the enrollment's (used)
	 * challenge again, signed by the certificate it renews. One signed
	 * by an old, revoked or foreign certificate enrolls by its challenge.
	 */
	if (req->challenge != NULL && req->type == SCEP_PKCS_REQ &&
	    signed_by_ca(sc, req->signer)) {
		struct answer probe;
		struct store_cert *cur = NULL;

		memset(&probe, 0, sizeof(probe));
		renewal = renewal_allowed(sc, req, cn, &cur, &probe);
		store_cert_free(cur);
	} else
		renewal = req->type == SCEP_RENEWAL_REQ ||
		    (req->challenge == NULL && signed_by_ca(sc, req->signer));
	if (renewal)
		enroll_renewal(sc, req, crq, cn, a);
	else if (req->challenge == NULL)
		refuse(a, SCEP_BAD_REQUEST, "the request has no challengePassword"
		    " (sipca scep challenge %s)", cn);
	else
		enroll_challenge(sc, req, crq, cn, client, a);
	if (a->status == SCEP_SUCCESS) {
		transaction_record(sc, req->transaction_id, req->signer, hash,
		    a->serial, cn);
		snprintf(a->text, sizeof(a->text), "%s", renewal ? "renewed" : "enrolled");
	}
out:
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
}

/* Section 3.3.3: issuance is immediate, so the answer is in the store or nowhere. */
static void
poll(struct scep *sc, const struct scep_request *req, struct answer *a)
{
	gnutls_datum_t issuer, subject;

	if (scep_issuer_and_subject(&req->content, &issuer, &subject) < 0) {
		refuse(a, SCEP_BAD_REQUEST, "the CertPoll holds no IssuerAndSubject");
		return;
	}
	if (!transaction_serial(sc, req->transaction_id, req->signer, NULL,
	    a->serial)) {
		refuse(a, SCEP_BAD_CERT_ID, "no certificate for this transactionID");
		return;
	}
	a->status = SCEP_SUCCESS;
	snprintf(a->text, sizeof(a->text), "polled");
}

/*
 * The issued certificate's DER, alone: a degenerate SignedData's SET OF
 * is sorted in DER, so a CA beside it could come first, and clients
 * (micromdm's scepclient, jscep) take the first certificate as theirs.
 * The device has the CA from GetCACert.
 */
static int
success_cert(struct scep *sc, const char *serial, gnutls_datum_t *cert,
    char *name, size_t size)
{
	struct store_cert *c = NULL;
	gnutls_x509_crt_t crt = NULL;
	int rc = -1;

	if (store_find_serial(sc->cfg->store, serial, &c) != STORE_OK ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &(gnutls_datum_t){ (unsigned char *)c->pem,
	    (unsigned)strlen(c->pem) }, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, cert) < 0)
		goto out;
	snprintf(name, size, "%s", c->name);
	rc = 0;
out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	store_cert_free(c);
	return rc;
}

void
scep_operation(struct scep *sc, const struct serve_request *rq,
    const unsigned char *msg, size_t len, struct serve_response *out)
{
	struct scep_request req;
	struct scep_reply_spec spec;
	struct answer a;
	gnutls_datum_t cert = { NULL, 0 }, rep = { NULL, 0 };
	enum scep_fail fail = SCEP_BAD_REQUEST;
	enum scep_parse p;
	char err[256], name[128] = "", *tid = NULL;

	memset(&req, 0, sizeof(req));
	memset(&a, 0, sizeof(a));
	memset(&spec, 0, sizeof(spec));
	if (len < SCEP_MIN_MESSAGE) {
		scep_text(out, 400, "%s: a PKIOperation carries a DER pkiMessage"
		    " (RFC 8894 section 3)", len == 0 ? "the message is empty" :
		    "the message is too short");
		out->log = xasprintf("scep PKIOperation: %zu octets, refused", len);
		goto out;
	}
	err[0] = '\0';
	p = scep_request_parse(msg, len, sc->ra.crt, sc->ra.key, sc->cfg->allow_des,
	    &req, &fail, err, sizeof(err));
	if (p == SCEP_PARSE_INVALID) {
		scep_text(out, 400, "not a SCEP pkiMessage: %s", err);
		out->log = xasprintf("scep PKIOperation: not a pkiMessage: %s", err);
		goto out;
	}
	tid = text_echo(req.transaction_id);
	scep_store_lock(sc);
	if (p == SCEP_PARSE_FAIL)
		refuse(&a, fail, "%s", err);
	else if (req.type == SCEP_PKCS_REQ || req.type == SCEP_RENEWAL_REQ)
		enroll(sc, &req, rq->client, &a);
	else if (req.type == SCEP_CERT_POLL)
		poll(sc, &req, &a);
	else
		refuse(&a, SCEP_BAD_REQUEST, "%s is not served: sipca answers PKCSReq,"
		    " RenewalReq and CertPoll", scep_type_name(req.type));
	if (a.status == SCEP_SUCCESS && success_cert(sc, a.serial, &cert, name,
	    sizeof(name)) < 0)
		refuse(&a, SCEP_BAD_CERT_ID, "the certificate %s cannot be read back",
		    a.serial);
	scep_store_unlock(sc);
	spec.status = a.status;
	spec.fail = a.fail;
	spec.fail_text = a.status == SCEP_FAILURE ? a.text : NULL;
	spec.request = &req;
	spec.certs = &cert;
	spec.n_certs = a.status == SCEP_SUCCESS ? 1 : 0;
	if (scep_reply_make(&spec, sc->ra.crt, sc->ra.key, &rep, err, sizeof(err)) < 0) {
		scep_text(out, 500, "the CertRep cannot be made: %s", err);
		out->log = xasprintf("scep %s (transaction %s): CertRep failed: %s"
		    " (it said %s%s%s)", scep_type_name(req.type), tid, err,
		    a.status == SCEP_SUCCESS ? "SUCCESS" : "FAILURE: ",
		    a.status == SCEP_SUCCESS ? "" : scep_fail_name(a.fail),
		    a.status == SCEP_SUCCESS ? "" : "");
		if (a.status != SCEP_SUCCESS) {
			char *note = xasprintf("%s: %s", out->log, a.text);

			free(out->log);
			out->log = note;
		}
		goto out;
	}
	out->status = 200;
	out->type = "application/x-pki-message";
	out->body = xmalloc(rep.size + 1);
	memcpy(out->body, rep.data, rep.size);
	out->len = rep.size;
	if (a.status == SCEP_SUCCESS)
		out->log = xasprintf("scep %s (transaction %s, %s%s): %s '%s' serial %s",
		    scep_type_name(req.type), tid, cms_cipher_name(req.cipher),
		    req.cipher == CMS_DES_CBC ? ", single DES allowed by"
		    " --scep-allow-des" : "", a.text, name, a.serial);
	else
		out->log = xasprintf("scep %s (transaction %s): FAILURE %s: %s",
		    scep_type_name(req.type), tid, scep_fail_name(a.fail), a.text);
out:
	gnutls_free(cert.data);
	gnutls_free(rep.data);
	free(tid);
	scep_request_clear(&req);
}
