"""Forms of the rights pages: the household situation (with its members and incomes)
and the small one-button forms. They parse what was typed; the rules live in
`passeport.rights.services`, whose errors are put back next to the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.widgets import InlineRadioSelect

from passeport.core.errors import PasseportError
from passeport.rights.enums import (
    DisabilityRate,
    HousingStatus,
    IncomeKind,
    MemberRole,
    ReceivedBenefit,
    Tristate,
)
from passeport.web.forms import DsfrBaseForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


def month_field(label, help_text="") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=MonthInput(),
                           input_formats=["%Y-%m", "%Y-%m-%d", "%m/%Y"], help_text=help_text)


class SituationForm(DsfrBaseForm):
    couple = forms.ChoiceField(label=_("La personne vit-elle en couple ?"),
                               choices=Tristate.choices, required=False, widget=InlineRadioSelect)
    housing_status = forms.ChoiceField(label=_("Où vit la personne ?"),
                                       choices=HousingStatus.choices, required=False)
    rent = forms.DecimalField(label=_("Loyer par mois, sans les charges (en euros)"),
                              required=False, min_value=0, max_digits=8, decimal_places=2,
                              help_text=_("Pour un foyer : la redevance. Laissez vide si vous "
                                          "ne savez pas."))
    commune_insee = forms.CharField(label=_("Code commune INSEE du logement"), required=False,
                                    max_length=5,
                                    help_text=_("5 caractères, par exemple 29019 pour Brest."))
    disability_rate = forms.ChoiceField(label=_("Un handicap est-il reconnu (taux d'incapacité) ?"),
                                        choices=DisabilityRate.choices, required=False,
                                        widget=forms.RadioSelect)
    rsdae = forms.ChoiceField(
        label=_("La CDAPH a-t-elle reconnu une restriction d'accès à l'emploi ?"),
        help_text=_("Seulement pour un taux de 50 à 79 %."),
        choices=Tristate.choices, required=False, widget=InlineRadioSelect)
    student = forms.ChoiceField(label=_("La personne est-elle étudiante ?"),
                                choices=Tristate.choices, required=False, widget=InlineRadioSelect)
    received = forms.MultipleChoiceField(label=_("Aides déjà reçues ce mois-ci"),
                                         choices=ReceivedBenefit.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    incomes_complete = forms.ChoiceField(
        label=_("Tous les revenus des 12 derniers mois sont-ils indiqués ?"),
        help_text=_("Répondez « Oui » aussi quand le foyer n'a eu aucun revenu."),
        choices=Tristate.choices, required=False, widget=InlineRadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune_insee"].widget.attrs.update({"autocomplete": "off",
                                                          "inputmode": "text"})
        self.fields["rent"].widget.attrs.update({"inputmode": "decimal"})


class MemberForm(DsfrBaseForm):
    role = forms.ChoiceField(label=_("Lien avec la personne"), required=False,
                             choices=[("", _("Choisir"))] + list(MemberRole.choices))
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    birth_date = forms.DateField(label=_("Date de naissance"), required=False,
                                 widget=DateInput())

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in ("role", "first_name", "birth_date"))


WHO = [("self", _("La personne")), ("partner", _("Son conjoint ou sa conjointe"))]


class IncomeForm(DsfrBaseForm):
    who = forms.ChoiceField(label=_("Qui reçoit ce revenu ?"), choices=WHO, required=False)
    kind = forms.ChoiceField(label=_("Type de revenu"), required=False,
                             choices=[("", _("Choisir"))] + list(IncomeKind.choices))
    monthly_amount = forms.DecimalField(label=_("Montant net par mois (en euros)"),
                                        required=False, min_value=0, max_digits=9,
                                        decimal_places=2)
    start_month = month_field(_("Depuis (mois)"), _("Vide : depuis longtemps."))
    end_month = month_field(_("Jusqu'à (mois)"), _("Vide : encore maintenant."))
    hours_per_week = forms.IntegerField(label=_("Heures par semaine (salaire)"), required=False,
                                        min_value=1, max_value=80)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["monthly_amount"].widget.attrs.update({"inputmode": "decimal"})

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in ("kind", "monthly_amount",
                                                           "start_month", "end_month"))


MemberFormSet = forms.formset_factory(MemberForm, extra=2, max_num=12, absolute_max=20)
IncomeFormSet = forms.formset_factory(IncomeForm, extra=2, max_num=30, absolute_max=40)


class MonthForm(DsfrBaseForm):
    month = month_field(_("Mois à estimer"), _("Vide : ce mois-ci."))


class ScreeningForm(MonthForm):
    pass


class SituationForms:
    """The situation form and its two formsets, read and written together."""

    def __init__(self, data=None, *, initial: dict | None = None, members=None, incomes=None):
        self.form = SituationForm(data, initial=initial, auto_id="situation-%s")
        self.members = MemberFormSet(data, initial=members, prefix="membres")
        self.incomes = IncomeFormSet(data, initial=incomes, prefix="revenus")
        self._members_used: list[MemberForm] = []
        self._incomes_used: list[IncomeForm] = []

    def is_valid(self) -> bool:
        ok = self.form.is_valid()
        ok = self.members.is_valid() and ok
        ok = self.incomes.is_valid() and ok
        return ok

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors or any(f.errors for f in self.members)
                    or any(f.errors for f in self.incomes)
                    or self.members.non_form_errors() or self.incomes.non_form_errors())

    def data(self) -> dict:
        """The service's input, from the cleaned forms (blank rows are left out)."""
        d = dict(self.form.cleaned_data)
        d["received"] = list(d.get("received") or [])
        members = []
        self._members_used = []
        partner_index = None
        for f in self.members:
            if not f.cleaned_data or f.is_blank():
                continue
            self._members_used.append(f)
            if f.cleaned_data["role"] == "partner" and partner_index is None:
                partner_index = len(members)
            members.append({k: f.cleaned_data.get(k) for k in ("role", "first_name", "birth_date")})
        incomes = []
        self._incomes_used = []
        for f in self.incomes:
            if not f.cleaned_data or f.is_blank():
                continue
            self._incomes_used.append(f)
            c = f.cleaned_data
            if c["who"] == "partner" and partner_index is None:
                f.add_error("who", _("Ajoutez d'abord le conjoint dans « Les personnes du "
                                     "foyer »."))
                raise PasseportError(str(_("Ajoutez d'abord le conjoint.")), code="no_partner",
                                     field="__handled__")
            incomes.append({
                "member": partner_index if c["who"] == "partner" else None,
                "kind": c.get("kind") or "", "monthly_amount": c.get("monthly_amount"),
                "start_month": c.get("start_month"), "end_month": c.get("end_month"),
                "hours_per_week": c.get("hours_per_week"),
            })
        d["members"] = members
        d["incomes"] = incomes
        return d

    def add_service_error(self, error: PasseportError) -> None:
        """Put a service error next to its field, in the right row of a formset (each of
        them when the service reports several at once)."""
        for each in getattr(error, "errors", None) or [error]:
            self._add_one_service_error(each)

    def _add_one_service_error(self, error: PasseportError) -> None:
        field = error.field or ""
        if field == "__handled__":
            return
        parts = field.split(".")
        if parts[0] in ("members", "incomes") and len(parts) == 3 and parts[1].isdigit():
            used = self._members_used if parts[0] == "members" else self._incomes_used
            i, name = int(parts[1]), parts[2]
            if i < len(used) and name in used[i].fields:
                used[i].add_error(name, error.message)
                return
        if field in self.form.fields:
            self.form.add_error(field, error.message)
        else:
            self.form.add_error(None, error.message)


