"""Forms of the booking invitations. They parse what was typed; the rules (2 to 10
slots, none in the past, none overlapping, the deadline) live in
`passeport.paths.booking_services`, whose errors are shown next to the right slot."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.paths.booking_services import MAX_SLOTS, SlotIn
from passeport.paths.enums import BookingMode
from passeport.web.forms import DsfrBaseForm
from passeport.web.pro.forms import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class InviteForm(DsfrBaseForm):
    motive = forms.CharField(
        label=_("Motif du rendez-vous"), max_length=200, required=False,
        help_text=_("En mots simples : la personne le lira. Par exemple : « Faire le point "
                    "sur votre recherche d'emploi ». N'écrivez rien de sensible (santé, "
                    "dettes, justice…)."))
    answer_by = forms.DateField(label=_("Répondre avant le"), widget=DateInput,
                                help_text=_("Après cette date, le lien ne marche plus et "
                                            "l'invitation apparaît « sans réponse »."))


class SlotForm(DsfrBaseForm):
    day = forms.DateField(label=_("Jour"), required=False, widget=DateInput)
    time = forms.TimeField(label=_("Heure"), required=False, widget=TimeInput)
    duration = forms.IntegerField(label=_("Durée (minutes)"), required=False, min_value=10,
                                  max_value=240, initial=45)
    mode = forms.ChoiceField(label=_("Comment"), choices=BookingMode.choices,
                             initial=BookingMode.ON_SITE)
    place = forms.CharField(label=_("Lieu ou précision"), max_length=200, required=False,
                            help_text=_("L'adresse ; ou « nous vous appelons » ; ou « le lien "
                                        "de visio vous sera envoyé »."))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if bool(data.get("day")) != bool(data.get("time")):
            raise forms.ValidationError(_("Indiquez le jour et l'heure de ce créneau."))
        if data.get("day") and not data.get("duration"):
            self.add_error("duration", _("Indiquez la durée en minutes."))
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("day") and self.cleaned_data.get("time"))

    def slot(self) -> SlotIn:
        d = self.cleaned_data
        return SlotIn(starts_at=timezone.make_aware(datetime.combine(d["day"], d["time"])),
                      duration_minutes=d["duration"], mode=d["mode"], place=d["place"] or "")


SlotFormSet = forms.formset_factory(SlotForm, extra=0, max_num=MAX_SLOTS, absolute_max=MAX_SLOTS,
                                    validate_max=True)


class DeclineForm(DsfrBaseForm):
    message = forms.CharField(
        label=_("Votre message"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Par exemple : les jours et les heures où vous êtes libre."))
