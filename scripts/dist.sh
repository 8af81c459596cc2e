#!/bin/sh
# make dist: sipca-VERSION.tar.gz in the current directory, made from what
# git tracks at HEAD (so no build output, nothing untracked) plus
# .tarball-version, which tells scripts/version.sh the version where there
# is no git. The same commit gives the same bytes, whenever and wherever it
# is run: entries sorted by name, every mtime the commit's, owner and group
# 0, no PAX times, gzip without a name or a time (reproducible-builds.org).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
	echo "sipca: dist: not a git clone: make dist needs git" >&2; exit 2; }
version=$(sh "$top/scripts/version.sh")
case $version in
*-dirty) echo "sipca: dist: changes not committed ($version): commit or stash them" >&2
	exit 2 ;;
esac
name=sipca-$version
epoch=$(git -C "$top" log -1 --format=%ct HEAD)
work=$(mktemp -d "${TMPDIR:-/tmp}/sipca-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT

git -C "$top" archive --format=tar --prefix="$name/" HEAD | tar -x -C "$work"
{ echo "$version"; sh "$top/scripts/version.sh" --date; } > "$work/$name/.tarball-version"
LC_ALL=C tar -C "$work" --sort=name --mtime="@$epoch" --owner=0 --group=0 \
    --numeric-owner --mode='u+rwX,go+rX,go-w' --format=gnu -cf - "$name" | gzip -9 -n > "$work/$name.tar.gz"
mv "$work/$name.tar.gz" "./$name.tar.gz"
echo "$name.tar.gz"
