"""HTTP plumbing shared by the safe's pages and API: receiving sealed uploads, and
sending a decrypted file with the headers that keep a browser from running or caching it."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header

from .sealing import VaultUploadHandler
from .services import OpenedVersion

UPLOAD_FIELDS = ("photo", "file")


def install_upload_handler(request: HttpRequest, fields=UPLOAD_FIELDS) -> VaultUploadHandler:
    """Replace Django's upload handlers (which would write the plaintext to a temporary
    file) before the body is read."""
    handler = VaultUploadHandler(request, fields=fields)
    request.upload_handlers = [handler]
    request.vault_upload = handler
    return handler


def abort_uploads(request: HttpRequest) -> None:
    """Remove every blob sealed during this request (the service refused it, or its
    transaction did not commit)."""
    handler = getattr(request, "vault_upload", None)
    if handler is not None:
        handler.abort_all()


def upload_problem(request: HttpRequest) -> str:
    handler = getattr(request, "vault_upload", None)
    if handler is None or not handler.problems:
        return ""
    return next(iter(handler.problems.values()))


def file_response(opened: OpenedVersion) -> StreamingHttpResponse:
    response = StreamingHttpResponse(opened.chunks, content_type=opened.content_type)
    response["Content-Length"] = str(opened.size)
    response["Content-Disposition"] = content_disposition_header(True, opened.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def zip_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
