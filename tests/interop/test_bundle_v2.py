"""Bundle format version 2: the person's skills evaluations, Open Badges (the signed
credentials themselves), immersions and job profile travel with their passport from one
organisation to another; version 1 files are still read; a badge that does not verify
is reported and not kept while the rest imports; an export carries only the parts of the
passport its context may read."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import zlib
from pathlib import Path as FsPath

import jsonschema
import pytest
from django.utils import timezone
from django.utils.formats import date_format

from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.directory.models import Commune
from passeport.interop.bundle import bundle_build, bundle_errors, bundle_pdf
from passeport.interop.selectors import bundle_for, bundle_preview, bundle_scopes
from passeport.interop.services import bundle_import
from passeport.jobs.models import CandidateProfile, Immersion, RomeAppellation
from passeport.jobs.services import (
    immersion_assess,
    immersion_create,
    immersion_validate,
    profile_save,
)
from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Person
from passeport.skills.models import Evaluation, Grid, GridItem, ImportedBadge, IssuerKey
from passeport.skills.referentials import load_shipped_grids
from passeport.skills.selectors import wallet_of
from passeport.skills.services import badge_award, badge_class_create, evaluation_record

from ..factories import ConsentFactory
from ..jobs.conftest import AIDE_A_DOMICILE, employer, employer_actor, employer_org, referential  # noqa: F401
from ..skills import independent
from .test_bundle import importer_admin, rich  # noqa: F401  (fixture)

DOCS = FsPath(__file__).parents[2] / "docs"
SCHEMA = json.loads((DOCS / "bundle.schema.json").read_text())
SCHEMA_V1 = json.loads((DOCS / "bundle.schema.v1.json").read_text())
PREPARER_REPAS = 115131  # K1304 savoir-faire
ECOUTE = 300412  # K1304 savoir-être
V2_KEYS = ("skills_evaluations", "badges", "immersions", "job_profile")


@pytest.fixture(autouse=True)
def shipped_grids(db):
    if not Grid.objects.filter(code="transversal").exists():  # after a flushed database
        load_shipped_grids(Grid, GridItem)


@pytest.fixture
def skilled(rich, org, actor, employer_actor, employer_org):  # noqa: F811
    """Élodie (the `rich` passport) also opened her skills and jobs to the mission locale:
    a référent's evaluation, an immersion at Ti Aide Services assessed by the employer
    (its levels become the employer's evaluation), a badge, a job profile."""
    for scope in (ConsentScope.SKILLS, ConsentScope.JOBS):
        ConsentFactory(person=rich, organisation=org, scope=scope)
    today = timezone.localdate()
    evaluation_record(actor=actor, person_public_id=rich.public_id, grid_code="transversal",
                      scores={"T1": 2, "T2": 3}, evaluated_on=today - dt.timedelta(days=40),
                      comment="Bilan à mi-parcours")
    aide = RomeAppellation.objects.get(pk=AIDE_A_DOMICILE)
    imm = immersion_create(actor=actor, person=rich, employer=employer_org, appellation=aide,
                           tutor_name="Gwen Morvan", starts_on=today - dt.timedelta(days=20),
                           ends_on=today - dt.timedelta(days=9), objectives="Découvrir le métier")
    immersion_validate(actor=actor, immersion=imm)
    immersion_assess(actor=employer_actor, immersion=imm, skills_observed=[PREPARER_REPAS],
                     behaviour=3, comment="Très à l'écoute des personnes aidées.", led_to_job=False,
                     skill_levels={PREPARER_REPAS: 3, ECOUTE: 4})
    badge = badge_class_create(actor=actor, name="Accueil du public",
                               description="Accueillir et orienter des visiteurs.",
                               criteria="Avoir accueilli des visiteurs pendant deux semaines.")
    badge_award(actor=actor, badge_class_uid=badge.uid, person_public_id=rich.public_id,
                evidence="Observé à l'accueil.")
    profile_save(actor=actor, person=rich, data={
        "target_appellations": [aide], "commune": Commune.objects.get(code_insee="29019"),
        "has_driving_licence": True, "max_distance_km": 30, "skills": [PREPARER_REPAS]})
    return rich


def _moved(exported: dict) -> None:
    """The other instance: the person is not there, nor the ROME grids built here on
    first need (the issuer of the badge still publishes its keys, as its instance does)."""
    Person.objects.filter(public_id=exported["person"]["public_id"]).delete()
    Grid.objects.filter(code__startswith="rome-").delete()


def _import(data, admin=None):
    admin = admin or importer_admin()
    return admin, bundle_import(actor=admin, organisation=admin.organisation, data=data,
                                consent_method="written", purpose="Suivi après déménagement",
                                attested=True)


def _pdf_text(content: bytes) -> str:
    """The text drawn in the PDF (its content streams, inflated)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out)


def test_a_v2_export_is_valid_and_carries_skills_badges_immersion_and_profile(skilled, person_actor):
    bundle = bundle_for(person_actor, skilled.public_id)
    jsonschema.validate(bundle, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert bundle["$schema"] == SCHEMA["$id"] == "urn:passeport:bundle:2" and bundle["format_version"] == 2
    by_grid = {e["grid"]["code"]: e for e in bundle["skills_evaluations"]}
    assert set(by_grid) == {"transversal", "rome-k1304-sf", "rome-k1304-se"}
    referent = by_grid["transversal"]
    assert referent["source"] == "referent" and referent["evaluator"].startswith("Rozenn")
    assert referent["organisation"]["name"] == "Mission locale du Pays de Brest"
    assert [(s["code"], s["level"]) for s in referent["scores"]] == [("T1", 2), ("T2", 3)]
    employer_eval = by_grid["rome-k1304-sf"]
    assert employer_eval["source"] == "employer"
    assert employer_eval["organisation"]["name"] == "Ti Aide Services"
    assert employer_eval["scores"] == [{"code": str(PREPARER_REPAS), "label": employer_eval["scores"][0]["label"],
                                        "level": 3}]
    [badge] = bundle["badges"]
    assert badge["credential"]["name"] == "Accueil du public" and badge["credential"]["proof"]
    [imm] = bundle["immersions"]
    assert imm["employer"]["name"] == "Ti Aide Services" and imm["rome"]["code"] == "K1304"
    assert imm["status"] == "assessed" and imm["assessment"]["behaviour_label"] == "Très bien"
    assert "tutor" not in json.dumps(imm)  # a third party's name stays where it was
    profile = bundle["job_profile"]
    assert [j["code"] for j in profile["target_jobs"]] == [AIDE_A_DOMICILE]
    assert profile["commune_insee"] == "29019" and profile["has_driving_licence"] is True
    # The readable summary lists the badge and the latest levels.
    text = _pdf_text(bundle_pdf(bundle))
    assert "Mes badges" in text and "Accueil du public" in text
    assert "Mes comp" in text and "2/4" in text and "Ti Aide Services" in text


def test_schema_refuses_a_broken_v2_bundle(skilled, person_actor):
    bundle = bundle_for(person_actor, skilled.public_id)
    broken = copy.deepcopy(bundle)
    broken["skills_evaluations"][0]["scores"][0]["level"] = 9
    del broken["badges"][0]["credential"]["proof"]
    where = {e["path"] for e in bundle_errors(broken)}
    assert "skills_evaluations/0/scores/0/level" in where and "badges/0/credential" in where
    # v2 sections are not version 1: a v1 file carrying them is refused
    v1 = {**bundle, "$schema": "urn:passeport:bundle:1", "format_version": 1}
    assert bundle_errors(v1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(v1, SCHEMA_V1)


def test_round_trip_between_two_organisations(skilled, person_actor, org):
    exported = bundle_for(person_actor, skilled.public_id)
    issuer_key = IssuerKey.objects.get(issuer__organisation=org)
    _moved(exported)
    admin = importer_admin()
    preview = bundle_preview(admin, exported)
    assert (preview["skills_evaluations"], preview["badges"], preview["immersions"],
            preview["job_profile"]) == (3, 1, 1, True)
    assert preview["skills_unknown"] == [] and preview["exported_on"] == timezone.localdate()
    assert preview["birth_date"] == dt.date.fromisoformat(exported["person"]["birth_date"])
    _admin, result = _import(exported, admin)
    assert result["skipped"] == []
    assert result["counts"]["skills_evaluations"] == 3 and result["counts"]["badges"] == 1
    assert result["counts"]["immersions"] == 1 and result["counts"]["job_profile"] == 1
    person = Person.objects.get(public_id=exported["person"]["public_id"])
    # The evaluations, as they were: who, when, which levels (the ROME grid is built here).
    evaluations = {e.grid.code: e for e in Evaluation.objects.filter(person=person)}
    assert set(evaluations) == {"transversal", "rome-k1304-sf", "rome-k1304-se"}
    employer_eval = evaluations["rome-k1304-se"]
    assert employer_eval.source == "employer" and employer_eval.organisation.name == "Ti Aide Services"
    assert [(s.item.code, s.level) for s in employer_eval.scores.all()] == [(str(ECOUTE), 4)]
    transversal = evaluations["transversal"]
    assert transversal.evaluated_on == timezone.localdate() - dt.timedelta(days=40)
    assert transversal.evaluator_label.startswith("Rozenn") and transversal.comment == "Bilan à mi-parcours"
    # The badge is in the person's wallet, the credential unchanged, and still verifies,
    # here and with a verifier that shares no code with Passeport.
    [kept] = ImportedBadge.objects.filter(person=person)
    assert kept.payload == exported["badges"][0]["credential"] and kept.verified
    assert kept.name == "Accueil du public" and kept.issuer_name == "Mission locale du Pays de Brest"
    assert independent.verify(kept.payload, independent.public_key(issuer_key.public_key_multibase))
    assert not wallet_of(person)  # not re-issued as a badge of this instance
    # The immersion: a job event on the imported path (the model needs the employer and
    # the prescriber as organisations of this instance).
    assert not Immersion.objects.filter(person=person).exists()
    event = TimelineEvent.objects.get(path__person=person, kind=EventKind.JOB,
                                      title__startswith="Immersion chez Ti Aide Services : ")
    assert "(K1304)" in event.title and "savoir-être très bien" in event.body
    assert "Très à l'écoute des personnes aidées." in event.body
    # The job profile.
    profile = CandidateProfile.objects.get(person=person)
    assert [a.pk for a in profile.target_appellations.all()] == [AIDE_A_DOMICILE]
    assert profile.max_distance_km == 30 and profile.commune_id == "29019"
    # Every write audited; a second import adds nothing.
    mine = AuditEvent.objects.filter(person_uid=person.public_id, organisation=admin.organisation,
                                     detail__imported_from=exported["source"]["instance"])
    assert mine.filter(object_type="skill_evaluation").count() == 3
    assert mine.filter(object_type__in=["imported_badge", "job_profile"]).count() == 2
    again = bundle_preview(admin, exported)
    assert again["new_items"] == 0
    _admin, second = _import(exported, admin)
    assert second["counts"] == {} and ImportedBadge.objects.filter(person=person).count() == 1
    assert Evaluation.objects.filter(person=person).count() == 3
    # Exported again from here, it carries the same evaluations and the same badge.
    round_trip = bundle_build(person)
    jsonschema.validate(round_trip, SCHEMA)
    assert round_trip["badges"][0]["credential"] == exported["badges"][0]["credential"]

    def levels(bundle):
        return sorted((e["grid"]["code"], e["source"], e["evaluated_on"],
                       tuple((s["code"], s["level"]) for s in e["scores"]))
                      for e in bundle["skills_evaluations"])
    assert levels(round_trip) == levels(exported)


def test_a_version_1_bundle_still_imports(rich, person_actor):  # noqa: F811
    exported = bundle_for(person_actor, rich.public_id)
    v1 = {k: v for k, v in exported.items() if k not in V2_KEYS}
    v1.update({"$schema": "urn:passeport:bundle:1", "format_version": 1})
    jsonschema.validate(v1, SCHEMA_V1)
    _moved(v1)
    admin = importer_admin()
    preview = bundle_preview(admin, v1)
    assert preview["format_version"] == 1 and set(preview["sections_missing"]) == set(V2_KEYS)
    _admin, result = _import(v1, admin)
    assert result["person_created"] and result["skipped"] == []
    assert result["counts"]["path"] == 1 and "skills_evaluations" not in result["counts"]
    assert Person.objects.get(public_id=rich.public_id).paths.count() == 1


def test_a_tampered_badge_is_reported_not_kept_and_the_rest_imports(skilled, person_actor):
    exported = bundle_for(person_actor, skilled.public_id)
    tampered = copy.deepcopy(exported)
    tampered["badges"][0]["credential"]["credentialSubject"]["achievement"]["name"] = "Direction générale"
    tampered["skills_evaluations"][0]["grid"]["code"] = "org99-0123456789"  # another instance's own grid
    tampered["skills_evaluations"][1]["scores"].append(  # an item unknown here
        {"code": "999999", "label": "Compétence d'ailleurs", "level": 2})
    _moved(exported)
    admin = importer_admin()
    preview = bundle_preview(admin, tampered)
    assert [u["reason"] for u in preview["skills_unknown"]] == [
        "grille inconnue ici : non importée",
        "compétences inconnues ici, laissées de côté : Compétence d'ailleurs"]
    _admin, result = _import(tampered, admin)
    skipped = {(s["section"], s["ref"]): s for s in result["skipped"]}
    badge = skipped[("badges", tampered["badges"][0]["ref"])]
    assert "pas authentique" in badge["reason"]
    assert "inconnue ici" in skipped[("skills_evaluations", tampered["skills_evaluations"][0]["ref"])]["reason"]
    assert skipped[("skills_evaluations", tampered["skills_evaluations"][1]["ref"])]["reason"] == (
        "compétence « Compétence d'ailleurs » inconnue dans cette grille")
    person = Person.objects.get(public_id=exported["person"]["public_id"])
    assert not ImportedBadge.objects.filter(person=person).exists()
    assert result["counts"]["path"] == 1 and result["counts"]["immersions"] == 1
    assert Evaluation.objects.filter(person=person).count() == 2  # the unknown grid's left out
    # fixed later (the same file without the forged badge): the badge is kept then
    _admin, later = _import(exported, admin)
    assert later["counts"] == {"badges": 1, "skills_evaluations": 1}
    assert ImportedBadge.objects.filter(person=person, verified=True).count() == 1


def test_an_exporter_without_the_skills_consent_gets_no_skills(skilled, person_actor, actor, org):
    """The person's own export carries everything; a context whose organisation holds no
    « skills » (nor « jobs ») consent gets neither the evaluations nor the badges (nor the
    immersions and profile). Professionals still cannot take a passport away."""
    assert {"skills_evaluations", "badges", "immersions", "job_profile"} <= set(
        bundle_for(person_actor, skilled.public_id))
    skilled.consents.filter(organisation=org, scope__in=["skills", "jobs"]).delete()
    scopes = bundle_scopes(actor, skilled)
    assert ConsentScope.SKILLS not in scopes and ConsentScope.PATH in scopes
    bundle = bundle_build(skilled, scopes=scopes)
    assert not set(V2_KEYS) & set(bundle) and "Accueil du public" not in json.dumps(bundle)
    jsonschema.validate(bundle, SCHEMA)
    assert bundle_scopes(person_actor, skilled) == set(ConsentScope.values)
    with pytest.raises(NotFound):
        bundle_for(actor, skilled.public_id)
    # its import says what the file does not carry
    assert set(bundle_preview(importer_admin(), {**bundle, "person": {
        **bundle["person"], "public_id": "AAAA-BBBB-CCCC"}})["sections_missing"]) == set(V2_KEYS)


def test_unknown_versions_are_refused_plainly(skilled, person_actor):
    bundle = bundle_for(person_actor, skilled.public_id)
    with pytest.raises(PasseportError) as exc:
        _import({**bundle, "format_version": 3})
    assert "qui lit les versions 1 et 2" in exc.value.message
    with pytest.raises(PasseportError) as exc:  # a v2 file claiming the v1 identifier
        _import({**bundle, "$schema": "urn:passeport:bundle:1"})
    assert "ne correspond pas à sa version (2)" in exc.value.message


def test_the_import_page_counts_the_new_sections_and_lists_what_is_left_out(client, skilled, person_actor):
    from .test_bundle_import_page import confirm, preview, text

    exported = bundle_for(person_actor, skilled.public_id)
    exported["badges"][0]["credential"]["name"] = "Badge retouché"
    _moved(exported)
    admin = importer_admin()
    client.force_login(admin.user)
    page = preview(client, exported)
    html = text(page)
    assert page.status_code == 200 and "rien n'est encore importé" in html
    facts = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Évaluations de compétences 3" in facts and "Immersions 1 (inscrite" in facts
    assert "Open Badges 1 (vérifié à l'import" in facts and "Profil emploi oui" in facts
    assert date_format(timezone.localdate(), "F Y") in facts  # the export's date, the French way
    done = confirm(client, page)
    result = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(done)))
    assert done.status_code == 200 and "Passeport importé" in result
    assert "1 élément n'a pas pu être gardé ici" in result and "Badge retouché : Ce badge n'est pas authentique" in result
    assert "Le reste du passeport est importé." in result


def test_the_api_import_lists_what_is_left_out(client, skilled, person_actor):
    from ..api.conftest import JsonApi

    exported = bundle_for(person_actor, skilled.public_id)
    exported["badges"][0]["credential"]["validFrom"] = "2020-01-01T00:00:00Z"  # back-dated
    _moved(exported)
    admin = importer_admin()
    client.force_login(admin.user)
    response = JsonApi(client).post("/bundles/import", {"bundle": exported, "consent": {
        "method": "written", "purpose": "Suivi", "attested": True}})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["counts"]["skills_evaluations"] == 3 and "badges" not in body["counts"]
    [left_out] = body["skipped"]
    assert left_out["section"] == "badges" and left_out["what"] == "Accueil du public"
    assert "pas authentique" in left_out["reason"]
