"""Rules of the safe at the service level: storage holds only ciphertext, sharing and
revocation, deposits by a professional, erasure, key rotation, idempotency."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.vault import selectors, services
from passeport.vault.keys import KeyRing, VaultKeyError
from passeport.vault.models import Document, DocumentVersion, LogEntry, PendingBlob, Share
from passeport.vault.sealing import seal_stream
from passeport.vault.storage import get_storage
from tests.factories import ConsentFactory, MembershipFactory

from .conftest import MASTER_KEY, deposit, jpeg, pdf, share, vault_files

pytestmark = pytest.mark.django_db


def read_all(safe, document, version=None):
    version = version or selectors.version_get(document)
    opened = services.version_open(safe=safe, document=document, version=version)
    return b"".join(opened.chunks)


def test_storage_and_database_hold_no_plaintext_and_the_file_reads_back(
        settings, own_safe, person):
    marker = b"NIR-185052901912345-SECRET-MARKER"
    content = pdf(200_000, marker=marker * 50)
    result = deposit(own_safe, content)
    version = result.version
    files = vault_files(settings)
    assert [f.name for f in files] == [version.blob_name]
    raw = files[0].read_bytes()
    assert marker not in raw and content[:9] not in raw
    assert marker not in bytes(version.wrapped_key)
    assert version.sha256 == __import__("hashlib").sha256(content).hexdigest()
    assert version.algorithm == "aes-256-gcm-stream-64k-v1"
    assert version.kek_id == KeyRing(MASTER_KEY).current.id
    assert not PendingBlob.objects.exists()  # the journal row went with the commit
    assert read_all(own_safe, result.document) == content


def test_without_the_master_key_nothing_decrypts(settings, own_safe):
    result = deposit(own_safe, pdf(5000))
    settings.PASSEPORT_VAULT_MASTER_KEY = "another-master-key-" + "x" * 40
    with pytest.raises(VaultKeyError):
        services._data_key(result.version)
    with pytest.raises(services.DocumentDamaged):
        services.version_open(safe=own_safe, document=result.document, version=result.version)


def test_types_are_checked_by_content(own_safe):
    for content, content_type in ((pdf(), "application/pdf"), (jpeg(), "image/jpeg")):
        assert deposit(own_safe, content).version.content_type == content_type
    for bad in (b"<html><script>alert(1)</script>" + b" " * 100, b"MZ\x90\x00" + b"\0" * 100,
                b"GIF89a" + b"\0" * 100, b""):
        with pytest.raises(PasseportError) as exc:
            deposit(own_safe, bad)
        assert exc.value.code in ("file_type_not_allowed", "file_empty")
    assert Document.objects.count() == 2
    assert not PendingBlob.objects.exists()


def test_size_limit_stops_the_upload_and_leaves_nothing(settings, own_safe):
    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, pdf(2 * 1024 * 1024 + 1))
    assert exc.value.code == "file_too_large"
    assert vault_files(settings) == [] and not PendingBlob.objects.exists()


def test_professional_sees_only_active_shares_and_revocation_is_immediate(
        own_safe, person, org, referent, actor, other_org):
    ConsentFactory(person=person, organisation=other_org, scope=ConsentScope.PATH)
    id_card = deposit(own_safe, pdf(), title="Carte d'identité", category="identite").document
    payslip = deposit(own_safe, pdf(), title="Bulletin de salaire", category="ressources").document
    caf = deposit(own_safe, pdf(), title="Attestation CAF", category="ressources").document
    pro_safe = selectors.safe_get_for(actor, person.public_id)
    assert list(selectors.documents_of(pro_safe)) == []
    with pytest.raises(NotFound):
        selectors.document_get_for(pro_safe, id_card.uid)

    one = share(own_safe, org, document=id_card)
    assert [d.title for d in selectors.documents_of(pro_safe)] == ["Carte d'identité"]
    category = share(own_safe, org, category="ressources")
    assert {d.title for d in selectors.documents_of(pro_safe)} == {
        "Carte d'identité", "Bulletin de salaire", "Attestation CAF"}
    assert read_all(pro_safe, caf).startswith(b"%PDF")

    services.share_revoke(safe=own_safe, share=category)
    with pytest.raises(NotFound):
        selectors.document_get_for(pro_safe, payslip.uid)
    services.share_revoke(safe=own_safe, share=one)
    assert list(selectors.documents_of(pro_safe)) == []
    # The log has the shares and unshares, with the organisation.
    actions = list(LogEntry.objects.filter(action__in=["share", "unshare"])
                   .order_by("seq").values_list("action", "detail__organisation"))
    assert actions == [("share", org.name)] * 2 + [("unshare", org.name)] * 2


def test_an_expired_share_opens_nothing(own_safe, person, org, actor):
    document = deposit(own_safe, pdf()).document
    Share.objects.create(person=person, organisation=org, document=document,
                         expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.documents_of(selectors.safe_get_for(actor, person.public_id))) == []


def test_another_organisation_or_a_withdrawn_consent_gets_not_found(
        own_safe, person, org, actor, outsider_actor):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    with pytest.raises(NotFound):
        selectors.safe_get_for(outsider_actor, person.public_id)
    Consent.objects.filter(person=person, organisation=org, scope=ConsentScope.DOCUMENTS).update(
        withdrawn_at=timezone.now())
    with pytest.raises(NotFound):
        selectors.safe_get_for(actor, person.public_id)


def test_a_professional_never_shares_edits_deletes_nor_exports(own_safe, person, org, actor,
                                                               other_org):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    pro_safe = selectors.safe_get_for(actor, person.public_id)
    visible = selectors.document_get_for(pro_safe, document.uid)
    until = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(NotFound):
        services.share_create(safe=pro_safe, organisation=other_org, document=visible,
                              expires_on=until)
    with pytest.raises(NotFound):
        services.document_delete(safe=pro_safe, document=visible)
    with pytest.raises(NotFound):
        services.document_update(safe=pro_safe, document=visible, title="x", category="autre",
                                 issued_on=None, expires_on=None)
    with pytest.raises(NotFound):
        services.export_archive(safe=pro_safe)
    with pytest.raises(NotFound):
        selectors.shares_of(pro_safe)
    with pytest.raises(NotFound):
        selectors.log_of(pro_safe)
    assert Share.objects.count() == 1 and Document.objects.count() == 1


def test_share_only_with_an_organisation_that_follows_the_person(own_safe, other_org):
    document = deposit(own_safe, pdf()).document
    with pytest.raises(PasseportError) as exc:
        share(own_safe, other_org, document=document)
    assert exc.value.code == "invalid_organisation"


def test_sharing_records_the_documents_consent(own_safe, person, org):
    Consent.objects.filter(scope=ConsentScope.DOCUMENTS).delete()
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    consent = Consent.objects.active().get(person=person, organisation=org,
                                           scope=ConsentScope.DOCUMENTS)
    assert consent.method == "in_app"


def test_professional_deposit_needs_the_consent_and_is_shared_back(person, org, actor, referent):
    pro_safe = selectors.safe_get_for(actor, person.public_id)
    result = deposit(pro_safe, jpeg(), title="Justificatif de domicile", category="logement")
    assert result.version.uploaded_by_organisation == org
    assert [d.uid for d in selectors.documents_of(pro_safe)] == [result.document.uid]
    auto_share = Share.objects.get(document=result.document)
    assert auto_share.organisation == org and auto_share.is_active
    # The person sees it and can revoke it.
    own = selectors.safe_of_person(Actor(user=person.user), person)
    assert [d.uid for d in selectors.documents_of(own)] == [result.document.uid]
    services.share_revoke(safe=own, share=auto_share)
    assert list(selectors.documents_of(pro_safe)) == []
    # Without the documents consent, the professional cannot reach the safe at all.
    Consent.objects.filter(scope=ConsentScope.DOCUMENTS).update(withdrawn_at=timezone.now())
    with pytest.raises(NotFound):
        selectors.safe_get_for(actor, person.public_id)


def test_professional_reads_leave_log_entries_and_core_audit_events(own_safe, person, org,
                                                                    actor):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    pro_safe = selectors.safe_get_for(actor, person.public_id)
    visible = selectors.document_get_for(pro_safe, document.uid, record_view=True)
    read_all(pro_safe, visible)
    entries = list(LogEntry.objects.filter(action__in=["view", "download"]).order_by("seq"))
    assert [(e.action, e.organisation_name, e.document_uid) for e in entries] == [
        ("view", org.name, str(document.uid)), ("download", org.name, str(document.uid))]
    assert entries[1].sha256 == document.versions.get().sha256
    audit = AuditEvent.objects.filter(person_uid=person.public_id, organisation=org)
    assert audit.filter(object_type="documents").exists()  # the consent-checked read
    assert audit.filter(object_type="document", object_id=str(document.uid)).exists()


def test_versions_keep_the_old_files(own_safe):
    first = deposit(own_safe, pdf(4000))
    second = services.document_add_version(safe=own_safe, document=first.document,
                                           upload=seal_stream(io.BytesIO(jpeg(3000))))
    assert second.version.number == 2
    document = selectors.document_get_for(own_safe, first.document.uid)
    assert read_all(own_safe, document, selectors.version_get(document, 1)).startswith(b"%PDF")
    assert read_all(own_safe, document).startswith(b"\xff\xd8\xff")


def test_idempotent_retry_returns_the_first_deposit(settings, own_safe):
    content = pdf()
    first = deposit(own_safe, content, idempotency_key="abc")
    again = deposit(own_safe, content, idempotency_key="abc")
    assert not again.created and again.document.pk == first.document.pk
    assert Document.objects.count() == 1 and len(vault_files(settings)) == 1
    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, pdf(), idempotency_key="abc")
    assert exc.value.code == "idempotency_key_reused"
    assert len(vault_files(settings)) == 1 and not PendingBlob.objects.exists()


def test_deleting_shreds_and_leaves_a_tombstone(settings, own_safe, django_capture_on_commit_callbacks):
    result = deposit(own_safe, pdf())
    blob = result.version.blob_name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(safe=own_safe, document=result.document)
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not get_storage().exists(blob) and vault_files(settings) == []
    tomb = LogEntry.objects.get(action="delete")
    assert tomb.document_uid == str(result.document.uid)
    assert tomb.sha256 == result.version.sha256


def test_erasure_leaves_nothing_decryptable(settings, person, own_safe, org,
                                            django_capture_on_commit_callbacks):
    results = [deposit(own_safe, pdf()) for _ in range(3)]
    share(own_safe, org, document=results[0].document)
    blobs = {r.version.blob_name: Path(get_storage().path(r.version.blob_name)).read_bytes()
             for r in results}
    wrapped = [bytes(r.version.wrapped_key) for r in results]
    with django_capture_on_commit_callbacks(execute=True):
        count = services.person_documents_erase(actor=Actor.system(), person=person)
    assert count == 3
    assert vault_files(settings) == []
    assert not DocumentVersion.objects.exists() and not Share.objects.exists()
    assert not DocumentVersion.objects.filter(wrapped_key__in=wrapped).exists()
    # Even a copy of the blobs taken before (a backup) cannot be opened any more: the
    # data keys existed only wrapped in the rows that are gone.
    assert all(b"%PDF" not in raw for raw in blobs.values())
    assert LogEntry.objects.filter(action="erase").count() == 3
    call_command("vault_check")  # nothing left behind: no orphan, no missing blob


def test_key_rotation_rewraps_and_old_files_stay_readable(settings, own_safe):
    content = pdf(150_000)
    old = deposit(own_safe, content)
    old_kek = old.version.kek_id
    settings.PASSEPORT_VAULT_MASTER_KEY = "the-new-master-key-" + "n" * 40
    settings.PASSEPORT_VAULT_PREVIOUS_KEYS = [MASTER_KEY]
    # Before the rotation, the old file is still readable (its KEK is a previous key).
    assert read_all(own_safe, selectors.document_get_for(own_safe, old.document.uid)) == content
    new = deposit(own_safe, pdf())
    assert new.version.kek_id != old_kek
    report = services.keys_rotate()
    assert report.rewrapped == 1 and report.remaining_by_kek == {}
    version = DocumentVersion.objects.get(pk=old.version.pk)
    assert version.kek_id == new.version.kek_id
    # The old key can now go: everything reads with the new key alone.
    settings.PASSEPORT_VAULT_PREVIOUS_KEYS = []
    assert read_all(own_safe, selectors.document_get_for(own_safe, old.document.uid)) == content


def test_dates_are_checked(own_safe):
    today = timezone.localdate()
    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, pdf(), issued_on=today, expires_on=today - dt.timedelta(days=1))
    assert exc.value.field == "expires_on"
    assert not Document.objects.exists() and not PendingBlob.objects.exists()


def test_other_person_documents_are_not_found(own_safe, person):
    from tests.factories import PersonFactory, UserFactory

    other = PersonFactory(user=UserFactory())
    theirs = deposit(selectors.safe_of_person(Actor(user=other.user), other), pdf()).document
    with pytest.raises(NotFound):
        selectors.document_get_for(own_safe, theirs.uid)
    with pytest.raises(NotFound):
        selectors.safe_of_person(Actor(user=other.user), person)


def test_a_manager_of_the_organisation_sees_the_shares_too(own_safe, person, org):
    document = deposit(own_safe, pdf()).document
    share(own_safe, org, document=document)
    manager = MembershipFactory(organisation=org, role="manager")
    safe = selectors.safe_get_for(Actor(user=manager.user, membership=manager), person.public_id)
    assert [d.uid for d in selectors.documents_of(safe)] == [document.uid]
