"""The message inviting the person to choose a slot (SMS and e-mail through the memory
providers), only with their active consent, and the no-show figures of chosen vs fixed
appointments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passeport.core import sms
from passeport.core.models import AuditEvent
from passeport.paths.booking_services import booking_choose_by_link, booking_invite
from passeport.paths.enums import AppointmentOutcome, EventKind
from passeport.paths.models import TimelineEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.rupture.models import ReminderChoice
from passeport.rupture.reminders import noshow_figures
from tests.factories import UserFactory
from tests.paths.booking_helpers import deadline, slots


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


def invite(actor, path, **kwargs):
    return booking_invite(actor=actor, path=path, slots=slots(), answer_by=deadline(),
                          motive="Point sur vos dettes", **kwargs)


def test_the_link_goes_by_sms_and_email_after_the_commit(actor, reachable, org,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = invite(actor, reachable)
    link = reverse("booking:link", kwargs={"token": created.raw_token})
    [text] = sms.outbox
    assert text.to == "33612345678" and link in text.text and org.name in text.text
    assert text.text.startswith("Bonjour Élodie, ") and "dettes" not in text.text  # never the motive
    [email] = mail.outbox
    assert email.to == ["elodie@example.org"] and link in email.body and "dettes" not in email.body
    assert AuditEvent.objects.filter(object_type="booking_message",
                                     person_uid=reachable.person.public_id).count() == 2


def test_no_consent_no_message(actor, reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(actor, reachable)
    # The person withdraws their consent before the message leaves.
    Consent.objects.filter(person=reachable.person, scope=ConsentScope.PATH).update(
        withdrawn_at=timezone.now())
    for callback in callbacks:
        callback()
    assert sms.outbox == [] and mail.outbox == []
    assert not AuditEvent.objects.filter(object_type="booking_message").exists()


def test_the_persons_choice_of_channels_is_kept(actor, reachable, django_capture_on_commit_callbacks):
    ReminderChoice.objects.create(person=reachable.person, by_sms=False, by_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        invite(actor, reachable)
    assert sms.outbox == [] and len(mail.outbox) == 1


def test_a_person_with_an_account_is_sent_to_their_space(actor, reachable,
                                                         django_capture_on_commit_callbacks):
    reachable.person.user = UserFactory(email="elodie@example.org")
    reachable.person.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(actor, reachable)
    [text] = sms.outbox
    assert "/mon-passeport/" in text.text and "/rendez-vous/" not in text.text


def test_noshow_rates_of_chosen_and_fixed_appointments(actor, reachable, org):
    created = invite(actor, reachable)
    event = booking_choose_by_link(raw_token=created.raw_token,
                                   slot_id=created.invitation.slots.first().pk)
    today = timezone.localdate()
    # The chosen appointment took place (moved into the past for the figures), and held.
    TimelineEvent.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=3), appointment_outcome=AppointmentOutcome.HELD)
    for outcome in (AppointmentOutcome.MISSED, AppointmentOutcome.HELD):
        TimelineEvent.objects.create(path=reachable, kind=EventKind.APPOINTMENT, title="RDV",
                                     occurred_at=timezone.now() - dt.timedelta(days=5),
                                     appointment_outcome=outcome)
    figures = noshow_figures(org.pk, today=today)
    assert (figures.chosen, figures.chosen_missed, figures.rate_chosen) == (1, 0, 0.0)
    assert (figures.fixed, figures.fixed_missed, figures.rate_fixed) == (2, 1, 50.0)
    assert figures.total == 3


def test_caseload_page_shows_chosen_and_fixed_rates(client, manager, reachable, actor):
    TimelineEvent.objects.create(path=reachable, kind=EventKind.APPOINTMENT, title="RDV",
                                 occurred_at=timezone.now() - dt.timedelta(days=5),
                                 appointment_outcome=AppointmentOutcome.MISSED)
    client.force_login(manager.user)
    html = client.get(reverse("rupture:caseload")).content.decode()
    assert "Rendez-vous choisis par la personne" in html and "Rendez-vous fixés par le référent" in html
