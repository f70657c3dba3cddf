"""Reads of the rights app. A professional reads a person's rights through
`rights_person_get` (consent scope "rights", audit event); the person reads their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record_many
from passeport.paths.models import Path
from passeport.paths.selectors import current_path
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for

from .engine.household import (
    PAYS_RENT,
    RECEIVED_FAMILY,
    RECEIVED_INDIVIDUAL,
    HouseholdInput,
    MemberInput,
    add_months,
    month_key,
)
from .engine.simulate import WINDOW
from .enums import CheckStatus, DisabilityRate, ReceivedBenefit, Tristate
from .models import HouseholdSituation, IncomeLine, RightsAction, RightsCheck, ScreeningRun

RECEIVED_CODES = frozenset(ReceivedBenefit.values)
RATE = {DisabilityRate.NONE: 0, DisabilityRate.FROM_50: 50, DisabilityRate.FROM_80: 80, "": None}
BENEFIT_KINDS = set(RECEIVED_FAMILY) | set(RECEIVED_INDIVIDUAL) | {"ass"}


def current_month() -> date:
    return timezone.localdate().replace(day=1)


def rights_person_get(actor: Actor, public_id: str) -> tuple[Person, Path | None]:
    """The person and their current path, if the actor may see their rights (consent scope
    "rights"; the person themselves always). Audited. NotFound otherwise."""
    person = person_get_for(actor, public_id, scope=ConsentScope.RIGHTS, what="rights")
    path = current_path(person)
    if path is not None:
        path.person = person
    return person, path


def situation_of(path: Path | None) -> HouseholdSituation | None:
    if path is None:
        return None
    return (HouseholdSituation.objects.filter(path=path)
            .prefetch_related("members", Prefetch("incomes", IncomeLine.objects.order_by("id")))
            .first())


def resources_now(situation: HouseholdSituation | None, month: date | None = None
                  ) -> dict[str, dict[str, Decimal]]:
    """What the person ("self") and their partner ("partner") receive in `month` (this
    month by default), per kind of income: net amounts per month."""
    out: dict[str, dict[str, Decimal]] = {"self": {}, "partner": {}}
    if situation is None:
        return out
    month = month or current_month()
    roles = {m.pk: m.role for m in situation.members.all()}
    for line in situation.incomes.all():
        who = "self" if line.member_id is None else roles.get(line.member_id)
        if who not in out:
            continue
        if (line.start_month is None or line.start_month <= month) and (
                line.end_month is None or line.end_month >= month):
            out[who][line.kind] = out[who].get(line.kind, Decimal("0")) + line.monthly_amount
    return out


# --- From the passport to the engine ---------------------------------------------------

@dataclass
class Facts:
    """What is known, merged from the situation, the path and the person."""

    housing_status: str
    housing_from_path: bool
    commune: str
    received: list[str]
    received_known: bool
    missing: list[str] = field(default_factory=list)


@lru_cache(maxsize=64)
def _window(month: date) -> tuple[list[str], int]:
    """The month keys of the engine's window (WINDOW months before `month`, and `month`),
    and the index of its first month."""
    first = add_months(month, -WINDOW)
    return ([month_key(add_months(first, i)) for i in range(WINDOW + 1)],
            first.year * 12 + first.month - 1)


def _expand(line_start: date | None, line_end: date | None, amount: float, month: date,
            into: dict[str, float]) -> None:
    keys, base = _window(month)
    i0 = 0 if line_start is None else max(0, line_start.year * 12 + line_start.month - 1 - base)
    i1 = WINDOW if line_end is None else min(WINDOW, line_end.year * 12 + line_end.month - 1 - base)
    for key in keys[i0:i1 + 1]:
        into[key] = into.get(key, 0.0) + amount


def household_input(person: Person, path: Path | None, situation: HouseholdSituation | None,
                    month: date, *, members: list | None = None, incomes: list | None = None
                    ) -> tuple[HouseholdInput, Facts]:
    """The engine's snapshot of the household for `month`, and what is missing.

    `members` and `incomes` are the situation's rows when the caller read them already
    (the screening reads them for thousands of persons at once)."""
    s = situation
    path_housing = (path.housing_status if path else "") or ""
    housing = (s.housing_status if s else "") or path_housing
    commune = (s.commune_insee if s else "") or person.commune_insee or ""
    if s is not None and s.received is not None:
        received, received_known = list(s.received), True
    else:
        received = [b for b in ((path.benefits if path else None) or [])
                    if b in RECEIVED_CODES]
        received_known = bool(received)

    me = MemberInput(role="self", birth_date=person.birth_date,
                     disability_rate=RATE.get(s.disability_rate if s else ""),
                     rsdae=bool(s and s.rsdae == Tristate.YES),
                     student=bool(s and s.student == Tristate.YES))
    if s is not None and members is None:
        members = list(s.members.all())
    if s is not None and incomes is None:
        incomes = list(s.incomes.all())
    rows, members = members or [], [me]
    by_pk: dict[int, MemberInput] = {}
    if s is not None:
        for row in rows:
            mi = MemberInput(role=row.role, birth_date=row.birth_date,
                             disability_rate=RATE.get(row.disability_rate),
                             student=row.student == Tristate.YES)
            members.append(mi)
            by_pk[row.pk] = mi
        for line in incomes or []:
            owner = by_pk.get(line.member_id, me) if line.member_id else me
            _expand(line.start_month, line.end_month, float(line.monthly_amount), month,
                    owner.incomes.setdefault(line.kind, {}))
    # Benefits received now (this month or the last one) count as declared received.
    recent = {month_key(month), month_key(add_months(month, -1))}
    for m in members:
        for kind, by_month in m.incomes.items():
            if kind in BENEFIT_KINDS and recent & {k for k, a in by_month.items() if a}:
                received.append(kind)
            if kind == "unemployment" and recent & set(by_month):
                received.append("are")
    received = sorted(set(received))

    missing = []
    if not housing or housing == "other":
        missing.append("housing_status")
    if housing in PAYS_RENT and (s is None or s.rent is None):
        missing.append("rent")
    if not commune:
        missing.append("commune")
    if s is None or not s.couple:
        missing.append("couple")
    has_income = any(m.incomes for m in members)
    incomplete = s is not None and s.incomes_complete == Tristate.NO  # said so: not everything
    if incomplete or (not has_income and (s is None or s.incomes_complete != Tristate.YES)):
        missing.append("incomes")
    if path is not None and path.employment_status == "employed" and not any(
            "salary" in m.incomes or "self_employed" in m.incomes for m in members):
        missing.append("salary")
    if "are" in received and not any("unemployment" in m.incomes for m in members):
        missing.append("unemployment")
    if s is None or not s.disability_rate:
        missing.append("disability")
    if s is None or not s.student:
        missing.append("student")
    if not received_known:
        missing.append("received")

    rent = float(s.rent) if s is not None and s.rent is not None else None
    household = HouseholdInput(month=month, members=members, housing_status=housing,
                               rent=rent, commune=commune, received=tuple(received))
    return household, Facts(housing_status=housing, housing_from_path=not (s and s.housing_status),
                            commune=commune, received=received, received_known=received_known,
                            missing=missing)


# --- The rights page -------------------------------------------------------------------

@dataclass
class RightsView:
    person: Person
    path: Path | None
    situation: HouseholdSituation | None
    facts: Facts
    last: RightsCheck | None  # the last estimate computed
    waiting: RightsCheck | None  # a newer estimate being computed
    history: list[RightsCheck]
    actions: dict[str, RightsAction]  # right code -> the action created for it
    up_to_date: bool  # the last estimate used the current situation


def rights_view(person: Person, path: Path | None, month: date | None = None) -> RightsView:
    from .engine.system import engine_versions

    situation = situation_of(path)
    month = month or current_month()
    household, facts = household_input(person, path, situation, month)
    checks = list(RightsCheck.objects.filter(person=person).order_by("-requested_at", "-id")[:30])
    last = next((c for c in checks if c.status == CheckStatus.DONE), None)
    waiting = next((c for c in checks if c.status in (CheckStatus.PENDING, CheckStatus.RUNNING)
                    and (last is None or c.requested_at >= last.requested_at)), None)
    actions: dict[str, RightsAction] = {}
    if path is not None:
        for ra in (RightsAction.objects.filter(path=path).select_related("action")
                   .order_by("created_at")):
            actions[ra.code] = ra
    _, digest = household.snapshot(engine_versions())
    up_to_date = last is not None and last.input_hash == digest
    return RightsView(person=person, path=path, situation=situation, facts=facts, last=last,
                      waiting=waiting, history=[c for c in checks if c.status == CheckStatus.DONE],
                      actions=actions, up_to_date=up_to_date)


def check_get_for(person: Person, check_id: int) -> RightsCheck:
    check = RightsCheck.objects.filter(person=person, pk=check_id).first()
    if check is None:
        raise NotFound(_("Estimation introuvable."))
    return check


def last_check(person: Person) -> RightsCheck | None:
    return RightsCheck.objects.done().filter(person=person).order_by("-requested_at", "-id").first()


# --- Screening -------------------------------------------------------------------------

def screened_persons(organisation_id: int) -> QuerySet[Person]:
    """Persons who open their rights to the organisation and have an open path."""
    return (Person.objects.with_consent(organisation_id, ConsentScope.RIGHTS)
            .filter(paths__status__in=["active", "paused"]).distinct())


def screenings_of(actor: Actor) -> QuerySet[ScreeningRun]:
    if actor.organisation_id is None:
        return ScreeningRun.objects.none()
    return ScreeningRun.objects.filter(organisation_id=actor.organisation_id)


def screening_get_for(actor: Actor, run_id: int) -> ScreeningRun:
    run = screenings_of(actor).filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Repérage introuvable."))
    return run


def _screening_page(actor: Actor, run: ScreeningRun, qs: QuerySet[RightsCheck], page: int | str,
                    per_page: int, which: str) -> Page:
    """One page of a screening's estimates, among the persons who still open their rights
    to the organisation; the persons listed are recorded in their access log."""
    consents = Consent.objects.active().filter(organisation_id=run.organisation_id,
                                               scope=ConsentScope.RIGHTS)
    qs = (qs.filter(screening=run, status=CheckStatus.DONE,
                    person__in=consents.values("person_id"))
          .select_related("person", "path__referent__user"))
    result = Paginator(qs, per_page).get_page(page)
    consent_ids = dict(consents.filter(person__in=[c.person_id for c in result.object_list])
                       .values_list("person_id", "pk"))
    audit_record_many(actor, action=AuditAction.LIST, object_type="rights_screening",
                      entries=[(c.person.public_id, consent_ids.get(c.person_id))
                               for c in result.object_list],
                      detail={"screening": run.pk, "list": which})
    return result


def screening_ranked(actor: Actor, run: ScreeningRun, page: int | str = 1,
                     per_page: int = 25) -> Page:
    """The likely non-take-up of a screening, largest monthly amounts first, among the
    persons who still open their rights to the organisation. The persons listed are
    recorded in their access log."""
    qs = (RightsCheck.objects.exclude(flags=[])
          .order_by("-flagged_total", "person__last_name", "id"))
    return _screening_page(actor, run, qs, page, per_page, "likely")


def screening_to_verify(actor: Actor, run: ScreeningRun, page: int | str = 1,
                        per_page: int = 25) -> Page:
    """The persons of a screening with a right to verify that looks due (its result
    depends on missing data), by name, among the persons who still open their rights to
    the organisation (the same persons `ScreeningRun.to_verify_count` counts, less those
    who withdrew their consent since). The persons listed are recorded in their access log."""
    qs = (RightsCheck.objects.filter(verify_due=True)
          .order_by("person__last_name", "person__first_name", "id"))
    return _screening_page(actor, run, qs, page, per_page, "to_verify")


def flagged_total(flags: list[dict]) -> Decimal:
    return Decimal(str(round(sum(f.get("amount", 0) for f in flags), 2)))
