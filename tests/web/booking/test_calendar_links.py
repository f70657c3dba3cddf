"""After choosing a slot, « Ajouter à mon agenda »: in the person's space a link to the
appointment's .ics file; through the single-use link (no account, the link is burnt)
the file travels inside the confirmation page."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from passeport.paths.enums import EventKind

from .test_pages import invite

pytestmark = pytest.mark.django_db


def test_the_link_confirmation_carries_the_calendar_file(client, actor, followed_path):
    created = invite(actor, followed_path)
    slot = created.invitation.slots.first()
    done = client.post(reverse("booking:link", kwargs={"token": created.raw_token}),
                       {"slot": slot.pk}).content.decode()
    found = re.search(r'href="data:text/calendar;charset=utf-8;base64,([A-Za-z0-9+/=]+)" '
                      r'download="rendez-vous-(\d{4}-\d{2}-\d{2})\.ics"', done)
    assert found and "Ajouter à mon agenda" in done
    ics = base64.b64decode(found.group(1))
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == slot.starts_at
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == \
        slot.duration_minutes * 60
    assert str(event["location"]) == slot.place
    person = followed_path.person
    text = ics.decode()
    assert person.last_name not in text and person.public_id not in text


def test_the_space_confirmation_links_to_the_calendar_file(me_client, actor, followed_path):
    invitation = invite(actor, followed_path).invitation
    url = reverse("booking:me_invitation", kwargs={"pk": invitation.pk})
    me_client.post(url, {"slot": invitation.slots.all()[1].pk})
    appointment = followed_path.events.get(kind=EventKind.APPOINTMENT)
    ics_url = reverse("me:appointment_calendar", args=[appointment.pk])
    assert f'href="{ics_url}"' in me_client.get(url).content.decode()
    response = me_client.get(ics_url)
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == invitation.slots.all()[1].starts_at
