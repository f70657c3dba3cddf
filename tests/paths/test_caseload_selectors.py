"""The caseload selectors read a page in three queries (count, the page's ids in name
order, their details): the rows, their order, the count and the audit must be exactly
those of the plain definition "open paths of persons whose active consent covers the
organisation", whatever the filters and the page size."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from passeport.paths.enums import ActionStatus, EventKind, FreinTheme, PathStatus, Severity
from passeport.paths.models import DiagnosticEntry, Path, TimelineEvent
from passeport.paths.selectors import CaseloadFilters, caseload_page, caseload_queryset
from passeport.people.enums import ConsentScope
from tests.factories import (
    ActionFactory,
    ConsentFactory,
    MembershipFactory,
    PathFactory,
    PersonFactory,
)

TODAY = timezone.localdate


def follow(org, referent, status=PathStatus.ACTIVE, **person):
    p = PersonFactory(**person)
    ConsentFactory(person=p, organisation=org, scope=ConsentScope.PATH)
    return PathFactory(person=p, organisation=org, referent=referent, status=status,
                       closed_on=TODAY() if status == PathStatus.CLOSED else None)


@pytest.fixture
def caseload(org, other_org, referent):
    """Two référents, a partner organisation, and persons that must or must not show."""
    colleague = MembershipFactory(organisation=org, role=Role.REFERENT)
    paths = {}
    for i, (last, first) in enumerate([("Le Gall", "Yann"), ("Abiven", "Anne"),
                                       ("Le Gall", "Ana"), ("Morvan", "Loïc"),
                                       ("Quéré", "Soazig"), ("Tanguy", "Erwan")]):
        paths[last + first] = follow(org, referent if i % 2 == 0 else colleague,
                                     first_name=first, last_name=last)
    # Same name twice: the path id breaks the tie.
    paths["Le GallYann2"] = follow(org, referent, first_name="Yann", last_name="Le Gall")
    paths["paused"] = follow(org, referent, PathStatus.PAUSED, first_name="Katell",
                             last_name="Bihan")
    paths["closed"] = follow(org, referent, PathStatus.CLOSED, first_name="Jean",
                             last_name="Closed")
    # Not shown: consent withdrawn, expired, not yet valid, another scope, another org.
    hidden = []
    for kind in ("withdrawn", "expired", "future", "rights", "other_org"):
        p = PersonFactory(last_name=f"Hidden {kind}")
        consent = {"person": p, "organisation": org, "scope": ConsentScope.PATH}
        if kind == "withdrawn":
            consent["withdrawn_at"] = timezone.now()
        elif kind == "expired":
            consent.update(valid_from=TODAY() - dt.timedelta(days=30),
                           valid_until=TODAY() - dt.timedelta(days=1))
        elif kind == "future":
            consent["valid_from"] = TODAY() + dt.timedelta(days=3)
        elif kind == "rights":
            consent["scope"] = ConsentScope.RIGHTS
        else:
            consent["organisation"] = other_org
        ConsentFactory(**consent)
        hidden.append(PathFactory(person=p, organisation=org, referent=referent))
    # A person followed by the partner too, whose path the partner's manager sees.
    ConsentFactory(person=paths["MorvanLoïc"].person, organisation=other_org)
    # A person with two active consents (a duplicate row) is listed once.
    ConsentFactory(person=paths["AbivenAnne"].person, organisation=org)
    # Freins and overdue actions.
    for key, severity in (("Le GallYann", Severity.SEVERE), ("AbivenAnne", Severity.MODERATE),
                          ("MorvanLoïc", Severity.LIGHT)):
        DiagnosticEntry.objects.create(path=paths[key], theme=FreinTheme.MOBILITE,
                                       severity=severity)
    DiagnosticEntry.objects.create(path=paths["QuéréSoazig"], theme=FreinTheme.MOBILITE,
                                   severity=Severity.SEVERE, is_current=False)
    ActionFactory(path=paths["TanguyErwan"], title="Appeler la CAF",
                  due_on=TODAY() - dt.timedelta(days=2))
    ActionFactory(path=paths["Le GallAna"], due_on=TODAY() - dt.timedelta(days=2),
                  status=ActionStatus.DONE)
    return {"paths": paths, "hidden": hidden, "colleague": colleague}


def expected(actor, filters):
    """The plain definition, in Python."""
    today = TODAY()
    rows = []
    for path in Path.objects.select_related("person"):
        consents = path.person.consents.filter(organisation_id=actor.organisation_id,
                                               scope=ConsentScope.PATH)
        if not any(c.is_active for c in consents):
            continue
        if filters.status and path.status != filters.status:
            continue
        if not filters.status and path.status == PathStatus.CLOSED:
            continue
        if filters.mine or not actor.sees_whole_caseload:
            if actor.membership is not None and path.referent_id != actor.membership.pk:
                continue
        elif filters.referent_id and path.referent_id != filters.referent_id:
            continue
        if filters.q and not all(w in path.person.search_name for w in filters.q.lower().split()):
            continue
        if filters.frein and not path.diagnostic.filter(
                theme=filters.frein, is_current=True, severity__gte=Severity.MODERATE).exists():
            continue
        if filters.overdue and not path.actions.open().filter(due_on__lt=today).exists():
            continue
        rows.append(path)
    rows.sort(key=lambda p: (p.person.last_name, p.person.first_name, p.pk))
    return [p.pk for p in rows]


def all_pages(actor, filters, size):
    page = caseload_page(actor, filters, 1, page_size=size)
    ids = [p.pk for p in page.object_list]
    while page.has_next():
        page = caseload_page(actor, filters, page.next_page_number(), page_size=size)
        ids += [p.pk for p in page.object_list]
    return page.paginator.count, ids


FILTERS = [
    {"q": q, "status": status, "frein": frein, "overdue": overdue, "mine": mine,
     "referent": referent}
    for q, status, frein, overdue, mine, referent in itertools.product(
        ["", "le gall", "an"], ["", PathStatus.PAUSED, PathStatus.CLOSED],
        ["", FreinTheme.MOBILITE], [False, True], [True, False], [False, True])
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["referent", "manager", "token"])
def test_count_rows_and_order_match_the_definition_for_every_filter(
        role, caseload, org, referent, manager):
    if role == "referent":
        actor = Actor(user=referent.user, membership=referent)
    elif role == "manager":
        actor = Actor(user=manager.user, membership=manager)
    else:
        token, _raw = api_token_create(actor=Actor(user=manager.user, membership=manager),
                                       organisation=org, name="test")
        actor = Actor(api_token=token, channel="api")
    checked = 0
    for f in FILTERS:
        filters = CaseloadFilters(q=f["q"], status=f["status"], frein=f["frein"],
                                  overdue=f["overdue"], mine=f["mine"],
                                  referent_id=caseload["colleague"].pk if f["referent"] else None)
        want = expected(actor, filters)
        assert sorted(caseload_queryset(actor, filters).values_list("pk", flat=True)) == sorted(want)
        count, ids = all_pages(actor, filters, size=2)
        assert (count, ids) == (len(want), want), filters
        checked += bool(want)
    assert checked >= 10  # the fixture makes many combinations non-empty


@pytest.mark.django_db
def test_a_search_matching_many_persons_gives_the_same_rows(caseload, manager, monkeypatch):
    """A search matching more persons than SEARCH_IDS_MAX is kept as a subquery: the
    rows and their order do not depend on which way the search is written."""
    from passeport.paths import selectors

    actor = Actor(user=manager.user, membership=manager)
    filters = CaseloadFilters(q="an", mine=False)
    want = expected(actor, filters)
    assert len(want) >= 2
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", 1)
    assert all_pages(actor, filters, size=2) == (len(want), want)


@pytest.mark.django_db
def test_rows_shown_in_name_order_with_next_action_unseen_count_and_consent(
        caseload, org, manager):
    paths = caseload["paths"]
    actor = Actor(user=manager.user, membership=manager)
    target = paths["TanguyErwan"]
    ActionFactory(path=target, title="Plus tard", due_on=TODAY() + dt.timedelta(days=9))
    ActionFactory(path=target, title="Sans date", due_on=None)
    for seen in (None, None, timezone.now()):
        TimelineEvent.objects.create(path=target, kind=EventKind.MESSAGE, title="Message",
                                     by_person=True, seen_by_referent_at=seen)
    TimelineEvent.objects.create(path=target, kind=EventKind.NOTE, title="Note")
    newest = target.person.consents.get()
    page = caseload_page(actor, CaseloadFilters(mine=False), 1, page_size=50)
    rows = {p.pk: p for p in page.object_list}
    assert [p.person.last_name for p in page.object_list] == [
        "Abiven", "Bihan", "Le Gall", "Le Gall", "Le Gall", "Morvan", "Quéré", "Tanguy"]
    assert [p.person.first_name for p in page.object_list][2:5] == ["Ana", "Yann", "Yann"]
    row = rows[target.pk]
    assert (row.next_action_due, row.next_action_title) == (TODAY() - dt.timedelta(days=2),
                                                            "Appeler la CAF")
    assert row.unseen_from_person == 2
    assert rows[paths["MorvanLoïc"].pk].unseen_from_person == 0
    assert rows[paths["MorvanLoïc"].pk].next_action_title is None
    assert row.consent_id == newest.pk
    assert row.referent.user.get_full_name()  # référent and person come with the row
    # Every person shown, and only them, is in the audit log with the consent used.
    listed = AuditEvent.objects.filter(action="list", object_type="caseload")
    assert sorted(listed.values_list("person_uid", flat=True)) == sorted(
        p.person.public_id for p in page.object_list)
    assert listed.get(person_uid=target.person.public_id).consent_id == newest.pk


@pytest.mark.django_db
def test_partner_manager_sees_the_path_it_follows(caseload, other_org):
    partner = MembershipFactory(organisation=other_org, role=Role.MANAGER)
    actor = Actor(user=partner.user, membership=partner)
    page = caseload_page(actor, CaseloadFilters(mine=False))
    # Its own person (consent to the partner only) and the one it follows with `org`.
    assert [p.person.last_name for p in page.object_list] == ["Hidden other_org", "Morvan"]
    assert page.paginator.count == 2


@pytest.mark.django_db
def test_page_number_out_of_range_gives_the_last_page_and_empty_caseload_works(
        caseload, org, manager, other_org):
    actor = Actor(user=manager.user, membership=manager)
    page = caseload_page(actor, CaseloadFilters(mine=False), 99, page_size=3)
    assert page.number == 3 and len(page.object_list) == 2
    page = caseload_page(actor, CaseloadFilters(mine=False), "abc", page_size=3)
    assert page.number == 1
    lonely = MembershipFactory(organisation=other_org, role=Role.REFERENT)
    page = caseload_page(Actor(user=lonely.user, membership=lonely), CaseloadFilters())
    assert page.paginator.count == 0 and list(page.object_list) == []


@pytest.mark.django_db
def test_query_count_does_not_depend_on_page_size(org, manager, referent):
    for i in range(30):
        path = follow(org, referent, last_name=f"Nom{i:02d}")
        ActionFactory(path=path, due_on=TODAY() + dt.timedelta(days=i))
        TimelineEvent.objects.create(path=path, kind=EventKind.MESSAGE, title="M", by_person=True)
    actor = Actor(user=manager.user, membership=manager)
    counts = []
    for size in (2, 30):
        with CaptureQueriesContext(connection) as ctx:
            page = caseload_page(actor, CaseloadFilters(mine=False), 1, page_size=size)
            [(p.person.last_name, p.referent.user.email) for p in page.object_list]
        assert len(page.object_list) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
