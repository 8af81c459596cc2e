/*
 * rollover: the files of a CA key rollover, as bytes (the store knows
 * nothing of the certificates in them). "sipca rollover start" writes the
 * next generation beside the current one, "switch" makes it current and
 * keeps the old one for the overlap, "finish" drops what the overlap
 * needed. The setting "rollover" says where a store is; each step is
 * done under the writers' lock and can be run again after a crash.
 *
 *   started     next-root.pem next-root.key next-ca.pem next-ca.key,
 *               bridge.pem (NewWithOld) and old-bridge.pem (OldWithNew)
 *   switching   old-*.pem and old-*.key hold the old generation; root.*,
 *               ca.* are being replaced from next-* (ca.pem last)
 *   switched    root.* and ca.* are the new generation, next-* are gone,
 *               old-* and the bridges stay until finish
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secret.h"
#include "store_int.h"
#include "util.h"

static const struct {
	const char *rel;
	int key;
} rollover_files[] = {
	[STORE_NEXT_ROOT] = { "next-root.pem", 0 },
	[STORE_NEXT_ROOT_KEY] = { "next-root.key", 1 },
	[STORE_NEXT_CA] = { "next-ca.pem", 0 },
	[STORE_NEXT_CA_KEY] = { "next-ca.key", 1 },
	[STORE_BRIDGE] = { "bridge.pem", 0 },
	[STORE_OLD_BRIDGE] = { "old-bridge.pem", 0 },
	[STORE_OLD_ROOT] = { "old-root.pem", 0 },
	[STORE_OLD_ROOT_KEY] = { "old-root.key", 1 },
	[STORE_OLD_CA] = { "old-ca.pem", 0 },
	[STORE_OLD_CA_KEY] = { "old-ca.key", 1 },
	[STORE_RETIRED] = { "retired-cas.pem", 0 },
	[STORE_NEXT_CRL] = { "next-crl.pem", 0 },
	[STORE_NEXT_ROOT_CRL] = { "next-root-crl.pem", 0 },
	[STORE_OLD_CRL] = { "old-crl.pem", 0 },
	[STORE_OLD_ROOT_CRL] = { "old-root-crl.pem", 0 },
};
#define N_ROLLOVER_FILES (sizeof(rollover_files) / sizeof(rollover_files[0]))

/* What each current file becomes at the switch, and where its successor waits. */
static const struct {
	const char *current;
	enum store_rollover_file old, next;
} generation[] = {
	{ "root.key", STORE_OLD_ROOT_KEY, STORE_NEXT_ROOT_KEY },
	{ "root.pem", STORE_OLD_ROOT, STORE_NEXT_ROOT },
	{ "ca.key", STORE_OLD_CA_KEY, STORE_NEXT_CA_KEY },
	/* The CRLs go with their issuers: the old ones still speak for the old leaves. */
	{ "root-crl.pem", STORE_OLD_ROOT_CRL, STORE_NEXT_ROOT_CRL },
	{ "crl.pem", STORE_OLD_CRL, STORE_NEXT_CRL },
	{ "ca.pem", STORE_OLD_CA, STORE_NEXT_CA },	/* last: marks the switch */
};
#define N_GENERATION (sizeof(generation) / sizeof(generation[0]))

/* A token's key stays the old generation's: the new keys are files. */
static const char *const key_uri_settings[][2] = {
	{ "ca_key_uri", "old_ca_key_uri" },
	{ "root_key_uri", "old_root_key_uri" },
};

const char *
store_rollover_file_name(enum store_rollover_file f)
{
	return rollover_files[f].rel;
}

int
store_rollover_state(struct store *s, enum store_rollover_state *out)
{
	static const char *const names[] = {
		[STORE_ROLLOVER_STARTED] = "started",
		[STORE_ROLLOVER_SWITCHING] = "switching",
		[STORE_ROLLOVER_SWITCHED] = "switched",
	};
	char *v = NULL;
	size_t i;
	int ret;

	*out = STORE_ROLLOVER_NONE;
	if ((ret = store_setting_get(s, "rollover", &v)) == STORE_E_NOTFOUND)
		return STORE_OK;
	if (ret < 0)
		return ret;
	for (i = STORE_ROLLOVER_STARTED; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0)
			*out = (enum store_rollover_state)i;
	if (*out == STORE_ROLLOVER_NONE) {
		store_msg(s, "the store's rollover setting '%s' is not one sipca"
		    " writes", v);
		ret = STORE_E_IO;
	}
	free(v);
	return ret < 0 ? ret : STORE_OK;
}

