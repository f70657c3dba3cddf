"""Background tasks of the rupture app (Django's tasks framework)."""

from __future__ import annotations

from django_tasks import task

from .services import alerts_refresh, digest_send


@task()
def rupture_daily_task() -> dict:
    """Compute the signals of every followed path, raise and clear alerts, then send the
    e-mail digests. Schedule it daily (`manage.py rupture_alerts --enqueue` from cron)."""
    result = alerts_refresh()
    sent = digest_send()
    return {"paths": result.paths, "raised": result.raised, "cleared": result.cleared,
            "batches": result.batches, "digests": sent}


@task()
def rupture_reminders_task() -> dict:
    """Send the reminders of appointments, actions and unanswered booking invitations
    that are due now. Schedule it every
    hour (`manage.py rupture_reminders --enqueue` from cron): each organisation's hour
    decides when its reminders leave."""
    from .booking import booking_reminders_send
    from .reminders import reminders_send

    result = reminders_send()
    booking = booking_reminders_send()
    return {"sent": result.sent, "failed": result.failed, "not_reachable": result.not_reachable,
            "booking_sent": booking.sent, "booking_failed": booking.failed}
