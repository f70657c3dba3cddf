from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def me_client(client, followed_path):
    """The followed person, signed in to her own space."""
    person = followed_path.person
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    client.force_login(person.user)
    return client
