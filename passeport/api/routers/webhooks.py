"""Webhook subscriptions of the caller's organisation and their delivery log.

Creating and stopping a subscription is for the organisation's administrators (through
a session, as API tokens); reading the subscriptions and the log is open to the
organisation's members and its API tokens. See docs/interop.md."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.access import admin_membership, organisation_of
from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut, Text
from passeport.interop.enums import DeliveryStatus, WebhookEvent
from passeport.interop.selectors import deliveries_of, subscription_get_for, subscriptions_of
from passeport.interop.services import subscription_create, subscription_disable

router = Router()


class SubscriptionIn(Schema):
    name: Text(120, required=True)
    url: str = Field(max_length=500, description="https://… (http seulement vers 127.0.0.1 "
                                                 "hors production).")
    events: list[WebhookEvent] = Field(min_length=1, max_length=len(WebhookEvent))


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    secret_prefix: str
    created_at: datetime
    disabled_at: datetime | None


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="Secret de signature, donné une seule fois.")


class AttemptOut(Schema):
    number: int
    at: datetime
    status_code: int | None
    duration_ms: int
    error: str
    succeeded: bool


class DeliveryOut(Schema):
    id: str
    event: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_id(obj) -> str:
        return str(obj.uid)

    @staticmethod
    def resolve_attempt_log(obj) -> list:
        return list(obj.attempt_log.all())


class EventTypeOut(Schema):
    code: str
    label: str


@router.get("/events", response={200: list[EventTypeOut], codes_4xx: ErrorOut},
            summary="Les événements auxquels s'abonner")
def event_types(request):
    return [{"code": e.value, "label": str(e.label)} for e in WebhookEvent]


@router.get("/subscriptions", response={200: list[SubscriptionOut], codes_4xx: ErrorOut},
            summary="Les abonnements de la structure")
def subscription_list(request):
    return subscriptions_of(organisation_of(actor(request)))


@router.post("/subscriptions", response={201: SubscriptionCreatedOut, codes_4xx: ErrorOut},
             summary="S'abonner à des événements (administrateurs, par session)",
             description="Le secret de signature (`secret`) n'est donné qu'une fois.")
def subscription_post(request, payload: SubscriptionIn):
    a = actor(request)
    admin_membership(a)
    sub, secret = subscription_create(actor=a, organisation=a.organisation, name=payload.name,
                                      url=payload.url, events=[e.value for e in payload.events])
    sub.secret = secret
    return Status(201, sub)


@router.get("/subscriptions/{subscription_id}",
            response={200: SubscriptionOut, codes_4xx: ErrorOut}, summary="Un abonnement")
def subscription_detail(request, subscription_id: int):
    return subscription_get_for(actor(request), subscription_id)


@router.delete("/subscriptions/{subscription_id}", response={204: None, codes_4xx: ErrorOut},
               summary="Arrêter un abonnement (administrateurs, par session)")
def subscription_delete(request, subscription_id: int):
    a = actor(request)
    admin_membership(a)
    subscription_disable(actor=a, subscription=subscription_get_for(a, subscription_id))
    return Status(204, None)


@router.get("/subscriptions/{subscription_id}/deliveries",
            response={200: list[DeliveryOut], codes_4xx: ErrorOut},
            summary="Le journal des livraisons et de chaque tentative")
def delivery_list(request, subscription_id: int, limit: int = Query(50, ge=1, le=200)):
    sub = subscription_get_for(actor(request), subscription_id)
    return list(deliveries_of(sub)[:limit])
