#!/usr/bin/env python3
"""Offline check of a govshare audit record, for inspectors (docs/AUDIT.md).

Usage: audit_verify_inclusion.py KEY.json STH.json PROOF.json
  KEY.json   = GET /api/v1/audit/key
  STH.json   = GET /api/v1/audit/sth
  PROOF.json = GET /api/v1/audit/proof/inclusion?leaf_index=N&tree_size=<STH tree_size>
Optionally RECORD.hex: the record's canonical bytes in hex, to check that they hash to the proven leaf.

Prints "yes" and exits 0 when the tree head's Ed25519 signature is valid under the key and the record is in that
tree (RFC 9162 inclusion proof); prints "no: <reason>" and exits 1 otherwise. Needs only Python 3 and the openssl
command (for Ed25519); nothing is fetched from anywhere.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, size, path, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_signature(public_key_hex, message, signature_hex):
    # An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte DER prefix followed by the 32-byte key.
    der = bytes.fromhex("302a300506032b6570032100") + bytes.fromhex(public_key_hex)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: os.path.join(tmp, name) for name in ("key.der", "msg", "sig")}
        with open(paths["key.der"], "wb") as f:
            f.write(der)
        with open(paths["msg"], "wb") as f:
            f.write(message.encode())
        with open(paths["sig"], "wb") as f:
            f.write(bytes.fromhex(signature_hex))
        result = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["key.der"], "-rawin",
             "-in", paths["msg"], "-sigfile", paths["sig"]],
            capture_output=True)
        return result.returncode == 0


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__)
        return 2
    key, sth, proof = (json.load(open(p)) for p in argv[1:4])
    message = "govshare-sth-v1\n%d\n%s\n%d" % (sth["tree_size"], sth["root_hash"], sth["timestamp_ms"])
    if not verify_signature(key["public_key"], message, sth["signature"]):
        print("no: the tree head's signature is not valid under this key")
        return 1
    if proof["tree_size"] != sth["tree_size"]:
        print("no: the proof is for tree size %d, the head is for %d" % (proof["tree_size"], sth["tree_size"]))
        return 1
    leaf = bytes.fromhex(proof["leaf_hash"])
    if len(argv) == 5:
        record = bytes.fromhex(open(argv[4]).read().strip())
        if hashlib.sha256(b"\x00" + record).digest() != leaf:
            print("no: the record's bytes do not hash to the proven leaf")
            return 1
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    if not verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path, bytes.fromhex(sth["root_hash"])):
        print("no: the record is not in the tree of this head")
        return 1
    print("yes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
