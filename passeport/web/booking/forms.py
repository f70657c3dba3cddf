"""Forms of the booking invitations. They parse what was typed; the rules (2 to 10
slots, none in the past, none overlapping, the deadline) live in
`passeport.paths.booking_services`, whose errors are shown next to the right slot. The
rules of each field are checked with the form, so that every field in error shows at
once; the first two slots are required, the others optional."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from passeport.paths.booking_services import (
    MAX_SLOTS,
    MIN_SLOTS,
    SlotIn,
    answer_by_errors,
    slot_errors,
)
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

    def clean(self):
        data = super().clean()
        if data.get("answer_by"):
            for error in answer_by_errors(data["answer_by"]):
                self.add_error("answer_by", error.message)
        return data


class SlotForm(DsfrBaseForm):
    day = forms.DateField(label=_("Jour"), required=False, widget=DateInput)
    time = forms.TimeField(label=_("Heure"), required=False, widget=TimeInput)
    duration = forms.IntegerField(label=_("Durée (minutes)"), required=False, min_value=10,
                                  max_value=240, initial=45)
    mode = forms.ChoiceField(label=_("Comment"), choices=BookingMode.choices,
                             initial=BookingMode.ON_SITE)
    place = forms.CharField(label=_("Lieu ou précision"), max_length=200, required=False,
                            help_text=_("L'adresse, pour un rendez-vous sur place ; ou « nous "
                                        "vous appelons » ; ou « le lien de visio vous sera "
                                        "envoyé »."))

    MISSING = {"day": _("Indiquez le jour de ce créneau."),
               "time": _("Indiquez l'heure de ce créneau."),
               "duration": _("Indiquez la durée en minutes.")}

    def __init__(self, *args, index: int | None = None, required_row: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.index = index
        self.required_row = required_row
        for name, message in self.MISSING.items():
            self.fields[name].error_messages["required"] = message
            self.fields[name].required = required_row

    def clean(self):
        data = super().clean()
        day, time = data.get("day"), data.get("time")
        if day or time or "day" in self.errors or "time" in self.errors:  # the row is used
            for name in ("day", "time", "duration"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, self.MISSING[name])
        if day and time and self.index is not None:
            slot = SlotIn(starts_at=timezone.make_aware(datetime.combine(day, time)),
                          duration_minutes=data.get("duration") or 45, mode=data.get("mode") or "",
                          place=data.get("place") or "")
            for error in slot_errors(slot, self.index):
                field = error.slot_field if error.slot_field in self.fields else None
                if field not in self.errors:
                    self.add_error(field, error.message)
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("day") and self.cleaned_data.get("time"))

    def slot(self) -> SlotIn:
        d = self.cleaned_data
        return SlotIn(starts_at=timezone.make_aware(datetime.combine(d["day"], d["time"])),
                      duration_minutes=d["duration"], mode=d["mode"], place=d["place"] or "")


class BaseSlotFormSet(forms.BaseFormSet):
    """The first MIN_SLOTS rows are required (marked so, `required` attribute), the others
    optional: an empty one is left out."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["index"] = index
            if index < MIN_SLOTS:
                kwargs.update(required_row=True, empty_permitted=False, use_required_attribute=True)
        return kwargs


SlotFormSet = forms.formset_factory(SlotForm, formset=BaseSlotFormSet, extra=0, max_num=MAX_SLOTS,
                                    absolute_max=MAX_SLOTS, validate_max=True)


class DeclineForm(DsfrBaseForm):
    message = forms.CharField(
        label=_("Votre message"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Par exemple : les jours et les heures où vous êtes libre."))
