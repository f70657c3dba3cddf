"""Score and explanation on small hand-made cases, with the engine alone and through
the selectors (real referential, real communes)."""

from __future__ import annotations

import pytest

from passeport.core.enums import AuditAction
from passeport.core.models import AuditEvent
from passeport.jobs.enums import Constraint
from passeport.jobs.matching import (
    CandidateRow,
    Infeasible,
    Match,
    OfferMatrix,
    OfferRow,
    Referential,
    rank_offers,
    score_pair,
)
from passeport.jobs.models import Application, CandidateProfile, RomeAppellation
from passeport.jobs.selectors import offers_for_person, persons_for_offer
from passeport.jobs.services import offer_create, profile_save
from passeport.paths.models import DiagnosticEntry
from passeport.people.enums import ConsentScope

from ..factories import ConsentFactory, PersonFactory
from .conftest import AIDE_A_DOMICILE, CUISINIER, commune

# A tiny referential: skills 1-3 under macro 100, 4-5 under macro 200; fiche A links to B.
REF = Referential(macro_of={1: 100, 2: 100, 3: 100, 4: 200, 5: 200},
                  mobility={"A": frozenset({"B"})})
BREST = (48.3904, -4.4861)
QUIMPER = (47.9960, -4.1020)  # ~52 km from Brest


def offer(i, fiche="A", where=BREST, required=(1, 2, 4), **kw):
    return OfferRow(id=i, fiche=fiche, latitude=where[0], longitude=where[1], hours_per_week=kw.pop("hours", 24),
                    required=frozenset(required), **kw)


def cand(skills, where=BREST, **kw):
    return CandidateRow(id=1, skills=frozenset(skills), latitude=where[0], longitude=where[1], **kw)


def test_a_candidate_with_all_required_skills_ranks_first():
    offers = [offer(1, required=(1, 2, 4)), offer(2, required=(3, 5)), offer(3, required=(4, 5))]
    matches, _inf = rank_offers(REF, cand({1, 2, 4}), offers)
    assert [m.offer_id for m in matches][0] == 1
    assert matches[0].matched == [1, 2, 4] and matches[0].missing == []


def test_a_shared_macro_competence_counts_half():
    full = score_pair(REF, cand({1, 2, 4}), offer(1))
    partial = score_pair(REF, cand({3, 5}), offer(1))  # same macros, other skills
    none = score_pair(REF, cand({9}), offer(1))
    assert isinstance(partial, Match)
    assert partial.partial == [1, 2, 4] and partial.matched == []
    assert full.skills == 1 and partial.skills == 0.5 and none.skills == 0
    assert full.score > partial.score > none.score


def test_mobility_link_helps_a_career_change():
    c = cand({9}, experience_fiches=frozenset({"A"}))
    to_b = score_pair(REF, c, offer(1, fiche="B", required=(7,)))
    to_c = score_pair(REF, c, offer(2, fiche="C", required=(7,)))
    assert to_b.rome_link == "mobility" and to_c.rome_link == ""
    assert to_b.score > to_c.score


def test_an_offer_beyond_the_travel_limit_never_appears():
    far = offer(1, where=QUIMPER, required=(1, 2, 4))  # perfect skills, but 52 km away
    near = offer(2, required=(9,))  # no skill in common, in Brest
    matches, infeasible = rank_offers(REF, cand({1, 2, 4}, max_distance_km=30), [far, near])
    assert [m.offer_id for m in matches] == [2]
    assert infeasible[0].offer_id == 1 and infeasible[0].reasons == ["too_far"]
    # A travel time is turned into a distance with the transport mode's speed.
    c = cand({1}, max_distance_km=100, max_travel_minutes=60, transport_mode="bike")  # 14 km road
    assert round(c.limit_km, 1) == 10.8
    assert isinstance(score_pair(REF, c, far), Infeasible)


