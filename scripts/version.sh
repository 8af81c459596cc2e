#!/bin/sh
# sipca's one version, for --version, the man page and the packages:
#   - $SIPCA_VERSION when set (debian/rules passes the package's);
#   - in a release tarball, .tarball-version, which make dist writes;
#   - in a git clone, git describe against the v* tags (0.2.0 on a tag,
#     0.2.0-4-g1a2b3c4 after it), or without a tag VERSION, the release
#     being made, with the commit: 0.2.0-g1a2b3c4; "-dirty" for changes
#     not committed.
# The date is the version's, never the build's, so that every build of one
# version prints the same page: $SOURCE_DATE_EPOCH (reproducible-builds.org),
# the tarball's, or the commit's.
#
#   version.sh            the version
#   version.sh --date     its date, YYYY-MM-DD
#   version.sh --header   both as C defines (include/version.h includes it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

version= date=
if [ -f "$top/.tarball-version" ]; then
	version=$(sed -n 1p "$top/.tarball-version")
	date=$(sed -n 2p "$top/.tarball-version")
elif git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	version=$(git -C "$top" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null |
	    sed 's/^v//') || version=
	if [ -z "$version" ]; then
		version=$(cat "$top/VERSION")-g$(git -C "$top" rev-parse --short=7 HEAD)
		git -C "$top" diff --quiet HEAD -- 2>/dev/null || version=$version-dirty
	fi
	date=$(git -C "$top" log -1 --format=%cs HEAD)
else
	version=$(cat "$top/VERSION")
fi
[ -z "${SIPCA_VERSION:-}" ] || version=$SIPCA_VERSION
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
fi
[ -n "$date" ] || date=$(date -u -r "$top/VERSION" +%Y-%m-%d)

case ${1:-} in
"") echo "$version" ;;
--date) echo "$date" ;;
--header)
	echo "/* Made by scripts/version.sh; see include/version.h. */"
	echo "#define SIPCA_VERSION \"$version\""
	echo "#define SIPCA_VERSION_DATE \"$date\""
	;;
*) echo "sipca: version.sh: unknown option '$1'" >&2; exit 2 ;;
esac
