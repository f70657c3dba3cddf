"""The page that imports a passport bundle (managers and administrators): upload and
attest consent, preview (nothing written), confirm, result; a bad file writes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passeport.core.enums import Role
from passeport.core.models import AuditEvent, Organisation
from passeport.interop.models import BundleImport
from passeport.interop.selectors import bundle_for
from passeport.paths.models import Action, Path
from passeport.people.models import Consent, Person
from passeport.web.interop.forms import BundleUploadForm

from ..factories import MembershipFactory, OrganisationFactory
from .test_bundle import rich  # noqa: F401  (fixture: a person with a whole passport)

URL = "/pro/structure/importer-un-passeport/"
CONFIRM = URL + "confirmer/"
CONSENT = {"consent_method": "written", "purpose": "Suivi après déménagement", "attested": "on"}


@pytest.fixture
def exported(rich, person_actor):  # noqa: F811
    """The person's bundle, then the person gone from this instance (they moved away)."""
    data = bundle_for(person_actor, rich.public_id)
    Person.objects.all().delete()
    return data


@pytest.fixture
def importer(db):
    org = OrganisationFactory(name="Mission locale de Quimper")
    return MembershipFactory(organisation=org, role=Role.MANAGER)


def upload(data, name="passeport.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def snapshot():
    return (Person.objects.count(), Path.objects.count(), Action.objects.count(),
            Consent.objects.count(), BundleImport.objects.count(), AuditEvent.objects.count(),
            Organisation.objects.count())


def preview(client, data, **consent):
    return client.post(URL, {"file": upload(data), **CONSENT, **consent})


def confirm(client, response):
    token = response.context["confirm_form"].initial["token"]
    return client.post(CONFIRM, {"token": token})


def test_preview_writes_nothing_then_confirm_imports_and_audits(client, exported, importer):
    client.force_login(importer.user)
    page = client.get(URL)
    assert page.status_code == 200 and "Importer le passeport" in page.content.decode()
    before = snapshot()
    response = preview(client, exported)
    html = text(response)
    assert response.status_code == 200, html
    assert snapshot() == before  # nothing written by the preview
    assert "rien n'est encore importé" in html and exported["person"]["last_name"] in html
    assert exported["person"]["public_id"] in html and response["Cache-Control"] == "no-store"
    summary = response.context["preview"]
    assert summary["paths"] == 1 and summary["actions"] == 1 and summary["documents"] == 1
    assert summary["person_present"] is False

    done = confirm(client, response)
    html = text(done)
    assert done.status_code == 200, html
    assert "Passeport importé" in html
    person = Person.objects.get(public_id=exported["person"]["public_id"])
    assert f'href="/pro/personnes/{person.public_id}/"' in html
    record = BundleImport.objects.get()
    assert record.organisation == importer.organisation and record.imported_by == importer.user
    assert record.consent.method == "written" and record.consent.purpose == "Suivi après déménagement"
    assert AuditEvent.objects.filter(object_type="bundle_import", person_uid=person.public_id,
                                     actor=importer.user).exists()
    assert Path.objects.filter(person=person).count() == 1
    # The person's passport is now reachable by the importing organisation.
    assert client.get(f"/pro/personnes/{person.public_id}/").status_code == 200


def test_reimport_says_already_present_and_adds_nothing(client, exported, importer):
    client.force_login(importer.user)
    confirm(client, preview(client, exported))
    counts = Path.objects.count(), Action.objects.count()
    again = preview(client, exported)
    assert again.context["preview"]["person_present"] is True
    assert again.context["preview"]["new_items"] == 0
    assert "déjà importé" in text(again)
    done = confirm(client, again)
    assert done.status_code == 200 and "était déjà importé" in text(done)
    assert (Path.objects.count(), Action.objects.count()) == counts
    assert Person.objects.count() == 1 and BundleImport.objects.count() == 2


@pytest.mark.parametrize(("content", "expected"), [
    (b"ceci n'est pas du JSON", "pas un fichier JSON lisible"),
    (b"\xff\xfe\x00binaire", "pas un fichier JSON lisible"),
    ({"hello": "world"}, "pas un passeport exporté par Passeport"),
    ("wrong_schema", "pas un passeport exporté par Passeport"),
    ("wrong_version", "Cette version de passeport (3) n'est pas lue par cette instance, qui lit les versions 1 et 2"),
    ("bad_person", "pas un passeport valide : person/public_id"),
])
def test_bad_files_get_a_french_error_and_write_nothing(client, exported, importer, content,
                                                        expected):
    variants = {
        "wrong_schema": {**exported, "$schema": "urn:autre:format"},
        "wrong_version": {**exported, "format_version": 3},
        "bad_person": {**exported, "person": {**exported["person"], "public_id": "nope"}},
    }
    data = variants.get(content, content) if isinstance(content, str) else content
    client.force_login(importer.user)
    before = snapshot()
    response = preview(client, data)
    assert response.status_code == 400
    assert expected in text(response)
    assert "confirm_form" not in response.context
    assert snapshot() == before


def test_too_big_file_is_refused(client, exported, importer, monkeypatch):
    monkeypatch.setattr(BundleUploadForm, "max_bytes", 1024)
    client.force_login(importer.user)
    before = snapshot()
    response = preview(client, exported)
    assert response.status_code == 400
    assert "Ce fichier est trop gros" in response.content.decode()
    assert snapshot() == before


def test_consent_must_be_attested(client, exported, importer):
    client.force_login(importer.user)
    before = snapshot()
    response = client.post(URL, {"file": upload(exported), "consent_method": "written",
                                 "purpose": "Suivi"})
    assert response.status_code == 400
    assert "sans l'accord de la personne, rien" in text(response)
    no_purpose = client.post(URL, {"file": upload(exported), **CONSENT, "purpose": ""})
    assert no_purpose.status_code == 400
    assert snapshot() == before


def test_tampered_or_missing_token_writes_nothing(client, exported, importer):
    client.force_login(importer.user)
    response = preview(client, exported)
    token = response.context["confirm_form"].initial["token"]
    before = snapshot()
    # (the signature's last two characters changed: "xx" would leave a token that
    # already ends with "xx" — one in 4,096 — unchanged and accepted)
    tampered = token[:-2] + ("xx" if token[-2:] != "xx" else "yy")
    for bad in (tampered, ""):
        refused = client.post(CONFIRM, {"token": bad})
        assert refused.status_code == 400
        assert "déposez le fichier à nouveau" in text(refused)
    assert client.get(CONFIRM).status_code == 405
    assert snapshot() == before


def test_admin_may_import_referent_may_not(client, exported, importer, referent):
    admin = MembershipFactory(organisation=importer.organisation, role=Role.ADMIN)
    client.force_login(admin.user)
    assert client.get(URL).status_code == 200
    client.force_login(referent.user)
    before = snapshot()
    refused = client.get(URL)
    assert refused.status_code == 403
    assert "Accès refusé" in refused.content.decode() and "fr-header" in refused.content.decode()  # a DSFR page
    assert preview(client, exported).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert snapshot() == before
    client.logout()
    assert client.get(URL).status_code == 302


def test_organisation_page_links_to_the_import_for_managers_only(client, importer, referent):
    client.force_login(importer.user)
    assert URL in client.get("/pro/structure/").content.decode()
    client.force_login(referent.user)
    assert URL not in client.get("/pro/structure/").content.decode()


def test_service_rule_managers_and_admins_only(exported, importer, referent):
    from passeport.core.actor import Actor
    from passeport.core.errors import Forbidden
    from passeport.interop.services import bundle_import

    ref_actor = Actor(user=referent.user, membership=referent)
    with pytest.raises(Forbidden):
        bundle_import(actor=ref_actor, organisation=referent.organisation, data=exported,
                      consent_method="written", purpose="Suivi", attested=True)
    manager = Actor(user=importer.user, membership=importer)
    result = bundle_import(actor=manager, organisation=importer.organisation, data=exported,
                           consent_method="written", purpose="Suivi", attested=True)
    assert result["person_created"] is True
