"""Where the safe keeps its encrypted blobs: the filesystem by default, or an
S3-compatible object store (through django-storages) for deployments that outgrow one
machine. Blobs are only ever ciphertext; their names are random and server-generated.

A write goes through a writer: `write()` the ciphertext as it is produced, `seal()` to
make the data durable, then `commit()` to make the blob visible under its final name in
one atomic step, or `abort()` to leave nothing behind.

- Filesystem: `<dir>/tmp/<name>.part` (0600) → fsync → rename into
  `<dir>/blobs/ab/<name>` (256 directories) → fsync of the directory. A crash before the rename leaves
  only a `.part` file, never a half blob under a final name.
- S3: parts are sent with a multipart upload (or one PUT for a small blob); the object
  exists only once the upload is completed, so a crash leaves no visible object (only an
  incomplete multipart upload, aborted by `vault_recover` or by a bucket lifecycle rule).

Memory stays constant: at most one part (S3) or one segment (filesystem) is buffered.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

BLOB_NAME = re.compile(r"^[0-9a-f]{32}$")


def new_blob_name() -> str:
    return secrets.token_hex(16)


def _check(name: str) -> str:
    if not BLOB_NAME.match(name):
        raise ValueError(f"Invalid blob name: {name!r}")
    return name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FilesystemWriter:
    def __init__(self, storage: FilesystemStorage, name: str):
        self.storage = storage
        self.name = name
        self.temp_path = storage.temp_path(name)
        fd = os.open(self.temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._sealed = False
        self.committed = False
        self.size = 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written:]
        self.size += len(data)

    def seal(self) -> None:
        if not self._sealed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._sealed = True

    def commit(self) -> None:
        self.seal()
        final = self.storage.path(self.name)
        self.storage.ensure_parent(final)
        if final.exists():
            raise FileExistsError(final)
        os.rename(self.temp_path, final)
        _fsync_dir(final.parent)
        self.committed = True

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path)
        if self.committed:
            self.storage.delete(self.name)
            self.committed = False


class FilesystemStorage:
    kind = "filesystem"

    def __init__(self, location: str | os.PathLike):
        self.root = Path(location)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        for directory in (self.root, self.blobs, self.tmp):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._make_fan_out()

    def _make_fan_out(self) -> None:
        """The 256 fan-out directories (blobs/00 … blobs/ff), made once when the storage
        opens, so that an upload never waits for a directory to be created and synced."""
        created = False
        for n in range(256):
            directory = self.blobs / f"{n:02x}"
            if not directory.is_dir():
                with contextlib.suppress(FileExistsError):
                    directory.mkdir(mode=0o700)
                created = True
        if created:
            _fsync_dir(self.blobs)

    def path(self, name: str) -> Path:
        _check(name)
        return self.blobs / name[:2] / name

    def temp_path(self, name: str) -> Path:
        return self.tmp / f"{_check(name)}.part"

    def ensure_parent(self, final: Path) -> None:
        """Create the fan-out directories, and fsync each parent whose entries changed."""
        missing = []
        directory = final.parent
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for directory in reversed(missing):
            with contextlib.suppress(FileExistsError):
                directory.mkdir(mode=0o700)
            _fsync_dir(directory.parent)

    def open_writer(self, name: str) -> FilesystemWriter:
        return FilesystemWriter(self, name)

    def open_reader(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb", buffering=256 * 1024)  # noqa: SIM115

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def size(self, name: str) -> int:
        return self.path(name).stat().st_size

    def delete(self, name: str) -> None:
        path = self.path(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            _fsync_dir(path.parent)

    def names(self) -> Iterator[str]:
        for directory in sorted(self.blobs.iterdir()):
            if not directory.is_dir():
                continue
            for entry in sorted(directory.iterdir()):
                if BLOB_NAME.match(entry.name):
                    yield entry.name

    def leftovers(self) -> Iterator[tuple[str, float]]:
        """Temporary files of uploads that never completed: (name, age in seconds)."""
        now = time.time()
        for entry in self.tmp.iterdir():
            if entry.name.endswith(".part") and BLOB_NAME.match(entry.name[:-5]):
                yield entry.name[:-5], now - entry.stat().st_mtime

    def discard_leftover(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path(name))


class S3Writer:
    def __init__(self, storage: S3Storage, name: str):
        self.storage = storage
        self.name = name
        self.key = storage.key(name)
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self.committed = False
        self.size = 0

    @property
    def _client(self):
        return self.storage.client

    def _send_part(self) -> None:
        if self._upload_id is None:
            self._upload_id = self._client.create_multipart_upload(
                Bucket=self.storage.bucket, Key=self.key,
                ContentType="application/octet-stream")["UploadId"]
        number = len(self._parts) + 1
        answer = self._client.upload_part(Bucket=self.storage.bucket, Key=self.key,
                                          UploadId=self._upload_id, PartNumber=number,
                                          Body=bytes(self._buffer))
        self._parts.append({"ETag": answer["ETag"], "PartNumber": number})
        self._buffer.clear()

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= self.storage.part_size:
            self._send_part()

    def seal(self) -> None:
        """Parts already sent are durable on the server; the last one is sent on commit."""

    def commit(self) -> None:
        if self._upload_id is None:
            self._client.put_object(Bucket=self.storage.bucket, Key=self.key,
                                    Body=bytes(self._buffer),
                                    ContentType="application/octet-stream")
        else:
            if self._buffer:
                self._send_part()
            self._client.complete_multipart_upload(
                Bucket=self.storage.bucket, Key=self.key, UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts})
        self._buffer.clear()
        self.committed = True

    def abort(self) -> None:
        self._buffer.clear()
        if self._upload_id is not None and not self.committed:
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(Bucket=self.storage.bucket, Key=self.key,
                                                    UploadId=self._upload_id)
        if self.committed:
            self.storage.delete(self.name)
            self.committed = False


class _BodyReader:
    """A botocore streaming body read in bounded pieces."""

    def __init__(self, body):
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read(size if size >= 0 else None)

    def close(self) -> None:
        self._body.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class S3Storage:
    """An S3-compatible bucket, configured and connected through django-storages."""

    kind = "s3"

    def __init__(self, options: dict, part_size: int = 8 * 1024 * 1024):
        from storages.backends.s3 import S3Storage as DjangoS3Storage

        options = {k: v for k, v in options.items() if v not in (None, "")}
        self.prefix = options.pop("location", "").strip("/")
        self.backend = DjangoS3Storage(**options, location=self.prefix, file_overwrite=False)
        self.bucket = self.backend.bucket_name
        self.part_size = max(part_size, 5 * 1024 * 1024)

    @property
    def client(self):
        return self.backend.connection.meta.client

    def key(self, name: str) -> str:
        _check(name)
        return f"{self.prefix}/{name}" if self.prefix else name

    def open_writer(self, name: str) -> S3Writer:
        return S3Writer(self, name)

    def open_reader(self, name: str) -> _BodyReader:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"]
        return _BodyReader(body)

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def size(self, name: str) -> int:
        return self.client.head_object(Bucket=self.bucket, Key=self.key(name))["ContentLength"]

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def names(self) -> Iterator[str]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix):]
                if BLOB_NAME.match(name):
                    yield name

    def leftovers(self) -> Iterator[tuple[str, float]]:
        """Incomplete multipart uploads: (name, age in seconds)."""
        prefix = f"{self.prefix}/" if self.prefix else ""
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        now = time.time()
        for upload in answer.get("Uploads", []):
            name = upload["Key"][len(prefix):]
            if BLOB_NAME.match(name):
                yield name, now - upload["Initiated"].timestamp()

    def discard_leftover(self, name: str) -> None:
        prefix = f"{self.prefix}/" if self.prefix else ""
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix + name)
        for upload in answer.get("Uploads", []):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"],
                                               UploadId=upload["UploadId"])


VaultStorage = FilesystemStorage | S3Storage


def get_storage() -> VaultStorage:
    """The storage named by the settings (PASSEPORT_VAULT_STORAGE)."""
    s3 = tuple(sorted(settings.PASSEPORT_VAULT_S3.items()))
    return _storage(settings.PASSEPORT_VAULT_STORAGE, str(settings.PASSEPORT_VAULT_DIR), s3)


@lru_cache(maxsize=8)
def _storage(kind: str, location: str, s3: tuple) -> VaultStorage:
    if kind == "filesystem":
        return FilesystemStorage(location)
    if kind == "s3":
        return S3Storage(dict(s3))
    raise ValueError(f"Unknown PASSEPORT_VAULT_STORAGE: {kind!r} (filesystem or s3)")
