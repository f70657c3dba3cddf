"""Quality of the matching engine on a synthetic but honest evaluation set built from
the ROME referential itself.

    .venv/bin/python bench/matching_quality.py            # 300 fiches, 1,800 offers, 600 candidates
    .venv/bin/python bench/matching_quality.py --quick    # 150 fiches, 750 offers, 240 candidates

- Offers: whole professional domains drawn at random (so that most distractors are
  neighbouring jobs sharing macro-compétences); each fiche gives several offers in real communes of the
  Finistère (the shipped COG file), its « cœur de métier » savoir-faire as required skills
  (80 % of them kept at random per offer), its savoir-être as wished, random hours,
  a few constraints (driving licence, night work, heavy loads) and random publication dates.
- Regular candidates: a fiche they have worked in (their ROME code is known), a real
  commune, and known skills that are a partial, noisy sample of the fiche's savoir-faire
  (30-70 % of them) plus 5 skills of neighbouring fiches of the same domain. Relevant offers: those of their fiche
  that are feasible for them.
- Career-change candidates (30 %): a fiche A they worked in and want to leave, a target
  B reachable by a ROME mobility link (unknown to the engine), known skills sampled
  from A (30-70 %) plus 0-20 % of B's (transferable skills already shown), noise.
  Relevant offers: the feasible offers of B.
- Every candidate has a random distance limit (15-40 km), hours limit, licence, and
  sometimes a childcare constraint or a health frein.

The engine (`passeport.jobs.matching.rank_offers`) is compared with the baseline of
today's tools: « same ROME code within the radius, most recent first » (the candidate's
own code: for a career changer, A). Figures: nDCG@10 and recall@10 (binary relevance),
overall and for the career-change candidates, and the number of infeasible offers in
any top 10 (checked independently of the engine: distance, hours, licence, night,
health). Goals: nDCG@10 >= 0.60; career-change recall@10 >= baseline + 20 points; no
infeasible offer in any top 10. The very last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from passeport.directory.communes import read_communes  # noqa: E402
from passeport.directory.geo import haversine_km  # noqa: E402
from passeport.jobs.matching import CandidateRow, OfferRow, Referential, rank_offers  # noqa: E402
from passeport.jobs.rome import read  # noqa: E402

SEED = 6060
K = 10


def load_referential():
    skills = read("skills")
    macro_of = {int(r["code_ogr"]): int(r["macro_code_ogr"]) for r in skills if r["macro_code_ogr"]}
    mobility: dict[str, set[str]] = {}
    for r in read("mobility"):
        mobility.setdefault(r["code_rome"], set()).add(r["code_rome_cible"])
    sf: dict[str, list[int]] = {}
    core: dict[str, list[int]] = {}
    se: dict[str, list[int]] = {}
    for r in read("fiche_skills"):
        code = int(r["code_ogr"])
        if r["kind"] == "sf":
            sf.setdefault(r["code_rome"], []).append(code)
            if r["core"] == "1":
                core.setdefault(r["code_rome"], []).append(code)
        elif r["kind"] == "se":
            se.setdefault(r["code_rome"], []).append(code)
    ref = Referential(macro_of, {k: frozenset(v) for k, v in mobility.items()})
    return ref, sf, core, se


def feasible(c: CandidateRow, o: OfferRow) -> bool:
    """Independent check (not the engine's code) of the hard constraints."""
    d = haversine_km(c.latitude, c.longitude, o.latitude, o.longitude)
    if d > c.max_distance_km or o.hours_per_week > c.max_hours_per_week:
        return False
    if "driving_licence" in o.constraints and not c.has_driving_licence:
        return False
    if "night_work" in o.constraints and (not c.night_work_ok or c.childcare_constraint):
        return False
    return not ("heavy_loads" in o.constraints and c.freins.get("sante", 0) >= 3)


def ndcg(ranked: list[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, oid in enumerate(ranked[:K]) if oid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[int], relevant: set[int]) -> float:
    return len(set(ranked[:K]) & relevant) / min(K, len(relevant))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_fiches, per_fiche, n_cands = (150, 5, 240) if args.quick else (300, 6, 600)
    rng = random.Random(SEED)
    start = time.perf_counter()
    ref, sf, core, se = load_referential()
    communes = [c for c in read_communes() if c["departement"] == "29" and c["latitude"] is not None]
    # Fiches with skills and at least one mobility link to another chosen fiche.
    # Whole professional domains (same 3 first characters of the ROME code), so that most
    # distractors are neighbouring jobs sharing macro-compétences, not unrelated ones.
    pool = sorted(f for f in sf if len(sf[f]) >= 8)
    domains = sorted({f[:3] for f in pool})
    rng.shuffle(domains)
    fiches = []
    for d in domains:
        if len(fiches) >= n_fiches:
            break
        fiches += [f for f in pool if f[:3] == d]
    chosen = set(fiches)
    movers = [(a, b) for a in pool for b in sorted(ref.mobility.get(a, ())) if b in chosen and b != a]
    offers: list[OfferRow] = []
    for f in fiches:
        req_all = core.get(f) or sf[f][:8]
        for _ in range(per_fiche):
            place = rng.choice(communes)
            required = [s for s in req_all if rng.random() < 0.8] or req_all[:1]
            constraints = {c for c, p in (("driving_licence", .2), ("night_work", .1), ("heavy_loads", .1))
                           if rng.random() < p}
            offers.append(OfferRow(
                id=len(offers) + 1, fiche=f, latitude=place["latitude"], longitude=place["longitude"],
                hours_per_week=rng.choice([10, 15, 20, 24, 26, 30, 35, 35, 35]),
                required=frozenset(required), wished=frozenset(se.get(f, [])),
                constraints=frozenset(constraints), created=rng.uniform(0, 90 * 86400)))
    others = [s for f in pool for s in sf[f]]

    def make_candidate(i: int, career: bool):
        if career:
            a, b = rng.choice(movers)
        else:
            a = b = rng.choice(fiches)
        own = sf[a]
        skills = set(rng.sample(own, max(1, round(len(own) * rng.uniform(0.3, 0.7)))))
        if career:
            skills |= set(rng.sample(sf[b], round(len(sf[b]) * rng.uniform(0.0, 0.2))))
        neighbours = [s for f in fiches if f[:3] == a[:3] and f != a for s in sf[f]] or others
        skills |= set(rng.sample(neighbours, min(5, len(neighbours))))
        place = rng.choice(communes)
        childcare = rng.random() < 0.2
        return CandidateRow(
            id=i, skills=frozenset(skills), latitude=place["latitude"], longitude=place["longitude"],
            max_distance_km=rng.choice([15, 20, 25, 30, 40]), transport_mode="car",
            has_driving_licence=rng.random() < 0.6, has_vehicle=True,
            max_hours_per_week=rng.choice([20, 26, 35, 35]), childcare_constraint=childcare,
            night_work_ok=not childcare and rng.random() < 0.4, weekend_work_ok=True,
            experience_fiches=frozenset({a}), career_change=career,
            freins={"sante": 3} if rng.random() < 0.1 else {}), b

    figures = {"all": {"engine": [], "baseline": []}, "career": {"engine": [], "baseline": []},
               "regular": {"engine": [], "baseline": []}}
    infeasible_engine = infeasible_baseline = 0
    skipped = evaluated = 0
    by_fiche: dict[str, list[OfferRow]] = {}
    for o in offers:
        by_fiche.setdefault(o.fiche, []).append(o)
    i = 0
    while evaluated < n_cands:
        i += 1
        career = rng.random() < 0.3
        cand, goal = make_candidate(i, career)
        relevant = {o.id for o in by_fiche.get(goal, []) if feasible(cand, o)}
        if not relevant:
            skipped += 1
            continue
        evaluated += 1
        matches, _inf = rank_offers(ref, cand, offers, limit=K)
        engine = [m.offer_id for m in matches]
        own_code = next(iter(cand.experience_fiches))
        base = sorted((o for o in by_fiche.get(own_code, [])
                       if haversine_km(cand.latitude, cand.longitude, o.latitude, o.longitude)
                       <= cand.max_distance_km), key=lambda o: -o.created)
        baseline = [o.id for o in base[:K]]
        by_id = {o.id: o for o in offers}
        infeasible_engine += sum(not feasible(cand, by_id[x]) for x in engine)
        infeasible_baseline += sum(not feasible(cand, by_id[x]) for x in baseline)
        for group in ("all", "career" if career else "regular"):
            figures[group]["engine"].append((ndcg(engine, relevant), recall(engine, relevant)))
            figures[group]["baseline"].append((ndcg(baseline, relevant), recall(baseline, relevant)))

    def mean(rows, j):
        return round(sum(r[j] for r in rows) / len(rows), 3) if rows else 0.0

    result = {
        "offers": len(offers), "candidates": evaluated, "career_change_candidates": len(figures["career"]["engine"]),
        "skipped_no_relevant_offer": skipped,
        "ndcg@10": mean(figures["all"]["engine"], 0), "recall@10": mean(figures["all"]["engine"], 1),
        "baseline_ndcg@10": mean(figures["all"]["baseline"], 0),
        "baseline_recall@10": mean(figures["all"]["baseline"], 1),
        "regular_ndcg@10": mean(figures["regular"]["engine"], 0),
        "regular_baseline_ndcg@10": mean(figures["regular"]["baseline"], 0),
        "career_change_ndcg@10": mean(figures["career"]["engine"], 0),
        "career_change_recall@10": mean(figures["career"]["engine"], 1),
        "career_change_baseline_recall@10": mean(figures["career"]["baseline"], 1),
        "infeasible_in_top10": infeasible_engine,
        "baseline_infeasible_in_top10": infeasible_baseline,
        "seconds": round(time.perf_counter() - start, 1),
    }
    result["career_change_recall_gain_points"] = round(
        100 * (result["career_change_recall@10"] - result["career_change_baseline_recall@10"]), 1)
    result["goals_met"] = (result["ndcg@10"] >= 0.60 and result["career_change_recall_gain_points"] >= 20
                           and infeasible_engine == 0)
    print(f"Offres : {len(offers)} ; candidats évalués : {evaluated} (dont reconversion : "
          f"{result['career_change_candidates']})")
    print(f"nDCG@10 moteur {result['ndcg@10']} / base {result['baseline_ndcg@10']} ; "
          f"rappel@10 reconversion moteur {result['career_change_recall@10']} / base "
          f"{result['career_change_baseline_recall@10']} ; offres infaisables dans un top 10 : "
          f"{infeasible_engine} (base : {infeasible_baseline})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
