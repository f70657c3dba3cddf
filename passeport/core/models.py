from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret as stdnum_siret

from .enums import AuditAction, OrganisationKind, Role


def validate_siret(value: str) -> None:
    if not stdnum_siret.is_valid(value):
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle)."),
            code="invalid_siret",
        )


INSEE_CODE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def validate_insee_code(value: str) -> None:
    if not INSEE_CODE_RE.match(value):
        raise ValidationError(_("Le code commune INSEE a 5 caractères."), code="invalid_insee")


class PasseportUserManager(UserManager):
    def create_user(self, email: str, password: str | None = None, **extra):  # type: ignore[override]
        extra.setdefault("username", email.lower())
        return super().create_user(email=email.lower(), password=password, **extra)


class User(AbstractUser):
    """Anyone who logs in: a professional (with memberships) or a person accompanied."""

    email = models.EmailField(_("adresse e-mail"), unique=True)

    objects = PasseportUserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class OrganisationQuerySet(models.QuerySet):
    def siae(self):
        return self.filter(kind__in=OrganisationKind.siae())


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de structure"), max_length=32, choices=OrganisationKind.choices)
    siret = models.CharField(
        _("SIRET"), max_length=14, unique=True, null=True, blank=True, validators=[validate_siret]
    )
    commune_insee = models.CharField(
        _("code commune INSEE"), max_length=5, blank=True, validators=[validate_insee_code]
    )
    commune_name = models.CharField(_("commune"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A professional's role in an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.REFERENT)
    job_title = models.CharField(_("fonction"), max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")
        ]
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"

    @property
    def sees_whole_caseload(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A per-organisation token for other systems; only its SHA-256 is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=120)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """One read or write of a person's data: who, for which organisation, what, when,
    and under which consent. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    api_token = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True, related_name="+")
    person_uid = models.CharField(max_length=20, blank=True)
    consent_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=8, default="web")  # web | api | system
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person_uid", "-at"], name="audit_person_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["web", "api", "system"]), name="audit_channel_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
