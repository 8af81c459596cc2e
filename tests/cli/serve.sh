#!/bin/sh
# sipca serve, the server core: the CA certificate and the CRL over HTTP
# and HTTPS, checked by independent clients (curl on OpenSSL, openssl
# s_client, openssl crl); SIGHUP picks up a new CRL and a renewed
# certificate without closing the port; the limits (body, headers, idle
# connections); SIGTERM ends it with status 0; bad flags exit 2 and touch
# nothing. A network namespace of its own (tests/netns.sh), so that even
# the default address (every interface) is only this namespace's lo.
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../lib.sh"

HOST=sip.example.com
CA=$T/ca
new_ca "$CA" --crl-url http://ca.example.com/sip.crl
"$SIPCA" -d "$CA" issue server $HOST >/dev/null 2>&1
"$SIPCA" -d "$CA" issue device alice >/dev/null 2>&1

# hup: SIGHUP, then until the log says it read the store again. Sent to
# sipca itself: the timeout(1) that bounds it passes on only the first.
hup() {
	n=$(grep -c "reloaded" "$T/serve.log")
	pkill -HUP -P "$SERVE"
	i=0
	while [ "$(grep -c "reloaded" "$T/serve.log")" -le "$n" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

check "serve starts and listens" start_serve "$T/serve.log"

# The CA as users import it, over HTTPS that curl verifies by name.
check "GET https /ca.pem" get https://$HOST:$HTTPS/ca.pem
check "/ca.pem: 200, a PEM chain type" grep -qx "200 application/pem-certificate-chain" "$T/got"
check "/ca.pem is the CA certificate" cmp "$T/body" "$CA/ca.pem"
check "GET http /ca.der" get http://127.0.0.1:$HTTP/ca.der
check "/ca.der: 200, application/pkix-cert (RFC 2585)" grep -qx "200 application/pkix-cert" "$T/got"
openssl x509 -in "$CA/ca.pem" -outform DER -out "$T/ca.der"
check "/ca.der is the CA certificate's DER" cmp "$T/body" "$T/ca.der"

# No CRL published yet: the CRL URL's path says so.
check "GET the CRL before one is published" get http://127.0.0.1:$HTTP/sip.crl
check "no CRL yet: 404" grep -q "^404 " "$T/got"
expect_grep "no CRL has been published" "$T/body" "no CRL yet: what to do"

# A revocation publishes a CRL; SIGHUP serves it, DER, at the URL's path.
"$SIPCA" -d "$CA" revoke alice >/dev/null 2>&1
serial=$("$SIPCA" -d "$CA" list --status revoked 2>/dev/null | awk 'NR > 1 && $0 ~ /alice/ { print $1 }' | head -1)
hup
check "GET the CRL after the revocation" get http://127.0.0.1:$HTTP/sip.crl
check "CRL: 200, application/pkix-crl (RFC 5280 4.2.1.13)" grep -qx "200 application/pkix-crl" "$T/got"
check "the CRL verifies against the CA (openssl crl)" \
    openssl crl -inform DER -in "$T/body" -CAfile "$CA/ca.pem" -noout
openssl crl -inform DER -in "$T/body" -noout -text > "$T/crl.txt" 2>&1
expect_grep "Serial Number: $(echo "$serial" | tr a-f A-F)" "$T/crl.txt" "the served CRL lists alice's serial"
check "the CRL over HTTPS too" get https://$HOST:$HTTPS/sip.crl
check "the CRL over HTTPS: 200" grep -q "^200 " "$T/got"

# What is not served.
check "GET an unknown path" get http://127.0.0.1:$HTTP/ca.key
check "an unknown path: 404" grep -q "^404 " "$T/got"
check "POST /ca.pem" get http://127.0.0.1:$HTTP/ca.pem -X POST --data x -D "$T/headers"
check "POST: 405" grep -q "^405 " "$T/got"
expect_grep "^Allow: GET, HEAD" "$T/headers" "405 says what is allowed"
check "HEAD /ca.pem" get http://127.0.0.1:$HTTP/ca.pem -I
check "HEAD: 200" grep -q "^200 " "$T/got"

# A renewed server certificate is presented after SIGHUP, on the same port.
old=$(openssl x509 -in "$CA/issued/$HOST/cert.pem" -noout -serial)
"$SIPCA" -d "$CA" renew $HOST >/dev/null 2>&1
new=$(openssl x509 -in "$CA/issued/$HOST/cert.pem" -noout -serial)
check "renew made a new serial" test "$old" != "$new"
presented() {
	echo | timeout 10 openssl s_client -connect 127.0.0.1:$HTTPS -servername $HOST \
	    -CAfile "$CA/ca.pem" -verify_return_error 2>/dev/null | openssl x509 -noout -serial
}
check "before SIGHUP the old certificate is presented" test "$(presented)" = "$old"
hup
check "after SIGHUP the renewed certificate is presented" test "$(presented)" = "$new"
expect_grep "reloaded" "$T/serve.log" "SIGHUP is logged"

# One line per request on stderr.
expect_grep "^sipca: serve: 127.0.0.1 GET /ca.pem 200 " "$T/serve.log" "requests are logged"
expect_grep "^sipca: serve: 127.0.0.1 POST /ca.pem 405 " "$T/serve.log" "refusals are logged"

# SIGTERM: stops, status 0.
kill -TERM "$SERVE"
wait "$SERVE"
check "SIGTERM ends serve with status 0" test $? -eq 0
BG_PIDS=""
expect_grep "stopping" "$T/serve.log" "SIGTERM is logged"

# The limits: a body over --max-body, headers over --max-header, a
# request that never ends, closed after --timeout, and one that trickles
# in faster than that, closed after --request-time.
check "serve with small limits" start_serve "$T/limits.log" --max-body 1024 \
    --max-header 4096 --timeout 2 --request-time 5
head -c 2048 /dev/zero > "$T/big"
check "POST 2 KiB" get http://127.0.0.1:$HTTP/ca.pem --data-binary @"$T/big"
check "a body over --max-body: 413" grep -q "^413 " "$T/got"
check "a chunked body" get http://127.0.0.1:$HTTP/ca.pem --data-binary @"$T/big" \
    -H "Transfer-Encoding: chunked"
check "a chunked body over --max-body: 413" grep -q "^413 " "$T/got"
long=$(head -c 6000 /dev/zero | tr '\0' a)
check "GET with 6 KB of headers" get http://127.0.0.1:$HTTP/ca.pem -H "X-Long: $long"
check "headers over --max-header: refused (431)" grep -q "^431 " "$T/got"
check "a partial request is closed after --timeout" python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /ca.pem HTTP/1.1\r\nHost: x\r\n")
s.settimeout(15)
t = time.time()
if s.recv(1) != b"":
    sys.exit("answered a request that has not ended")
sys.exit(0 if time.time() - t < 12 else "closed too late")
' $HTTP
# A header line a second (slowloris), a body an octet a second: each
# keeps the idle timeout from ever running out; the request deadline
# closes both (not before 4 s: the 2 s idle timeout did not).
for how in headers body; do
	check "a request trickling its $how is closed after --request-time" python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = time.time()
s.sendall(b"POST /ca.pem HTTP/1.1\r\nHost: x\r\n")
if sys.argv[2] == "body":
    s.sendall(b"Content-Length: 100\r\n\r\n")
s.settimeout(1)
for i in range(60):
    try:
        s.sendall(b"X-%d: y\r\n" % i if sys.argv[2] == "headers" else b"a")
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
    sys.exit("answered a request that has not ended")
took = time.time() - t
sys.exit(0 if 4 <= took < 50 else "closed after %.1f s" % took)
' $HTTP $how
done
expect_grep "127.0.0.1 closed: no whole request within 5 s" "$T/limits.log" \
    "the request deadline's closes are logged"
stop_bg "$SERVE"

# The default address is every interface of this namespace, port 8443.
start_bg "$T/default.log" "$SIPCA" -d "$CA" serve --name $HOST
SERVE=$BG_PID
check "with no address, HTTPS on port 8443" wait_port 8443
stop_bg "$SERVE"

# Where it listens and what it presents, kept in the store's settings.
P1=$(free_port) P2=$(free_port)
check "config serve-listen" "$SIPCA" -d "$CA" config serve-listen 127.0.0.1:$P1
check "config serve-http" "$SIPCA" -d "$CA" config serve-http 127.0.0.1:$P2,127.0.0.1:0
check "config serve-name" "$SIPCA" -d "$CA" config serve-name $HOST
expect_exit 2 "config serve-listen without a port" "$SIPCA" -d "$CA" config serve-listen 127.0.0.1
expect_grep "invalid serve-listen: '127.0.0.1': expected ADDR:PORT" "$T/stderr" "a bad serve-listen: message"
expect_exit 2 "config serve-http empty" "$SIPCA" -d "$CA" config serve-http ,
expect_exit 2 "config serve-name not a DNS name" "$SIPCA" -d "$CA" config serve-name "sip example"
start_bg "$T/settings.log" "$SIPCA" -d "$CA" serve
SERVE=$BG_PID
check "with no flags, HTTPS where serve-listen says" wait_port $P1
check "and HTTP where serve-http says" wait_port $P2
HTTPS=$P1
check "GET https /ca.pem (serve-name's certificate)" get https://$HOST:$P1/ca.pem
check "GET https /ca.pem: 200" grep -q "^200 " "$T/got"
stop_bg "$SERVE"
expect_grep "listening on http://127.0.0.1:0 (port [1-9]" "$T/settings.log" "port 0: the port taken is logged"

# Upkeep: with the CA key (ACME on), the server renews its own
# certificate once a third of its life is left and signs the CRL again
# once half its interval has passed, at start and every ten minutes. The
# test build's clock is moved 25 days on: a 30-day certificate and the
# 30-day CRL are both due.
"$SIPCA" -d "$CA" issue server up.example.com --days 30 >/dev/null 2>&1
up_old=$(openssl x509 -in "$CA/issued/up.example.com/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
crl_number() { openssl crl -inform "$1" -in "$2" -noout -crlnumber | cut -d= -f2; }
n_old=$(crl_number PEM "$CA/crl.pem")
later=$(($(date +%s) + 25 * 86400))
HTTPS=$(free_port) HTTP=$(free_port)
start_bg "$T/upkeep.log" env SIPCA_NOW=$later "$SIPCA" -d "$CA" serve \
    --listen 127.0.0.1:$HTTPS --http 127.0.0.1:$HTTP --name up.example.com
SERVE=$BG_PID
check "serve with a certificate and a CRL due" wait_port $HTTPS
up_new=$(openssl x509 -in "$CA/issued/up.example.com/cert.pem" -noout -serial | cut -d= -f2 | tr A-F a-f)
check "the server renewed its own certificate" test "$up_old" != "$up_new"
expect_grep "renewed its certificate 'up.example.com': serial $up_old -> $up_new" \
    "$T/upkeep.log" "the renewal is logged"
check "the renewal is presented" sh -c "echo | timeout 10 openssl s_client \
    -connect 127.0.0.1:$HTTPS -servername up.example.com 2>/dev/null | \
    openssl x509 -noout -serial | grep -qi '=$up_new\$'"
check "the old certificate is superseded" sh -c "'$SIPCA' -d '$CA' list --status superseded | grep -q $up_old"
check "GET the CRL" get http://127.0.0.1:$HTTP/sip.crl
check "the served CRL is a new one" test "$(crl_number DER "$T/body")" != "$n_old"
check "crl.pem is that CRL" test "$(crl_number PEM "$CA/crl.pem")" = "$(crl_number DER "$T/body")"
expect_grep "published CRL number" "$T/upkeep.log" "the CRL is logged"
stop_bg "$SERVE"

# Bad input: exit 2, a clear message, the store as it was.
snapshot "$CA" > "$T/before"
bad() {	# bad DESCRIPTION PATTERN ARGS...
	desc=$1 pattern=$2; shift 2
	expect_exit 2 "$desc" "$SIPCA" -d "$CA" serve "$@" &&
	    expect_grep "$pattern" "$T/stderr" "$desc: message"
}
bad "--listen without a port" "invalid --listen: '127.0.0.1': expected ADDR:PORT" --listen 127.0.0.1
bad "--listen with a host name" "not a numeric IPv4 or IPv6 address" --listen localhost:1
bad "--http port too large" "the port is a number from 0 to 65535" --http 127.0.0.1:70000
bad "--listen IPv6 without brackets" "in brackets" --listen ::1:443
bad "--name without a certificate" "no valid server certificate named 'nobody.example.com'" \
    --listen 127.0.0.1:0 --name nobody.example.com
bad "--name of a device" "no valid server certificate named 'alice'" \
    --listen 127.0.0.1:0 --name alice
bad "--timeout 0" "invalid --timeout: '0'" --timeout 0
bad "--request-time 0" "invalid --request-time: '0'" --request-time 0
bad "--request-time not a number" "invalid --request-time: '30s'" --request-time 30s
bad "an operand" "unexpected argument: 'extra'" extra
expect_exit 2 "serve on a directory that is no store" "$SIPCA" -d "$T/none" serve --http 127.0.0.1:0
expect_unchanged "$T/before" "$CA" "bad serve flags"

# A port already taken: an operational failure (3), said plainly.
check "a server for the busy port" start_serve "$T/busy.log"
expect_exit 3 "a port in use" "$SIPCA" -d "$CA" serve --http 127.0.0.1:$HTTP
expect_grep "cannot listen on 127.0.0.1:$HTTP" "$T/stderr" "a port in use: message"
stop_bg "$SERVE"
expect_unchanged "$T/before" "$CA" "serving"

finish
