"""Orientations: the référent orients a person (from the passport or a search result);
the partner's inbox; one orientation with its history and the forms of the actions the
viewer's side may take; the person's own page.

Every orientation URL returns 404 to an organisation that neither sent nor received it
(`orientation_get_for`), whatever the method."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.directory import states
from passeport.directory.enums import (
    REFUSAL_REASON_FOR_PERSON,
    OrientationAction,
    OrientationStatus,
)
from passeport.directory.selectors import (
    orientation_counts,
    orientation_get_for,
    orientations_listed,
    orientations_of_person,
    orientations_of_person_for,
    orientations_received,
    orientations_sent,
    service_get,
)
from passeport.directory.services import (
    orientation_accept,
    orientation_cancel,
    orientation_create,
    orientation_provide_info,
    orientation_refuse,
    orientation_request_info,
)
from passeport.paths.selectors import path_get_for
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.selectors import active_consent
from passeport.web.context import actor_for
from passeport.web.decorators import person_required, professional_required
from passeport.web.forms import add_service_error

from ..forms import AcceptForm, CancelForm, MessageForm, OrientationForm, RefuseForm

PAGE_SIZE = 25


def _add_errors(form, error: PasseportError) -> None:
    """The service's error next to its field, and the others it lists (details)."""
    add_service_error(form, error)
    for other in (error.details or {}).get("errors", [])[1:]:
        field = other.get("field") if other.get("field") in form.fields else None
        form.add_error(field, other.get("message"))


@professional_required
def orientation_create_view(request, public_id: str, service_pk: int):
    actor = actor_for(request)
    person, _path = path_get_for(actor, public_id)
    service = service_get(service_pk, actor)
    form = OrientationForm(request.POST if request.method == "POST" else None,
                           initial={"scopes": [ConsentScope.PATH]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            orientation = orientation_create(
                actor=actor, person=person, service=service, message=d["message"],
                scopes=d["scopes"], consent_method=d["consent_method"],
                person_agreed=d["person_agreed"])
        except PasseportError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Orientation envoyée à %(partner)s. Vous serez prévenu "
                                        "de sa réponse.") % {"partner": orientation.partner.name})
            return redirect("directory:orientation_detail", pk=orientation.pk)
    return render(request, "directory/orientation_create.html", {
        "person": person, "service": service, "form": form,
        "partner": service.structure.organisation,
        "is_own": service.structure.organisation_id == actor.organisation_id})


@professional_required
def orientations(request):
    """The inbox (orientations received) and the orientations sent, by status."""
    actor = actor_for(request)
    box = "envoyees" if request.GET.get("boite") == "envoyees" else "recues"
    status = request.GET.get("statut", "")
    if status not in OrientationStatus.values:
        status = ""
    qs = (orientations_sent if box == "envoyees" else orientations_received)(actor, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    orientations_listed(actor, list(page.object_list))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=1,
                                                                on_ends=1))
    return render(request, "directory/orientations.html", {
        "box": box, "status": status, "page": page, "counts": orientation_counts(actor),
        "statuses": OrientationStatus.choices})


ACTIONS = {
    # URL word: (action, form class, service, what the success message says)
    "accepter": (OrientationAction.ACCEPT, AcceptForm, orientation_accept,
                 gettext_lazy("Orientation acceptée. Le référent est prévenu.")),
    "refuser": (OrientationAction.REFUSE, RefuseForm, orientation_refuse,
                gettext_lazy("Orientation refusée. Le référent est prévenu.")),
    "demander-complement": (OrientationAction.REQUEST_INFO, MessageForm,
                            orientation_request_info,
                            gettext_lazy("Votre question est envoyée au référent.")),
    "completer": (OrientationAction.PROVIDE_INFO, MessageForm, orientation_provide_info,
                  gettext_lazy("Votre réponse est envoyée au partenaire.")),
    "annuler": (OrientationAction.CANCEL, CancelForm, orientation_cancel,
                gettext_lazy("Orientation annulée. Le partenaire est prévenu.")),
}
ACTION_WORDS = {action: word for word, (action, *_rest) in ACTIONS.items()}


