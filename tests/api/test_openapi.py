"""The OpenAPI document renders, documents every resource and its errors, and the
interactive docs page loads."""

from __future__ import annotations

EXPECTED_PATHS = {
    "/api/v1/organisations/me", "/api/v1/organisations/me/members",
    "/api/v1/organisations/me/members/{member_id}", "/api/v1/organisations/me/tokens",
    "/api/v1/organisations/me/tokens/{token_id}", "/api/v1/persons",
    "/api/v1/persons/{public_id}", "/api/v1/persons/{public_id}/consents",
    "/api/v1/consents/{consent_id}/withdraw", "/api/v1/persons/{public_id}/access-log",
    "/api/v1/persons/{public_id}/path", "/api/v1/persons/{public_id}/diagnostic",
    "/api/v1/persons/{public_id}/objectives", "/api/v1/objectives/{objective_id}",
    "/api/v1/persons/{public_id}/actions", "/api/v1/actions/{action_id}",
    "/api/v1/persons/{public_id}/events", "/api/v1/events/{event_id}",
    "/api/v1/persons/{public_id}/work-hours",
}


def test_openapi_document_renders(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Passeport API"
    assert set(schema["paths"]) >= EXPECTED_PATHS
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    persons = schema["paths"]["/api/v1/persons"]
    assert {"page", "page_size", "q", "status"} <= {p["name"] for p in persons["get"]["parameters"]}
    assert "409" in persons["post"]["responses"] and "404" in persons["post"]["responses"]


def test_no_person_schema_exposes_a_database_id_or_a_clear_nir(client, db):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("PersonOut", "PersonListItem"):
        props = components[name]["properties"]
        assert "id" not in props and "nir" not in props and "nir_masked" in props
    constraints = components["WorkHoursIn"]["properties"]["hours_per_week"]
    assert (constraints["minimum"], constraints["maximum"]) == (1, 35)


def test_docs_page_loads(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_served_document_is_the_one_django_ninja_builds(client, db):
    """It is built once and kept: what is served is exactly a fresh build."""
    import json

    from ninja.openapi.schema import get_schema

    from passeport.api.api import api

    first = client.get("/api/v1/openapi.json").json()
    again = client.get("/api/v1/openapi.json").json()
    fresh = json.loads(json.dumps(get_schema(api=api, path_prefix="/api/v1/")))
    assert first == again == fresh
