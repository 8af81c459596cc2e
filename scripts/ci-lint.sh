#!/bin/sh
# The lint step of sipca's CI integrations (action.yml for GitHub, the
# GitLab job in examples/ci/), so both run the same command from the same
# inputs, given in the environment:
#   SIPCA_LINT_PATHS      files or directories, separated by spaces or newlines
#   SIPCA_LINT_SARIF      the SARIF file to write (default sipca.sarif)
#   SIPCA_LINT_SIP_DOMAIN --sip-domain (optional)
#   SIPCA_LINT_CA         CA certificate files for --ca (optional, as PATHS)
#   SIPCA_LINT_FAIL_ON    --fail-on: fatal, error, warn or notice (default error)
#   SIPCA                 the binary (default: sipca on PATH)
# It exits with sipca lint's status: 0 clean, 1 findings at or above
# FAIL_ON, 2 a usage error; the SARIF file is written in every case but 2.
# A path's name may not hold spaces (the lists are split on whitespace).
set -u
sipca=${SIPCA:-sipca}
sarif=${SIPCA_LINT_SARIF:-sipca.sarif}
paths=${SIPCA_LINT_PATHS:-}
if [ -z "$(echo $paths)" ]; then
	echo "sipca: ci-lint: no paths to lint (the 'paths' input)" >&2
	exit 2
fi
set -- --format sarif --fail-on "${SIPCA_LINT_FAIL_ON:-error}"
[ -z "${SIPCA_LINT_SIP_DOMAIN:-}" ] || set -- "$@" --sip-domain "$SIPCA_LINT_SIP_DOMAIN"
for ca in ${SIPCA_LINT_CA:-}; do
	set -- "$@" --ca "$ca"
done
# shellcheck disable=SC2086 # the list is split on purpose
"$sipca" lint "$@" $paths > "$sarif.tmp"
status=$?
if [ $status -le 1 ]; then
	mv "$sarif.tmp" "$sarif"
else
	rm -f "$sarif.tmp"
fi
exit $status
