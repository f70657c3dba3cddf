"""Reminders to the person: appointments and actions due, by SMS and e-mail, at the
organisation's hour, once per date and channel; Brevo's SMS API against a local stub
server; the person's choice; consent; the no-show figures; the organisation's settings."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passeport.core import sms
from passeport.core.models import AuditEvent
from passeport.paths.enums import AppointmentOutcome, EventKind
from passeport.paths.models import Action, TimelineEvent
from passeport.people.models import Consent
from passeport.rupture.enums import ReminderStatus
from passeport.rupture.models import OrganisationSettings, Reminder, ReminderChoice
from passeport.rupture.reminders import noshow_figures, reminders_send
from tests.factories import UserFactory

from .conftest import DAY0, at

D = dt.timedelta


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def reachable(path):
    path.person.phone = "06 12 34 56 78"
    path.person.email = "gwenaelle@example.org"
    path.person.save()
    return path


def appointment(path, day, hour=14, outcome=AppointmentOutcome.PLANNED, title="Point logement et dettes"):
    return TimelineEvent.objects.create(path=path, kind=EventKind.APPOINTMENT, title=title,
                                        occurred_at=at(day, hour), appointment_outcome=outcome)


def test_appointment_reminded_by_sms_and_email_at_the_hour_and_days_the_organisation_set(reachable, org):
    org.phone = "02 98 00 00 00"
    org.save()
    appointment(reachable, DAY0 + D(2))
    # Three days before: too early; two days before but at 9 h: before the hour (10 h).
    assert reminders_send(now=at(DAY0 - D(1), 11)).sent == 0
    assert reminders_send(now=at(DAY0, 9)).sent == 0
    result = reminders_send(now=at(DAY0, 10))
    assert result.sent == 2 and result.failed == 0
    [text] = sms.outbox
    assert text.to == "33612345678"
    assert text.text.startswith("Bonjour Gwenaëlle, rappel : vous avez rendez-vous avec")
    assert org.name in text.text and "le mercredi 4 mars à 14 h" in text.text
    assert "02 98 00 00 00" in text.text
    assert "logement" not in text.text  # never the subject of the appointment
    [email] = mail.outbox
    assert email.to == ["gwenaelle@example.org"] and "le mercredi 4 mars à 14 h" in email.body
    assert "/mon-passeport/" in email.body and "logement" not in email.body
    # Run again within the hour: nothing is sent twice.
    assert reminders_send(now=at(DAY0, 11)).sent == 0
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(object_type="reminder", person_uid=reachable.person.public_id).count() == 2


def test_a_moved_appointment_is_reminded_again(reachable):
    event = appointment(reachable, DAY0 + D(1))
    assert reminders_send(now=at(DAY0, 10)).sent == 2
    event.occurred_at = at(DAY0 + D(5))
    event.save()
    assert reminders_send(now=at(DAY0 + D(3), 10)).sent == 2
    assert Reminder.objects.filter(event=event).count() == 4


def test_action_reminded_days_before_its_due_date_without_its_title(reachable, org):
    OrganisationSettings.objects.create(organisation=org, action_reminder_days=1, reminder_hour=8)
    Action.objects.create(path=reachable, title="Rendez-vous au CSAPA", due_on=DAY0 + D(2))
    assert reminders_send(now=at(DAY0, 9)).sent == 0
    assert reminders_send(now=at(DAY0 + D(1), 8)).sent == 2
    assert "prévue pour le mercredi 4 mars" in sms.outbox[0].text
    assert "CSAPA" not in sms.outbox[0].text and "CSAPA" not in mail.outbox[0].body


def test_the_persons_choice_and_a_landline(reachable):
    ReminderChoice.objects.create(person=reachable.person, by_sms=False, by_email=True)
    appointment(reachable, DAY0 + D(1))
    assert reminders_send(now=at(DAY0, 10)).sent == 1
    assert sms.outbox == [] and len(mail.outbox) == 1

    reachable.person.phone = "02 98 11 22 33"  # a landline cannot get a text message
    reachable.person.email = ""
    reachable.person.save()
    ReminderChoice.objects.filter(person=reachable.person).update(by_sms=True)
    appointment(reachable, DAY0 + D(2))
    result = reminders_send(now=at(DAY0 + D(1), 10))
    # Both appointments (today 14 h and tomorrow) are due, neither can be reminded.
    assert result.sent == 0 and result.not_reachable == 2


def test_no_reminder_without_consent_or_when_the_organisation_turned_them_off(reachable, org):
    appointment(reachable, DAY0 + D(1))
    OrganisationSettings.objects.create(organisation=org, reminders_enabled=False)
    assert reminders_send(now=at(DAY0, 10)).sent == 0
    OrganisationSettings.objects.filter(organisation=org).update(reminders_enabled=True)
    Consent.objects.filter(person=reachable.person).update(withdrawn_at=at(DAY0 - D(1)))
    assert reminders_send(now=at(DAY0, 10)).sent == 0
    assert sms.outbox == [] and mail.outbox == []


class BrevoStub(BaseHTTPRequestHandler):
    """A local stand-in for Brevo's transactional SMS endpoint, as documented: POST
    /v3/transactionalSMS/sms, key in `api-key`, 201 with a messageId, 400 with a code."""

    received: list = []
    fail_next = False

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        BrevoStub.received.append((self.path, self.headers["api-key"], body))
        if self.headers["api-key"] != "test-key" or self.path != "/v3/transactionalSMS/sms":
            status, answer = 401, {"code": "unauthorized", "message": "Key not found"}
        elif BrevoStub.fail_next:
            BrevoStub.fail_next = False
            status, answer = 400, {"code": "not_enough_credits", "message": "Not enough credits"}
        else:
            status, answer = 201, {"reference": "ab1cde2fgh3i4jklmno", "messageId": 1511882900176220,
                                   "smsCount": 2, "usedCredits": 0.7, "remainingCredits": 82.85}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def brevo(settings):
    BrevoStub.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrevoStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PASSEPORT_SMS_BACKEND = "passeport.core.sms.BrevoBackend"
    settings.PASSEPORT_SMS_BREVO_URL = f"http://127.0.0.1:{server.server_port}"
    settings.PASSEPORT_SMS_BREVO_API_KEY = "test-key"
    settings.PASSEPORT_SMS_SENDER = "MissionLoc"
    yield BrevoStub
    server.shutdown()
    server.server_close()


def test_brevo_provider_sends_and_a_failure_is_recorded_then_retried(reachable, brevo):
    reachable.person.email = ""
    reachable.person.save()
    event = appointment(reachable, DAY0 + D(1))
    brevo.fail_next = True
    result = reminders_send(now=at(DAY0, 10))
    assert (result.sent, result.failed) == (0, 1)
    reminder = Reminder.objects.get(event=event)
    assert reminder.status == ReminderStatus.FAILED and reminder.error.startswith("sms_not_enough_credits")

    result = reminders_send(now=at(DAY0, 11))  # the next run retries
    assert (result.sent, result.failed) == (1, 0)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.provider_ref == "1511882900176220"
    path, key, body = brevo.received[-1]
    assert key == "test-key"
    assert body["recipient"] == "33612345678" and body["sender"] == "MissionLoc"
    assert body["type"] == "transactional" and body["content"].startswith("Bonjour Gwenaëlle")
    assert reminders_send(now=at(DAY0, 12)).sent == 0
    assert len(brevo.received) == 2


def test_brevo_without_a_key_fails_clearly(settings):
    settings.PASSEPORT_SMS_BACKEND = "passeport.core.sms.BrevoBackend"
    settings.PASSEPORT_SMS_BREVO_API_KEY = ""
    with pytest.raises(sms.SmsError) as error:
        sms.send_sms("33612345678", "Bonjour")
    assert error.value.code == "sms_not_configured"


@pytest.mark.parametrize(("raw", "expected"), [
    ("06 12 34 56 78", "33612345678"), ("+33 7 12 34 56 78", "33712345678"),
    ("0033612345678", "33612345678"), ("06.12.34.56.78", "33612345678"),
    ("02 98 11 22 33", None), ("0612", None), ("", None)])
def test_mobile_numbers(raw, expected):
    assert sms.mobile_number(raw) == expected


def test_noshow_figures_with_and_without_reminders(reachable, org, manager, client):
    today = timezone.localdate()
    reminded_held = appointment(reachable, today - D(10), outcome=AppointmentOutcome.HELD)
    reminded_missed = appointment(reachable, today - D(5), outcome=AppointmentOutcome.MISSED)
    appointment(reachable, today - D(3), outcome=AppointmentOutcome.MISSED)
    appointment(reachable, today - D(4), outcome=AppointmentOutcome.HELD)
    appointment(reachable, today - D(2), outcome=AppointmentOutcome.HELD)
    appointment(reachable, today - D(6), outcome=AppointmentOutcome.EXCUSED)  # not counted
    appointment(reachable, today - D(200), outcome=AppointmentOutcome.MISSED)  # too old
    for event in (reminded_held, reminded_missed):
        Reminder.objects.create(path=reachable, organisation=org, kind="appointment", event=event,
                                target_on=today, channel="sms", status=ReminderStatus.SENT)
    figures = noshow_figures(org.pk, today=today)
    assert (figures.with_reminder, figures.with_reminder_missed) == (2, 1)
    assert (figures.without_reminder, figures.without_reminder_missed) == (3, 1)
    assert figures.rate_with == 50.0 and figures.rate_without == 33.3

    client.force_login(manager.user)
    html = client.get(reverse("rupture:caseload")).content.decode()
    assert "Avec un rappel envoyé" in html
    assert "50,0 %" in html or "50.0 %" in html


def test_organisation_settings_page(client, manager, referent, org):
    url = reverse("rupture:settings")
    client.force_login(referent.user)
    assert client.get(url).status_code == 403
    client.force_login(manager.user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"no_contact_days": "30", "reminders_enabled": "on",
                                 "appointment_reminder_days": "1", "action_reminder_days": "2",
                                 "reminder_hour": "23"})
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in response.content.decode()
    assert not OrganisationSettings.objects.filter(organisation=org).exists()
    response = client.post(url, {"no_contact_days": "30", "appointment_reminder_days": "1",
                                 "action_reminder_days": "2", "reminder_hour": "9"})
    assert response.status_code == 302
    conf = OrganisationSettings.objects.get(organisation=org)
    assert (conf.no_contact_days, conf.reminders_enabled, conf.appointment_reminder_days,
            conf.reminder_hour) == (30, False, 1, 9)
    assert AuditEvent.objects.filter(object_type="rupture_settings").exists()


def test_person_chooses_their_reminders(client, reachable):
    user = UserFactory()
    reachable.person.user = user
    reachable.person.save()
    client.force_login(user)
    url = reverse("rupture:me")
    html = client.get(url).content.decode()
    assert "Mes rappels" in html and 'name="by_sms"' in html
    assert client.post(url, {"by_email": "on"}).status_code == 302
    choice = ReminderChoice.objects.get(person=reachable.person)
    assert (choice.by_sms, choice.by_email) == (False, True)
