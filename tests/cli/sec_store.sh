#!/bin/sh
# The store trusts nothing inside it: a symbolic link there is never
# followed (not by issue, renew, recovery or check --repair), a FIFO is
# never read, entries owned by another user or writable by others are
# refused and reported, index.db gets an integrity check, a refused
# command creates nothing, revoke NAME is one transaction and can be run
# again, and recovery undoes a killed batch in one transaction.
#
# Uses the sqlite3 CLI (scripts/deps.sh) to look at and damage index.db
# independently of sipca.
. "$(dirname "$0")/../lib.sh"

S() { timeout 60 "$SIPCA" "$@"; }
q() { sqlite3 "$1" "$2"; }
# The database header's file change counter (offset 24, big-endian):
# SQLite adds one per write transaction in rollback-journal mode.
changes() { od -An -j24 -N4 -tu1 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }

CA=$T/ca
new_ca "$CA"
for n in alice bob; do
	S -d "$CA" issue device "$n" --key p256 >/dev/null || fail "issue $n"
done
expect_exit 0 "a fresh store is clean" S -d "$CA" check

# ---- symbolic links inside the store are never followed ----

# check --repair and a staging link: the directory it names keeps its files.
mkdir "$T/victim"
echo precious > "$T/victim/keep"
ln -s "$T/victim" "$CA/issued/.staging-00aa.tmp"
ln -s "$T/victim" "$CA/issued/bob/.staging-00bb.tmp"
expect_exit 1 "check reports a staging link" S -d "$CA" check --repair
expect_grep "issued/.staging-00aa.tmp: a symbolic link" "$T/stdout" "the link in issued/ is named"
expect_grep "bob/.staging-00bb.tmp: a symbolic link" "$T/stdout" "the link in issued/bob is named"
check "check --repair removed nothing through the link" test -f "$T/victim/keep"
rm "$CA/issued/.staging-00aa.tmp" "$CA/issued/bob/.staging-00bb.tmp"

# Recovery and a staging link: a pending row, its staging directory a link.
expect_exit 99 "issue killed after reserving its serial" env SIPCA_CRASH_AT=store-reserved "$SIPCA_BARE" -d "$CA" issue device carol --key p256
serial=$(q "$CA/index.db" "SELECT serial FROM certs WHERE status = 'pending'")
check "a pending row is left" test -n "$serial"
ln -s "$T/victim" "$CA/issued/.staging-$serial.tmp"
expect_exit 3 "recovery refuses a staging link" S -d "$CA" issue device dave --key p256
expect_grep "refusing '.*issued/.staging-$serial.tmp': a symbolic link" "$T/stderr" "recovery names the link"
check "recovery removed nothing through the link" test -f "$T/victim/keep"
expect_exit 1 "check reports the link under recovery" S -d "$CA" check
expect_grep "issued/.staging-$serial.tmp: a symbolic link" "$T/stdout" "check names the link"
expect_grep "interrupted issuance of 'carol'" "$T/stdout" "and the pending row recovery could not finish"
rm "$CA/issued/.staging-$serial.tmp"
expect_exit 0 "with the link gone, recovery undoes the row" S -d "$CA" check
check "no pending row" test -z "$(q "$CA/index.db" "SELECT serial FROM certs WHERE status = 'pending'")"

# issue and renew through a symbolic link at issued/NAME.
mkdir "$T/outside"
ln -s "$T/outside" "$CA/issued/eve"
snapshot "$CA" > "$T/before"
expect_exit 3 "issue refuses a linked issued/NAME" S -d "$CA" issue device eve --key p256
expect_grep "refusing '.*issued/eve': a symbolic link" "$T/stderr" "issue names the link"
check "nothing was written through the link" test -z "$(ls -A "$T/outside")"
expect_unchanged "$T/before" "$CA" "issue through a link"
check "no row for eve" test -z "$(q "$CA/index.db" "SELECT serial FROM certs WHERE name = 'eve'")"
rm "$CA/issued/eve"
mv "$CA/issued/alice" "$T/alice-real"
ln -s "$T/alice-real" "$CA/issued/alice"
snapshot "$T/alice-real" > "$T/alice.before"
expect_exit 3 "renew refuses a linked issued/NAME" S -d "$CA" renew alice
expect_unchanged "$T/alice.before" "$T/alice-real" "the directory behind the link"
expect_exit 3 "renew --rekey refuses it too" S -d "$CA" renew alice --rekey
expect_unchanged "$T/alice.before" "$T/alice-real" "the directory behind the link (rekey)"
expect_exit 1 "check reports the linked issued/alice" S -d "$CA" check
expect_grep "issued/alice: a symbolic link" "$T/stdout" "check names it"
rm "$CA/issued/alice"
mv "$T/alice-real" "$CA/issued/alice"

