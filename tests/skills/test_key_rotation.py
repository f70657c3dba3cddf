"""Issuer key rotation: credentials issued before a rotation (or before the migration to
several keys) still verify, through our verifier and the independent one from the
published files; new credentials and the status list use the new key; the JWKS lists
current and retired RSA keys; a compromised key makes what it signed invalid whatever
its dates; only the organisation's administrators rotate (pages, API, command)."""

from __future__ import annotations

import html

import pytest
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.errors import Conflict, Forbidden, NotFound
from passeport.core.models import AuditEvent
from passeport.skills import credentials as cr
from passeport.skills.models import IssuerKey, StatusList
from passeport.skills.openbadges import statuslist
from passeport.skills.openbadges.loader import canonize, expected_quads
from passeport.skills.openbadges.schema import schema_errors
from passeport.skills.selectors import credential_verify, credential_verify_jwt
from passeport.skills.services import (
    award_revoke,
    badge_award,
    issuer_ensure,
    issuer_key_compromise,
    issuer_key_rotate,
)
from tests.api.conftest import JsonApi
from tests.factories import MembershipFactory

from . import independent


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _independently_valid(client, credential) -> bool:
    """What an outside verifier does: the key from the URL the proof names, bound to the
    issuer (controller), then the signature checked with pyld + cryptography only."""
    method = credential["proof"][0]["verificationMethod"]
    key = client.get(_path(method)).json()
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    assert key["id"] == method and key["type"] == "Multikey" and key["controller"] == issuer
    if key.get("revoked"):
        return False
    return independent.verify(credential, independent.public_key(key["publicKeyMultibase"]))


@pytest.fixture
def key_admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN)


@pytest.fixture
def admin_actor(key_admin):
    return Actor(user=key_admin.user, membership=key_admin)


def _again(actor, learner, badge_class):
    return badge_award(actor=actor, badge_class_uid=badge_class.uid, person_public_id=learner.public_id)


def test_rotation_keeps_old_credentials_valid_and_signs_new_ones_with_the_new_key(
        client, actor, admin_actor, org, learner, badge_class, award):
    old_method = award.credential["proof"][0]["verificationMethod"]
    assert old_method.endswith("/cle")
    new_key = issuer_key_rotate(actor=admin_actor, organisation=org, reason="Renouvellement")
    assert new_key.number == 2 and new_key.is_current
    assert IssuerKey.objects.get(issuer__organisation=org, number=1).retired_at is not None

    assert credential_verify(award.credential).state == "valid"
    assert _independently_valid(client, client.get(f"/badges/credentials/{award.uid}").json())

    fresh = _again(actor, learner, badge_class)
    method = fresh.credential["proof"][0]["verificationMethod"]
    assert method == cr.key_url(new_key) and method.endswith("/cles/2")
    assert schema_errors(fresh.credential) == []
    assert credential_verify(fresh.credential).state == "valid"
    assert _independently_valid(client, fresh.credential)
    # The old key cannot verify the new credential, nor the new key the old one.
    old_raw = independent.public_key(client.get(_path(old_method)).json()["publicKeyMultibase"])
    assert not independent.verify(fresh.credential, old_raw)

    profile = client.get(_path(fresh.credential["issuer"]["id"])).json()
    assert [k["id"] for k in profile["verificationMethod"]] == [method, old_method]
    assert profile["assertionMethod"] == [method, old_method]
    assert all(k["controller"] == profile["id"] for k in profile["verificationMethod"])
    # The list of keys is JSON-LD that loses no term (pyld would silently drop undefined ones).
    assert len([q for q in canonize(profile).splitlines() if q]) == expected_quads(profile)
    assert client.get(f"/badges/emetteurs/{org.badge_issuer.uid}/cles/1").status_code == 404
    assert client.get(f"/badges/emetteurs/{org.badge_issuer.uid}/cles/9").status_code == 404
    assert client.get(f"/badges/emetteurs/{org.badge_issuer.uid}/cles/99999999999999999999").status_code == 404
    huge = {**fresh.credential, "proof": [{**fresh.credential["proof"][0], "verificationMethod": method[:-1] + "99999999999999999999"}]}
    assert credential_verify(huge).state == "invalid"

    event = AuditEvent.objects.get(object_type="badge_issuer_key")
    assert event.actor == admin_actor.user and event.detail["retired"] == 1 and event.detail["current"] == 2


