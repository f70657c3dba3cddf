"""Fixtures of the rights tests. OpenFisca-France takes seconds to load: the tax-benefit
system is the module's singleton, built once per test session (and warmed up here)."""

from __future__ import annotations

import datetime as dt

import pytest

from passeport.people.enums import ConsentScope
from passeport.rights.engine import tax_benefit_system
from tests.factories import ConsentFactory, PathFactory, PersonFactory, UserFactory


@pytest.fixture(scope="session")
def engine():
    return tax_benefit_system()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit (the compute task, immediate backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def rights_path(org, referent, engine):
    """A person who opened their path and their rights to `org`."""
    person = PersonFactory(first_name="Gwen", last_name="Le Goff", birth_date=dt.date(1988, 3, 2),
                           commune_insee="29019", user=UserFactory(email="gwen@example.org"))
    for scope in (ConsentScope.PATH, ConsentScope.RIGHTS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    path = PathFactory(person=person, organisation=org, referent=referent,
                       housing_status="tenant", benefits=[])
    path.person = person
    return path


@pytest.fixture
def worker_mode(settings):
    """Estimates stay queued until the worker drains the queue."""
    settings.PASSEPORT_RIGHTS_QUEUE = "worker"
