"""Forms of the professional pages. They parse and check what was typed; the rules
live in the services, whose errors are shown next to the field (add_service_error)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.utils import dsfr_input_class_attr
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect
from stdnum.fr import nir as stdnum_nir

from passeport.core.enums import Role
from passeport.core.models import validate_insee_code
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    Benefit,
    ContractKind,
    EducationLevel,
    EmploymentStatus,
    EventKind,
    ExitReason,
    FreinTheme,
    HousingStatus,
    ObjectiveStatus,
    PathStatus,
    Severity,
)
from passeport.paths.selectors import CaseloadFilters
from passeport.people.enums import ConsentMethod, ConsentScope, Gender
from passeport.people.models import validate_birth_date
from passeport.people.services import access_request_input_errors
from passeport.web.forms import DsfrBaseForm


def focus_first_error(form) -> None:
    """Put the focus on the first field in error (the error at the top of the form, if
    any, is announced by its role="alert")."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["autofocus"] = ""
            return


class PageForm(DsfrBaseForm):
    """A form of a page that holds several forms: `id_prefix` keeps the ids distinct
    (the field names, sent to the server, do not change)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def member_label(membership, with_organisation: bool = False) -> str:
    name = membership.user.get_full_name() or membership.user.email
    if with_organisation:
        return f"{name} ({membership.organisation.name})"
    return name


class MemberChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, with_organisation: bool = False, **kwargs):
        self.with_organisation = with_organisation
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return member_label(obj, self.with_organisation)


# ---------------------------------------------------------------- caseload


class CaseloadFilterForm(DsfrBaseForm):
    MINE = "miens"
    ALL = "structure"

    q = forms.CharField(
        label=_("Rechercher par nom"), required=False, max_length=100,
        help_text=_("Nom ou prénom, avec ou sans accents, ou numéro de passeport."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    perimetre = forms.ChoiceField(
        label=_("Personnes affichées"), required=False, widget=InlineRadioSelect,
        choices=[(MINE, _("Mes personnes")), (ALL, _("Toute la structure"))],
    )
    statut = forms.ChoiceField(
        label=_("Statut du parcours"), required=False,
        choices=[("", _("En cours ou en pause")), *PathStatus.choices],
    )
    referent = forms.TypedChoiceField(label=_("Référent"), required=False, coerce=int,
                                      empty_value=None)
    frein = forms.ChoiceField(
        label=_("Frein important ou bloquant"), required=False,
        choices=[("", _("Tous les freins")), *FreinTheme.choices],
    )
    en_retard = forms.BooleanField(label=_("Seulement avec une action en retard"),
                                   required=False)

    def __init__(self, data, *, sees_whole_caseload: bool, members=(), default_all: bool = False):
        data = data.copy()
        if data.get("referent"):
            data["perimetre"] = self.ALL  # a référent of the organisation was chosen
        elif not data.get("perimetre"):
            # A manager who follows nobody opens the whole organisation, not an empty list.
            data["perimetre"] = self.ALL if (default_all and sees_whole_caseload) else self.MINE
        super().__init__(data)
        self.sees_whole_caseload = sees_whole_caseload
        if sees_whole_caseload:
            self.fields["referent"].choices = [("", _("Tous les référents"))] + [
                (m.pk, member_label(m)) for m in members
            ]
        else:
            del self.fields["perimetre"]
            del self.fields["referent"]

    def to_filters(self) -> CaseloadFilters:
        """The filters from the valid fields (an invalid field is shown and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        referent_id = data.get("referent") if self.sees_whole_caseload else None
        mine = not self.sees_whole_caseload or (data.get("perimetre") != self.ALL
                                                and not referent_id)
        return CaseloadFilters(
            q=data.get("q") or "", status=data.get("statut") or "", referent_id=referent_id,
            mine=mine, frein=data.get("frein") or "", overdue=bool(data.get("en_retard")),
        )


# ---------------------------------------------------------------- persons


class PersonIdentityForm(DsfrBaseForm):
    """The person's identity, contact and commune (creation and edition)."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last_name = forms.CharField(label=_("Nom d'usage"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    birth_name = forms.CharField(label=_("Nom de naissance"), max_length=100, required=False,
                                 help_text=_("Si la personne portait un autre nom à sa naissance."))
    birth_date = forms.DateField(label=_("Date de naissance"), widget=DateInput,
                                 validators=[validate_birth_date])
    birth_place = forms.CharField(label=_("Lieu de naissance"), max_length=120, required=False,
                                  help_text=_("Commune ou pays."))
    gender = forms.ChoiceField(label=_("Genre"), required=False, choices=Gender.choices,
                               widget=InlineRadioSelect)
    email = forms.EmailField(label=_("Adresse e-mail"), required=False,
                             help_text=_("Format attendu : nom@domaine.fr"))
    phone = forms.CharField(label=_("Téléphone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("Adresse"), max_length=250, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=5, required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    commune_name = forms.CharField(label=_("Commune"), max_length=120, required=False)
    commune_insee = forms.CharField(
        label=_("Code commune INSEE"), max_length=5, required=False,
        validators=[validate_insee_code], help_text=_("5 caractères, par exemple 29019 pour Brest."),
    )
    nir = forms.CharField(
        label=_("Numéro de sécurité sociale (NIR)"), required=False, max_length=30,
        help_text=_("15 chiffres, clé comprise. Facultatif : il sert à éviter les doublons."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    IDENTITY_FIELDS = ("first_name", "last_name", "birth_name", "birth_date", "birth_place",
                       "gender")
    CONTACT_FIELDS = ("email", "phone", "address", "postal_code", "commune_name",
                      "commune_insee")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("Écrivez le numéro avec des chiffres, par exemple 06 12 34 56 78."))
        return phone

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not POSTAL_CODE_RE.match(code):
            raise ValidationError(_("Le code postal a 5 chiffres."))
        return code

    def clean_nir(self):
        nir = stdnum_nir.compact(self.cleaned_data["nir"] or "")
        if nir and not stdnum_nir.is_valid(nir):
            raise ValidationError(_("Ce numéro de sécurité sociale n'est pas valide : vérifiez les "
                                    "13 chiffres et les 2 chiffres de la clé."))
        return nir

    def identity_fields(self):
        return [self[name] for name in self.IDENTITY_FIELDS]

    def contact_fields(self):
        return [self[name] for name in self.CONTACT_FIELDS]

    def person_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in (*self.IDENTITY_FIELDS, *self.CONTACT_FIELDS)}


class PersonEditForm(PersonIdentityForm):
    def __init__(self, *args, nir_masked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if nir_masked:
            self.fields["nir"].help_text = _(
                "Numéro enregistré : %(nir)s. Laissez vide pour le garder.") % {"nir": nir_masked}
            self._bound_fields_cache.pop("nir", None)  # built by DsfrBaseForm with the old text


# The parts of the passport as a professional reads them (the enum's labels speak as the person).
SCOPES_FOR_PROS = [
    (ConsentScope.PATH, _("Son parcours (situation, freins, objectifs, actions, historique)")),
    (ConsentScope.DOCUMENTS, _("Ses documents")),
    (ConsentScope.RIGHTS, _("Ses droits")),
    (ConsentScope.SKILLS, _("Ses compétences et badges")),
    (ConsentScope.JOBS, _("Les offres d'emploi et les employeurs")),
]
assert {v for v, _label in SCOPES_FOR_PROS} == set(ConsentScope.values)


class PersonCreateForm(PersonIdentityForm):
    """Identity, the person's consent to the organisation, and the référent."""

    scopes = forms.MultipleChoiceField(
        label=_("Parties du passeport que la personne ouvre à votre structure"),
        choices=SCOPES_FOR_PROS, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une partie du passeport.")},
    )
    method = forms.ChoiceField(
        label=_("Comment l'accord a été recueilli"), widget=forms.RadioSelect,
        choices=[(v, lbl) for v, lbl in ConsentMethod.choices if v != ConsentMethod.IN_APP],
        error_messages={"required": _("Indiquez comment la personne a donné son accord.")},
    )
    purpose = forms.CharField(label=_("Pour quoi faire"), max_length=250, required=False,
                              help_text=_("Par exemple : accompagnement vers l'emploi."))
    agreed = forms.BooleanField(
        label=_("La personne est d'accord : elle sait ce que contient son passeport, qui peut le "
                "voir, et qu'elle peut retirer son accord à tout moment."),
        error_messages={"required": _("Cochez cette case : sans l'accord de la personne, "
                                      "le passeport ne peut pas être créé.")},
    )
    referent = MemberChoiceField(
        label=_("Référent de parcours"), queryset=None,
        error_messages={"required": _("Choisissez le référent de parcours.")},
    )

    CONSENT_FIELDS = ("scopes", "method", "purpose", "agreed")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = members

    def consent_fields(self):
        return [self[name] for name in self.CONSENT_FIELDS]

    def enrol_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "data": self.person_data(), "nir": data["nir"] or None, "scopes": data["scopes"],
            "consent_method": data["method"], "purpose": data["purpose"],
            "referent": data["referent"],
        }


