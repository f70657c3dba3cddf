"""A right whose result depends on missing data is « à vérifier », not « probable ».

With unknown resources OpenFisca counts 0 €: every means-tested aid (CSS, RSA, aide au
logement...) would look open. Only the rights computable from the data given are flagged.

CSS ceilings for one person in metropolitan France on 1 April 2025 (arrêté du 21 mars 2025;
service-public.fr F10027): free below 10 166 € a year (847 € a month), with a
participation below 13 724 € a year (1 143 € a month).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from passeport.core.actor import Actor
from passeport.rights import services
from passeport.rights.models import RightsCheck

JUNE_2025 = date(2025, 6, 1)
SINGLE_HOSTED = {"couple": "no", "housing_status": "hosted", "commune_insee": "29019",
                 "disability_rate": "none", "student": "no", "incomes_complete": "yes",
                 "received": []}


def check_for(actor, path, data, commits) -> RightsCheck:
    with commits():
        services.situation_save(actor=actor, person=path.person, path=path, data=data,
                                request_estimate=False)
        check = services.estimate_request(actor=actor, person=path.person, path=path,
                                          month=JUNE_2025)
    check.refresh_from_db()
    return check


def salary(amount: int) -> list[dict]:
    return [{"kind": "salary", "monthly_amount": str(amount)}]  # for a long time, still now


def test_full_data_below_the_css_ceiling_is_flagged(actor, rights_path, commits):
    check = check_for(actor, rights_path, {**SINGLE_HOSTED, "incomes": salary(1000)}, commits)
    assert check.missing == []
    assert check.css == "participation"  # 12 000 € a year: above 10 166, below 13 724
    assert "css" in check.flagged_codes
    assert check.to_verify == []


def test_resources_said_incomplete_make_means_tested_rights_to_verify(actor, rights_path, commits):
    """One amount written, but « pas sûr que ce soit tout »: the CSS and the RSA computed
    from it are not likely rights, they are to verify (review finding)."""
    check = check_for(actor, rights_path, {**SINGLE_HOSTED, "incomes_complete": "no",
                                           "incomes": salary(600)}, commits)
    assert "incomes" in check.missing
    assert "css" not in check.flagged_codes and "rsa" not in check.flagged_codes
    assert {"css", "rsa"} <= {v["code"] for v in check.to_verify}


def test_full_data_above_the_css_ceiling_is_not_flagged(actor, rights_path, commits):
    check = check_for(actor, rights_path, {**SINGLE_HOSTED, "incomes": salary(1800)}, commits)
    assert check.css == "none"  # 21 600 € a year
    assert "css" not in check.flagged_codes
    assert "css" not in [v["code"] for v in check.to_verify]


def test_missing_resources_make_the_css_to_verify_with_what_is_missing(actor, rights_path,
                                                                       commits):
    # Only the housing is known: no resources, no household composition.
    check = check_for(actor, rights_path, {"housing_status": "hosted", "received": []}, commits)
    assert {"incomes", "couple"} <= set(check.missing)
    assert check.css == "free"  # what the engine says with 0 € of resources...
    assert check.flags == []  # ...is not a likely right
    css = next(v for v in check.to_verify if v["code"] == "css")
    assert css["due"] is True and css["missing"] == ["couple", "incomes"]
    rsa = next(v for v in check.to_verify if v["code"] == "rsa")
    assert rsa["due"] is True and "incomes" in rsa["missing"]
    assert float(check.flagged_total) == 0


def test_a_right_independent_of_what_is_missing_stays_likely(actor, rights_path, commits):
    # Single, no resources at all, but the disability is unknown: the RSA and the CSS do
    # not depend on it, the AAH does.
    data = {**SINGLE_HOSTED, "disability_rate": ""}
    check = check_for(actor, rights_path, data, commits)
    assert check.missing == ["disability"]
    assert {"rsa", "css"} <= set(check.flagged_codes)
    aah = next(v for v in check.to_verify if v["code"] == "aah")
    assert aah == {"code": "aah", "amount": 0.0, "due": False, "missing": ["disability"]}


def test_unknown_rent_makes_the_housing_aid_to_verify(actor, rights_path, commits):
    data = {**SINGLE_HOSTED, "housing_status": "tenant"}  # a tenant, rent not given
    check = check_for(actor, rights_path, data, commits)
    assert "rent" in check.missing
    al = next(v for v in check.to_verify if v["code"] == "al")
    assert al["missing"] == ["rent"]
    assert "rsa" in check.flagged_codes  # the RSA does not wait for the rent


def test_pages_say_what_is_missing_instead_of_likely(client, pro_client, actor, rights_path,
                                                     commits):
    check_for(actor, rights_path, {"housing_status": "hosted", "received": []}, commits)
    html = pro_client.get(reverse("rights:pro", kwargs={"public_id": rights_path.person.public_id})
                          ).content.decode()
    assert "Droits à vérifier : des informations manquent" in html
    verify = html[html.index('id="a-verifier"'):]
    verify = verify[:verify.index("</ul>")]
    assert "Complémentaire santé solidaire" in verify
    assert "À vérifier : il manque" in verify and "les revenus des 12 derniers mois" in verify
    assert "Droits probablement non demandés" not in html

    client.force_login(rights_path.person.user)
    html = client.get(reverse("rights:me")).content.decode()
    assert "Ces aides sont à vérifier" in html
    assert "Vous ne recevez pas encore ces aides" not in html
    boxes = html[html.index('id="montants"'):]
    boxes = boxes[:boxes.index("</ul>")]
    assert "Vous y avez peut-être droit, gratuitement" not in boxes
    assert "À vérifier : il manque qui vit dans le foyer" in boxes
    assert "Compléter ma situation" in html


def test_screening_counts_rights_to_verify_apart(org, actor, rights_path, engine, commits):
    check_for(actor, rights_path, {"housing_status": "hosted", "received": []}, commits)
    with commits():
        run = services.screening_start(actor=actor, month=JUNE_2025)
    run.refresh_from_db()
    assert (run.persons_count, run.flagged_count, run.to_verify_count) == (1, 0, 1)


@pytest.mark.parametrize("who", ["person", "professional"])
def test_the_person_or_the_referent_can_mark_a_right_to_verify_received(
        who, actor, rights_path, commits):
    check_for(actor, rights_path, {"housing_status": "hosted", "received": []}, commits)
    by = Actor(user=rights_path.person.user) if who == "person" else actor
    with commits():
        check = services.received_mark(actor=by, person=rights_path.person, path=rights_path,
                                       code="css", received=True)
    check.refresh_from_db()
    assert "css" not in [v["code"] for v in check.to_verify]