@pytest.mark.parametrize(("constraint", "candidate_kw", "infeasible"), [
    (Constraint.DRIVING_LICENCE, {}, True),
    (Constraint.DRIVING_LICENCE, {"has_driving_licence": True}, False),
    (Constraint.NIGHT_WORK, {"night_work_ok": True, "childcare_constraint": True}, True),
    (Constraint.NIGHT_WORK, {"night_work_ok": True}, False),
    (Constraint.HEAVY_LOADS, {"freins": {"sante": 3}}, True),
    (Constraint.HEAVY_LOADS, {"freins": {"sante": 2}}, False),
])
def test_constraints_against_freins(constraint, candidate_kw, infeasible):
    r = score_pair(REF, cand({1}, **candidate_kw), offer(1, constraints=frozenset({constraint})))
    assert isinstance(r, Infeasible) is infeasible


def test_too_many_hours_is_infeasible_and_a_moderate_frein_lowers_the_score():
    assert score_pair(REF, cand({1}, max_hours_per_week=20), offer(1, hours=35)).reasons == ["hours"]
    plain = score_pair(REF, cand({1}), offer(1, constraints=frozenset({Constraint.HEAVY_LOADS})))
    frein = score_pair(REF, cand({1}, freins={"sante": 2}),
                       offer(1, constraints=frozenset({Constraint.HEAVY_LOADS})))
    assert frein.warnings == ["heavy_loads"] and frein.score < plain.score


def test_anti_congestion_sends_people_to_other_offers():
    busy = offer(1, pending=10, positions=1)
    quiet = offer(2)
    matches, _ = rank_offers(REF, cand({1, 2, 4}), [busy, quiet], congestion_per_position=5)
    assert [m.offer_id for m in matches] == [2, 1]
    assert matches[1].congested


# --- Through the selectors, on the real referential ------------------------------------


@pytest.fixture
def offers(employer_actor):
    aide = RomeAppellation.objects.get(pk=AIDE_A_DOMICILE)
    cook = RomeAppellation.objects.get(pk=CUISINIER)
    base = {"contract_type": "cdd", "hours_per_week": 24}
    return {
        "aide_brest": offer_create(actor=employer_actor, data={**base, "appellation": aide,
                                                               "commune": commune("29019")}),
        "aide_quimper": offer_create(actor=employer_actor, data={**base, "appellation": aide,
                                                                 "commune": commune("29232")}),
        "cook_brest": offer_create(actor=employer_actor, data={**base, "appellation": cook,
                                                               "commune": commune("29019")}),
    }


def test_offers_for_a_person_with_explanations(actor, jobs_person, offers):
    aide = offers["aide_brest"]
    profile_save(actor=actor, person=jobs_person, data={
        "commune": commune("29019"), "max_distance_km": 25,
        "target_appellations": [aide.appellation], "skills": aide.skills_required[:3]})
    result = offers_for_person(actor, jobs_person.public_id)
    ids = [e.offer.pk for e in result.results]
    assert ids[0] == aide.pk
    assert offers["aide_quimper"].pk not in ids  # 52 km away, limit 25 km
    assert offers["cook_brest"].pk in ids
    best = result.results[0]
    assert len(best.matched) == 3 and best.missing
    text = " ".join(best.sentences)
    assert "3 compétences requises sur" in text and "métier que la personne recherche" in text
    assert "0,0 km" in text
    assert result.infeasible == {"trop loin": 1}
    assert AuditEvent.objects.filter(person_uid=jobs_person.public_id, action=AuditAction.VIEW,
                                     object_type="job_matches").exists()


def test_freins_of_the_diagnostic_are_weighed(actor, jobs_person, offers, employer_actor):
    night = offer_create(actor=employer_actor, data={
        "appellation": offers["aide_brest"].appellation, "commune": commune("29019"),
        "contract_type": "cdi", "hours_per_week": 24, "constraints": ["heavy_loads"]})
    profile_save(actor=actor, person=jobs_person, data={"commune": commune("29019")})
    path = jobs_person.paths.get()
    DiagnosticEntry.objects.create(path=path, theme="sante", severity=3)
    ids = [e.offer.pk for e in offers_for_person(actor, jobs_person.public_id).results]
    assert night.pk not in ids and offers["aide_brest"].pk in ids


