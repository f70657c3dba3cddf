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
