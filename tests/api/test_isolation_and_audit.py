"""The rules every person endpoint shares: another organisation's token gets 404
`not_found` and changes nothing; a withdrawn consent cuts access at once; every read
leaves an audit event."""

from __future__ import annotations

import pytest

from passeport.core.models import AuditEvent
from passeport.paths.models import (
    Action,
    DiagnosticEntry,
    Objective,
    Path,
    TimelineEvent,
    WorkHoursStep,
)
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

from ..factories import ConsentFactory

# (method, url, body): every endpoint about a person or an object of their path.
ENDPOINTS = [
    ("get", "/persons/{pid}", None),
    ("patch", "/persons/{pid}", {"phone": "0600000000"}),
    ("get", "/persons/{pid}/consents", None),
    ("post", "/persons/{pid}/consents", {"scopes": ["path"], "method": "oral",
                                         "purpose": "Suivi"}),
    ("post", "/consents/{consent}/withdraw", None),
    ("get", "/persons/{pid}/access-log", None),
    ("get", "/persons/{pid}/path", None),
    ("post", "/persons/{pid}/path", {}),
    ("patch", "/persons/{pid}/path", {"housing_status": "homeless"}),
    ("get", "/persons/{pid}/diagnostic", None),
    ("get", "/persons/{pid}/diagnostic?history=true", None),
    ("post", "/persons/{pid}/diagnostic", {"assessments": [{"theme": "sante", "severity": 2}]}),
    ("get", "/persons/{pid}/objectives", None),
    ("post", "/persons/{pid}/objectives", {"title": "Objectif"}),
    ("patch", "/objectives/{objective}", {"status": "achieved"}),
    ("get", "/persons/{pid}/actions", None),
    ("post", "/persons/{pid}/actions", {"title": "Action"}),
    ("patch", "/actions/{action}", {"status": "done"}),
    ("get", "/persons/{pid}/events", None),
    ("post", "/persons/{pid}/events", {"kind": "note", "title": "Note"}),
    ("patch", "/events/{event}", {"appointment_outcome": "held"}),
    ("get", "/persons/{pid}/work-hours", None),
    ("post", "/persons/{pid}/work-hours", {"hours_per_week": 4, "starts_on": "2030-01-06"}),
]
READS = [(m, u) for m, u, _b in ENDPOINTS if m == "get"]


def snapshot():
    """Row counts, and what a write could change in place."""
    return {
        "counts": [m.objects.count() for m in (Person, Consent, Path, DiagnosticEntry, Objective,
                                              Action, TimelineEvent, WorkHoursStep)],
        "active_consents": Consent.objects.active().count(),
        "persons": list(Person.objects.values_list("phone", "updated_at")),
        "paths": list(Path.objects.values_list("housing_status", "status", "updated_at")),
        "states": (list(Action.objects.values_list("status")),
                   list(Objective.objects.values_list("status")),
                   list(TimelineEvent.objects.values_list("appointment_outcome"))),
    }


def url_for(template, full_path):
    return template.format(**full_path.ids)


@pytest.mark.parametrize("method,template,body", ENDPOINTS,
                         ids=[f"{m} {u}" for m, u, _b in ENDPOINTS])
def test_another_organisations_token_gets_404(other_api, full_path, method, template, body):
    before = snapshot()
    audits = AuditEvent.objects.count()
    response = other_api.call(method, url_for(template, full_path), body)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert snapshot() == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("method,template,body", ENDPOINTS,
                         ids=[f"{m} {u}" for m, u, _b in ENDPOINTS])
def test_withdrawn_consent_cuts_access_immediately(api, full_path, method, template, body):
    consent = Consent.objects.get(pk=full_path.ids["consent"])
    assert api.get(f"/persons/{full_path.ids['pid']}").status_code == 200
    assert api.post(f"/consents/{consent.pk}/withdraw").status_code == 200
    before = snapshot()
    response = api.call(method, url_for(template, full_path), body)
    if template == "/consents/{consent}/withdraw":
        # The organisation may still record the (already done) withdrawal: no change.
        assert response.status_code == 200 and snapshot() == before
        return
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


def test_consent_for_another_scope_does_not_open_the_path(api, full_path, org):
    Consent.objects.filter(pk=full_path.ids["consent"]).update(
        withdrawn_at=Consent.objects.get(pk=full_path.ids["consent"]).recorded_at)
    assert full_path.person.consents.active().filter(organisation=org,
                                                     scope=ConsentScope.RIGHTS).exists()
    assert api.get(f"/persons/{full_path.ids['pid']}/path").status_code == 404


@pytest.mark.parametrize("method,template", READS, ids=[u for _m, u in READS])
def test_every_read_leaves_an_audit_event(api, org_token, full_path, method, template):
    pid = full_path.ids["pid"]
    before = AuditEvent.objects.filter(person_uid=pid, api_token=org_token).count()
    response = api.get(url_for(template, full_path))
    assert response.status_code == 200, response.content
    events = AuditEvent.objects.filter(person_uid=pid, api_token=org_token).order_by("pk")
    assert events.count() > before
    last = events.last()
    assert (last.channel, last.organisation_id) == ("api", org_token.organisation_id)
    assert last.consent_id == full_path.ids["consent"]


def test_reads_by_id_are_audited_too(api, org_token, full_path):
    pid = full_path.ids["pid"]
    for url, body in ((f"/actions/{full_path.ids['action']}", {"status": "in_progress"}),
                      (f"/events/{full_path.ids['event']}", {"appointment_outcome": "missed"}),
                      (f"/objectives/{full_path.ids['objective']}", {"status": "active"})):
        before = AuditEvent.objects.filter(person_uid=pid, action="view").count()
        assert api.patch(url, body).status_code == 200
        assert AuditEvent.objects.filter(person_uid=pid, action="view").count() == before + 1


def test_person_of_two_organisations_is_seen_by_both(api, other_api, full_path, other_org):
    ConsentFactory(person=full_path.person, organisation=other_org)
    assert other_api.get(f"/persons/{full_path.ids['pid']}/actions").status_code == 200
    # ... but the other organisation still cannot withdraw our organisation's consent.
    assert other_api.post(f"/consents/{full_path.ids['consent']}/withdraw").status_code == 404
    assert Consent.objects.get(pk=full_path.ids["consent"]).withdrawn_at is None
