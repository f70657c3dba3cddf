from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.enums import Role

from ..api.conftest import org_token, other_token  # noqa: F401  (fixtures)
from ..factories import MembershipFactory
from ..vault.conftest import (  # noqa: F401  (the safe's fixtures: a person with an account)
    own_safe,
    person,
    person_actor,
    vault_settings,
)
from .receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN)


@pytest.fixture
def admin_actor(admin):
    return Actor(user=admin.user, membership=admin)
