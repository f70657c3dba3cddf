"""Booking invitations: "invited rather than summoned".

- Professional pages read the person and the path through `path_get_for` (consent check,
  audit; 404 for another organisation), then call one service.
- The person's pages read the invitation through `invitation_get_for_person` (404 if it
  is not theirs).
- The single-use link needs no account: it shows only the organisation, the référent's
  slots and the motive, never the person's name nor anything else of their passport.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from passeport.core.errors import NotFound, PasseportError
from passeport.core.sms import mobile_number
from passeport.paths.booking_selectors import (
    invitation_for_link,
    invitation_get_for_path,
    invitation_get_for_person,
    invitations_of_path,
)
from passeport.paths.booking_services import (
    MAX_SLOTS,
    MIN_SLOTS,
    booking_cancel,
    booking_choose,
    booking_choose_by_link,
    booking_decline,
    booking_decline_by_link,
    booking_invite,
)
from passeport.paths.selectors import appointment_ics
from passeport.web.decorators import person_required, professional_required
from passeport.web.forms import add_service_error
from passeport.web.me.views import person_actor
from passeport.web.pro.forms import focus_first_error
from passeport.web.pro.views.passport import load, load_open_path

from .forms import BaseSlotFormSet, DeclineForm, InviteForm, SlotFormSet

DEFAULT_ROWS = 4


def _slot_id(request) -> int:
    """The chosen slot's id from the button, 0 when it is not a plausible id."""
    raw = request.POST.get("slot", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


# --- Professional --------------------------------------------------------------------

@professional_required
def pro_list(request, public_id):
    _actor, person, path = load(request, public_id)
    return render(request, "booking/pro_list.html", {
        "person": person, "path": path, "invitations": invitations_of_path(path),
        "is_open": path.status != "closed",
    })


def _rows(request) -> int:
    try:
        wanted = int(request.GET.get("creneaux", DEFAULT_ROWS))
    except ValueError:
        wanted = DEFAULT_ROWS
    return max(2, min(MAX_SLOTS, wanted))


MORE_ROWS = 3


def _with_more_rows(data) -> tuple[InviteForm, BaseSlotFormSet]:
    """« Afficher plus de lignes » sends the form to itself: the same page comes back with
    what was typed (as typed, not checked yet) and MORE_ROWS more empty rows."""
    posted = SlotFormSet(data, prefix="creneau")
    rows = posted.total_form_count() if posted.management_form.is_valid() else DEFAULT_ROWS
    fields = list(SlotFormSet.form.base_fields)
    initial = [{name: data[f"creneau-{i}-{name}"] for name in fields if f"creneau-{i}-{name}" in data}
               for i in range(rows)]
    wanted = max(2, min(MAX_SLOTS, rows + MORE_ROWS))
    initial += [{} for _i in range(wanted - len(initial))]
    form = InviteForm(initial={name: data.get(name, "") for name in InviteForm.base_fields})
    formset = SlotFormSet(prefix="creneau", initial=initial)
    if rows < wanted:  # the first new row takes the focus
        formset.forms[rows].fields["day"].widget.attrs["autofocus"] = ""
    return form, formset


def _show_service_error(exc: PasseportError, form: InviteForm, formset, filled: list[int]) -> None:
    """Each error next to its field: a slot's next to the part of that slot."""
    for error in getattr(exc, "errors", None) or [exc]:
        index = error.details.get("slot") if error.field == "slots" else None
        if index is not None and 0 <= index < len(filled):
            slot_form = formset.forms[filled[index]]
            field = getattr(error, "slot_field", None)
            slot_form.add_error(field if field in slot_form.fields else None, error.message)
        else:
            add_service_error(form, error)
    if any(f.errors for f in formset.forms):
        form.add_error(None, _("Vérifiez les créneaux signalés ci-dessous."))


@professional_required
def pro_invite(request, public_id):
    actor, person, path = load_open_path(request, public_id)
    if request.method == "POST" and "plus_de_lignes" in request.POST:
        form, formset = _with_more_rows(request.POST)
    elif request.method == "POST":
        form = InviteForm(request.POST)
        formset = SlotFormSet(request.POST, prefix="creneau")
        if form.is_valid() & formset.is_valid():
            filled = [i for i, f in enumerate(formset.forms) if f.is_filled]
            try:
                booking_invite(actor=actor, path=path,
                               slots=[formset.forms[i].slot() for i in filled],
                               answer_by=form.cleaned_data["answer_by"],
                               motive=form.cleaned_data["motive"])
            except PasseportError as exc:
                _show_service_error(exc, form, formset, filled)
            else:
                if person.user_id:
                    done = _("L'invitation est envoyée. La personne la voit dans son espace.")
                elif mobile_number(person.phone) or person.email:
                    done = _("L'invitation est envoyée. La personne reçoit un lien par SMS ou "
                             "par e-mail pour choisir son créneau.")
                else:
                    done = _("L'invitation est enregistrée, mais la personne n'a ni téléphone "
                             "mobile ni e-mail : prévenez-la.")
                messages.success(request, done)
                return redirect("booking:pro_list", public_id=person.public_id)
        else:
            for error in formset.non_form_errors():
                form.add_error(None, error)
            if any(f.errors for f in formset.forms):
                form.add_error(None, _("Vérifiez les créneaux signalés ci-dessous."))
    else:
        form = InviteForm()
        formset = SlotFormSet(prefix="creneau", initial=[{} for _i in range(_rows(request))])
    focus_first_error(form)
    return render(request, "booking/pro_invite.html", {
        "person": person, "path": path, "form": form, "formset": formset,
        "max_slots": MAX_SLOTS, "min_slots": MIN_SLOTS,
        "page_title": _("Inviter à prendre rendez-vous"),
    })


@professional_required
@require_POST
def pro_cancel(request, public_id, pk):
    actor, person, path = load(request, public_id)
    invitation = invitation_get_for_path(path, pk)
    try:
        booking_cancel(actor=actor, invitation=invitation)
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("L'invitation est annulée. Son lien ne marche plus."))
    return redirect("booking:pro_list", public_id=person.public_id)


