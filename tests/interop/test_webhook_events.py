"""The lower layers' events reach the webhooks: an orientation answered (directory)
and a rupture alert raised (rupture), with ids and codes only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.directory.services.orientations import orientation_accept, orientation_create
from passeport.interop.models import WebhookDelivery
from passeport.interop.services import deliveries_send, subscription_create
from passeport.paths.models import Path
from passeport.rupture.services import alerts_refresh

from ..directory.conftest import (  # noqa: F401  (fixtures of the directory)
    communes,
    partner,
    partner_org,
    partner_service,
    partner_structure,
)
from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db


def subscribe(org, receiver, events):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    sub, secret = subscription_create(actor=Actor(user=admin.user, membership=admin),
                                      organisation=org, name="SI", url=receiver.url,
                                      events=events)
    receiver.secret = secret
    return sub


def test_orientation_answered(actor, followed_path, partner, partner_service,  # noqa: F811
                              receiver):
    sub = subscribe(followed_path.organisation, receiver, ["orientation.answered"])
    orientation = orientation_create(
        actor=actor, person=followed_path.person, service=partner_service,
        message="Besoin d'une voiture pour aller travailler", scopes=["path"],
        consent_method="oral", person_agreed=True)
    orientation_accept(actor=Actor(user=partner.user, membership=partner),
                       orientation=orientation)
    deliveries_send(now=timezone.now())
    got = receiver.received[0]
    assert got["valid"] and got["json"]["type"] == "orientation.answered"
    assert got["json"]["data"] == {"person_public_id": followed_path.person.public_id,
                                   "orientation_id": orientation.pk, "status": "accepted",
                                   "partner_organisation_id": partner.organisation_id}
    assert b"voiture" not in got["body"]  # the free text stays in Passeport
    assert WebhookDelivery.objects.get(subscription=sub).status == "succeeded"


def test_rupture_alert_raised(followed_path, receiver):
    Path.objects.filter(pk=followed_path.pk).update(referent=None)
    subscribe(followed_path.organisation, receiver, ["rupture.alert_raised"])
    alerts_refresh(today=timezone.localdate())
    deliveries_send(now=timezone.now())
    kinds = {r["json"]["data"]["alert_kind"] for r in receiver.received}
    assert "no_referent" in kinds and all(r["valid"] for r in receiver.received)
