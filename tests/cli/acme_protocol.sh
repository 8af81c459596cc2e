#!/bin/sh
# The ACME server's corners that certbot and lego never reach, driven by
# a client of the test's own (tests/acme/protocol.py, JWS by
# pyca/cryptography, the Debian python3 that certbot runs on): the
# request's form (415, the JWS's URL, a nonce used twice), EAB refused
# with the wrong key, contacts, identifiers the policy refuses,
# finalize too early and with a request naming more, a failed http-01,
# one account's resources hidden from another, keyChange, revocation by
# the certificate's own key and its refusals, deactivation, the rate
# limit. Each check is one line of protocol.py's; the store is then
# checked to agree.
. "$(dirname "$0")/../acme/env.sh"
PY=/usr/bin/python3
need_tools $PY openssl

check "an EAB key" eab first
KID1=$KID HMAC1=$HMAC
check "a second EAB key" eab second
check "serve with three orders an hour per account" start_serve "$T/serve.log" \
    --orders-per-hour 3
timeout 300 $PY "$(dirname "$0")/../acme/protocol.py" "$DIRURL" "$CA/ca.pem" \
    "$KID1" "$HMAC1" "$KID" "$HMAC" > "$T/protocol.out" 2>&1
count_checks "$T/protocol.out" protocol.py $?

# The store agrees: the certificate revoked by its own key is revoked.
serial=$(sed -n 's/^serial //p' "$T/protocol.out")
check "the store has the certificate revoked with keyCompromise" sh -c "
    '$SIPCA' -d '$CA' list --json | $PY -c '
import json, sys
c = [c for c in json.load(sys.stdin) if c[\"serial\"].lstrip(\"0\") == sys.argv[1]]
sys.exit(0 if c and c[0][\"status\"] == \"revoked\" and
         c[0][\"revoke_reason\"] == \"keyCompromise\" else 1)' $serial"
check "both EAB keys are bound" sh -c "test \"\$('$SIPCA' -d '$CA' acme eab list | grep -c bound)\" -eq 2"
expect_grep "revoked $serial\|revoked 0*$serial" "$T/serve.log" "the revocation is logged"
check "the store checks clean" "$SIPCA" -d "$CA" check
stop_bg "$SERVE"

finish
