"""Reads of the paths app. Each read of a person's path goes through the people
selectors (consent) and records an audit event."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.models import Organisation
from passeport.core.services import audit_record_many
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for

from .enums import ActionStatus, PathStatus, Severity
from .models import Action, DiagnosticEntry, Path, TimelineEvent


@dataclass
class CaseloadFilters:
    q: str = ""
    status: str = ""  # "" = all open paths, or a PathStatus
    referent_id: int | None = None
    mine: bool = True
    frein: str = ""  # a FreinTheme: persons with this frein at moderate or severe level
    overdue: bool = False


def caseload_queryset(actor: Actor, filters: CaseloadFilters) -> QuerySet[Path]:
    """Paths of persons whose active consent covers the actor's organisation (scope
    "path"). Référents see their own caseload; managers see the whole organisation's."""
    org_id = actor.organisation_id
    if org_id is None:
        return Path.objects.none()
    today = timezone.localdate()
    consents = Consent.objects.active(today).filter(
        person=OuterRef("person_id"), organisation_id=org_id, scope=ConsentScope.PATH
    )
    qs = Path.objects.filter(Exists(consents))
    if filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.exclude(status=PathStatus.CLOSED)
    if filters.mine or not actor.sees_whole_caseload:
        if actor.membership is not None:
            qs = qs.filter(referent=actor.membership)
    elif filters.referent_id:
        qs = qs.filter(referent_id=filters.referent_id)
    if filters.q:
        qs = qs.filter(person__in=Person.objects.search(filters.q).values("pk"))
    if filters.frein:
        qs = qs.filter(Exists(DiagnosticEntry.objects.filter(
            path=OuterRef("pk"), theme=filters.frein, is_current=True,
            severity__gte=Severity.MODERATE)))
    if filters.overdue:
        qs = qs.filter(Exists(Action.objects.open().filter(path=OuterRef("pk"), due_on__lt=today)))
    return qs


def caseload_page(actor: Actor, filters: CaseloadFilters, page_number: int | str = 1,
                  page_size: int = 25) -> Page:
    """One page of the caseload, in a constant number of queries, with each row's next
    due action; the persons shown are recorded in the audit log (one bulk insert)."""
    qs = caseload_queryset(actor, filters)
    next_action = Action.objects.open().filter(path=OuterRef("pk"), due_on__isnull=False).order_by(
        "due_on", "id")
    consent_id = Consent.objects.active().filter(
        person=OuterRef("person_id"), organisation_id=actor.organisation_id,
        scope=ConsentScope.PATH).order_by("-recorded_at").values("pk")[:1]
    qs = (
        qs.select_related("person", "referent__user")
        .annotate(
            next_action_title=Subquery(next_action.values("title")[:1]),
            next_action_due=Subquery(next_action.values("due_on")[:1]),
            unseen_from_person=Count("events", filter=Q(events__by_person=True,
                                                         events__seen_by_referent_at__isnull=True)),
            consent_id=Subquery(consent_id),
        )
        .order_by("person__last_name", "person__first_name", "pk")
    )
    page = Paginator(qs, page_size).get_page(page_number)
    audit_record_many(actor, action=AuditAction.LIST, object_type="caseload",
                      entries=[(p.person.public_id, p.consent_id) for p in page.object_list])
    return page


def current_path(person: Person) -> Path | None:
    path = Path.objects.open().filter(person=person).select_related(
        "referent__user", "organisation").first()
    if path is None:
        path = Path.objects.filter(person=person).select_related(
            "referent__user", "organisation").order_by("-opened_on", "-pk").first()
    return path


def path_get_for(actor: Actor, public_id: str) -> tuple[Person, Path | None]:
    """The person and their current path, if the actor may see it (else NotFound).
    Records the read in the audit log."""
    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="path")
    return person, current_path(person)


@dataclass
class PathView:
    """Everything the passport page shows, read in a bounded number of queries."""

    path: Path
    diagnostic: list[DiagnosticEntry] = field(default_factory=list)
    objectives: list = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    work_hours: list = field(default_factory=list)
    followers: list[Organisation] = field(default_factory=list)

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if a.status in ActionStatus.open()]

    @property
    def next_steps(self) -> list[Action]:
        return [a for a in self.open_actions if a.status != ActionStatus.PROPOSED][:5]

    @property
    def current_hours(self):
        for step in reversed(self.work_hours):
            if step.ends_on is None:
                return step
        return None

    @property
    def unseen_from_person(self) -> list[TimelineEvent]:
        return [e for e in self.events if e.by_person and e.seen_by_referent_at is None]


def path_view(path: Path, events_limit: int = 50) -> PathView:
    return PathView(
        path=path,
        diagnostic=list(path.diagnostic.filter(is_current=True).select_related("assessed_by")
                        .order_by("-severity", "theme")),
        objectives=list(path.objectives.prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("status", "due_on")))),
        actions=list(path.actions.select_related("assignee__user", "organisation", "objective")),
        events=list(path.events.select_related("author", "organisation")[:events_limit]),
        work_hours=list(path.work_hours.all()),
        followers=path_followers(path),
    )


def path_followers(path: Path) -> list[Organisation]:
    """Organisations following the path: those the person opened their path to."""
    org_ids = Consent.objects.active().filter(person_id=path.person_id, scope=ConsentScope.PATH
                                              ).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=org_ids).order_by("name"))


def diagnostic_history(path: Path) -> QuerySet[DiagnosticEntry]:
    return path.diagnostic.select_related("assessed_by").order_by("theme", "-assessed_on", "-id")


def next_due_actions(actor: Actor, limit: int = 10) -> QuerySet[Action]:
    """The next actions due across the actor's caseload (for the dashboard)."""
    paths = caseload_queryset(actor, CaseloadFilters(mine=True))
    return (Action.objects.open().filter(path__in=paths.values("pk"), due_on__isnull=False)
            .select_related("path__person")
            .order_by("due_on", "id")[:limit])
