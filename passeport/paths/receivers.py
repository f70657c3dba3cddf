"""Receivers that write what happens elsewhere into the path's timeline.

The directory (below `paths` in the layers) announces orientation changes by signals;
here they become dated events of the person's current path, so the référent and the
person see, in one history, that an orientation was sent and how the partner answered.
Receivers run inside the transaction of the change.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from passeport.directory.enums import OrientationStatus
from passeport.directory.signals import orientation_created, orientation_status_changed
from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from passeport.paths.selectors import current_path
from passeport.paths.signals import job_event, situation_declared


def _record(orientation, event, title: str, body: str = "") -> None:
    path = current_path(orientation.person)
    if path is None:
        return
    TimelineEvent.objects.create(
        path=path, kind=EventKind.ORIENTATION, occurred_at=event.at, title=title[:200],
        body=body, author=event.author, by_person=False, organisation=event.organisation,
    )


@receiver(orientation_created, dispatch_uid="paths.orientation_created")
def on_orientation_created(sender, orientation, event, actor, **kwargs) -> None:
    _record(orientation, event, _("Orientation envoyée vers « %(service)s » (%(partner)s)") % {
        "service": orientation.service.nom, "partner": orientation.partner.name})


@receiver(orientation_status_changed, dispatch_uid="paths.orientation_status_changed")
def on_orientation_status_changed(sender, orientation, event, actor, **kwargs) -> None:
    names = {"service": orientation.service.nom, "partner": orientation.partner.name}
    status = event.to_status
    body = ""
    if status == OrientationStatus.ACCEPTED:
        title = _("%(partner)s a accepté l'orientation vers « %(service)s »") % names
    elif status == OrientationStatus.REFUSED:
        title = _("%(partner)s a refusé l'orientation vers « %(service)s »") % names
        body = orientation.get_refusal_reason_display()
    elif status == OrientationStatus.INFO_REQUESTED:
        title = _("%(partner)s demande un complément pour « %(service)s »") % names
    elif status == OrientationStatus.SENT:
        title = _("Complément envoyé à %(partner)s pour « %(service)s »") % names
    elif status == OrientationStatus.EXPIRED:
        title = _("Orientation vers « %(service)s » expirée sans réponse") % names
    elif status == OrientationStatus.CANCELLED:
        title = _("Orientation vers « %(service)s » annulée") % names
    else:  # a future status: still leave a trace
        title = _("Orientation vers « %(service)s » : %(status)s") % {
            **names, "status": orientation.get_status_display()}
    _record(orientation, event, title, body)


@receiver(job_event, dispatch_uid="paths.job_event")
def on_job_event(sender, person, title, body, occurred_at, author, organisation, **kwargs) -> None:
    """Jobs and immersions (the jobs app, above paths) on the person's current path."""
    path = current_path(person)
    if path is None:
        return
    TimelineEvent.objects.create(path=path, kind=EventKind.JOB, occurred_at=occurred_at,
                                 title=title[:200], body=body, author=author, by_person=False,
                                 organisation=organisation)


@receiver(situation_declared, dispatch_uid="paths.situation_declared")
def on_situation_declared(sender, path, title, body, occurred_at, author, **kwargs) -> None:
    """The person's own situation (rights, above paths), on their path: an item of the
    person that the référent has not seen yet."""
    TimelineEvent.objects.create(path=path, kind=EventKind.SITUATION, occurred_at=occurred_at,
                                 title=title[:200], body=body, author=author, by_person=True,
                                 organisation=None)
