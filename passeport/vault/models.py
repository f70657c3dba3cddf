from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation
from passeport.people.models import Person

from .enums import DocumentCategory, LogAction, ScanStatus


class DocumentQuerySet(models.QuerySet):
    def shared_with(self, organisation_id: int, on: date | None = None):
        """Documents that an active share (of the document or of its category) opens to
        the organisation."""
        shares = Share.objects.active(on).filter(organisation_id=organisation_id)
        return self.filter(
            models.Exists(shares.filter(document=models.OuterRef("pk")))
            | models.Exists(shares.filter(document__isnull=True, person=models.OuterRef("person"),
                                          category=models.OuterRef("category")))
        )


class Document(models.Model):
    """A paper of the person. Its content lives in versions; the latest is current."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(_("catégorie"), max_length=20, choices=DocumentCategory.choices)
    title = models.CharField(_("nom du document"), max_length=200)
    issued_on = models.DateField(_("date de délivrance"), null=True, blank=True)
    expires_on = models.DateField(_("date de fin de validité"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_by_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                                blank=True, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)
    # Days before expiry of the last reminder sent (e.g. 30, then 7): none sent if null.
    reminder_stage = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["category", "title", "-created_at"]
        verbose_name = _("document")
        constraints = [
            models.UniqueConstraint(fields=["person", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="vault_document_idempotency"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(issued_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="vault_document_expires_after_issued"),
        ]
        indexes = [
            models.Index(fields=["person", "category"], name="vault_doc_person_category"),
            models.Index(fields=["expires_on"], name="vault_doc_expires"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    @property
    def expires_soon(self) -> bool:
        """Still valid, for 30 days at most."""
        if self.expires_on is None or self.is_expired:
            return False
        return (self.expires_on - timezone.localdate()).days <= 30


class DocumentVersion(models.Model):
    """One encrypted file. `algorithm`, `kek_id` and `wrap_algorithm` say how it was
    sealed, so that algorithms and keys can change while old files stay readable."""

    uid = models.UUIDField(unique=True, editable=False)  # authenticated in the ciphertext
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob_name = models.CharField(max_length=32, unique=True)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=40)
    wrap_algorithm = models.CharField(max_length=40)
    kek_id = models.CharField(max_length=32, db_index=True)
    wrapped_key = models.BinaryField()
    scan_status = models.CharField(max_length=16, choices=ScanStatus.choices)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_by_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                                 blank=True, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="vault_version_number"),
            models.UniqueConstraint(fields=["document", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="vault_version_idempotency"),
            models.CheckConstraint(condition=Q(size__gte=0), name="vault_version_size"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class ShareQuerySet(models.QuerySet):
    def active(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expires_on__gte=on)


class Share(models.Model):
    """The person opens one document, or one category, to one organisation until a
    date. Only the person creates or revokes a share."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="document_shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="document_shares")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="shares")
    category = models.CharField(_("catégorie"), max_length=20, choices=DocumentCategory.choices,
                                blank=True)
    expires_on = models.DateField(_("jusqu'au"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(document__isnull=False) & Q(category=""))
                | (Q(document__isnull=True) & ~Q(category="")),
                name="vault_share_document_xor_category"),
        ]
        indexes = [models.Index(fields=["organisation", "person"], name="vault_share_org_person")]

    def __str__(self) -> str:
        what = self.document.title if self.document_id else self.get_category_display()
        return f"{what} → {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_on >= timezone.localdate()


class PendingBlob(models.Model):
    """Journal of uploads in progress: written (and committed) before the first byte of
    a blob, deleted in the transaction that records the version. A row left behind by a
    crash names a blob (or temporary file) that `vault_recover` removes."""

    name = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.name


class LogEntry(models.Model):
    """The safe's append-only log. Each entry holds the SHA-256 of the previous one
    (`prev_hash`) and its own (`entry_hash`, over every field): editing, deleting or
    reordering a row breaks the chain (`manage.py vault_verify_log`)."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=LogAction.choices)
    person_uid = models.CharField(max_length=20, db_index=True)
    document_uid = models.CharField(max_length=36, blank=True, db_index=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)  # no FK: the log outlives accounts
    actor_label = models.CharField(max_length=200, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=8)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["person_uid", "-seq"], name="vault_log_person_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.document_uid}"


class LogHead(models.Model):
    """The last entry of the log (a single row): appends lock it, so the chain is
    written one entry at a time, and the verification checks the chain ends there."""

    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq} {self.entry_hash[:12]}"