# A linked issued/ or index.db is not used.
mv "$CA/issued" "$T/issued-real"
ln -s "$T/issued-real" "$CA/issued"
expect_exit 3 "list refuses a linked issued/" S -d "$CA" list
expect_grep "refusing '.*/issued': a symbolic link" "$T/stderr" "the link is named"
expect_exit 3 "issue refuses a linked issued/" S -d "$CA" issue device frank --key p256
expect_exit 1 "check reports a linked issued/" S -d "$CA" check
expect_grep "/issued: a symbolic link" "$T/stdout" "check names it"
rm "$CA/issued"
mv "$T/issued-real" "$CA/issued"
mv "$CA/index.db" "$T/index-real.db"
ln -s "$T/index-real.db" "$CA/index.db"
expect_exit 3 "list refuses a linked index.db" S -d "$CA" list
expect_grep "index.db': a symbolic link" "$T/stderr" "the link is named"
expect_exit 3 "check refuses a linked index.db" S -d "$CA" check
rm "$CA/index.db"
mv "$T/index-real.db" "$CA/index.db"

# The store directory itself may be a link the administrator made.
ln -s "$CA" "$T/ca-link"
expect_exit 0 "-d through a link to the store" S -d "$T/ca-link" list
expect_exit 0 "check through it" S -d "$T/ca-link" check

# ---- owners and modes ----

# init makes an existing directory of ours private.
mkdir "$T/open" && chmod 777 "$T/open"
check "init in an existing 0777 directory" new_ca "$T/open"
check "init made it 0700" test "$(stat -c %a "$T/open")" = 700

# Entries group or others may write: refused, reported, repaired.
for e in issued index.db ca.pem issued/bob; do
	chmod g+w "$CA/$e"
	expect_exit 3 "renew refuses a group-writable $e" S -d "$CA" renew bob
	expect_grep "writable by its group" "$T/stderr" "$e: the refusal says why"
	expect_exit 1 "check reports a group-writable $e" S -d "$CA" check
	expect_grep "$e: writable by its group (mode 0[0-7]*): fix it with: chmod go-w" "$T/stdout" "$e: check names it"
	chmod g-w "$CA/$e"
done
chmod o+w "$CA"
expect_exit 3 "list refuses a world-writable store" S -d "$CA" list
expect_exit 1 "check reports it" S -d "$CA" check
expect_grep "writable by others" "$T/stdout" "check says by whom"
chmod o+w "$CA/issued/bob/cert.pem"
chmod 644 "$CA/issued/bob/key.pem"
expect_exit 0 "check --repair makes our own modes safe" S -d "$CA" check --repair
expect_grep "repaired: .*bob/cert.pem: mode 0646 made 0644" "$T/stderr" "repair says what it did"
check "the store is not writable by others now" test "$(stat -c %a "$CA")" = 700
check "the key is private again" test "$(stat -c %a "$CA/issued/bob/key.pem")" = 600
expect_exit 0 "clean after the repair" S -d "$CA" check

# A store owned by another user (root is trusted, as by ssh).
if [ "$(id -u)" = 0 ]; then
	cp -a "$CA" "$T/theirs"
	chown -R 65534:65534 "$T/theirs"
	expect_exit 3 "root refuses a store another user owns" S -d "$T/theirs" list
	expect_grep "owned by uid 65534" "$T/stderr" "the owner is named"
	expect_exit 1 "check reports it" S -d "$T/theirs" check
	expect_grep "owned by uid 65534, neither you (uid 0) nor root" "$T/stdout" "check names the owner"
	chown 0:0 "$T/theirs/issued/bob/cert.pem"
	chown -R 0:0 "$T/theirs"
	chown 65534 "$T/theirs/issued/bob/cert.pem"
	expect_exit 1 "one file of another user's" S -d "$T/theirs" check
	expect_grep "bob/cert.pem: owned by uid 65534" "$T/stdout" "check names that file"
else
	skip "stores and files another user owns" "not root: cannot chown"
fi

