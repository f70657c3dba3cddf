"""The caller's organisation, members (administrators only), API tokens (created by an
administrator's session, shown once, revocable at once), and how requests authenticate:
bearer tokens without CSRF, sessions with CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from passeport.core.enums import Role
from passeport.core.models import ApiToken, Membership, User

from ..factories import MembershipFactory
from .conftest import JsonApi


@pytest.fixture
def admin_api(client, admin):
    client.force_login(admin.user)
    return JsonApi(client)


@pytest.fixture
def referent_api(client, referent):
    client.force_login(referent.user)
    return JsonApi(client)


# --- authentication ------------------------------------------------------------------

def test_no_credentials_is_401(client):
    response = JsonApi(client).get("/organisations/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_unknown_token_is_401_even_for_writes(db):
    api = JsonApi(Client(enforce_csrf_checks=True), "pp_not-a-real-token")
    assert api.get("/persons").status_code == 401
    response = api.post("/persons", {"first_name": "A"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_organisation_me_with_token(api, org):
    body = api.get("/organisations/me").json()
    assert body == {"id": org.pk, "name": org.name, "kind": org.kind, "siret": org.siret,
                    "commune_insee": "29019", "commune_name": "Brest"}


def test_bearer_token_writes_need_no_csrf(org_token, person):
    api = JsonApi(Client(enforce_csrf_checks=True), org_token.raw)
    response = api.post(f"/persons/{person.public_id}/objectives", {"title": "Passer le permis"})
    assert response.status_code == 201, response.json()


def test_session_writes_need_the_csrf_token(referent, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referent.user)
    api = JsonApi(client)
    assert api.get(f"/persons/{person.public_id}").status_code == 200  # safe: no CSRF needed
    refused = api.post(f"/persons/{person.public_id}/objectives", {"title": "Passer le permis"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert not person.paths.get().objectives.exists()

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    accepted = api.post(f"/persons/{person.public_id}/objectives", {"title": "Passer le permis"},
                        HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201
    assert person.paths.get().objectives.get().title == "Passer le permis"


def test_a_bad_token_does_not_fall_back_to_the_session(referent):
    client = Client()
    client.force_login(referent.user)
    response = JsonApi(client, "pp_revoked-or-wrong").get("/organisations/me")
    assert response.status_code == 401


# --- members -------------------------------------------------------------------------

def test_members_list(api, referent, admin, other_org):
    MembershipFactory(organisation=other_org)
    body = api.get("/organisations/me/members").json()
    assert {m["id"] for m in body} == {referent.pk, admin.pk}
    rozenn = next(m for m in body if m["id"] == referent.pk)
    assert rozenn["last_name"] == "Le Bihan" and rozenn["role"] == "referent"


def test_admin_adds_a_member(admin_api, org):
    response = admin_api.post("/organisations/me/members", {
        "email": "Yann.Morvan@example.org", "first_name": "Yann", "last_name": "Morvan",
        "role": "manager", "job_title": "Conseiller"})
    assert response.status_code == 201, response.json()
    membership = Membership.objects.get(pk=response.json()["id"])
    assert membership.organisation == org and membership.role == Role.MANAGER
    assert membership.user.email == "yann.morvan@example.org"


@pytest.mark.parametrize("body,field", [
    ({"email": "pas-une-adresse", "first_name": "Yann", "last_name": "Morvan"}, "email"),
    ({"email": "y@example.org", "first_name": "", "last_name": "Morvan"}, "first_name"),
    ({"email": "y@example.org", "first_name": "Yann", "last_name": "Morvan", "role": "boss"},
     "role"),
])
def test_add_member_bad_input(admin_api, body, field):
    users = User.objects.count()
    response = admin_api.post("/organisations/me/members", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", field)
    assert User.objects.count() == users


def test_only_an_admin_session_manages_members(api, referent_api, referent):
    body = {"email": "y@example.org", "first_name": "Yann", "last_name": "Morvan"}
    for caller in (api, referent_api):
        response = caller.post("/organisations/me/members", body)
        assert response.status_code == 403 and response.json()["code"] == "admin_required"
        patch = caller.patch(f"/organisations/me/members/{referent.pk}", {"role": "admin"})
        assert patch.status_code == 403
    assert not User.objects.filter(email="y@example.org").exists()
    referent.refresh_from_db()
    assert referent.role == Role.REFERENT


def test_admin_changes_role_and_deactivates(admin_api, referent):
    response = admin_api.patch(f"/organisations/me/members/{referent.pk}", {"role": "manager"})
    assert response.status_code == 200 and response.json()["role"] == "manager"
    response = admin_api.patch(f"/organisations/me/members/{referent.pk}", {"is_active": False})
    referent.refresh_from_db()
    assert (referent.role, referent.is_active) == (Role.MANAGER, False)


def test_member_of_another_organisation_is_404(admin_api, outsider):
    response = admin_api.patch(f"/organisations/me/members/{outsider.pk}", {"role": "referent"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    outsider.refresh_from_db()
    assert outsider.role == Role.MANAGER


def test_a_person_has_no_organisation(client, person):
    from django.contrib.auth import get_user_model

    person.user = get_user_model().objects.create_user(email="elodie@example.org")
    person.save()
    client.force_login(person.user)
    response = JsonApi(client).get("/organisations/me")
    assert response.status_code == 404


# --- tokens --------------------------------------------------------------------------

def test_token_lifecycle(admin_api, client, org, person):
    created = admin_api.post("/organisations/me/tokens", {"name": "Logiciel RSA"})
    assert created.status_code == 201, created.json()
    body = created.json()
    raw = body["token"]
    stored = ApiToken.objects.get(pk=body["id"])
    assert raw.startswith("pp_") and body["prefix"] == raw[:10] == stored.prefix
    assert stored.key_hash not in created.content.decode() and stored.key_hash != raw

    listed = admin_api.get("/organisations/me/tokens").json()
    assert [t["name"] for t in listed] == ["Logiciel RSA"]
    assert "token" not in listed[0] and "key_hash" not in listed[0]
    assert stored.key_hash not in str(listed)

    token_api = JsonApi(Client(), raw)
    assert token_api.get(f"/persons/{person.public_id}").status_code == 200
    assert admin_api.delete(f"/organisations/me/tokens/{body['id']}").status_code == 204
    refused = token_api.get(f"/persons/{person.public_id}")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert token_api.get("/organisations/me").status_code == 401
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert admin_api.get("/organisations/me/tokens").json()[0]["revoked_at"] is not None


def test_token_name_is_required(admin_api):
    response = admin_api.post("/organisations/me/tokens", {"name": "  "})
    assert response.status_code == 422 and response.json()["field"] == "name"
    assert ApiToken.objects.count() == 0


def test_tokens_are_managed_by_an_admin_session_only(api, referent_api, org_token):
    for caller in (api, referent_api):
        assert caller.post("/organisations/me/tokens", {"name": "X"}).status_code == 403
        assert caller.get("/organisations/me/tokens").status_code == 403
        assert caller.delete(f"/organisations/me/tokens/{org_token.pk}").status_code == 403
    assert ApiToken.objects.count() == 1
    org_token.refresh_from_db()
    assert org_token.revoked_at is None


def test_another_organisations_token_cannot_be_revoked(admin_api, other_token):
    response = admin_api.delete(f"/organisations/me/tokens/{other_token.pk}")
    assert response.status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