# ---------------------------------------------------------------- the path


class SituationForm(DsfrBaseForm):
    employment_status = forms.ChoiceField(label=_("Situation face à l'emploi"), required=False,
                                          choices=EmploymentStatus.choices)
    unemployed_since = forms.DateField(label=_("Sans emploi depuis"), required=False,
                                       widget=DateInput)
    education_level = forms.ChoiceField(label=_("Niveau de formation"), required=False,
                                        choices=EducationLevel.choices)
    housing_status = forms.ChoiceField(label=_("Logement"), required=False,
                                       choices=HousingStatus.choices)
    benefits = forms.MultipleChoiceField(label=_("Aides perçues"), required=False,
                                         choices=Benefit.choices,
                                         widget=InlineCheckboxSelectMultiple)

    def clean_unemployed_since(self):
        value = self.cleaned_data["unemployed_since"]
        if value and value > timezone.localdate():
            raise ValidationError(_("Cette date est dans le futur."))
        return value


SEVERITY_CHOICES = [(str(v), f"{v} · {label}") for v, label in Severity.choices]


class DiagnosticForm(DsfrBaseForm):
    """All freins, each with a 0–3 severity and a comment, and the date of the assessment."""

    assessed_on = forms.DateField(label=_("Date du diagnostic"), widget=DateInput)

    def __init__(self, *args, current: dict | None = None, **kwargs):
        current = current or {}
        initial = kwargs.pop("initial", {}) or {}
        initial.setdefault("assessed_on", timezone.localdate())
        for theme, entry in current.items():
            initial[f"severite_{theme}"] = str(entry.severity)
            initial[f"commentaire_{theme}"] = entry.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = []
        for theme, label in FreinTheme.choices:
            empty = [] if theme in current else [("", _("Non évalué"))]
            self.fields[f"severite_{theme}"] = forms.ChoiceField(
                label=label, required=False, choices=[*empty, *SEVERITY_CHOICES])
            self.fields[f"commentaire_{theme}"] = forms.CharField(
                label=_("Commentaire : %(frein)s") % {"frein": label}, required=False,
                max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
            self.rows.append((theme, label))
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def field_rows(self):
        for theme, label in self.rows:
            yield label, self[f"severite_{theme}"], self[f"commentaire_{theme}"]

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("La date du diagnostic est dans le futur."))
        return value

    def clean(self):
        data = super().clean()
        if not any(data.get(f"severite_{t}") not in (None, "") for t, _label in self.rows):
            raise ValidationError(_("Évaluez au moins un frein."))
        return data

    def assessments(self) -> tuple[dict[str, int], dict[str, str]]:
        severities, comments = {}, {}
        for theme, _label in self.rows:
            value = self.cleaned_data.get(f"severite_{theme}")
            if value not in (None, ""):
                severities[theme] = int(value)
                comments[theme] = self.cleaned_data.get(f"commentaire_{theme}", "").strip()
        return severities, comments


