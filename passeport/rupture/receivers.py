"""Keep the alerts of a path current when its timeline or its actions change (a
contact, an appointment's outcome, an action done): only for paths that have live
alerts, after the change is committed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from passeport.paths.models import Action, TimelineEvent
from passeport.paths.signals import booking_invited

from .models import Alert


def _refresh_later(path_id: int) -> None:
    if Alert.objects.live().filter(path_id=path_id).exists():
        from .services import alerts_refresh_path

        transaction.on_commit(lambda: alerts_refresh_path(path_id))


@receiver(post_save, sender=TimelineEvent, dispatch_uid="rupture_event_saved")
def event_saved(sender, instance: TimelineEvent, raw=False, **kwargs):
    if not raw and instance.kind != "alert":
        _refresh_later(instance.path_id)


@receiver(post_save, sender=Action, dispatch_uid="rupture_action_saved")
def action_saved(sender, instance: Action, raw=False, **kwargs):
    if not raw:
        _refresh_later(instance.path_id)


@receiver(booking_invited, dispatch_uid="rupture_booking_invited")
def booking_invited_receiver(sender, invitation, raw_token: str, **kwargs):
    """Send the invitation to choose a slot once it is committed."""
    from .booking import booking_message_send

    transaction.on_commit(lambda: booking_message_send(invitation.pk, raw_token))
