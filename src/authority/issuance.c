/*
 * issuance: from a validated request to the bytes to store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

#include "ca.h"
#include "cert.h"
#include "eap_tls.h"
#include "guard.h"
#include "issuance.h"
#include "key.h"
#include "leaf.h"
#include "san.h"
#include "secret.h"
#include "signer.h"
#include "sipid.h"
#include "store.h"
#include "util.h"
#include "validity.h"

void
issuance_default_sans(struct issuance_spec *spec, int no_domain_dns)
{
	struct san_list extra = spec->sans;
	size_t i;
	char *uri;

	spec->sans.items = NULL;
	spec->sans.n = 0;
	if (spec->kind == KIND_SERVER) {
		uri = xasprintf("sip:%s", spec->domain);
		san_list_add(&spec->sans, SAN_URI, uri);
		free(uri);
		if (!no_domain_dns)
			san_list_add(&spec->sans, SAN_DNS, spec->domain);
		san_list_add(&spec->sans, SAN_DNS, spec->name);
	} else if (spec->kind == KIND_EAP_TLS) {
		/* The host's dNSName (eap_tls.h), unless it is among the extra names. */
		char *host = eap_tls_dns_name(spec->name, spec->domain);
		int have_host = 0;

		for (i = 0; i < extra.n; i++)
			have_host |= extra.items[i].type == SAN_DNS &&
			    strcasecmp(extra.items[i].value, host) == 0;
		if (!have_host)
			san_list_add(&spec->sans, SAN_DNS, host);
		free(host);
	} else {
		int have_uri = 0;

		for (i = 0; i < extra.n; i++)
			have_uri |= extra.items[i].type == SAN_URI;
		if (!have_uri) {
			uri = xasprintf("sip:%s@%s", spec->name, spec->domain);
			san_list_add(&spec->sans, SAN_URI, uri);
			free(uri);
		}
	}
	for (i = 0; i < extra.n; i++)
		san_list_add(&spec->sans, extra.items[i].type, extra.items[i].value);
	san_list_clear(&extra);
	issuance_fold_sans(&spec->sans);
}

void
issuance_fold_sans(struct san_list *sans)
{
	size_t i;

	for (i = 0; i < sans->n; i++) {
		if (sans->items[i].type == SAN_DNS)
			sipid_dns_fold(sans->items[i].value);
		else if (sans->items[i].type == SAN_URI)
			sipid_uri_fold(sans->items[i].value);
	}
}

static char *
msg_value(const char *fmt_head, const char *value, const char *tail)
{
	char *v = text_echo(value);
	char *m = xasprintf("%s'%s'%s", fmt_head, v, tail);

	free(v);
	return m;
}

/*
 * A name that is something else, said with what to give instead: a
 * server's address (an IP address SAN, RFC 5280 4.2.1.6, beside a DNS
 * name), or a device's URI or user@host where its name is the user part
 * of sip:NAME@DOMAIN. NULL when the name is none of those.
 */
static char *
name_advice(const struct issuance_spec *spec)
{
	char user[256], *uri, *shown, *msg = NULL;
	size_t i;
	int made = 0;

	if (spec->kind == KIND_SERVER) {
		if (san_parse_ip(spec->name, NULL, NULL, NULL) < 0)
			return NULL;
		shown = text_echo(spec->name);
		msg = xasprintf("invalid server name: '%s': an IP address is not a"
		    " DNS name: give the server's name and the address with --ip"
		    " (sipca issue server NAME --ip %s)", shown, shown);
		free(shown);
		return msg;
	}
	if (spec->domain == NULL || !sipid_name_user(spec->name, user,
	    sizeof(user)))
		return NULL;
	/* user@host with --uri given is a name like any other. */
	uri = xasprintf("sip:%s@%s", spec->name, spec->domain);
	for (i = 0; i < spec->sans.n; i++)
		made |= spec->sans.items[i].type == SAN_URI &&
		    strcmp(spec->sans.items[i].value, uri) == 0;
	free(uri);
	if (!made && strchr(spec->name, ':') == NULL)
		return NULL;
	shown = text_echo(spec->name);
	uri = text_echo(user);
	msg = xasprintf("invalid device name: '%s': a device's name is the user"
	    " part of its SIP URI (sip:NAME@%s): give '%s', or a name and --uri"
	    " %s%s", shown, spec->domain, uri, strchr(spec->name, ':') != NULL ?
	    "" : "sip:", shown);
	free(uri);
	free(shown);
	return msg;
}

