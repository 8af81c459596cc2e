"""What the test's own ACME clients share (RFC 8555), JWS by
pyca/cryptography (the Debian python3 that certbot runs on): the account
key, JWS, signed requests, EAB, a CSR, and the http-01 answers on port 80
of the test's namespace. connect() first.
"""
import base64
import hashlib
import hmac
import http.server
import json
import ssl
import threading
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID

CTX = None     # the TLS context trusting the CA (connect())
D = None       # the directory
FAILED = 0


def connect(directory, ca_pem):
    """Reads the directory, trusting ca_pem; returns it."""
    global CTX, D
    CTX = ssl.create_default_context(cafile=ca_pem)
    D = json.loads(request("GET", directory)[2])
    return D


def check(desc, cond, why=""):
    """One line for the test script to count."""
    global FAILED
    if cond:
        print("ok " + desc, flush=True)
    else:
        FAILED += 1
        print("not ok %s: %s" % (desc, why), flush=True)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Key:
    """An ES256 account key and what JWS needs of it."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        nums = self.key.public_key().public_numbers()
        self.jwk = {"crv": "P-256", "kty": "EC",
                    "x": b64(nums.x.to_bytes(32, "big")),
                    "y": b64(nums.y.to_bytes(32, "big"))}

    def thumbprint(self):
        ordered = json.dumps(self.jwk, sort_keys=True, separators=(",", ":"))
        return b64(hashlib.sha256(ordered.encode()).digest())

    def sign(self, data):
        r, s = utils.decode_dss_signature(
            self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def jws(key, url, payload, nonce=None, kid=None):
    prot = {"alg": "ES256", "url": url}
    if nonce is not None:
        prot["nonce"] = nonce
    if kid is not None:
        prot["kid"] = kid
    else:
        prot["jwk"] = key.jwk
    p = b64(json.dumps(prot).encode())
    body = "" if payload is None else b64(json.dumps(payload).encode())
    sig = key.sign(("%s.%s" % (p, body)).encode())
    return {"protected": p, "payload": body, "signature": b64(sig)}


def request(method, url, body=None, ctype="application/jose+json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def nonce():
    return request("HEAD", D["newNonce"])[1]["Replay-Nonce"]


def post(key, url, payload, kid=None, n=None):
    """A signed POST; the status, headers and body (JSON when it is)."""
    status, headers, raw = request("POST", url, jws(key, url, payload,
                                                    n or nonce(), kid))
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = raw
    return status, headers, doc


def problem(doc):
    return doc.get("type", "").rsplit(":", 1)[-1] if isinstance(doc, dict) else ""


def eab(key, kid, hmac_b64):
    url = D["newAccount"]
    prot = b64(json.dumps({"alg": "HS256", "kid": kid, "url": url}).encode())
    payload = b64(json.dumps(key.jwk).encode())
    mac = hmac.new(unb64(hmac_b64), ("%s.%s" % (prot, payload)).encode(),
                   hashlib.sha256).digest()
    return {"protected": prot, "payload": payload, "signature": b64(mac)}


def csr_for(names, key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    req = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    ).add_extension(x509.SubjectAlternativeName(
        [x509.DNSName(n) for n in names]), critical=False).sign(key, hashes.SHA256())
    return key, b64(req.public_bytes(serialization.Encoding.DER))


# http-01 answers, from this process, on port 80 of the test's namespace.
TOKENS = {}


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        token = self.path.rsplit("/", 1)[-1]
        body = TOKENS.get(token)
        self.send_response(200 if body else 404)
        self.end_headers()
        if body:
            self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def answer_http01():
    """Serves TOKENS' key authorizations on port 80, from a thread."""
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 80), Answer)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    return web
