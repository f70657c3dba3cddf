"""DigComp self-assessment scoring, evaluations by the référent with evidence, progress,
and the "skills" consent."""

from __future__ import annotations

import datetime as dt

import pytest

from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.skills import digcomp
from passeport.skills.selectors import grid_by_code, progress, skills_view_for
from passeport.skills.services import badge_award, evaluation_record, self_assessment_record
from tests.factories import ConsentFactory, PersonFactory, UserFactory


def test_digcomp_ships_5_areas_and_21_competences(db):
    grid = grid_by_code("digcomp-2-2")
    items = list(grid.items.all())
    assert len(items) == 21
    assert {i.group for i in items} == {"1", "2", "3", "4", "5"}
    assert digcomp.QUESTION_COUNT == 10


def test_digcomp_scoring_gives_a_level_per_area():
    answers = {"1.1": 0, "1.2": 0, "2.1": 1, "2.3": 1, "3.1": 2, "3.2": 1,
               "4.1": 3, "4.2": 2, "5.1": 3, "5.2": 3}
    levels = {a.area: (a.level, a.label) for a in digcomp.score(answers)}
    assert levels == {"1": (0, "Pas encore"), "2": (1, "Débutant"), "3": (2, "À l'aise"),
                      "4": (3, "Très à l'aise"), "5": (3, "Très à l'aise")}
    assert digcomp.level_of(0.49) == 0 and digcomp.level_of(0.5) == 1 and digcomp.level_of(2.5) == 3
    assert [a.area for a in digcomp.score({"4.1": 2})] == ["4"]  # unanswered areas left out


def _person_with_user():
    user = UserFactory()
    return PersonFactory(user=user), user


def test_self_assessment_is_recorded_for_the_person_only(db, actor):
    from passeport.core.actor import Actor

    person, user = _person_with_user()
    me = Actor(user=user)
    evaluation = self_assessment_record(actor=me, person=person, answers={"1.1": 2, "4.2": 1})
    assert evaluation.source == "self" and evaluation.scores.count() == 2
    with pytest.raises(PasseportError):
        self_assessment_record(actor=me, person=person, answers={"1.1": 7})
    with pytest.raises(PasseportError):
        self_assessment_record(actor=me, person=person, answers={"9.9": 1})
    with pytest.raises(Exception):  # noqa: B017 - Forbidden
        self_assessment_record(actor=actor, person=person, answers={"1.1": 1})


def test_referent_evaluation_with_comment_and_progress(actor, learner):
    first = evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                              scores={"T1": 1, "T2": 2}, evaluated_on=dt.date(2026, 1, 5),
                              comment="Premier bilan")
    evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                      scores={"T1": 3, "T2": 4}, evaluated_on=dt.date(2026, 3, 5), source="employer",
                      employer_name="Ti Aide Services")
    assert first.evaluator_label.startswith("Rozenn") and first.comment == "Premier bilan"
    view = skills_view_for(actor, learner.public_id)
    chart = progress(view.evaluations, grid_by_code("transversal"))
    assert [p.values["mean"] for p in chart.points] == [1.5, 3.5]
    # a later evaluation that observes one skill only: the other keeps its last level
    evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                      scores={"T1": 2}, evaluated_on=dt.date(2026, 4, 5))
    view = skills_view_for(actor, learner.public_id)
    chart = progress(view.evaluations, grid_by_code("transversal"))
    assert [p.values["mean"] for p in chart.points] == [1.5, 3.5, 3.0]  # (2 + 4) / 2, not 2
    with pytest.raises(PasseportError) as exc:
        evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                          scores={"T1": 5})
    assert exc.value.code == "invalid_level"
    with pytest.raises(PasseportError):
        evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                          scores={}, comment="rien")


def test_skills_consent_is_enforced(actor, outsider_actor, learner, badge_class, org):
    with pytest.raises(NotFound):
        skills_view_for(outsider_actor, learner.public_id)
    # A person who opened only their path (no "skills") to the organisation.
    other = PersonFactory()
    ConsentFactory(person=other, organisation=org, scope=ConsentScope.PATH)
    for call in (
        lambda: skills_view_for(actor, other.public_id),
        lambda: evaluation_record(actor=actor, person_public_id=other.public_id,
                                  grid_code="transversal", scores={"T1": 2}),
        lambda: badge_award(actor=actor, badge_class_uid=badge_class.uid, person_public_id=other.public_id),
    ):
        with pytest.raises(NotFound):
            call()
    # Reads with consent are audited under the consent used.
    skills_view_for(actor, learner.public_id)
    event = AuditEvent.objects.filter(person_uid=learner.public_id, object_type="skills").latest("at")
    assert event.consent_id == Consent.objects.get(person=learner, scope="skills").pk
    # Withdrawing the consent closes the skills again.
    Consent.objects.filter(person=learner, scope="skills").update(withdrawn_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(NotFound):
        skills_view_for(actor, learner.public_id)
