from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    NO_CONTACT = "no_contact", _("Pas de contact")
    MISSED_APPOINTMENTS = "missed", _("Rendez-vous manqués")
    ORIENTATION_UNANSWERED = "orientation_wait", _("Orientation sans réponse")
    ORIENTATION_REFUSED = "orientation_refused", _("Orientation refusée sans suite")
    ACTION_OVERDUE = "action_overdue", _("Action en retard")
    CONTRACT_ENDING = "contract_ending", _("Fin de contrat sans suite")
    DOCUMENT_EXPIRING = "document_expiring", _("Papier qui expire")
    RIGHT_ENDING = "right_ending", _("Droit qui arrive à échéance")
    WORK_HOURS_DOWN = "hours_down", _("Heures de travail en baisse")
    NO_REFERENT = "no_referent", _("Parcours sans référent")
    SEVERE_FREIN = "severe_frein", _("Frein bloquant sans action")
    BOOKING_UNANSWERED = "booking_unanswered", _("Invitation à un rendez-vous sans réponse")


# Transparent priority: the score of a person is the sum of the weights of their active
# signals (docs/rupture.md explains each weight). Signals that mean "the person is
# slipping away" weigh 3; signals that mean "a next step is missing" weigh 2; an overdue
# action, which is common and often administrative, weighs 1.
WEIGHTS: dict[str, int] = {
    SignalKind.NO_CONTACT: 3,
    SignalKind.MISSED_APPOINTMENTS: 3,
    SignalKind.NO_REFERENT: 3,
    SignalKind.ORIENTATION_UNANSWERED: 2,
    SignalKind.ORIENTATION_REFUSED: 2,
    SignalKind.CONTRACT_ENDING: 2,
    SignalKind.DOCUMENT_EXPIRING: 2,
    SignalKind.RIGHT_ENDING: 2,
    SignalKind.WORK_HOURS_DOWN: 2,
    SignalKind.SEVERE_FREIN: 2,
    SignalKind.BOOKING_UNANSWERED: 2,
    SignalKind.ACTION_OVERDUE: 1,
}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    RESOLVED = "resolved", _("Résolue")
    CLEARED = "cleared", _("Disparue d'elle-même")

    @classmethod
    def live(cls) -> list[str]:
        return [cls.OPEN, cls.ACKNOWLEDGED]


class ReminderKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Rendez-vous")
    ACTION = "action", _("Action à faire")
    BOOKING = "booking", _("Invitation à choisir un rendez-vous")


class ReminderChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class ReminderStatus(models.TextChoices):
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