class ObjectiveForm(PageForm):
    id_prefix = "objectif"

    title = forms.CharField(label=_("Intitulé de l'objectif"), max_length=200)
    description = forms.CharField(label=_("Précisions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(DsfrBaseForm):
    title = forms.CharField(label=_("Intitulé de l'action"), max_length=200)
    description = forms.CharField(label=_("Précisions"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    objective = forms.ModelChoiceField(label=_("Objectif"), queryset=None, required=False,
                                       empty_label=_("Aucun objectif"))
    theme = forms.ChoiceField(label=_("Frein concerné"), required=False,
                              choices=[("", _("Aucun frein en particulier")), *FreinTheme.choices])
    due_on = forms.DateField(label=_("À faire avant le"), required=False, widget=DateInput)
    assignee = MemberChoiceField(
        label=_("Professionnel chargé de l'action"), queryset=None, required=False,
        with_organisation=True, empty_label=_("Personne en particulier (ma structure)"),
        help_text=_("Un membre d'une structure qui suit ce parcours."),
    )
    for_person = forms.BooleanField(label=_("À faire par la personne elle-même"),
                                    required=False)

    def __init__(self, *args, objectives, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = objectives
        self.fields["assignee"].queryset = members


class ActionStatusForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label=_("Nouveau statut"),
        choices=[(v, lbl) for v, lbl in ActionStatus.choices if v != ActionStatus.PROPOSED])
    outcome = forms.CharField(label=_("Résultat"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ObjectiveStatusForm(DsfrBaseForm):
    status = forms.ChoiceField(
        label=_("Nouveau statut"),
        choices=[(v, lbl) for v, lbl in ObjectiveStatus.choices if v != ObjectiveStatus.PROPOSED])


EVENT_KINDS = [(k, EventKind(k).label) for k in (EventKind.NOTE, EventKind.CONTACT,
                                                 EventKind.APPOINTMENT)]


class EventForm(PageForm):
    id_prefix = "evenement"

    kind = forms.ChoiceField(label=_("Type"), choices=EVENT_KINDS, widget=InlineRadioSelect,
                             initial=EventKind.NOTE)
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(label=_("Texte"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    occurred_at = forms.DateTimeField(label=_("Date et heure"), required=False,
                                      widget=DateTimeInput,
                                      help_text=_("Laissez vide pour maintenant."))
    appointment_outcome = forms.ChoiceField(
        label=_("Résultat du rendez-vous"), required=False,
        choices=[("", _("Pas un rendez-vous")), *AppointmentOutcome.choices],
    )


class AppointmentOutcomeForm(DsfrBaseForm):
    outcome = forms.ChoiceField(label=_("Résultat du rendez-vous"),
                                choices=AppointmentOutcome.choices)


class WorkHoursForm(PageForm):
    id_prefix = "heures"

    hours_per_week = forms.IntegerField(label=_("Heures par semaine"), min_value=1, max_value=35,
                                        help_text=_("De 1 à 35 heures."))
    starts_on = forms.DateField(label=_("À partir du"), widget=DateInput)
    contract = forms.ChoiceField(label=_("Contrat"), choices=ContractKind.choices,
                                 initial=ContractKind.PREMIERES_HEURES)
    employer_name = forms.CharField(label=_("Employeur"), max_length=200, required=False)
    note = forms.CharField(label=_("Commentaire"), max_length=250, required=False)


class ReferentForm(PageForm):
    id_prefix = "referent"

    referent = MemberChoiceField(label=_("Nouveau référent de parcours"), queryset=None,
                                 with_organisation=True)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = members


class PathOpenForm(ReferentForm):
    id_prefix = "ouverture"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].label = _("Référent de parcours")
        self._bound_fields_cache.pop("referent", None)


class PathCloseForm(DsfrBaseForm):
    exit_reason = forms.ChoiceField(label=_("Motif de sortie"),
                                    choices=[("", _("Choisir un motif")), *ExitReason.choices])
    closed_on = forms.DateField(label=_("Date de sortie"), widget=DateInput)

    def clean_closed_on(self):
        value = self.cleaned_data["closed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("La date de sortie est dans le futur."))
        return value


class ConsentWithdrawForm(DsfrBaseForm):
    confirmed = forms.BooleanField(
        label=_("La personne m'a dit qu'elle retire son accord."),
        error_messages={"required": _("Cochez cette case pour confirmer le retrait.")},
    )


class InviteForm(PageForm):
    id_prefix = "invitation"

    email = forms.EmailField(label=_("Adresse e-mail de la personne"),
                             help_text=_("Format attendu : nom@domaine.fr"))


# ---------------------------------------------------------------- access requests


class AccessRequestForm(DsfrBaseForm):
    """Ask a person to open parts of their passport to the organisation."""

    public_id = forms.CharField(
        label=_("Numéro de passeport"), max_length=20,
        help_text=_("La personne vous le donne. 12 caractères, par exemple 7KQ2-M9XD-4HRT."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
        error_messages={"required": _("Indiquez le numéro de passeport.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Parties du passeport que vous demandez à voir"),
        choices=SCOPES_FOR_PROS, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une partie du passeport.")},
    )
    purpose = forms.CharField(
        label=_("Pour quoi faire"), max_length=250,
        help_text=_("La personne lira ce motif avant de répondre. Écrivez-le simplement, "
                    "par exemple : vous accompagner vers un emploi dans la vente."),
        error_messages={"required": _("Dites pour quoi faire vous demandez l'accès.")},
    )
    message = forms.CharField(
        label=_("Message à la personne"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : nous nous sommes vus le 12 mars au forum de l'emploi."),
    )

    def clean(self):
        data = super().clean()
        # The service's rules on each field typed, with the form's own errors: every field
        # in error shows at once (e.g. a wrong number and no purpose).
        typed = {name: data[name] for name in ("public_id", "scopes", "purpose", "message")
                 if name in data}
        for error in access_request_input_errors(**typed):
            if error.field not in self.errors:
                self.add_error(error.field, error.message)
        return data


# ---------------------------------------------------------------- organisation


class MemberAddForm(DsfrBaseForm):
    email = forms.EmailField(label=_("Adresse e-mail"), help_text=_("Elle sert d'identifiant."))
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    job_title = forms.CharField(label=_("Fonction"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, widget=forms.RadioSelect,
                             initial=Role.REFERENT)
    password = forms.CharField(
        label=_("Mot de passe provisoire"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères. À transmettre à la personne, qui le changera. "
                    "Laissez vide si la personne a déjà un compte."),
    )

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class MemberUpdateForm(DsfrBaseForm):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Compte actif dans la structure"), required=False)


class ApiTokenForm(PageForm):
    id_prefix = "jeton"

    name = forms.CharField(label=_("Nom du jeton"), max_length=120,
                           help_text=_("Par exemple le nom du logiciel qui l'utilisera."))
