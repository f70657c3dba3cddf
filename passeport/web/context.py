"""Build the Actor of a page request."""

from __future__ import annotations

from django.http import HttpRequest

from passeport.core.actor import Actor


def actor_for(request: HttpRequest) -> Actor:
    user = request.user if request.user.is_authenticated else None
    return Actor(user=user, membership=getattr(request, "membership", None), channel="web")
