"""The matching engine over prefetched rows (Python, and numpy to rank many offers at
once), no database access.

A score in [0, 1] combines (weights in `WEIGHTS`, documented in docs/jobs.md):

- **skills**: coverage of the offer's required skills (and, less, of the wished ones) by
  the skills the person holds; a skill not held but whose ROME macro-compétence is
  shared with a held one counts half;
- **ROME structure**: the offer's fiche is one the person targets (1), has worked in
  (0.8, unless they want to change jobs), or is reachable by a ROME mobility link from
  one of them (0.6: the passerelles of a career change);
- **distance**: 1 at the door, 0 at the person's limit.

Hard constraints make an offer **infeasible**, never ranked: beyond the distance or
travel-time limit, more hours than the person can work, licence or vehicle required and
missing, night or weekend work the person cannot do, heavy work with a blocking health
frein. Softer ones (a moderate frein against the offer's constraints) lower the score
and are told in the explanation. An offer with many proposals waiting for an answer per
open position is ranked lower (anti-congestion, like les emplois' « structure
saturée »), so that not everyone is sent to the same offer.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from passeport.directory.geo import distances_from

from .enums import TRANSPORT_SPEED_KMH, Constraint

WEIGHTS = {"skills": 0.55, "rome": 0.30, "distance": 0.15}
WISHED_SHARE = 0.15  # share of the skill score given by the wished skills
PARTIAL_CREDIT = 0.5  # a missing skill whose macro-compétence is shared
ROME_TARGET, ROME_EXPERIENCE, ROME_MOBILITY = 1.0, 0.8, 0.6
SOFT_PENALTY = 0.85  # per soft constraint against a frein
CONGESTION_PENALTY = 0.7
ROAD_FACTOR = 1.3  # the way travelled is about 1.3 times the straight line

# The diagnostic's freins used by matching (data·inclusion categories, severity 0-3).
FREIN_MOBILITY, FREIN_FAMILY, FREIN_HEALTH = "mobilite", "famille", "sante"


@dataclass(frozen=True)
class Referential:
    """The parts of ROME the engine needs: each competence's macro-compétence and the
    mobility links between fiches."""

    macro_of: dict[int, int]
    mobility: dict[str, frozenset[str]]

    def macros(self, skills: Iterable[int]) -> set[int]:
        out = set()
        for s in skills:
            m = self.macro_of.get(s)
            out.add(m if m is not None else s)
        return out


@dataclass
class OfferRow:
    id: int
    fiche: str
    latitude: float | None
    longitude: float | None
    hours_per_week: int
    required: frozenset[int]
    wished: frozenset[int] = frozenset()
    constraints: frozenset[str] = frozenset()
    created: float = 0.0  # timestamp, for the « most recent first » baseline and ties
    pending: int = 0  # proposals waiting for an answer
    positions: int = 1
    kind: str = "job"


@dataclass
class CandidateRow:
    id: int
    skills: frozenset[int]
    latitude: float | None
    longitude: float | None
    max_distance_km: float = 20
    max_travel_minutes: int | None = None
    transport_mode: str = "public"
    has_driving_licence: bool = False
    has_vehicle: bool = False
    max_hours_per_week: int = 35
    childcare_constraint: bool = False
    night_work_ok: bool = False
    weekend_work_ok: bool = True
    target_fiches: frozenset[str] = frozenset()
    experience_fiches: frozenset[str] = frozenset()
    career_change: bool = False  # experience fiches are starting points, not goals
    freins: dict[str, int] = field(default_factory=dict)

    @property
    def limit_km(self) -> float:
        """The distance the person can travel: the smaller of the maximum distance and
        the maximum travel time at the speed of their transport mode; a blocking
        mobility frein without a vehicle caps it at 10 km."""
        limit = float(self.max_distance_km)
        if self.max_travel_minutes:
            speed = TRANSPORT_SPEED_KMH.get(self.transport_mode, 25)
            limit = min(limit, speed * self.max_travel_minutes / 60 / ROAD_FACTOR)
        if self.freins.get(FREIN_MOBILITY, 0) >= 3 and not self.has_vehicle:
            limit = min(limit, 10.0)
        return limit


@dataclass
class Match:
    offer_id: int
    candidate_id: int
    score: float
    skills: float
    rome: float
    rome_link: str  # target | experience | mobility | ""
    distance_km: float | None
    travel_minutes: int | None
    matched: list[int]
    partial: list[int]
    missing: list[int]
    wished_matched: list[int]
    warnings: list[str]  # soft constraints: Constraint values
    congested: bool


@dataclass
class Infeasible:
    offer_id: int
    candidate_id: int
    reasons: list[str]  # too_far | hours | driving_licence | vehicle | night_work | ...


def _skill_coverage(ref: Referential, held: frozenset[int], held_macros: set[int],
                    skills: frozenset[int]) -> tuple[float, list[int], list[int], list[int]]:
    if not skills:
        return 1.0, [], [], []
    matched, partial, missing = [], [], []
    credit = 0.0
    for s in skills:
        if s in held:
            matched.append(s)
            credit += 1
        elif ref.macro_of.get(s, s) in held_macros:
            partial.append(s)
            credit += PARTIAL_CREDIT
        else:
            missing.append(s)
    return credit / len(skills), matched, partial, missing


def _rome_link(ref: Referential, c: CandidateRow, fiche: str) -> tuple[float, str]:
    if fiche in c.target_fiches:
        return ROME_TARGET, "target"
    if fiche in c.experience_fiches and not c.career_change:
        return ROME_EXPERIENCE, "experience"
    for f in c.experience_fiches | c.target_fiches:
        if fiche in ref.mobility.get(f, ()) and fiche not in c.experience_fiches:
            return ROME_MOBILITY, "mobility"
    return 0.0, ""


def feasibility(c: CandidateRow, o: OfferRow, distance_km: float | None
                ) -> tuple[list[str], list[str]]:
    """(hard reasons that make the offer infeasible, soft warnings)."""
    hard, soft = [], []
    if distance_km is not None and distance_km > c.limit_km:
        hard.append("too_far")
    if o.hours_per_week > c.max_hours_per_week:
        hard.append("hours")
    k = o.constraints
    if Constraint.DRIVING_LICENCE in k and not c.has_driving_licence:
        hard.append(Constraint.DRIVING_LICENCE.value)
    if Constraint.VEHICLE in k and not c.has_vehicle:
        hard.append(Constraint.VEHICLE.value)
    family = c.freins.get(FREIN_FAMILY, 0)
    if Constraint.NIGHT_WORK in k and (not c.night_work_ok or c.childcare_constraint):
        hard.append(Constraint.NIGHT_WORK.value)
    if Constraint.WEEKEND_WORK in k:
        if not c.weekend_work_ok or c.childcare_constraint:
            hard.append(Constraint.WEEKEND_WORK.value)
        elif family >= 2:
            soft.append(Constraint.WEEKEND_WORK.value)
    if Constraint.EARLY_LATE_HOURS in k:
        if c.childcare_constraint and family >= 3:
            hard.append(Constraint.EARLY_LATE_HOURS.value)
        elif c.childcare_constraint or family >= 2 or (
                c.transport_mode == "public" and c.freins.get(FREIN_MOBILITY, 0) >= 2):
            soft.append(Constraint.EARLY_LATE_HOURS.value)
    health = c.freins.get(FREIN_HEALTH, 0)
    for physical in (Constraint.HEAVY_LOADS, Constraint.STANDING):
        if physical in k:
            if health >= 3:
                hard.append(physical.value)
            elif health >= 2:
                soft.append(physical.value)
    return hard, soft


def score_pair(ref: Referential, c: CandidateRow, o: OfferRow, *, held_macros: set[int] | None = None,
               distance_km: float | None = None, congestion_per_position: int = 5
               ) -> Match | Infeasible:
    if distance_km is None and None not in (c.latitude, c.longitude, o.latitude, o.longitude):
        distance_km = distances_from(c.latitude, c.longitude)(o.latitude, o.longitude)
    hard, soft = feasibility(c, o, distance_km)
    if hard:
        return Infeasible(o.id, c.id, hard)
    if held_macros is None:
        held_macros = ref.macros(c.skills)
    req, matched, partial, missing = _skill_coverage(ref, c.skills, held_macros, o.required)
    wished_cov, wished_matched, _p, _m = _skill_coverage(ref, c.skills, held_macros, o.wished)
    skills = (1 - WISHED_SHARE) * req + WISHED_SHARE * wished_cov if o.wished else req
    rome, link = _rome_link(ref, c, o.fiche)
    limit = c.limit_km
    dist_score = 0.5 if distance_km is None else max(0.0, 1 - distance_km / limit) if limit else 0.0
    score = (WEIGHTS["skills"] * skills + WEIGHTS["rome"] * rome
             + WEIGHTS["distance"] * dist_score)
    score *= SOFT_PENALTY ** len(soft)
    congested = o.pending >= congestion_per_position * max(1, o.positions)
    if congested:
        score *= CONGESTION_PENALTY
    travel = None
    if distance_km is not None:
        travel = math.ceil(distance_km * ROAD_FACTOR / TRANSPORT_SPEED_KMH.get(c.transport_mode, 25) * 60)
    return Match(o.id, c.id, round(score, 4), round(skills, 4), rome, link,
                 None if distance_km is None else round(distance_km, 1), travel,
                 sorted(matched), sorted(partial), sorted(missing), sorted(wished_matched),
                 soft, congested)


def rank_offers(ref: Referential, c: CandidateRow, offers: Iterable[OfferRow], *, limit: int = 20,
                congestion_per_position: int = 5) -> tuple[list[Match], list[Infeasible]]:
    """The best feasible offers for a person (score, then most recent), and the
    infeasible ones with their reasons.

    Fast path: distance and hard constraints first, the score as a plain float with set
    operations, a heap of the best; the full `Match` (sorted skill lists, warnings) is
    built for the winners only, by `score_pair` (the same rules)."""
    held = c.skills
    held_macros = ref.macros(held)
    macro_of = ref.macro_of
    limit_km = c.limit_km
    distance = (distances_from(c.latitude, c.longitude)
                if c.latitude is not None and c.longitude is not None else None)
    w_skills, w_rome, w_dist = WEIGHTS["skills"], WEIGHTS["rome"], WEIGHTS["distance"]
    rome_cache: dict[str, float] = {}
    heap: list[tuple] = []
    infeasible = []
    for o in offers:
        d = None
        if distance is not None and o.latitude is not None:
            d = distance(o.latitude, o.longitude)
            if d > limit_km:
                infeasible.append(Infeasible(o.id, c.id, ["too_far"]))
                continue
        if o.constraints or o.hours_per_week > c.max_hours_per_week:
            hard, soft = feasibility(c, o, d)
            if hard:
                infeasible.append(Infeasible(o.id, c.id, hard))
                continue
        else:
            soft = ()
        req = o.required
        if req:
            rest = req - held
            credit = len(req) - len(rest)
            for s in rest:
                if macro_of.get(s, s) in held_macros:
                    credit += PARTIAL_CREDIT
            skills = credit / len(req)
        else:
            skills = 1.0
        if o.wished:
            rest = o.wished - held
            credit = len(o.wished) - len(rest)
            for s in rest:
                if macro_of.get(s, s) in held_macros:
                    credit += PARTIAL_CREDIT
            skills = (1 - WISHED_SHARE) * skills + WISHED_SHARE * credit / len(o.wished)
        rome = rome_cache.get(o.fiche)
        if rome is None:
            rome = rome_cache[o.fiche] = _rome_link(ref, c, o.fiche)[0]
        dist_score = 0.5 if d is None else max(0.0, 1 - d / limit_km) if limit_km else 0.0
        score = w_skills * skills + w_rome * rome + w_dist * dist_score
        if soft:
            score *= SOFT_PENALTY ** len(soft)
        if o.pending >= congestion_per_position * max(1, o.positions):
            score *= CONGESTION_PENALTY
        item = (round(score, 4), o.created, -o.id, o, d)
        if len(heap) < limit:
            heapq.heappush(heap, item)
        elif item[:3] > heap[0][:3]:
            heapq.heapreplace(heap, item)
    best = sorted(heap, key=lambda t: t[:3], reverse=True)
    matches = [score_pair(ref, c, t[3], held_macros=held_macros, distance_km=t[4],
                          congestion_per_position=congestion_per_position) for t in best]
    return matches, infeasible


def rank_candidates(ref: Referential, o: OfferRow, candidates: Iterable[CandidateRow], *,
                    limit: int = 20) -> tuple[list[Match], list[Infeasible]]:
    """The best feasible persons for an offer (congestion does not apply here)."""
    matches, infeasible = [], []
    for c in candidates:
        r = score_pair(ref, c, o, congestion_per_position=10**9)
        if isinstance(r, Infeasible):
            infeasible.append(r)
        else:
            matches.append(r)
    matches.sort(key=lambda m: (-m.score, m.candidate_id))
    return matches[:limit], infeasible


# --- Vectorised ranking over many offers (numpy) -----------------------------------

CONSTRAINT_BITS = {c.value: 1 << i for i, c in enumerate(Constraint)}
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(CONSTRAINT_BITS))], dtype=np.int8)


def _postings(lists: list[list[int]]) -> dict[int, np.ndarray]:
    out: dict[int, list[int]] = defaultdict(list)
    for i, keys in enumerate(lists):
        for k in keys:
            out[k].append(i)
    return {k: np.array(v, dtype=np.int32) for k, v in out.items()}


class OfferMatrix:
    """Many offers as numpy columns, to rank them all for one person in a few
    milliseconds with the same rules as `score_pair` (checked by the tests):
    distances, hard constraints and the score are computed for every offer at once;
    skill coverage comes from postings (skill -> offers requiring it, macro-compétence ->
    one entry per required skill under it). The winners are then explained by
    `score_pair`. Pending proposals are not in the matrix: the selector applies
    anti-congestion on the shortlist."""

    def __init__(self, offers: list[OfferRow], ref: Referential):
        self.rows = offers
        self.n = len(offers)
        lat = np.array([o.latitude if o.latitude is not None else np.nan for o in offers], dtype=float)
        lon = np.array([o.longitude if o.longitude is not None else np.nan for o in offers], dtype=float)
        self.located = ~np.isnan(lat)
        self.lat_r, self.lon_r = np.radians(lat), np.radians(lon)
        self.cos_lat = np.cos(self.lat_r)
        self.hours = np.array([o.hours_per_week for o in offers], dtype=np.int16)
        self.cbits = np.array([sum(CONSTRAINT_BITS.get(k, 0) for k in o.constraints) for o in offers],
                              dtype=np.int32)
        self.fiches = sorted({o.fiche for o in offers})
        self.fiche_pos = {f: i for i, f in enumerate(self.fiches)}
        self.fiche_idx = np.array([self.fiche_pos[o.fiche] for o in offers], dtype=np.int32)
        self.created = np.array([o.created for o in offers], dtype=float)
        self.ids = np.array([o.id for o in offers], dtype=np.int64)
        self.immersion = np.array([o.kind == "immersion" for o in offers], dtype=bool)
        self.n_req = np.array([len(o.required) for o in offers], dtype=float)
        self.n_wished = np.array([len(o.wished) for o in offers], dtype=float)
        macro = ref.macro_of
        self.req_skill = _postings([list(o.required) for o in offers])
        self.req_macro = _postings([[macro.get(s, s) for s in o.required] for o in offers])
        self.wish_skill = _postings([list(o.wished) for o in offers])
        self.wish_macro = _postings([[macro.get(s, s) for s in o.wished] for o in offers])

    def _count(self, postings: dict[int, np.ndarray], keys) -> np.ndarray:
        parts = [postings[k] for k in keys if k in postings]
        if not parts:
            return np.zeros(self.n)
        return np.bincount(np.concatenate(parts), minlength=self.n).astype(float)

    def _coverage(self, skill_post, macro_post, total, held, held_macros) -> np.ndarray:
        matched = self._count(skill_post, held)
        close = self._count(macro_post, held_macros)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = (matched + PARTIAL_CREDIT * (close - matched)) / total
        return np.where(total > 0, cov, 1.0)

    def rank(self, ref: Referential, c: CandidateRow, *, limit: int = 20, kind: str = ""
             ) -> tuple[list[tuple[OfferRow, float | None]], dict[str, int]]:
        """The best feasible offers (row, distance) by score, then most recent, and the
        number of infeasible offers by reason."""
        if self.n == 0:
            return [], {}
        limit_km = c.limit_km
        if c.latitude is not None and c.longitude is not None:
            p1, l1 = math.radians(c.latitude), math.radians(c.longitude)
            a = (np.sin((self.lat_r - p1) / 2) ** 2
                 + math.cos(p1) * self.cos_lat * np.sin((self.lon_r - l1) / 2) ** 2)
            dist = 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))
            known = self.located
        else:
            dist = np.full(self.n, np.nan)
            known = np.zeros(self.n, dtype=bool)
        too_far = known & (dist > limit_km)
        too_long = self.hours > c.max_hours_per_week
        hard_bits = soft_bits = 0
        for value, bit in CONSTRAINT_BITS.items():
            hard, soft = feasibility(c, OfferRow(0, "", None, None, 0, frozenset(),
                                                 constraints=frozenset({value})), None)
            if hard:
                hard_bits |= bit
            elif soft:
                soft_bits |= bit
        blocked = (self.cbits & hard_bits) != 0
        feasible = ~too_far & ~too_long & ~blocked
        if kind:
            feasible &= self.immersion if kind == "immersion" else ~self.immersion
        reasons = {"too_far": int(too_far.sum()), "hours": int((too_long & ~too_far).sum())}
        for value, bit in CONSTRAINT_BITS.items():
            if bit & hard_bits:
                reasons[value] = int((((self.cbits & bit) != 0) & ~too_far & ~too_long).sum())
        idx = np.flatnonzero(feasible)
        if idx.size == 0:
            return [], {k: v for k, v in reasons.items() if v}
        held_macros = ref.macros(c.skills)
        skills = self._coverage(self.req_skill, self.req_macro, self.n_req, c.skills, held_macros)
        wished = self._coverage(self.wish_skill, self.wish_macro, self.n_wished, c.skills, held_macros)
        skills = np.where(self.n_wished > 0, (1 - WISHED_SHARE) * skills + WISHED_SHARE * wished, skills)
        rome_f = np.zeros(len(self.fiches))
        for f in c.experience_fiches | c.target_fiches:
            for t in ref.mobility.get(f, ()):
                if t in self.fiche_pos and t not in c.experience_fiches:
                    rome_f[self.fiche_pos[t]] = ROME_MOBILITY
        if not c.career_change:
            for f in c.experience_fiches:
                if f in self.fiche_pos:
                    rome_f[self.fiche_pos[f]] = ROME_EXPERIENCE
        for f in c.target_fiches:
            if f in self.fiche_pos:
                rome_f[self.fiche_pos[f]] = ROME_TARGET
        rome = rome_f[self.fiche_idx[idx]]
        d = dist[idx]
        dist_score = np.where(np.isnan(d), 0.5, np.maximum(0.0, 1 - d / limit_km) if limit_km else 0.0)
        score = (WEIGHTS["skills"] * skills[idx] + WEIGHTS["rome"] * rome + WEIGHTS["distance"] * dist_score)
        score = score * SOFT_PENALTY ** _POPCOUNT[self.cbits[idx] & soft_bits]
        score = np.round(score, 4)
        if idx.size > limit:
            kth = np.partition(score, -limit)[-limit]
            keep = score >= kth
            idx, score, d = idx[keep], score[keep], d[keep]
        order = np.lexsort((-self.ids[idx], self.created[idx], score))[::-1][:limit]
        return ([(self.rows[i], None if np.isnan(dd) else float(dd))
                 for i, dd in zip(idx[order], d[order], strict=True)],
                {k: v for k, v in reasons.items() if v})