/* Syntax: what each name must look like, whoever asks for it. */
static int
validate_syntax(const struct issuance_spec *spec, char **out_msg)
{
	int flags = spec->allow_wildcard ? SAN_ALLOW_WILDCARD : 0;
	const char *reason = NULL, *what = NULL;
	char *tail;
	size_t i;

	if (spec->kind == KIND_EAP_TLS) {
		char mac[EAP_TLS_MAC_LEN];

		/* The MAC is the identity (eap_tls.h), written one way. */
		if (eap_tls_mac_parse(spec->name, mac, &reason) < 0) {
			what = "invalid 802.1X device name: ";
			goto bad_name;
		}
		if (strcmp(mac, spec->name) != 0) {
			tail = xasprintf(": an 802.1X device's name is its MAC as"
			    " twelve lower-case hex digits: give '%s'", mac);
			*out_msg = msg_value("invalid 802.1X device name: ",
			    spec->name, tail);
			free(tail);
			return -1;
		}
	} else if ((*out_msg = name_advice(spec)) != NULL)
		return -1;

	/* A server's CN is its FQDN: the same rules as a DNS SAN. */
	if (spec->kind == KIND_SERVER && san_check_dns(spec->name, flags, &reason) < 0) {
		what = "invalid server name: ";
		goto bad_name;
	}
	/* An allowed wildcard is stored as issued/'*.example.com'. */
	if (san_check_store_name(spec->kind == KIND_SERVER && spec->allow_wildcard &&
	    strncmp(spec->name, "*.", 2) == 0 ? spec->name + 2 : spec->name,
	    &reason) < 0) {
		what = "invalid name: ";
		goto bad_name;
	}
	/*
	 * The name is the subject's CN: X.520's ub-common-name is 64
	 * (RFC 5280 appendix A), which "*." in front of a 64-character
	 * store name would pass.
	 */
	if (text_check_name(spec->name, UB_COMMON_NAME, &reason) < 0) {
		what = "invalid common name: ";
		goto bad_name;
	}
	if (spec->sans.n > SAN_MAX) {
		*out_msg = xasprintf("too many SANs: %zu (at most %d in one"
		    " certificate)", spec->sans.n, SAN_MAX);
		return -1;
	}
	for (i = 0; i < spec->sans.n; i++) {
		const struct san_entry *e = &spec->sans.items[i];

		switch (e->type) {
		case SAN_URI:
			if (san_check_sip_uri(e->value, flags, &reason) < 0)
				what = "invalid SIP URI: ";
			break;
		case SAN_DNS:
			if (san_check_dns(e->value, flags, &reason) < 0)
				what = "invalid DNS name: ";
			break;
		case SAN_IP:
			if (san_parse_ip(e->value, NULL, NULL, &reason) < 0)
				what = "invalid IP address: ";
			break;
		default:
			*out_msg = xasprintf("%s SANs are not issued",
			    san_type_name(e->type));
			return -1;
		}
		if (what != NULL) {
			tail = xasprintf(": %s", reason);
			*out_msg = msg_value(what, e->value, tail);
			free(tail);
			return -1;
		}
	}
	/*
	 * The CRL URL goes into every certificate: one a store kept from
	 * before config checked it (ca_check_crl_url()) is refused here,
	 * not written into a phone's certificate.
	 */
	if (spec->crl_url != NULL && ca_check_crl_url(spec->crl_url, &reason) < 0) {
		tail = xasprintf(": %s (set another with 'sipca config crl-url"
		    " URL', or remove it with --unset)", reason);
		*out_msg = msg_value("the store's CRL URL ", spec->crl_url, tail);
		free(tail);
		return -1;
	}
	return 0;

bad_name:
	tail = xasprintf(": %s", reason);
	*out_msg = msg_value(what, spec->name, tail);
	free(tail);
	return -1;
}

