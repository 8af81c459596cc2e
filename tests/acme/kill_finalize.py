#!/usr/bin/python3
"""kill -9 of sipca serve while it finalizes, ROUNDS times at random
moments, for tests/cli/acme_kill.sh. This script starts serve itself (so
it knows the pid to kill and can start it again; serve dies with it),
opens one account, and in each round orders sip.example.test, proves it
by http-01, sends finalize and kills serve a random time later, within
what a finalize took uninterrupted. Then "sipca check" must find nothing
but an interrupted write's temporary files, be clean once --repair has
removed them (as tests/cli/crash.sh holds batches to), and serve
starts again, and the client retries as RFC 8555 section 7.4 lets it:
an order still ready is finalized again, one the restart found invalid
is ordered anew, one found valid is downloaded. Each round must end with
a certificate for the name, and no two certificates may share a serial.

Prints "ok ..."/"not ok ..." lines, "landed BEFORE DURING AFTER" (where
the kills fell: the order was then still ready, made invalid, or valid),
and "serial S" per certificate.

usage: kill_finalize.py DIRECTORY CA_PEM KID HMAC SIPCA STORE ROUNDS LOG -- SERVE...
"""
import ctypes
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

from cryptography import x509

sys.path.insert(0, os.path.dirname(__file__))
import client  # noqa: E402
from client import Key, check, csr_for, eab, jws, post, TOKENS  # noqa: E402

DIRECTORY, CA_PEM, KID, HMAC_KEY, SIPCA, STORE, ROUNDS, LOG = sys.argv[1:9]
SERVE = sys.argv[sys.argv.index("--") + 1:]
NAME = "sip.example.test"
libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    libc.prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG


def start_serve():
    log = open(LOG, "a")
    mark = log.tell()
    proc = subprocess.Popen(SERVE, stdout=log, stderr=log, preexec_fn=die_with_parent)
    for _ in range(600):
        with open(LOG) as f:
            f.seek(mark)
            if "listening on https" in f.read():
                return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    sys.exit("serve did not start (see %s)" % LOG)


def new_order(key, acct):
    """newOrder and its http-01, through to ready; the order's URL."""
    st, h, order = post(key, client.D["newOrder"], {"identifiers": [
        {"type": "dns", "value": NAME}]}, kid=acct)
    if st != 201:
        sys.exit("newOrder: %s %s" % (st, order))
    _, _, authz = post(key, order["authorizations"][0], None, kid=acct)
    ch = [c for c in authz["challenges"] if c["type"] == "http-01"][0]
    TOKENS[ch["token"]] = ch["token"] + "." + key.thumbprint()
    post(key, ch["url"], {}, kid=acct)
    return h["Location"]


def certificate(key, acct, order_url, csr):
    """Finalizes a ready order (as needed) and downloads its certificate."""
    _, _, order = post(key, order_url, None, kid=acct)
    if order.get("status") == "ready":
        _, _, order = post(key, order["finalize"], {"csr": csr}, kid=acct)
    for _ in range(50):
        if order.get("status") != "processing":
            break
        time.sleep(0.1)
        _, _, order = post(key, order_url, None, kid=acct)
    if order.get("status") != "valid":
        return None
    st, _, pem = post(key, order["certificate"], None, kid=acct)
    return x509.load_pem_x509_certificate(pem.split(b"-----END CERTIFICATE-----")[0] +
                                          b"-----END CERTIFICATE-----\n")


