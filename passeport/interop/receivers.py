"""Receivers of the lower layers' signals: each event of a person's passport becomes
webhook deliveries (ids only, consent checked), inside the transaction of the change."""

from __future__ import annotations

from django.dispatch import receiver

from passeport.directory.signals import orientation_answered
from passeport.paths.signals import path_closed, path_opened
from passeport.rupture.signals import alerts_raised
from passeport.vault.signals import document_shared

from .enums import WebhookEvent
from .services import event_record, subscribed


@receiver(path_opened, dispatch_uid="interop.path_opened")
def on_path_opened(sender, path, actor, **kwargs) -> None:
    event_record(event=WebhookEvent.PATH_OPENED, person=path.person, key=str(path.pk),
                 data={"path_id": path.pk})


@receiver(path_closed, dispatch_uid="interop.path_closed")
def on_path_closed(sender, path, actor, **kwargs) -> None:
    event_record(event=WebhookEvent.PATH_CLOSED, person=path.person, key=str(path.pk),
                 data={"path_id": path.pk, "exit_reason": path.exit_reason})


@receiver(orientation_answered, dispatch_uid="interop.orientation_answered")
def on_orientation_answered(sender, orientation, event, actor, **kwargs) -> None:
    event_record(event=WebhookEvent.ORIENTATION_ANSWERED, person=orientation.person,
                 key=str(event.pk),
                 data={"orientation_id": orientation.pk, "status": event.to_status,
                       "partner_organisation_id": orientation.partner_id})


@receiver(document_shared, dispatch_uid="interop.document_shared")
def on_document_shared(sender, share, actor, **kwargs) -> None:
    data = {"share_id": share.pk, "shared_with_organisation_id": share.organisation_id}
    if share.document_id:
        data["document_uid"] = str(share.document.uid)
    else:
        data["category"] = share.category
    event_record(event=WebhookEvent.DOCUMENT_SHARED, person=share.person, key=str(share.pk),
                 data=data)


@receiver(alerts_raised, dispatch_uid="interop.alerts_raised")
def on_alerts_raised(sender, alerts, **kwargs) -> None:
    subscriptions = subscribed(WebhookEvent.RUPTURE_ALERT_RAISED)
    if not subscriptions:  # the daily batch stays at a constant number of queries
        return
    for alert in alerts:
        event_record(event=WebhookEvent.RUPTURE_ALERT_RAISED, person=alert.path.person,
                     subscriptions=subscriptions,
                     key=f"{alert.path_id}:{alert.kind}:{alert.cause}:{alert.raised_on}",
                     data={"path_id": alert.path_id, "alert_kind": alert.kind,
                           "raised_on": alert.raised_on.isoformat()})
