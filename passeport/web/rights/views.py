"""The "Droits" pages: the professional's tab of the passport, the person's page in
plain words, and the caseload screening.

Pages never wait for OpenFisca: they show the last stored estimate at once; a new
estimate is stored as pending and computed by the task or the worker, and the result
part of the page polls for it (htmx) until it is there.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.rights.catalogue import MISSING, NOTES, ORDER, RIGHTS
from passeport.rights.enums import HousingStatus, RightCode, ScreeningStatus
from passeport.rights.selectors import (
    check_get_for,
    rights_person_get,
    rights_view,
    screening_get_for,
    screening_ranked,
    screening_to_verify,
    screenings_of,
)
from passeport.rights.services import (
    estimate_request,
    flag_to_action,
    received_mark,
    screening_start,
    situation_save,
)
from passeport.web.context import actor_for
from passeport.web.decorators import person_required, professional_required

from .forms import MonthForm, ScreeningForm, SituationForms

# Where the form asks what is missing (fieldsets of templates/rights/_situation_form.html).
MISSING_ANCHOR = {"housing_status": "logement", "rent": "logement", "commune": "logement",
                  "couple": "foyer", "incomes": "revenus", "salary": "revenus",
                  "unemployment": "revenus", "disability": "sante", "student": "sante",
                  "received": "aides"}


def _situation_initial(view) -> tuple[dict, list[dict], list[dict]]:
    s, facts = view.situation, view.facts
    initial = {
        "housing_status": facts.housing_status if facts.housing_status in HousingStatus.values
        else "",
        "commune_insee": facts.commune, "received": facts.received,
    }
    members, incomes = [], []
    if s is not None:
        initial.update({k: getattr(s, k) for k in ("couple", "rent", "disability_rate", "rsdae",
                                                    "student", "incomes_complete")})
        rows = list(s.members.all())
        members = [{"role": m.role, "first_name": m.first_name, "birth_date": m.birth_date}
                   for m in rows]
        for line in s.incomes.all():
            who = "self"
            if line.member_id:
                member = next((m for m in rows if m.pk == line.member_id), None)
                if member is None or member.role != "partner":
                    continue  # incomes of other members are kept through the API only
                who = "partner"
            incomes.append({"who": who, "kind": line.kind, "monthly_amount": line.monthly_amount,
                            "start_month": line.start_month, "end_month": line.end_month,
                            "hours_per_week": line.hours_per_week})
    return initial, members, incomes


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def result_context(view, *, for_person: bool) -> dict:
    last = view.last
    rows = []
    if last is not None:
        flagged = {f["code"]: f for f in last.flags}
        verify = {v["code"]: v for v in (last.to_verify or [])}
        for code in ORDER:
            right = RIGHTS[code]
            amount = None if code == "css" else last.amounts.get(code, 0)
            check = verify.get(code)
            if check is not None:
                check = {**check, "items": [
                    {"label": _lower_first(str(MISSING[m])),
                     "anchor": MISSING_ANCHOR.get(m, "situation-foyer")}
                    for m in check["missing"] if m in MISSING]}
            rows.append({"code": code, "right": right, "amount": amount,
                         "received": code in last.received, "flag": flagged.get(code),
                         "verify": check, "action": view.actions.get(code)})
    return {
        "view": view, "last": last, "rows": rows,
        "flags": [r for r in rows if r["flag"]],
        "to_verify": [r for r in rows if r["verify"] and r["verify"]["due"]],
        "missing": [{"label": MISSING[m], "anchor": MISSING_ANCHOR.get(m, "situation-foyer")}
                    for m in view.facts.missing if m in MISSING],
        "notes": [NOTES[n] for n in (last.notes if last else []) if n in NOTES],
        "for_person": for_person, "RightCode": RightCode,
    }


SECTION_LABELS = {"household": gettext_lazy("Le foyer (couple, enfants)"),
                  "housing": gettext_lazy("Le logement"), "incomes": gettext_lazy("Les revenus"),
                  "health": gettext_lazy("Santé et études"),
                  "received": gettext_lazy("Les aides déjà reçues")}


def provenance_rows(situation) -> list[dict]:
    """Who gave each part of the situation, and when (the person's own answers first)."""
    rows = []
    for section, entry in ((situation.provenance or {}) if situation else {}).items():
        at = parse_datetime(entry.get("at", ""))
        rows.append({"section": SECTION_LABELS.get(section, section),
                     "by_person": entry.get("source") == "person",
                     "by": entry.get("by", ""), "organisation": entry.get("organisation", ""),
                     "at": timezone.localtime(at) if at else None})
    rows.sort(key=lambda r: (not r["by_person"], str(r["section"])))
    return rows


def _pro_context(request, person, path, view, forms=None, month_form=None) -> dict:
    if forms is None:
        initial, members, incomes = _situation_initial(view)
        forms = SituationForms(initial=initial, members=members, incomes=incomes)
    return {
        "person": person, "path": path, "forms": forms,
        "provenance": provenance_rows(view.situation),
        "month_form": month_form or MonthForm(auto_id="estimation-%s"),
        "poll_url": reverse("rights:pro_result", kwargs={"public_id": person.public_id}),
        **result_context(view, for_person=False),
    }


@professional_required
def pro_page(request, public_id: str):
    actor = actor_for(request)
    person, path = rights_person_get(actor, public_id)
    view = rights_view(person, path)
    status = 200
    if request.method == "POST":
        forms = SituationForms(request.POST)
        if forms.is_valid():
            try:
                situation_save(actor=actor, person=person, path=path, data=forms.data())
            except PasseportError as exc:
                forms.add_service_error(exc)
            else:
                messages.success(request, _("Situation enregistrée. La nouvelle estimation "
                                            "s'affiche dès qu'elle est calculée."))
                return redirect(reverse("rights:pro", kwargs={"public_id": public_id}) + "#resultat")
        status = 400
        return render(request, "rights/pro_page.html",
                      _pro_context(request, person, path, view, forms=forms), status=status)
    return render(request, "rights/pro_page.html", _pro_context(request, person, path, view))


@professional_required
def pro_result(request, public_id: str):
    """The result part of the page (htmx polls it while an estimate is computed)."""
    actor = actor_for(request)
    person, path = rights_person_get(actor, public_id)
    view = rights_view(person, path)
    ctx = {"person": person, "path": path,
           "poll_url": reverse("rights:pro_result", kwargs={"public_id": public_id}),
           **result_context(view, for_person=False)}
    return render(request, "rights/_result.html", ctx)


@professional_required
@require_POST
def pro_estimate(request, public_id: str):
    actor = actor_for(request)
    person, path = rights_person_get(actor, public_id)
    form = MonthForm(request.POST, auto_id="estimation-%s")
    if form.is_valid():
        try:
            estimate_request(actor=actor, person=person, path=path,
                             month=form.cleaned_data.get("month"))
        except PasseportError as exc:
            form.add_error("month" if exc.field == "month" else None, exc.message)
        else:
            messages.info(request, _("Estimation demandée."))
            return redirect(reverse("rights:pro", kwargs={"public_id": public_id}) + "#resultat")
    view = rights_view(person, path)
    return render(request, "rights/pro_page.html",
                  _pro_context(request, person, path, view, month_form=form), status=400)


@professional_required
@require_POST
def pro_flag_action(request, public_id: str, check_id: int, code: str):
    actor = actor_for(request)
    person, path = rights_person_get(actor, public_id)
    check = check_get_for(person, check_id)
    if code not in RightCode.values:
        raise Http404
    try:
        action = flag_to_action(actor=actor, person=person, path=path, check=check, code=code)
    except PasseportError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Action ajoutée au parcours : « %s ».") % action.title)
    anchor = "#non-recours" if code in check.flagged_codes else "#a-verifier"
    return redirect(reverse("rights:pro", kwargs={"public_id": public_id}) + anchor)


# --- The person's own page -------------------------------------------------------------

def _me_context(request, view) -> dict:
    return {"person": view.person, "path": view.path,
            "poll_url": reverse("rights:me_result"), **result_context(view, for_person=True)}


@person_required
def me_page(request):
    actor = actor_for(request)
    person, path = rights_person_get(actor, request.person.public_id)
    return render(request, "rights/me_page.html", _me_context(request, rights_view(person, path)))


@person_required
def me_result(request):
    actor = actor_for(request)
    person, path = rights_person_get(actor, request.person.public_id)
    return render(request, "rights/_result.html", _me_context(request, rights_view(person, path)))


@person_required
@require_POST
def me_received(request):
    actor = actor_for(request)
    person, path = rights_person_get(actor, request.person.public_id)
    code = request.POST.get("code", "")
    try:
        received_mark(actor=actor, person=person, path=path, code=code,
                      received=request.POST.get("received") == "1")
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("C'est noté. Votre estimation est mise à jour."))
    return redirect(reverse("rights:me") + "#resultat")


