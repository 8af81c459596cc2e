#!/usr/bin/python3
"""A small ACME client of its own (RFC 8555), JWS by pyca/cryptography,
that drives sipca serve through what certbot and lego never send: the
error paths and the resources they do not use (keyChange, account
deactivation, revocation by the certificate's key, the orders list).
Prints one "ok DESCRIPTION" or "not ok DESCRIPTION: WHY" per check;
tests/cli/acme_protocol.sh counts them.

usage: protocol.py DIRECTORY_URL CA_PEM EAB_KID EAB_HMAC EAB2_KID EAB2_HMAC
"""
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

sys.path.insert(0, os.path.dirname(__file__))
import client  # noqa: E402
from client import (Key, b64, check, csr_for, eab, jws, nonce,  # noqa: E402
                    post, problem, request, TOKENS)

DIRECTORY, CA_PEM, KID, HMAC_KEY, KID2, HMAC_KEY2 = sys.argv[1:7]
D = client.connect(DIRECTORY, CA_PEM)
web = client.answer_http01()

# The request's form.
a = Key()
st, _, doc = request("POST", D["newAccount"], jws(a, D["newAccount"], {}, nonce()),
                     ctype="application/json")
check("a body that is not application/jose+json: 415", st == 415, st)
st, _, doc = post(a, D["newAccount"], {"onlyReturnExisting": True})
check("onlyReturnExisting for an unknown key: accountDoesNotExist",
      st == 400 and problem(doc) == "accountDoesNotExist", (st, doc))
st, _, doc = post(a, D["newAccount"], {"termsOfServiceAgreed": True})
check("no EAB: externalAccountRequired", problem(doc) == "externalAccountRequired",
      (st, doc))
st, _, doc = post(a, D["newAccount"], {"externalAccountBinding": eab(a, KID, b64(b"x" * 32))})
check("EAB with the wrong HMAC key: unauthorized", st == 401 and
      problem(doc) == "unauthorized", (st, doc))
bad = jws(a, D["newAccount"] + "x", {}, nonce())
st, _, doc = request("POST", D["newAccount"], bad)
doc = json.loads(doc)
check("a JWS for another URL: unauthorized", problem(doc) == "unauthorized", (st, doc))
st, _, doc = post(a, D["newAccount"], {"contact": ["tel:+15551234"],
                                       "externalAccountBinding": eab(a, KID, HMAC_KEY)})
check("a tel: contact: unsupportedContact", problem(doc) == "unsupportedContact",
      (st, doc))

# The account.
st, h, doc = post(a, D["newAccount"], {"contact": ["mailto:a@example.test"],
                                       "externalAccountBinding": eab(a, KID, HMAC_KEY)})
acct = h.get("Location")
check("newAccount with EAB: 201 and a Location", st == 201 and acct, (st, doc))
st, h, doc = post(a, D["newAccount"], {"onlyReturnExisting": True})
check("the same key finds its account: 200, the same Location",
      st == 200 and h.get("Location") == acct, (st, h.get("Location")))

# A nonce used once.
n = nonce()
post(a, acct, None, kid=acct, n=n)
st, h, doc = post(a, acct, None, kid=acct, n=n)
check("a nonce used again: badNonce", st == 400 and problem(doc) == "badNonce", (st, doc))
check("badNonce carries a fresh Replay-Nonce", bool(h.get("Replay-Nonce")) and
      h.get("Replay-Nonce") != n, h.get("Replay-Nonce"))

# The CA's policy on identifiers.
for ids, want, desc in (
        ([{"type": "dns", "value": "*.example.test"}], "rejectedIdentifier", "a wildcard"),
        ([{"type": "dns", "value": "sip.example.org"}], "rejectedIdentifier",
         "a name outside the SIP domain"),
        ([{"type": "email", "value": "a@example.test"}], "unsupportedIdentifier",
         "an email identifier")):
    st, _, doc = post(a, D["newOrder"], {"identifiers": ids}, kid=acct)
    check("newOrder with %s: %s" % (desc, want), problem(doc) == want, (st, doc))

