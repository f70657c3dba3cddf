"""Fixtures of the jobs tests: the ROME referential and the communes (loaded by the data
migrations; loaded again if a transactional test emptied the tables), an employer with
a member, a person followed for « jobs » by the référent's organisation."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.enums import OrganisationKind, Role
from passeport.directory.communes import load_communes
from passeport.directory.models import Commune, CommunePostalCode
from passeport.jobs import models as jobs_models
from passeport.jobs.models import RomeAppellation
from passeport.jobs.rome import MODEL_NAMES, load_rome
from passeport.people.enums import ConsentScope

from ..factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
)

AIDE_A_DOMICILE = 10805  # K1304 Employé familial
CUISINIER = 13861  # G1609


@pytest.fixture(autouse=True)
def referential(db):
    if not Commune.objects.filter(code_insee="29019").exists():
        load_communes(Commune, CommunePostalCode)
    if not RomeAppellation.objects.filter(pk=AIDE_A_DOMICILE).exists():
        load_rome({name: getattr(jobs_models, name) for name in MODEL_NAMES})


def commune(code: str) -> Commune:
    return Commune.objects.get(code_insee=code)


@pytest.fixture
def employer_org(db):
    return OrganisationFactory(name="Ti Aide Services", kind=OrganisationKind.EMPLOYER,
                               commune_insee="29019", commune_name="Brest")


@pytest.fixture
def employer(employer_org):
    return MembershipFactory(organisation=employer_org, role=Role.MANAGER,
                             user__first_name="Gwen", user__last_name="Morvan")


@pytest.fixture
def employer_actor(employer):
    return Actor(user=employer.user, membership=employer)


@pytest.fixture
def jobs_person(org, referent):
    """A person in Brest who opened their path and « jobs » to the référent's org."""
    person = PersonFactory(first_name="Maëlle", last_name="Guivarc'h")
    for scope in (ConsentScope.PATH, ConsentScope.JOBS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    PathFactory(person=person, organisation=org, referent=referent)
    return person
