"""The antivirus hook: every upload is streamed to ClamAV's daemon (clamd) while it is
received, when `PASSEPORT_VAULT_CLAMD` names its socket (`/run/clamav/clamd.ctl`,
`unix:///run/clamav/clamd.ctl`) or address (`tcp://127.0.0.1:3310`, `127.0.0.1:3310`).

The contract of a scanner session: `feed(chunk)` with every byte of the file, in order,
then `finish()` → `Verdict`. The upload is refused when the verdict is not clean, and
also when clamd is configured but cannot be reached or answers an error (fail closed).
Without a configured clamd, files are stored as "not scanned" (a system check warns in
production).

The protocol is clamd's INSTREAM (`zINSTREAM\\0`, then chunks prefixed by their length on
4 bytes, big endian, then a zero length; the answer is `stream: OK` or
`stream: <signature> FOUND`).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

from .enums import ScanStatus

MAX_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Verdict:
    status: str  # ScanStatus value, or "infected" / "error"
    signature: str = ""
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)


INFECTED = "infected"
ERROR = "error"


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("unix://"):
        address = address[len("unix://"):]
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    if address.startswith("tcp://"):
        address = address[len("tcp://"):]
    host, _, port = address.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)


class ClamdSession:
    def __init__(self, address: str, timeout: float = 30.0):
        self.error = ""
        try:
            self._sock = _connect(address, timeout)
            self._sock.sendall(b"zINSTREAM\0")
        except OSError as exc:
            self._sock = None
            self.error = f"clamd unreachable: {exc}"

    def feed(self, chunk: bytes) -> None:
        if self._sock is None:
            return
        try:
            for start in range(0, len(chunk), MAX_CHUNK):
                piece = chunk[start:start + MAX_CHUNK]
                self._sock.sendall(struct.pack("!L", len(piece)) + piece)
        except OSError as exc:  # clamd closes the stream past its StreamMaxLength
            self.error = f"clamd stopped reading: {exc}"
            self.close()

    def _answer(self) -> str:
        data = b""
        while not data.endswith(b"\0"):
            chunk = self._sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.rstrip(b"\0").decode(errors="replace").strip()

    def finish(self) -> Verdict:
        if self._sock is None:
            return Verdict(ERROR, message=self.error or "clamd unreachable")
        try:
            self._sock.sendall(struct.pack("!L", 0))
            answer = self._answer()
        except OSError as exc:
            return Verdict(ERROR, message=f"clamd did not answer: {exc}")
        finally:
            self.close()
        # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        body = answer.split(":", 1)[1].strip() if ":" in answer else answer
        if body == "OK":
            return Verdict(ScanStatus.CLEAN)
        if body.endswith(" FOUND"):
            return Verdict(INFECTED, signature=body[: -len(" FOUND")].strip())
        return Verdict(ERROR, message=answer or "empty answer from clamd")

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


class NoScanner:
    """No antivirus configured: the file is accepted as "not scanned"."""

    def feed(self, chunk: bytes) -> None:
        pass

    def finish(self) -> Verdict:
        return Verdict(ScanStatus.NOT_SCANNED)

    def close(self) -> None:
        pass


def scanner_session():
    address = settings.PASSEPORT_VAULT_CLAMD
    if not address:
        return NoScanner()
    return ClamdSession(address, timeout=settings.PASSEPORT_VAULT_CLAMD_TIMEOUT)
