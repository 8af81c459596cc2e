/*
 * pkcs11: CA keys on tokens, through GnuTLS's PKCS#11 support.
 *
 * URIs follow RFC 7512: "pkcs11:" path attributes separated by ';',
 * then optionally '?' and query attributes separated by '&'. The PIN
 * attributes (pin-value, pin-source; section 2.3) belong to the query
 * but p11-kit accepts them in the path too, so both are stripped before
 * a URI is stored or printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <gnutls/abstract.h>

#include "cert.h"
#include "fileio.h"
#include "key.h"
#include "pkcs11.h"
#include "report.h"
#include "result.h"
#include "secret.h"
#include "util.h"

#define URI_MAX 4096
#define DEFAULT_LABEL "sipca-ca"

struct pin_source {
	const char *file;	/* NULL: prompt */
	const char *option;	/* the option that names a PIN file, for messages */
	int asked;		/* the callback ran and found no PIN to give */
	int wrong;		/* the token said the PIN was wrong */
	size_t too_long;	/* the PIN was longer than this many characters */
	char *msg;		/* NULL, or why the callback had no PIN (secret.h) */
};

static struct pin_source pin_source;

int
pkcs11_is_uri(const char *s)
{
	return s != NULL && strncmp(s, "pkcs11:", 7) == 0;
}

static int
is_pin_attr(const char *attr, size_t len)
{
	return (len >= 10 && strncmp(attr, "pin-value=", 10) == 0) ||
	    (len >= 11 && strncmp(attr, "pin-source=", 11) == 0);
}

/* The object class attribute: without it a URI names a whole key pair. */
static int
is_pin_or_type_attr(const char *attr, size_t len)
{
	return is_pin_attr(attr, len) ||
	    (len >= 5 && strncmp(attr, "type=", 5) == 0);
}

/* Appends the attributes of [p, end) split at sep, but those skip() names. */
static char *
copy_attrs(char *o, const char *p, const char *end, char sep, char lead,
    int (*skip)(const char *, size_t))
{
	const char *a;
	size_t len;
	int first = 1;

	for (; p < end; p = a + 1) {
		if ((a = memchr(p, sep, (size_t)(end - p))) == NULL)
			a = end;
		len = (size_t)(a - p);
		if (len == 0 || skip(p, len))
			continue;
		if (!first || lead != 0)
			*o++ = first ? lead : sep;
		memcpy(o, p, len);
		o += len;
		first = 0;
	}
	return o;
}

char *
pkcs11_uri_strip_pin(const char *uri, const char **out_reason)
{
	const char *p, *query, *end;
	char *out, *o;

	if (!pkcs11_is_uri(uri)) {
		*out_reason = "not a PKCS#11 URI (RFC 7512: 'pkcs11:token=...')";
		return NULL;
	}
	if (strlen(uri) > URI_MAX) {
		*out_reason = "longer than 4096 characters";
		return NULL;
	}
	for (p = uri; *p != '\0'; p++) {
		/* RFC 7512 section 2.3: no space or control character, unescaped. */
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
			*out_reason = "a space or control character (percent-encode it)";
			return NULL;
		}
	}
	end = uri + strlen(uri);
	if ((query = strchr(uri, '?')) == NULL)
		query = end;
	out = xmalloc((size_t)(end - uri) + 1);
	memcpy(out, "pkcs11:", 7);
	o = copy_attrs(out + 7, uri + 7, query, ';', 0, is_pin_attr);
	if (query < end)
		o = copy_attrs(o, query + 1, end, '&', '?', is_pin_attr);
	*o = '\0';
	return out;
}

/*
 * The value of attribute name among those of [p, end) split at sep,
 * percent-decoded; a new string or NULL.
 */
