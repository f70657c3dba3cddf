"""Speed of matching.

    .venv/bin/python bench/matching_speed.py            # 100,000 offers; 10,000 candidates batch
    .venv/bin/python bench/matching_speed.py --quick    # 10,000 offers; 1,000 candidates batch

1. One query, end to end, through the page's selector `offers_for_person` (consent
   check, audit event, indexed bounding-box prefilter in SQL, scoring of the offers
   read, explanations with skill labels): a throwaway SQLite database migrated with
   the real referential and communes, N open offers of real ROME fiches (their skills)
   in real communes drawn by population (offers are where people live), 40 persons
   followed for « jobs » with a profile (commune drawn by population, 10-40 km). Median
   and p95 over 200 queries. Goal: p95 <= 100 ms.
2. Batch: 10,000 candidates x 100,000 offers, top 20 each with their explanation, with
   the engine over prefetched rows (`OfferMatrix`, then `score_pair` for the winners)
   on 2 worker processes (each builds its matrix: counted), as a nightly « offers for
   the whole caseload » would run. Goal: <= 10 minutes on 2 cores.

The very last line printed is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "/tmp/bench_matching_speed.sqlite3"  # noqa: S108 - a throwaway benchmark database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SEED = 4242


def setup_django(fresh: bool) -> None:
    if fresh and os.path.exists(DB):
        os.remove(DB)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_offers(n: int, rng: random.Random):
    """Offer rows (fiche, skills, place, hours, constraints) drawn from the referential."""
    from passeport.directory.communes import read_communes
    from passeport.jobs.rome import read

    communes = [c for c in read_communes() if c["latitude"] is not None and c["population"] > 0]
    weights = [c["population"] for c in communes]
    core: dict[str, list[int]] = {}
    se: dict[str, list[int]] = {}
    sf: dict[str, list[int]] = {}
    for r in read("fiche_skills"):
        if r["kind"] == "sf":
            sf.setdefault(r["code_rome"], []).append(int(r["code_ogr"]))
            if r["core"] == "1":
                core.setdefault(r["code_rome"], []).append(int(r["code_ogr"]))
        elif r["kind"] == "se":
            se.setdefault(r["code_rome"], []).append(int(r["code_ogr"]))
    appellation_of = {}
    for r in read("appellations"):
        appellation_of.setdefault(r["code_rome"], int(r["code_ogr"]))
    fiches = sorted(f for f in sf if f in appellation_of)
    places = rng.choices(communes, weights=weights, k=n)
    rows = []
    for i in range(n):
        f = rng.choice(fiches)
        req = core.get(f) or sf[f][:8]
        rows.append({"fiche": f, "appellation": appellation_of[f], "commune": places[i],
                     "required": [s for s in req if rng.random() < 0.8] or req[:1],
                     "wished": se.get(f, []), "hours": rng.choice([10, 20, 24, 26, 35, 35]),
                     "constraints": [c for c, p in (("driving_licence", .2), ("night_work", .1))
                                     if rng.random() < p]})
    return rows, communes, weights, sf


def single_query(n_offers: int, queries: int, rng: random.Random) -> dict:
    from django.utils import timezone

    from passeport.core.actor import Actor
    from passeport.core.enums import OrganisationKind, Role
    from passeport.core.models import Membership, Organisation, User
    from passeport.jobs.models import CandidateProfile, CandidateSkill, JobOffer
    from passeport.jobs.selectors import offers_for_person, referential
    from passeport.people.enums import ConsentMethod, ConsentScope
    from passeport.people.models import Consent, Person

    rows, communes, weights, sf = make_offers(n_offers, rng)
    start = time.perf_counter()
    employer = Organisation.objects.create(name="Employeur", kind=OrganisationKind.EMPLOYER)
    ml = Organisation.objects.create(name="Mission locale", kind=OrganisationKind.MISSION_LOCALE)
    user = User.objects.create_user("ref@bench.example", "x-bench-password-1")
    member = Membership.objects.create(user=user, organisation=ml, role=Role.REFERENT)
    now = timezone.now()
    JobOffer.objects.bulk_create([JobOffer(
        employer=employer, appellation_id=r["appellation"], fiche_id=r["fiche"], title="Offre",
        contract_type="cdd", hours_per_week=r["hours"], commune_id=r["commune"]["code_insee"],
        latitude=r["commune"]["latitude"], longitude=r["commune"]["longitude"],
        skills_required=r["required"], skills_wished=r["wished"], constraints=r["constraints"],
        created_at=now) for r in rows], batch_size=5000)
    persons = []
    fiches = sorted(sf)
    for i, c in enumerate(rng.choices(communes, weights=weights, k=40)):
        p = Person.objects.create(first_name="Bench", last_name=f"P{i}", birth_date="1990-01-01",
                                  commune_insee=c["code_insee"])
        Consent.objects.create(person=p, organisation=ml, scope=ConsentScope.JOBS, purpose="bench",
                               method=ConsentMethod.WRITTEN, valid_from=now.date())
        prof = CandidateProfile.objects.create(person=p, commune_id=c["code_insee"],
                                               max_distance_km=rng.choice([10, 20, 30, 40]),
                                               has_driving_licence=rng.random() < .6)
        f = rng.choice(fiches)
        CandidateSkill.objects.bulk_create([CandidateSkill(profile=prof, skill_id=s)
                                            for s in rng.sample(sf[f], max(1, len(sf[f]) // 2))])
        persons.append(p.public_id)
    setup_s = time.perf_counter() - start
    actor = Actor(user=user, membership=member)
    referential()  # read once per process, like a running server
    offers_for_person(actor, persons[0])
    times = []
    for q in range(queries):
        t = time.perf_counter()
        offers_for_person(actor, persons[q % len(persons)])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"query_median_ms": round(statistics.median(times), 1),
            "query_p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
            "query_max_ms": round(times[-1], 1), "offers_in_db": n_offers, "setup_s": round(setup_s, 1)}


_WORKER: dict = {}


def _init(offers, ref):
    from passeport.jobs.matching import OfferMatrix

    _WORKER["matrix"] = OfferMatrix(offers, ref)
    _WORKER["ref"] = ref


def _rank(cands):
    """Top 20 for each candidate, explained (the same work as the page, without the
    database): the vectorised ranking, then `score_pair` for the winners."""
    from passeport.jobs.matching import score_pair

    matrix, ref = _WORKER["matrix"], _WORKER["ref"]
    out = 0
    for c in cands:
        best, _reasons = matrix.rank(ref, c, limit=20)
        out += len([score_pair(ref, c, o, distance_km=d) for o, d in best])
    return out


def batch(n_offers: int, n_cands: int, rng: random.Random, workers: int = 2) -> dict:
    from passeport.jobs.matching import CandidateRow, OfferRow
    from passeport.jobs.selectors import referential

    rows, communes, weights, sf = make_offers(n_offers, rng)
    offers = [OfferRow(id=i, fiche=r["fiche"], latitude=r["commune"]["latitude"],
                       longitude=r["commune"]["longitude"], hours_per_week=r["hours"],
                       required=frozenset(r["required"]), wished=frozenset(r["wished"]),
                       constraints=frozenset(r["constraints"]), created=float(i))
              for i, r in enumerate(rows)]
    fiches = sorted(sf)
    cands = []
    for i, c in enumerate(rng.choices(communes, weights=weights, k=n_cands)):
        f = rng.choice(fiches)
        cands.append(CandidateRow(id=i, skills=frozenset(rng.sample(sf[f], max(1, len(sf[f]) // 2))),
                                  latitude=c["latitude"], longitude=c["longitude"],
                                  max_distance_km=rng.choice([10, 20, 30, 40]),
                                  has_driving_licence=rng.random() < .6, experience_fiches=frozenset({f})))
    ref = referential()
    start = time.perf_counter()
    chunks = [cands[i::workers * 8] for i in range(workers * 8)]
    with Pool(workers, initializer=_init, initargs=(offers, ref)) as pool:
        results = sum(pool.map(_rank, chunks))
    seconds = time.perf_counter() - start
    return {"batch_candidates": n_cands, "batch_offers": n_offers, "batch_s": round(seconds, 1),
            "batch_ms_per_candidate": round(seconds * 1000 / n_cands, 2), "batch_results": results,
            "batch_workers": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_offers, n_cands, queries = (10_000, 1_000, 100) if args.quick else (100_000, 10_000, 200)
    setup_django(fresh=True)
    rng = random.Random(SEED)
    result = single_query(n_offers, queries, rng)
    print(f"Une requête sur {n_offers} offres : médiane {result['query_median_ms']} ms, "
          f"p95 {result['query_p95_ms']} ms")
    result.update(batch(n_offers, n_cands, rng))
    print(f"Lot : {n_cands} candidats x {n_offers} offres, top 20 : {result['batch_s']} s "
          f"({result['batch_workers']} processus)")
    result["goals_met"] = result["query_p95_ms"] <= 100 and result["batch_s"] <= 600
    print(json.dumps(result))


if __name__ == "__main__":
    main()
