"""Models of the rupture app: the alerts raised from the signals, and the preferences of
organisations (thresholds) and référents (e-mail digest)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Membership, Organisation
from passeport.paths.models import Action, BookingInvitation, Path, TimelineEvent
from passeport.people.models import Person

from .enums import AlertStatus, ReminderChannel, ReminderKind, ReminderStatus, SignalKind


class AlertQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=AlertStatus.live())


class Alert(models.Model):
    """One signal raised for one path, for one cause. `cause` identifies what caused it
    (the date of the last contact, the id of the orientation or action...): an alert is
    never raised twice for the same (path, kind, cause); a new cause raises a new one."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="rupture_alerts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=SignalKind.choices)
    cause = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    since = models.DateField()  # when the cause started (last contact, due date...)
    raised_on = models.DateField(default=timezone.localdate)
    last_seen_on = models.DateField(default=timezone.localdate)
    evidence = models.JSONField(default=dict, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("commentaire"), max_length=250, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-weight", "since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "kind", "cause"], name="rupture_alert_once_per_cause"),
        ]
        indexes = [
            models.Index(fields=["path", "status"], name="rupture_alert_path_status"),
            models.Index(fields=["organisation", "status"], name="rupture_alert_org_status",
                         condition=Q(status__in=["open", "acknowledged"])),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.path_id})"


class OrganisationSettings(models.Model):
    """Thresholds an organisation sets for its own paths (empty: the site default)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="rupture_settings")
    no_contact_days = models.PositiveSmallIntegerField(
        _("jours sans contact avant une alerte"), null=True, blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(365)])
    reminders_enabled = models.BooleanField(
        _("envoyer des rappels aux personnes (SMS et e-mail)"), default=True)
    appointment_reminder_days = models.PositiveSmallIntegerField(
        _("rappel d'un rendez-vous : combien de jours avant"), default=2,
        validators=[MinValueValidator(0), MaxValueValidator(14)],
        help_text=_("0 : le matin même du rendez-vous."))
    action_reminder_days = models.PositiveSmallIntegerField(
        _("rappel d'une action à faire : combien de jours avant la date prévue"), default=3,
        validators=[MinValueValidator(0), MaxValueValidator(30)])
    reminder_hour = models.PositiveSmallIntegerField(
        _("heure d'envoi des rappels"), default=10,
        validators=[MinValueValidator(8), MaxValueValidator(20)],
        help_text=_("Entre 8 h et 20 h : aucun rappel n'est envoyé la nuit."))

    def __str__(self) -> str:
        return f"Seuils de {self.organisation}"


class ReferentPreference(models.Model):
    """A référent's choice to receive the daily e-mail digest of new alerts."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE,
                                      related_name="rupture_preference")
    digest = models.BooleanField(_("recevoir chaque jour un e-mail des nouvelles alertes"),
                                 default=False)

    def __str__(self) -> str:
        return f"Préférences de {self.membership}"


class ReminderChoice(models.Model):
    """The person's choice of reminders (by default both, when the contact is known)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="reminder_choice")
    by_sms = models.BooleanField(_("par SMS"), default=True)
    by_email = models.BooleanField(_("par e-mail"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Rappels de {self.person}"


class Reminder(models.Model):
    """One reminder of an appointment, of an action or of a booking invitation left
    unanswered, on one channel. At most one per (appointment, action or invitation, date,
    channel): re-running the sender never sends twice, and a new date (a moved
    appointment) gets its own reminder."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="reminders")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="reminders")
    booking = models.ForeignKey(BookingInvitation, on_delete=models.CASCADE, null=True,
                                blank=True, related_name="reminders")
    # The day of the appointment, the action's due date, or the invitation's deadline.
    target_on = models.DateField()
    channel = models.CharField(max_length=8, choices=ReminderChannel.choices)
    status = models.CharField(max_length=8, choices=ReminderStatus.choices)
    error = models.CharField(max_length=250, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "target_on", "channel"],
                                    condition=Q(event__isnull=False), name="reminder_once_per_event"),
            models.UniqueConstraint(fields=["action", "target_on", "channel"],
                                    condition=Q(action__isnull=False), name="reminder_once_per_action"),
            models.UniqueConstraint(fields=["booking", "target_on", "channel"],
                                    condition=Q(booking__isnull=False), name="reminder_once_per_booking"),
            models.CheckConstraint(
                condition=Q(event__isnull=False, action__isnull=True, booking__isnull=True)
                | Q(event__isnull=True, action__isnull=False, booking__isnull=True)
                | Q(event__isnull=True, action__isnull=True, booking__isnull=False),
                name="reminder_one_target"),
        ]
        indexes = [models.Index(fields=["organisation", "sent_at"], name="reminder_org_sent")]

    def __str__(self) -> str:
        return f"Rappel {self.kind} {self.channel} ({self.status})"