@person_required
@require_POST
def me_estimate(request):
    actor = actor_for(request)
    person, path = rights_person_get(actor, request.person.public_id)
    try:
        estimate_request(actor=actor, person=person, path=path)
    except PasseportError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("rights:me") + "#resultat")


# --- Caseload screening ----------------------------------------------------------------

@professional_required
def screening_list(request):
    actor = actor_for(request)
    form = ScreeningForm(request.POST or None, auto_id="reperage-%s")
    if request.method == "POST" and form.is_valid():
        try:
            run = screening_start(actor=actor, month=form.cleaned_data.get("month"))
        except PasseportError as exc:
            form.add_error("month" if exc.field == "month" else None, exc.message)
        else:
            return redirect("rights:screening", pk=run.pk)
    runs = screenings_of(actor).select_related("requested_by")[:20]
    return render(request, "rights/screening_list.html", {"form": form, "runs": runs},
                  status=400 if form.errors else 200)


def _verify_rows(check) -> None:
    """The rights to verify of a screened person, and what is missing, in plain words."""
    due = [v for v in check.to_verify if v.get("due")]
    check.verify_labels = [RIGHTS[v["code"]].name for v in due if v["code"] in RIGHTS]
    items = list(dict.fromkeys(m for v in due for m in v["missing"] if m in MISSING))
    check.verify_missing = [_lower_first(str(MISSING[m])) for m in items]
    check.verify_anchor = MISSING_ANCHOR.get(items[0], "situation-foyer") if items else "situation-foyer"


@professional_required
def screening_detail(request, pk: int):
    actor = actor_for(request)
    run = screening_get_for(actor, pk)
    page = verify_page = None
    if run.status == ScreeningStatus.DONE:
        page = screening_ranked(actor, run, request.GET.get("page", 1))
        for check in page.object_list:
            check.flag_labels = [RIGHTS[f["code"]].name for f in check.flags]
        verify_page = screening_to_verify(actor, run, request.GET.get("verifier", 1))
        for check in verify_page.object_list:
            _verify_rows(check)
    template = "rights/_screening_body.html" if request.htmx else "rights/screening_detail.html"
    return render(request, template, {
        "run": run, "page": page, "verify_page": verify_page,
        "running": run.status in (ScreeningStatus.PENDING, ScreeningStatus.RUNNING),
    })
