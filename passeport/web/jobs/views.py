"""Pages of jobs and matching: offers (list, publish, skills, candidates), a person's
job profile and best offers with explanations, proposing a person to an employer, the
employer's answers, immersions (PMSMP) with validation and assessment. Views parse,
call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.jobs.enums import ImmersionStatus, OfferKind
from passeport.jobs.selectors import (
    appellations_search,
    application_get_for,
    applications_received,
    applications_sent,
    employer_profile_of,
    fiche_core_skills,
    fiche_skills,
    immersion_get_for,
    immersions_hosted,
    immersions_of_person_for,
    offer_get_for,
    offers_for_person,
    offers_search,
    own_jobs,
    persons_for_offer,
    profile_get_for,
    skill_labels,
)
from passeport.jobs.services import (
    EMPLOYER_KINDS,
    application_answer,
    application_propose,
    employer_contact_add,
    employer_profile_save,
    immersion_assess,
    immersion_cancel,
    immersion_create,
    immersion_validate,
    offer_create,
    offer_set_status,
    offer_update,
    profile_save,
)
from passeport.skills.enums import LEVELS
from passeport.web.context import actor_for
from passeport.web.decorators import person_required, professional_required
from passeport.web.forms import add_service_error

from .forms import (
    AnswerForm,
    AssessmentForm,
    ContactForm,
    EmployerForm,
    ImmersionForm,
    OfferForm,
    OfferSkillsForm,
    ProfileForm,
    ProposeForm,
)


def _is_employer(actor) -> bool:
    org = actor.organisation
    return bool(org and org.kind in EMPLOYER_KINDS)


@professional_required
def appellation_suggestions(request):
    """<option>s for the appellation fields' datalist (htmx, as the user types)."""
    text = next((v for k, v in request.GET.items() if v), "")
    return render(request, "jobs/_appellation_options.html",
                  {"appellations": appellations_search(text, limit=10) if len(text.strip()) >= 2 else []})


@professional_required
def offers(request):
    actor = actor_for(request)
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("type", "")
    kind = kind if kind in OfferKind.values else ""
    mine = request.GET.get("mine") == "1"
    qs = offers_search(q=q, kind=kind, employer_id=actor.organisation_id if mine else None,
                       status=None if mine else "open")
    return render(request, "jobs/offers.html", {"offers": qs[:100], "q": q, "kind": kind, "mine": mine,
                                                "is_employer": _is_employer(actor)})


@professional_required
def offer_create_view(request):
    actor = actor_for(request)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_create(actor=actor, data=form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("L'offre est publiée. Vérifiez les compétences reprises de la fiche métier."))
            return redirect("jobs:offer_skills", pk=offer.pk)
    return render(request, "jobs/offer_form.html", {"form": form, "is_employer": _is_employer(actor)})


@professional_required
def offer_detail(request, pk: int):
    actor = actor_for(request)
    offer = offer_get_for(actor, pk)
    labels = skill_labels(offer.skills_required + offer.skills_wished)
    own = offer.employer_id == actor.organisation_id
    ctx = {"offer": offer, "own": own,
           "required": [labels.get(s, s) for s in offer.skills_required],
           "wished": [labels.get(s, s) for s in offer.skills_wished]}
    if own:
        ctx["applications"] = applications_received(actor).filter(offer=offer)
        ctx["answer_form"] = AnswerForm()
    if request.GET.get("candidats") == "1":
        ctx["candidates"] = persons_for_offer(actor, offer.pk)
    return render(request, "jobs/offer_detail.html", ctx)


@professional_required
def offer_skills(request, pk: int):
    actor = actor_for(request)
    offer = offer_get_for(actor, pk)
    if offer.employer_id != actor.organisation_id:
        return redirect("jobs:offer_detail", pk=pk)
    skills = [s for s in fiche_skills(offer.fiche_id) if s.kind != "savoir"]
    form = OfferSkillsForm(request.POST or None, skills=skills, initial={
        "required": [str(s) for s in offer.skills_required], "wished": [str(s) for s in offer.skills_wished]})
    if request.method == "POST" and form.is_valid():
        try:
            offer_update(actor=actor, offer=offer, data={
                "skills_required": [int(s) for s in form.cleaned_data["required"]],
                "skills_wished": [int(s) for s in form.cleaned_data["wished"]]})
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Les compétences de l'offre sont enregistrées."))
            return redirect("jobs:offer_detail", pk=pk)
    return render(request, "jobs/offer_skills.html", {"offer": offer, "form": form})