def test_status_list_is_resigned_with_the_current_key_and_still_verifies(
        client, actor, admin_actor, org, award):
    issuer_key_rotate(actor=admin_actor, organisation=org)
    status = client.get(_path(award.credential["credentialStatus"]["statusListCredential"])).json()
    assert status["proof"][0]["verificationMethod"].endswith("/cles/2")
    assert _independently_valid(client, status)
    award_revoke(actor=actor, award_uid=award.uid, reason="Erreur")
    status = client.get(_path(award.credential["credentialStatus"]["statusListCredential"])).json()
    assert _independently_valid(client, status)
    bits = statuslist.decode(status["credentialSubject"]["encodedList"])
    assert statuslist.get_bit(bits, award.status_index)
    assert credential_verify(award.credential).state == "revoked"


def test_jwks_lists_current_and_retired_rsa_keys(client, admin_actor, org, award):
    before = client.get(f"/badges/credentials/{award.uid}.jwt").content.decode()
    issuer_key_rotate(actor=admin_actor, organisation=org)
    after = client.get(f"/badges/credentials/{award.uid}.jwt").content.decode()
    jwks = client.get(f"/badges/emetteurs/{org.badge_issuer.uid}/jwks").json()
    kids = [k["kid"] for k in jwks["keys"]]
    assert len(kids) == 2 and len(set(kids)) == 2
    keys = KeySet.import_key_set(jwks)
    for token in (before, after):
        decoded = jwt.decode(token, keys, algorithms=["RS256"])
        assert decoded.claims["jti"] == award.credential["id"]
        assert credential_verify_jwt(token).state == "valid"
    assert jwt.decode(before, keys).header["kid"] != jwt.decode(after, keys).header["kid"]


def test_a_compromised_key_makes_what_it_signed_invalid_whatever_the_dates(
        client, actor, admin_actor, org, learner, badge_class, award):
    old_jwt = client.get(f"/badges/credentials/{award.uid}.jwt").content.decode()
    issuer_key_rotate(actor=admin_actor, organisation=org)
    fresh = _again(actor, learner, badge_class)
    issuer_key_compromise(actor=admin_actor, organisation=org, number=1, reason="Sauvegarde volée")

    result = credential_verify(award.credential)
    assert result.state == "invalid"
    assert any(c == "key_status" and not ok and d.startswith("key_compromised:") for c, ok, d in result.checks)
    assert not _independently_valid(client, award.credential)  # the Multikey says `revoked`
    assert credential_verify(fresh.credential).state == "valid"
    assert _independently_valid(client, fresh.credential)

    body = client.get(f"/badges/verifier/{award.uid}.json").json()
    assert body["state"] == "invalid" and any(c["check"] == "key_status" for c in body["checks"])
    page = html.unescape(client.get(f"/badges/verifier/{award.uid}/").content.decode())
    assert "déclaré compromise la clé qui a signé ce badge" in page

    profile = client.get(f"/badges/emetteurs/{org.badge_issuer.uid}").json()
    assert profile["assertionMethod"] == [cr.key_url(IssuerKey.objects.get(number=2))]
    assert len(profile["verificationMethod"]) == 2  # still published, marked revoked
    jwks = client.get(f"/badges/emetteurs/{org.badge_issuer.uid}/jwks").json()
    assert [k["kid"] for k in jwks["keys"]] == [f"{org.badge_issuer.uid}-rs256-2"]
    jwt_result = credential_verify_jwt(old_jwt)
    assert jwt_result.state == "invalid" and jwt_result.checks[-1][2].startswith("key_compromised:")
    with pytest.raises(Conflict):
        issuer_key_compromise(actor=admin_actor, organisation=org, number=1, reason="encore")


