"""Forms of the ESF+ pages (input parsing only: the rules are in passeport.reporting)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from passeport.reporting.enums import FollowUpStatus
from passeport.reporting.models import Operation, Participation
from passeport.reporting.services import operation_input_errors
from passeport.web.forms import DsfrBaseForm, DsfrModelForm
from passeport.web.pro.forms import DateInput

YES_NO = [("", _("Non renseigné")), ("true", _("Oui")), ("false", _("Non"))]


def _tristate(label):
    return forms.TypedChoiceField(label=label, choices=YES_NO, required=False,
                                  coerce=lambda v: v == "true", empty_value=None)


class ServiceValidatedModelForm(DsfrModelForm):
    """Parses input only: the rules (and the database constraints) are checked by the
    service, whose error is shown next to its field. The instance only gives the initial
    values: it is left as it was read (the page still shows the saved values, e.g. in its
    title, when what was typed is refused), and the service applies `cleaned_data`."""

    def _post_clean(self):
        pass


class OperationForm(ServiceValidatedModelForm):
    class Meta:
        model = Operation
        fields = ["code", "title", "programme", "specific_objective", "starts_on", "ends_on", "territory"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    def __init__(self, *args, organisation_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def clean(self):
        data = super().clean()
        # The service's rules on the fields themselves, with the other errors of the form:
        # every field in error is shown at once, not one after the other.
        for error in operation_input_errors(data, organisation_id=self.organisation_id,
                                            operation_pk=self.instance.pk):
            if error.field not in self.errors:
                self.add_error(error.field, error.message)
        return data


class EnrolForm(DsfrBaseForm):
    public_id = forms.CharField(label=_("Identifiant du passeport"), max_length=14,
                                help_text=_("Format XXXX-XXXX-XXXX, sur la page du passeport."))


class ParticipationForm(ServiceValidatedModelForm):
    exit_job_searching = _tristate(_("En recherche d'emploi à la sortie"))
    exit_education = _tristate(_("En études ou en formation à la sortie"))
    exit_qualification = _tristate(_("A obtenu une qualification à la sortie"))
    exit_employed = _tristate(_("En emploi (y compris indépendant) à la sortie"))

    class Meta:
        model = Participation
        fields = ["entry_on", "exit_on", "gender", "birth_date", "entry_status", "unemployed_since",
                  "education_level", "disability", "third_country_national", "foreign_background", "minority",
                  "homeless", "rural", "exit_observed_on", "exit_job_searching", "exit_education",
                  "exit_qualification", "exit_employed"]
        widgets = dict.fromkeys(("entry_on", "exit_on", "birth_date", "unemployed_since", "exit_observed_on"), DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("exit_job_searching", "exit_education", "exit_qualification", "exit_employed"):
            value = getattr(self.instance, name)
            self.initial[name] = "" if value is None else ("true" if value else "false")


class FollowUpForm(DsfrBaseForm):
    followup_status = forms.ChoiceField(label=_("Réponse"), choices=[
        c for c in FollowUpStatus.choices if c[0]])
    six_months_observed_on = forms.DateField(label=_("Date de la réponse"), required=False, widget=DateInput)
    six_months_employed = _tristate(_("En emploi (y compris indépendant)"))
    six_months_improved = _tristate(_("Situation améliorée (contrat plus stable, temps plein, promotion)"))
