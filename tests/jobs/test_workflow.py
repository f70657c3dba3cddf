"""Proposals (référent -> employer -> answer, on the path's timeline) and the immersion
lifecycle (planned -> validated by the référent -> assessed by the employer)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.jobs.enums import ApplicationStatus, ImmersionStatus, OfferStatus, SkillSource
from passeport.jobs.models import CandidateSkill, Immersion, RomeAppellation
from passeport.jobs.selectors import offers_for_person, persons_for_offer
from passeport.jobs.services import (
    application_answer,
    application_propose,
    immersion_assess,
    immersion_create,
    immersion_validate,
    offer_create,
    profile_save,
)
from passeport.paths.enums import EventKind
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from .conftest import AIDE_A_DOMICILE, commune


@pytest.fixture
def aide_offer(employer_actor):
    return offer_create(actor=employer_actor, data={
        "appellation": RomeAppellation.objects.get(pk=AIDE_A_DOMICILE), "commune": commune("29019"),
        "contract_type": "cdd", "hours_per_week": 24, "positions": 1})


def job_events(person):
    return list(person.paths.get().events.filter(kind=EventKind.JOB).order_by("pk")
                .values_list("title", flat=True))


def test_only_employers_publish_offers(actor):
    with pytest.raises(Forbidden) as exc:
        offer_create(actor=actor, data={})
    assert exc.value.code == "not_an_employer"


def test_bad_offer_input_gets_a_clear_error_and_writes_nothing(employer_actor):
    aide = RomeAppellation.objects.get(pk=AIDE_A_DOMICILE)
    base = {"appellation": aide, "commune": commune("29019"), "contract_type": "cdd", "hours_per_week": 24}
    cases = [({"appellation": None}, "invalid_appellation"), ({"hours_per_week": 60}, "invalid_hours"),
             ({"contract_type": "pmsmp"}, "immersion_contract"),
             ({"starts_on": dt.date(2026, 5, 1), "ends_on": dt.date(2026, 4, 1)}, "invalid_dates"),
             ({"constraints": ["teleportation"]}, "invalid_constraint"),
             ({"skills_required": [1]}, "invalid_skill")]
    for change, code in cases:
        with pytest.raises(PasseportError) as exc:
            offer_create(actor=employer_actor, data={**base, **change})
        assert exc.value.code == code
    from passeport.jobs.models import JobOffer
    assert not JobOffer.objects.exists()


def test_propose_answer_and_timeline(actor, employer_actor, employer_org, jobs_person, aide_offer):
    assert active_consent(jobs_person, employer_org.pk, ConsentScope.JOBS) is None
    with pytest.raises(PasseportError) as exc:
        application_propose(actor=actor, offer=aide_offer, person=jobs_person, consent_method="oral")
    assert exc.value.code == "person_agreement_required"
    app = application_propose(actor=actor, offer=aide_offer, person=jobs_person, consent_method="oral",
                              person_agreed=True, message="Motivée, disponible le matin.")
    # the person's agreement became a « jobs » consent for the employer
    assert active_consent(jobs_person, employer_org.pk, ConsentScope.JOBS) is not None
    with pytest.raises(Conflict) as exc:
        application_propose(actor=actor, offer=aide_offer, person=jobs_person, consent_method="oral",
                            person_agreed=True)
    assert exc.value.code == "already_proposed"
    # only the employer answers; a refusal needs a coded reason
    with pytest.raises(Forbidden):
        application_answer(actor=actor, application=app, status="interview")
    with pytest.raises(PasseportError) as exc:
        application_answer(actor=employer_actor, application=app, status="refused")
    assert exc.value.code == "refusal_reason_required"
    application_answer(actor=employer_actor, application=app, status="interview",
                       interview_on=dt.date(2026, 12, 3))
    app = application_answer(actor=employer_actor, application=app, status="hired")
    assert app.status == ApplicationStatus.HIRED
    aide_offer.refresh_from_db()
    assert aide_offer.status == OfferStatus.FILLED  # its only position is filled
    with pytest.raises(Conflict):
        application_answer(actor=employer_actor, application=app, status="refused",
                           refusal_reason="other")
    assert job_events(jobs_person) == [
        "Candidature proposée à Ti Aide Services : « Aide à domicile »",
        "Entretien avec Ti Aide Services pour « Aide à domicile »",
        "Embauche chez Ti Aide Services : « Aide à domicile »",
    ]
    # the employer now sees the person among the candidates of its offer
    aide_offer.status = OfferStatus.OPEN
    aide_offer.save()
    profile_save(actor=actor, person=jobs_person, data={"commune": commune("29019")})
    assert [e.person for e in persons_for_offer(employer_actor, aide_offer.pk).results] == [jobs_person]


def test_a_refusal_with_its_reason_is_on_the_timeline(actor, employer_actor, jobs_person, aide_offer):
    app = application_propose(actor=actor, offer=aide_offer, person=jobs_person,
                              consent_method="written", person_agreed=True)
    application_answer(actor=employer_actor, application=app, status="refused",
                       refusal_reason="availability", comment="Horaires du soir.")
    event = jobs_person.paths.get().events.filter(kind=EventKind.JOB).order_by("pk").last()
    assert event.title == "Ti Aide Services n'a pas retenu la candidature pour « Aide à domicile »"
    assert event.body == "Disponibilités incompatibles — Horaires du soir."


def test_another_organisation_cannot_propose(outsider_actor, jobs_person, aide_offer):
    with pytest.raises(NotFound):
        application_propose(actor=outsider_actor, offer=aide_offer, person=jobs_person,
                            consent_method="oral", person_agreed=True)


def test_immersion_lifecycle_and_assessment(actor, employer_actor, employer_org, jobs_person, aide_offer):
    aide = aide_offer.appellation
    start = timezone.localdate() + dt.timedelta(days=8)  # to come (a fixed date would not stay so)
    kwargs = {"person": jobs_person, "employer": employer_org, "appellation": aide,
              "tutor_name": "Gwen Morvan", "objectives": "Découvrir le métier d'aide à domicile"}
    with pytest.raises(PasseportError) as exc:
        immersion_create(actor=actor, starts_on=start, ends_on=start + dt.timedelta(days=45), **kwargs)
    assert exc.value.code == "immersion_too_long"
    imm = immersion_create(actor=actor, starts_on=start, ends_on=start + dt.timedelta(days=11), **kwargs)
    assert imm.status == ImmersionStatus.PLANNED
    observed = aide_offer.skills_required[:2]
    # not assessed before the référent validates it; only the prescriber validates
    with pytest.raises(Conflict):
        immersion_assess(actor=employer_actor, immersion=imm, skills_observed=observed, behaviour=3,
                         comment="", led_to_job=True)
    with pytest.raises(Forbidden):
        immersion_validate(actor=employer_actor, immersion=imm)
    imm = immersion_validate(actor=actor, immersion=imm)
    assert imm.status == ImmersionStatus.VALIDATED
    # not before it starts (the employer has seen nothing yet)
    with pytest.raises(Conflict) as exc:
        immersion_assess(actor=employer_actor, immersion=imm, skills_observed=observed, behaviour=3,
                         comment="", led_to_job=True)
    assert exc.value.code == "immersion_not_started"
    Immersion.objects.filter(pk=imm.pk).update(starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 13))
    imm.refresh_from_db()
    with pytest.raises(Forbidden):
        immersion_assess(actor=actor, immersion=imm, skills_observed=observed, behaviour=3,
                         comment="", led_to_job=True)
    with pytest.raises(PasseportError) as exc:
        immersion_assess(actor=employer_actor, immersion=imm, skills_observed=observed, behaviour=None,
                         comment="", led_to_job=True)
    assert exc.value.code == "required"
    imm = immersion_assess(actor=employer_actor, immersion=imm, skills_observed=observed, behaviour=3,
                           comment="Ponctuelle et attentive.", led_to_job=True)
    assert imm.status == ImmersionStatus.ASSESSED and imm.led_to_job
    # the skills observed join the profile and count in matching
    assert set(CandidateSkill.objects.filter(profile__person=jobs_person, source=SkillSource.OBSERVED)
               .values_list("skill_id", flat=True)) == set(observed)
    best = offers_for_person(actor, jobs_person.public_id).results[0]
    assert best.offer == aide_offer and len(best.matched) == 2
    titles = job_events(jobs_person)
    assert titles[0].startswith("Immersion prévue chez Ti Aide Services (Aide à domicile)")
    assert titles[1:] == ["Immersion chez Ti Aide Services validée par le référent",
                          "Bilan de l'immersion chez Ti Aide Services"]
