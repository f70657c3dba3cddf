"""Signature of webhook deliveries (documented in docs/interop.md).

Each POST carries `Passeport-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
HMAC-SHA256(secret, f"{t}." + raw body). A receiver recomputes it with the secret it was
given once, compares in constant time, and rejects a timestamp older than 5 minutes
(replays)."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Passeport-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """The reference check a receiver runs (the same as the snippet of the docs)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))
