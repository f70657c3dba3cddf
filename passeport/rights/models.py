"""The household situation attached to a path, the estimates (checks) and their queue,
caseload screenings, and the actions created from a right not claimed."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation, validate_insee_code
from passeport.paths.models import Action, Path
from passeport.people.models import Person

from .enums import (
    CheckSource,
    CheckStatus,
    DisabilityRate,
    HousingStatus,
    IncomeKind,
    MemberRole,
    RightCode,
    ScreeningStatus,
    Tristate,
)


class HouseholdSituation(models.Model):
    """What the rights check needs beyond what the passport already knows. Every field
    may be unknown: an empty value falls back to the passport (the path's housing status
    and benefits, the person's commune) or stays unknown."""

    path = models.OneToOneField(Path, on_delete=models.CASCADE, related_name="household")
    couple = models.CharField(_("vit en couple"), max_length=3, choices=Tristate.choices,
                              blank=True)
    housing_status = models.CharField(_("logement"), max_length=16,
                                      choices=HousingStatus.choices, blank=True)
    rent = models.DecimalField(_("loyer mensuel (sans les charges)"), max_digits=8,
                               decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0), MaxValueValidator(20000)])
    commune_insee = models.CharField(_("code commune INSEE du logement"), max_length=5,
                                     blank=True, validators=[validate_insee_code])
    disability_rate = models.CharField(_("taux d'incapacité reconnu"), max_length=4,
                                       choices=DisabilityRate.choices, blank=True)
    rsdae = models.CharField(_("restriction d'accès à l'emploi reconnue par la CDAPH"),
                             max_length=3, choices=Tristate.choices, blank=True)
    student = models.CharField(_("étudiant ou étudiante"), max_length=3,
                               choices=Tristate.choices, blank=True)
    # None: not asked yet, the path's declared benefits are used.
    received = models.JSONField(_("aides déjà perçues"), null=True, blank=True)
    incomes_complete = models.CharField(_("tous les revenus des 12 derniers mois sont indiqués"),
                                        max_length=3, choices=Tristate.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # Who gave each part of the situation, and when: {section: {"source": "person" |
    # "professional" | "api", "by": name, "organisation": name, "at": ISO datetime}}.
    # Sections: household, housing, incomes, health, received (see services.situation).
    provenance = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("situation du foyer")
        constraints = [
            models.CheckConstraint(condition=Q(rent__isnull=True) | Q(rent__gte=0),
                                   name="household_rent_positive"),
        ]

    def __str__(self) -> str:
        return f"Foyer de {self.path.person}"


class HouseholdMember(models.Model):
    """Someone living with the person: partner, child or another person."""

    situation = models.ForeignKey(HouseholdSituation, on_delete=models.CASCADE,
                                  related_name="members")
    role = models.CharField(_("lien"), max_length=8, choices=MemberRole.choices)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"))
    disability_rate = models.CharField(_("taux d'incapacité reconnu"), max_length=4,
                                       choices=DisabilityRate.choices, blank=True)
    student = models.CharField(_("étudiant ou étudiante"), max_length=3,
                               choices=Tristate.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.birth_date:%d/%m/%Y})"


