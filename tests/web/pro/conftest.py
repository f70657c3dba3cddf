from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.core.enums import Role
from passeport.paths.enums import ActionStatus, AppointmentOutcome, EventKind, ObjectiveStatus
from passeport.paths.models import Objective, TimelineEvent
from tests.factories import ActionFactory, MembershipFactory


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN,
                             user__first_name="Gwenaëlle", user__last_name="Morvan")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin.user)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider.user)
    return client


@pytest.fixture
def rich_path(followed_path, referent):
    """The followed path with an objective, actions (one proposed by the person), an
    appointment and a message from the person not yet seen."""
    path = followed_path
    today = timezone.localdate()
    objective = Objective.objects.create(path=path, title="Retrouver un logement stable",
                                         status=ObjectiveStatus.ACTIVE, created_by=referent.user)
    Objective.objects.create(path=path, title="Passer le permis", status=ObjectiveStatus.PROPOSED,
                             proposed_by_person=True)
    ActionFactory(path=path, objective=objective, title="Déposer le dossier de logement social",
                  due_on=today - dt.timedelta(days=3), organisation=path.organisation)
    ActionFactory(path=path, title="M'inscrire à l'auto-école", status=ActionStatus.PROPOSED,
                  proposed_by_person=True, for_person=True, due_on=today + dt.timedelta(days=20))
    TimelineEvent.objects.create(path=path, kind=EventKind.APPOINTMENT, title="Premier entretien",
                                 appointment_outcome=AppointmentOutcome.PLANNED,
                                 author=referent.user, organisation=path.organisation)
    TimelineEvent.objects.create(path=path, kind=EventKind.MESSAGE, title="Message d'Élodie",
                                 body="Je ne pourrai pas venir jeudi.", by_person=True)
    return path
