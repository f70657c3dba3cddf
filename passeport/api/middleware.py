"""Refuse text containing the NUL character in API requests, before any view runs.

PostgreSQL text cannot hold U+0000 (the page forms refuse it through Django's
ProhibitNullCharactersValidator); a JSON body or a query string carrying one gets a
422 `invalid_character` instead of a server error. File uploads (multipart) are binary
and left to their own checks."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _

_JSON_NUL = b"\\u0000"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class RefuseNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and self._nul_in(request):
            return JsonResponse({"code": "invalid_character", "message": _(
                "Le texte envoyé contient un caractère nul (U+0000), refusé.")}, status=422)
        return self.get_response(request)

    @staticmethod
    def _nul_in(request) -> bool:
        if any("\x00" in k or "\x00" in v for k, values in request.GET.lists() for v in values):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            body = request.body
            if b"\x00" in body:
                return True
            if _JSON_NUL in body:  # only parse when an escaped NUL may be there
                try:
                    return _has_nul(json.loads(body))
                except ValueError:
                    return False  # malformed JSON: the API answers it
        elif content_type == "application/x-www-form-urlencoded":
            return any("\x00" in k or "\x00" in v for k, values in request.POST.lists() for v in values)
        return False
