"""Reads of the rupture app. A professional reads a person's signals through the people
selectors (consent check + audit event); lists record one audit event per person."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record_many
from passeport.paths.models import Path
from passeport.paths.selectors import CaseloadFilters, caseload_queryset, current_path
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for

from . import detect, texts
from .enums import AlertStatus, SignalKind
from .models import Alert


@dataclass
class ShownSignal:
    kind: str
    label: str
    weight: int
    since: str
    days: int
    explanation: str
    next_step: str
    evidence: dict = field(default_factory=dict)


def _shown(s: detect.Signal, *, person: bool = False) -> ShownSignal:
    if person:
        text, step = texts.for_person(s.kind, s.days, s.evidence), texts.for_person_next(s.kind)
    else:
        text, step = texts.explain(s.kind, s.days, s.evidence), texts.next_step(s.kind)
    return ShownSignal(kind=s.kind, label=str(SignalKind(s.kind).label), weight=s.weight,
                       since=s.since.isoformat(), days=s.days, explanation=text, next_step=step,
                       evidence=s.evidence)


@dataclass
class RiskView:
    person: Person
    path: Path | None
    signals: list[ShownSignal]
    score: int
    alerts: list[Alert]


def risk_view_for(actor: Actor, public_id: str) -> RiskView:
    """The live signals of a person's current path, with explanations and next steps,
    and the alerts of the actor's organisation on it. NotFound without consent."""
    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="rupture_signals")
    path = current_path(person)
    if path is None or path.status != "active" or path.organisation_id != actor.organisation_id:
        return RiskView(person, path, [], 0, [])
    path = Path.objects.select_related("referent", "person").get(pk=path.pk)
    raw = detect.compute([path])[path.pk]
    alerts = list(Alert.objects.filter(path=path, organisation_id=actor.organisation_id)
                  .exclude(status=AlertStatus.CLEARED).select_related("handled_by")
                  .order_by("status", "-weight", "since"))
    return RiskView(person, path, [_shown(s) for s in raw], detect.priority(raw), alerts)


def own_signals(person: Person) -> list[ShownSignal]:
    """The person's own signals, in their words (all their papers count)."""
    path = current_path(person)
    if path is None or path.status != "active":
        return []
    path = Path.objects.select_related("referent", "person").get(pk=path.pk)
    return [_shown(s, person=True) for s in detect.compute([path], for_person=True)[path.pk]]


def alert_get_for(actor: Actor, alert_id: int) -> Alert:
    alert = (Alert.objects.filter(pk=alert_id, organisation_id=actor.organisation_id)
             .select_related("path__person").first())
    if alert is None or not Consent.objects.active().filter(
            person_id=alert.path.person_id, organisation_id=actor.organisation_id,
            scope=ConsentScope.PATH).exists():
        raise NotFound("Alerte introuvable.")
    return alert


def risk_list(actor: Actor, *, mine: bool = True, limit: int = 200) -> list[Path]:
    """The paths of the actor's caseload with live alerts, highest priority first
    (score = sum of the weights of the live alerts, then the oldest cause). Each path
    carries `score`, `alert_count`, `oldest` and `alerts` (its live alerts). One audit
    event per person shown."""
    base = caseload_queryset(actor, CaseloadFilters(mine=mine))
    live = Alert.objects.live().filter(organisation_id=actor.organisation_id)
    rows = list(
        base.filter(Exists(live.filter(path=OuterRef("pk"))))
        .annotate(
            score=Subquery(live.filter(path=OuterRef("pk")).order_by().values("path")
                           .annotate(s=Sum("weight")).values("s")),
            alert_count=Count("rupture_alerts", filter=Q(
                rupture_alerts__status__in=AlertStatus.live(),
                rupture_alerts__organisation_id=actor.organisation_id)),
        )
        .select_related("person", "referent__user")
        .order_by("-score", "person__last_name", "person__first_name", "pk")[:limit])
    by_path: dict[int, list[Alert]] = {}
    for a in live.filter(path_id__in=[p.pk for p in rows]).order_by("-weight", "since"):
        by_path.setdefault(a.path_id, []).append(a)
    for p in rows:
        p.alerts = by_path.get(p.pk, [])
        for a in p.alerts:
            a.explanation = texts.explain(a.kind, detect.days_of(a.kind, a.since), a.evidence)
    consents = dict(Consent.objects.active().filter(
        organisation_id=actor.organisation_id, scope=ConsentScope.PATH,
        person_id__in=[p.person_id for p in rows]).values_list("person_id", "pk"))
    audit_record_many(actor, action=AuditAction.LIST, object_type="rupture_list",
                      entries=[(p.person.public_id, consents.get(p.person_id)) for p in rows])
    return rows


def alert_texts(alert: Alert) -> tuple[str, str]:
    days = detect.days_of(alert.kind, alert.since)
    return texts.explain(alert.kind, days, alert.evidence), texts.next_step(alert.kind)
