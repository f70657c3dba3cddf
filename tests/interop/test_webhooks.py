"""Webhooks end to end: a real HTTP receiver on loopback verifies the documented
signature; retries follow the back-off schedule; payloads carry ids only, and nothing
goes to an organisation the person's consent does not cover."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import Forbidden, PasseportError
from passeport.interop import signing
from passeport.interop.enums import DeliveryStatus, WebhookEvent
from passeport.interop.models import WebhookDelivery
from passeport.interop.services import (
    BACKOFF,
    actions_due_emit,
    deliveries_send,
    subscription_create,
    subscription_disable,
)
from passeport.paths.enums import PathStatus
from passeport.paths.services import path_set_status
from passeport.people.enums import ConsentScope
from passeport.people.services import consent_withdraw

from ..factories import ActionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def subscribe(actor, receiver, events=(WebhookEvent.PATH_CLOSED,)):
    sub, secret = subscription_create(actor=actor, organisation=actor.organisation,
                                      name="SI de la mission locale", url=receiver.url,
                                      events=list(events))
    receiver.secret = secret
    return sub


def close(path, actor):
    return path_set_status(actor=actor, path=path, status=PathStatus.CLOSED,
                           exit_reason="employment")


def test_delivery_is_signed_as_documented_and_carries_ids_only(
        admin_actor, actor, followed_path, receiver, django_capture_on_commit_callbacks):
    sub = subscribe(admin_actor, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        close(followed_path, actor)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["valid"] is True
    assert got["headers"]["Passeport-Event"] == "path.closed"
    payload = got["json"]
    assert set(payload) == {"id", "type", "created_at", "organisation_id", "data"}
    assert payload["type"] == "path.closed" and payload["organisation_id"] == sub.organisation_id
    assert payload["data"] == {"person_public_id": followed_path.person.public_id,
                               "path_id": followed_path.pk, "exit_reason": "employment"}
    person = followed_path.person
    for private in (person.first_name, person.last_name, person.birth_date.isoformat()):
        assert private.encode() not in got["body"]
    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.succeeded and attempt.duration_ms >= 0


def test_receiver_rejects_a_wrong_secret_a_tampered_body_and_a_replay():
    body = b'{"type":"path.closed"}'
    now = int(timezone.now().timestamp())
    header = signing.signature_header("whsec_good", now, body)
    assert signing.verify("whsec_good", header, body)
    assert not signing.verify("whsec_bad", header, body)
    assert not signing.verify("whsec_good", header, body + b" ")
    old = signing.signature_header("whsec_good", now - 301, body)
    assert not signing.verify("whsec_good", old, body)
    assert not signing.verify("whsec_good", "garbage", body)


def test_retry_after_a_server_error_honours_the_backoff(
        admin_actor, actor, followed_path, receiver):
    subscribe(admin_actor, receiver)
    receiver.statuses = [500, 200]
    close(followed_path, actor)  # on_commit not run: the first try is ours, at t0
    t0 = timezone.now() + timedelta(seconds=1)
    assert deliveries_send(now=t0)["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_attempt_at == t0 + timedelta(minutes=1)
    assert deliveries_send(now=t0 + timedelta(seconds=59))["attempted"] == 0
    assert deliveries_send(now=t0 + timedelta(minutes=1))["succeeded"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert len(receiver.received) == 2 and all(r["valid"] for r in receiver.received)
    # The same event is one delivery, whatever the number of tries.
    assert receiver.received[0]["json"]["id"] == receiver.received[1]["json"]["id"]


def test_full_schedule_then_failed(admin_actor, actor, followed_path, receiver):
    subscribe(admin_actor, receiver)
    receiver.statuses = [500] * 10
    close(followed_path, actor)
    now = timezone.now() + timedelta(seconds=1)
    waits = []
    for _ in range(6):
        deliveries_send(now=now)
        delivery = WebhookDelivery.objects.get()
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
    assert waits == list(BACKOFF)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6
    assert deliveries_send(now=now + timedelta(days=1))["attempted"] == 0


def test_unreachable_receiver_is_logged_as_an_error(admin_actor, actor, followed_path, receiver):
    sub = subscribe(admin_actor, receiver)
    sub.url = "http://127.0.0.1:9/nowhere"  # discard port: connection refused
    sub.save()
    close(followed_path, actor)
    deliveries_send(now=timezone.now() + timedelta(seconds=1))
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and "Connection" in attempt.error


def test_receiver_whose_name_resolves_to_an_internal_address_is_refused_when_connecting(
        admin_actor, actor, followed_path, receiver, settings):
    """The address checked is the one connected to: « localhost » passes the URL rules
    (a name), but resolves to loopback, which production refuses; a private address
    is refused at once, before any connection (no timeout)."""
    sub = subscribe(admin_actor, receiver)
    sub.url = receiver.url.replace("127.0.0.1", "localhost")
    sub.save()
    settings.PASSEPORT_OUTBOUND_ALLOW_LOOPBACK = False
    close(followed_path, actor)
    deliveries_send(now=timezone.now() + timedelta(seconds=1))
    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("internal_address")
    assert receiver.received == [] and delivery.status == DeliveryStatus.PENDING  # retried later
    # allowed again (a receiver on the same machine, outside production): delivered
    settings.PASSEPORT_OUTBOUND_ALLOW_LOOPBACK = True
    deliveries_send(now=timezone.now() + timedelta(days=1))
    assert len(receiver.received) == 1
    # a private address: refused without trying to connect (no timeout)
    from passeport.interop.services import _post

    started = timezone.now()
    status, error = _post("https://10.255.255.1/hook", b"{}", {})
    assert status is None and error.startswith("internal_address")
    assert (timezone.now() - started).total_seconds() < 2
    # the operator says its receivers sit in its own network: the filter is lifted
    settings.PASSEPORT_OUTBOUND_ALLOW_LOOPBACK = False
    settings.PASSEPORT_WEBHOOK_ALLOW_PRIVATE = True
    status, error = _post(sub.url, b"{}", {"Content-Type": "application/json"})
    assert status is not None and not error.startswith("internal_address")


def test_no_delivery_to_an_organisation_without_consent(
        other_org, actor, followed_path, receiver, django_capture_on_commit_callbacks):
    other_admin = MembershipFactory(organisation=other_org, role="admin")
    subscribe(Actor(user=other_admin.user, membership=other_admin), receiver)
    with django_capture_on_commit_callbacks(execute=True):
        close(followed_path, actor)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_consent_withdrawn_before_sending_cancels_and_erases(
        admin_actor, actor, followed_path, receiver):
    subscribe(admin_actor, receiver)
    close(followed_path, actor)
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["data"]["person_public_id"] == followed_path.person.public_id
    consent = followed_path.person.consents.get(scope=ConsentScope.PATH)
    consent_withdraw(actor=actor, consent=consent)
    deliveries_send(now=timezone.now() + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED and delivery.payload == {}
    assert receiver.received == []


def test_document_event_needs_the_documents_scope(admin_actor, followed_path, receiver):
    """The org holds `path` consent but not `documents`: action.due goes, nothing else."""
    subscribe(admin_actor, receiver, events=[WebhookEvent.ACTION_DUE, WebhookEvent.DOCUMENT_SHARED])
    from passeport.interop.services import event_record

    assert event_record(event=WebhookEvent.DOCUMENT_SHARED, person=followed_path.person,
                        key="1", data={"share_id": 1}) == []
    today = timezone.localdate()
    action = ActionFactory(path=followed_path, due_on=today)
    assert actions_due_emit(today=today) == 1
    assert actions_due_emit(today=today) == 0  # once per action and day
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["data"] == {"person_public_id": followed_path.person.public_id,
                                        "path_id": followed_path.pk, "action_id": action.pk,
                                        "due_on": today.isoformat()}


def test_url_rules(admin_actor):
    def create(url):
        return subscription_create(actor=admin_actor, organisation=admin_actor.organisation,
                                   name="x", url=url, events=["path.opened"])

    with pytest.raises(PasseportError) as exc:
        create("http://example.org/hook")
    assert exc.value.code == "https_required"
    for bad in ("ftp://example.org", "pas une adresse", "https://", "https://u:p@example.org"):
        with pytest.raises(PasseportError) as exc:
            create(bad)
        assert exc.value.code == "invalid_url"
    create("https://si.example.org/hook")
    create("http://127.0.0.1:8080/hook")
    with override_settings(PRODUCTION=True), pytest.raises(PasseportError) as exc:
        create("http://127.0.0.1:8080/hook")
    assert exc.value.code == "https_required"
    for internal in ("https://10.1.2.3/hook", "https://[::1]/hook", "https://localhost/h"):
        with override_settings(PRODUCTION=True), pytest.raises(PasseportError) as exc:
            create(internal)
        assert exc.value.code == "internal_address"
    with pytest.raises(PasseportError) as exc:
        subscription_create(actor=admin_actor, organisation=admin_actor.organisation,
                            name="x", url="https://a.example", events=["badge.issued"])
    assert exc.value.code == "invalid_event"


def test_only_administrators_subscribe_and_secret_is_sealed(actor, admin_actor, receiver):
    with pytest.raises(Forbidden):
        subscribe(actor, receiver)
    sub = subscribe(admin_actor, receiver)
    assert receiver.secret not in sub.secret_sealed and sub.secret_prefix == receiver.secret[:12]
    subscription_disable(actor=admin_actor, subscription=sub)
    assert sub.disabled_at is not None


def test_path_opened_and_the_deliver_command(admin_actor, actor, followed_path, receiver):
    from django.core.management import call_command

    from passeport.paths.services import path_open

    subscribe(admin_actor, receiver, events=[WebhookEvent.PATH_OPENED, WebhookEvent.PATH_CLOSED])
    close(followed_path, actor)
    new_path = path_open(actor=actor, person=followed_path.person)
    call_command("webhooks_deliver")
    got = sorted((r["json"]["type"], r["json"]["data"]["path_id"]) for r in receiver.received)
    assert got == [("path.closed", followed_path.pk), ("path.opened", new_path.pk)]
    assert all(r["valid"] for r in receiver.received)
