"""API: the REST API (django-ninja, OpenAPI 3 at /api/v1/openapi.json), one router per
domain; the same permission and consent rules as the pages."""
