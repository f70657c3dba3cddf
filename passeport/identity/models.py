from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from passeport.core.models import Organisation

from .enums import OidcProvider


def recovery_code_hash(code: str) -> str:
    """Recovery codes are random (50 bits), so a keyed SHA-256 is enough; the key binds the
    hashes to this deployment. Spaces and dashes typed by the user are ignored."""
    clean = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"{settings.SECRET_KEY}:recovery:{clean}".encode()).hexdigest()


class OrganisationSecurity(models.Model):
    """Security settings of one organisation (kept apart from core's Organisation)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="security"
    )
    require_two_factor = models.BooleanField(
        _("double authentification obligatoire pour les membres"), default=False
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Sécurité de {self.organisation}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A django-otp device holding single-use recovery codes, stored hashed (django-otp's
    own static device keeps them in clear)."""

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_RECOVERY_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        code = self.codes.filter(code_hash=recovery_code_hash(str(token)), used_at__isnull=True).first()
        if code is None:
            self.throttle_increment()
            return False
        code.used_at = timezone.now()
        code.save(update_fields=["used_at"])
        self.throttle_reset()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Code de secours {'utilisé' if self.used_at else 'disponible'}"


class OidcIdentity(models.Model):
    """A login of an OpenID Connect provider (its `sub`) linked to a user of Passeport."""

    provider = models.CharField(max_length=16, choices=OidcProvider.choices)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="oidc_identities")
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_oidc_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} : {self.subject}"
