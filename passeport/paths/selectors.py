"""Reads of the paths app. Each read of a person's path goes through the people
selectors (consent) and records an audit event."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.models import Membership, Organisation
from passeport.core.services import audit_record_many
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for

from .calendar import appointment_ics
from .enums import ActionStatus, AppointmentOutcome, EventKind, PathStatus, Severity
from .models import Action, DiagnosticEntry, Objective, Path, TimelineEvent


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
    return _caseload_filter(actor, filters)


SEARCH_IDS_MAX = 2000  # a name search matching more persons stays a subquery


def _search_person_ids(q: str) -> list[int] | None:
    """The persons a name search matches, as a list of ids when they are few (the usual
    case: a name typed by a référent). A literal list lets both engines start from the
    paths of those persons, where a subquery joined to the name order may lead
    PostgreSQL to walk every person by name. None when the search matches many."""
    ids = list(Person.objects.search(q).order_by().values_list("pk", flat=True)
               [:SEARCH_IDS_MAX + 1])
    return ids if len(ids) <= SEARCH_IDS_MAX else None


def _caseload_filter(actor: Actor, filters: CaseloadFilters, *, driven: bool = False,
                     search_ids: list[int] | None = None) -> QuerySet[Path]:
    """The caseload's rows. With `driven`, the same rows written so that the database
    starts from the most selective condition and probes the others: the search, else
    the référent's paths, else the frein, else the status, else the organisation's
    active consents (each of them has an index to start from). The frein and the consents
    are then written as `IN (subquery)`: SQLite drives a query from an IN list, and
    PostgreSQL plans IN and EXISTS as the same semi-join. Without `driven`, every
    condition is an EXISTS probed row by row, which suits a page of the
    organisation-wide list read in name order: the database walks the persons by name
    and stops after the page."""
    org_id = actor.organisation_id
    if org_id is None:
        return Path.objects.none()
    today = timezone.localdate()
    consents = Consent.objects.active(today).filter(organisation_id=org_id,
                                                    scope=ConsentScope.PATH)
    referent_id = _caseload_referent_id(actor, filters)
    driver = ""  # "": the search, the référent or the status (indexed) comes first
    if driven and not filters.q and referent_id is None:
        driver = "frein" if filters.frein else "" if filters.status else "consent"

    qs = Path.objects.all()
    if driver == "consent":
        qs = qs.filter(person_id__in=consents.values("person_id"))
    else:
        qs = qs.filter(Exists(consents.filter(person=OuterRef("person_id"))))
    if filters.status:
        qs = qs.filter(status=filters.status)
    else:
        # Written as NOT (status = 'closed'): the condition of the partial unique index
        # path_one_open_per_person, which then serves as an index of the open paths.
        qs = qs.exclude(status=PathStatus.CLOSED)
    if referent_id is not None:
        qs = qs.filter(referent_id=referent_id)
    if filters.q:
        if search_ids is not None:
            qs = qs.filter(person_id__in=search_ids)
        else:
            qs = qs.filter(person__in=Person.objects.search(filters.q).values("pk"))
    if filters.frein:
        freins = DiagnosticEntry.objects.filter(theme=filters.frein, is_current=True,
                                                severity__gte=Severity.MODERATE)
        if driver == "frein":
            qs = qs.filter(pk__in=freins.values("path_id"))
        else:
            qs = qs.filter(Exists(freins.filter(path=OuterRef("pk"))))
    if filters.overdue:
        qs = qs.filter(Exists(Action.objects.open().filter(path=OuterRef("pk"), due_on__lt=today)))
    return qs


def _caseload_referent_id(actor: Actor, filters: CaseloadFilters) -> int | None:
    if filters.mine or not actor.sees_whole_caseload:
        return actor.membership.pk if actor.membership is not None else None
    return filters.referent_id or None


class _CaseloadRows:
    """What the caseload's paginator pages over, in three queries whatever the page
    size: the count (driven by the most selective condition, no join, no annotation);
    the ids of the page's paths in person name order; then those paths with their
    person, référent, next due action, unread additions of the person and consent,
    computed for the page's rows only."""

    def __init__(self, actor: Actor, filters: CaseloadFilters):
        self.actor = actor
        self.filters = filters
        self.search_ids = _search_person_ids(filters.q) if filters.q.strip() else None

    def count(self) -> int:
        return _caseload_filter(self.actor, self.filters, driven=True,
                                search_ids=self.search_ids).count()

    def _ordered_ids(self) -> QuerySet[Path]:
        f = self.filters
        # The organisation-wide list, or a référent's caseload: as they are (the database
        # walks the persons in name order, probes each one's path and consent, and stops
        # after the page). A list narrowed by a search, a frein or a status: from its
        # most selective condition, so that the few rows are found without the walk.
        narrowed = bool(f.q or f.frein or f.status)
        return (_caseload_filter(self.actor, f, driven=narrowed, search_ids=self.search_ids)
                .order_by("person__last_name", "person__first_name", "pk")
                .values_list("pk", flat=True))

    def __getitem__(self, key: slice) -> list[Path]:
        if not isinstance(key, slice):
            raise TypeError("The caseload is read by pages (slices).")
        ids = list(self._ordered_ids()[key])
        if not ids:
            return []
        next_action = Action.objects.open().filter(path=OuterRef("pk"), due_on__isnull=False
                                                    ).order_by("due_on", "id")
        unseen = (TimelineEvent.objects.filter(path=OuterRef("pk"), by_person=True,
                                               seen_by_referent_at__isnull=True)
                  .order_by().values("path").annotate(n=Count("pk")).values("n"))
        consent_id = Consent.objects.active().filter(
            person=OuterRef("person_id"), organisation_id=self.actor.organisation_id,
            scope=ConsentScope.PATH).order_by("-recorded_at").values("pk")[:1]
        rows = (
            Path.objects.filter(pk__in=ids)
            .select_related("person", "referent__user")
            .annotate(
                next_action_title=Subquery(next_action.values("title")[:1]),
                next_action_due=Subquery(next_action.values("due_on")[:1]),
                unseen_from_person=Coalesce(Subquery(unseen), 0),
                consent_id=Subquery(consent_id),
            )
        )
        by_pk = {path.pk: path for path in rows}
        return [by_pk[pk] for pk in ids if pk in by_pk]


