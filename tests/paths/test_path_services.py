import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    EventKind,
    ObjectiveStatus,
    PathStatus,
    Severity,
)
from passeport.paths.models import DiagnosticEntry, Path, TimelineEvent, WorkHoursStep
from passeport.paths.selectors import path_followers, path_view
from passeport.paths.services import (
    action_add,
    action_set_status,
    appointment_set_outcome,
    diagnostic_assess,
    event_add,
    objective_add,
    path_open,
    path_set_status,
    person_message,
    work_hours_add,
)
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent

from ..factories import ConsentFactory, PersonFactory, UserFactory


@pytest.fixture
def person_actor(followed_path):
    user = UserFactory()
    person = followed_path.person
    person.user = user
    person.save()
    return Actor(user=user)


@pytest.mark.django_db
def test_one_open_path_per_person(actor, followed_path):
    with pytest.raises(Conflict):
        path_open(actor=actor, person=followed_path.person)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Path.objects.create(person=followed_path.person, organisation=followed_path.organisation)


@pytest.mark.django_db
def test_open_path_needs_consent(actor):
    person = PersonFactory()
    with pytest.raises(NotFound):
        path_open(actor=actor, person=person)
    ConsentFactory(person=person, organisation=actor.organisation, scope=ConsentScope.PATH)
    path = path_open(actor=actor, person=person, referent=actor.membership)
    assert path.status == PathStatus.ACTIVE
    assert path.events.filter(kind=EventKind.STATUS_CHANGE).count() == 1


@pytest.mark.django_db
def test_reassessment_keeps_history(actor, followed_path):
    day1 = timezone.localdate() - dt.timedelta(days=60)
    diagnostic_assess(actor=actor, path=followed_path, assessments={"mobilite": 3, "numerique": 2},
                      assessed_on=day1)
    diagnostic_assess(actor=actor, path=followed_path, assessments={"mobilite": 1, "numerique": 2})
    current = {e.theme: e.severity for e in followed_path.diagnostic.filter(is_current=True)}
    assert current == {"mobilite": Severity.LIGHT, "numerique": Severity.MODERATE}
    history = list(DiagnosticEntry.objects.filter(path=followed_path, theme="mobilite")
                   .order_by("assessed_on").values_list("severity", flat=True))
    assert history == [3, 1]
    assert followed_path.events.filter(kind=EventKind.REASSESSMENT).count() == 2


@pytest.mark.django_db
def test_bad_diagnostic_saves_nothing(actor, followed_path):
    with pytest.raises(PasseportError) as exc:
        diagnostic_assess(actor=actor, path=followed_path, assessments={"mobilite": 2, "sante": 7})
    assert exc.value.code == "invalid_severity"
    assert not DiagnosticEntry.objects.exists()
    assert not TimelineEvent.objects.filter(kind=EventKind.REASSESSMENT).exists()


@pytest.mark.django_db
def test_person_proposes_and_referent_sees_it(actor, person_actor, followed_path):
    objective = objective_add(actor=person_actor, path=followed_path, title="Passer le permis")
    action = action_add(actor=person_actor, path=followed_path, title="M'inscrire au code")
    assert objective.status == ObjectiveStatus.PROPOSED and objective.proposed_by_person
    assert action.status == ActionStatus.PROPOSED and action.for_person
    view = path_view(followed_path)
    assert {e.title for e in view.unseen_from_person} >= {"Action proposée : M'inscrire au code"}
    # The person cannot mark a proposal done before the référent validates it.
    with pytest.raises(PasseportError):
        action_set_status(actor=person_actor, action=action, status=ActionStatus.DONE)
    action_set_status(actor=actor, action=action, status=ActionStatus.TODO)
    action_set_status(actor=person_actor, action=action, status=ActionStatus.DONE)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_at is not None


@pytest.mark.django_db
def test_person_cannot_change_professional_actions(actor, person_actor, followed_path):
    action = action_add(actor=actor, path=followed_path, title="Contacter la CAF")
    with pytest.raises(NotFound):
        action_set_status(actor=person_actor, action=action, status=ActionStatus.DONE)


@pytest.mark.django_db
def test_person_message_on_timeline(person_actor, followed_path, actor):
    event = person_message(actor=person_actor, path=followed_path, body="Je ne peux pas venir jeudi.")
    assert event.kind == EventKind.MESSAGE and event.by_person
    with pytest.raises(NotFound):
        person_message(actor=actor, path=followed_path, body="pas la personne")


