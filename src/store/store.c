/*
 * store: opening the CA directory (its own entries, then the index),
 * closing it, the names the other files share, and the one function
 * every message of the store goes through: it keeps the message in the
 * store for the caller (store_take_messages) and prints nothing. Where
 * each concern lives is listed in store_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

void
store_msg(struct store *s, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	report_add(&s->msgs, REPORT_MESSAGE, "%s", msg != NULL ? msg : fmt);
	free(msg);
}

const char *
store_last_message(const struct store *s)
{
	if (s == NULL || s->msgs.n == 0)
		return NULL;
	return s->msgs.lines[s->msgs.n - 1].text;
}

void
store_take_messages(struct store *s, struct report *out)
{
	if (s == NULL)
		return;
	if (out != NULL)
		report_move(out, &s->msgs);
	else
		report_clear(&s->msgs);
}

static const char *const status_names[] = {
	[STATUS_VALID] = "valid",
	[STATUS_REVOKED] = "revoked",
	[STATUS_SUPERSEDED] = "superseded",
	[STATUS_PENDING] = "pending",
	[STATUS_EXPIRED] = "expired",
};

const char *
store_status_name(enum store_status s)
{
	return status_names[s];
}

int
store_status_parse(const char *s, enum store_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum store_status)i;
			return 0;
		}
	}
	return -1;
}

char *
store_default_dir(const char *dir_option)
{
	const char *env;

	if (dir_option != NULL && *dir_option != '\0')
		return xstrdup(dir_option);
	if ((env = getenv("SIPCA_DIR")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/')
		return xasprintf("%s/sipca", env);
	if ((env = getenv("HOME")) != NULL && *env != '\0')
		return xasprintf("%s/.local/share/sipca", env);
	return xstrdup(".sipca");
}

char *
store_path(const struct store *s, const char *rel)
{
	return xasprintf("%s/%s", s->dir, rel);
}

const char *
store_dir(const struct store *s)
{
	return s->dir;
}

/*
 * The store's own entries at open: DIR, ca.pem, index.db, issued/ (when
 * there), a two-level CA's root.pem and root.key, a rollover's files.
 * With STORE_INSPECT only what cannot be opened safely at all
 * (a link, a FIFO) is refused; check reports the rest.
 */
static int
open_checks(struct store *s, int creating)
{
	static const struct { const char *rel; int dir, needed; } entries[] = {
		{ "ca.pem", 0, 1 }, { "index.db", 0, 1 }, { "issued", 1, 0 },
		{ "lock", 0, 0 }, { "root.pem", 0, 0 }, { "root.key", 0, 0 },
		{ "store.conf", 0, 0 },
		/* a rollover's (src/store/rollover.c) */
		{ "next-root.pem", 0, 0 }, { "next-root.key", 0, 0 },
		{ "next-ca.pem", 0, 0 }, { "next-ca.key", 0, 0 },
		{ "bridge.pem", 0, 0 }, { "old-bridge.pem", 0, 0 },
		{ "old-root.pem", 0, 0 }, { "old-root.key", 0, 0 },
		{ "old-ca.pem", 0, 0 }, { "old-ca.key", 0, 0 },
		{ "retired-cas.pem", 0, 0 }, { "next-crl.pem", 0, 0 },
		{ "next-root-crl.pem", 0, 0 }, { "old-crl.pem", 0, 0 },
		{ "old-root-crl.pem", 0, 0 },
	};
	const char *reason;
	char why[96];
	struct stat st;
	size_t i;

	if (fstat(s->dir_fd, &st) < 0)
		return fail_errno(s, "read", "", 0);
	/* init makes a directory of ours private (store_open), others are refused. */
	if ((reason = entry_refusal(&st, 1, !s->inspect, why, sizeof(why))) != NULL &&
	    !(creating && st.st_uid == geteuid())) {
		store_msg(s, "refusing the store '%s': %s", s->dir, reason);
		return STORE_E_UNSAFE;
	}
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		/* check opens no more than the files it needs, and reports the rest. */
		if (s->inspect && entries[i].dir)
			continue;
		if (fstatat(s->dir_fd, entries[i].rel, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			/* A database's store has no index.db. */
			if (errno == ENOENT && !creating && entries[i].needed &&
			    (i == 0 || index_is_file(s))) {
				if (i == 0)
					store_msg(s, "no CA in '%s' (run 'sipca init' first)", s->dir);
				else
					store_msg(s, "the store has no index: '%s/index.db'", s->dir);
				return STORE_E_NOCA;
			}
			if (errno == ENOENT)
				continue;
			/* A store we may not read is not a missing one. */
			store_msg(s, "cannot read the store '%s': %s", s->dir, strerror(errno));
			return STORE_E_IO;
		}
		if ((reason = entry_refusal(&st, entries[i].dir, !s->inspect, why,
		    sizeof(why))) != NULL)
			return refuse(s, entries[i].rel, strlen(entries[i].rel), reason);
	}
	return STORE_OK;
}