# ---- FIFOs are never read ----
mv "$CA/issued/bob/cert.pem" "$T/bob-cert.pem"
mkfifo "$CA/issued/bob/cert.pem"
expect_exit 1 "check does not hang on a FIFO" S -d "$CA" check
expect_grep "bob/cert.pem: not a regular file" "$T/stdout" "check names the FIFO"
rm "$CA/issued/bob/cert.pem"
mv "$T/bob-cert.pem" "$CA/issued/bob/cert.pem"
mv "$CA/issued/bob/key.pem" "$T/bob-key.pem"
mkfifo "$CA/issued/bob/key.pem"
expect_exit 3 "renew does not hang on a FIFO key.pem" S -d "$CA" renew bob
expect_grep "key.pem': not a regular file" "$T/stderr" "renew names the FIFO"
rm "$CA/issued/bob/key.pem"
mv "$T/bob-key.pem" "$CA/issued/bob/key.pem"
mv "$CA/ca.pem" "$T/ca.pem"
mkfifo "$CA/ca.pem"
expect_exit 3 "a FIFO ca.pem is refused, not read" S -d "$CA" check
expect_grep "ca.pem': not a regular file" "$T/stderr" "the FIFO is named"
rm "$CA/ca.pem"
mv "$T/ca.pem" "$CA/ca.pem"
# Recovery reads issued/NAME/cert.pem of a killed renewal.
expect_exit 99 "renew killed after reserving" env SIPCA_CRASH_AT=store-reserved "$SIPCA_BARE" -d "$CA" renew alice
mv "$CA/issued/alice/cert.pem" "$T/alice-cert.pem"
mkfifo "$CA/issued/alice/cert.pem"
expect_exit 3 "recovery does not hang on a FIFO" S -d "$CA" issue device heidi --key p256
rm "$CA/issued/alice/cert.pem"
mv "$T/alice-cert.pem" "$CA/issued/alice/cert.pem"
expect_exit 0 "recovery goes on once it is gone" S -d "$CA" check

# ---- the index's own integrity ----
cp -a "$CA" "$T/dup"
# A duplicate valid certificate for a name, once the unique index is gone.
q "$T/dup/index.db" "DROP INDEX certs_one_valid; INSERT INTO certs SELECT printf('%s00', serial), name, kind, subject, sans, not_before, not_after, status, key_source, key_type, forced, issued_at, revoked_at, revoke_reason, supersedes, pem, origin FROM certs WHERE name = 'bob' AND status = 'valid'"
expect_exit 1 "check finds two valid certificates for a name" S -d "$T/dup" check
expect_grep "index.db: 'bob' has 2 valid certificates (one at most)" "$T/stdout" "check names the name"
# A duplicate serial, once its primary key index is gone.
cp -a "$CA" "$T/dup2"
S -d "$T/dup2" renew bob >/dev/null || fail "renew bob in the copy"
q "$T/dup2/index.db" "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'serial TEXT PRIMARY KEY', 'serial TEXT') WHERE name = 'certs'; DELETE FROM sqlite_master WHERE name = 'sqlite_autoindex_certs_1'"
q "$T/dup2/index.db" "INSERT INTO certs SELECT * FROM certs WHERE status = 'superseded'"
check "the damaged index holds a serial twice" test "$(q "$T/dup2/index.db" "SELECT count(*) - count(DISTINCT serial) FROM certs")" = 1
expect_exit 1 "check finds a serial recorded twice" S -d "$T/dup2" check
expect_grep "index.db: serial '[0-9a-f]*' is recorded 2 times" "$T/stdout" "check names the serial"
expect_grep "index.db: damaged: " "$T/stdout" "integrity_check reports the lost index"
# A b-tree page overwritten with garbage.
cp -a "$CA" "$T/torn"
page=$(q "$T/torn/index.db" "SELECT rootpage FROM sqlite_master WHERE name = 'certs_by_status'")
psize=$(q "$T/torn/index.db" "PRAGMA page_size")
head -c "$psize" /dev/urandom | dd of="$T/torn/index.db" bs="$psize" seek=$((page - 1)) conv=notrunc 2>/dev/null
expect_exit 1 "check finds a damaged b-tree page" S -d "$T/torn" check
expect_grep "index.db: damaged: " "$T/stdout" "check says the index is damaged"

# ---- a refused command creates nothing ----
mkdir "$T/half"
echo "not a key" > "$T/half/ca.key"
chmod 600 "$T/half/ca.key"
snapshot "$T/half" > "$T/before"
expect_exit 2 "init over a leftover ca.key" S -d "$T/half" init --domain example.com --no-passphrase --key p256
expect_grep "exists without ca.pem" "$T/stderr" "init says why"
expect_unchanged "$T/before" "$T/half" "refused init"
check "no index.db was created" test ! -e "$T/half/index.db"
check "no lock was created" test ! -e "$T/half/lock"
cp -a "$CA" "$T/empty"
: > "$T/empty/index.db"
expect_exit 3 "issue on a 0-byte index.db" S -d "$T/empty" issue device ivan --key p256
expect_grep "holds no sipca index" "$T/stderr" "issue says why"
check "the 0-byte index.db stays empty" test ! -s "$T/empty/index.db"