def test_compromising_the_current_key_replaces_it_and_resigns_the_status_list(
        client, actor, admin_actor, org, learner, badge_class, award):
    key = issuer_key_compromise(actor=admin_actor, organisation=org, number=1, reason="Fuite")
    assert key.number == 1 and key.is_compromised and key.retired_at is not None
    current = IssuerKey.objects.current().get(issuer__organisation=org)
    assert current.number == 2
    status = StatusList.objects.get(issuer__organisation=org).credential
    assert status["proof"][0]["verificationMethod"] == cr.key_url(current)
    assert _independently_valid(client, status)
    assert credential_verify(award.credential).state == "invalid"
    assert credential_verify(_again(actor, learner, badge_class).credential).state == "valid"
    event = AuditEvent.objects.get(object_type="badge_issuer_key")
    assert event.detail["compromised"] is True and event.detail["current"] == 2


def test_only_administrators_of_the_organisation_manage_its_keys(
        actor, admin_actor, org, other_org, award):
    with pytest.raises(Forbidden):
        issuer_key_rotate(actor=actor, organisation=org)  # a référent
    outsider_admin = MembershipFactory(organisation=other_org, role=Role.ADMIN)
    outsider = Actor(user=outsider_admin.user, membership=outsider_admin)
    with pytest.raises(Forbidden):
        issuer_key_rotate(actor=outsider, organisation=org)
    with pytest.raises(Forbidden):
        issuer_key_compromise(actor=outsider, organisation=org, number=1, reason="x")
    with pytest.raises(NotFound):
        issuer_key_compromise(actor=outsider, organisation=other_org, number=2, reason="x")
    assert IssuerKey.objects.current().get(issuer__organisation=org).number == 1
    assert not AuditEvent.objects.filter(object_type="badge_issuer_key").exists()


def test_pages_rotate_and_declare_compromise_with_confirmation(client, key_admin, referent, org, award):
    client.force_login(key_admin.user)
    page = html.unescape(client.get("/pro/badges/").content.decode())
    assert "Changer la clé de signature" in page and "Déclarer la clé compromise" in page
    unconfirmed = client.post("/pro/badges/cles/rotation/", {"reason": "Politique"})
    assert unconfirmed.status_code == 400 and "Cochez cette case" in html.unescape(unconfirmed.content.decode())
    assert IssuerKey.objects.filter(issuer__organisation=org).count() == 1
    assert client.post("/pro/badges/cles/rotation/", {"reason": "Politique", "confirmed": "on"}).status_code == 302
    assert IssuerKey.objects.current().get(issuer__organisation=org).number == 2
    page = html.unescape(client.get("/pro/badges/").content.decode())
    assert "Retirée" in page and "Actuelle" in page and "/cles/2" in page
    assert client.post("/pro/badges/cles/compromission/", {"number": "1", "reason": "Vol"}).status_code == 400
    done = client.post("/pro/badges/cles/compromission/", {"number": "1", "reason": "Vol", "confirmed": "on"})
    assert done.status_code == 302
    assert IssuerKey.objects.get(issuer__organisation=org, number=1).is_compromised
    assert "Compromise" in html.unescape(client.get("/pro/badges/").content.decode())

    client.force_login(referent.user)  # not an administrator
    page = html.unescape(client.get("/pro/badges/").content.decode())
    assert "Seuls les administrateurs" in page and 'action="/pro/badges/cles/rotation/"' not in page
    assert client.post("/pro/badges/cles/rotation/", {"confirmed": "on"}).status_code == 403
    assert client.post("/pro/badges/cles/compromission/", {"number": "2", "reason": "x",
                                                           "confirmed": "on"}).status_code == 403
    assert IssuerKey.objects.current().get(issuer__organisation=org).number == 2