/*
 * Policy: which identities this CA vouches for. The one place the rule
 * lives; issue, renew and the batch all come through here.
 *
 * RFC 5922 section 7.1 takes a "sip" URI without a user part as the
 * SIP domain's identity and, when a certificate has no such URI, its
 * DNS names; 7.4 lets a peer take a client certificate as the domain's
 * too. A device's certificate names a user, so it may carry neither a
 * user-less sip:/sips: URI nor the domain as a DNS name: either would
 * let the phone act as the proxy. And a CA for one SIP domain vouches
 * for names in that domain only, unless the operator says otherwise.
 */
static int
validate_policy(const struct issuance_spec *spec, char **out_msg)
{
	char scheme[16], host[256], *tail, *d;
	const char *why;
	int user, foreign;
	size_t i;

	for (i = 0; i < spec->sans.n; i++) {
		const struct san_entry *e = &spec->sans.items[i];

		why = NULL;
		foreign = 0;
		if (e->type == SAN_URI) {
			if (sipid_uri_split(e->value, scheme, sizeof(scheme), &user,
			    host, sizeof(host)) < 0)
				why = "unreadable SIP URI";
			else if (cert_kind_is_device(spec->kind) && !user)
				why = "a SIP URI without a user part is the identity of"
				    " the domain, not of a device (RFC 5922 section 7.1)";
			else
				foreign = !sipid_in_domain(host, spec->domain);
		} else if (e->type == SAN_DNS) {
			if (cert_kind_is_device(spec->kind) &&
			    strcasecmp(e->value, spec->domain) == 0)
				why = "the SIP domain as a DNS name is the domain's"
				    " identity, not a device's (RFC 5922 section 7.1)";
			else
				foreign = !sipid_in_domain(e->value, spec->domain);
		}
		if (why != NULL) {
			tail = xasprintf(": %s", why);
			*out_msg = msg_value(!cert_kind_is_device(spec->kind) ? "URI " :
			    e->type == SAN_URI ? "device certificate with URI " :
			    "device certificate with DNS name ", e->value, tail);
			free(tail);
			return -1;
		}
		if (foreign && !spec->allow_foreign) {
			d = text_echo(spec->domain);
			tail = xasprintf(" is outside the SIP domain '%s'"
			    " (--allow-foreign-names issues it anyway)", d);
			*out_msg = msg_value(e->type == SAN_URI ? "URI " : "DNS name ",
			    e->value, tail);
			free(d);
			free(tail);
			return -1;
		}
	}
	return 0;
}

int
issuance_validate(const struct issuance_spec *spec, char **out_msg)
{
	if (validate_syntax(spec, out_msg) < 0 || validate_policy(spec, out_msg) < 0)
		return -1;
	return 0;
}

static int
has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

struct nocase_match {
	const char *folded;
	char *found;		/* the stored spelling, owned */
};

static int
match_nocase(const struct store_cert *c, void *arg)
{
	struct nocase_match *m = arg;

	if ((c->status != STATUS_VALID && c->status != STATUS_EXPIRED) ||
	    !has_upper(c->name) || strcasecmp(c->name, m->folded) != 0)
		return 0;
	m->found = xstrdup(c->name);
	return 1;
}

int
issuance_find_current(struct store *s, const char *name,
    struct store_cert **out_cert)
{
	struct store_filter all = { NULL, NULL, -1, 0 };
	struct nocase_match m = { NULL, NULL };
	char *folded = san_fold_store_name(xstrdup(name));
	int ret;

