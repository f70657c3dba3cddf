from django.db import models
from django.utils.translation import gettext_lazy as _


class GridKind(models.TextChoices):
    TECHNICAL = "technical", _("Savoir-faire (compétences techniques)")
    BEHAVIOURAL = "behavioural", _("Savoir-être professionnels")
    TRANSVERSAL = "transversal", _("Compétences transversales")
    DIGITAL = "digital", _("Compétences numériques (DigComp 2.2)")


class EvaluationSource(models.TextChoices):
    REFERENT = "referent", _("Référent ou référente")
    EMPLOYER = "employer", _("Employeur, après une immersion")
    SELF = "self", _("La personne elle-même")


class AchievementType(models.TextChoices):
    BADGE = "Badge", _("Badge")
    COMPETENCY = "Competency", _("Compétence")
    CERTIFICATE = "Certificate", _("Attestation")


class ImportFormat(models.TextChoices):
    OB3 = "ob3", _("Open Badges 3.0")
    OB2_HOSTED = "ob2_hosted", _("Open Badges 2.0 (hébergé)")
    OB2_SIGNED = "ob2_signed", _("Open Badges 2.0 (signé)")


class CredentialState(models.TextChoices):
    VALID = "valid", _("Valide")
    REVOKED = "revoked", _("Retiré par la structure")
    EXPIRED = "expired", _("Expiré")
    NOT_YET_VALID = "not_yet_valid", _("Pas encore valide")
    INVALID = "invalid", _("Non valide : signature ou contenu incorrect")


# The general scale of a grid item (each item may describe what is observed at each level).
LEVELS = {
    1: _("Découvre"),
    2: _("Fait avec de l'aide"),
    3: _("Fait seul ou seule"),
    4: _("Maîtrise et peut montrer aux autres"),
}
