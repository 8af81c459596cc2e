#!/usr/bin/env python3
"""Builds X.509 certificates byte by byte for sipca's lint tests.

Certificate tools refuse to write what the linter must catch (negative
or 21-octet serials, GeneralizedTime before 2050, duplicate extensions,
trailing octets), so this writes the DER itself and signs the
tbsCertificate with "openssl dgst -sign". Standard library only.

  mkcert.py --key leaf.key --sign ca.key --cn sip.example.com \\
      --san DNS:sip.example.com --eku server,client -o out.pem
"""
import argparse
import base64
import datetime
import hashlib
import ipaddress
import os
import subprocess
import sys
import tempfile


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def integer_raw(octets):
    return tlv(0x02, octets)


def integer(v):
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(0x02, v.to_bytes(n, "big", signed=True))


def name(cns, org=None, cns_hex=(), empty_rdn=False):
    rdns = [tlv(0x31, b"")] if empty_rdn else []
    if org:
        rdns.append(tlv(0x31, seq(oid("2.5.4.10"), tlv(0x0C, org.encode()))))
    for cn in cns:
        rdns.append(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, cn.encode()))))
    for spec in cns_hex:
        tag, _, value = spec.partition(":")
        rdns.append(tlv(0x31, seq(oid("2.5.4.3"), tlv(int(tag, 16), bytes.fromhex(value)))))
    return seq(*rdns)


def asn1_time(spec):
    """U:YYMMDDHHMMSSZ, G:YYYYMMDDHHMMSSZ, or an ISO date picked by RFC 5280."""
    if spec[:2] in ("U:", "G:"):
        return tlv(0x17 if spec[0] == "U" else 0x18, spec[2:].encode())
    t = datetime.datetime.strptime(spec, "%Y-%m-%dT%H:%M:%SZ")
    if t.year < 2050:
        return tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(0x18, t.strftime("%Y%m%d%H%M%SZ").encode())


def ext(oid_s, critical, value):
    """critical: True (FF), False (absent, as DER has it), or the octet
    of a BOOLEAN to write as it is: 0x00 (FALSE written out), 0x01."""
    items = [oid(oid_s)]
    if critical is True:
        items.append(tlv(0x01, b"\xff"))
    elif critical is not False:
        items.append(tlv(0x01, bytes([critical])))
    items.append(tlv(0x04, value))
    return (oid_s, seq(*items))


KU_BITS = {
    "digitalSignature": 0, "nonRepudiation": 1, "keyEncipherment": 2,
    "dataEncipherment": 3, "keyAgreement": 4, "keyCertSign": 5,
    "cRLSign": 6,
}


def key_usage(names):
    v = 0
    for n in names:
        v |= 0x8000 >> KU_BITS[n]
    octets = v.to_bytes(2, "big").rstrip(b"\x00") or b"\x00"
    last = octets[-1]
    unused = (last & -last).bit_length() - 1 if last else 0
    return tlv(0x03, bytes([unused]) + octets)


SAN_TAGS = {"EMAIL": 0x81, "DNS": 0x82, "URI": 0x86, "IP": 0x87}


def general_name_hex(spec):
    """TYPE:HEX, the octets as given: a NUL, bytes above 0x7F, an
    iPAddress of any length, which no certificate tool writes."""
    kind, _, value = spec.partition(":")
    if kind not in SAN_TAGS:
        raise SystemExit("mkcert: unknown SAN type: " + spec)
    return tlv(SAN_TAGS[kind], bytes.fromhex(value))


def general_name(spec):
    kind, _, value = spec.partition(":")
    if kind == "DNS":
        return tlv(0x82, value.encode())
    if kind == "URI":
        return tlv(0x86, value.encode())
    if kind == "IP":
        return tlv(0x87, ipaddress.ip_address(value).packed)
    if kind == "EMAIL":
        return tlv(0x81, value.encode())
    raise SystemExit("mkcert: unknown SAN type: " + spec)


