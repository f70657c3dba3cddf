"""Each signal on hand-made cases, computed as of a given day (a frozen clock): raised
on day N and not on day N-1, cleared when the cause is fixed."""

from __future__ import annotations

import datetime as dt

import pytest

from passeport.directory.enums import OrientationStatus
from passeport.directory.models import Orientation
from passeport.paths.enums import ActionStatus, AppointmentOutcome, EventKind
from passeport.paths.models import Action, DiagnosticEntry, TimelineEvent, WorkHoursStep
from passeport.rupture import detect
from passeport.rupture.enums import SignalKind
from passeport.rupture.models import OrganisationSettings
from passeport.rupture.texts import explain
from passeport.vault.enums import DocumentCategory
from passeport.vault.models import Document, Share
from tests.directory.helpers import make_service, make_structure
from tests.factories import OrganisationFactory

from .conftest import DAY0, at, reload

D = dt.timedelta


def kinds(path, day, **kw):
    return {s.kind: s for s in detect.compute([reload(path)], day, **kw)[path.pk]}


def test_no_contact_raised_on_day_45_not_44_and_cleared_by_a_contact(path):
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=at(DAY0))
    assert SignalKind.NO_CONTACT not in kinds(path, DAY0 + D(44))
    signal = kinds(path, DAY0 + D(45))[SignalKind.NO_CONTACT]
    assert signal.days == 45 and signal.since == DAY0
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=at(DAY0 + D(45)))
    assert SignalKind.NO_CONTACT not in kinds(path, DAY0 + D(45))


def test_no_contact_counts_from_the_opening_and_follows_the_organisations_setting(path, org):
    assert SignalKind.NO_CONTACT in kinds(path, DAY0 + D(45))
    OrganisationSettings.objects.create(organisation=org, no_contact_days=30)
    assert SignalKind.NO_CONTACT not in kinds(path, DAY0 + D(29))
    assert kinds(path, DAY0 + D(30))[SignalKind.NO_CONTACT].days == 30


def test_a_missed_appointment_or_a_planned_one_is_not_a_contact(path):
    TimelineEvent.objects.create(path=path, kind=EventKind.APPOINTMENT, title="RDV",
                                 appointment_outcome=AppointmentOutcome.MISSED,
                                 occurred_at=at(DAY0 + D(20)))
    assert SignalKind.NO_CONTACT in kinds(path, DAY0 + D(45))
    TimelineEvent.objects.create(path=path, kind=EventKind.MESSAGE, title="Message",
                                 by_person=True, occurred_at=at(DAY0 + D(20)))
    assert SignalKind.NO_CONTACT not in kinds(path, DAY0 + D(45))


def test_two_missed_appointments_in_a_row_and_an_appointment_held_clears(path):
    def appt(day, outcome):
        return TimelineEvent.objects.create(path=path, kind=EventKind.APPOINTMENT, title="RDV",
                                            appointment_outcome=outcome, occurred_at=at(day))
    appt(DAY0 + D(1), AppointmentOutcome.HELD)
    appt(DAY0 + D(10), AppointmentOutcome.MISSED)
    assert SignalKind.MISSED_APPOINTMENTS not in kinds(path, DAY0 + D(19))
    second = appt(DAY0 + D(20), AppointmentOutcome.MISSED)
    assert SignalKind.MISSED_APPOINTMENTS not in kinds(path, DAY0 + D(19))  # not yet happened
    signal = kinds(path, DAY0 + D(20))[SignalKind.MISSED_APPOINTMENTS]
    assert signal.evidence["count"] == 2 and signal.since == DAY0 + D(10)
    second.appointment_outcome = AppointmentOutcome.EXCUSED  # excused: not a no-show
    second.save()
    assert SignalKind.MISSED_APPOINTMENTS not in kinds(path, DAY0 + D(20))
    appt(DAY0 + D(25), AppointmentOutcome.MISSED)
    assert SignalKind.MISSED_APPOINTMENTS in kinds(path, DAY0 + D(25))
    appt(DAY0 + D(30), AppointmentOutcome.HELD)
    assert SignalKind.MISSED_APPOINTMENTS not in kinds(path, DAY0 + D(30))


@pytest.fixture
def orientation(path, org):
    partner = OrganisationFactory(name="Garage solidaire")
    service = make_service(make_structure(organisation=partner), nom="Location de voitures")
    return Orientation.objects.create(
        person=path.person, service=service, partner=partner, sender=org, message="Mobilité",
        consent_method="oral", created_at=at(DAY0), waiting_since=at(DAY0))


