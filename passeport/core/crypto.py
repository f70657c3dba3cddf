"""Encryption of sensitive fields and keyed hashes, with a key from the environment.

Values are sealed with AES-256-GCM under a key derived (HKDF) from
`settings.PASSEPORT_DATA_KEY`; the stored form carries a version prefix so that the
algorithm can evolve. Keyed hashes (HMAC-SHA256 under another derived key) let us find
duplicates without storing the value in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"


@lru_cache(maxsize=8)
def _derive(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        master.encode()
    )


def _key(purpose: bytes) -> bytes:
    return _derive(settings.PASSEPORT_DATA_KEY, purpose)


def seal(plaintext: str, *, context: str) -> str:
    """Encrypt `plaintext`; `context` is authenticated (binds the value to its field)."""
    nonce = os.urandom(12)
    data = AESGCM(_key(b"passeport-field-encryption")).encrypt(
        nonce, plaintext.encode(), context.encode()
    )
    return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + data).decode()}"


def unseal(token: str, *, context: str) -> str:
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("Unknown encryption version")
    raw = base64.urlsafe_b64decode(payload)
    return (
        AESGCM(_key(b"passeport-field-encryption"))
        .decrypt(raw[:12], raw[12:], context.encode())
        .decode()
    )


def keyed_hash(value: str, *, purpose: str) -> str:
    key = _key(b"passeport-keyed-hash:" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Hash of a high-entropy token (API tokens, invitation links)."""
    return hashlib.sha256(token.encode()).hexdigest()
