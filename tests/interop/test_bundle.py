"""The portable passport: export (JSON valid against docs/bundle.schema.json, PDF),
import into a fresh database with the person's consent attested, keeping the public
identifier; twice creates nothing; a bad bundle writes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path as FsPath

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent, Organisation
from passeport.interop.bundle import bundle_build, bundle_pdf
from passeport.interop.models import WebhookDelivery
from passeport.interop.selectors import bundle_for, bundle_preview
from passeport.interop.services import bundle_import, subscription_create
from passeport.paths.models import Path
from passeport.paths.services import (
    action_add,
    diagnostic_assess,
    event_add,
    objective_add,
    path_open,
    work_hours_add,
)
from passeport.people.models import Consent, Person

from ..api.conftest import JsonApi
from ..factories import MembershipFactory, OrganisationFactory
from ..vault.conftest import deposit, pdf, share

SCHEMA = json.loads((FsPath(__file__).parents[2] / "docs" / "bundle.schema.json").read_text())
VOLATILE = {"ref", "objective_ref", "referent", "created_at"}


@pytest.fixture
def rich(person, referent, own_safe):
    actor = Actor(user=referent.user, membership=referent)
    path = path_open(actor=actor, person=person, referent=referent,
                     situation={"housing_status": "", "employment_status": ""})
    diagnostic_assess(actor=actor, path=path, assessments={"mobilite": 3, "sante": 1},
                      comments={"mobilite": "Pas de permis"})
    objective = objective_add(actor=actor, path=path, title="Retrouver un emploi")
    action_add(actor=actor, path=path, title="Passer le code", objective=objective,
               theme="mobilite", due_on=timezone.localdate() + dt.timedelta(days=10))
    event_add(actor=actor, path=path, kind="appointment", title="Premier rendez-vous",
              appointment_outcome="held")
    work_hours_add(actor=actor, path=path, hours_per_week=8,
                   starts_on=timezone.localdate() - dt.timedelta(days=5))
    deposit(own_safe, pdf(), title="Carte d'identité", category="identite")
    return person


def importer_admin():
    org = OrganisationFactory(name="Mission locale de Quimper")
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    return Actor(user=admin.user, membership=admin)


def comparable(bundle: dict) -> dict:
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return {"person": clean({k: v for k, v in bundle["person"].items() if k != "has_nir"}),
            "paths": clean(bundle["paths"])}


def test_export_is_valid_against_the_documented_schema_and_audited(rich, person_actor):
    bundle = bundle_for(person_actor, rich.public_id)
    jsonschema.validate(bundle, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert bundle["$schema"] == SCHEMA["$id"] and bundle["format_version"] == 2
    path = bundle["paths"][0]
    assert {d["theme"] for d in path["diagnostic"]} == {"mobilite", "sante"}
    assert path["actions"][0]["objective_ref"] == path["objectives"][0]["ref"]
    assert bundle["documents"][0]["title"] == "Carte d'identité"
    assert "blob_name" not in json.dumps(bundle) and "nir" not in bundle["person"]
    assert bundle["consents"] and bundle["access_log"]
    assert AuditEvent.objects.filter(person_uid=rich.public_id, action="export").exists()
    assert bundle_pdf(bundle).startswith(b"%PDF")


def test_only_the_person_exports(rich, actor):
    with pytest.raises(NotFound):
        bundle_for(actor, rich.public_id)  # their référent: not theirs to take away


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_a_fresh_database(rich, person_actor, tmp_path):
    exported = bundle_for(person_actor, rich.public_id)
    path_file = tmp_path / "passeport.json"
    path_file.write_text(json.dumps(exported))
    call_command("flush", interactive=False, verbosity=0)  # another instance, empty
    assert not Person.objects.exists()
    org = OrganisationFactory(name="Mission locale de Quimper", siret="35600000000048")
    with pytest.raises(Exception, match="consent_required"):
        call_command("passport_import", str(path_file), organisation=org.siret)
    assert not Person.objects.exists()
    call_command("passport_import", str(path_file), organisation=org.siret, attest=True,
                 consent_method="written", purpose="Suivi après déménagement")
    person = Person.objects.get()
    assert person.public_id == exported["person"]["public_id"]
    consent = Consent.objects.get(person=person)
    assert consent.organisation == org and consent.method == "written"
    again = bundle_build(person)
    assert comparable(again) == comparable(exported)
    jsonschema.validate(again, SCHEMA)
    counts = Path.objects.count(), AuditEvent.objects.count()
    # Importing the same history twice creates nothing.
    call_command("passport_import", str(path_file), organisation=org.siret, attest=True,
                 purpose="Suivi après déménagement")
    assert Person.objects.count() == 1 and Path.objects.count() == counts[0]
    assert bundle_build(person)["paths"] == again["paths"]
    # The other instance's access log is kept, marked as imported.
    imported = AuditEvent.objects.filter(person_uid=person.public_id,
                                         detail__imported_from=exported["source"]["instance"])
    assert imported.filter(action="view").count() + imported.filter(
        action="create").count() >= 1


def test_bad_bundles_are_refused_and_nothing_is_written(rich, person_actor):
    exported = bundle_for(person_actor, rich.public_id)
    Person.objects.all().delete()
    admin = importer_admin()
    before = (Person.objects.count(), Organisation.objects.count(), Path.objects.count())

    def attempt(data, **kw):
        with pytest.raises(PasseportError) as exc:
            bundle_import(actor=admin, organisation=admin.organisation, data=data,
                          consent_method=kw.get("method", "written"), purpose="Suivi",
                          attested=kw.get("attested", True))
        assert (Person.objects.count(), Organisation.objects.count(),
                Path.objects.count()) == before
        return exc.value

    assert attempt(exported, attested=False).code == "consent_required"
    assert attempt(exported, method="in_app").code == "consent_required"
    for broken in ({"hello": "world"}, {**exported, "format_version": 3},
                   {**exported, "person": {**exported["person"], "public_id": "nope"}}):
        error = attempt(broken)
        assert error.code == "invalid_bundle" and error.details["errors"]
    bad_date = copy.deepcopy(exported)
    bad_date["paths"][0]["opened_on"] = "2026-13-45"
    assert attempt(bad_date).code == "invalid_bundle"
    late = copy.deepcopy(exported)  # valid JSON, refused by a rule: rolled back whole
    late["paths"][0]["work_hours"][0]["hours_per_week"] = 8
    late["paths"][0]["closed_on"] = "1990-01-01"
    late["paths"][0]["status"] = "closed"
    assert attempt(late).code == "invalid_bundle"
    assert not Person.objects.filter(public_id=exported["person"]["public_id"]).exists()


def test_api_export_and_import(client, rich, person_actor, org_token):
    client.force_login(rich.user)
    me = JsonApi(client)
    bundle = me.get(f"/persons/{rich.public_id}/bundle")
    assert bundle.status_code == 200 and bundle.json()["person"]["public_id"] == rich.public_id
    pdf_response = me.get(f"/persons/{rich.public_id}/bundle.pdf")
    assert pdf_response["Content-Type"] == "application/pdf"
    token_api = JsonApi(client, org_token.raw)
    assert token_api.get(f"/persons/{rich.public_id}/bundle").status_code == 404
    data = bundle.json()
    Person.objects.all().delete()
    admin = importer_admin()
    client.force_login(admin.user)
    admin_api = JsonApi(client)
    body = {"bundle": data, "consent": {"method": "written", "purpose": "Suivi",
                                        "attested": True}}
    refused = admin_api.post("/bundles/import", {**body, "bundle": {"x": 1}})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_bundle"
    no_consent = admin_api.post("/bundles/import", {**body, "consent": {
        "method": "written", "purpose": "Suivi", "attested": False}})
    assert no_consent.status_code == 400 and no_consent.json()["code"] == "consent_required"
    created = admin_api.post("/bundles/import", body)
    assert created.status_code == 201, created.json()
    assert created.json()["public_id"] == rich.public_id and created.json()["person_created"]
    second = admin_api.post("/bundles/import", body).json()
    assert second["person_created"] is False and second["counts"] == {}
    assert token_api.post("/bundles/import", body).json()["code"] == "admin_required"
    # a manager may import too (through the session), a référent may not; but this number
    # is now here, and another organisation without the person's consent must ask them
    org = OrganisationFactory(name="PLIE de Cornouaille")
    client.force_login(MembershipFactory(organisation=org, role=Role.REFERENT).user)
    assert JsonApi(client).post("/bundles/import", body).status_code == 403
    client.force_login(MembershipFactory(organisation=org, role=Role.MANAGER).user)
    r = JsonApi(client).post("/bundles/import", body)
    assert r.status_code == 400 and r.json()["code"] == "passport_exists_here"
    assert not Consent.objects.filter(organisation=org).exists()


def test_a_forged_bundle_cannot_borrow_an_existing_passport_number(rich, person_actor):
    """A file carrying the number of a passport that is here, from another instance: the
    organisation without the person's consent is sent to the access request, and even one
    with it cannot import an identity that is not the passport's. Nothing is written."""
    data = bundle_build(rich)
    data["source"]["instance"] = "https://passeport.autre.example"
    data["person"].update({"first_name": "Faux", "last_name": "Nom", "birth_date": "1970-01-01"})
    data["paths"], data["access_log"] = [], []
    stranger = importer_admin()
    with pytest.raises(PasseportError) as exc:
        bundle_import(actor=stranger, organisation=stranger.organisation, data=data,
                      consent_method="written", purpose="Suivi", attested=True)
    assert exc.value.code == "passport_exists_here"
    with pytest.raises(PasseportError) as exc:
        bundle_preview(stranger, data)
    assert exc.value.code == "passport_exists_here"  # the preview promises nothing more
    assert not Consent.objects.filter(person=rich, organisation=stranger.organisation).exists()
    # the organisation that follows the person: the identity must match
    follower = rich.consents.first().organisation
    admin = MembershipFactory(organisation=follower, role=Role.ADMIN)
    actor = Actor(user=admin.user, membership=admin)
    with pytest.raises(PasseportError) as exc:
        bundle_import(actor=actor, organisation=follower, data=data, consent_method="written",
                      purpose="Suivi", attested=True)
    assert exc.value.code == "identity_mismatch"
    rich.refresh_from_db()
    assert rich.first_name != "Faux"


def test_person_space_buttons_download_json_and_pdf(client, rich):
    client.force_login(rich.user)
    home = client.get("/mon-passeport/").content.decode()
    assert "Emporter mon passeport" in home
    response = client.get("/mon-passeport/emporter/passeport.json")
    assert response.status_code == 200 and json.loads(response.content)["$schema"]
    assert client.get("/mon-passeport/emporter/passeport.pdf").content.startswith(b"%PDF")


def test_document_shared_webhook_carries_the_document_uid_only(
        rich, own_safe, org, receiver, django_capture_on_commit_callbacks):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    sub, secret = subscription_create(actor=Actor(user=admin.user, membership=admin),
                                      organisation=org, name="GED", url=receiver.url,
                                      events=["document.shared"])
    receiver.secret = secret
    document = deposit(own_safe, pdf(), title="Avis d'imposition", category="ressources").document
    with django_capture_on_commit_callbacks(execute=True):
        share(own_safe, org, document=document)
    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert delivery.status == "succeeded" and receiver.received[0]["valid"]
    assert receiver.received[0]["json"]["data"]["document_uid"] == str(document.uid)
    assert b"imposition" not in receiver.received[0]["body"]
