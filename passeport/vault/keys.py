"""Key-encryption keys (KEK) of the safe and the wrapping of per-file data keys.

Every file has its own random 256-bit data key. That key is stored only wrapped
(encrypted with AES-256-GCM) under a key-encryption key derived from the master key
material given by the environment (`PASSEPORT_VAULT_MASTER_KEY` or its `_FILE`), never
stored in the database nor in the repository. Wrapping authenticates the id of the
object (the file version) and the content algorithm, so that a wrapped key copied onto
another row does not unwrap there.

Rotation: the operator puts a new master key in `PASSEPORT_VAULT_MASTER_KEY` and the
old one in `PASSEPORT_VAULT_PREVIOUS_KEYS`; files stay readable (each row names the id of
its KEK) and `manage.py vault_rotate_keys` re-wraps every data key under the new KEK,
after which the old key can be removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

WRAP_ALGORITHM = "aes-256-gcm-wrap-v1"
DATA_KEY_BYTES = 32
_NONCE_BYTES = 12
MIN_MATERIAL_LENGTH = 32


class VaultKeyError(Exception):
    """A key is missing or a wrapped key does not unwrap (wrong key, or tampered row)."""


@dataclass(frozen=True)
class Kek:
    id: str
    key: bytes


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@lru_cache(maxsize=16)
def kek_from_material(material: str) -> Kek:
    """The KEK and its public id, both derived from the master key material (the id is
    a separate HKDF output: it reveals nothing about the key)."""
    material = material.strip()
    if len(material) < MIN_MATERIAL_LENGTH:
        raise VaultKeyError(
            "A vault master key must hold at least 32 characters of random material "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    raw = material.encode()
    key = _hkdf(raw, b"passeport-vault-kek-v1")
    key_id = "k" + _hkdf(raw, b"passeport-vault-kek-id-v1")[:8].hex()
    return Kek(id=key_id, key=key)


class KeyRing:
    """The current KEK (used to wrap) and the previous ones (used only to unwrap)."""

    def __init__(self, current: str, previous: list[str] | tuple[str, ...] = ()):
        self.current = kek_from_material(current)
        self._by_id = {self.current.id: self.current}
        for material in previous:
            kek = kek_from_material(material)
            self._by_id.setdefault(kek.id, kek)

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, kek_id: str) -> Kek:
        try:
            return self._by_id[kek_id]
        except KeyError:
            raise VaultKeyError(f"Key {kek_id} is not configured (PASSEPORT_VAULT_PREVIOUS_KEYS?)") from None

    def wrap(self, data_key: bytes, *, object_id: bytes, algorithm: str) -> tuple[str, bytes]:
        """(kek id, nonce || AES-GCM(data key)) under the current KEK."""
        nonce = os.urandom(_NONCE_BYTES)
        wrapped = AESGCM(self.current.key).encrypt(nonce, data_key, _wrap_aad(object_id, algorithm))
        return self.current.id, nonce + wrapped

    def unwrap(self, kek_id: str, wrapped: bytes, *, object_id: bytes, algorithm: str) -> bytes:
        kek = self.get(kek_id)
        wrapped = bytes(wrapped)
        try:
            key = AESGCM(kek.key).decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:],
                                          _wrap_aad(object_id, algorithm))
        except InvalidTag:
            raise VaultKeyError("The wrapped data key does not unwrap (wrong key or tampered row).") from None
        if len(key) != DATA_KEY_BYTES:
            raise VaultKeyError("Unexpected data key length.")
        return key


def _wrap_aad(object_id: bytes, algorithm: str) -> bytes:
    return b"passeport-vault-data-key|" + WRAP_ALGORITHM.encode() + b"|" + algorithm.encode() + b"|" + object_id


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def keyring() -> KeyRing:
    """The key ring of the settings (cheap: KEK derivation is cached)."""
    return _keyring(settings.PASSEPORT_VAULT_MASTER_KEY, tuple(settings.PASSEPORT_VAULT_PREVIOUS_KEYS))


@lru_cache(maxsize=8)
def _keyring(current: str, previous: tuple[str, ...]) -> KeyRing:
    return KeyRing(current, previous)
