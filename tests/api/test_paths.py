"""The path API: path (open, situation, référent, status), diagnostic, objectives,
actions, timeline events (cursor pagination), work hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.core.enums import Role
from passeport.paths.enums import ActionStatus, EventKind, PathStatus
from passeport.paths.models import (
    Action,
    DiagnosticEntry,
    Objective,
    Path,
    TimelineEvent,
    WorkHoursStep,
)

from ..factories import ConsentFactory, MembershipFactory, PathFactory, PersonFactory


def today(days=0):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# --- path ----------------------------------------------------------------------------

def test_path_shows_situation_referent_and_followers(api, followed_path, referent, other_org):
    ConsentFactory(person=followed_path.person, organisation=other_org)
    followed_path.housing_status = "hosted"
    followed_path.benefits = ["rsa"]
    followed_path.save()
    body = api.get(f"/persons/{followed_path.person.public_id}/path").json()
    assert body["status"] == "active" and body["referent"]["id"] == referent.pk
    assert body["referent"]["last_name"] == "Le Bihan"
    assert body["situation"]["housing_status"] == "hosted"
    assert body["situation"]["benefits"] == ["rsa"]
    assert {f["name"] for f in body["followers"]} == {"Mission locale du Pays de Brest",
                                                      "PLIE de Cornouaille"}


def test_open_a_path(api, org, referent):
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org)
    assert api.get(f"/persons/{person.public_id}/path").json()["code"] == "no_path"
    response = api.post(f"/persons/{person.public_id}/path", {
        "referent_id": referent.pk, "employment_status": "unemployed",
        "education_level": "isced_3_4", "benefits": ["rsa", "al"]})
    assert response.status_code == 201, response.json()
    path = Path.objects.get(person=person)
    assert (path.organisation, path.referent, path.benefits) == (org, referent, ["al", "rsa"])
    again = api.post(f"/persons/{person.public_id}/path", {})
    assert again.status_code == 409 and again.json()["code"] == "path_already_open"
    assert Path.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("body,status,code", [
    ({"benefits": ["lottery"]}, 422, "invalid_input"),
    ({"housing_status": "castle"}, 422, "invalid_input"),
    ({"referent_id": 999999}, 400, "invalid_member"),
])
def test_open_a_path_bad_input(api, org, body, status, code):
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org)
    response = api.post(f"/persons/{person.public_id}/path", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Path.objects.filter(person=person).exists()


def test_referent_must_follow_the_person(api, org, person, outsider):
    response = api.patch(f"/persons/{person.public_id}/path", {"referent_id": outsider.pk})
    assert response.status_code == 400 and response.json()["field"] == "referent_id"
    assert person.paths.get().referent.organisation == org


def test_patch_situation_referent_and_close(api, person, org):
    other_referent = MembershipFactory(organisation=org, role=Role.REFERENT)
    response = api.patch(f"/persons/{person.public_id}/path",
                         {"housing_status": "social_tenant", "referent_id": other_referent.pk})
    assert response.status_code == 200, response.json()
    path = person.paths.get()
    assert (path.housing_status, path.referent) == ("social_tenant", other_referent)
    assert path.events.filter(kind=EventKind.REFERENT).exists()

    closed = api.patch(f"/persons/{person.public_id}/path",
                       {"status": "closed", "exit_reason": "employment"})
    assert closed.status_code == 200 and closed.json()["closed_on"] == today()
    path.refresh_from_db()
    assert (path.status, path.exit_reason) == (PathStatus.CLOSED, "employment")


def test_patch_path_is_all_or_nothing(api, person):
    response = api.patch(f"/persons/{person.public_id}/path",
                         {"housing_status": "homeless", "status": "closed"})
    assert response.status_code == 400 and response.json()["code"] == "exit_reason_required"
    path = person.paths.get()
    assert (path.housing_status, path.status) == ("", PathStatus.ACTIVE)
    assert not path.events.exists()


def test_remove_referent_with_null(api, person):
    response = api.patch(f"/persons/{person.public_id}/path", {"referent_id": None})
    assert response.status_code == 200 and response.json()["referent"] is None


# --- diagnostic ----------------------------------------------------------------------

def test_diagnostic_assess_several_themes_then_history(api, person):
    url = f"/persons/{person.public_id}/diagnostic"
    response = api.post(url, {"assessments": [
        {"theme": "mobilite", "severity": 3, "comment": "Pas de permis"},
        {"theme": "numerique", "severity": 1}]})
    assert response.status_code == 201, response.json()
    assert {e["theme"] for e in response.json()} == {"mobilite", "numerique"}
    api.post(url, {"assessments": [{"theme": "mobilite", "severity": 2, "comment": "Vélo"}]})
    current = api.get(url).json()
    assert {(e["theme"], e["severity"]) for e in current} == {("mobilite", 2), ("numerique", 1)}
    history = api.get(url, {"history": "true"}).json()
    assert [e["severity"] for e in history if e["theme"] == "mobilite"] == [2, 3]
    assert [e["is_current"] for e in history if e["theme"] == "mobilite"] == [True, False]


@pytest.mark.parametrize("body,status,code", [
    ({"assessments": []}, 422, "invalid_input"),
    ({"assessments": [{"theme": "mobilite", "severity": 5}]}, 422, "invalid_input"),
    ({"assessments": [{"theme": "astrologie", "severity": 1}]}, 422, "invalid_input"),
    ({"assessments": [{"theme": "sante", "severity": 1}, {"theme": "sante", "severity": 2}]},
     422, "duplicate_theme"),
    ({"assessed_on": today(3), "assessments": [{"theme": "sante", "severity": 1}]},
     400, "future_date"),
])
def test_diagnostic_bad_input_stores_nothing(api, person, body, status, code):
    response = api.post(f"/persons/{person.public_id}/diagnostic", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert DiagnosticEntry.objects.count() == 0 and TimelineEvent.objects.count() == 0


# --- objectives and actions ----------------------------------------------------------

def test_objectives_and_actions(api, person, referent):
    objective = api.post(f"/persons/{person.public_id}/objectives",
                         {"title": "Retrouver un emploi", "description": "Dans la vente"})
    assert objective.status_code == 201
    oid = objective.json()["id"]
    action = api.post(f"/persons/{person.public_id}/actions", {
        "title": "Atelier CV", "objective_id": oid, "theme": "preparer-sa-candidature",
        "due_on": today(10), "assignee_id": referent.pk})
    assert action.status_code == 201, action.json()
    body = action.json()
    assert body["assignee"]["id"] == referent.pk and body["status"] == "todo"
    assert api.get(f"/persons/{person.public_id}/objectives").json()[0]["title"] == \
        "Retrouver un emploi"
    assert [a["title"] for a in api.get(f"/persons/{person.public_id}/actions").json()] == \
        ["Atelier CV"]

    done = api.patch(f"/actions/{body['id']}", {"status": "done", "outcome": "CV prêt"})
    assert done.status_code == 200 and done.json()["done_at"]
    assert Action.objects.get(pk=body["id"]).outcome == "CV prêt"
    achieved = api.patch(f"/objectives/{oid}", {"status": "achieved"})
    assert achieved.status_code == 200 and achieved.json()["status"] == "achieved"


@pytest.mark.parametrize("body,status,code,field", [
    ({"title": ""}, 422, "invalid_input", "title"),
    ({"title": "x" * 201}, 422, "invalid_input", "title"),
    ({"title": "A", "due_on": "demain"}, 422, "invalid_input", "due_on"),
    ({"title": "A", "due_on": "2001-01-01"}, 400, "invalid_due_date", "due_on"),
    ({"title": "A", "theme": "astrologie"}, 422, "invalid_input", "theme"),
    ({"title": "A", "assignee_id": 999999}, 400, "invalid_member", "assignee_id"),
    ({"title": "A", "objective_id": 999999}, 400, "invalid_objective", "objective_id"),
])
def test_action_bad_input_stores_nothing(api, person, body, status, code, field):
    response = api.post(f"/persons/{person.public_id}/actions", body)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Action.objects.count() == 0 and TimelineEvent.objects.count() == 0


def test_objective_of_another_path_is_refused(api, person, org):
    other = PathFactory(organisation=org)
    foreign = Objective.objects.create(path=other, title="Autre")
    response = api.post(f"/persons/{person.public_id}/actions",
                        {"title": "A", "objective_id": foreign.pk})
    assert response.json()["code"] == "invalid_objective" and Action.objects.count() == 0


def test_action_status_bad_input(api, full_path):
    response = api.patch(f"/actions/{full_path.ids['action']}", {"status": "finished"})
    assert response.status_code == 422
    assert Action.objects.get(pk=full_path.ids["action"]).status == ActionStatus.TODO


# --- events --------------------------------------------------------------------------

def test_events_newest_first_with_cursor(api, person):
    path = person.paths.get()
    start = timezone.now() - dt.timedelta(days=10)
    for i in range(7):
        TimelineEvent.objects.create(path=path, kind=EventKind.NOTE, title=f"Note {i}",
                                     occurred_at=start + dt.timedelta(days=i))
    TimelineEvent.objects.create(path=path, kind=EventKind.NOTE, title="Même heure",
                                 occurred_at=start + dt.timedelta(days=6))
    titles, cursor = [], None
    while True:
        body = api.get(f"/persons/{person.public_id}/events",
                       {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        titles += [e["title"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert titles == ["Même heure", "Note 6", "Note 5", "Note 4", "Note 3", "Note 2", "Note 1",
                      "Note 0"]


def test_add_note_and_appointment_then_outcome(api, person):
    url = f"/persons/{person.public_id}/events"
    note = api.post(url, {"kind": "note", "title": "Appel", "body": "A rappelé"})
    assert note.status_code == 201 and note.json()["appointment_outcome"] == ""
    coming = f"{timezone.localdate().year + 1}-05-02T10:00:00"  # always to come, summer time
    rdv = api.post(url, {"kind": "appointment", "title": "RDV", "occurred_at": coming})
    assert rdv.status_code == 201, rdv.json()
    assert rdv.json()["appointment_outcome"] == "planned"
    assert rdv.json()["occurred_at"].startswith(f"{coming}+02:00")
    too_soon = api.patch(f"/events/{rdv.json()['id']}", {"appointment_outcome": "held"})
    assert too_soon.status_code == 400 and too_soon.json()["code"] == "outcome_in_future"
    past = api.post(url, {"kind": "appointment", "title": "RDV passé",
                          "occurred_at": "2025-05-02T10:00:00"})
    held = api.patch(f"/events/{past.json()['id']}", {"appointment_outcome": "held"})
    assert held.status_code == 200 and held.json()["appointment_outcome"] == "held"
    not_rdv = api.patch(f"/events/{note.json()['id']}", {"appointment_outcome": "held"})
    assert not_rdv.status_code == 400 and not_rdv.json()["code"] == "not_an_appointment"


@pytest.mark.parametrize("body,status,code", [
    ({"kind": "status_change", "title": "X"}, 422, "invalid_input"),
    ({"kind": "note", "title": " "}, 422, "invalid_input"),
    ({"kind": "note", "title": "X", "appointment_outcome": "held"}, 400, "invalid_outcome"),
    ({"kind": "appointment", "title": "X", "occurred_at": "hier"}, 422, "invalid_input"),
])
def test_event_bad_input_stores_nothing(api, person, body, status, code):
    response = api.post(f"/persons/{person.public_id}/events", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert TimelineEvent.objects.count() == 0


def test_event_cursor_must_be_valid(api, person):
    response = api.get(f"/persons/{person.public_id}/events", {"cursor": "n'importe quoi"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"


# --- work hours ----------------------------------------------------------------------

def test_work_hours_steps(api, person):
    url = f"/persons/{person.public_id}/work-hours"
    assert api.post(url, {"hours_per_week": 4, "starts_on": today(-20)}).status_code == 201
    second = api.post(url, {"hours_per_week": 8, "starts_on": today(-6),
                            "employer_name": "ACI Recyclerie"})
    assert second.status_code == 201, second.json()
    steps = api.get(url).json()
    assert [(s["hours_per_week"], s["ends_on"]) for s in steps] == [(4, today(-7)), (8, None)]


@pytest.mark.parametrize("body,status,code", [
    ({"hours_per_week": 40, "starts_on": "2030-01-01"}, 422, "invalid_input"),
    ({"hours_per_week": 0, "starts_on": "2030-01-01"}, 422, "invalid_input"),
    ({"hours_per_week": 8, "starts_on": "2030-01-01", "contract": "cdi"}, 422, "invalid_input"),
    ({"hours_per_week": 8, "starts_on": "2000-01-01"}, 400, "step_before_previous"),
])
def test_work_hours_bad_input_stores_nothing(api, person, body, status, code):
    WorkHoursStep.objects.create(path=person.paths.get(), hours_per_week=4,
                                 starts_on=dt.date(2020, 1, 1))
    response = api.post(f"/persons/{person.public_id}/work-hours", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert WorkHoursStep.objects.count() == 1
    assert WorkHoursStep.objects.get().ends_on is None


def test_the_person_sees_their_path_but_cannot_write_professional_items(client, person):
    from django.contrib.auth import get_user_model

    from .conftest import JsonApi

    person.user = get_user_model().objects.create_user(email="elodie@example.org")
    person.save()
    client.force_login(person.user)
    me = JsonApi(client)
    assert me.get(f"/persons/{person.public_id}/path").status_code == 200
    refused = me.post(f"/persons/{person.public_id}/events", {"kind": "note", "title": "X"})
    assert refused.status_code == 404 and TimelineEvent.objects.count() == 0
