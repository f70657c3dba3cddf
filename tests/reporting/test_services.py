"""Participations: prefill from the path, once per operation, re-entry, short operations,
consent and tenancy, data quality, six-month follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from passeport.core.errors import Forbidden, NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.paths.enums import ActionStatus, PathStatus
from passeport.reporting.indicators import indicators_by_operation
from passeport.reporting.models import Participation
from passeport.reporting.selectors import data_quality, followups_due
from passeport.reporting.services import followup_record, participation_enrol, participation_update
from tests.factories import ActionFactory

from .helpers import operation, participant

pytestmark = pytest.mark.django_db


def test_enrol_prefills_from_the_path_and_never_guesses(actor, followed_path):
    path = followed_path
    path.employment_status = "unemployed"
    path.unemployed_since = date(2024, 1, 10)
    path.education_level = "isced_3_4"
    path.housing_status = "hosted"  # housing exclusion is not decided for the person
    path.benefits = ["rsa"]
    path.opened_on = date(2025, 1, 5)
    path.save()
    person = path.person
    person.gender = "f"
    person.save()
    a = ActionFactory(path=path)
    Action = type(a)
    Action.objects.filter(pk=a.pk).update(created_at=datetime(2025, 2, 3, 10, tzinfo=UTC))
    op = operation(actor.organisation, starts_on=date(2025, 2, 1), ends_on=date(2025, 12, 31))
    p = participation_enrol(actor=actor, operation=op, public_id=person.public_id)
    assert (p.entry_on, p.gender, p.birth_date) == (date(2025, 2, 3), "f", person.birth_date)
    assert (p.entry_status, p.unemployed_since, p.education_level) == ("unemployed", date(2024, 1, 10), "isced_3_4")
    assert p.homeless == "" and p.disability == "" and p.minority == ""
    assert AuditEvent.objects.filter(person_uid=person.public_id, object_type="esf_participation").exists()


def test_exit_is_the_last_action_done_when_the_path_is_closed(actor, followed_path):
    path = followed_path
    path.opened_on = date(2025, 1, 5)
    path.status, path.closed_on, path.exit_reason = PathStatus.CLOSED, date(2025, 6, 30), "employment"
    path.save()
    ActionFactory(path=path, status=ActionStatus.DONE, done_at=datetime(2025, 6, 12, 9, tzinfo=UTC))
    op = operation(actor.organisation, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    p = participation_enrol(actor=actor, operation=op, public_id=path.person.public_id)
    assert p.exit_on == date(2025, 6, 12)


def test_a_person_counts_once_and_reentry_reopens_the_same_participation(actor, followed_path):
    op = operation(actor.organisation, starts_on=date(2020, 1, 1), ends_on=date(2030, 12, 31))
    p = participation_enrol(actor=actor, operation=op, public_id=followed_path.person.public_id,
                            education_level="isced_0_2", entry_status="inactive", gender="m")
    participation_update(actor=actor, participation=p, exit_on=p.entry_on + timedelta(days=10))
    again = participation_enrol(actor=actor, operation=op, public_id=followed_path.person.public_id)
    assert again.pk == p.pk and again.exit_on is None and again.entry_on == p.entry_on
    assert Participation.objects.filter(operation=op).count() == 1
    assert indicators_by_operation([op.pk])[op.pk]["EECO11"]["total"] == 1


def test_one_day_operation_refuses_participants(actor, followed_path):
    today = timezone.localdate()
    op = operation(actor.organisation, starts_on=today, ends_on=today)
    with pytest.raises(PasseportError) as exc:
        participation_enrol(actor=actor, operation=op, public_id=followed_path.person.public_id)
    assert exc.value.code == "operation_too_short"


def test_no_consent_no_participation(outsider_actor, followed_path, other_org, org):
    op = operation(other_org)
    with pytest.raises(NotFound):
        participation_enrol(actor=outsider_actor, operation=op, public_id=followed_path.person.public_id)
    with pytest.raises(Forbidden):
        participation_enrol(actor=outsider_actor, operation=operation(org, code="X"),
                            public_id=followed_path.person.public_id)


def test_data_quality_counts_and_completeness_rate(actor, org):
    op = operation(org)
    full = {"disability": "no", "third_country_national": "declined", "foreign_background": "no",
            "minority": "declined", "homeless": "no", "rural": "yes"}
    participant(op, **full)
    participant(op, **full)
    participant(op, gender="", **full)
    participant(op, entry_status="unemployed", unemployed_since=None)  # + sensitive not asked
    report = data_quality(actor, op, today=date(2026, 1, 1))
    assert (report.total, report.complete, report.rate) == (4, 2, 50.0)
    assert report.counts["gender"] == 1
    assert report.counts["unemployed_since"] == 1
    assert report.counts["sensitive"] == 1
    assert len(report.rows) == 2


def test_followup_list_and_answer(actor, org):
    op = operation(org)
    today = date(2026, 1, 1)
    due = participant(op, exit_on=date(2025, 6, 1))
    participant(op, exit_on=date(2025, 12, 1))  # not yet six months
    assert [p.pk for p in followups_due(actor, today=today)] == [due.pk]
    with pytest.raises(PasseportError) as exc:
        followup_record(actor=actor, participation=due, status="answered", observed_on=date(2025, 12, 2))
    assert exc.value.field == "six_months_employed"
    followup_record(actor=actor, participation=due, status="answered", observed_on=date(2025, 12, 2),
                    employed=True, improved=False)
    assert followups_due(actor, today=today) == []
    assert indicators_by_operation([op.pk])[op.pk]["EECR05"]["total"] == 1  # inactive at entry, day 184


def test_declined_followup_records_no_situation(actor, org):
    op = operation(org)
    p = participant(op, exit_on=date(2025, 6, 1))
    followup_record(actor=actor, participation=p, status="declined", employed=True)
    p.refresh_from_db()
    assert (p.followup_status, p.six_months_employed) == ("declined", None)


def test_quality_flags_a_situation_observed_after_day_28(actor, org):
    op = operation(org)
    participant(op, exit_on=date(2025, 6, 1), exit_observed_on=date(2025, 6, 29))  # day 28
    late = participant(op, exit_on=date(2025, 6, 1), exit_observed_on=date(2025, 6, 30))  # day 29
    report = data_quality(actor, op, today=date(2025, 7, 15))
    assert report.counts["exit_late"] == 1
    assert [p.pk for p, issues in report.rows if any("plus de 4 semaines" in i for i in issues)] == [late.pk]
