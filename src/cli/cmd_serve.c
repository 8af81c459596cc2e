/*
 * sipca serve: the long-running server on the store: the CA
 * certificate and the CRL over HTTP and HTTPS (src/net/serve.c), in the
 * foreground, a line per request on stderr (journald-friendly), SIGHUP
 * to read the store again, SIGTERM or SIGINT to stop once what is being
 * answered is done.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "acme.h"
#include "acme_challenge.h"
#include "cli.h"
#include "cli_secret.h"
#include "cli_status.h"
#include "crl.h"
#include "issuance.h"
#include "report.h"
#include "scep.h"
#include "serve.h"
#include "serve_content.h"
#include "signer.h"
#include "upkeep.h"
#include "store.h"
#include "util.h"

enum {
	OPT_LISTEN = 256, OPT_HTTP, OPT_NAME, OPT_MAX_BODY, OPT_MAX_HEADER,
	OPT_MAX_CONN, OPT_PER_IP, OPT_TIMEOUT, OPT_THREADS, OPT_NO_ACME,
	OPT_EAB_OPTIONAL, OPT_HTTP01_PORT, OPT_TLSALPN_PORT, OPT_DNS_SERVER,
	OPT_DAYS, OPT_ORDERS, OPT_PASSFILE, OPT_REQUEST_TIME, OPT_SCEP, OPT_NO_SCEP,
	OPT_SCEP_DES, OPT_SCEP_STATIC,
};

/* How often the server looks at its certificate and the CRL (upkeep.h). */
#define UPKEEP_SECONDS 600

static const struct cli_option serve_options[] = {
	{ "listen", OPT_LISTEN, 1, "ADDR:PORT", NULL, "serve HTTPS here (repeatable; default: config serve-listen, else 0.0.0.0:8443 unless --http is given)" },
	{ "http", OPT_HTTP, 1, "ADDR:PORT", NULL, "serve plain HTTP here, where clients fetch CRLs (repeatable; default: config serve-http)" },
	{ "name", OPT_NAME, 1, "FQDN", "@name", "the server certificate HTTPS presents (default: config serve-name, else the host's name)" },
	{ "max-body", OPT_MAX_BODY, 1, "OCTETS", NULL, "largest request body (default 65536)" },
	{ "max-header", OPT_MAX_HEADER, 1, "OCTETS", NULL, "room for a request's line and headers (default 32768)" },
	{ "max-connections", OPT_MAX_CONN, 1, "N", NULL, "connections in all (default 4000)" },
	{ "per-ip", OPT_PER_IP, 1, "N", NULL, "connections from one address (default 2000)" },
	{ "timeout", OPT_TIMEOUT, 1, "SECONDS", NULL, "close a connection idle this long (default 10)" },
	{ "request-time", OPT_REQUEST_TIME, 1, "SECONDS", NULL, "close a connection whose request (line, headers and body) has not all arrived this long after it opened or after the previous answer, however steadily it trickles in (default 30)" },
	{ "threads", OPT_THREADS, 1, "N", NULL, "threads per listener (default one per CPU)" },
	{ "no-acme", OPT_NO_ACME, 0, NULL, NULL, "serve no ACME (only the CA certificate and the CRL)" },
	{ "acme-without-eab", OPT_EAB_OPTIONAL, 0, NULL, NULL, "open ACME accounts without an External Account Binding key (anyone who reaches the server and proves a name in the domain gets a certificate)" },
	{ "http-01-port", OPT_HTTP01_PORT, 1, "PORT", NULL, "where http-01 validation connects (default 80)" },
	{ "tls-alpn-01-port", OPT_TLSALPN_PORT, 1, "PORT", NULL, "where tls-alpn-01 validation connects (default 443)" },
	{ "dns-server", OPT_DNS_SERVER, 1, "ADDR[:PORT]", NULL, "the resolver dns-01 validation asks (default: the system's)" },
	{ "days", OPT_DAYS, 1, "N", NULL, "validity of certificates ACME issues (default: config default-days, else 825)" },
	{ "orders-per-hour", OPT_ORDERS, 1, "N", NULL, "new ACME orders an account may make in an hour (default 300; 0: no limit)" },
	{ "scep", OPT_SCEP, 0, NULL, NULL, "answer SCEP (RFC 8894) on /scep and .../pkiclient.exe, over HTTP and HTTPS (default: config serve-scep); makes the RA certificate when there is none" },
	{ "no-scep", OPT_NO_SCEP, 0, NULL, NULL, "answer no SCEP, whatever config serve-scep says" },
	{ "scep-static-challenge", OPT_SCEP_STATIC, 0, NULL, NULL, "accept the static shared SCEP challenge (sipca scep static-challenge) for names with no certificate yet (weaker than one-time challenges: anyone with it enrolls such a name; default: config serve-scep-static)" },
	{ "scep-allow-des", OPT_SCEP_DES, 0, NULL, NULL, "accept SCEP requests encrypted with single DES (broken: for devices that know nothing else; each is logged)" },
	{ "passphrase-file", OPT_PASSFILE, 1, "FILE", "@file", "the CA key's passphrase, for ACME and SCEP" },
	CLI_OPTION_PIN_FILE,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int cmd_serve(int argc, char **argv);

const struct command command_serve = {
	"serve", cmd_serve,
	"serve [--listen ADDR:PORT]... [--http ADDR:PORT]... [--name FQDN] [--scep] [limits]",
	"Serve ACME, SCEP, the CA certificate and the CRL over HTTP(S), in the foreground.",
	serve_options, NULL,
};

/* A line from the server's threads: whole, one at a time. */
static void
log_stderr(const char *line, void *arg)
{
	(void)arg;
	flockfile(stderr);
	fprintf(stderr, "sipca: serve: %s\n", line);
	fflush(stderr);
	funlockfile(stderr);
}

/*
 * A descriptor per connection: --max-connections of them (4,000 by
 * default) need more than the soft limit most systems start with (1,024).
 * libmicrohttpd polls with epoll, not select(2), so the soft limit can go
 * up to the hard one, as systemd's documentation of LimitNOFILE= asks of
 * such programs.
 */
static void
raise_descriptor_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The host's name as resolvers know it, for --name's default. */
static char *
host_name(void)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	char *name;

	if (gethostname(host, sizeof(host)) != 0)
		return NULL;
	host[sizeof(host) - 1] = '\0';
	if (strchr(host, '.') != NULL)
		return xstrdup(host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL)
		name = xstrdup(res->ai_canonname);
	else
		name = xstrdup(host);
	if (res != NULL)
		freeaddrinfo(res);
	return name;
}

