"""Forms of the safe's pages. The files themselves are sealed by the upload handler
while they arrive; the forms only see their name and size, and the services say what is
wrong with them (shown next to the file field)."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.vault.enums import DocumentCategory
from passeport.web.forms import DsfrBaseForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _FileFields(forms.Form):
    """A photo taken with the phone's camera, or a file (photo or PDF): one of the two."""

    photo = forms.FileField(label=_("Prendre une photo"), required=False)
    file = forms.FileField(label=_("Ou choisir un fichier"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)

    @property
    def upload(self):
        """The sealed upload sent (photo or file), or None."""
        for name in ("photo", "file"):
            value = self.files.get(name)
            if value is not None and getattr(value, "sealed", None) is not None:
                return value.sealed
        return None

    def max_mb(self) -> int:
        return settings.PASSEPORT_VAULT_MAX_UPLOAD_MB


class DocumentForm(DsfrBaseForm):
    category = forms.ChoiceField(label=_("Catégorie"),
                                 choices=[("", _("Choisir"))] + list(DocumentCategory.choices))
    title = forms.CharField(label=_("Nom du document"), max_length=200,
                            help_text=_("Par exemple : carte d'identité, attestation CAF."))
    issued_on = forms.DateField(label=_("Date de délivrance"), required=False, widget=DATE)
    expires_on = forms.DateField(
        label=_("Date de fin de validité"), required=False, widget=DATE,
        help_text=_("Nous vous prévenons par e-mail avant cette date."))

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and issued > timezone.localdate():
            self.add_error("issued_on", _("La date de délivrance est dans le futur."))
        if issued and expires and expires < issued:
            self.add_error("expires_on",
                           _("La date de fin de validité est avant la date de délivrance."))
        return data


class DocumentUploadForm(_FileFields, DocumentForm):
    field_order = ["photo", "file", "category", "title", "issued_on", "expires_on"]


class VersionUploadForm(_FileFields, DsfrBaseForm):
    pass


class ShareForm(DsfrBaseForm):
    organisation = forms.ModelChoiceField(label=_("Avec quelle structure ?"), queryset=None,
                                          empty_label=_("Choisir"))
    expires_on = forms.DateField(label=_("Jusqu'au"), widget=DATE,
                                 help_text=_("Après cette date, la structure ne le voit plus."))

    def __init__(self, *args, organisations=None, with_category: bool = False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "expires_on",
            timezone.localdate() + dt.timedelta(days=settings.PASSEPORT_VAULT_SHARE_DAYS))
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if with_category:
            self.fields["category"] = forms.ChoiceField(
                label=_("Quelle catégorie ?"),
                choices=[("", _("Choisir"))] + list(DocumentCategory.choices),
                help_text=_("La structure voit tous vos documents de cette catégorie, "
                            "même ceux que vous ajouterez plus tard."))
            self.order_fields(["category", "organisation", "expires_on"])

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("Cette date est passée."))
        return value


class ImportForm(DsfrBaseForm):
    archive = forms.FileField(label=_("Archive ZIP de vos documents"),
                              help_text=_("Le fichier téléchargé avec « Tout télécharger »."))