class IncomeLine(models.Model):
    """A monthly net amount received from `start_month` to `end_month` (first days of
    months; empty start: for a long time, empty end: still now). One month alone is a
    line whose start and end are the same month."""

    situation = models.ForeignKey(HouseholdSituation, on_delete=models.CASCADE,
                                  related_name="incomes")
    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, null=True,
                               blank=True, related_name="incomes",
                               help_text=_("Vide : la personne accompagnée."))
    kind = models.CharField(_("type de revenu"), max_length=16, choices=IncomeKind.choices)
    monthly_amount = models.DecimalField(_("montant net par mois"), max_digits=9,
                                         decimal_places=2,
                                         validators=[MinValueValidator(0)])
    start_month = models.DateField(_("depuis"), null=True, blank=True)
    end_month = models.DateField(_("jusqu'à"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("heures par semaine"), null=True,
                                                      blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0),
                                   name="income_amount_positive"),
            models.CheckConstraint(
                condition=Q(start_month__isnull=True) | Q(end_month__isnull=True)
                | Q(end_month__gte=models.F("start_month")),
                name="income_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.monthly_amount} €"


class ScreeningRun(models.Model):
    """One screening of an organisation's caseload (persons with the "rights" scope)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="rights_screenings")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    month = models.DateField(_("mois estimé"))
    status = models.CharField(max_length=8, choices=ScreeningStatus.choices,
                              default=ScreeningStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    persons_count = models.PositiveIntegerField(default=0)
    flagged_count = models.PositiveIntegerField(default=0)
    flagged_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # persons with a right that looks due but depends on missing items
    to_verify_count = models.PositiveIntegerField(default=0)
    legislation_date = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"],
                                name="screening_org_created")]

    def __str__(self) -> str:
        return f"Repérage {self.organisation} ({self.created_at:%d/%m/%Y})"

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class RightsCheckQuerySet(models.QuerySet):
    def done(self):
        return self.filter(status=CheckStatus.DONE)

    def pending(self):
        return self.filter(status=CheckStatus.PENDING)


class RightsCheck(models.Model):
    """One estimate of a household's rights for one month. Pending rows are the queue
    the worker consumes in batches; done rows are the history of checks."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rights_checks")
    path = models.ForeignKey(Path, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="rights_checks")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    source = models.CharField(max_length=12, choices=CheckSource.choices)
    screening = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="checks")
    status = models.CharField(max_length=8, choices=CheckStatus.choices,
                              default=CheckStatus.PENDING)
    month = models.DateField(_("mois estimé"))
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    input_snapshot = models.JSONField(default=dict)
    input_hash = models.CharField(max_length=64)
    missing = models.JSONField(default=list)  # what is missing to be more precise
    legislation_date = models.DateField(null=True, blank=True)
    engine_version = models.CharField(max_length=40, blank=True)
    amounts = models.JSONField(default=dict)  # code -> monthly amount (€)
    housing_aid_kind = models.CharField(max_length=3, blank=True)  # apl | als | alf
    css = models.CharField(max_length=14, blank=True)  # free | participation | none
    css_participation = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    received = models.JSONField(default=list)  # declared received when requested
    flags = models.JSONField(default=list)  # [{"code", "amount"}]: likely due, not received
    # [{"code", "amount", "due", "missing"}]: the result depends on missing items
    to_verify = models.JSONField(default=list)
    # One of `to_verify` looks due: the screening lists these persons (a column, so the
    # list is a plain filtered, paginated query on SQLite and PostgreSQL alike).
    verify_due = models.BooleanField(default=False)
    notes = models.JSONField(default=list)  # caveats about this estimate (codes)
    flagged_total = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    error = models.TextField(blank=True)

    objects = RightsCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="rightscheck_queue"),
            models.Index(fields=["person", "-requested_at"], name="rightscheck_person"),
            models.Index(fields=["screening", "-flagged_total"], name="rightscheck_screening"),
            models.Index(fields=["screening", "verify_due"], name="rightscheck_screen_verify"),
        ]

    def __str__(self) -> str:
        return f"Estimation {self.person} {self.month:%m/%Y} ({self.get_status_display()})"

    @property
    def flagged_codes(self) -> list[str]:
        return [f["code"] for f in self.flags]

    @property
    def to_verify_due(self) -> list[dict]:
        """The rights that look due but depend on missing items."""
        return [v for v in self.to_verify if v.get("due")]


class RightsAction(models.Model):
    """An action of the path created from a right not claimed (one click)."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="rights_actions")
    check_ref = models.ForeignKey(RightsCheck, on_delete=models.SET_NULL, null=True,
                                  related_name="actions")
    code = models.CharField(max_length=4, choices=RightCode.choices)
    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="rights_origin")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} → {self.action}"
