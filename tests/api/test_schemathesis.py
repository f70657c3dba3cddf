"""A schemathesis run over the whole OpenAPI document: every operation gets generated
requests (valid and invalid), authenticated with an organisation's API token, and none
may answer a server error (5xx). Bounded in time: a few examples per operation, no
shrinking deadline. Part of `make test` (it is an ordinary pytest test)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the requests run inside the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# SCHEMATHESIS_EXAMPLES=40 SCHEMATHESIS_RANDOM=1 for a longer, randomised hunt.
@settings(max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", 8)), deadline=None,
          derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case, org_token, full_path):
    response = case.call(headers={"Authorization": f"Bearer {org_token.raw}"})
    case.validate_response(response, checks=[not_a_server_error])


def test_found_by_schemathesis_month_year_zero_is_a_clear_error(api):
    """`0000-01` matched the month pattern and crashed `date.fromisoformat` (500)."""
    response = api.post("/rights/screenings", {"month": "0000-01"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "month"


def test_found_by_schemathesis_vault_log_cursor_of_unicode_digits(api, person):
    """`²` passes `str.isdigit()` but not `int()`: a clear `invalid_cursor`, not a 500."""
    response = api.get(f"/vault/persons/{person.public_id}/log", {"cursor": "²"})
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_cursor"


REAL_IDS = {"public_id": "pid", "objective_id": "objective", "action_id": "action",
            "event_id": "event", "consent_id": "consent"}


@schema.parametrize()
@settings(max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", 5)), deadline=None,
          derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error_on_real_objects(case, org_token, full_path):
    """The same, with the path's real identifiers in the URL, so that generated queries
    and bodies reach the handlers and services instead of stopping at a 404."""
    for name, key in REAL_IDS.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = full_path.ids[key]
    response = case.call(headers={"Authorization": f"Bearer {org_token.raw}"})
    case.validate_response(response, checks=[not_a_server_error])


def test_found_by_schemathesis_huge_page_number_is_a_clear_error(api):
    """A page number past 2**63 overflowed the database's offset (500)."""
    response = api.get("/directory/services", {"page": "75320791052340506394624"})
    assert response.status_code == 422 and response.json()["field"] == "page"


def test_found_by_schemathesis_upload_without_fields_is_a_clear_error(api, person):
    """The missing-fields error of a multipart upload carried pydantic's raw input, which
    JSON could not encode (500): now 422 `invalid_input` naming the field."""
    from passeport.people.enums import ConsentScope

    from ..factories import ConsentFactory

    ConsentFactory(person=person, organisation=person.consents.first().organisation,
                   scope=ConsentScope.DOCUMENTS)
    response = api.client.post(f"/api/v1/vault/persons/{person.public_id}/documents",
                               HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input" and response.json()["field"] == "category"


_SESSION: dict[str, str] = {}


def _with_admin_session(environ, start_response):
    """The WSGI app behind a browser of an administrator: werkzeug's test client sets
    the Cookie header from its own (empty) jar, so the session is put in here."""
    if not _SESSION:  # loading the OpenAPI document
        return application(environ, start_response)
    environ.pop("HTTP_AUTHORIZATION", None)  # schemathesis fills it (empty bearer) too
    environ["HTTP_COOKIE"] = f"sessionid={_SESSION['id']}; csrftoken={_SESSION['csrf']}"
    environ["HTTP_X_CSRFTOKEN"] = _SESSION["csrf"]
    return application(environ, start_response)


@pytest.fixture
def admin_schema(db):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _with_admin_session)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_session(client, full_path):
    """An administrator of the path's organisation logged in through the pages' session,
    with Django's CSRF cookie and header (the routes kept for administrators' sessions:
    members, tokens, webhook subscriptions, bundle import)."""
    from passeport.core.enums import Role

    from ..factories import MembershipFactory

    admin = MembershipFactory(organisation=full_path.organisation, role=Role.ADMIN)
    client.force_login(admin.user)
    _SESSION.update(id=client.cookies["sessionid"].value, csrf="k" * 32)
    yield admin
    _SESSION.clear()


admin_schema_ = schemathesis.pytest.from_fixture("admin_schema")


@admin_schema_.parametrize()
@settings(max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", 5)), deadline=None,
          derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error_as_an_administrator_by_session(case, admin_session, full_path):
    """The same as an administrator logged in by session (with CSRF), real ids."""
    for name, key in REAL_IDS.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = full_path.ids[key]
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code != 401, "the session must be accepted"
    if response.status_code == 403:
        assert response.json()["code"] != "csrf_failed"


def test_found_by_schemathesis_nul_character_is_a_clear_error(api):
    """A name with U+0000 crashed PostgreSQL on insert (500): every API request carrying
    one in its JSON body or query string gets 422 `invalid_character`."""
    response = api.post("/skills/badge-classes", {"name": "Badge\u0000", "description": "d",
                                                  "criteria": "c", "achievement_type": "Certificate"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_character"
    response = api.get("/persons", {"q": "Le\u0000Gall"})
    assert response.status_code == 422
