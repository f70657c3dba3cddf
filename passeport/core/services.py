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


def bulk_insert(model, objs, *, batch_size: int = 5000) -> int:
    """Insert many rows through one prepared statement (executemany; COPY on PostgreSQL),
    for the large writes of batch jobs (e.g. a rights screening of 100,000 persons and its audit events), where
    bulk_create's per-value preparation and SQL building dominate. Field defaults must
    already be on the objects (they are, for objects built with the model's constructor);
    primary keys are not read back."""
    import json

    from django.db import connections, router

    conn = connections[router.db_for_write(model)]
    ops = conn.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def converter(field):
        kind = field.get_internal_type()
        if kind == "JSONField":
            return lambda v: None if v is None else json.dumps(v, cls=field.encoder)
        if kind == "DateTimeField":
            return ops.adapt_datetimefield_value
        if kind == "DateField":
            return ops.adapt_datefield_value
        if kind == "DecimalField":
            return lambda v: ops.adapt_decimalfield_value(v, field.max_digits,
                                                          field.decimal_places)
        return None

    convs = [(f.attname, converter(f)) for f in fields]
    qn = ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    rows = [tuple(getattr(o, name) if conv is None else conv(getattr(o, name))
                  for name, conv in convs) for o in objs]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":  # COPY: one stream instead of a round trip per row
            copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start:start + batch_size])
    return len(rows)


def audit_record_many_fast(
    actor: Actor,
    *,
    action: str,
    object_type: str,
    entries: Iterable[tuple[str, int | None]],
    detail: dict | None = None,
) -> int:
    """Same events as `audit_record_many`, for tens of thousands of entries (batch jobs)."""
    now = timezone.now()
    org = actor.organisation
    events = [
        AuditEvent(at=now, actor_id=actor.user.pk if actor.user else None,
                   actor_label=actor.label[:200], organisation_id=org.pk if org else None,
                   api_token_id=actor.api_token.pk if actor.api_token else None,
                   person_uid=uid, consent_id=consent_id, action=action,
                   object_type=object_type, object_id=uid, channel=actor.channel,
                   detail=detail or {})
        for uid, consent_id in entries
    ]
    return bulk_insert(AuditEvent, events)
