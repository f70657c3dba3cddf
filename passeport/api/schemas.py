"""Input and output schemas shared by the routers. Inputs carry their constraints (so
that the OpenAPI document tells clients what is accepted); outputs never carry a
person's database id nor a NIR in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field, StringConstraints
from pydantic_core import PydanticCustomError

# Error types raised by schema validators that the API reports as the error `code`
# (other validation errors are reported as "invalid_input").
CUSTOM_ERROR_CODES = {"path_scope_required", "duplicate_theme"}


def custom_error(code: str, message: str) -> PydanticCustomError:
    assert code in CUSTOM_ERROR_CODES
    return PydanticCustomError(code, message)


def Text(max_length: int, *, required: bool = False):  # noqa: N802 - a type factory
    """A string, stripped, at most `max_length` characters (and not empty if required)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length,
                                            min_length=1 if required else 0)]


PublicId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")]


def aware(value: datetime | None) -> datetime | None:
    """A naive date-time from a client is read in the server's time zone (Europe/Paris)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class ErrorOut(Schema):
    code: str = Field(description="Code stable de l'erreur, ex. `not_found`, `invalid_nir`, "
                                  "`duplicate_suspected`, `invalid_input`.")
    message: str = Field(description="Message lisible, en français.")
    field: str | None = Field(None, description="Champ concerné, s'il y en a un.")
    details: dict[str, Any] | None = Field(
        None, description="Précisions : `errors` (validation), `candidates` (doublons).")


class OrganisationBrief(Schema):
    id: int
    name: str


class MemberBrief(Schema):
    id: int
    first_name: str
    last_name: str
    organisation: OrganisationBrief

    @staticmethod
    def resolve_first_name(obj) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj) -> str:
        return obj.user.last_name


class CursorPage(Schema):
    next_cursor: str | None = Field(
        None, description="À passer en `cursor` pour la page suivante ; absent à la fin.")
