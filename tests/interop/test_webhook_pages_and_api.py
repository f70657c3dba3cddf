"""The administrators' webhook page and API; another organisation reaches nothing."""

from __future__ import annotations

import pytest

from passeport.interop.models import WebhookSubscription

from ..api.conftest import JsonApi

pytestmark = pytest.mark.django_db


def test_admin_page_creates_a_subscription_and_shows_the_secret_once(client, admin, receiver):
    client.force_login(admin.user)
    page = client.get("/pro/structure/webhooks/")
    assert page.status_code == 200 and "Nouvel abonnement" in page.content.decode()
    response = client.post("/pro/structure/webhooks/", {
        "name": "SI", "url": receiver.url, "events": ["path.opened", "path.closed"]})
    assert response.status_code == 200
    sub = WebhookSubscription.objects.get()
    html = response.content.decode()
    secret = html.split('id="nouveau-secret">')[1].split("<")[0]
    assert secret.startswith("whsec_") and response["Cache-Control"] == "no-store"
    assert secret not in client.get("/pro/structure/webhooks/").content.decode()
    assert client.get(f"/pro/structure/webhooks/{sub.pk}/").status_code == 200
    client.post(f"/pro/structure/webhooks/{sub.pk}/arreter/")
    sub.refresh_from_db()
    assert sub.disabled_at is not None


def test_page_shows_a_clear_french_error(client, admin):
    client.force_login(admin.user)
    response = client.post("/pro/structure/webhooks/", {
        "name": "SI", "url": "http://example.org/hook", "events": ["path.opened"]})
    assert response.status_code == 400
    assert "doit commencer par https://" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_referent_and_other_organisation_are_kept_out(client, admin, referent, outsider):
    client.force_login(admin.user)
    client.post("/pro/structure/webhooks/", {
        "name": "SI", "url": "https://si.example.org/h", "events": ["path.opened"]})
    sub = WebhookSubscription.objects.get()
    client.force_login(referent.user)
    assert client.get("/pro/structure/webhooks/").status_code == 403
    outsider.role = "admin"
    outsider.save()
    client.force_login(outsider.user)
    assert client.get(f"/pro/structure/webhooks/{sub.pk}/").status_code == 404


def test_api_subscribe_list_log_and_stop(client, admin, org_token, other_token):
    client.force_login(admin.user)
    session = JsonApi(client)
    created = session.post("/webhooks/subscriptions", {
        "name": "SI", "url": "https://si.example.org/hook", "events": ["orientation.answered"]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["orientation.answered"]
    token_api = JsonApi(client, org_token.raw)
    listed = token_api.get("/webhooks/subscriptions").json()
    assert [s["id"] for s in listed] == [body["id"]] and "secret" not in listed[0]
    assert token_api.get(f"/webhooks/subscriptions/{body['id']}/deliveries").json() == []
    refused = token_api.post("/webhooks/subscriptions", {
        "name": "SI", "url": "https://si.example.org/hook", "events": ["path.opened"]})
    assert refused.status_code == 403 and refused.json()["code"] == "admin_required"
    other = JsonApi(client, other_token.raw)
    assert other.get(f"/webhooks/subscriptions/{body['id']}").status_code == 404
    bad = session.post("/webhooks/subscriptions", {
        "name": "SI", "url": "http://si.example.org/hook", "events": ["path.opened"]})
    assert bad.status_code == 400 and bad.json() | {"field": "url"} == bad.json()
    assert bad.json()["code"] == "https_required"
    unknown = session.post("/webhooks/subscriptions", {
        "name": "SI", "url": "https://si.example.org/hook", "events": ["badge.issued"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_input"
    assert session.delete(f"/webhooks/subscriptions/{body['id']}").status_code == 204
    assert token_api.get("/webhooks/subscriptions").json()[0]["disabled_at"] is not None
