from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentScope(models.TextChoices):
    """Parts of the passport a person opens to an organisation."""

    PATH = "path", _("Mon parcours (situation, freins, objectifs, actions, historique)")
    DOCUMENTS = "documents", _("Mes documents")
    RIGHTS = "rights", _("Mes droits")
    SKILLS = "skills", _("Mes compétences et badges")
    JOBS = "jobs", _("Les offres d'emploi et les employeurs")


class ConsentMethod(models.TextChoices):
    IN_APP = "in_app", _("Donné par la personne dans son espace")
    WRITTEN = "written", _("Formulaire signé par la personne")
    ORAL = "oral", _("Accord oral recueilli en entretien")
    LEGAL = "legal", _("Obligation légale (ex. orientation RSA)")


class Gender(models.TextChoices):
    WOMAN = "f", _("Femme")
    MAN = "m", _("Homme")
    NON_BINARY = "x", _("Non-binaire")
    UNKNOWN = "", _("Non renseigné")


class AccessRequestStatus(models.TextChoices):
    """Where a professional's request to see a passport stands. A pending request past
    its `expires_at` reads as expired (`AccessRequest.current_status`)."""

    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    EXPIRED = "expired", _("Expirée")
    CANCELLED = "cancelled", _("Annulée")
