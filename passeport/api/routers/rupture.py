"""Risk of rupture: the live signals of a person (with plain-French explanations and a
suggested next step), the alerts per person and per caseload, and acknowledging or
resolving an alert (written on the path's timeline).

Every read goes through the consent check (path scope) and leaves an audit event; the
caseload list records one event per person listed. Another organisation gets 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut
from passeport.rupture.selectors import (
    alert_get_for,
    alert_texts,
    risk_list,
    risk_view_for,
)
from passeport.rupture.services import alert_handle

router = Router()


class SignalOut(Schema):
    kind: str
    label: str
    weight: int
    since: date
    days: int
    explanation: str
    next_step: str
    evidence: dict


class RiskOut(Schema):
    public_id: str
    score: int = Field(description="Somme des poids des signaux (voir docs/rupture.md).")
    signals: list[SignalOut]


class AlertOut(Schema):
    id: int
    kind: str
    status: str
    weight: int
    since: date
    raised_on: date
    explanation: str
    next_step: str
    handled_at: datetime | None
    note: str


class CaseloadRowOut(Schema):
    public_id: str
    first_name: str
    last_name: str
    score: int
    alerts: list[AlertOut]


class AlertHandleIn(Schema):
    status: Literal["acknowledged", "resolved"]
    note: str = Field("", max_length=250)


def _alert(a) -> dict:
    explanation, step = alert_texts(a)
    return {"id": a.pk, "kind": a.kind, "status": a.status, "weight": a.weight, "since": a.since,
            "raised_on": a.raised_on, "explanation": explanation, "next_step": step,
            "handled_at": a.handled_at, "note": a.note}


@router.get("/persons/{public_id}/signals", response={200: RiskOut, codes_4xx: ErrorOut},
            summary="Les signaux de risque de rupture d'une personne, aujourd'hui")
def signals_get(request, public_id: str):
    view = risk_view_for(actor(request), public_id)
    return {"public_id": view.person.public_id, "score": view.score,
            "signals": [s.__dict__ for s in view.signals]}


@router.get("/persons/{public_id}/alerts", response={200: list[AlertOut], codes_4xx: ErrorOut},
            summary="Les alertes d'une personne (hors alertes disparues d'elles-mêmes)")
def alerts_get(request, public_id: str):
    view = risk_view_for(actor(request), public_id)
    return [_alert(a) for a in view.alerts]


@router.get("/caseload", response={200: list[CaseloadRowOut], codes_4xx: ErrorOut},
            summary="La file active avec alertes en cours, la plus prioritaire d'abord",
            description="`mine=false` : toute la structure (responsables, jetons d'API).")
def caseload_get(request, mine: bool = True):
    rows = risk_list(actor(request), mine=mine)
    return [{"public_id": p.person.public_id, "first_name": p.person.first_name,
             "last_name": p.person.last_name, "score": p.score,
             "alerts": [_alert(a) for a in p.alerts]} for p in rows]


@router.post("/alerts/{alert_id}", response={200: AlertOut, codes_4xx: ErrorOut},
             summary="Prendre en compte ou résoudre une alerte",
             description="Écrit dans l'historique du parcours. 409 `alert_closed` si déjà close.")
def alert_post(request, alert_id: int, payload: AlertHandleIn):
    a = actor(request)
    alert = alert_handle(actor=a, alert=alert_get_for(a, alert_id), status=payload.status,
                         note=payload.note)
    return _alert(alert)
