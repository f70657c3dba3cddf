"""The jobs API over real HTTP handling: autocomplete, offers, matching with consent,
proposals and answers, immersions; JSON errors with stable codes."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.services import api_token_create
from passeport.jobs.models import Application, JobOffer

from ..api.conftest import JsonApi
from .conftest import AIDE_A_DOMICILE


@pytest.fixture
def ref_api(client, org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI mission locale")
    return JsonApi(client, raw)


@pytest.fixture
def other_api(client, other_org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=other_org, name="SI du PLIE")
    return JsonApi(client, raw)


def put(api, path, body):
    return api.client.put("/api/v1" + path, body, content_type="application/json", **api._headers())


@pytest.fixture
def emp_api(client, employer_org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=employer_org, name="SI employeur")
    return JsonApi(client, raw)


OFFER = {"appellation": AIDE_A_DOMICILE, "contract_type": "cdd", "hours_per_week": 24, "commune": "29019"}


def test_autocomplete(ref_api):
    r = ref_api.get("/jobs/appellations", {"q": "aide a domicile"})
    assert r.status_code == 200
    assert {"code_ogr": AIDE_A_DOMICILE, "label": "Aide à domicile", "code_rome": "K1304",
            "fiche": "Employé familial / Employée familiale"} in r.json()


def test_offer_create_with_prefilled_skills_and_errors(emp_api, ref_api):
    r = emp_api.post("/jobs/offers", OFFER)
    assert r.status_code == 201, r.json()
    assert r.json()["skills_required"] and r.json()["code_rome"] == "K1304"
    assert emp_api.post("/jobs/offers", {**OFFER, "appellation": 1}).json()["code"] == "invalid_appellation"
    r = emp_api.post("/jobs/offers", {**OFFER, "hours_per_week": 70})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input" and r.json()["field"] == "hours_per_week"
    assert emp_api.post("/jobs/offers", {**OFFER, "commune": "99999"}).json()["code"] == "invalid_commune"
    r = ref_api.post("/jobs/offers", OFFER)
    assert r.status_code == 403 and r.json()["code"] == "not_an_employer"
    assert JobOffer.objects.count() == 1


def test_matching_and_proposal_through_the_api(ref_api, emp_api, other_api, jobs_person):
    offer_id = emp_api.post("/jobs/offers", OFFER).json()["id"]
    pid = jobs_person.public_id
    r = put(ref_api, f"/jobs/persons/{pid}/profile", {"commune": "29019",
                                                      "target_appellations": [AIDE_A_DOMICILE]})
    assert r.status_code == 200, r.json()
    r = ref_api.get(f"/jobs/persons/{pid}/offers")
    assert r.status_code == 200
    first = r.json()["results"][0]
    assert first["offer"]["id"] == offer_id
    assert "C'est un métier que la personne recherche." in first["explanation"]["sentences"]
    # another organisation, and the employer before the proposal: 404, as if it did not exist
    assert other_api.get(f"/jobs/persons/{pid}/offers").json()["code"] == "not_found"
    assert emp_api.get(f"/jobs/offers/{offer_id}/candidates").json() == []
    r = ref_api.post(f"/jobs/offers/{offer_id}/applications",
                     {"public_id": pid, "consent_method": "oral", "person_agreed": False})
    assert r.status_code == 400 and r.json()["code"] == "person_agreement_required"
    r = ref_api.post(f"/jobs/offers/{offer_id}/applications",
                     {"public_id": pid, "consent_method": "oral", "person_agreed": True})
    assert r.status_code == 201
    app_id = r.json()["id"]
    assert [c["public_id"] for c in emp_api.get(f"/jobs/offers/{offer_id}/candidates").json()] == [pid]
    assert ref_api.post(f"/jobs/applications/{app_id}/answer", {"status": "hired"}).json()["code"] == "not_your_side"
    r = emp_api.post(f"/jobs/applications/{app_id}/answer", {"status": "refused"})
    assert r.status_code == 400 and r.json()["code"] == "refusal_reason_required"
    r = emp_api.post(f"/jobs/applications/{app_id}/answer", {"status": "refused", "refusal_reason": "skills"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert other_api.post(f"/jobs/applications/{app_id}/answer", {"status": "hired"}).status_code == 404
    assert Application.objects.get().refusal_reason == "skills"


def test_employer_profile_and_contacts(emp_api, ref_api, client):
    r = put(emp_api, "/jobs/employer", {"inclusive_kind": "ea", "commune": "29019", "description": "EA"})
    assert r.status_code == 200 and r.json()["inclusive"] and r.json()["inclusive_kind"] == "ea"
    r = emp_api.post("/jobs/employer/contacts", {"name": "Gwen Morvan", "role": "Gérante"})
    assert r.status_code == 201 and r.json()["contacts"] == [
        {"name": "Gwen Morvan", "role": "Gérante", "email": "", "phone": ""}]
    r = put(ref_api, "/jobs/employer", {"inclusive_kind": "geiq"})
    assert r.status_code == 403 and r.json()["code"] == "not_an_employer"
    assert put(emp_api, "/jobs/employer", {"inclusive_kind": "x"}).json()["code"] == "invalid_input"
