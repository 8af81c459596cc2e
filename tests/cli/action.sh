#!/bin/sh
# action.yml, sipca's GitHub Action, run step by step on this machine
# (tests/ci/run_action.py plays the runner) from a clone of HEAD: it
# installs nothing that is here already, builds sipca from its own
# source, lints a directory like a repository's certs/ (keys beside the
# certificates skipped) and writes SARIF 2.1.0; findings at --fail-on fail
# the step and the SARIF is still written; bad inputs exit 2. The GitLab
# example runs the same lint step with the same inputs as variables.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
git clone -q "$top" "$T/action" || fail "git clone"
check "the action is composite" python3 -c \
    'import sys,yaml; a=yaml.safe_load(open(sys.argv[1])); assert a["runs"]["using"]=="composite"' \
    "$T/action/action.yml"
for i in paths sip-domain ca fail-on sarif; do
	check "the action takes the input '$i'" python3 -c \
	    'import sys,yaml; assert sys.argv[2] in yaml.safe_load(open(sys.argv[1]))["inputs"]' \
	    "$T/action/action.yml" "$i"
done

# A repository: a good server certificate, the CA, and a store's
# issued/NAME/ directory with its key.pem.
D=$T/ca
new_ca "$D"
"$SIPCA" -d "$D" issue server pbx.example.com --key p256 >/dev/null || fail "issue"
W=$T/workspace
mkdir -p "$W/certs"
cp "$D/ca.pem" "$W/certs/ca.pem"
cp -r "$D/issued/pbx.example.com" "$W/certs/pbx"
rm -rf "$W/certs/pbx/history"

run_action() {	# run_action OUT INPUT=VALUE...
	out=$1; shift
	(cd "$W" && env -u BUILD -u VARIANT -u MAKEFLAGS -u SIPCA TMPDIR="$T" \
	    timeout 600 python3 "$top/tests/ci/run_action.py" "$T/action" "$W" "$@") \
	    > "$T/$out.out" 2> "$T/$out.err"
}
run_action clean paths=certs/ sip-domain=example.com ca=certs/ca.pem fail-on=error
check "the action passes on good certificates" test $? -eq 0 || sed 's/^/    /' "$T/clean.err" >&2
check "it built sipca from its own source" test -x "$T/action/build/release/sipca"
check "its output names the SARIF file" grep -qx "sarif=sipca.sarif" "$T/clean.out"
check "the SARIF is SARIF 2.1.0 from sipca" python3 -c \
    'import sys,json; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0"; assert d["runs"][0]["tool"]["driver"]["name"].startswith("sipca")' \
    "$W/sipca.sarif"
expect_grep "skipped a PEM block that is not a certificate (PRIVATE KEY)" "$T/clean.err" \
    "the key beside the certificate is skipped with a note"
check "and is no finding" python3 -c \
    'import sys,json; d=json.load(open(sys.argv[1])); assert not [r for r in d["runs"][0]["results"] if r["ruleId"]=="x509.parse"]' \
    "$W/sipca.sarif"

# A certificate with an error: 2000 days, which iOS refuses (forced).
"$SIPCA" -d "$D" issue server long.example.com --days 2000 --force >/dev/null 2>&1 ||
	fail "issue a 2000-day certificate"
cp "$D/issued/long.example.com/cert.pem" "$W/certs/long.pem"
rm -f "$W/sipca.sarif"
mkdir -p "$W/out"
run_action findings paths=certs/ sip-domain=example.com fail-on=warn sarif=out/lint.sarif
rc=$?
check "findings at --fail-on fail the step (exit 1, got $rc)" test $rc -eq 1
check "the SARIF is still written, where the input says" test -s "$W/out/lint.sarif"
check "the output names it" grep -qx "sarif=out/lint.sarif" "$T/findings.out"
check "the SARIF holds the findings" python3 -c \
    'import sys,json; d=json.load(open(sys.argv[1])); assert d["runs"][0]["results"]' "$W/out/lint.sarif"
run_action notice paths=certs/ sip-domain=example.com fail-on=fatal
check "the same findings under --fail-on fatal pass" test $? -eq 0

run_action bad paths=certs/ fail-on=sometimes
check "a bad fail-on input: exit 2" test $? -eq 2
expect_grep "invalid --fail-on: 'sometimes'" "$T/bad.err" "with sipca's message"
run_action none "paths= "
check "no paths: exit 2" test $? -eq 2
expect_grep "no paths to lint" "$T/none.err" "with a message"

# The GitLab job: the same lint step with the same inputs as variables.
G=$top/examples/ci/gitlab-ci.yml
python3 - "$G" > "$T/gitlab.vars" <<'PY' || fail "gitlab-ci.yml: no sipca-lint job"
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))["sipca-lint"]
for k, v in job["variables"].items():
    print("%s=%s" % (k, v))
assert any("scripts/ci-lint.sh" in s for s in job["script"])
PY
for v in SIPCA_LINT_PATHS SIPCA_LINT_SIP_DOMAIN SIPCA_LINT_CA SIPCA_LINT_FAIL_ON SIPCA_LINT_SARIF; do
	check "the GitLab job sets $v as the action's input" grep -q "^$v=" "$T/gitlab.vars"
done
rm -f "$W/sipca.sarif"
(cd "$W" && env $(grep '^SIPCA_LINT_' "$T/gitlab.vars") SIPCA="$T/action/build/release/sipca" \
    sh "$T/action/scripts/ci-lint.sh") > /dev/null 2> "$T/gitlab.err"
check "the GitLab job's lint step exits 1 on the 2000-day certificate (fail-on error)" test $? -eq 1
check "and writes its artifact" test -s "$W/sipca.sarif"
finish
