"""Demo booking invitations ("invited rather than summoned"): the demo person (the one
with a login) has a pending invitation from their référent, so that their space opens on
« Choisissez votre rendez-vous »; another person, without an account, already chose a
slot through their link, so that a référent's list shows an answered invitation and the
appointment it created. Called by `load_demo` (passeport/web/demo.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from passeport.core.actor import Actor
from passeport.paths.booking_services import (
    SlotIn,
    booking_choose_by_link,
    booking_invite,
)
from passeport.paths.enums import BookingMode, PathStatus
from passeport.paths.models import BookingInvitation, Path
from passeport.paths.selectors import current_path
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

PLACE = "Mission locale, 12 rue de Siam, Brest"


def _weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _invite(path: Path, slots: list[SlotIn], answer_by: date, motive: str):
    referent = path.referent
    return booking_invite(actor=Actor(user=referent.user, membership=referent), path=path,
                          slots=slots, answer_by=answer_by, motive=motive)


def demo_bookings(today: date | None = None) -> list[BookingInvitation]:
    """One pending invitation for the demo person, one answered on another path."""
    today = today or timezone.localdate()
    d1, d2, d3, d4 = _weekdays(today + timedelta(days=1), 4)
    made = []
    person = Person.objects.filter(user__isnull=False).order_by("pk").first()
    path = current_path(person) if person else None
    if path is not None and path.status == PathStatus.ACTIVE and path.referent_id:
        made.append(_invite(path, [
            SlotIn(starts_at=_at(d2, 9, 30), duration_minutes=45, place=PLACE),
            SlotIn(starts_at=_at(d3, 14), duration_minutes=45, place=PLACE),
            SlotIn(starts_at=_at(d4, 11), duration_minutes=30, mode=BookingMode.PHONE),
        ], answer_by=d1, motive="Faire le point sur votre recherche d'emploi").invitation)

    # Another followed person, without an account, who chose the second slot by link.
    consented = Consent.objects.active(today).filter(scope=ConsentScope.PATH).values("person_id")
    other = (Path.objects.filter(status=PathStatus.ACTIVE, person__user__isnull=True,
                                 referent__isnull=False, person_id__in=consented)
             .exclude(person=person).select_related("person", "referent__user")
             .order_by("pk").first())
    if other is not None:
        created = _invite(other, [
            SlotIn(starts_at=_at(d2, 10), duration_minutes=60, place=PLACE),
            SlotIn(starts_at=_at(d3, 16), duration_minutes=60, mode=BookingMode.VIDEO),
        ], answer_by=d1, motive="Préparer votre entretien d'embauche")
        second = created.invitation.slots.order_by("starts_at")[1]
        booking_choose_by_link(raw_token=created.raw_token, slot_id=second.pk)
        made.append(created.invitation)
    return made
