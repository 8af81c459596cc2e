/*
 * issue: the two-phase issuance (store_issue), joining the index's rows
 * (index_reserve, index_settle) and the files (staging.c).
 *
 * Issuance protocol, per certificate (all steps under the writers' lock,
 * an flock on DIR/lock, so there is one writer at a time; readers only
 * need SQLite's own locking):
 *
 *   1. transaction: insert the row as "pending" (the serial is the
 *      primary key, so it can never be recorded twice);
 *   2. write the files into issued/NAME/.staging-SERIAL.tmp/, sync them;
 *   3. keep what is replaced: history/OLD.pem (and OLD.key when the key
 *      goes);
 *   4. rename .staging-SERIAL.tmp to .staging-SERIAL: from here on the
 *      issuance rolls forward;
 *   5. rename each staged file into issued/NAME/, remove the staging dir;
 *   6. transaction: the row becomes "valid", the one it replaces
 *      "superseded".
 *
 * A name that has no directory yet is staged as issued/.staging-SERIAL.tmp/
 * and step 5 is one rename of that directory to issued/NAME: steps 4 and
 * 5 are then the same atomic step.
 *
 * A process killed anywhere leaves a pending row. The next writer, on
 * taking the lock, finishes it when step 4 was reached (or step 5
 * completed), and otherwise removes the row and the staging directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"
#include "util.h"

struct issue_state {
	int exists;		/* issued/NAME is there (a directory we may use) */
	int fresh;		/* issued/NAME does not exist yet */
	int staged;		/* reached step 4 */
};

int
store_issue(struct store *s, struct store_issue *items, size_t n, int flags)
{
	struct issue_state *state = xcalloc(n, sizeof(*state));
	/* Each item's row: the serial it supersedes, what settling it does. */
	struct settle *v = xcalloc(n, sizeof(*v));
	int group = (flags & STORE_ISSUE_GROUP_SYNC) != 0;
	char *old_pem;
	size_t i;
	int ret, locked = 0, refused = 0, undo, issued = -1;

	if ((ret = store_lock(s)) < 0)
		goto out;
	locked = 1;
	/* Opened (and checked) once for the group: under the lock, it stays ours. */
	if ((ret = dir_open(s, "issued", WALK_CREATE, &issued)) < 0)
		goto out;
	/* An unsafe issued/NAME is refused before anything is recorded. */
	for (i = 0; i < n; i++) {
		if ((ret = name_dir_usable(s, issued, items[i].name,
		    &state[i].exists)) < 0)
			goto out;
		v[i].serial = items[i].serial;
	}
	if ((ret = index_reserve(s, items, n, v)) < 0)
		goto out;
	test_crash_point("store-reserved");
	ret = STORE_OK;
	for (i = 0; i < n && ret == STORE_OK; i++) {
		if (items[i].result != STORE_OK)
			continue;
		/* Two items of one name: the first one's row made the second NAME_TAKEN. */
		state[i].fresh = v[i].supersedes == NULL && !state[i].exists;
		old_pem = v[i].supersedes ? index_pem(s, v[i].supersedes) : NULL;
		ret = stage_item(s, issued, &items[i], v[i].supersedes, old_pem,
		    state[i].fresh, !group);
		free(old_pem);
	}
	if (ret == STORE_OK && group && sync_store(s) < 0) {
		store_msg(s, "cannot sync the store: %s", strerror(errno));
		ret = STORE_E_IO;
	}
	test_crash_point("store-staged");
	for (i = 0; i < n && ret == STORE_OK; i++) {
		if (items[i].result != STORE_OK)
			continue;
		if (i > 0)
			test_crash_point("store-marking");
		/* A fresh name's commit point is its install rename itself. */
		if (!state[i].fresh && mark_staged(s, &items[i], !group) < 0)
			ret = STORE_E_IO;
		else
			state[i].staged = 1;
	}
	if (ret != STORE_OK) {
		/*
		 * Undo what did not reach step 4 (what did rolls forward
		 * below): the files, then the rows in one transaction. Rows
		 * left behind by a failure here are recovery's.
		 */
		for (i = 0, undo = 0; i < n; i++) {
			if (items[i].result != STORE_OK || state[i].staged)
				continue;
			undo_staging(s, items[i].name, items[i].serial,
			    v[i].supersedes);
			items[i].result = STORE_E_IO;
			v[i].action = SETTLE_DELETE;
			undo = 1;
		}
		if (undo)
			index_settle(s, v, n);
	}
	if (group && sync_store(s) < 0) {
		store_msg(s, "cannot sync the store: %s", strerror(errno));
		ret = STORE_E_IO;
		goto out;	/* the pending rows roll forward on the next lock */
	}
	test_crash_point("store-marked");
	for (i = 0; i < n; i++) {
		if (!state[i].staged)
			continue;
		if ((state[i].fresh ?
		    install_fresh(s, issued, items[i].name, items[i].serial) :
		    install_staged(s, items[i].name, items[i].serial)) < 0) {
			ret = STORE_E_IO;
			goto out;
		}
	}
	test_crash_point("store-installed");
	if (group)
		sync_store(s);
	else {
		for (i = 0; i < n; i++) {
			char *dir;

			if (!state[i].staged)
				continue;
			dir = cert_dir(items[i].name);
			sync_dir(s, state[i].fresh ? "issued" : dir);
			free(dir);
		}
	}
	for (i = 0; i < n; i++)
		v[i].action = state[i].staged ? SETTLE_FINISH : SETTLE_LEAVE;
	if (index_settle(s, v, n) < 0) {
		ret = STORE_E_IO;
		goto out;
	}
	for (i = 0; i < n && ret == STORE_OK; i++)
		if (items[i].result != STORE_OK)
			refused = items[i].result;
	if (ret == STORE_OK)
		ret = refused;
out:
	if (issued >= 0)
		close(issued);
	if (locked)
		store_unlock(s);
	for (i = 0; i < n; i++)
		free(v[i].supersedes);
	free(state);
	free(v);
	return ret;
}
