"""API authentication: a session (pages' own calls, with CSRF) or an organisation's
bearer token (other systems). Either way the request carries an Actor."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from passeport.core.actor import Actor
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
    """The logged-in user of the pages (professional or person)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        request.actor = Actor(user=user, membership=getattr(request, "membership", None),
                              channel="api")
        return user


AUTH = [TokenAuth(), SessionAuth()]


def actor(request: HttpRequest) -> Actor:
    return request.actor
