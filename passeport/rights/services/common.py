"""Shared by the rights services: settings, the source of a request, audit."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings

from passeport.core.actor import Actor
from passeport.core.services import audit_record
from passeport.people.models import Consent, Person

from ..enums import (
    CheckSource,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 2000  # estimates computed in one simulation by the queue
STALE_AFTER = timedelta(minutes=10)  # a claimed batch not finished by then is retried
MIN_AMOUNT = 1.0  # € per month: below, a right is not flagged
FIRST_MONTH = date(2020, 1, 1)


def queue_mode() -> str:
    """"task": each request enqueues the compute task (immediate in development and
    tests); "worker": the `rights_worker` command consumes the queue on its own."""
    return getattr(settings, "PASSEPORT_RIGHTS_QUEUE", "task")


def _source(actor: Actor) -> str:
    if actor.api_token is not None:
        return CheckSource.API
    if actor.membership is not None:
        return CheckSource.PROFESSIONAL
    return CheckSource.PERSON


def _audit(actor: Actor, person: Person, action: str, object_type: str, object_id,
           consent: Consent | None, **detail) -> None:
    audit_record(actor, action=action, object_type=object_type, object_id=object_id,
                 person_uid=person.public_id, consent_id=consent.pk if consent else None,
                 detail=detail)