static char *
find_attr(const char *p, const char *end, char sep, const char *name)
{
	size_t n = strlen(name), len, i;
	const char *a;
	char *v, *o;

	for (; p < end; p = a + 1) {
		if ((a = memchr(p, sep, (size_t)(end - p))) == NULL)
			a = end;
		len = (size_t)(a - p);
		if (len <= n || strncmp(p, name, n) != 0 || p[n] != '=')
			continue;
		v = o = xmalloc(len - n);
		for (i = n + 1; i < len; i++) {
			unsigned hi, lo;

			if (p[i] == '%' && i + 2 < len &&
			    sscanf(p + i + 1, "%1x%1x", &hi, &lo) == 2) {
				*o++ = (char)(hi << 4 | lo);
				i += 2;
			} else
				*o++ = p[i];
		}
		*o = '\0';
		return v;
	}
	return NULL;
}

/* A path attribute's value ("object"), percent-decoded; new, or NULL. */
static char *
uri_attr(const char *uri, const char *name)
{
	const char *q = strchr(uri, '?');

	return find_attr(uri + 7, q != NULL ? q : uri + strlen(uri), ';', name);
}

/*
 * A pin-source (RFC 7512 section 2.4; in the query, or in the path
 * where p11-kit takes it too) is read by GnuTLS itself with a blocking
 * open: a FIFO there would hang init. It must be a regular file, as
 * every file sipca reads a secret from.
 */
static enum result
check_pin_source(const char *uri, struct report *rep)
{
	const char *q = strchr(uri, '?');
	char *path = uri_attr(uri, "pin-source");
	const char *file;
	enum result status = RESULT_OK;
	int fd;

	if (path == NULL && q != NULL)
		path = find_attr(q + 1, q + strlen(q), '&', "pin-source");
	if (path == NULL)
		return RESULT_OK;
	file = strncmp(path, "file:", 5) == 0 ? path + 5 : path;
	if ((fd = open_regular_file(file)) >= 0)
		close(fd);
	else if (errno == FILEIO_E_NOT_REGULAR || errno == EISDIR) {
		report_add(rep, REPORT_MESSAGE,
		    "the URI's pin-source is not a regular file");
		status = RESULT_E_INPUT;
	}
	/* Other errors (no such file) are the token library's to report. */
	free(path);
	return status;
}

/*
 * GnuTLS calls this when a token needs its user PIN (and has found no
 * pin-value or pin-source in the URI). A PIN from a file is given once:
 * retrying a wrong one would only count down the token's retries.
 */
static int
pin_callback(void *userdata, int attempt, const char *token_url,
    const char *token_label, unsigned flags, char *pin, size_t pin_max)
{
	struct pin_source *src = userdata;
	char *secret = NULL, *prompt = NULL;
	size_t len;
	int ret = GNUTLS_E_PKCS11_PIN_ERROR;

	(void)token_url;
	if (flags & GNUTLS_PIN_WRONG)
		src->wrong = 1;
	if (src->file != NULL) {
		if (attempt > 0 || (flags & GNUTLS_PIN_WRONG))
			return GNUTLS_E_PKCS11_PIN_ERROR;
		secret = secret_from_file(src->file, &src->msg);
		/* A warning (group-readable) was said by pkcs11_pin_setup(). */
		if (secret != NULL) {
			free(src->msg);
			src->msg = NULL;
		}
	} else if (secret_have_tty() && attempt < 3) {
		prompt = xasprintf("PIN for token '%s'%s: ", token_label,
		    (flags & GNUTLS_PIN_FINAL_TRY) ? " (final try before it locks)" :
		    (flags & GNUTLS_PIN_WRONG) ? " (wrong, try again)" : "");
		secret = secret_prompt(prompt, 0, &src->msg);
	} else
		src->asked = 1;
	if (secret == NULL)
		goto out;
	len = strlen(secret);
	if (len + 1 > pin_max) {
		/* Said by token_error(), which the failed login reaches. */
		src->too_long = pin_max - 1;
		goto out;
	}
	memcpy(pin, secret, len + 1);
	ret = 0;
out:
	secret_free(secret);
	free(prompt);
	return ret;
}

