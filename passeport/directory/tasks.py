"""Background tasks of the directory (Django's tasks framework: immediate in
development and tests, a database-backed worker in production)."""

from __future__ import annotations

from django_tasks import task

from .services import orientations_follow_up


@task()
def orientations_follow_up_task() -> dict:
    """Remind partners (or senders) of orientations left without answer, expire the
    oldest. Schedule it daily (e.g. `manage.py orientations_follow_up --enqueue` from
    cron)."""
    result = orientations_follow_up()
    return {"reminded": result.reminded, "expired": result.expired}
