"""The adapter around OpenFisca-France, checked against the published scales.

Month computed: June 2025 (scales revalued on 1 April 2025).
- RSA, montant forfaitaire for a single person: 646,52 € (décret n° 2025-293 du 29 mars
  2025, art. 1; CAF and service-public.fr, "montant forfaitaire au 1er avril 2025").
- Forfait logement for one person: 12 % of that amount = 77,58 € (art. R262-9 CASF),
  deducted when the person receives a housing aid or is housed free: 646,52 − 77,58 =
  568,94 €.
- AAH at the full rate: 1 033,32 € per month (décret n° 2025-297 du 29 mars 2025, art. 1).
- Allocations familiales for 2 children: 32 % of the BMAF (474,37 € on 1 April 2025,
  instruction interministérielle n° DSS/2A/2C/2025/32 du 7 mars 2025) = 151,80 € before
  the 0,5 % CRDS (151,05 € after CRDS, the amount the CAF shows).
"""

from __future__ import annotations

from datetime import date

import pytest

from passeport.rights.engine import HouseholdInput, estimate_many, legislation_date
from passeport.rights.engine.household import MemberInput, add_months, month_key

JUNE_2025 = date(2025, 6, 1)


def months(n: int, amount: float, end: date = JUNE_2025) -> dict[str, float]:
    return {month_key(add_months(end, -i)): amount for i in range(n)}


def single(**kw) -> HouseholdInput:
    member = MemberInput("self", date(1990, 5, 17), **kw.pop("member", {}))
    return HouseholdInput(month=JUNE_2025, members=[member], **kw)


@pytest.fixture(scope="module")
def reference(engine):
    households = {
        "homeless": single(housing_status="homeless"),
        "tenant": single(housing_status="tenant", rent=450.0, commune="29019"),
        "hosted": single(housing_status="hosted"),
        "aah": single(housing_status="hosted", member={"disability_rate": 80}),
        "family": HouseholdInput(
            month=JUNE_2025, housing_status="owner", commune="29019",
            members=[MemberInput("self", date(1985, 1, 1), incomes={"salary": months(15, 2500)}),
                     MemberInput("partner", date(1986, 2, 1)),
                     MemberInput("child", date(2013, 3, 1)),
                     MemberInput("child", date(2017, 9, 1))]),
        "worker": single(housing_status="tenant", rent=500.0, commune="29019",
                         member={"incomes": {"salary": months(15, 900)}}),
        "well_off": single(housing_status="owner",
                           member={"incomes": {"salary": months(15, 4000)}}),
    }
    estimates = estimate_many(list(households.values()))
    return dict(zip(households, estimates, strict=True))


def test_rsa_single_person_without_income_is_the_montant_forfaitaire(reference):
    assert reference["homeless"].amounts["rsa"] == pytest.approx(646.52, abs=0.01)


def test_rsa_minus_forfait_logement_when_housing_aid_is_received(reference):
    tenant = reference["tenant"]
    assert tenant.amounts["al"] > 77.58  # the housing aid exceeds the forfait
    assert tenant.housing_aid_kind == "als"
    assert tenant.amounts["rsa"] == pytest.approx(646.52 - 77.58, abs=0.01)


def test_rsa_minus_forfait_logement_when_housed_free(reference):
    assert reference["hosted"].amounts["rsa"] == pytest.approx(568.94, abs=0.01)
    assert reference["hosted"].amounts["al"] == 0


def test_aah_full_rate(reference):
    assert reference["aah"].amounts["aah"] == pytest.approx(1033.32, abs=0.01)


def test_allocations_familiales_for_two_children(reference):
    family = reference["family"]
    assert family.amounts["af"] == pytest.approx(0.32 * 474.37, abs=0.01)  # 151,80 €
    assert family.amounts["rsa"] == 0
    assert family.amounts["cf"] == 0  # two children only
    assert family.css == "none"


def test_prime_activite_and_css_for_a_low_wage(reference):
    worker = reference["worker"]
    assert worker.amounts["rsa"] == 0
    assert 100 < worker.amounts["ppa"] < 450
    assert worker.amounts["al"] > 0
    assert worker.css == "participation" and worker.css_participation > 0


def test_css_free_without_income_and_nothing_for_a_good_salary(reference):
    assert reference["homeless"].css == "free"
    assert reference["well_off"].css == "none"
    assert all(v == 0 for v in reference["well_off"].amounts.values())


def test_one_by_one_equals_vectorised(reference, engine):
    for key in ("tenant", "family", "worker"):
        alone = estimate_many([_copy(key)])[0]
        assert alone.amounts == reference[key].amounts
        assert alone.css == reference[key].css


def test_chunks_give_the_same_amounts(engine):
    households = [single(housing_status="tenant", rent=float(r), commune="29019")
                  for r in range(0, 900, 100)]
    whole = estimate_many(households)
    chunked = estimate_many(households, chunk_size=4)
    assert [e.amounts for e in whole] == [e.amounts for e in chunked]
    assert len({e.amounts["al"] for e in whole}) > 3  # the rent matters


def test_aah_declared_without_amount_counts_at_full_rate_in_rsa_resources(engine):
    h = single(housing_status="homeless", received=("aah",), member={"disability_rate": 80})
    est = estimate_many([h])[0]
    assert "aah_full_rate" in est.assumptions
    assert est.amounts["rsa"] == 0  # the AAH received exceeds the RSA


def test_legislation_date_is_the_latest_change_in_force(engine):
    law = legislation_date(JUNE_2025)
    assert date(2025, 4, 1) <= law <= date(2025, 6, 30)


def _copy(key: str) -> HouseholdInput:
    # A fresh household equal to the reference one (the same snapshot).
    from passeport.rights.engine.household import HouseholdInput as H

    ref = {
        "tenant": single(housing_status="tenant", rent=450.0, commune="29019"),
        "family": HouseholdInput(
            month=JUNE_2025, housing_status="owner", commune="29019",
            members=[MemberInput("self", date(1985, 1, 1), incomes={"salary": months(15, 2500)}),
                     MemberInput("partner", date(1986, 2, 1)),
                     MemberInput("child", date(2013, 3, 1)),
                     MemberInput("child", date(2017, 9, 1))]),
        "worker": single(housing_status="tenant", rent=500.0, commune="29019",
                         member={"incomes": {"salary": months(15, 900)}}),
    }[key]
    return H.from_dict(ref.as_dict())
