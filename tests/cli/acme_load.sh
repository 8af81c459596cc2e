#!/bin/sh
# sipca serve under a crowd while certbot orders: 1,000 connections that
# never send a request (half of them to the HTTPS port, never starting
# TLS) and 100 slowloris requests (a header line every two seconds, half
# of them over TLS) held open by tests/acme/hold.py. certbot's order must
# finish while every one of them is still open (so it did not wait for
# the timeouts to make room); then the idle ones are closed by --timeout,
# the slow ones by --request-time (their trickle keeps --timeout from
# ever running out), and the server's descriptors come back; the crowd's
# memory stays bounded.
. "$(dirname "$0")/../acme/env.sh"
PY=/usr/bin/python3
need_tools certbot $PY

IDLE=1000 SLOW=100
# Long enough that certbot's order fits in them on a loaded machine.
check "serve with --timeout 40 and --request-time 50" start_serve "$T/serve.log" \
    --timeout 40 --request-time 50
PID=$(pgrep -P "$SERVE" | head -1)
fds() { ls "/proc/$PID/fd" | wc -l; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
check "an EAB key" eab load
check "certbot registers" cb register --agree-tos -m admin@example.test \
    --eab-kid "$KID" --eab-hmac-key "$HMAC"
start=$(date +%s)
check "an order with nothing else connected" cb certonly --standalone \
    -d sip.example.test --cert-name quiet --key-type ecdsa
quiet=$(( $(date +%s) - start ))
fds0=$(fds) rss0=$(rss)

: > "$T/hold.out"
timeout 300 $PY "$(dirname "$0")/../acme/hold.py" ca.example.test $SERVE_PORT \
    $HTTP "$CA/ca.pem" $IDLE $SLOW 120 > "$T/hold.out" 2>&1 &
HOLD=$!
BG_PIDS="$BG_PIDS $HOLD"
i=0
while ! grep -q '^ready' "$T/hold.out" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "hold.py holds $IDLE idle and $SLOW slowloris connections" grep -q '^ready' "$T/hold.out"
grep -q "^ready" "$T/hold.out" || sed "s/^/    /" "$T/hold.out" >&2
fds1=$(fds) rss1=$(rss)
start=$(date +%s)
check "certbot's order finishes in the crowd" cb certonly --standalone \
    -d sip.example.test --cert-name crowd --key-type ecdsa
crowd=$(( $(date +%s) - start ))
echo "    the order alone: ${quiet} s; in the crowd: ${crowd} s" >&2
kill -USR1 $(pgrep -P "$HOLD")
i=0
while ! grep -q '^open' "$T/hold.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "after the order every held connection is still open" \
    grep -q "^open $IDLE $SLOW\$" "$T/hold.out"
check "the server held a descriptor for each ($fds1 with them, $fds0 without)" \
    test "$fds1" -ge $((fds0 + IDLE + SLOW)) -a "$fds1" -le $((fds0 + IDLE + SLOW + 64))
echo "    resident memory: $rss0 KiB, $rss1 KiB with the crowd" >&2
check "memory for the crowd stays bounded (under 128 KiB a connection)" \
    test $((rss1 - rss0)) -lt $(( (IDLE + SLOW) * 128 ))

wait $HOLD
BG_PIDS=${BG_PIDS% $HOLD}
# closed IDLE_CLOSED SLOW_CLOSED IDLE_FIRST IDLE_LAST SLOW_FIRST SLOW_LAST
closed=$(grep '^closed' "$T/hold.out")
set -- ${closed:-none 0 0 -1 -1 -1 -1}
echo "    closed: $2 idle after ${4}-${5} s, $3 slowloris after ${6}-${7} s" >&2
check "the server closed every idle connection" test "$2" -eq $IDLE
check "the server closed every slowloris request" test "$3" -eq $SLOW
check "the idle ones by --timeout (not before 40 s)" \
    $PY -c 'import sys; sys.exit(not 39 <= float(sys.argv[1]) <= float(sys.argv[2]) < 70)' "$4" "$5"
check "the slowloris ones by --request-time (after 44 s: not by the idle timeout)" \
    $PY -c 'import sys; sys.exit(not 44 <= float(sys.argv[1]) <= float(sys.argv[2]) < 80)' "$6" "$7"
expect_grep "closed: no whole request within 50 s" "$T/serve.log" \
    "the request deadline's closes are logged"
# The clients saw the ends; the server's closes may be a moment behind.
i=0
while [ "$(fds)" -gt $((fds0 + 8)) ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the descriptors came back ($(fds) after, $fds0 before)" test "$(fds)" -le $((fds0 + 8))
check "the server still answers" cb certonly --standalone \
    -d sip.example.test --cert-name after --key-type ecdsa
stop_bg "$SERVE"

finish