def run(args, data=None):
    return subprocess.run(args, input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True, help="subject key (PEM)")
    ap.add_argument("--sign", required=True, help="signing key (PEM)")
    ap.add_argument("--cn", action="append", default=[])
    ap.add_argument("--org")
    ap.add_argument("--issuer-cn", action="append")
    ap.add_argument("--issuer-org")
    ap.add_argument("--serial", default="01", help="INTEGER content octets, hex")
    ap.add_argument("--not-before", default="2026-01-01T00:00:00Z")
    ap.add_argument("--not-after", default="2027-01-01T00:00:00Z")
    ap.add_argument("--hash", default="sha256", choices=["sha256", "sha1", "md5"])
    ap.add_argument("--san", action="append", default=[])
    ap.add_argument("--san-hex", action="append", default=[],
                    help="TYPE:HEX (DNS, URI, IP, EMAIL), raw octets after --san's")
    ap.add_argument("--cn-hex", action="append", default=[],
                    help="TAG:HEX, a CN of this string tag (0c UTF8, 13 Printable, 16 IA5, 1e BMP) and raw octets")
    ap.add_argument("--empty-rdn", action="store_true",
                    help="begin the subject with an empty RelativeDistinguishedName")
    ap.add_argument("--eku", help="server,client,any")
    ap.add_argument("--ku", help="digitalSignature,keyEncipherment,...")
    ap.add_argument("--ku-critical", action="store_true")
    ap.add_argument("--bc", choices=["ca", "leaf"])
    ap.add_argument("--bc-noncritical", action="store_true")
    ap.add_argument("--ski", action="store_true")
    ap.add_argument("--aki", action="store_true")
    ap.add_argument("--ext", action="append", default=[],
                    help="OID:critical:HEX, a raw extension; critical 0 or 1,"
                    " or B00/B01 for a BOOLEAN written with that octet")
    ap.add_argument("--dup-ext", help="repeat this extension OID")
    ap.add_argument("--trailing", type=int, default=0)
    ap.add_argument("--der", action="store_true")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()

    spki = run(["openssl", "pkey", "-in", a.key, "-pubout", "-outform", "DER"])
    signer_pub = run(["openssl", "pkey", "-in", a.sign, "-pubout", "-outform", "DER"])
    is_ec = b"\x2a\x86\x48\xce\x3d\x02\x01" in signer_pub
    if is_ec:
        sig_oid = {"sha256": "1.2.840.10045.4.3.2", "sha1": "1.2.840.10045.4.1"}[a.hash]
        alg = seq(oid(sig_oid))
    else:
        sig_oid = {"sha256": "1.2.840.113549.1.1.11", "sha1": "1.2.840.113549.1.1.5",
                   "md5": "1.2.840.113549.1.1.4"}[a.hash]
        alg = seq(oid(sig_oid), b"\x05\x00")

    exts = []
    if a.bc:
        body = seq(tlv(0x01, b"\xff")) if a.bc == "ca" else seq()
        exts.append(ext("2.5.29.19", not a.bc_noncritical, body))
    if a.ku:
        exts.append(ext("2.5.29.15", a.ku_critical, key_usage(a.ku.split(","))))
    if a.eku:
        ids = {"server": "1.3.6.1.5.5.7.3.1", "client": "1.3.6.1.5.5.7.3.2",
               "any": "2.5.29.37.0"}
        exts.append(ext("2.5.29.37", False,
                        seq(*[oid(ids[x]) for x in a.eku.split(",")])))
    if a.san or a.san_hex:
        exts.append(ext("2.5.29.17", False, seq(*[general_name(s) for s in a.san],
                                                *[general_name_hex(s) for s in a.san_hex])))
    if a.ski:
        exts.append(ext("2.5.29.14", False, tlv(0x04, hashlib.sha1(spki).digest())))
    if a.aki:
        keyid = hashlib.sha1(signer_pub).digest()
        exts.append(ext("2.5.29.35", False, seq(tlv(0x80, keyid))))
    for e in a.ext:
        o, crit, hexval = e.split(":")
        flag = int(crit[1:], 16) if crit.startswith("B") else crit == "1"
        exts.append(ext(o, flag, bytes.fromhex(hexval)))
    if a.dup_ext:
        exts += [e for e in exts if e[0] == a.dup_ext][:1]

    tbs_items = [tlv(0xA0, integer(2)), integer_raw(bytes.fromhex(a.serial)), alg,
                 name(a.issuer_cn if a.issuer_cn is not None else a.cn, a.issuer_org),
                 seq(asn1_time(a.not_before), asn1_time(a.not_after)),
                 name(a.cn, a.org, a.cn_hex, a.empty_rdn), spki]
    if exts:
        tbs_items.append(tlv(0xA3, seq(*[e[1] for e in exts])))
    tbs = seq(*tbs_items)

    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(tbs)
        tbs_path = f.name
    try:
        sig = run(["openssl", "dgst", "-" + a.hash, "-sign", a.sign, tbs_path])
    finally:
        os.unlink(tbs_path)
    cert = seq(tbs, alg, tlv(0x03, b"\x00" + sig)) + b"\x00" * a.trailing

    with open(a.out, "wb") as f:
        if a.der:
            f.write(cert)
        else:
            b64 = base64.b64encode(cert).decode()
            f.write(b"-----BEGIN CERTIFICATE-----\n")
            for i in range(0, len(b64), 64):
                f.write(b64[i:i + 64].encode() + b"\n")
            f.write(b"-----END CERTIFICATE-----\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
