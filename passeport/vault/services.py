"""Writes of the safe: deposits and versions, downloads, shares, deletion and erasure
(crypto-shredding), export and import, key rotation, retention, expiry reminders.

Every event is appended to the safe's hash-chained log (`ledger`). Reads by a
professional also leave a core audit event (through `person_get_for`, and for each
download)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.core.services import audit_record
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import active_consent
from passeport.people.services import consent_grant

from . import ledger, sealing, signals
from .enums import DocumentCategory, LogAction
from .keys import VaultKeyError, keyring
from .models import Document, DocumentVersion, PendingBlob, Share
from .perms import ensure_owner
from .selectors import Safe, latest_version, sharable_organisations
from .storage import get_storage
from .streaming import VaultIntegrityError, decrypt_stream

logger = logging.getLogger(__name__)


class DocumentDamaged(PasseportError):
    """The stored file does not authenticate: nothing of it is sent."""

    status = 500
    code = "integrity_error"


def upload_error(code: str, field: str = "file") -> PasseportError:
    messages = {
        sealing.TOO_LARGE: _("Le fichier est trop gros : %(max)s Mo au plus.")
        % {"max": settings.PASSEPORT_VAULT_MAX_UPLOAD_MB},
        sealing.TYPE_NOT_ALLOWED: _("Ce type de fichier n'est pas accepté. Envoyez une photo "
                                    "(JPEG, PNG ou HEIC) ou un PDF."),
        sealing.EMPTY: _("Le fichier est vide."),
        sealing.INFECTED: _("Ce fichier contient un virus. Il n'a pas été enregistré."),
        sealing.SCAN_FAILED: _("Le fichier n'a pas pu être vérifié par l'antivirus. "
                               "Réessayez dans quelques minutes."),
        sealing.TOO_MANY: _("Envoyez un seul fichier à la fois."),
        "file_required": _("Choisissez un fichier ou prenez une photo."),
    }
    error = PasseportError(messages.get(code, _("Le fichier n'a pas pu être enregistré.")),
                           code=code, field=field)
    if code == sealing.SCAN_FAILED:
        error.status = 503
    return error


def _check_upload(upload: sealing.SealedUpload | None) -> sealing.SealedUpload:
    if upload is None:
        raise upload_error("file_required")
    if upload.problem:
        raise upload_error(upload.problem)
    if not upload.acceptable:
        raise upload_error("file_required")
    return upload


def _check_dates(issued_on: dt.date | None, expires_on: dt.date | None) -> None:
    if issued_on and issued_on > timezone.localdate():
        raise PasseportError(_("La date de délivrance est dans le futur."), code="invalid_dates",
                             field="issued_on")
    if issued_on and expires_on and expires_on < issued_on:
        raise PasseportError(_("La date de fin de validité est avant la date de délivrance."),
                             code="invalid_dates", field="expires_on")


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise PasseportError(_("Donnez un nom au document."), code="title_required", field="title")
    return title[:200]


def _audit_read(safe: Safe, action: str, document: Document, **detail) -> None:
    """Core audit event for a professional's read of the person's document."""
    if not safe.owner:
        consent = getattr(safe.person, "current_consent", None)
        audit_record(safe.actor, action=action, object_type="document",
                     object_id=str(document.uid), person_uid=safe.person.public_id,
                     consent_id=consent.pk if consent else None, detail=detail)


def _record_version(actor: Actor, document: Document, upload: sealing.SealedUpload,
                    idempotency_key: str) -> DocumentVersion:
    number = (document.versions.order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    version = DocumentVersion.objects.create(
        uid=upload.version_uid, document=document, number=number, blob_name=upload.blob_name,
        content_type=upload.file_type.content_type, extension=upload.file_type.extension,
        size=upload.size, sha256=upload.sha256, algorithm=upload.algorithm,
        wrap_algorithm=upload.wrap_algorithm, kek_id=upload.kek_id,
        wrapped_key=upload.wrapped_key, scan_status=upload.scan_status,
        uploaded_by=actor.user, uploaded_by_organisation=actor.organisation,
        idempotency_key=idempotency_key[:64],
    )
    ledger.append(actor, action=LogAction.DEPOSIT, person_uid=document.person.public_id,
                  document_uid=str(document.uid), version=number, sha256=upload.sha256,
                  detail={"category": document.category, "size": upload.size,
                          "content_type": upload.file_type.content_type,
                          "scan": upload.scan_status})
    # Last step before the transaction commits: the blob becomes visible, its journal
    # row goes (in this transaction). A crash from here on leaves either both (the row
    # commits) or a journaled blob that vault_recover removes.
    PendingBlob.objects.filter(name=upload.blob_name).delete()
    upload.commit()
    return version


@dataclass
class Deposit:
    document: Document
    version: DocumentVersion
    created: bool = True  # False when an idempotent retry found the first deposit


def _deposit_rights(safe: Safe) -> None:
    """The person, or a professional whose organisation holds the "documents" consent
    (checked by `safe_get_for`)."""
    if not safe.owner and safe.actor.organisation_id is None:
        raise NotFound(_("Document introuvable."))


def _same_deposit(existing: DocumentVersion, upload: sealing.SealedUpload) -> None:
    if existing.sha256 != upload.sha256:
        raise Conflict(_("Cette clé d'idempotence a déjà servi pour un autre fichier."),
                       code="idempotency_key_reused", field="idempotency_key")


def document_deposit(*, safe: Safe, upload: sealing.SealedUpload | None, category: str,
                     title: str, issued_on: dt.date | None = None,
                     expires_on: dt.date | None = None, idempotency_key: str = "") -> Deposit:
    """Record a new document with its first version. The caller aborts `upload` if this
    raises. A retry with the same `idempotency_key` returns the first deposit."""
    try:
        return _document_deposit(safe=safe, upload=upload, category=category, title=title,
                                 issued_on=issued_on, expires_on=expires_on,
                                 idempotency_key=idempotency_key)
    except IntegrityError:
        if not idempotency_key:
            raise
        # A concurrent retry won the race on the idempotency key: answer with its result.
        existing = (Document.objects.filter(person=safe.person, idempotency_key=idempotency_key)
                    .first())
        if existing is None:
            raise
        version = existing.versions.order_by("number").first()
        _same_deposit(version, _check_upload(upload))
        upload.abort()
        return Deposit(existing, version, created=False)


@transaction.atomic
def _document_deposit(*, safe, upload, category, title, issued_on, expires_on,
                      idempotency_key) -> Deposit:
    _deposit_rights(safe)
    upload = _check_upload(upload)
    actor = safe.actor
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        existing = (Document.objects.filter(person=safe.person, idempotency_key=idempotency_key)
                    .first())
        if existing is not None:
            version = existing.versions.order_by("number").first()
            _same_deposit(version, upload)
            upload.abort()
            return Deposit(existing, version, created=False)
    if category not in DocumentCategory.values:
        raise PasseportError(_("Choisissez une catégorie."), code="invalid_category",
                             field="category")
    _check_dates(issued_on, expires_on)
    document = Document.objects.create(
        person=safe.person, category=category, title=_check_title(title), issued_on=issued_on,
        expires_on=expires_on, created_by=actor.user, created_by_organisation=actor.organisation,
        idempotency_key=idempotency_key,
    )
    if not safe.owner:
        # The organisation that deposits sees what it deposited, under a share that the
        # person sees and can revoke like any other (it never shares further).
        expires = timezone.localdate() + dt.timedelta(days=settings.PASSEPORT_VAULT_SHARE_DAYS)
        Share.objects.create(person=safe.person, organisation=actor.organisation,
                             document=document, expires_on=expires, created_by=actor.user)
        ledger.append(actor, action=LogAction.SHARE, person_uid=safe.person.public_id,
                      document_uid=str(document.uid),
                      detail={"organisation": actor.organisation.name,
                              "until": expires.isoformat(), "by_deposit": True})
    version = _record_version(actor, document, upload, "")
    return Deposit(document, version)


@transaction.atomic
def document_add_version(*, safe: Safe, document: Document,
                         upload: sealing.SealedUpload | None,
                         idempotency_key: str = "") -> Deposit:
    """A new file for the document (a better scan, the renewed paper). The person, or
    a professional the document is shared with (`document` comes from the selectors)."""
    _deposit_rights(safe)
    upload = _check_upload(upload)
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        existing = document.versions.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            _same_deposit(existing, upload)
            upload.abort()
            return Deposit(document, existing, created=False)
    Document.objects.select_for_update().filter(pk=document.pk).first()  # one number at a time
    version = _record_version(safe.actor, document, upload, idempotency_key)
    return Deposit(document, version)


@transaction.atomic
def document_update(*, safe: Safe, document: Document, title: str, category: str,
                    issued_on: dt.date | None, expires_on: dt.date | None) -> Document:
    ensure_owner(safe.actor, safe.person)
    if category not in DocumentCategory.values:
        raise PasseportError(_("Choisissez une catégorie."), code="invalid_category",
                             field="category")
    _check_dates(issued_on, expires_on)
    changed = sorted(name for name, value in (("title", _check_title(title)), ("category", category),
                                              ("issued_on", issued_on),
                                              ("expires_on", expires_on))
                     if getattr(document, name) != value)
    if document.expires_on != expires_on:
        document.reminder_stage = None
    document.title, document.category = _check_title(title), category
    document.issued_on, document.expires_on = issued_on, expires_on
    document.full_clean(exclude=["person", "created_by", "created_by_organisation"])
    document.save()
    ledger.append(safe.actor, action=LogAction.UPDATE, person_uid=safe.person.public_id,
                  document_uid=str(document.uid), detail={"fields": changed})
    return document


# --- Reading the content -----------------------------------------------------------


@dataclass
class OpenedVersion:
    version: DocumentVersion
    filename: str
    chunks: Iterator[bytes]

    @property
    def content_type(self) -> str:
        return self.version.content_type

    @property
    def size(self) -> int:
        return self.version.size


def download_name(document: Document, version: DocumentVersion) -> str:
    base = slugify(document.title)[:60] or "document"
    return f"{base}-v{version.number}.{version.extension}"


def _data_key(version: DocumentVersion) -> bytes:
    return keyring().unwrap(version.kek_id, bytes(version.wrapped_key),
                            object_id=version.uid.bytes, algorithm=version.algorithm)


def _plaintext(version: DocumentVersion, key: bytes) -> Iterator[bytes]:
    with get_storage().open_reader(version.blob_name) as reader:
        yield from decrypt_stream(reader, key, version.uid.bytes)


# A version up to this size is decrypted once at download: the checking pass keeps its
# plaintext (memory stays bounded by this constant) instead of decrypting it twice.
KEEP_PLAINTEXT_BYTES = 4 * 1024 * 1024


def _check(version: DocumentVersion, *, sha256: bool,
           keep: bool = False) -> tuple[str, bytes | None, list[bytes] | None]:
    """Decrypt the whole file, checking every tag, the size and optionally the SHA-256:
    (problem or "", the data key, the plaintext's chunks when `keep` and small)."""
    keep = keep and version.size <= KEEP_PLAINTEXT_BYTES
    kept: list[bytes] | None = [] if keep else None
    try:
        key = _data_key(version)
        digest = hashlib.sha256() if sha256 else None
        size = 0
        for chunk in _plaintext(version, key):
            if digest is not None:
                digest.update(chunk)
            if kept is not None:
                kept.append(chunk)
            size += len(chunk)
    except VaultKeyError as exc:
        return f"key: {exc}", None, None
    except VaultIntegrityError as exc:
        return f"integrity: {exc}", None, None
    except FileNotFoundError:
        return "missing blob", None, None
    except Exception as exc:  # noqa: BLE001 - storage errors (S3: NoSuchKey…)
        return f"storage: {exc.__class__.__name__}: {exc}", None, None
    if size != version.size:
        return "size does not match the size recorded at deposit", None, None
    if digest is not None and digest.hexdigest() != version.sha256:
        return "content does not match the SHA-256 recorded at deposit", None, None
    return "", key, kept


def verify_version(version: DocumentVersion, *, sha256: bool = True) -> str:
    """Decrypt the whole file without keeping it, checking every segment's tag, the size
    and (with `sha256`) the SHA-256 recorded at deposit. Returns "" when sound, else what
    is wrong. The tags alone already prove that the file is exactly what was sealed (the
    STREAM construction authenticates each segment, its position and the end); the
    SHA-256 re-check of `vault_check` also guards against a bug at sealing time."""
    return _check(version, sha256=sha256)[0]


def version_open(*, safe: Safe, document: Document, version: DocumentVersion) -> OpenedVersion:
    """Open a version for download. The whole file is first verified (every tag, the
    end of the stream, the size): a damaged file raises DocumentDamaged before any byte
    is sent. A small file (`KEEP_PLAINTEXT_BYTES`) is then sent from that checked pass;
    a larger one is streamed segment by segment, each checked again before it is
    released, so that a file altered during the download ends the stream (the client
    sees it short of Content-Length) and never releases an unauthenticated byte."""
    problem, key, kept = _check(version, sha256=False, keep=True)
    if problem:
        logger.error("Vault: version %s of document %s is damaged: %s", version.number,
                     document.uid, problem)
        ledger.append(safe.actor, action=LogAction.INTEGRITY_FAILURE,
                      person_uid=safe.person.public_id, document_uid=str(document.uid),
                      version=version.number, sha256=version.sha256,
                      detail={"problem": problem[:200]})
        raise DocumentDamaged(_("Ce document est abîmé : il ne peut pas être ouvert. "
                                "L'équipe technique est prévenue."))
    assert key is not None
    ledger.append(safe.actor, action=LogAction.DOWNLOAD, person_uid=safe.person.public_id,
                  document_uid=str(document.uid), version=version.number, sha256=version.sha256)
    _audit_read(safe, AuditAction.VIEW, document, version=version.number, content=True)
    chunks = iter(kept) if kept is not None else _plaintext(version, key)
    return OpenedVersion(version=version, filename=download_name(document, version),
                         chunks=chunks)


# --- Sharing -----------------------------------------------------------------------


@transaction.atomic
def share_create(*, safe: Safe, organisation: Organisation, expires_on: dt.date,
                 document: Document | None = None, category: str = "") -> Share:
    """The person opens a document (or a whole category) to an organisation that follows
    them, until a date. Sharing also records the person's consent to the "documents"
    part of the passport for that organisation, if it was not given yet."""
    ensure_owner(safe.actor, safe.person)
    person = safe.person
    if (document is None) == (not category):
        raise PasseportError(_("Choisissez un document ou une catégorie."),
                             code="share_target_required", field="category")
    if category and category not in DocumentCategory.values:
        raise PasseportError(_("Choisissez une catégorie."), code="invalid_category",
                             field="category")
    if document is not None and document.person_id != person.pk:
        raise NotFound(_("Document introuvable."))
    if not sharable_organisations(person).filter(pk=organisation.pk).exists():
        raise PasseportError(_("Choisissez une structure qui vous accompagne."),
                             code="invalid_organisation", field="organisation")
    today = timezone.localdate()
    if expires_on < today:
        raise PasseportError(_("La date de fin du partage est passée."), code="invalid_dates",
                             field="expires_on")
    if expires_on > today + dt.timedelta(days=366 * 5):
        raise PasseportError(_("Un partage dure 5 ans au plus."), code="invalid_dates",
                             field="expires_on")
    if active_consent(person, organisation.pk, ConsentScope.DOCUMENTS) is None:
        consent_grant(actor=safe.actor, person=person, organisation=organisation,
                      scopes=[ConsentScope.DOCUMENTS], method=ConsentMethod.IN_APP,
                      purpose=_("Voir les documents que je partage"))
    share = Share.objects.create(person=person, organisation=organisation, document=document,
                                 category=category, expires_on=expires_on,
                                 created_by=safe.actor.user)
    ledger.append(safe.actor, action=LogAction.SHARE, person_uid=person.public_id,
                  document_uid=str(document.uid) if document else "",
                  detail={"organisation": organisation.name, "organisation_id": organisation.pk,
                          "category": category, "until": expires_on.isoformat()})
    signals.document_shared.send(sender=Share, share=share, actor=safe.actor)
    return share


@transaction.atomic
def share_revoke(*, safe: Safe, share: Share) -> Share:
    """Immediate: the next request of the organisation is denied."""
    ensure_owner(safe.actor, safe.person)
    if share.person_id != safe.person.pk:
        raise NotFound(_("Partage introuvable."))
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        ledger.append(safe.actor, action=LogAction.UNSHARE, person_uid=safe.person.public_id,
                      document_uid=str(share.document.uid) if share.document_id else "",
                      detail={"organisation": share.organisation.name,
                              "organisation_id": share.organisation_id,
                              "category": share.category})
    return share


# --- Deletion, erasure and retention (crypto-shredding) ------------------------------


def _shred(actor: Actor, document: Document, action: str, **detail) -> list[str]:
    """Delete the document's rows (and so its wrapped data keys: without them the
    ciphertext can never be decrypted), leaving a log entry as tombstone; the blobs
    are removed once the transaction has committed. Returns their names."""
    versions = list(document.versions.order_by("number"))
    names = [v.blob_name for v in versions]
    latest = versions[-1] if versions else None
    ledger.append(actor, action=action, person_uid=document.person.public_id,
                  document_uid=str(document.uid), version=latest.number if latest else None,
                  sha256=latest.sha256 if latest else "",
                  detail={"category": document.category, "versions": len(versions),
                          "sha256": [v.sha256 for v in versions], **detail})
    document.delete()

    def remove_blobs():
        storage = get_storage()
        for name in names:
            try:
                storage.delete(name)
            except Exception:  # an orphan without key: reported and removed by vault_check
                logger.exception("Vault: blob %s of a shredded document not deleted", name)

    transaction.on_commit(remove_blobs)
    return names


@transaction.atomic
def document_delete(*, safe: Safe, document: Document) -> None:
    ensure_owner(safe.actor, safe.person)
    _shred(safe.actor, document, LogAction.DELETE)


@transaction.atomic
def person_documents_erase(*, actor: Actor, person: Person, reason: str = "request") -> int:
    """Erasure on request (or by the operator): every document of the person is
    crypto-shredded; the log keeps one tombstone per document."""
    documents = list(Document.objects.filter(person=person))
    for document in documents:
        _shred(actor, document, LogAction.ERASE, reason=reason)
    audit_record(actor, action=AuditAction.DELETE, object_type="documents",
                 object_id=person.public_id, person_uid=person.public_id,
                 detail={"count": len(documents), "reason": reason})
    return len(documents)


def retention_purge(*, person_ids: Iterable[int], cutoff: dt.date) -> int:
    """Purge the documents of the given persons (the caller, in a higher layer, selects
    those whose path closed before `cutoff`) that received no file since then. One
    transaction per person."""
    actor = Actor.system()
    since = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    purged = 0
    for person_id in person_ids:
        with transaction.atomic():
            documents = (Document.objects.filter(person_id=person_id)
                         .exclude(versions__uploaded_at__gte=since).select_related("person"))
            for document in list(documents):
                _shred(actor, document, LogAction.PURGE, cutoff=cutoff.isoformat())
                purged += 1
    return purged


# --- Export and import ---------------------------------------------------------------


EXPORT_FORMAT = "passeport-vault-export"


class _Sink(io.RawIOBase):
    """An unseekable output that zipfile writes to, drained by the response."""

    def __init__(self):
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        return len(data)

    def drain(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def export_archive(*, safe: Safe) -> Iterator[bytes]:
    """A ZIP of all the person's documents (every version) and `manifest.json` (metadata
    and SHA-256 of each file), streamed with constant memory. Each file is verified
    before it is written; a damaged one is left out and listed in the manifest."""
    ensure_owner(safe.actor, safe.person)
    documents = list(Document.objects.filter(person=safe.person)
                     .prefetch_related("versions").order_by("category", "title", "pk"))
    for document in documents:
        latest = latest_version(document)
        ledger.append(safe.actor, action=LogAction.EXPORT, person_uid=safe.person.public_id,
                      document_uid=str(document.uid), version=latest.number if latest else None,
                      sha256=latest.sha256 if latest else "")
    return _export_stream(safe.person.public_id, documents)


def _export_stream(public_id: str, documents: list[Document]) -> Iterator[bytes]:
    sink = _Sink()
    manifest = {"format": EXPORT_FORMAT, "version": 1, "person": public_id,
                "exported_at": timezone.now().isoformat(), "documents": [], "not_exported": []}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for document in documents:
            entry = {"uid": str(document.uid), "category": document.category,
                     "title": document.title,
                     "issued_on": document.issued_on.isoformat() if document.issued_on else None,
                     "expires_on": document.expires_on.isoformat() if document.expires_on else None,
                     "versions": []}
            for version in sorted(document.versions.all(), key=lambda v: v.number):
                problem = verify_version(version)
                if problem:
                    manifest["not_exported"].append({"uid": str(document.uid),
                                                     "version": version.number,
                                                     "reason": "integrity_error"})
                    continue
                path = f"documents/{document.uid}/v{version.number}.{version.extension}"
                info = zipfile.ZipInfo(path, date_time=timezone.localtime(
                    version.uploaded_at).timetuple()[:6])
                with archive.open(info, "w", force_zip64=True) as out:
                    for chunk in _plaintext(version, _data_key(version)):
                        out.write(chunk)
                        yield sink.drain()
                entry["versions"].append({
                    "number": version.number, "file": path,
                    "content_type": version.content_type, "size": version.size,
                    "sha256": version.sha256, "uploaded_at": version.uploaded_at.isoformat()})
                yield sink.drain()
            manifest["documents"].append(entry)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    yield sink.drain()


class ImportRejected(PasseportError):
    code = "import_rejected"


IMPORT_MAX_FILES = 500


@dataclass
class ImportResult:
    created: list[Document] = field(default_factory=list)
    already_there: list[Document] = field(default_factory=list)


def _manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise ImportRejected(_("Cette archive n'a pas de manifeste lisible (manifest.json)."),
                             field="archive") from exc
    documents = manifest.get("documents") if isinstance(manifest, dict) else None
    if (not isinstance(documents, list) or manifest.get("format") != EXPORT_FORMAT
            or manifest.get("version") != 1
            or not all(isinstance(d, dict) and isinstance(d.get("versions", []), list)
                       and all(isinstance(v, dict) for v in d.get("versions", []))
                       for d in documents)):
        raise ImportRejected(_("Ce n'est pas une archive de documents Passeport."),
                             field="archive")
    return manifest


def import_archive(*, safe: Safe, archive_file) -> ImportResult:
    """Re-import an export: every file must match the size and SHA-256 of the manifest
    and pass the same checks as an upload; otherwise nothing is stored. Importing the
    same archive twice does not duplicate documents."""
    ensure_owner(safe.actor, safe.person)
    limit = IMPORT_MAX_FILES * settings.PASSEPORT_VAULT_MAX_UPLOAD_MB * 1024 * 1024
    if (getattr(archive_file, "size", 0) or 0) > limit:
        raise ImportRejected(_("Cette archive est trop grosse."), field="archive")
    try:
        archive = zipfile.ZipFile(archive_file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(_("Ce fichier n'est pas une archive ZIP."), field="archive") from exc
    sealed: list[tuple[dict, list[tuple[dict, sealing.SealedUpload]]]] = []
    try:
        with archive:
            manifest = _manifest(archive)
            entries = manifest.get("documents", [])
            if sum(len(e.get("versions", [])) for e in entries) > IMPORT_MAX_FILES:
                raise ImportRejected(_("Cette archive contient trop de fichiers."),
                                     field="archive")
            for entry in entries:
                versions = []
                sealed.append((entry, versions))
                for item in sorted(entry.get("versions", []), key=lambda v: v.get("number", 0)):
                    versions.append((item, _import_file(archive, item)))
        return _import_record(safe, sealed)
    finally:
        for _entry, versions in sealed:
            for _item, upload in versions:
                if upload.state != "committed":
                    upload.abort()


def _import_file(archive: zipfile.ZipFile, item: dict) -> sealing.SealedUpload:
    name = str(item.get("file", ""))
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ImportRejected(_("Le fichier %(name)s du manifeste manque dans l'archive.")
                             % {"name": name}, field="archive") from None
    if info.file_size != item.get("size"):
        raise ImportRejected(_("Le fichier %(name)s n'a pas la taille indiquée par le manifeste.")
                             % {"name": name}, field="archive")
    with archive.open(info) as stream:
        upload = sealing.seal_stream(stream, client_name=name.rsplit("/", 1)[-1])
    if upload.problem:
        raise ImportRejected(_("%(name)s : %(problem)s")
                             % {"name": name, "problem": upload_error(upload.problem).message},
                             field="archive")
    if upload.sha256 != item.get("sha256"):
        upload.abort()
        raise ImportRejected(_("Le fichier %(name)s ne correspond pas à son empreinte SHA-256 "
                               "dans le manifeste : il a été modifié.") % {"name": name},
                             field="archive")
    return upload


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@transaction.atomic
def _import_record(safe: Safe, sealed) -> ImportResult:
    result = ImportResult()
    for entry, versions in sealed:
        key = f"import-{entry.get('uid', '')}"[:64]
        existing = Document.objects.filter(person=safe.person, idempotency_key=key).first()
        if existing is not None:
            result.already_there.append(existing)
            continue
        if not versions:
            continue
        category = entry.get("category")
        if category not in DocumentCategory.values:
            category = DocumentCategory.OTHER
        issued_on, expires_on = _parse_date(entry.get("issued_on")), _parse_date(entry.get("expires_on"))
        if issued_on and expires_on and expires_on < issued_on:
            expires_on = None
        document = Document.objects.create(
            person=safe.person, category=category,
            title=(str(entry.get("title") or "") or _("Document importé"))[:200],
            issued_on=issued_on, expires_on=expires_on, created_by=safe.actor.user,
            idempotency_key=key)
        ledger.append(safe.actor, action=LogAction.IMPORT, person_uid=safe.person.public_id,
                      document_uid=str(document.uid),
                      detail={"from": str(entry.get("uid", ""))[:36], "versions": len(versions)})
        for _item, upload in versions:
            _record_version(safe.actor, document, upload, "")
        result.created.append(document)
    return result


# --- Keys -----------------------------------------------------------------------------


@dataclass
class RotationReport:
    current_kek: str
    rewrapped: int = 0
    failed: list[str] = field(default_factory=list)
    remaining_by_kek: dict[str, int] = field(default_factory=dict)


def keys_rotate(*, batch_size: int = 500, dry_run: bool = False) -> RotationReport:
    """Re-wrap every data key that is not under the current KEK (the files are not
    re-encrypted: their data keys do not change)."""
    ring = keyring()
    report = RotationReport(current_kek=ring.current.id)
    last_pk = 0
    while not dry_run:
        with transaction.atomic():
            batch = list(DocumentVersion.objects.exclude(kek_id=ring.current.id)
                         .filter(pk__gt=last_pk).order_by("pk").select_for_update()[:batch_size])
            if not batch:
                break
            for version in batch:
                last_pk = version.pk
                try:
                    key = _data_key(version)
                except VaultKeyError as exc:
                    report.failed.append(f"{version.uid}: {exc}")
                    continue
                version.kek_id, version.wrapped_key = ring.wrap(
                    key, object_id=version.uid.bytes, algorithm=version.algorithm)
                version.save(update_fields=["kek_id", "wrapped_key"])
                report.rewrapped += 1
    for kek_id in (DocumentVersion.objects.exclude(kek_id=ring.current.id)
                   .values_list("kek_id", flat=True)):
        report.remaining_by_kek[kek_id] = report.remaining_by_kek.get(kek_id, 0) + 1
    return report


# --- Expiry reminders -------------------------------------------------------------------


def expiry_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the person when a paper expires within one of the reminder delays
    (30 then 7 days by default), once per delay. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    stages = sorted({int(d) for d in settings.PASSEPORT_VAULT_REMINDER_DAYS if int(d) >= 0})
    if not stages:
        return 0
    documents = (Document.objects.filter(expires_on__gte=today,
                                         expires_on__lte=today + dt.timedelta(days=stages[-1]))
                 .select_related("person", "person__user").order_by("expires_on", "pk"))
    sent = 0
    for document in documents:
        days_left = (document.expires_on - today).days
        stage = min(s for s in stages if s >= days_left)
        if document.reminder_stage is not None and document.reminder_stage <= stage:
            continue
        person = document.person
        email = person.email or (person.user.email if person.user_id else "")
        if not email:
            continue
        subject = _("Votre document « %(title)s » arrive à expiration") % {"title": document.title}
        body = _(
            "Bonjour %(first_name)s,\n\n"
            "Votre document « %(title)s » n'est plus valable à partir du %(date)s.\n"
            "Pensez à le renouveler. Votre référent peut vous aider.\n\n"
            "Vous le retrouvez dans Passeport, rubrique « Mes documents ».\n"
        ) % {"first_name": person.first_name, "title": document.title,
             "date": document.expires_on.strftime("%d/%m/%Y")}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        Document.objects.filter(pk=document.pk).update(reminder_stage=stage)
        sent += 1
    return sent


# --- Recovery after a crash ----------------------------------------------------------


@dataclass
class RecoveryReport:
    pending_removed: int = 0
    leftovers_removed: int = 0
    orphans_removed: int = 0


def vault_recover(*, older_than: dt.timedelta = dt.timedelta(hours=1),
                  orphans: bool = False) -> RecoveryReport:
    """Remove what interrupted uploads left: blobs and temporary files named by journal
    rows older than `older_than` (uploads still running are younger), stray temporary
    files, and with `orphans`, blobs that no row references (they cannot be decrypted:
    their keys are gone)."""
    storage = get_storage()
    report = RecoveryReport()
    limit = timezone.now() - older_than
    for pending in PendingBlob.objects.filter(created_at__lte=limit).order_by("pk"):
        if DocumentVersion.objects.filter(blob_name=pending.name).exists():
            pending.delete()  # cannot happen (same transaction), but never delete a live blob
            continue
        storage.delete(pending.name)
        storage.discard_leftover(pending.name)
        pending.delete()
        report.pending_removed += 1
    journaled = set(PendingBlob.objects.values_list("name", flat=True))
    for name, age in list(storage.leftovers()):
        if name not in journaled and age >= older_than.total_seconds():
            storage.discard_leftover(name)
            report.leftovers_removed += 1
    if orphans:
        known = set(DocumentVersion.objects.values_list("blob_name", flat=True)) | journaled
        for name in list(storage.names()):
            if name not in known:
                storage.delete(name)
                report.orphans_removed += 1
    return report


__all__ = [
    "Deposit",
    "DocumentDamaged",
    "ImportRejected",
    "document_add_version",
    "document_delete",
    "document_deposit",
    "document_update",
    "expiry_reminders_send",
    "export_archive",
    "import_archive",
    "keys_rotate",
    "person_documents_erase",
    "retention_purge",
    "share_create",
    "share_revoke",
    "upload_error",
    "verify_version",
    "version_open",
    "vault_recover",
]