@professional_required
@require_POST
def offer_close(request, pk: int):
    actor = actor_for(request)
    try:
        offer_set_status(actor=actor, offer=offer_get_for(actor, pk), status="closed")
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("L'offre est fermée."))
    return redirect("jobs:offer_detail", pk=pk)


@professional_required
def person_jobs(request, public_id: str):
    actor = actor_for(request)
    kind = request.GET.get("type", "")
    view = offers_for_person(actor, public_id, kind=kind if kind in OfferKind.values else "")
    return render(request, "jobs/person_matches.html", {"view": view, "person": view.person, "kind": kind})


@professional_required
def person_profile(request, public_id: str):
    actor = actor_for(request)
    view = profile_get_for(actor, public_id)
    p = view.profile
    saved = p.pk is not None
    targets = list(p.target_appellations.all()) if saved else []
    experiences = list(p.experience_appellations.all()) if saved else []
    fiches = {a.fiche_id for a in targets + experiences}
    skills = sorted({s for f in fiches for s in fiche_skills(f) if s.kind == "sf"}, key=lambda s: s.label)
    declared = [s.code_ogr for s in view.skills_by_source.get("declared", [])]
    initial = {"target": targets[0].label if targets else "", "experience": experiences[0].label if experiences else "",
               "commune": p.commune.label if p.commune else "", "skills": [str(s) for s in declared],
               **{f: getattr(p, f) for f in ("career_change", "max_distance_km", "max_travel_minutes",
                                             "transport_mode", "has_driving_licence", "has_vehicle",
                                             "max_hours_per_week", "childcare_constraint", "night_work_ok",
                                             "weekend_work_ok")}}
    form = ProfileForm(request.POST or None, initial=initial, skills=skills)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["target_appellations"] = [data.pop("target")] if data.get("target") else []
        data["experience_appellations"] = [data.pop("experience")] if data.get("experience") else []
        data["skills"] = [int(s) for s in data["skills"]]
        try:
            profile_save(actor=actor, person=view.person, data=data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le profil emploi est enregistré."))
            # A new métier brings its skills to tick: show the profile again.
            changed = {a.fiche_id for a in data["target_appellations"] + data["experience_appellations"]} - fiches
            return redirect("jobs:person_profile" if changed else "jobs:person_jobs", public_id=public_id)
    return render(request, "jobs/profile_form.html", {"form": form, "person": view.person, "view": view,
                                                      "has_skills": bool(skills)})


@professional_required
def propose(request, public_id: str, offer_pk: int):
    actor = actor_for(request)
    view = offers_for_person(actor, public_id, limit=200)
    offer = offer_get_for(actor, offer_pk)
    result = next((e for e in view.results if e.offer.pk == offer.pk), None)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_propose(actor=actor, offer=offer, person=view.person,
                                message=form.cleaned_data["message"],
                                consent_method=form.cleaned_data["consent_method"],
                                person_agreed=form.cleaned_data["person_agreed"],
                                score=result.match.score if result else None,
                                explanation=result.as_dict() if result else None)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("La candidature est envoyée à %s.") % offer.employer.name)
            return redirect("jobs:person_jobs", public_id=public_id)
    return render(request, "jobs/propose.html", {"form": form, "person": view.person, "offer": offer,
                                                 "result": result})


@professional_required
def applications(request):
    actor = actor_for(request)
    return render(request, "jobs/applications.html", {
        "received": applications_received(actor)[:200], "sent": applications_sent(actor)[:200],
        "hosted": immersions_hosted(actor)[:200], "answer_form": AnswerForm(),
        "is_employer": _is_employer(actor)})


