"""Communes, the directory of structures and services (data·inclusion schema v1), and
orientations of persons to the services of partner organisations.

The fields of `Structure` and `Service` that belong to the data·inclusion schema keep
the schema's (French) names, so that import and export map them one to one; the
identifier `id` of the schema is `di_id` here, unique with `source`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.core.models import Organisation
from passeport.people.models import Consent, Person

from .enums import (
    FRAIS_CHOICES,
    TYPE_CHOICES,
    CommuneKind,
    OrientationAction,
    OrientationStatus,
    RefusalReason,
)


class Commune(models.Model):
    """A French commune (or a municipal arrondissement of Paris, Lyon, Marseille)."""

    code_insee = models.CharField(_("code commune INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=80)
    name_normalized = models.CharField(max_length=80, db_index=True, editable=False)
    postal_codes = models.CharField(_("codes postaux"), max_length=200, blank=True,
                                    help_text=_("Séparés par des espaces."))
    departement = models.CharField(_("département"), max_length=3, db_index=True)
    region = models.CharField(_("région"), max_length=3)
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    kind = models.CharField(max_length=14, choices=CommuneKind.choices,
                            default=CommuneKind.COMMUNE)
    parent_code = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["name", "code_insee"]
        verbose_name = _("commune")

    def __str__(self) -> str:
        return self.label

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def main_postal_code(self) -> str:
        codes = self.postal_code_list
        return codes[0] if codes else ""

    @property
    def label(self) -> str:
        """'Brest (29200)': what the person types and reads."""
        cp = self.main_postal_code
        return f"{self.name} ({cp})" if cp else self.name

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class CommunePostalCode(models.Model):
    """One postal code served by a commune (a commune may have several, a postal code
    may serve several communes): the indexed lookup by postal code."""

    code = models.CharField(max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE,
                                related_name="postal_code_rows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "commune"],
                                               name="commune_postal_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.commune_id}"


class Structure(models.Model):
    """A structure of the data·inclusion schema: imported from a source, or published
    by an organisation of Passeport (`organisation`, source `passeport`)."""

    source = models.CharField(_("source"), max_length=100)
    di_id = models.CharField(_("identifiant"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="directory_structures", verbose_name=_("structure Passeport"),
        help_text=_("La structure de Passeport qui reçoit les orientations vers ses services."),
    )
    nom = models.CharField(_("nom"), max_length=150)
    date_maj = models.DateField(_("date de mise à jour"))
    description = models.TextField(_("description"), blank=True)
    lien_source = models.URLField(_("lien vers la source"), max_length=500, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    code_insee = models.CharField(_("code commune INSEE"), max_length=5, blank=True)
    adresse = models.CharField(_("adresse"), max_length=250, blank=True)
    complement_adresse = models.CharField(_("complément d'adresse"), max_length=250, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=40, blank=True)
    courriel = models.EmailField(_("e-mail"), max_length=254, blank=True)
    site_web = models.URLField(_("site web"), max_length=500, blank=True)
    horaires_accueil = models.CharField(_("horaires d'accueil"), max_length=500, blank=True)
    accessibilite_lieu = models.URLField(_("accessibilité du lieu"), max_length=500, blank=True)
    reseaux_porteurs = models.JSONField(_("réseaux porteurs"), default=list, blank=True)

    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nom", "id"]
        verbose_name = _("structure de l'annuaire")
        constraints = [
            models.UniqueConstraint(fields=["source", "di_id"], name="structure_unique_source_id"),
        ]

    def __str__(self) -> str:
        return self.nom


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def of_organisation(self, organisation_id: int):
        return self.filter(structure__organisation_id=organisation_id)


class Service(models.Model):
    """A service of the data·inclusion schema. `geo_lat`/`geo_lon` (the service's own
    coordinates, else its commune's, else its structure's), `tags`, the masks (bits of
    enums.CATEGORY_BITS, PUBLIC_BITS, MODE_ACCUEIL_BITS) and `search_text` are derived
    at each write for the search (indexing.service_derive)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="services",
                                  verbose_name=_("structure"))
    source = models.CharField(_("source"), max_length=100)
    di_id = models.CharField(_("identifiant"), max_length=200)
    nom = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"))
    lien_source = models.URLField(_("lien vers la source"), max_length=500, blank=True)
    date_maj = models.DateField(_("date de mise à jour"))
    type = models.CharField(_("type de service"), max_length=32, choices=TYPE_CHOICES, blank=True)
    thematiques = models.JSONField(_("thématiques"), default=list, blank=True)
    frais = models.CharField(_("frais"), max_length=16, choices=FRAIS_CHOICES, blank=True)
    frais_precisions = models.TextField(_("précisions sur les frais"), blank=True)
    publics = models.JSONField(_("publics"), default=list, blank=True)
    publics_precisions = models.TextField(_("précisions sur les publics"), blank=True)
    conditions_acces = models.TextField(_("conditions d'accès"), blank=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    code_insee = models.CharField(_("code commune INSEE"), max_length=5, blank=True)
    adresse = models.CharField(_("adresse"), max_length=250, blank=True)
    complement_adresse = models.CharField(_("complément d'adresse"), max_length=250, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    telephone = models.CharField(_("téléphone"), max_length=40, blank=True)
    courriel = models.EmailField(_("e-mail"), max_length=254, blank=True)
    modes_accueil = models.JSONField(_("modes d'accueil"), default=list, blank=True)
    zone_eligibilite = models.JSONField(_("zone d'éligibilité"), default=list, blank=True)
    contact_nom_prenom = models.CharField(_("contact"), max_length=150, blank=True)
    lien_mobilisation = models.URLField(_("lien de mobilisation"), max_length=500, blank=True)
    modes_mobilisation = models.JSONField(_("modes de mobilisation"), default=list, blank=True)
    mobilisable_par = models.JSONField(_("mobilisable par"), default=list, blank=True)
    mobilisation_precisions = models.TextField(_("précisions sur la mobilisation"), blank=True)
    volume_horaire_hebdomadaire = models.FloatField(_("heures par semaine"), null=True, blank=True)
    nombre_semaines = models.PositiveIntegerField(_("nombre de semaines"), null=True, blank=True)
    horaires_accueil = models.CharField(_("horaires d'accueil"), max_length=500, blank=True)

    is_published = models.BooleanField(_("visible dans l'annuaire"), default=True)
    # Derived, for the search.
    geo_lat = models.FloatField(null=True, blank=True, editable=False)
    geo_lon = models.FloatField(null=True, blank=True, editable=False)
    tags = models.TextField(blank=True, editable=False)
    categories_mask = models.IntegerField(default=0, editable=False)
    publics_mask = models.IntegerField(default=0, editable=False)
    modes_mask = models.IntegerField(default=0, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    name_normalized = models.CharField(max_length=320, blank=True, editable=False)

    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["nom", "id"]
        verbose_name = _("service de l'annuaire")
        constraints = [
            models.UniqueConstraint(fields=["source", "di_id"], name="service_unique_source_id"),
        ]
        indexes = [
            # Covers the geographic search: the bounding box and the category, public
            # and mode d'accueil filters are answered from the index alone.
            # (`id` too: PostgreSQL then answers with an index-only scan.)
            models.Index(fields=["geo_lat", "geo_lon", "is_published", "categories_mask",
                                 "publics_mask", "modes_mask", "id"], name="service_search"),
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def categories(self) -> list[str]:
        return sorted({t.split("--", 1)[0] for t in self.thematiques})

    @property
    def partner_id(self) -> int | None:
        """The organisation of Passeport that receives orientations to this service."""
        return self.structure.organisation_id

    @property
    def is_orientable(self) -> bool:
        return self.is_published and self.structure.organisation_id is not None


class Orientation(models.Model):
    """A référent orients a person to a service of a partner organisation.

    `status` changes only through the state machine (`states.py`), each change leaving
    an `OrientationEvent`. `consents` are the consents granted to the partner by this
    orientation (and only those: they end with it if it is refused, cancelled or
    expires)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="orientations")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orientations",
                                verbose_name=_("service"))
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                related_name="orientations_received",
                                verbose_name=_("structure partenaire"))
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                               related_name="orientations_sent",
                               verbose_name=_("structure qui oriente"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                related_name="+", verbose_name=_("référent"))
    message = models.TextField(_("pourquoi cette orientation"))
    shared_scopes = models.JSONField(_("parties du passeport partagées"), default=list,
                                     blank=True)
    consent_method = models.CharField(_("comment l'accord a été recueilli"), max_length=16)
    consents = models.ManyToManyField(Consent, blank=True, related_name="+")
    status = models.CharField(_("statut"), max_length=16, choices=OrientationStatus.choices,
                              default=OrientationStatus.SENT)
    refusal_reason = models.CharField(_("motif du refus"), max_length=24,
                                      choices=RefusalReason.choices, blank=True)
    answer_comment = models.TextField(_("commentaire du partenaire"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the current open status began: reminders go to whoever must act (the partner
    # when sent, the sender when information was requested) and expiry counts from it.
    waiting_since = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status", "-created_at"], name="orientation_inbox"),
            models.Index(fields=["sender", "status", "-created_at"], name="orientation_sent"),
            models.Index(fields=["status", "waiting_since"], name="orientation_follow_up"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"], condition=Q(status__in=["sent", "info_requested"]),
                name="orientation_one_open_per_person_service"),
            models.CheckConstraint(
                condition=Q(status="refused", refusal_reason__gt="")
                | (~Q(status="refused") & Q(refusal_reason="")),
                name="orientation_refusal_reason_iff_refused"),
            models.CheckConstraint(condition=~Q(partner=models.F("sender")),
                                   name="orientation_partner_is_not_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.service}"

    @property
    def is_open(self) -> bool:
        return self.status in OrientationStatus.open()


class OrientationEvent(models.Model):
    """One step of an orientation's history: who did what, when, and why."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=16, choices=OrientationAction.choices)
    from_status = models.CharField(max_length=16, choices=OrientationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=OrientationStatus.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    refusal_reason = models.CharField(max_length=24, choices=RefusalReason.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%d/%m/%Y})"
