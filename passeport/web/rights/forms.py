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
        """Put a service error next to its field, in the right row of a formset."""
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
