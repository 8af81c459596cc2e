/*
 * lint_constraints: the certificate's names against the nameConstraints
 * of the --ca certificate that signed it (RFC 5280 section 4.2.1.10), so
 * that sipca refuses what verifiers would reject. DNS names, IP addresses
 * and email addresses go through GnuTLS's own matcher
 * (gnutls_x509_name_constraints_check), with the few places where
 * OpenSSL 3 rejects more added beside it; a certificate that either
 * verifier rejects is one that some peer rejects.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lint.h"
#include "san.h"
#include "sipid.h"
#include "util.h"

/* Room for the subtrees a message names; a longer list ends in "...". */
#define SUBTREES_TEXT_MAX 400

struct nc_check {
	gnutls_x509_name_constraints_t nc;
	const struct lint_cert *c;
	struct lint_findings *f;
	/* "" for the issuing CA's constraints, else which CA above it. */
	const char *whose;
};

/* A finding, saying which CA's constraints when not the issuer's. */
static void __attribute__((format(printf, 2, 3)))
nc_report(const struct nc_check *x, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	lint_report(x->f, "%s%s", msg, x->whose);
	free(msg);
}

static const char *
type_word(unsigned type)
{
	switch (type) {
	case GNUTLS_SAN_DNSNAME: return "DNS";
	case GNUTLS_SAN_IPADDRESS: return "IP";
	case GNUTLS_SAN_RFC822NAME: return "email";
	case GNUTLS_SAN_URI: return "URI";
	case GNUTLS_SAN_DN: return "directoryName";
	default: return "other";
	}
}

/* An iPAddress subtree (address then mask, RFC 5280 4.2.1.10) as CIDR. */
static void
cidr_text(const gnutls_datum_t *d, char *buf, size_t size)
{
	char addr[SAN_IP_TEXT_MAX], mask[SAN_IP_TEXT_MAX];
	size_t half = d->size / 2, i;
	unsigned bits = 0;
	int contiguous = 1;

	if ((d->size != 8 && d->size != 32) ||
	    san_ip_to_text(d->data, half, addr) < 0) {
		snprintf(buf, size, "(%u octets)", d->size);
		return;
	}
	for (i = 0; i < half * 8; i++) {
		if (d->data[half + i / 8] & (0x80u >> (i % 8))) {
			if (bits != i)
				contiguous = 0;
			bits++;
		}
	}
	if (contiguous || san_ip_to_text(d->data + half, half, mask) < 0)
		snprintf(buf, size, "%s/%u", addr, bits);
	else
		snprintf(buf, size, "%s/%s", addr, mask);
}

/* One subtree's name as text, escaped (it comes from the CA certificate). */
static const char *
subtree_text(struct lint_findings *f, unsigned type, const gnutls_datum_t *d)
{
	char buf[2 * SAN_IP_TEXT_MAX + 16];

	if (type == GNUTLS_SAN_IPADDRESS) {
		cidr_text(d, buf, sizeof(buf));
		return lint_esc_str(f, buf);
	}
	return lint_esc(f, d->data, d->size);
}

/*
 * The permitted subtrees of one type for a message, into out: "subtree
 * 'a'" or "subtrees 'a', 'b'", each name escaped once; a list longer
 * than out ends in ", ...".
 */
static void
permitted_text(const struct nc_check *x, unsigned type, char *out, size_t size)
{
	char list[SUBTREES_TEXT_MAX];
	const char *one;
	size_t n = 0, need;
	unsigned i, t, count = 0;
	gnutls_datum_t d;
	int cut = 0;

	list[0] = '\0';
	for (i = 0; gnutls_x509_name_constraints_get_permitted(x->nc, i, &t, &d) >= 0; i++) {
		if (t != type)
			continue;
		count++;
		one = subtree_text(x->f, type, &d);
		need = strlen(one) + 4;
		if (cut || n + need + sizeof(", ...") > sizeof(list)) {
			cut = 1;
			continue;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s'%s'",
		    n > 0 ? ", " : "", one);
	}
	snprintf(out, size, "subtree%s %s%s", count == 1 ? "" : "s", list,
	    cut ? ", ..." : "");
}

