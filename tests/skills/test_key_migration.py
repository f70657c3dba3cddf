"""The data migration to several keys per issuer: a credential signed before it, the way
Passeport signed with its single key (verification method `/badges/emetteurs/<uid>/cle`),
still verifies after it, and after a rotation, from the published files too."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.crypto import seal
from passeport.skills import credentials as cr
from passeport.skills.models import STATUS_LIST_BITS, IssuerKey
from passeport.skills.openbadges import dataintegrity
from passeport.skills.openbadges.multibase import public_key_multibase
from passeport.skills.selectors import credential_verify
from passeport.skills.services import issuer_key_rotate
from tests.factories import OrganisationFactory

from . import independent

BEFORE = [("skills", "0004_transversal_self_assessable")]
AFTER = [("skills", "0007_remove_issuer_single_key_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_credential_signed_before_the_migration_still_verifies(client):
    org = OrganisationFactory(name="ACI du Léon")
    old_apps = _migrate(BEFORE)
    try:
        # The issuer as the single-key code made it, and a credential it signed.
        uid = uuid.uuid4()
        private = Ed25519PrivateKey.generate()
        public = public_key_multibase(private.public_key().public_bytes_raw())
        sealed = seal(base64.b64encode(private.private_bytes_raw()).decode(),
                      context=f"skills-issuer-key:{uid}")
        issuer = old_apps.get_model("skills", "Issuer").objects.create(
            organisation_id=org.pk, uid=uid, name=org.name, public_key_multibase=public,
            private_key_sealed=sealed)
        old_apps.get_model("skills", "StatusList").objects.create(
            issuer_id=issuer.pk, bits=bytes(STATUS_LIST_BITS // 8), credential={})
        badge = SimpleNamespace(uid=uuid.uuid4(), achievement_type="Badge", name="Soudure",
                                description="Souder à l'arc.", criteria="Observé en atelier.",
                                alignments=[])
        ns_issuer = SimpleNamespace(uid=uid, name=org.name, url="")
        now = timezone.now() - dt.timedelta(days=30)
        document = cr.build_credential(uid=uuid.uuid4(), issuer=ns_issuer, badge_class=badge,
                                       email="soudeur@example.org", full_name="", valid_from=now,
                                       valid_until=None, status_index=0)
        credential = dataintegrity.sign(document, private_key=private,
                                        verification_method=f"{cr.issuer_url(ns_issuer)}/cle",
                                        created=cr.iso(now))
    finally:
        _migrate(AFTER)

    key = IssuerKey.objects.select_related("issuer").get(issuer__uid=uid)
    assert key.number == 1 and key.is_current and key.public_key_multibase == public
    assert cr.key_url(key) == credential["proof"][0]["verificationMethod"]
    assert cr.private_key(key).public_key().public_bytes_raw() == private.public_key().public_bytes_raw()
    assert credential_verify(credential).state == "valid"

    issuer_key_rotate(actor=Actor.system(), organisation=org)
    assert credential_verify(credential).state == "valid"
    published = client.get(f"/badges/emetteurs/{uid}/cle").json()
    assert published["controller"] == cr.issuer_url(ns_issuer)
    assert independent.verify(credential, independent.public_key(published["publicKeyMultibase"]))
