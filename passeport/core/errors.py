"""Errors raised by services and selectors, each with a stable code.

Pages show `message` next to the field named by `field` (or at the top of the form);
the API answers `{"code": ..., "message": ..., "field": ...}` with `status`.
"""

from __future__ import annotations


class PasseportError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details or {}


class NotFound(PasseportError):
    """Also raised when the actor may not see the object: never reveal that it exists."""

    status = 404
    code = "not_found"


class Forbidden(PasseportError):
    status = 403
    code = "forbidden"


class Conflict(PasseportError):
    status = 409
    code = "conflict"


class TooManyRequests(PasseportError):
    """A limit of how often an action may be done was reached (e.g. access requests)."""

    status = 429
    code = "too_many_requests"
