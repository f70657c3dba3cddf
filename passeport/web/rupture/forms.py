from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from passeport.rupture.enums import AlertStatus
from passeport.rupture.models import OrganisationSettings
from passeport.web.forms import DsfrBaseForm, DsfrModelForm


class AlertHandleForm(forms.Form):
    status = forms.ChoiceField(choices=[(AlertStatus.ACKNOWLEDGED, _("Prise en compte")),
                                        (AlertStatus.RESOLVED, _("Résolue"))])
    note = forms.CharField(label=_("Ce que vous avez fait"), max_length=250,
                           required=False)


class PreferenceForm(forms.Form):
    digest = forms.BooleanField(label=_("Recevoir chaque jour un e-mail des nouvelles alertes"),
                                required=False)


class OrganisationSettingsForm(DsfrModelForm):
    class Meta:
        model = OrganisationSettings
        fields = ["no_contact_days", "reminders_enabled", "appointment_reminder_days",
                  "action_reminder_days", "reminder_hour"]

    def __init__(self, *args, default_no_contact: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no_contact_days"].help_text = _(
            "Entre 7 et 365 jours. Laissez vide pour la valeur du site : %(n)d jours.") % {
            "n": default_no_contact}


class ReminderChoiceForm(DsfrBaseForm):
    by_sms = forms.BooleanField(label=_("Par SMS, sur mon téléphone portable"), required=False)
    by_email = forms.BooleanField(label=_("Par e-mail"), required=False)
