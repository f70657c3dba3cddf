"""The encryption format: every kind of tampering is detected, and a wrapped data key
only unwraps under its KEK and for its own object."""

import io
import os

import pytest

from passeport.vault.keys import KeyRing, VaultKeyError, new_data_key
from passeport.vault.streaming import (
    HEADER_SIZE,
    SEGMENT_SIZE,
    TAG_SIZE,
    StreamEncryptor,
    VaultIntegrityError,
    ciphertext_size,
    decrypt_stream,
)

OBJECT = b"0123456789abcdef"
KEY = new_data_key()


def encrypt(data: bytes, chunk: int = 10_000, key=KEY, obj=OBJECT) -> bytes:
    enc = StreamEncryptor(key, obj)
    out = [enc.header]
    for i in range(0, len(data), chunk):
        out.append(enc.update(data[i:i + chunk]))
    out.append(enc.finalize())
    return b"".join(out)


def decrypt(blob: bytes, key=KEY, obj=OBJECT) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(blob), key, obj))


@pytest.mark.parametrize("size", [0, 1, SEGMENT_SIZE - 1, SEGMENT_SIZE, SEGMENT_SIZE + 1,
                                  3 * SEGMENT_SIZE, 3 * SEGMENT_SIZE + 17])
def test_round_trip_at_segment_boundaries(size):
    data = os.urandom(size)
    blob = encrypt(data)
    assert len(blob) == ciphertext_size(size)
    assert decrypt(blob) == data


def test_ciphertext_holds_no_plaintext():
    data = b"NIR 1 85 05 29 019 123 45 -- " * 5000
    blob = encrypt(data)
    assert b"NIR 1 85" not in blob


def _segments(blob):
    body = blob[HEADER_SIZE:]
    size = SEGMENT_SIZE + TAG_SIZE
    return blob[:HEADER_SIZE], [body[i:i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("position", [0, 5, HEADER_SIZE, HEADER_SIZE + 100, -1])
def test_a_flipped_byte_anywhere_fails(position):
    blob = bytearray(encrypt(os.urandom(2 * SEGMENT_SIZE + 10)))
    blob[position] ^= 0x01
    with pytest.raises(VaultIntegrityError):
        decrypt(bytes(blob))


def test_truncation_reordering_and_appending_fail():
    data = os.urandom(3 * SEGMENT_SIZE + 10)
    header, segs = _segments(encrypt(data))
    assert len(segs) == 4
    for tampered in (
        header + b"".join(segs[:3]),  # dropped last segment (cut at a boundary)
        header + b"".join(segs[:-1]) + segs[-1][:-1],  # one byte short
        header + segs[1] + segs[0] + b"".join(segs[2:]),  # reordered
        header + b"".join(segs) + segs[-1],  # appended copy
        header,  # everything after the header removed
    ):
        with pytest.raises(VaultIntegrityError):
            decrypt(tampered)


def test_no_byte_of_a_bad_segment_is_released():
    data = os.urandom(3 * SEGMENT_SIZE)
    blob = bytearray(encrypt(data))
    blob[HEADER_SIZE + 2 * (SEGMENT_SIZE + TAG_SIZE) + 5] ^= 0xFF  # third segment
    released = []
    with pytest.raises(VaultIntegrityError):
        for chunk in decrypt_stream(io.BytesIO(bytes(blob)), KEY, OBJECT):
            released.append(chunk)
    assert b"".join(released) == data[: 2 * SEGMENT_SIZE]  # only authenticated segments


def test_a_blob_does_not_decrypt_as_another_object_or_with_another_key():
    blob = encrypt(b"%PDF-1.4 hello")
    with pytest.raises(VaultIntegrityError):
        decrypt(blob, obj=b"another-object!!")
    with pytest.raises(VaultIntegrityError):
        decrypt(blob, key=new_data_key())


def test_wrapped_key_needs_its_kek_and_its_object():
    ring = KeyRing("a" * 40)
    data_key = new_data_key()
    kek_id, wrapped = ring.wrap(data_key, object_id=OBJECT, algorithm="alg")
    assert data_key not in wrapped
    assert ring.unwrap(kek_id, wrapped, object_id=OBJECT, algorithm="alg") == data_key
    with pytest.raises(VaultKeyError):
        ring.unwrap(kek_id, wrapped, object_id=b"other-object-id!", algorithm="alg")
    with pytest.raises(VaultKeyError):  # another master key: unknown id
        KeyRing("b" * 40).unwrap(kek_id, wrapped, object_id=OBJECT, algorithm="alg")
    # A new current key with the old one as previous still unwraps, and wraps anew.
    rotated = KeyRing("b" * 40, ["a" * 40])
    assert rotated.current.id != kek_id
    assert rotated.unwrap(kek_id, wrapped, object_id=OBJECT, algorithm="alg") == data_key


def test_short_master_key_is_refused():
    with pytest.raises(VaultKeyError):
        KeyRing("too-short")
