from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from passeport.rupture.enums import AlertStatus


class AlertHandleForm(forms.Form):
    status = forms.ChoiceField(choices=[(AlertStatus.ACKNOWLEDGED, _("Prise en compte")),
                                        (AlertStatus.RESOLVED, _("Résolue"))])
    note = forms.CharField(label=_("Ce que vous avez fait (facultatif)"), max_length=250,
                           required=False)


class PreferenceForm(forms.Form):
    digest = forms.BooleanField(label=_("Recevoir chaque jour un e-mail des nouvelles alertes"),
                                required=False)
