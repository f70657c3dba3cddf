"""Background tasks of interop (Django's tasks framework: immediate in development and
tests, the database worker in production, so deliveries leave the request thread)."""

from __future__ import annotations

from django_tasks import task

from .models import WebhookDelivery
from .services import actions_due_emit, deliveries_send, delivery_attempt


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """First attempt of a new delivery; retries are picked up by `webhooks_deliver`."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    return delivery_attempt(delivery).status


@task()
def webhooks_deliver_due_task() -> dict:
    """Due retries (schedule every minute, e.g. `manage.py webhooks_deliver --enqueue`)."""
    return deliveries_send()


@task()
def actions_due_task() -> int:
    return actions_due_emit()
