"""Revocation through the Bitstring Status List, expiry, and the public files and pages
an outside verifier uses (no login)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from passeport.core.errors import Conflict, NotFound
from passeport.skills.openbadges import baking, statuslist
from passeport.skills.selectors import credential_verify
from passeport.skills.services import award_revoke, badge_award, badge_class_create

from . import independent


def _status_bit(client, credential) -> bool:
    """What an outside verifier does: fetch the status list credential, check its
    signature, decode the list and read the bit."""
    entry = credential["credentialStatus"]
    path = entry["statusListCredential"].split("://", 1)[1].split("/", 1)[1]
    status_credential = client.get("/" + path).json()
    key_path = status_credential["proof"][0]["verificationMethod"].split("://", 1)[1].split("/", 1)[1]
    key = client.get("/" + key_path).json()
    assert independent.verify(status_credential, independent.public_key(key["publicKeyMultibase"]))
    bits = statuslist.decode(status_credential["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    return statuslist.get_bit(bits, int(entry["statusListIndex"]))


def test_revocation_is_visible_through_the_status_list(client, actor, award):
    assert _status_bit(client, award.credential) is False
    assert client.get(f"/badges/verifier/{award.uid}.json").json()["state"] == "valid"
    award_revoke(actor=actor, award_uid=award.uid, reason="Délivré par erreur")
    assert _status_bit(client, award.credential) is True
    body = client.get(f"/badges/verifier/{award.uid}.json").json()
    assert body["state"] == "revoked" and body["valid"] is False
    page = client.get(f"/badges/verifier/{award.uid}/").content.decode()
    assert "Retiré" in page
    with pytest.raises(Conflict):
        award_revoke(actor=actor, award_uid=award.uid, reason="encore")


def test_only_the_issuing_organisation_may_revoke(outsider_actor, award):
    with pytest.raises(NotFound):
        award_revoke(actor=outsider_actor, award_uid=award.uid, reason="non")


def test_expiry_is_honoured(actor, learner):
    badge = badge_class_create(actor=actor, name="Habilitation", description="d", criteria="c",
                               valid_months=12)
    award = badge_award(actor=actor, badge_class_uid=badge.uid, person_public_id=learner.public_id)
    assert award.credential["validUntil"] > award.credential["validFrom"]
    assert credential_verify(award.credential).state == "valid"
    later = timezone.now() + dt.timedelta(days=366)
    assert credential_verify(award.credential, now=later).state == "expired"
    earlier = timezone.now() - dt.timedelta(days=1)
    assert credential_verify(award.credential, now=earlier).state == "not_yet_valid"


def test_an_outside_verifier_can_check_offline_from_the_served_files(client, award):
    """The issuer profile, the key and the credential are public JSON files; the key
    is bound to the issuer (controller)."""
    credential = client.get(f"/badges/credentials/{award.uid}").json()
    assert credential == award.credential
    issuer = client.get("/" + credential["issuer"]["id"].split("://", 1)[1].split("/", 1)[1]).json()
    assert issuer["type"] == ["Profile"] and issuer["name"] == award.organisation.name
    method = credential["proof"][0]["verificationMethod"]
    key = client.get("/" + method.split("://", 1)[1].split("/", 1)[1]).json()
    assert key["type"] == "Multikey" and key["controller"] == credential["issuer"]["id"]
    assert independent.verify(credential, independent.public_key(key["publicKeyMultibase"]))


def test_verification_page_checks_the_holder_without_showing_them(client, award, learner):
    page = client.get(f"/badges/verifier/{award.uid}/").content.decode()
    assert "Accueil du public" in page and learner.email not in page and learner.last_name not in page
    yes = client.post(f"/badges/verifier/{award.uid}/", {"identity": "Maelys@Example.org"})
    assert "a été délivré à cette personne" in yes.content.decode()
    no = client.post(f"/badges/verifier/{award.uid}/", {"identity": "autre@example.org"})
    assert "ne correspond pas" in no.content.decode()


def test_unknown_credential_is_404(client):
    assert client.get("/badges/verifier/00000000-0000-4000-8000-000000000000.json").status_code == 404


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_download_round_trip(client, award, fmt):
    response = client.get(f"/badges/credentials/{award.uid}/badge.{fmt}")
    assert response.status_code == 200
    body = response.content
    if fmt == "png":
        import io

        from PIL import Image

        image = Image.open(io.BytesIO(body))
        image.load()  # a real, readable PNG
        assert json.loads(image.text["openbadgecredential"]) == award.credential
        extracted = baking.extract_png(body)
    else:
        import xml.etree.ElementTree as ET

        root = ET.fromstring(body)  # noqa: S314 - our own file: checks it is well-formed XML
        element = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
        assert json.loads(element.text) == award.credential
        extracted = baking.extract_svg(body.decode())
    credential = json.loads(extracted)
    assert credential == award.credential
    assert credential_verify(credential).state == "valid"


def test_verify_any_accepts_a_baked_file_and_reports_tampering(client, award):
    png = client.get(f"/badges/credentials/{award.uid}/badge.png").content
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post("/badges/verifier/", {"file": SimpleUploadedFile("b.png", png, "image/png")})
    assert "Valide" in ok.content.decode()
    tampered = dict(award.credential, name="Badge inventé")
    bad = client.post("/badges/verifier/", {"text": json.dumps(tampered)})
    assert "Non valide" in bad.content.decode()
    junk = client.post("/badges/verifier/", {"text": "pas du json"})
    assert "pas un badge" in junk.content.decode()
    huge = client.post("/badges/verifier/", {"text": json.dumps(dict(award.credential, x="a" * 300_000))})
    assert "trop long" in huge.content.decode()
