from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation

from .enums import DeliveryStatus


class WebhookSubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(disabled_at__isnull=True)


class WebhookSubscription(models.Model):
    """An organisation asks Passeport to POST some events to another system's URL.
    The signing secret is stored sealed (AES-256-GCM, as the NIR), bound to `uid`."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="webhook_subscriptions")
    name = models.CharField(_("nom"), max_length=120)
    url = models.URLField(_("adresse de réception"), max_length=500)
    events = models.JSONField(_("événements"), default=list)
    secret_sealed = models.TextField(editable=False)
    secret_prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("abonnement webhook")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class WebhookDelivery(models.Model):
    """One event for one subscription: its payload (ids only), its state and when to
    try next. `dedup_key` makes an event delivered once per subscription."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(max_length=40)
    dedup_key = models.CharField(max_length=120)
    person_uid = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "dedup_key"],
                                    name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """Every HTTP attempt of a delivery: when, status code, duration, error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"


class BundleImport(models.Model):
    """A passport bundle imported from another Passeport instance, with the consent the
    importing organisation attested (the person agreed to bring their history here)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="bundle_imports")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    consent = models.ForeignKey("people.Consent", on_delete=models.SET_NULL, null=True,
                                related_name="+")
    source = models.CharField(max_length=300)
    export_id = models.CharField(max_length=64)
    exported_at = models.DateTimeField()
    imported_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.person_id} ← {self.source} ({self.imported_at:%Y-%m-%d})"


class ImportedRecord(models.Model):
    """An item of a bundle already imported (`source` + `ref`): importing the same
    history twice creates nothing the second time."""

    source = models.CharField(max_length=300)
    ref = models.CharField(max_length=80)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "ref"], name="imported_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.ref}"