@pytest.mark.django_db
def test_appointment_outcomes(actor, followed_path):
    event = event_add(actor=actor, path=followed_path, kind=EventKind.APPOINTMENT, title="Entretien",
                      appointment_outcome=AppointmentOutcome.MISSED)
    assert event.appointment_outcome == "missed"
    with pytest.raises(PasseportError):
        event_add(actor=actor, path=followed_path, kind=EventKind.NOTE, title="Note",
                  appointment_outcome=AppointmentOutcome.HELD)


@pytest.mark.django_db
def test_an_appointment_to_come_cannot_be_held_or_missed_yet(actor, followed_path):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(PasseportError) as error:
        event_add(actor=actor, path=followed_path, kind=EventKind.APPOINTMENT, title="Entretien",
                  occurred_at=tomorrow, appointment_outcome=AppointmentOutcome.HELD)
    assert error.value.code == "outcome_in_future"
    event = event_add(actor=actor, path=followed_path, kind=EventKind.APPOINTMENT, title="Entretien",
                      occurred_at=tomorrow)
    with pytest.raises(PasseportError):
        appointment_set_outcome(actor=actor, event=event, outcome=AppointmentOutcome.MISSED)
    event.refresh_from_db()
    assert event.appointment_outcome == AppointmentOutcome.PLANNED
    appointment_set_outcome(actor=actor, event=event, outcome=AppointmentOutcome.EXCUSED)


@pytest.mark.django_db
def test_work_hours_ladder(actor, followed_path):
    start = timezone.localdate() - dt.timedelta(days=90)
    for i, hours in enumerate([4, 8, 12, 26]):
        work_hours_add(actor=actor, path=followed_path, hours_per_week=hours,
                       starts_on=start + dt.timedelta(days=20 * i),
                       contract="cddi" if hours == 26 else "premieres_heures")
    steps = list(WorkHoursStep.objects.filter(path=followed_path))
    assert [s.hours_per_week for s in steps] == [4, 8, 12, 26]
    assert all(s.ends_on == n.starts_on - dt.timedelta(days=1) for s, n in zip(steps, steps[1:], strict=False))
    assert steps[-1].ends_on is None
    assert path_view(followed_path).current_hours.hours_per_week == 26
    with pytest.raises(PasseportError) as exc:
        work_hours_add(actor=actor, path=followed_path, hours_per_week=40,
                       starts_on=start + dt.timedelta(days=200))
    assert WorkHoursStep.objects.filter(path=followed_path).count() == 4
    assert exc.value.field == "hours_per_week"


@pytest.mark.django_db
def test_close_path_needs_exit_reason(actor, followed_path):
    with pytest.raises(PasseportError):
        path_set_status(actor=actor, path=followed_path, status=PathStatus.CLOSED)
    path_set_status(actor=actor, path=followed_path, status=PathStatus.CLOSED, exit_reason="employment")
    followed_path.refresh_from_db()
    assert followed_path.closed_on == timezone.localdate()


@pytest.mark.django_db
def test_other_organisation_cannot_write(outsider_actor, followed_path):
    with pytest.raises(NotFound):
        action_add(actor=outsider_actor, path=followed_path, title="Intrusion")
    with pytest.raises(NotFound):
        diagnostic_assess(actor=outsider_actor, path=followed_path, assessments={"mobilite": 1})


@pytest.mark.django_db
def test_followers_are_organisations_with_active_consent(actor, followed_path, other_org):
    assert path_followers(followed_path) == [actor.organisation]
    consent = ConsentFactory(person=followed_path.person, organisation=other_org)
    assert set(path_followers(followed_path)) == {actor.organisation, other_org}
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    assert path_followers(followed_path) == [actor.organisation]


@pytest.mark.django_db
def test_writes_are_audited_with_the_consent(actor, followed_path):
    action = action_add(actor=actor, path=followed_path, title="Atelier CV")
    event = AuditEvent.objects.get(object_type="action", object_id=str(action.pk))
    assert event.action == "create" and event.person_uid == followed_path.person.public_id
    assert event.consent_id == Consent.objects.get(person=followed_path.person, scope="path").pk
