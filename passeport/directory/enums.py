"""Choices of the directory.

The vocabularies of services (thématiques, types, publics, frais, modes d'accueil, modes
de mobilisation) are those of the data·inclusion schema v1, taken from the
`data-inclusion-schema` package so that they never drift from it.
"""

from __future__ import annotations

from data_inclusion.schema.v1 import (
    Categorie,
    Frais,
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Thematique,
    TypeService,
)
from django.db import models
from django.utils.translation import gettext_lazy as _


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum]


THEMATIQUE_CHOICES = _choices(Thematique)
CATEGORIE_CHOICES = _choices(Categorie)
TYPE_CHOICES = _choices(TypeService)
PUBLIC_CHOICES = _choices(Public)
FRAIS_CHOICES = _choices(Frais)
MODE_ACCUEIL_CHOICES = _choices(ModeAccueil)
MODE_MOBILISATION_CHOICES = _choices(ModeMobilisation)
MOBILISABLE_PAR_CHOICES = _choices(PersonneMobilisatrice)
RESEAU_PORTEUR_CHOICES = _choices(ReseauPorteur)

CATEGORIES = {c.value: c.label for c in Categorie}
THEMATIQUES = {t.value: t.label for t in Thematique}
PUBLICS = {p.value: p.label for p in Public}
MODES_ACCUEIL = {m.value: m.label for m in ModeAccueil}
TOUS_PUBLICS = Public.TOUS_PUBLICS.value


# Bits of the derived masks of a service (categories, publics, modes d'accueil), read
# by the search from a covering index. They follow the order of the data·inclusion
# enums: after an update of the schema package, run `manage.py directory_reindex`.
CATEGORY_BITS = {c.value: 1 << i for i, c in enumerate(Categorie)}
PUBLIC_BITS = {p.value: 1 << i for i, p in enumerate(Public)}
MODE_ACCUEIL_BITS = {m.value: 1 << i for i, m in enumerate(ModeAccueil)}


def mask(values, bits: dict[str, int]) -> int:
    result = 0
    for value in values or []:
        result |= bits.get(value, 0)
    return result


def categorie_of(thematique: str) -> str:
    """'mobilite--preparer-un-permis' -> 'mobilite'."""
    return thematique.split("--", 1)[0]


def thematiques_by_categorie() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(category slug, category label, [(thématique slug, label) …]) in label order."""
    groups: dict[str, list[tuple[str, str]]] = {c.value: [] for c in Categorie}
    for t in Thematique:
        groups.setdefault(categorie_of(t.value), []).append((t.value, t.label))
    return [(c.value, c.label, groups[c.value]) for c in sorted(Categorie, key=lambda c: c.label)]


def theme_label(slug: str) -> str:
    """The label of a category or of a thématique slug."""
    return CATEGORIES.get(slug) or THEMATIQUES.get(slug) or slug


# Sources reserved to Passeport: the services organisations publish through the form or
# the API. An import may not write them (it would overwrite an organisation's own offer).
PASSEPORT_SOURCE = "passeport"


class CommuneKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    ARRONDISSEMENT = "arrondissement", _("Arrondissement municipal")


class OrientationStatus(models.TextChoices):
    SENT = "sent", _("Envoyée, en attente de réponse")
    INFO_REQUESTED = "info_requested", _("Complément demandé")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    EXPIRED = "expired", _("Expirée sans réponse")
    CANCELLED = "cancelled", _("Annulée")

    @classmethod
    def open(cls) -> list[str]:
        """Waiting for someone: the partner (sent) or the sender (info requested)."""
        return [cls.SENT, cls.INFO_REQUESTED]


class OrientationAction(models.TextChoices):
    """What happens to an orientation. Each action but `send` and `remind` is a
    transition of the state machine in `states.py`."""

    SEND = "send", _("Orientation envoyée")
    ACCEPT = "accept", _("Acceptée par le partenaire")
    REFUSE = "refuse", _("Refusée par le partenaire")
    REQUEST_INFO = "request_info", _("Complément demandé par le partenaire")
    PROVIDE_INFO = "provide_info", _("Complément envoyé au partenaire")
    CANCEL = "cancel", _("Annulée par la structure qui oriente")
    REMIND = "remind", _("Relance envoyée au partenaire")
    EXPIRE = "expire", _("Expirée sans réponse")


class RefusalReason(models.TextChoices):
    """Coded reasons of a refusal (the comment says more)."""

    NOT_ELIGIBLE = "not_eligible", _("La personne ne remplit pas les conditions d'accès")
    NO_CAPACITY = "no_capacity", _("Plus de place disponible pour le moment")
    OUTSIDE_AREA = "outside_area", _("La personne habite hors de notre zone")
    NOT_SUITED = "not_suited", _("Le service ne répond pas au besoin de la personne")
    UNREACHABLE = "unreachable", _("La personne n'a pas pu être jointe")
    DECLINED_BY_PERSON = "declined_by_person", _("La personne ne souhaite plus ce service")
    ALREADY_FOLLOWED = "already_followed", _("La personne est déjà accompagnée chez nous")
    OTHER = "other", _("Autre raison (à préciser)")


# What the person reads about a refusal, in plain words (FALC).
REFUSAL_REASON_FOR_PERSON = {
    RefusalReason.NOT_ELIGIBLE: _("Ce service n'est pas fait pour votre situation."),
    RefusalReason.NO_CAPACITY: _("Il n'y a plus de place pour le moment."),
    RefusalReason.OUTSIDE_AREA: _("Ce service n'est pas proposé là où vous habitez."),
    RefusalReason.NOT_SUITED: _("Ce service ne correspond pas à votre besoin."),
    RefusalReason.UNREACHABLE: _("La structure n'a pas réussi à vous joindre."),
    RefusalReason.DECLINED_BY_PERSON: _("Vous ne vouliez plus de ce service."),
    RefusalReason.ALREADY_FOLLOWED: _("Cette structure vous accompagne déjà."),
    RefusalReason.OTHER: _("Votre référent peut vous expliquer pourquoi."),
}
