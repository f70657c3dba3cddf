"""An independent verifier of eddsa-rdfc-2022 proofs, written for the tests from the
W3C vc-di-eddsa specification with pyld (URDNA2015) and `cryptography` (Ed25519) only:
it shares no code with passeport.skills.openbadges (its own document loader, its own
base58 decoder)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

SHARED = Path("/work/shared/data/openbadges-3.0")
PROJECT = Path(__file__).resolve().parents[2] / "passeport/skills/openbadges/contexts"
FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
}


def loader(url, options=None):
    name = FILES[url]
    folder = SHARED if (SHARED / name).exists() else PROJECT
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads((folder / name).read_text())}


def nquads(doc: dict) -> str:
    return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                  "documentLoader": loader})


def b58(text: str) -> bytes:
    """base58-btc as Bitcoin defines it: each leading "1" is a leading zero byte (an
    Ed25519 signature starts with 0x00 once in 256)."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = 0
    for c in text:
        n = n * 58 + alphabet.index(c)
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + (n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b"")


def public_key(multikey: str) -> bytes:
    data = b58(multikey[1:])
    assert data[:2] == b"\xed\x01"
    return data[2:]


def verify(credential: dict, raw_public_key: bytes) -> bool:
    assert isinstance(credential["proof"], list)
    proof = credential["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    document = {k: v for k, v in credential.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = credential["@context"]
    data = (hashlib.sha256(nquads(options).encode()).digest()
            + hashlib.sha256(nquads(document).encode()).digest())
    try:
        Ed25519PublicKey.from_public_bytes(raw_public_key).verify(b58(proof["proofValue"][1:]), data)
    except InvalidSignature:
        return False
    return True
