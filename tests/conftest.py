from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.people.enums import ConsentScope

from .browser_support import axe, browser, page  # noqa: F401  (browser fixtures, defined once)
from .factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
)


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Mission locale du Pays de Brest")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="PLIE de Cornouaille")


@pytest.fixture
def referent(org):
    return MembershipFactory(organisation=org, role=Role.REFERENT,
                             user__first_name="Rozenn", user__last_name="Le Bihan")


@pytest.fixture
def manager(org):
    return MembershipFactory(organisation=org, role=Role.MANAGER)


@pytest.fixture
def outsider(other_org):
    return MembershipFactory(organisation=other_org, role=Role.MANAGER)


@pytest.fixture
def actor(referent):
    return Actor(user=referent.user, membership=referent)


@pytest.fixture
def outsider_actor(outsider):
    return Actor(user=outsider.user, membership=outsider)


@pytest.fixture
def followed_path(org, referent):
    """A person who opened their path to `org`, followed by `referent`."""
    person = PersonFactory(first_name="Élodie", last_name="Kerouac")
    for scope in (ConsentScope.PATH, ConsentScope.RIGHTS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    return PathFactory(person=person, organisation=org, referent=referent)


@pytest.fixture
def pro_client(client, referent):
    client.force_login(referent.user)
    return client
