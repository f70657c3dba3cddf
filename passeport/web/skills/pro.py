"""Pages for professionals: the organisation's badges and issuer profile, and a
person's skills (evaluations with their progress, badges awarded, revocation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import NotFound, PasseportError
from passeport.skills import credentials as cr
from passeport.skills.rome import is_rome_grid, rome_grids_ensure
from passeport.skills.selectors import (
    badge_classes_of,
    grid_by_code,
    grids_evaluated,
    grids_for,
    issuer_keys_of,
    progress,
    skills_view_for,
)
from passeport.skills.services import (
    award_revoke,
    badge_award,
    badge_class_create,
    evaluation_record,
    issuer_ensure,
    issuer_key_compromise,
    issuer_key_rotate,
    issuer_update,
)
from passeport.vault.selectors import documents_of, safe_get_for
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from .charts import geometry
from .forms import (
    AwardForm,
    BadgeClassForm,
    EvaluationForm,
    IssuerForm,
    KeyCompromiseForm,
    KeyRotateForm,
    RevokeForm,
    RomeGridForm,
)


@professional_required
def badges(request):
    actor = actor_for(request)
    issuer = issuer_ensure(actor.organisation)
    form = BadgeClassForm(request.POST or None) if request.POST.get("form") == "badge" else BadgeClassForm()
    issuer_form = (IssuerForm(request.POST) if request.POST.get("form") == "issuer" else
                   IssuerForm(initial={"name": issuer.name, "url": issuer.url, "email": issuer.email}))
    status = 200
    if request.method == "POST":
        target = form if request.POST.get("form") == "badge" else issuer_form
        if target.is_valid():
            data = target.cleaned_data
            try:
                if target is form:
                    alignments = []
                    if data["rome_code"] or data["rome_label"]:
                        alignments.append({"framework": "ROME 4.0", "code": data["rome_code"],
                                           "name": data["rome_label"]})
                    if data["digcomp"]:
                        alignments.append({"framework": "DigComp 2.2", "code": data["digcomp"],
                                           "name": f"DigComp {data['digcomp']}"})
                    badge_class_create(actor=actor, name=data["name"], description=data["description"],
                                       criteria=data["criteria"], achievement_type=data["achievement_type"],
                                       alignments=alignments, valid_months=data["valid_months"])
                    messages.success(request, _("Le badge est créé."))
                else:
                    issuer_update(actor=actor, **data)
                    messages.success(request, _("Le profil d'émetteur est enregistré."))
                return redirect("skills:pro_badges")
            except PasseportError as exc:
                add_service_error(target, exc)
        status = 400
    return _badges_page(request, actor, issuer, form=form, issuer_form=issuer_form, status=status)


def _badges_page(request, actor, issuer, *, form=None, issuer_form=None, rotate_form=None,
                 compromise_form=None, status=200):
    keys = issuer_keys_of(issuer)
    for key in keys:
        key.url = cr.key_url(key)
    return render(request, "skills/pro_badges.html", {
        "issuer": issuer, "issuer_url": cr.issuer_url(issuer), "keys": keys,
        "status_url": cr.status_list_url(issuer), "badge_classes": badge_classes_of(actor),
        "form": form or BadgeClassForm(),
        "issuer_form": issuer_form or IssuerForm(initial={"name": issuer.name, "url": issuer.url,
                                                          "email": issuer.email}),
        "is_admin": actor.membership.is_admin,
        "rotate_form": rotate_form or KeyRotateForm(),
        "compromise_form": compromise_form or KeyCompromiseForm(keys=keys),
        "jwks_url": f"{cr.issuer_url(issuer)}/jwks"}, status=status)


def _key_admin(request):
    actor = actor_for(request)
    if not actor.membership.is_admin:
        raise PermissionDenied
    return actor


@professional_required
@require_POST
def key_rotate(request):
    """« Changer la clé de signature »: the organisation's administrators, confirmed."""
    actor = _key_admin(request)
    form = KeyRotateForm(request.POST)
    if form.is_valid():
        key = issuer_key_rotate(actor=actor, organisation=actor.organisation,
                                reason=form.cleaned_data["reason"])
        messages.success(request, _("La clé de signature est changée (clé n° %(n)d). Les badges déjà "
                                    "délivrés restent valides.") % {"n": key.number})
        return redirect("skills:pro_badges")
    return _badges_page(request, actor, issuer_ensure(actor.organisation), rotate_form=form, status=400)


