"""Expiry reminders by e-mail, and the retention rule (documents of a path closed for
more than two years are purged by a task)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.paths.enums import PathStatus
from passeport.vault import selectors, services
from passeport.vault.models import Document, DocumentVersion, LogEntry
from tests.factories import PathFactory, PersonFactory

from .conftest import deposit, pdf, vault_files

pytestmark = pytest.mark.django_db


def test_reminders_at_30_then_7_days_once_each(own_safe, mailoutbox, person):
    today = timezone.localdate()
    soon = deposit(own_safe, pdf(), title="Titre de séjour",
                   expires_on=today + dt.timedelta(days=25)).document
    deposit(own_safe, pdf(), title="Carte d'identité", expires_on=today + dt.timedelta(days=400))
    deposit(own_safe, pdf(), title="Sans date")
    assert services.expiry_reminders_send(today=today) == 1
    mail = mailoutbox[0]
    assert mail.to == [person.email]
    assert "Titre de séjour" in mail.subject and "Titre de séjour" in mail.body
    assert (today + dt.timedelta(days=25)).strftime("%d/%m/%Y") in mail.body
    assert services.expiry_reminders_send(today=today + dt.timedelta(days=1)) == 0
    assert services.expiry_reminders_send(today=today + dt.timedelta(days=19)) == 1  # 6 days left
    assert services.expiry_reminders_send(today=today + dt.timedelta(days=20)) == 0
    soon.refresh_from_db()
    assert soon.reminder_stage == 7
    # A new expiry date (the paper was renewed) starts the reminders again.
    services.document_update(safe=own_safe, document=soon, title=soon.title,
                             category=soon.category, issued_on=None,
                             expires_on=today + dt.timedelta(days=20))
    assert services.expiry_reminders_send(today=today) == 1


def test_the_reminder_command_runs_the_task(own_safe, mailoutbox):
    today = timezone.localdate()
    deposit(own_safe, pdf(), title="Permis", expires_on=today + dt.timedelta(days=3))
    out = StringIO()
    call_command("vault_send_expiry_reminders", stdout=out)
    assert "e-mails sent: 1" in out.getvalue() and len(mailoutbox) == 1


def test_retention_purges_documents_of_paths_closed_more_than_two_years_ago(
        settings, own_safe, person, org, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    PathFactory(person=person, organisation=org, status=PathStatus.CLOSED,
                opened_on=today - dt.timedelta(days=1200),
                closed_on=today - dt.timedelta(days=800))
    old = deposit(own_safe, pdf(), title="Ancien papier").document
    DocumentVersion.objects.filter(document=old).update(
        uploaded_at=timezone.now() - dt.timedelta(days=900))
    recent = deposit(own_safe, pdf(), title="Papier récent").document  # kept: added since
    # Someone else whose path is still open, and one closed last year: nothing purged.

    active = PersonFactory()
    PathFactory(person=active, organisation=org)
    closed_recently = PersonFactory()
    PathFactory(person=closed_recently, organisation=org, status=PathStatus.CLOSED,
                opened_on=today - dt.timedelta(days=500), closed_on=today - dt.timedelta(days=300))
    for other in (active, closed_recently):
        safe = selectors.Safe(person=other, actor=Actor.system(), owner=True)
        deposit(safe, pdf())
        DocumentVersion.objects.filter(document__person=other).update(
            uploaded_at=timezone.now() - dt.timedelta(days=900))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("vault_retention", stdout=out)
    assert "persons: 1" in out.getvalue() and "documents purged: 1" in out.getvalue()
    assert set(Document.objects.values_list("title", flat=True)) >= {"Papier récent"}
    assert not Document.objects.filter(pk=old.pk).exists()
    assert Document.objects.filter(pk=recent.pk).exists()
    assert Document.objects.count() == 3
    tomb = LogEntry.objects.get(action="purge")
    assert tomb.document_uid == str(old.uid) and tomb.channel == "system"
    assert len(vault_files(settings)) == 3
    call_command("vault_check", stdout=StringIO())
