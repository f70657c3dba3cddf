"""Situation, estimates and their queue, non-take-up flags, actions, consent."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.paths.models import Action
from passeport.people.enums import ConsentScope
from passeport.rights import services
from passeport.rights.enums import CheckStatus
from passeport.rights.models import HouseholdSituation, IncomeLine, RightsCheck
from passeport.rights.selectors import rights_person_get
from passeport.rights.services import estimates
from tests.factories import ConsentFactory, PathFactory, PersonFactory

JUNE_2025 = date(2025, 6, 1)

TENANT = {"couple": "no", "housing_status": "tenant", "rent": "450", "commune_insee": "29019",
          "disability_rate": "none", "student": "no", "incomes_complete": "yes", "received": []}


def save(actor, path, data, commits, estimate: bool = False):
    """Save the situation (without the estimate of the current month, unless asked)."""
    with commits():
        return services.situation_save(actor=actor, person=path.person, path=path, data=data,
                                       request_estimate=estimate)


def estimate(actor, path, commits, month=JUNE_2025):
    with commits():
        check = services.estimate_request(actor=actor, person=path.person, path=path, month=month)
    check.refresh_from_db()
    return check


def test_estimate_is_computed_and_stored_with_its_legislation(actor, rights_path, commits):
    save(actor, rights_path, TENANT, commits)
    check = estimate(actor, rights_path, commits)
    assert check.status == CheckStatus.DONE
    assert check.amounts["rsa"] == pytest.approx(568.94, abs=0.01)  # 646,52 − forfait 77,58
    assert check.amounts["al"] > 0
    assert check.legislation_date is not None and check.legislation_date <= date(2025, 6, 30)
    assert check.engine_version == "176.1.8"
    assert len(check.input_hash) == 64
    assert check.input_snapshot["housing"] == {"status": "tenant", "rent": 450.0,
                                               "commune": "29019"}


def test_non_take_up_flag_appears_and_disappears_with_declared_benefits(actor, rights_path,
                                                                         commits):
    save(actor, rights_path, TENANT, commits)
    first = estimate(actor, rights_path, commits)
    assert {"rsa", "al", "css"} <= set(first.flagged_codes)
    assert float(first.flagged_total) == pytest.approx(
        first.amounts["rsa"] + first.amounts["al"], abs=0.01)

    save(actor, rights_path, {**TENANT, "received": ["rsa", "al", "css"]}, commits)
    second = estimate(actor, rights_path, commits)
    assert second.pk != first.pk
    assert second.flags == []
    assert second.amounts == first.amounts  # same rights, now declared received

    save(actor, rights_path, {**TENANT, "received": ["al"]}, commits)
    third = estimate(actor, rights_path, commits)
    assert set(third.flagged_codes) == {"rsa", "css"}
    # The history of checks is kept.
    assert RightsCheck.objects.filter(person=rights_path.person, status="done").count() == 3


def test_income_received_now_counts_as_declared(actor, rights_path, commits):
    data = {**TENANT, "incomes": [{"kind": "rsa", "monthly_amount": "560", "start_month": "2025-01"}]}
    save(actor, rights_path, data, commits)
    check = estimate(actor, rights_path, commits)
    assert "rsa" in check.received and "rsa" not in check.flagged_codes


def test_the_same_situation_is_not_estimated_twice(actor, rights_path, commits):
    save(actor, rights_path, TENANT, commits)
    a = estimate(actor, rights_path, commits)
    b = estimate(actor, rights_path, commits)
    assert a.pk == b.pk


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"housing_status": "hosted", "rent": "300"}, "rent_without_tenancy", "rent"),
    ({"couple": "no", "members": [{"role": "partner", "birth_date": "1990-01-01"}]},
     "partner_but_single", "couple"),
    ({"members": [{"role": "child"}]}, "member_birth_date_required", "members.0.birth_date"),
    ({"members": [{"role": "child", "birth_date": "2999-01-01"}]}, "future_birth_date",
     "members.0.birth_date"),
    ({"incomes": [{"kind": "salary", "monthly_amount": "-3"}]}, "invalid_amount",
     "incomes.0.monthly_amount"),
    ({"incomes": [{"kind": "salary", "monthly_amount": "800", "start_month": "2025-05",
                   "end_month": "2025-01"}]}, "income_end_before_start", "incomes.0.end_month"),
    ({"incomes": [{"kind": "salary", "monthly_amount": "800", "member": 3}]},
     "income_member_unknown", "incomes.0.member"),
    ({"commune_insee": "2901"}, "invalid_insee", "commune_insee"),
    ({"received": ["rsa", "lottery"]}, "invalid_benefit", "received"),
])
def test_bad_situation_says_what_to_fix_and_saves_nothing(actor, rights_path, commits, data,
                                                          code, field):
    save(actor, rights_path, TENANT, commits)
    before = HouseholdSituation.objects.get(path=rights_path)
    checks = RightsCheck.objects.count()
    with pytest.raises(PasseportError) as err:
        save(actor, rights_path, {**TENANT, **data,
                                  "incomes": data.get("incomes", [{"kind": "salary",
                                                                   "monthly_amount": "100"}])},
             commits)
    assert (err.value.code, err.value.field) == (code, field)
    after = HouseholdSituation.objects.get(path=rights_path)
    assert (after.rent, after.housing_status) == (before.rent, before.housing_status)
    assert not IncomeLine.objects.filter(situation=after).exists()
    assert RightsCheck.objects.count() == checks


def test_every_field_may_be_unknown(actor, rights_path, commits):
    save(actor, rights_path, {}, commits, estimate=True)
    check = RightsCheck.objects.filter(person=rights_path.person).latest("requested_at")
    assert check.status == CheckStatus.DONE
    # The path's housing status is reused; what is missing is said.
    assert check.input_snapshot["housing"]["status"] == "tenant"
    assert {"rent", "couple", "incomes", "disability", "student"} <= set(check.missing)


def test_flag_turns_into_an_action_of_the_path_once(actor, rights_path, commits):
    save(actor, rights_path, TENANT, commits)
    check = estimate(actor, rights_path, commits)
    action = services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                     check=check, code="rsa")
    assert action.path == rights_path and action.title == "Demander : RSA"
    assert "caf.fr" in action.description and "pas une décision" in action.description
    assert action.theme == "difficultes-financieres"
    with pytest.raises(Conflict):
        services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                check=check, code="rsa")
    with pytest.raises(PasseportError) as err:
        services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                check=check, code="aah")
    assert err.value.code == "not_flagged"
    assert Action.objects.filter(path=rights_path).count() == 1


def test_action_needs_the_path_consent(org, referent, actor, engine, commits):
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
    path = PathFactory(person=person, organisation=org, housing_status="homeless")
    HouseholdSituation.objects.create(path=path, couple="no", incomes_complete="yes")
    check = estimate(actor, path, commits)
    with pytest.raises(PasseportError) as err:
        services.flag_to_action(actor=actor, person=person, path=path, check=check, code="rsa")
    assert err.value.code == "path_consent_required"


def test_rights_scope_is_required(org, actor, outsider_actor, engine, commits):
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.PATH)  # no "rights"
    PathFactory(person=person, organisation=org)
    with pytest.raises(NotFound):
        rights_person_get(actor, person.public_id)
    with pytest.raises(NotFound):
        services.estimate_request(actor=actor, person=person)
    with pytest.raises(NotFound):
        rights_person_get(outsider_actor, person.public_id)


def test_withdrawn_consent_cuts_access(actor, rights_path):
    from django.utils import timezone

    rights_path.person.consents.filter(scope=ConsentScope.RIGHTS).update(withdrawn_at=timezone.now())
    with pytest.raises(NotFound):
        rights_person_get(actor, rights_path.person.public_id)


def test_reads_are_audited_with_the_rights_consent(actor, rights_path):
    rights_person_get(actor, rights_path.person.public_id)
    event = AuditEvent.objects.filter(person_uid=rights_path.person.public_id,
                                      object_type="rights").latest("at")
    assert event.detail == {"scope": "rights"}
    assert event.consent_id == rights_path.person.consents.get(scope="rights").pk


def test_the_person_marks_a_benefit_received(rights_path, commits):
    person = rights_path.person
    me = Actor(user=person.user)
    save(Actor(user=rights_path.referent.user, membership=rights_path.referent), rights_path,
         TENANT, commits)
    with commits():
        check = services.received_mark(actor=me, person=person, path=rights_path, code="css",
                                       received=True)
    check.refresh_from_db()
    assert "css" in check.received and "css" not in check.flagged_codes
    with pytest.raises(NotFound):  # only professionals change the situation
        services.situation_save(actor=me, person=person, path=rights_path, data=TENANT)


def test_worker_micro_batches_a_burst_in_one_simulation(org, actor, worker_mode, engine, commits):
    paths = []
    for i in range(12):
        person = PersonFactory()
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
        paths.append(PathFactory(person=person, organisation=org, housing_status="tenant"))
        save(actor, paths[-1], {**TENANT, "rent": str(300 + 20 * i)}, commits, estimate=True)
    assert RightsCheck.objects.pending().count() == 12  # nothing computed on the request
    with mock.patch.object(estimates, "estimate_many", wraps=estimates.estimate_many) as engine_call:
        assert services.checks_compute_pending() == 12
    assert engine_call.call_count == 1  # one simulation for the burst
    assert not RightsCheck.objects.exclude(status=CheckStatus.DONE).exists()
    # The same amounts as one-by-one.
    one = RightsCheck.objects.filter(person=paths[5].person).get()
    alone = services.estimate_many([services.HouseholdInput.from_dict(one.input_snapshot)])[0]
    assert one.amounts == alone.amounts


def test_failed_engine_marks_the_batch_failed(actor, rights_path, worker_mode, commits):
    with commits():
        services.estimate_request(actor=actor, person=rights_path.person, path=rights_path)
    with mock.patch.object(estimates, "estimate_many", side_effect=RuntimeError("boom")):
        services.checks_compute_pending()
    check = RightsCheck.objects.get(person=rights_path.person)
    assert check.status == CheckStatus.FAILED and "boom" in check.error


def test_stale_claims_go_back_to_the_queue(actor, rights_path, worker_mode, commits):
    from django.utils import timezone

    with commits():
        services.estimate_request(actor=actor, person=rights_path.person, path=rights_path)
    claimed = services.checks_claim()
    assert len(claimed) == 1 and services.checks_claim() == []
    RightsCheck.objects.update(started_at=timezone.now() - services.STALE_AFTER * 2)
    assert services.checks_release_stale() == 1
    assert services.checks_compute_pending() == 1
