"""Fixtures of the safe's tests: a fresh vault directory and master key per test, a
person with an account who is followed by `org`, and sample files of each allowed type."""

from __future__ import annotations

import io
import os

import pytest

from passeport.core.actor import Actor
from passeport.people.enums import ConsentScope
from passeport.vault import selectors, services
from passeport.vault.sealing import seal_stream
from tests.factories import ConsentFactory, PersonFactory, UserFactory

MASTER_KEY = "test-master-key-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True)
def vault_settings(settings, tmp_path):
    settings.PASSEPORT_VAULT_DIR = str(tmp_path / "vault")
    settings.PASSEPORT_VAULT_STORAGE = "filesystem"
    settings.PASSEPORT_VAULT_MASTER_KEY = MASTER_KEY
    settings.PASSEPORT_VAULT_PREVIOUS_KEYS = []
    settings.PASSEPORT_VAULT_CLAMD = ""
    settings.PASSEPORT_VAULT_MAX_UPLOAD_MB = 2
    return settings


def pdf(size: int = 3000, marker: bytes = b"") -> bytes:
    """A PDF-looking file (the signature is what the safe checks) of `size` bytes."""
    return b"%PDF-1.7\n" + marker + os.urandom(max(0, size - 9 - len(marker)))


def jpeg(size: int = 2000) -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(size - 12)


def png(size: int = 2000) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(size - 16)


def heic(size: int = 2000) -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + os.urandom(size - 16)


@pytest.fixture
def person(org):
    """A person with an account, who opened their path and their documents to `org`."""
    user = UserFactory(email="elodie@example.org")
    person = PersonFactory(first_name="Élodie", last_name="Kerouac", user=user,
                           email="elodie@example.org")
    for scope in (ConsentScope.PATH, ConsentScope.DOCUMENTS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    return person


@pytest.fixture
def person_actor(person):
    return Actor(user=person.user)


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


@pytest.fixture
def own_safe(person_actor, person):
    return selectors.safe_of_person(person_actor, person)


def deposit(safe, content: bytes, *, title="Carte d'identité", category="identite", **kwargs):
    upload = seal_stream(io.BytesIO(content), client_name="scan.pdf")
    try:
        return services.document_deposit(safe=safe, upload=upload, category=category,
                                         title=title, **kwargs)
    except BaseException:
        upload.abort()
        raise


def share(safe, organisation, *, document=None, category="", days=30):
    import datetime as dt

    from django.utils import timezone

    return services.share_create(safe=safe, organisation=organisation, document=document,
                                 category=category,
                                 expires_on=timezone.localdate() + dt.timedelta(days=days))


def vault_files(settings) -> list:
    """Every file under the vault directory (blobs and temporary files)."""
    from pathlib import Path

    root = Path(settings.PASSEPORT_VAULT_DIR)
    return [p for p in root.rglob("*") if p.is_file()]
