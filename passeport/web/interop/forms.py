from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from passeport.interop.enums import WebhookEvent
from passeport.web.pro.forms import PageForm


class SubscriptionForm(PageForm):
    id_prefix = "webhook"

    name = forms.CharField(label=_("Nom de l'abonnement"), max_length=120,
                           help_text=_("Par exemple le nom du logiciel qui reçoit les événements."))
    url = forms.CharField(label=_("Adresse de réception"), max_length=500,
                          help_text=_("Une adresse qui commence par https://"))
    events = forms.MultipleChoiceField(label=_("Événements à envoyer"),
                                       choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)