enum result
pkcs11_pin_setup(const char *pin_file, const char *option, struct report *rep)
{
	char *pin = NULL, *msg = NULL;

	free(pin_source.msg);
	memset(&pin_source, 0, sizeof(pin_source));
	pin_source.file = pin_file;
	pin_source.option = option;
	gnutls_pkcs11_set_pin_function(pin_callback, &pin_source);
	/*
	 * Read once now, so a PIN file that is missing, empty or not a
	 * regular file is refused before any token is touched, with its
	 * own message rather than a refused PIN.
	 */
	if (pin_file != NULL && (pin = secret_from_file(pin_file, &msg)) == NULL) {
		report_add(rep, REPORT_MESSAGE, "%s", msg);
		free(msg);
		return RESULT_E_INPUT;
	}
	if (msg != NULL)
		report_add(rep, REPORT_WARNING, "%s", msg);
	free(msg);
	secret_free(pin);
	return RESULT_OK;
}

/* Says why a token operation failed, naming the URI without its PIN. */
static enum result
token_error(const char *what, const char *call, const char *uri, int ret,
    struct report *rep)
{
	const char *reason;
	char *shown = pkcs11_uri_strip_pin(uri, &reason);
	const char *sh = shown != NULL ? shown : "";
	enum result r = RESULT_E_INPUT;

	/* The callback's own reason first, as it happened first. */
	if (pin_source.msg != NULL) {
		report_add(rep, REPORT_MESSAGE, "%s", pin_source.msg);
		free(pin_source.msg);
		pin_source.msg = NULL;
	}
	if (pin_source.too_long > 0)
		report_add(rep, REPORT_MESSAGE, "the PIN is longer than the token"
		    " takes (%zu characters)", pin_source.too_long);
	if (ret == GNUTLS_E_PKCS11_PIN_ERROR ||
	    ret == GNUTLS_E_PKCS11_PIN_LOCKED || ret == GNUTLS_E_PKCS11_PIN_EXPIRED ||
	    pin_source.wrong || pin_source.asked) {
		if (pin_source.asked && !pin_source.wrong)
			report_add(rep, REPORT_MESSAGE, "%s: the token needs its PIN:"
			    " give %s FILE (no terminal to ask on): '%s'", what,
			    pin_source.option, sh);
		else
			report_add(rep, REPORT_MESSAGE, "%s: the token refused the"
			    " PIN: '%s': %s: %s", what, sh, call, gnutls_strerror(ret));
	} else if (ret == GNUTLS_E_PKCS11_REQUESTED_OBJECT_NOT_AVAILBLE ||
	    ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		/* Nothing matches the URI: a typo or a token not plugged in. */
		report_add(rep, REPORT_MESSAGE, "%s: no token or key matches '%s'"
		    " (is the token present and its module known to p11-kit?)",
		    what, sh);
	} else {
		report_add(rep, REPORT_MESSAGE, "%s: '%s': %s: %s", what, sh, call,
		    gnutls_strerror(ret));
		r = RESULT_E_FAILED;
	}
	free(shown);
	return r;
}

