#!/usr/bin/python3
"""The ACME load generator of bench/acme.sh (not a test): CLIENTS
processes, each with an account of its own, run complete orders (RFC
8555 section 7.4: newOrder, the authorization, http-01, finalize with a
new P-256 key's CSR, the certificate) one after another on a kept-alive
connection until ORDERS have finished in all. The same generator runs
against sipca serve and against Pebble, so that what differs is the
server.

Each order is for a name of its own, oN-cI.example.test (the bench's
resolver answers 127.0.0.1 for every name in the domain); the http-01
answers come from this process on port 80, which computes each key
authorization from the Host header's client number, so that nothing has
to be shared between the processes while they run.

Prints "orders N seconds S rate R p50_ms X p99_ms Y failed F", where the
rate counts the orders that finished in the time between the start and
the last one, and with --pid, "rss_kib AFTER VALUE" each time the count
of finished orders passes one of --marks (the server's resident memory
then, from /proc).

usage: acme_load.py DIRECTORY CA_PEM CLIENTS ORDERS [--eab FILE] [--pid PID] [--marks N,...]
  --eab FILE  one "KID HMAC" line per client (sipca's External Account Binding)
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import multiprocessing
import os
import ssl
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

DOMAIN = "example.test"
POLL = 0.005    # between polls of an order still pending or processing


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_of(key):
    nums = key.public_key().public_numbers()
    return {"crv": "P-256", "kty": "EC", "x": b64(nums.x.to_bytes(32, "big")),
            "y": b64(nums.y.to_bytes(32, "big"))}


def thumbprint(key):
    text = json.dumps(jwk_of(key), sort_keys=True, separators=(",", ":"))
    return b64(hashlib.sha256(text.encode()).digest())


class Client:
    """One account on one kept-alive HTTPS connection."""

    def __init__(self, directory, ca_pem, key):
        url = urllib.parse.urlsplit(directory)
        self.host, self.port = url.hostname, url.port or 443
        self.ctx = ssl.create_default_context(cafile=ca_pem)
        self.conn = None
        self.key, self.jwk, self.kid, self.nonce = key, jwk_of(key), None, None
        self.dir = json.loads(self.call("GET", url.path)[2])

    def call(self, method, path, body=None):
        """One request, again on a new connection if the old one was closed."""
        headers = {"Content-Type": "application/jose+json"} if body else {}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.host, self.port,
                                                        context=self.ctx, timeout=60)
            try:
                self.conn.request(method, path, body, headers)
                r = self.conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if r.getheader("Replay-Nonce"):
                self.nonce = r.getheader("Replay-Nonce")
            if r.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return r.status, r, data

    def jws(self, url, payload):
        prot = {"alg": "ES256", "url": url, "nonce": self.nonce}
        if self.kid:
            prot["kid"] = self.kid
        else:
            prot["jwk"] = self.jwk
        p = b64(json.dumps(prot).encode())
        body = "" if payload is None else b64(json.dumps(payload).encode())
        r, s = utils.decode_dss_signature(
            self.key.sign(("%s.%s" % (p, body)).encode(), ec.ECDSA(hashes.SHA256())))
        return json.dumps({"protected": p, "payload": body, "signature":
                           b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))})

    def post(self, url, payload):
        """A signed POST (payload None: POST-as-GET); badNonce retried."""
        path = urllib.parse.urlsplit(url).path
        for _ in range(5):
            if self.nonce is None:
                self.call("HEAD", urllib.parse.urlsplit(self.dir["newNonce"]).path)
            status, r, data = self.call("POST", path, self.jws(url, payload))
            self.nonce = r.getheader("Replay-Nonce")
            doc = None
            if "json" in r.getheader("Content-Type", "") and data:
                doc = json.loads(data)
            if status == 400 and doc and doc.get("type", "").endswith(":badNonce"):
                continue
            return status, r, doc if doc is not None else data
        raise RuntimeError("five badNonce answers in a row")

    def register(self, eab):
        payload = {"termsOfServiceAgreed": True}
        if eab:
            kid, mac_key = eab
            url = self.dir["newAccount"]
            prot = b64(json.dumps({"alg": "HS256", "kid": kid, "url": url}).encode())
            inner = b64(json.dumps(self.jwk).encode())
            mac = hmac.new(unb64(mac_key), ("%s.%s" % (prot, inner)).encode(),
                           hashlib.sha256).digest()
            payload["externalAccountBinding"] = {"protected": prot, "payload": inner,
                                                 "signature": b64(mac)}
        status, r, doc = self.post(self.dir["newAccount"], payload)
        if status not in (200, 201):
            raise RuntimeError("newAccount: %s %s" % (status, doc))
        self.kid = r.getheader("Location")

    def until(self, url, pending):
        """POST-as-GET of url until its status is no longer in pending."""
        for _ in range(2000):
            _, _, doc = self.post(url, None)
            if doc.get("status") not in pending:
                return doc
            time.sleep(POLL)
        raise RuntimeError("%s stayed %s" % (url, doc.get("status")))

    def order(self, name):
        """One complete order for name; its certificate chain's PEM."""
        status, r, order = self.post(self.dir["newOrder"], {
            "identifiers": [{"type": "dns", "value": name}]})
        if status != 201:
            raise RuntimeError("newOrder: %s %s" % (status, order))
        url = r.getheader("Location")
        _, _, authz = self.post(order["authorizations"][0], None)
        ch = [c for c in authz["challenges"] if c["type"] == "http-01"][0]
        self.post(ch["url"], {})
        order = self.until(url, ("pending",))
        if order.get("status") != "ready":
            raise RuntimeError("order %s: %s" % (name, order))
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])).add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False).sign(
            key, hashes.SHA256())
        _, _, order = self.post(order["finalize"], {
            "csr": b64(csr.public_bytes(serialization.Encoding.DER))})
        if order.get("status") in ("processing", "ready"):
            order = self.until(url, ("processing", "ready"))
        if order.get("status") != "valid":
            raise RuntimeError("finalize %s: %s" % (name, order))
        status, _, pem = self.post(order["certificate"], None)
        if status != 200 or b"BEGIN CERTIFICATE" not in pem:
            raise RuntimeError("certificate %s: %s" % (name, status))
        return pem


