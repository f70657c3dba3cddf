"""Forms of the jobs pages (DSFR). They parse input only; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.widgets import InlineRadioSelect

from passeport.core.enums import OrganisationKind
from passeport.core.models import Organisation
from passeport.directory.selectors import commune_resolve
from passeport.jobs.enums import (
    Behaviour,
    Constraint,
    ContractType,
    InclusiveKind,
    OfferKind,
    RefusalReason,
    TransportMode,
)
from passeport.jobs.models import RomeAppellation
from passeport.jobs.selectors import appellations_search
from passeport.people.enums import ConsentMethod
from passeport.skills.enums import LEVELS
from passeport.web.forms import DsfrBaseForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


APPELLATION_HELP = _("Tapez quelques lettres, puis choisissez dans la liste.")


def appellation_field(label, required=True, help_text=APPELLATION_HELP):
    return forms.CharField(label=label, required=required, max_length=250, help_text=help_text,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "list": "appellations-suggestions"}))


def resolve_appellation(text: str) -> RomeAppellation | None:
    """The appellation chosen in the list (exact label), or the only one matching."""
    text = (text or "").strip()
    if not text:
        return None
    exact = RomeAppellation.objects.select_related("fiche").filter(label=text).first()
    if exact:
        return exact
    found = appellations_search(text, limit=2)
    return found[0] if len(found) == 1 else None


class AppellationMixin:
    appellation_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.appellation_fields:
            text = data.get(name)
            if text:
                found = resolve_appellation(text)
                if found is None:
                    self.add_error(name, _("Métier introuvable : choisissez-le dans la liste proposée."))
                data[name] = found
        return data


class CommuneMixin:
    commune_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.commune_fields:
            text = data.get(name)
            if text:
                found = commune_resolve(text)
                if found is None:
                    self.add_error(name, _("Commune introuvable : tapez son nom ou son code postal."))
                data[name] = found
        return data


class OfferForm(AppellationMixin, CommuneMixin, DsfrBaseForm):
    appellation_fields = ("appellation",)
    commune_fields = ("commune",)

    kind = forms.ChoiceField(label=_("Type d'offre"), choices=OfferKind.choices, widget=InlineRadioSelect,
                             initial=OfferKind.JOB)
    appellation = appellation_field(_("Métier (appellation du ROME)"))
    title = forms.CharField(label=_("Intitulé affiché"), required=False, max_length=250,
                            help_text=_("Par défaut, le métier choisi."))
    description = forms.CharField(label=_("Description du poste"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    contract_type = forms.ChoiceField(label=_("Contrat"), choices=[("", _("Choisissez")), *ContractType.choices])
    hours_per_week = forms.IntegerField(label=_("Heures par semaine"), min_value=1, max_value=48)
    positions = forms.IntegerField(label=_("Postes ouverts"), min_value=1, max_value=999, initial=1)
    commune = forms.CharField(label=_("Commune du lieu de travail"), max_length=80,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "list": "communes-suggestions"}))
    starts_on = forms.DateField(label=_("Début"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), required=False, widget=DATE)
    constraints = forms.MultipleChoiceField(label=_("Contraintes du poste"), required=False,
                                            choices=Constraint.choices, widget=forms.CheckboxSelectMultiple)


class OfferSkillsForm(DsfrBaseForm):
    required = forms.MultipleChoiceField(label=_("Compétences requises"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    wished = forms.MultipleChoiceField(label=_("Compétences souhaitées"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(s.code_ogr), s.label) for s in skills]
        self.fields["required"].choices = choices
        self.fields["wished"].choices = choices


class ProfileForm(AppellationMixin, CommuneMixin, DsfrBaseForm):
    appellation_fields = ("target", "experience")
    commune_fields = ("commune",)

    target = appellation_field(_("Métier recherché"), required=False)
    experience = appellation_field(_("Métier déjà exercé"), required=False, help_text="")
    career_change = forms.BooleanField(label=_("Souhaite changer de métier (reconversion)"), required=False)
    commune = forms.CharField(label=_("Commune de départ"), max_length=80, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "list": "communes-suggestions"}))
    max_distance_km = forms.IntegerField(label=_("Distance maximale (km)"), min_value=1, max_value=200)
    max_travel_minutes = forms.IntegerField(label=_("Temps de trajet maximal (minutes)"), required=False,
                                            min_value=5, max_value=180)
    transport_mode = forms.ChoiceField(label=_("Moyen de transport"), choices=TransportMode.choices)
    has_driving_licence = forms.BooleanField(label=_("Permis B"), required=False)
    has_vehicle = forms.BooleanField(label=_("Véhicule personnel"), required=False)
    max_hours_per_week = forms.IntegerField(label=_("Heures par semaine au plus"), min_value=1, max_value=48)
    childcare_constraint = forms.BooleanField(
        label=_("Garde d'enfants : seulement en journée, en semaine"), required=False)
    night_work_ok = forms.BooleanField(label=_("Accepte le travail de nuit"), required=False)
    weekend_work_ok = forms.BooleanField(label=_("Accepte le travail le week-end"), required=False)
    skills = forms.MultipleChoiceField(label=_("Compétences acquises (déclarées)"), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(str(s.code_ogr), s.label) for s in skills]


class ProposeForm(DsfrBaseForm):
    message = forms.CharField(label=_("Message à l'employeur"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    consent_method = forms.ChoiceField(
        label=_("Comment la personne a donné son accord"), widget=InlineRadioSelect,
        choices=[(m.value, m.label) for m in (ConsentMethod.ORAL, ConsentMethod.WRITTEN)],
        initial=ConsentMethod.ORAL)
    person_agreed = forms.BooleanField(
        label=_("La personne est d'accord pour cette candidature et pour que l'employeur voie son profil emploi."),
        required=False)


class AnswerForm(DsfrBaseForm):
    status = forms.ChoiceField(label=_("Votre réponse"), widget=InlineRadioSelect, choices=[
        ("interview", _("Entretien")), ("hired", _("Embauche")), ("refused", _("Refus"))])
    interview_on = forms.DateField(label=_("Date de l'entretien"), required=False, widget=DATE)
    refusal_reason = forms.ChoiceField(label=_("Motif du refus"), required=False,
                                       choices=[("", _("Choisissez un motif")), *RefusalReason.choices])
    comment = forms.CharField(label=_("Commentaire"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ImmersionForm(AppellationMixin, DsfrBaseForm):
    appellation_fields = ("appellation",)

    employer = forms.ModelChoiceField(label=_("Employeur d'accueil"), queryset=Organisation.objects.none())
    appellation = appellation_field(_("Métier découvert"))
    tutor_name = forms.CharField(label=_("Tuteur ou tutrice"), max_length=150)
    starts_on = forms.DateField(label=_("Début"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE, help_text=_("Un mois au plus."))
    objectives = forms.CharField(label=_("Objectifs"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Organisation.objects.filter(
            kind__in=[OrganisationKind.EMPLOYER, *OrganisationKind.siae()]).order_by("name")


class AssessmentForm(DsfrBaseForm):
    """The host employer's assessment: a level for each skill of the job that was seen
    (savoir-faire, then savoir-être; left on « Non observé » otherwise)."""

    behaviour = forms.TypedChoiceField(label=_("Savoir-être"), coerce=int, choices=Behaviour.choices,
                                       widget=InlineRadioSelect)
    led_to_job = forms.TypedChoiceField(label=_("L'immersion débouche-t-elle sur une embauche ?"),
                                        coerce=lambda v: v == "yes", widget=InlineRadioSelect,
                                        choices=[("yes", _("Oui")), ("no", _("Non"))])
    comment = forms.CharField(label=_("Appréciation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, skills=(), core=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Non observé")), *((str(n), f"{n} – {label}") for n, label in LEVELS.items())]
        self.level_fields: dict[str, list[str]] = {"sf": [], "se": []}
        for s in sorted(skills, key=lambda s: (s.code_ogr not in core, s.label)):
            name = f"level_{s.code_ogr}"
            label = f"{s.label} ({_('cœur de métier')})" if s.code_ogr in core else s.label
            self.fields[name] = forms.TypedChoiceField(label=label, choices=choices, required=False,
                                                       coerce=int, empty_value=None)
            self.level_fields["se" if s.kind == "se" else "sf"].append(name)
        for name in [n for group in self.level_fields.values() for n in group]:
            self.fields[name].widget.attrs["class"] = "fr-select"

    def skill_levels(self) -> dict[int, int]:
        return {int(name.removeprefix("level_")): level for name, level in self.cleaned_data.items()
                if name.startswith("level_") and level}

    def groups(self):
        """(legend, bound fields) for the template, savoir-faire first."""
        titles = {"sf": _("Savoir-faire du métier"), "se": _("Savoir-être professionnels")}
        return [(titles[k], [self[n] for n in names]) for k, names in self.level_fields.items() if names]


class EmployerForm(CommuneMixin, DsfrBaseForm):
    commune_fields = ("commune",)

    inclusive_kind = forms.ChoiceField(label=_("Employeur inclusif"), required=False,
                                       choices=InclusiveKind.choices,
                                       help_text=_("Les SIAE sont reconnues d'office."))
    commune = forms.CharField(label=_("Commune"), max_length=80, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "list": "communes-suggestions"}))
    description = forms.CharField(label=_("Présentation"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du contact"), max_length=150)
    role = forms.CharField(label=_("Fonction"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=20, required=False)
