"""Alerts: the daily refresh, acknowledging and resolving (on the timeline), no
re-raise for the same cause, consent, batches in a constant number of queries, and the
e-mail digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from passeport.paths.services import event_add
from passeport.people.models import Consent
from passeport.rupture.enums import AlertStatus, SignalKind
from passeport.rupture.models import Alert, ReferentPreference
from passeport.rupture.services import alert_handle, alerts_refresh, digest_send
from tests.factories import ConsentFactory, PathFactory, PersonFactory

from .conftest import DAY0, at

D = dt.timedelta


def live(path):
    return list(Alert.objects.live().filter(path=path))


def test_refresh_raises_once_and_clears_when_the_cause_is_fixed(path):
    alerts_refresh(today=DAY0 + D(44))
    assert live(path) == []
    alerts_refresh(today=DAY0 + D(45))
    (alert,) = live(path)
    assert (alert.kind, alert.status, alert.since) == (SignalKind.NO_CONTACT, "open", DAY0)
    alerts_refresh(today=DAY0 + D(46))  # same cause: the same alert
    alert.refresh_from_db()
    assert Alert.objects.count() == 1 and alert.status == AlertStatus.OPEN
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=at(DAY0 + D(47)))
    alerts_refresh(today=DAY0 + D(47))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLEARED


def test_an_acknowledged_alert_is_not_raised_again_until_the_cause_changes(path, actor):
    alerts_refresh(today=DAY0 + D(45))
    (alert,) = live(path)
    alert_handle(actor=actor, alert=alert, status=AlertStatus.ACKNOWLEDGED, note="Appelée, messagerie")
    event = TimelineEvent.objects.get(path=path, kind=EventKind.ALERT)
    days = (timezone.localdate() - DAY0).days  # the text says the days as of the handling
    assert event.title == f"Alerte prise en compte : Pas de contact depuis {days} jours"
    assert event.body == "Appelée, messagerie" and event.author == actor.user
    alerts_refresh(today=DAY0 + D(60))
    assert Alert.objects.filter(path=path).count() == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    alert_handle(actor=actor, alert=alert, status=AlertStatus.RESOLVED)
    alerts_refresh(today=DAY0 + D(61))
    assert Alert.objects.filter(path=path).count() == 1
    # Something changes: a contact, then silence again: a new cause, a new alert.
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=at(DAY0 + D(62)))
    alerts_refresh(today=DAY0 + D(62 + 45))
    assert [a.since for a in live(path)] == [DAY0 + D(62)]


def test_no_alert_when_consent_to_the_organisation_is_withdrawn(path, actor):
    alerts_refresh(today=DAY0 + D(45))
    (alert,) = live(path)
    Consent.objects.filter(person=path.person).update(withdrawn_at=timezone.now())
    alerts_refresh(today=DAY0 + D(46))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLEARED
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=at(DAY0 + D(50)))
    alerts_refresh(today=DAY0 + D(100))
    assert live(path) == []
    with pytest.raises(NotFound):
        alert_handle(actor=actor, alert=alert, status=AlertStatus.RESOLVED)


def test_another_organisation_cannot_handle_an_alert(path, outsider_actor):
    alerts_refresh(today=DAY0 + D(45))
    (alert,) = live(path)
    with pytest.raises(NotFound):
        alert_handle(actor=outsider_actor, alert=alert, status=AlertStatus.RESOLVED)


def test_refresh_in_batches_with_a_constant_number_of_queries(org, referent, path):
    def make(n):
        for _ in range(n):
            person = PersonFactory()
            ConsentFactory(person=person, organisation=org, valid_from=DAY0 - D(10))
            PathFactory(person=person, organisation=org, referent=referent, opened_on=DAY0)

    make(2)  # 3 paths: one batch of 3
    with CaptureQueriesContext(connection) as small:
        first = alerts_refresh(today=DAY0 + D(45), batch_size=3)
    make(3)  # 6 paths: two batches of 3
    Alert.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        second = alerts_refresh(today=DAY0 + D(45), batch_size=3)
    assert (first.batches, second.batches) == (1, 2)
    assert second.raised == 6
    fixed = len(small) - (len(large) - len(small))  # queries outside the batches
    assert len(large) - fixed == 2 * (len(small) - fixed)


def test_digest_goes_to_referents_who_chose_it_once_per_alert(path, referent, actor):
    alerts_refresh(today=DAY0 + D(45))
    assert digest_send(today=DAY0 + D(45)) == 0  # not chosen
    ReferentPreference.objects.create(membership=referent, digest=True)
    assert digest_send(today=DAY0 + D(45)) == 1
    (message,) = mail.outbox
    assert message.to == [referent.user.email]
    assert path.person.public_id in message.body and "Pas de contact" in message.body
    assert path.person.last_name not in message.body  # no name by e-mail
    assert "/pro/risques/" in message.body
    assert digest_send(today=DAY0 + D(46)) == 0  # already sent


def test_management_command(path, capsys):
    call_command("rupture_alerts", "--date", (DAY0 + D(45)).isoformat(), "--no-digest")
    assert "alertes levées : 1" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_contact_logged_clears_no_contact_at_once(org, referent):
    """The référent logs a call: the "no contact" alert goes from the list without
    waiting for the nightly run."""
    today = timezone.localdate()
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, valid_from=today - dt.timedelta(days=100))
    path = PathFactory(person=person, organisation=org, referent=referent,
                       opened_on=today - dt.timedelta(days=60))
    alerts_refresh(today=today)
    alert = Alert.objects.get(path=path, kind=SignalKind.NO_CONTACT)
    assert alert.status == AlertStatus.OPEN
    event_add(actor=Actor(user=referent.user, membership=referent), path=path, kind="contact",
              title="Appel")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLEARED
