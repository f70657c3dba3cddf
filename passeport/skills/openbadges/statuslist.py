"""Bitstring Status List (W3C): a GZIP-compressed bitstring, base64url without padding
with the multibase prefix `u`; bit i (most significant bit first) is 1 when the
credential at index i is revoked."""

from __future__ import annotations

import base64
import gzip


def encode(bits: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (u…)")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def get_bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytes, index: int, value: bool = True) -> bytes:
    data = bytearray(bits)
    if value:
        data[index // 8] |= 0x80 >> (index % 8)
    else:
        data[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    return bytes(data)
