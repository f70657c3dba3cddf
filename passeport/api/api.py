"""The NinjaAPI instance: authentication, JSON errors with stable codes, routers."""

from __future__ import annotations

import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from passeport.core.errors import PasseportError

from .auth import AUTH
from .schemas import CUSTOM_ERROR_CODES


class PasseportAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document is built once per URL prefix and language: the
    routes are all registered at import, and building it costs about 2 s of CPU, which
    django-ninja otherwise spends again on every request of `/openapi.json` and of the
    docs page. (Read-only: callers serialise it, none changes it.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._openapi_cache: dict[tuple[str, str | None], dict] = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        schema = self._openapi_cache.get(key)
        if schema is None:
            schema = self._openapi_cache[key] = super().get_openapi_schema(
                path_prefix=path_prefix)
        return schema


api = PasseportAPI(
    title="Passeport API",
    version="1.0.0",
    description=(
        "API du passeport parcours insertion emploi formation.\n\n"
        "**Authentification** : jeton d'API de la structure (`Authorization: Bearer pp_…`, "
        "créé par un administrateur, révocable) ou session des pages (les requêtes POST, "
        "PATCH et DELETE portent alors l'en-tête `X-CSRFToken`).\n\n"
        "**Accès** : une personne n'est visible que si son accord (partie « parcours ») "
        "couvre votre structure ; sinon 404 `not_found`, comme pour ce qui n'existe pas. "
        "Chaque lecture de données d'une personne laisse une trace dans son journal "
        "d'accès.\n\n"
        "**Pagination** : par numéro de page pour la liste des personnes (`page`, "
        "`page_size`) ; par curseur pour l'historique et le journal d'accès (`cursor`, "
        "`next_cursor`).\n\n"
        "**Erreurs** : JSON `{\"code\": …, \"message\": …, \"field\": …}` avec un code "
        "stable ; 422 `invalid_input` pour une donnée mal formée, 400 pour une règle "
        "métier (ex. `invalid_nir`), 409 pour un conflit (ex. `duplicate_suspected`)."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


def _jsonable(errors: list) -> list:
    """Pydantic's errors carry the raw input (e.g. a form's getter object): keep them JSON."""
    return json.loads(json.dumps(errors, cls=DjangoJSONEncoder, default=str))


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    """422 `invalid_input` (or the stable code of a schema rule, e.g. `path_scope_required`),
    naming the first field in error; `details.errors` lists them all."""
    first = exc.errors[0] if exc.errors else {}
    # The location without the parameter source nor pydantic's hints about union members.
    loc = list(first.get("loc", []))
    loc = loc[2:] if loc[:1] == ["body"] else loc[1:]
    loc = [str(p) for p in loc if isinstance(p, int) or _FIELD_NAME.match(str(p))]
    code = first.get("type") if first.get("type") in CUSTOM_ERROR_CODES else "invalid_input"
    return api.create_response(
        request,
        error_body(code, first.get("msg", _("Données invalides.")),
                   ".".join(loc) or None, {"errors": _jsonable(exc.errors)}),
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
    code = {400: "bad_request", 403: "forbidden"}.get(exc.status_code, "http_error")
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


from .routers import register  # noqa: E402

register(api)