def test_orientation_unanswered_for_15_days_then_answered(path, orientation):
    assert SignalKind.ORIENTATION_UNANSWERED not in kinds(path, DAY0 + D(14))
    signal = kinds(path, DAY0 + D(15))[SignalKind.ORIENTATION_UNANSWERED]
    assert signal.evidence["service"] == "Location de voitures"
    orientation.status = OrientationStatus.ACCEPTED
    orientation.answered_at = at(DAY0 + D(15))
    orientation.save()
    assert SignalKind.ORIENTATION_UNANSWERED not in kinds(path, DAY0 + D(15))


def test_orientation_refused_with_no_next_step_for_7_days_then_an_action(path, orientation):
    orientation.status = OrientationStatus.REFUSED
    orientation.refusal_reason = "no_capacity"
    orientation.answered_at = at(DAY0 + D(3))
    orientation.save()
    assert SignalKind.ORIENTATION_REFUSED not in kinds(path, DAY0 + D(9))
    assert SignalKind.ORIENTATION_REFUSED in kinds(path, DAY0 + D(10))
    Action.objects.create(path=path, title="Chercher un autre garage", created_at=at(DAY0 + D(10)))
    assert SignalKind.ORIENTATION_REFUSED not in kinds(path, DAY0 + D(10))


def test_action_overdue_14_days_then_done(path):
    action = Action.objects.create(path=path, title="Envoyer le CV", due_on=DAY0)
    assert SignalKind.ACTION_OVERDUE not in kinds(path, DAY0 + D(13))
    signal = kinds(path, DAY0 + D(14))[SignalKind.ACTION_OVERDUE]
    assert signal.cause == f"a{action.pk}" and signal.evidence["title"] == "Envoyer le CV"
    action.status = ActionStatus.DONE
    action.save()
    assert SignalKind.ACTION_OVERDUE not in kinds(path, DAY0 + D(14))


def test_contract_ending_within_30_days_with_nothing_planned(path):
    WorkHoursStep.objects.create(path=path, hours_per_week=20, starts_on=DAY0,
                                 ends_on=DAY0 + D(60), contract="cddi")
    assert SignalKind.CONTRACT_ENDING not in kinds(path, DAY0 + D(29))
    signal = kinds(path, DAY0 + D(30))[SignalKind.CONTRACT_ENDING]
    assert signal.days == 30
    Action.objects.create(path=path, title="Candidater en CDI", due_on=DAY0 + D(50))
    assert SignalKind.CONTRACT_ENDING not in kinds(path, DAY0 + D(30))


def test_work_hours_going_down_then_back_up(path):
    WorkHoursStep.objects.create(path=path, hours_per_week=12, starts_on=DAY0)
    WorkHoursStep.objects.create(path=path, hours_per_week=8, starts_on=DAY0 + D(20))
    assert SignalKind.WORK_HOURS_DOWN not in kinds(path, DAY0 + D(19))
    signal = kinds(path, DAY0 + D(20))[SignalKind.WORK_HOURS_DOWN]
    assert (signal.evidence["from"], signal.evidence["to"]) == (12, 8)
    WorkHoursStep.objects.create(path=path, hours_per_week=16, starts_on=DAY0 + D(30))
    assert SignalKind.WORK_HOURS_DOWN not in kinds(path, DAY0 + D(30))


def test_identity_paper_expiring_is_a_signal_only_if_shared_with_the_organisation(path, org):
    doc = Document.objects.create(person=path.person, category=DocumentCategory.IDENTITY,
                                  title="Titre de séjour", expires_on=DAY0 + D(40))
    # The person sees it about themselves from 30 days before.
    assert SignalKind.DOCUMENT_EXPIRING not in kinds(path, DAY0 + D(9), for_person=True)
    assert SignalKind.DOCUMENT_EXPIRING in kinds(path, DAY0 + D(10), for_person=True)
    # The organisation only if the person shared the paper with it.
    assert SignalKind.DOCUMENT_EXPIRING not in kinds(path, DAY0 + D(10))
    Share.objects.create(person=path.person, organisation=org, document=doc,
                         expires_on=DAY0 + D(365))
    assert kinds(path, DAY0 + D(10))[SignalKind.DOCUMENT_EXPIRING].days == 30
    doc.expires_on = DAY0 + D(3650)  # renewed
    doc.save()
    assert SignalKind.DOCUMENT_EXPIRING not in kinds(path, DAY0 + D(10))


