from __future__ import annotations

import pytest

from passeport.people.enums import ConsentScope
from passeport.skills.services import badge_award, badge_class_create
from tests.factories import ConsentFactory, PathFactory, PersonFactory


@pytest.fixture
def learner(org, referent):
    """A person who opened their path and their skills to `org`."""
    person = PersonFactory(first_name="Maëlys", last_name="Quéré", email="maelys@example.org")
    for scope in (ConsentScope.PATH, ConsentScope.SKILLS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    PathFactory(person=person, organisation=org, referent=referent)
    return person


@pytest.fixture
def badge_class(actor):
    return badge_class_create(
        actor=actor, name="Accueil du public", description="Accueillir et orienter des visiteurs.",
        criteria="Avoir accueilli des visiteurs pendant une immersion de deux semaines.",
        alignments=[{"framework": "ROME 4.0", "code": "M1601", "name": "Accueil et renseignements"}])


@pytest.fixture
def award(actor, learner, badge_class):
    return badge_award(actor=actor, badge_class_uid=badge_class.uid,
                       person_public_id=learner.public_id, evidence="Observé en immersion.")