# ---- revoke NAME: one transaction, and it can be run again ----
S -d "$CA" issue device judy --key p256 >/dev/null || fail "issue judy"
S -d "$CA" renew judy >/dev/null || fail "renew judy"
S -d "$CA" renew judy >/dev/null || fail "renew judy again"
S -d "$CA" crl >/dev/null || fail "crl"
cp "$CA/crl.pem" "$T/crl.before"
expect_exit 99 "revoke judy killed between two certificates" env SIPCA_CRASH_AT=store-revoking "$SIPCA_BARE" -d "$CA" revoke judy
check "killed in the transaction, none is revoked" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE name = 'judy' AND status = 'revoked'")" = 0
expect_exit 99 "revoke judy killed before the CRL" env SIPCA_CRASH_AT=revoke-recorded "$SIPCA_BARE" -d "$CA" revoke judy
check "all three are revoked together" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE name = 'judy' AND status = 'revoked'")" = 3
check "no CRL was written yet" cmp -s "$T/crl.before" "$CA/crl.pem"
expect_exit 0 "revoke judy again finishes" S -d "$CA" revoke judy
expect_grep "revoked already at" "$T/stderr" "it says judy was revoked"
for sn in $(q "$CA/index.db" "SELECT serial FROM certs WHERE name = 'judy'"); do
	TESTS_RUN=$((TESTS_RUN + 1))
	openssl crl -in "$CA/crl.pem" -noout -text | grep -qi "serial number: $sn" ||
	    fail "the CRL does not list judy's serial $sn"
done
expect_exit 0 "and again" S -d "$CA" revoke judy

# ---- recovery undoes a killed batch in one transaction ----
awk 'BEGIN { print "kind,name"; for (i = 1; i <= 40; i++) printf "device,b%02d\n", i }' > "$T/batch.csv"
expect_exit 99 "a batch of 40 killed after staging" env SIPCA_CRASH_AT=store-staged "$SIPCA_BARE" -d "$CA" issue --batch "$T/batch.csv" --key p256 --quiet
check "40 pending rows" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE status = 'pending'")" = 40
before=$(changes "$CA/index.db")
expect_exit 0 "recovery undoes the batch" S -d "$CA" check
after=$(changes "$CA/index.db")
check "no pending row" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE status = 'pending'")" = 0
check "40 rows undone in one write transaction (counter $before -> $after)" test $((after - before)) = 1
check "no staging directory left" test -z "$(ls -A "$CA/issued" | grep staging)"
# Killed in the middle of that recovery, the next one finishes it.
expect_exit 99 "the batch killed after staging again" env SIPCA_CRASH_AT=store-staged "$SIPCA_BARE" -d "$CA" issue --batch "$T/batch.csv" --key p256 --quiet
expect_exit 99 "recovery killed after undoing the files" env SIPCA_CRASH_AT=store-recovering "$SIPCA_BARE" -d "$CA" check
check "killed before its commit, every row is still pending" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE status = 'pending'")" = 40
expect_exit 0 "the next recovery undoes them" S -d "$CA" check
check "no pending row after it" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE status = 'pending'")" = 0
expect_exit 0 "the batch runs again" S -d "$CA" issue --batch "$T/batch.csv" --key p256 --quiet
check "all 40 issued" test "$(q "$CA/index.db" "SELECT count(*) FROM certs WHERE name GLOB 'b[0-9][0-9]' AND status = 'valid'")" = 40

# ---- check with no rows but names in issued/ (bsearch on no rows) ----
new_ca "$T/norows"
mkdir "$T/norows/issued/ghost"
expect_exit 1 "check of a store without rows" S -d "$T/norows" check
expect_grep "issued/ghost: no row in the index has this name" "$T/stdout" "the orphan is named"
expect_no_grep "runtime error" "$T/stderr" "no undefined behaviour (a sanitizer build says so here)"

# ---- names in the store are escaped in check's report ----
mkdir "$T/norows/issued/$(printf 'x\033]0;y')"
expect_exit 1 "check of a name with an escape" S -d "$T/norows" check
expect_grep 'issued/x\\x1b]0;y: no row' "$T/stdout" "the escape is shown, not sent"

expect_exit 0 "after all that, the store is clean" S -d "$CA" check
finish
