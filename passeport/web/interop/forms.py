from __future__ import annotations

import json

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from passeport.interop.enums import WebhookEvent
from passeport.people.enums import ConsentMethod
from passeport.web.forms import DsfrBaseForm
from passeport.web.pro.forms import PageForm

BUNDLE_MAX_BYTES = 2 * 1024 * 1024
BUNDLE_SIGNING_NAMESPACE = "passeport.web.interop.bundle_import"
BUNDLE_TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation


class SubscriptionForm(PageForm):
    id_prefix = "webhook"

    name = forms.CharField(label=_("Nom de l'abonnement"), max_length=120,
                           help_text=_("Par exemple le nom du logiciel qui reçoit les événements."))
    url = forms.CharField(label=_("Adresse de réception"), max_length=500,
                          help_text=_("Une adresse qui commence par https://"))
    events = forms.MultipleChoiceField(label=_("Événements à envoyer"),
                                       choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)


class BundleUploadForm(PageForm):
    """Step 1 of the import page: the file and the consent the organisation attests.
    Parsing only (the file must be JSON, not too big): the bundle's rules are checked by
    passeport.interop (preview, then import)."""

    id_prefix = "import"
    max_bytes = BUNDLE_MAX_BYTES

    file = forms.FileField(
        label=_("Fichier du passeport (JSON)"),
        help_text=_("Le fichier « passeport-XXXX-XXXX-XXXX.json » que la personne a téléchargé "
                    "depuis son espace (« Emporter mon passeport »). 2 Mo au plus."))
    consent_method = forms.ChoiceField(
        label=_("Comment l'accord de la personne a-t-il été recueilli ?"),
        choices=[(m.value, m.label) for m in (ConsentMethod.WRITTEN, ConsentMethod.ORAL,
                                              ConsentMethod.LEGAL)],
        widget=forms.RadioSelect)
    purpose = forms.CharField(
        label=_("Pour quoi faire ?"), max_length=200,
        help_text=_("Par exemple : « Poursuite de l'accompagnement après déménagement »."))
    attested = forms.BooleanField(
        label=_("J'atteste que la personne est d'accord pour que son passeport soit importé "
                "dans notre structure."),
        error_messages={"required": _("Cochez cette case : sans l'accord de la personne, rien "
                                      "n'est importé.")})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("Ce fichier est trop gros (%(mb)s Mo au plus) : importez-le par l'API ou la "
                  "commande « passport_import ».") % {"mb": self.max_bytes // (1024 * 1024)})
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(
                _("Ce fichier n'est pas un fichier JSON lisible : choisissez le fichier "
                  "« .json » du passeport (pas le PDF).")) from None


class BundleConfirmForm(DsfrBaseForm):
    """Step 2: the previewed file and consent come back signed (nothing is stored between
    the preview and the confirmation)."""

    expired = _("L'aperçu a expiré ou n'est pas valide : déposez le fichier à nouveau.")
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": expired})

    def clean_token(self):
        try:
            return signing.loads(self.cleaned_data["token"], salt=BUNDLE_SIGNING_NAMESPACE,
                                 max_age=BUNDLE_TOKEN_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError(self.expired) from None


def bundle_token(data: dict, consent: dict) -> str:
    return signing.dumps({"bundle": data, "consent": consent}, salt=BUNDLE_SIGNING_NAMESPACE,
                         compress=True)