def test_other_organisation_cannot_reach_our_keys_from_its_pages(client, org, other_org, award):
    outsider_admin = MembershipFactory(organisation=other_org, role=Role.ADMIN)
    client.force_login(outsider_admin.user)
    issuer_ensure(other_org)
    # Its forms only name its own keys: our key 2 does not exist for it, nothing changes.
    issuer_key_rotate(actor=Actor.system(), organisation=org)
    response = client.post("/pro/badges/cles/compromission/", {"number": "2", "reason": "x", "confirmed": "on"})
    assert response.status_code == 400
    assert not IssuerKey.objects.filter(issuer__organisation=org, compromised_at__isnull=False).exists()
    client.post("/pro/badges/cles/rotation/", {"confirmed": "on"})
    assert IssuerKey.objects.current().get(issuer__organisation=org).number == 2
    assert IssuerKey.objects.current().get(issuer__organisation=other_org).number == 2


def test_api_rotation_and_compromise(client, key_admin, referent, org, other_org, award):
    api = JsonApi(client)
    client.force_login(key_admin.user)
    listed = api.get("/skills/issuer/keys").json()
    assert [(k["number"], k["state"]) for k in listed] == [(1, "current")]
    rotated = api.post("/skills/issuer/keys/rotate", {"reason": "Politique"})
    assert rotated.status_code == 201, rotated.json()
    assert rotated.json()["number"] == 2 and rotated.json()["url"].endswith("/cles/2")
    assert rotated.json()["jwt_kid"].endswith("-rs256-2")
    assert api.post("/skills/issuer/keys/9/compromise", {"reason": "x"}).status_code == 404
    bad = api.post("/skills/issuer/keys/1/compromise", {"reason": " "})
    assert bad.status_code == 400 and bad.json()["code"] == "required"
    done = api.post("/skills/issuer/keys/1/compromise", {"reason": "Vol"})
    assert done.status_code == 200 and done.json()["state"] == "compromised"
    assert api.post("/skills/issuer/keys/1/compromise", {"reason": "Vol"}).json()["code"] == "already_compromised"
    assert JsonApi(client).get(f"/skills/verify/{award.uid}").json()["state"] == "invalid"

    client.force_login(referent.user)
    denied = api.post("/skills/issuer/keys/rotate", {})
    assert denied.status_code == 403 and denied.json()["code"] == "admin_required"

    outsider_admin = MembershipFactory(organisation=other_org, role=Role.ADMIN)
    client.force_login(outsider_admin.user)
    assert api.post("/skills/issuer/keys/2/compromise", {"reason": "x"}).status_code == 404
    assert IssuerKey.objects.current().get(issuer__organisation=org).number == 2

    from passeport.core.services import api_token_create

    client.logout()
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    with_token = JsonApi(client, raw)
    assert with_token.post("/skills/issuer/keys/rotate", {}).status_code == 403
    assert len(with_token.get("/skills/issuer/keys").json()) == 2


def test_management_command(org, award, capsys):
    call_command("badges_issuer_key", str(org.pk), "--rotate", "--reason", "Politique")
    assert "Nouvelle clé n° 2" in capsys.readouterr().out
    call_command("badges_issuer_key", str(org.pk), "--compromised", "1", "--reason", "Vol")
    out = capsys.readouterr().out
    assert "n° 1\tcompromise" in out and "n° 2\tactuelle" in out
    assert credential_verify(award.credential).state == "invalid"
    events = AuditEvent.objects.filter(object_type="badge_issuer_key", channel="system")
    assert events.count() == 2


def test_import_refuses_a_passeport_badge_signed_with_a_compromised_key(admin_actor, org, learner, award):
    from passeport.skills.importing import ImportProblem, import_ob3

    assert import_ob3(award.credential, email=learner.email).verified
    issuer_key_compromise(actor=admin_actor, organisation=org, number=1, reason="Vol")
    with pytest.raises(ImportProblem) as problem:
        import_ob3(award.credential, email=learner.email)
    assert problem.value.code == "invalid_badge"
