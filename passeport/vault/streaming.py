"""Streaming authenticated encryption of the safe's files (constant memory).

Format `aes-256-gcm-stream-64k-v1`, the STREAM construction (Hoang, Reyhanitabar,
Rogaway and Vizár, 2015) as used by Tink's streaming AEAD and by age:

    header  = b"PPV\\x01" | algorithm id (1 byte) | segment size (4 bytes, big endian)
              | nonce prefix (7 random bytes)                              -- 16 bytes
    segment = AES-256-GCM(data key, nonce, plaintext[i], aad)              -- size + 16
    nonce   = nonce prefix | i (4 bytes, big endian) | 1 if last segment else 0
    aad     = header | id of the stored object (16 bytes)

Each segment is authenticated on its own, its position is in its nonce, and only the
final segment carries the "last" flag: a flipped byte, a reordered, dropped, repeated
or appended segment, a truncated file or a blob copied onto another object all fail
with `VaultIntegrityError`. A plaintext byte is never returned from a segment whose tag
has not been checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHM = "aes-256-gcm-stream-64k-v1"
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
MAGIC = b"PPV\x01"
ALGORITHM_ID = 1
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + 1 + 4 + PREFIX_SIZE
MAX_SEGMENTS = 2**32


class VaultIntegrityError(Exception):
    """The ciphertext was altered, truncated or does not belong to this object."""


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= MAX_SEGMENTS:
        raise VaultIntegrityError("Too many segments.")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class StreamEncryptor:
    """Feed plaintext with `update`, then `finalize`; write `header` first. One full
    segment is held back until more data arrives, to know whether it is the last."""

    def __init__(self, key: bytes, object_id: bytes, *, segment_size: int = SEGMENT_SIZE):
        self._aead = AESGCM(key)
        self._prefix = os.urandom(PREFIX_SIZE)
        self.segment_size = segment_size
        self.header = (MAGIC + bytes([ALGORITHM_ID]) + segment_size.to_bytes(4, "big")
                       + self._prefix)
        self._aad = self.header + object_id
        self._buffer = bytearray()
        self._index = 0
        self._done = False

    def _seal(self, segment: bytes, last: bool) -> bytes:
        out = self._aead.encrypt(_nonce(self._prefix, self._index, last), segment, self._aad)
        self._index += 1
        return out

    def update(self, data: bytes) -> bytes:
        if self._done:
            raise ValueError("finalize() was already called")
        size = self.segment_size
        buffer = self._buffer
        buffer += data
        if len(buffer) <= size:
            return b""
        out = []
        view = memoryview(buffer)
        start = 0
        while len(buffer) - start > size:
            out.append(self._seal(bytes(view[start:start + size]), False))
            start += size
        view.release()
        del buffer[:start]
        return b"".join(out)

    def finalize(self) -> bytes:
        self._done = True
        out = self._seal(bytes(self._buffer), True)
        self._buffer.clear()
        return out


def read_exact(reader: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes: fewer only at the end of the stream."""
    parts = []
    missing = size
    while missing > 0:
        chunk = reader.read(missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def parse_header(header: bytes) -> tuple[int, bytes]:
    if len(header) != HEADER_SIZE or header[:4] != MAGIC or header[4] != ALGORITHM_ID:
        raise VaultIntegrityError("Not a file of the safe, or an unknown format.")
    segment_size = int.from_bytes(header[5:9], "big")
    if not 1024 <= segment_size <= 16 * 1024 * 1024:
        raise VaultIntegrityError("Invalid segment size.")
    return segment_size, header[9:]


def decrypt_stream(reader: BinaryIO, key: bytes, object_id: bytes) -> Iterator[bytes]:
    """Yield the plaintext segment by segment, each one only after its tag was checked.
    Raises VaultIntegrityError at the first segment that does not authenticate."""
    header = read_exact(reader, HEADER_SIZE)
    segment_size, prefix = parse_header(header)
    aead = AESGCM(key)
    aad = header + object_id
    sealed_size = segment_size + TAG_SIZE
    current = read_exact(reader, sealed_size)
    index = 0
    while True:
        following = read_exact(reader, sealed_size) if len(current) == sealed_size else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise VaultIntegrityError("Truncated file.")
        try:
            yield aead.decrypt(_nonce(prefix, index, last), current, aad)
        except InvalidTag:
            raise VaultIntegrityError(f"Segment {index} does not authenticate.") from None
        if last:
            return
        current = following
        index += 1


def ciphertext_size(plaintext_size: int, segment_size: int = SEGMENT_SIZE) -> int:
    segments = max(1, -(-plaintext_size // segment_size))
    return HEADER_SIZE + plaintext_size + segments * TAG_SIZE
