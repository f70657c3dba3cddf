from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.paths.enums import ActionStatus, EventKind, ObjectiveStatus
from passeport.paths.models import Objective, TimelineEvent
from passeport.people.enums import ConsentScope
from tests.factories import (
    ActionFactory,
    ConsentFactory,
    PathFactory,
    PersonFactory,
    UserFactory,
)


@pytest.fixture
def person(followed_path):
    """Élodie, followed by the référent Rozenn, with her own access to her passport."""
    person = followed_path.person
    person.user = UserFactory(email="elodie@example.org", first_name=person.first_name,
                              last_name=person.last_name)
    person.save()
    return person


@pytest.fixture
def person_actor(person):
    return Actor(user=person.user, membership=None)


@pytest.fixture
def me_client(client, person):
    client.force_login(person.user)
    return client


@pytest.fixture
def my_action(followed_path):
    """An action Élodie has to do herself, validated by her référent."""
    return ActionFactory(path=followed_path, title="Faire mon CV", for_person=True,
                         status=ActionStatus.TODO, organisation=followed_path.organisation,
                         due_on=timezone.localdate() + dt.timedelta(days=7))


@pytest.fixture
def pro_action(followed_path, referent):
    """An action of the référent, for Élodie."""
    return ActionFactory(path=followed_path, title="Appeler le bailleur social",
                         for_person=False, status=ActionStatus.IN_PROGRESS,
                         organisation=followed_path.organisation, assignee=referent)


@pytest.fixture
def other_person(other_org):
    """Another person, with her own account and path in another organisation."""
    person = PersonFactory(first_name="Maëlle", last_name="Tanguy",
                           user=UserFactory(email="maelle@example.org"))
    ConsentFactory(person=person, organisation=other_org, scope=ConsentScope.PATH)
    path = PathFactory(person=person, organisation=other_org)
    ActionFactory(path=path, title="Action secrète de Maëlle", for_person=True)
    Objective.objects.create(path=path, title="Objectif secret de Maëlle",
                             status=ObjectiveStatus.ACTIVE)
    TimelineEvent.objects.create(path=path, kind=EventKind.NOTE, title="Note secrète de Maëlle")
    return person
