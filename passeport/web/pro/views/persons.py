"""Create a person (with the duplicate warning) and edit their identity."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from passeport.core.errors import PasseportError
from passeport.core.selectors import members_of
from passeport.paths.services import person_enrol
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_duplicates_shown, person_get_for
from passeport.people.services import DuplicateSuspected, person_update
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from ..forms import PersonCreateForm, PersonEditForm, focus_first_error


@professional_required
def person_create(request):
    """One form: identity, consent, référent. On a suspected duplicate the form comes
    back, with everything typed, and the candidates: "open this passport" (already
    followed), "it is this person" (records the consent for my organisation) or "not
    the same person" (creates the passport anyway)."""
    actor = actor_for(request)
    members = members_of(actor.organisation).filter(is_active=True)
    form = PersonCreateForm(
        request.POST if request.method == "POST" else None, members=members,
        initial={"referent": actor.membership.pk, "scopes": [ConsentScope.PATH]},
    )
    candidates = []
    if request.method == "POST" and form.is_valid():
        existing = request.POST.get("existant", "").strip() or None
        try:
            path = person_enrol(actor=actor, **form.enrol_kwargs(),
                                ignore_duplicates=request.POST.get("creer_quand_meme") == "1",
                                existing_public_id=existing)
        except DuplicateSuspected as exc:
            candidates = exc.candidates
            person_duplicates_shown(actor, candidates)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            person = path.person
            if existing:
                messages.success(request, _("L'accord de %(name)s est enregistré : son passeport "
                                            "est ouvert à votre structure.")
                                 % {"name": person.full_name})
            else:
                messages.success(request, _("Le passeport de %(name)s est créé.")
                                 % {"name": person.full_name})
            return redirect("pro:passport", public_id=person.public_id)
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/person_create.html", {"form": form, "candidates": candidates})


@professional_required
def person_edit(request, public_id):
    actor = actor_for(request)
    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="person")
    initial = {name: getattr(person, name) for name in
               (*PersonEditForm.IDENTITY_FIELDS, *PersonEditForm.CONTACT_FIELDS)}
    form = PersonEditForm(request.POST if request.method == "POST" else None, initial=initial, nir_masked=person.nir_masked)
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=actor, person=person, data=form.person_data(),
                          nir=form.cleaned_data["nir"] or None)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("L'identité est mise à jour."))
            return redirect("pro:passport", public_id=person.public_id)
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/person_edit.html", {"form": form, "person": person})
