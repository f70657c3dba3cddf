"""API authentication: a session (pages' own calls, with CSRF) or an organisation's
bearer token (other systems). Either way the request carries an Actor.

- `Authorization: Bearer pp_…`: the organisation's API token. No CSRF check (a browser
  never sends this header by itself to another site). A revoked or unknown token gets 401
  at once: the session is then NOT tried, so a bad token never falls back to a cookie.
- Session cookie: the logged-in user of the pages (a professional in their active
  organisation, or the person accompanied). Unsafe methods (POST, PATCH, DELETE) must
  carry Django's CSRF token (`X-CSRFToken` header), exactly as the pages' forms do.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from passeport.core.actor import Actor
from passeport.core.errors import Forbidden
from passeport.core.selectors import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.actor = Actor(api_token=api_token, channel="api")
        return api_token


class SessionAuth(APIKeyCookie):
    """The logged-in user of the pages (professional or person), with CSRF protection."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization"):
            return None  # a bearer token was given: it alone decides (401 if bad)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # 401, not a CSRF error, for anonymous calls
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise Forbidden(
                    _("Jeton CSRF absent ou invalide : envoyez l'en-tête X-CSRFToken "
                      "avec une session, ou utilisez un jeton d'API."),
                    code="csrf_failed",
                )
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        request.actor = Actor(user=user, membership=getattr(request, "membership", None),
                              channel="api")
        return user


AUTH = [TokenAuth(), SessionAuth()]


def actor(request: HttpRequest) -> Actor:
    return request.actor
