"""Forms of the directory pages. They parse what was typed; the rules (the data·inclusion
schema, the orientation's state machine) live in the services, whose errors are shown
next to the field they concern."""

from __future__ import annotations

import re
from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from dsfr.widgets import InlineRadioSelect

from passeport.directory.enums import (
    CATEGORIES,
    MOBILISABLE_PAR_CHOICES,
    MODE_ACCUEIL_CHOICES,
    MODE_MOBILISATION_CHOICES,
    PUBLIC_CHOICES,
    RefusalReason,
    categorie_of,
    thematiques_by_categorie,
)
from passeport.directory.models import Service, Structure
from passeport.directory.selectors import (
    DEFAULT_RADIUS_KM,
    RADIUS_CHOICES_KM,
    ServiceFilters,
    commune_resolve,
)
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.web.forms import DsfrBaseForm, DsfrModelForm


def thematique_choices() -> list:
    """A category ('Tout : Mobilité') then its thématiques, grouped by category."""
    choices: list = [("", _("Tous les besoins"))]
    for slug, label, items in thematiques_by_categorie():
        choices.append((label, [(slug, _("%(label)s : tout") % {"label": label}), *items]))
    return choices


class SearchForm(DsfrBaseForm):
    """The directory's search: every field is optional."""

    q = forms.CharField(label=_("Mots-clés"), required=False, max_length=100,
                        help_text=_("Par exemple : permis, garde d'enfants, CV."))
    thematique = forms.ChoiceField(label=_("Besoin"), required=False, choices=thematique_choices)
    commune = forms.CharField(
        label=_("Commune ou code postal"), required=False, max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "communes-suggestions"}))
    radius_km = forms.TypedChoiceField(
        label=_("Distance"), required=False, coerce=int, initial=DEFAULT_RADIUS_KM,
        choices=[(km, _("%(km)s km") % {"km": km}) for km in RADIUS_CHOICES_KM],
        empty_value=DEFAULT_RADIUS_KM)
    public = forms.ChoiceField(label=_("Public"), required=False,
                               choices=[("", _("Tous les publics")), *PUBLIC_CHOICES])
    mode_accueil = forms.ChoiceField(label=_("Accueil"), required=False,
                                     choices=[("", _("Sur place ou à distance")),
                                              *MODE_ACCUEIL_CHOICES])
    personne = forms.CharField(required=False, widget=forms.HiddenInput, max_length=14)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolved_commune = None

    def clean_commune(self):
        text = self.cleaned_data["commune"].strip()
        if text:
            self.resolved_commune = commune_resolve(text)
            if self.resolved_commune is None:
                raise ValidationError(_("Commune introuvable : tapez son nom ou son code "
                                        "postal (5 chiffres)."))
            if not self.resolved_commune.has_coordinates:
                raise ValidationError(_("La position de cette commune n'est pas connue : "
                                        "choisissez une commune voisine."))
        return text

    def filters(self) -> ServiceFilters:
        data = self.cleaned_data
        return ServiceFilters(q=data.get("q", ""), thematique=data.get("thematique", ""),
                              public=data.get("public", ""),
                              mode_accueil=data.get("mode_accueil", ""),
                              commune=self.resolved_commune,
                              radius_km=data.get("radius_km") or DEFAULT_RADIUS_KM)


class OrientationForm(DsfrBaseForm):
    message = forms.CharField(
        label=_("Pourquoi orientez-vous cette personne ?"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que le partenaire doit savoir pour lui répondre. Pas d'information "
                    "de santé sans nécessité."))
    scopes = forms.MultipleChoiceField(
        label=_("Parties du passeport partagées avec le partenaire"), required=False,
        choices=ConsentScope.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("Le partenaire verra seulement ces parties, et seulement si la personne "
                    "est d'accord. Sans case cochée, il voit seulement son nom, ses coordonnées "
                    "et votre message."))
    consent_method = forms.ChoiceField(
        label=_("Comment la personne a donné son accord"), widget=InlineRadioSelect,
        choices=[(m.value, m.label) for m in (ConsentMethod.ORAL, ConsentMethod.WRITTEN,
                                               ConsentMethod.LEGAL)],
        initial=ConsentMethod.ORAL)
    person_agreed = forms.BooleanField(
        label=_("La personne est d'accord pour cette orientation et pour ce partage."),
        error_messages={"required": _("Cochez cette case seulement si la personne est "
                                      "d'accord : sans son accord, pas d'orientation.")})


