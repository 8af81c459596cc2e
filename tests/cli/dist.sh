#!/bin/sh
# make dist: the tarball is what git tracks at HEAD plus .tarball-version,
# two runs give the same bytes, nothing built or untracked is in it, the
# version it names is the one git describe gave, and it builds on its own
# into a sipca that prints that version. A tree with changes not committed
# is refused.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
check "the source is a git clone" git -C "$top" rev-parse --is-inside-work-tree
# A clone of HEAD: what is committed, whatever the caller's tree holds.
git clone -q "$top" "$T/src" || fail "git clone"
version=$(sh "$T/src/scripts/version.sh")
check "a version: '$version'" test -n "$version"
echo "a build output" > "$T/src/sipca"
mkdir -p "$T/src/build/release" && echo x > "$T/src/build/release/main.o"

(cd "$T/src" && TMPDIR="$T" env -u BUILD make -s dist > "$T/dist1.out" 2>&1) || fail "make dist: $(cat "$T/dist1.out")"
check "make dist names its tarball" grep -qx "sipca-$version.tar.gz" "$T/dist1.out"
mv "$T/src/sipca-$version.tar.gz" "$T/first.tar.gz"
sleep 1
touch "$T/src/README.md"
(cd "$T/src" && umask 077 && make -s dist > "$T/dist2.out" 2>&1) || fail "make dist again"
check "two runs give the same bytes" cmp "$T/first.tar.gz" "$T/src/sipca-$version.tar.gz"

tar -tzf "$T/first.tar.gz" > "$T/list"
check "every entry under sipca-$version/" sh -c '! grep -v "^sipca-$1/" "$2"' sh "$version" "$T/list"
check "entries sorted by name" sh -c 'LC_ALL=C sort -c "$1"' sh "$T/list"
expect_no_grep "^sipca-$version/build/" "$T/list" "no build outputs"
expect_no_grep "^sipca-$version/sipca\$" "$T/list" "no binary"
git -C "$T/src" ls-files | sed "s|^|sipca-$version/|" | sort > "$T/tracked"
grep -v '/$' "$T/list" | grep -vx "sipca-$version/.tarball-version" | sort > "$T/files"
check "the files are what git tracks" cmp "$T/tracked" "$T/files"
tar -tvzf "$T/first.tar.gz" > "$T/long"
check "owner and group 0" sh -c '! grep -v " 0/0 " "$1"' sh "$T/long"

mkdir "$T/x" && tar -xzf "$T/first.tar.gz" -C "$T/x"
X=$T/x/sipca-$version
check ".tarball-version names the version" grep -qx "$version" "$X/.tarball-version"
check "version.sh reads it without git" sh -c 'test "$(sh "$1/scripts/version.sh")" = "$2"' sh "$X" "$version"
(cd "$X" && env -u BUILD -u VARIANT -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL make -s -j2 build/release/sipca > "$T/build.out" 2>&1) || fail "the tarball does not build: $(tail -5 "$T/build.out")"
check "the tarball's sipca prints its version" sh -c \
    '"$1/build/release/sipca" --version | grep -q "^sipca $2 "' sh "$X" "$version"

echo "a change" >> "$T/src/README.md"
(cd "$T/src" && make -s dist > "$T/dirty.out" 2>&1)
check "a tree with changes is refused: exit 2" test $? -eq 2
expect_grep "changes not committed" "$T/dirty.out" "and says why"
finish
