#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps here, as the runner would.

    run_action.py ACTION_DIR WORKSPACE INPUT=VALUE...

Each step's env has its ${{ inputs.NAME }} replaced by the given value or
the input's default; the run script goes to bash with GitHub's options
(--noprofile --norc -eo pipefail) in WORKSPACE, with GITHUB_ACTION_PATH,
GITHUB_OUTPUT, GITHUB_ENV and GITHUB_WORKSPACE set, and what a step adds
to GITHUB_ENV reaches the steps after it. The first failing step ends the
run with its status. Prints the action's outputs as NAME=VALUE lines.
Only what sipca's action.yml uses is supported: a step with anything else
(uses:, if:, an expression other than inputs.*) is an error, not skipped.
"""
import os
import re
import subprocess
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def main():
    action_dir, workspace = sys.argv[1], sys.argv[2]
    given = dict(a.split("=", 1) for a in sys.argv[3:])
    with open(os.path.join(action_dir, "action.yml")) as f:
        action = yaml.safe_load(f)
    if action["runs"]["using"] != "composite":
        sys.exit("not a composite action")
    inputs = {}
    for name, spec in action.get("inputs", {}).items():
        inputs[name] = given.pop(name, str(spec.get("default", "")))
    if given:
        sys.exit("unknown inputs: " + ", ".join(sorted(given)))

    def expand(text, step_outputs):
        def one(m):
            expr = m.group(1)
            if expr.startswith("inputs."):
                return inputs[expr[len("inputs."):]]
            s = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if s:
                return step_outputs.get(s.group(1), {}).get(s.group(2), "")
            sys.exit("unsupported expression: " + expr)
        return EXPR.sub(one, str(text))

    tmp = os.environ.get("TMPDIR", "/tmp")
    env_file = os.path.join(tmp, "action-env")
    open(env_file, "w").close()
    outputs = {}
    added_env = {}
    for i, step in enumerate(action["runs"]["steps"]):
        extra = set(step) - {"name", "id", "shell", "env", "run"}
        if extra or step.get("shell") != "bash":
            sys.exit("step %d: unsupported: %s" % (i, sorted(extra) or step.get("shell")))
        out_file = os.path.join(tmp, "action-output-%d" % i)
        open(out_file, "w").close()
        env = dict(os.environ)
        env.update(added_env)
        env.update({k: expand(v, outputs) for k, v in step.get("env", {}).items()})
        env.update(GITHUB_ACTION_PATH=action_dir, GITHUB_WORKSPACE=workspace,
                   GITHUB_OUTPUT=out_file, GITHUB_ENV=env_file)
        if EXPR.search(step["run"]):
            sys.exit("step %d: an expression in run: (put it in env:)" % i)
        print("== step: " + step.get("name", str(i)), file=sys.stderr, flush=True)
        rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                              "-c", step["run"]], cwd=workspace, env=env)
        with open(out_file) as f:
            vals = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        if "id" in step:
            outputs[step["id"]] = vals
        with open(env_file) as f:
            added_env.update(dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l))
        if rc != 0:
            print_outputs(action, outputs)
            sys.exit(rc)
    print_outputs(action, outputs)


def print_outputs(action, outputs):
    for name, spec in action.get("outputs", {}).items():
        m = EXPR.fullmatch(str(spec["value"]).strip())
        s = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", m.group(1))
        print("%s=%s" % (name, outputs.get(s.group(1), {}).get(s.group(2), "")))


if __name__ == "__main__":
    main()