def test_matching_needs_the_jobs_consent(outsider_actor, jobs_person, offers):
    from passeport.core.errors import NotFound

    with pytest.raises(NotFound):
        offers_for_person(outsider_actor, jobs_person.public_id)


def test_persons_for_an_offer_only_among_those_who_consented(employer_actor, employer_org, offers):
    aide = offers["aide_brest"]
    consenting = PersonFactory(first_name="Anna")
    ConsentFactory(person=consenting, organisation=employer_org, scope=ConsentScope.JOBS)
    path_only = PersonFactory(first_name="Bleuenn")
    ConsentFactory(person=path_only, organisation=employer_org, scope=ConsentScope.PATH)
    for p in (consenting, path_only):
        prof = CandidateProfile.objects.create(person=p, commune=commune("29019"))
        prof.target_appellations.set([aide.appellation])
    result = persons_for_offer(employer_actor, aide.pk)
    assert [e.person.pk for e in result.results] == [consenting.pk]
    assert AuditEvent.objects.filter(person_uid=consenting.public_id, action=AuditAction.LIST,
                                     object_type="job_candidate").exists()
    assert not AuditEvent.objects.filter(person_uid=path_only.public_id).exists()
    assert not Application.objects.exists()


def test_the_vectorised_ranking_gives_the_same_results_as_the_rules():
    """OfferMatrix (numpy, for many offers) against rank_offers (one offer at a time)."""
    import random

    rng = random.Random(7)
    ref = Referential(macro_of={s: 100 + s % 7 for s in range(1, 60)},
                      mobility={"A": frozenset({"B", "C"}), "B": frozenset({"D"})})
    constraints = [c.value for c in Constraint]
    offers = [OfferRow(id=i, fiche=rng.choice("ABCDE"), latitude=48.39 + rng.uniform(-.5, .5),
                       longitude=-4.48 + rng.uniform(-.5, .5), hours_per_week=rng.choice([10, 24, 35]),
                       required=frozenset(rng.sample(range(1, 60), rng.randint(0, 8))),
                       wished=frozenset(rng.sample(range(1, 60), rng.randint(0, 3))),
                       constraints=frozenset(rng.sample(constraints, rng.choice([0, 0, 1, 2]))),
                       created=rng.uniform(0, 1e6), kind=rng.choice(["job", "immersion"]))
              for i in range(400)]
    matrix = OfferMatrix(offers, ref)
    for _ in range(30):
        c = CandidateRow(id=1, skills=frozenset(rng.sample(range(1, 60), 10)), latitude=48.39,
                         longitude=-4.48, max_distance_km=rng.choice([10, 30, 60]),
                         max_hours_per_week=rng.choice([20, 35]), has_driving_licence=rng.random() < .5,
                         childcare_constraint=rng.random() < .3, night_work_ok=rng.random() < .5,
                         experience_fiches=frozenset(rng.sample("ABCDE", 1)),
                         target_fiches=frozenset(rng.sample("ABCDE", rng.randint(0, 1))),
                         career_change=rng.random() < .3, freins={"sante": rng.randint(0, 3),
                                                                   "famille": rng.randint(0, 3)})
        expected, infeasible = rank_offers(ref, c, offers, limit=15)
        got, reasons = matrix.rank(ref, c, limit=15)
        assert [o.id for o, _d in got] == [m.offer_id for m in expected]
        assert sum(reasons.values()) >= len(infeasible) > 0 or not infeasible
        only_immersions, _r = matrix.rank(ref, c, limit=15, kind="immersion")
        assert all(o.kind == "immersion" for o, _d in only_immersions)
