"""The ROME referential, employers, offers, candidate profiles, proposals and immersions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation
from passeport.directory.models import Commune
from passeport.people.models import Person

from .enums import (
    ApplicationStatus,
    Behaviour,
    ContractType,
    ImmersionStatus,
    InclusiveKind,
    OfferKind,
    OfferStatus,
    RefusalReason,
    SkillKind,
    SkillSource,
    TransportMode,
)

# --- ROME 4.0 referential (loaded by migration 0002 from data/*.csv.gz) -------------


class RomeFiche(models.Model):
    """A fiche métier (ROME code, e.g. K1302 « Assistance auprès d'adultes »)."""

    code = models.CharField(_("code ROME"), max_length=5, primary_key=True)
    code_ogr = models.PositiveIntegerField(unique=True)
    label = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class RomeAppellation(models.Model):
    """A job title (appellation) of a fiche, e.g. « Aide à domicile »."""

    code_ogr = models.PositiveIntegerField(primary_key=True)
    label = models.CharField(_("appellation"), max_length=250)
    short_label = models.CharField(max_length=250)
    label_normalized = models.CharField(max_length=250, db_index=True, editable=False)
    fiche = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="appellations")

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class RomeSkill(models.Model):
    """A savoir-faire (with its macro-compétence), savoir-être or savoir."""

    code_ogr = models.PositiveIntegerField(primary_key=True)
    kind = models.CharField(max_length=8, choices=SkillKind.choices)
    label = models.CharField(_("compétence"), max_length=300)
    macro_code = models.PositiveIntegerField(null=True, blank=True,
                                             help_text=_("La macro-compétence qui la regroupe."))
    is_macro = models.BooleanField(default=False)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class RomeFicheSkill(models.Model):
    fiche = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(RomeSkill, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SkillKind.choices)
    core = models.BooleanField(default=False, help_text=_("Compétence « cœur de métier »."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fiche", "skill"], name="jobs_fiche_skill_unique")]

    def __str__(self) -> str:
        return f"{self.fiche_id} {self.skill_id}"


class RomeWorkContext(models.Model):
    code_ogr = models.PositiveIntegerField(primary_key=True)
    label = models.CharField(max_length=200)
    category = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.label


class RomeFicheContext(models.Model):
    fiche = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="context_links")
    context = models.ForeignKey(RomeWorkContext, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fiche", "context"],
                                               name="jobs_fiche_context_unique")]

    def __str__(self) -> str:
        return f"{self.fiche_id} {self.context_id}"


class RomeMobility(models.Model):
    """A job-to-job mobility link: from `source`, a person may move to `target`."""

    source = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="mobilities")
    target = models.ForeignKey(RomeFiche, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"],
                                               name="jobs_mobility_unique")]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


# --- Employers ----------------------------------------------------------------------