/*
 * init's preconditions, before it creates anything: no CA there, not
 * even half of one. index.db may be left by an init that was killed; it
 * is refused when it records certificates (index_refuse_rows).
 */
int
create_checks(struct store *s)
{
	static const char *const halves[] = { "ca.key", "root.key", "root.pem" };
	struct stat st;
	size_t i;

	if (fstatat(s->dir_fd, "ca.pem", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		store_msg(s, "a CA already exists in '%s'", s->dir);
		return STORE_E_EXISTS;
	}
	for (i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
		if (fstatat(s->dir_fd, halves[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			store_msg(s, "'%s/%s' exists without ca.pem (an interrupted"
			    " init?); move it away to start again", s->dir, halves[i]);
			return STORE_E_EXISTS;
		}
	}
	return STORE_OK;
}

/*
 * The process's umask, without umask(2)'s set-and-restore, which would
 * race with any thread creating a file meanwhile: Linux shows it in
 * /proc/self/status (since 4.7). Unknown, it is taken as taking every
 * bit, so that every mode is made sure of with fchmod.
 */
static mode_t
process_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned int mask = 0777;

	if (f == NULL)
		return 0777;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	fclose(f);
	return (mode_t)(mask & 0777);
}

int
store_open(const char *dir, int flags, struct store **out_store,
    struct report *rep)
{
	struct store *s = xcalloc(1, sizeof(*s));
	struct stat st;
	int ret = STORE_E_IO, creating;
	const char *reason = NULL;
	char why[96];

	s->dir = xstrdup(dir);
	s->dir_fd = -1;
	s->lock_fd = -1;
	s->prep_fd = -1;
	s->readonly = (flags & STORE_READONLY) != 0;
	s->inspect = (flags & STORE_INSPECT) != 0;
	s->umask = process_umask();
	creating = (flags & STORE_CREATE) != 0;
	if (creating && mkdir_parents(dir, 0700) < 0) {
		store_msg(s, "cannot create the store: '%s': %s", dir, strerror(errno));
		ret = errno == ENOTDIR || errno == EEXIST ? STORE_E_NOCA : STORE_E_IO;
		goto out;
	}
	if ((s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			store_msg(s, "no CA store at '%s'%s", dir, errno == ENOTDIR ?
			    ": not a directory" : " (run 'sipca init' first)");
			ret = STORE_E_NOCA;
		} else
			store_msg(s, "cannot read the store '%s': %s", dir, strerror(errno));
		goto out;
	}
	/* Preconditions first: a refused init leaves everything as it was. */
	if ((ret = index_select(s)) < 0 ||
	    (creating && (ret = create_checks(s)) < 0) ||
	    (ret = open_checks(s, creating)) < 0)
		goto out;
	ret = STORE_E_IO;
	if (creating && fstat(s->dir_fd, &st) == 0 && (st.st_mode & 077) &&
	    fchmod(s->dir_fd, 0700) < 0) {
		store_msg(s, "cannot make '%s' private: %s", dir, strerror(errno));
		goto out;
	}
	if ((ret = index_open(s, creating)) < 0)
		goto out;
	if (!s->readonly) {
		s->lock_fd = openat(s->dir_fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC, 0600);
		if (s->lock_fd < 0 || fstat(s->lock_fd, &st) < 0) {
			store_msg(s, "cannot open '%s/lock': %s", dir, strerror(errno));
			ret = STORE_E_IO;
			goto out;
		}
		if ((reason = entry_refusal(&st, 0, !s->inspect, why, sizeof(why))) != NULL) {
			ret = refuse(s, "lock", 4, reason);
			goto out;
		}
	}
	*out_store = s;
	s = NULL;
	ret = STORE_OK;
out:
	store_take_messages(s, rep);
	store_close(s);
	return ret;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	index_close(s);
	secret_free(s->conninfo);
	free(s->conninfo_shown);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	free(s->dir);
	report_clear(&s->msgs);
	free(s);
}

void
store_cert_free(struct store_cert *c)
{
	if (c == NULL)
		return;
	free(c->serial);
	free(c->name);
	free(c->kind);
	free(c->subject);
	free(c->sans);
	free(c->key_source);
	free(c->key_type);
	free(c->revoke_reason);
	free(c->origin);
	free(c->pem);
	free(c);
}
