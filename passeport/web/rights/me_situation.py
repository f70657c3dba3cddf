"""« Ma situation »: the person gives or corrects, in plain words, what the estimate of
their rights needs: who lives with them, their housing, their resources. One topic per
screen; each screen is saved whole (nothing half-written) through
`rights.services.situation_declare`, which records it as declared by the person, audits
it and asks for a new estimate.

Reached from « Mes droits ». `?suite=1` chains the three screens (household, housing,
resources) and ends on the updated estimate; without it, a screen goes back to the
summary.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound, PasseportError
from passeport.directory.selectors import commune_get, commune_resolve
from passeport.paths.enums import PathStatus
from passeport.rights.enums import MemberRole
from passeport.rights.selectors import resources_now, rights_person_get, situation_of
from passeport.rights.services import situation_declare
from passeport.web.decorators import person_required

from .forms import (
    HOUSING_PLAIN,
    RESOURCE_GROUPS,
    MyHouseholdForm,
    MyHousingForm,
    MyResourcesForm,
    child_formset,
)

STEPS = ("household", "housing", "resources")
STEP_URL = {"household": "rights:me_household", "housing": "rights:me_housing",
            "resources": "rights:me_resources"}
KIND_LABELS = {kind: label for _title, kinds in RESOURCE_GROUPS for kind, label in kinds}


def _me(request) -> Actor:
    """The person acting on their own passport (even if they are also a professional)."""
    return Actor(user=request.user, membership=None, channel="web")


def _load(request):
    """The person, their current path and situation (the person's own read)."""
    person, path = rights_person_get(_me(request), request.person.public_id)
    return person, path, situation_of(path)


def _closed(request, path) -> bool:
    if path is None or path.status == PathStatus.CLOSED:
        messages.info(request, _("Votre parcours n'est pas ouvert. Votre référent pourra "
                                 "compléter votre situation avec vous."))
        return True
    return False


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _origin(situation, section: str) -> str:
    """Who gave this part of the situation, and when, in plain words."""
    entry = (situation.provenance or {}).get(section) if situation else None
    if not entry:
        return ""
    at = parse_datetime(entry.get("at", ""))
    when = timezone.localtime(at).strftime("%d/%m/%Y") if at else ""
    if entry.get("source") == "person":
        return _("Indiqué par vous le %s.") % when
    who = entry.get("by") or _("votre référent")
    return _("Indiqué par %(who)s le %(when)s.") % {"who": who, "when": when}


def _next(request, step: str):
    """After a screen: the next one when chained, else the summary."""
    if request.POST.get("suite") == "1":
        i = STEPS.index(step)
        if i + 1 < len(STEPS):
            return redirect(reverse(STEP_URL[STEPS[i + 1]]) + "?suite=1")
        messages.success(request, _("Merci ! Votre situation est enregistrée. "
                                    "Votre estimation est mise à jour."))
        return redirect(reverse("rights:me") + "#resultat")
    messages.success(request, _("C'est enregistré. Votre estimation est mise à jour."))
    return redirect("rights:me_situation")


def _service_error(exc: PasseportError, forms_by_field: dict) -> None:
    """Put each of the service's errors next to its field (else on top of the first form)."""
    for error in getattr(exc, "errors", None) or [exc]:
        target = forms_by_field.get(error.field or "")
        if target is not None:
            form, name = target
            form.add_error(name, error.message)
            continue
        first = next(iter(forms_by_field.values()), None)
        if first is not None:
            first[0].add_error(None, error.message)


def _context(step: str, suite: bool, **kw) -> dict:
    number = STEPS.index(step) + 1
    return {"step": step, "number": number, "count": len(STEPS), "suite": suite, **kw}


@person_required
def situation(request):
    """The summary: what the estimate knows, who gave it, and a link to each screen."""
    person, path, s = _load(request)
    today = timezone.localdate()
    members = list(s.members.all()) if s else []
    partner = next((m for m in members if m.role == MemberRole.PARTNER), None)
    children = [{"name": m.first_name, "age": _age(m.birth_date, today)}
                for m in members if m.role == MemberRole.CHILD]
    now = resources_now(s)
    resources = [{"who": who, "label": KIND_LABELS.get(kind, kind), "amount": amount}
                 for who in ("self", "partner") for kind, amount in now[who].items() if amount]
    housing = dict(HOUSING_PLAIN).get(s.housing_status if s else "", "")
    if not housing and path is not None and path.housing_status:
        housing = dict(HOUSING_PLAIN).get(path.housing_status, "")
    commune = commune_get((s.commune_insee if s else "") or person.commune_insee)
    return render(request, "rights/me_situation.html", {
        "person": person, "path": path, "situation": s,
        "open": not (path is None or path.status == PathStatus.CLOSED),
        "couple": s.couple if s else "", "partner": partner, "children": children,
        "housing": housing, "rent": s.rent if s else None,
        "commune": commune, "resources": resources,
        "complete": s.incomes_complete if s else "",
        "origin": {name: _origin(s, name) for name in ("household", "housing", "incomes")},
    })


@person_required
def household(request):
    person, path, s = _load(request)
    if _closed(request, path):
        return redirect("rights:me_situation")
    suite = request.GET.get("suite") == "1" or request.POST.get("suite") == "1"
    members = list(s.members.all()) if s else []
    partner = next((m for m in members if m.role == MemberRole.PARTNER), None)
    children = [{"first_name": m.first_name, "birth_date": m.birth_date}
                for m in members if m.role == MemberRole.CHILD]
    initial = {"couple": s.couple if s and s.couple else None,
               "partner_birth_date": partner.birth_date if partner else None,
               "student": s.student if s and s.student else None,
               "disability_rate": s.disability_rate if s and s.disability_rate else None}
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if "ajouter" in data:  # one more row for a child, nothing saved
            total = int(data.get("enfants-TOTAL_FORMS") or 0)
            data["enfants-TOTAL_FORMS"] = str(min(total + 1, 12))
    form = MyHouseholdForm(data, initial=initial, auto_id="foyer-%s")
    kids = child_formset(data, initial=children)
    status = 200
    if data is not None and "ajouter" not in data:
        valid = form.is_valid()
        valid = kids.is_valid() and valid
        if valid:
            used = [f for f in kids if f.cleaned_data and not f.is_blank()]
            declared = []
            if form.cleaned_data["couple"] == "yes":
                declared.append({"role": MemberRole.PARTNER,
                                 "birth_date": form.cleaned_data["partner_birth_date"]})
            declared += [{"role": MemberRole.CHILD, "first_name": f.cleaned_data["first_name"],
                          "birth_date": f.cleaned_data["birth_date"]} for f in used]
            try:
                answers = {"couple": form.cleaned_data["couple"], "members": declared}
                for key in ("student", "disability_rate"):  # left empty: « je ne sais pas », kept as is
                    if form.cleaned_data.get(key):
                        answers[key] = form.cleaned_data[key]
                situation_declare(actor=_me(request), person=person, data=answers)
            except NotFound:
                raise
            except PasseportError as exc:
                offset = 1 if form.cleaned_data["couple"] == "yes" else 0
                fields = {"couple": (form, "couple")}
                if offset:
                    fields["members.0.birth_date"] = (form, "partner_birth_date")
                for i, f in enumerate(used):
                    fields[f"members.{i + offset}.birth_date"] = (f, "birth_date")
                _service_error(exc, fields)
            else:
                return _next(request, "household")
        status = 400
    return render(request, "rights/me_household.html",
                  _context("household", suite, form=form, kids=kids,
                           has_errors=bool(form.errors or any(f.errors for f in kids))),
                  status=status)


@person_required
def housing(request):
    person, path, s = _load(request)
    if _closed(request, path):
        return redirect("rights:me_situation")
    suite = request.GET.get("suite") == "1" or request.POST.get("suite") == "1"
    status_now = (s.housing_status if s else "") or (path.housing_status or "")
    commune = commune_get((s.commune_insee if s else "") or person.commune_insee)
    initial = {"housing_status": status_now if status_now in dict(HOUSING_PLAIN) else None,
               "rent": s.rent if s else None,
               "commune": commune.name if commune else ""}
    form = MyHousingForm(request.POST if request.method == "POST" else None, initial=initial,
                         auto_id="logement-%s")
    status = 200
    if form.is_bound:
        if form.is_valid():
            text = form.cleaned_data["commune"].strip()
            found = None
            if text:
                found = (commune if commune and text == commune.name else commune_resolve(text))
                if found is None:
                    form.add_error("commune", _("Nous ne trouvons pas cette commune : "
                                                "vérifiez l'orthographe, ou écrivez le code "
                                                "postal (5 chiffres)."))
            if not form.errors:
                try:
                    situation_declare(actor=_me(request), person=person, data={
                        "housing_status": form.cleaned_data["housing_status"],
                        "rent": form.cleaned_data["rent"],
                        "commune_insee": found.code_insee if found else ""})
                except NotFound:
                    raise
                except PasseportError as exc:
                    _service_error(exc, {"housing_status": (form, "housing_status"),
                                         "rent": (form, "rent"),
                                         "commune_insee": (form, "commune")})
                else:
                    return _next(request, "housing")
        status = 400
    return render(request, "rights/me_housing.html",
                  _context("housing", suite, form=form, has_errors=bool(form.errors)),
                  status=status)


@person_required
def resources(request):
    person, path, s = _load(request)
    if _closed(request, path):
        return redirect("rights:me_situation")
    suite = request.GET.get("suite") == "1" or request.POST.get("suite") == "1"
    with_partner = bool(s) and any(m.role == MemberRole.PARTNER for m in s.members.all())
    now = resources_now(s)
    initial = {f"{who}_{kind}": amount for who, kinds in now.items()
               for kind, amount in kinds.items() if amount}
    if s and s.incomes_complete == "yes":
        initial["complete"] = "yes"
    form = MyResourcesForm(request.POST if request.method == "POST" else None, initial=initial,
                           with_partner=with_partner, auto_id="ressources-%s")
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                situation_declare(actor=_me(request), person=person, data={
                    "resources": form.resources(),
                    # « pas sûr » is a « no »: what was written may not be everything
                    "incomes_complete": "yes" if form.cleaned_data["complete"] == "yes" else "no"})
            except NotFound:
                raise
            except PasseportError as exc:
                fields = {f"resources.{name.replace('_', '.', 1)}": (form, name)
                          for name in form.fields if name != "complete"}
                fields["incomes_complete"] = (form, "complete")
                _service_error(exc, fields)
            else:
                return _next(request, "resources")
        status = 400
    return render(request, "rights/me_resources.html",
                  _context("resources", suite, form=form, with_partner=with_partner,
                           mine=form.group_fields("self"), theirs=form.group_fields("partner"),
                           has_errors=bool(form.errors)),
                  status=status)
