"""Whole-caseload screening: chunked vectorised simulations, shared between forked
processes for a large caseload, bulk writes."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record, audit_record_many_fast, bulk_insert
from passeport.paths.models import Path
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

from ..engine import (
    engine_versions,
    estimate_many,
    legislation_date,
    tax_benefit_system,
)
from ..enums import (
    CheckSource,
    ScreeningStatus,
)
from ..models import (
    HouseholdMember,
    HouseholdSituation,
    IncomeLine,
    RightsCheck,
    ScreeningRun,
)
from ..selectors import household_input
from .common import log, queue_mode
from .estimates import _store, _validate_month

# --- Whole-caseload screening ----------------------------------------------------------

@transaction.atomic
def screening_start(*, actor: Actor, month: date | None = None, run_now: bool = True
                    ) -> ScreeningRun:
    """Screen every person the actor's organisation follows with the "rights" scope."""
    if actor.organisation_id is None:
        raise NotFound(_("Aucune structure : le repérage est réservé aux professionnels."))
    run = ScreeningRun.objects.create(organisation=actor.organisation, requested_by=actor.user,
                                      month=_validate_month(month))
    audit_record(actor, action=AuditAction.CREATE, object_type="rights_screening",
                 object_id=run.pk)
    if run_now and queue_mode() == "task":
        from ..tasks import run_screening

        transaction.on_commit(lambda: run_screening.enqueue(run.pk))
    return run


def screenings_run_pending() -> int:
    """Run the screenings waiting for the worker (queue in "worker" mode)."""
    done = 0
    while True:
        with transaction.atomic():
            run = ScreeningRun.objects.filter(status=ScreeningStatus.PENDING).order_by("pk").first()
            if run is None:
                return done
            claimed = ScreeningRun.objects.filter(pk=run.pk, status=ScreeningStatus.PENDING
                                                  ).update(status=ScreeningStatus.RUNNING,
                                                           started_at=timezone.now())
        if claimed:
            screening_execute(run.pk)
            done += 1


SCREEN_READ_CHUNK = 10_000


def screen_processes() -> int:
    """Processes a large screening uses (one per core, at most 4): each process reads,
    estimates and writes its own chunks."""
    default = min(4, os.cpu_count() or 1)
    configured = getattr(settings, "PASSEPORT_RIGHTS_SCREEN_PROCESSES", None)
    return max(1, int(configured or default))


def _screen_chunk(run: ScreeningRun, chunk_ids: list[int], versions: dict, legislation: date,
                  engine_chunk: int | None) -> tuple[int, int, Decimal, dict, int]:
    """Read, estimate and store one chunk of a screening. Returns (persons, flagged,
    flagged total, phase timings, persons with a right to verify)."""
    timings = dict.fromkeys(("read", "engine", "results", "write"), 0.0)
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] += now - clock
        clock = now

    rows = _screen_inputs(chunk_ids, run.month)
    lap("read")
    estimates = estimate_many([h for _p, _path, h, _f in rows],
                              **({"chunk_size": engine_chunk} if engine_chunk else {}))
    lap("engine")
    now = timezone.now()
    checks = []
    flagged = to_verify = 0
    total = Decimal("0")
    for (person, path, household, facts), estimate in zip(rows, estimates, strict=True):
        snapshot, digest = household.snapshot(versions)
        # A plain row with every column (bulk_insert reads them): no model instance.
        check = _Row(
            person_id=person.pk, path_id=path.pk, organisation_id=run.organisation_id,
            requested_by_id=run.requested_by_id, source=CheckSource.SCREENING,
            screening_id=run.pk, month=run.month, requested_at=now, started_at=now,
            claim_token="", input_snapshot=snapshot, input_hash=digest, missing=facts.missing,
            received=facts.received, engine_version=versions["openfisca_france"])
        _store(check, estimate, legislation, now)
        checks.append(check)
        flagged += bool(check.flags)
        to_verify += check.verify_due
        total += check.flagged_total
    lap("results")
    with transaction.atomic():
        bulk_insert(RightsCheck, checks)
        consents = dict(Consent.objects.active().filter(
            organisation_id=run.organisation_id, scope=ConsentScope.RIGHTS,
            person_id__in=chunk_ids).values_list("person_id", "pk"))
        audit_record_many_fast(
            Actor.system(), action=AuditAction.VIEW, object_type="rights_screening",
            entries=[(p.public_id, consents.get(p.pk)) for p, _path, _h, _f in rows],
            detail={"screening": run.pk, "organisation": run.organisation_id})
    lap("write")
    return len(rows), flagged, total, timings, to_verify


def _screen_chunk_in_child(args) -> tuple[int, int, Decimal, dict, int]:
    run_id, chunk_ids, versions, legislation, engine_chunk = args
    run = ScreeningRun.objects.get(pk=run_id)
    try:
        return _screen_chunk(run, chunk_ids, versions, legislation, engine_chunk)
    finally:
        connections.close_all()