# An order through to its certificate.
st, h, order = post(a, D["newOrder"], {"identifiers": [
    {"type": "dns", "value": "sip.example.test"}]}, kid=acct)
order_url = h.get("Location")
check("newOrder: 201, pending", st == 201 and order["status"] == "pending", (st, order))
_, csr_ok = csr_for(["sip.example.test"])
st, _, doc = post(a, order["finalize"], {"csr": csr_ok}, kid=acct)
check("finalize before the challenge: orderNotReady (403)",
      st == 403 and problem(doc) == "orderNotReady", (st, doc))
_, _, authz = post(a, order["authorizations"][0], None, kid=acct)
types = sorted(c["type"] for c in authz["challenges"])
check("a dns identifier offers dns-01, http-01 and tls-alpn-01",
      types == ["dns-01", "http-01", "tls-alpn-01"], types)
ch = [c for c in authz["challenges"] if c["type"] == "http-01"][0]
TOKENS[ch["token"]] = ch["token"] + "." + a.thumbprint()
st, h, doc = post(a, ch["url"], {}, kid=acct)
check("the http-01 challenge is valid", doc.get("status") == "valid", (st, doc))
check("the challenge links up to its authorization",
      any(order["authorizations"][0] in v and 'rel="up"' in v
          for v in h.get_all("Link") or []), h.get_all("Link"))
_, _, order = post(a, order_url, None, kid=acct)
check("the order is ready", order["status"] == "ready", order)
_, csr_bad = csr_for(["sip.example.test", "pbx.example.test"])
st, _, doc = post(a, order["finalize"], {"csr": csr_bad}, kid=acct)
check("a request naming more than the order: badCSR", problem(doc) == "badCSR", (st, doc))
cert_key, csr_ok = csr_for(["sip.example.test"])
st, _, order = post(a, order["finalize"], {"csr": csr_ok}, kid=acct)
check("finalize: valid with a certificate URL", st == 200 and
      order.get("status") == "valid" and "certificate" in order, (st, order))
st, h, pem = post(a, order["certificate"], None, kid=acct)
# cryptography 38 (Debian 12) reads one PEM certificate at a time.
MARK = b"-----END CERTIFICATE-----"
certs = [x509.load_pem_x509_certificate(part + MARK) for part in pem.split(MARK)
         if part.strip()] if isinstance(pem, bytes) else []
check("the certificate comes with its chain", st == 200 and len(certs) >= 2 and
      h.get("Content-Type") == "application/pem-certificate-chain", (st, len(certs)))
