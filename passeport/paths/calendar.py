"""An appointment as an iCalendar file (RFC 5545, built with `icalendar`), for
« Ajouter à mon agenda »: the person saves it in their phone's calendar.

The file carries what the appointment card shows (title, organisation, place or how it
takes place, the organisation's phone to warn) and a reminder the day before; nothing
of the person's path beyond that. Its UID is stable, so saving it twice updates the
same calendar entry."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .enums import BookingMode, EventKind
from .models import BookingInvitation, TimelineEvent

# An appointment fixed by the référent has no length; one booked from a slot has the slot's.
DEFAULT_MINUTES = 60


def _where(event: TimelineEvent, slot) -> str:
    if slot is not None and slot.mode != BookingMode.ON_SITE:
        label = str(BookingMode(slot.mode).label)
        return f"{label} — {slot.place}" if slot.place else label
    if slot is not None and slot.place:
        return slot.place
    org = event.organisation
    if org is None:
        return ""
    return ", ".join(p for p in (org.name, org.commune_name) if p)


def appointment_ics(event: TimelineEvent, *, person=None, passport_url: str = "") -> bytes:
    """The appointment as a one-event calendar (text/calendar). With `person`, the
    professional's copy (their calendar is often synchronised with an outside service):
    the title names the person by first name and initial, the description gives the
    passport number and `passport_url` (behind login); not the appointment's notes."""
    assert event.kind == EventKind.APPOINTMENT
    invitation = (BookingInvitation.objects.select_related("chosen_slot")
                  .filter(appointment=event).first())
    slot = invitation.chosen_slot if invitation is not None else None
    minutes = slot.duration_minutes if slot is not None else DEFAULT_MINUTES
    org = event.organisation

    calendar = Calendar()
    calendar.add("prodid", "-//Passeport//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = Event()
    host = urlsplit(settings.PASSEPORT_BASE_URL).hostname or "passeport"
    item.add("uid", f"appointment-{'pro-' if person else ''}{event.pk}@{host}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.occurred_at)
    item.add("dtend", event.occurred_at + timedelta(minutes=minutes))
    if person is not None:
        item.add("summary", f"{event.title} — {person.first_name} {person.last_name[:1]}.")
    else:
        item.add("summary", f"{event.title} — {org.name}" if org else event.title)
    where = _where(event, slot)
    if where:
        item.add("location", where)
    lines = []
    if event.body and person is None:
        lines.append(event.body)
    if person is not None:
        lines.append(_("Passeport %(number)s : %(url)s") % {
            "number": person.public_id, "url": passport_url})
    elif org is not None and org.phone:
        lines.append(_("Vous ne pouvez pas venir ? Prévenez %(org)s le plus tôt possible : "
                       "%(phone)s.") % {"org": org.name, "phone": org.phone})
    else:
        lines.append(_("Vous ne pouvez pas venir ? Prévenez votre référent le plus tôt "
                       "possible."))
    item.add("description", "\n".join(lines))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Rendez-vous demain : %(title)s") % {"title": event.title})
    alarm.add("trigger", timedelta(days=-1))
    item.add_component(alarm)
    calendar.add_component(item)
    return calendar.to_ical()
