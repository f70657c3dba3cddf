"""Baking a credential into an image and extracting it back (Open Badges 3.0 §5.3):
PNG: an `iTXt` chunk with the keyword `openbadgecredential` (uncompressed UTF-8 JSON);
SVG: an `<openbadges:credential>` element holding the JSON in CDATA."""

from __future__ import annotations

import json
import re
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
SVG_NS = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    pass


def _chunks(png: bytes):
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        yield pos, kind, data, pos + 12 + length
        pos += 12 + length


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(png: bytes, credential: dict | str) -> bytes:
    """Insert the credential right after IHDR (replacing an earlier baked one)."""
    text = credential if isinstance(credential, str) else json.dumps(credential, ensure_ascii=False)
    itxt = _chunk(b"iTXt", KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text.encode())
    out = bytearray(PNG_SIGNATURE)
    for _pos, kind, data, _end in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\0"):
            continue
        out += _chunk(kind, data)
        if kind == b"IHDR":
            out += itxt
    return bytes(out)


def extract_png(png: bytes, keyword: bytes = KEYWORD) -> str:
    """The text baked under `keyword` (Open Badges 2.0 used `openbadges`)."""
    for _pos, kind, data, _end in _chunks(png):
        if kind == b"iTXt" and data.startswith(keyword + b"\0"):
            rest = data[len(keyword) + 1:]
            compressed, _method = rest[0], rest[1]
            rest = rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            return (zlib.decompress(text) if compressed else text).decode()
    raise BakingError(f"no {keyword.decode()} chunk in this PNG")


def bake_svg(svg: str, credential: dict | str) -> str:
    text = credential if isinstance(credential, str) else json.dumps(credential, ensure_ascii=False)
    text = text.replace("]]>", "]]\\u003e")  # same JSON value, cannot close the CDATA
    element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise BakingError("not an SVG file")
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{SVG_NS}">'
    return svg[:match.start()] + tag + element + svg[match.end():]


def extract_svg(svg: str) -> str:
    match = re.search(r"<openbadges:credential[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</openbadges:credential>",
                      svg, re.S)
    if match is None:
        raise BakingError("no openbadges:credential element in this SVG")
    return match.group(1)


def extract_any(data: bytes) -> str:
    """The badge baked in a PNG or SVG (Open Badges 3.0, else 2.0), or the file itself."""
    if data.startswith(PNG_SIGNATURE):
        try:
            return extract_png(data)
        except BakingError:
            return extract_png(data, b"openbadges")
    head = data[:4000]
    if b"<svg" in head or b"<?xml" in head:
        text = data.decode("utf-8")
        try:
            return extract_svg(text)
        except BakingError:
            match = re.search(r"<openbadges:assertion[^>]*verify=\"([^\"]+)\"", text)
            if match:
                return json.dumps({"$verify_url": match.group(1)})
            match = re.search(r"<openbadges:assertion[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", text, re.S)
            if match:
                return match.group(1)
            raise
    return data.decode("utf-8")