PANELS = {
    # action: (title, submit label, secondary button)
    OrientationAction.ACCEPT: (gettext_lazy("Accepter"), gettext_lazy("Accepter l'orientation"),
                               False),
    OrientationAction.REFUSE: (gettext_lazy("Refuser"), gettext_lazy("Refuser l'orientation"),
                               True),
    OrientationAction.REQUEST_INFO: (gettext_lazy("Demander un complément au référent"),
                                     gettext_lazy("Envoyer la question"), True),
    OrientationAction.PROVIDE_INFO: (gettext_lazy("Répondre au partenaire"),
                                     gettext_lazy("Envoyer le complément"), False),
    OrientationAction.CANCEL: (gettext_lazy("Annuler l'orientation"),
                               gettext_lazy("Annuler l'orientation"), True),
}


def _detail(request, actor, orientation, bound: dict | None = None):
    org_id = actor.organisation_id
    side = states.PARTNER if orientation.partner_id == org_id else states.SENDER
    events = list(orientation.events.all())
    panels = []
    for action in states.allowed_actions(orientation.status, side):
        word = ACTION_WORDS[action]
        title, submit, secondary = PANELS[action]
        intro = ""
        if action == OrientationAction.PROVIDE_INFO:
            asked = [e for e in events if e.action == OrientationAction.REQUEST_INFO]
            intro = asked[-1].comment if asked else ""
        panels.append({
            "action": action, "title": title, "submit": submit, "secondary": secondary,
            "intro": intro, "url": reverse(f"directory:orientation_{action}",
                                           args=[orientation.pk]),
            "form": (bound or {}).get(action) or ACTIONS[word][1](prefix=word)})
    shared = [{"label": ConsentScope(scope).label,
               "active": active_consent(orientation.person, orientation.partner_id, scope)
               is not None} for scope in orientation.shared_scopes]
    can_open_path = (side == states.PARTNER
                     and active_consent(orientation.person, org_id, ConsentScope.PATH) is not None)
    return render(request, "directory/orientation_detail.html", {
        "orientation": orientation, "person": orientation.person,
        "is_partner": side == states.PARTNER, "panels": panels, "shared": shared,
        "can_open_path": can_open_path, "events": events,
        "consent_method_label": ConsentMethod(orientation.consent_method).label})


@professional_required
def orientation_detail(request, pk: int):
    actor = actor_for(request)
    return _detail(request, actor, orientation_get_for(actor, pk))


@professional_required
@require_POST
def orientation_transition(request, pk: int, word: str):
    actor = actor_for(request)
    orientation = orientation_get_for(actor, pk)
    action, form_class, service, done = ACTIONS[word]
    form = form_class(request.POST, prefix=word)
    if form.is_valid():
        d = form.cleaned_data
        kwargs = {"comment": d.get("comment", "")} if "comment" in d else {}
        if "message" in d:
            kwargs = {"message": d["message"]}
        if "reason" in d:
            kwargs["reason"] = d["reason"]
        try:
            service(actor=actor, orientation=orientation, **kwargs)
        except (states.InvalidTransition, states.WrongSide) as exc:
            # Not possible any more (answered meanwhile, or the other side's action).
            messages.error(request, exc.message)
            return redirect("directory:orientation_detail", pk=orientation.pk)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("directory:orientation_detail", pk=orientation.pk)
    orientation = orientation_get_for(actor, pk)  # as it is now, for the page
    return _detail(request, actor, orientation, bound={action: form})


@professional_required
def person_orientations(request, public_id: str):
    """A person's orientations sent or received by the organisation (from the passport)."""
    actor = actor_for(request)
    person, _path = path_get_for(actor, public_id)
    return render(request, "directory/person_orientations.html", {
        "person": person, "orientations": orientations_of_person_for(actor, person)})


@person_required
def my_orientations(request):
    """Where the person was oriented, and the answers, in plain words."""
    found = orientations_of_person(request.person)
    person = request.person
    items = [{"orientation": o,
              "shared": [ConsentScope(s).label for s in o.shared_scopes
                         if active_consent(person, o.partner_id, s) is not None],
              "reason": REFUSAL_REASON_FOR_PERSON.get(o.refusal_reason, "")} for o in found]
    return render(request, "directory/me/orientations.html", {"person": person, "items": items})
