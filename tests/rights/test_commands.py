"""The worker and the screening command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from passeport.people.enums import ConsentScope
from passeport.rights import services
from passeport.rights.enums import CheckStatus, ScreeningStatus
from passeport.rights.models import RightsCheck, ScreeningRun
from passeport.rights.selectors import current_month
from tests.factories import ConsentFactory, PathFactory, PersonFactory


def caseload(org, n: int):
    paths = []
    for i in range(n):
        person = PersonFactory(last_name=f"File{i}")
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
        paths.append(PathFactory(person=person, organisation=org,
                                 housing_status=["homeless", "hosted", "owner"][i % 3],
                                 benefits=["rsa"] if i % 4 == 0 else []))
    # Followed with the path scope only: not screened.
    other = PersonFactory()
    ConsentFactory(person=other, organisation=org, scope=ConsentScope.PATH)
    PathFactory(person=other, organisation=org)
    return paths


def test_rights_screen_command_screens_the_caseload(org, engine):
    paths = caseload(org, 7)
    out = StringIO()
    call_command("rights_screen", organisation=org.pk, month="2025-06", stdout=out)
    run = ScreeningRun.objects.get()
    assert run.status == ScreeningStatus.DONE and run.persons_count == 7
    assert "7 personnes" in out.getvalue()
    # The screening gives the same amounts as one-by-one estimates.
    for path in paths:
        screened = RightsCheck.objects.get(screening=run, person=path.person)
        alone = services.estimate_many([services.HouseholdInput.from_dict(screened.input_snapshot)])
        assert screened.amounts == alone[0].amounts
    assert run.flagged_count == RightsCheck.objects.filter(screening=run).exclude(flags=[]).count()


def test_rights_screen_command_bad_arguments(org):
    with pytest.raises(CommandError):
        call_command("rights_screen", organisation=999_999)
    with pytest.raises(CommandError):
        call_command("rights_screen", organisation=org.pk, month="juin")


def test_worker_drains_estimates_and_screenings(org, actor, worker_mode, engine, commits):
    paths = caseload(org, 3)
    with commits():
        for path in paths:
            services.estimate_request(actor=actor, person=path.person, path=path)
        services.screening_start(actor=actor)
    assert RightsCheck.objects.pending().count() == 3
    assert ScreeningRun.objects.get().status == ScreeningStatus.PENDING
    out = StringIO()
    call_command("rights_worker", once=True, stdout=out)
    assert not RightsCheck.objects.exclude(status=CheckStatus.DONE).exists()
    assert ScreeningRun.objects.get().status == ScreeningStatus.DONE
    assert "3 estimation(s)" in out.getvalue() and "1 repérage(s)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_screening_shared_between_processes_gives_the_same_result(org, actor, engine):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("forked processes do not share an in-memory SQLite database")
    caseload(org, 9)
    parallel = ScreeningRun.objects.create(organisation=org, month=current_month())
    parallel = services.screening_execute(parallel.pk, chunk_size=4, processes=2)
    single = ScreeningRun.objects.create(organisation=org, month=current_month())
    single = services.screening_execute(single.pk, chunk_size=4, processes=1)
    assert parallel.status == single.status == ScreeningStatus.DONE
    assert parallel.persons_count == single.persons_count == 9
    by_person = {c.person_id: c.amounts for c in RightsCheck.objects.filter(screening=single)}
    assert {c.person_id: c.amounts for c in RightsCheck.objects.filter(screening=parallel)} == by_person
