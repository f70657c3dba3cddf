"""Pages of the risk of rupture: the référent's list ordered by priority, a person's
risk view (signals, explanations, next steps, alerts to acknowledge or resolve), the
référent's digest preference, and the person's own signals in plain words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.core.sms import mobile_number
from passeport.rupture.detect import Thresholds
from passeport.rupture.enums import WEIGHTS, SignalKind
from passeport.rupture.models import OrganisationSettings, ReferentPreference, ReminderChoice
from passeport.rupture.reminders import choice_set, noshow_figures
from passeport.rupture.selectors import (
    alert_get_for,
    alert_texts,
    own_signals,
    risk_list,
    risk_view_for,
)
from passeport.rupture.services import (
    SETTINGS_FIELDS,
    alert_handle,
    organisation_settings_set,
    preference_set,
)
from passeport.web.context import actor_for
from passeport.web.decorators import person_required, professional_required

from .forms import AlertHandleForm, OrganisationSettingsForm, PreferenceForm, ReminderChoiceForm


def _weights():
    return [(SignalKind(k).label, w) for k, w in WEIGHTS.items()]


@professional_required
def caseload(request):
    actor = actor_for(request)
    mine = not (actor.sees_whole_caseload and request.GET.get("tous") == "1")
    return render(request, "rupture/caseload.html", {
        "rows": risk_list(actor, mine=mine), "mine": mine, "weights": _weights(),
        "sees_whole_caseload": actor.sees_whole_caseload,
        "noshow": noshow_figures(actor.organisation_id),
    })


@professional_required
def person(request, public_id: str):
    view = risk_view_for(actor_for(request), public_id)
    for alert in view.alerts:
        alert.explanation, alert.next_step = alert_texts(alert)
    return render(request, "rupture/person.html", {"view": view, "person": view.person,
                                                   "form": AlertHandleForm(),
                                                   "weights": _weights()})


@professional_required
@require_POST
def alert_handle_view(request, public_id: str, alert_id: int):
    actor = actor_for(request)
    alert = alert_get_for(actor, alert_id)
    form = AlertHandleForm(request.POST)
    if form.is_valid():
        try:
            alert_handle(actor=actor, alert=alert, status=form.cleaned_data["status"],
                         note=form.cleaned_data["note"])
        except PasseportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("C'est noté dans l'historique du parcours."))
            return redirect("rupture:person", public_id=alert.path.person.public_id)
    else:
        messages.error(request, _("Choisissez « prise en compte » ou « résolue » "
                                  "(commentaire : 250 caractères au plus)."))
    return redirect("rupture:person", public_id=alert.path.person.public_id)


@professional_required
def preferences(request):
    actor = actor_for(request)
    pref = ReferentPreference.objects.filter(membership=actor.membership).first()
    form = PreferenceForm(request.POST or None, initial={"digest": bool(pref and pref.digest)})
    if request.method == "POST" and form.is_valid():
        preference_set(actor=actor, digest=form.cleaned_data["digest"])
        messages.success(request, _("Votre choix est enregistré."))
        return redirect("rupture:preferences")
    return render(request, "rupture/preferences.html", {"form": form})


@professional_required
def organisation_settings(request):
    """The organisation's own no-contact threshold and reminders (managers, admins)."""
    actor = actor_for(request)
    if not actor.sees_whole_caseload:
        raise PermissionDenied
    conf = (OrganisationSettings.objects.filter(organisation_id=actor.organisation_id).first()
            or OrganisationSettings(organisation_id=actor.organisation_id))
    form = OrganisationSettingsForm(request.POST or None, instance=conf,
                                    default_no_contact=Thresholds.from_settings().no_contact_days)
    if request.method == "POST":
        if form.is_valid():
            organisation_settings_set(actor=actor, **{f: form.cleaned_data[f] for f in SETTINGS_FIELDS})
            messages.success(request, _("Les réglages de la structure sont enregistrés."))
            return redirect("rupture:settings")
        return render(request, "rupture/settings.html", {"form": form}, status=400)
    return render(request, "rupture/settings.html", {"form": form})


@person_required
def my_signals(request):
    person = request.person
    choice = ReminderChoice.objects.filter(person=person).first()
    form = ReminderChoiceForm(request.POST or None, initial={
        "by_sms": choice.by_sms if choice else True, "by_email": choice.by_email if choice else True})
    if request.method == "POST" and form.is_valid():
        choice_set(actor=actor_for(request), person=person, by_sms=form.cleaned_data["by_sms"],
                   by_email=form.cleaned_data["by_email"])
        messages.success(request, _("C'est enregistré."))
        return redirect("rupture:me")
    return render(request, "rupture/me.html", {
        "signals": own_signals(person), "form": form,
        "has_mobile": bool(mobile_number(person.phone)), "has_email": bool(person.email)})
