"""The screening's second list: the persons with a right to verify (its result depends on
missing data), with what is missing, paginated, consent-checked and audited; on the page
and through the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.rights import selectors, services
from passeport.rights.models import HouseholdSituation, RightsCheck
from tests.api.conftest import JsonApi
from tests.factories import ConsentFactory, PathFactory, PersonFactory

JUNE_2025 = date(2025, 6, 1)


def caseload(org, n_verify: int, n_likely: int = 1) -> list:
    """`n_verify` persons with no resources given (the CSS and the RSA are to verify) and
    `n_likely` persons whose situation is complete (single, no resources, homeless)."""
    persons = []
    for i in range(n_verify):
        person = PersonFactory(first_name=f"Verif{i}", last_name=f"Averifier{i}")
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
        PathFactory(person=person, organisation=org, housing_status="hosted", benefits=[])
        persons.append(person)
    for i in range(n_likely):
        person = PersonFactory(first_name=f"Prob{i}", last_name=f"Probable{i}")
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
        path = PathFactory(person=person, organisation=org, housing_status="homeless",
                           benefits=[])
        HouseholdSituation.objects.create(path=path, couple="no", incomes_complete="yes",
                                          received=[])
    return persons


def screen(actor, commits):
    with commits():
        run = services.screening_start(actor=actor, month=JUNE_2025)
    run.refresh_from_db()
    return run


def test_the_page_lists_the_persons_to_verify_with_what_is_missing(
        pro_client, org, actor, engine, commits):
    to_verify = caseload(org, 2)
    run = screen(actor, commits)
    assert (run.persons_count, run.flagged_count, run.to_verify_count) == (3, 1, 2)
    assert RightsCheck.objects.filter(screening=run, verify_due=True).count() == 2
    html = pro_client.get(reverse("rights:screening", args=[run.pk])).content.decode()
    second = html[html.index('id="a-verifier"'):]
    first = html[html.index('id="probables"'):html.index('id="a-verifier"')]
    assert "Probable0" in first and "Averifier0" not in first
    for person in to_verify:
        assert person.last_name in second
        assert reverse("rights:pro", args=[person.public_id]) + "#foyer" in second
    assert "Probable0" not in second
    assert "Complémentaire santé solidaire" in second
    assert "les revenus des 12 derniers mois" in second  # what is missing, in plain words
    assert "Compléter la situation" in second
    # Each person listed is recorded in their access log, with the list they were in.
    events = AuditEvent.objects.filter(object_type="rights_screening", action="list",
                                       detail__list="to_verify")
    assert sorted(events.values_list("person_uid", flat=True)) == sorted(
        p.public_id for p in to_verify)
    assert all(e.consent_id for e in events)


def test_a_person_who_withdrew_their_consent_is_not_listed(
        pro_client, org, actor, engine, commits):
    gone, kept = caseload(org, 2, n_likely=0)
    run = screen(actor, commits)
    Consent.objects.filter(person=gone).update(withdrawn_at=timezone.now())
    html = pro_client.get(reverse("rights:screening", args=[run.pk])).content.decode()
    assert kept.last_name in html and gone.last_name not in html
    assert not AuditEvent.objects.filter(person_uid=gone.public_id, action="list").exists()


def test_the_list_to_verify_is_paginated_by_name(org, actor, engine, commits):
    persons = caseload(org, 3, n_likely=0)
    run = screen(actor, commits)
    pages = [selectors.screening_to_verify(actor, run, n, per_page=2) for n in (1, 2)]
    assert [c.person_id for c in pages[0].object_list] == [persons[0].pk, persons[1].pk]
    assert [c.person_id for c in pages[1].object_list] == [persons[2].pk]
    assert pages[0].paginator.num_pages == 2


def test_the_page_keeps_each_list_at_its_own_page(pro_client, org, actor, engine, commits,
                                                 monkeypatch):
    caseload(org, 3, n_likely=0)
    run = screen(actor, commits)
    real = selectors.screening_to_verify
    monkeypatch.setattr("passeport.web.rights.views.screening_to_verify",
                        lambda a, r, page=1: real(a, r, page, per_page=2))
    url = reverse("rights:screening", args=[run.pk])
    html = pro_client.get(url + "?verifier=2").content.decode()
    assert "Averifier2" in html and "Averifier0" not in html
    assert "?page=1&amp;verifier=1#a-verifier" in html
    assert pro_client.get(url + "?verifier=abc").status_code == 200  # first page


def test_another_organisation_cannot_see_the_list(client, outsider, org, actor, engine,
                                                  commits):
    caseload(org, 1, n_likely=0)
    run = screen(actor, commits)
    client.force_login(outsider.user)
    assert client.get(reverse("rights:screening", args=[run.pk])).status_code == 404
    assert not AuditEvent.objects.filter(object_type="rights_screening", action="list").exists()


# --- API -------------------------------------------------------------------------------

@pytest.fixture
def api(client, org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    return JsonApi(client, raw)


def test_api_lists_the_persons_to_verify(api, org, actor, engine, commits):
    to_verify = caseload(org, 2)
    run = screen(actor, commits)
    body = api.get(f"/rights/screenings/{run.pk}").json()
    assert body["page_of"] == "likely" and body["to_verify"] == []
    assert [r["last_name"] for r in body["ranked"]] == ["Probable0"]
    body = api.get(f"/rights/screenings/{run.pk}?list=to_verify").json()
    assert body["page_of"] == "to_verify" and body["ranked"] == []
    assert [r["public_id"] for r in body["to_verify"]] == [p.public_id for p in to_verify]
    css = next(v for v in body["to_verify"][0]["to_verify"] if v["code"] == "css")
    assert css["due"] is True and "incomes" in [m["code"] for m in css["missing"]]
    assert (body["page"], body["pages"]) == (1, 1)


def test_api_refuses_an_unknown_list(api, org, actor, engine, commits):
    caseload(org, 1, n_likely=0)
    run = screen(actor, commits)
    before = AuditEvent.objects.count()
    response = api.get(f"/rights/screenings/{run.pk}?list=everyone")
    assert response.status_code in (400, 422)
    assert "code" in response.json()
    assert AuditEvent.objects.count() == before

