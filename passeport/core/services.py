"""Writes of the core app: organisations, members, API tokens, audit events."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .actor import Actor
from .crypto import token_hash
from .enums import AuditAction, OrganisationKind, Role
from .models import ApiToken, AuditEvent, Membership, Organisation, User

API_TOKEN_PREFIX = "pp_"  # noqa: S105 - a public prefix, not a secret


def audit_record(
    actor: Actor,
    *,
    action: str,
    object_type: str,
    object_id: str | int = "",
    person_uid: str = "",
    consent_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label[:200],
        organisation=actor.organisation,
        api_token=actor.api_token,
        person_uid=person_uid,
        consent_id=consent_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        channel=actor.channel,
        detail=detail or {},
    )


def audit_record_many(
    actor: Actor,
    *,
    action: str,
    object_type: str,
    entries: Iterable[tuple[str, int | None]],
    detail: dict | None = None,
) -> int:
    """Record one event per (person_uid, consent_id) in a single query (lists, exports)."""
    now = timezone.now()
    events = [
        AuditEvent(
            at=now,
            actor=actor.user,
            actor_label=actor.label[:200],
            organisation=actor.organisation,
            api_token=actor.api_token,
            person_uid=uid,
            consent_id=consent_id,
            action=action,
            object_type=object_type,
            object_id=uid,
            channel=actor.channel,
            detail=detail or {},
        )
        for uid, consent_id in entries
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    siret: str | None = None,
    commune_insee: str = "",
    commune_name: str = "",
    email: str = "",
) -> Organisation:
    org = Organisation(
        name=name,
        kind=OrganisationKind(kind),
        siret=siret or None,
        commune_insee=commune_insee,
        commune_name=commune_name,
        email=email,
    )
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: str = Role.REFERENT,
    job_title: str = "",
    password: str | None = None,
) -> Membership:
    """Add a professional to an organisation, creating their account if needed."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": Role(role), "job_title": job_title},
    )
    if not created and (not membership.is_active or membership.role != role):
        membership.is_active = True
        membership.role = Role(role)
        membership.save(update_fields=["is_active", "role"])
    return membership


@transaction.atomic
def member_set_role(*, actor: Actor, membership: Membership, role: str, is_active: bool) -> Membership:
    membership.role = Role(role)
    membership.is_active = is_active
    membership.save(update_fields=["role", "is_active"])
    return membership


@transaction.atomic
def api_token_create(*, actor: Actor, organisation: Organisation, name: str) -> tuple[ApiToken, str]:
    """Create a token; the clear value is returned once and never stored."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=raw[:10],
        key_hash=token_hash(raw),
        created_by=actor.user,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


__all__ = [
    "AuditAction",
    "api_token_create",
    "api_token_revoke",
    "audit_record",
    "audit_record_many",
    "member_add",
    "member_set_role",
    "organisation_create",
]