def sipca_check(*args):
    r = subprocess.run([SIPCA, "-d", STORE, "check"] + list(args), capture_output=True,
                       text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def store_after_kill():
    """What the store's crash guarantee allows (README, "Crashes and
    concurrency", as tests/cli/crash.sh holds it): sipca check finds at
    most the temporary files of an interrupted write, which --repair
    removes, and is clean then. The count of them, and None or what is
    wrong."""
    rc, out = sipca_check()
    if rc == 0:
        return 0, None
    problems = [line for line in out.splitlines() if line and not line.startswith("checked ")]
    if not problems or any("left by an interrupted write" not in p for p in problems):
        return len(problems), out
    rc, out = sipca_check("--repair", "--quiet")
    if rc != 0:
        return len(problems), out
    rc, out = sipca_check()
    return len(problems), None if rc == 0 else out


def finalize_body(key, acct, order, csr):
    url = order["finalize"]
    return "/" + url.split("/", 3)[3], json.dumps(
        jws(key, url, {"csr": csr}, client.nonce(), acct))


def finalize_on(conn, path, body):
    """The finalize on a connection made beforehand, so that what the
    kill's window measures is the request and its answer, no handshake."""
    t = time.monotonic()
    try:
        conn.request("POST", path, body, {"Content-Type": "application/jose+json"})
        conn.getresponse().read()
    except (OSError, http.client.HTTPException):    # it died with the server
        pass
    conn.close()
    return time.monotonic() - t


def ready_to_finalize(key, acct):
    """A new ready order, its finalize signed and its connection open:
    the order's URL, the CSR, the connection, the path and the body."""
    _, csr = csr_for([NAME])
    url = new_order(key, acct)
    _, _, order = post(key, url, None, kid=acct)
    path, body = finalize_body(key, acct, order, csr)
    host, port = DIRECTORY.split("/")[2].split(":")
    conn = http.client.HTTPSConnection(host, int(port), context=client.CTX, timeout=30)
    conn.connect()
    return url, csr, conn, path, body


def main():
    client.connect(DIRECTORY, CA_PEM)
    web = client.answer_http01()
    key = Key()
    st, h, doc = post(key, client.D["newAccount"], {
        "termsOfServiceAgreed": True, "externalAccountBinding": eab(key, KID, HMAC_KEY)})
    acct = h.get("Location")
    check("an account", st == 201 and acct, (st, doc))
    serials = []

    # How long a finalize takes when nothing kills it.
    url, csr, conn, path, body = ready_to_finalize(key, acct)
    span = finalize_on(conn, path, body)
    cert = certificate(key, acct, url, csr)
    check("an order uninterrupted: its certificate (finalize took %.0f ms)" %
          (span * 1000), cert is not None)
    if cert is not None:
        serials.append(cert.serial_number)

    landed = {"ready": 0, "invalid": 0, "valid": 0}
    for n in range(int(ROUNDS)):
        url, csr, conn, path, body = ready_to_finalize(key, acct)
        delay = random.uniform(0, span)
        threading.Timer(delay, os.kill, (PROC[0].pid, signal.SIGKILL)).start()
        finalize_on(conn, path, body)
        PROC[0].wait()
        leftovers, why = store_after_kill()
        check("round %d: killed %.1f ms into finalize, the store checks clean"
              " (after --repair of %d temporary files)" % (n + 1, delay * 1000, leftovers),
              why is None, why)
        PROC[0] = start_serve()
        _, _, order = post(key, url, None, kid=acct)
        landed[order.get("status")] = landed.get(order.get("status"), 0) + 1
        if order.get("status") == "invalid":
            url = new_order(key, acct)
        cert = certificate(key, acct, url, csr)
        names = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName) \
            if cert is not None else []
        check("round %d: the retry after the restart (order %s) gets the certificate" %
              (n + 1, order.get("status")), NAME in names, order)
        if cert is not None:
            serials.append(cert.serial_number)
    check("no two certificates share a serial", len(set(serials)) == len(serials), serials)
    print("landed %d %d %d" % (landed["ready"], landed["invalid"], landed["valid"]))
    for s in serials:
        print("serial %x" % s)
    web.shutdown()
    PROC[0].terminate()
    PROC[0].wait(timeout=60)


PROC = [start_serve()]
main()
sys.exit(1 if client.FAILED else 0)