def worker(n, args, key_pem, eab, ready, counter, done, out):
    """Client n: its account, then orders while there are some to make;
    the latency of each (seconds) and its failures into out."""
    key = serialization.load_pem_private_key(key_pem, None)
    lat, failed = [], []
    try:
        c = Client(args.directory, args.ca, key)
        c.register(eab)
    except Exception as e:  # noqa: BLE001 (the report names it)
        ready.wait()
        out.put((n, lat, ["account: %s" % e]))
        return
    ready.wait()
    while True:
        with counter.get_lock():
            i = counter.value
            if i >= args.orders:
                break
            counter.value += 1
        t = time.monotonic()
        try:
            c.order("o%d-c%d.%s" % (i, n, DOMAIN))
            lat.append(time.monotonic() - t)
        except Exception as e:  # noqa: BLE001
            failed.append(str(e))
        with done.get_lock():
            done.value += 1
    out.put((n, lat, failed))


def answers(thumbs):
    """http-01 on port 80: TOKEN.THUMBPRINT for the client the Host names."""
    class Answer(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0]
            try:
                thumb = thumbs[int(host.split(".")[0].rsplit("-c", 1)[1])]
            except (IndexError, ValueError):
                self.send_error(404)
                return
            body = (self.path.rsplit("/", 1)[-1] + "." + thumb).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    http.server.ThreadingHTTPServer.request_queue_size = 128
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 80), Answer)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    return web


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("directory")
    ap.add_argument("ca")
    ap.add_argument("clients", type=int)
    ap.add_argument("orders", type=int)
    ap.add_argument("--eab")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--marks", default="")
    args = ap.parse_args()
    eabs = [None] * args.clients
    if args.eab:
        with open(args.eab) as f:
            eabs = [tuple(line.split()) for line in f if line.strip()]
        if len(eabs) < args.clients:
            sys.exit("acme_load: %d EAB keys for %d clients" % (len(eabs), args.clients))
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(args.clients)]
    pems = [k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()) for k in keys]
    mp = multiprocessing.get_context("fork")
    ready = mp.Barrier(args.clients + 1)
    counter, done, out = mp.Value("i", 0), mp.Value("i", 0), mp.Queue()
    procs = [mp.Process(target=worker, args=(n, args, pems[n], eabs[n], ready, counter,
                                             done, out), daemon=True)
             for n in range(args.clients)]
    for p in procs:
        p.start()
    web = answers([thumbprint(k) for k in keys])
    ready.wait()
    start = time.monotonic()
    marks = sorted(set(int(m) for m in args.marks.split(",") if m))
    while marks and any(p.is_alive() for p in procs):
        if done.value >= marks[0]:
            if args.pid:
                print("rss_kib %d %d" % (marks[0], rss_kib(args.pid)), flush=True)
            marks.pop(0)
            continue
        time.sleep(0.05)
    results = [out.get() for _ in procs]
    elapsed = time.monotonic() - start
    for p in procs:
        p.join()
    web.shutdown()
    lat = sorted(x for _, ls, _ in results for x in ls)
    failed = [f for _, _, fs in results for f in fs]
    if marks and args.pid:  # the last mark is the end
        print("rss_kib %d %d" % (marks[0], rss_kib(args.pid)), flush=True)

    def pct(p):
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    print("orders %d seconds %.2f rate %.1f p50_ms %.1f p99_ms %.1f failed %d" % (
        len(lat), elapsed, len(lat) / elapsed, pct(0.50), pct(0.99), len(failed)))
    if failed:
        print("first failure: %s" % failed[0], file=sys.stderr)
    return 1 if failed or not lat else 0


if __name__ == "__main__":
    sys.exit(main())
