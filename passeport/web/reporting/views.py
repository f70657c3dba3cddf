"""ESF+ pages for professionals: operations, indicators, participant data, data quality,
six-month follow-up, exports. Thin views: parse, check, call passeport.reporting, render."""

from __future__ import annotations

import contextlib
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from passeport.core.enums import AuditAction
from passeport.core.errors import PasseportError
from passeport.reporting import exports
from passeport.reporting.indicators import (
    GENDER_LABELS,
    GENDERS,
    INDICATORS,
    indicators_by_operation,
    setting,
)
from passeport.reporting.selectors import (
    audit_shown,
    data_quality,
    followups_due,
    incomplete_count,
    operation_get_for,
    operations_for,
    participation_get_for,
    participations_of,
    participations_page,
)
from passeport.reporting.services import (
    followup_record,
    operation_create,
    operation_delete,
    operation_set_closed,
    operation_update,
    participation_enrol,
    participation_update,
)
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from .forms import EnrolForm, FollowUpForm, OperationForm, ParticipationForm


def _period(request) -> tuple[date | None, date | None]:
    def parse(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None
    return parse("du"), parse("au")


def _list_query(params) -> str:
    """The participants list's filters and page (search, presence, period, page), checked,
    as a query string: carried to a participant's page and back, so that « Retour à la
    liste » reopens the same filtered page. Anything else is dropped."""
    kept = {}
    search = params.get("q", "").strip()[:100]
    if search:
        kept["q"] = search
    if params.get("statut", "") in ("en-cours", "sortis"):
        kept["statut"] = params["statut"]
    for name in ("du", "au"):
        with contextlib.suppress(ValueError):
            kept[name] = date.fromisoformat(params.get(name, "")).isoformat()
    page = params.get("page", "")
    if page.isascii() and page.isdigit() and 1 < int(page) < 100_000:
        kept["page"] = str(int(page))
    return urlencode(kept)


def indicator_lines(table: dict) -> list[dict]:
    return [{"code": i.code, "label": i.label, "kind": i.kind,
             "values": [table[i.code][g] for g in (*GENDERS, "")], "total": table[i.code]["total"]}
            for i in INDICATORS]


@professional_required
def operation_list(request):
    actor = actor_for(request)
    form = OperationForm(request.POST or None, organisation_id=actor.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            op = operation_create(actor=actor, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Opération créée."))
            return redirect("reporting:operation", pk=op.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reporting/operation_list.html",
                  {"operations": list(operations_for(actor)), "form": form}, status=status)


@professional_required
@vary_on_headers("HX-Request")
def operation_detail(request, pk: int):
    actor = actor_for(request)
    op = operation_get_for(actor, pk)
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("statut", "")
    page = participations_page(actor, op, search=search, status=status,
                               page_number=request.GET.get("page"))
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=1,
                                                                on_ends=1))
    context = {"operation": op, "page": page, "search": search, "status": status,
               "can_manage": actor.membership.sees_whole_caseload,
               "list_query": _list_query(request.GET)}
    if getattr(request, "htmx", None):  # a pagination link: the participants only
        return render(request, "reporting/_participants.html", context)
    start, end = _period(request)
    table = indicators_by_operation([op.pk], start=start, end=end)[op.pk]
    return render(request, "reporting/operation_detail.html", {
        **context, "lines": indicator_lines(table), "start": start, "end": end,
        "gender_labels": [GENDER_LABELS[g] for g in (*GENDERS, "")], "enrol_form": EnrolForm(),
        "incomplete": incomplete_count(op), "count_incomplete": setting("COUNT_INCOMPLETE", False),
    })


def _managed_operation(request, pk: int):
    """The operation of the actor's organisation (404 otherwise), for its managers and
    administrators (403 for the other members)."""
    actor = actor_for(request)
    op = operation_get_for(actor, pk)
    if not actor.membership.sees_whole_caseload:
        raise PermissionDenied
    return actor, op


@professional_required
def operation_edit(request, pk: int):
    actor, op = _managed_operation(request, pk)
    form = OperationForm(request.POST or None, instance=op,  # the form leaves `op` as read
                         organisation_id=actor.organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            operation_update(actor=actor, operation=op, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Opération modifiée."))
            return redirect("reporting:operation", pk=op.pk)
    return render(request, "reporting/operation_form.html", {"operation": op, "form": form},
                  status=400 if request.method == "POST" else 200)


@professional_required
def operation_delete_view(request, pk: int):
    """GET: confirm (or explain why it cannot be deleted and offer to close it); POST: delete."""
    actor, op = _managed_operation(request, pk)
    error = None
    if request.method == "POST":
        try:
            operation_delete(actor=actor, operation=op)
        except PasseportError as exc:
            error = exc.message
        else:
            messages.success(request, _("Opération « %(code)s » supprimée.") % {"code": op.code})
            return redirect("reporting:operations")
    return render(request, "reporting/operation_delete.html", {
        "operation": op, "error": error, "n_participations": op.participations.count()},
        status=400 if error else 200)


@professional_required
@require_POST
def operation_close(request, pk: int):
    actor, op = _managed_operation(request, pk)
    closed = request.POST.get("action") != "rouvrir"
    operation_set_closed(actor=actor, operation=op, closed=closed)
    messages.success(request, _("Opération clôturée : elle reste dans les indicateurs et n'accepte "
                                "plus d'inscription.") if closed else _("Opération rouverte."))
    return redirect("reporting:operation", pk=op.pk)


@professional_required
def participation_enrol_view(request, pk: int):
    actor = actor_for(request)
    op = operation_get_for(actor, pk)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            p = participation_enrol(actor=actor, operation=op, public_id=form.cleaned_data["public_id"].strip())
        except PasseportError as exc:
            add_service_error(form, exc if exc.field else PasseportError(exc.message, field="public_id"))
        else:
            messages.success(request, _("Participant inscrit : vérifiez et complétez ses données."))
            return redirect("reporting:participation", pk=p.pk)
    return render(request, "reporting/enrol.html", {"operation": op, "form": form},
                  status=400 if request.method == "POST" else 200)


@professional_required
def participation_edit(request, pk: int):
    actor = actor_for(request)
    p = participation_get_for(actor, pk)
    audit_shown(actor, [p], action=AuditAction.VIEW)
    form = ParticipationForm(request.POST or None, instance=p)  # the form leaves `p` as read
    list_query = _list_query(request.GET)  # the list it was opened from (filters, page)
    back_url = reverse("reporting:operation", args=[p.operation_id])
    back_url += (f"?{list_query}" if list_query else "") + "#resultats"
    if request.method == "POST" and form.is_valid():
        try:
            participation_update(actor=actor, participation=p, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Données du participant enregistrées."))
            return redirect(back_url)
    return render(request, "reporting/participation_form.html", {
        "participation": p, "form": form, "back_url": back_url, "list_query": list_query,
    }, status=400 if request.method == "POST" else 200)


@professional_required
def quality(request, pk: int):
    actor = actor_for(request)
    op = operation_get_for(actor, pk)
    return render(request, "reporting/quality.html", {"operation": op, "report": data_quality(actor, op)})


@professional_required
def followups(request):
    actor = actor_for(request)
    return render(request, "reporting/followups.html", {"rows": followups_due(actor), "form": FollowUpForm()})


@professional_required
def followup_answer(request, pk: int):
    actor = actor_for(request)
    p = participation_get_for(actor, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            followup_record(actor=actor, participation=p, status=d["followup_status"],
                            observed_on=d["six_months_observed_on"], employed=d["six_months_employed"],
                            improved=d["six_months_improved"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Réponse enregistrée."))
            return redirect("reporting:followups")
    return render(request, "reporting/followup_form.html", {"participation": p, "form": form},
                  status=400 if request.method == "POST" else 200)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@professional_required
def export(request, pk: int, fmt: str):
    if fmt not in ("participants.csv", "participants.xlsx", "indicateurs.csv"):
        raise Http404
    actor = actor_for(request)
    op = operation_get_for(actor, pk)
    start, end = _period(request)
    table = indicators_by_operation([op.pk], start=start, end=end)[op.pk]
    name = f"fse-{op.code}"
    if fmt == "indicateurs.csv":
        return _download(exports.indicators_csv(table), f"{name}-indicateurs.csv", "text/csv; charset=utf-8")
    rows = audit_shown(actor, participations_of(actor, op, audit=False), action=AuditAction.EXPORT)
    for p in rows:
        p.operation = op
    if fmt == "participants.csv":
        return _download(exports.participants_csv(rows), f"{name}-participants.csv", "text/csv; charset=utf-8")
    return _download(exports.workbook(rows, table), f"{name}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@professional_required
def impact(request):
    from passeport.reporting.impact import (
        badges_issued,
        bar_chart,
        entries_exits_by_month,
        orientations_sent,
        outcomes,
        rights_opened,
    )

    org_id = actor_for(request).organisation_id
    months = entries_exits_by_month(org_id)
    out = outcomes(org_id)
    return render(request, "reporting/impact.html", {
        "months": months,
        "entries_chart": bar_chart([(m["month"].strftime("%m/%Y"), m["entries"]) for m in months]),
        "exits_chart": bar_chart([(m["month"].strftime("%m/%Y"), m["exits"]) for m in months]),
        "exit_chart": bar_chart(out["exit"]), "six_chart": bar_chart(out["six_months"]),
        "orientation_chart": bar_chart(orientations_sent(org_id)),
        "rights_chart": bar_chart(rights_opened(org_id)),
        "badges_chart": bar_chart(badges_issued(org_id)),
    })


def public_impact(request):
    from passeport.reporting.impact import bar_chart, public_participants_by_territory

    data = public_participants_by_territory()
    rows = [{"territory": t, "cells": c, "total": rt}
            for t, c, rt in zip(data["territories"], data["cells"], data["row_totals"], strict=True)]
    return render(request, "reporting/public_impact.html", {
        "rows": rows, "col_totals": data["col_totals"], "total": data["total"],
        "gender_labels": [GENDER_LABELS[g] for g in GENDERS],
        "chart": bar_chart([(r["territory"], r["total"]) for r in rows]),
    })