static int
set_state(struct store *s, const char *state)
{
	return state != NULL ? store_setting_set(s, "rollover", state) :
	    store_setting_unset(s, "rollover");
}

int
store_read_rollover_file(struct store *s, enum store_rollover_file f,
    unsigned char **out, size_t *out_len)
{
	return rollover_files[f].key ?
	    read_private(s, rollover_files[f].rel, WALK_READ, 1, out, out_len) :
	    file_read(s, rollover_files[f].rel, WALK_READ, out, out_len);
}

/* DIR/rel replaced atomically by data (a key 0600). */
static int
put(struct store *s, const char *rel, int key, const void *data, size_t len)
{
	if (atomic_writeat(s->dir_fd, rel, data, len, key ? 0600 : 0644, 0) < 0) {
		store_msg(s, "cannot write '%s/%s': %s", s->dir, rel, strerror(errno));
		return STORE_E_IO;
	}
	return STORE_OK;
}

/* Removes DIR/rel; one that is not there is fine. */
static int
drop(struct store *s, const char *rel)
{
	struct stat st;

	if (fstatat(s->dir_fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? STORE_OK : fail_errno(s, "read", rel,
		    strlen(rel));
	/* A link or a directory there is not ours to remove. */
	if (!S_ISREG(st.st_mode))
		return refuse(s, rel, strlen(rel), "not a regular file");
	if (unlinkat(s->dir_fd, rel, 0) < 0)
		return fail_errno(s, "remove", rel, strlen(rel));
	return STORE_OK;
}

static int
drop_files(struct store *s, const enum store_rollover_file *which, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if ((ret = drop(s, rollover_files[which[i]].rel)) < 0)
			return ret;
	sync_dir(s, "");
	return STORE_OK;
}

/* Reads DIR/rel whole; STORE_E_NOTFOUND without a message. */
static int
read_rel(struct store *s, const char *rel, int key, unsigned char **out,
    size_t *out_len)
{
	return key ? read_private(s, rel, WALK_READ, 1, out, out_len) :
	    file_read(s, rel, WALK_READ, out, out_len);
}

/* Copies DIR/from over DIR/to; from not there: to is removed too. */
static int
copy_rel(struct store *s, const char *from, const char *to, int key)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int ret;

	if ((ret = read_rel(s, from, key, &data, &len)) == STORE_E_NOTFOUND)
		return drop(s, to);
	if (ret < 0)
		return ret;
	ret = put(s, to, key, data, len);
	secret_free_buf(data, len);
	return ret;
}

static int
in_state(struct store *s, enum store_rollover_state want1,
    enum store_rollover_state want2, const char *refusal,
    enum store_rollover_state *out)
{
	int ret;

	if ((ret = store_rollover_state(s, out)) < 0)
		return ret;
	if (*out != want1 && *out != want2) {
		store_msg(s, "%s", refusal);
		return STORE_E_EXISTS;
	}
	return STORE_OK;
}

/* One step: under the writers' lock, and only after the states it follows. */
static int
locked_step(struct store *s, enum store_rollover_state from1,
    enum store_rollover_state from2, const char *refusal,
    int (*body)(struct store *, enum store_rollover_state, const void *),
    const void *arg)
{
	enum store_rollover_state st;
	int ret;

	if ((ret = store_lock(s)) < 0)
		return ret;
	if ((ret = in_state(s, from1, from2, refusal, &st)) == STORE_OK)
		ret = body(s, st, arg);
	store_unlock(s);
	return ret;
}

static int
prepare(struct store *s, enum store_rollover_state st, const void *arg)
{
	const struct store_rollover_files *f = arg;
	const struct { enum store_rollover_file which; const char *data;
	    size_t len; } put_list[] = {
		{ STORE_NEXT_ROOT_KEY, f->root_key, f->root_key_len },
		{ STORE_NEXT_CA_KEY, f->ca_key, f->ca_key_len },
		{ STORE_NEXT_ROOT, f->root_pem, f->root_pem_len },
		{ STORE_NEXT_CA, f->ca_pem, f->ca_pem_len },
		{ STORE_BRIDGE, f->bridge_pem, f->bridge_pem_len },
		{ STORE_OLD_BRIDGE, f->old_bridge_pem, f->old_bridge_pem_len },
		{ STORE_NEXT_CRL, f->crl_pem, f->crl_pem_len },
		{ STORE_NEXT_ROOT_CRL, f->root_crl_pem, f->root_crl_pem_len },
	};
	size_t i;
	int ret;

	(void)st;
	/*
	 * Without the setting nothing reads next-* or the bridges: what a
	 * start killed before its end left there is replaced. The setting
	 * comes last, once every file is in place.
	 */
	for (i = 0; i < sizeof(put_list) / sizeof(put_list[0]); i++) {
		if (put_list[i].data == NULL) {
			ret = drop(s, rollover_files[put_list[i].which].rel);
		} else {
			ret = put(s, rollover_files[put_list[i].which].rel,
			    rollover_files[put_list[i].which].key, put_list[i].data,
			    put_list[i].len);
		}
		if (ret < 0)
			return ret;
	}
	sync_dir(s, "");
	test_crash_point("rollover-prepared");
	return set_state(s, "started");
}

static const char under_way[] = "a rollover is already under way"
    " ('sipca rollover status'); nothing changed";

int
store_rollover_may_start(struct store *s)
{
	enum store_rollover_state st;

	return in_state(s, STORE_ROLLOVER_NONE, STORE_ROLLOVER_NONE, under_way,
	    &st);
}

int
store_rollover_prepare(struct store *s, const struct store_rollover_files *f)
{
	return locked_step(s, STORE_ROLLOVER_NONE, STORE_ROLLOVER_NONE,
	    under_way, prepare, f);
}

/* The old generation kept under old-* (what was current, a missing root included). */
static int
keep_old(struct store *s)
{
	size_t i;
	int ret;

	for (i = 0; i < N_GENERATION; i++)
		if ((ret = copy_rel(s, generation[i].current,
		    rollover_files[generation[i].old].rel,
		    rollover_files[generation[i].old].key)) < 0)
			return ret;
	sync_dir(s, "");
	return STORE_OK;
}

/* Token key settings belong to the old generation from now on. */
static int
move_key_settings(struct store *s)
{
	char *v = NULL;
	size_t i;
	int ret = STORE_OK;

	for (i = 0; i < sizeof(key_uri_settings) / sizeof(key_uri_settings[0]) &&
	    ret == STORE_OK; i++) {
		if ((ret = store_setting_get(s, key_uri_settings[i][0], &v)) ==
		    STORE_E_NOTFOUND) {
			ret = STORE_OK;
			continue;
		}
		if (ret == STORE_OK && (ret = store_setting_set(s,
		    key_uri_settings[i][1], v)) == STORE_OK)
			ret = store_setting_unset(s, key_uri_settings[i][0]);
		free(v);
		v = NULL;
	}
	return ret;
}

static int
switch_over(struct store *s, enum store_rollover_state st, const void *arg)
{
	unsigned char *data = NULL;
	size_t len = 0, i;
	int ret;

	(void)arg;
	/* Once switching, old-* are complete: a second run must not copy the
	 * half-replaced current files over them. */
	if (st == STORE_ROLLOVER_STARTED &&
	    ((ret = keep_old(s)) < 0 || (ret = move_key_settings(s)) < 0 ||
	    (ret = set_state(s, "switching")) < 0))
		goto out;
	test_crash_point("rollover-switching");
	for (i = 0; i < N_GENERATION; i++) {
		enum store_rollover_file next = generation[i].next;

		ret = store_read_rollover_file(s, next, &data, &len);
		if (ret == STORE_E_NOTFOUND)
			continue;	/* replaced by a run that was cut short */
		if (ret < 0 || (ret = put(s, generation[i].current,
		    rollover_files[next].key, data, len)) < 0)
			goto out;
		secret_free_buf(data, len);
		data = NULL;
		test_crash_point(i + 1 < N_GENERATION ? "rollover-replacing" :
		    "rollover-replaced");
	}
	/* ca.pem is the new one: the next-* copies have served. */
	for (i = 0; i < N_GENERATION; i++)
		if ((ret = drop(s, rollover_files[generation[i].next].rel)) < 0)
			goto out;
	sync_dir(s, "");
	ret = set_state(s, "switched");
out:
	secret_free_buf(data, len);
	return ret;
}

int
store_rollover_switch(struct store *s)
{
	return locked_step(s, STORE_ROLLOVER_STARTED, STORE_ROLLOVER_SWITCHING,
	    "no rollover to switch to: run 'sipca rollover start' first;"
	    " nothing changed", switch_over, NULL);
}

/* Appends the old certificate which to retired-cas.pem, once. */
static int
retire(struct store *s, enum store_rollover_file which)
{
	unsigned char *cert = NULL, *have = NULL, *all = NULL;
	size_t cert_len = 0, have_len = 0;
	int ret;

	if ((ret = store_read_rollover_file(s, which, &cert, &cert_len)) ==
	    STORE_E_NOTFOUND)
		return STORE_OK;
	if (ret < 0)
		return ret;
	if ((ret = store_read_rollover_file(s, STORE_RETIRED, &have,
	    &have_len)) < 0 && ret != STORE_E_NOTFOUND)
		goto out;
	ret = STORE_OK;
	if (have_len >= cert_len && memmem(have, have_len, cert, cert_len) != NULL)
		goto out;
	all = xmalloc(have_len + cert_len + 1);
	if (have_len > 0)
		memcpy(all, have, have_len);
	memcpy(all + have_len, cert, cert_len);
	ret = put(s, rollover_files[STORE_RETIRED].rel, 0, all, have_len + cert_len);
out:
	free(cert);
	free(have);
	free(all);
	return ret;
}

static int
finish(struct store *s, enum store_rollover_state st, const void *arg)
{
	static const enum store_rollover_file gone[] = {
		STORE_BRIDGE, STORE_OLD_BRIDGE, STORE_OLD_ROOT, STORE_OLD_ROOT_KEY,
		STORE_OLD_CA, STORE_OLD_CA_KEY, STORE_OLD_CRL, STORE_OLD_ROOT_CRL,
	};
	size_t i;
	int ret;

	(void)st;
	(void)arg;
	/*
	 * The old generation's certificates (not its keys) join the retired
	 * ones, so that check can still tell who issued what the index keeps
	 * of them. Done again by a finish run after a crash: the setting
	 * goes only after it, and a certificate already there is not added.
	 */
	if ((ret = retire(s, STORE_OLD_CA)) < 0 ||
	    (ret = retire(s, STORE_OLD_ROOT)) < 0)
		return ret;
	/* The setting next: from then on nothing reads what is removed. */
	if ((ret = set_state(s, NULL)) < 0)
		return ret;
	for (i = 0; i < sizeof(key_uri_settings) / sizeof(key_uri_settings[0]); i++)
		if ((ret = store_setting_unset(s, key_uri_settings[i][1])) < 0)
			return ret;
	return drop_files(s, gone, sizeof(gone) / sizeof(gone[0]));
}

int
store_rollover_finish(struct store *s)
{
	return locked_step(s, STORE_ROLLOVER_SWITCHED, STORE_ROLLOVER_SWITCHED,
	    "no rollover to finish: 'sipca rollover switch' has not run;"
	    " nothing changed", finish, NULL);
}

static int
abort_start(struct store *s, enum store_rollover_state st, const void *arg)
{
	static const enum store_rollover_file gone[] = {
		STORE_NEXT_ROOT, STORE_NEXT_ROOT_KEY, STORE_NEXT_CA, STORE_NEXT_CA_KEY,
		STORE_BRIDGE, STORE_OLD_BRIDGE, STORE_NEXT_CRL, STORE_NEXT_ROOT_CRL,
	};
	int ret;

	(void)st;
	(void)arg;
	if ((ret = set_state(s, NULL)) < 0)
		return ret;
	return drop_files(s, gone, sizeof(gone) / sizeof(gone[0]));
}

int
store_rollover_abort(struct store *s)
{
	return locked_step(s, STORE_ROLLOVER_NONE, STORE_ROLLOVER_STARTED,
	    "the switch has begun: the old CA cannot come back by abort"
	    " ('sipca rollover switch' finishes it); nothing changed",
	    abort_start, NULL);
}
