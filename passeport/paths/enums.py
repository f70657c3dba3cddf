from data_inclusion.schema.v1.thematiques import Categorie
from django.db import models
from django.utils.translation import gettext_lazy as _


class PathStatus(models.TextChoices):
    ACTIVE = "active", _("En cours")
    PAUSED = "paused", _("En pause")
    CLOSED = "closed", _("Terminé")


class ExitReason(models.TextChoices):
    EMPLOYMENT = "employment", _("Emploi")
    TRAINING = "training", _("Formation")
    MOVED = "moved", _("Déménagement")
    OTHER_SUPPORT = "other_support", _("Relais vers un autre accompagnement")
    DROPPED = "dropped", _("Abandon, sans nouvelles")
    OTHER = "other", _("Autre")


# The freins of the diagnostic are the data·inclusion categories of needs, so that a
# frein leads directly to the services of the directory that answer it.
FREIN_CATEGORIES = [
    Categorie.MOBILITE,
    Categorie.LOGEMENT_HEBERGEMENT,
    Categorie.SANTE,
    Categorie.FAMILLE,
    Categorie.NUMERIQUE,
    Categorie.LECTURE_ECRITURE_CALCUL,
    Categorie.DIFFICULTES_FINANCIERES,
    Categorie.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES,
    Categorie.EQUIPEMENT_ET_ALIMENTATION,
    Categorie.REMOBILISATION,
    Categorie.SE_FORMER,
    Categorie.CHOISIR_UN_METIER,
    Categorie.PREPARER_SA_CANDIDATURE,
    Categorie.TROUVER_UN_EMPLOI,
    Categorie.CREER_UNE_ENTREPRISE,
    Categorie.SOUVRIR_A_LINTERNATIONAL,
]
FreinTheme = models.TextChoices(
    "FreinTheme", [(c.name, (c.value, c.label)) for c in FREIN_CATEGORIES]
)


class Severity(models.IntegerChoices):
    NONE = 0, _("Pas de difficulté")
    LIGHT = 1, _("Difficulté légère")
    MODERATE = 2, _("Difficulté importante")
    SEVERE = 3, _("Difficulté bloquante")


class EmploymentStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Sans emploi, en recherche")
    INACTIVE = "inactive", _("Sans emploi, pas en recherche")
    EMPLOYED = "employed", _("En emploi (y compris indépendant)")
    EDUCATION = "education", _("En études ou en formation")
    UNKNOWN = "", _("Non renseigné")


class EducationLevel(models.TextChoices):
    """ISCED 2011 levels, grouped as the ESF+ indicators count them."""

    ISCED_0_2 = "isced_0_2", _("Jusqu'au collège / brevet (CITE 0 à 2)")
    ISCED_3_4 = "isced_3_4", _("CAP, BEP, bac (CITE 3 et 4)")
    ISCED_5_8 = "isced_5_8", _("Études supérieures (CITE 5 à 8)")
    UNKNOWN = "", _("Non renseigné")


class HousingStatus(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    TENANT = "tenant", _("Locataire (parc privé)")
    SOCIAL_TENANT = "social_tenant", _("Locataire (logement social)")
    HOSTED = "hosted", _("Hébergé par la famille ou des amis")
    SHELTER = "shelter", _("Hébergement d'urgence ou foyer")
    HOMELESS = "homeless", _("Sans logement")
    OTHER = "other", _("Autre")
    UNKNOWN = "", _("Non renseigné")


class Benefit(models.TextChoices):
    RSA = "rsa", _("RSA")
    PPA = "ppa", _("Prime d'activité")
    ARE = "are", _("Allocation chômage (ARE)")
    ASS = "ass", _("Allocation de solidarité spécifique (ASS)")
    AAH = "aah", _("AAH")
    AL = "al", _("Aide au logement (APL, ALS, ALF)")
    AF = "af", _("Allocations familiales")
    CEJ = "cej", _("Allocation Contrat d'engagement jeune")
    CSS = "css", _("Complémentaire santé solidaire")


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée par la personne")
    TODO = "todo", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Annulée")

    @classmethod
    def open(cls) -> list[str]:
        return [cls.PROPOSED, cls.TODO, cls.IN_PROGRESS]


class ObjectiveStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé par la personne")
    ACTIVE = "active", _("En cours")
    ACHIEVED = "achieved", _("Atteint")
    ABANDONED = "abandoned", _("Abandonné")


class EventKind(models.TextChoices):
    NOTE = "note", _("Note")
    CONTACT = "contact", _("Contact")
    APPOINTMENT = "appointment", _("Rendez-vous")
    STATUS_CHANGE = "status_change", _("Changement de statut")
    REASSESSMENT = "reassessment", _("Diagnostic")
    ACTION = "action", _("Action")
    WORK_HOURS = "work_hours", _("Heures de travail")
    MESSAGE = "message", _("Message de la personne")
    REFERENT = "referent", _("Référent")
    ORIENTATION = "orientation", _("Orientation")
    ALERT = "alert", _("Alerte de risque de rupture")
    JOB = "job", _("Emploi ou immersion")
    SITUATION = "situation", _("Situation déclarée par la personne")


class AppointmentOutcome(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    HELD = "held", _("Honoré")
    MISSED = "missed", _("Absence non excusée")
    EXCUSED = "excused", _("Absence excusée")
    CANCELLED = "cancelled", _("Annulé")


class ContractKind(models.TextChoices):
    PREMIERES_HEURES = "premieres_heures", _("Premières heures")
    CDDI = "cddi", _("CDDI")
    OTHER = "other", _("Autre contrat")


class BookingMode(models.TextChoices):
    """How a proposed appointment slot takes place."""

    ON_SITE = "on_site", _("Sur place")
    PHONE = "phone", _("Par téléphone")
    VIDEO = "video", _("En visio")


class BookingStatus(models.TextChoices):
    """Where an invitation to book an appointment stands. "Without answer" is not stored:
    it is a pending invitation whose deadline has passed (`BookingInvitation.is_expired`)."""

    PENDING = "pending", _("En attente de réponse")
    BOOKED = "booked", _("Créneau choisi")
    DECLINED = "declined", _("Aucun créneau ne convient")
    CANCELLED = "cancelled", _("Annulée")
