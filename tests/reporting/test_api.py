"""API of the ESF+ reporting: operations, enrolment, participant data, indicators, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from tests.api.conftest import JsonApi

pytestmark = pytest.mark.django_db


def token_api(client, org):
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    return JsonApi(client, raw)


def test_operation_enrol_update_indicators_export(client, org, other_org, followed_path):
    api = token_api(client, org)
    today = timezone.localdate()
    r = api.post("/reporting/operations", {"code": "FSE-1", "title": "Remobilisation",
                                           "starts_on": str(today - timedelta(days=400)),
                                           "ends_on": str(today + timedelta(days=30))})
    assert r.status_code == 201, r.content
    op_id = r.json()["id"]
    r = api.post(f"/reporting/operations/{op_id}/participations",
                 {"public_id": followed_path.person.public_id, "gender": "x", "entry_status": "inactive",
                  "education_level": "isced_0_2", "minority": "declined"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["gender"], body["minority"], body["person_public_id"]) == (
        "x", "declined", followed_path.person.public_id)
    r = api.patch(f"/reporting/participations/{body['id']}", {"exit_on": "2000-01-01"})
    assert r.status_code == 400 and r.json()["field"] == "exit_on"
    inds = {i["code"]: i for i in api.get(f"/reporting/operations/{op_id}/indicators").json()}
    assert inds["EECO11"]["non_binary"] == 1 and inds["EECO11"]["total"] == 1
    assert inds["EECO03"]["total"] == 1 and inds["EECO08"]["total"] == 1
    q = api.get(f"/reporting/operations/{op_id}/quality").json()
    assert q["completeness_rate"] == 100.0
    exported = api.get(f"/reporting/operations/{op_id}/export/participants.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["participant_id"] == followed_path.person.public_id
    assert AuditEvent.objects.filter(person_uid=followed_path.person.public_id, action="export").count() == 1

    other = token_api(client, other_org)
    assert other.get(f"/reporting/operations/{op_id}").status_code == 404
    assert other.get(f"/reporting/operations/{op_id}/indicators").status_code == 404
    assert other.patch(f"/reporting/participations/{body['id']}", {"gender": "f"}).status_code == 404
    assert other.get("/reporting/operations").json() == []
