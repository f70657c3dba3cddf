"""Reads of the core app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .crypto import token_hash
from .models import ApiToken, AuditEvent, Membership, Organisation, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def api_token_authenticate(raw: str) -> ApiToken | None:
    if not raw:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("organisation")
        .filter(key_hash=token_hash(raw))
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def audit_events_for_person(person_uid: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(person_uid=person_uid).select_related("organisation")


def api_tokens_of(organisation: Organisation) -> QuerySet[ApiToken]:
    return (ApiToken.objects.filter(organisation=organisation).select_related("created_by")
            .order_by("-created_at", "-pk"))
