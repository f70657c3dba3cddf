"""Communes (lookup, distance) and the search of services."""

from __future__ import annotations

import pytest

from passeport.directory.geo import bounding_box, distances_from, haversine_km
from passeport.directory.models import Commune
from passeport.directory.selectors import (
    ServiceFilters,
    commune_get,
    commune_of_person,
    communes_lookup,
    distance_km,
    services_search,
)

from ..factories import PersonFactory
from .helpers import make_service, make_structure


def names(communes):
    return [c.name for c in communes]


def test_the_communes_are_shipped_with_the_project():
    assert Commune.objects.count() == 35014
    brest = commune_get("29019")
    assert (brest.name, brest.postal_codes, brest.departement, brest.region) == (
        "Brest", "29200", "29", "53")
    assert brest.population > 100_000 and brest.has_coordinates
    assert commune_get("2A004").name == "Ajaccio"


@pytest.mark.parametrize("typed,first", [
    ("29200", "Brest"),
    ("quimperle", "Quimperlé"),
    ("QUIMPERLÉ", "Quimperlé"),
    ("St Malo", "Saint-Malo"),
    ("saint-pol-de-leon", "Saint-Pol-de-Léon"),
    ("Brest (29200)", "Brest"),
    ("29019", "Brest"),
    ("2a004", "Ajaccio"),
    ("Landern", "Landerneau"),
])
def test_lookup_by_postal_code_or_name_accent_insensitive(typed, first):
    assert names(communes_lookup(typed))[0] == first


def test_lookup_of_a_postal_code_shared_by_several_communes_puts_the_largest_first():
    found = communes_lookup("29800")  # Landerneau and its neighbours
    assert found[0].name == "Landerneau" and len(found) > 1
    assert all("29800" in c.postal_code_list for c in found)


def test_lookup_of_a_common_name_puts_the_largest_first():
    assert names(communes_lookup("Saint-Denis"))[:2] == ["Saint-Denis", "Saint-Denis"]
    assert communes_lookup("Saint-Denis")[0].departement == "974"  # 155,000 inhabitants
    assert communes_lookup("Saint-Denis 93200")[0].departement == "93"


def test_nothing_found():
    assert communes_lookup("Zzyzx") == [] and communes_lookup("  ") == []


def test_distance_between_communes():
    brest, quimper = commune_get("29019"), commune_get("29232")
    assert distance_km(brest, quimper) == pytest.approx(52.3, abs=0.1)
    assert distance_km(brest, brest) == 0
    assert haversine_km(48.85091, 2.35373, 43.2976, 5.36943) == pytest.approx(661, abs=2)
    from_paris = distances_from(48.85091, 2.35373)  # the search's fast form, same result
    assert from_paris(43.2976, 5.36943) == pytest.approx(
        haversine_km(48.85091, 2.35373, 43.2976, 5.36943), rel=1e-12)


def test_bounding_box_contains_the_circle():
    box = bounding_box(48.39, -4.48, 30)
    for bearing_lat, bearing_lon in ((30 / 111.2, 0), (0, 30 / 73.8)):
        assert box.min_lat <= 48.39 - bearing_lat and box.max_lat >= 48.39 + bearing_lat
        assert box.min_lon <= -4.48 - bearing_lon and box.max_lon >= -4.48 + bearing_lon


def test_commune_of_a_person_by_insee_code_else_postal_code(db):
    assert commune_of_person(PersonFactory(commune_insee="29232")).name == "Quimper"
    assert commune_of_person(PersonFactory(commune_insee="", postal_code="29600")).name == "Morlaix"
    assert commune_of_person(PersonFactory(commune_insee="", postal_code="")) is None


# --- search --------------------------------------------------------------------------

@pytest.fixture
def offer(db):
    """Mobility services at known distances from Brest, and others."""
    structure = make_structure(nom="Plateforme mobilité du Finistère")
    at = {}
    for name, code in [("Brest", "29019"), ("Guipavas", "29075"), ("Landerneau", "29103"),
                       ("Quimper", "29232"), ("Morlaix", "29151"), ("Rennes", "35238")]:
        at[name] = make_service(structure, nom=f"Auto-école sociale de {name}",
                                thematiques=["mobilite--preparer-un-permis"], code_insee=code,
                                commune=name, modes_accueil=["en-presentiel"],
                                publics=["tous-publics"])
    at["garde"] = make_service(structure, nom="Crèche à horaires décalés",
                               thematiques=["famille--garde-denfants"], code_insee="29019",
                               publics=["familles"])
    at["jeunes"] = make_service(structure, nom="Bourse au permis des jeunes",
                                description="Aide financière au permis pour les moins de 26 ans.",
                                thematiques=["mobilite--financer-ma-mobilite"],
                                code_insee="29235", publics=["jeunes"],
                                modes_accueil=["a-distance"])
    at["hidden"] = make_service(structure, nom="Ancien service mobilité",
                                thematiques=["mobilite--preparer-un-permis"], code_insee="29019",
                                is_published=False)
    return at