def screening_execute(run_id: int, *, chunk_size: int = SCREEN_READ_CHUNK,
                      engine_chunk: int | None = None, processes: int | None = None
                      ) -> ScreeningRun:
    """Estimate every screened person's rights, `chunk_size` persons per simulation (to
    bound memory), store one estimate per person (and an audit event), and count the
    likely non-take-up. A caseload of several chunks is shared between `processes`
    forked processes (the tax-benefit system, built before, is shared with them). Phase
    timings are logged (logger passeport.rights.services)."""
    from ..selectors import screened_persons

    run = ScreeningRun.objects.select_related("organisation").get(pk=run_id)
    run.status, run.started_at = ScreeningStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    versions = engine_versions()
    legislation = legislation_date(run.month)
    ids = list(screened_persons(run.organisation_id).order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i:i + chunk_size] for i in range(0, len(ids), chunk_size)]
    processes = min(processes or screen_processes(), len(chunks))
    persons = flagged = to_verify = 0
    total = Decimal("0")
    timings: dict[str, float] = {}
    try:
        conn = connections["default"]
        if (processes > 1 and not conn.in_atomic_block
                and not (conn.vendor == "sqlite" and conn.is_in_memory_db())):
            tax_benefit_system()  # built once, shared with the forked processes
            connections.close_all()
            context = multiprocessing.get_context("fork")
            with context.Pool(processes) as pool:
                results = pool.imap_unordered(
                    _screen_chunk_in_child,
                    [(run.pk, c, versions, legislation, engine_chunk) for c in chunks])
                results = list(results)
        else:
            results = [_screen_chunk(run, c, versions, legislation, engine_chunk) for c in chunks]
        for n, f, t, phases, v in results:
            persons, flagged, total = persons + n, flagged + f, total + t
            to_verify += v
            for k, v in phases.items():
                timings[k] = timings.get(k, 0.0) + v
    except Exception as exc:
        log.exception("rights: screening %s failed", run.pk)
        run.status, run.error = ScreeningStatus.FAILED, str(exc)[:2000]
        run.finished_at = timezone.now()
        run.save()
        return run
    run.status, run.finished_at = ScreeningStatus.DONE, timezone.now()
    run.persons_count, run.flagged_count, run.flagged_total = persons, flagged, total
    run.to_verify_count = to_verify
    run.legislation_date = legislation
    run.save()
    run.timings = {k: round(v, 2) for k, v in timings.items()}
    run.processes = processes
    log.info("rights: screening %s of %s persons in %s process(es): %s", run.pk, persons,
             processes, run.timings)
    return run


class _Row:
    """A light row (the screening reads tens of thousands of them: no model instances)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


SITUATION_COLUMNS = ("pk", "path_id", "couple", "housing_status", "rent", "commune_insee",
                     "disability_rate", "rsdae", "student", "received", "incomes_complete")


def _screen_inputs(person_ids: list[int], month: date) -> list[tuple]:
    """(person, path, household input, facts) for a chunk of persons, in 5 queries."""
    persons = {
        pk: _Row(pk=pk, public_id=uid, birth_date=birth, commune_insee=commune)
        for pk, uid, birth, commune in Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "public_id", "birth_date", "commune_insee")
    }
    paths = {
        person_id: _Row(pk=pk, person_id=person_id, housing_status=housing, benefits=benefits,
                        employment_status=employment)
        for pk, person_id, housing, benefits, employment in Path.objects.open().filter(
            person_id__in=person_ids).values_list("pk", "person_id", "housing_status", "benefits",
                                                  "employment_status")
    }
    path_ids = [p.pk for p in paths.values()]
    situations = {
        row[1]: _Row(**dict(zip(SITUATION_COLUMNS, row, strict=True)))
        for row in HouseholdSituation.objects.filter(path_id__in=path_ids).values_list(
            *SITUATION_COLUMNS)
    }
    by_situation = [s.pk for s in situations.values()]
    members: dict[int, list] = {}
    for pk, sid, role, birth, rate, student in (
            HouseholdMember.objects.filter(situation_id__in=by_situation)
            .order_by("position", "id").values_list("pk", "situation_id", "role", "birth_date",
                                                     "disability_rate", "student")):
        members.setdefault(sid, []).append(_Row(pk=pk, role=role, birth_date=birth,
                                                disability_rate=rate, student=student))
    incomes: dict[int, list] = {}
    for sid, member_id, kind, amount, start, end in (
            IncomeLine.objects.filter(situation_id__in=by_situation).order_by("id")
            .values_list("situation_id", "member_id", "kind", "monthly_amount", "start_month",
                         "end_month")):
        incomes.setdefault(sid, []).append(_Row(member_id=member_id, kind=kind,
                                                monthly_amount=amount, start_month=start,
                                                end_month=end))
    rows = []
    for pk in person_ids:
        person, path = persons.get(pk), paths.get(pk)
        if person is None or path is None:
            continue
        s = situations.get(path.pk)
        household, facts = household_input(
            person, path, s, month, members=members.get(s.pk, []) if s else None,
            incomes=incomes.get(s.pk, []) if s else None)
        rows.append((person, path, household, facts))
    return rows
