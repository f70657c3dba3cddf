from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillKind(models.TextChoices):
    SAVOIR_FAIRE = "sf", _("Savoir-faire")
    SAVOIR_ETRE = "se", _("Savoir-être professionnel")
    SAVOIR = "savoir", _("Savoir")


class InclusiveKind(models.TextChoices):
    """Inclusive employers (the SIAE kinds of core's organisations are flagged too)."""

    NONE = "", _("Employeur classique")
    SIAE = "siae", _("Structure d'insertion par l'activité économique (SIAE)")
    EA = "ea", _("Entreprise adaptée (EA)")
    GEIQ = "geiq", _("Groupement d'employeurs pour l'insertion et la qualification (GEIQ)")


class OfferKind(models.TextChoices):
    JOB = "job", _("Emploi")
    IMMERSION = "immersion", _("Immersion (PMSMP)")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    FILLED = "filled", _("Pourvue")
    CLOSED = "closed", _("Fermée")


class ContractType(models.TextChoices):
    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    CDDI = "cddi", _("CDDI (contrat d'insertion)")
    INTERIM = "interim", _("Intérim")
    APPRENTICESHIP = "apprentissage", _("Apprentissage")
    PROFESSIONALISATION = "professionnalisation", _("Contrat de professionnalisation")
    PMSMP = "pmsmp", _("Immersion (PMSMP, sans contrat de travail)")


class Constraint(models.TextChoices):
    """Constraints of an offer, weighed against the person's mobility, availability and
    freins."""

    DRIVING_LICENCE = "driving_licence", _("Permis B exigé")
    VEHICLE = "vehicle", _("Véhicule personnel nécessaire")
    NIGHT_WORK = "night_work", _("Travail de nuit")
    WEEKEND_WORK = "weekend_work", _("Travail le week-end")
    EARLY_LATE_HOURS = "early_late_hours", _("Horaires décalés (tôt le matin ou tard le soir)")
    HEAVY_LOADS = "heavy_loads", _("Port de charges lourdes")
    STANDING = "standing", _("Station debout prolongée")


class TransportMode(models.TextChoices):
    CAR = "car", _("Voiture")
    PUBLIC = "public", _("Transports en commun")
    BIKE = "bike", _("Vélo")
    FOOT = "foot", _("À pied")


# Average door-to-door speeds (km/h) used to turn a maximum travel time into a distance.
TRANSPORT_SPEED_KMH = {TransportMode.CAR: 50, TransportMode.PUBLIC: 25,
                       TransportMode.BIKE: 14, TransportMode.FOOT: 4.5}


class SkillSource(models.TextChoices):
    DECLARED = "declared", _("Déclarée")
    EVALUATED = "evaluated", _("Évaluée par un professionnel")
    OBSERVED = "observed", _("Observée en immersion")


class ApplicationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée à l'employeur")
    INTERVIEW = "interview", _("Entretien prévu")
    HIRED = "hired", _("Embauchée")
    REFUSED = "refused", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")


class RefusalReason(models.TextChoices):
    POSITION_FILLED = "position_filled", _("Poste déjà pourvu")
    SKILLS = "skills", _("Compétences insuffisantes pour le poste")
    AVAILABILITY = "availability", _("Disponibilités incompatibles")
    DISTANCE = "distance", _("Trop loin du lieu de travail")
    NO_SHOW = "no_show", _("Absence à l'entretien")
    CANDIDATE_DECLINED = "candidate_declined", _("La personne a décliné")
    OTHER = "other", _("Autre motif")


class ImmersionStatus(models.TextChoices):
    PLANNED = "planned", _("À valider par le référent")
    VALIDATED = "validated", _("Validée")
    ASSESSED = "assessed", _("Terminée et évaluée")
    CANCELLED = "cancelled", _("Annulée")


class Behaviour(models.IntegerChoices):
    TO_IMPROVE = 1, _("À améliorer")
    SATISFYING = 2, _("Satisfaisant")
    VERY_GOOD = 3, _("Très bien")
