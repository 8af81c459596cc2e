#!/bin/sh
# make bench: every benchmark, one after the other, on this machine.
# $SIPCA is a release build, $BUILD its build directory (bench programs).
set -u
here=$(cd "$(dirname "$0")" && pwd)
status=0
sh "$here/batch.sh" || status=1
sh "$here/lint.sh" || status=1
exit $status
