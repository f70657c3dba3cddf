"""Vectorised estimates: N households in one OpenFisca simulation, chunked.

A simulation costs a fixed overhead (the graph of formulas is walked once whatever the
number of households) plus very little per household: batching is the lever. Two things
keep the graph small:

- incomes are given as net monthly amounts for every month of the window, and the
  taxable amounts are pinned to them, so the engine does not rebuild gross wages and the
  social contributions;
- benefits of the months *before* the month computed are facts (what the household
  received, usually nothing), pinned as inputs; only the month computed is estimated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from .household import (
    HOUSING,
    INCOME_VARIABLES,
    PAYS_RENT,
    RECEIVED_FAMILY,
    RECEIVED_INDIVIDUAL,
    HouseholdInput,
    add_months,
    month_key,
)
from .system import tax_benefit_system

# Months of history given to the engine before the month computed: RSA and prime
# d'activité look at the last 3 months, housing aid and the CSS at 12, AAH and family
# benefits at the fiscal year N-2.
WINDOW = 36
CHUNK_SIZE = 10_000

# Variables pinned to zero over the whole window: outside what Passeport asks, and costly.
ZERO_INDIVIDUAL = ("asi", "bourse_criteres_sociaux", "rente_accident_travail",
                   "indemnite_accident_travail")
FALSE_INDIVIDUAL = ("boursier",)
ZERO_FAMILY = ("aspa",)
# Pinned to zero before the month computed only (parts of the AAH).
ZERO_INDIVIDUAL_PAST = ("caah", "mva")

FAMILY_OUTPUTS = ("rsa", "ppa", "aide_logement", "apl", "als", "alf", "af", "cf", "asf",
                  "cmu_c", "css_participation_forfaitaire")


@dataclass
class Estimate:
    """Monthly amounts (euros) for the month computed, for the person's family."""

    amounts: dict[str, float] = field(default_factory=dict)  # rsa, ppa, al, aah, af, cf, asf
    housing_aid_kind: str = ""  # apl | als | alf
    css: str = "none"  # free | participation | none
    css_participation: float = 0.0  # per month, for the household
    assumptions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"amounts": self.amounts, "housing_aid_kind": self.housing_aid_kind,
                "css": self.css, "css_participation": self.css_participation,
                "assumptions": self.assumptions}


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def estimate_many(households: Sequence[HouseholdInput], *, chunk_size: int = CHUNK_SIZE
                  ) -> list[Estimate]:
    """Estimates in the order of `households`. Households of different months are grouped
    by month (one simulation per month and chunk)."""
    results: list[Estimate | None] = [None] * len(households)
    by_month: dict[date, list[int]] = {}
    for i, h in enumerate(households):
        by_month.setdefault(h.month, []).append(i)
    for month, indexes in by_month.items():
        for chunk in _chunks(indexes, max(1, chunk_size)):
            for i, est in zip(chunk, _simulate(month, [households[i] for i in chunk]), strict=True):
                results[i] = est
    return results  # type: ignore[return-value]


@lru_cache(maxsize=512)
def full_rate(kind: str, key: str) -> float:
    """The full monthly rate of the AAH or the ASS in the month `key` (YYYY-MM)."""
    p = tax_benefit_system().parameters
    if kind == "aah":
        return float(p.prestations_sociales.prestations_etat_de_sante.invalidite.aah.montant(
            f"{key}-01"))
    return round(30 * float(p.chomage.allocations_assurance_chomage.ass.montant_plein(
        f"{key}-01")), 2)


