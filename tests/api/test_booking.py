"""API of the booking invitations: create, list, stable error codes, 404 elsewhere."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from passeport.paths.models import BookingInvitation

from ..paths.booking_helpers import at, deadline


def body(**overrides):
    data = {"answer_by": deadline().isoformat(), "motive": "Point emploi",
            "slots": [{"starts_at": at(3, 10).isoformat(), "duration_minutes": 45,
                       "place": "12 rue de Siam"},
                      {"starts_at": at(4, 14).isoformat(), "duration_minutes": 30, "mode": "phone"}]}
    data.update(overrides)
    return data


def test_create_then_list(api, person, followed_path):
    url = f"/persons/{person.public_id}/booking-invitations"
    response = api.post(url, body())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending" and data["unanswered"] is False
    assert [s["mode"] for s in data["slots"]] == ["on_site", "phone"]
    assert "token" not in str(data).lower()
    listing = api.get(url).json()
    assert [i["id"] for i in listing] == [data["id"]]


def test_errors_have_stable_codes_and_store_nothing(api, person, followed_path):
    url = f"/persons/{person.public_id}/booking-invitations"
    one = body(slots=body()["slots"][:1])
    assert api.post(url, one).json()["code"] == "slots_count"
    past = body()
    past["slots"][0]["starts_at"] = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = api.post(url, past)
    assert response.status_code == 400 and response.json()["code"] == "slot_in_past"
    assert response.json()["field"] == "slots" and response.json()["details"] == {"slot": 0}
    overlap = body()
    overlap["slots"][1]["starts_at"] = at(3, 10, 30).isoformat()
    assert api.post(url, overlap).json()["code"] == "slots_overlap"
    late = body(answer_by=(timezone.localdate() + dt.timedelta(days=30)).isoformat())
    assert api.post(url, late).json()["code"] == "deadline_after_slots"
    ancient = body()
    ancient["slots"][0]["starts_at"] = "0001-01-01T00:00:00"
    assert api.post(url, ancient).status_code == 422
    assert BookingInvitation.objects.count() == 0


def test_another_organisation_gets_404(api, other_api, person, followed_path):
    url = f"/persons/{person.public_id}/booking-invitations"
    assert api.post(url, body()).status_code == 201
    assert other_api.get(url).status_code == 404
    response = other_api.post(url, body())
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert BookingInvitation.objects.count() == 1