/* The store's content now; the store is open only while it is read. */
static int
load(const char *name, struct serve_content *out)
{
	struct report rep = { 0 };
	struct store *s = NULL;
	char *crl_url = NULL;
	int ret, status;

	if ((ret = signer_open_store(cli_dir_option(), STORE_READONLY, &s,
	    &rep)) != STORE_OK) {
		cli_report_print(&rep);
		report_clear(&rep);
		return cli_store_status(ret);
	}
	if (store_setting_get(s, "crl_url", &crl_url) != STORE_OK)
		crl_url = NULL;
	status = cli_outcome(serve_content_load(s, name, crl_url, out, &rep), &rep);
	free(crl_url);
	store_close(s);
	return status;
}

/* "a,b,c" (checked by sipca config) appended to *list; the parts in *owned. */
static void
split_addresses(char *value, const char ***list, size_t *n)
{
	char *item, *save = NULL;

	for (item = strtok_r(value, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = item;
	}
}

/*
 * The store's serve-listen, serve-http and serve-name settings (sipca
 * config), for what the command line left out; each kept in kept[].
 */
static int
read_settings(struct serve_config *cfg, const char ***https,
    const char ***http, char **name, int *scep, int *scep_static, char *kept[3])
{
	char *on = NULL, *on_static = NULL;
	struct report rep = { 0 };
	struct store *s = NULL;
	int ret;

	if ((ret = signer_open_store(cli_dir_option(), STORE_READONLY, &s,
	    &rep)) != STORE_OK) {
		cli_report_print(&rep);
		report_clear(&rep);
		return cli_store_status(ret);
	}
	if (cfg->n_https == 0 && cfg->n_http == 0) {
		if (store_setting_get(s, "serve_listen", &kept[0]) == STORE_OK)
			split_addresses(kept[0], https, &cfg->n_https);
		if (store_setting_get(s, "serve_http", &kept[1]) == STORE_OK)
			split_addresses(kept[1], http, &cfg->n_http);
	}
	if (*name == NULL && store_setting_get(s, "serve_name", &kept[2]) == STORE_OK)
		*name = xstrdup(kept[2]);
	if (*scep < 0 && store_setting_get(s, "serve_scep", &on) == STORE_OK)
		*scep = strcmp(on, "on") == 0;
	if (!*scep_static && store_setting_get(s, "serve_scep_static", &on_static) ==
	    STORE_OK)
		*scep_static = strcmp(on_static, "on") == 0;
	free(on);
	free(on_static);
	store_close(s);
	return EXIT_OK;
}

/* After a revocation the CRL changed: the main loop reads the store again. */
static void
acme_changed(void *arg)
{
	(void)arg;
	kill(getpid(), SIGHUP);
}

/* The store opened to sign, for ACME and SCEP. */
static int
signing_start(struct signing *sg, const struct signer_secrets *secrets)
{
	struct report rep = { NULL, 0 };
	int status;

	if ((status = cli_outcome(signing_open(cli_dir_option(), 0, 1, sg, &rep),
	    &rep)) != EXIT_OK)
		return status;
	return cli_outcome(signing_unlock(sg, secrets, &rep), &rep);
}

/* The ACME server on the signing store. */
static int
acme_start(struct signing *sg, struct acme_config *ac, struct acme **out)
{
	char err[256];

	ac->store = sg->store;
	ac->ca = sg->ca;
	ac->domain = sg->domain;
	ac->crl_url = sg->crl_url;
	ac->organization = sg->defaults.organization;
	if (ac->days == 0)
		ac->days = sg->defaults.days > 0 ? sg->defaults.days : DEFAULT_LEAF_DAYS;
	ac->crl_days = CRL_DEFAULT_DAYS;
	ac->changed = acme_changed;
	if (acme_challenge_global_init() != 0) {
		error_msg("cannot start the validation client (libcurl)");
		return EXIT_OPERATIONAL;
	}
	if ((*out = acme_new(ac, err, sizeof(err))) == NULL) {
		acme_challenge_global_deinit();
		error_msg("%s", err);
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

static void
lock_acme(void *arg)
{
	acme_pause(arg);
}

static void
unlock_acme(void *arg)
{
	acme_resume(arg);
}

/*
 * The SCEP server on the signing store, sharing ACME's lock when ACME
 * runs; it makes the RA certificate when the store has none (scep.h).
 */
static int
scep_start(struct signing *sg, struct acme *acme, struct scep_config *sc,
    struct scep **out)
{
	struct report rep = { NULL, 0 };
	char line[256];
	size_t i;

	sc->store = sg->store;
	sc->ca = sg->ca;
	sc->domain = sg->domain;
	sc->crl_url = sg->crl_url;
	sc->organization = sg->defaults.organization;
	sc->days = sg->defaults.days > 0 ? sg->defaults.days : DEFAULT_LEAF_DAYS;
	if (acme != NULL) {
		sc->lock = lock_acme;
		sc->unlock = unlock_acme;
		sc->lock_arg = acme;
	}
	if ((*out = scep_new(sc, &rep)) == NULL)
		return cli_outcome(RESULT_E_FAILED, &rep);
	for (i = 0; i < rep.n; i++) {
		snprintf(line, sizeof(line), "scep: %s", rep.lines[i].text);
		log_stderr(line, NULL);
	}
	report_clear(&rep);
	if (sc->allow_des)
		log_stderr("scep: single DES is accepted (--scep-allow-des)", NULL);
	if (sc->allow_static)
		log_stderr("scep: the static shared challenge is accepted"
		    " (--scep-static-challenge or config serve-scep-static): weaker"
		    " than one-time challenges, whoever has it enrolls any new name"
		    " its pattern allows", NULL);
	return EXIT_OK;
}

/* Both handlers: SCEP's paths first, then ACME's. */
struct handlers {
	struct acme *acme;
	struct scep *scep;
};

static int
handle(void *arg, const struct serve_request *rq, struct serve_response *out)
{
	struct handlers *h = arg;

	if (h->scep != NULL && scep_handle(h->scep, rq, out))
		return 1;
	return h->acme != NULL && acme_handle(h->acme, rq, out);
}

/* The SCEP RA and CA certificates again, after SIGHUP or the upkeep. */
static void
scep_reread(struct scep *sc)
{
	struct report rep = { NULL, 0 };
	char line[256];
	size_t i;

	if (sc == NULL)
		return;
	if (scep_reload(sc, &rep) == RESULT_OK)
		log_stderr("scep: reloaded the RA and CA certificates", NULL);
	for (i = 0; i < rep.n; i++) {
		snprintf(line, sizeof(line), "scep: reload: %s", rep.lines[i].text);
		log_stderr(line, NULL);
	}
	report_clear(&rep);
}

/* What the store holds now; a store that does not read keeps the old. */
static void
reload(struct serve *srv, const char *name)
{
	struct serve_content content;
	char err[256];

	memset(&content, 0, sizeof(content));
	if (load(name, &content) != EXIT_OK)
		log_stderr("reload failed: serving what was read before", NULL);
	else if (serve_replace(srv, &content, err, sizeof(err)) != 0)
		log_stderr(err, NULL);
	else
		log_stderr("reloaded the store's CA, CRL and certificate", NULL);
	serve_content_clear(&content);
}

/*
 * The server's own certificate and the CRL, renewed and signed again
 * when due (upkeep.h), with ACME's requests held off meanwhile (they use
 * the same store and key). Returns 1 when something new is to be served.
 */
static int
upkeep(struct acme *acme, struct scep *scep, struct signing *sg, const char *name)
{
	struct report rep = { NULL, 0 };
	struct upkeep_done done;
	char until[21], line[256], serial[2 * SERIAL_LEN + 1];
	size_t i;
	enum result r;

	if (acme != NULL)
		acme_pause(acme);
	else
		scep_pause(scep);
	r = upkeep_run(sg->store, sg->ca, name, sg->domain, sg->crl_url,
	    sg->defaults.organization, sipca_now(), &done, &rep);
	if (acme != NULL)
		acme_resume(acme);
	else
		scep_resume(scep);
	/* The RA renews itself (new key) with a third of its life left. */
	if (scep != NULL && scep_upkeep(scep, sipca_now(), serial, &rep) == RESULT_OK &&
	    serial[0] != '\0') {
		snprintf(line, sizeof(line), "scep: renewed the RA certificate: now %s",
		    serial);
		log_stderr(line, NULL);
	}
	for (i = 0; i < rep.n; i++) {
		snprintf(line, sizeof(line), "upkeep: %s", rep.lines[i].text);
		log_stderr(line, NULL);
	}
	report_clear(&rep);
	if (done.renewed) {
		format_time_rfc3339(done.not_after, until);
		snprintf(line, sizeof(line), "renewed its certificate '%s': serial"
		    " %s -> %s, valid until %s", name, done.old_serial,
		    done.new_serial, until);
		log_stderr(line, NULL);
	}
	if (done.crl) {
		format_time_rfc3339(done.crl_next_update, until);
		snprintf(line, sizeof(line), "published CRL number %llu, next update"
		    " %s", done.crl_number, until);
		log_stderr(line, NULL);
	}
	return r == RESULT_OK && (done.renewed || done.crl);
}

static int
parse_limit(const char *opt, const char *arg, long min, long max, long *out)
{
	if (parse_long(arg, min, max, out) == 0)
		return 0;
	error_msg("invalid --%s: '%s' (%ld to %ld)", opt, arg, min, max);
	return -1;
}

static int
cmd_serve(int argc, char **argv)
{
	static const char *const default_https[] = { "0.0.0.0:8443" };
	struct cli_parser p;
	struct serve_config cfg;
	struct serve_content content;
	struct sockaddr_storage ss;
	struct serve *srv = NULL;
	struct signing sg;
	struct signer_secrets secrets = { NULL, NULL };
	struct acme_config ac;
	struct acme *acme = NULL;
	struct scep_config scfg;
	struct scep *scep = NULL;
	struct handlers handlers = { NULL, NULL };
	int no_acme = 0, want_scep = -1, static_flag = 0;
	const char **https = NULL, **http = NULL, *reason;
	char *name = NULL, err[256], *shown = NULL, *kept[3] = { NULL, NULL, NULL };
	sigset_t sigs;
	struct timespec tick = { UPKEEP_SECONDS, 0 };
	long v;
	int c, sig, status = EXIT_USAGE;

	memset(&cfg, 0, sizeof(cfg));
	memset(&content, 0, sizeof(content));
	memset(&sg, 0, sizeof(sg));
	memset(&ac, 0, sizeof(ac));
	memset(&scfg, 0, sizeof(scfg));
	ac.http_port = 80;
	ac.tls_port = 443;
	ac.orders_per_hour = 300;
	serve_limits_default(&cfg.limits);
	cli_parser_init(&p, &command_serve, argc, argv);
	while ((c = cli_next(&p)) != 0) {
		switch (c) {
		case CLI_HELP: status = EXIT_OK; goto out;
		case OPT_LISTEN:
		case OPT_HTTP:
			if (serve_parse_address(p.arg, &ss, &reason) != 0) {
				error_msg("invalid --%s: '%s': %s", c == OPT_LISTEN ?
				    "listen" : "http", (shown = text_echo(p.arg)), reason);
				goto out;
			}
			if (c == OPT_LISTEN) {
				https = xrealloc(https, (cfg.n_https + 1) * sizeof(*https));
				https[cfg.n_https++] = p.arg;
			} else {
				http = xrealloc(http, (cfg.n_http + 1) * sizeof(*http));
				http[cfg.n_http++] = p.arg;
			}
			break;
		case OPT_NAME:
			free(name);
			name = xstrdup(p.arg);
			break;
		case OPT_MAX_BODY:
			if (parse_limit("max-body", p.arg, 1024, 64L << 20, &v) < 0)
				goto out;
			cfg.limits.max_body = (size_t)v;
			break;
		case OPT_MAX_HEADER:
			if (parse_limit("max-header", p.arg, 4096, 1L << 20, &v) < 0)
				goto out;
			cfg.limits.max_header = (size_t)v;
			break;
		case OPT_MAX_CONN:
			if (parse_limit("max-connections", p.arg, 1, 1000000, &v) < 0)
				goto out;
			cfg.limits.max_connections = (unsigned)v;
			break;
		case OPT_PER_IP:
			if (parse_limit("per-ip", p.arg, 1, 1000000, &v) < 0)
				goto out;
			cfg.limits.per_ip = (unsigned)v;
			break;
		case OPT_TIMEOUT:
			if (parse_limit("timeout", p.arg, 1, 3600, &v) < 0)
				goto out;
			cfg.limits.timeout = (unsigned)v;
			break;
		case OPT_REQUEST_TIME:
			if (parse_limit("request-time", p.arg, 1, 3600, &v) < 0)
				goto out;
			cfg.limits.request_time = (unsigned)v;
			break;
		case OPT_THREADS:
			if (parse_limit("threads", p.arg, 1, 64, &v) < 0)
				goto out;
			cfg.limits.threads = (unsigned)v;
			break;
		case OPT_NO_ACME: no_acme = 1; break;
		case OPT_SCEP: want_scep = 1; break;
		case OPT_NO_SCEP: want_scep = 0; break;
		case OPT_SCEP_DES: scfg.allow_des = 1; break;
		case OPT_SCEP_STATIC: scfg.allow_static = static_flag = 1; break;
		case OPT_EAB_OPTIONAL: ac.eab_optional = 1; break;
		case OPT_HTTP01_PORT:
		case OPT_TLSALPN_PORT:
			if (parse_limit(c == OPT_HTTP01_PORT ? "http-01-port" :
			    "tls-alpn-01-port", p.arg, 1, 65535, &v) < 0)
				goto out;
			*(c == OPT_HTTP01_PORT ? &ac.http_port : &ac.tls_port) = (unsigned)v;
			break;
		case OPT_DNS_SERVER: ac.dns_server = p.arg; break;
		case OPT_DAYS:
			if (parse_limit("days", p.arg, 1, 36500, &v) < 0)
				goto out;
			ac.days = v;
			break;
		case OPT_ORDERS:
			if (parse_limit("orders-per-hour", p.arg, 0, 1000000, &v) < 0)
				goto out;
			ac.orders_per_hour = (unsigned)v;
			break;
		case OPT_PASSFILE: secrets.passphrase_file = p.arg; break;
		case CLI_OPT_PIN_FILE: secrets.pin_file = p.arg; break;
		default:
			status = cli_usage_error(&command_serve);
			goto out;
		}
	}
	if (p.index < argc) {
		error_msg("unexpected argument: '%s'", (shown = text_echo(argv[p.index])));
		status = cli_usage_error(&command_serve);
		goto out;
	}
	if ((status = read_settings(&cfg, &https, &http, &name, &want_scep,
	    &scfg.allow_static, kept)) != EXIT_OK)
		goto out;
	if (scfg.allow_des && want_scep != 1) {
		error_msg("--scep-allow-des goes with SCEP (--scep or config serve-scep on)");
		status = EXIT_USAGE;
		goto out;
	}
	if (static_flag && want_scep != 1) {
		error_msg("--scep-static-challenge goes with SCEP (--scep or config"
		    " serve-scep on)");
		status = EXIT_USAGE;
		goto out;
	}
	status = EXIT_USAGE;
	if (cfg.n_https == 0 && cfg.n_http == 0) {
		cfg.https = default_https;
		cfg.n_https = 1;
	} else {
		cfg.https = https;
	}
	cfg.http = http;
	if (cfg.n_https > 0 && name == NULL && (name = host_name()) == NULL) {
		error_msg("cannot tell this host's name: give --name FQDN");
		goto out;
	}
	/* ACME is for HTTPS (RFC 8555 6.1); SCEP for both (RFC 8894 4.1). */
	if (((!no_acme && cfg.n_https > 0) || want_scep == 1) &&
	    (status = signing_start(&sg, &secrets)) != EXIT_OK)
		goto out;
	if (!no_acme && cfg.n_https > 0 &&
	    (status = acme_start(&sg, &ac, &acme)) != EXIT_OK)
		goto out;
	if (want_scep == 1 && (status = scep_start(&sg, acme, &scfg, &scep)) != EXIT_OK)
		goto out;
	if (acme != NULL || scep != NULL) {
		handlers.acme = acme;
		handlers.scep = scep;
		cfg.handler = handle;
		cfg.handler_arg = &handlers;
	}
	/* A certificate or CRL already due is made before it is first served. */
	if (acme != NULL || scep != NULL)
		upkeep(acme, scep, &sg, cfg.n_https > 0 ? name : NULL);
	if ((status = load(cfg.n_https > 0 ? name : NULL, &content)) != EXIT_OK)
		goto out;
	status = EXIT_OPERATIONAL;
	cfg.log = log_stderr;
	/* The server's threads inherit the mask: only sigwait() sees these. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	raise_descriptor_limit();
	if (serve_start(&cfg, &content, &srv, err, sizeof(err)) != 0) {
		error_msg("%s", err);
		goto out;
	}
	for (;;) {
		if ((sig = sigtimedwait(&sigs, NULL, &tick)) < 0) {
			/* The upkeep's turn; what it made is served at once. */
			if (errno == EAGAIN && (acme != NULL || scep != NULL) &&
			    upkeep(acme, scep, &sg, cfg.n_https > 0 ? name : NULL))
				reload(srv, cfg.n_https > 0 ? name : NULL);
			continue;
		}
		if (sig != SIGHUP)
			break;
		reload(srv, cfg.n_https > 0 ? name : NULL);
		scep_reread(scep);
	}
	log_stderr(sig == SIGINT ? "interrupted: stopping" : "stopping", NULL);
	serve_stop(srv, cfg.limits.timeout);
	srv = NULL;
	status = EXIT_OK;
out:
	scep_free(scep);
	acme_free(acme);
	if (acme != NULL)
		acme_challenge_global_deinit();
	signing_clear(&sg);
	cli_parser_free(&p);
	serve_content_clear(&content);
	free(https);
	free(http);
	free(name);
	free(shown);
	free(kept[0]);
	free(kept[1]);
	free(kept[2]);
	return status;
}