class EmployerProfile(models.Model):
    """What the jobs app knows of an organisation that employs (kind `employer` or an
    SIAE): the inclusive flag and where it is."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="employer_profile")
    inclusive_kind = models.CharField(_("employeur inclusif"), max_length=8, blank=True,
                                      choices=InclusiveKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    description = models.TextField(_("présentation"), blank=True)

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_inclusive(self) -> bool:
        return bool(self.inclusive_kind)


class EmployerContact(models.Model):
    employer = models.ForeignKey(EmployerProfile, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("fonction"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)

    def __str__(self) -> str:
        return self.name


# --- Offers -------------------------------------------------------------------------


class JobOfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=OfferStatus.OPEN)


class JobOffer(models.Model):
    """A job or an immersion offer (PMSMP). Skills are ROME codes (`code_ogr`), prefilled
    from the fiche métier of the appellation and editable; kept as lists on the row so
    that matching reads one row per offer."""

    employer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="job_offers")
    kind = models.CharField(_("type d'offre"), max_length=10, choices=OfferKind.choices,
                            default=OfferKind.JOB)
    appellation = models.ForeignKey(RomeAppellation, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("métier"))
    fiche = models.ForeignKey(RomeFiche, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("intitulé"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    contract_type = models.CharField(_("contrat"), max_length=24, choices=ContractType.choices)
    hours_per_week = models.PositiveSmallIntegerField(
        _("heures par semaine"), validators=[MinValueValidator(1), MaxValueValidator(48)])
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("lieu de travail"))
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    positions = models.PositiveSmallIntegerField(_("postes ouverts"), default=1,
                                                 validators=[MinValueValidator(1)])
    skills_required = models.JSONField(_("compétences requises"), default=list, blank=True)
    skills_wished = models.JSONField(_("compétences souhaitées"), default=list, blank=True)
    constraints = models.JSONField(_("contraintes"), default=list, blank=True)
    status = models.CharField(_("statut"), max_length=8, choices=OfferStatus.choices,
                              default=OfferStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "latitude", "longitude"], name="jobs_offer_geo"),
                   models.Index(fields=["status", "fiche"], name="jobs_offer_fiche"),
                   models.Index(fields=["updated_at"], name="jobs_offer_updated")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__isnull=True)
                                   | models.Q(starts_on__isnull=True)
                                   | models.Q(ends_on__gte=models.F("starts_on")),
                                   name="jobs_offer_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.employer}"


# --- Candidate profile --------------------------------------------------------------


class CandidateProfile(models.Model):
    """What a person brings to matching, kept with their passport (scope « jobs »)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="job_profile")
    target_appellations = models.ManyToManyField(RomeAppellation, blank=True, related_name="+",
                                                 verbose_name=_("métiers recherchés"))
    experience_appellations = models.ManyToManyField(
        RomeAppellation, blank=True, related_name="+", verbose_name=_("métiers déjà exercés"))
    career_change = models.BooleanField(
        _("souhaite changer de métier"), default=False,
        help_text=_("Les métiers déjà exercés servent alors de point de départ des passerelles "
                    "du ROME, sans être proposés eux-mêmes en priorité."))
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("commune de départ"))
    max_distance_km = models.PositiveSmallIntegerField(
        _("distance maximale (km)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(200)])
    max_travel_minutes = models.PositiveSmallIntegerField(
        _("temps de trajet maximal (minutes)"), null=True, blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(180)])
    transport_mode = models.CharField(_("moyen de transport"), max_length=8,
                                      choices=TransportMode.choices, default=TransportMode.PUBLIC)
    has_driving_licence = models.BooleanField(_("permis B"), default=False)
    has_vehicle = models.BooleanField(_("véhicule personnel"), default=False)
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("heures par semaine au plus"), default=35, validators=[MinValueValidator(1), MaxValueValidator(48)])
    childcare_constraint = models.BooleanField(
        _("garde d'enfants : horaires de journée en semaine seulement"), default=False)
    night_work_ok = models.BooleanField(_("accepte le travail de nuit"), default=False)
    weekend_work_ok = models.BooleanField(_("accepte le travail le week-end"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Profil emploi de {self.person_id}"


class CandidateSkill(models.Model):
    profile = models.ForeignKey(CandidateProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(RomeSkill, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=SkillSource.choices, default=SkillSource.DECLARED)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "skill", "source"],
                                               name="jobs_candidate_skill_unique")]

    def __str__(self) -> str:
        return f"{self.skill_id} ({self.source})"


# --- Proposals (a person proposed to an employer for an offer) ----------------------


class Application(models.Model):
    offer = models.ForeignKey(JobOffer, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="job_applications")
    proposed_by = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    proposed_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                         null=True, related_name="+")
    message = models.TextField(_("message à l'employeur"), blank=True)
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PROPOSED)
    refusal_reason = models.CharField(_("motif du refus"), max_length=20, blank=True,
                                      choices=RefusalReason.choices)
    answer_comment = models.TextField(_("commentaire"), blank=True)
    interview_on = models.DateField(_("date de l'entretien"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "person"], name="jobs_application_once",
                                    condition=~models.Q(status__in=["refused", "withdrawn"])),
            models.CheckConstraint(condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                                   name="jobs_application_refusal_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.offer_id} ({self.status})"


# --- Immersions (PMSMP) -------------------------------------------------------------


class Immersion(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="immersions")
    employer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="immersions_hosted")
    offer = models.ForeignKey(JobOffer, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="immersions")
    prescriber = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    appellation = models.ForeignKey(RomeAppellation, on_delete=models.PROTECT, related_name="+")
    tutor_name = models.CharField(_("tuteur ou tutrice"), max_length=150)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    objectives = models.TextField(_("objectifs"))
    status = models.CharField(max_length=10, choices=ImmersionStatus.choices,
                              default=ImmersionStatus.PLANNED)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)
    # The employer's assessment
    skills_observed = models.JSONField(default=list, blank=True)
    # {"<ROME skill code_ogr>": level 1-4} for the observed skills the employer rated
    skill_levels = models.JSONField(default=dict, blank=True)
    behaviour = models.PositiveSmallIntegerField(_("savoir-être"), null=True, blank=True,
                                                 choices=Behaviour.choices)
    assessment_comment = models.TextField(_("appréciation"), blank=True)
    led_to_job = models.BooleanField(_("débouche sur une embauche"), null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="jobs_immersion_dates"),
        ]

    def __str__(self) -> str:
        return f"Immersion {self.person_id} chez {self.employer_id}"
