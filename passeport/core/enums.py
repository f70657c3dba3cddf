from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ACI = "aci", _("SIAE — Atelier et chantier d'insertion (ACI)")
    EI = "ei", _("SIAE — Entreprise d'insertion (EI)")
    AI = "ai", _("SIAE — Association intermédiaire (AI)")
    ETTI = "etti", _("SIAE — Entreprise de travail temporaire d'insertion (ETTI)")
    EITI = "eiti", _("SIAE — Entreprise d'insertion par le travail indépendant (EITI)")
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    FRANCE_TRAVAIL = "france_travail", _("Agence France Travail")
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", _("Conseil départemental")
    CCAS = "ccas", _("CCAS / CIAS")
    ASSOCIATION = "association", _("Association")
    PLIE = "plie", _("PLIE")
    CAP_EMPLOI = "cap_emploi", _("Cap emploi")
    TRAINING = "training", _("Organisme de formation")
    EMPLOYER = "employer", _("Employeur")

    @classmethod
    def siae(cls) -> set[str]:
        return {cls.ACI, cls.EI, cls.AI, cls.ETTI, cls.EITI}


class Role(models.TextChoices):
    REFERENT = "referent", _("Référent de parcours")
    MANAGER = "manager", _("Responsable (voit toute la file active)")
    ADMIN = "admin", _("Administrateur")


class AuditAction(models.TextChoices):
    VIEW = "view", _("Consultation")
    LIST = "list", _("Affichage dans une liste")
    CREATE = "create", _("Création")
    UPDATE = "update", _("Modification")
    DELETE = "delete", _("Suppression")
    EXPORT = "export", _("Export")
    CONSENT_GRANT = "consent_grant", _("Consentement donné")
    CONSENT_WITHDRAW = "consent_withdraw", _("Consentement retiré")
    INVITE = "invite", _("Invitation envoyée")
    DENIED = "denied", _("Accès refusé")
