"""The NinjaAPI instance: authentication, JSON errors with stable codes, routers."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from passeport.core.errors import PasseportError

from .auth import AUTH

api = NinjaAPI(
    title="Passeport API",
    version="1.0.0",
    description=(
        "API du passeport parcours insertion emploi formation. Authentification : jeton "
        "d'API de la structure (`Authorization: Bearer pp_…`) ou session. Chaque lecture "
        "de données d'une personne vérifie son consentement et laisse une trace d'audit. "
        "Les erreurs sont en JSON : `{\"code\": …, \"message\": …, \"field\": …}`."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(code: str, message: str, field: str | None = None, details: dict | None = None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    if details:
        body["details"] = details
    return body


@api.exception_handler(PasseportError)
def on_passeport_error(request, exc: PasseportError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.field, exc.details),
                               status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    return api.create_response(
        request,
        error_body("invalid_input", first.get("msg", _("Données invalides.")),
                   ".".join(loc) or None, {"errors": exc.errors}),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, error_body("unauthenticated", _("Authentification requise : jeton d'API ou session.")),
        status=401)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Ressource introuvable.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


from .routers import register  # noqa: E402

register(api)
