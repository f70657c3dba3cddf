"""The access requests API: create (same answer whether the number exists), list and
read the organisation's requests, stable error codes, nothing half-written."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.models import AuditEvent
from passeport.people.enums import AccessRequestStatus, ConsentScope
from passeport.people.models import AccessRequest
from passeport.people.services import access_request_accept
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ"


@pytest.fixture
def elodie(person):
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    return person


def body(public_id, **extra):
    return {"public_id": public_id, "scopes": ["path", "rights"],
            "purpose": "Vous accompagner vers l'emploi", **extra}


SAME = ("status", "scopes", "purpose", "message", "requested_by", "person", "decided_at")


def test_create_answers_the_same_whether_the_number_exists(other_api, elodie, other_org):
    real = other_api.post("/access-requests", body(elodie.public_id.lower()))
    fake = other_api.post("/access-requests", body(UNKNOWN))
    assert real.status_code == fake.status_code == 201
    real, fake = real.json(), fake.json()
    assert {k: real[k] for k in SAME} == {k: fake[k] for k in SAME}
    assert real["status"] == "pending" and real["person"] is None
    assert real["public_id"] == elodie.public_id
    assert real["requested_by"] == "API « SI du PLIE » (PLIE de Cornouaille)"
    assert AuditEvent.objects.filter(object_type="access_request", action="create",
                                     channel="api", organisation=other_org).count() == 2


def test_list_and_detail_name_the_person_once_accepted(other_api, elodie, other_org):
    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    other_api.post("/access-requests", body(UNKNOWN))
    listed = other_api.get("/access-requests").json()
    assert [i["public_id"] for i in listed["items"]] == [UNKNOWN, elodie.public_id]
    assert all(i["person"] is None for i in listed["items"])
    access_request_accept(actor=Actor(user=elodie.user),
                          access_request=AccessRequest.objects.get(pk=created["id"]))
    detail = other_api.get(f"/access-requests/{created['id']}").json()
    assert detail["status"] == "accepted"
    assert detail["person"] == {"public_id": elodie.public_id, "first_name": elodie.first_name,
                                "last_name": elodie.last_name}
    accepted = other_api.get("/access-requests", {"status": "accepted"}).json()["items"]
    assert [i["id"] for i in accepted] == [created["id"]]
    # The organisation now finds her through the API.
    found = other_api.get("/persons", {"q": elodie.public_id}).json()
    assert [p["public_id"] for p in found["items"]] == [elodie.public_id]
    assert AuditEvent.objects.filter(object_type="access_request", action="list",
                                     person_uid=elodie.public_id, organisation=other_org).exists()


def test_pagination_by_cursor(other_api):
    for n in range(3):
        other_api.post("/access-requests", body(f"AAAA-AAAA-AAA{n}"))
    first = other_api.get("/access-requests", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = other_api.get("/access-requests", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [i["public_id"] for i in rest["items"]] == ["AAAA-AAAA-AAA0"]
    assert rest["next_cursor"] is None


def test_another_organisation_gets_404_and_an_empty_list(api, other_api, elodie):
    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    response = api.get(f"/access-requests/{created['id']}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get("/access-requests").json()["items"] == []
    assert api.get("/access-requests/999999").json()["code"] == "not_found"


@pytest.mark.parametrize(("payload", "status", "code", "field"), [
    (body("12"), 400, "invalid_public_id", "public_id"),
    (body(UNKNOWN, scopes=[]), 422, "invalid_input", "scopes"),
    (body(UNKNOWN, scopes=["everything"]), 422, "invalid_input", "scopes.0"),
    (body(UNKNOWN, purpose="  "), 422, "invalid_input", "purpose"),
    (body(UNKNOWN, message="x" * 1001), 422, "invalid_input", "message"),
    ({"public_id": UNKNOWN}, 422, "invalid_input", "scopes"),
])
def test_bad_input_is_a_json_error_with_a_stable_code(other_api, payload, status, code, field):
    response = other_api.post("/access-requests", payload)
    assert response.status_code == status, response.json()
    error = response.json()
    assert (error["code"], error.get("field")) == (code, field)
    assert error["message"]
    assert not AccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="access_request").exists()


def test_one_pending_request_per_number_and_throttle(other_api, settings):
    assert other_api.post("/access-requests", body(UNKNOWN)).status_code == 201
    again = other_api.post("/access-requests", body(UNKNOWN))
    assert again.status_code == 409 and again.json()["code"] == "access_request_pending"
    settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG = 1
    throttled = other_api.post("/access-requests", body("AAAA-AAAA-AAA1"))
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "access_request_throttled"
    assert AccessRequest.objects.count() == 1


def test_a_person_cannot_send_a_request(client, elodie):
    from tests.api.conftest import JsonApi

    client.force_login(elodie.user)
    session = JsonApi(client)
    csrf = client.get("/mon-passeport/").cookies.get("csrftoken")
    response = session.post("/access-requests", body(UNKNOWN),
                            HTTP_X_CSRFTOKEN=csrf.value if csrf else "")
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "forbidden"
    assert not AccessRequest.objects.exists()


def test_the_scopes_enum_is_the_consent_one(other_api):
    created = other_api.post("/access-requests", body(UNKNOWN, scopes=list(ConsentScope.values)))
    assert created.json()["scopes"] == list(ConsentScope.values)
    assert created.json()["status"] == AccessRequestStatus.PENDING


def test_cancel_a_pending_request_then_the_person_cannot_answer(api, other_api, elodie, other_org):
    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    # Another organisation cannot cancel it.
    response = api.post(f"/access-requests/{created['id']}/cancel", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert AccessRequest.objects.get().status == AccessRequestStatus.PENDING
    response = other_api.post(f"/access-requests/{created['id']}/cancel", {})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled" and response.json()["person"] is None
    assert AuditEvent.objects.filter(object_type="access_request", action="update",
                                     organisation=other_org,
                                     detail__status="cancelled").exists()
    again = other_api.post(f"/access-requests/{created['id']}/cancel", {})
    assert again.status_code == 409 and again.json()["code"] == "access_request_cancelled"
    from passeport.core.errors import Conflict

    with pytest.raises(Conflict) as exc:
        access_request_accept(actor=Actor(user=elodie.user),
                              access_request=AccessRequest.objects.get())
    assert exc.value.code == "access_request_cancelled"
    assert not elodie.consents.filter(organisation=other_org).exists()


def test_an_answered_request_cannot_be_cancelled(other_api, elodie):
    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    access_request_accept(actor=Actor(user=elodie.user),
                          access_request=AccessRequest.objects.get(pk=created["id"]))
    response = other_api.post(f"/access-requests/{created['id']}/cancel", {})
    assert response.status_code == 409 and response.json()["code"] == "access_request_decided"
    assert AccessRequest.objects.get().status == AccessRequestStatus.ACCEPTED


def test_the_parts_the_person_accepted_are_listed(other_api, elodie):
    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    assert created["granted_scopes"] == []
    access_request_accept(actor=Actor(user=elodie.user),
                          access_request=AccessRequest.objects.get(pk=created["id"]),
                          scopes=["rights"])
    detail = other_api.get(f"/access-requests/{created['id']}").json()
    assert detail["status"] == "accepted"
    assert (detail["scopes"], detail["granted_scopes"]) == (["path", "rights"], ["rights"])


def test_a_withdrawn_consent_hides_the_name_again(other_api, elodie, other_org):
    """She accepted, then closed her passport to the organisation: the list and the
    detail stop naming her, and no read of her name is recorded any more."""
    from passeport.people.models import Consent
    from passeport.people.services import consent_withdraw

    created = other_api.post("/access-requests", body(elodie.public_id)).json()
    access_request_accept(actor=Actor(user=elodie.user),
                          access_request=AccessRequest.objects.get(pk=created["id"]))
    assert other_api.get(f"/access-requests/{created['id']}").json()["person"] is not None
    for consent in Consent.objects.active().filter(person=elodie, organisation=other_org):
        consent_withdraw(actor=Actor(user=elodie.user), consent=consent)
    reads = AuditEvent.objects.filter(object_type="access_request", action="list",
                                      person_uid=elodie.public_id).count()
    detail = other_api.get(f"/access-requests/{created['id']}").json()
    assert detail["status"] == "accepted" and detail["person"] is None
    listed = other_api.get("/access-requests").json()["items"]
    assert [i["person"] for i in listed] == [None]
    assert AuditEvent.objects.filter(object_type="access_request", action="list",
                                     person_uid=elodie.public_id).count() == reads