static int
has_permitted(const struct nc_check *x, unsigned type)
{
	unsigned i, t;
	gnutls_datum_t d;

	for (i = 0; gnutls_x509_name_constraints_get_permitted(x->nc, i, &t, &d) >= 0; i++)
		if (t == type)
			return 1;
	return 0;
}

/*
 * The excluded subtree of this type that name falls in, found by asking
 * GnuTLS about each subtree alone, so the message names the one that
 * matched by GnuTLS's reading. Returns 1 and *out, else 0.
 */
static int
excluded_match(const struct nc_check *x, unsigned type, const gnutls_datum_t *name,
    gnutls_datum_t *out)
{
	gnutls_x509_name_constraints_t one = NULL;
	unsigned i, t;
	gnutls_datum_t d;
	int found = 0;

	for (i = 0; !found &&
	    gnutls_x509_name_constraints_get_excluded(x->nc, i, &t, &d) >= 0; i++) {
		if (t != type || gnutls_x509_name_constraints_init(&one) < 0)
			continue;
		if (gnutls_x509_name_constraints_add_excluded(one, t, &d) >= 0 &&
		    !gnutls_x509_name_constraints_check(one, type, name)) {
			*out = d;
			found = 1;
		}
		gnutls_x509_name_constraints_deinit(one);
		one = NULL;
	}
	return found;
}

/*
 * OpenSSL 3 (crypto/x509/v3_ncons.c nc_match) holds an address against
 * every permitted iPAddress subtree and a subtree of the other family
 * never matches, so an IPv6 address under IPv4-only ranges is a
 * violation there, where GnuTLS skips the ranges of the other family.
 */
static int
ip_family_unmatched(const struct nc_check *x, size_t addr_len)
{
	unsigned i, t;
	gnutls_datum_t d;
	int any = 0;

	for (i = 0; gnutls_x509_name_constraints_get_permitted(x->nc, i, &t, &d) >= 0; i++) {
		if (t != GNUTLS_SAN_IPADDRESS)
			continue;
		if (d.size == addr_len * 2)
			return 0;
		any = 1;
	}
	return any;
}

/*
 * One name (what: "DNS name 'x'", its value already escaped) against
 * the subtrees of its type: RFC 5280 4.2.1.10, a name in an excluded
 * subtree, or outside every permitted subtree of its type, violates the
 * constraints.
 */
static void
check_name(const struct nc_check *x, unsigned type, const void *name, size_t len,
    const char *what)
{
	gnutls_datum_t d, ex;
	char list[SUBTREES_TEXT_MAX + 16];
	int family = 0;

	d.data = (unsigned char *)(uintptr_t)name;
	d.size = (unsigned)len;
	if (gnutls_x509_name_constraints_check(x->nc, type, &d)) {
		if (type != GNUTLS_SAN_IPADDRESS || !ip_family_unmatched(x, len))
			return;
		family = 1;
	}
	if (excluded_match(x, type, &d, &ex))
		nc_report(x, "%s is in the CA's excluded %s subtree '%s'", what,
		    type_word(type), subtree_text(x->f, type, &ex));
	else if (family || has_permitted(x, type)) {
		permitted_text(x, type, list, sizeof(list));
		nc_report(x, "%s is outside the CA's permitted %s %s%s", what,
		    type_word(type), list, !family ? "" : len == 4 ?
		    " (none is IPv4, and OpenSSL rejects it)" :
		    " (none is IPv6, and OpenSSL rejects it)");
	}
	else
		nc_report(x, "%s is rejected by the CA's %s subtrees"
		    " (gnutls_x509_name_constraints_check)", what, type_word(type));
}

/* An IP address given as text (a SAN, a URI host) as its octets. */
static void
check_ip_text(const struct nc_check *x, const char *text, const char *what)
{
	unsigned char ip[16];
	size_t n = san_ip_from_text(text, strlen(text), ip);

	if (n != 0)
		check_name(x, GNUTLS_SAN_IPADDRESS, ip, n, what);
}