def caseload_page(actor: Actor, filters: CaseloadFilters, page_number: int | str = 1,
                  page_size: int = 25) -> Page:
    """One page of the caseload, in a constant number of queries, with each row's next
    due action; the persons shown are recorded in the audit log (one bulk insert)."""
    page = Paginator(_CaseloadRows(actor, filters), page_size).get_page(page_number)
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


def caseload_next_actions(actor: Actor, limit: int = 10) -> list[Action]:
    """The next due actions of the actor's own caseload (next_due_actions), with
    `consent_id` annotated; the persons shown are recorded in the audit log."""
    paths = caseload_queryset(actor, CaseloadFilters(mine=True))
    consent_id = Consent.objects.active().filter(
        person=OuterRef("path__person_id"), organisation_id=actor.organisation_id,
        scope=ConsentScope.PATH).order_by("-recorded_at").values("pk")[:1]
    # Two steps: the ids of the next actions (the actions table and the caseload's
    # paths only), then those few actions with their path, person and consent; joining
    # the persons before the sort would read every action of the caseload in full.
    ids = list(Action.objects.open().filter(path__in=paths.values("pk"), due_on__isnull=False)
               .order_by("due_on", "id").values_list("pk", flat=True)[:limit])
    actions = list(
        Action.objects.filter(pk__in=ids).select_related("path__person")
        .annotate(consent_id=Subquery(consent_id)).order_by("due_on", "id")
    ) if ids else []
    shown = {a.path.person.public_id: a.consent_id for a in actions}
    audit_record_many(actor, action=AuditAction.LIST, object_type="next_actions",
                      entries=list(shown.items()))
    return actions


def path_members(path: Path) -> QuerySet[Membership]:
    """Active members of the organisations following the path: who may be assigned an
    action or become the référent."""
    org_ids = Consent.objects.active().filter(person_id=path.person_id, scope=ConsentScope.PATH
                                              ).values("organisation_id")
    return (Membership.objects.active().filter(organisation_id__in=org_ids)
            .select_related("user", "organisation")
            .order_by("organisation__name", "user__last_name", "user__first_name", "pk"))


@dataclass
class PersonListPage:
    """One page of persons; each has `consent_id` and `current_path` (Path or None)."""

    count: int
    page: int
    page_size: int
    persons: list[Person]


