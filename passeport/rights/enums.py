from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    PARTNER = "partner", _("Conjoint ou conjointe")
    CHILD = "child", _("Enfant")
    OTHER = "other", _("Autre personne du foyer")


class IncomeKind(models.TextChoices):
    """Kinds of monthly income (net amounts). The codes are the engine's."""

    SALARY = "salary", _("Salaire")
    SELF_EMPLOYED = "self_employed", _("Revenu d'indépendant ou d'auto-entrepreneur")
    UNEMPLOYMENT = "unemployment", _("Allocation chômage (ARE)")
    ASS = "ass", _("Allocation de solidarité spécifique (ASS)")
    SICKNESS = "sickness", _("Indemnités journalières (arrêt maladie)")
    PENSION = "pension", _("Retraite")
    INVALIDITY = "invalidity", _("Pension d'invalidité")
    ALIMONY = "alimony", _("Pension alimentaire reçue")
    RSA = "rsa", _("RSA reçu")
    PPA = "ppa", _("Prime d'activité reçue")
    AL = "al", _("Aide au logement reçue")
    AAH = "aah", _("AAH reçue")
    AF = "af", _("Allocations familiales reçues")
    CF = "cf", _("Complément familial reçu")
    ASF = "asf", _("Allocation de soutien familial reçue")


class RightCode(models.TextChoices):
    """Benefits the estimate covers (same codes as the path's declared benefits)."""

    RSA = "rsa", _("RSA")
    PPA = "ppa", _("Prime d'activité")
    AL = "al", _("Aide au logement (APL, ALS, ALF)")
    AAH = "aah", _("Allocation aux adultes handicapés (AAH)")
    AF = "af", _("Allocations familiales")
    CF = "cf", _("Complément familial")
    ASF = "asf", _("Allocation de soutien familial (ASF)")
    CSS = "css", _("Complémentaire santé solidaire")


class ReceivedBenefit(models.TextChoices):
    """What the household may declare receiving: the estimated rights and the other
    benefits the path knows (ARE, ASS, CEJ)."""

    RSA = "rsa", _("RSA")
    PPA = "ppa", _("Prime d'activité")
    AL = "al", _("Aide au logement (APL, ALS, ALF)")
    AAH = "aah", _("AAH")
    AF = "af", _("Allocations familiales")
    CF = "cf", _("Complément familial")
    ASF = "asf", _("Allocation de soutien familial")
    CSS = "css", _("Complémentaire santé solidaire")
    ARE = "are", _("Allocation chômage (ARE)")
    ASS = "ass", _("Allocation de solidarité spécifique (ASS)")
    CEJ = "cej", _("Allocation Contrat d'engagement jeune")


class HousingStatus(models.TextChoices):
    """The path's housing statuses, with furnished renting (it changes the housing aid)."""

    OWNER = "owner", _("Propriétaire")
    TENANT = "tenant", _("Locataire (parc privé, logement vide)")
    FURNISHED = "furnished", _("Locataire (parc privé, logement meublé)")
    SOCIAL_TENANT = "social_tenant", _("Locataire (logement social)")
    HOSTED = "hosted", _("Hébergé gratuitement par la famille ou des amis")
    SHELTER = "shelter", _("Foyer ou résidence sociale (avec une redevance)")
    HOMELESS = "homeless", _("Sans logement")
    OTHER = "other", _("Autre")
    UNKNOWN = "", _("Je ne sais pas")


class Tristate(models.TextChoices):
    YES = "yes", _("Oui")
    NO = "no", _("Non")
    UNKNOWN = "", _("Je ne sais pas")


class DisabilityRate(models.TextChoices):
    """The rate bands the law uses (AAH: 80 %, or 50 to 79 % with a restriction of access
    to employment recognised by the CDAPH)."""

    NONE = "none", _("Pas de handicap reconnu, ou moins de 50 %")
    FROM_50 = "50", _("De 50 à 79 %")
    FROM_80 = "80", _("80 % ou plus")
    UNKNOWN = "", _("Je ne sais pas")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("En attente de calcul")
    RUNNING = "running", _("En cours de calcul")
    DONE = "done", _("Calculée")
    FAILED = "failed", _("Échec du calcul")


class CheckSource(models.TextChoices):
    PROFESSIONAL = "professional", _("Demandée par un professionnel")
    PERSON = "person", _("Demandée par la personne")
    API = "api", _("Demandée par l'API")
    SCREENING = "screening", _("Repérage de la file active")


class ScreeningStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")
