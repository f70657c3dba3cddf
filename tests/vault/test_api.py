"""The API of the safe, with the same rules as the pages."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.services import api_token_create
from passeport.vault.models import Document, PendingBlob, Share

from .conftest import deposit, pdf, png, share, vault_files

pytestmark = pytest.mark.django_db
BASE = "/api/v1/vault"


def token_for(organisation) -> dict:
    _token, raw = api_token_create(actor=Actor.system(), organisation=organisation, name="SI")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def upload(client, pid, data: bytes, headers=None, **fields):
    fields.setdefault("category", "identite")
    fields.setdefault("title", "Carte d'identité")
    return client.post(f"{BASE}/persons/{pid}/documents",
                       {"file": SimpleUploadedFile("scan.pdf", data), **fields},
                       **(headers or {}))


def test_organisation_deposits_with_consent_and_retries_safely(settings, client, person, org):
    auth = token_for(org)
    data = pdf(80_000)
    retry = {**auth, "HTTP_IDEMPOTENCY_KEY": "retry-1"}
    response = upload(client, person.public_id, data, retry, expires_on="2031-01-31")
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["title"] == "Carte d'identité" and doc["expires_on"] == "2031-01-31"
    version = doc["versions"][0]
    assert version["sha256"] == hashlib.sha256(data).hexdigest() and version["size"] == len(data)
    assert version["content_type"] == "application/pdf"
    assert version["uploaded_by_organisation"]["id"] == org.pk
    again = upload(client, person.public_id, data, retry)
    assert again.status_code == 200 and again.json()["uid"] == doc["uid"]
    clash = upload(client, person.public_id, pdf(), retry)
    assert clash.status_code == 409 and clash.json()["code"] == "idempotency_key_reused"
    assert Document.objects.count() == 1 and len(vault_files(settings)) == 1
    assert not PendingBlob.objects.exists()
    # Shared back to the organisation, which downloads it.
    listed = client.get(f"{BASE}/persons/{person.public_id}/documents", **auth).json()
    assert [d["uid"] for d in listed] == [doc["uid"]]
    download = client.get(version["download_url"], **auth)
    assert content(download) == data
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-store"


def test_upload_errors_have_stable_codes_and_store_nothing(settings, client, person, org):
    auth = token_for(org)
    bad = upload(client, person.public_id, b"#!/bin/sh\nrm -rf /\n" * 10, auth)
    assert bad.status_code == 400 and bad.json()["code"] == "file_type_not_allowed"
    assert bad.json()["field"] == "file"
    big = upload(client, person.public_id, pdf(2 * 1024 * 1024 + 1), auth)
    assert big.status_code == 400 and big.json()["code"] == "file_too_large"
    missing = client.post(f"{BASE}/persons/{person.public_id}/documents",
                          {"category": "autre", "title": "x"}, **auth)
    assert missing.status_code == 400 and missing.json()["code"] == "file_required"
    invalid = upload(client, person.public_id, pdf(), auth, category="cuisine")
    assert invalid.status_code == 422 and invalid.json()["field"] == "category"
    assert not Document.objects.exists() and vault_files(settings) == []
    assert not PendingBlob.objects.exists()


def test_another_organisation_gets_404_everywhere(settings, client, own_safe, person, org,
                                                  other_org):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    auth = token_for(other_org)
    pid, uid = person.public_id, document.uid
    calls = [
        ("get", f"/persons/{pid}/documents"), ("get", f"/documents/{uid}"),
        ("get", f"/documents/{uid}/versions/1/content"), ("delete", f"/documents/{uid}"),
        ("get", f"/persons/{pid}/shares"), ("get", f"/persons/{pid}/log"),
        ("get", f"/persons/{pid}/export"),
    ]
    for method, path in calls:
        response = getattr(client, method)(BASE + path, **auth)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert client.patch(f"{BASE}/documents/{uid}", {"title": "x"}, content_type="application/json",
                        **auth).status_code == 404
    assert upload(client, pid, pdf(), auth).status_code == 404
    assert client.post(f"{BASE}/documents/{uid}/versions",
                       {"file": SimpleUploadedFile("a.pdf", pdf())}, **auth).status_code == 404
    assert Document.objects.count() == 1 and len(vault_files(settings)) == 1
    assert not PendingBlob.objects.exists()


def test_without_share_the_organisation_sees_nothing_and_never_shares(client, own_safe, person,
                                                                      org):
    document = deposit(own_safe, pdf()).document
    auth = token_for(org)
    assert client.get(f"{BASE}/persons/{person.public_id}/documents", **auth).json() == []
    for path in (f"/documents/{document.uid}", f"/documents/{document.uid}/versions/1/content"):
        assert client.get(BASE + path, **auth).status_code == 404
    until = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(f"{BASE}/persons/{person.public_id}/shares",
                           {"organisation_id": org.pk, "expires_on": until,
                            "document_uid": str(document.uid)},
                           content_type="application/json", **auth)
    assert response.status_code == 404
    assert client.get(f"{BASE}/persons/{person.public_id}/log", **auth).status_code == 404
    assert not Share.objects.exists()


def test_the_person_shares_and_revokes_and_revocation_is_immediate(client, person_client,
                                                                   own_safe, person, org):
    document = deposit(own_safe, png(), title="Photo d'identité").document
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = person_client.post(f"{BASE}/persons/{person.public_id}/shares",
                                  {"organisation_id": org.pk, "expires_on": until,
                                   "document_uid": str(document.uid)},
                                  content_type="application/json")
    assert response.status_code == 201, response.content
    share_id = response.json()["id"]
    auth = token_for(org)
    url = f"{BASE}/documents/{document.uid}"
    assert client.get(url, **auth).status_code == 200
    assert person_client.delete(f"{BASE}/persons/{person.public_id}/shares/{share_id}"
                                ).status_code == 204
    assert client.get(url, **auth).status_code == 404
    shares = person_client.get(f"{BASE}/persons/{person.public_id}/shares").json()
    assert shares[0]["active"] is False and shares[0]["revoked_at"]


def test_the_person_reads_the_log_with_a_cursor(person_client, own_safe, person, org):
    for i in range(3):
        deposit(own_safe, pdf(), title=f"Doc {i}")
    first = person_client.get(f"{BASE}/persons/{person.public_id}/log", {"limit": 2}).json()
    assert [e["action"] for e in first["items"]] == ["deposit", "deposit"]
    assert first["items"][0]["seq"] == 3 and first["next_cursor"] == "2"
    rest = person_client.get(f"{BASE}/persons/{person.public_id}/log",
                             {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [e["seq"] for e in rest["items"]] == [1] and rest["next_cursor"] is None


def test_the_person_edits_and_deletes(person_client, own_safe, person):
    document = deposit(own_safe, pdf()).document
    response = person_client.patch(f"{BASE}/documents/{document.uid}",
                                    {"title": "Nouveau nom", "expires_on": "2030-01-01"},
                                    content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "Nouveau nom"
    assert response.json()["expires_on"] == "2030-01-01"
    assert person_client.delete(f"{BASE}/documents/{document.uid}").status_code == 204
    assert not Document.objects.exists()


def test_session_upload_by_the_person_and_new_version(person_client, person):
    response = upload(person_client, person.public_id, pdf())
    assert response.status_code == 201
    uid = response.json()["uid"]
    response = person_client.post(f"{BASE}/documents/{uid}/versions",
                                  {"file": SimpleUploadedFile("b.png", png())})
    assert response.status_code == 201
    assert [v["number"] for v in response.json()["versions"]] == [2, 1]


def test_export_import_round_trip_through_the_api(person_client, own_safe, person):
    deposit(own_safe, pdf(70_000), title="Avis d'imposition", category="ressources")
    archive = content(person_client.get(f"{BASE}/persons/{person.public_id}/export"))
    Document.objects.all().delete()
    response = person_client.post(f"{BASE}/persons/{person.public_id}/import",
                                  {"archive": SimpleUploadedFile("a.zip", archive)})
    assert response.status_code == 201, response.content
    assert [d["title"] for d in response.json()["created"]] == ["Avis d'imposition"]


def test_openapi_documents_the_vault(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/vault/persons/{public_id}/documents" in paths
    body = paths["/api/v1/vault/persons/{public_id}/documents"]["post"]["requestBody"]
    assert "multipart/form-data" in body["content"]
    assert "file" in body["content"]["multipart/form-data"]["schema"]["required"]
