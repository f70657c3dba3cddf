"""Persons: list (page pagination, search, filters, audit, constant query count),
create (duplicates, NIR), detail and update."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passeport.core.models import AuditEvent
from passeport.paths.enums import PathStatus
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

from ..factories import ConsentFactory, PathFactory, PersonFactory
from .conftest import valid_nir

NEW_PERSON = {"first_name": "Maëlys", "last_name": "Le Goff", "birth_date": "1994-03-02",
              "commune_insee": "29232", "commune_name": "Quimper"}


def follow(org, n, **kwargs):
    persons = []
    for _ in range(n):
        p = PersonFactory(**kwargs)
        ConsentFactory(person=p, organisation=org, scope=ConsentScope.PATH)
        persons.append(p)
    return persons


# --- list ----------------------------------------------------------------------------

def test_list_shows_only_persons_whose_consent_covers_the_organisation(api, org, other_org,
                                                                       person):
    stranger = follow(other_org, 1)[0]
    rights_only = PersonFactory()
    ConsentFactory(person=rights_only, organisation=org, scope=ConsentScope.RIGHTS)
    body = api.get("/persons").json()
    ids = [item["public_id"] for item in body["items"]]
    assert ids == [person.public_id]
    assert stranger.public_id not in ids and rights_only.public_id not in ids
    item = body["items"][0]
    assert "id" not in item and item["path"]["status"] == "active"
    assert item["path"]["referent"] == "Rozenn Le Bihan"
    assert body["count"] == 1 and body["pages"] == 1


def test_list_paginates_by_page_in_name_order(api, org):
    follow(org, 7)
    first = api.get("/persons", {"page_size": 3}).json()
    third = api.get("/persons", {"page_size": 3, "page": 3}).json()
    beyond = api.get("/persons", {"page_size": 3, "page": 9}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (7, 3, 3)
    assert len(third["items"]) == 1 and beyond["items"] == []
    everyone = api.get("/persons", {"page_size": 50}).json()["items"]
    names = [(p["last_name"], p["first_name"]) for p in everyone]
    assert names == sorted(names)


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 51}, {"status": "lost"}])
def test_list_rejects_bad_parameters(api, params):
    response = api.get("/persons", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_list_searches_names_without_accents_or_case(api, org, person):
    follow(org, 3, last_name="Martin")
    body = api.get("/persons", {"q": "KEROUAC elodie"}).json()
    assert [p["public_id"] for p in body["items"]] == [person.public_id]


def test_list_filters_by_path_status(api, org, person):
    [paused] = follow(org, 1)
    PathFactory(person=paused, organisation=org, status=PathStatus.PAUSED)
    [closed] = follow(org, 1)
    PathFactory(person=closed, organisation=org, status=PathStatus.CLOSED,
                closed_on=PathFactory._meta.model._meta.get_field("opened_on").default(),
                exit_reason="employment")
    [no_path] = follow(org, 1)

    def ids(status):
        return {p["public_id"] for p in api.get("/persons", {"status": status}).json()["items"]}

    assert ids("active") == {person.public_id}
    assert ids("paused") == {paused.public_id}
    assert ids("closed") == {closed.public_id}
    assert ids("none") == {no_path.public_id}


def test_list_masks_the_nir(api, org):
    nir = valid_nir()
    [p] = follow(org, 1)
    p.set_nir(nir)
    p.save()
    response = api.get("/persons")
    assert nir not in response.content.decode()
    assert response.json()["items"][0]["nir_masked"].endswith(nir[-2:])
    assert "•" in response.json()["items"][0]["nir_masked"]


def test_list_audits_each_person_listed(api, org, org_token):
    persons = follow(org, 3)
    api.get("/persons")
    events = AuditEvent.objects.filter(action="list", object_type="person_list")
    assert {e.person_uid for e in events} == {p.public_id for p in persons}
    assert all(e.api_token_id == org_token.pk and e.channel == "api" and e.consent_id
               for e in events)


@pytest.mark.parametrize("filters", [{}, {"status": "active"}, {"q": "gall"}])
def test_list_query_count_does_not_depend_on_page_size(api, org, filters):
    for p in follow(org, 55, last_name="Le Gall"):
        PathFactory(person=p, organisation=org)
    api.get("/persons", {"page_size": 1})  # warm-up: the token's last use is recorded
    counts = {}
    for size in (5, 50):  # 50 is the largest page
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/persons", {"page_size": size, **filters})
        assert len(response.json()["items"]) == size
        counts[size] = len(ctx.captured_queries)
    assert counts[5] == counts[50], counts
    # token, count, page, consents, paths, audit insert (+ BEGIN/COMMIT outside tests)
    assert counts[50] <= 8, counts


# --- create --------------------------------------------------------------------------

def test_create_person_records_consent_and_hides_the_nir(api, org):
    nir = valid_nir()
    response = api.post("/persons", {**NEW_PERSON, "nir": nir, "scopes": ["path", "rights"],
                                     "consent_method": "written"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "id" not in body and nir not in response.content.decode()
    assert body["nir_masked"].startswith("2 90 05") and body["nir_masked"].endswith("11")
    person = Person.objects.get(public_id=body["public_id"])
    assert person.nir == nir and person.created_by_organisation == org
    assert set(Consent.objects.active().filter(person=person, organisation=org)
               .values_list("scope", flat=True)) == {"path", "rights"}
    assert api.get(f"/persons/{body['public_id']}").status_code == 200


def test_create_with_invalid_nir_stores_nothing(api):
    before = (Person.objects.count(), Consent.objects.count())
    response = api.post("/persons", {**NEW_PERSON, "nir": "290052901912300"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_nir" and response.json()["field"] == "nir"
    assert (Person.objects.count(), Consent.objects.count()) == before


@pytest.mark.parametrize("change,code,field", [
    ({"first_name": "  "}, "invalid_input", "first_name"),
    ({"birth_date": "02/03/1994"}, "invalid_input", "birth_date"),
    ({"email": "pas-une-adresse"}, "invalid_input", "email"),
    ({"postal_code": "2900"}, "invalid_input", "postal_code"),
    ({"commune_insee": "Brest"}, "invalid_input", "commune_insee"),
    ({"scopes": ["documents"]}, "path_scope_required", "scopes"),
    ({"scopes": ["everything"]}, "invalid_input", "scopes.0"),
    ({"consent_method": "in_app"}, "invalid_input", "consent_method"),
])
def test_create_rejects_bad_input(api, change, code, field):
    response = api.post("/persons", {**NEW_PERSON, **change})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Person.objects.count() == 0 and Consent.objects.count() == 0


def test_create_with_future_birth_date_is_refused(api):
    response = api.post("/persons", {**NEW_PERSON, "birth_date": "2999-01-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "future_birth_date"
    assert Person.objects.count() == 0


def test_duplicate_suspected_then_forced_or_existing_passport(api, org, other_org, org_token):
    existing = PersonFactory(first_name="Maelys", last_name="LE GOFF",
                             birth_date=NEW_PERSON["birth_date"])
    ConsentFactory(person=existing, organisation=other_org)

    response = api.post("/persons", NEW_PERSON)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_suspected"
    [candidate] = body["details"]["candidates"]
    assert candidate["public_id"] == existing.public_id and candidate["already_followed"] is False
    assert Person.objects.count() == 1 and not Consent.objects.filter(organisation=org).exists()
    # Showing the candidate is an access to their data: audited.
    assert AuditEvent.objects.filter(person_uid=existing.public_id, api_token=org_token,
                                     object_type="duplicate_candidate").exists()

    # "It is this person": the existing passport gets the consent to our organisation.
    claimed = api.post("/persons", {**NEW_PERSON, "existing_public_id": existing.public_id})
    assert claimed.status_code == 201, claimed.json()
    assert claimed.json()["public_id"] == existing.public_id and Person.objects.count() == 1
    assert api.get(f"/persons/{existing.public_id}").status_code == 200

    forced = api.post("/persons", {**NEW_PERSON, "ignore_duplicates": True})
    assert forced.status_code == 201 and Person.objects.count() == 2


def test_existing_public_id_must_be_a_suspected_duplicate(api, other_org):
    unrelated = PersonFactory(first_name="Yann", last_name="Morvan")
    ConsentFactory(person=unrelated, organisation=other_org)
    response = api.post("/persons", {**NEW_PERSON, "existing_public_id": unrelated.public_id})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Consent.objects.filter(person=unrelated).exclude(organisation=other_org).exists()


def test_same_nir_is_a_duplicate_even_when_forced(api, other_org):
    nir = valid_nir()
    existing = PersonFactory(first_name="Anne", last_name="Quéré")
    existing.set_nir(nir)
    existing.save()
    response = api.post("/persons", {**NEW_PERSON, "nir": nir})
    assert response.status_code == 409 and response.json()["code"] == "duplicate_suspected"
    forced = api.post("/persons", {**NEW_PERSON, "nir": nir, "ignore_duplicates": True})
    assert forced.status_code == 409 and forced.json()["code"] == "duplicate_nir"
    assert Person.objects.count() == 1


# --- detail and update ---------------------------------------------------------------

def test_detail_is_audited_and_shows_the_masked_nir_only(api, person, org_token):
    nir = valid_nir("1850578006084")
    person.set_nir(nir)
    person.save()
    response = api.get(f"/persons/{person.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == "Élodie" and "id" not in body
    assert nir not in response.content.decode() and body["nir_masked"]
    event = AuditEvent.objects.get(person_uid=person.public_id, action="view")
    assert event.api_token == org_token and event.consent_id is not None


def test_unknown_person_is_404(api):
    response = api.get("/persons/AAAA-BBBB-CCCC")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_patch_changes_only_the_fields_sent(api, person):
    response = api.patch(f"/persons/{person.public_id}", {"phone": "0601020304",
                                                          "nir": valid_nir()})
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert person.phone == "0601020304" and person.first_name == "Élodie"
    assert person.nir == valid_nir()
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="update").exists()


@pytest.mark.parametrize("change,status,code", [
    ({"nir": "123"}, 400, "invalid_nir"),
    ({"first_name": ""}, 422, "invalid_input"),
    ({"first_name": None}, 422, "invalid_input"),
    ({"birth_date": "2999-01-01"}, 400, "future_birth_date"),
])
def test_patch_bad_input_changes_nothing(api, person, change, status, code):
    response = api.patch(f"/persons/{person.public_id}", {"phone": "0601020304", **change})
    assert response.status_code == status
    assert response.json()["code"] == code
    person.refresh_from_db()
    assert person.phone == "" and person.first_name == "Élodie" and person.nir == ""
