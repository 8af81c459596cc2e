#!/bin/sh
# kill -9 of sipca serve during finalize, ten times at random moments
# (tests/acme/kill_finalize.py, which starts and kills serve itself):
# after every kill sipca check finds nothing but an interrupted write's
# temporary files and is clean once --repair removes them (the guarantee
# crash.sh holds batches to), the client's retry after the restart gets
# its certificate, no serial is used twice; then the store agrees with
# what the client was given.
. "$(dirname "$0")/../acme/env.sh"
PY=/usr/bin/python3
need_tools $PY

check "an EAB key" eab kill
# (the binary without valgrind: a process killed in the middle leaks)
timeout 900 $PY "$(dirname "$0")/../acme/kill_finalize.py" "$DIRURL" "$CA/ca.pem" \
    "$KID" "$HMAC" "$SIPCA" "$CA" 10 "$T/serve.log" -- \
    "$SIPCA_BARE" -d "$CA" serve --listen 127.0.0.1:$SERVE_PORT \
    --http 127.0.0.1:$HTTP --name ca.example.test > "$T/kill.out" 2>&1
count_checks "$T/kill.out" kill_finalize.py $?
echo "    where the kills fell (still ready, made invalid, valid): $(sed -n 's/^landed //p' "$T/kill.out")" >&2

# Every certificate the client got is in the store, each serial once.
sed -n 's/^serial //p' "$T/kill.out" > "$T/given"
check "eleven certificates were given" test "$(wc -l < "$T/given")" -eq 11
"$SIPCA" -d "$CA" list --json > "$T/list.json"
check "the store has each, every serial once" $PY -c '
import json, sys
listed = [c["serial"].lower().lstrip("0") for c in json.load(open(sys.argv[1]))]
given = [s.strip().lstrip("0") for s in open(sys.argv[2])]
sys.exit(0 if len(set(listed)) == len(listed) and set(given) <= set(listed) else
         "listed %s, given %s" % (listed, given))' "$T/list.json" "$T/given"
check "the store checks clean" "$SIPCA" -d "$CA" check

finish
