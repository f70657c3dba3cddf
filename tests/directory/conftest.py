"""Fixtures of the directory tests: the communes (loaded by the data migration; loaded
again if a transactional test emptied the table), partner organisations, services."""

from __future__ import annotations

import pytest

from passeport.core.enums import OrganisationKind, Role
from passeport.directory.communes import load_communes
from passeport.directory.models import Commune, CommunePostalCode

from ..factories import MembershipFactory, OrganisationFactory
from .helpers import make_service, make_structure


@pytest.fixture(autouse=True)
def communes(db):
    if not Commune.objects.filter(code_insee="29019").exists():
        load_communes(Commune, CommunePostalCode)


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="Garage solidaire de Quimper", kind=OrganisationKind.ASSOCIATION,
                               commune_insee="29232", commune_name="Quimper",
                               email="contact@garage-solidaire.example")


@pytest.fixture
def partner(partner_org):
    """A manager of the partner organisation."""
    return MembershipFactory(organisation=partner_org, role=Role.MANAGER,
                             user__first_name="Yann", user__last_name="Le Gall")


@pytest.fixture
def partner_structure(partner_org):
    return make_structure(organisation=partner_org, nom="Garage solidaire de Quimper",
                          code_insee="29232", commune="Quimper", code_postal="29000")


@pytest.fixture
def partner_service(partner_structure):
    """A mobility service of the partner, in Landerneau (about 20 km from Brest)."""
    return make_service(partner_structure, nom="Location de voitures à 2 € par jour",
                        thematiques=["mobilite--acceder-a-un-vehicule"],
                        code_insee="29103", commune="Landerneau", code_postal="29800",
                        modes_accueil=["en-presentiel"])
