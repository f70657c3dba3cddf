"""Background tasks of the safe (django-tasks: immediate in development and tests, a
database-backed worker in production). Schedule them daily (cron or systemd timer):
`manage.py vault_send_expiry_reminders` and `manage.py vault_retention`."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import services


@task()
def send_expiry_reminders(today: str | None = None) -> int:
    return services.expiry_reminders_send(today=dt.date.fromisoformat(today) if today else None)


@task()
def purge_for_retention(person_ids: list[int], cutoff: str) -> int:
    """Purge the documents of persons whose path closed before `cutoff`. The persons
    are selected by the caller (`passeport/web/management/commands/vault_retention.py`),
    because the paths are in a higher layer than the safe."""
    return services.retention_purge(person_ids=person_ids, cutoff=dt.date.fromisoformat(cutoff))