	/* The spelling typed first: a store from before may hold "Case1" and "case1". */
	ret = STORE_E_NOTFOUND;
	if (strcmp(folded, name) != 0)
		ret = store_find_current(s, name, out_cert);
	if (ret == STORE_E_NOTFOUND)
		ret = store_find_current(s, folded, out_cert);
	if (ret != STORE_E_NOTFOUND)
		goto out;
	/*
	 * Names stored before they were folded may have capitals: look for
	 * one equal but for case. A scan of the index, paid only when the
	 * folded name is not there, until the store compares names without
	 * regard to case itself.
	 */
	m.folded = folded;
	if ((ret = store_list(s, &all, match_nocase, &m)) < 0)
		goto out;
	ret = m.found != NULL ? store_find_current(s, m.found, out_cert) :
	    STORE_E_NOTFOUND;
out:
	free(m.found);
	free(folded);
	return ret;
}

enum result
issuance_prepare(const struct issuance_spec *spec, const struct ca *ca,
    struct issuance *out, struct report *rep)
{
	struct issuance is;
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t abstract = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der = { NULL, 0 };
	size_t der_len = 0;
	unsigned char serial[SERIAL_LEN];
	struct cert_request req;
	const struct leaf_template *tmpl;
	struct leaf_template *own = NULL;
	const char *reason;
	struct validity_ask ask;
	enum validity_verdict verdict;
	char *hex, *msg;
	const char *call = "gnutls_pubkey_init";
	enum result status = RESULT_E_FAILED;
	int ret, key_generated = 0;

