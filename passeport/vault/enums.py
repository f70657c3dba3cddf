"""Choices of the digital safe."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentCategory(models.TextChoices):
    IDENTITY = "identite", _("Identité")
    RESOURCES = "ressources", _("Ressources")
    HOUSING = "logement", _("Logement")
    HEALTH = "sante", _("Santé")
    EMPLOYMENT_TRAINING = "emploi_formation", _("Emploi et formation")
    FAMILY = "famille", _("Famille")
    JUSTICE = "justice", _("Justice")
    OTHER = "autre", _("Autre")


class LogAction(models.TextChoices):
    """What the hash-chained log of the safe records, one entry per event."""

    DEPOSIT = "deposit", _("Dépôt")
    VIEW = "view", _("Consultation")
    DOWNLOAD = "download", _("Téléchargement")
    UPDATE = "update", _("Modification")
    SHARE = "share", _("Partage")
    UNSHARE = "unshare", _("Fin du partage")
    DELETE = "delete", _("Suppression")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    ERASE = "erase", _("Effacement sur demande")
    PURGE = "purge", _("Effacement (durée de conservation dépassée)")
    INTEGRITY_FAILURE = "integrity_failure", _("Document abîmé détecté")


class ScanStatus(models.TextChoices):
    CLEAN = "clean", _("Vérifié par l'antivirus")
    NOT_SCANNED = "not_scanned", _("Antivirus non configuré")