sans = certs[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value \
    if certs else None
check("its names are the order's", sans is not None and
      sans.get_values_for_type(x509.DNSName) == ["sip.example.test"], sans)
st, _, doc = post(a, order["finalize"], {"csr": csr_ok}, kid=acct)
check("finalize again: orderNotReady", problem(doc) == "orderNotReady", (st, doc))
st, _, doc = post(a, acct + "/orders", None, kid=acct)
check("the orders list has the order", st == 200 and order_url in doc.get("orders", []),
      (st, doc))

# A failed validation: nothing answers for pbx.example.test's token.
st, h, order2 = post(a, D["newOrder"], {"identifiers": [
    {"type": "dns", "value": "pbx.example.test"}]}, kid=acct)
_, _, authz = post(a, order2["authorizations"][0], None, kid=acct)
ch = [c for c in authz["challenges"] if c["type"] == "http-01"][0]
_, _, doc = post(a, ch["url"], {}, kid=acct)
check("an http-01 nobody answers: invalid, incorrectResponse",
      doc.get("status") == "invalid" and
      doc.get("error", {}).get("type", "").endswith("incorrectResponse"), doc)
_, _, order2 = post(a, h.get("Location"), None, kid=acct)
check("and the order is invalid", order2["status"] == "invalid", order2)

# Another account sees none of this one's resources.
b = Key()
st, h, _ = post(b, D["newAccount"], {"externalAccountBinding": eab(b, KID2, HMAC_KEY2)})
acct_b = h.get("Location")
check("a second account (its own EAB key)", st == 201, st)
st, _, doc = post(b, order_url, None, kid=acct_b)
check("another account's order: 404", st == 404, (st, doc))
st, _, doc = post(b, acct, None, kid=acct_b)
check("another account's URL: unauthorized", st == 401, (st, doc))
st, _, doc = post(b, order["certificate"], None, kid=acct_b)
check("another account's certificate: 404", st == 404, (st, doc))

# keyChange (RFC 8555 7.3.5): the old key no longer signs for the account.
c = Key()
inner = jws(c, D["keyChange"], {"account": acct, "oldKey": a.jwk})
st, _, doc = post(a, D["keyChange"], inner, kid=acct)
check("keyChange: 200", st == 200, (st, doc))
st, _, doc = post(a, acct, None, kid=acct)
check("the old key no longer signs for the account", st >= 400, (st, doc))
st, _, doc = post(c, acct, None, kid=acct)
check("the new key does", st == 200 and doc.get("status") == "valid", (st, doc))
st, h, _ = post(c, D["newAccount"], {"onlyReturnExisting": True})
check("the new key finds the account", h.get("Location") == acct, h.get("Location"))
inner = jws(b, D["keyChange"], {"account": acct_b, "oldKey": b.jwk})
st, _, doc = post(b, D["keyChange"], {"bad": inner}, kid=acct_b)
check("keyChange with no JWS inside: malformed", problem(doc) == "malformed", (st, doc))
inner = jws(c, D["keyChange"], {"account": acct_b, "oldKey": b.jwk})
st, _, doc = post(b, D["keyChange"], inner, kid=acct_b)
check("keyChange to a key another account has: refused", st == 409, (st, doc))

# Revocation by the certificate's own key (the jwk form).
ck = Key.__new__(Key)
ck.key = cert_key
nums = cert_key.public_key().public_numbers()
ck.jwk = {"crv": "P-256", "kty": "EC", "x": b64(nums.x.to_bytes(32, "big")),
          "y": b64(nums.y.to_bytes(32, "big"))}
der = b64(certs[0].public_bytes(serialization.Encoding.DER))
st, _, doc = post(b, D["revokeCert"], {"certificate": der}, kid=acct_b)
check("revocation by an account that did not order it: unauthorized",
      st == 403 and problem(doc) == "unauthorized", (st, doc))
st, _, doc = post(ck, D["revokeCert"], {"certificate": der, "reason": 2})
check("reason 2 (cACompromise): badRevocationReason",
      problem(doc) == "badRevocationReason", (st, doc))
st, _, doc = post(ck, D["revokeCert"], {"certificate": der, "reason": 1})
check("revocation signed by the certificate's key: 200", st == 200, (st, doc))
st, _, doc = post(ck, D["revokeCert"], {"certificate": der})
check("revoked again: alreadyRevoked", problem(doc) == "alreadyRevoked", (st, doc))
print("serial %x" % certs[0].serial_number)

# Deactivation (7.3.6): then the account is refused.
st, _, doc = post(c, acct, {"status": "deactivated"}, kid=acct)
check("deactivate the account", st == 200 and doc.get("status") == "deactivated",
      (st, doc))
st, _, doc = post(c, D["newOrder"], {"identifiers": [
    {"type": "dns", "value": "sip.example.test"}]}, kid=acct)
check("a deactivated account is refused: unauthorized",
      problem(doc) == "unauthorized", (st, doc))

# The rate limit (the server runs with --orders-per-hour 3).
codes = []
for i in range(4):
    st, h, doc = post(b, D["newOrder"], {"identifiers": [
        {"type": "dns", "value": "sip.example.test"}]}, kid=acct_b)
    codes.append(st)
check("the fourth order in an hour: rateLimited with Retry-After",
      codes[:3] == [201, 201, 201] and codes[3] == 429 and
      problem(doc) == "rateLimited" and h.get("Retry-After"), (codes, doc))

web.shutdown()
sys.exit(1 if client.FAILED else 0)
