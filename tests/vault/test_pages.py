"""The pages: the person's "Mes documents" (upload from a phone, list, download, share
and unshare, log, export) and the professional's view of shared documents."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from passeport.core.enums import Role
from passeport.vault.models import Document, LogEntry, PendingBlob, Share
from tests.factories import MembershipFactory

from .conftest import deposit, jpeg, pdf, share, vault_files

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_person_uploads_a_photo_from_the_phone_and_downloads_it(settings, person_client):
    page = person_client.get(reverse("vault:me_document_add")).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert 'accept="image/*,application/pdf"' in page and 'enctype="multipart/form-data"' in page
    photo = jpeg(150_000)
    response = person_client.post(reverse("vault:me_document_add"), {
        "photo": SimpleUploadedFile("IMG_2041.JPG", photo, "image/jpeg"),
        "category": "logement", "title": "Quittance de loyer",
        "expires_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "idempotency_key": "k1"})
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vault:me_document", args=[document.uid])
    version = document.versions.get()
    assert version.sha256 == hashlib.sha256(photo).hexdigest()
    assert "IMG_2041" not in version.blob_name  # the name is the server's
    assert not PendingBlob.objects.exists() and len(vault_files(settings)) == 1

    listing = person_client.get(reverse("vault:me_documents")).content.decode()
    assert "Quittance de loyer" in listing and "Valable jusqu'au" in listing
    detail = person_client.get(reverse("vault:me_document", args=[document.uid])).content.decode()
    url = reverse("vault:me_download", args=[document.uid, 1])
    assert url in detail
    download = person_client.get(url)
    assert download.status_code == 200 and body(download) == photo
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"] == 'attachment; filename="quittance-de-loyer-v1.jpg"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Length"] == str(len(photo))


def test_a_double_submit_does_not_duplicate(person_client):
    data = {"category": "identite", "title": "Passeport", "idempotency_key": "same-form"}
    content = pdf()
    for _ in range(2):
        person_client.post(reverse("vault:me_document_add"),
                           {**data, "file": SimpleUploadedFile("p.pdf", content)})
    assert Document.objects.count() == 1


def test_a_refused_file_keeps_what_was_typed_and_stores_nothing(settings, person_client):
    response = person_client.post(reverse("vault:me_document_add"), {
        "file": SimpleUploadedFile("page.html", b"<html><body>not a paper</body></html>",
                                   "application/pdf"),
        "category": "sante", "title": "Ordonnance"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce type de fichier n&#x27;est pas accepté" in html
    assert 'value="Ordonnance"' in html and 'aria-describedby="fichier-erreurs"' in html
    assert not Document.objects.exists() and vault_files(settings) == []
    assert not PendingBlob.objects.exists()


def test_too_large_and_missing_file(settings, person_client):
    data = {"category": "sante", "title": "Radio"}
    response = person_client.post(reverse("vault:me_document_add"), {
        **data, "file": SimpleUploadedFile("big.pdf", pdf(2 * 1024 * 1024 + 10))})
    assert "Le fichier est trop gros : 2 Mo au plus." in response.content.decode()
    response = person_client.post(reverse("vault:me_document_add"), data)
    assert "Choisissez un fichier ou prenez une photo." in response.content.decode()
    assert not Document.objects.exists() and vault_files(settings) == []


def test_upload_without_csrf_token_is_refused_and_leaves_nothing(settings, client, person):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(person.user)
    response = csrf_client.post(reverse("vault:me_document_add"), {
        "file": SimpleUploadedFile("a.pdf", pdf()), "category": "autre", "title": "x"})
    assert response.status_code == 403
    assert not Document.objects.exists() and vault_files(settings) == []
    assert not PendingBlob.objects.exists()


def test_share_and_unshare_from_the_pages(person_client, own_safe, org, client, referent):
    document = deposit(own_safe, pdf(), title="Attestation CAF", category="ressources").document
    until = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    response = person_client.post(reverse("vault:me_document_share", args=[document.uid]),
                                   {"organisation": org.pk, "expires_on": until})
    assert response.status_code == 302
    share_ = Share.objects.get()
    assert share_.document == document and share_.organisation == org

    pro = client.__class__()
    pro.force_login(referent.user)
    pro_url = reverse("vault:pro_document", args=[document.person.public_id, document.uid])
    assert pro.get(pro_url).status_code == 200

    shares_page = person_client.get(reverse("vault:me_shares")).content.decode()
    assert org.name in shares_page and "Attestation CAF" in shares_page
    person_client.post(reverse("vault:me_share_revoke", args=[share_.pk]))
    assert pro.get(pro_url).status_code == 404  # the next request is denied
    # A category share from the shares page.
    person_client.post(reverse("vault:me_shares"), {"category": "ressources",
                                                    "organisation": org.pk, "expires_on": until})
    assert pro.get(pro_url).status_code == 200


def test_the_person_sees_the_log_of_their_documents(person_client, own_safe, org, referent,
                                                    client):
    document = deposit(own_safe, pdf(), title="Bail").document
    share(own_safe, org, document=document)
    pro = client.__class__()
    pro.force_login(referent.user)
    body(pro.get(reverse("vault:pro_download", args=[document.person.public_id, document.uid, 1])))
    html = person_client.get(reverse("vault:me_log")).content.decode()
    assert "Téléchargement" in html and org.name in html and "Dépôt" in html
    assert "Bail" in html and "Vous" in html


def test_edit_and_delete_from_the_pages(settings, person_client, own_safe,
                                        django_capture_on_commit_callbacks):
    document = deposit(own_safe, pdf(), title="Brouillon").document
    person_client.post(reverse("vault:me_document_edit", args=[document.uid]),
                       {"category": "famille", "title": "Livret de famille"})
    document.refresh_from_db()
    assert (document.title, document.category) == ("Livret de famille", "famille")
    confirm = person_client.get(reverse("vault:me_document_delete", args=[document.uid]))
    assert "effacés pour toujours" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        person_client.post(reverse("vault:me_document_delete", args=[document.uid]))
    assert not Document.objects.exists() and vault_files(settings) == []
    assert LogEntry.objects.filter(action="delete").exists()


def test_new_version_from_the_page(person_client, own_safe):
    document = deposit(own_safe, pdf()).document
    response = person_client.post(reverse("vault:me_version_add", args=[document.uid]),
                                  {"file": SimpleUploadedFile("v2.png", b"\x89PNG\r\n\x1a\n"
                                                              + b"\0" * 500)})
    assert response.status_code == 302
    assert list(document.versions.values_list("number", "content_type")) == [
        (2, "image/png"), (1, "application/pdf")]


def test_export_and_import_pages(person_client, own_safe):
    deposit(own_safe, pdf(), title="Diplôme", category="emploi_formation")
    response = person_client.get(reverse("vault:me_export"))
    assert response["Content-Type"] == "application/zip"
    archive = body(response)
    Document.objects.all().delete()
    response = person_client.post(reverse("vault:me_import"), {
        "archive": SimpleUploadedFile("mes-documents.zip", archive, "application/zip")})
    assert response.status_code == 302
    assert list(Document.objects.values_list("title", flat=True)) == ["Diplôme"]


# --- The professional's pages --------------------------------------------------------------

def pro_urls(person, document, number=1):
    pid = person.public_id
    return [
        reverse("vault:pro_documents", args=[pid]),
        reverse("vault:pro_document_add", args=[pid]),
        reverse("vault:pro_document", args=[pid, document.uid]),
        reverse("vault:pro_version_add", args=[pid, document.uid]),
        reverse("vault:pro_download", args=[pid, document.uid, number]),
    ]


def test_another_organisation_gets_404_on_every_document_url(client, own_safe, person, org,
                                                             outsider):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    client.force_login(outsider.user)
    for url in pro_urls(person, document):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"file": SimpleUploadedFile("a.pdf", pdf())}).status_code == 404, url
    assert Document.objects.count() == 1


def test_staff_without_a_share_gets_404_on_every_document_url(pro_client, own_safe, person):
    document = deposit(own_safe, pdf()).document  # not shared with the organisation
    urls = pro_urls(person, document)
    assert pro_client.get(urls[0]).status_code == 200  # the list (empty) is reachable
    assert "ne partage aucun document" in pro_client.get(urls[0]).content.decode()
    for url in urls[2:]:
        assert pro_client.get(url).status_code == 404, url
    # The person's own pages are not the professional's either.
    assert pro_client.get(reverse("vault:me_document", args=[document.uid])).status_code == 404


def test_a_person_cannot_reach_another_person_documents(client, own_safe):
    from tests.factories import PersonFactory, UserFactory

    document = deposit(own_safe, pdf()).document
    other = PersonFactory(user=UserFactory())
    client.force_login(other.user)
    for name in ("me_document", "me_document_edit", "me_version_add", "me_document_delete"):
        assert client.get(reverse(f"vault:{name}", args=[document.uid])).status_code == 404
    assert client.get(reverse("vault:me_download", args=[document.uid, 1])).status_code == 404
    assert client.get(reverse("vault:pro_documents", args=[document.person.public_id])
                      ).status_code == 404


def test_professional_deposit_page(settings, pro_client, person, org):
    url = reverse("vault:pro_document_add", args=[person.public_id])
    assert "Le document appartient à la personne" in pro_client.get(url).content.decode()
    response = pro_client.post(url, {"file": SimpleUploadedFile("cv.pdf", pdf()),
                                     "category": "emploi_formation", "title": "CV"})
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.versions.get().uploaded_by_organisation == org
    listing = pro_client.get(reverse("vault:pro_documents", args=[person.public_id]))
    assert "CV" in listing.content.decode()


def test_without_documents_consent_a_colleague_cannot_deposit(client, person, org):
    from passeport.people.models import Consent

    Consent.objects.filter(scope="documents").delete()
    colleague = MembershipFactory(organisation=org, role=Role.MANAGER)
    client.force_login(colleague.user)
    response = client.post(reverse("vault:pro_document_add", args=[person.public_id]),
                           {"file": SimpleUploadedFile("a.pdf", pdf()), "category": "autre",
                            "title": "x"})
    assert response.status_code == 404
    assert not Document.objects.exists() and not PendingBlob.objects.exists()


def test_pro_download_has_safe_headers_and_a_damaged_file_sends_nothing(pro_client, own_safe,
                                                                        person, org):
    from pathlib import Path

    from passeport.vault.storage import get_storage

    content = pdf(100_000)
    result = deposit(own_safe, content, title="Relevé <script>")
    share(own_safe, org, document=result.document)
    url = reverse("vault:pro_download", args=[person.public_id, result.document.uid, 1])
    response = pro_client.get(url)
    assert body(response) == content
    assert response["Content-Disposition"] == 'attachment; filename="releve-script-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    path = Path(get_storage().path(result.version.blob_name))
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x20
    path.write_bytes(bytes(raw))
    response = pro_client.get(url)
    assert response.status_code == 500 and not response.streaming
    assert "Ce document est abîmé" in response.content.decode()
    assert b"%PDF" not in response.content
