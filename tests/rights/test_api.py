"""The rights API: situation, estimates, actions, screenings."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.services import api_token_create
from passeport.paths.models import Action
from passeport.rights.models import HouseholdSituation, RightsCheck
from tests.api.conftest import JsonApi


@pytest.fixture
def api(client, org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    return JsonApi(client, raw)


@pytest.fixture
def other_api(client, other_org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=other_org, name="SI PLIE")
    return JsonApi(client, raw)


SITUATION = {
    "couple": "yes", "housing_status": "social_tenant", "rent": 380, "commune_insee": "29019",
    "members": [{"role": "partner", "birth_date": "1987-04-02"},
                {"role": "child", "first_name": "Nolwenn", "birth_date": "2016-08-30"},
                {"role": "child", "birth_date": "2019-01-12"}],
    "incomes": [{"kind": "salary", "monthly_amount": 1100, "start_month": "2024-09",
                 "hours_per_week": 24},
                {"member": 0, "kind": "unemployment", "monthly_amount": 700,
                 "start_month": "2025-01", "end_month": "2025-12"},
                {"kind": "af", "month": "2025-05", "monthly_amount": 151.05}],
    "received": ["al"], "incomes_complete": "yes", "disability_rate": "none",
}


def put(api, public_id, body, commits):
    with commits():
        return api.client.put(f"/api/v1/rights/persons/{public_id}/situation", body,
                              content_type="application/json", **api._headers())


def test_situation_put_then_get(api, rights_path, commits):
    uid = rights_path.person.public_id
    response = put(api, uid, SITUATION, commits)
    assert response.status_code == 200, response.json()
    body = api.get(f"/rights/persons/{uid}/situation").json()
    assert body["housing_status"] == "social_tenant" and body["rent"] == "380.00"
    assert [m["role"] for m in body["members"]] == ["partner", "child", "child"]
    assert body["incomes"][1]["member"] == 0
    assert body["incomes"][2]["start_month"] == body["incomes"][2]["end_month"] == "2025-05"
    assert "al" in body["effective_received"]
    assert body["missing"] == [{"code": "student", "label": "Les études (étudiant ou non)"}]


def test_bad_situation_is_a_clear_4xx_and_nothing_is_stored(api, rights_path, commits):
    uid = rights_path.person.public_id
    bad = {**SITUATION, "housing_status": "hosted"}
    response = put(api, uid, bad, commits)
    assert response.status_code == 400
    assert response.json()["code"] == "rent_without_tenancy"
    assert response.json()["field"] == "rent"
    response = put(api, uid, {**SITUATION, "members": [{"role": "child"}]}, commits)
    assert response.status_code == 422 and response.json()["field"] == "members.0.birth_date"
    response = put(api, uid, {**SITUATION, "incomes": [{"kind": "salary", "monthly_amount": 10,
                                                        "member": 7}]}, commits)
    assert response.status_code == 400 and response.json()["code"] == "income_member_unknown"
    assert not HouseholdSituation.objects.exists()
    assert not RightsCheck.objects.exists()


def test_estimate_answers_at_once_and_is_polled(api, rights_path, commits):
    uid = rights_path.person.public_id
    put(api, uid, SITUATION, commits)
    with commits():
        response = api.post(f"/rights/persons/{uid}/estimates", {"month": "2025-06"})
    assert response.status_code == 202
    created = response.json()
    assert created["month"] == "2025-06" and created["status"] in ("pending", "done")
    body = api.get(f"/rights/persons/{uid}/estimates/{created['id']}").json()
    assert body["status"] == "done"
    assert body["amounts"]["af"] == pytest.approx(0.32 * 474.37, abs=0.01)  # 2 children
    assert body["amounts"]["al"] > 0 and body["housing_aid_kind"] == "apl"
    assert body["engine_version"] == "176.1.8" and body["legislation_date"] >= "2025-04-01"
    # AF received last month (an income line) count as received: not flagged.
    assert "af" in body["received"] and "af" not in [f["code"] for f in body["flags"]]
    assert "ppa" in [f["code"] for f in body["flags"]]
    history = api.get(f"/rights/persons/{uid}/estimates").json()
    assert {e["month"] for e in history} >= {"2025-06"}
    response = api.post(f"/rights/persons/{uid}/estimates", {"month": "25-06"})
    assert response.status_code == 422


def test_flag_to_action_through_the_api(api, rights_path, commits):
    uid = rights_path.person.public_id
    put(api, uid, {"housing_status": "homeless", "received": [], "couple": "no",
                   "incomes_complete": "yes"}, commits)
    check = RightsCheck.objects.get(person=rights_path.person)
    response = api.post(f"/rights/persons/{uid}/estimates/{check.pk}/actions", {"code": "rsa"})
    assert response.status_code == 201
    assert Action.objects.get(pk=response.json()["id"]).path == rights_path
    again = api.post(f"/rights/persons/{uid}/estimates/{check.pk}/actions", {"code": "rsa"})
    assert again.status_code == 409 and again.json()["code"] == "action_exists"


def test_other_organisation_gets_404_everywhere(other_api, api, rights_path, commits):
    uid = rights_path.person.public_id
    put(api, uid, {"housing_status": "homeless"}, commits)
    check = RightsCheck.objects.get()
    for method, path, body in [
        ("get", f"/rights/persons/{uid}/situation", None),
        ("get", f"/rights/persons/{uid}/estimates", None),
        ("get", f"/rights/persons/{uid}/estimates/{check.pk}", None),
        ("post", f"/rights/persons/{uid}/estimates", {}),
        ("post", f"/rights/persons/{uid}/estimates/{check.pk}/actions", {"code": "rsa"}),
    ]:
        response = other_api.call(method, path, body)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    response = other_api.client.put(f"/api/v1/rights/persons/{uid}/situation", {},
                                    content_type="application/json", **other_api._headers())
    assert response.status_code == 404


def test_screening_run_through_the_api(api, other_api, rights_path, commits):
    uid = rights_path.person.public_id
    put(api, uid, {"housing_status": "homeless", "received": [], "couple": "no",
                   "incomes_complete": "yes"}, commits)
    with commits():
        response = api.post("/rights/screenings", {"month": "2025-06"})
    assert response.status_code == 202
    run_id = response.json()["id"]
    body = api.get(f"/rights/screenings/{run_id}").json()
    assert body["status"] == "done" and body["persons_count"] == 1
    assert body["ranked"][0]["public_id"] == uid
    assert body["ranked"][0]["flags"][0]["code"] == "rsa"
    assert other_api.get(f"/rights/screenings/{run_id}").status_code == 404


def test_rights_to_verify_and_the_origin_of_the_situation(api, rights_path, commits):
    uid = rights_path.person.public_id
    put(api, uid, {"housing_status": "hosted", "received": []}, commits)  # resources unknown
    situation = api.get(f"/rights/persons/{uid}/situation").json()
    assert situation["provenance"]["housing"]["source"] == "api"
    check = RightsCheck.objects.get(person=rights_path.person)
    body = api.get(f"/rights/persons/{uid}/estimates/{check.pk}").json()
    assert "css" not in [f["code"] for f in body["flags"]]
    css = next(v for v in body["to_verify"] if v["code"] == "css")
    assert css["due"] is True
    assert [m["code"] for m in css["missing"]] == ["couple", "incomes"]
    assert css["missing"][1]["label"].startswith("Les revenus des 12 derniers mois")
