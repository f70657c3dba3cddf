from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Membership, Organisation
from passeport.people.models import Person

from .enums import (
    ActionStatus,
    AppointmentOutcome,
    BookingMode,
    BookingStatus,
    ContractKind,
    EducationLevel,
    EmploymentStatus,
    EventKind,
    ExitReason,
    FreinTheme,
    HousingStatus,
    ObjectiveStatus,
    PathStatus,
    Severity,
)


class PathQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=PathStatus.CLOSED)


class Path(models.Model):
    """The person's path. One open path per person at a time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="paths")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_paths",
        verbose_name=_("structure du référent"),
    )
    referent = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="paths",
        verbose_name=_("référent de parcours"),
    )
    status = models.CharField(_("statut"), max_length=16, choices=PathStatus.choices,
                              default=PathStatus.ACTIVE)
    opened_on = models.DateField(_("date d'entrée"), default=timezone.localdate)
    closed_on = models.DateField(_("date de sortie"), null=True, blank=True)
    exit_reason = models.CharField(_("motif de sortie"), max_length=20, choices=ExitReason.choices,
                                   blank=True)
    # Situation at entry.
    employment_status = models.CharField(_("situation face à l'emploi"), max_length=16,
                                         choices=EmploymentStatus.choices, blank=True)
    unemployed_since = models.DateField(_("sans emploi depuis"), null=True, blank=True)
    education_level = models.CharField(_("niveau de formation"), max_length=12,
                                       choices=EducationLevel.choices, blank=True)
    housing_status = models.CharField(_("logement"), max_length=16, choices=HousingStatus.choices,
                                      blank=True)
    benefits = models.JSONField(_("aides perçues"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=~Q(status="closed"),
                                    name="path_one_open_per_person"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                                   name="path_closed_after_opened"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_on__isnull=False),
                                   name="path_closed_has_date"),
        ]
        indexes = [
            models.Index(fields=["referent", "status"], name="path_referent_status"),
            models.Index(fields=["status", "person"], name="path_status_person"),
        ]

    def __str__(self) -> str:
        return f"Parcours de {self.person} ({self.get_status_display()})"


class DiagnosticEntry(models.Model):
    """One assessment of one frein. A re-assessment adds an entry; the latest per theme
    is `is_current`, so that the diagnostic's history is kept."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="diagnostic")
    theme = models.CharField(_("frein"), max_length=48, choices=FreinTheme.choices)
    severity = models.PositiveSmallIntegerField(_("importance"), choices=Severity.choices)
    assessed_on = models.DateField(_("date"), default=timezone.localdate)
    comment = models.TextField(_("commentaire"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["theme", "-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "theme"], condition=Q(is_current=True),
                                    name="diagnostic_one_current_per_theme"),
            models.CheckConstraint(condition=Q(severity__gte=0, severity__lte=3),
                                   name="diagnostic_severity_range"),
        ]
        indexes = [
            models.Index(fields=["theme", "is_current", "severity"], name="diag_theme_current"),
            # "Paths with this frein at this severity now" (the caseload's frein filter),
            # read from the index alone.
            models.Index(fields=["theme", "severity", "path"], condition=Q(is_current=True),
                         name="diag_current_theme_sev_path"),
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} : {self.get_severity_display()}"


class Objective(models.Model):
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objectif"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=ObjectiveStatus.choices,
                              default=ObjectiveStatus.ACTIVE)
    proposed_by_person = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=ActionStatus.open())


class Action(models.Model):
    """What is to be done, by whom (an organisation, a member, or the person), by when."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(Objective, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="actions", verbose_name=_("objectif"))
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    theme = models.CharField(_("frein concerné"), max_length=48, choices=FreinTheme.choices,
                             blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("structure"))
    assignee = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="actions", verbose_name=_("professionnel"))
    for_person = models.BooleanField(_("à faire par la personne"), default=False)
    due_on = models.DateField(_("à faire avant le"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=ActionStatus.choices,
                              default=ActionStatus.TODO)
    outcome = models.TextField(_("résultat"), blank=True)
    proposed_by_person = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]
        indexes = [models.Index(fields=["path", "status", "due_on"], name="action_path_status_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (self.status in ActionStatus.open() and self.due_on is not None
                and self.due_on < timezone.localdate())


class TimelineEvent(models.Model):
    """A dated, attributed event of the path: notes, contacts, appointments, changes."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=16, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    by_person = models.BooleanField(default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    appointment_outcome = models.CharField(_("résultat du rendez-vous"), max_length=12,
                                           choices=AppointmentOutcome.choices, blank=True)
    seen_by_referent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["path", "-occurred_at"], name="event_path_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="appointment") | Q(appointment_outcome=""),
                name="event_outcome_only_for_appointments",
            )
        ]

    def __str__(self) -> str:
        return self.title


