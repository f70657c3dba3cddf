"""Booking invitations ("invited rather than summoned"): invite a person to choose one of
2 to 10 appointment slots, and list a path's invitations with their answers.

The person is read through the consent check (path scope) with an audit event; another
organisation gets 404 `not_found`. Business errors have stable codes: `slots_count`,
`slot_in_past`, `slot_too_far`, `slot_duration`, `slot_place_required`, `slots_overlap`,
`deadline_in_past`, `deadline_after_slots`, `motive_too_long`, `path_closed`, `no_path`.
The single-use link's token is never returned: it goes only to the person.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field, field_validator

from passeport.api.access import require_path
from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut, Text, aware
from passeport.paths.booking_selectors import invitation_get_for_path, invitations_of_path
from passeport.paths.booking_services import MAX_SLOTS, SlotIn, booking_invite
from passeport.paths.enums import BookingMode, BookingStatus
from passeport.paths.selectors import path_get_for

router = Router()


class SlotSchema(Schema):
    starts_at: datetime = Field(description="Début du créneau (heure de Paris si sans fuseau).")
    duration_minutes: int = Field(ge=10, le=240)
    mode: BookingMode = BookingMode.ON_SITE
    place: Text(200) = Field("", description="Adresse (obligatoire sur place) ou précision.")

    @field_validator("starts_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2100:
            raise ValueError("Date hors de la plage acceptée (2000 à 2100).")
        return aware(value)


class SlotOut(SlotSchema):
    id: int


class InvitationIn(Schema):
    slots: list[SlotSchema] = Field(description=f"De 2 à {MAX_SLOTS} créneaux, sans chevauchement.")
    answer_by: date = Field(description="Date limite de réponse (au plus tard le jour du dernier créneau).")
    motive: Text(200) = Field("", description="Motif en mots simples, montré à la personne.")


class InvitationOut(Schema):
    id: int
    status: BookingStatus
    unanswered: bool = Field(description="En attente alors que la date limite est passée.")
    motive: str
    answer_by: date
    with_name: str = Field(description="Avec qui (le référent, sinon la structure).")
    slots: list[SlotOut]
    chosen_slot_id: int | None
    appointment_event_id: int | None = Field(description="Rendez-vous créé dans l'historique.")
    decline_message: str
    answered_at: datetime | None
    answered_via: str = Field(description="`space` (espace personnel) ou `link` (lien unique).")
    created_at: datetime


def _out(invitation) -> dict:
    return {
        "id": invitation.pk, "status": invitation.status, "unanswered": invitation.is_expired,
        "motive": invitation.motive, "answer_by": invitation.answer_by,
        "with_name": invitation.with_name,
        "slots": [{"id": s.pk, "starts_at": s.starts_at, "duration_minutes": s.duration_minutes,
                   "mode": s.mode, "place": s.place} for s in invitation.slots.all()],
        "chosen_slot_id": invitation.chosen_slot_id,
        "appointment_event_id": invitation.appointment_id,
        "decline_message": invitation.decline_message, "answered_at": invitation.answered_at,
        "answered_via": invitation.answered_via, "created_at": invitation.created_at,
    }


@router.get("/persons/{public_id}/booking-invitations",
            response={200: list[InvitationOut], codes_4xx: ErrorOut},
            summary="Les invitations à choisir un rendez-vous du parcours")
def invitation_list(request, public_id: str):
    _person, path = path_get_for(actor(request), public_id)
    return [_out(i) for i in invitations_of_path(require_path(path))]


@router.post("/persons/{public_id}/booking-invitations",
             response={201: InvitationOut, codes_4xx: ErrorOut},
             summary="Inviter la personne à choisir un créneau de rendez-vous",
             description="La personne choisit dans son espace, ou par un lien à usage unique "
                         "envoyé par SMS ou e-mail si elle n'a pas de compte (et si son accord "
                         "à la structure est actif). Le créneau choisi devient un rendez-vous "
                         "de l'historique.")
def invitation_post(request, public_id: str, payload: InvitationIn):
    a = actor(request)
    _person, path = path_get_for(a, public_id)
    path = require_path(path)
    created = booking_invite(
        actor=a, path=path, answer_by=payload.answer_by, motive=payload.motive,
        slots=[SlotIn(starts_at=s.starts_at, duration_minutes=s.duration_minutes, mode=s.mode,
                      place=s.place) for s in payload.slots])
    return Status(201, _out(invitation_get_for_path(path, created.invitation.pk)))
