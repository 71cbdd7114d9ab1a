"""Independent check of CACAO `jss` signatures, written without any cacao code.

Verifies every signature and countersignature of a playbook with PyPI `cryptography` and
`rfc8785`, following the procedure of CACAO 2.0 section 10.15 and the corpus README: keep only
the chain's top-level signature, drop `value` and any nested `signature` from the signature under
test, canonicalise with RFC 8785, hash to a lowercase hex string, and verify that string.

Usage: python verify_jss.py PLAYBOOK.json   (exit 0 when every signature verifies)
"""

import base64
import hashlib
import json
import sys

import rfc8785
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
RSA_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def b64url(text):
    if any(c in text for c in "+/="):
        raise ValueError("value is not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_one(public_key, algorithm, message, value):
    if algorithm.startswith("RS"):
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(value, message, padding.PKCS1v15(), RSA_HASHES[algorithm[2:]]())
    elif algorithm.startswith("PS"):
        assert isinstance(public_key, rsa.RSAPublicKey)
        digest = RSA_HASHES[algorithm[2:]]()
        public_key.verify(
            value,
            message,
            padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size),
            digest,
        )
    elif algorithm.startswith("ES"):
        curve, digest, width = {
            "ES256": (ec.SECP256R1, hashes.SHA256, 32),
            "ES384": (ec.SECP384R1, hashes.SHA384, 48),
            "ES512": (ec.SECP521R1, hashes.SHA512, 66),
        }[algorithm]
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        assert isinstance(public_key.curve, curve)
        assert len(value) == 2 * width, "ECDSA value is not fixed-width R||S"
        r = int.from_bytes(value[:width], "big")
        s = int.from_bytes(value[width:], "big")
        public_key.verify(encode_dss_signature(r, s), message, ec.ECDSA(digest()))
    elif algorithm == "Ed25519":
        assert isinstance(public_key, ed25519.Ed25519PublicKey)
        public_key.verify(value, message)
    else:
        raise ValueError(f"algorithm {algorithm} not handled by this checker")


def main(path):
    with open(path, encoding="utf-8") as handle:
        playbook = json.load(handle)
    checked = 0
    for index, top in enumerate(playbook.get("signatures", [])):
        depth = 0
        node = top
        while isinstance(node, dict):
            chain = json.loads(json.dumps(top))
            under_test = chain
            for _ in range(depth):
                under_test = under_test["signature"]
            value = b64url(under_test.pop("value"))
            under_test.pop("signature", None)
            covered = dict(playbook)
            covered["signatures"] = [chain]

            assert under_test["type"] == "jss"
            assert under_test["related_to"] == playbook["id"]
            assert under_test["related_version"] == playbook["modified"]
            digest = HASHES[under_test["hash_algorithm"]](rfc8785.dumps(covered)).hexdigest()
            der = base64.b64decode(under_test["public_key"])
            public_key = serialization.load_der_public_key(der)
            verify_one(public_key, under_test["algorithm"], digest.encode("ascii"), value)
            print(f"ok /signatures/{index}{'/signature' * depth} {under_test['algorithm']}")
            checked += 1
            node = node.get("signature")
            depth += 1
    if checked == 0:
        print("no signatures")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
