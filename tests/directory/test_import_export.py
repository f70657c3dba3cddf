"""Import of data·inclusion files (JSON and CSV) and export in the same schema."""

from __future__ import annotations

import json

import pytest
from data_inclusion.schema.v1 import Service as DiService
from data_inclusion.schema.v1 import Structure as DiStructure

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.errors import Forbidden
from passeport.directory import dataschema
from passeport.directory.dataschema import InvalidFile
from passeport.directory.models import Service, Structure
from passeport.directory.selectors import directory_export
from passeport.directory.services import directory_import, service_save, structure_save

from ..factories import MembershipFactory, OrganisationFactory
from .helpers import di_service, di_structure


@pytest.fixture
def admin_actor(org):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    return Actor(user=admin.user, membership=admin)


def as_json(structures, services) -> bytes:
    return json.dumps({"structures": structures, "services": services}).encode()


GOOD_AND_BAD = (
    [
        di_structure(),
        di_structure(id="dora--s2", nom="AB"),  # name too short
        di_structure(id="dora--s3", nom="Mission locale de Morlaix", code_insee="29151",
                     commune="Morlaix", code_postal="29600", siret=None),
    ],
    [
        di_service(),
        di_service(id="dora--sv2", nom="Garde d'enfants ponctuelle",
                   thematiques=["famille--garde-denfants"], publics=["familles"]),
        di_service(id="dora--sv3", thematiques=["mobilite--teleportation"]),  # unknown value
        di_service(id="dora--sv4", structure_id="dora--inconnue"),  # unknown structure
        di_service(id="dora--sv5", publics=["tous-publics", "jeunes"]),  # schema rule
        di_service(id="dora--sv6", date_maj="2999-01-01", courriel="pas-une-adresse"),
        di_service(id="dora--sv7", structure_id="dora--s3", nom="Atelier CV",
                   thematiques=["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
                   code_insee="29151", commune="Morlaix", code_postal="29600"),
    ],
)


def test_import_keeps_good_records_and_reports_bad_ones_with_their_reason(admin_actor):
    report = directory_import(actor=admin_actor, content=as_json(*GOOD_AND_BAD),
                              filename="offre.json")

    assert (report.structures.created, report.services.created) == (2, 3)
    assert report.skipped == 5
    reasons = {(e.kind, e.identifier): e.message for e in report.errors}
    assert reasons[("structure", "dora--s2")] == "nom : trop court (3 caractères au moins)"
    assert reasons[("service", "dora--sv3")] == (
        "thematiques : valeur inconnue « mobilite--teleportation »")
    assert "structure « dora--inconnue » inconnue" in reasons[("service", "dora--sv4")]
    assert "tous-publics" in reasons[("service", "dora--sv5")]
    assert "dans le futur" in reasons[("service", "dora--sv6")]
    assert "courriel : adresse e-mail invalide" in reasons[("service", "dora--sv6")]
    assert set(Structure.objects.values_list("di_id", flat=True)) == {"dora--s1", "dora--s3"}
    assert set(Service.objects.values_list("di_id", flat=True)) == {
        "dora--sv1", "dora--sv2", "dora--sv7"}
    permis = Service.objects.get(di_id="dora--sv1")
    assert permis.structure.nom == "Centre social Le Tournesol"
    assert permis.thematiques == ["mobilite--financer-ma-mobilite", "mobilite--preparer-un-permis"]
    assert (round(permis.geo_lat, 2), round(permis.geo_lon, 2)) == (48.39, -4.48)  # Brest


def test_import_again_updates_and_never_duplicates(admin_actor):
    directory_import(actor=admin_actor, content=as_json(*GOOD_AND_BAD), filename="offre.json")

    again = directory_import(actor=admin_actor, content=as_json(*GOOD_AND_BAD),
                             filename="offre.json")
    assert (again.structures.created, again.structures.updated, again.structures.unchanged) == (
        0, 0, 2)
    assert (again.services.created, again.services.updated, again.services.unchanged) == (0, 0, 3)

    structures, services = GOOD_AND_BAD
    changed = [*services[:1], di_service(id="dora--sv2", nom="Garde d'enfants le samedi",
                                         thematiques=["famille--garde-denfants"])]
    third = directory_import(actor=admin_actor, content=as_json(structures[:1], changed),
                             filename="offre.json")
    assert (third.services.created, third.services.updated, third.services.unchanged) == (0, 1, 1)
    assert Service.objects.count() == 3 and Structure.objects.count() == 2
    assert Service.objects.get(di_id="dora--sv2").nom == "Garde d'enfants le samedi"


def test_import_csv_with_lists_as_comma_separated_values(admin_actor):
    services = [di_service(), di_service(id="dora--sv2", nom="ab")]
    csv_text = dataschema.csv_text(services, dataschema.SERVICE_CSV_COLUMNS)
    assert "mobilite--preparer-un-permis,mobilite--financer-ma-mobilite" in csv_text
    directory_import(actor=admin_actor, content=as_json([di_structure()], []))

    report = directory_import(actor=admin_actor, content=csv_text.encode(), filename="s.csv")

    assert report.services.created == 1 and report.skipped == 1
    assert report.errors[0].index == 2 and report.errors[0].reasons == [
        "nom : trop court (3 caractères au moins)"]
    assert Service.objects.get().publics == ["demandeurs-emploi", "jeunes"]


def test_unreadable_file_imports_nothing(admin_actor):
    with pytest.raises(InvalidFile) as exc:
        directory_import(actor=admin_actor, content=b'{"structures": [', filename="x.json")
    assert exc.value.code == "invalid_file"
    with pytest.raises(InvalidFile):
        directory_import(actor=admin_actor, content=b"nom;ville\nA;B\n", filename="x.csv")
    assert Structure.objects.count() == 0


def test_source_passeport_is_reserved_to_organisations_own_offer(admin_actor):
    report = directory_import(actor=admin_actor,
                              content=as_json([di_structure(source="passeport")], []))
    assert report.structures.created == 0
    assert "réservée" in report.errors[0].message


def test_only_administrators_import(actor):
    with pytest.raises(Forbidden) as exc:
        directory_import(actor=actor, content=as_json([di_structure()], []))
    assert exc.value.code == "admin_required"


def test_structure_with_the_siret_of_an_organisation_receives_its_orientations(admin_actor):
    known = OrganisationFactory(name="Tournesol", siret="13003013300016")
    directory_import(actor=admin_actor, content=as_json([di_structure()], [di_service()]))
    assert Structure.objects.get(di_id="dora--s1").organisation == known
    assert Service.objects.get(di_id="dora--sv1").is_orientable


def test_export_is_valid_against_the_data_inclusion_models(admin_actor, org):
    directory_import(actor=admin_actor, content=as_json(*GOOD_AND_BAD))
    manager = MembershipFactory(organisation=org, role=Role.MANAGER)
    own = Actor(user=manager.user, membership=manager)
    structure = structure_save(actor=own, data={
        "nom": "Mission locale du Pays de Brest", "commune": "Brest", "code_postal": "29200",
        "courriel": "contact@ml-brest.example"})
    service_save(actor=own, structure=structure, data={
        "nom": "Permanence logement des jeunes", "description": "Conseils pour louer.",
        "thematiques": ["logement-hebergement--louer-un-logement"], "publics": ["jeunes"],
        "modes_accueil": ["en-presentiel", "a-distance"]})

    structures, services = directory_export()

    assert len(structures) == 3 and len(services) == 4
    for record in structures:
        DiStructure.model_validate(record)
    for record in services:
        DiService.model_validate(record)
    exported = {s["id"]: s for s in services}
    assert exported["dora--sv1"]["thematiques"] == ["mobilite--financer-ma-mobilite",
                                                    "mobilite--preparer-un-permis"]
    ours = next(s for s in services if s["source"] == "passeport")
    assert ours["structure_id"] == structure.di_id
    # The commune typed by name and postal code was completed with its INSEE code.
    assert next(s for s in structures if s["source"] == "passeport")["code_insee"] == "29019"
    # The export of a source imports back into the same records, unchanged.
    report = directory_import(actor=admin_actor, content=as_json(
        *directory_export(source="dora")))
    assert (report.structures.unchanged, report.services.unchanged, report.skipped) == (2, 3, 0)


def test_export_csv_reads_back(admin_actor):
    directory_import(actor=admin_actor, content=as_json(*GOOD_AND_BAD))
    _structures, services = directory_export()
    text = dataschema.csv_text(services, dataschema.SERVICE_CSV_COLUMNS)
    _s, read_back = dataschema.read_records(text.encode(), "services.csv")
    assert [DiService.model_validate(r).id for r in read_back] == [s["id"] for s in services]
