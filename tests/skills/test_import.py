"""Import of a badge the person already holds: Open Badges 3.0 (Passeport's own, or
another issuer whose key and status list are served over HTTP), Open Badges 2.0 hosted
and signed — the issuers' files served by a real local HTTP server."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, PasseportError
from passeport.skills.models import ImportedBadge
from passeport.skills.openbadges import dataintegrity, statuslist
from passeport.skills.openbadges.loader import OB_V3, SCHEMA_URL, VC_V2
from passeport.skills.openbadges.multibase import public_key_multibase
from passeport.skills.services import badge_import
from tests.factories import UserFactory

EMAIL = "maelys@example.org"


class Files:
    def __init__(self):
        self.docs: dict[str, object] = {}


@pytest.fixture
def server():
    files = Files()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            doc = files.docs.get(self.path)
            if doc is None:
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    files.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield files
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def me(learner):
    learner.user = UserFactory()
    learner.save()
    return Actor(user=learner.user)


def _hash(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def _foreign_ob3(server, *, email=EMAIL, revoked=False) -> dict:
    key = Ed25519PrivateKey.generate()
    issuer = f"{server.base}/issuer"
    server.docs["/issuer/key"] = {"@context": "https://w3id.org/security/multikey/v1",
                                  "id": f"{issuer}/key", "type": "Multikey", "controller": issuer,
                                  "publicKeyMultibase": public_key_multibase(key.public_key().public_bytes_raw())}
    bits = statuslist.set_bit(bytes(16384), 3, revoked)
    status = {"@context": [VC_V2], "id": f"{server.base}/status", "type": ["VerifiableCredential", "BitstringStatusListCredential"],
              "issuer": issuer, "validFrom": "2025-01-01T00:00:00Z",
              "credentialSubject": {"id": f"{server.base}/status#list", "type": "BitstringStatusList",
                                    "statusPurpose": "revocation", "encodedList": statuslist.encode(bits)}}
    server.docs["/status"] = dataintegrity.sign(status, private_key=key, verification_method=f"{issuer}/key",
                                                created="2025-01-01T00:00:00Z")
    credential = {
        "@context": [VC_V2, OB_V3], "id": "urn:uuid:2f1d0e7e-1c7e-4f55-9a3c-3f1b2a0c9d11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "GRETA Bretagne"},
        "validFrom": "2025-06-01T00:00:00Z", "name": "Sauveteur secouriste du travail",
        "credentialSubject": {"type": ["AchievementSubject"],
                              "identifier": [{"type": "IdentityObject", "hashed": True,
                                              "identityHash": _hash(email, "pepper"),
                                              "identityType": "emailAddress", "salt": "pepper"}],
                              "achievement": {"id": f"{server.base}/sst", "type": ["Achievement"],
                                              "name": "SST", "description": "Premiers secours",
                                              "criteria": {"narrative": "Formation de 14 h"}}},
        "credentialStatus": {"id": f"{server.base}/status#3", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": "3",
                             "statusListCredential": f"{server.base}/status"},
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    return dataintegrity.sign(credential, private_key=key, verification_method=f"{issuer}/key",
                              created="2025-06-01T00:00:00Z")


def test_import_an_ob3_badge_of_another_issuer(me, learner, server):
    badge = badge_import(actor=me, person=learner, text=json.dumps(_foreign_ob3(server)))
    assert badge.verified and badge.format == "ob3"
    assert badge.name == "Sauveteur secouriste du travail" and badge.issuer_name == "GRETA Bretagne"
    with pytest.raises(Conflict):
        badge_import(actor=me, person=learner, text=json.dumps(_foreign_ob3(server)))


@pytest.mark.parametrize("case,code", [("tampered", "invalid_badge"), ("revoked", "revoked_badge"),
                                       ("someone_else", "not_your_badge")])
def test_import_refuses_a_bad_ob3_badge(me, learner, server, case, code):
    credential = _foreign_ob3(server, revoked=case == "revoked",
                              email="autre@example.org" if case == "someone_else" else EMAIL)
    if case == "tampered":
        credential = copy.deepcopy(credential)
        credential["name"] = "Chef de chantier"
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=json.dumps(credential))
    assert exc.value.code == code
    assert not ImportedBadge.objects.exists()


def test_import_a_passeport_badge_from_its_baked_png(client, me, learner, award):
    client.force_login(learner.user)
    png = client.get(f"/badges/credentials/{award.uid}/badge.png").content
    response = client.post("/mon-passeport/badges/", {"file": SimpleUploadedFile("b.png", png, "image/png")})
    assert response.status_code == 302
    assert ImportedBadge.objects.get(person=learner).verified
    bad = client.post("/mon-passeport/badges/", {"file": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nxx", "image/png")})
    assert bad.status_code == 400 and "ne contient pas de badge" in bad.content.decode()


def _ob2(server, *, email=EMAIL, revoked=False) -> dict:
    server.docs["/ob2/issuer"] = {"@context": "https://w3id.org/openbadges/v2", "type": "Issuer",
                                  "id": f"{server.base}/ob2/issuer", "name": "Mission locale de Quimper",
                                  "url": "https://example.org"}
    server.docs["/ob2/badge"] = {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
                                 "id": f"{server.base}/ob2/badge", "name": "Code de la route",
                                 "description": "Préparation au code", "issuer": f"{server.base}/ob2/issuer",
                                 "criteria": {"narrative": "Examen réussi"}}
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                 "id": f"{server.base}/ob2/assertion", "badge": f"{server.base}/ob2/badge",
                 "recipient": {"type": "email", "hashed": True, "salt": "s4lt",
                               "identity": _hash(email, "s4lt")},
                 "issuedOn": "2024-03-01T00:00:00Z", "verification": {"type": "hosted"}}
    if revoked:
        assertion["revoked"] = True
    server.docs["/ob2/assertion"] = assertion
    return assertion


def test_import_an_ob2_hosted_badge(client, me, learner, server):
    _ob2(server)
    client.force_login(learner.user)
    response = client.post("/mon-passeport/badges/", {"url": f"{server.base}/ob2/assertion"})
    assert response.status_code == 302
    badge = ImportedBadge.objects.get(person=learner)
    assert badge.format == "ob2_hosted" and badge.verified
    assert badge.name == "Code de la route" and badge.issuer_name == "Mission locale de Quimper"
    assert "Code de la route" in client.get("/mon-passeport/badges/").content.decode()



def test_referent_sees_the_imported_badge_with_the_skills_consent(client, me, learner, server, referent):
    _ob2(server)
    badge_import(actor=me, person=learner, text=f"{server.base}/ob2/assertion")
    client.force_login(referent.user)
    page = client.get(f"/pro/competences/{learner.public_id}/").content.decode()
    assert "Code de la route" in page and "Mission locale de Quimper" in page


def test_import_refuses_ob2_revoked_or_changed(me, learner, server):
    assertion = _ob2(server, revoked=True)
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=json.dumps(assertion))
    assert exc.value.code == "revoked_badge"
    assertion = _ob2(server)
    changed = dict(assertion, issuedOn="2020-01-01T00:00:00Z")
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=json.dumps(changed))
    assert exc.value.code == "invalid_badge"
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=f"{server.base}/absent")
    assert exc.value.code == "fetch_failed"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_import_an_ob2_signed_badge(me, learner, server):
    _ob2(server)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server.docs["/ob2/key"] = {"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey",
                               "id": f"{server.base}/ob2/key", "owner": f"{server.base}/ob2/issuer",
                               "publicKeyPem": key.public_key().public_bytes(
                                   serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()}
    assertion = dict(server.docs["/ob2/assertion"], id="urn:uuid:5b0f6c1e-7c61-4a0b-9b50-0e3c2b9a4f21",
                     verification={"type": "signed", "creator": f"{server.base}/ob2/key"})
    header, payload = _b64(json.dumps({"alg": "RS256"}).encode()), _b64(json.dumps(assertion).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    jws = f"{header}.{payload}.{_b64(signature)}"
    forged = f"{header}.{_b64(json.dumps(dict(assertion, issuedOn='2020-01-01')).encode())}.{_b64(signature)}"
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=forged)
    assert exc.value.code == "invalid_badge"
    badge = badge_import(actor=me, person=learner, text=jws)
    assert badge.format == "ob2_signed" and badge.verified and badge.name == "Code de la route"


def test_private_addresses_are_refused_unless_allowed(me, learner, server, settings):
    settings.PASSEPORT_BADGES_FETCH_PRIVATE = False
    _ob2(server)
    with pytest.raises(PasseportError) as exc:
        badge_import(actor=me, person=learner, text=f"{server.base}/ob2/assertion")
    assert exc.value.code == "invalid_url"
