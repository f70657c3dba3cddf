"""Consents (list, record for one's own organisation, withdraw: access ends at once)
and the access log (an organisation sees its own accesses; the person sees all)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from passeport.core.models import AuditEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent

from ..factories import ConsentFactory
from .conftest import JsonApi

GRANT = {"scopes": ["documents", "skills"], "method": "written",
         "purpose": "Constituer le dossier de candidature"}


@pytest.fixture
def person_api(person):
    person.user = get_user_model().objects.create_user(email="elodie@example.org")
    person.save()
    client = Client()
    client.force_login(person.user)
    return JsonApi(client)


def test_consent_list_shows_every_organisation_and_history(api, person, other_org):
    ConsentFactory(person=person, organisation=other_org, scope=ConsentScope.PATH)
    body = api.get(f"/persons/{person.public_id}/consents").json()
    assert {(c["organisation"]["name"], c["scope"]) for c in body} == {
        ("Mission locale du Pays de Brest", "path"), ("Mission locale du Pays de Brest", "rights"),
        ("PLIE de Cornouaille", "path")}
    assert all(c["is_active"] for c in body)


def test_record_consent_for_own_organisation(api, person, org):
    response = api.post(f"/persons/{person.public_id}/consents", GRANT)
    assert response.status_code == 201, response.json()
    assert {c["scope"] for c in response.json()} == {"documents", "skills"}
    assert Consent.objects.active().filter(person=person, organisation=org,
                                           scope=ConsentScope.DOCUMENTS).exists()
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="consent_grant").count() == 2


@pytest.mark.parametrize("change,status,code,field", [
    ({"scopes": []}, 422, "invalid_input", "scopes"),
    ({"scopes": ["passport"]}, 422, "invalid_input", "scopes.0"),
    ({"purpose": ""}, 422, "invalid_input", "purpose"),
    ({"method": "carrier_pigeon"}, 422, "invalid_input", "method"),
    ({"valid_from": "2030-01-10", "valid_until": "2030-01-01"}, 422, "invalid_input", None),
    ({"method": "in_app"}, 400, "invalid_method", "method"),
])
def test_record_consent_bad_input_stores_nothing(api, person, change, status, code, field):
    before = Consent.objects.count()
    response = api.post(f"/persons/{person.public_id}/consents", {**GRANT, **change})
    assert response.status_code == status
    assert (response.json()["code"], response.json().get("field")) == (code, field)
    assert Consent.objects.count() == before


def test_a_professional_records_consent_for_their_own_organisation_only(api, person, other_org):
    response = api.post(f"/persons/{person.public_id}/consents",
                        {**GRANT, "organisation_id": other_org.pk})
    assert response.status_code == 403 and response.json()["code"] == "own_organisation_only"
    assert not Consent.objects.filter(organisation=other_org).exists()


def test_the_person_gives_consent_to_another_organisation(person_api, person, other_org,
                                                         other_api):
    assert other_api.get(f"/persons/{person.public_id}").status_code == 404
    response = person_api.post(f"/persons/{person.public_id}/consents",
                               {**GRANT, "method": "in_app", "organisation_id": other_org.pk,
                                "scopes": ["path"]})
    assert response.status_code == 201, response.json()
    assert response.json()[0]["organisation"]["id"] == other_org.pk
    assert other_api.get(f"/persons/{person.public_id}").status_code == 200


def test_the_person_must_choose_an_organisation(person_api, person):
    before = Consent.objects.count()
    response = person_api.post(f"/persons/{person.public_id}/consents",
                               {**GRANT, "method": "in_app"})
    assert response.status_code == 400 and response.json()["code"] == "organisation_required"
    assert Consent.objects.count() == before


def test_withdrawn_consent_cuts_access_immediately(api, person, org):
    consent = Consent.objects.get(person=person, organisation=org, scope=ConsentScope.PATH)
    assert api.get(f"/persons/{person.public_id}/path").status_code == 200
    response = api.post(f"/consents/{consent.pk}/withdraw")
    assert response.status_code == 200 and response.json()["is_active"] is False
    for url in ("", "/path", "/events", "/consents"):
        refused = api.get(f"/persons/{person.public_id}{url}")
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert person.public_id not in str(api.get("/persons").json())


def test_the_person_withdraws_through_their_session_with_csrf(person, org, other_token):
    consent = Consent.objects.get(person=person, organisation=org, scope=ConsentScope.PATH)
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_user(email="e@example.org"))
    person.user = get_user_model().objects.get(email="e@example.org")
    person.save()
    api = JsonApi(client)
    assert api.post(f"/consents/{consent.pk}/withdraw").status_code == 403
    client.cookies["csrftoken"] = "b" * 32
    response = api.post(f"/consents/{consent.pk}/withdraw", HTTP_X_CSRFTOKEN="b" * 32)
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == person.user


def test_another_organisations_consent_cannot_be_withdrawn(api, person, other_org):
    theirs = ConsentFactory(person=person, organisation=other_org)
    response = api.post(f"/consents/{theirs.pk}/withdraw")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
    assert api.post("/consents/999999/withdraw").status_code == 404


def test_access_log_shows_only_the_callers_organisation(api, person, other_org, other_api,
                                                        org_token):
    ConsentFactory(person=person, organisation=other_org)
    other_api.get(f"/persons/{person.public_id}")  # the PLIE looks
    api.get(f"/persons/{person.public_id}")
    body = api.get(f"/persons/{person.public_id}/access-log").json()
    orgs = {e["organisation"] for e in body["items"]}
    assert orgs == {"Mission locale du Pays de Brest"}
    assert any(e["action"] == "view" and "SI de la structure" in e["actor"] for e in body["items"])
    # Reading the log is itself audited.
    assert AuditEvent.objects.filter(person_uid=person.public_id, object_type="access_log",
                                     api_token=org_token).exists()


def test_the_person_sees_every_organisations_access(api, person, other_org, other_api,
                                                    person_api):
    ConsentFactory(person=person, organisation=other_org)
    other_api.get(f"/persons/{person.public_id}")
    api.get(f"/persons/{person.public_id}")
    body = person_api.get(f"/persons/{person.public_id}/access-log").json()
    assert {e["organisation"] for e in body["items"]} >= {"Mission locale du Pays de Brest",
                                                          "PLIE de Cornouaille"}


def test_access_log_cursor_pagination(api, person, org):
    for _ in range(4):
        api.get(f"/persons/{person.public_id}")
    already = AuditEvent.objects.filter(person_uid=person.public_id, organisation=org).count()
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get(f"/persons/{person.public_id}/access-log", params).json()
        seen += [e["at"] for e in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    # The first page's own read is in the log; later reads are newer than the cursor.
    assert len(seen) == already + 1 and pages == (already + 2) // 2
    assert seen == sorted(seen, reverse=True)
    bad = api.get(f"/persons/{person.public_id}/access-log", {"cursor": "%%%"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