class AcceptForm(DsfrBaseForm):
    comment = forms.CharField(label=_("Message pour le référent"), required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Par exemple : la date du premier rendez-vous."))


class RefuseForm(DsfrBaseForm):
    reason = forms.ChoiceField(label=_("Motif du refus"),
                               choices=[("", _("Choisissez un motif")), *RefusalReason.choices])
    comment = forms.CharField(label=_("Précisions"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Obligatoire pour « Autre raison »."))


class MessageForm(DsfrBaseForm):
    message = forms.CharField(label=_("Votre message"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(DsfrBaseForm):
    comment = forms.CharField(label=_("Pourquoi annuler ?"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("Fichier data·inclusion"),
        help_text=_("JSON (liste d'enregistrements, ou objet avec « structures » et "
                    "« services ») ou CSV (une ligne par enregistrement). 100 Mo au plus."))


# --- an organisation's own offer -------------------------------------------------------

_CODES_RE = re.compile(r"[\s,;]+")


class ListField(forms.CharField):
    """Codes typed separated by spaces or commas (zone d'éligibilité)."""

    def to_python(self, value):
        text = super().to_python(value)
        return [code for code in _CODES_RE.split(text) if code]

    def prepare_value(self, value):
        return " ".join(value) if isinstance(value, list) else value


def _formfield(field, **kwargs):
    """Links typed without a scheme are read as https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


STRUCTURE_FORM_FIELDS = ["nom", "description", "siret", "adresse", "complement_adresse",
                         "code_postal", "commune", "telephone", "courriel", "site_web",
                         "horaires_accueil", "accessibilite_lieu"]


class StructureForm(DsfrModelForm):
    class Meta:
        model = Structure
        fields = STRUCTURE_FORM_FIELDS
        formfield_callback = _formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "horaires_accueil": _("Au format OpenStreetMap, par exemple : Mo-Fr 09:00-12:00"),
            "accessibilite_lieu": _("Lien vers la fiche Acceslibre du lieu."),
            "commune": _("Le code postal suffit s'il ne sert qu'une commune."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].max_length = 150


SERVICE_FORM_FIELDS = [
    "structure", "nom", "description", "type", "thematiques", "publics", "publics_precisions",
    "conditions_acces", "frais", "frais_precisions", "modes_accueil", "adresse",
    "complement_adresse", "code_postal", "commune", "zone_eligibilite", "telephone", "courriel",
    "contact_nom_prenom", "horaires_accueil", "modes_mobilisation", "mobilisable_par",
    "lien_mobilisation", "mobilisation_precisions", "volume_horaire_hebdomadaire",
    "nombre_semaines",
]


class ServiceForm(DsfrModelForm):
    """A service of the organisation. The lists are the data·inclusion vocabularies; the
    data·inclusion model checks the whole record when it is saved."""

    structure = forms.ModelChoiceField(label=_("Structure"), queryset=Structure.objects.none(),
                                       empty_label=None)
    thematiques = forms.MultipleChoiceField(
        label=_("Thématiques"), widget=forms.CheckboxSelectMultiple,
        choices=[(slug, label) for _c, _l, items in thematiques_by_categorie()
                 for slug, label in items],
        help_text=_("Les besoins auxquels le service répond."))
    publics = forms.MultipleChoiceField(
        label=_("Publics"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=PUBLIC_CHOICES,
        help_text=_("« Tous publics » seul, ou les publics visés."))
    modes_accueil = forms.MultipleChoiceField(label=_("Modes d'accueil"), required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              choices=MODE_ACCUEIL_CHOICES)
    modes_mobilisation = forms.MultipleChoiceField(
        label=_("Comment mobiliser le service"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=MODE_MOBILISATION_CHOICES)
    mobilisable_par = forms.MultipleChoiceField(
        label=_("Qui peut le mobiliser"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=MOBILISABLE_PAR_CHOICES)
    zone_eligibilite = ListField(
        label=_("Zone d'éligibilité"), required=False,
        help_text=_("Codes INSEE de communes, départements (ex. 29) ou « france », séparés "
                    "par des espaces."))

    class Meta:
        model = Service
        fields = [f for f in SERVICE_FORM_FIELDS if f != "structure"]
        formfield_callback = _formfield
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "publics_precisions": forms.Textarea(attrs={"rows": 2}),
            "conditions_acces": forms.Textarea(attrs={"rows": 2}),
            "frais_precisions": forms.Textarea(attrs={"rows": 2}),
            "mobilisation_precisions": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"description": _("Des phrases courtes et des mots simples.")}

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures if structures is not None else (
            Structure.objects.none())
        if self.instance.pk:
            self.fields["structure"].initial = self.instance.structure_id
        self.order_fields(SERVICE_FORM_FIELDS)

    def thematique_groups(self):
        """The thématiques checkboxes, grouped by category (one fieldset each)."""
        boxes = list(self["thematiques"])
        return [(CATEGORIES[slug], list(group))
                for slug, group in groupby(boxes, key=lambda b: categorie_of(b.data["value"]))]

    def schema_data(self) -> dict:
        """The data·inclusion fields typed (the structure apart)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "structure"}
        return data

