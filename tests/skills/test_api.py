"""The skills API: grids, evaluations, badge classes, awards, revocation, and public
verification; JSON errors with stable codes; another organisation gets 404."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.services import api_token_create
from tests.api.conftest import JsonApi

from . import independent


def _api(client, org) -> JsonApi:
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    return JsonApi(client, raw)


@pytest.fixture
def api(client, org):
    return _api(client, org)


def test_grids(api):
    grids = {g["code"]: g for g in api.get("/skills/grids").json()}
    assert len(grids["digcomp-2-2"]["items"]) == 21
    assert api.get("/skills/grids/transversal").json()["items"][0]["descriptors"]["1"]


def test_evaluations_round_trip_and_errors(api, learner):
    url = f"/skills/persons/{learner.public_id}/evaluations"
    created = api.post(url, {"grid": "transversal", "scores": {"T1": 2, "T3": 4}, "comment": "Vu en atelier",
                             "evaluated_on": "2026-02-01", "source": "employer"})
    assert created.status_code == 400 and created.json()["code"] == "employer_required"
    created = api.post(url, {"grid": "transversal", "scores": {"T1": 2, "T3": 4}, "comment": "Vu en atelier",
                             "evaluated_on": "2026-02-01", "source": "employer",
                             "employer_name": "Boulangerie Le Fournil"})
    assert created.status_code == 201, created.json()
    assert created.json()["evaluator"].startswith("Boulangerie Le Fournil (saisi par ")
    listed = api.get(url).json()
    assert listed[0]["source"] == "employer" and {s["item"]: s["level"] for s in listed[0]["scores"]} == {"T1": 2, "T3": 4}
    bad = api.post(url, {"grid": "transversal", "scores": {"T1": 9}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_level"
    assert api.post(url, {"grid": "nope", "scores": {"T1": 1}}).json()["code"] == "unknown_grid"
    assert api.post(url, {"grid": "transversal", "scores": {"ZZ": 1}}).json()["code"] == "unknown_item"
    assert api.post(url, {"grid": "transversal"}).status_code == 422
    assert len(api.get(url).json()) == 1  # nothing half-written


def test_badge_award_verify_revoke(api, client, learner):
    created = api.post("/skills/badge-classes", {
        "name": "Vente en magasin", "description": "Conseiller un client", "criteria": "Immersion PMSMP",
        "alignments": [{"framework": "ROME 4.0", "code": "D1214", "name": "Vente en habillement"}]})
    assert created.status_code == 201
    uid = created.json()["uid"]
    assert api.post("/skills/badge-classes", {"name": "", "description": "d", "criteria": "c"}).json()["code"] == "required"
    awarded = api.post(f"/skills/persons/{learner.public_id}/awards", {"badge_class": uid, "evidence": "Vu"})
    assert awarded.status_code == 201
    body = awarded.json()
    assert body["credential"]["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] == "D1214"
    anonymous = JsonApi(client)
    assert anonymous.get(f"/skills/verify/{body['uid']}").json()["state"] == "valid"
    checked = anonymous.post("/skills/verify", body["credential"])
    assert checked.json().get("state") == "valid", checked.json()
    tampered = dict(body["credential"], validFrom="2020-01-01T00:00:00Z")
    assert anonymous.post("/skills/verify", tampered).json()["state"] == "invalid"
    revoked = api.post(f"/skills/awards/{body['uid']}/revoke", {"reason": "Erreur"})
    assert revoked.status_code == 200
    assert api.post(f"/skills/awards/{body['uid']}/revoke", {"reason": "x"}).json()["code"] == "already_revoked"
    assert anonymous.get(f"/skills/verify/{body['uid']}").json()["state"] == "revoked"
    assert api.get(f"/skills/persons/{learner.public_id}/awards").json()[0]["revoked_at"]


def test_other_organisation_gets_404(client, other_org, learner, award):
    other = _api(client, other_org)
    for path in (f"/skills/persons/{learner.public_id}/evaluations",
                 f"/skills/persons/{learner.public_id}/awards"):
        response = other.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert other.post(f"/skills/awards/{award.uid}/revoke", {"reason": "x"}).status_code == 404


def test_credential_from_the_api_verifies_independently(api, award):
    credential = api.get(f"/skills/persons/{award.person.public_id}/awards").json()[0]["credential"]
    from passeport.skills.models import IssuerKey

    key = independent.public_key(IssuerKey.objects.get(issuer__organisation=award.organisation).public_key_multibase)
    assert independent.verify(credential, key)


def test_an_organisation_adds_a_rome_grid_and_evaluates_with_it(api, client, other_org, learner):
    created = api.post("/skills/grids", {
        "name": "Agent d'entretien", "kind": "technical", "rome_code": "k2204",
        "rome_label": "Nettoyage de locaux",
        "items": [{"code": "S1", "label": "Utiliser les produits de nettoyage", "rome_code": "123456",
                   "descriptors": {"1": "Avec aide", "4": "Forme un collègue"}},
                  {"code": "S2", "label": "Trier les déchets"}]})
    assert created.status_code == 201, created.json()
    grid = created.json()
    assert grid["rome_code"] == "K2204" and grid["items"][0]["rome_code"] == "123456"
    done = api.post(f"/skills/persons/{learner.public_id}/evaluations", {"grid": grid["code"], "scores": {"S1": 4}})
    assert done.status_code == 201
    # Another organisation neither sees nor uses this grid.
    other = _api(client, other_org)
    assert grid["code"] not in {g["code"] for g in other.get("/skills/grids").json()}
    assert other.get(f"/skills/grids/{grid['code']}").status_code == 404
    duplicate = api.post("/skills/grids", {"name": "x", "kind": "technical",
                                           "items": [{"code": "A", "label": "a"}, {"code": "A", "label": "b"}]})
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "invalid_item"
    assert api.post("/skills/grids", {"name": "x", "kind": "technical", "items": []}).json()["code"] == "no_item"