# --- The person's own situation ("Ma situation"): one topic per screen, plain words ----

class BigRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as large boxes (DSFR rich radios, without picture): large
    targets on a phone."""

    option_template_name = "dsfr/widgets/rich_radio_option.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["html_label"] = label
        return option


YES_NO = [("yes", _("Oui, je vis en couple")), ("no", _("Non, je vis seul ou seule"))]

HOUSING_PLAIN = [
    ("tenant", _("Je loue un logement vide")),
    ("furnished", _("Je loue un logement meublé")),
    ("social_tenant", _("Je loue un logement social (HLM)")),
    ("shelter", _("Je vis dans un foyer ou une résidence sociale")),
    ("hosted", _("Je suis hébergé ou hébergée gratuitement (famille, amis)")),
    ("owner", _("Je suis propriétaire")),
    ("homeless", _("Je n'ai pas de logement")),
    ("other", _("Autre situation")),
]
PAYS_RENT = {"tenant", "furnished", "social_tenant", "shelter"}

# The kinds of resources, in plain words, by group (codes of IncomeKind). The benefits
# paid to the family are asked once, on the person's side.
RESOURCE_GROUPS = [
    (_("Le travail"), [("salary", _("Salaire (ce qui arrive sur le compte)")),
                       ("self_employed", _("Revenu d'indépendant ou d'auto-entrepreneur"))]),
    (_("Le chômage"), [("unemployment", _("Allocation chômage de France Travail (ARE)")),
                       ("ass", _("Allocation de solidarité spécifique (ASS)"))]),
    (_("La santé et la retraite"), [("sickness", _("Indemnités d'arrêt maladie")),
                                    ("pension", _("Retraite")),
                                    ("invalidity", _("Pension d'invalidité")),
                                    ("aah", _("Allocation aux adultes handicapés (AAH)"))]),
    (_("Les aides de la CAF ou de la MSA"), [
        ("rsa", _("RSA")), ("ppa", _("Prime d'activité")),
        ("al", _("Aide au logement (APL, ALS ou ALF)")), ("af", _("Allocations familiales")),
        ("cf", _("Complément familial")), ("asf", _("Allocation de soutien familial (ASF)"))]),
    (_("Autre"), [("alimony", _("Pension alimentaire reçue"))]),
]
FAMILY_KINDS = {"rsa", "ppa", "al", "af", "cf", "asf", "alimony"}
COMPLETE = [("yes", _("Oui, c'est tout (ou nous n'avons aucune ressource)")),
            ("unsure", _("Je ne suis pas sûr ou sûre"))]


def amount_field(label) -> forms.DecimalField:
    field = forms.DecimalField(
        # No max_digits: max_value alone refuses a huge amount, with one message, not two.
        label=label, required=False, min_value=0, max_value=100000, decimal_places=2,
        error_messages={"invalid": _("Écrivez un montant en euros, par exemple 450 ou 450,50."),
                        "min_value": _("Le montant ne peut pas être négatif."),
                        "max_value": _("Ce montant paraît trop élevé : vérifiez-le."),
                        "max_decimal_places": _("Deux chiffres après la virgule au plus.")})
    field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
    field.localize = True
    field.widget.is_localized = True
    return field


class MyHouseholdForm(DsfrBaseForm):
    couple = forms.ChoiceField(label=_("Vivez-vous en couple ?"), choices=YES_NO,
                               widget=BigRadioSelect,
                               error_messages={"required": _("Répondez oui ou non.")})
    partner_birth_date = forms.DateField(
        label=_("Date de naissance de votre conjoint ou conjointe"), required=False,
        help_text=_("Seulement si vous vivez en couple."), widget=DateInput(),
        error_messages={"invalid": _("Écrivez la date comme ceci : 31/12/1990.")})

    student = forms.ChoiceField(
        label=_("Faites-vous des études ?"), required=False, widget=BigRadioSelect,
        choices=[("no", _("Non")), ("yes", _("Oui, je suis étudiant ou étudiante"))])
    disability_rate = forms.ChoiceField(
        label=_("Avez-vous un handicap reconnu par la MDPH ?"), required=False, widget=BigRadioSelect,
        help_text=_("Le taux est écrit sur la notification de la MDPH. Vous ne savez pas ? Laissez vide."),
        choices=[("none", _("Non, ou moins de 50 %")), ("50", _("Oui, de 50 à 79 %")),
                 ("80", _("Oui, 80 % ou plus"))])

    def clean(self):
        data = super().clean()
        if data.get("couple") == "yes" and not data.get("partner_birth_date") \
                and "partner_birth_date" not in self.errors:
            self.add_error("partner_birth_date",
                           _("Indiquez la date de naissance de votre conjoint ou conjointe."))
        if data.get("couple") == "no":
            data["partner_birth_date"] = None
        return data


class MyChildForm(DsfrBaseForm):
    first_name = forms.CharField(label=_("Prénom"), required=False,
                                 max_length=100)
    birth_date = forms.DateField(
        label=_("Date de naissance"), required=False, widget=DateInput(),
        error_messages={"invalid": _("Écrivez la date comme ceci : 31/12/2015.")})

    def clean(self):
        data = super().clean()
        if data.get("first_name") and not data.get("birth_date") \
                and "birth_date" not in self.errors:
            self.add_error("birth_date", _("Indiquez la date de naissance de cet enfant."))
        return data

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("first_name") or self.cleaned_data.get("birth_date"))


def child_formset(data=None, initial=None):
    """The children, one row each, and one empty row to add another (the button « Ajouter
    un enfant » adds a row without JavaScript)."""
    rows = len(initial or [])
    formset = forms.formset_factory(MyChildForm, extra=1 if rows else 2, max_num=12,
                                    absolute_max=20)
    return formset(data, initial=initial, prefix="enfants")


class MyHousingForm(DsfrBaseForm):
    housing_status = forms.ChoiceField(label=_("Où habitez-vous ?"), choices=HOUSING_PLAIN,
                                       widget=BigRadioSelect,
                                       error_messages={"required": _("Choisissez une réponse.")})
    rent = amount_field(_("Votre loyer par mois, sans les charges (en euros)"))
    commune = forms.CharField(label=_("Votre commune ou votre code postal"), required=False,
                              max_length=80, help_text=_("Par exemple : Brest, ou 29200."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rent"].help_text = _("Seulement si vous payez un loyer, ou une redevance "
                                          "en foyer. Regardez votre quittance de loyer.")
        self.fields["commune"].widget.attrs.update({"autocomplete": "address-level2"})

    def clean(self):
        data = super().clean()
        if data.get("rent") is not None and data.get("housing_status") \
                and data["housing_status"] not in PAYS_RENT:
            self.add_error("rent", _("Vous avez écrit un loyer, mais vous ne louez pas votre "
                                     "logement : effacez le loyer, ou changez votre réponse."))
        return data


class MyResourcesForm(DsfrBaseForm):
    """One amount per kind of resource, for the person and, when they live in a couple,
    for their partner. Empty: nothing of this kind."""

    complete = forms.ChoiceField(
        label=_("Avez-vous écrit toutes les ressources du foyer ?"), choices=COMPLETE,
        widget=BigRadioSelect, error_messages={"required": _("Choisissez une réponse.")})

    def __init__(self, *args, with_partner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        complete = self.fields.pop("complete")
        self.groups = []
        for who in ("self", "partner") if with_partner else ("self",):
            for title, kinds in RESOURCE_GROUPS:
                names = []
                for kind, label in kinds:
                    if who == "partner" and kind in FAMILY_KINDS:
                        continue
                    name = f"{who}_{kind}"
                    self.fields[name] = amount_field(label)
                    names.append(name)
                if names:
                    self.groups.append({"who": who, "title": title, "names": names})
        self.fields["complete"] = complete

    def group_fields(self, who: str) -> list[dict]:
        return [{"title": g["title"], "fields": [self[n] for n in g["names"]]}
                for g in self.groups if g["who"] == who]

    def resources(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for name, value in self.cleaned_data.items():
            if "_" in name and name.split("_", 1)[0] in ("self", "partner"):
                who, kind = name.split("_", 1)
                out.setdefault(who, {})[kind] = value
        return out
