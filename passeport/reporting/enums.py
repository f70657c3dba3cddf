"""Choices of the reporting app (ESF+ participant data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Answer(models.TextChoices):
    """An answer that the person may decline: a refusal is recorded, never guessed."""

    YES = "yes", _("Oui")
    NO = "no", _("Non")
    DECLINED = "declined", _("Ne souhaite pas répondre")
    UNKNOWN = "", _("Non demandé")


class EntryStatus(models.TextChoices):
    """Labour-market status at entry, as the ESF+ output indicators count it."""

    EMPLOYED = "employed", _("En emploi (y compris indépendant)")
    UNEMPLOYED = "unemployed", _("Sans emploi, en recherche (chômeur)")
    INACTIVE = "inactive", _("Inactif (sans emploi, pas en recherche)")
    EDUCATION = "education", _("En études ou en formation")
    UNKNOWN = "", _("Non renseigné")


class FollowUpStatus(models.TextChoices):
    PENDING = "", _("À interroger")
    ANSWERED = "answered", _("Réponse recueillie")
    DECLINED = "declined", _("Ne souhaite pas répondre")
    UNREACHABLE = "unreachable", _("Injoignable")


SENSITIVE_FIELDS = ("disability", "third_country_national", "foreign_background",
                    "minority", "homeless", "rural")
