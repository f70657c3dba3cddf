"""The VC-JWT form of an OpenBadgeCredential (Open Badges 3.0 §8.2.4): a JWS signed RS256
with the issuer's RSA key; the payload carries the credential (without its Data
Integrity proof) in `vc`, with `iss`, `jti`, `nbf`, `exp` and `sub` taken from it."""

from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from passeport.core.crypto import seal, unseal

from . import credentials as cr


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(n: int) -> str:
    return _b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def _seal_context(issuer_uid, number: int) -> str:
    base = f"skills-issuer-jwt-key:{issuer_uid}"
    return base if number == 1 else f"{base}:{number}"


def kid(issuer_uid, number: int = 1) -> str:
    """The JWK `kid` of an issuer's RSA key: distinct per key (the first keeps its own)."""
    return f"{issuer_uid}-rs256" if number == 1 else f"{issuer_uid}-rs256-{number}"


def new_rsa_key(issuer_uid, number: int = 1) -> tuple[dict, str]:
    """(public JWK, sealed private key PEM) for an issuer's VC-JWT key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": _int(numbers.n), "e": _int(numbers.e), "alg": "RS256", "use": "sig",
           "kid": kid(issuer_uid, number)}
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return jwk, seal(pem, context=_seal_context(issuer_uid, number))


def jwks_url(issuer) -> str:
    return f"{cr.issuer_url(issuer)}/jwks"


def encode(credential: dict, key) -> str:
    """The VC-JWT of a credential, signed with an `IssuerKey`'s RSA key (the current one)."""
    issuer = key.issuer
    vc = {k: v for k, v in credential.items() if k != "proof"}
    claims = {"vc": vc, "iss": cr.issuer_url(issuer), "jti": vc["id"],
              "nbf": int(cr.parse_iso(vc["validFrom"]).timestamp())}
    if vc.get("validUntil"):
        claims["exp"] = int(cr.parse_iso(vc["validUntil"]).timestamp())
    if vc["credentialSubject"].get("id"):
        claims["sub"] = vc["credentialSubject"]["id"]
    header = {"alg": "RS256", "typ": "JWT", "kid": key.jwt_public_jwk["kid"], "jku": jwks_url(issuer)}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims, ensure_ascii=False).encode())}"
    pem = unseal(key.jwt_private_key_sealed, context=_seal_context(issuer.uid, key.number))
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def decode(token: str, *, resolve_jwk) -> tuple[dict | None, str]:
    """(the credential in `vc`, "") when the RS256 signature verifies with the JWK that
    `resolve_jwk(kid, iss)` gives; (None, reason) otherwise."""
    try:
        header_b64, payload_b64, signature_b64 = token.strip().split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(payload_b64))
    except ValueError:
        return None, "malformed"
    if header.get("alg") != "RS256":
        return None, "unsupported_alg"
    jwk = resolve_jwk(header.get("kid", ""), claims.get("iss", ""))
    if not jwk:
        return None, "unknown_key"
    try:
        public = rsa.RSAPublicNumbers(int.from_bytes(_unb64(jwk["e"]), "big"),
                                      int.from_bytes(_unb64(jwk["n"]), "big")).public_key()
        public.verify(_unb64(signature_b64), f"{header_b64}.{payload_b64}".encode(),
                      padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, KeyError, ValueError):
        return None, "bad_signature"
    vc = claims.get("vc")
    if not isinstance(vc, dict) or claims.get("jti") != vc.get("id"):
        return None, "malformed"
    issuer = vc.get("issuer")
    if claims.get("iss") != (issuer.get("id") if isinstance(issuer, dict) else issuer):
        return None, "issuer_mismatch"
    return vc, ""
