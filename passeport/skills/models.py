"""Models of the skills app: evaluation grids and their items, evaluations and their
scores; Open Badges issuers (one per organisation) and their keys over time (Ed25519 and
RSA, sealed at rest, rotated), badge classes (achievements), awards (the signed
credentials), the revocation status list of each issuer, and badges the person imported
from elsewhere."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation
from passeport.people.models import Person

from .enums import LEVELS, AchievementType, EvaluationSource, GridKind, ImportFormat

STATUS_LIST_BITS = 131_072  # 16 KiB: the minimum size the Bitstring Status List asks for


class Grid(models.Model):
    """An evaluation grid. Shipped grids have no organisation; an organisation may add its
    own. The grids of a ROME fiche métier (`rome.py`) are shared and carry its code in
    `rome_code`; an organisation's own grid keeps a ROME code as text."""

    code = models.SlugField(max_length=60, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="skill_grids")
    kind = models.CharField(max_length=16, choices=GridKind.choices)
    name = models.CharField(_("nom"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    rome_code = models.CharField(_("code ROME (fiche métier)"), max_length=8, blank=True)
    rome_label = models.CharField(_("intitulé ROME"), max_length=200, blank=True)
    self_assessable = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class GridItem(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20)
    group = models.CharField(max_length=20, blank=True)  # e.g. the DigComp area
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rome_code = models.CharField(max_length=20, blank=True)  # ROME compétence / savoir-être code
    # Observable descriptors per level: {"1": "...", "2": "...", ...}
    descriptors = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["grid", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["grid", "code"], name="skills_item_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class Evaluation(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="skill_evaluations")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="evaluations")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    source = models.CharField(max_length=12, choices=EvaluationSource.choices)
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    evaluator_label = models.CharField(max_length=200)
    evaluated_on = models.DateField(_("date de l'évaluation"))
    comment = models.TextField(_("commentaire"), blank=True)
    evidence_document = models.ForeignKey("vault.Document", on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-evaluated_on", "-created_at"]
        indexes = [models.Index(fields=["person", "grid", "evaluated_on"],
                                name="skills_eval_person_grid")]

    def __str__(self) -> str:
        return f"{self.grid} ({self.evaluated_on})"


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(GridItem, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "item"], name="skills_score_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.level}"

    @property
    def level_text(self) -> str:
        """What the level means: the item's own observable descriptor, else the general scale."""
        return self.item.descriptors.get(str(self.level)) or str(LEVELS.get(self.level, self.level))


class Issuer(models.Model):
    """The Open Badges issuer profile of an organisation. Its signing keys are `IssuerKey`
    rows: one current, the others retired (still published) or compromised."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="badge_issuer")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class IssuerKeyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class IssuerKey(models.Model):
    """One generation of an issuer's keys: the Ed25519 key of Data Integrity proofs and
    the RSA key of the VC-JWT form (rotated together). Private keys are sealed
    (AES-256-GCM under a key derived from PASSEPORT_DATA_KEY, bound to the issuer and,
    from the second key on, to the key's number). The current key has no `retired_at`;
    a retired key stays published so what it signed still verifies; a compromised key
    (`compromised_at`, always retired) makes everything it signed invalid."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="keys")
    number = models.PositiveSmallIntegerField()  # 1, 2, 3 … in order of creation
    public_key_multibase = models.CharField(max_length=64)
    private_key_sealed = models.TextField(editable=False)
    # RSA key of the VC-JWT form (Open Badges 3.0 asks for RS256), made on first need.
    jwt_public_jwk = models.JSONField(default=dict, blank=True)
    jwt_private_key_sealed = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    compromised_at = models.DateTimeField(null=True, blank=True)
    compromise_reason = models.CharField(max_length=200, blank=True)

    objects = IssuerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["issuer", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="skills_issuerkey_number_once"),
            models.UniqueConstraint(fields=["issuer"], condition=models.Q(retired_at__isnull=True),
                                    name="skills_issuerkey_one_current"),
            models.CheckConstraint(condition=models.Q(compromised_at__isnull=True)
                                   | models.Q(retired_at__isnull=False),
                                   name="skills_issuerkey_compromised_is_retired"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} #{self.number}"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None

    @property
    def is_compromised(self) -> bool:
        return self.compromised_at is not None


class BadgeClass(models.Model):
    """An achievement an organisation awards (name, description, criteria, image colour,
    alignments to ROME or DigComp kept as codes and labels)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="badge_classes")
    name = models.CharField(_("nom du badge"), max_length=120)
    description = models.TextField(_("description"))
    criteria = models.TextField(_("critères d'obtention"))
    achievement_type = models.CharField(max_length=16, choices=AchievementType.choices,
                                        default=AchievementType.BADGE)
    # [{"framework": "ROME 4.0"|"DigComp 2.2", "code": "K2111", "name": "...", "url": "..."}]
    alignments = models.JSONField(default=list, blank=True)
    colour = models.CharField(max_length=7, default="#000091")
    valid_months = models.PositiveSmallIntegerField(
        _("durée de validité (mois)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)])
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatusList(models.Model):
    """The revocation Bitstring Status List of an issuer; `credential` is the signed
    BitstringStatusListCredential served to verifiers, re-signed on each change."""

    issuer = models.OneToOneField(Issuer, on_delete=models.CASCADE, related_name="status_list")
    bits = models.BinaryField(default=bytes(STATUS_LIST_BITS // 8))
    next_index = models.PositiveIntegerField(default=0)
    credential = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.issuer} ({self.next_index})"


class Award(models.Model):
    """A badge awarded to a person: the signed OpenBadgeCredential as issued."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="badge_awards")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    awarded_by_label = models.CharField(max_length=200)
    evidence = models.TextField(_("preuve (ce qui a été observé)"), blank=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status_index = models.PositiveIntegerField()
    credential = models.JSONField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [models.UniqueConstraint(fields=["organisation", "status_index"],
                                               name="skills_award_status_index_once")]

    def __str__(self) -> str:
        return f"{self.badge_class} ({self.uid})"


class ImportedBadge(models.Model):
    """A badge the person already held elsewhere, verified at import and kept."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="imported_badges")
    format = models.CharField(max_length=12, choices=ImportFormat.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=200)
    issued_on = models.DateTimeField(null=True, blank=True)
    source_url = models.URLField(blank=True, max_length=500)
    payload = models.JSONField()
    verified = models.BooleanField(default=False)
    check_message = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.name