/*
 * OpenSSL's test for a CN that is a host name (crypto/x509/v3_ncons.c
 * cn2dnsid): letters, digits and '_', with inner '-' and '.', two labels
 * at least. OpenSSL checks such a CN as a dNSName when there is none.
 */
static int
cn_is_dnsname(const struct lint_str *cn)
{
	size_t i;
	int dots = 0;
	unsigned char ch;

	for (i = 0; i < cn->len; i++) {
		ch = (unsigned char)cn->data[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_')
			continue;
		if (i == 0 || i + 1 == cn->len)
			return 0;
		if (ch == '-')
			continue;
		if (ch == '.' && cn->data[i + 1] != '.' && cn->data[i + 1] != '-' &&
		    cn->data[i - 1] != '-') {
			dots = 1;
			continue;
		}
		return 0;
	}
	return dots;
}

/*
 * The subject CN when no dNSName is there: GnuTLS checks the (single)
 * CN of a certificate that may serve TLS (no EKU, serverAuth or
 * anyExtendedKeyUsage) whatever it holds, OpenSSL every CN that reads
 * as a host name. A CA's CN names the CA, not a host: neither checks it.
 */
static void
check_cns(const struct nc_check *x)
{
	const struct lint_cert *c = x->c;
	size_t i;
	int gnutls_checks;
	char *what;

	if (c->kind == KIND_CA)
		return;
	for (i = 0; i < c->sans.n; i++)
		if (c->sans.items[i].type == SAN_DNS)
			return;
	gnutls_checks = !c->has_eku || c->eku_server || c->eku_any;
	for (i = 0; i < c->n_cn; i++) {
		if (!(gnutls_checks && i == 0) && !cn_is_dnsname(&c->cns[i]))
			continue;
		what = xasprintf("CN '%s' (no DNS name in the subjectAltName, so"
		    " verifiers check the CN)", lint_esc(x->f, c->cns[i].data,
		    c->cns[i].len));
		check_name(x, GNUTLS_SAN_DNSNAME, c->cns[i].data, c->cns[i].len, what);
		free(what);
	}
}

/* The subject's emailAddress attributes: OpenSSL checks every one. */
static void
check_subject_emails(const struct nc_check *x)
{
	char buf[256], *what;
	size_t size;
	unsigned i;

	if (x->c->crt == NULL)
		return;
	for (i = 0;; i++) {
		size = sizeof(buf);
		if (gnutls_x509_crt_get_dn_by_oid(x->c->crt, GNUTLS_OID_PKCS9_EMAIL, i,
		    0, buf, &size) < 0)
			break;
		what = xasprintf("subject emailAddress '%s'", lint_esc(x->f, buf, size));
		check_name(x, GNUTLS_SAN_RFC822NAME, buf, size, what);
		free(what);
	}
}

/* RFC 5280 4.2.1.10 for URIs: a constraint names a host, or with a
 * leading '.' a domain whose hosts (not itself) match. */
static int
uri_host_matches(const char *host, size_t hlen, const gnutls_datum_t *base)
{
	const char *b = (const char *)base->data;
	size_t i, off = 0;

	if (base->size > 0 && b[0] == '.') {
		if (hlen <= base->size)
			return 0;
		off = hlen - base->size;
	} else if (hlen != base->size) {
		return 0;
	}
	for (i = 0; i < base->size; i++)
		if (b[i] == '\0' || tolower((unsigned char)host[off + i]) !=
		    tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * The CA's URI subtrees, as verifiers apply them to a URI: GnuTLS
 * rejects every URI under an excluded URI subtree (it does not match
 * them, lib/x509/name_constraints.c check_unsupported_constraint2), and
 * OpenSSL takes the host from "scheme://host" (v3_ncons.c nc_uri), so
 * under permitted URI subtrees it rejects a URI without "//", which
 * every sip: URI is.
 */
static void
check_uri_subtrees(const struct nc_check *x, const struct san_entry *e)
{
	const char *v = e->value, *colon = strchr(v, ':'), *host;
	unsigned i, t;
	gnutls_datum_t d;
	char list[SUBTREES_TEXT_MAX + 16];
	size_t hlen;

	for (i = 0; gnutls_x509_name_constraints_get_excluded(x->nc, i, &t, &d) >= 0; i++)
		if (t == GNUTLS_SAN_URI) {
			nc_report(x, "URI '%s': the CA has the excluded URI subtree"
			    " '%s', and GnuTLS rejects every URI under one",
			    lint_esc(x->f, v, e->len), subtree_text(x->f, t, &d));
			return;
		}
	if (!has_permitted(x, GNUTLS_SAN_URI))
		return;
	permitted_text(x, GNUTLS_SAN_URI, list, sizeof(list));
	if (colon == NULL || colon == v || colon[1] != '/' || colon[2] != '/') {
		nc_report(x, "URI '%s' has no '//' authority, which OpenSSL"
		    " rejects under the CA's permitted URI %s",
		    lint_esc(x->f, v, e->len), list);
		return;
	}
	host = colon + 3;
	hlen = strcspn(host, ":/");
	for (i = 0; gnutls_x509_name_constraints_get_permitted(x->nc, i, &t, &d) >= 0; i++)
		if (t == GNUTLS_SAN_URI && uri_host_matches(host, hlen, &d))
			return;
	nc_report(x, "URI '%s' is outside the CA's permitted URI %s",
	    lint_esc(x->f, v, e->len), list);
}

/*
 * The host of a sip: or sips: URI against the DNS (or IP) subtrees.
 * Verifiers hold only dNSNames to those, but an RFC 5922 7.1 client
 * takes the URI as the server's identity and ignores the DNS names, so
 * a URI host outside the constraints would be a domain the CA may not
 * vouch for. sipca's reading of the constraints, stricter than theirs.
 */
static void
check_sip_uri_host(const struct nc_check *x, const struct san_entry *e)
{
	char scheme[8], *host = xmalloc(e->len + 1), *what;
	int user;

	if (sipid_uri_split(e->value, scheme, sizeof(scheme), &user, host,
	    e->len + 1) < 0 || (strcasecmp(scheme, "sip") != 0 &&
	    strcasecmp(scheme, "sips") != 0) || host[0] == '\0')
		goto out;
	what = xasprintf("host '%s' of URI '%s'", lint_esc_str(x->f, host),
	    lint_esc(x->f, e->value, e->len));
	if (san_ip_from_text(host, strlen(host), NULL) != 0)
		check_ip_text(x, host, what);
	else
		check_name(x, GNUTLS_SAN_DNSNAME, host, strlen(host), what);
	free(what);
out:
	free(host);
}

static void
check_san(const struct nc_check *x, const struct san_entry *e)
{
	char *what = NULL;

	switch (e->type) {
	case SAN_DNS:
		what = xasprintf("DNS name '%s'", lint_esc(x->f, e->value, e->len));
		check_name(x, GNUTLS_SAN_DNSNAME, e->value, e->len, what);
		break;
	case SAN_IP:
		what = xasprintf("IP address '%s'", lint_esc_str(x->f, e->value));
		check_ip_text(x, e->value, what);
		break;
	case SAN_EMAIL:
		what = xasprintf("email address '%s'", lint_esc(x->f, e->value, e->len));
		check_name(x, GNUTLS_SAN_RFC822NAME, e->value, e->len, what);
		break;
	case SAN_URI:
		check_uri_subtrees(x, e);
		check_sip_uri_host(x, e);
		break;
	default:
		break;
	}
	free(what);
}

/*
 * What GnuTLS's verifier itself concludes (lib/x509/verify.c runs
 * gnutls_x509_name_constraints_check_crt per type), for the cases the
 * per-name checks above do not name: two CNs on a server certificate
 * without a dNSName, an excluded directoryName subtree.
 */
static void
check_gnutls_verdict(const struct nc_check *x)
{
	static const unsigned types[] = {
		GNUTLS_SAN_DNSNAME, GNUTLS_SAN_RFC822NAME, GNUTLS_SAN_IPADDRESS,
		GNUTLS_SAN_URI, GNUTLS_SAN_DN,
	};
	size_t i;

	if (x->c->crt == NULL)
		return;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!gnutls_x509_name_constraints_check_crt(x->nc, types[i], x->c->crt)) {
			nc_report(x, "GnuTLS rejects the certificate's %s names under"
			    " the CA's nameConstraints (gnutls_x509_name_constraints_check_crt)",
			    type_word(types[i]));
			return;
		}
}

/* The names of c against the constraints of ca, one CA of its path. */
static void
check_against(const struct lint_cert *c, struct lint_findings *f,
    const struct lint_ca *ca, const char *whose)
{
	struct nc_check x = { NULL, c, f, whose };
	unsigned critical = 0;
	size_t i, before = f->n;
	int ret;

	if ((ret = gnutls_x509_name_constraints_init(&x.nc)) < 0) {
		x.nc = NULL;
		nc_report(&x, "gnutls_x509_name_constraints_init: %s", gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_x509_crt_get_name_constraints(ca->crt, x.nc, 0, &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		goto out;
	if (ret < 0) {
		nc_report(&x, "the CA's nameConstraints cannot be read:"
		    " gnutls_x509_crt_get_name_constraints: %s", gnutls_strerror(ret));
		goto out;
	}
	for (i = 0; i < c->sans.n; i++)
		if (c->sans.items[i].problem == NULL)
			check_san(&x, &c->sans.items[i]);
	check_cns(&x);
	check_subject_emails(&x);
	if (f->n == before)
		check_gnutls_verdict(&x);
out:
	if (x.nc != NULL)
		gnutls_x509_name_constraints_deinit(x.nc);
}

/*
 * The --ca certificate that issued ca (name, then signature), or NULL at
 * a self-issued CA, the trust anchor: the next CA up the path.
 */
static const struct lint_ca *
issuer_of(const struct lint_options *o, const struct lint_ca *ca)
{
	const unsigned flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS | GNUTLS_VERIFY_ALLOW_BROKEN;
	unsigned status;
	size_t i;

	if (gnutls_x509_crt_check_issuer(ca->crt, ca->crt) == 1)
		return NULL;
	for (i = 0; i < o->n_ca; i++) {
		if (&o->cas[i] == ca || o->cas[i].crt == NULL ||
		    gnutls_x509_crt_check_issuer(ca->crt, o->cas[i].crt) != 1)
			continue;
		status = 0;
		if (gnutls_x509_crt_verify(ca->crt, &o->cas[i].crt, 1, flags, &status) >= 0 &&
		    (status & (GNUTLS_CERT_SIGNATURE_FAILURE | GNUTLS_CERT_SIGNER_NOT_FOUND)) == 0)
			return &o->cas[i];
	}
	return NULL;
}

/*
 * RFC 5280 4.2.1.10 and 6.1.3 (b), (c): every name of a certificate
 * (other than a self-issued one) must lie within the permitted subtrees
 * and outside the excluded ones of every CA on its path (they add up,
 * 6.1.4 (g)); a verifier rejects the certificate otherwise. The path is
 * the issuing CA and the --ca certificates above it.
 */
static void
check_name_constraints(const struct lint_cert *c, struct lint_findings *f)
{
	const struct lint_ca *ca = c->signer;
	char *whose;
	size_t depth;

	if (ca == NULL || ca->crt == NULL || c->self_issued)
		return;
	check_against(c, f, ca, "");
	for (depth = 1; depth < c->opts->n_ca && (ca = issuer_of(c->opts, ca)) != NULL;
	    depth++) {
		whose = xasprintf(" (the constraints of %s, a CA above the issuing one)",
		    lint_esc_str(f, ca->label));
		check_against(c, f, ca, whose);
		free(whose);
	}
}

const struct lint_rule lint_rules_constraints[] = {
	{ "chain.name_constraints", SEV_FATAL, KINDS_ALL, PROF_CHAIN, NEED_CA,
	  "a name outside the issuing CA's nameConstraints (DNS, IP, email, URI,"
	  " the host of a sip: or sips: URI, the CN without DNS names);"
	  " --force cannot override it",
	  "RFC 5280 sections 4.2.1.10, 6.1.3; RFC 5922 section 7.1",
	  check_name_constraints },
	{ NULL }
};