def search(**kw):
    kw.setdefault("commune", commune_get("29019"))
    return services_search(ServiceFilters(**kw), page_size=50)


def test_distance_search_returns_the_services_inside_the_radius_only_sorted(offer):
    result = search(thematique="mobilite", radius_km=30)

    assert [h.service.nom for h in result.hits] == [
        "Auto-école sociale de Brest",  # 0 km
        "Bourse au permis des jeunes",  # Le Relecq-Kerhuon, 7 km
        "Auto-école sociale de Guipavas",  # 7 km
        "Auto-école sociale de Landerneau",  # 20 km
    ]
    distances = [h.distance_km for h in result.hits]
    assert distances == sorted(distances) and distances[-1] <= 30
    assert distances[0] == 0 and 17 < distances[-1] < 22
    assert result.total == 4

    wider = search(thematique="mobilite", radius_km=60)
    assert [h.service.nom for h in wider.hits][-2:] == [
        "Auto-école sociale de Quimper",  # 52.3 km
        "Auto-école sociale de Morlaix",  # 52.6 km
    ]
    assert all(h.distance_km <= 60 for h in wider.hits)
    assert "Auto-école sociale de Rennes" not in [h.service.nom for h in wider.hits]


def test_search_by_thematique_public_and_mode_d_accueil(offer):
    permis = search(thematique="mobilite--preparer-un-permis", radius_km=30)
    assert [h.service.nom for h in permis.hits] == [
        "Auto-école sociale de Brest", "Auto-école sociale de Guipavas",
        "Auto-école sociale de Landerneau"]
    # A service for everyone answers every public; the one meant for it comes first.
    youth = search(thematique="mobilite", public="jeunes", radius_km=30)
    assert youth.hits[0].service.nom == "Bourse au permis des jeunes"
    assert youth.total == 4
    families = search(public="familles", radius_km=5)
    assert "Bourse au permis des jeunes" not in [h.service.nom for h in families.hits]
    remote = search(mode_accueil="a-distance", radius_km=30)
    assert [h.service.nom for h in remote.hits] == ["Bourse au permis des jeunes"]


def test_free_text_search_is_accent_insensitive_and_ranks_name_matches_first(offer):
    result = search(q="PERMIS jeunes", radius_km=30)
    assert [h.service.nom for h in result.hits][0] == "Bourse au permis des jeunes"
    assert search(q="crèche", radius_km=5).hits[0].service.nom == "Crèche à horaires décalés"
    assert search(q="creches", radius_km=5).total == 1  # plural, no accent
    # The labels of the thématiques are searched too.
    assert search(q="garde d'enfants", radius_km=5).hits[0].service == offer["garde"]


def test_search_without_commune_lists_every_published_service(offer):
    result = services_search(ServiceFilters(thematique="mobilite"), page_size=3)
    assert result.total == 7 and result.pages == 3
    assert all(h.distance_km is None for h in result.hits)
    assert offer["hidden"] not in [h.service for h in result.hits]
    assert services_search(ServiceFilters(q="jeunes permis")).hits[0].service.nom == (
        "Bourse au permis des jeunes")


def test_search_pages(offer):
    first = services_search(ServiceFilters(commune=commune_get("29019"), radius_km=100,
                                           thematique="mobilite"), page=1, page_size=2)
    second = services_search(ServiceFilters(commune=commune_get("29019"), radius_km=100,
                                            thematique="mobilite"), page=2, page_size=2)
    assert first.total == second.total == 6 and first.has_next and second.has_previous
    assert {h.service.pk for h in first.hits}.isdisjoint({h.service.pk for h in second.hits})
    assert first.hits[-1].distance_km <= second.hits[0].distance_km


def test_reindex_derives_the_search_fields_again(offer):
    from django.core.management import call_command

    from passeport.directory.models import Service
    Service.objects.update(categories_mask=0, geo_lat=None, tags="")
    assert search(thematique="mobilite", radius_km=30).total == 0
    call_command("directory_reindex")
    assert search(thematique="mobilite", radius_km=30).total == 4