class WorkHoursStep(models.Model):
    """A step of progressive work hours (Premières heures: 4 h, 8 h, 12 h … 26 h CDDI)."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="work_hours")
    hours_per_week = models.PositiveSmallIntegerField(
        _("heures par semaine"),
        validators=[
            MinValueValidator(1, _("Indiquez au moins 1 heure par semaine.")),
            MaxValueValidator(35, _("Indiquez au plus 35 heures par semaine.")),
        ],
    )
    starts_on = models.DateField(_("à partir du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    contract = models.CharField(_("contrat"), max_length=20, choices=ContractKind.choices,
                                default=ContractKind.PREMIERES_HEURES)
    employer_name = models.CharField(_("employeur"), max_length=200, blank=True)
    note = models.CharField(_("commentaire"), max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_week__gte=1, hours_per_week__lte=35),
                                   name="work_hours_range"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="work_hours_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.hours_per_week} h/semaine depuis le {self.starts_on:%d/%m/%Y}"


class BookingInvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=BookingStatus.PENDING)

    def unanswered(self, today=None):
        """Pending invitations whose deadline has passed."""
        return self.pending().filter(answer_by__lt=today or timezone.localdate())


class BookingInvitation(models.Model):
    """An invitation to book an appointment: the référent proposes slots, the person
    picks one ("invited rather than summoned"), or says none suits them. Choosing a slot
    creates the appointment (a timeline event) recorded in `appointment`: at most once.

    A person without an account answers through a single-use link; only the SHA-256 of
    its token is stored, and the link stops working at the deadline or once used. The
    reminder before the deadline carries a second token (`reminder_token_hash`): either
    link answers, once."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="booking_invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    referent = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("avec"))
    motive = models.CharField(_("motif"), max_length=200, blank=True)
    answer_by = models.DateField(_("répondre avant le"))
    status = models.CharField(max_length=12, choices=BookingStatus.choices,
                              default=BookingStatus.PENDING)
    chosen_slot = models.OneToOneField("BookingSlot", on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+")
    appointment = models.OneToOneField(TimelineEvent, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="booking_invitation")
    decline_message = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=8, blank=True)  # "space" | "link"
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The link of the reminder sent the day before the deadline: a new token (its raw value
    # is never stored, so it cannot be re-sent), valid like the first one and burnt with it.
    reminder_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BookingInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(chosen_slot__isnull=False, answered_at__isnull=False),
                name="booking_booked_has_slot"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "cancelled"]) | Q(answered_at__isnull=False),
                name="booking_answer_dated"),
        ]
        indexes = [models.Index(fields=["path", "status"], name="booking_path_status"),
                   models.Index(fields=["organisation", "status", "answer_by"],
                                name="booking_org_status_deadline")]

    def __str__(self) -> str:
        return f"Invitation à prendre rendez-vous ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        return self.status == BookingStatus.PENDING and self.answer_by < timezone.localdate()

    @property
    def is_open(self) -> bool:
        return self.status == BookingStatus.PENDING and not self.is_expired

    @property
    def with_name(self) -> str:
        if self.referent_id and self.referent.user_id:
            return self.referent.user.get_full_name() or self.organisation.name
        return self.organisation.name


class BookingSlot(models.Model):
    """One proposed slot of an invitation."""

    invitation = models.ForeignKey(BookingInvitation, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(240)])
    mode = models.CharField(_("modalité"), max_length=8, choices=BookingMode.choices,
                            default=BookingMode.ON_SITE)
    place = models.CharField(_("lieu ou précision"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=10, duration_minutes__lte=240),
                                   name="booking_slot_duration_range"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%d/%m/%Y %H:%M} ({self.duration_minutes} min)"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)
