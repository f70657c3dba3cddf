"""Builders of the directory tests: rows through the same derivation as the services,
and data·inclusion records for import files."""

from __future__ import annotations

import datetime as dt
import itertools

from passeport.directory.indexing import Geocoder, service_derive
from passeport.directory.models import Service, Structure

_seq = itertools.count(1)


def make_structure(**fields) -> Structure:
    n = next(_seq)
    fields.setdefault("source", "passeport")
    fields.setdefault("di_id", f"passeport--test-structure-{n}")
    fields.setdefault("nom", f"Structure de test {n}")
    fields.setdefault("date_maj", dt.date(2025, 1, 15))
    return Structure.objects.create(**fields)


def make_service(structure: Structure, **fields) -> Service:
    n = next(_seq)
    fields.setdefault("source", structure.source)
    fields.setdefault("di_id", f"{structure.source}--test-service-{n}")
    fields.setdefault("nom", f"Service de test {n}")
    fields.setdefault("description", "Un service pour les tests.")
    fields.setdefault("date_maj", dt.date(2025, 1, 15))
    service = Service(structure=structure, **fields)
    service_derive(service, structure, Geocoder())
    service.save()
    return service


def di_structure(**over) -> dict:
    record = {
        "source": "dora", "id": "dora--s1", "nom": "Centre social Le Tournesol",
        "date_maj": "2025-02-14", "siret": "13003013300016", "commune": "Brest",
        "code_postal": "29200", "code_insee": "29019", "adresse": "3 rue de Siam",
        "courriel": "accueil@tournesol.example", "telephone": "+33298000000",
    }
    record.update(over)
    return record


def di_service(**over) -> dict:
    record = {
        "source": "dora", "structure_id": "dora--s1", "id": "dora--sv1",
        "nom": "Aide au permis de conduire",
        "description": "Financement et accompagnement pour passer le permis B.",
        "date_maj": "2025-02-14", "type": "aide-financiere",
        "thematiques": ["mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"],
        "publics": ["jeunes", "demandeurs-emploi"], "frais": "gratuit",
        "modes_accueil": ["en-presentiel"], "code_insee": "29019", "commune": "Brest",
        "code_postal": "29200", "zone_eligibilite": ["29"],
        "modes_mobilisation": ["telephoner", "envoyer-un-courriel"],
        "mobilisable_par": ["professionnels"],
    }
    record.update(over)
    return record
