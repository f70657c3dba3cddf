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


class PasseportErrors(PasseportError):
    """Several independent fields failed at once: `errors` holds each error, so that a page
    shows them all together. It reads as the first one (its code, message, field and
    details, for the API), with `details["errors"]` listing them all."""

    def __init__(self, errors: list[PasseportError]):
        first = errors[0]
        listed = [{"code": e.code, "message": e.message, "field": e.field, **e.details} for e in errors]
        super().__init__(first.message, code=first.code, field=first.field,
                         details={**first.details, "errors": listed})
        self.status = first.status
        self.errors = list(errors)

    @classmethod
    def raise_any(cls, errors: list[PasseportError]) -> None:
        """Raise the only error, or all of them together; nothing when the list is empty."""
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise cls(errors)