# --- The person, in their space ------------------------------------------------------

@person_required
def me_invitation(request, pk: int):
    actor = person_actor(request)
    invitation = invitation_get_for_person(actor, pk)
    error = ""
    if request.method == "POST" and invitation.is_open:
        try:
            booking_choose(actor=actor, invitation=invitation,
                           slot_id=_slot_id(request))
        except NotFound:
            raise
        except PasseportError as exc:
            error = exc.message
        else:
            messages.success(request, _("C'est noté ! Votre rendez-vous est enregistré. "
                                        "Votre référent est prévenu."))
            return redirect("booking:me_invitation", pk=invitation.pk)
        invitation = invitation_get_for_person(actor, pk)
    return render(request, "booking/me_invitation.html", {
        "invitation": invitation, "error": error,
        "decline_url": reverse("booking:me_decline", kwargs={"pk": invitation.pk}),
        "in_space": True,
    })


@person_required
def me_decline(request, pk: int):
    actor = person_actor(request)
    invitation = invitation_get_for_person(actor, pk)
    if not invitation.is_open:
        return redirect("booking:me_invitation", pk=invitation.pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            booking_decline(actor=actor, invitation=invitation, message=form.cleaned_data["message"])
        except NotFound:
            raise
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("C'est noté. Votre référent va vous proposer "
                                        "d'autres dates."))
            return redirect("booking:me_invitation", pk=invitation.pk)
    return render(request, "booking/decline.html", {
        "invitation": invitation, "form": form, "in_space": True,
        "back_url": reverse("booking:me_invitation", kwargs={"pk": invitation.pk}),
    })


# --- The single-use link (no account) ------------------------------------------------

def _invalid(request):
    return render(request, "booking/link_invalid.html", status=404)


@never_cache
def link(request, token: str):
    try:
        invitation = invitation_for_link(token)
    except NotFound:
        return _invalid(request)
    error = ""
    if request.method == "POST":
        try:
            event = booking_choose_by_link(raw_token=token, slot_id=_slot_id(request))
        except NotFound:
            return _invalid(request)
        except PasseportError as exc:
            error = exc.message
            try:
                invitation = invitation_for_link(token)
            except NotFound:
                return _invalid(request)
        else:
            invitation.refresh_from_db()
            # No account and a burnt link: the calendar file travels inside the page.
            day = timezone.localtime(event.occurred_at).date().isoformat()
            return render(request, "booking/done.html", {
                "invitation": invitation, "slot": invitation.chosen_slot, "event": event,
                "ics_base64": base64.b64encode(appointment_ics(event)).decode("ascii"),
                "ics_name": f"rendez-vous-{day}.ics"})
    return render(request, "booking/link.html", {
        "invitation": invitation, "error": error,
        "decline_url": reverse("booking:link_decline", kwargs={"token": token}),
    })


@never_cache
def link_decline(request, token: str):
    try:
        invitation = invitation_for_link(token)
    except NotFound:
        return _invalid(request)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            booking_decline_by_link(raw_token=token, message=form.cleaned_data["message"])
        except NotFound:
            return _invalid(request)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "booking/done.html", {"invitation": invitation, "declined": True})
    return render(request, "booking/decline.html", {
        "invitation": invitation, "form": form,
        "back_url": reverse("booking:link", kwargs={"token": token}),
    })
