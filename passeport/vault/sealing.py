"""Sealing an upload while it is received: the bytes are checked (type by magic bytes,
size), hashed (SHA-256), streamed to the antivirus and encrypted segment by segment into
the storage, so that no plaintext ever reaches a disk and memory stays constant.

`VaultUploadHandler` plugs this into Django's multipart parser (it replaces the default
handlers, which would write the plaintext to a temporary file); `seal_stream` does the
same from any binary stream (imports, the benchmark). The result is a `SealedUpload`:
durable but not yet visible. The service that records the document calls `commit()`
inside its transaction; whoever gave up on it calls `abort()`. A crash in between is
covered by the `PendingBlob` journal (see `services.vault_recover`).
"""

from __future__ import annotations

import hashlib
import queue
import threading
import uuid
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers

from . import antivirus, filetypes
from .keys import WRAP_ALGORITHM, keyring, new_data_key
from .models import PendingBlob
from .storage import get_storage, new_blob_name
from .streaming import ALGORITHM, StreamEncryptor

# Why an upload was refused, by stable code (the services turn them into messages).
TOO_LARGE = "file_too_large"
TYPE_NOT_ALLOWED = "file_type_not_allowed"
EMPTY = "file_empty"
INFECTED = "malware_detected"
SCAN_FAILED = "antivirus_unavailable"
TOO_MANY = "too_many_files"


# Chunks read from a stream or a request (the encryptor re-cuts them in 64 KiB segments).
READ_CHUNK = 256 * 1024


class _BackgroundSha256:
    """SHA-256 of the plaintext. The first `inline_bytes` are hashed in the calling
    thread (SHA-256 runs at about 1.5 GB/s with the CPU's SHA extensions: a thread
    hand-off would cost more than it saves on a small file); beyond that, on another
    thread (hashlib releases the GIL), overlapping the encryption and the writes; at most
    `depth` chunks wait, so memory stays bounded."""

    def __init__(self, depth: int = 8, inline_bytes: int = 4 * 1024 * 1024):
        self._hash = hashlib.sha256()
        self._depth = depth
        self._inline_left = inline_bytes
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._done = False

    def _run(self) -> None:
        assert self._queue is not None
        while (chunk := self._queue.get()) is not None:
            self._hash.update(chunk)

    def update(self, chunk: bytes) -> None:
        if self._queue is None:
            if len(chunk) <= self._inline_left:
                self._inline_left -= len(chunk)
                self._hash.update(chunk)
                return
            self._queue = queue.Queue(maxsize=self._depth)
            self._thread = threading.Thread(target=self._run, name="vault-sha256", daemon=True)
            self._thread.start()
        self._queue.put(chunk)

    def _stop(self) -> None:
        if not self._done:
            self._done = True
            if self._queue is not None and self._thread is not None:
                self._queue.put(None)
                self._thread.join()

    def hexdigest(self) -> str:
        self._stop()
        return self._hash.hexdigest()

    def close(self) -> None:
        self._stop()


def max_upload_bytes() -> int:
    return settings.PASSEPORT_VAULT_MAX_UPLOAD_MB * 1024 * 1024


@dataclass
class SealedUpload:
    """An encrypted blob written to the storage, not yet visible, and its metadata."""

    version_uid: uuid.UUID
    blob_name: str
    size: int = 0
    sha256: str = ""
    file_type: filetypes.FileType | None = None
    scan_status: str = ""
    signature: str = ""
    problem: str = ""  # one of the codes above, or "" when acceptable
    kek_id: str = ""
    wrapped_key: bytes = b""
    algorithm: str = ALGORITHM
    wrap_algorithm: str = WRAP_ALGORITHM
    client_name: str = ""  # the name sent by the browser: shown back, never used to store
    writer: object = field(default=None, repr=False)
    state: str = "open"  # open | sealed | committed | aborted

    @property
    def acceptable(self) -> bool:
        return self.state == "sealed" and not self.problem

    def commit(self) -> None:
        """Make the blob visible under its final name (call it inside the transaction
        that records the version, which also deletes the PendingBlob row)."""
        assert self.acceptable, self.problem or self.state
        self.writer.commit()
        self.state = "committed"

    def abort(self) -> None:
        """Remove the blob (or its temporary file) and its journal row. Safe to call
        twice, and after a commit whose transaction failed."""
        if self.state == "aborted":
            return
        if self.writer is not None:
            self.writer.abort()
        PendingBlob.objects.filter(name=self.blob_name).delete()
        self.state = "aborted"