def test_a_right_about_to_end_from_a_paper_of_the_safe(path, org):
    """A paper proving a right (here a complémentaire santé solidaire certificate) that
    reaches its end date is a "right about to end"; an identity paper is not."""
    doc = Document.objects.create(person=path.person, category=DocumentCategory.HEALTH,
                                  title="Attestation complémentaire santé solidaire",
                                  expires_on=DAY0 + D(40))
    Share.objects.create(person=path.person, organisation=org, category=DocumentCategory.HEALTH,
                         expires_on=DAY0 + D(365))
    assert SignalKind.RIGHT_ENDING not in kinds(path, DAY0 + D(9))
    signal = kinds(path, DAY0 + D(10))[SignalKind.RIGHT_ENDING]
    assert signal.days == 30 and signal.evidence["category"] == DocumentCategory.HEALTH
    assert SignalKind.DOCUMENT_EXPIRING not in kinds(path, DAY0 + D(10))
    assert "prend fin le" in explain(signal.kind, signal.days, signal.evidence)
    doc.expires_on = DAY0 + D(400)  # renewed for a year
    doc.save()
    assert SignalKind.RIGHT_ENDING not in kinds(path, DAY0 + D(10))


def test_no_referent_or_a_referent_who_left(path, referent):
    assert SignalKind.NO_REFERENT not in kinds(path, DAY0)
    referent.is_active = False
    referent.save()
    assert kinds(path, DAY0)[SignalKind.NO_REFERENT].cause == f"left:{referent.pk}"
    path.referent = None
    path.save()
    assert kinds(path, DAY0)[SignalKind.NO_REFERENT].cause == "none"


def test_blocking_frein_without_action_for_14_days(path):
    DiagnosticEntry.objects.create(path=path, theme="mobilite", severity=3, assessed_on=DAY0)
    assert SignalKind.SEVERE_FREIN not in kinds(path, DAY0 + D(13))
    assert kinds(path, DAY0 + D(14))[SignalKind.SEVERE_FREIN].evidence["theme"] == "mobilite"
    Action.objects.create(path=path, title="Permis", theme="mobilite")
    assert SignalKind.SEVERE_FREIN not in kinds(path, DAY0 + D(14))


def test_signals_of_a_batch_in_a_constant_number_of_queries(path, org, referent,
                                                            django_assert_max_num_queries):
    from tests.factories import ConsentFactory, PathFactory, PersonFactory
    paths = [path]
    for _ in range(6):
        person = PersonFactory()
        ConsentFactory(person=person, organisation=org)
        p = PathFactory(person=person, organisation=org, referent=referent, opened_on=DAY0)
        Action.objects.create(path=p, title="x", due_on=DAY0)
        TimelineEvent.objects.create(path=p, kind=EventKind.CONTACT, title="c", occurred_at=at(DAY0))
        paths.append(p)
    batch = [reload(p) for p in paths]
    with django_assert_max_num_queries(13):
        signals = detect.compute(batch, DAY0 + D(60))
    assert all(SignalKind.NO_CONTACT in {s.kind for s in signals[p.pk]} for p in paths)


def test_booking_invitation_unanswered_raised_the_day_after_its_deadline(path, referent):
    from passeport.paths.enums import BookingStatus
    from passeport.paths.models import BookingInvitation
    from passeport.rupture import texts

    invitation = BookingInvitation.objects.create(path=path, organisation=path.organisation,
                                                  referent=referent, answer_by=DAY0 + D(5))
    assert SignalKind.BOOKING_UNANSWERED not in kinds(path, DAY0 + D(5))
    signal = kinds(path, DAY0 + D(6))[SignalKind.BOOKING_UNANSWERED]
    assert signal.cause == f"b{invitation.pk}" and signal.since == DAY0 + D(6) and signal.weight == 2
    assert "sans réponse" in texts.explain(signal.kind, signal.days, signal.evidence)
    assert "pas encore choisi" in texts.for_person(signal.kind, signal.days, signal.evidence)
    BookingInvitation.objects.filter(pk=invitation.pk).update(status=BookingStatus.CANCELLED)
    assert SignalKind.BOOKING_UNANSWERED not in kinds(path, DAY0 + D(6))