@professional_required
@require_POST
def key_compromise(request):
    """« Déclarer la clé compromise »: the organisation's administrators, confirmed."""
    actor = _key_admin(request)
    issuer = issuer_ensure(actor.organisation)
    form = KeyCompromiseForm(request.POST, keys=issuer_keys_of(issuer))
    if form.is_valid():
        number = form.cleaned_data["number"]
        try:
            issuer_key_compromise(actor=actor, organisation=actor.organisation, number=number,
                                  reason=form.cleaned_data["reason"])
        except NotFound:
            raise
        except PasseportError as exc:
            messages.error(request, exc.message)
            return redirect("skills:pro_badges")
        messages.success(request, _("La clé n° %(n)d est déclarée compromise : les badges qu'elle a "
                                    "signés ne sont plus valides. Les nouveaux badges utilisent une "
                                    "autre clé.") % {"n": number})
        return redirect("skills:pro_badges")
    return _badges_page(request, actor, issuer, compromise_form=form, status=400)


def _person_context(request, public_id, **extra):
    actor = actor_for(request)
    view = skills_view_for(actor, public_id)
    grids = list(grids_for(actor))
    evaluated = grids_evaluated(view.evaluations)
    grids += [g for g in evaluated if is_rome_grid(g)]
    charts = [p for p in (progress(view.evaluations, g) for g in evaluated) if p]
    for chart in charts:
        chart.geometry = geometry(chart)
    return {"view": view, "person": view.person, "grids": grids, "charts": charts,
            "award_form": extra.pop("award_form", None) or AwardForm(badge_classes=badge_classes_of(actor)),
            "rome_form": extra.pop("rome_form", None) or RomeGridForm(),
            "revoke_form": RevokeForm(), "now": timezone.now(), **extra}


@professional_required
def person(request, public_id: str):
    return render(request, "skills/pro_person.html", _person_context(request, public_id))


@professional_required
@require_POST
def award(request, public_id: str):
    actor = actor_for(request)
    form = AwardForm(request.POST, badge_classes=badge_classes_of(actor))
    if form.is_valid():
        try:
            badge_award(actor=actor, badge_class_uid=form.cleaned_data["badge_class"],
                        person_public_id=public_id, evidence=form.cleaned_data["evidence"])
            messages.success(request, _("Le badge est remis. La personne le voit dans son espace."))
            return redirect("skills:pro_person", public_id)
        except NotFound:
            raise
        except PasseportError as exc:
            add_service_error(form, exc)
    return render(request, "skills/pro_person.html", _person_context(request, public_id, award_form=form),
                  status=400)


@professional_required
@require_POST
def revoke(request, public_id: str, uid):
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez pourquoi le badge est retiré."))
        return redirect("skills:pro_person", public_id)
    try:
        award_revoke(actor=actor_for(request), award_uid=uid, reason=form.cleaned_data["reason"])
        messages.success(request, _("Le badge est retiré. Toute vérification le montre désormais comme retiré."))
    except NotFound:
        raise
    except PasseportError as exc:
        messages.error(request, exc.message)
    return redirect("skills:pro_person", public_id)


@professional_required
@require_POST
def rome(request, public_id: str):
    """Evaluate on the grids of a job's ROME fiche métier: made on first need, then the
    savoir-faire grid opens (the savoir-être one is listed beside it)."""
    form = RomeGridForm(request.POST)
    if form.is_valid():
        grids = rome_grids_ensure(form.cleaned_data["appellation"].fiche_id)
        if grids:
            return redirect("skills:pro_evaluate", public_id, next(iter(grids.values())).code)
        form.add_error("appellation", _("Ce métier n'a pas de compétences dans le ROME."))
    return render(request, "skills/pro_person.html", _person_context(request, public_id, rome_form=form),
                  status=400)


@professional_required
def evaluate(request, public_id: str, grid_code: str):
    actor = actor_for(request)
    view = skills_view_for(actor, public_id)
    grid = grid_by_code(grid_code)
    if grid.organisation_id and grid.organisation_id != actor.organisation_id:
        raise NotFound(_("Grille introuvable."))
    try:
        documents = list(documents_of(safe_get_for(actor, public_id)))
    except NotFound:
        documents = []
    form = EvaluationForm(request.POST or None, grid=grid, documents=documents,
                          initial={"evaluated_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation_record(actor=actor, person_public_id=public_id, grid_code=grid.code,
                                  scores=form.scores(), evaluated_on=form.cleaned_data["evaluated_on"],
                                  comment=form.cleaned_data["comment"], source=form.cleaned_data["source"],
                                  evidence_document_uid=form.cleaned_data["evidence_document"] or None,
                                  employer_name=form.cleaned_data["employer_name"])
                messages.success(request, _("L'évaluation est enregistrée."))
                return redirect("skills:pro_person", public_id)
            except PasseportError as exc:
                add_service_error(form, exc)
        status = 400
    siblings = ([g for g in rome_grids_ensure(grid.rome_code).values() if g.pk != grid.pk]
                if is_rome_grid(grid) else [])
    return render(request, "skills/pro_evaluate.html", {"person": view.person, "grid": grid, "form": form,
                                                        "siblings": siblings}, status=status)