class Sealer:
    """Feed the plaintext with `write`, then `close()` → SealedUpload (possibly with a
    `problem`, in which case the blob was already aborted)."""

    def __init__(self, *, max_size: int | None = None, client_name: str = ""):
        self.max_size = max_upload_bytes() if max_size is None else max_size
        self.upload = SealedUpload(version_uid=uuid.uuid4(), blob_name=new_blob_name(),
                                   client_name=client_name[:200])
        PendingBlob.objects.create(name=self.upload.blob_name)  # journal first (autocommit)
        self._data_key = new_data_key()
        self._encryptor = StreamEncryptor(self._data_key, self.upload.version_uid.bytes)
        self._head = b""
        self.upload.writer = get_storage().open_writer(self.upload.blob_name)
        self.upload.writer.write(self._encryptor.header)
        self._scanner = antivirus.scanner_session()
        self._hash = _BackgroundSha256()

    def _fail(self, problem: str) -> None:
        self.upload.problem = problem
        self._hash.close()
        self._scanner.close()
        self.upload.abort()
        self._data_key = b""

    @property
    def failed(self) -> bool:
        return bool(self.upload.problem)

    def write(self, chunk: bytes) -> None:
        if self.failed:
            return
        if len(self._head) < filetypes.SNIFF_BYTES:
            self._head += chunk[: filetypes.SNIFF_BYTES - len(self._head)]
            if len(self._head) >= filetypes.SNIFF_BYTES and filetypes.sniff(self._head) is None:
                self._fail(TYPE_NOT_ALLOWED)  # refused at the first bytes: nothing more stored
                return
        self.upload.size += len(chunk)
        if self.upload.size > self.max_size:
            self._fail(TOO_LARGE)
            return
        self._hash.update(chunk)
        self._scanner.feed(chunk)
        self.upload.writer.write(self._encryptor.update(chunk))

    def close(self) -> SealedUpload:
        upload = self.upload
        if self.failed:
            return upload
        upload.file_type = filetypes.sniff(self._head)
        if upload.size == 0:
            self._fail(EMPTY)
            return upload
        if upload.file_type is None:
            self._fail(TYPE_NOT_ALLOWED)
            return upload
        upload.writer.write(self._encryptor.finalize())
        verdict = self._scanner.finish()
        if not verdict.accepted:
            upload.signature = verdict.signature or verdict.message
            self._fail(INFECTED if verdict.status == antivirus.INFECTED else SCAN_FAILED)
            return upload
        upload.scan_status = verdict.status
        upload.writer.seal()
        upload.sha256 = self._hash.hexdigest()
        upload.kek_id, upload.wrapped_key = keyring().wrap(
            self._data_key, object_id=upload.version_uid.bytes, algorithm=upload.algorithm)
        self._data_key = b""
        upload.state = "sealed"
        return upload

    def abort(self) -> None:
        self._hash.close()
        self._scanner.close()
        self.upload.abort()


def seal_stream(stream: BinaryIO, *, max_size: int | None = None, client_name: str = "",
                chunk_size: int = READ_CHUNK) -> SealedUpload:
    """Seal a whole binary stream (read in chunks)."""
    sealer = Sealer(max_size=max_size, client_name=client_name)
    try:
        while True:
            chunk = stream.read(chunk_size)
            if not chunk:
                break
            sealer.write(chunk)
            if sealer.failed:
                break
        return sealer.close()
    except BaseException:
        sealer.abort()
        raise


class SealedUploadedFile(UploadedFile):
    """What the upload handler puts in `request.FILES`: no content, only the sealed blob
    (forms see its name and size)."""

    def __init__(self, sealed: SealedUpload):
        super().__init__(file=None, name=sealed.client_name or "document", size=sealed.size,
                         content_type=sealed.file_type.content_type if sealed.file_type else "")
        self.sealed = sealed

    def open(self, mode=None):  # pragma: no cover - the plaintext is not kept
        raise ValueError("A sealed upload has no readable content.")

    def close(self):
        pass


class VaultUploadHandler(FileUploadHandler):
    """Django upload handler: seals the first file of the accepted fields; any other
    file is skipped (and reported). Install it before the body is read:
    `request.upload_handlers = [VaultUploadHandler(request)]`."""

    chunk_size = READ_CHUNK

    def __init__(self, request=None, *, fields: tuple[str, ...] = ("file",),
                 max_size: int | None = None):
        super().__init__(request)
        self.fields = fields
        self.max_size = max_size
        self.sealer: Sealer | None = None
        self.sealed: list[SealedUpload] = []
        self.problems: dict[str, str] = {}  # field name -> code

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name not in self.fields or self.sealed or self.sealer is not None:
            self.problems.setdefault(field_name, TOO_MANY)
            raise SkipFile
        self.sealer = Sealer(max_size=self.max_size, client_name=file_name or "")
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        sealer = self.sealer
        if sealer is None:
            return None
        sealer.write(raw_data)
        if sealer.failed:
            self.problems[self.field_name] = sealer.upload.problem
            self.sealer = None
            raise SkipFile
        return None

    def file_complete(self, file_size):
        sealer, self.sealer = self.sealer, None
        if sealer is None:
            return None
        sealed = sealer.close()
        if sealed.problem:
            self.problems[self.field_name] = sealed.problem
            return None
        self.sealed.append(sealed)
        return SealedUploadedFile(sealed)

    def upload_interrupted(self):
        if self.sealer is not None:
            self.sealer.abort()
            self.sealer = None

    def _abort_running(self) -> None:
        if self.sealer is not None:  # the body was cut off (client gone, read error)
            self.sealer.abort()
            self.sealer = None

    def discard_all(self) -> None:
        """Abort the upload still running and every sealed one not committed (call when
        the request ends)."""
        self._abort_running()
        for sealed in self.sealed:
            if sealed.state != "committed":
                sealed.abort()

    def abort_all(self) -> None:
        """Abort everything, committed blobs included (their transaction failed)."""
        self._abort_running()
        for sealed in self.sealed:
            sealed.abort()
