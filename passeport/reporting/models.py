"""Models of the reporting app: ESF+ operations and the participation of a person in one,
with the participant's data at entry, upon leaving and six months after leaving."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation
from passeport.paths.models import Path
from passeport.people.enums import Gender
from passeport.people.models import Person

from .enums import Answer, EntryStatus, FollowUpStatus

EDUCATION_CHOICES = [
    ("isced_0_2", _("CITE 0 à 2 (jusqu'au brevet)")),
    ("isced_3_4", _("CITE 3 et 4 (CAP, BEP, bac)")),
    ("isced_5_8", _("CITE 5 à 8 (études supérieures)")),
    ("", _("Non renseigné")),
]


class OperationQuerySet(models.QuerySet):
    def of(self, organisation_id: int | None):
        return self.filter(organisation_id=organisation_id)


class Operation(models.Model):
    """An ESF+-funded operation (the project reported in « Ma Démarche FSE »)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="esf_operations")
    code = models.CharField(_("numéro de l'opération"), max_length=40)
    title = models.CharField(_("intitulé"), max_length=200)
    programme = models.CharField(_("programme"), max_length=120, blank=True)
    specific_objective = models.CharField(_("objectif spécifique"), max_length=40, blank=True)
    starts_on = models.DateField(_("date de début"))
    ends_on = models.DateField(_("date de fin"))
    territory = models.CharField(_("territoire"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Closed (archived): kept with its participants for the reporting, no new enrolment.
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="operation_code_unique_per_org"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="operation_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def has_participants(self) -> bool:
        """An operation lasting one day or less has no participants (Annex I)."""
        return self.ends_on > self.starts_on


class Participation(models.Model):
    """A person in an operation: one row per person and operation (re-entry reuses it)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="esf_participations")
    path = models.ForeignKey(Path, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entry_on = models.DateField(_("date d'entrée"))
    exit_on = models.DateField(_("date de sortie"), null=True, blank=True)
    # At entry (copied from the passport, then completed by the professional).
    gender = models.CharField(_("genre"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    entry_status = models.CharField(_("situation à l'entrée"), max_length=12,
                                    choices=EntryStatus.choices, blank=True)
    unemployed_since = models.DateField(_("sans emploi depuis"), null=True, blank=True)
    education_level = models.CharField(_("niveau de formation"), max_length=12,
                                       choices=EDUCATION_CHOICES, blank=True)
    disability = models.CharField(_("handicap"), max_length=10, choices=Answer.choices, blank=True)
    third_country_national = models.CharField(_("ressortissant d'un pays tiers"), max_length=10,
                                              choices=Answer.choices, blank=True)
    foreign_background = models.CharField(_("origine étrangère"), max_length=10,
                                          choices=Answer.choices, blank=True)
    minority = models.CharField(_("minorité (y compris Roms)"), max_length=10,
                                choices=Answer.choices, blank=True)
    homeless = models.CharField(_("sans domicile ou exclu du logement"), max_length=10,
                                choices=Answer.choices, blank=True)
    rural = models.CharField(_("zone rurale (DEGURBA)"), max_length=10, choices=Answer.choices, blank=True)
    # Upon leaving (immediate results) and when it was observed.
    exit_observed_on = models.DateField(_("situation à la sortie observée le"), null=True, blank=True)
    exit_job_searching = models.BooleanField(_("en recherche d'emploi"), null=True, blank=True)
    exit_education = models.BooleanField(_("en études ou en formation"), null=True, blank=True)
    exit_qualification = models.BooleanField(_("a obtenu une qualification"), null=True, blank=True)
    exit_employed = models.BooleanField(_("en emploi (y compris indépendant)"), null=True, blank=True)
    # Six months after leaving (longer-term results).
    followup_status = models.CharField(_("enquête à six mois"), max_length=12,
                                       choices=FollowUpStatus.choices, blank=True)
    six_months_observed_on = models.DateField(_("situation à six mois observée le"), null=True, blank=True)
    six_months_employed = models.BooleanField(_("en emploi à six mois"), null=True, blank=True)
    six_months_improved = models.BooleanField(_("situation améliorée à six mois"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entry_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "person"], name="participation_once_per_operation"),
            models.CheckConstraint(condition=Q(exit_on__isnull=True) | Q(exit_on__gte=F("entry_on")),
                                   name="participation_exit_after_entry"),
        ]
        indexes = [models.Index(fields=["operation", "gender"], name="participation_op_gender")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.operation_id}"
