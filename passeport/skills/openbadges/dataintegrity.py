"""The Data Integrity cryptosuite `eddsa-rdfc-2022` (W3C vc-di-eddsa): RDFC-1.0
canonicalisation of the document and of the proof options, SHA-256 of both, Ed25519
signature of hash(proof options) ‖ hash(document), `proofValue` in base58-btc."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .loader import canonize, check_no_dropped_terms
from .multibase import decode_z, encode_z

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


def _hash_data(document: dict, proof_options: dict, *, strict: bool) -> bytes:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = document["@context"]
    doc_nq = canonize(unsecured)
    opt_nq = canonize(options)
    if strict:
        check_no_dropped_terms(unsecured, doc_nq)
        check_no_dropped_terms(options, opt_nq)
    return hashlib.sha256(opt_nq.encode()).digest() + hashlib.sha256(doc_nq.encode()).digest()


def sign(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str,
         created: str, proof_purpose: str = "assertionMethod") -> dict:
    """A copy of `document` with one more `eddsa-rdfc-2022` proof in its `proof` array."""
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(document, proof, strict=True))
    proof["proofValue"] = encode_z(signature)
    signed = copy.deepcopy(document)
    signed["proof"] = [*document.get("proof", []), proof]
    return signed


@dataclass
class ProofCheck:
    ok: bool
    verification_method: str = ""
    reason: str = ""


def verify(document: dict, *, resolve_key) -> ProofCheck:
    """Check the document's `eddsa-rdfc-2022` proof(s). `resolve_key(verification_method)`
    returns the raw 32-byte Ed25519 public key (or None when unknown)."""
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not proofs:
        return ProofCheck(False, reason="no_proof")
    for proof in proofs:
        if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
            return ProofCheck(False, reason="unsupported_proof")
        method = proof.get("verificationMethod", "")
        raw = resolve_key(method)
        if raw is None:
            return ProofCheck(False, method, "unknown_key")
        try:
            signature = decode_z(proof.get("proofValue", ""))
            Ed25519PublicKey.from_public_bytes(raw).verify(
                signature, _hash_data(document, proof, strict=False))
        except (InvalidSignature, ValueError):
            return ProofCheck(False, method, "bad_signature")
        except Exception:  # noqa: BLE001 - malformed JSON-LD from outside
            return ProofCheck(False, method, "malformed")
    return ProofCheck(True, proofs[0].get("verificationMethod", ""))
