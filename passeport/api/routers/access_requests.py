"""Access requests: an organisation asks a person to open parts of their passport,
given the passport number the person told them. The person answers in their own space.

The answer to a request never tells whether the number is a passport: the request is
recorded and pending either way, and the person is named only once they accept.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.auth import actor
from passeport.api.pagination import keyset_page
from passeport.api.schemas import CursorPage, ErrorOut, Text
from passeport.people.enums import AccessRequestStatus, ConsentScope
from passeport.people.selectors import (
    access_request_get_for,
    access_requests_of_organisation,
    access_requests_shown,
)
from passeport.people.services import access_request_cancel, access_request_create

router = Router()


class AccessRequestIn(Schema):
    public_id: Text(20, required=True) = Field(
        description="Numéro de passeport donné par la personne (`7KQ2-M9XD-4HRT`, tirets, "
                    "espaces et minuscules acceptés). Mal formé : 400 `invalid_public_id`.")
    scopes: list[ConsentScope] = Field(min_length=1,
                                       description="Parties du passeport demandées.")
    purpose: Text(250, required=True) = Field(
        description="Pour quoi faire : la personne le lit avant de répondre.")
    message: Text(1000) = Field("", description="Message facultatif à la personne.")


class PersonNamed(Schema):
    public_id: str
    first_name: str
    last_name: str


class AccessRequestOut(Schema):
    id: int
    public_id: str = Field(description="Le numéro demandé, tel que saisi (normalisé).")
    scopes: list[ConsentScope]
    granted_scopes: list[ConsentScope] = Field(
        description="Les parties que la personne a acceptées (toutes ou une partie de "
                    "`scopes`) ; vide tant qu'elle n'a pas accepté.")
    purpose: str
    message: str
    status: AccessRequestStatus = Field(
        description="`pending` (en attente), `accepted`, `refused`, `expired` (sans "
                    "réponse à `expires_at`) ou `cancelled` (annulée par la structure).")
    requested_by: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    person: PersonNamed | None = Field(
        None, description="La personne, seulement si elle a accepté et n'a pas retiré "
                          "son accord depuis.")

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.current_status

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return obj.requested_by_label

    @staticmethod
    def resolve_person(obj):
        return obj.named_person


class AccessRequestListOut(CursorPage):
    items: list[AccessRequestOut]


@router.post("", response={201: AccessRequestOut, codes_4xx: ErrorOut},
             summary="Demander l'accès au passeport d'une personne",
             description="La personne reçoit la demande dans son espace (et un e-mail sans "
                         "données personnelles si elle a un compte) et l'accepte ou la "
                         "refuse. La réponse est la même que le numéro existe ou non : "
                         "201, statut `pending`, sans personne. Une demande en attente par "
                         "numéro (409 `access_request_pending`) ; nombre de demandes limité "
                         "par heure (429 `access_request_throttled`). Sans réponse, la "
                         "demande expire après 30 jours.")
def access_request_post(request, payload: AccessRequestIn):
    return Status(201, access_request_create(
        actor=actor(request), public_id=payload.public_id, scopes=payload.scopes,
        purpose=payload.purpose, message=payload.message))


@router.get("", response={200: AccessRequestListOut, codes_4xx: ErrorOut},
            summary="Les demandes d'accès de la structure",
            description="Les plus récentes d'abord, pagination par curseur. La personne "
                        "n'est nommée que pour les demandes acceptées (lecture tracée dans "
                        "son journal d'accès).")
def access_request_list(request, status: AccessRequestStatus | None = None,
                        cursor: str | None = None, limit: int = Query(50, ge=1, le=200)):
    a = actor(request)
    items, next_cursor = keyset_page(access_requests_of_organisation(a, status or ""),
                                     time_field="created_at", cursor=cursor, limit=limit)
    access_requests_shown(a, items)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{request_id}", response={200: AccessRequestOut, codes_4xx: ErrorOut},
            summary="Une demande d'accès de la structure",
            description="404 `not_found` pour la demande d'une autre structure.")
def access_request_detail(request, request_id: int):
    a = actor(request)
    access_request = access_request_get_for(a, request_id)
    if a.organisation_id is not None:
        access_requests_shown(a, [access_request])
    return access_request


@router.post("/{request_id}/cancel", response={200: AccessRequestOut, codes_4xx: ErrorOut},
             summary="Annuler une demande d'accès en attente",
             description="La personne ne voit plus la demande et ne peut plus y répondre. "
                         "409 `access_request_decided` si elle a déjà répondu, "
                         "`access_request_expired` si la demande est terminée, "
                         "`access_request_cancelled` si elle est déjà annulée ; 404 "
                         "`not_found` pour la demande d'une autre structure.")
def access_request_cancel_post(request, request_id: int):
    a = actor(request)
    return access_request_cancel(actor=a, access_request=access_request_get_for(a, request_id))