/* The private key objects uri names: their URIs, count in *out_n. */
static int
find_private_keys(const char *uri, char ***out_urls, unsigned *out_n)
{
	gnutls_pkcs11_obj_t *list = NULL;
	unsigned n = 0, i;
	char **urls = NULL;
	int ret;

	ret = gnutls_pkcs11_obj_list_import_url4(&list, &n, uri,
	    GNUTLS_PKCS11_OBJ_FLAG_PRIVKEY | GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	if (ret < 0)
		return ret;
	urls = xcalloc(n + 1, sizeof(*urls));
	for (i = 0; i < n; i++) {
		if (ret >= 0)
			ret = gnutls_pkcs11_obj_export_url(list[i],
			    GNUTLS_PKCS11_URL_GENERIC, &urls[i]);
		gnutls_pkcs11_obj_deinit(list[i]);
	}
	gnutls_free(list);
	if (ret < 0) {
		for (i = 0; i < n; i++)
			gnutls_free(urls[i]);
		free(urls);
		return ret;
	}
	*out_urls = urls;
	*out_n = n;
	return 0;
}

static void
free_urls(char **urls, unsigned n)
{
	unsigned i;

	for (i = 0; urls != NULL && i < n; i++)
		gnutls_free(urls[i]);
	free(urls);
}

/* uri with ";object=LABEL" added to its path (before any query). */
static char *
uri_with_label(const char *uri, const char *label)
{
	const char *q = strchr(uri, '?');
	size_t path_len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	const char *sep = uri[path_len - 1] == ':' ? "" : ";";

	return xasprintf("%.*s%sobject=%s%s", (int)path_len, uri, sep, label,
	    q != NULL ? q : "");
}

/*
 * The key's own URI with what the one given said about logging in: its
 * query (pin-value, pin-source, module-name, module-path; RFC 7512
 * section 2.4) and any PIN attribute it had in its path, where p11-kit
 * takes one too. Without the latter, a URI with ";pin-value=" logged in
 * for the search and the key generation, and then opening the new key
 * found no PIN.
 */
static char *
with_login_of(const char *url, const char *given)
{
	const char *q = strchr(given, '?'), *p, *a;
	const char *path_end = q != NULL ? q : given + strlen(given);
	char *out = xmalloc(strlen(url) + strlen(given) + 2), *o;
	char sep = strchr(url, '?') != NULL ? '&' : '?';
	size_t len;

	o = stpcpy(out, url);
	for (p = given + 7; p < path_end; p = a + 1) {
		if ((a = memchr(p, ';', (size_t)(path_end - p))) == NULL)
			a = path_end;
		len = (size_t)(a - p);
		if (!is_pin_attr(p, len))
			continue;
		*o++ = sep;
		sep = '&';
		memcpy(o, p, len);
		o += len;
	}
	if (q != NULL && q[1] != '\0') {
		*o++ = sep;
		o = stpcpy(o, q + 1);
	}
	*o = '\0';
	return out;
}

/*
 * Removes the key pair init generated at key_url (the private key's URI)
 * when init fails after all: without type=, the URI names both the
 * private and the public object, which share CKA_ID and CKA_LABEL.
 */
enum result
pkcs11_delete_key(const char *key_url, const char *given_uri,
    struct report *rep)
{
	const char *path_end = strchr(key_url, '?');
	char *pair = NULL, *url = NULL;
	int ret;

	if (path_end == NULL)
		path_end = key_url + strlen(key_url);
	pair = xmalloc(strlen(key_url) + 1);
	memcpy(pair, "pkcs11:", 7);
	*copy_attrs(pair + 7, key_url + 7, path_end, ';', 0,
	    is_pin_or_type_attr) = '\0';
	url = with_login_of(pair, given_uri);
	ret = gnutls_pkcs11_delete_url(url, GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	if (ret < 0)
		report_add(rep, REPORT_MESSAGE, "cannot remove the key generated on"
		    " the token: '%s': gnutls_pkcs11_delete_url: %s; remove it by"
		    " hand (p11tool --delete)", pair, gnutls_strerror(ret));
	else
		report_add(rep, REPORT_MESSAGE, "the key generated on the token is"
		    " removed again: '%s'", pair);
	free(pair);
	secret_free(url);
	return ret < 0 ? RESULT_E_FAILED : RESULT_OK;
}

static int
generate(const char *uri, const char *label, enum key_type type)
{
	gnutls_pk_algorithm_t pk;
	unsigned bits;

	key_type_params(type, &pk, &bits);
	/*
	 * Sensitive and never extractable (PKCS#11 v2.40 4.9): the key never
	 * leaves the token. keyCertSign and cRLSign are all a CA key does.
	 */
	return gnutls_pkcs11_privkey_generate3(uri, pk, bits, label, NULL,
	    GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN,
	    GNUTLS_PKCS11_OBJ_FLAG_LOGIN | GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE |
	    GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE);
}

enum result
pkcs11_ca_key(const char *uri, enum key_type type, char **out_url,
    gnutls_privkey_t *out_key, int *out_generated, struct report *rep)
{
	char *label = uri_attr(uri, "object"), *id = uri_attr(uri, "id");
	char *search = NULL, *open_url = NULL, *stored = NULL;
	char **urls = NULL;
	const char *reason;
	unsigned n = 0;
	enum result status;
	int ret, generated = 0;

	if ((status = check_pin_source(uri, rep)) != RESULT_OK)
		goto out;
	status = RESULT_E_FAILED;
	/* Without object= or id=, the key is the one labelled "sipca-ca". */
	search = label == NULL && id == NULL ?
	    uri_with_label(uri, DEFAULT_LABEL) : xstrdup(uri);
	if ((ret = find_private_keys(search, &urls, &n)) < 0) {
		status = token_error("cannot search the token",
		    "gnutls_pkcs11_obj_list_import_url4", uri, ret, rep);
		goto out;
	}
	if (n > 1) {
		report_add(rep, REPORT_MESSAGE, "the URI names %u private keys; add"
		    " object= or id= to name one: '%s'", n, urls[0]);
		status = RESULT_E_INPUT;
		goto out;
	}
	if (n == 0) {
		if (id != NULL && label == NULL) {
			report_add(rep, REPORT_MESSAGE,
			    "no private key with that id on the token");
			status = RESULT_E_INPUT;
			goto out;
		}
		if ((ret = generate(search, label != NULL ? label : DEFAULT_LABEL,
		    type)) < 0) {
			status = token_error("cannot generate the CA key on the token",
			    "gnutls_pkcs11_privkey_generate3", uri, ret, rep);
			goto out;
		}
		generated = 1;
		free_urls(urls, n);
		urls = NULL;
		if ((ret = find_private_keys(search, &urls, &n)) < 0 || n != 1) {
			status = token_error("cannot find the key just generated",
			    "gnutls_pkcs11_obj_list_import_url4", uri,
			    ret < 0 ? ret : GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE, rep);
			goto out;
		}
	}
	if ((stored = pkcs11_uri_strip_pin(urls[0], &reason)) == NULL) {
		report_add(rep, REPORT_MESSAGE, "the token gave an unusable URI: %s",
		    reason);
		goto out;
	}
	open_url = with_login_of(stored, uri);
	if ((status = pkcs11_open_key(open_url, out_key, rep)) != RESULT_OK)
		goto out;
	*out_url = stored;
	stored = NULL;
	*out_generated = generated;
	status = RESULT_OK;
out:
	/* A key made here and not handed out is an orphan: remove it. */
	if (generated && status != RESULT_OK && stored != NULL)
		pkcs11_delete_key(stored, uri, rep);
	free_urls(urls, n);
	free(label);
	free(id);
	free(stored);
	/* Both may carry the pin-value of the URI given. */
	secret_free(search);
	secret_free(open_url);
	return status;
}

enum result
pkcs11_open_key(const char *uri, gnutls_privkey_t *out_key, struct report *rep)
{
	gnutls_privkey_t key = NULL;
	int ret;

	if ((ret = gnutls_privkey_init(&key)) < 0)
		return token_error("cannot open the CA key", "gnutls_privkey_init",
		    uri, ret, rep);
	/* The login happens here, so a wrong PIN shows before anything is signed. */
	ret = gnutls_privkey_import_url(key, uri, 0);
	if (ret < 0) {
		gnutls_privkey_deinit(key);
		return token_error("cannot open the CA key",
		    "gnutls_privkey_import_url", uri, ret, rep);
	}
	*out_key = key;
	return RESULT_OK;
}

enum result
pkcs11_key_matches(const char *uri, gnutls_x509_crt_t crt, int *out_match,
    struct report *rep)
{
	gnutls_privkey_t key = NULL;
	gnutls_pubkey_t pub = NULL;
	enum result status;
	int ret;

	if ((status = pkcs11_open_key(uri, &key, rep)) != RESULT_OK)
		return status;
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0 ||
	    (ret = key_matches_cert(pub, crt, out_match, NULL)) < 0)
		status = token_error("cannot read the token key's public half",
		    "gnutls_pubkey_import_privkey", uri, ret, rep);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
	return status;
}