def _simulate(month: date, households: Sequence[HouseholdInput]) -> list[Estimate]:
    from openfisca_core import periods
    from openfisca_core.simulation_builder import SimulationBuilder

    tbs = tax_benefit_system()
    months = [add_months(month, i) for i in range(-WINDOW, 1)]
    month_index = {month_key(m): j for j, m in enumerate(months)}
    n_months = len(months)

    # --- Entities and roles -----------------------------------------------------------
    person_ids: list[str] = []
    fam_of, fam_role, foy_of, foy_role, men_of, men_role = [], [], [], [], [], []
    main_family: list[int] = []
    n_fam = 0
    assumptions: list[list[str]] = []
    for h_idx, h in enumerate(households):
        main = n_fam
        main_family.append(main)
        n_fam += 1
        partner_seen = False
        notes: list[str] = []
        for p_idx, m in enumerate(h.members):
            person_ids.append(f"{h_idx}-{p_idx}")
            role = m.role
            if p_idx == 0:
                role = "self"
            elif role == "partner" and partner_seen:
                role = "other"
            if role == "self":
                fam, fr, fo, fyr, mr = main, "demandeur", main, "declarant_principal", "personne_de_reference"
            elif role == "partner":
                partner_seen = True
                fam, fr, fo, fyr, mr = main, "conjoint", main, "conjoint", "conjoint"
            elif role == "child":
                fam, fr, fo, fyr, mr = main, "enfant", main, "personne_a_charge", "enfant"
            else:  # another adult: their own family and tax household, same dwelling
                fam = fo = n_fam
                n_fam += 1
                fr, fyr, mr = "demandeur", "declarant_principal", "autre"
            fam_of.append(fam)
            fam_role.append(fr)
            foy_of.append(fo)
            foy_role.append(fyr)
            men_of.append(h_idx)
            men_role.append(mr)
        assumptions.append(notes)

    n_persons = len(person_ids)
    n_men = len(households)
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", person_ids)
    for key, ids, of, roles in (
        ("famille", range(n_fam), fam_of, fam_role),
        ("foyer_fiscal", range(n_fam), foy_of, foy_role),
        ("menage", range(n_men), men_of, men_role),
    ):
        population = builder.declare_entity(key, [str(i) for i in ids])
        builder.join_with_persons(population, np.array(of), roles)
    sim = builder.build(tbs)

    # --- Individual inputs ------------------------------------------------------------
    birth = np.empty(n_persons, dtype="datetime64[D]")
    rate = np.zeros(n_persons)
    rsdae = np.zeros(n_persons, dtype=bool)
    student = np.zeros(n_persons, dtype=bool)
    married = np.zeros(n_persons, dtype=bool)
    activity = np.full(n_persons, "inactif", dtype=object)
    series: dict[str, np.ndarray] = {}  # variable -> (persons x months)
    fam_series: dict[str, np.ndarray] = {}  # variable -> (families x months), past only

    def grid(store: dict, name: str, rows: int) -> np.ndarray:
        if name not in store:
            store[name] = np.zeros((rows, n_months))
        return store[name]

    for name in {v for vs in INCOME_VARIABLES.values() for v in vs} | set(RECEIVED_INDIVIDUAL.values()):
        grid(series, name, n_persons)
    for name in RECEIVED_FAMILY.values():
        grid(fam_series, name, n_fam)

    recent = {month_key(month), month_key(add_months(month, -1))}
    p = 0
    for h_idx, h in enumerate(households):
        has_partner = any(m.role == "partner" for m in h.members[1:])
        for p_idx, m in enumerate(h.members):
            birth[p] = np.datetime64(m.birth_date.isoformat(), "D")
            rate[p] = (m.disability_rate or 0) / 100
            rsdae[p] = m.rsdae
            student[p] = m.student
            married[p] = has_partner and (p_idx == 0 or m.role == "partner")
            for kind, by_month in m.incomes.items():
                targets = INCOME_VARIABLES.get(kind)
                for key, amount in by_month.items():
                    j = month_index.get(key)
                    if j is None or not amount:
                        continue
                    if targets:
                        for name in targets:
                            series[name][p, j] += amount
                    elif kind in RECEIVED_INDIVIDUAL:
                        series[RECEIVED_INDIVIDUAL[kind]][p, j] += amount
                    elif kind in RECEIVED_FAMILY:
                        fam_series[RECEIVED_FAMILY[kind]][fam_of[p], j] += amount
            kinds_now = {k for k, v in m.incomes.items() if recent & {key for key, a in v.items() if a}}
            if m.student:
                activity[p] = "etudiant"
            elif kinds_now & {"salary", "self_employed"}:
                activity[p] = "actif"
            elif kinds_now & {"unemployment", "ass"}:
                activity[p] = "chomeur"
            elif kinds_now & {"pension"}:
                activity[p] = "retraite"
            p += 1
        # Benefits declared received without amounts: assume the full rate for AAH and ASS
        # (they count in the resources of the RSA and the prime d'activité).
        first = p - len(h.members)
        self_incomes = h.members[0].incomes
        if "aah" in h.received and not any(m.incomes.get("aah") for m in h.members):
            for key, j in month_index.items():
                series["aah"][first, j] = full_rate("aah", key)
            assumptions[h_idx].append("aah_full_rate")
        if "ass" in h.received and not self_incomes.get("ass"):
            for key, j in month_index.items():
                series["ass"][first, j] = full_rate("ass", key)
            assumptions[h_idx].append("ass_full_rate")

    whole = periods.period(f"month:{month_key(months[0])}:{n_months}")
    eternity = periods.period("ETERNITY")
    sim.set_input("date_naissance", eternity, birth)
    sim.set_input("taux_incapacite", whole, rate)
    sim.set_input("aah_restriction_substantielle_durable_acces_emploi", whole, rsdae)
    sim.set_input("handicap", whole, rate >= 0.5)
    sim.set_input("etudiant", whole, student)
    sim.set_input("activite", whole, activity.astype(str))
    sim.set_input("statut_marital", whole,
                  np.where(married, "marie", "celibataire").astype(str))

    zeros_p = np.zeros(n_persons)
    false_p = np.zeros(n_persons, dtype=bool)
    zeros_f = np.zeros(n_fam)
    for j, m in enumerate(months):
        period = periods.period(month_key(m))
        past = j < n_months - 1
        for name, values in series.items():
            if name in RECEIVED_INDIVIDUAL.values() and not past:
                continue
            sim.set_input(name, period, values[:, j])
        for name in ZERO_INDIVIDUAL:
            sim.set_input(name, period, zeros_p)
        for name in FALSE_INDIVIDUAL:
            sim.set_input(name, period, false_p)
        for name in ZERO_FAMILY:
            sim.set_input(name, period, zeros_f)
        if past:
            for name in ZERO_INDIVIDUAL_PAST:
                sim.set_input(name, period, zeros_p)
            for name, values in fam_series.items():
                sim.set_input(name, period, values[:, j])

    # --- Dwelling ---------------------------------------------------------------------
    status = np.array([HOUSING.get(h.housing_status, "non_renseigne") for h in households])
    rent = np.array([float(h.rent or 0) if h.housing_status in PAYS_RENT else 0.0
                     for h in households])
    commune = np.array([h.commune or "" for h in households])
    sim.set_input("statut_occupation_logement", whole, status)
    sim.set_input("depcom", whole, commune)
    sim.set_input("logement_conventionne", whole,
                  np.array([h.housing_status == "social_tenant" for h in households]))
    for m in months:
        sim.set_input("loyer", periods.period(month_key(m)), rent)

    # --- Results ----------------------------------------------------------------------
    period = periods.period(month_key(month))
    out = {name: sim.calculate(name, period) for name in FAMILY_OUTPUTS}
    aah = np.bincount(np.array(fam_of), weights=sim.calculate("aah", period), minlength=n_fam)
    main = np.array(main_family)

    def pick(values: np.ndarray) -> list[float]:
        return [round(float(v), 2) for v in values[main]]

    rsa, ppa, al = pick(out["rsa"]), pick(out["ppa"]), pick(out["aide_logement"])
    apl, als, alf = pick(out["apl"]), pick(out["als"]), pick(out["alf"])
    af, cf, asf, aah_ = pick(out["af"]), pick(out["cf"]), pick(out["asf"]), pick(aah)
    css_free = out["cmu_c"][main]
    css_part = pick(out["css_participation_forfaitaire"])
    estimates = []
    for i in range(n_men):
        kind = "apl" if apl[i] > 0 else "als" if als[i] > 0 else "alf" if alf[i] > 0 else ""
        css = "free" if css_free[i] else "participation" if css_part[i] > 0 else "none"
        estimates.append(Estimate(
            amounts={"rsa": rsa[i], "ppa": ppa[i], "al": al[i], "aah": aah_[i], "af": af[i],
                     "cf": cf[i], "asf": asf[i]},
            housing_aid_kind=kind, css=css,
            css_participation=css_part[i] if css == "participation" else 0.0,
            assumptions=assumptions[i],
        ))
    return estimates
