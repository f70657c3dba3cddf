"""The allow-list of file types, recognised by their content (magic bytes), never by
the name or the type announced by the browser."""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 16


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
PNG = FileType("image/png", "png", "PNG")
HEIC = FileType("image/heic", "heic", "HEIC")
HEIF = FileType("image/heif", "heif", "HEIF")

ALLOWED = (PDF, JPEG, PNG, HEIC, HEIF)
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}

# ISO base media file format brands (bytes 8–12, after "ftyp") of HEIC/HEIF images.
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}


def sniff(head: bytes) -> FileType | None:
    """The allowed type whose signature starts `head` (the first bytes), else None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _HEIF_BRANDS:
            return HEIF
    return None
