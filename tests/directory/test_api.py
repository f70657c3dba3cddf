"""The directory API: search, communes, an organisation's own offer, import/export and
orientations with their transitions — JSON errors with stable codes, nothing stored on
error, 404 for another organisation."""

from __future__ import annotations

import json

import pytest
from data_inclusion.schema.v1 import Service as DiService
from data_inclusion.schema.v1 import Structure as DiStructure
from django.core.files.uploadedfile import SimpleUploadedFile

from passeport.core.actor import Actor
from passeport.core.services import api_token_create
from passeport.directory.models import Orientation, Service, Structure
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from .helpers import di_service, di_structure, make_service

BASE = "/api/v1/directory"


class Api:
    def __init__(self, client, organisation):
        _token, self.raw = api_token_create(actor=Actor.system(), organisation=organisation,
                                            name="SI")
        self.client = client

    def _h(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"}

    def get(self, path, params=None):
        return self.client.get(BASE + path, params or {}, **self._h())

    def post(self, path, body=None):
        return self.client.post(BASE + path, body or {}, content_type="application/json",
                                **self._h())

    def patch(self, path, body=None):
        return self.client.patch(BASE + path, body or {}, content_type="application/json",
                                 **self._h())

    def delete(self, path):
        return self.client.delete(BASE + path, **self._h())

    def upload(self, path, name, content: bytes):
        return self.client.post(BASE + path, {"file": SimpleUploadedFile(name, content)},
                                **self._h())


@pytest.fixture
def api(client, org):
    return Api(client, org)


@pytest.fixture
def partner_api(client, partner_org):
    return Api(client, partner_org)


@pytest.fixture
def other_api(client, other_org):
    return Api(client, other_org)


@pytest.fixture
def person(followed_path):
    return followed_path.person


def orientation_body(person, service, **over):
    body = {"person_id": person.public_id, "service_id": service.pk,
            "message": "Besoin d'une voiture.", "scopes": ["path"], "consent_method": "oral",
            "person_agreed": True}
    body.update(over)
    return body


def test_communes(api):
    body = api.get("/communes", {"q": "quimperle"}).json()
    assert body[0]["name"] == "Quimperlé" and body[0]["postal_codes"] == ["29300"]
    assert api.get("/communes/29019").json()["name"] == "Brest"
    assert api.get("/communes/99999").json()["code"] == "not_found"


def test_search_within_a_radius(api, partner_service):
    make_service(partner_service.structure, nom="Garage de Rennes",
                 thematiques=["mobilite--acceder-a-un-vehicule"], code_insee="35238")
    body = api.get("/services", {"thematique": "mobilite", "commune": "Brest (29200)",
                                 "radius_km": 30}).json()
    assert body["count"] == 1 and body["commune"]["code_insee"] == "29019"
    item = body["items"][0]
    assert item["data"]["nom"] == "Location de voitures à 2 € par jour"
    assert item["distance_km"] == pytest.approx(18.6, abs=0.1) and item["orientable"]
    DiService.model_validate(item["data"])
    assert api.get("/services", {"commune": "Zzyzx"}).json()["code"] == "unknown_commune"
    bad = api.get("/services", {"thematique": "teleportation"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_own_offer_crud(api, org, partner_service):
    created = api.post("/offer/structures", {"nom": "Mission locale de Brest",
                                             "commune": "Brest", "code_postal": "29200"})
    assert created.status_code == 201, created.json()
    structure = created.json()
    assert structure["data"]["code_insee"] == "29019" and structure["data"]["source"] == "passeport"

    bad = api.post("/offer/services", {"structure_id": structure["id"], "nom": "Atelier.",
                                       "description": "x", "publics": ["tous-publics", "jeunes"]})
    assert bad.status_code == 422
    assert (bad.json()["code"], bad.json()["field"]) == ("invalid_record", "description")
    assert {e["field"] for e in bad.json()["details"]["errors"]} == {"description", "publics"}
    assert Service.objects.filter(structure__organisation=org).count() == 0
    foreign = api.post("/offer/services", {"structure_id": partner_service.structure_id,
                                           "nom": "Pas à nous", "description": "Pas à nous."})
    assert foreign.json()["code"] == "not_your_structure"

    service = api.post("/offer/services", {
        "structure_id": structure["id"], "nom": "Atelier CV", "description": "Faire son CV.",
        "thematiques": ["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
        "publics": ["jeunes"], "modes_accueil": ["en-presentiel"]}).json()
    assert service["data"]["structure_id"] == structure["data"]["id"]
    patched = api.patch(f"/offer/services/{service['id']}", {"nom": "Atelier CV du mardi"})
    assert patched.json()["data"]["nom"] == "Atelier CV du mardi"
    assert patched.json()["data"]["publics"] == ["jeunes"]  # unchanged
    hidden = api.patch(f"/offer/services/{service['id']}", {"is_published": False}).json()
    assert hidden["is_published"] is False
    assert api.get("/services", {"q": "atelier cv"}).json()["count"] == 0
    assert [s["id"] for s in api.get("/offer/services").json()] == [service["id"]]
    # Another organisation's services cannot be changed.
    assert api.patch(f"/offer/services/{partner_service.pk}", {"nom": "Piraté"}
                     ).status_code == 404
    assert api.delete(f"/offer/services/{service['id']}").status_code == 204
    assert api.delete(f"/offer/structures/{structure['id']}").status_code == 204
    assert not Structure.objects.filter(organisation=org).exists()


def test_import_and_export(api):
    content = json.dumps({"structures": [di_structure()],
                          "services": [di_service(), di_service(id="dora--2", nom="x")]})
    body = api.upload("/import", "offre.json", content.encode()).json()
    assert body["services"]["created"] == 1 and body["skipped"] == 1
    assert body["errors"][0]["reasons"] == ["nom : trop court (3 caractères au moins)"]
    again = api.upload("/import", "offre.json", content.encode()).json()
    assert again["services"]["unchanged"] == 1 and Service.objects.count() == 1

    services = api.get("/export/services").json()
    structures = api.get("/export/structures", {"source": "dora"}).json()
    assert [DiService.model_validate(s).id for s in services] == ["dora--sv1"]
    assert [DiStructure.model_validate(s).id for s in structures] == ["dora--s1"]
    csv_text = api.get("/export/services", {"format": "csv"}).content.decode()
    assert csv_text.splitlines()[0].startswith("source,structure_id,id,nom")


def test_orientation_and_its_transitions(api, partner_api, other_api, person, partner_service,
                                         partner_org):
    refused = api.post("/orientations", orientation_body(person, partner_service,
                                                         person_agreed=False))
    assert refused.status_code == 400 and refused.json()["code"] == "person_agreement_required"
    assert Orientation.objects.count() == 0

    created = api.post("/orientations", orientation_body(person, partner_service))
    assert created.status_code == 201, created.json()
    orientation = created.json()
    assert orientation["status"] == "sent" and orientation["allowed_actions"] == ["cancel"]
    assert active_consent(person, partner_org.pk, ConsentScope.PATH) is not None
    oid = orientation["id"]

    inbox = partner_api.get("/orientations").json()
    assert [o["id"] for o in inbox["items"]] == [oid]
    assert inbox["items"][0]["allowed_actions"] == ["accept", "refuse", "request_info"]
    assert api.get("/orientations", {"box": "sent"}).json()["count"] == 1

    wrong_side = api.post(f"/orientations/{oid}/accept", {})
    assert wrong_side.status_code == 403 and wrong_side.json()["code"] == "not_your_side"
    asked = partner_api.post(f"/orientations/{oid}/request-info", {"message": "Permis ?"})
    assert asked.json()["status"] == "info_requested"
    api.post(f"/orientations/{oid}/provide-info", {"message": "Oui."})
    accepted = partner_api.post(f"/orientations/{oid}/accept", {"comment": "Lundi 10 h"}).json()
    assert accepted["status"] == "accepted"
    assert [e["action"] for e in accepted["events"]] == [
        "send", "request_info", "provide_info", "accept"]

    illegal = partner_api.post(f"/orientations/{oid}/refuse", {"reason": "no_capacity"})
    assert illegal.status_code == 409
    body = illegal.json()
    assert body["code"] == "invalid_transition" and "Acceptée" in body["message"]
    assert Orientation.objects.get().status == "accepted"
    bad_reason = partner_api.post(f"/orientations/{oid}/refuse", {"reason": "because"})
    assert bad_reason.status_code == 422


@pytest.mark.parametrize("method,path,body", [
    ("get", "/orientations/{id}", None),
    ("post", "/orientations/{id}/accept", {}),
    ("post", "/orientations/{id}/refuse", {"reason": "no_capacity"}),
    ("post", "/orientations/{id}/request-info", {"message": "?"}),
    ("post", "/orientations/{id}/provide-info", {"message": "!"}),
    ("post", "/orientations/{id}/cancel", {}),
])
def test_another_organisation_gets_404(api, other_api, person, partner_service, method, path,
                                       body):
    oid = api.post("/orientations", orientation_body(person, partner_service)).json()["id"]
    url = path.format(id=oid)
    response = other_api.get(url) if method == "get" else other_api.post(url, body)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Orientation.objects.get().status == "sent"


def test_another_organisation_cannot_orient_a_person_it_does_not_follow(other_api, person,
                                                                        partner_service):
    response = other_api.post("/orientations", orientation_body(person, partner_service))
    assert response.status_code == 404
    assert other_api.get("/orientations", {"person": person.public_id}).status_code == 404
    assert Orientation.objects.count() == 0


def test_the_partner_reads_only_the_shared_scopes(api, partner_api, person, partner_service):
    api.post("/orientations", orientation_body(person, partner_service, scopes=["rights"]))
    assert partner_api.client.get(f"/api/v1/persons/{person.public_id}/path",
                                  HTTP_AUTHORIZATION=f"Bearer {partner_api.raw}"
                                  ).status_code == 404
    item = partner_api.get("/orientations").json()["items"][0]
    assert item["shared_scopes"] == ["rights"]
    assert item["person"] == {"public_id": person.public_id, "first_name": "Élodie",
                              "last_name": "Kerouac"}
