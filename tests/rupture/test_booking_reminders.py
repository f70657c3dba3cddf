"""The reminder of a booking invitation left unanswered, the day before its deadline, at
the organisation's hour, once per channel (memory SMS and e-mail backends): only the
organisation and the deadline, and a new link for a person without an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passeport.core import sms
from passeport.core.crypto import token_hash
from passeport.core.errors import NotFound
from passeport.core.models import AuditEvent
from passeport.core.sms import SmsError
from passeport.paths.booking_selectors import invitation_for_link
from passeport.paths.booking_services import (
    booking_cancel,
    booking_choose_by_link,
    booking_invite,
)
from passeport.paths.enums import BookingStatus
from passeport.paths.models import BookingInvitation
from passeport.people.models import Consent
from passeport.rupture import booking as rupture_booking
from passeport.rupture.booking import booking_reminders_send
from passeport.rupture.enums import ReminderKind, ReminderStatus
from passeport.rupture.models import OrganisationSettings, Reminder
from tests.factories import UserFactory
from tests.paths.booking_helpers import deadline, slots

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def reachable(followed_path):
    person = followed_path.person
    person.phone, person.email = "06 12 34 56 78", "elodie@example.org"
    person.save()
    return followed_path


def invite(actor, path):
    """An invitation sent two days ago, answer by the day after tomorrow (local)."""
    created = booking_invite(actor=actor, path=path, slots=slots(), answer_by=deadline(2),
                             motive="Point sur vos dettes")
    BookingInvitation.objects.filter(pk=created.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2))
    sms.outbox.clear()
    mail.outbox.clear()
    return created


def tomorrow_at(hour: int) -> dt.datetime:
    """The day before the deadline, at `hour` (local)."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_reminded_once_the_day_before_the_deadline_with_a_new_link(actor, reachable, org):
    created = invite(actor, reachable)
    invitation = created.invitation
    # Two days before the deadline (today), or the day before but before the hour (10 h).
    assert booking_reminders_send(now=timezone.now()).sent == 0
    assert booking_reminders_send(now=tomorrow_at(9)).sent == 0
    assert sms.outbox == [] and mail.outbox == []

    result = booking_reminders_send(now=tomorrow_at(10))
    assert (result.sent, result.failed) == (2, 0)
    [text] = sms.outbox
    [email] = mail.outbox
    assert text.to == "33612345678" and email.to == ["elodie@example.org"]
    assert email.subject == "Rappel : choisissez votre rendez-vous"
    assert text.text == email.body
    assert text.text.startswith(f"Rappel : {org.name} vous propose de choisir la date")
    for secret in ("Élodie", "Kerouac", "dettes", reachable.person.public_id):
        assert secret not in text.text
    # A new link: only its hash is stored; it and the first link both open the page.
    link_path = reverse("booking:link", kwargs={"token": "TOKEN"}).replace("TOKEN/", "")
    raw = text.text.split(link_path)[1].rstrip("/")
    invitation.refresh_from_db()
    assert invitation.reminder_token_hash == token_hash(raw)
    assert raw not in str(BookingInvitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation_for_link(raw).pk == invitation.pk
    assert invitation_for_link(created.raw_token).pk == invitation.pk
    reminders = Reminder.objects.filter(booking=invitation)
    assert {(r.kind, r.channel, r.status, r.target_on) for r in reminders} == {
        (ReminderKind.BOOKING, "sms", ReminderStatus.SENT, invitation.answer_by),
        (ReminderKind.BOOKING, "email", ReminderStatus.SENT, invitation.answer_by)}
    assert AuditEvent.objects.filter(object_type="booking_message",
                                     person_uid=reachable.person.public_id,
                                     detail__purpose__startswith="rappel").count() == 2

    # Once: later runs send nothing more.
    assert booking_reminders_send(now=tomorrow_at(15)).sent == 0
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1

    # Answering through the reminder's link burns both links.
    booking_choose_by_link(raw_token=raw, slot_id=invitation.slots.first().pk)
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.BOOKED
    for token in (raw, created.raw_token):
        with pytest.raises(NotFound):
            invitation_for_link(token)


def test_a_person_with_an_account_is_sent_to_their_space(actor, reachable):
    reachable.person.user = UserFactory()
    reachable.person.save()
    created = invite(actor, reachable)
    assert booking_reminders_send(now=tomorrow_at(10)).sent == 2
    [text] = sms.outbox
    assert text.text.endswith("dans votre passeport.") and "/rendez-vous/" not in text.text
    created.invitation.refresh_from_db()
    assert created.invitation.reminder_token_hash is None


def test_no_reminder_once_answered_cancelled_without_consent_or_turned_off(
        actor, reachable, org):
    answered = invite(actor, reachable)
    booking_choose_by_link(raw_token=answered.raw_token,
                           slot_id=answered.invitation.slots.first().pk)
    cancelled = invite(actor, reachable)
    booking_cancel(actor=actor, invitation=cancelled.invitation)
    assert booking_reminders_send(now=tomorrow_at(10)).sent == 0

    invite(actor, reachable)
    OrganisationSettings.objects.create(organisation=org, reminders_enabled=False)
    assert booking_reminders_send(now=tomorrow_at(10)).sent == 0
    OrganisationSettings.objects.filter(organisation=org).update(reminders_enabled=True)
    Consent.objects.filter(person=reachable.person, organisation=org).update(
        withdrawn_at=timezone.now())
    assert booking_reminders_send(now=tomorrow_at(10)).sent == 0
    assert sms.outbox == [] and mail.outbox == []
    assert not Reminder.objects.exists()


def test_an_invitation_sent_the_same_day_is_not_reminded(actor, reachable):
    created = booking_invite(actor=actor, path=reachable, slots=slots(), answer_by=deadline(1))
    sms.outbox.clear()
    mail.outbox.clear()
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    assert booking_reminders_send(now=noon).sent == 0
    assert not Reminder.objects.filter(booking=created.invitation).exists()


def test_a_failed_sms_is_retried_at_the_next_run_and_the_email_is_not_resent(
        actor, reachable, monkeypatch):
    invite(actor, reachable)
    real = rupture_booking.send_sms

    def down(*args, **kwargs):
        raise SmsError("provider down", code="sms_unavailable")

    monkeypatch.setattr(rupture_booking, "send_sms", down)
    result = booking_reminders_send(now=tomorrow_at(10))
    assert (result.sent, result.failed) == (1, 1)
    assert Reminder.objects.get(channel="sms").status == ReminderStatus.FAILED
    monkeypatch.setattr(rupture_booking, "send_sms", real)
    result = booking_reminders_send(now=tomorrow_at(11))
    assert (result.sent, result.failed) == (1, 0)
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}