def person_list_page(actor: Actor, *, q: str = "", status: str = "", page: int = 1,
                     page_size: int = 25) -> PersonListPage:
    """Persons whose active consent covers the actor's organisation for their path, in
    name order, in a constant number of queries whatever the page size (count, page,
    their consents, their current paths, one audit insert). `status` is the current
    path's status (active, paused, closed) or "none" (no path yet). Each person listed
    is recorded in the audit log with the consent that allowed it."""
    consents = Consent.objects.active().filter(organisation_id=actor.organisation_id,
                                               scope=ConsentScope.PATH)
    qs = Person.objects.all() if actor.organisation_id is not None else Person.objects.none()
    if q:
        qs = qs.search(q)
    paths = Path.objects.filter(person=OuterRef("pk"))
    if status == "none":
        qs = qs.filter(~Exists(paths))
    elif status == PathStatus.CLOSED:
        qs = qs.filter(Exists(paths), ~Exists(Path.objects.open().filter(person=OuterRef("pk"))))
    elif status:
        qs = qs.filter(Exists(Path.objects.open().filter(person=OuterRef("pk"), status=status)))
    # The consent filter is written in the two forms that databases without statistics
    # (SQLite) plan well: driven by the organisation's consents (an index) to count or to
    # search; walking the name index, which stops as soon as the page is full, otherwise.
    by_consent = qs.filter(pk__in=consents.values("person_id"))
    if q or status or actor.organisation_id is None:
        count = by_consent.count()
    else:  # every consent has its person (cascade): count the consents' persons alone
        count = consents.values("person_id").distinct().count()
    page_qs = by_consent if q else qs.filter(Exists(consents.filter(person=OuterRef("pk"))))
    start = (page - 1) * page_size
    persons = list(page_qs.order_by("last_name", "first_name", "public_id")
                   [start:start + page_size])
    current: dict[int, Path] = {}
    consent_ids: dict[int, int] = {}
    if persons:
        ids = [p.pk for p in persons]
        for person_id, consent_id in (consents.filter(person_id__in=ids)
                                      .order_by("recorded_at", "pk")
                                      .values_list("person_id", "pk")):
            consent_ids[person_id] = consent_id  # the latest one wins
        closed_last = Case(When(status=PathStatus.CLOSED, then=Value(1)), default=Value(0))
        for path in (Path.objects.filter(person_id__in=ids)
                     .select_related("referent__user", "organisation")
                     .order_by("person_id", closed_last, "-opened_on", "-pk")):
            current.setdefault(path.person_id, path)
    for person in persons:
        person.current_path = current.get(person.pk)
        person.consent_id = consent_ids.get(person.pk)
    audit_record_many(actor, action=AuditAction.LIST, object_type="person_list",
                      entries=[(p.public_id, p.consent_id) for p in persons])
    return PersonListPage(count=count, page=page, page_size=page_size, persons=persons)


def _path_item_get_for(actor: Actor, model, pk: int, what: str):
    item = model.objects.select_related("path__person").filter(pk=pk).first()
    if item is None:
        raise NotFound(_("Introuvable."))
    # Consent check (or the person themselves) and audit event, as for the whole path.
    person_get_for(actor, item.path.person.public_id, scope=ConsentScope.PATH, what=what)
    return item


def action_get_for(actor: Actor, action_id: int) -> Action:
    """An action of a path the actor may see (else NotFound); the read is audited."""
    return _path_item_get_for(actor, Action, action_id, "action")


def objective_get_for(actor: Actor, objective_id: int) -> Objective:
    """An objective of a path the actor may see (else NotFound); the read is audited."""
    return _path_item_get_for(actor, Objective, objective_id, "objective")


def event_get_for(actor: Actor, event_id: int) -> TimelineEvent:
    """A timeline event of a path the actor may see (else NotFound); the read is audited."""
    return _path_item_get_for(actor, TimelineEvent, event_id, "event")


def appointment_calendar_for(actor: Actor, event_id: int) -> tuple[TimelineEvent, bytes]:
    """A planned appointment of a path the actor may see, as an iCalendar file (else
    NotFound: another path's event, a note, a past or cancelled appointment). The read
    is audited like any event."""
    event = _path_item_get_for(actor, TimelineEvent, event_id, "event")
    if (event.kind != EventKind.APPOINTMENT
            or event.appointment_outcome != AppointmentOutcome.PLANNED):
        raise NotFound(_("Rendez-vous introuvable."))
    return event, appointment_ics(event)


def timeline_events(path: Path, *, before: tuple | None = None, limit: int = 50
                    ) -> list[TimelineEvent]:
    """Events of the path, newest first, strictly before the (occurred_at, id) key
    `before` (keyset pagination: stable while events are added)."""
    qs = path.events.select_related("author", "organisation").order_by("-occurred_at", "-id")
    if before is not None:
        at, pk = before
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    return list(qs[:limit])


def persons_with_paths_closed_before(cutoff) -> QuerySet[Person]:
    """Persons who had a path, all of whose paths are closed, the last one before
    `cutoff` (retention rules: e.g. the safe purges their documents)."""
    recent = Path.objects.filter(person=OuterRef("pk")).filter(
        ~Q(status=PathStatus.CLOSED) | Q(closed_on__gte=cutoff))
    return Person.objects.filter(Exists(Path.objects.filter(person=OuterRef("pk")))).exclude(
        Exists(recent))


def follows_any_path(membership) -> bool:
    """Whether this member is the référent of at least one path."""
    return Path.objects.filter(referent=membership).exists()