	memset(&is, 0, sizeof(is));
	if ((ret = gnutls_pubkey_init(&pub)) < 0)
		goto crypto_error;
	if (spec->csr != NULL) {
		call = "gnutls_pubkey_import_x509_crq";
		if ((ret = gnutls_pubkey_import_x509_crq(pub, spec->csr, 0)) < 0)
			goto crypto_error;
		is.key_source = "csr";
	} else if (spec->pubkey != NULL) {
		gnutls_datum_t spki = { NULL, 0 };

		/* A copy, so the caller keeps its own key object. */
		call = "gnutls_pubkey_export2";
		ret = gnutls_pubkey_export2(spec->pubkey, GNUTLS_X509_FMT_DER, &spki);
		if (ret >= 0)
			ret = gnutls_pubkey_import(pub, &spki, GNUTLS_X509_FMT_DER);
		gnutls_free(spki.data);
		if (ret < 0)
			goto crypto_error;
		is.key_source = "kept";
	} else {
		call = "gnutls_x509_privkey_generate2";
		if ((ret = key_generate(spec->key_type, &key)) < 0 ||
		    (ret = key_export_pem(key, NULL, &is.key_pem)) < 0 ||
		    (ret = gnutls_privkey_init(&abstract)) < 0 ||
		    (ret = gnutls_privkey_import_x509(abstract, key,
		    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
			goto crypto_error;
		key = NULL;	/* owned by abstract now */
		if ((ret = gnutls_pubkey_import_privkey(pub, abstract, 0, 0)) < 0)
			goto crypto_error;
		is.key_source = "generated";
		key_generated = 1;
	}
	if (key_generated)
		snprintf(is.key_type, sizeof(is.key_type), "%s",
		    key_type_name(spec->key_type));
	else
		key_type_of_pubkey(pub, is.key_type, sizeof(is.key_type));
	call = "gnutls_rnd";
	if ((ret = serial_generate(serial)) < 0)
		goto crypto_error;
	hex = hex_encode(serial, SERIAL_LEN);
	snprintf(is.serial, sizeof(is.serial), "%s", hex);
	free(hex);

	memset(&req, 0, sizeof(req));
	req.kind = spec->kind;
	req.common_name = spec->name;
	req.sans = &spec->sans;
	req.days = spec->days;
	req.not_before = spec->not_before != 0 ? spec->not_before : sipca_now();
	ask.not_before = req.not_before;
	ask.days = spec->days;
	ask.days_from = spec->days_from;
	ask.ca_not_after = validity_ca_end(ca);
	verdict = validity_leaf(&ask, &req.not_after);
	if (verdict == VALIDITY_PAST_CA || verdict == VALIDITY_CA_EXPIRED) {
		msg = validity_message(&ask, verdict);
		report_add(rep, REPORT_MESSAGE, "%s: %s", spec->name, msg);
		free(msg);
		status = RESULT_E_INPUT;
		goto out;
	}
	is.capped = verdict == VALIDITY_CAPPED;
	/* RFC 5922 7.5 / RFC 5923: a proxy is a TLS client as well as a server. */
	req.eku_server_auth = spec->kind == KIND_SERVER;
	req.eku_client_auth = 1;
	req.crl_url = spec->crl_url;
	req.organization = spec->organization;
	req.pubkey = pub;
	if ((tmpl = spec->leaf) == NULL ||
	    !leaf_template_fits(tmpl, ca, spec->crl_url)) {
		if ((ret = leaf_template_new(ca, spec->crl_url, &own, &reason)) < 0) {
			report_add(rep, REPORT_MESSAGE, "%s: cannot issue: %s",
			    spec->name, reason);
			goto out;
		}
		tmpl = own;
	}
	call = "leaf_sign";
	if ((ret = leaf_sign(tmpl, &req, ca->key, serial, &der.data, &der_len,
	    &is.subject)) < 0)
		goto crypto_error;
	der.size = (unsigned)der_len;
	is.not_before = req.not_before;
	is.not_after = req.not_after;

	/* The guard lints these octets and the PEM carries them. */
	if ((status = guard_issuance(NULL, &der, spec->name, ca, spec->kind,
	    spec->host_only ? NULL : spec->domain, (spec->force ? GUARD_FORCE : 0) |
	    (spec->allow_wildcard ? GUARD_ALLOW_WILDCARD : 0), &is.forced,
	    rep)) != RESULT_OK)
		goto out;
	status = RESULT_E_FAILED;
	call = "gnutls_pem_base64_encode2";
	if ((ret = gnutls_pem_base64_encode2("CERTIFICATE", &der,
	    &is.cert_pem)) < 0)
		goto crypto_error;
	is.chain_pem = xasprintf("%.*s%.*s%s", (int)is.cert_pem.size,
	    (const char *)is.cert_pem.data, (int)ca->pem.size,
	    (const char *)ca->pem.data,
	    ca->chain_extra != NULL ? ca->chain_extra : "");
	is.sans_text = san_list_format(&spec->sans);
	*out = is;
	memset(&is, 0, sizeof(is));
	status = RESULT_OK;
	goto out;

crypto_error:
	report_add(rep, REPORT_MESSAGE, "%s: cannot issue: %s: %s", spec->name,
	    call, gnutls_strerror(ret));
out:
	issuance_clear(&is);
	free(der.data);
	leaf_template_free(own);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	if (abstract != NULL)
		gnutls_privkey_deinit(abstract);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return status;
}

void
issuance_to_store(const struct issuance *is, const struct issuance_spec *spec,
    struct store_issue *out)
{
	memset(out, 0, sizeof(*out));
	out->serial = is->serial;
	out->name = spec->name;
	out->kind = cert_kind_name(spec->kind);
	out->subject = is->subject;
	out->sans = is->sans_text;
	out->not_before = is->not_before;
	out->not_after = is->not_after;
	out->key_source = strcmp(is->key_source, "csr") == 0 ? "csr" : "generated";
	out->key_type = is->key_type;
	out->forced = is->forced;
	out->cert_pem = (const char *)is->cert_pem.data;
	out->chain_pem = is->chain_pem;
	if (is->key_pem.data != NULL) {
		out->key_pem = (const char *)is->key_pem.data;
		out->key_pem_len = is->key_pem.size;
	}
	out->keep_key = strcmp(is->key_source, "kept") == 0;
}

enum result
issuance_issue(struct store *s, const struct issuance_spec *spec,
    const struct ca *ca, const struct issuance_record *how,
    struct issuance *out, int *out_store_error, struct report *rep)
{
	struct issuance is;
	struct store_issue item;
	enum result r = RESULT_OK;
	int attempt, ret = STORE_E_SERIAL_TAKEN;

	memset(&is, 0, sizeof(is));
	/* A serial already recorded (p = 2^-159) is only ever met by drawing again. */
	for (attempt = 0; attempt < 3 && ret == STORE_E_SERIAL_TAKEN; attempt++) {
		issuance_clear(&is);
		if ((r = issuance_prepare(spec, ca, &is, rep)) != RESULT_OK)
			goto out;
		issuance_to_store(&is, spec, &item);
		if (how != NULL) {
			if (how->key_source != NULL)
				item.key_source = how->key_source;
			item.replace = how->replace;
			item.origin = how->origin;
		}
		ret = store_issue(s, &item, 1, 0);
		store_take_messages(s, rep);
	}
	*out_store_error = ret;
	if (ret < 0) {
		r = signer_store_result(ret);
		goto out;
	}
	*out = is;
	memset(&is, 0, sizeof(is));
out:
	issuance_clear(&is);
	return r;
}

enum result
issuance_standin_key(const struct ca *ca, gnutls_privkey_t *out,
    struct report *rep)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_privkey_t abstract = NULL;
	unsigned bits = 0;
	int algo = gnutls_x509_crt_get_pk_algorithm(ca->crt, &bits), ret;
	const char *call = "gnutls_x509_privkey_init";
	enum result status = RESULT_E_FAILED;

	/*
	 * The guard reads the signature's algorithm (tls.weak_signature,
	 * polycom.key_baseline), never its value: it lints what sipca has
	 * just signed, so the chain rules take the CA as the signer
	 * (guard.c, signed_by_us). A key of the CA's algorithm gives the same
	 * AlgorithmIdentifier, SHA-256 being leaf_sign()'s choice for any
	 * size or curve, so the smallest such key will do: RSA-2048 or P-256.
	 */
	if (algo < 0) {
		call = "gnutls_x509_crt_get_pk_algorithm";
		ret = algo;
		goto fail;
	}
	if (algo == GNUTLS_PK_RSA)
		bits = 2048;
	else if (algo == GNUTLS_PK_ECDSA)
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
	if ((ret = gnutls_x509_privkey_init(&key)) < 0)
		goto fail;
	call = "gnutls_x509_privkey_generate2";
	if ((ret = gnutls_x509_privkey_generate2(key, (gnutls_pk_algorithm_t)algo,
	    bits, 0, NULL, 0)) < 0)
		goto fail;
	call = "gnutls_privkey_import_x509";
	if ((ret = gnutls_privkey_init(&abstract)) < 0 ||
	    (ret = gnutls_privkey_import_x509(abstract, key,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0)
		goto fail;
	key = NULL;	/* owned by abstract now */
	*out = abstract;
	abstract = NULL;
	status = RESULT_OK;
	goto out;

fail:
	report_add(rep, REPORT_MESSAGE, "dry run: a stand-in for the CA's key:"
	    " %s: %s", call, gnutls_strerror(ret));
out:
	if (abstract != NULL)
		gnutls_privkey_deinit(abstract);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return status;
}

enum result
issuance_rehearse(const struct issuance_spec *spec, const struct ca *ca,
    gnutls_privkey_t standin, struct issuance *out, struct report *rep)
{
	/* The CA's certificate, key id and chain, borrowed; only the key differs. */
	struct ca as_if = *ca;

	as_if.key = standin;
	return issuance_prepare(spec, &as_if, out, rep);
}

void
issuance_clear(struct issuance *is)
{
	if (is == NULL)
		return;
	if (is->key_pem.data != NULL) {
		gnutls_memset(is->key_pem.data, 0, is->key_pem.size);
		gnutls_free(is->key_pem.data);
	}
	gnutls_free(is->cert_pem.data);
	free(is->chain_pem);
	free(is->subject);
	free(is->sans_text);
	memset(is, 0, sizeof(*is));
}