@professional_required
@require_POST
def answer(request, pk: int):
    actor = actor_for(request)
    app = application_get_for(actor, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une réponse (et un motif pour un refus)."))
    else:
        try:
            application_answer(actor=actor, application=app, status=form.cleaned_data["status"],
                               refusal_reason=form.cleaned_data["refusal_reason"],
                               comment=form.cleaned_data["comment"],
                               interview_on=form.cleaned_data["interview_on"])
        except PasseportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Votre réponse est enregistrée ; le référent la voit."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/pro/") else "jobs:applications")


@professional_required
def person_immersions(request, public_id: str):
    actor = actor_for(request)
    person, immersions = immersions_of_person_for(actor, public_id)
    form = ImmersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            imm = immersion_create(actor=actor, person=person, employer=d["employer"],
                                   appellation=d["appellation"], tutor_name=d["tutor_name"],
                                   starts_on=d["starts_on"], ends_on=d["ends_on"], objectives=d["objectives"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("L'immersion est prévue ; validez-la une fois la convention signée."))
            return redirect("jobs:immersion_detail", pk=imm.pk)
    return render(request, "jobs/person_immersions.html", {"person": person, "immersions": immersions,
                                                           "form": form})


@professional_required
def immersion_detail(request, pk: int):
    actor = actor_for(request)
    imm = immersion_get_for(actor, pk)
    skills = [s for s in fiche_skills(imm.appellation.fiche_id) if s.kind != "savoir"]
    core = fiche_core_skills(imm.appellation.fiche_id)
    form = AssessmentForm(request.POST or None, skills=skills, core=core)
    if request.method == "POST" and request.POST.get("action") == "validate":
        try:
            immersion_validate(actor=actor, immersion=imm)
        except PasseportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'immersion est validée."))
        return redirect("jobs:immersion_detail", pk=pk)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            immersion_cancel(actor=actor, immersion=imm)
        except PasseportError as exc:
            messages.error(request, exc.message)
        return redirect("jobs:immersion_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            immersion_assess(actor=actor, immersion=imm, skills_observed=[], skill_levels=form.skill_levels(),
                             behaviour=d["behaviour"], comment=d["comment"], led_to_job=d["led_to_job"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le bilan est enregistré. Les compétences observées rejoignent le profil "
                                        "et les compétences de la personne."))
            return redirect("jobs:immersion_detail", pk=pk)
    labels = skill_labels(imm.skills_observed) if imm.skills_observed else {}
    observed = [(labels.get(s, s), LEVELS.get(imm.skill_levels.get(str(s)))) for s in imm.skills_observed]
    return render(request, "jobs/immersion_detail.html", {
        "imm": imm, "form": form, "is_host": imm.employer_id == actor.organisation_id,
        "is_prescriber": imm.prescriber_id == actor.organisation_id,
        "observed": observed, "statuses": ImmersionStatus,
        "started": imm.starts_on <= timezone.localdate()})


@professional_required
def employer(request):
    """The employer's page: inclusive flag, commune, presentation and contacts."""
    actor = actor_for(request)
    if not _is_employer(actor):
        return render(request, "jobs/employer.html", {"is_employer": False})
    profile = employer_profile_of(actor.organisation_id)
    form = EmployerForm(request.POST if request.POST.get("form") == "profile" else None, initial={
        "inclusive_kind": profile.inclusive_kind if profile else "",
        "commune": profile.commune.label if profile and profile.commune else "",
        "description": profile.description if profile else ""})
    contact_form = ContactForm(request.POST if request.POST.get("form") == "contact" else None)
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                employer_profile_save(actor=actor, **form.cleaned_data)
                messages.success(request, _("La présentation de votre structure est enregistrée."))
                return redirect("jobs:employer")
            if contact_form.is_bound and contact_form.is_valid():
                employer_contact_add(actor=actor, **contact_form.cleaned_data)
                messages.success(request, _("Le contact est ajouté."))
                return redirect("jobs:employer")
        except PasseportError as exc:
            add_service_error(form if form.is_bound else contact_form, exc)
    return render(request, "jobs/employer.html", {"is_employer": True, "profile": profile, "form": form,
                                                  "contact_form": contact_form})


@person_required
def my_jobs(request):
    """The person's proposals to employers and immersions, in plain words."""
    applications_, immersions = own_jobs(request.person)
    return render(request, "jobs/me.html", {"person": request.person, "applications": applications_,
                                            "immersions": immersions})
