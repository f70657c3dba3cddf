"""Fixtures of the API tests: organisation tokens (created with the real service) and
a thin client that speaks JSON over Django's test client (real HTTP handling)."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.services import api_token_create
from passeport.paths.enums import EventKind
from passeport.paths.models import Objective, TimelineEvent
from passeport.people.enums import ConsentScope

from ..factories import ActionFactory, MembershipFactory

BASE = "/api/v1"


def valid_nir(base13: str = "2900529019123") -> str:
    """A NIR with its right key (97 - number mod 97)."""
    return f"{base13}{97 - int(base13) % 97:02d}"


class JsonApi:
    """Calls /api/v1 with a bearer token (or the client's session when token is None)."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(BASE + path, params or {}, **self._headers(headers))

    def post(self, path: str, body: dict | None = None, **headers):
        return self.client.post(BASE + path, body or {}, content_type="application/json",
                                **self._headers(headers))

    def patch(self, path: str, body: dict | None = None, **headers):
        return self.client.patch(BASE + path, body or {}, content_type="application/json",
                                 **self._headers(headers))

    def delete(self, path: str, **headers):
        return self.client.delete(BASE + path, **self._headers(headers))

    def call(self, method: str, path: str, body: dict | None = None):
        if method == "get":
            return self.get(path)
        return getattr(self, method)(path, body)


@pytest.fixture
def admin(org):
    return MembershipFactory(organisation=org, role=Role.ADMIN,
                             user__first_name="Gwenaëlle", user__last_name="Tanguy")


@pytest.fixture
def org_token(org):
    token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI de la structure")
    token.raw = raw
    return token


@pytest.fixture
def other_token(other_org):
    token, raw = api_token_create(actor=Actor.system(), organisation=other_org, name="SI du PLIE")
    token.raw = raw
    return token


@pytest.fixture
def api(client, org_token):
    return JsonApi(client, org_token.raw)


@pytest.fixture
def other_api(client, other_token):
    return JsonApi(client, other_token.raw)


@pytest.fixture
def person(followed_path):
    return followed_path.person


@pytest.fixture
def full_path(followed_path, referent):
    """The followed path with an objective, an action and an appointment."""
    objective = Objective.objects.create(path=followed_path, title="Trouver un logement")
    action = ActionFactory(path=followed_path, objective=objective, title="Dossier SIAO",
                           organisation=referent.organisation, assignee=referent)
    event = TimelineEvent.objects.create(path=followed_path, kind=EventKind.APPOINTMENT,
                                         title="Premier rendez-vous", appointment_outcome="planned",
                                         organisation=referent.organisation)
    consent = followed_path.person.consents.get(scope=ConsentScope.PATH)
    followed_path.ids = {"objective": objective.pk, "action": action.pk, "event": event.pk,
                         "consent": consent.pk, "pid": followed_path.person.public_id}
    return followed_path
