"""Multibase / multicodec helpers for Ed25519 keys and signatures (base58-btc, `z…`)."""

from __future__ import annotations

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub
ED25519_PRIV_PREFIX = b"\x80\x26"  # multicodec ed25519-priv


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        if c not in _INDEX:
            raise ValueError("invalid base58 character")
        n = n * 58 + _INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def encode_z(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_z(text: str) -> bytes:
    if not text or text[0] != "z":
        raise ValueError("expected a base58-btc multibase value (z…)")
    return b58decode(text[1:])


def public_key_multibase(raw: bytes) -> str:
    return encode_z(ED25519_PUB_PREFIX + raw)


def public_key_from_multibase(text: str) -> bytes:
    data = decode_z(text)
    if data[:2] != ED25519_PUB_PREFIX or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]
