#!/bin/sh
# make bench: every bench/*.sh, one after the other, on this machine.
# $SIPCA is a release build, $BUILD its build directory (bench programs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || status=1
done
exit $status
