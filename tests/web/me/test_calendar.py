"""« Ajouter à mon agenda »: the person saves a planned appointment in their calendar
as an .ics file (RFC 5545), read back here with icalendar's parser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from passeport.core.models import AuditEvent
from passeport.paths.enums import BookingMode, BookingStatus, EventKind
from passeport.paths.models import BookingInvitation, BookingSlot, TimelineEvent

pytestmark = pytest.mark.django_db


def _moment(days=3, hour=14, minute=30):
    return timezone.make_aware(dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=days), dt.time(hour, minute)))


@pytest.fixture
def appointment(followed_path, org):
    org.commune_name = "Brest"
    org.phone = "02 98 00 00 00"
    org.save()
    return TimelineEvent.objects.create(
        path=followed_path, kind=EventKind.APPOINTMENT, title="Point emploi",
        body="Apportez votre CV.", occurred_at=_moment(), appointment_outcome="planned",
        organisation=org)


def _event(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_the_home_page_offers_the_file_and_it_holds_the_appointment(
        me_client, appointment):
    url = reverse("me:appointment_calendar", args=[appointment.pk])
    home = me_client.get(reverse("me:home")).content.decode()
    assert f'href="{url}"' in home and "Ajouter à mon agenda" in home
    response = me_client.get(url)
    event = _event(response)
    day = timezone.localdate() + dt.timedelta(days=3)
    assert response["Content-Disposition"] == f'attachment; filename="rendez-vous-{day.isoformat()}.ics"'
    assert event.decoded("dtstart") == appointment.occurred_at
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(hours=1)
    assert str(event["summary"]) == "Point emploi — Mission locale du Pays de Brest"
    assert str(event["location"]) == "Mission locale du Pays de Brest, Brest"
    assert "Apportez votre CV." in str(event["description"])
    assert "02 98 00 00 00" in str(event["description"])
    alarm = event.walk("VALARM")[0]
    assert alarm.decoded("trigger") == -dt.timedelta(days=1)
    # Saving it twice updates the same entry.
    assert _event(me_client.get(url))["uid"] == event["uid"]


def test_a_booked_slot_gives_its_length_and_how_it_takes_place(me_client, followed_path, org):
    event = TimelineEvent.objects.create(
        path=followed_path, kind=EventKind.APPOINTMENT, title="Rendez-vous de suivi",
        occurred_at=_moment(days=5, hour=10, minute=0), appointment_outcome="planned",
        organisation=org)
    invitation = BookingInvitation.objects.create(
        path=followed_path, organisation=org, answer_by=timezone.localdate() + dt.timedelta(days=2))
    slot = BookingSlot.objects.create(invitation=invitation, starts_at=event.occurred_at,
                                      duration_minutes=30, mode=BookingMode.PHONE,
                                      place="Je vous appelle au 06 12 34 56 78")
    invitation.status, invitation.chosen_slot, invitation.appointment = (
        BookingStatus.BOOKED, slot, event)
    invitation.answered_at = timezone.now()
    invitation.save()
    ical = _event(me_client.get(reverse("me:appointment_calendar", args=[event.pk])))
    assert ical.decoded("dtend") - ical.decoded("dtstart") == dt.timedelta(minutes=30)
    assert str(ical["location"]) == "Par téléphone — Je vous appelle au 06 12 34 56 78"


def test_only_my_planned_appointments(client, me_client, appointment, followed_path, other_person):
    note = TimelineEvent.objects.create(path=followed_path, kind=EventKind.NOTE, title="Note")
    held = TimelineEvent.objects.create(
        path=followed_path, kind=EventKind.APPOINTMENT, title="Passé",
        occurred_at=timezone.now() - dt.timedelta(days=2), appointment_outcome="held")
    theirs = TimelineEvent.objects.create(
        path=other_person.paths.first(), kind=EventKind.APPOINTMENT, title="Rendez-vous de Maëlle",
        occurred_at=_moment(), appointment_outcome="planned")
    for event in (note, held, theirs):
        response = me_client.get(reverse("me:appointment_calendar", args=[event.pk]))
        assert response.status_code == 404
        assert b"Maelle" not in response.content and "Maëlle".encode() not in response.content
    client.logout()
    anonymous = client.get(reverse("me:appointment_calendar", args=[appointment.pk]))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_the_referent_saves_it_too_without_more_personal_data(
        pro_client, appointment, followed_path, other_org):
    """The professional's copy names the person by first name and initial and links to
    the passport (behind login); another organisation gets 404."""
    from tests.factories import MembershipFactory

    person = followed_path.person
    url = reverse("pro:appointment_calendar", args=[person.public_id, appointment.pk])
    page = pro_client.get(reverse("pro:passport", args=[person.public_id])).content.decode()
    assert f'href="{url}"' in page
    response = pro_client.get(url)
    event = _event(response)
    assert str(event["summary"]) == "Point emploi — Élodie K."
    assert person.public_id in str(event["description"])
    assert reverse("pro:passport", args=[person.public_id]) in str(event["description"])
    assert person.last_name not in response.content.decode()
    assert "Apportez votre CV." not in response.content.decode()  # the notes stay here
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="view").exists()
    outsider = MembershipFactory(organisation=other_org)
    pro_client.force_login(outsider.user)
    assert pro_client.get(url).status_code == 404
